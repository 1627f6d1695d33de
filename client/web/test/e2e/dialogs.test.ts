// The task dialogs in a real browser against a real clubcrmd: the manual's
// follow-up story through the forms, an edit conflict between two
// browsers (keep theirs, re-apply mine on theirs), a retried edit or close
// already on the server (no conflict with oneself, no "already done"), and
// saves that fail (refused by the server; the server away) keeping the form,
// then creating once.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { loginPage, newContext, row, screenshot } from "../support/browser.js";
import { api, browser, cat, connect, customerId, desk, opId, resultId, srv, typeId } from "../support/fixture.js";
import { Outcome, TaskKind, TaskStatus } from "../../src/gen/clubcrm_pb.js";

desk({ login: "fermin" });

async function customerTasks(cid: bigint) {
  return (await api.listTasks({ filter: { customerId: cid }, pageSize: 200 })).rows;
}

/** The open dialog (there is one at a time). */
const dlg = (p: Page, kind?: string) => p.locator(kind ? `dialog.dlg[open][data-dialog="${kind}"]` : "dialog.dlg[open]");

async function rowIdWith(p: Page, text: string): Promise<string> {
  const r = p.locator("tr[data-task-id]", { hasText: text }).first();
  await r.waitFor({ timeout: 5000 });
  return (await r.getAttribute("data-task-id"))!;
}

test("the manual's follow-up story through the forms", async () => {
  const arantxa = await customerId("Arantxa");
  const appt = (await customerTasks(arantxa)).find((r) => r.typeName === "Appointment")!.task!;
  const page = await loginPage(await newContext(browser), srv, "valentina", "demo", `customer/${arantxa}`);
  await row(page, appt.id).waitFor();

  // The appointment: negative, keep it open, and the next task a quote for Fermín.
  await row(page, appt.id).locator('[data-act="follow-up"]').click();
  const fu = dlg(page, "follow-up");
  await fu.waitFor();
  await fu.locator('select[name="result"]').selectOption(String(resultId("Negative")));
  await fu.locator('input[name="then"][value="3"]').check();
  await fu.locator("[data-next]").waitFor(); // keeping open proposes the next task
  assert.equal(await fu.locator('input[name="next"]').isChecked(), true);
  await fu.locator('textarea[name="note"]').fill("Wants a discount Valentina cannot give");
  await fu.locator('textarea[name="nextDescription"]').fill("Prepare a quote with a discount for the tennis lessons");
  await fu.locator('select[name="nextType"]').selectOption(String(typeId("Quote")));
  await fu.locator('select[name="nextOperator"]').selectOption(String(opId("fermin")));
  await screenshot(page, "dialog-follow-up");
  await fu.locator("[data-save]").click();
  await fu.waitFor({ state: "detached" });

  // The quote appears in the profile live; the appointment stays open with its result.
  const quoteId = await rowIdWith(page, "Prepare a quote with a discount");
  await page.waitForSelector(`[data-task-id="${appt.id}"][data-status="${TaskStatus.PLANNED}"]`);
  assert.match(await row(page, appt.id).innerText(), /Negative/);
  const quote = (await api.getTask(BigInt(quoteId), false)).row!;
  assert.equal(quote.typeName, "Quote");
  assert.equal(quote.task!.followsId, appt.id);
  assert.equal(quote.operatorLogin, "fermin");
  assert.equal(quote.task!.customerId, arantxa);

  // Fermín: Arantxa accepts the quote: positive, closed with a note.
  const fermin = await loginPage(await newContext(browser), srv, "fermin", "demo", `customer/${arantxa}`);
  await row(fermin, quoteId).locator('[data-act="follow-up"]').click();
  const fu2 = dlg(fermin, "follow-up");
  await fu2.locator('select[name="result"]').selectOption(String(resultId("Positive")));
  // A positive result concludes: keeping open is not offered.
  assert.equal(await fu2.locator('input[name="then"][value="3"]').isDisabled(), true);
  await fu2.locator('input[name="then"][value="2"]').check();
  await fu2.locator("[data-save]").click(); // no note yet: refused in the form
  await fu2.locator("[data-dialog-error]").waitFor();
  await fu2.locator('textarea[name="note"]').fill("Arantxa accepts the quote: starts in January");
  await fermin.keyboard.press("Control+Enter");
  await fu2.waitFor({ state: "detached" });

  for (const p of [page, fermin]) {
    await p.waitForSelector(`[data-task-id="${quoteId}"][data-status="${TaskStatus.DONE}"]`);
    await p.locator('tr[data-kind="note"]', { hasText: "Arantxa accepts the quote" }).waitFor();
  }
  const done = (await api.getTask(BigInt(quoteId), true));
  assert.equal(done.row!.task!.status, TaskStatus.DONE);
  assert.equal(done.row!.resultName, "Positive");
  const apptNow = (await api.getTask(appt.id, false)).row!;
  assert.equal(apptNow.task!.status, TaskStatus.PLANNED);
  assert.equal(apptNow.resultName, "Negative");
  const notes = (await customerTasks(arantxa)).filter((r) => r.task!.kind === TaskKind.NOTE);
  assert.ok(notes.some((n) => n.task!.description.includes("Arantxa accepts the quote")));

  // The quote's info: every change, newest first, as field: old -> new.
  await row(fermin, quoteId).locator('[data-act="info"]').click();
  const info = dlg(fermin, "info");
  await info.locator(".history li[data-action]").first().waitFor();
  const hist = await info.locator(".history").innerText();
  assert.match(hist, /Result: - → Positive/);
  assert.match(hist, /Status: Planned → Done/);
  assert.match(hist, /Description: - → Prepare a quote with a discount/);
  assert.match(hist, new RegExp(`Follows: - → #${appt.id}`));
  assert.match(hist, /fermin/);
  assert.equal(await info.locator('textarea[name="description"]').inputValue(),
    "Prepare a quote with a discount for the tennis lessons");
  const actions = await info.locator(".history ol > li").evaluateAll((els) => els.map((e) => e.getAttribute("data-action")));
  assert.equal(actions[0], "follow up"); // newest first: the close
  assert.ok(actions.length >= 2, actions.join(","));
  await screenshot(fermin, "dialog-info");
  await fermin.keyboard.press("Escape");
  await info.waitFor({ state: "detached" });
  await page.context().close();
  await fermin.context().close();
});

test("an edit conflict shows theirs beside mine; keep theirs and re-apply both work", async () => {
  const manolo = await customerId("Manolo");
  const task = (await customerTasks(manolo)).find((r) => r.typeName === "Appointment")!.task!;
  const alicia = await loginPage(await newContext(browser), srv, "alicia", "demo", `customer/${manolo}`);
  const deborah = await loginPage(await newContext(browser), srv, "deborah", "demo", `customer/${manolo}`);
  const open = async (p: Page) => {
    await row(p, task.id).locator('[data-act="info"]').click();
    const d = dlg(p, "info");
    await d.locator('textarea[name="description"]').waitFor();
    return d;
  };

  // Round 1: both edit the description; Deborah keeps Alicia's.
  const a1 = await open(alicia);
  const d1 = await open(deborah);
  await a1.locator('textarea[name="description"]').fill("Sign-up appointment (annual, paid by card)");
  await a1.locator("[data-save]").click();
  await a1.waitFor({ state: "detached" });
  await d1.locator('textarea[name="description"]').fill("Sign-up appointment: bring the family");
  await d1.locator('select[name="operator"]').selectOption(String(opId("maribel")));
  await d1.locator("[data-save]").click();
  const c1 = dlg(deborah, "conflict");
  await c1.waitFor();
  const desc = c1.locator('tr[data-field="description"]');
  assert.equal(await desc.getAttribute("data-differs"), "yes");
  assert.equal(await desc.locator("td.theirs").innerText(), "Sign-up appointment (annual, paid by card)");
  assert.equal(await desc.locator("td.mine").innerText(), "Sign-up appointment: bring the family");
  assert.equal(await c1.locator('tr[data-field="operatorId"]').getAttribute("data-differs"), "yes");
  assert.equal(await c1.locator('tr[data-field="typeId"]').getAttribute("data-differs"), "no");
  await screenshot(deborah, "dialog-conflict");
  await c1.locator('[data-choice="theirs"]').click();
  await c1.waitFor({ state: "detached" });
  let now = (await api.getTask(task.id, false)).row!.task!;
  assert.equal(now.description, "Sign-up appointment (annual, paid by card)");
  assert.equal(now.operatorId, task.operatorId);

  // Round 2: Alicia changes the description, Deborah the planned time: re-applying keeps both.
  const a2 = await open(alicia);
  const d2 = await open(deborah);
  await a2.locator('textarea[name="description"]').fill("Sign-up appointment, second visit");
  await a2.locator("[data-save]").click();
  await a2.waitFor({ state: "detached" });
  await d2.locator('input[name="planned"]').fill("2031-02-03T12:30");
  await deborah.keyboard.press("Control+s");
  const c2 = dlg(deborah, "conflict");
  await c2.waitFor();
  assert.equal(await c2.locator('tr[data-field="description"] td.theirs').innerText(), "Sign-up appointment, second visit");
  assert.equal(await c2.locator('tr[data-field="plannedAt"]').getAttribute("data-differs"), "yes");
  await c2.locator('[data-choice="reapply"]').click();
  await c2.waitFor({ state: "detached" });
  now = (await api.getTask(task.id, false)).row!.task!;
  assert.equal(now.description, "Sign-up appointment, second visit");
  assert.equal(Number(now.plannedAt), Date.UTC(2031, 1, 3, 11, 30) / 1000); // 12:30 in Madrid (CET)
  await alicia.context().close();
  await deborah.context().close();
});

test("a save already on the server (its answer lost, saved again) is saved, not a conflict with oneself", async () => {
  const jorge = await customerId("Jorge");
  const made = await api.createTask({
    customerId: jorge, typeId: typeId("Call"), description: "Call about the locker",
    plannedAt: BigInt(Date.UTC(2031, 4, 6, 9, 0) / 1000),
  });
  const task = made.row!.task!;
  const page = await loginPage(await newContext(browser), srv, "maribel", "demo", `customer/${jorge}`);
  await row(page, task.id).locator('[data-act="info"]').click();
  const d = dlg(page, "info");
  await d.locator('textarea[name="description"]').waitFor();
  const text = "Call about the locker: the key is lost";
  await d.locator('textarea[name="description"]').fill(text);
  // What the first Save did before its answer was lost: the same edit, already committed.
  await api.editTask({ id: task.id, baseModRev: task.modRev, description: text });
  await d.locator("[data-save]").click();
  await page.locator(".msg.info", { hasText: `Task ${task.id} saved` }).waitFor({ timeout: 10000 });
  assert.equal(await dlg(page, "conflict").count(), 0, "no conflict dialog");
  assert.equal(await dlg(page).count(), 0, "the dialog closed");
  assert.equal((await api.getTask(task.id, false)).row!.task!.description, text);
  await page.context().close();
});

test("Re-apply mine already on the server (its answer lost, clicked again) is saved, not a second conflict", async () => {
  const jorge = await customerId("Jorge");
  const made = await api.createTask({
    customerId: jorge, typeId: typeId("Call"), description: "Call about the sauna hours",
    plannedAt: BigInt(Date.UTC(2031, 4, 9, 9, 0) / 1000),
  });
  const task = made.row!.task!;
  const page = await loginPage(await newContext(browser), srv, "maribel", "demo", `customer/${jorge}`);
  await row(page, task.id).locator('[data-act="info"]').click();
  const d = dlg(page, "info");
  await d.locator('textarea[name="description"]').waitFor();
  const mine = "Call about the sauna hours (and the pool's)";
  await d.locator('textarea[name="description"]').fill(mine);
  // Someone else gives the task to Deborah meanwhile: a conflict.
  const theirs = (await api.editTask({ id: task.id, baseModRev: task.modRev, operatorId: opId("deborah") })).row!.task!;
  await d.locator("[data-save]").click();
  const c = dlg(page, "conflict");
  await c.waitFor();
  // What the first Re-apply did before its answer was lost: my description on theirs.
  await api.editTask({ id: task.id, baseModRev: theirs.modRev, description: mine });
  await c.locator('[data-choice="reapply"]').click();
  await page.locator(".msg.info", { hasText: `Task ${task.id} saved` }).waitFor({ timeout: 10000 });
  assert.equal(await dlg(page).count(), 0, "no second conflict dialog");
  const now = (await api.getTask(task.id, false)).row!.task!;
  assert.equal(now.description, mine);
  assert.equal(now.operatorId, opId("deborah"));
  await page.context().close();
});

test("a Close already on the server (its answer lost, saved again) says closed, not 'already done'", async () => {
  const jorge = await customerId("Jorge");
  const made = await api.createTask({
    customerId: jorge, typeId: typeId("Call"), description: "Call about the parking card",
    plannedAt: BigInt(Date.UTC(2031, 4, 7, 9, 0) / 1000),
  });
  const task = made.row!.task!;
  // The same operator in the browser as on the terminal (fermin): the terminal's close is "the first Save".
  const page = await loginPage(await newContext(browser), srv, "fermin", "demo", `customer/${jorge}`);
  await row(page, task.id).locator('[data-act="close"]').click();
  const d = dlg(page, "close");
  await d.waitFor();
  const result = await d.locator('select[name="result"]').inputValue();
  await d.locator('textarea[name="note"]').fill("renewed at the desk");
  await api.closeTask(task.id, result ? BigInt(result) : undefined, "renewed at the desk");
  await d.locator("[data-save]").click();
  await page.locator(".msg.info", { hasText: `Task ${task.id} closed` }).waitFor({ timeout: 10000 });
  assert.equal(await dlg(page).count(), 0, "the dialog closed");
  await page.context().close();
});

test("a Close of a task someone else closed meanwhile still says why not", async () => {
  const jorge = await customerId("Jorge");
  const made = await api.createTask({
    customerId: jorge, typeId: typeId("Call"), description: "Call about the towel service",
    plannedAt: BigInt(Date.UTC(2031, 4, 8, 9, 0) / 1000),
  });
  const task = made.row!.task!;
  const page = await loginPage(await newContext(browser), srv, "maribel", "demo", `customer/${jorge}`);
  await row(page, task.id).locator('[data-act="close"]').click();
  const d = dlg(page, "close");
  await d.waitFor();
  const result = await d.locator('select[name="result"]').inputValue();
  await api.closeTask(task.id, result ? BigInt(result) : undefined); // fermin, not maribel
  await d.locator("[data-save]").click();
  await d.locator("[data-dialog-error]", { hasText: "already done" }).waitFor({ timeout: 10000 });
  await page.context().close();
});

test("a save that fails keeps the form; the retry creates the task once", async () => {
  const jorge = await customerId("Jorge");
  const page = await loginPage(await newContext(browser), srv, "maribel", "demo", `customer/${jorge}`);
  await page.locator('[data-act="new-task"]').click();
  const d = dlg(page, "create");
  await d.waitFor();
  assert.match(await d.locator(".picked").innerText(), /Jorge Martín/);
  await d.locator('select[name="type"]').selectOption(String(typeId("Call")));
  // The server refuses (a control character): its reason in the dialog, which keeps what was typed.
  const bad = "Call about the renewal\u0007 price";
  await d.locator('textarea[name="description"]').fill(bad);
  await d.locator("[data-save]").click();
  await d.locator("[data-dialog-error]", { hasText: "control characters are not allowed" }).waitFor();
  assert.equal(await d.locator('textarea[name="description"]').inputValue(), bad);
  assert.match(await d.locator(".picked").innerText(), /Jorge Martín/);

  const text = "Call about the renewal price (retried save)";
  await d.locator('textarea[name="description"]').fill(text);
  await d.locator('input[name="planned"]').fill("2031-04-02T09:15");

  await srv.stop("SIGKILL");
  await page.locator(".banner").waitFor();
  await d.locator("[data-save]").click();
  await d.locator("[data-dialog-error]").waitFor();
  assert.match(await d.locator("[data-dialog-error]").innerText(), /server/i);
  assert.equal(await d.locator('textarea[name="description"]').inputValue(), text);
  assert.equal(await d.locator('input[name="planned"]').inputValue(), "2031-04-02T09:15");

  await srv.restart();
  await page.locator(".banner").waitFor({ state: "detached", timeout: 20000 });
  await connect();
  await d.locator("[data-save]").click();
  await d.waitFor({ state: "detached" });
  const id = await rowIdWith(page, text);
  const made = (await customerTasks(jorge)).filter((r) => r.task!.description === text);
  assert.equal(made.length, 1);
  assert.equal(String(made[0].task!.id), id);
  assert.equal(made[0].operatorLogin, "maribel"); // the customer's consultant, as unset means
  await page.context().close();
});

test("the type's follow-ons are announced in the follow-up, then created by the server", async () => {
  const call = cat.taskTypes.find((x) => x.name === "Call")!;
  await api.upsertTaskType({ taskType: { id: call.id, followOns: [
    { typeId: call.id, delayMinutes: 3 * 1440, onOutcome: Outcome.NEGATIVE, description: "Call again" }] } });
  const lucia = await customerId("Lucía");
  const task = (await customerTasks(lucia)).find((r) => r.typeName === "Call" &&
    r.task!.status === TaskStatus.PLANNED && r.task!.kind === TaskKind.TASK)!.task!;
  const page = await loginPage(await newContext(browser), srv, "alicia", "demo", `customer/${lucia}`);
  await row(page, task.id).locator('[data-act="follow-up"]').click();
  const fu = dlg(page, "follow-up");
  await fu.waitFor();
  await fu.locator('select[name="result"]').selectOption(String(resultId("Positive")));
  assert.equal(await fu.locator("[data-follow-ons]").count(), 0); // only a negative outcome sets it off
  await fu.locator('select[name="result"]').selectOption(String(resultId("No answer")));
  assert.equal(await fu.locator("[data-follow-ons]").count(), 0);
  await fu.locator('select[name="result"]').selectOption(String(resultId("Negative")));
  assert.match(await fu.locator("[data-follow-ons]").innerText(), /Call in 3 days/);
  assert.equal(await fu.locator('[data-stays-open]').getAttribute("data-stays-open"), "yes");
  await fu.locator("[data-save]").click();
  await fu.waitFor({ state: "detached" });
  const made = (await customerTasks(lucia)).filter((r) => r.task!.followsId === task.id);
  assert.equal(made.length, 1);
  assert.equal(made[0].typeName, "Call");
  await row(page, made[0].task!.id).waitFor();
  await page.context().close();
});
