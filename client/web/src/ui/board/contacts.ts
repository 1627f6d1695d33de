/*
 * <clubcrm-contacts>: the Contacts button, the club's customers from the
 * live catalogue with a search box (name, phone or email; accents and case
 * aside). A row opens the customer's profile ("customer" action); n / N
 * start a task or note for the selected customer; "New contact" (C) is a
 * small form that saves through upsertCustomer.
 */
import { html, nothing } from "lit";
import type { Customer } from "../../gen/clubcrm_pb.js";
import { t } from "../../i18n.js";
import { CatalogElement } from "../catalog-element.js";
import type { AppContext } from "../context.js";
import { requestAction } from "./actions.js";
import { downloadCustomers } from "./download.js";
import { fold } from "./model.js";
import { errorText } from "../errors.js";
import { newIdempotencyKey } from "../../lib/api.js";

/** Rows shown at most: a search narrows a longer list. */
const SHOWN = 300;

export class ClubcrmContacts extends CatalogElement {
  static properties = {
    ctx: { attribute: false },
    language: { attribute: false },
    query: { state: true },
    selected: { state: true },
    adding: { state: true },
    error: { state: true },
    saving: { state: true },
  };
  declare ctx: AppContext;
  declare language: string;
  declare query: string;
  declare selected?: bigint;
  declare adding: boolean;
  declare error: string;
  declare saving: boolean;
  private shown: Customer[] = [];
  /** The open form's key: saved again after a lost answer, it adds the contact once. */
  private addKey = newIdempotencyKey();

  constructor() {
    super();
    this.query = "";
    this.adding = false;
    this.error = "";
    this.saving = false;
  }

  /** Whether the search shows customer `c` (name, phone or email; accents and case aside). */
  private matcher(): (c: Customer) => boolean {
    const q = fold(this.query);
    return (c) => c.active && (!q || fold(c.name).includes(q) || fold(c.phone).includes(q) || fold(c.email).includes(q));
  }

  private customerMatches(): { list: Customer[]; total: number } {
    const all = [...this.ctx.catalog.customers.values()].filter(this.matcher());
    all.sort((a, b) => fold(a.name).localeCompare(fold(b.name)) || (a.id < b.id ? -1 : 1));
    return { list: all.slice(0, SHOWN), total: all.length };
  }

  private open(c: Customer | undefined): void {
    if (c) requestAction(this, { action: "customer", customerId: c.id });
  }

  private current(): Customer | undefined {
    return this.shown.find((c) => c.id === this.selected);
  }

  /** The page's keys while Contacts is shown (the board passes them on). */
  key(e: KeyboardEvent): void {
    const i = this.shown.findIndex((c) => c.id === this.selected);
    const move = (to: number) => {
      if (!this.shown.length) return;
      const n = Math.min(this.shown.length - 1, Math.max(0, to));
      this.selected = this.shown[n].id;
      this.updateComplete.then(() =>
        this.querySelector(`[data-customer-id="${this.selected}"]`)?.scrollIntoView({ block: "nearest" }));
    };
    const c = this.current();
    switch (e.key) {
      case "ArrowDown": move(i + 1); break;
      case "ArrowUp": move(i < 0 ? 0 : i - 1); break;
      case "Home": move(0); break;
      case "End": move(this.shown.length - 1); break;
      case "Enter": case "p": this.open(c); break;
      case "n": requestAction(this, { action: "new-task", customerId: c?.id }); break;
      case "N": requestAction(this, { action: "new-note", customerId: c?.id }); break;
      case "C": this.startAdding(); break;
      case "/": this.querySelector<HTMLInputElement>("input[type=search]")?.focus(); break;
      default: return;
    }
    e.preventDefault();
  }

  private startAdding(): void {
    if (!this.adding) this.addKey = newIdempotencyKey();
    this.adding = true;
    this.error = "";
    this.updateComplete.then(() => this.querySelector<HTMLInputElement>(".contact-form input[name=name]")?.focus());
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const d = new FormData(form);
    const name = String(d.get("name") ?? "").trim();
    if (!name) {
      this.error = t("board.contacts.nameNeeded");
      return;
    }
    const consultant = String(d.get("consultantId") ?? "");
    this.saving = true;
    try {
      const saved = await this.ctx.api.upsertCustomer({
        name, phone: String(d.get("phone") ?? "").trim(), email: String(d.get("email") ?? "").trim(),
        consultantId: /^[1-9]\d*$/.test(consultant) ? BigInt(consultant) : undefined, active: true,
      }, this.addKey);
      this.adding = false;
      this.error = "";
      this.query = "";
      this.selected = saved?.id;
      this.ctx.notify(t("board.contacts.saved", { name }));
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.saving = false;
    }
  }

  private renderForm() {
    const ops = [...this.ctx.catalog.operators.values()].filter((o) => o.active)
      .sort((a, b) => (a.name || a.login).localeCompare(b.name || b.login));
    return html`<form class="contact-form" aria-label=${t("board.contacts.new")} @submit=${this.save}>
      <label>${t("board.contacts.name")}<input name="name" required maxlength="100" autocomplete="off"></label>
      <label>${t("board.contacts.phone")}<input name="phone" type="tel" maxlength="100"></label>
      <label>${t("board.contacts.email")}<input name="email" type="email" maxlength="100"></label>
      <label>${t("board.contacts.consultant")}<select name="consultantId">
        <option value="">${t("board.contacts.none")}</option>
        ${ops.map((o) => html`<option value=${String(o.id)} ?selected=${o.id === this.ctx.me.id}>
          ${o.name || o.login}</option>`)}
      </select></label>
      <div class="board-filter-buttons">
        <button type="submit" class="primary" ?disabled=${this.saving}>${t("board.contacts.save")}</button>
        <button type="button" @click=${() => (this.adding = false)}>${t("common.cancel")}</button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </form>`;
  }

  render() {
    const { list, total } = this.customerMatches();
    this.shown = list;
    const cat = this.ctx.catalog;
    return html`
      <div class="board-bar">
        <h2>${t("board.contacts.title")}</h2>
        <label class="contacts-search">${t("board.contacts.search")}
          <input type="search" .value=${this.query} autocomplete="off"
            @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}></label>
        <button class="primary" data-action="new-contact" title="${t("board.contacts.new")} (C)"
          @click=${this.startAdding}>${t("board.contacts.new")}</button>
        <button data-action="customer" title="${t("board.act.customer")} (Enter, p)" ?disabled=${!this.selected}
          @click=${() => this.open(this.current())}>${t("board.act.customer")}</button>
        <button data-action="new-task" title="${t("board.act.newTask")} (n)" @click=${() =>
          requestAction(this, { action: "new-task", customerId: this.current()?.id })}>${t("board.act.newTask")}</button>
        <button data-action="new-note" title="${t("board.act.newNote")} (N)" @click=${() =>
          requestAction(this, { action: "new-note", customerId: this.current()?.id })}>${t("board.act.newNote")}</button>
        <button data-action="csv" title=${t("csv.hint")} @click=${() =>
          void downloadCustomers(this.ctx, this.matcher())}>${t("csv.download")}</button>
        <span class="muted">${t("board.contacts.keys")}</span>
      </div>
      ${this.adding ? this.renderForm() : nothing}
      <div class="contacts" role="grid" aria-label=${t("board.contacts.title")}>
        <div class="contact-row contact-head" role="row">
          <span role="columnheader">${t("board.contacts.name")}</span>
          <span role="columnheader">${t("board.contacts.phone")}</span>
          <span role="columnheader">${t("board.contacts.email")}</span>
          <span role="columnheader">${t("board.contacts.consultant")}</span>
        </div>
        ${list.map((c) => {
          const op = cat.operators.get(c.consultantId);
          return html`<div class="contact-row ${c.id === this.selected ? "sel" : ""}" role="row"
            data-customer-id=${String(c.id)} aria-selected=${c.id === this.selected ? "true" : "false"}
            @click=${() => (this.selected = c.id)} @dblclick=${() => this.open(c)}>
            <span role="gridcell">${c.name}</span><span role="gridcell">${c.phone}</span>
            <span role="gridcell">${c.email}</span><span role="gridcell">${op ? op.name || op.login : ""}</span>
          </div>`;
        })}
      </div>
      ${total > list.length ? html`<p class="muted">${t("board.contacts.more", { shown: list.length, n: total })}</p>`
        : nothing}
      ${!cat.ready ? html`<p class="loading">${t("common.loading")}</p>`
        : total === 0 ? html`<p class="empty">${t("board.contacts.empty")}</p>` : nothing}`;
  }
}
customElements.define("clubcrm-contacts", ClubcrmContacts);
