/*
 * The one cross-page event: a page asks the shell's dialogs (dialogs.ts)
 * for a task action with
 *   new CustomEvent("clubcrm-action", { bubbles: true, composed: true, detail })
 * The board, the contacts, the agendas, the console and the customer's
 * profile all ask through requestAction().
 */
import type { TaskKind, TaskRow } from "../gen/clubcrm_pb.js";

export const ACTIONS = ["new-task", "new-note", "info", "follow-up", "close", "cancel", "copy", "tags",
  "customer"] as const;
export type ActionName = (typeof ACTIONS)[number];

/** What a page puts in the "clubcrm-action" event's detail. */
export interface ActionDetail {
  action: ActionName;
  taskId?: bigint | number | string;
  row?: TaskRow;
  customerId?: bigint | number | string;
  plannedAt?: bigint | number;
  operatorId?: bigint | number | string;
  kind?: "task" | "note" | TaskKind;
}

/** Asks the shell's dialogs for an action (bubbles up from `from`). */
export function requestAction(from: EventTarget, detail: ActionDetail): void {
  from.dispatchEvent(new CustomEvent("clubcrm-action", { bubbles: true, composed: true, detail }));
}
