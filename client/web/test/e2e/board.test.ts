// The browser desk's board against the real server: the rows as the manual
// shows them, the filter panel, the mine / everyone's switch, the cursor
// that stays on its task when rows arrive above it, the row keys, contacts,
// reminders in the page, and the Spanish labels. Tasks are made by a third
// terminal (the library over TCP, as the admin).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { TaskKind, TaskStatus } from "../../src/gen/clubcrm_pb.js";
import { loginPage, newContext, row, screenshot } from "../support/browser.js";
import { api, browser, client, customerId, desk, opId, resultId, srv, tagId, typeId } from "../support/fixture.js";

const cspErrors: string[] = [];

desk({ login: "fermin" });

const now = () => Math.floor(Date.now() / 1000);

const customer = () => customerId("Arantxa");

async function task(description: string, o: { operator?: string; type?: string; in?: number; tags?: string[] } = {}) {
  const r = await api.createTask({
    description, typeId: typeId(o.type ?? "Call"), customerId: await customer(),
    operatorId: o.operator ? opId(o.operator) : undefined, plannedAt: BigInt(now() + (o.in ?? 3600)),
    tagIds: (o.tags ?? []).map(tagId),
  });
  return r.row!.task!.id;
}

async function open(login: string, route: string, locale = "en-GB"): Promise<Page> {
  const ctx = await newContext(browser, locale);
  const page = await loginPage(ctx, srv, login, "demo", route);
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
  });
  // What the pages ask of the dialogs, for the tests to read.
  await page.evaluate(() => {
    const w = window as unknown as { actions: unknown[] };
    w.actions = [];
    document.addEventListener("clubcrm-action", (e) => {
      const d = (e as CustomEvent).detail;
      w.actions.push({ action: d.action, taskId: d.taskId ? String(d.taskId) : "",
        customerId: d.customerId ? String(d.customerId) : "" });
    });
  });
  return page;
}

/** The dialog a command asked for is open; Esc closes it (the page's keys work again). */
async function answered(page: Page, kind: string): Promise<void> {
  const d = page.locator(`dialog.dlg[open][data-dialog="${kind}"]`);
  await d.waitFor();
  await page.keyboard.press("Escape");
  await d.waitFor({ state: "detached" });
}

function actions(page: Page): Promise<{ action: string; taskId: string; customerId: string }[]> {
  return page.evaluate(() => (window as unknown as { actions: never[] }).actions);
}

function shownIds(page: Page): Promise<string[]> {
  return page.$$eval(".board-scroll [data-task-id]", (els) => els.map((e) => e.getAttribute("data-task-id")!));
}

test("rows show the manual's columns, marks and tag chips; the filter narrows them", async () => {
  const vip = await task("e2e-filter: VIP renewal", { type: "Renewal", tags: ["VIP", "Tennis"] });
  const other = await task("e2e-other: plain call");
  const late = await task("e2e-marks: late call", { in: -3600 });
  const done = await task("e2e-marks: done call");
  await api.closeTask(done, resultId("Positive"));
  const note = (await api.createTask({ kind: TaskKind.NOTE, description: "e2e-marks: a note", typeId: typeId("Call"),
    customerId: await customer() })).row!.task!.id;
  const page = await open("alicia", "board/all");
  await row(page, vip).waitFor();
  await row(page, other).waitFor();
  // Overdue (!), done with a positive result (✔ +), a note (✎).
  assert.equal(await row(page, late).locator("[data-overdue]").innerText(), "!");
  assert.equal(await row(page, other).locator("[data-overdue]").count(), 0);
  assert.equal(await row(page, done).locator(".st").innerText(), "✔");
  assert.equal(await row(page, done).getAttribute("data-status"), String(TaskStatus.DONE));
  assert.equal(await row(page, done).locator(".oc").innerText(), "+");
  assert.equal(await row(page, note).locator("[data-note]").count(), 1);
  const r = row(page, vip);
  assert.equal(await r.getAttribute("data-colour"), "none");
  assert.equal(await r.locator(".c-type").innerText(), "Renewal");
  assert.match(await r.locator(".c-cust").innerText(), /Arantxa/);
  assert.match(await r.locator(".c-who").innerText(), /\(Fermín\)/);
  assert.equal(await r.locator(".st").innerText(), "○");
  assert.deepEqual(await r.locator(".chip").allInnerTexts(), ["VIP", "Tennis"]);
  // The chip's colour is the tag's (gold), set without an inline style attribute.
  const bg = await r.locator('.chip[data-tag="VIP"]').evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(bg, "rgb(212, 175, 55)");

  await page.keyboard.press("/");
  await page.locator("clubcrm-board-filter").waitFor();
  // Its lists follow the catalogue: a tag an admin adds now is offered.
  await api.upsertTag({ tag: { name: "e2e-new-tag", colour: "pink", active: true } });
  await page.locator('clubcrm-board-filter select[name="tagId"] option', { hasText: "e2e-new-tag" }).waitFor({ state: "attached" });
  await page.fill('clubcrm-board-filter input[name="text"]', "e2e-filter");
  await page.click('clubcrm-board-filter button[type="submit"]');
  await page.waitForFunction((id) => {
    const ids = [...document.querySelectorAll(".board-scroll [data-task-id]")].map((e) => e.getAttribute("data-task-id"));
    return ids.length === 1 && ids[0] === id;
  }, String(vip));
  // By tag and type too; by a customer's name.
  await page.click('clubcrm-board-filter button[type="button"]'); // clear
  await row(page, other).waitFor();
  await page.selectOption('clubcrm-board-filter select[name="tagId"]', String(tagId("VIP")));
  await page.fill('clubcrm-board-filter input[name="customer"]', "arantxa");
  await page.click('clubcrm-board-filter button[type="submit"]');
  await page.waitForFunction(([v, o]) =>
    document.querySelector(`[data-task-id="${v}"]`) !== null && document.querySelector(`[data-task-id="${o}"]`) === null,
  [String(vip), String(other)] as const);
  for (const id of await shownIds(page)) assert.notEqual(id, String(other));

  // Refused, with a message, and the board left as it was.
  await page.fill('clubcrm-board-filter input[name="plannedFrom"]', "2026-12-10");
  await page.fill('clubcrm-board-filter input[name="plannedTo"]', "2026-12-01");
  await page.click('clubcrm-board-filter button[type="submit"]');
  assert.match(await page.locator(".board-filter-error").innerText(), /Planned: the end is before the start/);
  await page.fill('clubcrm-board-filter input[name="plannedFrom"]', "");
  await page.fill('clubcrm-board-filter input[name="plannedTo"]', "");
  await page.fill('clubcrm-board-filter input[name="customer"]', "nobody at all");
  await page.click('clubcrm-board-filter button[type="submit"]');
  assert.match(await page.locator(".board-filter-error").innerText(), /No customer is called 'nobody at all'/);
  assert.ok((await shownIds(page)).includes(String(vip)));

  await page.click('clubcrm-board-filter button[type="button"]'); // clear
  await row(page, other).waitFor();
  await row(page, vip).click();
  await screenshot(page, "board");
  await page.context().close();
});

test("urgent shows mine by default, everyone's at the switch (a)", async () => {
  const hers = await task("e2e-urgent: alicia's objection", { type: "Objection", operator: "alicia" });
  const mine = await task("e2e-urgent: valentina's objection", { type: "Objection", operator: "valentina" });
  const page = await open("valentina", "board/urgent");
  await row(page, mine).waitFor();
  assert.equal(await row(page, mine).getAttribute("data-colour"), "red");
  assert.equal(await row(page, hers).count(), 0);
  assert.equal(await page.locator('[data-scope="mine"]').getAttribute("aria-pressed"), "true");

  await page.click('[data-scope="all"]');
  await row(page, hers).waitFor();
  await row(page, hers).click({ button: "right" });
  await screenshot(page, "board-urgent-menu");
  await page.keyboard.press("Escape");
  assert.ok(page.url().endsWith("#/board/urgent/all"));
  assert.equal(await row(page, hers).getAttribute("data-colour"), "red");

  await page.locator(".board-scroll").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("a");
  await row(page, hers).waitFor({ state: "detached" });
  assert.ok(page.url().endsWith("#/board/urgent"));
  await row(page, mine).waitFor();

  // 1..5 are the quick buttons.
  await page.keyboard.press("2");
  await page.keyboard.press("4");
  await page.waitForFunction(() => location.hash === "#/board/prep");
  await page.keyboard.press("F5");
  await page.waitForFunction(() => location.hash === "#/board/overdue");
  await page.context().close();
});

test("the cursor stays on its task, in its place, when rows arrive above it; row keys", async () => {
  // Enough rows that the board scrolls.
  const base = now() + 5 * 86400;
  const cust = await customer();
  const fill = await Promise.all(Array.from({ length: 40 }, (_, i) => api.createTask({
    description: `e2e-cursor row ${i}`, typeId: typeId("Call"), customerId: cust, operatorId: opId("alicia"),
    plannedAt: BigInt(base + i * 600),
  })));
  const target = fill[5].row!.task!.id;
  const page = await open("alicia", "board/all");
  await row(page, target).waitFor();
  await row(page, target).scrollIntoViewIfNeeded();
  await row(page, target).click();
  assert.equal(await row(page, target).getAttribute("aria-selected"), "true");
  const before = (await row(page, target).boundingBox())!.y;
  const countBefore = Number(await page.locator(".board-count").getAttribute("data-count"));

  // Three tasks planned before it, from another terminal.
  const above = await Promise.all([1, 2, 3].map((i) => task(`e2e-cursor above ${i}`, { in: 5 * 86400 - i * 60 })));
  await page.waitForFunction((n) =>
    Number(document.querySelector(".board-count")!.getAttribute("data-count")) === n, countBefore + 3);
  await page.waitForFunction(([t, y]) => {
    const el = document.querySelector(`[data-task-id="${t}"]`);
    return el && Math.abs(el.getBoundingClientRect().y - Number(y)) < 1;
  }, [String(target), String(before)] as const, { timeout: 5000 });
  assert.equal(await row(page, target).getAttribute("aria-selected"), "true");
  assert.ok(Math.abs((await row(page, target).boundingBox())!.y - before) < 1, "the cursor's row did not move");

  // The keys: down moves the cursor; f, c, g, x ask the dialogs; t takes.
  await page.keyboard.press("ArrowDown");
  const next = fill[6].row!.task!.id;
  assert.equal(await row(page, next).getAttribute("aria-selected"), "true");
  // The dialogs (<clubcrm-dialogs>) answer: each one opens, and Esc closes it.
  await page.keyboard.press("f");
  await answered(page, "follow-up");
  await page.keyboard.press("Enter");
  await answered(page, "info");
  await page.keyboard.press("n");
  await answered(page, "create");
  const asked = await actions(page);
  assert.deepEqual(asked.map((a) => [a.action, a.taskId]),
    [["follow-up", String(next)], ["info", String(next)], ["new-task", ""]]);
  await page.keyboard.press("t");
  await page.waitForFunction((id) =>
    /taken by Alicia/.test(document.querySelector(`[data-task-id="${id}"]`)?.textContent ?? ""), String(next));
  assert.equal(await row(page, next).getAttribute("data-colour"), "none", "an ordinary task does not turn yellow");
  await page.keyboard.press("t"); // hers: released
  await page.waitForFunction((id) =>
    !/taken by/.test(document.querySelector(`[data-task-id="${id}"]`)?.textContent ?? "x"), String(next));

  // The context menu holds the same commands.
  await row(page, target).click({ button: "right" });
  await page.click('.board-menu [data-action="copy"]');
  assert.deepEqual((await actions(page)).at(-1), { action: "copy", taskId: String(target), customerId: String(cust) });
  assert.equal(await page.locator(".board-menu").count(), 0);
  await answered(page, "copy");
  // And from the keyboard: Shift+F10, arrows, Enter.
  await page.keyboard.press("Shift+F10");
  await page.locator(".board-menu button:focus").waitFor();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  assert.deepEqual((await actions(page)).at(-1), { action: "follow-up", taskId: String(target),
    customerId: String(cust) });
  assert.equal(await page.locator(".board-menu").count(), 0);
  await answered(page, "follow-up");

  // A header click orders by creation, newest first on a second click.
  await page.click('[data-sort="created"]');
  await page.click('[data-sort="created"]');
  await page.locator(".board-scroll").evaluate((e) => (e.scrollTop = 0));
  await page.waitForFunction((id) =>
    document.querySelector(".board-scroll [data-task-id]")?.getAttribute("data-task-id") === id,
  String(above.reduce((a, b) => (a > b ? a : b))));
  // p: the cursor's customer's profile, a page of its own.
  await page.locator(".board-scroll [data-task-id]").first().click();
  await page.keyboard.press("p");
  const asked2 = (await actions(page)).at(-1)!;
  assert.equal(asked2.action, "customer");
  assert.ok(asked2.customerId);
  await page.waitForFunction((c) => location.hash === `#/customer/${c}`, asked2.customerId);
  await page.context().close();
});

test("a due task reminds its operator in the page until dismissed", async () => {
  const page = await open("alicia", "board/all");
  // The user allowed desktop notifications: one goes out too (recorded here).
  await page.evaluate(() => {
    const w = window as unknown as { shown: string[]; Notification: unknown };
    w.shown = [];
    w.Notification = class {
      static permission = "granted";
      onclick: (() => void) | null = null;
      constructor(title: string, o: { body: string }) {
        w.shown.push(`${title} | ${o.body}`);
      }
    };
  });
  // The server's clock ticks once a second and reminds of the tasks whose
  // time passed since the last tick: planned 3 s ahead (so that the task
  // exists before its time, even on a slow machine), it falls due soon.
  const id = await task("e2e-reminder: call back now", { operator: "alicia", in: 3 });
  const toast = page.locator(`[data-reminder-task-id="${id}"]`);
  await toast.waitFor({ timeout: 15000 });
  assert.match(await toast.innerText(), /Reminder.*Call.*Arantxa.*e2e-reminder: call back now/s);
  await page.waitForTimeout(300);
  assert.equal(await toast.count(), 1, "it stays");
  const shown = await page.evaluate(() => (window as unknown as { shown: string[] }).shown);
  assert.equal(shown.length, 1);
  assert.match(shown[0], /^Reminder: Call \| .*e2e-reminder: call back now/);
  await toast.locator("button.primary").click();
  await toast.waitFor({ state: "detached" });
  assert.deepEqual((await actions(page)).at(-1)?.action, "info");
  assert.equal((await actions(page)).at(-1)?.taskId, String(id));
  await page.context().close();
});

test("contacts: search, a new contact, the profile", async () => {
  const page = await open("deborah", "board/contacts");
  await page.locator("[data-customer-id]").first().waitFor();
  await page.fill(".contacts-search input", "zubiz");
  await page.waitForFunction(() => document.querySelectorAll("[data-customer-id]").length === 1);
  assert.match(await page.locator("[data-customer-id]").innerText(), /Iñaki Zubizarreta/);

  await page.fill(".contacts-search input", "");
  await screenshot(page, "board-contacts");
  await page.click('[data-action="new-contact"]');
  await page.click('.contact-form button[type="submit"]');
  await page.fill('.contact-form input[name="name"]', "Zoe E2E Contact");
  await page.fill('.contact-form input[name="phone"]', "+34 600 000 001");
  await page.click('.contact-form button[type="submit"]');
  const made = page.locator('[data-customer-id][aria-selected="true"]');
  await made.waitFor();
  assert.match(await made.innerText(), /Zoe E2E Contact/);
  assert.match(await made.innerText(), /Deborah/);
  await page.locator(".contacts-search input").blur();
  await page.keyboard.press("Enter");
  const last = (await actions(page)).at(-1)!;
  assert.equal(last.action, "customer");
  const c = (await api.listCustomers("Zoe E2E", 5)).customers;
  assert.equal(c.length, 1);
  assert.equal(last.customerId, String(c[0].id));
  // The profile opens (a page of its own); back to the contacts, Zoe chosen again.
  await page.locator("[data-customer-name]", { hasText: "Zoe E2E Contact" }).waitFor();
  await page.goBack();
  await page.click(`[data-customer-id="${c[0].id}"]`);
  await page.click('.board-bar [data-action="new-task"]');
  assert.deepEqual((await actions(page)).at(-1), { action: "new-task", taskId: "", customerId: String(c[0].id) });
  await page.context().close();
});

test("the server killed and restarted: the board catches up without a reload, the cursor kept", async () => {
  const page = await open("maribel", "board/all");
  const kept = await task("e2e-restart: selected before");
  await row(page, kept).waitFor();
  await row(page, kept).click();
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await srv.restart();
  const t0 = Date.now();
  while (client.state !== "live") {
    assert.ok(Date.now() - t0 < 20000, "the admin's terminal came back");
    await new Promise((r) => setTimeout(r, 50));
  }
  const after = await task("e2e-restart: made after");
  await row(page, after).waitFor({ timeout: 20000 });
  assert.equal(await page.evaluate(() => (window as unknown as { marker: number }).marker), 42, "no reload");
  assert.equal(await row(page, kept).getAttribute("aria-selected"), "true");
  await page.context().close();
});

test("a 10-inch tablet, upright: no sideways scrolling, touch-sized buttons, the board fills the screen", async () => {
  const ctx = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: "en-GB", hasTouch: true });
  const page = await loginPage(ctx, srv, "valentina", "demo", "board/all");
  await page.locator(".board-scroll [data-task-id]").first().waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    "the page does not scroll sideways");
  for (const h of await page.$$eval(".board-actions button, .board-bar button", (bs) =>
    bs.map((b) => b.getBoundingClientRect().height))) assert.ok(h >= 34, `a button ${h} px high`);
  const list = (await page.locator(".board-scroll").boundingBox())!;
  assert.ok(list.y + list.height > 1280 - 40 && list.y + list.height <= 1280, "the list reaches the bottom");
  await page.locator(".board-scroll [data-task-id]").first().tap();
  assert.equal(await page.locator('.board-scroll [aria-selected="true"]').count(), 1);
  await screenshot(page, "board-tablet");
  await ctx.close();
});

test("a browser in Spanish shows the manual's words", async () => {
  const page = await open("alicia", "board/prep", "es-ES");
  const nav = await page.locator(".topbar nav").innerText();
  for (const w of ["Urgentes", "En preparación", "Contactos", "Todas las tareas"]) assert.ok(nav.includes(w), w);
  assert.match(await page.locator(".board-bar h2").innerText(), /En preparación/);
  assert.equal(await page.locator('[data-scope="mine"]').innerText(), "Mías");
  assert.match(await page.locator(".board-head").innerText(), /Planificada/);
  // Chosen in the page, the language applies at once.
  await page.selectOption(".topbar select", "en");
  await page.waitForFunction(() => /In preparation/.test(document.querySelector(".board-bar h2")?.textContent ?? ""));
  assert.equal(await page.locator('[data-scope="mine"]').innerText(), "Mine");
  await page.context().close();
  assert.deepEqual(cspErrors, [], "no CSP violation on any page");
});
