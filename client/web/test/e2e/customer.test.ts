// The customer's profile and the smaller dialogs in a real browser: a new
// task typed on a PC in another time zone lands at the club's time; a time
// in the daylight-saving gap is refused and a past one warned; the
// profile's tasks are live and filterable; the profile saves; copy keeps
// every tag; tags, close and cancel go through their dialogs.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { loginPage, row, screenshot } from "../support/browser.js";
import { api, browser, cat, customerId, desk, opId, srv, tagId, typeId } from "../support/fixture.js";
import { TaskKind, TaskStatus } from "../../src/gen/clubcrm_pb.js";
import { nextFullHour } from "../../src/ui/dialogs/logic.js";
import { toInputValue } from "../../src/ui/time.js";

const ZONE = "Europe/Madrid"; // the demo club's

desk({ login: "fermin" });

const dlg = (p: Page, kind: string) => p.locator(`dialog.dlg[open][data-dialog="${kind}"]`);

/** A page whose PC clock is in New York, far from the club's Madrid. */
async function newYorkPage(login: string, route: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: "en-GB",
    timezoneId: "America/New_York" });
  return loginPage(ctx, srv, login, "demo", route);
}

test("a new task's planned time is the club's, whatever the PC's zone; gap refused, past warned", async () => {
  const lucia = await customerId("Lucía");
  const page = await newYorkPage("alicia", `customer/${lucia}`);
  await page.locator("[data-customer-name]").waitFor();
  const before = Math.floor(Date.now() / 1000);
  await page.keyboard.press("Alt+n"); // the shortcut opens the new task for this customer
  const d = dlg(page, "create");
  await d.waitFor();
  const after = Math.floor(Date.now() / 1000);
  const planned = d.locator('input[name="planned"]');
  const shown = await planned.inputValue();
  assert.ok([before, after].map((t) => toInputValue(nextFullHour(t, ZONE), ZONE)).includes(shown),
    `default ${shown} is the next full hour in Madrid`);
  assert.match(await d.locator(".picked").innerText(), /Lucía Fernández/);
  assert.match(await d.locator('select[name="operator"] option[value=""]').innerText(), /Alicia/); // her consultant

  await d.locator('select[name="type"]').selectOption(String(typeId("Call")));
  await d.locator('textarea[name="description"]').fill("Ask about the yoga timetable (zone test)");
  // 30/03/2031 02:30 does not exist in Madrid (the clocks go 02:00 -> 03:00).
  await planned.fill("2031-03-30T02:30");
  assert.match(await d.locator("[data-when-msg]").innerText(), /does not exist/);
  await d.locator("[data-save]").click();
  assert.match(await d.locator("[data-dialog-error]").innerText(), /does not exist/);
  await planned.fill("2020-01-01T10:00");
  assert.match(await d.locator("[data-when-msg]").innerText(), /past/);
  await planned.fill("2031-01-15T10:00");
  await d.locator("[data-save]").click();
  await d.waitFor({ state: "detached" });

  const r = page.locator("tr[data-task-id]", { hasText: "Ask about the yoga timetable (zone test)" });
  await r.waitFor();
  assert.match(await r.innerText(), /15\/01 10:00/);
  const id = BigInt((await r.getAttribute("data-task-id"))!);
  const t = (await api.getTask(id, false)).row!;
  assert.equal(Number(t.task!.plannedAt), Date.UTC(2031, 0, 15, 9, 0) / 1000); // 10:00 CET
  assert.equal(t.operatorLogin, "alicia");
  assert.equal(t.task!.kind, TaskKind.TASK);
  await page.context().close();
});

test("the customer's profile: live tasks, filters, a new note, the profile saved", async () => {
  const jorge = await customerId("Jorge");
  const page = await newYorkPage("maribel", `customer/${jorge}`);
  await page.locator("[data-customer-name]").waitFor();
  assert.equal(await page.locator("[data-customer-name]").innerText(), "Jorge Martín");
  const first = await page.locator("tr[data-task-id]").count();
  assert.ok(first >= 1);

  // Created elsewhere (another terminal): it appears without a reload, red when of a priority type.
  const made = await api.createTask({ description: "Complains about the parking (live)", typeId: typeId("Objection"),
    customerId: jorge, plannedAt: BigInt(Math.floor(Date.now() / 1000) + 7200) });
  const id = made.row!.task!.id;
  await row(page, id).waitFor({ timeout: 5000 });
  assert.equal(await row(page, id).getAttribute("data-colour"), "red");
  await api.takeTask(id);
  await page.waitForSelector(`[data-task-id="${id}"][data-colour="yellow"]`, { timeout: 5000 });

  // The focused row stays the same task when a newer one arrives above it.
  await row(page, id).focus();
  const above = await api.createTask({ description: "Arrives above (live)", typeId: typeId("Call"),
    customerId: jorge, plannedAt: BigInt(Math.floor(Date.now() / 1000) + 30 * 86400) });
  await row(page, above.row!.task!.id).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-task-id")), String(id));

  // Filters: text (accents ignored), type, status.
  await page.fill('.filters input[name="text"]', "PARKING");
  await page.waitForFunction(() => document.querySelectorAll("tr[data-task-id]").length === 1);
  await page.fill('.filters input[name="text"]', "");
  await page.selectOption('.filters select[name="type"]', String(typeId("Renewal")));
  await page.waitForFunction(() => document.querySelectorAll("tr[data-task-id]").length === 1);
  assert.match(await page.locator("tr[data-task-id]").innerText(), /Renewal/);
  await page.selectOption('.filters select[name="type"]', "");
  await page.selectOption('.filters select[name="status"]', "notes");
  await page.waitForFunction(() => document.querySelectorAll("tr[data-task-id]").length === 0);

  // A new note for this customer, from the profile's button: it shows under Notes.
  await page.locator('[data-act="new-note"]').click();
  const d = dlg(page, "create");
  await d.waitFor();
  assert.equal(await d.locator('input[name="planned"]').inputValue(), ""); // a note: now by default
  await d.locator('select[name="type"]').selectOption(String(typeId("Call")));
  await d.locator('textarea[name="description"]').fill("Asked for the renewal price by phone");
  await d.locator('input[name="tag"][value="' + tagId("VIP") + '"]').check();
  await d.locator("[data-save]").click();
  await d.waitFor({ state: "detached" });
  const note = page.locator('tr[data-kind="note"]', { hasText: "Asked for the renewal price" });
  await note.waitFor();
  assert.match(await note.innerText(), /VIP/);
  await page.selectOption('.filters select[name="status"]', "");

  // From a task's info to its follow-up (the agenda and the console open info first).
  const renewal = page.locator("tr[data-task-id]", { hasText: "Annual membership renewal" });
  await renewal.locator('[data-act="info"]').click();
  const info = dlg(page, "info");
  await info.locator('textarea[name="description"]').waitFor();
  await info.locator('textarea[name="description"]').fill("Annual membership renewal (edited)");
  await info.locator('[data-switch="follow-up"]').click(); // unsaved changes: refused
  await info.locator("[data-dialog-error]", { hasText: "Save or cancel your changes first" }).waitFor();
  await info.locator('textarea[name="description"]').fill("Annual membership renewal");
  await info.locator('[data-switch="follow-up"]').click();
  const fu = dlg(page, "follow-up");
  await fu.waitFor();
  assert.equal(await fu.getAttribute("data-for-task"), await renewal.getAttribute("data-task-id"));
  await page.keyboard.press("Escape");
  await fu.waitFor({ state: "detached" });

  // The profile, edited and saved.
  await page.locator('[data-act="edit-profile"]').click();
  await page.fill('.profile input[name="phone"]', "+34 600 777 999");
  await page.selectOption('.profile select[name="consultant"]', String(opId("valentina")));
  await page.click('.profile button[type="submit"]');
  await page.locator('[data-field="phone"]', { hasText: "+34 600 777 999" }).waitFor();
  const c = await api.getCustomer(jorge);
  assert.equal(c!.phone, "+34 600 777 999");
  assert.equal(c!.consultantId, opId("valentina"));
  await screenshot(page, "customer-profile");
  await page.context().close();
});

test("copy keeps every tag; tags, close and cancel through their dialogs", async () => {
  const carmen = await customerId("Carmen");
  const page = await newYorkPage("fermin", `customer/${carmen}`);
  const quote = (await api.listTasks({ filter: { customerId: carmen } })).rows.find((r) => r.typeName === "Quote")!;
  const qid = quote.task!.id;
  await row(page, qid).waitFor();

  // Tags: add VIP to the Marketing it has.
  await row(page, qid).locator('[data-act="tags"]').click();
  const tg = dlg(page, "tags");
  await tg.waitFor();
  assert.equal(await tg.locator(`input[name="tag"][value="${tagId("Marketing")}"]`).isChecked(), true);
  // Tags in their colours (set through the CSSOM: the CSP refuses style attributes).
  const bg = (sel: string) => tg.locator(sel).evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(await bg('.chip[data-tag="VIP"]'), "rgb(212, 175, 55)"); // gold
  assert.equal(await bg('.chip[data-tag="Tennis"]'), "rgb(46, 157, 58)"); // green
  await tg.locator(`input[name="tag"][value="${tagId("VIP")}"]`).check();
  await tg.locator("[data-save]").click();
  await tg.waitFor({ state: "detached" });
  await row(page, qid).locator('.chip[data-tag="VIP"]').waitFor();
  assert.equal(await row(page, qid).locator('.chip[data-tag="VIP"]').evaluate((e) => getComputedStyle(e).backgroundColor),
    "rgb(212, 175, 55)");
  assert.deepEqual([...(await api.getTask(qid, false)).row!.task!.tagIds].sort(),
    [tagId("Marketing"), tagId("VIP")].sort());

  // Copy: planned time edited, every tag kept.
  await row(page, qid).locator('[data-act="copy"]').click();
  const cp = dlg(page, "copy");
  await cp.waitFor();
  await cp.locator('input[name="planned"]').fill("2031-05-06T17:45");
  await cp.locator("[data-save]").click();
  await cp.waitFor({ state: "detached" });
  const copies = (await api.listTasks({ filter: { customerId: carmen }, pageSize: 100 })).rows
    .filter((r) => r.typeName === "Quote" && r.task!.id !== qid);
  assert.equal(copies.length, 1);
  const copy = copies[0].task!;
  assert.equal(copy.description, quote.task!.description);
  assert.deepEqual([...copy.tagIds].sort(), [tagId("Marketing"), tagId("VIP")].sort());
  assert.equal(Number(copy.plannedAt), Date.UTC(2031, 4, 6, 15, 45) / 1000); // 17:45 CEST
  await row(page, copy.id).waitFor();

  // Close the copy with a result and a note; cancel the original.
  await row(page, copy.id).locator('[data-act="close"]').click();
  const cl = dlg(page, "close");
  await cl.waitFor();
  await cl.locator('select[name="result"]').selectOption(String(cat.results.find((r) => r.name === "Positive")!.id));
  await cl.locator('textarea[name="note"]').fill("Signed the family plan");
  await cl.locator("[data-save]").click();
  await cl.waitFor({ state: "detached" });
  await page.waitForSelector(`[data-task-id="${copy.id}"][data-status="${TaskStatus.DONE}"]`);

  await row(page, qid).locator('[data-act="cancel"]').click();
  const cn = dlg(page, "cancel");
  await cn.waitFor();
  await cn.locator('textarea[name="note"]').fill("Duplicate of the copy");
  await page.keyboard.press("Control+Enter");
  await cn.waitFor({ state: "detached" });
  await page.waitForSelector(`[data-task-id="${qid}"][data-status="${TaskStatus.CANCELLED}"]`);
  const gone = (await api.getTask(qid, false)).row!.task!;
  assert.equal(gone.status, TaskStatus.CANCELLED);

  // Keys on a focused row: C opens the copy dialog; Esc closes it.
  await row(page, copy.id).focus();
  await page.keyboard.press("c");
  await dlg(page, "copy").waitFor();
  await page.keyboard.press("Escape");
  await dlg(page, "copy").waitFor({ state: "detached" });

  // Esc closes a dialog without saving, and focus returns to the button that opened it.
  const info = row(page, qid).locator('[data-act="info"]');
  await info.click();
  await dlg(page, "info").waitFor();
  await page.keyboard.press("Escape");
  await dlg(page, "info").waitFor({ state: "detached" });
  assert.equal(await info.evaluate((b) => b === document.activeElement), true);
  await page.context().close();
});

test("a page's event prefills the new task (the agenda's empty slot); the customer found as you type", async () => {
  const page = await newYorkPage("deborah", "board/all");
  const at = Date.UTC(2031, 5, 10, 8, 30) / 1000; // 10:30 in Madrid (CEST)
  const valentina = String(opId("valentina"));
  await page.evaluate(([plannedAt, operatorId]) => document.querySelector("main")!.dispatchEvent(
    new CustomEvent("clubcrm-action", { bubbles: true, composed: true,
      detail: { action: "new-task", plannedAt: Number(plannedAt), operatorId } })), [String(at), valentina]);
  const d = dlg(page, "create");
  await d.waitFor();
  assert.equal(await d.locator('input[name="planned"]').inputValue(), "2031-06-10T10:30");
  assert.equal(await d.locator('select[name="operator"]').inputValue(), valentina);
  const search = d.locator('input[name="customerSearch"]');
  assert.equal(await search.evaluate((e) => e === document.activeElement), true); // no customer yet: focus there
  await search.fill("carm");
  await d.locator('.hits button', { hasText: "Carmen Ruiz" }).waitFor();
  await search.press("Enter");
  await d.locator(".picked", { hasText: "Carmen Ruiz" }).waitFor();
  // Another action while a dialog is open never replaces it (what was typed stays).
  await page.evaluate(() => document.querySelector("main")!.dispatchEvent(new CustomEvent("clubcrm-action",
    { bubbles: true, composed: true, detail: { action: "new-note" } })));
  await page.locator(".msg.error", { hasText: "Finish or close the open dialog first" }).waitFor();
  assert.match(await d.locator(".picked").innerText(), /Carmen Ruiz/);
  assert.equal(await page.locator("dialog.dlg").count(), 1);
  await search.fill("zzzz-nobody");
  await d.locator(".hits", { hasText: "No customer matches" }).waitFor();
  await d.locator("[data-save]").click(); // the typed name matches nobody: refused
  assert.match(await d.locator("[data-dialog-error]").innerText(), /Choose a customer/);
  await page.keyboard.press("Escape");
  await d.waitFor({ state: "detached" });
  await page.context().close();
});

test("in Spanish: the manual's words on the profile and in the dialogs", async () => {
  const manolo = await customerId("Manolo");
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: "es-ES" });
  const page = await loginPage(ctx, srv, "deborah", "demo", `customer/${manolo}`);
  await page.locator('[data-act="new-task"]', { hasText: "Nueva tarea" }).waitFor();
  const open = page.locator('tr[data-task-id] [data-act="follow-up"]').first();
  assert.equal((await open.innerText()).trim(), "Seguir");
  await open.click();
  const d = dlg(page, "follow-up");
  await d.waitFor();
  assert.match(await d.locator("#dlg-title").innerText(), /^Seguir/);
  assert.match(await d.locator("fieldset.then").innerText(), /Mantener abierta/);
  await page.keyboard.press("Escape");
  await d.waitFor({ state: "detached" });
  // Another language chosen in the page redraws the profile at once.
  await page.selectOption(".topbar select", "en");
  await page.locator('[data-act="new-task"]', { hasText: "New task" }).waitFor();
  await ctx.close();
});
