// The client's handshake against a server that opens the connection and
// then says nothing (a stalled proxy, a hung daemon): the login form and
// the Reconnecting banner must not wait for ever; and against one that
// turns the login away with a GoAway: its reason is what the form says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { GoAwaySchema } from "../../src/gen/clubcrm_pb.js";
import { ClubClient, memoryTokenStore } from "../../src/lib/client.js";
import { ClubError, Status } from "../../src/lib/status.js";
import { fakeServer } from "../support/fake-pipe.js";
import { until } from "../support/until.js";

test("a login the server never answers fails with UNAVAILABLE instead of hanging", async () => {
  const srv = fakeServer();  // opens, then never answers
  const c = new ClubClient({ pipe: srv.factory, handshakeMs: 50 });
  const outcome = c.login("alicia", "secret").then(
    () => "logged in",
    (e: unknown) => e,
  );
  const timeout = new Promise((r) => setTimeout(() => r("still waiting"), 5000));
  const got = await Promise.race([outcome, timeout]);
  assert.ok(got instanceof ClubError, `the login ended (${String(got)})`);
  assert.equal((got as ClubError).code, Status.UNAVAILABLE);
  assert.equal(c.state, "signedOut");
  assert.ok(srv.closed >= 1, "the silent connection was closed");
  c.close();
});

test("a token login the server never answers is retried on a new connection", async () => {
  const srv = fakeServer();
  const tokens = memoryTokenStore();
  tokens.save({ login: "alicia", token: new Uint8Array(32), expires: 0 });
  const c = new ClubClient({ pipe: srv.factory, tokens, handshakeMs: 30, random: () => 0 });
  void c.resume().catch(() => {});
  await until("a second connection", () => srv.opened >= 2);
  assert.ok(srv.closed >= 1, "the stalled one was closed first");
  assert.equal(c.state, "connecting");
  assert.ok(tokens.load(), "the token is kept for the retry");
  c.close();
  assert.equal(c.state, "signedOut");
});

test("a login the server turns away says the server's reason, not 'cannot be reached'", async () => {
  // The server's GoAway before it closes: too many connections, or a password over the 8 KiB
  // a frame may take before login.
  const srv = fakeServer((_, x) => {
    x.push({ case: "goAway", value: create(GoAwaySchema, { code: Status.RESOURCE_EXHAUSTED, reason: "too many connections" }) });
    x.hangUp("closed by the server");
  });
  const c = new ClubClient({ pipe: srv.factory, handshakeMs: 5000 });
  await assert.rejects(c.login("alicia", "demo"), (e: unknown) =>
    e instanceof ClubError && e.code === Status.RESOURCE_EXHAUSTED && /too many connections/.test(e.message));
  assert.equal(c.state, "signedOut");
  c.close();
});

test("an answer up to the protocol's 1 MiB is read whatever smaller frame the server takes", async () => {
  // A server started with --max-frame 64 KiB still answers a report or a
  // calendar of up to 900 KiB: the client must not take that for a broken
  // stream (it used to read at most max_frame + 64 bytes and drop the line).
  const big = "x".repeat(900 * 1024);
  const srv = fakeServer((f, x) => {
    switch (f.body.case) {
      case "hello":
        x.reply({ case: "welcome", value: { heartbeatMs: 60000, timeZone: "UTC", maxFrame: 65536 } as never });
        break;
      case "login":
        x.reply({ case: "loginOk", value: { operator: { id: 1n, login: "alicia" }, maxFrame: 65536 } as never });
        break;
      case "getReport":
        x.reply({ case: "error", value: { code: Status.RESOURCE_EXHAUSTED, message: big } as never });
        break;
      default:
        break;
    }
  });
  const c = new ClubClient({ pipe: srv.factory, handshakeMs: 5000 });
  await c.login("alicia", "demo");
  await assert.rejects(c.request({ case: "getReport", value: {} as never }, 5000), (e: unknown) =>
    e instanceof ClubError && e.code === Status.RESOURCE_EXHAUSTED && e.message.includes(big));
  assert.equal(srv.closed, 0, "the connection was kept");
  assert.equal(srv.opened, 1);
  c.close();
});
