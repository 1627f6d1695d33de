// Live views across reconnects, against a scripted server (no clubcrmd):
// what the page shows once a view is live again.
import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { type Frame, ViewKind } from "../../src/gen/clubcrm_pb.js";
import { ClubClient, memoryTokenStore } from "../../src/lib/client.js";
import { taskView } from "../../src/lib/live.js";
import { Status } from "../../src/lib/status.js";
import { fakeServer } from "../support/fake-pipe.js";
import { until } from "../support/until.js";

/**
 * A server in the test: logs anyone in (with a resume token), answers
 * pings, and hands every Subscribe to `onSubscribe`, which answers it.
 * `drop()` cuts the current connection.
 */
function scriptedServer(onSubscribe: (n: number, f: Frame, reply: (b: Frame["body"]) => void,
  push: (b: Frame["body"]) => void) => void, o: { holdPings?: () => boolean } = {}) {
  let subscribes = 0;
  /** Pongs held back (o.holdPings): what a slow replay keeps behind it. */
  const held: (() => void)[] = [];
  const s = fakeServer((f, { reply, push }) => {
    switch (f.body.case) {
      case "hello":
        reply({ case: "welcome", value: { heartbeatMs: 60000, timeZone: "UTC" } as never });
        break;
      case "login":
        reply({ case: "loginOk", value: {
          operator: { id: 1n, login: "alicia" }, resumeToken: new Uint8Array(32), resumeExpires: 0n,
        } as never });
        break;
      case "ping": {
        const nonce = f.body.value.nonce;
        const pong = () => reply({ case: "pong", value: { nonce } as never });
        if (o.holdPings?.()) held.push(pong);
        else pong();
        break;
      }
      case "subscribe":
        onSubscribe(++subscribes, f, reply, push);
        break;
      default:
        break;
    }
  });
  return Object.assign(s, { held });
}

test("a view that failed once shows no error once a resume has made it live again", async () => {
  const srv = scriptedServer((n, f, reply, push) => {
    const subId = f.body.case === "subscribe" ? f.body.value.subId : 0;
    if (n === 1) {
      // The first connection: a snapshot at revision 5.
      reply({ case: "subscribed", value: { subId, resumed: false, revision: 5n } as never });
      push({ case: "snapshotDone", value: { subId, revision: 5n } as never });
    } else if (n === 2) {
      // The second: the server is too busy for it.
      reply({ case: "error", value: { code: Status.RESOURCE_EXHAUSTED, message: "too many subscriptions" } as never });
    } else {
      // The third: resumed from revision 5, nothing changed.
      reply({ case: "subscribed", value: { subId, resumed: true, revision: 5n } as never });
    }
  });
  const c = new ClubClient({ pipe: srv.factory, tokens: memoryTokenStore(), random: () => 0 });
  await c.login("alicia", "demo");
  const v = taskView(c, { kind: ViewKind.BOARD });
  await until("the first snapshot", () => v.ready);
  srv.drop();
  await until("the refusal", () => v.error !== undefined);
  assert.equal(v.ready, false);
  srv.drop();
  await until("the resumed view", () => v.ready);
  assert.equal(v.error, undefined, "the old refusal is not shown over a live view");
  v.close();
  c.close();
});

/** Lets the scripted exchange run (microtasks and I/O turns; timers are the test's). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

test("a resume whose replay takes longer than a request's 30 s still becomes live, without an error", async () => {
  let hold = false;
  const srv = scriptedServer((n, f, reply, push) => {
    const subId = f.body.case === "subscribe" ? f.body.value.subId : 0;
    if (n === 1) {
      reply({ case: "subscribed", value: { subId, resumed: false, revision: 5n } as never });
      push({ case: "snapshotDone", value: { subId, revision: 5n } as never });
    } else {
      // Resumed from 5; the replay (a slow network) is still coming when 30 s have passed.
      reply({ case: "subscribed", value: { subId, resumed: true, revision: 9n } as never });
    }
  }, { holdPings: () => hold });
  const c = new ClubClient({ pipe: srv.factory, tokens: memoryTokenStore(), random: () => 0 });
  await c.login("alicia", "demo");
  const v = taskView(c, { kind: ViewKind.BOARD });
  await until("the first snapshot", () => v.ready);
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    hold = true;
    srv.drop();
    mock.timers.tick(2000); // the reconnect's backoff
    await settle();
    assert.equal(srv.held.length, 1, "the resume's ping waits behind the replay");
    mock.timers.tick(60_000);
    await settle();
    assert.equal(v.error, undefined, "no error while the replay is still coming");
    srv.held.shift()!();
    await settle();
    assert.equal(v.ready, true, "live once the replay is in");
    assert.equal(v.revision, 9n);
    assert.equal(v.error, undefined);
  } finally {
    mock.timers.reset();
    v.close();
    c.close();
  }
});

test("a Subscribed that comes after 30 s behind other views' snapshots is still taken", async () => {
  let late: (() => void) | undefined;
  const srv = scriptedServer((n, f, reply, push) => {
    const subId = f.body.case === "subscribe" ? f.body.value.subId : 0;
    if (n === 1) {
      reply({ case: "subscribed", value: { subId, resumed: false, revision: 5n } as never });
      push({ case: "snapshotDone", value: { subId, revision: 5n } as never });
    } else {
      // Queued behind a big catalogue snapshot on a slow link.
      late = () => reply({ case: "subscribed", value: { subId, resumed: true, revision: 6n } as never });
    }
  });
  const c = new ClubClient({ pipe: srv.factory, tokens: memoryTokenStore(), random: () => 0 });
  await c.login("alicia", "demo");
  const v = taskView(c, { kind: ViewKind.BOARD });
  await until("the first snapshot", () => v.ready);
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    srv.drop();
    mock.timers.tick(2000);
    await settle();
    assert.ok(late, "the resume asked");
    mock.timers.tick(60_000);
    await settle();
    assert.equal(v.error, undefined, "no error while the answer is on its way");
    late!();
    await settle();
    assert.equal(v.ready, true);
    assert.equal(v.revision, 6n);
  } finally {
    mock.timers.reset();
    v.close();
    c.close();
  }
});
