// The agendas' calendar: days, slots and where tasks fall, in the club's
// zone, across both daylight-saving changes of Europe/Madrid in 2026
// (29 March: 02:00 -> 03:00; 25 October: 03:00 -> 02:00).
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { TaskRowSchema } from "../../src/gen/clubcrm_pb.js";
import {
  addDays, dayRange, hoursFor, isoDate, locate, normaliseHours, parseIsoDate, placeRows, slotCount, slotLabel,
  slotTime, weekStart, widenHours, type Column,
} from "../../src/ui/agenda/grid.js";

const MADRID = "Europe/Madrid";
const utc = (s: string) => Date.parse(s) / 1000;
const row = (id: number, operatorId: number, at: number) =>
  create(TaskRowSchema, { task: { id: BigInt(id), operatorId: BigInt(operatorId), plannedAt: BigInt(at) } });
const week = (first: string, op = 7n): Column[] =>
  Array.from({ length: 7 }, (_, i) => ({ operatorId: op, date: addDays(parseIsoDate(first)!, i) }));

test("dates: parsing refuses what is not a day, weeks start on Monday, months roll", () => {
  assert.deepEqual(parseIsoDate("2026-12-07"), { year: 2026, month: 12, day: 7 });
  for (const bad of ["2026-02-30", "2026-13-01", "26-12-07", "2026-12-7", "", undefined, "1969-12-31"])
    assert.equal(parseIsoDate(bad), null, String(bad));
  assert.equal(isoDate(weekStart(parseIsoDate("2026-10-25")!)), "2026-10-19"); // a Sunday
  assert.equal(isoDate(weekStart(parseIsoDate("2026-10-19")!)), "2026-10-19"); // a Monday
  assert.equal(isoDate(addDays(parseIsoDate("2026-12-31")!, 1)), "2027-01-01");
  assert.equal(isoDate(addDays(parseIsoDate("2024-03-01")!, -1)), "2024-02-29");
});

test("a week that crosses the autumn change is 7 days and an hour long, midnight to midnight", () => {
  const [from, to] = dayRange(parseIsoDate("2026-10-19")!, 7, MADRID);
  assert.equal(from, utc("2026-10-18T22:00:00Z")); // 00:00 CEST
  assert.equal(to, utc("2026-10-25T23:00:00Z")); // 00:00 CET of Monday 26
  assert.equal(to - from, 7 * 86400 + 3600);
  const [d0, d1] = dayRange(parseIsoDate("2026-03-29")!, 1, MADRID);
  assert.equal(d1 - d0, 23 * 3600);
  assert.deepEqual(dayRange(parseIsoDate("2026-12-07")!, 1, "UTC"), [utc("2026-12-07T00:00:00Z"), utc("2026-12-08T00:00:00Z")]);
});

test("10:00 is the 10:00 slot on both sides of the autumn change", () => {
  const h = normaliseHours(30, 8 * 60, 22 * 60);
  const cols = week("2026-10-19");
  const sat = utc("2026-10-24T08:00:00Z"); // 10:00 CEST
  const sun = utc("2026-10-25T09:00:00Z"); // 10:00 CET
  assert.deepEqual(locate(cols, h, 7n, sat, MADRID), { col: 5, slot: 4 });
  assert.deepEqual(locate(cols, h, 7n, sun, MADRID), { col: 6, slot: 4 });
  assert.equal(slotLabel(h, 4), "10:00");
  assert.equal(slotTime(cols[5].date, h, 4, MADRID), sat);
  assert.equal(slotTime(cols[6].date, h, 4, MADRID), sun);
  // 10:29 is still the 10:00 slot; 10:30 the next one.
  assert.deepEqual(locate(cols, h, 7n, sun + 29 * 60, MADRID), { col: 6, slot: 4 });
  assert.deepEqual(locate(cols, h, 7n, sun + 30 * 60, MADRID), { col: 6, slot: 5 });
  // Another operator's task, or a day outside the columns, is not placed.
  assert.equal(locate(cols, h, 8n, sun, MADRID), null);
  assert.equal(locate(cols, h, 7n, utc("2026-10-26T09:00:00Z"), MADRID), null);
});

test("the repeated hour of the autumn change falls twice in the same slot", () => {
  const h = normaliseHours(30, 0, 24 * 60);
  const cols = week("2026-10-19");
  const first = utc("2026-10-25T00:30:00Z"); // 02:30 CEST
  const second = utc("2026-10-25T01:30:00Z"); // 02:30 CET
  assert.deepEqual(locate(cols, h, 7n, first, MADRID), { col: 6, slot: 5 });
  assert.deepEqual(locate(cols, h, 7n, second, MADRID), { col: 6, slot: 5 });
  // A new task in that slot takes its first occurrence.
  assert.equal(slotTime(cols[6].date, h, 5, MADRID), first);
  const cells = placeRows(cols, h, [row(2, 7, second), row(1, 7, first)], MADRID);
  assert.deepEqual(cells.get("6:5")!.map((r) => r.task!.id), [1n, 2n]);
});

test("the spring gap's slots have no time, the day around them does", () => {
  const h = normaliseHours(30, 0, 24 * 60);
  const day = parseIsoDate("2026-03-29")!;
  assert.equal(slotCount(h), 48);
  assert.equal(slotTime(day, h, 3, MADRID), utc("2026-03-29T00:30:00Z")); // 01:30 CET
  assert.equal(slotTime(day, h, 4, MADRID), null); // 02:00 does not exist
  assert.equal(slotTime(day, h, 5, MADRID), null); // 02:30 neither
  assert.equal(slotTime(day, h, 6, MADRID), utc("2026-03-29T01:00:00Z")); // 03:00 CEST
  assert.equal(slotTime(day, h, 20, MADRID), utc("2026-03-29T08:00:00Z")); // 10:00 CEST
  assert.equal(slotTime(day, h, 48, MADRID), null); // past the end
  const cols: Column[] = [{ operatorId: 1n, date: day }];
  assert.deepEqual(locate(cols, h, 1n, utc("2026-03-29T08:00:00Z"), MADRID), { col: 0, slot: 20 });
});

test("hours: unusable settings fall back, tasks outside them widen them slot by slot", () => {
  assert.deepEqual(normaliseHours(), { slot: 30, start: 480, end: 1320 });
  assert.deepEqual(normaliseHours(0, 2000, 5000), { slot: 30, start: 0, end: 1440 });
  assert.deepEqual(normaliseHours(-30, -1, 10.5), { slot: 30, start: 0, end: 1440 });
  assert.deepEqual(normaliseHours(45, 600, 600), { slot: 45, start: 600, end: 1440 });
  assert.equal(slotCount({ slot: 45, start: 600, end: 700 }), 3); // a last, shorter slot
  const h = normaliseHours(30, 480, 1320);
  assert.deepEqual(widenHours(h, [7 * 60 + 10, 22 * 60 + 45, -5, 9999]), { slot: 30, start: 420, end: 1380 });
  assert.deepEqual(widenHours(h, [5]), { slot: 30, start: 0, end: 1320 });
  assert.deepEqual(widenHours(h, [23 * 60 + 59]), { slot: 30, start: 480, end: 1440 });
  // Only the rows of the columns widen the hours.
  const cols = week("2026-12-07");
  const early = row(1, 7, utc("2026-12-08T06:00:00Z")); // 07:00 in Madrid
  assert.deepEqual(hoursFor(h, cols, [early], MADRID), { slot: 30, start: 420, end: 1320 });
  assert.deepEqual(hoursFor(h, cols, [row(1, 9, utc("2026-12-08T06:00:00Z"))], MADRID), h);
});

test("rows land in their cells in planned order, the rest are left out", () => {
  const h = normaliseHours(30, 480, 1320);
  const cols: Column[] = [
    { operatorId: 1n, date: parseIsoDate("2026-12-07")! },
    { operatorId: 2n, date: parseIsoDate("2026-12-07")! },
  ];
  const at = (hhmm: string) => utc(`2026-12-07T${hhmm}:00+01:00`);
  const cells = placeRows(cols, h, [
    row(10, 2, at("10:15")), row(11, 2, at("10:00")), row(12, 1, at("08:00")),
    row(13, 1, at("07:59")), row(14, 3, at("10:00")), row(15, 1, at("22:00")),
    create(TaskRowSchema, {}),
  ], MADRID);
  assert.deepEqual([...cells.keys()].sort(), ["0:0", "1:4"]);
  assert.deepEqual(cells.get("1:4")!.map((r) => r.task!.id), [11n, 10n]);
  assert.deepEqual(cells.get("0:0")!.map((r) => r.task!.id), [12n]);
});
