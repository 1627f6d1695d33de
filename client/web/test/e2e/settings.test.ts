// The administrator's settings screens in a real browser against the real
// server: a tag recoloured live everywhere, a task type created with a
// follow-on, an operator's password reset (and used), the club's language
// switching a fresh browser to Spanish; an operator sees none of it and a
// settings request forged on an operator's own WebSocket is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import type { Page } from "playwright-core";
import {
  ClientKind, type Frame, FrameSchema, Outcome, TaskStatus, HelloSchema, LoginSchema, SettingsSchema, TagSchema, UpdateSettingsSchema,
  UpsertTagSchema,
} from "../../src/gen/clubcrm_pb.js";
import { WS_PROTOCOL } from "../../src/lib/pipe.js";
import { Status } from "../../src/lib/status.js";
import { FrameReader, encodeFrame, preface } from "../../src/lib/wire.js";
import { deskUrl, loginPage, newContext, row, screenshot } from "../support/browser.js";
import { api, browser, desk, srv } from "../support/fixture.js";

desk({ login: "fermin" });

async function settingsPage(section: string, login = "fermin", password = "demo"): Promise<Page> {
  const page = await loginPage(await newContext(browser), srv, login, password, `settings/${section}`);
  await page.waitForSelector(`section.settings[data-section="${section}"]`);
  return page;
}

/** Submits a form, with the messages of earlier saves cleared first. */
async function submit(page: Page, form: string): Promise<void> {
  await page.$$eval(".messages .msg button", (bs) => bs.forEach((b) => (b as HTMLButtonElement).click()));
  await page.click(`${form} button[type="submit"]`);
}

/** Waits until the form's inline refusal says `want` (an earlier one may still show meanwhile). */
async function refused(page: Page, want: string | RegExp): Promise<void> {
  const el = page.locator("[data-form-error]");
  const deadline = Date.now() + 10000;
  let got = "";
  for (;;) {
    got = (await el.count()) ? ((await el.first().textContent()) ?? "").trim() : "";
    if (typeof want === "string" ? got === want : want.test(got)) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`the form says ${JSON.stringify(got)}, not ${want}`);
}

/** Waits for the page's "Saved" message, then checks no refusal shows. */
async function saved(page: Page): Promise<void> {
  await page.locator(".msg.info", { hasText: /Saved|Guardado/ }).first().waitFor({ timeout: 10000 });
  assert.equal(await page.locator("[data-form-error]").count(), 0);
}

test("an admin recolours a tag: the chip changes live on other pages", async (t) => {
  const cat = await api.getCatalog();
  const tag = cat.tags.find((x) => x.active && x.name !== "deleted")!;
  const type = cat.taskTypes.find((x) => x.active)!;
  const customer = (await api.listCustomers("", 1)).customers[0];
  const made = await api.createTask({
    description: "e2e: tagged for the chip", typeId: type.id, customerId: customer.id, tagIds: [tag.id],
    plannedAt: BigInt(Math.floor(Date.now() / 1000) + 3 * 3600),
  });
  const id = made.row!.task!.id;

  const page = await settingsPage("tags");
  const watcher = await settingsPage("tags");
  const board = await loginPage(await newContext(browser), srv, "alicia", "demo", "board/all");
  await row(board, id).first().waitFor({ timeout: 10000 });

  const colour = tag.colour.toLowerCase() === "purple" ? "cyan" : "purple";
  const css = colour === "purple" ? "rgb(123, 63, 176)" : "rgb(0, 176, 192)";
  await page.click(`[data-edit="${tag.id}"]`);
  // A colour outside the palette is refused with the server's words, and nothing is sent.
  const rev = (await api.getCatalog()).revision;
  await page.fill('[data-form="tags"] input[name="customColour"]', "#12345");
  await submit(page, '[data-form="tags"]');
  await refused(page, /colour '#12345' is not a colour: use black, blue/);
  assert.equal((await api.getCatalog()).revision, rev);

  await page.fill('[data-form="tags"] input[name="customColour"]', "");
  await page.check(`[data-form="tags"] input[name="colour"][value="${colour}"]`);
  await submit(page, '[data-form="tags"]');
  await saved(page);
  assert.equal((await api.getCatalog()).tags.find((x) => x.id === tag.id)?.colour, colour);

  // Another admin's page shows the new chip without a reload.
  const chip = watcher.locator(`tr[data-entry-id="${tag.id}"] .chip`);
  await watcher.waitForSelector(`tr[data-entry-id="${tag.id}"] .chip[data-colour="${colour}"]`, { timeout: 10000 });
  assert.equal(await chip.evaluate((el) => getComputedStyle(el).backgroundColor), css);

  // The board of another browser: the row's chip (an element reading the
  // tag's name, or one around it inside the row) takes the new colour.
  const chipColours = () => board.evaluate(([sel, name]) => {
    const out: string[] = [];
    for (const r of document.querySelectorAll(sel))
      for (const el of r.querySelectorAll("*")) {
        if (el.textContent?.trim() !== name) continue;
        for (let e: Element | null = el; e && e !== r; e = e.parentElement) out.push(getComputedStyle(e).backgroundColor);
      }
    return out;
  }, [`[data-task-id="${id}"]`, tag.name] as const);
  if ((await chipColours()).length === 0) {
    // The foundation's minimal board draws no tags (the board page will).
    t.diagnostic("the board shows no tag chips yet: the board's chip not checked");
  } else {
    const deadline = Date.now() + 10000;
    while (!(await chipColours()).includes(css) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok((await chipColours()).includes(css), `the board's chip is not ${css}: ${await chipColours()}`);
  }
  await screenshot(page, "settings");
  for (const p of [page, watcher, board]) await p.context().close();
});

test("an admin creates a priority task type with a follow-on", async () => {
  const page = await settingsPage("types");
  const call = (await api.getCatalog()).taskTypes.find((t) => t.active && !t.priority)!;
  await page.click("[data-new]");
  const form = '[data-form="types"]';
  // A name taken in any letter case is refused before sending, in the server's words.
  await page.fill(`${form} input[name="name"]`, call.name.toUpperCase());
  await submit(page, form);
  await refused(page, `a task type named ${call.name.toUpperCase()} already exists`);

  await page.fill(`${form} input[name="name"]`, "Trial visit");
  await page.check(`${form} input[name="priority"]`);
  await page.click(`${form} [data-add-follow-on]`);
  // A follow-on without a type: refused.
  await submit(page, form);
  await refused(page, "a follow-on needs a type");
  await page.selectOption(`${form} select[name="fo-type"]`, String(call.id));
  await page.fill(`${form} input[name="fo-delay"]`, "4320");
  await page.fill(`${form} input[name="fo-text"]`, "How was the trial?");
  await submit(page, form);
  await saved(page);
  await page.waitForSelector('tr[data-name="Trial visit"]');
  const made = (await api.getCatalog()).taskTypes.find((t) => t.name === "Trial visit");
  assert.ok(made, "the type is in the catalogue");
  assert.equal(made.priority, true);
  assert.equal(made.active, true);
  assert.equal(made.followOns.length, 1);
  assert.equal(made.followOns[0].typeId, call.id);
  assert.equal(made.followOns[0].delayMinutes, 4320);
  assert.equal(made.followOns[0].description, "How was the trial?");
  await page.context().close();
});

test("an admin resets an operator's password, and the operator logs in with the new one", async () => {
  const page = await settingsPage("operators");
  const cat = await api.getCatalog();
  const maribel = cat.operators.find((o) => o.login === "maribel")!;
  const fermin = cat.operators.find((o) => o.login === "fermin")!;
  const form = '[data-form="operators"]';

  // Deactivating oneself: refused with the server's words.
  await page.click(`[data-edit="${fermin.id}"]`);
  await page.uncheck(`${form} input[name="active"]`);
  await submit(page, form);
  await refused(page, "you cannot deactivate yourself");

  await page.click(`[data-edit="${maribel.id}"]`);
  await page.fill(`${form} input[name="password"]`, "newpass1");
  await page.fill(`${form} input[name="passwordConfirm"]`, "newpass2");
  await submit(page, form);
  await refused(page, "the two passwords differ");
  await page.fill(`${form} input[name="password"]`, "new");
  await page.fill(`${form} input[name="passwordConfirm"]`, "new");
  await submit(page, form);
  await refused(page, "password must be 4 to 128 bytes");
  await page.fill(`${form} input[name="password"]`, "newpass1");
  await page.fill(`${form} input[name="passwordConfirm"]`, "newpass1");
  await submit(page, form);
  await saved(page);
  assert.equal(await page.inputValue(`${form} input[name="password"]`), "", "the password is not kept in the form");

  // The old password no longer works; the new one does.
  const ctx = await newContext(browser);
  const p = await ctx.newPage();
  await p.goto(deskUrl(srv));
  await p.fill('input[name="login"]', "maribel");
  await p.fill('input[name="password"]', "demo");
  await p.click('button[type="submit"]');
  await p.locator(".login .error").waitFor({ timeout: 10000 });
  await p.fill('input[name="password"]', "newpass1");
  await p.click('button[type="submit"]');
  await p.waitForSelector('[data-login="maribel"]', { timeout: 10000 });
  await ctx.close();
  await page.context().close();
});

test("results and teams: a new result leading to Done, a team deactivated (kept, marked)", async () => {
  const page = await settingsPage("results");
  await page.click("[data-new]");
  const form = '[data-form="results"]';
  await page.fill(`${form} input[name="name"]`, "Quote accepted");
  await page.selectOption(`${form} select[name="leadsTo"]`, String(TaskStatus.DONE));
  await page.selectOption(`${form} select[name="outcome"]`, String(Outcome.POSITIVE));
  await submit(page, form);
  await saved(page);
  await page.waitForSelector('tr[data-name="Quote accepted"]');
  const r = (await api.getCatalog()).results.find((x) => x.name === "Quote accepted");
  assert.ok(r);
  assert.equal(r.leadsTo, TaskStatus.DONE);
  assert.equal(r.outcome, Outcome.POSITIVE);
  assert.equal(r.active, true);

  await page.click('[data-settings-tab="teams"]');
  await page.waitForSelector('section.settings[data-section="teams"] tr[data-entry-id]');
  const team = (await api.getCatalog()).teams.find((x) => x.active)!;
  await page.click(`[data-edit="${team.id}"]`);
  await page.uncheck('[data-form="teams"] input[name="active"]');
  await submit(page, '[data-form="teams"]');
  await saved(page);
  await page.waitForSelector(`tr[data-entry-id="${team.id}"].inactive`);
  const after = (await api.getCatalog(true)).teams.find((x) => x.id === team.id);
  assert.equal(after?.active, false);
  assert.equal(after?.name, team.name, "deactivated, not deleted");
  await api.upsertTeam({ team: { id: team.id, active: true } });
  await page.waitForSelector(`tr[data-entry-id="${team.id}"]:not(.inactive)`);
  await page.context().close();
});

test("a refusal only the server makes is shown with its message, and nothing changes", async () => {
  // The server allows an operator at most 32 teams; the form leaves that
  // bound to it. A club with 34 teams, all ticked for Alicia:
  const made = await Promise.all(Array.from({ length: 32 }, (_, i) =>
    api.upsertTeam({ team: { name: `Shift ${i + 1}` } })));
  assert.equal(made.length, 32);
  const page = await settingsPage("operators");
  const alicia = (await api.getCatalog()).operators.find((o) => o.login === "alicia")!;
  await page.click(`[data-edit="${alicia.id}"]`);
  const form = '[data-form="operators"]';
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length >= 34,
    `${form} input[name="team"]`, { timeout: 10000 });
  await page.$$eval(`${form} input[name="team"]`, (boxes) => boxes.forEach((b) => ((b as HTMLInputElement).checked = true)));
  const rev = (await api.getCatalog()).revision;
  await submit(page, form);
  await refused(page, "Not saved: at most 32 teams per operator");
  assert.equal((await api.getCatalog()).revision, rev);
  await page.context().close();
});

test("an operator sees no settings, and a forged settings request is refused", async () => {
  const page = await loginPage(await newContext(browser), srv, "alicia", "demo", "board/all");
  assert.equal(await page.locator('[data-nav^="settings"]').count(), 0, "no Settings in the nav");
  await page.evaluate(() => (location.hash = "#/settings/tags"));
  await page.waitForFunction(() => location.hash === "#/settings/tags");
  await page.waitForSelector("main > p.empty");
  assert.equal(await page.locator("clubcrm-settings, section.settings").count(), 0, "a typed URL shows nothing");

  // The operator's page opens its own WebSocket (its Origin passes) and
  // sends admin requests built by hand.
  const before = await api.getCatalog();
  const ws = await forgeSocket(page);
  await ws.send({ case: "hello", value: create(HelloSchema, { clientKind: ClientKind.WEB }) }, 1n);
  assert.equal((await ws.answer(1n)).body.case, "welcome");
  await ws.send({ case: "login", value: create(LoginSchema, { login: "alicia", password: "demo" }) }, 2n);
  assert.equal((await ws.answer(2n)).body.case, "loginOk");
  await ws.send({
    case: "upsertTag", value: create(UpsertTagSchema, { tag: create(TagSchema, { name: "Forged", colour: "red" }) }),
  }, 3n);
  await ws.send({
    case: "updateSettings",
    value: create(UpdateSettingsSchema, { settings: create(SettingsSchema, { clubName: "Forged", language: "es" }) }),
  }, 4n);
  for (const id of [3n, 4n]) {
    const a = await ws.answer(id);
    assert.equal(a.body.case, "error");
    if (a.body.case === "error") assert.equal(a.body.value.code, Status.PERMISSION_DENIED);
  }
  const now = await api.getCatalog();
  assert.equal(now.revision, before.revision, "nothing was written");
  assert.equal(now.tags.some((t) => t.name === "Forged"), false);
  assert.equal(now.settings?.clubName, before.settings?.clubName);
  await page.context().close();
});

test("the club's language speaks Spanish to a browser that never chose one", async () => {
  const page = await settingsPage("club");
  const was = (await api.getCatalog()).settings!;
  await page.selectOption('[data-form="club"] select[name="language"]', "es");
  await submit(page, '[data-form="club"]');
  await saved(page);
  const now = (await api.getCatalog()).settings!;
  assert.equal(now.language, "es");
  // The form sends every field: the others come back as they were.
  for (const k of ["clubName", "timeZone", "defaultStatus", "defaultTaskResultId", "defaultNoteResultId",
    "slotMinutes", "dayStartMinute", "dayEndMinute", "escalationMinutes"] as const)
    assert.equal(now[k], was[k], k);
  assert.equal(now.sessionHours, was.sessionHours || 12);
  // The admin's own page, which never chose either, follows at once.
  await page.waitForSelector('[data-settings-tab="tags"]:text("Etiquetas")', { timeout: 10000 });

  const fresh = await loginPage(await newContext(browser, "en-GB"), srv, "alicia", "demo", "board/urgent");
  await fresh.waitForSelector('[data-nav="board/urgent"]:text("Urgentes")', { timeout: 10000 });
  assert.equal(await fresh.evaluate(() => document.documentElement.lang), "es");
  // A choice made on the page wins over the club's, also after a reload.
  await fresh.selectOption(".topbar select", "en");
  await fresh.waitForSelector('[data-nav="board/urgent"]:text("Urgent")');
  await fresh.reload();
  await fresh.waitForSelector('[data-nav="board/urgent"]:text("Urgent")', { timeout: 10000 });

  // Refused values keep the server's words; "each browser's own" clears it.
  await page.selectOption('[data-form="club"] select[name="language"]', "");
  await page.fill('[data-form="club"] input[name="slotMinutes"]', "3");
  await submit(page, '[data-form="club"]');
  await refused(page, "la franja debe ser de 5 a 240 minutos");
  await page.fill('[data-form="club"] input[name="slotMinutes"]', "30");
  await submit(page, '[data-form="club"]');
  await saved(page);
  assert.equal((await api.getCatalog()).settings?.language, "");
  await page.waitForSelector('[data-settings-tab="tags"]:text("Tags")', { timeout: 10000 });
  for (const p of [page, fresh]) await p.context().close();
});

/** A WebSocket opened by the page itself, fed with frames built here. */
async function forgeSocket(page: Page) {
  await page.evaluate(async (proto) => {
    const ws = new WebSocket(`ws://${location.host}/ws`, proto);
    ws.binaryType = "arraybuffer";
    const got: number[][] = [];
    ws.onmessage = (m) => got.push([...new Uint8Array(m.data as ArrayBuffer)]);
    await new Promise((ok, fail) => {
      ws.onopen = ok;
      ws.onerror = () => fail(new Error("the WebSocket did not open"));
    });
    (window as unknown as { forged: unknown }).forged = { ws, got };
  }, WS_PROTOCOL);
  const reader = new FrameReader();
  const frames: Frame[] = [];
  const sendBytes = (b: Uint8Array) => page.evaluate((bytes) =>
    (window as unknown as { forged: { ws: WebSocket } }).forged.ws.send(new Uint8Array(bytes)), [...b]);
  await sendBytes(preface());
  return {
    send: (body: Frame["body"], requestId: bigint) => sendBytes(encodeFrame(create(FrameSchema, { requestId, body }))),
    async answer(requestId: bigint): Promise<Frame> {
      const deadline = Date.now() + 10000;
      for (;;) {
        const i = frames.findIndex((f) => f.requestId === requestId);
        if (i >= 0) return frames.splice(i, 1)[0];
        if (Date.now() > deadline) throw new Error(`no answer to request ${requestId}`);
        const chunks = await page.evaluate(() =>
          (window as unknown as { forged: { got: number[][] } }).forged.got.splice(0));
        for (const c of chunks) frames.push(...reader.push(new Uint8Array(c)));
        if (!chunks.length) await new Promise((r) => setTimeout(r, 30));
      }
    },
  };
}
