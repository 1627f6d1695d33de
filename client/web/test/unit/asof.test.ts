// The board's "As of…" (src/ui/board/asof.ts): reading the picker, the
// list filter for each board mode, and the read-only banner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setLang } from "../../src/i18n.js";
import { asOfLabel, isoMinute, modeFilter, readAsOf } from "../../src/ui/board/asof.js";

const Z = "Europe/Madrid";

test("the picker: a moment in the club's zone (seconds optional) or a revision, exactly one", () => {
  assert.deepEqual(readAsOf("2026-12-06T10:00", "", Z), { at: Date.UTC(2026, 11, 6, 9, 0) / 1000 });
  assert.deepEqual(readAsOf("2026-12-06T10:00:07", "", Z), { at: Date.UTC(2026, 11, 6, 9, 0, 7) / 1000 });
  assert.deepEqual(readAsOf(" 2026-07-06T10:00 ", "", Z), { at: Date.UTC(2026, 6, 6, 8, 0) / 1000 }); // CEST
  assert.deepEqual(readAsOf("", "42", Z), { revision: 42n });
  assert.deepEqual(readAsOf("", "18446744073709551615", Z), { revision: 18446744073709551615n });
  assert.deepEqual(readAsOf("", "18446744073709551616", Z), { problem: "board.asof.err.revision" });
  assert.deepEqual(readAsOf("2026-12-06T10:00", "42", Z), { problem: "board.asof.err.both" });
  assert.deepEqual(readAsOf("", "", Z), { problem: "board.asof.err.none" });
  for (const r of ["0", "-3", "1.5", "abc", "1e3"])
    assert.deepEqual(readAsOf("", r, Z), { problem: "board.asof.err.revision" }, r);
  // The spring-forward gap, nonsense, a bad second.
  for (const a of ["2031-03-30T02:30", "yesterday", "2026-12-06", "2026-12-06T10:00:75"])
    assert.deepEqual(readAsOf(a, "", Z), { problem: "board.asof.err.time" }, a);
});

test("each board mode's list filter keeps the board's own filter", () => {
  const base = { operatorIds: [7n], text: "padel" };
  assert.deepEqual(modeFilter("all", base), base);
  assert.deepEqual(modeFilter("urgent", base), { ...base, urgent: true });
  assert.deepEqual(modeFilter("prep", {}), { inPreparation: true });
  assert.deepEqual(modeFilter("overdue", {}), { overdue: true });
  assert.deepEqual(base, { operatorIds: [7n], text: "padel" }); // not changed in place
});

test("the banner: the moment asked for, else the revision's time; in both languages", () => {
  const at = Date.UTC(2026, 11, 6, 9, 0, 30) / 1000;
  assert.equal(isoMinute(at, Z), "2026-12-06 10:00");
  setLang("en");
  assert.equal(asOfLabel({ ask: { at }, revision: 12n, revisionAt: at - 600 }, Z),
    "As of 2026-12-06 10:00 (revision 12) — read-only");
  assert.equal(asOfLabel({ ask: { revision: 12n }, revision: 12n, revisionAt: at - 600 }, Z),
    "As of 2026-12-06 09:50 (revision 12) — read-only");
  setLang("es");
  assert.equal(asOfLabel({ ask: { at }, revision: 12n, revisionAt: at }, Z),
    "A fecha de 2026-12-06 10:00 (revisión 12) — solo lectura");
  setLang("en");
});
