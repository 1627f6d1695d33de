/*
 * What the agendas and the console share: a row's colour name (the
 * server's verdict, for the classes and `data-colour`), the cross-page
 * action event, and the page shortcuts (a digit or F-key opens a page,
 * unless the user is typing or a dialog is open).
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

/** The user is typing, or a modal is up: page keys stay out of the way. */
export function keysBusy(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.altKey || e.metaKey) return true;
  const el = e.target as HTMLElement | null;
  if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return true;
  if (el?.closest?.("dialog, [role=dialog]")) return true;
  return !!document.querySelector("dialog[open], [aria-modal='true']");
}

const shortcuts = new Map<string, string>();
let listening = false;

/** `keys` (e.g. "6", "F6") open `route` from anywhere on the desk. */
export function pageShortcut(route: string, ...keys: string[]): void {
  for (const k of keys) shortcuts.set(k, route);
  if (listening || typeof document === "undefined") return;
  listening = true;
  document.addEventListener("keydown", (e) => {
    const route = shortcuts.get(e.key);
    if (!route || e.defaultPrevented || keysBusy(e)) return;
    if (!document.querySelector("clubcrm-app main")) return; // signed out
    e.preventDefault();
    location.hash = `#/${route}`;
  });
}
