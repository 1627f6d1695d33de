/*
 * Settings (admins only): `#/settings/<section>` with the sections task
 * types, results, tags, teams, operators and the club, and Import
 * customers (settings/import.ts). Each list section
 * shows its entries (inactive ones too, marked: nothing is deleted) and an
 * edit form for the one picked or a new one. The forms refuse what the
 * server refuses, with its words (settings/rules.ts); what the server still
 * refuses is shown with its message. Saved changes come back through the
 * live catalogue, so every open page updates, this one included.
 *
 * Operators get no nav entry and a typed URL shows nothing (the shell's
 * adminOnly); the server refuses their writes anyway.
 *
 * Keys: Alt+N a new entry, Escape closes the form.
 */
import { html, nothing, type PropertyValues } from "lit";
import { keyed } from "lit/directives/keyed.js";
import { lang, t } from "../../i18n.js";
import { type AppContext, registerPage } from "../context.js";
import { PageElement } from "../page.js";
import { resultsSection, tagsSection, teamsSection, typesSection } from "../settings/catalog.js";
import { clubForm, operatorsSection, saveClub } from "../settings/people.js";
import type { FollowOnDraft } from "../settings/rules.js";
import type { FormRefusal, Saved, Section, SectionHost } from "../settings/section.js";
import "../settings/words.js";
import "../settings/import.js";
import { reasonText } from "../errors.js";

const SECTIONS: Record<string, Section> = {
  types: typesSection as unknown as Section,
  results: resultsSection as unknown as Section,
  tags: tagsSection as unknown as Section,
  teams: teamsSection as unknown as Section,
  operators: operatorsSection as unknown as Section,
};
const ORDER = ["types", "results", "tags", "teams", "operators", "club", "import"];
const TAB_KEYS: Record<string, string> = { club: "settings.club", import: "import.title" };

type Editing = bigint | "new" | null;

export class ClubcrmSettings extends PageElement implements SectionHost {
  static properties = {
    ctx: { attribute: false },
    language: { attribute: false },
    section: {},
    editing: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare ctx: AppContext;
  /** The page's language: a change draws the screens again in it. */
  declare language: string;
  declare section: string;
  declare editing: Editing;
  declare error: string;
  declare busy: boolean;
  followOns: FollowOnDraft[] = [];
  private unwatch?: () => void;
  private watched?: AppContext["catalog"];
  private formGen = 0;

  constructor() {
    super();
    this.section = "types";
    this.editing = null;
    this.error = "";
    this.busy = false;
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unwatch?.();
    this.unwatch = undefined;
    this.watched = undefined;
  }

  changed(): void {
    this.requestUpdate();
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    // The live catalogue: a new one after each login.
    if (this.ctx && this.watched !== this.ctx.catalog) {
      this.unwatch?.();
      this.watched = this.ctx.catalog;
      this.unwatch = this.ctx.catalog.onChange(() => this.requestUpdate());
    }
    if (changed.has("section") && changed.get("section") !== undefined) this.close();
  }

  private get current(): Section | undefined {
    return SECTIONS[this.section];
  }

  private edit(e: Editing): void {
    const sec = this.current;
    const entry = typeof e === "bigint" ? sec?.entries(this.ctx.catalog).find((x) => x.id === e) : undefined;
    this.error = "";
    this.formGen++;
    sec?.begin?.(this, entry);
    this.editing = e;
    this.updateComplete.then(() => this.querySelector<HTMLElement>("form.settings-form input, form.settings-form select")
      ?.focus());
  }

  private close(): void {
    this.editing = null;
    this.error = "";
    this.followOns = [];
  }

  protected pageKey(e: KeyboardEvent): void {
    if (e.altKey && (e.key === "n" || e.key === "N") && this.current) {
      e.preventDefault();
      this.edit("new");
    } else if (e.key === "Escape" && this.editing !== null) {
      e.preventDefault();
      this.close();
    }
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const sec = this.current;
    const entry = sec && typeof this.editing === "bigint"
      ? sec.entries(this.ctx.catalog).find((x) => x.id === this.editing) : undefined;
    this.busy = true;
    this.error = "";
    try {
      const r: FormRefusal | Saved = sec ? await sec.save(this, data, entry) : await saveClub(this, data);
      if ("key" in r) {
        this.error = t(r.key, r.params);
        if (r.field) form.querySelector<HTMLElement>(`[name="${r.field}"]`)?.focus();
        return;
      }
      this.ctx.notify(t("settings.saved", { name: r.name }));
      if (sec) {
        this.editing = r.id || null;
        this.formGen++;
        const saved = sec.entries(this.ctx.catalog).find((x) => x.id === r.id);
        if (saved) sec.begin?.(this, saved);
      }
      // Passwords are never kept in the form.
      for (const p of form.querySelectorAll<HTMLInputElement>('input[type="password"]')) p.value = "";
    } catch (err) {
      this.error = t("settings.refused", { why: reasonText(err) });
    } finally {
      this.busy = false;
    }
  }

  render() {
    if (!this.ctx) return nothing;
    const sec = this.current;
    const name = ORDER.includes(this.section) ? this.section : "types";
    return html`<section class="settings" data-section=${name}>
      <nav class="settings-tabs" aria-label=${t("settings.title")}>
        ${ORDER.map((s) => html`<a href="#/settings/${s}" data-settings-tab=${s} class=${s === name ? "active" : ""}
          aria-current=${s === name ? "page" : "false"}>${t(TAB_KEYS[s] ?? SECTIONS[s].titleKey)}</a>`)}
      </nav>
      ${name === "import" ? html`<clubcrm-import .ctx=${this.ctx}></clubcrm-import>`
        : sec ? this.renderSection(sec) : this.renderClub()}
    </section>`;
  }

  private renderForm(body: unknown, title: string, formName: string, closable: boolean) {
    return keyed(`${this.section}:${String(this.editing)}:${this.formGen}`, html`
      <form class="settings-form" data-form=${formName} @submit=${(e: Event) => this.submit(e)} novalidate>
        <h2>${title}</h2>
        ${body}
        ${this.error ? html`<p class="error" role="alert" data-form-error>${this.error}</p>` : nothing}
        <div class="buttons">
          <button type="submit" class="primary" ?disabled=${this.busy}>
            ${this.busy ? t("settings.saving") : t("settings.save")}</button>
          ${closable ? html`<button type="button" class="secondary" title="Esc" @click=${() => this.close()}>
            ${t("settings.cancel")}</button>` : nothing}
        </div>
      </form>`);
  }

  private renderSection(sec: Section) {
    const entries = sec.entries(this.ctx.catalog);
    const editing = typeof this.editing === "bigint" ? entries.find((x) => x.id === this.editing) : undefined;
    const showForm = this.editing === "new" || editing !== undefined;
    return html`<div class="settings-body">
      <div class="settings-list">
        <div class="list-head">
          <h2>${t(sec.titleKey)}</h2>
          <button type="button" class="primary" data-new title="Alt+N" @click=${() => this.edit("new")}>
            ${t("settings.new")}</button>
        </div>
        ${!this.ctx.catalog.ready && !entries.length ? html`<p class="loading">${t("common.loading")}</p>`
          : !entries.length ? html`<p class="empty">${t("settings.empty")}</p>` : html`
        <table class="settings-table">
          <thead><tr><th>${t("settings.name")}</th>${sec.head()}<th>${t("settings.active")}</th><th></th></tr></thead>
          <tbody>
            ${entries.map((e) => html`<tr data-entry-id=${String(e.id)} data-name=${e.name}
                class=${[e.active ? "" : "inactive", e.id === this.editing ? "selected" : ""].join(" ").trim()}
                @click=${() => this.edit(e.id)}>
              <td class="name">${e.name}</td>
              ${sec.cells(e, this.ctx)}
              <td>${e.active ? "✓" : html`<span class="muted">${t("settings.inactive")}</span>`}</td>
              <td><button type="button" class="secondary" data-edit=${String(e.id)} @click=${(ev: Event) => {
                ev.stopPropagation();
                this.edit(e.id);
              }}>${t("settings.edit")}</button></td>
            </tr>`)}
          </tbody>
        </table>`}
      </div>
      <div class="settings-editor">
        ${showForm ? this.renderForm(sec.form(this, editing),
          editing ? t("settings.editTitle", { name: editing.name }) : t("settings.newTitle"), this.section, true)
          : html`<p class="muted">${t("settings.pick")}</p>`}
      </div>
    </div>`;
  }

  private renderClub() {
    if (!this.ctx.catalog.ready && !this.ctx.catalog.settings)
      return html`<p class="loading">${t("common.loading")}</p>`;
    // Keyed by the settings' revision: a change saved elsewhere refills the form.
    const rev = this.ctx.catalog.settings?.modRev ?? 0n;
    return html`<div class="settings-body settings-club">
      ${keyed(String(rev), this.renderForm(clubForm(this.ctx), t("settings.club"), "club", false))}
    </div>`;
  }
}
customElements.define("clubcrm-settings", ClubcrmSettings);

registerPage("settings", {
  navKey: "nav.settings",
  navRoute: "settings/types",
  adminOnly: true,
  order: 90,
  render: (ctx, args) => html`<clubcrm-settings .ctx=${ctx} .language=${lang()} section=${args[0] ?? "types"}>
    </clubcrm-settings>`,
});
