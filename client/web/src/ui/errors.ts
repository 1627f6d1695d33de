/*
 * What a failed call says to the user, in the page's language. The
 * library's own failures (the link is down, no answer in time) and the
 * session's end are the page's words; a refusal is the server's reason
 * inside the page's words ("No permitido: ...", "El servidor lo rechazó:
 * ..."). `reasonText` is the part after a page's own "could not ...: ".
 */
import { t } from "../i18n.js";
import { ClubError, Status } from "../lib/status.js";

/** The page's words for the failures the server did not word itself, else undefined. */
function ownWords(e: ClubError): string | undefined {
  switch (e.code) {
    case Status.UNAVAILABLE: return t("error.unavailable");
    case Status.DEADLINE_EXCEEDED: return t("error.timeout");
    case Status.UNAUTHENTICATED: return t("error.unauthenticated");
    // The library's own: a list read page by page moved under it (the server never says ABORTED).
    case Status.ABORTED: return t("error.moved");
    default: return undefined;
  }
}

/** A failure on its own (a message, a dialog's error line). */
export function errorText(e: unknown): string {
  if (!(e instanceof ClubError)) return String(e);
  const own = ownWords(e);
  if (own) return own;
  if (e.code === Status.PERMISSION_DENIED) return t("error.denied", { why: e.message });
  return t("error.server", { why: e.message });
}

/** Why, inside a page's own sentence ("No se guardó: {why}"). */
export function reasonText(e: unknown): string {
  if (!(e instanceof ClubError)) return String(e);
  return ownWords(e) ?? e.message;
}
