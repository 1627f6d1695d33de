/*
 * The past on the board: "As of…" a moment (in the club's zone) or a
 * revision, as the CLI's `task list --as-of` / `--as-of-revision`
 * (client/cli/cli_asof.c): the question asked, the list filter that stands
 * for the board's mode, and the banner's words. The rows come from
 * ListTasks with as_of (Api.listAllTasks, one snapshot), read-only.
 */
import type { TaskRow } from "../../gen/clubcrm_pb.js";
import { addWords, t } from "../../i18n.js";
import { fromInputValue, wallTime } from "../time.js";
import type { TaskFilterInit } from "./model.js";

/** What the user asked for: a moment (Unix seconds) or a revision. */
export type AsOfAsk = { at: number; revision?: undefined } | { revision: bigint; at?: undefined };

/** A board frozen at a moment: its rows (creation order) and the snapshot's revision and commit time. */
export interface PastBoard {
  ask: AsOfAsk;
  key: string;
  rows: TaskRow[];
  revision: bigint;
  revisionAt: number;
}

/** The list filter for a board mode: the quick buttons' flags over the board's own filter. */
export function modeFilter(mode: string, base: TaskFilterInit): TaskFilterInit {
  switch (mode) {
    case "urgent": return { ...base, urgent: true };
    case "prep": return { ...base, inPreparation: true };
    case "overdue": return { ...base, overdue: true };
    default: return base;
  }
}

/**
 * The picker's fields: a date-time (datetime-local, in the club's zone) or
 * a revision, exactly one. The ask, or the key of what is wrong.
 */
export function readAsOf(atText: string, revText: string, zone: string): AsOfAsk | { problem: string } {
  const a = atText.trim();
  const r = revText.trim();
  if (a && r) return { problem: "board.asof.err.both" };
  if (r) {
    if (!/^\d{1,20}$/.test(r) || BigInt(r) === 0n || BigInt(r) > 0xffffffffffffffffn)
      return { problem: "board.asof.err.revision" };
    return { revision: BigInt(r) };
  }
  if (!a) return { problem: "board.asof.err.none" };
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::(\d{2}))?$/.exec(a);
  const at = m ? fromInputValue(a, zone) : null;
  if (at === null) return { problem: "board.asof.err.time" };
  const sec = m![1] ? Number(m![1]) : 0;
  if (sec > 59) return { problem: "board.asof.err.time" };
  return { at: at + sec };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "2026-12-06 10:00" in the zone (the CLI's and the exports' form). */
export function isoMinute(t: number, zone: string): string {
  const w = wallTime(t, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** The banner: the moment asked for (else the revision's commit time) and the revision. */
export function asOfLabel(p: { ask: AsOfAsk; revision: bigint; revisionAt: number }, zone: string): string {
  const at = p.ask.at ?? p.revisionAt;
  return t("board.asof.banner", { time: isoMinute(at, zone), rev: String(p.revision) });
}

addWords({
  en: {
    "board.asof.open": "As of…",
    "board.asof.hint": "The board as it stood at a past moment, read-only",
    "board.asof.time": "As of (date and time)",
    "board.asof.revision": "or revision",
    "board.asof.show": "Show",
    "board.asof.loading": "Rebuilding the board as it stood…",
    "board.asof.banner": "As of {time} (revision {rev}) — read-only",
    "board.asof.live": "Back to live",
    "board.asof.readOnly": "The board as of a past moment is read-only: go back to live (Esc) to act.",
    "board.asof.err.both": "Give a date and time or a revision, not both.",
    "board.asof.err.none": "Give a date and time or a revision.",
    "board.asof.err.revision": "A revision is a whole number from 1.",
    "board.asof.err.time": "That time does not exist on the club's clock.",
    "board.asof.refused": "Refused: {why}",
  },
  es: {
    "board.asof.open": "A fecha de…",
    "board.asof.hint": "El tablero tal como estaba en un momento pasado, solo lectura",
    "board.asof.time": "A fecha de (día y hora)",
    "board.asof.revision": "o revisión",
    "board.asof.show": "Ver",
    "board.asof.loading": "Reconstruyendo el tablero tal como estaba…",
    "board.asof.banner": "A fecha de {time} (revisión {rev}) — solo lectura",
    "board.asof.live": "Volver al presente",
    "board.asof.readOnly": "El tablero de un momento pasado es de solo lectura: vuelva al presente (Esc) para actuar.",
    "board.asof.err.both": "Indique un día y hora o una revisión, no ambos.",
    "board.asof.err.none": "Indique un día y hora o una revisión.",
    "board.asof.err.revision": "Una revisión es un número entero desde 1.",
    "board.asof.err.time": "Esa hora no existe en el reloj del club.",
    "board.asof.refused": "Rechazado: {why}",
  },
});
