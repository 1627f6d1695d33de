/*
 * What every page is given: the connection, the typed API, the live
 * catalogue, who is logged in, the club's time zone, and the shell's
 * services (navigation, messages). Pages register themselves by route name
 * (registerPage) and the shell shows the one the URL's hash names:
 * `#/board/urgent`, `#/agenda`, `#/customer/12`, `#/settings/tags`...
 */
import type { TemplateResult } from "lit";
import type { Operator } from "../gen/clubcrm_pb.js";
import { Role } from "../gen/clubcrm_pb.js";
import type { Api } from "../lib/api.js";
import type { ClubClient } from "../lib/client.js";
import type { CatalogView } from "../lib/live.js";

export interface AppContext {
  client: ClubClient;
  api: Api;
  catalog: CatalogView;
  me: Operator;
  /** The club's IANA time zone: every time shown or typed is in it. */
  zone: string;
  clubName: string;
  navigate(route: string): void;
  /** A message in the page's message area; errors stay until dismissed. */
  notify(text: string, kind?: "info" | "error"): void;
}

export function isAdmin(ctx: AppContext): boolean {
  return ctx.me.role === Role.ADMIN;
}

export interface PageSpec {
  /** The nav label's i18n key; pages without one are reached by links only. */
  navKey?: string;
  /** The route the nav entry opens (default: the page's name). */
  navRoute?: string;
  /** Admins only: hidden from operators (the server refuses them anyway). */
  adminOnly?: boolean;
  /** Position in the nav. */
  order?: number;
  /** Renders the page; `args` are the route's parts after its name. */
  render(ctx: AppContext, args: string[]): TemplateResult;
}

const pages = new Map<string, PageSpec>();

export function registerPage(name: string, spec: PageSpec): void {
  pages.set(name, spec);
}

export function page(name: string): PageSpec | undefined {
  return pages.get(name);
}

export function allPages(): [string, PageSpec][] {
  return [...pages.entries()].sort((a, b) => (a[1].order ?? 99) - (b[1].order ?? 99));
}

/** A route string: "board/urgent" -> ["board", "urgent"]; a part with a broken %-escape stays as typed. */
export function parseRoute(hash: string): string[] {
  return hash.replace(/^#\/?/, "").split("/").filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p; // decodeURIComponent throws: the shell would never start (a blank page)
    }
  });
}

/**
 * The nav entry to light for a route: the one with the longest nav route
 * the route starts with (Urgent for board/urgent/all), else the page's own
 * entry (Settings for settings/tags).
 */
export function navEntryFor(route: string[], navs: [string, PageSpec][]): string | undefined {
  const here = route.join("/");
  const under = (r: string) => here === r || here.startsWith(`${r}/`);
  const best = navs
    .filter(([n, p]) => under(p.navRoute ?? n))
    .sort((a, b) => (b[1].navRoute ?? b[0]).length - (a[1].navRoute ?? a[0]).length)[0];
  return best?.[0] ?? navs.find(([n]) => n === route[0])?.[0];
}
