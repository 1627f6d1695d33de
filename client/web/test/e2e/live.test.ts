// Two operators and the manager in three browsers: a priority task created
// in one appears red in the others without a reload; taken, it turns yellow
// in the others within a second.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { launchBrowser, loginPage, newContext, row, screenshot } from "../support/browser.js";
import { cleanup, startServer, type Server } from "../support/server.js";
import { Api } from "../../src/lib/api.js";
import { ClubClient } from "../../src/lib/client.js";
import { tcpPipe } from "../support/server.js";

let srv: Server;
let browser: Browser;

before(async () => {
  srv = await startServer({ web: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await cleanup(srv);
});

test("a priority task shows red everywhere, then yellow once taken", async () => {
  const alicia = await loginPage(await newContext(browser), srv, "alicia", "demo", "board/urgent/all");
  const valentina = await loginPage(await newContext(browser), srv, "valentina", "demo", "board/urgent/all");

  // Created by a third terminal (the CLI's library over TCP).
  const c = new ClubClient({ pipe: tcpPipe("127.0.0.1", () => srv.tcp.port) });
  await c.login("fermin", "demo");
  const api = new Api(c);
  const cat = await api.getCatalog();
  const type = cat.taskTypes.find((t) => t.priority && t.active)!;
  const customers = await api.listCustomers("", 1);
  const made = await api.createTask({
    description: "e2e: call back about the membership", typeId: type.id,
    customerId: customers.customers[0].id, plannedAt: BigInt(Math.floor(Date.now() / 1000) + 7200),
  });
  const id = made.row!.task!.id;
  for (const p of [alicia, valentina])
    await row(p, id).first().waitFor({ timeout: 5000 });
  assert.equal(await row(alicia, id).first().getAttribute("data-colour"), "red");
  assert.equal(await row(valentina, id).first().getAttribute("data-colour"), "red");

  await api.takeTask(id);
  const t0 = Date.now();
  await alicia.waitForSelector(`[data-task-id="${id}"][data-colour="yellow"]`, { timeout: 5000 });
  await valentina.waitForSelector(`[data-task-id="${id}"][data-colour="yellow"]`, { timeout: 5000 });
  assert.ok(Date.now() - t0 < 5000);
  await screenshot(alicia, "board-urgent");
  c.close();
});
