// The browser desk's figures (a benchmark, not a test): the page's first
// load (bytes over the wire, time to the login form), and the time from a
// take in one browser to the row turning yellow in 20 other open pages
// (p50/p99 over several takes). Prints its figures; asserts nothing.
//
//   node build/client/web/bench/web.bench.mjs   (CLUBCRMD, CLUBCRM_WEB_ROOT, CLUBCRM_WEB_SRC set as for web.e2e)
//   WATCHERS=20 TAKES=10
import type { Page } from "playwright-core";
import { launchBrowser, deskUrl, loginPage, newContext, row } from "../test/support/browser.js";
import { cleanup, startServer, tcpPipe } from "../test/support/server.js";
import { Api } from "../src/lib/api.js";
import { ClubClient } from "../src/lib/client.js";

const WATCHERS = Number(process.env.WATCHERS ?? 20);
const TAKES = Number(process.env.TAKES ?? 10);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const srv = await startServer({ web: true });
const browser = await launchBrowser();
try {
  // First load: a fresh context (empty cache), to the login form.
  const loads: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(deskUrl(srv));
    await page.waitForSelector('input[name="login"]');
    const ms = Date.now() - t0;
    const bytes = await page.evaluate(() => {
      let n = 0;
      for (const e of performance.getEntries() as PerformanceResourceTiming[])
        if ("transferSize" in e) n += e.transferSize || 0;
      return n;
    });
    loads.push({ ms, bytes });
    await ctx.close();
  }
  console.log(`first load to the login form: ${pct(loads.map((l) => l.ms), 50)} ms p50 ` +
    `(${loads.map((l) => l.ms).join(", ")} ms), ${loads[0].bytes} bytes transferred`);

  const pages: Page[] = [];
  for (let i = 0; i < WATCHERS + 1; i++) {
    const login = ["alicia", "valentina", "deborah", "maribel", "fermin"][i % 5];
    pages.push(await loginPage(await newContext(browser), srv, login, "demo", "board/urgent/all"));
  }
  const [actor, ...watchers] = pages;

  const c = new ClubClient({ pipe: tcpPipe("127.0.0.1", () => srv.tcp.port) });
  await c.login("fermin", "demo");
  const api = new Api(c);
  const cat = await api.getCatalog();
  const type = cat.taskTypes.find((t) => t.priority && t.active)!;
  const customer = (await api.listCustomers("", 1)).customers[0].id;

  const lat: number[] = [];
  for (let k = 0; k < TAKES; k++) {
    const made = await api.createTask({ description: `bench take ${k}`, typeId: type.id, customerId: customer,
      plannedAt: BigInt(Math.floor(Date.now() / 1000) + 3600 + k * 60) });
    const id = made.row!.task!.id;
    for (const p of pages) await row(p, id).first().waitFor();
    // Each watcher notes when the row turns yellow (page clock = this machine's clock).
    const arrivals = watchers.map((p) => p.evaluate((sel) => new Promise<number>((resolve) => {
      const seen = () => document.querySelector(sel) !== null;
      if (seen()) return resolve(performance.timeOrigin + performance.now());
      const mo = new MutationObserver(() => {
        if (seen()) {
          mo.disconnect();
          resolve(performance.timeOrigin + performance.now());
        }
      });
      mo.observe(document.body, { subtree: true, childList: true, attributes: true });
    }), `[data-task-id="${id}"][data-colour="yellow"]`));
    await new Promise((r) => setTimeout(r, 50)); // the observers are in place
    // The take, in the actor's browser: select the row, press t.
    await row(actor, id).first().click();
    const t0 = await actor.evaluate(() => performance.timeOrigin + performance.now());
    await actor.keyboard.press("t");
    for (const at of await Promise.all(arrivals)) lat.push(Math.max(0, at - t0));
  }
  console.log(`take in one browser -> yellow in ${WATCHERS} other pages: p50 ${pct(lat, 50).toFixed(1)} ms, ` +
    `p99 ${pct(lat, 99).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms (${lat.length} arrivals, ${TAKES} takes)`);
  c.close();
} finally {
  await browser.close();
  await cleanup(srv);
}
