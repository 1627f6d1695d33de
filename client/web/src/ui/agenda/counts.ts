/*
 * The manager's console arithmetic, without the DOM: how many urgent tasks
 * wait, are taken, are escalated, per operator (the responsible one) and
 * per team (an operator in two teams counts in both), as the terminal
 * console (client/tui/tui_console.c). Whether a row is escalated is the
 * server's verdict (TaskRow.escalated), never recomputed here.
 */
import type { Operator, TaskRow, Team } from "../../gen/clubcrm_pb.js";

export interface Counts {
  waiting: number;
  taken: number;
  escalated: number;
}

export interface CountLine extends Counts {
  id: bigint;
  name: string;
}

function add(c: Counts, r: TaskRow): void {
  if (r.task?.takenBy) c.taken++;
  else c.waiting++;
  if (r.escalated) c.escalated++;
}

export function totals(rows: Iterable<TaskRow>): Counts {
  const c = { waiting: 0, taken: 0, escalated: 0 };
  for (const r of rows) if (r.task) add(c, r);
  return c;
}

const byName = (a: CountLine, b: CountLine) => a.name.localeCompare(b.name) || Number(a.id - b.id);

/**
 * One line per active operator (zeros included: the manager sees who has
 * nothing), plus any other operator who is responsible for a row (an
 * inactive one, or one the catalogue does not hold yet: named by the row).
 */
export function perOperator(rows: Iterable<TaskRow>, operators: Iterable<Operator>): CountLine[] {
  const lines = new Map<bigint, CountLine>();
  const known = new Map<bigint, Operator>();
  for (const o of operators) {
    known.set(o.id, o);
    if (o.active !== false) lines.set(o.id, { id: o.id, name: o.name || o.login, waiting: 0, taken: 0, escalated: 0 });
  }
  for (const r of rows) {
    if (!r.task) continue;
    const id = r.task.operatorId;
    let line = lines.get(id);
    if (!line) {
      const o = known.get(id);
      line = { id, name: o?.name || o?.login || r.operatorName || r.operatorLogin || `#${id}`,
        waiting: 0, taken: 0, escalated: 0 };
      lines.set(id, line);
    }
    add(line, r);
  }
  return [...lines.values()].sort(byName);
}

/** One line per active team, by the team membership of each row's responsible operator. */
export function perTeam(rows: Iterable<TaskRow>, operators: Iterable<Operator>, teams: Iterable<Team>): CountLine[] {
  const lines = new Map<bigint, CountLine>();
  for (const t of teams)
    if (t.active !== false) lines.set(t.id, { id: t.id, name: t.name, waiting: 0, taken: 0, escalated: 0 });
  const teamsOf = new Map<bigint, bigint[]>();
  for (const o of operators) teamsOf.set(o.id, o.teamIds);
  for (const r of rows) {
    if (!r.task) continue;
    for (const tid of new Set(teamsOf.get(r.task.operatorId) ?? [])) {
      const line = lines.get(tid);
      if (line) add(line, r);
    }
  }
  return [...lines.values()].sort(byName);
}

/**
 * How long the row has waited, in seconds: since it was taken when taken,
 * else since it was created (what the server's escalation counts, so an
 * escalated task planned for later never says "waited 0 min").
 */
export function waitedSeconds(r: TaskRow, now: number): number {
  const t = r.task;
  if (!t) return 0;
  const since = Number(t.takenBy ? t.takenAt : t.createdAt);
  return since && now > since ? now - since : 0;
}

/** "5 min", "2 h 05 min", "3 d 4 h": the same in English and Spanish. */
export function duration(seconds: number): string {
  const m = Math.max(0, Math.floor(seconds / 60));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, "0")} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
