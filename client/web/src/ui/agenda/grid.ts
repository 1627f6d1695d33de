/*
 * The agendas' calendar arithmetic, without the DOM: days of the club's
 * calendar, slots of `slot_minutes` between the opening hours, columns
 * (an operator on a day), and where a task falls. Slots are WALL-CLOCK
 * times in the club's zone, as the terminal desk's (client/tui/tui_grid.c):
 * 10:00 is 10:00 on a 23- or 25-hour day too, so a week that crosses a
 * daylight-saving change places every task at its own hour. A slot that
 * does not exist that day (the spring-forward gap) has no time: nobody can
 * plan a task there.
 */
import type { TaskRow } from "../../gen/clubcrm_pb.js";
import { dayBounds, wallTime, zonedToUnix } from "../time.js";

/** A day of the club's calendar. */
export interface CivilDate {
  year: number;
  month: number; // 1-12
  day: number;
}

export const MINUTES_PER_DAY = 24 * 60;

const pad = (n: number) => String(n).padStart(2, "0");

export function civilOf(t: number, zone: string): CivilDate {
  const w = wallTime(t, zone);
  return { year: w.year, month: w.month, day: w.day };
}

/** `n` days after (before, if negative) `d`, by the calendar. */
export function addDays(d: CivilDate, n: number): CivilDate {
  const x = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() };
}

/** 0 = Monday ... 6 = Sunday. */
export function weekdayOf(d: CivilDate): number {
  return (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7;
}

/** The Monday starting `d`'s week (the club's weeks start on Monday). */
export function weekStart(d: CivilDate): CivilDate {
  return addDays(d, -weekdayOf(d));
}

export function sameDate(a: CivilDate, b: CivilDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

/** "2026-12-07": the routes' and the date inputs' form. */
export function isoDate(d: CivilDate): string {
  return `${String(d.year).padStart(4, "0")}-${pad(d.month)}-${pad(d.day)}`;
}

/** Parses "YYYY-MM-DD"; null unless it is a real date. */
export function parseIsoDate(s: string | undefined): CivilDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? "");
  if (!m) return null;
  const d = { year: +m[1], month: +m[2], day: +m[3] };
  const back = addDays(d, 0);
  return d.year >= 1970 && sameDate(d, back) ? d : null;
}

/** Unix seconds of [the start of `first`, the start of the day after `days` days). */
export function dayRange(first: CivilDate, days: number, zone: string): [number, number] {
  const last = addDays(first, Math.max(1, days) - 1);
  const noon = (d: CivilDate) => zonedToUnix({ ...d, hour: 12, minute: 0 }, zone) ??
    Date.UTC(d.year, d.month - 1, d.day, 12) / 1000;
  return [dayBounds(noon(first), zone)[0], dayBounds(noon(last), zone)[1]];
}

/** The agenda's opening hours, in minutes after midnight, and its slot length. */
export interface Hours {
  slot: number;
  start: number;
  end: number;
}

/**
 * The settings' hours made usable, as tui_grid_init does: a slot of 30
 * minutes when unset or absurd, the whole day when the hours are not a
 * range. Unset hours (no settings yet) are the server's defaults.
 */
export function normaliseHours(slot?: number, start?: number, end?: number): Hours {
  let s = slot ?? 30, a = start ?? 8 * 60, b = end ?? 22 * 60;
  if (!Number.isInteger(s) || s <= 0 || s > MINUTES_PER_DAY) s = 30;
  if (!Number.isInteger(a) || a < 0 || a >= MINUTES_PER_DAY) a = 0;
  if (!Number.isInteger(b) || b <= a || b > MINUTES_PER_DAY) b = MINUTES_PER_DAY;
  return { slot: s, start: a, end: b };
}

/**
 * The hours widened, slot by slot, to the tasks planned outside them (a
 * 07:00 call before an 08:00 opening must not vanish from the agenda).
 * `minutes` are the tasks' minutes after midnight, wall-clock.
 */
export function widenHours(h: Hours, minutes: Iterable<number>): Hours {
  let { start, end } = h;
  for (const m of minutes) {
    if (m < 0 || m >= MINUTES_PER_DAY) continue;
    while (start >= h.slot && m < start) start -= h.slot;
    while (end < MINUTES_PER_DAY && m >= end) end += h.slot;
  }
  return { slot: h.slot, start, end: Math.min(end, MINUTES_PER_DAY) };
}

export function slotCount(h: Hours): number {
  return Math.ceil((h.end - h.start) / h.slot);
}

/** The minute after midnight that slot `i` starts at. */
export function slotMinute(h: Hours, i: number): number {
  return h.start + i * h.slot;
}

/** "HH:MM" of slot `i` (wall-clock). */
export function slotLabel(h: Hours, i: number): string {
  const m = slotMinute(h, i);
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** Unix seconds of slot `i` on `d` in the zone; null when that time does not exist that day. */
export function slotTime(d: CivilDate, h: Hours, i: number, zone: string): number | null {
  const m = slotMinute(h, i);
  if (i < 0 || i >= slotCount(h) || m >= MINUTES_PER_DAY) return null;
  return zonedToUnix({ ...d, hour: Math.floor(m / 60), minute: m % 60 }, zone);
}

/** One column of an agenda: an operator on a day. */
export interface Column {
  operatorId: bigint;
  date: CivilDate;
}

/** The wall-clock day and minute of `t` in the zone. */
export function wallMinute(t: number, zone: string): { date: CivilDate; minute: number } {
  const w = wallTime(t, zone);
  return { date: { year: w.year, month: w.month, day: w.day }, minute: w.hour * 60 + w.minute };
}

/** The column and slot a task planned at `t` for `operatorId` falls in, or null. */
export function locate(cols: Column[], h: Hours, operatorId: bigint, t: number,
  zone: string): { col: number; slot: number } | null {
  const w = wallMinute(t, zone);
  const off = w.minute - h.start;
  if (off < 0) return null;
  const slot = Math.floor(off / h.slot);
  if (slot >= slotCount(h)) return null;
  const col = cols.findIndex((c) => c.operatorId === operatorId && sameDate(c.date, w.date));
  return col < 0 ? null : { col, slot };
}

export const cellKey = (col: number, slot: number) => `${col}:${slot}`;

/**
 * The rows by cell ("col:slot"), each cell's rows in planned order (then by
 * id, so the order never flickers); rows outside the grid are left out.
 */
export function placeRows(cols: Column[], h: Hours, rows: Iterable<TaskRow>, zone: string): Map<string, TaskRow[]> {
  const cells = new Map<string, TaskRow[]>();
  for (const r of rows) {
    const t = r.task;
    if (!t) continue;
    const at = locate(cols, h, t.operatorId, Number(t.plannedAt), zone);
    if (!at) continue;
    const k = cellKey(at.col, at.slot);
    const list = cells.get(k);
    if (list) list.push(r);
    else cells.set(k, [r]);
  }
  for (const list of cells.values())
    list.sort((a, b) => Number(a.task!.plannedAt - b.task!.plannedAt) || Number(a.task!.id - b.task!.id));
  return cells;
}

/** The hours of the settings, widened to the rows that fall on the columns' days. */
export function hoursFor(base: Hours, cols: Column[], rows: Iterable<TaskRow>, zone: string): Hours {
  const minutes: number[] = [];
  for (const r of rows) {
    if (!r.task) continue;
    const w = wallMinute(Number(r.task.plannedAt), zone);
    if (cols.some((c) => c.operatorId === r.task!.operatorId && sameDate(c.date, w.date))) minutes.push(w.minute);
  }
  return widenHours(base, minutes);
}
