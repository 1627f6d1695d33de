/*
 * The customer profile's pure logic: its tasks and notes filtered (status,
 * type, planned range, text ignoring case and accents) and ordered newest
 * first, as the manual's CRM section lists them.
 */
import { TaskKind, type TaskRow, TaskStatus } from "../../gen/clubcrm_pb.js";

export interface CustomerFilter {
  /** "": all; "open": planned tasks; "notes": notes only. */
  status: "" | "open" | "planned" | "done" | "cancelled" | "notes";
  typeId: bigint; // 0: any
  text: string;
  from: number; // planned at or after (0: no bound)
  to: number; // planned before (0: no bound)
  createdFrom?: number; // created at or after
  createdTo?: number; // created before
}

/** Lower case without accents: "Lucía" matches "lucia". */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function statusMatches(r: TaskRow, s: CustomerFilter["status"]): boolean {
  const task = r.task!;
  switch (s) {
    case "": return true;
    case "notes": return task.kind === TaskKind.NOTE;
    case "open": return task.kind === TaskKind.TASK && task.status === TaskStatus.PLANNED;
    case "planned": return task.status === TaskStatus.PLANNED;
    case "done": return task.status === TaskStatus.DONE;
    case "cancelled": return task.status === TaskStatus.CANCELLED;
  }
}

export function customerRows(rows: Iterable<TaskRow>, f: CustomerFilter): TaskRow[] {
  const words = fold(f.text).split(/\s+/).filter(Boolean);
  const out: TaskRow[] = [];
  for (const r of rows) {
    const task = r.task;
    if (!task || !statusMatches(r, f.status)) continue;
    if (f.typeId && task.typeId !== f.typeId) continue;
    const at = Number(task.plannedAt);
    if (f.from && at < f.from) continue;
    if (f.to && at >= f.to) continue;
    const made = Number(task.createdAt);
    if (f.createdFrom && made < f.createdFrom) continue;
    if (f.createdTo && made >= f.createdTo) continue;
    if (words.length) {
      const hay = fold([task.description, r.typeName, task.closingNote, r.resultName, r.operatorName,
        ...r.tagNames].join(" "));
      if (!words.every((w) => hay.includes(w))) continue;
    }
    out.push(r);
  }
  return out.sort((a, b) => {
    const d = Number(b.task!.plannedAt - a.task!.plannedAt);
    return d || (b.task!.id > a.task!.id ? 1 : b.task!.id < a.task!.id ? -1 : 0);
  });
}
