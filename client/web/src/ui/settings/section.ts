/*
 * One settings section (task types, results, tags, teams, operators, the
 * club): how its list shows, its edit form, and how a form's values are
 * checked (rules.ts) and saved through the typed API. The page
 * (pages/settings.ts) gives every section the same list + form frame.
 */
import { Directive, type ElementPart, type PartInfo, PartType, directive } from "lit/directive.js";
import { noChange, type TemplateResult } from "lit";
import type { CatalogView } from "../../lib/live.js";
import type { AppContext } from "../context.js";
import { type FollowOnDraft, type Refusal } from "./rules.js";

export interface Entry {
  id: bigint;
  name: string;
  active: boolean;
}

/** What a section's form may use of the page: drafts of repeated fields. */
export interface SectionHost {
  ctx: AppContext;
  followOns: FollowOnDraft[];
  changed(): void;
}

export interface Saved {
  id: bigint;
  name: string;
}

/** A refusal before sending; `field` names the input to focus. */
export type FormRefusal = Refusal & { field?: string };

export interface Section<E extends Entry = Entry> {
  /** The i18n key of its tab and heading. */
  titleKey: string;
  /** The word the server uses for one entry ("task type"), for messages. */
  what: string;
  entries(cat: CatalogView): E[];
  /** Header cells after the name column. */
  head(): TemplateResult;
  /** Cells after the name cell. */
  cells(e: E, ctx: AppContext): TemplateResult;
  /** Prepares the host's drafts for editing `e` (undefined: a new entry). */
  begin?(host: SectionHost, e: E | undefined): void;
  form(host: SectionHost, e: E | undefined): TemplateResult;
  /** Checks then saves; a refusal before sending, or what was saved. Server refusals reject (ClubError). */
  save(host: SectionHost, data: FormData, e: E | undefined): Promise<FormRefusal | Saved>;
}

export function byName<E extends { name: string; id: bigint }>(m: Map<bigint, E>): E[] {
  return [...m.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
}

export function text(d: FormData, name: string): string {
  const v = d.get(name);
  return typeof v === "string" ? v : "";
}

export function checked(d: FormData, name: string): boolean {
  return d.get(name) !== null;
}

/**
 * Sets a CSS custom property through the CSSOM: the page's
 * Content-Security-Policy (style-src 'self') refuses style attributes, not
 * this. `<span class="chip" ${cssVar("--chip-bg", "#d4af37")}>`.
 */
class CssVarDirective extends Directive {
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error("cssVar goes on an element");
  }
  render(_name: string, _value: string) {
    return noChange;
  }
  update(part: ElementPart, [name, value]: [string, string]) {
    const el = part.element as HTMLElement;
    if (value) el.style.setProperty(name, value);
    else el.style.removeProperty(name);
    return noChange;
  }
}
export const cssVar = directive(CssVarDirective);
