// The board's pure logic: order, marks, chips, the virtual window, the
// cursor and scroll anchoring, and the filter panel's values turned into a
// TaskFilter or refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Colour, Outcome, TaskKind, TaskRowSchema, TaskStatus } from "../../src/gen/clubcrm_pb.js";
import {
  anchoredScroll, buildFilter, chips, colourName, duration, emptyFilter, findCustomer, isEmptyFilter,
  keepCursor, outcomeMark, refusal, scrollToShow, sortRows, statusIcon, tagColour, takenByName, toggleOrder,
  visibleWindow, dayRange,
} from "../../src/ui/board/model.js";
import { boardWords } from "../../src/ui/board/words.js";

function row(id: number, planned: number, created: number, more: Record<string, unknown> = {}) {
  return create(TaskRowSchema, {
    task: { id: BigInt(id), plannedAt: BigInt(planned), createdAt: BigInt(created), status: TaskStatus.PLANNED,
      kind: TaskKind.TASK, ...(more.task as object ?? {}) },
    ...Object.fromEntries(Object.entries(more).filter(([k]) => k !== "task")),
  });
}

const ids = (rows: { task?: { id: bigint } }[]) => rows.map((r) => Number(r.task!.id));

test("rows order by planned time, ties by id, and reverse whole when descending", () => {
  const rows = [row(3, 200, 10), row(1, 300, 30), row(2, 200, 20), row(4, 100, 40)];
  assert.deepEqual(ids(sortRows(rows, { key: "planned", descending: false })), [4, 2, 3, 1]);
  assert.deepEqual(ids(sortRows(rows, { key: "planned", descending: true })), [1, 3, 2, 4]);
  assert.deepEqual(ids(sortRows(rows, { key: "created", descending: false })), [3, 2, 1, 4]);
  assert.deepEqual(ids(sortRows(rows, { key: "created", descending: true })), [4, 1, 2, 3]);
  // A row without its task is not shown rather than breaking the order.
  assert.deepEqual(ids(sortRows([create(TaskRowSchema, {}), row(9, 1, 1)], { key: "planned", descending: false })),
    [9]);
});

test("a header click flips its own order and starts another ascending", () => {
  assert.deepEqual(toggleOrder({ key: "planned", descending: false }, "planned"), { key: "planned", descending: true });
  assert.deepEqual(toggleOrder({ key: "planned", descending: true }, "created"), { key: "created", descending: false });
});

test("a row's colour, icons and marks", () => {
  assert.equal(colourName(row(1, 1, 1, { colour: Colour.RED })), "red");
  assert.equal(colourName(row(1, 1, 1, { colour: Colour.YELLOW })), "yellow");
  assert.equal(colourName(row(1, 1, 1, { colour: Colour.NONE })), "none");
  assert.equal(colourName(row(1, 1, 1)), "none");
  assert.deepEqual([TaskStatus.PLANNED, TaskStatus.DONE, TaskStatus.CANCELLED].map(statusIcon), ["○", "✔", "✘"]);
  assert.deepEqual([Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.UNKNOWN, Outcome.UNSPECIFIED].map(outcomeMark),
    ["+", "-", "?", ""]);
  assert.equal(takenByName(row(1, 1, 1, { task: { takenBy: 5n }, takenByName: "Débora" })), "Débora");
  assert.equal(takenByName(row(1, 1, 1, { task: { takenBy: 5n }, takenByLogin: "deborah" })), "deborah");
  assert.equal(takenByName(row(1, 1, 1)), "");
  // Concluded, nobody is in charge of it any more.
  assert.equal(takenByName(row(1, 1, 1, { task: { takenBy: 5n, status: TaskStatus.DONE }, takenByName: "X" })), "");
  assert.deepEqual([59, 60 * 61, 3600 * 27, -5].map(duration), ["0 min", "1 h 01 min", "1 d 3 h", "0 min"]);
});

test("commands for planned tasks are refused on notes and concluded tasks", () => {
  assert.equal(refusal(row(1, 1, 1), "follow-up"), null);
  assert.equal(refusal(row(1, 1, 1, { task: { kind: TaskKind.NOTE } }), "take"), "board.refuse.note.take");
  assert.equal(refusal(row(1, 1, 1, { task: { status: TaskStatus.DONE } }), "cancel"), "board.refuse.done.cancel");
  assert.equal(refusal(row(1, 1, 1, { task: { status: TaskStatus.CANCELLED } }), "close"),
    "board.refuse.cancelled.close");
  assert.equal(refusal(create(TaskRowSchema, {}), "take"), "board.refuse.none");
});

test("tag chips take the tag's colour, named or #rrggbb, with readable text", () => {
  assert.equal(tagColour("green"), "#2e9d3a");
  assert.equal(tagColour(" Gold "), "#d4af37");
  assert.equal(tagColour("#A0B0C0"), "#a0b0c0");
  for (const bad of ["", "#12345", "#1234567", "chartreuse", "url(x)", "#12345g"]) assert.equal(tagColour(bad), "");
  const c = chips(row(1, 1, 1, { tagNames: ["vip", "late", "odd"], tagColours: ["black", "#ffffff"] }));
  assert.deepEqual(c.map((x) => [x.name, x.background, x.darkText]),
    [["vip", "#000000", false], ["late", "#ffffff", true], ["odd", "", true]]);
});

test("the virtual window: the viewport's rows and a margin, clamped to the list", () => {
  assert.deepEqual(visibleWindow(0, 340, 34, 20000, 10), { start: 0, end: 20 });
  assert.deepEqual(visibleWindow(34 * 1000, 340, 34, 20000, 10), { start: 990, end: 1020 });
  assert.deepEqual(visibleWindow(34 * 19990, 340, 34, 20000, 10), { start: 19980, end: 20000 });
  assert.deepEqual(visibleWindow(1e9, 340, 34, 20000, 10), { start: 20000, end: 20000 });
  assert.deepEqual(visibleWindow(-50, 340, 34, 5, 10), { start: 0, end: 5 });
  assert.deepEqual(visibleWindow(0, 340, 34, 0, 10), { start: 0, end: 0 });
  // 20,000 rows, any position: never more than a viewport and two margins.
  for (let top = 0; top < 34 * 20000; top += 34 * 777) {
    const w = visibleWindow(top, 700, 34, 20000, 10);
    assert.ok(w.end - w.start <= Math.ceil(700 / 34) + 21, `window at ${top}`);
  }
});

test("the cursor stays on its task, or takes the row now at its place", () => {
  const list = [10n, 20n, 30n];
  const at = (id: bigint) => { const i = list.indexOf(id); return i < 0 ? undefined : i; };
  assert.equal(keepCursor(20n, 1, list, at), 20n);
  assert.equal(keepCursor(99n, 1, list, at), 20n);
  assert.equal(keepCursor(99n, 7, list, at), 30n);
  assert.equal(keepCursor(99n, 1, [], () => undefined), undefined);
  assert.equal(keepCursor(undefined, 0, list, at), undefined);
});

test("the scroll position follows the anchor row and stays within the list", () => {
  // Three rows arrived above the anchor: the view scrolls down by three rows.
  assert.equal(anchoredScroll(340, 10, 13, 34, 100, 340), 340 + 3 * 34);
  assert.equal(anchoredScroll(34, 1, 0, 34, 100, 340), 0);
  assert.equal(anchoredScroll(0, 0, -2, 34, 100, 340), 0);
  assert.equal(anchoredScroll(3000, 90, 99, 34, 100, 340), 100 * 34 - 340);
  assert.equal(scrollToShow(0, 5, 34, 340), 0);
  assert.equal(scrollToShow(0, 10, 34, 340), 34);
  assert.equal(scrollToShow(340, 3, 34, 340), 102);
});

const customers = [
  { id: 1n, name: "Arantxa Etxeberria" }, { id: 2n, name: "Ángel Martín" }, { id: 3n, name: "Ángela Ruiz" },
];

test("a customer is found by name, accents and case aside", () => {
  assert.deepEqual(findCustomer("arantxa", customers), { id: 1n });
  assert.deepEqual(findCustomer("ANGEL MARTIN", customers), { id: 2n }); // exact beats the two "angel"s
  assert.deepEqual(findCustomer("ruiz", customers), { id: 3n });
  assert.deepEqual(findCustomer("angel", customers), { error: "board.filter.customerMany" });
  assert.deepEqual(findCustomer("zoe", customers), { error: "board.filter.customerNone" });
});

test("the filter panel's values make the TaskFilter", () => {
  assert.ok(isEmptyFilter(emptyFilter()));
  const f = { ...emptyFilter(), createdFrom: "2026-03-01", createdTo: "2026-03-31", plannedFrom: "2026-03-29",
    plannedTo: "2026-03-29", operatorId: "4", teamId: "2", typeId: "7", tagId: "9", status: "done",
    customer: "etxeberria", text: "  quote " };
  const r = buildFilter(f, "Europe/Madrid", customers);
  assert.ok(r.ok);
  if (!r.ok) return;
  // The club's days: Madrid is UTC+1 in early March, UTC+2 from 29 March
  // 2026 (a 23-hour day), and the "to" day counts whole.
  assert.equal(r.filter.createdFrom, BigInt(Date.UTC(2026, 1, 28, 23) / 1000));
  assert.equal(r.filter.createdTo, BigInt(Date.UTC(2026, 2, 31, 22) / 1000));
  assert.equal(r.filter.plannedFrom, BigInt(Date.UTC(2026, 2, 28, 23) / 1000));
  assert.equal(r.filter.plannedTo, BigInt(Date.UTC(2026, 2, 29, 22) / 1000));
  assert.deepEqual(r.filter.operatorIds, [4n]);
  assert.equal(r.filter.teamId, 2n);
  assert.deepEqual(r.filter.typeIds, [7n]);
  assert.deepEqual(r.filter.tagIds, [9n]);
  assert.deepEqual(r.filter.statuses, [TaskStatus.DONE]);
  assert.equal(r.filter.customerId, 1n);
  assert.equal(r.filter.text, "quote");
  assert.deepEqual(buildFilter(emptyFilter(), "UTC", customers), { ok: true, filter: {} });
});

test("bad dates, backwards ranges, unknown choices and long texts are refused", () => {
  const bad = (over: Record<string, string>) => buildFilter({ ...emptyFilter(), ...over }, "UTC", customers);
  assert.deepEqual(bad({ createdFrom: "2026-02-30" }),
    { ok: false, error: "board.filter.badDate", params: { field: "board.filter.created", value: "2026-02-30" } });
  assert.equal((bad({ plannedTo: "31/12/2026" }) as { error: string }).error, "board.filter.badDate");
  assert.equal((bad({ plannedTo: "1969-12-31" }) as { error: string }).error, "board.filter.badDate");
  assert.deepEqual(bad({ plannedFrom: "2026-12-10", plannedTo: "2026-12-01" }),
    { ok: false, error: "board.filter.badRange", params: { field: "board.filter.planned" } });
  assert.ok(bad({ plannedFrom: "2026-12-10", plannedTo: "2026-12-10" }).ok, "one whole day");
  assert.equal((bad({ operatorId: "x1" }) as { error: string }).error, "board.filter.badChoice");
  assert.equal((bad({ teamId: "0" }) as { error: string }).error, "board.filter.badChoice");
  assert.equal((bad({ status: "open" }) as { error: string }).error, "board.filter.badChoice");
  assert.equal((bad({ customer: "nobody" }) as { error: string }).error, "board.filter.customerNone");
  assert.equal((bad({ text: "é".repeat(101) }) as { error: string }).error, "board.filter.textLong");
  assert.ok(bad({ text: "é".repeat(100) }).ok);
  assert.equal(dayRange("2026-13-01", "UTC"), null);
  assert.deepEqual(dayRange("2026-01-02", "UTC"), [Date.UTC(2026, 0, 2) / 1000, Date.UTC(2026, 0, 3) / 1000]);
});

test("every board word is in English and Spanish, with the manual's terms", () => {
  const en = Object.keys(boardWords.en).sort();
  const es = Object.keys(boardWords.es).sort();
  assert.deepEqual(es, en);
  for (const l of [boardWords.en, boardWords.es])
    for (const [k, v] of Object.entries(l)) assert.ok(v.trim(), `${k} is empty`);
  // Every refusal the model can give has its words.
  const rows = [row(1, 1, 1), row(1, 1, 1, { task: { kind: TaskKind.NOTE } }),
    row(1, 1, 1, { task: { status: TaskStatus.DONE } }), row(1, 1, 1, { task: { status: TaskStatus.CANCELLED } }),
    create(TaskRowSchema, {})];
  for (const r of rows)
    for (const a of ["follow-up", "cancel", "close", "take"] as const) {
      const k = refusal(r, a);
      if (k) assert.ok(k in boardWords.en, k);
    }
  for (const s of ["planned", "done", "cancelled"]) assert.ok(`board.status.${s}` in boardWords.en);
  assert.deepEqual([boardWords.es["board.status.planned"], boardWords.es["board.status.done"],
    boardWords.es["board.status.cancelled"], boardWords.es["board.act.followUp"]],
  ["Planificada", "Hecha", "Cancelada", "Seguir"]);
});
