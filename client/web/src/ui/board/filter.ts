/*
 * <clubcrm-board-filter>: the All tasks board's filter panel, as the
 * terminal desk's "/" form offers it: created and planned date ranges (the
 * club's days, the "to" day included), operator, team, type, tag, status,
 * customer (a name, searched among the customers) and text. "Apply" sends
 * `board-filter` with the form and its TaskFilter; a value the server would
 * refuse is refused here with a message; "Clear" sends an empty one.
 */
import { html, nothing } from "lit";
import { t } from "../../i18n.js";
import { CatalogElement } from "../catalog-element.js";
import type { AppContext } from "../context.js";
import { type FilterForm, buildFilter, emptyFilter, fold } from "./model.js";

export interface FilterEventDetail {
  form: FilterForm;
  filter: ReturnType<typeof buildFilter> & { ok: true };
}

const DATES = ["createdFrom", "createdTo", "plannedFrom", "plannedTo"] as const;

export class ClubcrmBoardFilter extends CatalogElement {
  static properties = {
    ctx: { attribute: false },
    language: { attribute: false },
    form: { attribute: false },
    error: { state: true },
    customerQuery: { state: true },
  };
  declare ctx: AppContext;
  declare language: string;
  declare form: FilterForm;
  declare error: string;
  declare customerQuery: string;

  constructor() {
    super();
    this.form = emptyFilter();
    this.error = "";
    this.customerQuery = "";
  }

  /** Puts the focus on the first field (the "/" key). */
  focusFirst(): void {
    this.updateComplete.then(() => this.querySelector<HTMLInputElement>("input, select")?.focus());
  }

  private read(f: HTMLFormElement): FilterForm | string {
    const d = new FormData(f);
    const v = (k: keyof FilterForm) => String(d.get(k) ?? "");
    for (const k of DATES) {
      const input = f.elements.namedItem(k) as HTMLInputElement | null;
      if (input?.validity.badInput) {
        const label = k.startsWith("created") ? "board.filter.created" : "board.filter.planned";
        return t("board.filter.badDate", { field: t(label), value: "?" });
      }
    }
    return {
      createdFrom: v("createdFrom"), createdTo: v("createdTo"), plannedFrom: v("plannedFrom"),
      plannedTo: v("plannedTo"), operatorId: v("operatorId"), teamId: v("teamId"), typeId: v("typeId"),
      tagId: v("tagId"), status: v("status"), customer: v("customer"), text: v("text"),
    };
  }

  private apply(e: Event): void {
    e.preventDefault();
    const form = this.read(e.target as HTMLFormElement);
    if (typeof form === "string") {
      this.error = form;
      return;
    }
    const r = buildFilter(form, this.ctx.zone, this.ctx.catalog.customers.values());
    if (!r.ok) {
      const params = Object.fromEntries(Object.entries(r.params ?? {}).map(([k, v]) =>
        [k, v.startsWith("board.") ? t(v) : v]));
      this.error = t(r.error, params);
      return;
    }
    this.error = "";
    this.dispatchEvent(new CustomEvent<FilterEventDetail>("board-filter", { detail: { form, filter: r } }));
  }

  private clear(): void {
    this.error = "";
    this.customerQuery = "";
    const form = emptyFilter();
    this.form = form;
    this.querySelector("form")?.reset();
    this.dispatchEvent(new CustomEvent<FilterEventDetail>("board-filter",
      { detail: { form, filter: { ok: true, filter: {} } } }));
  }

  private options<T extends { id: bigint; name: string; active: boolean }>(items: Iterable<T>, chosen: string) {
    return [...items]
      .filter((x) => x.active || String(x.id) === chosen)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((x) => html`<option value=${String(x.id)} ?selected=${String(x.id) === chosen}>${x.name}</option>`);
  }

  private customerOptions() {
    const q = fold(this.customerQuery || this.form.customer);
    const out = [];
    for (const c of this.ctx.catalog.customers.values()) {
      if (q && !fold(c.name).includes(q)) continue;
      out.push(html`<option value=${c.name}></option>`);
      if (out.length >= 30) break;
    }
    return out;
  }

  render() {
    const f = this.form;
    const cat = this.ctx.catalog;
    const date = (name: (typeof DATES)[number], label: string) => html`<label>${label}
      <input type="date" name=${name} .value=${f[name]}></label>`;
    const operators = [...cat.operators.values()].map((o) => ({ id: o.id, name: o.name || o.login, active: o.active }));
    return html`<form class="board-filter" aria-label=${t("board.filter.title")} @submit=${this.apply}>
      <fieldset><legend>${t("board.filter.created")}</legend>
        ${date("createdFrom", t("board.filter.from"))} ${date("createdTo", t("board.filter.to"))}</fieldset>
      <fieldset><legend>${t("board.filter.planned")}</legend>
        ${date("plannedFrom", t("board.filter.from"))} ${date("plannedTo", t("board.filter.to"))}</fieldset>
      <label>${t("board.filter.operator")}<select name="operatorId">
        <option value="">${t("board.filter.any")}</option>${this.options(operators, f.operatorId)}</select></label>
      <label>${t("board.filter.team")}<select name="teamId">
        <option value="">${t("board.filter.any")}</option>${this.options(cat.teams.values(), f.teamId)}</select></label>
      <label>${t("board.filter.type")}<select name="typeId">
        <option value="">${t("board.filter.any")}</option>${this.options(cat.taskTypes.values(), f.typeId)}</select></label>
      <label>${t("board.filter.tag")}<select name="tagId">
        <option value="">${t("board.filter.any")}</option>${this.options(cat.tags.values(), f.tagId)}</select></label>
      <label>${t("board.filter.status")}<select name="status">
        <option value="">${t("board.filter.any")}</option>
        ${(["planned", "done", "cancelled"] as const).map((s) =>
          html`<option value=${s} ?selected=${f.status === s}>${t(`board.status.${s}`)}</option>`)}
      </select></label>
      <label>${t("board.filter.customer")}<input name="customer" list="board-filter-customers" autocomplete="off"
        .value=${f.customer} @input=${(e: Event) => (this.customerQuery = (e.target as HTMLInputElement).value)}>
        <datalist id="board-filter-customers">${this.customerOptions()}</datalist></label>
      <label class="wide">${t("board.filter.text")}<input name="text" type="search" .value=${f.text}
        maxlength="200"></label>
      <div class="board-filter-buttons">
        <button type="submit" class="primary">${t("board.filter.apply")}</button>
        <button type="button" @click=${this.clear}>${t("board.filter.clear")}</button>
      </div>
      ${this.error ? html`<p class="error board-filter-error" role="alert">${this.error}</p>` : nothing}
    </form>`;
  }
}
customElements.define("clubcrm-board-filter", ClubcrmBoardFilter);
