/*
 * The board's pure logic, kept apart from the DOM so that it is unit-tested
 * in Node: the row order, what a row shows (colour, status icon, marks), the
 * visible window of a long list, where the cursor and the scroll position go
 * when rows arrive or leave, the tag chips' colours, and the filter panel's
 * values turned into a TaskFilter (or refused with a message).
 */
import { inkOn, tagCss } from "../tags.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Colour, Outcome, TaskKind, type TaskFilterSchema, type TaskRow, TaskStatus } from "../../gen/clubcrm_pb.js";
import { dayBounds, zonedToUnix } from "../time.js";

export type ColourName = "red" | "yellow" | "none";

/** The row's colour as the server computed it (TaskRow.colour). */
export function colourName(r: TaskRow): ColourName {
  return r.colour === Colour.RED ? "red" : r.colour === Colour.YELLOW ? "yellow" : "none";
}

// ---------------------------------------------------------------- order

export type SortKey = "planned" | "created";

export interface Order {
  key: SortKey;
  descending: boolean;
}

export const DEFAULT_ORDER: Order = { key: "planned", descending: false };

/**
 * The rows in the board's order: by planned (or created) time, ties by id
 * (creation order), the whole order reversed when descending. Rows without a
 * task are dropped.
 */
export function sortRows(rows: Iterable<TaskRow>, o: Order): TaskRow[] {
  const keyed: { r: TaskRow; k: number; id: bigint }[] = [];
  for (const r of rows) {
    const t = r.task;
    if (!t) continue;
    keyed.push({ r, k: Number(o.key === "created" ? t.createdAt : t.plannedAt), id: t.id });
  }
  const dir = o.descending ? -1 : 1;
  keyed.sort((a, b) => dir * (a.k - b.k || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  return keyed.map((x) => x.r);
}

/** A click on a column header: the same key flips the direction, another starts ascending. */
export function toggleOrder(o: Order, key: SortKey): Order {
  return o.key === key ? { key, descending: !o.descending } : { key, descending: false };
}

// ---------------------------------------------------------------- a row's marks

export type StatusName = "planned" | "done" | "cancelled";

export function statusName(s: TaskStatus): StatusName {
  return s === TaskStatus.DONE ? "done" : s === TaskStatus.CANCELLED ? "cancelled" : "planned";
}

/** The terminal desk's icons: ○ planned, ✔ done, ✘ cancelled. */
export function statusIcon(s: TaskStatus): string {
  return s === TaskStatus.DONE ? "✔" : s === TaskStatus.CANCELLED ? "✘" : "○";
}

/** The result's mark: + positive, - negative, ? unknown, "" none. */
export function outcomeMark(o: Outcome): "+" | "-" | "?" | "" {
  return o === Outcome.POSITIVE ? "+" : o === Outcome.NEGATIVE ? "-" : o === Outcome.UNKNOWN ? "?" : "";
}

export function isNote(r: TaskRow): boolean {
  return r.task?.kind === TaskKind.NOTE;
}

/** Who took a planned task in charge ("" nobody): the row says "(taken by NAME)". */
export function takenByName(r: TaskRow): string {
  const t = r.task;
  if (!t || !t.takenBy || t.status !== TaskStatus.PLANNED) return "";
  return r.takenByName || r.takenByLogin || "?";
}

/** "12 min", "1 h 05 min", "2 d 3 h": how long an escalated task has waited. */
export function duration(seconds: number): string {
  const m = Math.max(0, Math.floor(seconds / 60));
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
  return `${Math.floor(m / (24 * 60))} d ${Math.floor(m / 60) % 24} h`;
}

/**
 * Why a row command cannot apply to this row, as an i18n key (null: it
 * can): following up, cancelling, closing and taking are for planned tasks.
 */
export function refusal(r: TaskRow, action: "follow-up" | "cancel" | "close" | "take"): string | null {
  const t = r.task;
  if (!t) return "board.refuse.none";
  if (t.kind === TaskKind.NOTE) return `board.refuse.note.${action}`;
  if (t.status !== TaskStatus.PLANNED) return `board.refuse.${statusName(t.status)}.${action}`;
  return null;
}

// ---------------------------------------------------------------- tag chips


export interface Chip {
  name: string;
  /** #rrggbb, or "" for a tag without a (valid) colour. */
  background: string;
  /** Dark text reads better on this background. */
  darkText: boolean;
}

/** A tag's colour as the server keeps it (a known name or #rrggbb) as a CSS colour. */
export const tagColour = (c: string): string => tagCss(c);

export function chips(r: TaskRow): Chip[] {
  return r.tagNames.map((name, i) => {
    const bg = tagCss(r.tagColours[i] ?? "");
    return { name, background: bg, darkText: !bg || inkOn(bg) === "#000000" };
  });
}

// ---------------------------------------------------------------- virtual window

export interface Window {
  start: number; // first row rendered
  end: number;   // one past the last
}

/** The rows to render: those in the viewport and `margin` more on each side. */
export function visibleWindow(scrollTop: number, viewport: number, rowHeight: number, n: number,
  margin = 10): Window {
  if (n <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewport)) / rowHeight);
  const start = Math.min(n, Math.max(0, first - margin));
  return { start, end: Math.min(n, Math.max(start, last + margin)) };
}

/**
 * The cursor after the rows changed: the same task if it is still there;
 * if it left, the row now at its old place (the last row if the list got
 * shorter); nothing on an empty list.
 */
export function keepCursor(selected: bigint | undefined, oldIndex: number, ids: readonly bigint[],
  indexOf: (id: bigint) => number | undefined): bigint | undefined {
  if (selected === undefined) return undefined;
  if (indexOf(selected) !== undefined) return selected;
  if (!ids.length) return undefined;
  return ids[Math.min(Math.max(0, oldIndex), ids.length - 1)];
}

/**
 * The scroll position that keeps an anchor row (the cursor, or the top
 * visible row) where it was on the screen after the rows were re-ordered:
 * its index moved from `oldIndex` to `newIndex`.
 */
export function anchoredScroll(scrollTop: number, oldIndex: number, newIndex: number, rowHeight: number,
  n: number, viewport: number): number {
  const top = scrollTop + (newIndex - oldIndex) * rowHeight;
  const max = Math.max(0, n * rowHeight - viewport);
  return Math.min(max, Math.max(0, top));
}

/** The scroll position that shows row `index` whole (the current one if it does). */
export function scrollToShow(scrollTop: number, index: number, rowHeight: number, viewport: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return Math.max(0, top + rowHeight - viewport);
  return scrollTop;
}

// ---------------------------------------------------------------- the filter

/** The filter panel's values as typed (ids as decimal strings, "" = any). */
export interface FilterForm {
  createdFrom: string; // YYYY-MM-DD
  createdTo: string;
  plannedFrom: string;
  plannedTo: string;
  operatorId: string;
  teamId: string;
  typeId: string;
  tagId: string;
  status: string; // "" | "planned" | "done" | "cancelled"
  customer: string; // a name, searched among the customers
  text: string;
}

export function emptyFilter(): FilterForm {
  return { createdFrom: "", createdTo: "", plannedFrom: "", plannedTo: "", operatorId: "", teamId: "",
    typeId: "", tagId: "", status: "", customer: "", text: "" };
}

export function isEmptyFilter(f: FilterForm): boolean {
  return Object.values(f).every((v) => !v.trim());
}

export type TaskFilterInit = MessageInitShape<typeof TaskFilterSchema>;

export type FilterResult =
  | { ok: true; filter: TaskFilterInit }
  | { ok: false; error: string; params?: Record<string, string> };

/** The server's bound on the filter's text (README "Limits"). */
export const FILTER_TEXT_MAX_BYTES = 200;

/** Case- and accent-insensitive form of a name, for searching. */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

/** The club's day named "YYYY-MM-DD" as [its start, the next day's start); null if no such day. */
export function dayRange(v: string, zone: string): [number, number] | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  if (!m) return null;
  const year = +m[1], month = +m[2], day = +m[3];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (year < 1970 || d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return null;
  const noon = zonedToUnix({ year, month, day, hour: 12, minute: 0 }, zone);
  if (noon === null) return null;
  return dayBounds(noon, zone);
}

const STATUS_OF: Record<string, TaskStatus> = {
  planned: TaskStatus.PLANNED, done: TaskStatus.DONE, cancelled: TaskStatus.CANCELLED,
};

function id(v: string): bigint | null {
  return /^[1-9][0-9]{0,19}$/.test(v.trim()) ? BigInt(v.trim()) : null;
}

/** The customer a name means: the one so named, else the only one whose name holds it. */
export function findCustomer(name: string, customers: Iterable<{ id: bigint; name: string }>):
  { id: bigint } | { error: string } {
  const q = fold(name);
  const hits: bigint[] = [];
  for (const c of customers) {
    const n = fold(c.name);
    if (n === q) return { id: c.id };
    if (n.includes(q)) hits.push(c.id);
  }
  if (hits.length === 1) return { id: hits[0] };
  return { error: hits.length ? "board.filter.customerMany" : "board.filter.customerNone" };
}

/**
 * The panel's values as a TaskFilter: dates are the club's days, the "to"
 * day included whole; a date that is not one, a range that ends before it
 * starts, an unknown customer or a text over the server's bound is refused
 * with the message's i18n key.
 */
export function buildFilter(f: FilterForm, zone: string,
  customers: Iterable<{ id: bigint; name: string }>): FilterResult {
  const filter: TaskFilterInit = {};
  const ranges: [string, string, string, "created" | "planned"][] = [
    [f.createdFrom, f.createdTo, "board.filter.created", "created"],
    [f.plannedFrom, f.plannedTo, "board.filter.planned", "planned"],
  ];
  for (const [from, to, label, which] of ranges) {
    const a = from.trim() ? dayRange(from, zone) : undefined;
    const b = to.trim() ? dayRange(to, zone) : undefined;
    if (a === null) return { ok: false, error: "board.filter.badDate", params: { field: label, value: from } };
    if (b === null) return { ok: false, error: "board.filter.badDate", params: { field: label, value: to } };
    if (a && b && a[0] >= b[1]) return { ok: false, error: "board.filter.badRange", params: { field: label } };
    if (a) filter[which === "created" ? "createdFrom" : "plannedFrom"] = BigInt(a[0]);
    if (b) filter[which === "created" ? "createdTo" : "plannedTo"] = BigInt(b[1]);
  }
  const ids: [string, "operatorIds" | "typeIds" | "tagIds"][] = [
    [f.operatorId, "operatorIds"], [f.typeId, "typeIds"], [f.tagId, "tagIds"],
  ];
  for (const [v, key] of ids) {
    if (!v.trim()) continue;
    const x = id(v);
    if (x === null) return { ok: false, error: "board.filter.badChoice" };
    filter[key] = [x];
  }
  if (f.teamId.trim()) {
    const x = id(f.teamId);
    if (x === null) return { ok: false, error: "board.filter.badChoice" };
    filter.teamId = x;
  }
  if (f.status) {
    const s = STATUS_OF[f.status];
    if (s === undefined) return { ok: false, error: "board.filter.badChoice" };
    filter.statuses = [s];
  }
  if (f.customer.trim()) {
    const c = findCustomer(f.customer, customers);
    if ("error" in c) return { ok: false, error: c.error, params: { name: f.customer.trim() } };
    filter.customerId = c.id;
  }
  const text = f.text.trim();
  if (text) {
    if (new TextEncoder().encode(text).length > FILTER_TEXT_MAX_BYTES)
      return { ok: false, error: "board.filter.textLong", params: { max: String(FILTER_TEXT_MAX_BYTES) } };
    filter.text = text;
  }
  return { ok: true, filter };
}
