/*
 * Times on the page are the club's (Welcome.time_zone), whatever the PC's
 * own zone: formatting with Intl in that zone, and turning a wall-clock time
 * typed in a form back into Unix seconds. A time that does not exist (the
 * spring-forward gap) is refused; one that exists twice takes the first.
 */
import { lang } from "../i18n.js";

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormat(zone: string): Intl.DateTimeFormat {
  let f = partsCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, hourCycle: "h23",
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    partsCache.set(zone, f);
  }
  return f;
}

/** The wall-clock time in `zone` at Unix second `t`. */
export function wallTime(t: number, zone: string): WallTime & { second: number; weekday: number } {
  const p: Record<string, number> = {};
  for (const x of partsFormat(zone).formatToParts(new Date(t * 1000)))
    if (x.type !== "literal") p[x.type] = Number(x.value);
  const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay(); // 0 = Sunday
  return { year: p.year, month: p.month, day: p.day, hour: p.hour % 24, minute: p.minute, second: p.second, weekday };
}

function offsetAt(t: number, zone: string): number {
  const w = wallTime(t, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) / 1000 - t;
}

/**
 * Unix seconds of a wall-clock time in `zone`; null when that time does not
 * exist there (a daylight-saving gap).
 */
export function zonedToUnix(w: WallTime, zone: string): number | null {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) / 1000;
  const candidates = new Set<number>();
  for (const probe of [asUtc - 86400, asUtc, asUtc + 86400]) candidates.add(asUtc - offsetAt(probe, zone));
  const good = [...candidates].filter((t) => {
    const x = wallTime(t, zone);
    return x.year === w.year && x.month === w.month && x.day === w.day && x.hour === w.hour && x.minute === w.minute;
  });
  return good.length ? Math.min(...good) : null;
}

/** Midnight starting the club's day that holds `t`, and the next one. */
export function dayBounds(t: number, zone: string): [number, number] {
  const w = wallTime(t, zone);
  const start = zonedToUnix({ year: w.year, month: w.month, day: w.day, hour: 0, minute: 0 }, zone) ??
    zonedToUnix({ year: w.year, month: w.month, day: w.day, hour: 1, minute: 0 }, zone)!;
  const next = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
  const end = zonedToUnix({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(),
    hour: 0, minute: 0 }, zone) ?? start + 86400;
  return [start, end];
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "dd/mm hh:mm" (the desk's short form), in the club's zone. */
export function shortDateTime(t: number | bigint, zone: string): string {
  if (!t) return "";
  const w = wallTime(Number(t), zone);
  return `${pad(w.day)}/${pad(w.month)} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** A long, localised date and time in the club's zone. */
export function longDateTime(t: number | bigint, zone: string): string {
  if (!t) return "";
  return new Intl.DateTimeFormat(lang() === "es" ? "es-ES" : "en-GB", {
    timeZone: zone, dateStyle: "medium", timeStyle: "short",
  }).format(new Date(Number(t) * 1000));
}

/** The value of an <input type="datetime-local"> for `t` in the zone. */
export function toInputValue(t: number | bigint, zone: string): string {
  const w = wallTime(Number(t), zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** Parses an <input type="datetime-local"> value in the zone; null if invalid or in a gap. */
export function fromInputValue(v: string, zone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(v);
  if (!m) return null;
  return zonedToUnix({ year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5] }, zone);
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
