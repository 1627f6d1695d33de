// Repeating tasks in the browser against a real clubcrmd: a weekly task
// for 3 times created through the new-task form, marked ↻ on the board and
// the customer's profile; closing the occurrence makes the server create
// the next one (2 left); the info dialog shows the repetition and stops it.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { api, browser, cat, desk, srv } from "../support/fixture.js";
import { loginPage, newContext, row, screenshot } from "../support/browser.js";
import { Recurrence, TaskStatus } from "../../src/gen/clubcrm_pb.js";

desk({ login: "fermin" });

const dlg = (p: Page, kind: string) => p.locator(`dialog.dlg[open][data-dialog="${kind}"]`);
const typeId = (name: string) => String(cat.taskTypes.find((x) => x.name === name)!.id);

test("a weekly task for 3 times: made in the form, marked, closed into the next, stopped by edit", async () => {
  const lucia = (await api.listCustomers("Lucía", 5)).customers[0].id;
  const page = await loginPage(await newContext(browser), srv, "alicia", "demo", `customer/${lucia}`);
  await page.locator("[data-customer-name]").waitFor();
  await page.keyboard.press("Alt+n");
  const d = dlg(page, "create");
  await d.waitFor();
  await d.locator('select[name="type"]').selectOption(typeId("Call"));
  await d.locator('textarea[name="description"]').fill("Weekly call about the padel league (repeat test)");
  await d.locator('input[name="planned"]').fill("2031-01-15T10:00");
  await d.locator('select[name="repeat"]').selectOption("weekly");
  // Both ends given: the one picked last counts (typing a count picks "N times").
  await d.locator('input[name="repeatUntil"]').fill("2031-03-01");
  await d.locator('input[name="repeatCount"]').fill("0");
  await d.locator("[data-save]").click();
  assert.match(await d.locator("[data-dialog-error]").innerText(), /1 to 1000/);
  await d.locator('input[name="repeatCount"]').fill("3");
  assert.equal(await d.locator('input[name="repeatEnd"][value="count"]').isChecked(), true);
  await screenshot(page, "dialog-repeat");
  await d.locator("[data-save]").click();
  await d.waitFor({ state: "detached" });

  const r = page.locator("tr[data-task-id]", { hasText: "Weekly call about the padel league" });
  await r.waitFor();
  const id = BigInt((await r.getAttribute("data-task-id"))!);
  const t = (await api.getTask(id, false)).row!.task!;
  assert.equal(t.recurrence, Recurrence.WEEKLY);
  assert.equal(t.repeatCount, 3);
  assert.equal(t.repeatUntil, 0n);
  const mark = r.locator(".rep-mark");
  assert.equal(await mark.getAttribute("data-repeat"), "weekly");
  assert.equal(await mark.getAttribute("title"), "Repeats weekly, 3 times left (this one included)");

  // The board marks it too.
  await page.goto(page.url().replace(/#.*$/, "#/board/all"));
  await row(page, id).waitFor();
  assert.equal(await row(page, id).locator(".rep-mark").getAttribute("data-repeat"), "weekly");

  // Closing the occurrence: the server plans the next one, a week later, 2 left.
  await page.goto(page.url().replace(/#.*$/, `#/customer/${lucia}`));
  await row(page, id).locator('[data-act="close"]').click();
  const cl = dlg(page, "close");
  await cl.waitFor();
  await cl.locator("[data-save]").click();
  await cl.waitFor({ state: "detached" });
  const next = page.locator("tr[data-task-id][data-status=\"1\"]", { hasText: "Weekly call about the padel league" });
  await next.waitFor();
  const nextId = BigInt((await next.getAttribute("data-task-id"))!);
  assert.notEqual(nextId, id);
  const n = (await api.getTask(nextId, false)).row!.task!;
  assert.equal(n.followsId, id);
  assert.equal(n.recurrence, Recurrence.WEEKLY);
  assert.equal(n.repeatCount, 2);
  assert.equal(n.status, TaskStatus.PLANNED);
  assert.equal(Number(n.plannedAt) - Number(t.plannedAt), 7 * 86400);
  assert.equal((await api.getTask(id, false)).row!.task!.status, TaskStatus.DONE);
  assert.match((await next.locator(".rep-mark").getAttribute("title"))!, /2 times left/);

  // The info dialog shows the series and stops it.
  await next.locator('[data-act="info"]').click();
  const info = dlg(page, "info");
  await info.waitFor();
  await info.locator('select[name="repeat"]').waitFor();
  assert.equal(await info.locator('select[name="repeat"]').inputValue(), "weekly");
  assert.equal(await info.locator('input[name="repeatEnd"][value="count"]').isChecked(), true);
  assert.equal(await info.locator('input[name="repeatCount"]').inputValue(), "2");
  await info.locator('select[name="repeat"]').selectOption("none");
  await info.locator("[data-save]").click();
  await info.waitFor({ state: "detached" });
  await next.locator(".rep-mark").waitFor({ state: "detached" });
  const stopped = (await api.getTask(nextId, false)).row!.task!;
  assert.equal(stopped.recurrence, Recurrence.UNSPECIFIED);
  assert.equal(stopped.description, "Weekly call about the padel league (repeat test)");
  await page.context().close();
});

test("an edit changes the series' end from a count to a day, in Spanish", async () => {
  const jorge = (await api.listCustomers("Jorge", 5)).customers[0].id;
  const made = await api.createTask({ description: "Monthly fee reminder (repeat test)", typeId: BigInt(typeId("Call")),
    customerId: jorge, plannedAt: BigInt(Date.UTC(2031, 4, 5, 9, 0) / 1000), recurrence: Recurrence.MONTHLY,
    repeatCount: 4 });
  const id = made.row!.task!.id;
  const last = (await api.createTask({ description: "Last monthly reminder (repeat test)", typeId: BigInt(typeId("Call")),
    customerId: jorge, plannedAt: BigInt(Date.UTC(2031, 4, 6, 9, 0) / 1000), recurrence: Recurrence.MONTHLY,
    repeatCount: 1 })).row!.task!.id;
  const page = await loginPage(await newContext(browser, "es-ES"), srv, "maribel", "demo", `customer/${jorge}`);
  await row(page, id).waitFor();
  assert.match((await row(page, id).locator(".rep-mark").getAttribute("title"))!, /Se repite cada mes, quedan 4 veces/);
  // One time left: in the singular.
  await row(page, last).waitFor();
  assert.equal(await row(page, last).locator(".rep-mark").getAttribute("title"),
    "Se repite cada mes, queda 1 vez (contando esta)");
  await row(page, id).locator('[data-act="info"]').click();
  const info = dlg(page, "info");
  await info.locator('select[name="repeat"]').waitFor();
  await info.locator('input[name="repeatUntil"]').fill("2031-08-31");
  assert.equal(await info.locator('input[name="repeatEnd"][value="until"]').isChecked(), true);
  await info.locator("[data-save]").click();
  await info.waitFor({ state: "detached" });
  await page.waitForFunction((sel) => /31\/08\/2031/.test(document.querySelector(sel)?.getAttribute("title") ?? ""),
    `[data-task-id="${id}"] .rep-mark`);
  const t = (await api.getTask(id, false)).row!.task!;
  assert.equal(t.recurrence, Recurrence.MONTHLY);
  assert.equal(t.repeatCount, 0);
  assert.equal(Number(t.repeatUntil), Date.UTC(2031, 7, 31, 22, 0) / 1000); // 1 Sept 00:00 in Madrid (CEST)
  await page.context().close();
});
