/*
 * Repeating tasks in the forms, as the CLI's --repeat / --until / --count
 * (client/cli/cli_repeat.c): "Repeats: no / daily / weekly / monthly", and
 * the series' end, either "until DATE" (that whole day included: the
 * server's repeat_until is the next midnight, exclusive, in the club's
 * zone) or "N times" (this occurrence included, 1..1000), never both. An
 * edit sends only what changed; "no" stops the series. The rows' mark
 * (↻, the CLI's `rep`) says how it repeats.
 */
import { Recurrence, type Task } from "../../gen/clubcrm_pb.js";
import { addWords, t, tn } from "../../i18n.js";
import { dayBounds, wallTime, zonedToUnix } from "../time.js";

export const REPEAT_COUNT_MAX = 1000; // the server's limit

export type RepeatEnd = "never" | "until" | "count";

/** What the form says. `until` is "YYYY-MM-DD" (the last day), `count` the occurrences. */
export interface RepeatChoice {
  recurrence: Recurrence;
  end: RepeatEnd;
  until: string;
  count: number;
}

/** The request's fields for a choice (CreateTask / EditTask). */
export interface RepeatFields {
  recurrence?: Recurrence;
  repeatUntil?: bigint;
  repeatCount?: number;
}

const NAMES: Record<string, Recurrence> = {
  none: Recurrence.UNSPECIFIED, daily: Recurrence.DAILY, weekly: Recurrence.WEEKLY, monthly: Recurrence.MONTHLY,
};

export function recurrenceName(r: Recurrence): string {
  return r === Recurrence.DAILY ? "daily" : r === Recurrence.WEEKLY ? "weekly" : r === Recurrence.MONTHLY ? "monthly"
    : "none";
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "YYYY-MM-DD" of the club's day holding `t`. */
export function dateValue(t: number, zone: string): string {
  const w = wallTime(t, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** The exclusive end (next midnight in the zone) of the day "YYYY-MM-DD"; null if not a date. */
export function untilOfDate(v: string, zone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return null;
  const w = { year: +m[1], month: +m[2], day: +m[3], hour: 12, minute: 0 };
  const check = new Date(Date.UTC(w.year, w.month - 1, w.day));
  if (check.getUTCMonth() + 1 !== w.month || check.getUTCDate() !== w.day) return null;
  const noon = zonedToUnix(w, zone);
  return noon === null ? null : dayBounds(noon, zone)[1];
}

/** The form's starting values for a task (or a new one: no repetition). */
export function repeatOf(task: Task | undefined, zone: string): RepeatChoice {
  if (!task || !task.recurrence) return { recurrence: Recurrence.UNSPECIFIED, end: "never", until: "", count: 0 };
  if (task.repeatUntil)
    return { recurrence: task.recurrence, end: "until", until: dateValue(Number(task.repeatUntil) - 1, zone), count: 0 };
  if (task.repeatCount) return { recurrence: task.recurrence, end: "count", until: "", count: task.repeatCount };
  return { recurrence: task.recurrence, end: "never", until: "", count: 0 };
}

/** Reads the form's fields (repeat, repeatEnd, repeatUntil, repeatCount): the choice, or the key of what is wrong. */
export function readRepeat(get: (name: string) => string | null): RepeatChoice | { problem: string } {
  const recurrence = NAMES[get("repeat") ?? "none"];
  if (recurrence === undefined) return { problem: "dialogs.repeat.err.kind" };
  if (recurrence === Recurrence.UNSPECIFIED) return { recurrence, end: "never", until: "", count: 0 };
  const end = (get("repeatEnd") ?? "never") as RepeatEnd;
  if (end === "until") {
    const until = (get("repeatUntil") ?? "").trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(until)) return { problem: "dialogs.repeat.err.until" };
    return { recurrence, end, until, count: 0 };
  }
  if (end === "count") {
    const s = (get("repeatCount") ?? "").trim();
    const count = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(count >= 1 && count <= REPEAT_COUNT_MAX)) return { problem: "dialogs.repeat.err.count" };
    return { recurrence, end, until: "", count };
  }
  if (end !== "never") return { problem: "dialogs.repeat.err.kind" };
  return { recurrence, end, until: "", count: 0 };
}

/** A create's fields; null when the until date is not one in the zone. */
export function repeatCreate(c: RepeatChoice, zone: string): RepeatFields | null {
  if (!c.recurrence) return {};
  const f: RepeatFields = { recurrence: c.recurrence };
  if (c.end === "until") {
    const u = untilOfDate(c.until, zone);
    if (u === null) return null;
    f.repeatUntil = BigInt(u);
  } else if (c.end === "count") f.repeatCount = c.count;
  return f;
}

/**
 * An edit's fields: only what differs from the task. Stopping sends
 * recurrence UNSPECIFIED; a new end clears the other one (0), as the CLI's
 * `task edit` does. null when the until date is not one in the zone.
 */
export function repeatEdit(task: Task, c: RepeatChoice, zone: string): RepeatFields | null {
  const was = repeatOf(task, zone);
  const f: RepeatFields = {};
  if (!c.recurrence) {
    if (was.recurrence) f.recurrence = Recurrence.UNSPECIFIED;
    return f;
  }
  if (c.recurrence !== was.recurrence) f.recurrence = c.recurrence;
  const sameEnd = c.end === was.end && (c.end !== "until" || c.until === was.until) &&
    (c.end !== "count" || c.count === was.count);
  if (sameEnd && was.recurrence) return f;
  if (c.end === "until") {
    const u = untilOfDate(c.until, zone);
    if (u === null) return null;
    f.repeatUntil = BigInt(u);
    if (task.repeatCount) f.repeatCount = 0;
  } else if (c.end === "count") {
    f.repeatCount = c.count;
    if (task.repeatUntil) f.repeatUntil = 0n;
  } else {
    if (task.repeatUntil) f.repeatUntil = 0n;
    if (task.repeatCount) f.repeatCount = 0;
  }
  return f;
}

export function repeatChanged(f: RepeatFields): boolean {
  return f.recurrence !== undefined || f.repeatUntil !== undefined || f.repeatCount !== undefined;
}

/** The row mark's title ("Repeats weekly until 20/12/2026"), "" for a task that does not repeat. */
export function repeatTitle(task: Task | undefined, zone: string): string {
  if (!task || !task.recurrence) return "";
  const how = t(`dialogs.repeat.${recurrenceName(task.recurrence)}`).toLowerCase();
  if (task.repeatUntil) {
    const w = wallTime(Number(task.repeatUntil) - 1, zone);
    return t("dialogs.repeat.titleUntil", { how, date: `${pad(w.day)}/${pad(w.month)}/${w.year}` });
  }
  if (task.repeatCount) return tn("dialogs.repeat.titleCount", task.repeatCount, { how });
  return t("dialogs.repeat.title", { how });
}

addWords({
  en: {
    "dialogs.repeat.label": "Repeats",
    "dialogs.repeat.none": "No",
    "dialogs.repeat.daily": "Daily",
    "dialogs.repeat.weekly": "Weekly",
    "dialogs.repeat.monthly": "Monthly",
    "dialogs.repeat.end": "Ends",
    "dialogs.repeat.never": "never",
    "dialogs.repeat.until": "until (that day included)",
    "dialogs.repeat.count": "after (times, this one included)",
    "dialogs.repeat.title": "Repeats {how}",
    "dialogs.repeat.titleUntil": "Repeats {how} until {date}",
    "dialogs.repeat.titleCount.one": "Repeats {how}, {n} time left (this one included)",
    "dialogs.repeat.titleCount.other": "Repeats {how}, {n} times left (this one included)",
    "dialogs.repeat.err.kind": "Choose how the task repeats.",
    "dialogs.repeat.err.until": "Give the date the repetition ends.",
    "dialogs.repeat.err.count": "The number of times must be 1 to 1000.",
  },
  es: {
    "dialogs.repeat.label": "Se repite",
    "dialogs.repeat.none": "No",
    "dialogs.repeat.daily": "Cada día",
    "dialogs.repeat.weekly": "Cada semana",
    "dialogs.repeat.monthly": "Cada mes",
    "dialogs.repeat.end": "Termina",
    "dialogs.repeat.never": "nunca",
    "dialogs.repeat.until": "el día (incluido)",
    "dialogs.repeat.count": "tras (veces, contando esta)",
    "dialogs.repeat.title": "Se repite {how}",
    "dialogs.repeat.titleUntil": "Se repite {how} hasta el {date}",
    "dialogs.repeat.titleCount.one": "Se repite {how}, queda {n} vez (contando esta)",
    "dialogs.repeat.titleCount.other": "Se repite {how}, quedan {n} veces (contando esta)",
    "dialogs.repeat.err.kind": "Elija cómo se repite la tarea.",
    "dialogs.repeat.err.until": "Indique el día en que termina la repetición.",
    "dialogs.repeat.err.count": "El número de veces debe ser de 1 a 1000.",
  },
});
