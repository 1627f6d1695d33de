// "Download CSV" in a real browser against a real clubcrmd, caught by
// Playwright's download event: the board (live and as of a past moment),
// the contacts and the customer's profile; each file starts with a UTF-8
// byte-order mark, parses back (a small RFC 4180 reader below) with the
// CLI's columns, and holds an awkward description (comma, quotes, line
// break, accents) exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Page } from "playwright-core";
import { api, browser, desk, srv } from "../support/fixture.js";
import { loginPage, newContext, row } from "../support/browser.js";
import { CUSTOMER_HEAD, TASK_HEAD } from "../../src/lib/csv.js";

const AWKWARD = 'Pádel, "dobles" y más\nsecond line: Ñandú, 100%';

desk({ login: "fermin" });

/** RFC 4180: records of fields; quoted fields may hold commas, CR, LF and doubled quotes. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        assert.ok(q >= 0, "an unterminated quoted field");
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const m = /[,\r]/.exec(text.slice(i));
      const end = m ? i + m.index : text.length;
      field = text.slice(i, end);
      assert.ok(!/["\n]/.test(field), `a bare quote or line feed in ${JSON.stringify(field)}`);
      i = end;
    }
    rec.push(field);
    if (text[i] === ",") {
      i++;
      continue;
    }
    assert.equal(text.slice(i, i + 2), "\r\n", "records end in CRLF");
    i += 2;
    out.push(rec);
    rec = [];
    if (i >= text.length) return out;
  }
}

/** Clicks `button`, catches the download: its file name, bytes and records (the BOM checked and dropped). */
async function download(page: Page, button: string): Promise<{ name: string; bytes: Buffer; records: string[][] }> {
  const [d] = await Promise.all([page.waitForEvent("download", { timeout: 15000 }), page.click(button)]);
  const bytes = readFileSync((await d.path())!);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte-order mark first");
  return { name: d.suggestedFilename(), bytes, records: parseCsv(bytes.subarray(3).toString("utf8")) };
}

/** The CLI beside the server under test (build/client/cli/clubcrm). */
function cli(): string {
  const c = join(dirname(process.env.CLUBCRMD!), "..", "client", "cli", "clubcrm");
  assert.ok(existsSync(c), `the CLI is built beside clubcrmd: ${c}`);
  return c;
}

let lucia: bigint;
let awkwardId: bigint;

test("the board's CSV, live and as of a moment: the CLI's columns, the awkward text intact", async () => {
  lucia = (await api.listCustomers("Lucía", 5)).customers[0].id;
  const cat = await api.getCatalog();
  const typeId = cat.taskTypes.find((x) => x.name === "Call")!.id;
  const made = await api.createTask({ description: AWKWARD, typeId, customerId: lucia,
    plannedAt: BigInt(Math.floor(Date.now() / 1000) + 3600) });
  awkwardId = made.row!.task!.id;

  const page = await loginPage(await newContext(browser), srv, "alicia", "demo", "board/all");
  await row(page, awkwardId).waitFor();
  const live = await download(page, '.board-bar [data-act="csv"]');
  assert.match(live.name, /^clubcrm-tasks-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.deepEqual(live.records[0], [...TASK_HEAD]);
  const mine = live.records.find((r) => r[0] === String(awkwardId));
  assert.ok(mine, "the new task is in the file");
  assert.equal(mine.length, TASK_HEAD.length);
  assert.equal(mine[1], "task");
  assert.equal(mine[7], "Lucía Fernández");
  assert.equal(mine[8], "planned");
  assert.equal(mine[13], AWKWARD);
  assert.ok(live.records.every((r) => r.length === TASK_HEAD.length));
  const ids = live.records.slice(1).map((r) => r[0]);
  assert.equal(new Set(ids).size, ids.length, "no row twice");

  // As of the create's revision: the board's own rows, the file named by its moment.
  await page.click('[data-act="as-of"]');
  await page.fill('input[name="asOfRevision"]', String(made.revision));
  await page.click('[data-act="as-of-show"]');
  await page.locator(".board-asof-banner").waitFor();
  const shown = Number(await page.locator(".board-count").getAttribute("data-count"));
  const past = await download(page, '.board-bar [data-act="csv"]');
  assert.match(past.name, /^clubcrm-tasks-as-of-\d{4}-\d{2}-\d{2}-\d{4}\.csv$/);
  assert.equal(past.records.length - 1, shown);
  assert.equal(past.records.find((r) => r[0] === String(awkwardId))?.[13], AWKWARD);
  await page.context().close();
});

test("the customer's profile's CSV: all the customer's tasks and notes, one snapshot", async () => {
  const page = await loginPage(await newContext(browser, "es-ES"), srv, "maribel", "demo", `customer/${lucia}`);
  await row(page, awkwardId).waitFor();
  assert.equal((await page.locator('.cust-bar [data-act="csv"]').innerText()).trim(), "Descargar CSV");
  const f = await download(page, '.cust-bar [data-act="csv"]');
  assert.match(f.name, new RegExp(`^clubcrm-customer-${lucia}-tasks-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  assert.deepEqual(f.records[0], [...TASK_HEAD]); // the CLI's column names, whatever the page's language
  const want = (await api.listTasks({ filter: { customerId: lucia }, pageSize: 500 })).rows.map((r) => String(r.task!.id));
  assert.deepEqual(f.records.slice(1).map((r) => r[0]).sort(), want.sort());
  assert.ok(f.records.slice(1).every((r) => r[7] === "Lucía Fernández"));
  assert.equal(f.records.find((r) => r[0] === String(awkwardId))?.[13], AWKWARD);
  // Byte for byte the CLI's export of the same tasks.
  const fromCli = execFileSync(cli(), ["--server", `127.0.0.1:${srv.tcp.port}`, "--user", "fermin", "task", "export",
    "--customer", String(lucia), "--bom"], { env: { ...process.env, CLUBCRM_PASSWORD: "demo" } });
  assert.equal(f.bytes.toString("utf8"), fromCli.toString("utf8"));
  await page.context().close();
});

test("the contacts' CSV: the customers the search shows, as customer export", async () => {
  const saved = await api.upsertCustomer({ name: 'Núñez, "Pepe" José', phone: "600 123 456", email: "pepe@example.org",
    active: true });
  const page = await loginPage(await newContext(browser), srv, "valentina", "demo", "board/contacts");
  await page.locator(".contacts-search input").fill("nunez");
  await page.locator(`[data-customer-id="${saved!.id}"]`).waitFor();
  const f = await download(page, '[data-action="csv"]');
  assert.match(f.name, /^clubcrm-customers-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.deepEqual(f.records[0], [...CUSTOMER_HEAD]);
  assert.equal(f.records.length, 2, "only the customer the search shows");
  const [id, name, phone, email, , created] = f.records[1];
  assert.deepEqual([id, name, phone, email], [String(saved!.id), 'Núñez, "Pepe" José', "600 123 456", "pepe@example.org"]);
  assert.match(created, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  // No search: every active customer.
  await page.locator(".contacts-search input").fill("");
  const all = await download(page, '[data-action="csv"]');
  let n = 0;
  await api.listAllCustomers((cs) => (n += cs.length));
  assert.equal(all.records.length - 1, n);
  const fromCli = execFileSync(cli(), ["--server", `127.0.0.1:${srv.tcp.port}`, "--user", "fermin", "customer",
    "export", "--bom"], { env: { ...process.env, CLUBCRM_PASSWORD: "demo" } });
  assert.equal(all.bytes.toString("utf8"), fromCli.toString("utf8"));
  await page.context().close();
});
