// Repeating tasks in the forms (src/ui/dialogs/repeat.ts): reading the
// form, the create's and the edit's fields as the CLI's --repeat / --until
// / --count send them, and the rows' mark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Recurrence, TaskSchema } from "../../src/gen/clubcrm_pb.js";
import { setLang } from "../../src/i18n.js";
import {
  dateValue, readRepeat, repeatChanged, repeatCreate, repeatEdit, repeatOf, repeatTitle, untilOfDate,
} from "../../src/ui/dialogs/repeat.js";

const Z = "Europe/Madrid";
const form = (v: Record<string, string>) => (n: string) => v[n] ?? null;

test("until a day: the next midnight in the club's zone, that day included", () => {
  // 2026-12-20 00:00 in Madrid (UTC+1) is 23:00 UTC the day before.
  assert.equal(untilOfDate("2026-12-19", Z), Date.UTC(2026, 11, 19, 23, 0) / 1000);
  // Summer time: UTC+2.
  assert.equal(untilOfDate("2026-07-01", Z), Date.UTC(2026, 6, 1, 22, 0) / 1000);
  assert.equal(untilOfDate("2026-02-30", Z), null);
  assert.equal(untilOfDate("20-12-2026", Z), null);
  assert.equal(untilOfDate("", Z), null);
  assert.equal(dateValue(untilOfDate("2026-12-19", Z)! - 1, Z), "2026-12-19");
});

test("reading the form: no repetition, an end by date or by count, and what is wrong", () => {
  assert.deepEqual(readRepeat(form({})), { recurrence: Recurrence.UNSPECIFIED, end: "never", until: "", count: 0 });
  assert.deepEqual(readRepeat(form({ repeat: "none", repeatEnd: "count", repeatCount: "x" })),
    { recurrence: Recurrence.UNSPECIFIED, end: "never", until: "", count: 0 });
  assert.deepEqual(readRepeat(form({ repeat: "weekly", repeatEnd: "count", repeatCount: "3", repeatUntil: "2026-12-31" })),
    { recurrence: Recurrence.WEEKLY, end: "count", until: "", count: 3 });
  assert.deepEqual(readRepeat(form({ repeat: "daily", repeatEnd: "until", repeatUntil: "2026-12-31", repeatCount: "3" })),
    { recurrence: Recurrence.DAILY, end: "until", until: "2026-12-31", count: 0 });
  assert.deepEqual(readRepeat(form({ repeat: "monthly" })),
    { recurrence: Recurrence.MONTHLY, end: "never", until: "", count: 0 });
  for (const n of ["0", "1001", "-1", "2.5", ""])
    assert.deepEqual(readRepeat(form({ repeat: "weekly", repeatEnd: "count", repeatCount: n })),
      { problem: "dialogs.repeat.err.count" }, n);
  assert.deepEqual(readRepeat(form({ repeat: "weekly", repeatEnd: "until", repeatUntil: "" })),
    { problem: "dialogs.repeat.err.until" });
  assert.deepEqual(readRepeat(form({ repeat: "yearly" })), { problem: "dialogs.repeat.err.kind" });
  assert.deepEqual(readRepeat(form({ repeat: "weekly", repeatEnd: "sometimes" })), { problem: "dialogs.repeat.err.kind" });
});

test("a create sends the recurrence and at most one end", () => {
  const c = (v: Record<string, string>) => {
    const r = readRepeat(form(v));
    assert.ok(!("problem" in r));
    return repeatCreate(r, Z);
  };
  assert.deepEqual(c({}), {});
  assert.deepEqual(c({ repeat: "weekly", repeatEnd: "count", repeatCount: "3" }),
    { recurrence: Recurrence.WEEKLY, repeatCount: 3 });
  assert.deepEqual(c({ repeat: "daily", repeatEnd: "until", repeatUntil: "2026-12-19" }),
    { recurrence: Recurrence.DAILY, repeatUntil: BigInt(untilOfDate("2026-12-19", Z)!) });
  assert.equal(c({ repeat: "daily", repeatEnd: "until", repeatUntil: "2026-02-31" }), null);
});

test("an edit sends only what changed; stopping and switching ends clear the other", () => {
  const until = BigInt(untilOfDate("2026-12-19", Z)!);
  const byCount = create(TaskSchema, { recurrence: Recurrence.WEEKLY, repeatCount: 3 });
  const byDate = create(TaskSchema, { recurrence: Recurrence.WEEKLY, repeatUntil: until });
  const plain = create(TaskSchema, {});
  const same = repeatOf(byCount, Z);
  assert.deepEqual(same, { recurrence: Recurrence.WEEKLY, end: "count", until: "", count: 3 });
  assert.deepEqual(repeatEdit(byCount, same, Z), {});
  assert.equal(repeatChanged(repeatEdit(byCount, same, Z)!), false);
  assert.deepEqual(repeatOf(byDate, Z).until, "2026-12-19");
  assert.deepEqual(repeatEdit(byDate, repeatOf(byDate, Z), Z), {});
  // Stop.
  const none = { recurrence: Recurrence.UNSPECIFIED, end: "never" as const, until: "", count: 0 };
  assert.deepEqual(repeatEdit(byCount, none, Z), { recurrence: Recurrence.UNSPECIFIED });
  assert.deepEqual(repeatEdit(plain, none, Z), {});
  // Another rhythm, same end.
  assert.deepEqual(repeatEdit(byCount, { ...same, recurrence: Recurrence.MONTHLY }, Z),
    { recurrence: Recurrence.MONTHLY });
  // Count to date: the count cleared.
  assert.deepEqual(repeatEdit(byCount, { ...same, end: "until", until: "2026-12-19", count: 0 }, Z),
    { repeatUntil: until, repeatCount: 0 });
  // Date to count: the date cleared.
  assert.deepEqual(repeatEdit(byDate, { recurrence: Recurrence.WEEKLY, end: "count", until: "", count: 5 }, Z),
    { repeatCount: 5, repeatUntil: 0n });
  // No end any more.
  assert.deepEqual(repeatEdit(byDate, { recurrence: Recurrence.WEEKLY, end: "never", until: "", count: 0 }, Z),
    { repeatUntil: 0n });
  // A plain task starts repeating.
  assert.deepEqual(repeatEdit(plain, { recurrence: Recurrence.DAILY, end: "count", until: "", count: 2 }, Z),
    { recurrence: Recurrence.DAILY, repeatCount: 2 });
  assert.equal(repeatEdit(plain, { recurrence: Recurrence.DAILY, end: "until", until: "nope", count: 0 }, Z), null);
});

test("the mark's title, in English and Spanish", () => {
  const until = BigInt(untilOfDate("2026-12-19", Z)!);
  setLang("en");
  assert.equal(repeatTitle(create(TaskSchema, {}), Z), "");
  assert.equal(repeatTitle(create(TaskSchema, { recurrence: Recurrence.WEEKLY, repeatUntil: until }), Z),
    "Repeats weekly until 19/12/2026");
  assert.equal(repeatTitle(create(TaskSchema, { recurrence: Recurrence.DAILY, repeatCount: 3 }), Z),
    "Repeats daily, 3 times left (this one included)");
  assert.equal(repeatTitle(create(TaskSchema, { recurrence: Recurrence.MONTHLY }), Z), "Repeats monthly");
  setLang("es");
  assert.equal(repeatTitle(create(TaskSchema, { recurrence: Recurrence.WEEKLY, repeatUntil: until }), Z),
    "Se repite cada semana hasta el 19/12/2026");
  setLang("en");
});
