// The club's language (setting `language`) in the page's words: it decides
// for a user who never picked one on this browser, "" gives the browser's
// own back, and a pick on the page wins over it. i18n.ts reads the storage
// and the browser's languages when it loads, so both are stubbed first.
import { test } from "node:test";
import assert from "node:assert/strict";

const store = new Map<string, string>();
Object.defineProperty(globalThis, "localStorage", {
  configurable: true,
  value: {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  },
});
Object.defineProperty(globalThis, "navigator", {
  configurable: true,
  value: { languages: ["en-GB", "en"], language: "en-GB" },
});

test("the club's language decides until the user picks one", async () => {
  const i18n = await import("../../src/i18n.js");
  assert.equal(i18n.lang(), "en", "the browser's language first");
  assert.equal(i18n.t("nav.urgent"), "Urgent");

  assert.equal(i18n.useClubLanguage("es"), true, "changed");
  assert.equal(i18n.lang(), "es");
  assert.equal(i18n.t("nav.urgent"), "Urgentes");
  assert.equal(store.get("clubcrm.clubLang"), "es", "remembered for this browser's next login form");
  assert.equal(i18n.useClubLanguage("es"), false, "the same again: no change");

  assert.equal(i18n.useClubLanguage(""), true, "none: the browser's own again");
  assert.equal(i18n.lang(), "en");
  assert.equal(store.has("clubcrm.clubLang"), false);

  assert.equal(i18n.useClubLanguage("fr"), false, "an unknown value is no language");
  assert.equal(i18n.lang(), "en");

  i18n.setLang("en");
  assert.equal(i18n.useClubLanguage("es"), false, "the user's pick wins");
  assert.equal(i18n.lang(), "en");
  assert.equal(store.get("clubcrm.clubLang"), "es", "still remembered");
  i18n.setLang("es");
  assert.equal(i18n.useClubLanguage(""), false);
  assert.equal(i18n.lang(), "es");
});
