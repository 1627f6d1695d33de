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

export { type ActionDetail, requestAction } from "../action.js";
export { keysBusy, pageShortcut } from "../shortcuts.js";
