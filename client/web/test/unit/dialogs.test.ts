// The dialogs' pure logic: the default planned time on the club's clock,
// the planned field's checks, what an edit sends, the conflict view's
// comparison, the follow-up's rules, the history's lines, tag colours and
// the customer profile's filter and order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import {
  FieldChangeSchema,
  FollowOnSchema,
  FollowUpAction,
  HistoryEntrySchema,
  Outcome,
  ResultSchema,
  TaskKind,
  TaskRowSchema,
  TaskSchema,
  TaskStatus,
  TaskTypeSchema,
} from "../../src/gen/clubcrm_pb.js";
import {
  allowedActions,
  changedFields,
  checkWhen,
  conflictRows,
  editOf,
  fieldsOf,
  followUpProblem,
  historyLines,
  inkOn,
  mineAlreadyIn,
  nextFullHour,
  overlapping,
  proposedFollowOns,
  staysOpen,
  tagChanges,
  tagColourCss,
  toId,
} from "../../src/ui/dialogs/logic.js";
import { customerRows, fold, type CustomerFilter } from "../../src/ui/dialogs/profile.js";
import { toInputValue } from "../../src/ui/time.js";
import { WORDS } from "../../src/ui/dialogs/words.js";

const utc = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h, mi) / 1000;

test("the next full hour is on the club's clock, whatever the offset", () => {
  // 10:20 UTC = 11:20 in Madrid (CET): 12:00 Madrid = 11:00 UTC.
  assert.equal(nextFullHour(utc(2026, 12, 7, 10, 20), "Europe/Madrid"), utc(2026, 12, 7, 11));
  // Exactly on the hour: the next one, never now.
  assert.equal(nextFullHour(utc(2026, 12, 7, 11), "Europe/Madrid"), utc(2026, 12, 7, 12));
  // Kolkata is UTC+5:30: 10:20 UTC = 15:50 there; 16:00 there = 10:30 UTC (not 11:00 UTC).
  assert.equal(nextFullHour(utc(2026, 12, 7, 10, 20), "Asia/Kolkata"), utc(2026, 12, 7, 10, 30));
  assert.equal(toInputValue(nextFullHour(utc(2026, 12, 7, 10, 20), "Asia/Kolkata"), "Asia/Kolkata"), "2026-12-07T16:00");
  // Across midnight and the year.
  assert.equal(toInputValue(nextFullHour(utc(2026, 12, 31, 23, 30), "Europe/Madrid"), "Europe/Madrid"), "2027-01-01T01:00");
  // Madrid springs forward on 29/03/2026 at 02:00 -> 03:00: from 01:30 CET the next full hour is 03:00 CEST.
  const t = nextFullHour(utc(2026, 3, 29, 0, 30), "Europe/Madrid");
  assert.equal(t, utc(2026, 3, 29, 1));
  assert.equal(toInputValue(t, "Europe/Madrid"), "2026-03-29T03:00");
});

test("a planned time in the daylight-saving gap is refused, a past one flagged", () => {
  const now = utc(2026, 12, 7, 10);
  assert.deepEqual(checkWhen("2026-03-29T02:30", "Europe/Madrid", now), { ok: false, why: "gap" });
  assert.deepEqual(checkWhen("", "Europe/Madrid", now), { ok: false, why: "empty" });
  assert.deepEqual(checkWhen("2026-02-31T10:00", "Europe/Madrid", now), { ok: false, why: "invalid" });
  assert.deepEqual(checkWhen("2026-12-07T25:00", "Europe/Madrid", now), { ok: false, why: "invalid" });
  assert.deepEqual(checkWhen("tomorrow", "Europe/Madrid", now), { ok: false, why: "invalid" });
  assert.deepEqual(checkWhen("2026-12-07T12:00", "Europe/Madrid", now), { ok: true, at: utc(2026, 12, 7, 11), past: false });
  assert.deepEqual(checkWhen("2026-12-07T10:59", "Europe/Madrid", now), { ok: true, at: utc(2026, 12, 7, 9, 59), past: true });
  // The repeated hour in autumn takes the first.
  const r = checkWhen("2026-10-25T02:30", "Europe/Madrid", now);
  assert.ok(r.ok && r.at === utc(2026, 10, 25, 0, 30));
});

const task = (o: Record<string, unknown> = {}) => create(TaskSchema, {
  id: 7n, kind: TaskKind.TASK, description: "Offer tennis lessons", typeId: 1n, plannedAt: 1000n, operatorId: 2n,
  customerId: 3n, status: TaskStatus.PLANNED, tagIds: [5n, 4n], modRev: 10n, ...o,
});

test("an edit sends only the fields the form changed", () => {
  const base = fieldsOf(task());
  assert.deepEqual(base.tagIds, [4n, 5n]); // sorted: order is no change
  assert.deepEqual(changedFields(base, fieldsOf(task({ tagIds: [4n, 5n] }))), []);
  const mine = { ...base, description: "Offer tennis lessons (group)", plannedAt: 2000n };
  assert.deepEqual(changedFields(base, mine), ["description", "plannedAt"]);
  assert.deepEqual(editOf(7n, 10n, base, mine),
    { id: 7n, baseModRev: 10n, description: "Offer tennis lessons (group)", plannedAt: 2000n });
  const tags = editOf(7n, 10n, base, { ...base, tagIds: [] });
  assert.deepEqual(tags, { id: 7n, baseModRev: 10n, setTags: true, tagIds: [] });
  assert.deepEqual(editOf(7n, 10n, base, { ...base, resultId: 9n, status: TaskStatus.DONE }),
    { id: 7n, baseModRev: 10n, status: TaskStatus.DONE, resultId: 9n });
});

test("the conflict view marks what differs and who changed what", () => {
  const base = fieldsOf(task());
  const theirs = fieldsOf(task({ description: "Theirs", operatorId: 8n }));
  const mine = { ...base, description: "Mine", plannedAt: 5000n };
  const rows = conflictRows(base, theirs, mine);
  const by = Object.fromEntries(rows.map((r) => [r.field, r]));
  assert.equal(rows.length, 9);
  assert.deepEqual([by.description.differs, by.description.changedByMe, by.description.changedByThem], [true, true, true]);
  assert.deepEqual([by.operatorId.differs, by.operatorId.changedByMe, by.operatorId.changedByThem], [true, false, true]);
  assert.deepEqual([by.plannedAt.differs, by.plannedAt.changedByMe, by.plannedAt.changedByThem], [true, true, false]);
  assert.equal(by.typeId.differs, false);
  assert.equal(by.tagIds.differs, false);
  assert.equal(by.description.theirs, "Theirs");
  assert.equal(by.description.mine, "Mine");
  assert.deepEqual(overlapping(rows), ["description"]);
  // Re-applying on theirs sends my changes only: their operator stays.
  assert.deepEqual(editOf(7n, 11n, base, mine), { id: 7n, baseModRev: 11n, description: "Mine", plannedAt: 5000n });
});

const result = (leadsTo: TaskStatus, outcome: Outcome) => create(ResultSchema, { id: 1n, name: "r", leadsTo, outcome });

test("the follow-up's rules: a concluding result cannot stay open", () => {
  const negative = result(TaskStatus.UNSPECIFIED, Outcome.NEGATIVE);
  const positive = result(TaskStatus.DONE, Outcome.POSITIVE);
  assert.ok(allowedActions(negative).includes(FollowUpAction.KEEP_OPEN));
  assert.ok(!allowedActions(positive).includes(FollowUpAction.KEEP_OPEN));
  assert.equal(allowedActions(positive).length, 3);
  assert.equal(staysOpen(negative, FollowUpAction.UNSPECIFIED), true);
  assert.equal(staysOpen(negative, FollowUpAction.CLOSE), false);
  assert.equal(staysOpen(positive, FollowUpAction.UNSPECIFIED), false);
  assert.equal(staysOpen(negative, FollowUpAction.KEEP_OPEN), true);
  assert.equal(followUpProblem(undefined, FollowUpAction.CLOSE, ""), "dialogs.err.result");
  assert.equal(followUpProblem(positive, FollowUpAction.KEEP_OPEN, ""), "dialogs.err.keepOpen");
  assert.equal(followUpProblem(positive, FollowUpAction.CLOSE_WITH_NOTE, "  "), "dialogs.err.note");
  assert.equal(followUpProblem(positive, FollowUpAction.CLOSE_WITH_NOTE, "accepted"), null);
  assert.equal(followUpProblem(negative, FollowUpAction.KEEP_OPEN, ""), null);
});

test("the type's follow-ons that a result sets off", () => {
  const type = create(TaskTypeSchema, { id: 1n, name: "Trial", followOns: [
    create(FollowOnSchema, { typeId: 2n, delayMinutes: 4320, onOutcome: Outcome.UNSPECIFIED }),
    create(FollowOnSchema, { typeId: 3n, delayMinutes: 60, onOutcome: Outcome.POSITIVE }),
    create(FollowOnSchema, { typeId: 4n, delayMinutes: 43200, onOutcome: Outcome.NEGATIVE }),
  ] });
  assert.deepEqual(proposedFollowOns(type, result(TaskStatus.DONE, Outcome.POSITIVE)).map((f) => f.typeId), [2n, 3n]);
  assert.deepEqual(proposedFollowOns(type, result(TaskStatus.UNSPECIFIED, Outcome.NEGATIVE)).map((f) => f.typeId), [2n, 4n]);
  assert.deepEqual(proposedFollowOns(type, undefined), []);
  assert.deepEqual(proposedFollowOns(undefined, result(TaskStatus.DONE, Outcome.POSITIVE)), []);
});

test("the history newest first, each change as field: old -> new", () => {
  const h = [
    create(HistoryEntrySchema, { at: 100n, actorLogin: "alicia", action: "create", changes: [
      create(FieldChangeSchema, { field: "description", newValue: "Offer" }),
      create(FieldChangeSchema, { field: "planned_at", newTime: 3600n }),
    ] }),
    create(HistoryEntrySchema, { at: 200n, actorId: 4n, action: "edit", changes: [
      create(FieldChangeSchema, { field: "planned_at", oldTime: 3600n, newTime: 7200n }),
      create(FieldChangeSchema, { field: "taken_by", oldValue: "Valentina" }),
    ] }),
    create(HistoryEntrySchema, { at: 300n, actorLogin: "x", action: "old", changedFields: ["status"] }),
  ];
  const lines = historyLines(h, (t) => `T${t}`);
  assert.deepEqual(lines.map((l) => l.action), ["old", "edit", "create"]);
  assert.deepEqual(lines[2].changes, [{ field: "description", from: "-", to: "Offer" },
    { field: "planned_at", from: "-", to: "T3600" }]);
  assert.equal(lines[1].who, "#4");
  assert.deepEqual(lines[1].changes, [{ field: "planned_at", from: "T3600", to: "T7200" },
    { field: "taken_by", from: "Valentina", to: "-" }]);
  assert.deepEqual(lines[0].changes, [{ field: "status", from: "", to: "" }]); // an older server: names only
});

test("tag colours, tag changes and ids from an event", () => {
  assert.equal(tagColourCss("gold"), "#d4af37");
  assert.equal(tagColourCss("GREEN"), "#2e9d3a");
  assert.equal(tagColourCss("#A0b0C0"), "#a0b0c0");
  assert.equal(tagColourCss("url(x)"), "");
  assert.equal(tagColourCss("#fff"), "");
  assert.equal(tagColourCss(undefined), "");
  assert.equal(inkOn("#ffffff"), "#000000");
  assert.equal(inkOn("#000000"), "#ffffff");
  assert.equal(inkOn("gold"), "");
  assert.deepEqual(tagChanges([1n, 2n, 3n], [3n, 4n, 1n]), { add: [4n], remove: [2n] });
  assert.deepEqual(tagChanges([], []), { add: [], remove: [] });
  assert.equal(toId(12n), 12n);
  assert.equal(toId(12), 12n);
  assert.equal(toId("12"), 12n);
  for (const bad of [0, -1, 1.5, "", "12a", "-3", "0", null, undefined, {}, "99999999999999999999999"])
    assert.equal(toId(bad), undefined, String(bad));
});

test("the customer's tasks filtered and newest first", () => {
  const row = (id: bigint, o: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    create(TaskRowSchema, { task: task({ id, ...o }), typeName: "Call", ...extra });
  const rows = [
    row(1n, { plannedAt: 100n, description: "Llamar a Lucía" }),
    row(2n, { plannedAt: 300n, status: TaskStatus.DONE, description: "Quote", typeId: 2n }, { typeName: "Quote" }),
    row(3n, { plannedAt: 200n, kind: TaskKind.NOTE, status: TaskStatus.DONE, description: "Note" }),
    row(4n, { plannedAt: 300n, status: TaskStatus.CANCELLED, description: "x" }, { tagNames: ["VIP"] }),
  ];
  const f = (o: Partial<CustomerFilter>) => customerRows(rows, { status: "", typeId: 0n, text: "", from: 0, to: 0, ...o })
    .map((r) => r.task!.id);
  assert.deepEqual(f({}), [4n, 2n, 3n, 1n]); // planned newest first, then the newer id
  assert.deepEqual(f({ status: "open" }), [1n]);
  assert.deepEqual(f({ status: "done" }), [2n, 3n]);
  assert.deepEqual(f({ status: "notes" }), [3n]);
  assert.deepEqual(f({ status: "cancelled" }), [4n]);
  assert.deepEqual(f({ typeId: 2n }), [2n]);
  assert.deepEqual(f({ text: "LUCIA" }), [1n]); // case and accents ignored
  assert.deepEqual(f({ text: "vip" }), [4n]); // tags too
  assert.deepEqual(f({ text: "quote call" }), []); // every word must match in one row
  assert.deepEqual(f({ from: 200, to: 300 }), [3n]);
  const made = [row(5n, { plannedAt: 1n, createdAt: 50n }), row(6n, { plannedAt: 2n, createdAt: 60n })];
  const g = (o: Partial<CustomerFilter>) => customerRows(made, { status: "", typeId: 0n, text: "", from: 0, to: 0, ...o })
    .map((r) => r.task!.id);
  assert.deepEqual(g({ createdFrom: 60 }), [6n]);
  assert.deepEqual(g({ createdTo: 60 }), [5n]);
  assert.equal(fold("Íñigo Zubizarreta"), "inigo zubizarreta");
});

test("every word of the dialogs and the profile in English and Spanish, with the manual's terms", () => {
  assert.deepEqual(Object.keys(WORDS.es).sort(), Object.keys(WORDS.en).sort());
  for (const [k, v] of [...Object.entries(WORDS.en), ...Object.entries(WORDS.es)]) assert.ok(v.trim(), k);
  for (const [k, v] of Object.entries(WORDS.en)) // the same {params} in both
    assert.deepEqual((WORDS.es as Record<string, string>)[k].match(/\{\w+\}/g)?.sort(), v.match(/\{\w+\}/g)?.sort(), k);
  assert.equal(WORDS.es["dialogs.title.followUp"], "Seguir");
  assert.equal(WORDS.es["dialogs.status.planned"], "Planificada");
  assert.equal(WORDS.es["dialogs.status.done"], "Hecha");
  assert.equal(WORDS.es["dialogs.status.cancelled"], "Cancelada");
});

test("my edit already in theirs (a lost answer, saved again) needs no resolving; a real overlap does", () => {
  const base = fieldsOf(task());
  const mine = { ...base, description: "Mine" };
  // Theirs holds my description and their own operator: nothing to resolve.
  assert.equal(mineAlreadyIn(conflictRows(base, { ...mine, operatorId: 8n }, mine)), true);
  assert.equal(mineAlreadyIn(conflictRows(base, mine, mine)), true);
  // Theirs changed my field to something else, or does not hold my change yet: a conflict.
  assert.equal(mineAlreadyIn(conflictRows(base, { ...base, description: "Theirs" }, mine)), false);
  assert.equal(mineAlreadyIn(conflictRows(base, { ...base, operatorId: 8n }, mine)), false);
});
