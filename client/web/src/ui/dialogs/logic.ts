/*
 * The dialogs' pure logic, free of the DOM so that unit tests run it in
 * Node: the default planned time (the next full hour on the CLUB's clock),
 * a task's editable fields as plain values, what an edit changed, the
 * conflict view's field-by-field comparison, the follow-up's rules (which
 * actions a result allows, which follow-ons the type proposes) and the
 * history's lines.
 */
import { inkOn, tagCss } from "../tags.js";
import {
  FollowUpAction,
  type FollowOn,
  type HistoryEntry,
  Outcome,
  type Result,
  type Task,
  TaskStatus,
  type TaskType,
} from "../../gen/clubcrm_pb.js";
import { wallTime, zonedToUnix } from "../time.js";

/**
 * The next full hour after `now` on the wall clock of `zone` (a zone whose
 * offset is not whole hours still gets hh:00 there); an hour that does not
 * exist (the daylight-saving gap) is skipped.
 */
export function nextFullHour(now: number, zone: string): number {
  const w = wallTime(now, zone);
  for (let h = 1; h <= 4; h++) {
    const d = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour + h, 0));
    const t = zonedToUnix({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
      hour: d.getUTCHours(), minute: 0 }, zone);
    if (t !== null && t > now) return t;
  }
  return now - (now % 3600) + 3600; // not reached for real zones
}

/** What the planned-time field says about its value. */
export type WhenCheck = { ok: true; at: number; past: boolean } | { ok: false; why: "empty" | "invalid" | "gap" };

/** Checks a datetime-local value typed in the club's zone. */
export function checkWhen(v: string, zone: string, now: number): WhenCheck {
  if (!v.trim()) return { ok: false, why: "empty" };
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(v.trim());
  if (!m) return { ok: false, why: "invalid" };
  const w = { year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5] };
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59)
    return { ok: false, why: "invalid" };
  const real = new Date(Date.UTC(w.year, w.month - 1, w.day));
  if (real.getUTCDate() !== w.day) return { ok: false, why: "invalid" }; // 31/02
  const at = zonedToUnix(w, zone);
  if (at === null) return { ok: false, why: "gap" };
  return { ok: true, at, past: at < now };
}

/** A task's editable fields as plain values, comparable field by field. */
export interface TaskFields {
  description: string;
  typeId: bigint;
  plannedAt: bigint;
  operatorId: bigint;
  customerId: bigint;
  status: TaskStatus;
  resultId: bigint;
  closingNote: string;
  tagIds: bigint[]; // sorted
}

export const FIELD_NAMES = ["description", "typeId", "plannedAt", "operatorId", "customerId", "status", "resultId",
  "closingNote", "tagIds"] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export function sortIds(ids: Iterable<bigint>): bigint[] {
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function fieldsOf(t: Task): TaskFields {
  return {
    description: t.description,
    typeId: t.typeId,
    plannedAt: t.plannedAt,
    operatorId: t.operatorId,
    customerId: t.customerId,
    status: t.status,
    resultId: t.resultId,
    closingNote: t.closingNote,
    tagIds: sortIds(t.tagIds),
  };
}

export function sameField(a: TaskFields, b: TaskFields, f: FieldName): boolean {
  if (f === "tagIds") return a.tagIds.length === b.tagIds.length && a.tagIds.every((x, i) => x === b.tagIds[i]);
  return a[f] === b[f];
}

/** The fields `mine` changed from `base` (what an edit sends). */
export function changedFields(base: TaskFields, mine: TaskFields): FieldName[] {
  return FIELD_NAMES.filter((f) => !sameField(base, mine, f));
}

/**
 * The EditTask for the fields `mine` changed from `base`: only those are
 * sent, so re-applying it on their newer version keeps their other changes.
 */
export function editOf(id: bigint, baseModRev: bigint, base: TaskFields, mine: TaskFields) {
  const e: {
    id: bigint; baseModRev: bigint; description?: string; typeId?: bigint; plannedAt?: bigint;
    operatorId?: bigint; customerId?: bigint; status?: TaskStatus; resultId?: bigint; closingNote?: string;
    setTags?: boolean; tagIds?: bigint[];
  } = { id, baseModRev };
  for (const f of changedFields(base, mine)) {
    if (f === "tagIds") {
      e.setTags = true;
      e.tagIds = mine.tagIds;
    } else {
      (e as Record<string, unknown>)[f] = mine[f];
    }
  }
  return e;
}

export interface ConflictRow {
  field: FieldName;
  theirs: TaskFields[FieldName];
  mine: TaskFields[FieldName];
  /** Their version and mine differ here. */
  differs: boolean;
  /** I changed this field (from the version my form started from). */
  changedByMe: boolean;
  /** They changed this field (since the version my form started from). */
  changedByThem: boolean;
}

/** Their version beside mine, field by field. */
export function conflictRows(base: TaskFields, theirs: TaskFields, mine: TaskFields): ConflictRow[] {
  return FIELD_NAMES.map((field) => ({
    field,
    theirs: theirs[field],
    mine: mine[field],
    differs: !sameField(theirs, mine, field),
    changedByMe: !sameField(base, mine, field),
    changedByThem: !sameField(base, theirs, field),
  }));
}

/**
 * Every field I changed already holds my value in theirs: my edit is in
 * (a Save whose answer was lost, saved again; or the same edit by someone
 * else), and there is nothing to resolve.
 */
export function mineAlreadyIn(rows: ConflictRow[]): boolean {
  return rows.every((r) => !r.changedByMe || !r.differs);
}

/** Fields both sides changed to different values: re-applying mine overwrites theirs there. */
export function overlapping(rows: ConflictRow[]): FieldName[] {
  return rows.filter((r) => r.changedByMe && r.changedByThem && r.differs).map((r) => r.field);
}

// ---------------------------------------------------------------- follow-up

/** Does the result conclude the task (Done or Cancelled)? */
export function concludes(r: Result | undefined): boolean {
  return !!r && (r.leadsTo === TaskStatus.DONE || r.leadsTo === TaskStatus.CANCELLED);
}

/** The follow-up actions the result allows: keeping open is refused for a result that concludes. */
export function allowedActions(r: Result | undefined): FollowUpAction[] {
  const all = [FollowUpAction.UNSPECIFIED, FollowUpAction.CLOSE, FollowUpAction.CLOSE_WITH_NOTE,
    FollowUpAction.KEEP_OPEN];
  return concludes(r) ? all.filter((a) => a !== FollowUpAction.KEEP_OPEN) : all;
}

/** Will the task stay open after this follow-up? */
export function staysOpen(r: Result | undefined, a: FollowUpAction): boolean {
  if (a === FollowUpAction.CLOSE || a === FollowUpAction.CLOSE_WITH_NOTE) return false;
  if (a === FollowUpAction.KEEP_OPEN) return true;
  return !concludes(r);
}

/** The follow-ons of `type` that a result of outcome `o` sets off (the server creates them). */
export function proposedFollowOns(type: TaskType | undefined, r: Result | undefined): FollowOn[] {
  if (!type || !r) return [];
  return type.followOns.filter((f) => f.onOutcome === Outcome.UNSPECIFIED || f.onOutcome === r.outcome);
}

/** Validates a follow-up form: an error key, or null. */
export function followUpProblem(r: Result | undefined, a: FollowUpAction, note: string): string | null {
  if (!r) return "dialogs.err.result";
  if (a === FollowUpAction.KEEP_OPEN && concludes(r)) return "dialogs.err.keepOpen";
  if (a === FollowUpAction.CLOSE_WITH_NOTE && !note.trim()) return "dialogs.err.note";
  return null;
}

// ---------------------------------------------------------------- history

export interface HistoryLine {
  at: bigint;
  who: string;
  action: string;
  changes: { field: string; from: string; to: string }[];
}

/**
 * The history newest first, each change as `field: old -> new` ("-" for no
 * value); times through `fmt` (the club's zone).
 */
export function historyLines(h: HistoryEntry[], fmt: (t: bigint) => string): HistoryLine[] {
  return [...h].reverse().map((e) => ({
    at: e.at,
    who: e.actorLogin || (e.actorId ? `#${e.actorId}` : "?"),
    action: e.action,
    changes: e.changes.length
      ? e.changes.map((c) => {
        const time = c.field === "planned_at" || c.oldTime !== 0n || c.newTime !== 0n;
        return {
          field: c.field,
          from: time && c.oldTime ? fmt(c.oldTime) : c.oldValue || "-",
          to: time && c.newTime ? fmt(c.newTime) : c.newValue || "-",
        };
      })
      : e.changedFields.map((f) => ({ field: f, from: "", to: "" })),
  }));
}

// ---------------------------------------------------------------- tags

/** A tag's colour as CSS (the server's names or #rrggbb); "" when unknown. */
export const tagColourCss = (c: string | undefined): string => tagCss(c);
export { inkOn };

/** The tags to add and to remove to go from `had` to `want`. */
export function tagChanges(had: Iterable<bigint>, want: Iterable<bigint>): { add: bigint[]; remove: bigint[] } {
  const h = new Set(had), w = new Set(want);
  return { add: sortIds([...w].filter((x) => !h.has(x))), remove: sortIds([...h].filter((x) => !w.has(x))) };
}

/** An id from an event's detail (bigint, number or decimal string); undefined otherwise. */
export function toId(v: unknown): bigint | undefined {
  if (typeof v === "bigint") return v > 0n ? v : undefined;
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return BigInt(v);
  if (typeof v === "string" && /^[0-9]{1,20}$/.test(v)) {
    const b = BigInt(v);
    return b > 0n && b < 1n << 64n ? b : undefined;
  }
  return undefined;
}
