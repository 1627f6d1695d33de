// The settings forms' checks: each refuses what the server refuses
// (server/domain/catalog*.c, catalog_settings.c, common/tagcolour.c), and
// lets through what it accepts.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkClub, checkColour, checkFollowOns, checkLogin, checkName, checkPassword, checkSelf, checkUnique, darkTextOn,
  formatClock, parseClock, tagCss, timeZones,
} from "../../src/ui/settings/rules.js";

const key = (r: { key: string } | null) => r?.key ?? null;

test("names: required, trimmed, at most 100 characters (not bytes), no control characters", () => {
  assert.equal(checkName("Call"), null);
  assert.equal(key(checkName("")), "settings.err.required");
  assert.equal(key(checkName("   ")), "settings.err.required");
  assert.equal(checkName("ñ".repeat(100)), null);
  assert.deepEqual(checkName("x".repeat(101)), { key: "settings.err.long", params: { field: "name", max: 100 } });
  assert.equal(checkName(`  ${"x".repeat(100)}  `), null, "trimmed before counting");
  assert.equal(key(checkName("a\u0001b")), "settings.err.control");
  assert.deepEqual(checkName("", "club_name"), { key: "settings.err.required", params: { field: "club_name" } });
});

test("names are unique whatever the letter case, the entry itself excepted", () => {
  const all = [{ id: 1n, name: "Call" }, { id: 2n, name: "Quote" }];
  assert.deepEqual(checkUnique(" CALL ", "task type", all, 0n),
    { key: "settings.err.exists", params: { what: "task type", name: "CALL" } });
  assert.equal(checkUnique("call", "task type", all, 1n), null);
  assert.equal(checkUnique("Visit", "task type", all, 0n), null);
});

test("logins: 1 to 32 of a-z 0-9 . _ -", () => {
  for (const ok of ["alicia", "a", "ana.b_c-9", "x".repeat(32)]) assert.equal(checkLogin(ok), null, ok);
  for (const bad of ["", "Alicia", "ana b", "x".repeat(33), "añа", "a/b"])
    assert.equal(key(checkLogin(bad)), "settings.err.login", bad);
});

test("passwords: required for a new operator, 4 to 128 bytes, confirmed", () => {
  assert.equal(checkPassword("", "", false), null, "empty: no change");
  assert.equal(key(checkPassword("", "", true)), "settings.err.passwordNew");
  assert.equal(key(checkPassword("abc", "abc", false)), "settings.err.passwordLength");
  assert.equal(checkPassword("abcd", "abcd", true), null);
  assert.equal(key(checkPassword("abcd", "abce", false)), "settings.err.passwordMismatch");
  assert.equal(key(checkPassword("abcd", "", false)), "settings.err.passwordMismatch");
  assert.equal(key(checkPassword("x".repeat(129), "x".repeat(129), false)), "settings.err.passwordLength");
  // 64 two-byte letters are 128 bytes; 65 are too many, though only 65 characters.
  assert.equal(checkPassword("ñ".repeat(64), "ñ".repeat(64), false), null);
  assert.equal(key(checkPassword("ñ".repeat(65), "ñ".repeat(65), false)), "settings.err.passwordLength");
  assert.equal(key(checkPassword("ab\tcd", "ab\tcd", false)), null, "a tab is typable");
  assert.equal(key(checkPassword("ab\u0007cd", "ab\u0007cd", false)), "settings.err.passwordControl");
});

test("an admin cannot deactivate or demote themselves", () => {
  assert.equal(key(checkSelf(true, false, true)), "settings.err.deactivateSelf");
  assert.equal(key(checkSelf(true, true, false)), "settings.err.demoteSelf");
  assert.equal(checkSelf(true, true, true), null);
  assert.equal(checkSelf(false, false, false), null);
});

test("tag colours: the server's names in any case or #rrggbb; shown as CSS with readable text", () => {
  assert.equal(tagCss("gold"), "#d4af37");
  assert.equal(tagCss("Gold"), "#d4af37");
  assert.equal(tagCss("#1A2b3C"), "#1a2b3c");
  assert.equal(tagCss(""), "");
  assert.equal(tagCss("#12345"), "");
  assert.equal(tagCss("teal"), "");
  assert.equal(checkColour(""), null, "no colour is allowed");
  assert.equal(checkColour("Purple"), null);
  assert.equal(checkColour("#00ff00"), null);
  for (const bad of ["#12345", "#12345g", "sort of greenish", "rgb(1,2,3)"]) {
    const r = checkColour(bad);
    assert.equal(r?.key, "settings.err.colour", bad);
    assert.match(String(r?.params?.names), /^black, blue, brown, .* yellow, or #rrggbb$/);
  }
  assert.equal(darkTextOn("#ffffff"), true);
  assert.equal(darkTextOn("#000000"), false);
  assert.equal(darkTextOn("#7b3fb0"), false);
  assert.equal(darkTextOn("#f0d000"), true);
});

test("follow-ons: a type, a whole delay up to a year, at most 8", () => {
  const fo = { typeId: "3", delay: "4320", outcome: "0", description: "call back" };
  assert.equal(checkFollowOns([fo]), null);
  assert.equal(checkFollowOns([]), null);
  assert.equal(key(checkFollowOns([{ ...fo, typeId: "0" }])), "settings.err.followOnType");
  assert.equal(key(checkFollowOns([{ ...fo, delay: "" }])), "settings.err.followOnDelay");
  assert.equal(key(checkFollowOns([{ ...fo, delay: "-5" }])), "settings.err.followOnDelay");
  assert.equal(checkFollowOns([{ ...fo, delay: String(366 * 24 * 60) }]), null);
  assert.equal(key(checkFollowOns([{ ...fo, delay: String(366 * 24 * 60 + 1) }])), "settings.err.followOnYear");
  assert.equal(key(checkFollowOns(Array(9).fill(fo))), "settings.err.followOns");
  assert.equal(key(checkFollowOns([{ ...fo, description: "x".repeat(4001) }])), "settings.err.long");
});

test("clock times: HH:MM to minutes, 24:00 included", () => {
  assert.equal(parseClock("08:00"), 480);
  assert.equal(parseClock("7:30"), 450);
  assert.equal(parseClock("24:00"), 1440);
  for (const bad of ["24:01", "12:60", "1230", "", "ab:cd", "12:5"]) assert.equal(parseClock(bad), null, bad);
  assert.equal(formatClock(450), "07:30");
  assert.equal(formatClock(1440), "24:00");
});

test("the club form: the server's ranges", () => {
  const ok = {
    clubName: "Club", slotMinutes: "30", dayStart: "08:00", dayEnd: "22:00", escalationMinutes: "30",
    sessionHours: "12", timeZone: "Europe/Madrid", language: "es",
  };
  const zones = ["Europe/Madrid", "UTC"];
  assert.equal(checkClub(ok, zones), null);
  const field = (d: Partial<typeof ok>) => {
    const r = checkClub({ ...ok, ...d }, zones);
    return r && `${r.field}:${r.key}`;
  };
  assert.equal(field({ clubName: " " }), "clubName:settings.err.required");
  assert.equal(field({ slotMinutes: "4" }), "slotMinutes:settings.err.slot");
  assert.equal(field({ slotMinutes: "241" }), "slotMinutes:settings.err.slot");
  assert.equal(field({ slotMinutes: "5" }), null);
  assert.equal(field({ dayStart: "22:00" }), "dayEnd:settings.err.hours");
  assert.equal(field({ dayEnd: "24:00" }), null);
  assert.equal(field({ dayEnd: "25:00" }), "dayEnd:settings.err.hours");
  assert.equal(field({ escalationMinutes: "0" }), null);
  assert.equal(field({ escalationMinutes: String(7 * 24 * 60) }), null);
  assert.equal(field({ escalationMinutes: String(7 * 24 * 60 + 1) }), "escalationMinutes:settings.err.escalation");
  assert.equal(field({ escalationMinutes: "x" }), "escalationMinutes:settings.err.minutes");
  assert.equal(field({ sessionHours: "0" }), "sessionHours:settings.err.session");
  assert.equal(field({ sessionHours: "73" }), "sessionHours:settings.err.session");
  assert.equal(field({ sessionHours: "72" }), null);
  assert.equal(field({ timeZone: "Mars/Olympus" }), "timeZone:settings.err.zone");
  assert.equal(field({ language: "" }), null);
  assert.equal(field({ language: "fr" }), "language:settings.err.language");
});

test("the zones offered include the club's own and UTC", () => {
  const z = timeZones("Europe/Madrid");
  assert.ok(z.includes("Europe/Madrid"));
  assert.ok(z.includes("UTC"));
  assert.equal(timeZones("Etc/Unknown_Old")[0], "Etc/Unknown_Old", "a zone the browser lacks stays selectable");
});
