// What every end-to-end file starts with: one real clubcrmd with its web
// listener and one browser for the whole file, and (when asked) a third
// terminal: the library over TCP, logged in, with the club's catalogue.
// The bindings below are live (ES modules): a file imports them and reads
// them in its tests, after `desk()` has set them up.
import { after, before } from "node:test";
import type { Browser } from "playwright-core";
import type { Catalog } from "../../src/gen/clubcrm_pb.js";
import { Api } from "../../src/lib/api.js";
import { ClubClient } from "../../src/lib/client.js";
import { launchBrowser } from "./browser.js";
import { cleanup, startServer, tcpPipe, type Server } from "./server.js";

export let srv: Server;
export let browser: Browser;
/** The third terminal (undefined unless `desk({ login })`). */
export let client: ClubClient;
export let api: Api;
/** The catalogue as it was when the file started (undefined without a login). */
export let cat: Catalog;

let terminalLogin = "";

/**
 * Registers the file's before/after: the server and the browser, and, with
 * `login`, the terminal logged in as that user (password "demo") and the
 * catalogue; then `more`, the file's own preparation. Call once at the top
 * of a test file. (A file's own second `before` would not do: Node 20 runs
 * the top level's before hooks at the same time.)
 */
export function desk(o: { login?: string } = {}, more?: () => Promise<void> | void): void {
  before(async () => {
    srv = await startServer({ web: true });
    browser = await launchBrowser();
    if (o.login) {
      await connect(o.login);
      cat = await api.getCatalog();
    }
    await more?.();
  });
  after(async () => {
    client?.close();
    // Chromium that does not close must not hang the run: give it a while.
    if (browser) {
      const closed = await Promise.race([
        browser.close().then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 20_000).unref()),
      ]);
      if (!closed) console.error("chromium did not close within 20 s; going on");
    }
    await cleanup(srv);
  });
}

/** (Re)connects the terminal (after a server restart, say), as `login` or as before. */
export async function connect(login = terminalLogin): Promise<void> {
  client?.close();
  terminalLogin = login;
  client = new ClubClient({ pipe: tcpPipe("127.0.0.1", () => srv.tcp.port) });
  await client.login(login, "demo");
  api = new Api(client);
}

// The catalogue's ids by name (login for operators).
export const typeId = (name: string): bigint => cat.taskTypes.find((x) => x.name === name)!.id;
export const resultId = (name: string): bigint => cat.results.find((x) => x.name === name)!.id;
export const tagId = (name: string): bigint => cat.tags.find((x) => x.name === name)!.id;
export const teamId = (name: string): bigint => cat.teams.find((x) => x.name === name)!.id;
export const opId = (login: string): bigint => cat.operators.find((x) => x.login === login)!.id;

/** The first customer whose name matches `name` ("" for any). */
export async function customerId(name: string): Promise<bigint> {
  return (await api.listCustomers(name, 5)).customers[0].id;
}
