/*
 * The reports' files and words without the DOM: each section's CSV records
 * with the CLI's columns (client/cli/cli_cmd_report.c, `clubcrm report
 * SECTION --format csv`), the CLI's durations ("12m", "2h 05m"), and the
 * day arithmetic of the period picker (the server's to_date is exclusive;
 * the picker's "to" includes its day, as the CLI's --to).
 */
import type { Report } from "../gen/clubcrm_pb.js";
import { csvRecord } from "./csv.js";

export type Section = "created" | "outcomes" | "response" | "overdue";
export const SECTIONS: readonly Section[] = ["created", "outcomes", "response", "overdue"];

export const SECTION_HEAD: Record<Section, readonly string[]> = {
  created: ["operator", "type", "created", "done", "cancelled"],
  outcomes: ["type", "positive", "negative", "unknown"],
  response: ["type", "taken", "take_median_seconds", "take_p90_seconds", "done", "done_median_seconds",
    "done_p90_seconds"],
  overdue: ["date", "overdue"],
};

/** The name the CLI gives the row of every priority type together. */
export const ALL_PRIORITY = "all priority types";

const secs = (has: boolean, v: bigint) => (has ? String(v) : "");

/** The section as the CLI's CSV: the header, then a record per row, CRLF after each. */
export function sectionCsv(r: Report, s: Section): string[] {
  const out = [csvRecord(SECTION_HEAD[s])];
  if (s === "created")
    for (const k of r.counts)
      out.push(csvRecord([k.operatorName, k.typeName, String(k.created), String(k.done), String(k.cancelled)]));
  else if (s === "outcomes")
    for (const o of r.outcomes)
      out.push(csvRecord([o.typeName, String(o.positive), String(o.negative), String(o.unknown)]));
  else if (s === "response")
    for (const x of r.response)
      // The server sets the medians exactly when there are samples.
      out.push(csvRecord([x.typeId ? x.typeName : ALL_PRIORITY, String(x.taken), secs(x.taken > 0, x.takeMedian),
        secs(x.taken > 0, x.takeP90), String(x.done), secs(x.done > 0, x.doneMedian), secs(x.done > 0, x.doneP90)]));
  else
    for (const d of r.overdue) out.push(csvRecord([d.date, String(d.overdue)]));
  return out;
}

/** "45s", "12m", "2h 05m", "3d 04h": the CLI's durations. */
export function duration(seconds: bigint | number): string {
  const s = Number(seconds);
  const p = (n: number) => String(Math.floor(n)).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${p((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${p((s % 86400) / 3600)}h`;
}

/** "YYYY-MM-DD" moved by `days` calendar days; null for what is not such a date. */
export function shiftDate(d: string, days: number): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return null;
  const t = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (t.getUTCFullYear() !== Number(m[1]) || t.getUTCMonth() !== Number(m[2]) - 1 || t.getUTCDate() !== Number(m[3]))
    return null;
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

/** The file of a section: clubcrm-report-SECTION-FROM-to-LAST.csv (the days it covers). */
export function reportFileName(r: Report, s: Section): string {
  return `clubcrm-report-${s}-${r.fromDate}-to-${shiftDate(r.toDate, -1) ?? r.toDate}.csv`;
}
