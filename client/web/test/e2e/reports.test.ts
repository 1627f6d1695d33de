// The Reports page in a real browser against a real clubcrmd: the admin
// sees the four tables for this month, a task the terminal creates and
// closes moves the counts after "Show", a period is picked by its dates
// (also before the club: the server's reason is shown), each "Download
// CSV" is the CLI's `report SECTION --format csv` byte for byte (after the
// BOM), the page in Spanish, operators have no Reports entry, and of two
// periods asked quickly the last one asked is shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Page } from "playwright-core";
import { loginPage, newContext, screenshot } from "../support/browser.js";
import { api, browser, desk, opId, srv, typeId } from "../support/fixture.js";
import { FrameReader, encodeFrame } from "../../src/lib/wire.js";

desk({ login: "alicia" });

function cli(args: string[]): string {
  const c = join(dirname(process.env.CLUBCRMD!), "..", "client", "cli", "clubcrm");
  assert.ok(existsSync(c), `the CLI is built beside clubcrmd: ${c}`);
  return execFileSync(c, ["--server", `127.0.0.1:${srv.tcp.port}`, "--user", "fermin", ...args],
    { env: { ...process.env, CLUBCRM_PASSWORD: "demo" } }).toString("utf8");
}

async function download(page: Page, section: string): Promise<{ name: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent("download", { timeout: 15000 }),
    page.click(`[data-act="csv"][data-section="${section}"]`)]);
  const bytes = readFileSync((await d.path())!);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte-order mark first");
  return { name: d.suggestedFilename(), text: bytes.subarray(3).toString("utf8") };
}

const cell = (page: Page, sel: string) => page.locator(sel).first().textContent().then((s) => Number(s?.trim()));

let page: Page;

test("this month's four tables; a closed task moves the counts after Show", async () => {
  page = await loginPage(await newContext(browser), srv, "fermin", "demo", "reports");
  await page.locator(".report-period").waitFor();
  for (const s of ["created", "outcomes", "response", "overdue"])
    await page.locator(`.report-section[data-section="${s}"]`).waitFor();
  const from = await page.getAttribute(".report-period", "data-from");
  assert.match(from ?? "", /^\d{4}-\d{2}-01$/);
  const rowSel = 'section[data-section="created"] tr[data-operator="Deborah"][data-type="Call"]';
  const before = (await page.locator(rowSel).count()) ? await cell(page, `${rowSel} td[data-n="done"]`) : 0;

  const customerId = (await api.listCustomers("Jorge", 1)).customers[0].id;
  const made = await api.createTask({ description: "e2e reports", typeId: typeId("Call"), customerId,
    operatorId: opId("deborah"), plannedAt: BigInt(Math.floor(Date.now() / 1000) + 3600) });
  await api.closeTask(made.row!.task!.id);
  await page.click('[data-act="show"]');
  await page.waitForFunction(([sel, n]) => Number(document.querySelector(`${sel} td[data-n="done"]`)?.textContent)
    === n, [rowSel, before + 1] as const, { timeout: 15000 });
  await screenshot(page, "reports");
});

test("each Download CSV is the CLI's report SECTION --format csv", async () => {
  const from = (await page.getAttribute(".report-period", "data-from"))!;
  const last = await page.inputValue('input[name="to"]');
  for (const s of ["created", "outcomes", "response", "overdue"]) {
    const f = await download(page, s);
    assert.match(f.name, new RegExp(`^clubcrm-report-${s}-${from}-to-${last}\\.csv$`));
    const fromCli = cli(["report", s, "--from", from, "--to", last, "--format", "csv"]);
    if (s === "overdue") {
      // Today's count is judged at "now", which moved between the two: every other day byte for byte.
      const a = f.text.split("\r\n"), b = fromCli.split("\r\n");
      assert.equal(a.length, b.length);
      assert.deepEqual(a.slice(0, -2), b.slice(0, -2));
      assert.equal(a.at(-2)!.split(",")[0], b.at(-2)!.split(",")[0]);
    } else {
      assert.equal(f.text, fromCli, `section ${s}`);
    }
    assert.ok(f.text.endsWith("\r\n"));
  }
});

test("a period picked by its dates; before the club: the server's reason", async () => {
  await page.fill('input[name="from"]', "2020-01-01");
  await page.fill('input[name="to"]', "2020-01-31");
  await page.click('[data-act="show"]');
  await page.locator('.reports-page .error:has-text("before the club\'s history")').waitFor();
  await page.fill('input[name="to"]', "2019-12-01");
  await page.click('[data-act="show"]');
  await page.locator('.reports-page .error:has-text("the second not before the first")').waitFor();
  await page.click('[data-act="month"]');
  await page.locator(".report-period").waitFor();
  await page.waitForFunction(() => !document.querySelector(".reports-page .error"));
  await page.context().close();
});

test("in Spanish; operators have no Reports entry", async () => {
  const es = await loginPage(await newContext(browser, "es-ES"), srv, "fermin", "demo", "reports");
  await es.locator(".report-period").waitFor();
  assert.equal((await es.locator('[data-nav="reports"]').innerText()).trim(), "Informes");
  assert.match(await es.locator('section[data-section="created"] h2').innerText(), /creadas, hechas y canceladas/);
  assert.equal((await es.locator('[data-act="csv"][data-section="overdue"]').innerText()).trim(), "Descargar CSV");
  await es.context().close();
  const op = await loginPage(await newContext(browser), srv, "deborah", "demo", "board/all");
  await op.locator('[data-nav="board/all"]').waitFor();
  assert.equal(await op.locator('[data-nav="reports"]').count(), 0);
  await op.context().close();
});

test("Month then Week clicked quickly: the page shows the week, whichever answer comes first", async () => {
  // Between the page and the server: the answer to the first report asked once armed is held
  // back until the next report's answer has gone to the page (a longer period answered later).
  const ctx = await newContext(browser);
  let armedAt = -1;
  let held: Buffer | null = null;
  const asked: bigint[] = [];
  await ctx.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    const up = new FrameReader(1 << 30);
    let preface = 12;
    ws.onMessage((m) => {
      let b = typeof m === "string" ? Buffer.from(m) : m;
      server.send(b);
      if (preface) {
        const skip = Math.min(preface, b.length);
        preface -= skip;
        b = b.subarray(skip);
      }
      for (const f of up.push(new Uint8Array(b))) if (f.body.case === "getReport") asked.push(f.requestId);
    });
    const down = new FrameReader(1 << 30);
    server.onMessage((m) => {
      for (const f of down.push(new Uint8Array(typeof m === "string" ? Buffer.from(m) : m))) {
        const bytes = Buffer.from(encodeFrame(f));
        const first = armedAt >= 0 ? asked[armedAt] : undefined;
        const second = armedAt >= 0 ? asked[armedAt + 1] : undefined;
        if (first !== undefined && f.requestId === first) {
          held = bytes;
          continue;
        }
        ws.send(bytes);
        if (second !== undefined && f.requestId === second && held) {
          ws.send(held);
          held = null;
        }
      }
    });
  });
  const p = await loginPage(ctx, srv, "fermin", "demo", "reports");
  await p.locator(".report-period").waitFor();
  // The week's period, asked alone first: what the page must end on.
  await p.click('[data-act="week"]');
  await p.waitForFunction(() => !document.querySelector(".reports-page .hint[role=status]"), null, { timeout: 15000 });
  const week = await p.getAttribute(".report-period", "data-from");
  armedAt = asked.length;
  await p.click('[data-act="month"]');
  await p.click('[data-act="week"]');
  await p.waitForFunction(() => !document.querySelector(".reports-page .hint[role=status]"), null, { timeout: 15000 });
  await p.waitForTimeout(500); // the held answer (the month's) has reached the page
  assert.equal(asked.length, armedAt + 2, "both were asked");
  assert.equal(held, null, "the month's answer went to the page after the week's");
  // (When this week starts on the 1st, both periods start alike and this cannot tell.)
  assert.equal(await p.getAttribute(".report-period", "data-from"), week, "the week, the last one asked");
  await ctx.close();
});
