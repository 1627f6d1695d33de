// The agendas in a browser against the real server: my agenda places a task
// at its slot in the CLUB's zone (the browser runs in another zone) and
// follows it live; an empty slot asks for a new task at its time for its
// operator; the operators' agendas by team.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { addDays, civilOf, isoDate, type CivilDate } from "../../src/ui/agenda/grid.js";
import { zonedToUnix } from "../../src/ui/time.js";
import { deskUrl, screenshot } from "../support/browser.js";
import { api, browser, cat, desk, opId, srv, teamId } from "../support/fixture.js";

const ZONE = "Europe/Madrid"; // the demo club's
/** How long a live change may take to show on a loaded machine (it takes milliseconds). */
const LIVE = 10_000;
/**
 * The day the tests plan on: ten days ahead, clear of the demo club's own
 * tasks. Those lie within three days of the club's start or a few hours
 * from it, which is tomorrow's small hours when the club starts at 18:00
 * UTC: such a task widened tomorrow's grid above 08:00 and failed a run.
 */
let day: CivilDate;

const at = (d: CivilDate, hour: number, minute = 0) => zonedToUnix({ ...d, hour, minute }, ZONE)!;

desk({ login: "fermin" }, () => {
  day = addDays(civilOf(Math.floor(Date.now() / 1000), ZONE), 10);
});

/** A browser far from the club (New York): the page must still show the club's hours. */
async function open(login: string, route: string, locale = "en-GB"): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale, timezoneId: "America/New_York" });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error(`[${login}] page error: ${e.message}`));
  await page.goto(deskUrl(srv) + `#/${route}`);
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', "demo");
  await page.click('button[type="submit"]');
  await page.waitForSelector(`[data-login="${login}"]`);
  await page.waitForSelector("table.cal");
  // The page's cross-page actions, recorded (the dialogs are another element's).
  await page.evaluate(() => {
    const w = window as unknown as { acts: Record<string, string>[] };
    w.acts = [];
    document.addEventListener("clubcrm-action", (e) => {
      const d = (e as CustomEvent).detail;
      w.acts.push({ action: d.action, taskId: String(d.taskId ?? ""), plannedAt: String(d.plannedAt ?? ""),
        operatorId: String(d.operatorId ?? "") });
    });
  });
  return { ctx, page };
}

/** Closes the dialog a new-task or info action opened (the shell's dialogs), if any. */
async function closeDialog(p: Page): Promise<void> {
  if (!(await p.locator("dialog[open]").count())) return;
  await p.keyboard.press("Escape");
  await p.waitForFunction(() => !document.querySelector("dialog[open]"), null, { timeout: LIVE });
}

const actions = (p: Page) => p.evaluate(() => (window as unknown as { acts: Record<string, string>[] }).acts.splice(0));

async function create(operator: string, when: number, description: string, priority = false): Promise<bigint> {
  const type = cat.taskTypes.find((t) => t.active && t.priority === priority)!;
  const r = await api.createTask({
    description, typeId: type.id, customerId: (await api.listCustomers("", 1)).customers[0].id,
    plannedAt: BigInt(when), operatorId: opId(operator),
  });
  return r.row!.task!.id;
}

const cell = (date: CivilDate, slot: string, operator?: bigint) =>
  `td.cal-cell[data-date="${isoDate(date)}"][data-slot="${slot}"]${operator ? `[data-operator-id="${operator}"]` : ""}`;

test("my agenda: a task for me shows at its slot in the club's zone, and follows edits live", async () => {
  const { ctx, page } = await open("alicia", `agenda/day/${isoDate(day)}`);
  const id = await create("alicia", at(day, 10, 15), "e2e agenda: priority call", true);
  const chip = page.locator(`${cell(day, "10:00")} [data-task-id="${id}"]`);
  await chip.waitFor({ timeout: LIVE });
  assert.equal(await chip.getAttribute("data-colour"), "red");
  assert.match((await chip.textContent()) ?? "", /10:15/);
  assert.equal(await page.locator(`[data-task-id="${id}"]`).count(), 1);
  // Someone else's task is not in my agenda.
  const other = await create("deborah", at(day, 10, 0), "e2e agenda: not alicia's");

  // Moved and taken elsewhere: the page follows without a keypress.
  const row = (await api.getTask(id, false)).row!;
  await api.editTask({ id, baseModRev: row.task!.modRev, plannedAt: BigInt(at(day, 16, 30)) });
  await page.waitForSelector(`${cell(day, "16:30")} [data-task-id="${id}"]`, { timeout: LIVE });
  await api.takeTask(id);
  await page.waitForSelector(`${cell(day, "16:30")} [data-task-id="${id}"][data-colour="yellow"]`, { timeout: LIVE });
  assert.equal(await page.locator(`[data-task-id="${other}"]`).count(), 0);
  assert.equal(await page.locator(`${cell(day, "10:00")} [data-task-id]`).count(), 0);

  // The week holds it too, in that day's column; the range moves by a week.
  await page.click('button[data-mode="week"]');
  await page.waitForSelector(`section[data-mode="week"] ${cell(day, "16:30")} [data-task-id="${id}"]`);
  assert.equal(await page.locator("table.cal thead th[data-date]").count(), 7);
  const first = await page.getAttribute("section.agenda-page", "data-first");
  await page.click('button[data-go="next"]');
  await page.waitForSelector(`section[data-first="${isoDate(addDays({ year: +first!.slice(0, 4), month: +first!.slice(5, 7), day: +first!.slice(8) }, 7))}"]`);
  assert.equal(await page.locator(`[data-task-id="${id}"]`).count(), 0);
  await page.keyboard.press("[");
  await page.waitForSelector(`section[data-first="${first}"] [data-task-id="${id}"]`);
  await page.locator(`[data-task-id="${id}"]`).scrollIntoViewIfNeeded();
  await screenshot(page, "agenda");

  // A click on the task asks for its info.
  await actions(page);
  await page.click(`[data-task-id="${id}"]`);
  assert.deepEqual((await actions(page)).map((a) => [a.action, a.taskId]), [["info", String(id)]]);
  const info = page.locator("dialog[open]");
  await info.waitFor({ timeout: LIVE });
  assert.equal(await info.locator('textarea[name="description"]').inputValue(), "e2e agenda: priority call");
  await closeDialog(page);
  await ctx.close();
});

test("my agenda: an empty slot asks for a new task for me at that time; the keys walk the grid", async () => {
  const { ctx, page } = await open("alicia", `agenda/day/${isoDate(day)}`);
  const alicia = opId("alicia");
  await page.click(`${cell(day, "15:00")} button.cal-new`);
  assert.deepEqual(await actions(page), [
    { action: "new-task", taskId: "", plannedAt: String(at(day, 15)), operatorId: String(alicia) },
  ]);
  await closeDialog(page);
  // Down one slot, then Enter: 15:30.
  await page.focus(`${cell(day, "15:00")} button.cal-new`);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  assert.deepEqual((await actions(page)).map((a) => a.plannedAt), [String(at(day, 15, 30))]);
  await closeDialog(page);
  // The slots are the club's settings: 30 minutes from 08:00 to 22:00.
  assert.equal(await page.locator("table.cal tbody tr").first().getAttribute("data-slot"), "08:00");
  assert.equal(await page.locator("table.cal tbody tr").last().getAttribute("data-slot"), "21:30");
  // A task before the opening hour widens the grid above: the focus stays on its slot.
  await page.focus(`${cell(day, "15:00")} button.cal-new`);
  const early = await create("alicia", at(day, 6, 40), "e2e agenda: before opening");
  await page.waitForSelector(`${cell(day, "06:30")} [data-task-id="${early}"]`, { timeout: LIVE });
  assert.equal(await page.locator("table.cal tbody tr").first().getAttribute("data-slot"), "06:30");
  assert.equal(await page.evaluate(() => document.activeElement?.closest("td")?.getAttribute("data-slot")), "15:00");
  // Keys 7 and 6 switch between the agendas.
  await page.keyboard.press("7");
  await page.waitForSelector("clubcrm-agendas table.cal");
  await page.keyboard.press("6");
  await page.waitForSelector("clubcrm-my-agenda table.cal");
  // The board's keys work from here too (one key map in the shell).
  await page.keyboard.press("2");
  await page.waitForFunction(() => location.hash === "#/board/urgent");
  await page.keyboard.press("6");
  await page.waitForSelector("clubcrm-my-agenda table.cal");
  await ctx.close();
});

test("operators' agendas: one column per operator of the team; an empty slot is for THAT operator", async () => {
  const sales = teamId("Sales");
  const { ctx, page } = await open("deborah", `agendas/${isoDate(day)}/team/${sales}`, "es-ES");
  const heads = async () => page.$$eval("table.cal thead th[data-operator-id]", (ths) => ths.map((th) => th.getAttribute("data-operator-id")));
  await page.waitForFunction(() => document.querySelectorAll("table.cal thead th[data-operator-id]").length === 3);
  assert.deepEqual(await heads(), ["fermin", "maribel", "valentina"].map((l) => String(opId(l))));
  assert.equal(await page.textContent("nav a[data-nav=agendas]"), "Agenda de operadores");
  // Columns keep a readable width (set through the CSSOM, which the CSP allows).
  assert.equal(await page.$eval("table.cal", (t) => getComputedStyle(t).minWidth), `${(4 + 3 * 6.5) * 16}px`);

  const id = await create("valentina", at(day, 12, 0), "e2e agendas: valentina at noon");
  await page.waitForSelector(`${cell(day, "12:00", opId("valentina"))} [data-task-id="${id}"]`, { timeout: LIVE });
  await page.click(`${cell(day, "12:00", opId("maribel"))} button.cal-new`);
  assert.deepEqual(await actions(page), [
    { action: "new-task", taskId: "", plannedAt: String(at(day, 12)), operatorId: String(opId("maribel")) },
  ]);
  // The dialogs open the new task prefilled: that slot's time in the club's zone, that operator.
  const dlg = page.locator("dialog[open]");
  await dlg.waitFor({ timeout: LIVE });
  assert.equal(await dlg.locator('input[name="planned"]').inputValue(), `${isoDate(day)}T12:00`);
  assert.equal(await dlg.locator('select[name="operator"]').inputValue(), String(opId("maribel")));
  // Saved: the customer's name shows in that slot of maribel's column, live.
  const search = dlg.locator('input[name="customerSearch"]');
  await search.fill("carm");
  await dlg.locator(".hits button", { hasText: "Carmen Ruiz" }).waitFor({ timeout: LIVE });
  await search.press("Enter");
  await dlg.locator('select[name="type"]').selectOption({ label: "Appointment" });
  await dlg.locator('textarea[name="description"]').fill("e2e agendas: booked from the empty slot");
  await dlg.locator("[data-save]").click();
  await page.waitForFunction(() => !document.querySelector("dialog[open]"), null, { timeout: LIVE });
  await page.locator(`${cell(day, "12:00", opId("maribel"))} .cal-task`, { hasText: "Carmen Ruiz" })
    .waitFor({ timeout: LIVE });

  // Another team by the picker, then one operator.
  const reception = teamId("Reception");
  await page.selectOption('select[name="team"]', String(reception));
  await page.waitForFunction(() => document.querySelectorAll("table.cal thead th[data-operator-id]").length === 2);
  assert.deepEqual(await heads(), ["alicia", "deborah"].map((l) => String(opId(l))));
  assert.equal(await page.locator(`[data-task-id="${id}"]`).count(), 0);
  await page.selectOption('select[name="operator"]', String(opId("deborah")));
  await page.waitForFunction(() => document.querySelectorAll("table.cal thead th[data-operator-id]").length === 1);
  assert.match(page.url(), new RegExp(`#/agendas/${isoDate(day)}/team/${reception}/op/${opId("deborah")}$`));
  await screenshot(page, "agendas");
  await ctx.close();
});

test("my agenda: a week across the spring change (28 March 2027) keeps 10:00 at 10:00 every day", async () => {
  const { ctx, page } = await open("alicia", "agenda/week/2027-03-24");
  const sat = { year: 2027, month: 3, day: 27 }, sun = { year: 2027, month: 3, day: 28 };
  assert.equal(await page.getAttribute("section.agenda-page", "data-first"), "2027-03-22");
  const a = await create("alicia", Date.parse("2027-03-27T09:00:00Z") / 1000, "e2e agenda: Saturday 10:00 CET");
  const b = await create("alicia", Date.parse("2027-03-28T08:00:00Z") / 1000, "e2e agenda: Sunday 10:00 CEST");
  await page.waitForSelector(`${cell(sat, "10:00")} [data-task-id="${a}"]`, { timeout: LIVE });
  await page.waitForSelector(`${cell(sun, "10:00")} [data-task-id="${b}"]`, { timeout: LIVE });
  // An empty Sunday slot is that day's wall-clock time, after the change.
  await page.click(`${cell(sun, "11:00")} button.cal-new`);
  assert.deepEqual((await actions(page)).map((x) => x.plannedAt), [String(Date.parse("2027-03-28T09:00:00Z") / 1000)]);
  await ctx.close();
});
