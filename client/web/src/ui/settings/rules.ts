/*
 * What the settings forms refuse before sending, with the server's own
 * words (server/domain/catalog*.c, catalog_settings.c, common/tagcolour.c),
 * so that a form never says something the server would not. The server
 * checks everything again: these only save a round trip and keep the
 * message next to the field. Pure functions, unit-tested in Node.
 *
 * Each check returns null when the value passes, else a Refusal: an i18n
 * key (settings.err.*) and its parameters.
 */

export interface Refusal {
  key: string;
  params?: Record<string, string | number>;
}

export const NAME_MAX = 100;
export const LOGIN_MAX = 32;
export const PASSWORD_MIN = 4;
export const PASSWORD_MAX = 128;
export const FOLLOW_ONS_MAX = 8;
export const FOLLOW_ON_DELAY_MAX = 366 * 24 * 60;
export const FOLLOW_ON_TEXT_MAX = 4000;
export const SLOT_MIN = 5;
export const SLOT_MAX = 240;
export const ESCALATION_MAX = 7 * 24 * 60;
export const SESSION_HOURS_MIN = 1;
export const SESSION_HOURS_MAX = 72;
export const SESSION_HOURS_DEFAULT = 12;

export { TAG_COLOUR_NAMES, TAG_PALETTE } from "../tags.js";
import { inkOn, TAG_COLOUR_NAMES, tagCss } from "../tags.js";

// Control characters but line breaks and tabs (server/domain/text.c).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function chars(s: string): number {
  return [...s].length;
}

/** A catalogue entry's name (`field`: "name", "club_name"): required, trimmed, at most 100 characters. */
export function checkName(value: string, field = "name", max = NAME_MAX): Refusal | null {
  if (CONTROL.test(value)) return { key: "settings.err.control", params: { field } };
  const s = value.trim();
  if (!s) return { key: "settings.err.required", params: { field } };
  if (chars(s) > max) return { key: "settings.err.long", params: { field, max } };
  return null;
}

/** Names are unique in a catalogue, whatever the letter case. */
export function checkUnique(name: string, what: string, others: Iterable<{ id: bigint; name: string }>,
  self: bigint): Refusal | null {
  const n = name.trim().toLowerCase();
  for (const o of others)
    if (o.id !== self && o.name.toLowerCase() === n)
      return { key: "settings.err.exists", params: { what, name: name.trim() } };
  return null;
}

export function checkLogin(login: string): Refusal | null {
  return /^[a-z0-9._-]{1,32}$/.test(login) ? null : { key: "settings.err.login", params: { max: LOGIN_MAX } };
}

/**
 * A new password and its confirmation. Empty both: no change, unless the
 * operator is new (a password is required then). Lengths count UTF-8 bytes,
 * as the server does.
 */
export function checkPassword(pw: string, confirm: string, isNew: boolean): Refusal | null {
  if (!pw && !confirm) return isNew ? { key: "settings.err.passwordNew" } : null;
  const bytes = new TextEncoder().encode(pw).length;
  if (bytes < PASSWORD_MIN || bytes > PASSWORD_MAX)
    return { key: "settings.err.passwordLength", params: { min: PASSWORD_MIN, max: PASSWORD_MAX } };
  if (CONTROL.test(pw)) return { key: "settings.err.passwordControl" };
  if (pw !== confirm) return { key: "settings.err.passwordMismatch" };
  return null;
}

/** An admin may not lock themselves out (catalog_people.c check_self). */
export function checkSelf(isSelf: boolean, active: boolean, admin: boolean): Refusal | null {
  if (!isSelf) return null;
  if (!active) return { key: "settings.err.deactivateSelf" };
  if (!admin) return { key: "settings.err.demoteSelf" };
  return null;
}

export { tagCss };

/** Dark text reads better on this (CSS #rrggbb) background. */
export function darkTextOn(css: string): boolean {
  return inkOn(css) !== "#ffffff";
}

export function checkColour(colour: string): Refusal | null {
  const s = colour.trim();
  if (!s || tagCss(s)) return null;
  return { key: "settings.err.colour", params: { colour: s, names: TAG_COLOUR_NAMES } };
}

/** A whole number from a form field, or null. */
export function wholeNumber(v: string): number | null {
  const s = v.trim();
  return /^\d{1,9}$/.test(s) ? Number(s) : null;
}

export interface FollowOnDraft {
  typeId: string;
  delay: string;
  outcome: string;
  description: string;
}

export function checkFollowOns(list: FollowOnDraft[]): Refusal | null {
  if (list.length > FOLLOW_ONS_MAX) return { key: "settings.err.followOns", params: { max: FOLLOW_ONS_MAX } };
  for (const f of list) {
    if (!f.typeId || f.typeId === "0") return { key: "settings.err.followOnType" };
    const d = wholeNumber(f.delay);
    if (d === null) return { key: "settings.err.followOnDelay" };
    if (d > FOLLOW_ON_DELAY_MAX) return { key: "settings.err.followOnYear" };
    if (CONTROL.test(f.description)) return { key: "settings.err.control", params: { field: "follow-on description" } };
    if (chars(f.description) > FOLLOW_ON_TEXT_MAX)
      return { key: "settings.err.long", params: { field: "follow-on description", max: FOLLOW_ON_TEXT_MAX } };
  }
  return null;
}

/** "HH:MM" (24:00 included) as minutes after midnight, or null. */
export function parseClock(v: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(v.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h * 60 + min > 24 * 60) return null;
  return h * 60 + min;
}

export function formatClock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  return `${String(h).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

export interface ClubDraft {
  clubName: string;
  slotMinutes: string;
  dayStart: string;
  dayEnd: string;
  escalationMinutes: string;
  sessionHours: string;
  timeZone: string;
  language: string;
}

/** The club settings form, field by field; the first refusal, with the field it is about. */
export function checkClub(d: ClubDraft, zones: readonly string[]): (Refusal & { field: string }) | null {
  const at = (field: string, r: Refusal | null) => (r ? { ...r, field } : null);
  const name = checkName(d.clubName, "club_name");
  if (name) return at("clubName", name);
  const slot = wholeNumber(d.slotMinutes);
  if (slot === null || slot < SLOT_MIN || slot > SLOT_MAX)
    return at("slotMinutes", { key: "settings.err.slot", params: { min: SLOT_MIN, max: SLOT_MAX } });
  const start = parseClock(d.dayStart);
  const end = parseClock(d.dayEnd);
  if (start === null || end === null || start >= end) return at("dayEnd", { key: "settings.err.hours" });
  const esc = wholeNumber(d.escalationMinutes);
  if (esc === null) return at("escalationMinutes", { key: "settings.err.minutes" });
  if (esc > ESCALATION_MAX) return at("escalationMinutes", { key: "settings.err.escalation" });
  const hours = wholeNumber(d.sessionHours);
  if (hours === null || hours < SESSION_HOURS_MIN || hours > SESSION_HOURS_MAX)
    return at("sessionHours", {
      key: "settings.err.session", params: { min: SESSION_HOURS_MIN, max: SESSION_HOURS_MAX },
    });
  if (zones.length && !zones.includes(d.timeZone))
    return at("timeZone", { key: "settings.err.zone", params: { zone: d.timeZone } });
  if (!["", "en", "es"].includes(d.language)) return at("language", { key: "settings.err.language" });
  return null;
}

/** The IANA zones this browser knows (the server's tzdata decides in the end), with `current` in. */
export function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    zones = [];
  }
  if (current && !zones.includes(current)) zones = [current, ...zones];
  if (!zones.includes("UTC")) zones = [...zones, "UTC"];
  return zones;
}
