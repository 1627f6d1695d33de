/*
 * CSV for the desk's "Download CSV", the same file as the CLI's `task
 * export` / `customer export` (client/lib/csv_writer.c, task_csv.c,
 * client/cli/cli_cmd_export.c): RFC 4180, fields separated by commas, records ended by CRLF; a field holding
 * a comma, a double quote, CR or LF is quoted, its quotes doubled; any
 * other field, and all UTF-8 text, as it is; absent is an empty field; a
 * field a spreadsheet would run as a formula gets an apostrophe first. The
 * same columns, times as "YYYY-MM-DD HH:MM" in the club's zone. A file
 * starts with a UTF-8 byte-order mark (the CLI's --bom) so that Excel reads
 * accents.
 */
import { type Customer, Outcome, TaskKind, type TaskRow, TaskStatus } from "../gen/clubcrm_pb.js";

export const BOM = "\uFEFF";

/** Whether `s` must be quoted. */
export function needsQuotes(s: string | null | undefined): boolean {
  return !!s && /[,"\r\n]/.test(s);
}

/**
 * Whether a spreadsheet would take `s` for a formula (the CLI's
 * csvw_is_formula): it starts with =, @, a tab or CR, or with + or -
 * followed by anything but a number or a phone number (digits, spaces and
 * . , ( ) / -).
 */
export function isFormula(s: string | null | undefined): boolean {
  if (!s) return false;
  if (/^[=@\t\r]/.test(s)) return true;
  return /^[+-]/.test(s) && !/^.[0-9 .,()/-]*$/s.test(s);
}

export function csvField(s: string | null | undefined): string {
  if (!s) return "";
  const v = isFormula(s) ? `'${s}` : s;
  return needsQuotes(s) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** A whole record: the fields and CRLF. */
export function csvRecord(fields: readonly (string | null | undefined)[]): string {
  return fields.map(csvField).join(",") + "\r\n";
}

export const TASK_HEAD = [
  "ID", "Kind", "Planned", "Created", "Operator", "Creator", "Type", "Customer", "Status", "Result", "Outcome",
  "Taken by", "Tags", "Description", "Closing note",
] as const;

export const CUSTOMER_HEAD = ["ID", "Name", "Phone", "E-mail", "Consultant", "Created"] as const;

const minuteFormats = new Map<string, Intl.DateTimeFormat>();

/** "2026-12-08 10:00" in `zone`; "" for none (0). */
export function csvTime(t: number | bigint, zone: string): string {
  if (!t) return "";
  let f = minuteFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit" });
    minuteFormats.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(Number(t) * 1000))) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

function statusName(s: TaskStatus): string {
  return s === TaskStatus.PLANNED ? "planned" : s === TaskStatus.DONE ? "done"
    : s === TaskStatus.CANCELLED ? "cancelled" : "-";
}

function outcomeName(o: Outcome): string {
  if (!o) return "";
  return o === Outcome.POSITIVE ? "positive" : o === Outcome.NEGATIVE ? "negative" : o === Outcome.UNKNOWN ? "unknown"
    : "-";
}

const person = (name: string, login: string) => (name ? name : login);

/** A task's record, the CLI's columns. */
export function taskRecord(r: TaskRow, zone: string): string {
  const t = r.task;
  const taken = !!t?.takenBy && !!r.takenByLogin;
  return csvRecord([
    String(t?.id ?? 0n),
    t?.kind === TaskKind.NOTE ? "note" : "task",
    csvTime(t?.plannedAt ?? 0n, zone),
    csvTime(t?.createdAt ?? 0n, zone),
    person(r.operatorName, r.operatorLogin),
    person(r.creatorName, r.creatorLogin),
    r.typeName,
    r.customerName,
    statusName(t?.status ?? TaskStatus.UNSPECIFIED),
    r.resultName,
    outcomeName(r.outcome),
    taken ? person(r.takenByName, r.takenByLogin) : "",
    r.tagNames.join(", "),
    t?.description,
    t?.closingNote,
  ]);
}

/** A customer's record; `consultant` is the consultant's name (or login), "" for none. */
export function customerRecord(c: Customer, consultant: string, zone: string): string {
  return csvRecord([String(c.id), c.name, c.phone, c.email, consultant, csvTime(c.createdAt, zone)]);
}

/** A file's name: clubcrm-<what>-YYYY-MM-DD.csv (the club's day). */
export function csvFileName(what: string, t: number, zone: string): string {
  return `clubcrm-${what}-${csvTime(t, zone).slice(0, 10)}.csv`;
}
