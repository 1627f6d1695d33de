// A board of 20,000 tasks: only the visible window of rows is in the DOM,
// scrolling to the end shows the last task, and the keys move through it.
// The tasks are made fast over TCP by the library, several connections
// with many creates in flight each. Frame times while scrolling are
// printed, not asserted (a loaded 2-core machine must not fail it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Api } from "../../src/lib/api.js";
import { ClubClient } from "../../src/lib/client.js";
import { loginPage, newContext, row } from "../support/browser.js";
import { browser, desk, srv } from "../support/fixture.js";
import { tcpPipe } from "../support/server.js";

const TASKS = 20000;
const CONNECTIONS = 4;
const IN_FLIGHT = 48; // under the server's 64 requests in flight per connection

desk();

async function seed(): Promise<{ last: bigint; first: bigint }> {
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    const c = new ClubClient({ pipe: tcpPipe("127.0.0.1", () => srv.tcp.port) });
    await c.login("fermin", "demo");
    return c;
  }));
  const api = new Api(clients[0]);
  const cat = await api.getCatalog();
  const typeId = cat.taskTypes.find((t) => !t.priority && t.active)!.id;
  const customerId = (await api.listCustomers("", 1)).customers[0].id;
  // Planned from a day ahead, a minute apart: the last made is the last row.
  const base = Math.floor(Date.now() / 1000) + 86400;
  let next = 0;
  const ids: bigint[] = new Array(TASKS);
  const t0 = Date.now();
  await Promise.all(clients.flatMap((c) => {
    const a = new Api(c);
    return Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = next++; i < TASKS; i = next++) {
        const r = await a.createTask({ description: `e2e-large task ${i}`, typeId, customerId,
          plannedAt: BigInt(base + i * 60) });
        ids[i] = r.row!.task!.id;
      }
    });
  }));
  console.log(`# seeded ${TASKS} tasks in ${Date.now() - t0} ms`);
  for (const c of clients) c.close();
  return { first: ids[0], last: ids[TASKS - 1] };
}

test("20,000 tasks: a few hundred rows in the DOM, the end reachable, the keys work", async () => {
  const { first, last } = await seed();
  const page = await loginPage(await newContext(browser), srv, "alicia", "demo", "board/all");
  page.on("console", (m) => console.log(`# page: ${m.text()}`));
  const t0 = Date.now();
  await page.waitForFunction((n) =>
    Number(document.querySelector(".board-count")?.getAttribute("data-count")) >= n, TASKS, { timeout: 60000 });
  console.log(`# the board of ${TASKS}+ rows shown after ${Date.now() - t0} ms`);
  const inDom = () => page.locator(".board-scroll [data-task-id]").count();
  assert.ok(await inDom() <= 300, `rows in the DOM: ${await inDom()}`);
  assert.equal(await row(page, last).count(), 0, "the last task is not drawn before it is scrolled to");

  // Scrolling through it by the wheel: frame times printed, beside the
  // machine's idle frame and the board's own update (the JS part).
  const idle = await page.evaluate(async () => {
    const gaps: number[] = [];
    let prev = performance.now();
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      gaps.push(performance.now() - (prev));
      prev = performance.now();
    }
    return gaps.sort((a, b) => a - b)[15];
  });
  console.log(`# idle frame p50 ${idle.toFixed(1)} ms`);
  // 60 frames scrolling `step` px each: frame times, and with `timed` the
  // board's own update times (the JS part).
  const scroll = (step: number, timed: boolean) => page.evaluate(async ({ step, timed }) => {
    const s = document.querySelector(".board-scroll") as HTMLElement;
    const proto = customElements.get("clubcrm-board")!.prototype as unknown as { update(c: unknown): void };
    const orig = proto.update;
    const spent: number[] = [];
    if (timed) {
      proto.update = function (c: unknown) {
        const t = performance.now();
        orig.call(this, c);
        spent.push(performance.now() - t);
      };
    }
    const gaps: number[] = [];
    let prev = performance.now();
    for (let i = 0; i < 60; i++) {
      s.scrollTop += step;
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const now = performance.now();
      gaps.push(now - prev);
      prev = now;
    }
    proto.update = orig;
    gaps.sort((a, b) => a - b);
    spent.sort((a, b) => a - b);
    return { p50: gaps[30], max: gaps[gaps.length - 1], top: s.scrollTop, spent };
  }, { step, timed });
  const frames = await scroll(2000, false);
  console.log(`# scrolling 2000 px a frame: frame p50 ${frames.p50.toFixed(1)} ms, max ${frames.max.toFixed(1)} ms`);
  const wheel = await scroll(100, true);
  const sp = wheel.spent;
  console.log(`# board updates ${sp.length}, p50 ${sp[sp.length >> 1]?.toFixed(2)} ms, max ${sp[sp.length - 1]?.toFixed(2)} ms`);
  console.log(`# scrolling 100 px a frame: frame p50 ${wheel.p50.toFixed(1)} ms, max ${wheel.max.toFixed(1)} ms`);
  assert.ok(frames.top > 0);
  assert.ok(await inDom() <= 300, `rows in the DOM while scrolled: ${await inDom()}`);
  assert.equal(await row(page, first).count(), 0, "rows scrolled past leave the DOM");

  // The end: the last task shown, within the scroller's viewport.
  await page.locator(".board-scroll").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("End");
  await row(page, last).waitFor();
  assert.equal(await row(page, last).getAttribute("aria-selected"), "true");
  const box = (await row(page, last).boundingBox())!;
  const view = (await page.locator(".board-scroll").boundingBox())!;
  assert.ok(box.y >= view.y - 1 && box.y + box.height <= view.y + view.height + 1, "the last row is in view");
  assert.ok(await inDom() <= 300);

  // And back to the start.
  await page.keyboard.press("Home");
  await page.waitForFunction(() => (document.querySelector(".board-scroll") as HTMLElement).scrollTop === 0);
  assert.equal(await page.locator('.board-scroll [aria-selected="true"]').count(), 1);
  assert.equal(await row(page, last).count(), 0);
});
