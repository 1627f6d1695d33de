/*
 * The page's words in English and Spanish (the manual's terms: Planificada,
 * Hecha, Cancelada, Seguir, Urgentes, En preparación, Contactos...). The
 * language: what the user chose on this browser, else the club's (setting
 * `language`, remembered from the last login here), else the browser's own.
 * Every page takes its text from here: `t("key")`, `t("key", {n: 3})`.
 */
export type Lang = "en" | "es";

const en = {
  "app.title": "clubcrm",
  "login.title": "Log in",
  "login.login": "Login",
  "login.password": "Password",
  "login.submit": "Log in",
  "login.failed": "Login failed: {why}",
  "login.busy": "Logging in…",
  "login.wrong": "wrong login or password.",
  "link.reconnecting": "Reconnecting…",
  "link.connecting": "Connecting…",
  "link.live": "live",
  "nav.logout": "Log out",
  "nav.language": "Language",
  "nav.all": "All tasks",
  "nav.urgent": "Urgent",
  "nav.contacts": "Contacts",
  "nav.prep": "In preparation",
  "nav.overdue": "Overdue",
  "nav.agenda": "My agenda",
  "nav.agendas": "Operators' agendas",
  "nav.console": "Console",
  "nav.settings": "Settings",
  "error.unavailable": "Not connected to the server: try again when it is back.",
  "error.timeout": "The server did not answer in time: try again.",
  "error.denied": "Not allowed: {why}",
  "error.unauthenticated": "The session ended: log in again.",
  "error.moved": "the list changed while it was read (a save at that very moment): try again.",
  "error.server": "The server refused: {why}",
  "common.save": "Save",
  "common.cancel": "Cancel",
  "common.close": "Close",
  "common.loading": "Loading…",
} as const;

export type Key = keyof typeof en;

const es: Record<Key, string> = {
  "app.title": "clubcrm",
  "login.title": "Entrar",
  "login.login": "Usuario",
  "login.password": "Contraseña",
  "login.submit": "Entrar",
  "login.failed": "No se pudo entrar: {why}",
  "login.busy": "Entrando…",
  "login.wrong": "usuario o contraseña incorrectos.",
  "link.reconnecting": "Reconectando…",
  "link.connecting": "Conectando…",
  "link.live": "en vivo",
  "nav.logout": "Salir",
  "nav.language": "Idioma",
  "nav.all": "Todas las tareas",
  "nav.urgent": "Urgentes",
  "nav.contacts": "Contactos",
  "nav.prep": "En preparación",
  "nav.overdue": "Vencidas",
  "nav.agenda": "Mi agenda",
  "nav.agendas": "Agenda de operadores",
  "nav.console": "Consola",
  "nav.settings": "Ajustes",
  "error.unavailable": "Sin conexión con el servidor: inténtelo de nuevo cuando vuelva.",
  "error.timeout": "El servidor no respondió a tiempo: inténtelo de nuevo.",
  "error.denied": "No permitido: {why}",
  "error.unauthenticated": "La sesión terminó: vuelva a entrar.",
  "error.moved": "la lista cambió mientras se leía (se guardó algo en ese momento): inténtelo de nuevo.",
  "error.server": "El servidor lo rechazó: {why}",
  "common.save": "Guardar",
  "common.cancel": "Cancelar",
  "common.close": "Cerrar",
  "common.loading": "Cargando…",
};

const tables: Record<Lang, Record<string, string>> = { en, es };
const extra: Record<Lang, Record<string, string>> = { en: {}, es: {} };
const LANG_KEY = "clubcrm.lang";
const CLUB_LANG_KEY = "clubcrm.clubLang";

let current: Lang = pickLanguage();

function stored(key: string): Lang | null {
  try {
    const v = globalThis.localStorage?.getItem(key);
    return v === "en" || v === "es" ? v : null;
  } catch {
    return null; /* storage refused */
  }
}

function pickLanguage(): Lang {
  const chosen = stored(LANG_KEY) ?? stored(CLUB_LANG_KEY);
  if (chosen) return chosen;
  const nav = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? "en"];
  for (const l of nav) {
    const base = l.toLowerCase().slice(0, 2);
    if (base === "es") return "es";
    if (base === "en") return "en";
  }
  return "en";
}

export function lang(): Lang {
  return current;
}

/**
 * The club's language setting ("en", "es", or "" for none) as the server
 * sent it: it decides for a user who never picked one here, and is
 * remembered for this browser's next login form. True when the page's
 * language changed.
 */
export function useClubLanguage(club: string): boolean {
  try {
    const ls = globalThis.localStorage;
    if (club !== "en" && club !== "es") ls?.removeItem(CLUB_LANG_KEY);
    else if (ls?.getItem(CLUB_LANG_KEY) !== club) ls?.setItem(CLUB_LANG_KEY, club);
  } catch {
    /* not kept: fine */
  }
  if (stored(LANG_KEY)) return false;
  const was = current;
  current = pickLanguage();
  globalThis.document?.documentElement.setAttribute("lang", current);
  return current !== was;
}

export function setLang(l: Lang): void {
  current = l;
  try {
    globalThis.localStorage?.setItem(LANG_KEY, l);
  } catch {
    /* not kept: fine */
  }
  globalThis.document?.documentElement.setAttribute("lang", l);
}

/**
 * Adds a page's own words (each page module registers its table once):
 * `addWords({ en: {...}, es: {...} })`. Every key needs both languages.
 */
export function addWords(words: { en: Record<string, string>; es: Record<string, string> }): void {
  Object.assign(extra.en, words.en);
  Object.assign(extra.es, words.es);
}

export function t(key: string, params?: Record<string, string | number>): string {
  const s = extra[current][key] ?? tables[current][key] ?? extra.en[key] ?? tables.en[key] ?? key;
  if (!params) return s;
  // One pass: a value (a customer's name, a file's text) is shown as given,
  // a "{name}" inside it never read as another parameter.
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (Object.hasOwn(params, k) ? String(params[k]) : m));
}

/**
 * A count with its words in the page's language, singular or plural as
 * the language says (Intl.PluralRules: 1 is "one" in English and Spanish,
 * 0 is not): `tn("import.n.new", 3)` reads `import.n.new.one` or
 * `import.n.new.other`, with `{n}` the count and any other `params`.
 */
export function tn(key: string, n: number, params?: Record<string, string | number>): string {
  const form = new Intl.PluralRules(current).select(n) === "one" ? "one" : "other";
  return t(`${key}.${form}`, { ...params, n });
}
