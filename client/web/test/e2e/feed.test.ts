// "Subscribe to calendar" on My agenda, in a browser against the real
// server: the panel explains, "New URL" asks first (Cancel changes
// nothing), then shows the secret URL (this page's address + the path),
// Copy puts it on the clipboard, the URL answers an iCalendar feed, and a
// second "New URL" makes the first one 404. In Spanish too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deskUrl, loginPage, newContext, screenshot } from "../support/browser.js";
import { browser, desk, srv } from "../support/fixture.js";

desk();

const URL_RE = /^http:\/\/127\.0\.0\.1:\d+\/feed\/[A-Za-z0-9_-]{43}\.ics$/;

async function status(url: string): Promise<{ code: number; type: string; body: string }> {
  const r = await fetch(url);
  return { code: r.status, type: r.headers.get("content-type") ?? "", body: await r.text() };
}

test("subscribe to calendar: confirm, show, copy, rotate", async () => {
  const ctx = await newContext(browser);
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: deskUrl(srv).replace(/\/$/, "") });
  const page = await loginPage(ctx, srv, "alicia", "demo", "agenda");
  await page.waitForSelector("table.cal");
  const open = page.locator('[data-feed="open"]');
  assert.match((await open.textContent()) ?? "", /Subscribe to calendar/);
  await open.click();
  await page.locator(".feed-panel").waitFor();
  assert.match((await page.locator(".feed-explain").textContent()) ?? "", /secret address/);
  assert.equal(await page.locator('[data-feed="url"]').count(), 0); // nothing to show before one is made

  // New URL asks first; Cancel makes none.
  await page.click('[data-feed="new"]');
  assert.match((await page.locator(".feed-confirm").textContent()) ?? "", /old URL stops working/);
  await page.click('[data-feed="cancel"]');
  assert.equal(await page.locator(".feed-confirm").count(), 0);
  assert.equal(await page.locator('[data-feed="url"]').count(), 0);

  await page.click('[data-feed="new"]');
  await page.click('[data-feed="confirm"]');
  const input = page.locator('[data-feed="url"]');
  await input.waitFor();
  const first = await input.inputValue();
  assert.match(first, URL_RE);
  assert.ok(first.startsWith(deskUrl(srv)), `${first} is on this page's address`);
  const got = await status(first);
  assert.equal(got.code, 200);
  assert.equal(got.type, "text/calendar; charset=utf-8");
  assert.match(got.body, /^BEGIN:VCALENDAR\r\n/);
  assert.match(got.body, /X-WR-CALNAME:Alicia/);

  await page.click('[data-feed="copy"]');
  await page.waitForFunction(() => document.querySelector(".feed-copied")?.textContent !== "");
  assert.equal(await page.locator(".feed-copied").textContent(), "Copied");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), first);
  await screenshot(page, "agenda-feed");

  // A new URL: the first stops at once.
  await page.click('[data-feed="new"]');
  await page.click('[data-feed="confirm"]');
  await page.waitForFunction((old) =>
    (document.querySelector('[data-feed="url"]') as HTMLInputElement | null)?.value !== old, first);
  const second = await input.inputValue();
  assert.match(second, URL_RE);
  assert.notEqual(second, first);
  assert.equal((await status(first)).code, 404);
  assert.equal((await status(second)).code, 200);

  // Closing forgets it (a secret is not left on the screen).
  await page.click('[data-feed="close"]');
  assert.equal(await page.locator(".feed-panel").count(), 0);
  await open.click();
  assert.equal(await page.locator('[data-feed="url"]').count(), 0);
  await ctx.close();
});

test("subscribe to calendar in Spanish", async () => {
  const ctx = await newContext(browser, "es-ES");
  const page = await loginPage(ctx, srv, "deborah", "demo", "agenda");
  await page.waitForSelector("table.cal");
  const open = page.locator('[data-feed="open"]');
  assert.match((await open.textContent()) ?? "", /Suscribirse en el calendario/);
  await open.click();
  await page.click('[data-feed="new"]');
  assert.match((await page.locator(".feed-confirm").textContent()) ?? "", /deja de funcionar/);
  await page.click('[data-feed="confirm"]');
  await page.locator('[data-feed="url"]').waitFor();
  assert.match(await page.locator('[data-feed="url"]').inputValue(), URL_RE);
  assert.match((await page.locator('[data-feed="copy"]').textContent()) ?? "", /Copiar/);
  await ctx.close();
});
