/*
 * The customer's profile, `#/customer/ID`: name, phone, e-mail and
 * consultant (editable), and the customer's tasks and notes, live (a
 * VIEW_KIND_CUSTOMER subscription), newest first, filtered by status, type,
 * planned dates and text. Rows carry `data-task-id` and `data-colour` like
 * the board's; their buttons ask the shell's dialogs for info, follow up,
 * copy, close, cancel and tags; new task / new note start with this customer.
 * Rows are keyed by task, so the row under the cursor (or with the focus)
 * stays that task's when rows arrive.
 */
import { LitElement, html, nothing } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { Colour, type Customer, TaskKind, type TaskRow, TaskStatus, ViewKind } from "../../gen/clubcrm_pb.js";
import { lang, t } from "../../i18n.js";
import { type TaskView, taskView } from "../../lib/live.js";
import { type AppContext, registerPage } from "../context.js";
import { type ActionDetail, type ActionName, requestAction, statusWord, tagChip } from "../dialogs/dialogs.js";
import { toId } from "../dialogs/logic.js";
import { customerRows, type CustomerFilter } from "../dialogs/profile.js";
import { recurrenceName, repeatTitle } from "../dialogs/repeat.js";
import { downloadTasks } from "../board/download.js";
import { csvFileName } from "../../lib/csv.js";
import { dayBounds, fromInputValue, nowSeconds, shortDateTime } from "../time.js";
import { errorText } from "../errors.js";
import { oncePerTask } from "../board/actions.js";

function colourName(r: TaskRow): "red" | "yellow" | "none" {
  return r.colour === Colour.RED ? "red" : r.colour === Colour.YELLOW ? "yellow" : "none";
}

const STATUS_ICON: Record<number, string> = {
  [TaskStatus.PLANNED]: "◷", [TaskStatus.DONE]: "✔", [TaskStatus.CANCELLED]: "✖",
};

export class ClubcrmCustomer extends LitElement {
  static properties = {
    ctx: { attribute: false },
    customerId: { attribute: "customer-id" },
    editing: { state: true },
    saving: { state: true },
    error: { state: true },
    filter: { state: true },
    fetched: { state: true },
    language: {},
  };
  declare ctx: AppContext;
  declare customerId: string;
  declare editing: boolean;
  declare saving: boolean;
  declare error: string;
  declare filter: CustomerFilter;
  declare fetched?: Customer | null;
  /** The page's language: a change redraws the page (the shell passes the same ctx). */
  declare language: string;

  private view?: TaskView;
  private viewFor?: bigint;
  private offCatalog?: () => void;
  private readonly onKey = (e: KeyboardEvent) => {
    if (!e.altKey || e.ctrlKey || e.metaKey || document.querySelector("dialog[open]")) return;
    if (e.key === "n" || e.key === "N") this.act({ action: "new-task" });
    else if (e.key === "m" || e.key === "M") this.act({ action: "new-note" });
    else return;
    e.preventDefault();
  };

  constructor() {
    super();
    this.editing = false;
    this.saving = false;
    this.error = "";
    this.filter = { status: "", typeId: 0n, text: "", from: 0, to: 0 };
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener("keydown", this.onKey);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener("keydown", this.onKey);
    this.view?.close();
    this.view = undefined;
    this.viewFor = undefined;
    this.offCatalog?.();
    this.offCatalog = undefined;
  }

  private get cid(): bigint | undefined {
    return toId(this.customerId);
  }

  private ensureView(id: bigint): TaskView {
    if (!this.view || this.viewFor !== id) {
      this.view?.close();
      this.viewFor = id;
      this.fetched = undefined;
      this.editing = false;
      this.view = taskView(this.ctx.client, { kind: ViewKind.CUSTOMER, customerId: id });
      this.view.onChange(() => this.requestUpdate());
      this.offCatalog ??= this.ctx.catalog.onChange(() => this.requestUpdate());
    }
    return this.view;
  }

  /** The customer from the live catalogue, else asked for once. */
  private customer(id: bigint): Customer | undefined {
    const c = this.ctx.catalog.customers.get(id);
    if (c) return c;
    if (this.fetched === undefined) {
      this.fetched = null;
      this.ctx.api.getCustomer(id).then((x) => (this.fetched = x ?? null))
        .catch((e) => (this.error = errorText(e)));
    }
    return this.fetched ?? undefined;
  }

  private act(d: Omit<ActionDetail, "customerId"> & { action: ActionName }): void {
    const id = this.cid;
    if (!id) return;
    requestAction(this, { ...d, customerId: id });
  }

  private async saveProfile(e: Event, c: Customer): Promise<void> {
    e.preventDefault();
    const fd = new FormData(e.target as HTMLFormElement);
    const name = String(fd.get("name") ?? "").trim();
    if (!name) return;
    this.saving = true;
    this.error = "";
    try {
      const saved = await this.ctx.api.upsertCustomer({
        id: c.id, name, phone: String(fd.get("phone") ?? "").trim(), email: String(fd.get("email") ?? "").trim(),
        consultantId: toId(fd.get("consultant")) ?? c.consultantId,
      });
      if (saved) this.fetched = saved;
      this.editing = false;
      this.ctx.notify(t("customer.saved"));
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.saving = false;
    }
  }

  private setFilter(patch: Partial<CustomerFilter>): void {
    this.filter = { ...this.filter, ...patch };
  }

  render() {
    const id = this.cid;
    if (!id) return html`<p class="empty">${t("customer.notFound", { id: this.customerId ?? "" })}</p>`;
    const v = this.ensureView(id);
    const c = this.customer(id);
    const all = [...v.rows.values()];
    const rows = customerRows(all, this.filter);
    return html`<section class="customer" data-customer-id=${String(id)}>
      ${c ? this.renderProfile(c) : this.fetched === null && !this.error
        ? html`<p class="loading">${t("common.loading")}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="cust-bar">
        <h2>${t("customer.tasks")}</h2>
        <button class="primary" data-act="new-task" title=${t("customer.newTaskHint")}
          @click=${() => this.act({ action: "new-task" })}>${t("customer.newTask")}</button>
        <button data-act="new-note" title=${t("customer.newNoteHint")}
          @click=${() => this.act({ action: "new-note" })}>${t("customer.newNote")}</button>
        <button data-act="csv" title=${t("csv.hint")} @click=${() => void downloadTasks(this.ctx,
          csvFileName(`customer-${id}-tasks`, nowSeconds(), this.ctx.zone), { filter: { customerId: id } })}>
          ${t("csv.download")}</button>
      </div>
      ${this.renderFilters()}
      <p class="count" data-count=${rows.length}>${t("customer.count", { n: rows.length, total: all.length })}</p>
      <table class="cust-tasks">
        <thead><tr>
          <th>${t("customer.col.planned")}</th><th>${t("customer.col.operator")}</th><th>${t("customer.col.type")}</th>
          <th>${t("customer.col.status")}</th><th>${t("customer.col.description")}</th><th>${t("customer.col.actions")}</th>
        </tr></thead>
        <tbody>${repeat(rows, (r) => r.task!.id, (r) => this.renderRow(r))}</tbody>
      </table>
      ${v.ready ? rows.length ? nothing : html`<p class="empty">${t("customer.empty")}</p>`
        : html`<p class="loading">${t("common.loading")}</p>`}
    </section>`;
  }

  private renderProfile(c: Customer) {
    const ops = [...this.ctx.catalog.operators.values()].filter((o) => o.active || o.id === c.consultantId);
    const consultant = this.ctx.catalog.operators.get(c.consultantId);
    if (!this.editing)
      return html`<div class="profile">
        <h1 data-customer-name>${c.name}</h1>
        <dl>
          <dt>${t("customer.phone")}</dt><dd data-field="phone">${c.phone || "—"}</dd>
          <dt>${t("customer.email")}</dt><dd data-field="email">${c.email || "—"}</dd>
          <dt>${t("customer.consultant")}</dt><dd data-field="consultant">${consultant?.name || consultant?.login || "—"}</dd>
        </dl>
        <button data-act="edit-profile" @click=${() => (this.editing = true)}>${t("customer.edit")}</button>
      </div>`;
    return html`<form class="profile editing" @submit=${(e: Event) => this.saveProfile(e, c)}>
      <label>${t("customer.name")} <input name="name" required maxlength="200" .value=${c.name}></label>
      <label>${t("customer.phone")} <input name="phone" type="tel" maxlength="64" .value=${c.phone}></label>
      <label>${t("customer.email")} <input name="email" type="email" maxlength="200" .value=${c.email}></label>
      <label>${t("customer.consultant")} <select name="consultant">
        ${ops.map((o) => html`<option value=${String(o.id)} ?selected=${o.id === c.consultantId}>${o.name || o.login}</option>`)}
      </select></label>
      <div class="row-buttons">
        <button type="submit" class="primary" ?disabled=${this.saving}>${t("customer.save")}</button>
        <button type="button" @click=${() => (this.editing = false)}>${t("common.cancel")}</button>
      </div>
    </form>`;
  }

  private renderFilters() {
    const f = this.filter;
    const types = [...this.ctx.catalog.taskTypes.values()].sort((a, b) => a.name.localeCompare(b.name));
    const day = (v: string, end: boolean) => {
      const at = v ? fromInputValue(`${v}T00:00`, this.ctx.zone) ?? fromInputValue(`${v}T01:00`, this.ctx.zone) : null;
      if (at === null) return 0;
      return end ? dayBounds(at, this.ctx.zone)[1] : dayBounds(at, this.ctx.zone)[0];
    };
    return html`<form class="filters" @submit=${(e: Event) => e.preventDefault()}>
      <label>${t("customer.filterStatus")} <select name="status" @change=${(e: Event) =>
        this.setFilter({ status: (e.target as HTMLSelectElement).value as CustomerFilter["status"] })}>
        <option value="" ?selected=${!f.status}>${t("customer.any")}</option>
        <option value="open" ?selected=${f.status === "open"}>${t("customer.open")}</option>
        <option value="planned" ?selected=${f.status === "planned"}>${t("dialogs.status.planned")}</option>
        <option value="done" ?selected=${f.status === "done"}>${t("dialogs.status.done")}</option>
        <option value="cancelled" ?selected=${f.status === "cancelled"}>${t("dialogs.status.cancelled")}</option>
        <option value="notes" ?selected=${f.status === "notes"}>${t("customer.notes")}</option>
      </select></label>
      <label>${t("customer.filterType")} <select name="type" @change=${(e: Event) =>
        this.setFilter({ typeId: toId((e.target as HTMLSelectElement).value) ?? 0n })}>
        <option value="">${t("customer.any")}</option>
        ${types.map((x) => html`<option value=${String(x.id)} ?selected=${x.id === f.typeId}>${x.name}</option>`)}
      </select></label>
      <label>${t("customer.filterFrom")} <input type="date" name="from" @change=${(e: Event) =>
        this.setFilter({ from: day((e.target as HTMLInputElement).value, false) })}></label>
      <label>${t("customer.filterTo")} <input type="date" name="to" @change=${(e: Event) =>
        this.setFilter({ to: day((e.target as HTMLInputElement).value, true) })}></label>
      <label>${t("customer.createdFrom")} <input type="date" name="createdFrom" @change=${(e: Event) =>
        this.setFilter({ createdFrom: day((e.target as HTMLInputElement).value, false) })}></label>
      <label>${t("customer.createdTo")} <input type="date" name="createdTo" @change=${(e: Event) =>
        this.setFilter({ createdTo: day((e.target as HTMLInputElement).value, true) })}></label>
      <label class="grow">${t("customer.filterText")} <input type="search" name="text" .value=${f.text}
        @input=${(e: Event) => this.setFilter({ text: (e.target as HTMLInputElement).value })}></label>
    </form>`;
  }

  /** Keys on a focused row: Enter info, F follow up, C copy, T tags; arrows move between rows. */
  private rowKey(e: KeyboardEvent, r: TaskRow, open: boolean): void {
    if (e.target !== e.currentTarget || e.ctrlKey || e.altKey || e.metaKey) return;
    const tr = e.currentTarget as HTMLElement;
    const go = (action: ActionName) => this.act({ action, taskId: r.task!.id, row: r });
    switch (e.key) {
      case "Enter": go("info"); break;
      case "f": case "F": if (open) go("follow-up"); break;
      case "c": case "C": go("copy"); break;
      case "t": case "T": go("tags"); break;
      case "ArrowDown": (tr.nextElementSibling as HTMLElement | null)?.focus(); break;
      case "ArrowUp": (tr.previousElementSibling as HTMLElement | null)?.focus(); break;
      default: return;
    }
    e.preventDefault();
  }

  private renderRow(r: TaskRow) {
    const task = r.task!;
    const colour = colourName(r);
    const open = task.kind === TaskKind.TASK && task.status === TaskStatus.PLANNED;
    const note = task.kind === TaskKind.NOTE;
    const z = this.ctx.zone;
    const btn = (action: ActionName, label: string) => html`<button type="button" class="small"
      data-act=${action} @click=${() => this.act({ action, taskId: task.id, row: r })}>${label}</button>`;
    const mine = task.takenBy === this.ctx.me.id;
    return html`<tr data-task-id=${String(task.id)} data-colour=${colour} data-status=${task.status}
        data-kind=${note ? "note" : "task"} class="row ${colour}${r.overdue ? " overdue" : ""}${note ? " note" : ""}"
        tabindex="0" title=${t("customer.rowKeys")} @keydown=${(e: KeyboardEvent) => this.rowKey(e, r, open)}
        @dblclick=${() => this.act({ action: "info", taskId: task.id, row: r })}>
      <td>${shortDateTime(task.plannedAt, z)} <small>(${shortDateTime(task.createdAt, z).slice(0, 5)})</small>
        ${r.overdue ? html`<span class="badge overdue">${t("customer.overdue")}</span>` : nothing}</td>
      <td>${r.operatorName || r.operatorLogin} <small>(${r.creatorName || r.creatorLogin})</small></td>
      <td>${r.typeName}${note ? html` <small>${t("customer.note")}</small>` : nothing}${task.recurrence
        ? html` <span class="rep-mark" title=${repeatTitle(task, z)} data-repeat=${recurrenceName(task.recurrence)}>↻</span>`
        : nothing}</td>
      <td><span class="status s${task.status}" title=${statusWord(task.status)}>${STATUS_ICON[task.status] ?? ""}</span>
        ${r.resultName ? html`<span class="result o${r.outcome}">${r.resultName}</span>` : nothing}</td>
      <td class="desc">${task.takenBy && colour !== "yellow"
        ? html`<small>(${t("customer.takenBy", { name: r.takenByName || r.takenByLogin })})</small> ` : nothing}
        ${task.description}
        ${r.tagNames.map((n, i) => tagChip(n, r.tagColours[i]))}
        ${task.closingNote ? html`<br><small class="muted">${task.closingNote}</small>` : nothing}</td>
      <td class="acts">
        ${btn("info", t("customer.info"))}
        ${open ? btn("follow-up", t("customer.followUp")) : nothing}
        ${btn("copy", t("customer.copy"))}
        ${open ? btn("close", t("customer.close")) : nothing}
        ${open ? btn("cancel", t("customer.cancelTask")) : nothing}
        ${btn("tags", t("customer.tags"))}
        ${open ? html`<button type="button" class="small" data-act=${task.takenBy ? "release" : "take"}
          ?disabled=${!!task.takenBy && !mine}
          @click=${() => oncePerTask(task.id, () => (task.takenBy ? this.ctx.api.releaseTask(task.id)
            : this.ctx.api.takeTask(task.id)).then(() => {}, (e) => this.ctx.notify(errorText(e), "error")))}>
          ${task.takenBy ? t("customer.release") : t("customer.take")}</button>` : nothing}
      </td>
    </tr>`;
  }
}
customElements.define("clubcrm-customer", ClubcrmCustomer);

registerPage("customer", {
  render: (ctx, args) => html`<clubcrm-customer .ctx=${ctx} customer-id=${args[0] ?? ""}
    .language=${lang()}></clubcrm-customer>`,
});
