/*
 * The desk's page keys, one map for every page: a digit or F-key opens a
 * page from anywhere (1..5 the board's buttons, 6 my agenda, 7 the
 * operators' agendas, 8 the console), unless the user is typing or a
 * dialog is open. Each page module registers its own keys.
 */
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
