/*
 * What the agendas and the console share: a row's colour name (the
 * server's verdict, for the classes and `data-colour`), the cross-page
 * action event; the page shortcuts live in the shell's ui/shortcuts.ts.
 */
import { Colour, type TaskRow } from "../../gen/clubcrm_pb.js";

export type ColourName = "red" | "yellow" | "none";

export function colourOf(r: TaskRow): ColourName {
  return r.colour === Colour.RED ? "red" : r.colour === Colour.YELLOW ? "yellow" : "none";
}

export interface ActionDetail {
  action: "new-task" | "new-note" | "info" | "follow-up" | "close" | "cancel" | "copy" | "tags" | "customer";
  taskId?: bigint;
  row?: TaskRow;
  customerId?: bigint;
  plannedAt?: bigint;
  operatorId?: bigint;
  kind?: number;
}

/** Asks the shell's dialogs for an action (the one cross-page event). */
export function requestAction(from: EventTarget, detail: ActionDetail): void {
  from.dispatchEvent(new CustomEvent("clubcrm-action", { bubbles: true, composed: true, detail }));
}

export { keysBusy, pageShortcut } from "../shortcuts.js";
