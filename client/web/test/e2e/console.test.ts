// The manager's console in two browsers against the real server: the admin
// (fermin) and an operator (deborah). A priority task created elsewhere
// shows red in both; taken by the operator from her console, it turns
// yellow in the admin's and the counts move; reassign is the admin's only.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { Api } from "../../src/lib/api.js";
import { ClubClient } from "../../src/lib/client.js";
import { ClubError, Status } from "../../src/lib/status.js";
import { loginPage, newContext, row, screenshot } from "../support/browser.js";
import { api, browser, cat, connect, desk, opId, srv, teamId } from "../support/fixture.js";
import { tcpPipe } from "../support/server.js";

/** How long a live change may take to show on a loaded machine (it takes milliseconds). */
const LIVE = 10_000;
let admin: Page;
let operator: Page;

desk({ login: "alicia" }, async () => {
  admin = await loginPage(await newContext(browser), srv, "fermin", "demo", "console");
  operator = await loginPage(await newContext(browser), srv, "deborah", "demo", "console");
  for (const p of [admin, operator]) await p.waitForSelector("clubcrm-console .console-summary");
});

async function count(p: Page, kind: "operator" | "team", id: bigint, what: "waiting" | "taken" | "escalated") {
  return Number(await p.textContent(`table[data-counts="${kind}"] tr[data-id="${id}"] td[data-count="${what}"]`));
}

async function waitCount(p: Page, kind: "operator" | "team", id: bigint, what: string, n: number) {
  await p.waitForSelector(`table[data-counts="${kind}"] tr[data-id="${id}"] td[data-count="${what}"]:text-is("${n}")`,
    { timeout: LIVE });
}

async function urgentTask(operatorLogin: string, description: string): Promise<bigint> {
  const type = cat.taskTypes.find((t) => t.active && t.priority)!;
  const customer = (await api.listCustomers("", 1)).customers[0];
  const r = await api.createTask({
    description, typeId: type.id, customerId: customer.id, operatorId: opId(operatorLogin),
    plannedAt: BigInt(Math.floor(Date.now() / 1000) + 3 * 3600),
  });
  return r.row!.task!.id;
}

test("a priority task created elsewhere shows red; taken from a console it turns yellow and the counts move", async () => {
  const val = opId("valentina"), sales = teamId("Sales");
  await admin.waitForSelector(`table[data-counts="operator"] tr[data-id="${val}"]`);
  const before = {
    waiting: await count(admin, "operator", val, "waiting"), taken: await count(admin, "operator", val, "taken"),
    teamTaken: await count(admin, "team", sales, "taken"),
    summary: Number(await admin.getAttribute(".console-summary", "data-taken")),
  };
  const id = await urgentTask("valentina", "e2e console: complaint about the pool");
  for (const p of [admin, operator])
    await p.waitForSelector(`table[data-list="urgent"] [data-task-id="${id}"][data-colour="red"]`, { timeout: LIVE });
  await waitCount(admin, "operator", val, "waiting", before.waiting + 1);
  assert.match(await row(admin, id).first().locator("td.state").textContent() ?? "", /waiting \d+ min/);

  // Deborah takes it from her console: yellow in the admin's, counts move.
  await row(operator, id).first().locator("button.take").click();
  await admin.waitForSelector(`table[data-list="urgent"] [data-task-id="${id}"][data-colour="yellow"]`, { timeout: LIVE });
  await waitCount(admin, "operator", val, "waiting", before.waiting);
  await waitCount(admin, "operator", val, "taken", before.taken + 1);
  await waitCount(admin, "team", sales, "taken", before.teamTaken + 1);
  assert.equal(Number(await admin.getAttribute(".console-summary", "data-taken")), before.summary + 1);
  assert.match(await row(admin, id).first().locator("td.state").textContent() ?? "", /taken by Deborah since \d\d:\d\d/);
  assert.equal(await row(operator, id).first().locator("button.take").getAttribute("data-act"), "release");

  // The selection stays on its task when a row arrives before it.
  await row(admin, id).first().click();
  const earlier = await api.createTask({
    description: "e2e console: an earlier one", typeId: cat.taskTypes.find((t) => t.active && t.priority)!.id,
    customerId: (await api.listCustomers("", 1)).customers[0].id, operatorId: opId("maribel"),
    plannedAt: BigInt(Math.floor(Date.now() / 1000) + 600),
  });
  await admin.waitForSelector(`[data-task-id="${earlier.row!.task!.id}"]`, { timeout: LIVE });
  assert.equal(await admin.getAttribute('table[data-list="urgent"] tr.selected', "data-task-id"), String(id));
  await screenshot(admin, "console");
  // Keys: t releases the selected task (deborah took it: the admin may release it).
  await admin.keyboard.press("t");
  await admin.waitForSelector(`table[data-list="urgent"] [data-task-id="${id}"][data-colour="red"]`, { timeout: LIVE });
  await operator.waitForSelector(`table[data-list="urgent"] [data-task-id="${id}"][data-colour="red"]`, { timeout: LIVE });
});

test("an operator has no reassign (and the server refuses hers); an admin reassigns a row and an operator's tasks", async () => {
  assert.equal(await operator.locator("form.console-reassign").count(), 0);
  assert.equal(await operator.locator("select.reassign-row").count(), 0);
  assert.equal(await operator.getAttribute("section.console-page", "data-admin"), "false");
  // A language picked in the page redraws the console at once.
  await operator.selectOption("header.topbar select", "es");
  await operator.locator(".console-summary", { hasText: "Tareas urgentes de todos" }).waitFor({ timeout: LIVE });
  assert.equal(await operator.locator("table[data-counts=operator] caption").textContent(), "Por operador");
  await operator.selectOption("header.topbar select", "en");
  await operator.locator(".console-summary", { hasText: "Urgent tasks of everyone" }).waitFor({ timeout: LIVE });
  const deb = new ClubClient({ pipe: tcpPipe("127.0.0.1", () => srv.tcp.port) });
  await deb.login("deborah", "demo");
  await assert.rejects(new Api(deb).reassignTasks({ fromOperatorId: opId("valentina"), toOperatorId: opId("deborah") }),
    (e: unknown) => e instanceof ClubError && e.code === Status.PERMISSION_DENIED);
  deb.close();

  // One row: valentina's task to maribel, seen live by the operator.
  const id = await urgentTask("valentina", "e2e console: to be reassigned");
  await admin.waitForSelector(`[data-task-id="${id}"]`, { timeout: LIVE });
  await row(admin, id).first().locator("select.reassign-row").selectOption(String(opId("maribel")));
  await operator.waitForSelector(`table[data-list="urgent"] [data-task-id="${id}"] td.operator[data-operator-id="${opId("maribel")}"]`,
    { timeout: LIVE });

  // All of maribel's open tasks to alicia.
  await admin.selectOption('form.console-reassign select[name="from"]', String(opId("maribel")));
  await admin.selectOption('form.console-reassign select[name="to"]', String(opId("alicia")));
  await admin.click('form.console-reassign button[type="submit"]');
  await admin.waitForSelector(`.msg:has-text("moved from Maribel to Alicia")`, { timeout: LIVE });
  await operator.waitForSelector(`table[data-list="urgent"] [data-task-id="${id}"] td.operator[data-operator-id="${opId("alicia")}"]`,
    { timeout: LIVE });
  await waitCount(admin, "operator", opId("maribel"), "waiting", 0);
  await waitCount(admin, "operator", opId("maribel"), "taken", 0);

  // Info opens the task's dialog.
  await row(admin, id).first().locator("button.info").click();
  const info = admin.locator("dialog[open]");
  await info.waitFor({ timeout: LIVE });
  assert.equal(await info.locator('textarea[name="description"]').inputValue(), "e2e console: to be reassigned");
  await admin.keyboard.press("Escape");
  await admin.waitForFunction(() => !document.querySelector("dialog[open]"), null, { timeout: LIVE });

  // The same operator on both sides is refused before asking.
  await admin.selectOption('form.console-reassign select[name="from"]', String(opId("alicia")));
  await admin.selectOption('form.console-reassign select[name="to"]', String(opId("alicia")));
  await admin.click('form.console-reassign button[type="submit"]');
  await admin.waitForSelector(`.msg.error:has-text("two different operators")`, { timeout: LIVE });
});

test("the server killed and restarted: the console shows Reconnecting…, then catches up by itself", async () => {
  // Whether the banner ever showed (the restart may be quicker than a poll).
  await admin.evaluate(() => {
    const w = window as unknown as { sawBanner: boolean };
    w.sawBanner = false;
    new MutationObserver(() => { if (document.querySelector(".banner")) w.sawBanner = true; })
      .observe(document.body, { childList: true, subtree: true });
  });
  const waiting = await count(admin, "operator", opId("alicia"), "waiting");
  await srv.restart();
  await admin.waitForFunction(() => (window as unknown as { sawBanner: boolean }).sawBanner, null, { timeout: 10000 });
  await admin.waitForSelector(".banner", { state: "detached", timeout: 20000 });
  await connect();
  const id = await urgentTask("alicia", "e2e console: after the restart");
  await admin.waitForSelector(`table[data-list="urgent"] [data-task-id="${id}"][data-colour="red"]`, { timeout: 10000 });
  await waitCount(admin, "operator", opId("alicia"), "waiting", waiting + 1);
});
