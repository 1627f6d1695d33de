// Debian's chromium driven by playwright-core (no browser download), for
// the end-to-end tests against the real server's web listener. The flags
// keep a headless Chromium from reaching for Google's services on a closed
// network. Screenshots go to CLUBCRM_SCREENSHOTS (default build dir).
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Server } from "./server.js";

const webSrc = resolve(process.env.CLUBCRM_WEB_SRC ?? process.cwd());
const require = createRequire(join(webSrc, "package.json"));
const { chromium } = require("playwright-core") as typeof import("playwright-core");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CLUBCRM_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage"],
  });
}

export function deskUrl(s: Server): string {
  if (!s.web) throw new Error("the server was started without its web listener");
  return `http://${s.web.host}:${s.web.port}/`;
}

/** A fresh browser context (its own sessionStorage), 1280x720, English. */
export async function newContext(b: Browser, lang = "en-GB"): Promise<BrowserContext> {
  return b.newContext({ viewport: { width: 1280, height: 720 }, locale: lang });
}

/** Opens the desk and logs in through the form (inputs `login`, `password`). */
export async function loginPage(ctx: BrowserContext, s: Server, login: string, password = "demo",
  route = ""): Promise<Page> {
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error(`[${login}] page error: ${e.message}`));
  await page.goto(deskUrl(s) + (route ? `#/${route}` : ""));
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.waitForSelector(`[data-login="${login}"]`);
  return page;
}

/** The row of task `id` on the page (every row carries data-task-id). */
export function row(page: Page, id: bigint | number | string) {
  return page.locator(`[data-task-id="${id}"]`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.CLUBCRM_SCREENSHOTS ?? join(process.cwd(), "screenshots");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
