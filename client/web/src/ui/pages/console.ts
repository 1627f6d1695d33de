/*
 * The manager's console (route `console`, key 8), as the terminal console
 * (client/tui/tui_console.c): everyone's urgent tasks, live (red ones
 * waiting, yellow ones with who took them and since when, escalated ones
 * flagged with how long they waited), waiting / taken / escalated counts
 * per operator and per team, and today's overdue tasks. Take / release on
 * a row; info; and, for admins only (the server refuses operators anyway),
 * reassign: a row's responsible operator, or all the open tasks of one
 * operator to another over a planned range. The selected row stays on its
 * task when rows come and go.
 */
import { html, nothing, type TemplateResult } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { type Operator, type TaskRow, TaskFilterSchema, ViewKind } from "../../gen/clubcrm_pb.js";
import { create } from "@bufbuild/protobuf";
import { addWords, lang, t } from "../../i18n.js";
import { type TaskView, taskView } from "../../lib/live.js";
import { colourOf, keysBusy, pageShortcut, requestAction } from "../agenda/common.js";
import { type CountLine, duration, perOperator, perTeam, totals, waitedSeconds } from "../agenda/counts.js";
import { type AppContext, isAdmin, registerPage } from "../context.js";
import { consoleMoved, consoleSummary } from "./console-words.js";
import { PageElement } from "../page.js";
import { dayBounds, fromInputValue, nowSeconds, shortDateTime, wallTime } from "../time.js";
import { errorText, reasonText } from "../errors.js";
import { oncePerTask } from "../board/actions.js";

addWords({
  en: {
    "console.title": "Console",
    "console.urgent": "Urgent tasks of everyone",
    "console.none": "No urgent tasks.",
    "console.noneOverdue": "Nothing overdue today.",
    "console.overdue": "Overdue today: {n}",
    "console.perOperator": "Per operator",
    "console.perTeam": "Per team",
    "console.name": "Name",
    "console.waiting": "Waiting",
    "console.taken": "Taken",
    "console.escalated": "Escalated",
    "console.planned": "Planned",
    "console.type": "Type",
    "console.customer": "Customer",
    "console.operator": "Operator",
    "console.state": "State",
    "console.description": "Description",
    "console.actions": "Actions",
    "console.waitingFor": "waiting {d}",
    "console.takenBy": "taken by {who} since {since} ({d})",
    "console.escalatedFor": "Escalated: waited {d}",
    "console.take": "Take",
    "console.release": "Release",
    "console.info": "Info",
    "console.reassignTo": "Reassign to",
    "console.reassignRow": "Reassign {what} to…",
    "console.reassigned": "{what}: now {who}'s",
    "console.reassign": "Reassign open tasks",
    "console.from": "From operator",
    "console.to": "To operator",
    "console.plannedFrom": "Planned from",
    "console.plannedTo": "Planned until",
    "console.doReassign": "Reassign",
    "console.pickBoth": "Choose two different operators.",
    "console.badDate": "That date and time does not exist in the club's time zone.",
    "console.failed": "{what} failed: {why}",
    "console.keys": "Keys: ↑ ↓ select, t take/release, Enter info",
  },
  es: {
    "console.title": "Consola",
    "console.urgent": "Tareas urgentes de todos",
    "console.none": "No hay tareas urgentes.",
    "console.noneOverdue": "Nada vencido hoy.",
    "console.overdue": "Vencidas hoy: {n}",
    "console.perOperator": "Por operador",
    "console.perTeam": "Por equipo",
    "console.name": "Nombre",
    "console.waiting": "Esperando",
    "console.taken": "Tomadas",
    "console.escalated": "Escaladas",
    "console.planned": "Planificada",
    "console.type": "Tipo",
    "console.customer": "Cliente",
    "console.operator": "Operador",
    "console.state": "Estado",
    "console.description": "Descripción",
    "console.actions": "Acciones",
    "console.waitingFor": "esperando {d}",
    "console.takenBy": "tomada por {who} desde las {since} ({d})",
    "console.escalatedFor": "Escalada: esperó {d}",
    "console.take": "Tomar",
    "console.release": "Soltar",
    "console.info": "Info",
    "console.reassignTo": "Reasignar a",
    "console.reassignRow": "Reasignar {what} a…",
    "console.reassigned": "{what}: ahora de {who}",
    "console.reassign": "Reasignar tareas abiertas",
    "console.from": "Del operador",
    "console.to": "Al operador",
    "console.plannedFrom": "Planificadas desde",
    "console.plannedTo": "Planificadas hasta",
    "console.doReassign": "Reasignar",
    "console.pickBoth": "Elija dos operadores distintos.",
    "console.badDate": "Esa fecha y hora no existe en la zona horaria del club.",
    "console.failed": "{what} falló: {why}",
    "console.keys": "Teclas: ↑ ↓ seleccionar, t tomar/soltar, Intro info",
  },
});

const pad = (n: number) => String(n).padStart(2, "0");

function byPlanned(a: TaskRow, b: TaskRow): number {
  return Number((a.task?.plannedAt ?? 0n) - (b.task?.plannedAt ?? 0n)) || Number((a.task?.id ?? 0n) - (b.task?.id ?? 0n));
}

function why(e: unknown): string {
  return reasonText(e);
}

export class ClubcrmConsole extends PageElement {
  static properties = {
    ctx: { attribute: false },
    language: { attribute: false },
    selected: { state: true },
    busy: { state: true },
  };
  declare ctx: AppContext;
  /** The page's language: a change draws the console again in it. */
  declare language: string;
  /** The selected task (by id: it stays on its task when rows arrive). */
  declare selected: bigint;
  declare busy: boolean;

  private urgent?: TaskView;
  private overdue?: TaskView;
  private overdueDay = 0;
  private offCatalog?: () => void;
  // "waiting 12 min" grows, and at midnight "overdue today" is a new day.
  protected redrawEvery = 30_000;

  constructor() {
    super();
    this.selected = 0n;
    this.busy = false;
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offCatalog?.();
    this.offCatalog = undefined;
    this.urgent?.close();
    this.overdue?.close();
    this.urgent = this.overdue = undefined;
    this.overdueDay = 0;
  }

  private get zone(): string {
    return this.ctx.catalog.settings?.timeZone || this.ctx.zone;
  }

  private ensureViews(): [TaskView, TaskView] {
    if (!this.offCatalog) this.offCatalog = this.ctx.catalog.onChange(() => this.requestUpdate());
    if (!this.urgent) {
      this.urgent = taskView(this.ctx.client, { kind: ViewKind.URGENT });
      this.urgent.onChange(() => this.requestUpdate());
    }
    const [today] = dayBounds(nowSeconds(), this.zone);
    if (!this.overdue || this.overdueDay !== today) {
      this.overdue?.close();
      this.overdueDay = today;
      this.overdue = taskView(this.ctx.client, {
        kind: ViewKind.OVERDUE, filter: create(TaskFilterSchema, { plannedFrom: BigInt(today) }),
      });
      this.overdue.onChange(() => this.requestUpdate());
    }
    return [this.urgent, this.overdue];
  }

  /** Every row on the page in its order: the urgent list, then the overdue one. */
  private ordered(): TaskRow[] {
    const u = [...(this.urgent?.rows.values() ?? [])].sort(byPlanned);
    const o = [...(this.overdue?.rows.values() ?? [])].sort(byPlanned);
    return [...u, ...o];
  }

  private selectedRow(): TaskRow | undefined {
    if (!this.selected) return undefined;
    return this.urgent?.rows.get(this.selected) ?? this.overdue?.rows.get(this.selected);
  }

  protected pageKey(e: KeyboardEvent): void {
    if (keysBusy(e) || e.defaultPrevented) return;
    const target = e.target as HTMLElement;
    if (target?.tagName === "BUTTON" && (e.key === "Enter" || e.key === " ")) return;
    const rows = this.ordered();
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!rows.length) return;
      e.preventDefault();
      const at = rows.findIndex((r) => r.task!.id === this.selected);
      const next = at < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, at + (e.key === "ArrowDown" ? 1 : -1)));
      this.select(rows[next]);
      return;
    }
    const r = this.selectedRow();
    if (!r) return;
    if (e.key === "t") {
      e.preventDefault();
      void this.takeOrRelease(r);
    } else if (e.key === "Enter") {
      e.preventDefault();
      requestAction(this, { action: "info", taskId: r.task!.id, row: r });
    }
  }

  private select(r: TaskRow): void {
    this.selected = r.task!.id;
    void this.updateComplete.then(() =>
      this.querySelector(`tr[data-task-id="${r.task!.id}"]`)?.scrollIntoView({ block: "nearest" }));
  }

  private async takeOrRelease(r: TaskRow): Promise<void> {
    const task = r.task!;
    const what = task.takenBy ? t("console.release") : t("console.take");
    await oncePerTask(task.id, async () => {
      try {
        if (task.takenBy) await this.ctx.api.releaseTask(task.id);
        else await this.ctx.api.takeTask(task.id);
      } catch (e) {
        this.ctx.notify(t("console.failed", { what, why: why(e) }), "error");
      }
    });
  }

  private async reassignRow(r: TaskRow, to: bigint): Promise<void> {
    const task = r.task!;
    if (!to || to === task.operatorId) return;
    const who = this.ctx.catalog.operators.get(to);
    try {
      await this.ctx.api.editTask({ id: task.id, baseModRev: task.modRev, operatorId: to });
      this.ctx.notify(t("console.reassigned", { what: r.customerName || `#${task.id}`, who: who?.name || who?.login || "" }));
    } catch (e) {
      this.ctx.notify(t("console.failed", { what: t("console.reassignTo"), why: why(e) }), "error");
    }
  }

  private async reassignAll(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const from = String(data.get("from") ?? ""), to = String(data.get("to") ?? "");
    if (!from || !to || from === to) {
      this.ctx.notify(t("console.pickBoth"), "error");
      return;
    }
    const when = (name: string): bigint | undefined | null => {
      const v = String(data.get(name) ?? "");
      if (!v) return undefined;
      const s = fromInputValue(v, this.zone);
      return s === null ? null : BigInt(s);
    };
    const pf = when("plannedFrom"), pt = when("plannedTo");
    if (pf === null || pt === null) {
      this.ctx.notify(t("console.badDate"), "error");
      return;
    }
    const name = (id: string) => {
      const o = this.ctx.catalog.operators.get(BigInt(id));
      return o?.name || o?.login || `#${id}`;
    };
    this.busy = true;
    try {
      const r = await this.ctx.api.reassignTasks({
        fromOperatorId: BigInt(from), toOperatorId: BigInt(to), plannedFrom: pf, plannedTo: pt,
      });
      this.ctx.notify(consoleMoved(r.taskIds.length, name(from), name(to)));
    } catch (err) {
      this.ctx.notify(t("console.failed", { what: t("console.doReassign"), why: why(err) }), "error");
    } finally {
      this.busy = false;
    }
  }

  private state(r: TaskRow, now: number): string {
    const task = r.task!;
    const d = duration(waitedSeconds(r, now));
    if (!task.takenBy) return t("console.waitingFor", { d });
    const w = wallTime(Number(task.takenAt), this.zone);
    return t("console.takenBy", { who: r.takenByName || r.takenByLogin || "?", since: `${pad(w.hour)}:${pad(w.minute)}`, d });
  }

  private renderRow(r: TaskRow, now: number, admin: boolean, operators: Operator[]): TemplateResult {
    const task = r.task!;
    const colour = colourOf(r);
    const sel = task.id === this.selected;
    return html`<tr data-task-id=${String(task.id)} data-colour=${colour} aria-selected=${sel ? "true" : "false"}
        class="row ${colour} ${r.escalated ? "escalated" : ""} ${sel ? "selected" : ""}"
        @click=${() => this.select(r)} @dblclick=${() => requestAction(this, { action: "info", taskId: task.id, row: r })}>
      <td class="flag">${r.escalated
        ? html`<span class="esc-badge" data-escalated="true">${t("console.escalatedFor", { d: duration(waitedSeconds(r, now)) })}</span>`
        : r.overdue ? html`<span class="overdue-mark" title=${t("nav.overdue")}>!</span>` : nothing}</td>
      <td class="planned">${shortDateTime(task.plannedAt, this.zone)}</td>
      <td>${r.typeName}</td>
      <td>${r.customerName}</td>
      <td class="operator" data-operator-id=${String(task.operatorId)}>${r.operatorName || r.operatorLogin}</td>
      <td class="state">${this.state(r, now)}</td>
      <td class="desc">${task.description}</td>
      <td class="actions"><div class="acts">
        <button type="button" class="take" data-act=${task.takenBy ? "release" : "take"} title="t"
          @click=${(e: Event) => { e.stopPropagation(); this.select(r); void this.takeOrRelease(r); }}>
          ${task.takenBy ? t("console.release") : t("console.take")}</button>
        <button type="button" class="info" title="Enter"
          @click=${(e: Event) => { e.stopPropagation(); requestAction(this, { action: "info", taskId: task.id, row: r }); }}>
          ${t("console.info")}</button>
        ${admin ? html`<select class="reassign-row" aria-label=${t("console.reassignRow", { what: r.customerName || `#${task.id}` })}
            @click=${(e: Event) => e.stopPropagation()}
            @change=${(e: Event) => {
              const sel = e.target as HTMLSelectElement;
              const v = sel.value;
              sel.value = "";
              if (v) void this.reassignRow(r, BigInt(v));
            }}>
            <option value="">${t("console.reassignTo")}…</option>
            ${operators.filter((o) => o.id !== task.operatorId).map((o) =>
              html`<option value=${String(o.id)}>${o.name || o.login}</option>`)}
          </select>` : nothing}
      </div></td>
    </tr>`;
  }

  private renderTable(rows: TaskRow[], now: number, admin: boolean, operators: Operator[], kind: string): TemplateResult {
    return html`<div class="console-scroll"><table class="console-list" data-list=${kind}>
      <thead><tr>
        <th class="flag"></th><th>${t("console.planned")}</th><th>${t("console.type")}</th><th>${t("console.customer")}</th>
        <th>${t("console.operator")}</th><th>${t("console.state")}</th><th>${t("console.description")}</th>
        <th>${t("console.actions")}</th>
      </tr></thead>
      <tbody>${repeat(rows, (r) => String(r.task!.id), (r) => this.renderRow(r, now, admin, operators))}</tbody>
    </table></div>`;
  }

  private renderCounts(title: string, kind: string, lines: CountLine[]): TemplateResult {
    return html`<table class="console-counts" data-counts=${kind}>
      <caption>${title}</caption>
      <thead><tr><th>${t("console.name")}</th><th>${t("console.waiting")}</th><th>${t("console.taken")}</th>
        <th>${t("console.escalated")}</th></tr></thead>
      <tbody>${lines.map((l) => html`<tr data-id=${String(l.id)} data-name=${l.name}
          class=${l.escalated ? "has-escalated" : ""}>
        <th scope="row">${l.name}</th>
        <td data-count="waiting">${l.waiting}</td><td data-count="taken">${l.taken}</td>
        <td data-count="escalated">${l.escalated}</td></tr>`)}</tbody>
    </table>`;
  }

  private renderReassign(operators: Operator[]): TemplateResult {
    return html`<form class="console-reassign" @submit=${(e: Event) => this.reassignAll(e)}>
      <h2>${t("console.reassign")}</h2>
      <label>${t("console.from")}<select name="from" required>
        <option value=""></option>
        ${operators.map((o) => html`<option value=${String(o.id)}>${o.name || o.login}</option>`)}
      </select></label>
      <label>${t("console.to")}<select name="to" required>
        <option value=""></option>
        ${operators.map((o) => html`<option value=${String(o.id)}>${o.name || o.login}</option>`)}
      </select></label>
      <label>${t("console.plannedFrom")}<input type="datetime-local" name="plannedFrom"></label>
      <label>${t("console.plannedTo")}<input type="datetime-local" name="plannedTo"></label>
      <button type="submit" ?disabled=${this.busy}>${t("console.doReassign")}</button>
    </form>`;
  }

  render() {
    const [urgent, overdue] = this.ensureViews();
    const now = nowSeconds();
    const admin = isAdmin(this.ctx);
    const cat = this.ctx.catalog;
    const operators = [...cat.operators.values()].filter((o) => o.active !== false)
      .sort((a, b) => (a.name || a.login).localeCompare(b.name || b.login));
    const u = [...urgent.rows.values()].sort(byPlanned);
    const o = [...overdue.rows.values()].sort(byPlanned);
    const sum = totals(u);
    return html`<section class="console-page" data-admin=${admin ? "true" : "false"}>
      <h1>${t("console.title")}</h1>
      <div class="console-top">
        <div class="console-main">
          <h2 class="console-summary" data-waiting=${sum.waiting} data-taken=${sum.taken} data-escalated=${sum.escalated}>
            ${t("console.urgent")}: ${consoleSummary(sum)}</h2>
          ${u.length ? this.renderTable(u, now, admin, operators, "urgent")
            : html`<p class="empty">${urgent.ready ? t("console.none") : t("common.loading")}</p>`}
        </div>
        <aside class="console-side">
          ${this.renderCounts(t("console.perOperator"), "operator", perOperator(u, cat.operators.values()))}
          ${this.renderCounts(t("console.perTeam"), "team", perTeam(u, cat.operators.values(), cat.teams.values()))}
          ${admin ? this.renderReassign(operators) : nothing}
        </aside>
      </div>
      <h2 class="console-overdue" data-overdue=${o.length}>${t("console.overdue", { n: o.length })}</h2>
      ${o.length ? this.renderTable(o, now, admin, operators, "overdue")
        : html`<p class="empty">${overdue.ready ? t("console.noneOverdue") : t("common.loading")}</p>`}
      ${urgent.error ? html`<p class="error" role="alert">${errorText(urgent.error)}</p>` : nothing}
      <p class="agenda-keys">${t("console.keys")}</p>
    </section>`;
  }
}
customElements.define("clubcrm-console", ClubcrmConsole);

pageShortcut("console", "8", "F8");
registerPage("console", {
  navKey: "nav.console",
  order: 8,
  render: (ctx) => html`<clubcrm-console .ctx=${ctx} .language=${lang()}></clubcrm-console>`,
});
