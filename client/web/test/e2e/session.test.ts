// The web session's security in a real browser: a reload keeps the session
// (the tab's resume token in sessionStorage, no password asked), a second
// tab (a new context) must log in, and logout ends the session: a reload
// then shows the login form, and the old token is refused by the server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClubClient, type TokenStore, sessionTokenStore } from "../../src/lib/client.js";
import { deskUrl, loginPage, newContext } from "../support/browser.js";
import { browser, desk, srv } from "../support/fixture.js";
import { tcpPipe } from "../support/server.js";

desk();

const TOKEN_KEY = "clubcrm.resume";

/** A Storage holding one saved item, for a library client in Node. */
function storageWith(value: string): Storage {
  const m = new Map<string, string>([[TOKEN_KEY, value]]);
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

async function resumeWith(saved: string): Promise<string | null> {
  const tokens: TokenStore = sessionTokenStore(storageWith(saved));
  const c = new ClubClient({ pipe: tcpPipe("127.0.0.1", () => srv.tcp.port), tokens });
  try {
    const op = await c.resume();
    return op ? op.login : null;
  } finally {
    c.close();
  }
}

test("a reload keeps the session without asking for the password", async () => {
  const ctx = await newContext(browser);
  const page = await loginPage(ctx, srv, "valentina", "demo", "board/all");
  const saved = await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY);
  assert.ok(saved, "the tab keeps a resume token");
  assert.equal(JSON.parse(saved).login, "valentina");
  assert.equal(await page.evaluate(() => Object.keys(localStorage).some((k) => /resume|token/.test(k))), false,
    "no token in localStorage");
  await page.reload();
  await page.waitForSelector('[data-login="valentina"]', { timeout: 10000 });
  assert.equal(await page.locator('input[name="password"]').count(), 0, "no login form after the reload");
  assert.equal(await page.evaluate(() => location.hash), "#/board/all", "the same page");

  // Another tab of another context (its own sessionStorage) must log in.
  const other = await (await newContext(browser)).newPage();
  await other.goto(deskUrl(srv));
  await other.waitForSelector('input[name="login"]');
  assert.equal(await other.locator("[data-login]").count(), 0);
  await other.context().close();
  await ctx.close();
});

test("logout ends the session: the login form comes back and the old token is refused", async () => {
  const ctx = await newContext(browser);
  const page = await loginPage(ctx, srv, "deborah", "demo", "board/all");
  const saved = await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY);
  assert.ok(saved);

  await page.click("button.logout");
  await page.waitForSelector('input[name="password"]', { timeout: 10000 });
  assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY), null, "the token is forgotten");
  await page.reload();
  await page.waitForSelector('input[name="password"]', { timeout: 10000 });
  assert.equal(await page.locator('[data-login="deborah"]').count(), 0);

  // The old token, put back by hand, is refused: the form again, and the tab drops it.
  await page.evaluate(([k, v]) => sessionStorage.setItem(k, v), [TOKEN_KEY, saved] as const);
  await page.reload();
  await page.waitForSelector('input[name="password"]', { timeout: 10000 });
  assert.equal(await page.locator('[data-login="deborah"]').count(), 0);
  assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY), null);
  assert.equal(await resumeWith(saved), null, "the server refuses the revoked token");
  await ctx.close();
});

test("a wrong password is told in the desk's language, Spanish included", async () => {
  for (const [locale, words] of [["es-ES", /^No se pudo entrar: usuario o contraseña incorrectos\.$/],
    ["en-GB", /^Login failed: wrong login or password\.$/]] as const) {
    const ctx = await newContext(browser, locale);
    try {
      const page = await ctx.newPage();
      await page.goto(deskUrl(srv));
      await page.fill('input[name="login"]', "alicia");
      await page.fill('input[name="password"]', "not her password");
      await page.click('button[type="submit"]');
      const err = page.locator("form.login .error");
      await err.waitFor({ timeout: 15000 });
      assert.match((await err.textContent())?.trim() ?? "", words, locale);
    } finally {
      await ctx.close();
    }
  }
});
