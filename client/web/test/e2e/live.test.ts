// Two operators and the manager's console in three browsers: a priority
// task created through one browser's form appears red in the others without
// a reload; taken in another browser, it turns yellow everywhere within a
// second (the bound asserted is generous for a loaded machine; the
// benchmark bench/web.bench.ts measures it).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { loginPage, newContext, row, screenshot } from "../support/browser.js";
import { api, browser, cat, desk, srv } from "../support/fixture.js";

desk({ login: "fermin" });

async function yellowAt(p: Page, id: string): Promise<number> {
  return p.evaluate((sel) => new Promise<number>((resolve) => {
    const seen = () => document.querySelector(sel) !== null;
    if (seen()) return resolve(Date.now());
    const mo = new MutationObserver(() => {
      if (seen()) {
        mo.disconnect();
        resolve(Date.now());
      }
    });
    mo.observe(document.body, { subtree: true, childList: true, attributes: true });
  }), `[data-task-id="${id}"][data-colour="yellow"]`);
}

test("a priority task made in one browser shows red in the others, then yellow once taken in another", async () => {
  const urgentType = cat.taskTypes.find((t) => t.priority && t.active)!;

  const aliciaCtx = await newContext(browser);
  const consoleErrors: string[] = [];
  aliciaCtx.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  const alicia = await loginPage(aliciaCtx, srv, "alicia", "demo", "board/urgent/all");
  const valentina = await loginPage(await newContext(browser), srv, "valentina", "demo", "board/urgent/all");
  const manager = await loginPage(await newContext(browser), srv, "fermin", "demo", "console");

  // Alicia plans an urgent call through the new-task form.
  const text = "e2e: call back about the membership";
  await alicia.keyboard.press("n");
  const d = alicia.locator('dialog.dlg[open][data-dialog="create"]');
  await d.waitFor();
  await d.locator('input[name="customerSearch"]').fill("carm");
  await d.locator(".hits button", { hasText: "Carmen Ruiz" }).waitFor();
  await d.locator('input[name="customerSearch"]').press("Enter");
  await d.locator('select[name="type"]').selectOption(String(urgentType.id));
  await d.locator('textarea[name="description"]').fill(text);
  await d.locator("[data-save]").click();
  await d.waitFor({ state: "detached" });

  const r = valentina.locator("[data-task-id]", { hasText: text }).first();
  await r.waitFor({ timeout: 10000 });
  const id = (await r.getAttribute("data-task-id"))!;
  for (const p of [alicia, valentina, manager]) {
    await p.waitForSelector(`[data-task-id="${id}"][data-colour="red"]`, { timeout: 10000 });
  }

  // Valentina takes it in her browser (select the row, t).
  const arrivals = [alicia, manager].map((p) => yellowAt(p, id));
  await row(valentina, id).first().click();
  const t0 = Date.now();
  await valentina.keyboard.press("t");
  const at = await Promise.all(arrivals);
  await valentina.waitForSelector(`[data-task-id="${id}"][data-colour="yellow"]`, { timeout: 10000 });
  for (const x of at) assert.ok(x - t0 < 5000, `yellow after ${x - t0} ms`);
  assert.equal((await api.getTask(BigInt(id), false)).row!.takenByLogin, "valentina");
  await screenshot(alicia, "board-urgent");
  // Nothing failed to load or run in the page (a missing favicon was a 404).
  assert.deepEqual(consoleErrors, []);
});
