// The browser's client library against the real clubcrmd (over the native
// TCP listener, so without a browser): login, live views, an edit conflict,
// idempotent creates, a server killed and restarted, logout.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Colour, ViewKind } from "../../src/gen/clubcrm_pb.js";
import { Api } from "../../src/lib/api.js";
import { ClubClient, memoryTokenStore, type TokenStore } from "../../src/lib/client.js";
import { taskView, type TaskView } from "../../src/lib/live.js";
import { ClubError, Status } from "../../src/lib/status.js";
import { cleanup, startServer, tcpPipe, type Server } from "../support/server.js";
import { until } from "../support/until.js";

let srv: Server;

before(async () => {
  srv = await startServer();
});
after(async () => {
  await cleanup(srv);
});

function client(tokens: TokenStore = memoryTokenStore()): ClubClient {
  return new ClubClient({ pipe: tcpPipe("127.0.0.1", () => srv.tcp.port), tokens, terminalName: "lib test" });
}

const inAnHour = () => BigInt(Math.floor(Date.now() / 1000) + 3600);

async function plainType(api: Api): Promise<bigint> {
  const c = await api.getCatalog();
  const t = c.taskTypes.find((x) => !x.priority && x.active);
  assert.ok(t, "the demo club has an ordinary type");
  return t!.id;
}

async function firstCustomer(api: Api): Promise<bigint> {
  const page = await api.listCustomers("", 5);
  assert.ok(page.customers.length > 0, "the demo club has customers");
  return page.customers[0].id;
}

test("a wrong password is refused and the client stays signed out", async () => {
  const c = client();
  await assert.rejects(c.login("alicia", "wrong"), (e: unknown) =>
    e instanceof ClubError && e.code === Status.UNAUTHENTICATED);
  assert.equal(c.state, "signedOut");
  assert.equal(c.hasToken(), false);
  c.close();
});

test("an unknown server address fails the login with UNAVAILABLE", async () => {
  const c = new ClubClient({ pipe: tcpPipe("127.0.0.1", () => 1) });
  await assert.rejects(c.login("alicia", "demo"), (e: unknown) =>
    e instanceof ClubError && e.code === Status.UNAVAILABLE);
  assert.equal(c.state, "signedOut");
});

test("a take turns a red row yellow in another client's live view", async () => {
  const a = client();
  const b = client();
  await a.login("alicia", "demo");
  await b.login("valentina", "demo");
  const apiA = new Api(a);
  const apiB = new Api(b);
  const types = await apiA.getCatalog();
  const urgentType = types.taskTypes.find((t) => t.priority && t.active);
  assert.ok(urgentType, "the demo club has a priority type");
  const view: TaskView = taskView(b, { kind: ViewKind.URGENT });
  await until("urgent snapshot", () => view.ready);
  const created = await apiA.createTask({
    description: "lib test: urgent call",
    typeId: urgentType!.id,
    customerId: await firstCustomer(apiA),
    plannedAt: BigInt(Math.floor(Date.now() / 1000) + 3600),
  });
  const id = created.row!.task!.id;
  await until("red row in the other client", () => view.rows.get(id)?.colour === Colour.RED);
  await apiA.takeTask(id);
  await until("yellow row in the other client", () => view.rows.get(id)?.colour === Colour.YELLOW);
  assert.ok(view.revision >= created.revision);
  await assert.rejects(apiB.takeTask(id), ClubError); // taken already
  view.close();
  a.close();
  b.close();
});

test("a stale edit is refused with the current row", async () => {
  const a = client();
  await a.login("alicia", "demo");
  const api = new Api(a);
  const r = await api.createTask({ description: "lib test: edit me", customerId: await firstCustomer(api),
    typeId: await plainType(api), plannedAt: inAnHour() });
  const task = r.row!.task!;
  await api.editTask({ id: task.id, baseModRev: task.modRev, description: "theirs" });
  const err = await api.editTask({ id: task.id, baseModRev: task.modRev, description: "mine" })
    .then(() => null, (e: unknown) => e);
  assert.ok(err instanceof ClubError && err.isConflict, `a conflict, got ${err}`);
  assert.equal((err as ClubError).current!.task!.description, "theirs");
  a.close();
});

test("a create retried with the same idempotency key makes one task", async () => {
  const a = client();
  await a.login("alicia", "demo");
  const api = new Api(a);
  const key = new Uint8Array(16).fill(7);
  const customerId = await firstCustomer(api);
  const typeId = await plainType(api);
  const one = await api.createTask({ description: "lib test: once", customerId, typeId, idempotencyKey: key,
    plannedAt: inAnHour() });
  const two = await api.createTask({ description: "lib test: once", customerId, typeId, idempotencyKey: key,
    plannedAt: inAnHour() });
  assert.equal(one.row!.task!.id, two.row!.task!.id);
  a.close();
});

test("operators are refused administration", async () => {
  const a = client();
  await a.login("alicia", "demo");
  await assert.rejects(new Api(a).upsertTag({ tag: { name: "forged", colour: "red" } }), (e: unknown) =>
    e instanceof ClubError && e.code === Status.PERMISSION_DENIED);
  a.close();
});

test("calendar: an agenda exported as iCalendar, a feed path made, another's refused", async () => {
  const a = client();
  try {
    await a.login("alicia", "demo");
    const api = new Api(a);
    const id = (await api.createTask({ description: "lib test: in the calendar", customerId: await firstCustomer(api),
      typeId: await plainType(api), plannedAt: inAnHour(), operatorId: a.operator!.id })).row!.task!.id;
    const x = await api.exportAgenda();
    assert.match(x.ics, /^BEGIN:VCALENDAR\r\n/);
    assert.ok(x.ics.includes(`UID:${id}@club-deportivo-demo`), "the new task is an event");
    assert.ok(x.events >= 1);
    await assert.rejects(api.exportAgenda({ from: 10n, to: 5n }), (e: unknown) =>
      e instanceof ClubError && e.code === Status.INVALID_ARGUMENT);
    const f = await api.rotateFeed();
    assert.match(f.path, /^\/feed\/[A-Za-z0-9_-]{43}\.ics$/);
    assert.equal(f.operatorId, a.operator!.id);
    const other = (await api.getCatalog()).operators.find((o) => o.login === "valentina")!.id;
    await assert.rejects(api.rotateFeed(other), (e: unknown) =>
      e instanceof ClubError && e.code === Status.PERMISSION_DENIED);
  } finally {
    a.close();
  }
});

test("a server killed and restarted: the client reconnects by token and its view catches up", async () => {
  const tokens = memoryTokenStore();
  const a = client(tokens);
  const states: string[] = [];
  a.onState((s) => states.push(s));
  await a.login("alicia", "demo");
  const view = taskView(a, { kind: ViewKind.BOARD });
  await until("board snapshot", () => view.ready);
  const before = view.revision;
  await srv.restart();
  await until("back live", () => a.state === "live", 15000);
  assert.ok(states.includes("reconnecting"), `went through reconnecting: ${states.join(",")}`);
  const b = client();
  await b.login("valentina", "demo");
  const apiB = new Api(b);
  const made = await apiB.createTask({ description: "lib test: after the restart",
    customerId: await firstCustomer(apiB), typeId: await plainType(apiB), plannedAt: inAnHour() });
  const id = made.row!.task!.id;
  await until("the new task in the resumed view", () => view.rows.has(id));
  assert.ok(view.revision > before);
  view.close();
  a.close();
  b.close();
});

test("logout revokes the token: it no longer logs in", async () => {
  const tokens = memoryTokenStore();
  const a = client(tokens);
  await a.login("alicia", "demo");
  const saved = tokens.load();
  assert.ok(saved && saved.token.length > 0, "the server issued a resume token");
  // A reload: a second client with the same token logs in without the password.
  const again = client(memoryTokenStore());
  const copy = memoryTokenStore();
  copy.save(saved!);
  const reloaded = new ClubClient({ pipe: tcpPipe("127.0.0.1", () => srv.tcp.port), tokens: copy });
  const me = await reloaded.resume();
  assert.equal(me?.login, "alicia");
  reloaded.close();
  await a.logout();
  assert.equal(a.state, "signedOut");
  assert.equal(tokens.load(), null);
  const stale = memoryTokenStore();
  stale.save(saved!);
  const c = new ClubClient({ pipe: tcpPipe("127.0.0.1", () => srv.tcp.port), tokens: stale });
  assert.equal(await c.resume(), null);
  assert.equal(stale.load(), null, "a refused token is forgotten");
  again.close();
  c.close();
});
