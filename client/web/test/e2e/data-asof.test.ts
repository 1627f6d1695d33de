// The board "As of…" in a real browser against a real clubcrmd: a task
// created, then changed; the board as of a moment between shows the old
// version, read-only (no actions; keys that write are refused with a
// message), with its banner; as of the change's revision the new one; back
// to live; the server's refusals (the future, before the club) shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { api, browser, cat, desk, srv } from "../support/fixture.js";
import { loginPage, newContext, row, screenshot } from "../support/browser.js";
import { toInputValue, wallTime } from "../../src/ui/time.js";

const ZONE = "Europe/Madrid"; // the demo club's
desk({ login: "fermin" });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A datetime-local value with seconds, in the club's zone. */
const inputAt = (t: number) => `${toInputValue(t, ZONE)}:${String(wallTime(t, ZONE).second).padStart(2, "0")}`;

/** Waits for the picker's error to say `re` (the answer arrives asynchronously). */
async function errorSays(page: Page, re: RegExp): Promise<void> {
  await page.waitForFunction((src) => new RegExp(src).test(document.querySelector("[data-asof-error]")?.textContent ?? ""),
    re.source, { timeout: 10000 });
}

async function askAsOf(page: Page, at: string, rev: string): Promise<void> {
  if (!(await page.locator("[data-asof-form]").count())) await page.click('[data-act="as-of"]');
  const f = page.locator("[data-asof-form]");
  await f.locator('input[name="asOfAt"]').fill(at);
  await f.locator('input[name="asOfRevision"]').fill(rev);
  await f.locator('[data-act="as-of-show"]').click();
}

test("as of a moment before a change: the old version, read-only, then back to live", async () => {
  const customerId = (await api.listCustomers("Lucía", 5)).customers[0].id;
  const typeId = cat.taskTypes.find((x) => x.name === "Call")!.id;
  const made = await api.createTask({ description: "As-of test: the old words", typeId, customerId,
    plannedAt: BigInt(Math.floor(Date.now() / 1000) + 86400) });
  const id = made.row!.task!.id;
  // A moment strictly after the create's second and before the edit's.
  await sleep(1100);
  const between = Math.floor(Date.now() / 1000);
  await sleep(1100);
  const edited = await api.editTask({ id, baseModRev: made.row!.task!.modRev, description: "As-of test: the new words" });

  const page = await loginPage(await newContext(browser), srv, "alicia", "demo", "board/all");
  await row(page, id).waitFor();
  assert.match(await row(page, id).innerText(), /the new words/);

  await askAsOf(page, inputAt(between), "");
  const banner = page.locator(".board-asof-banner");
  await banner.waitFor();
  const rev = BigInt((await banner.getAttribute("data-asof-revision"))!);
  assert.ok(rev >= made.revision && rev < edited.revision, `revision ${rev} between the create and the edit`);
  const when = `${toInputValue(between, ZONE).replace("T", " ")}`;
  assert.equal(await banner.locator("[data-asof-label]").innerText(), `As of ${when} (revision ${rev}) — read-only`);
  assert.equal(await page.locator(".board-grid").getAttribute("data-past"), "yes");
  await row(page, id).waitFor();
  assert.match(await row(page, id).innerText(), /the old words/);
  await screenshot(page, "board-as-of");

  // Read-only: no action bar, writing keys refused with a message, nothing taken.
  assert.equal(await page.locator(".board-actions").count(), 0);
  assert.equal(await page.locator('.board-bar [data-action="new-task"]').isDisabled(), true);
  await row(page, id).click();
  await page.keyboard.press("t");
  await page.locator(".msg.error", { hasText: "read-only" }).first().waitFor();
  await page.keyboard.press("n");
  await row(page, id).dblclick();
  assert.equal(await page.locator("dialog.dlg[open]").count(), 0);
  assert.equal((await api.getTask(id, false)).row!.task!.takenBy, 0n);

  // Another mode keeps the moment: the urgent list as it stood.
  await page.keyboard.press("2");
  await page.locator('.board-grid[data-mode="urgent"][data-past="yes"]').waitFor();
  await banner.waitFor();

  // As of the edit's revision: the new words.
  await page.keyboard.press("1");
  await page.locator('.board-grid[data-mode="all"]').waitFor();
  await askAsOf(page, "", String(edited.revision));
  await page.locator(`.board-asof-banner[data-asof-revision="${edited.revision}"]`).waitFor();
  await page.waitForFunction((sel) => /the new words/.test(document.querySelector(sel)?.textContent ?? ""),
    `[data-task-id="${id}"]`);

  // Back to live, by the button; the actions are back.
  await page.click('[data-act="live"]');
  await banner.waitFor({ state: "detached" });
  assert.equal(await page.locator(".board-grid").getAttribute("data-past"), "no");
  await page.locator(".board-actions").waitFor();
  await row(page, id).waitFor();
  // And by Escape.
  await askAsOf(page, inputAt(between), "");
  await banner.waitFor();
  await page.locator(".board-scroll").focus();
  await page.keyboard.press("Escape");
  await banner.waitFor({ state: "detached" });
  await page.context().close();
});

test("the server's refusals are shown: the future, before the club, a revision beyond", async () => {
  const page = await loginPage(await newContext(browser), srv, "valentina", "demo", "board/all");
  await page.locator('.board-grid[data-mode="all"]').waitFor();
  await askAsOf(page, inputAt(Math.floor(Date.now() / 1000) + 2 * 86400), "");
  await errorSays(page, /as_of is in the future/);
  await askAsOf(page, "2001-01-01T10:00", "");
  await errorSays(page, /before the club's history/);
  await askAsOf(page, "", "999999999");
  await errorSays(page, /beyond the current revision/);
  await askAsOf(page, "2001-01-01T10:00", "5");
  await errorSays(page, /not both/);
  assert.equal(await page.locator(".board-asof-banner").count(), 0);
  assert.equal(await page.locator(".board-grid").getAttribute("data-past"), "no");
  await page.context().close();
});
