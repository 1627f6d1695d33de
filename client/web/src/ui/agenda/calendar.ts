/*
 * What both agendas are made of: a live AGENDA view over a range of days,
 * re-subscribed when the range or the filter changes, and a grid of slots
 * (rows) by columns (an operator on a day). A task shows in its slot, in
 * its colour (red, yellow), carrying `data-task-id` and `data-colour`; a
 * click opens its info. An empty slot is a button that asks for a new task
 * for that column's operator at that time. The arrow keys walk the grid;
 * the element keeps its focus when rows arrive (cells are keyed by task).
 */
import { html, nothing, type TemplateResult } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { TaskStatus, type TaskRow, ViewKind } from "../../gen/clubcrm_pb.js";
import { addWords, lang, t } from "../../i18n.js";
import { type TaskView, type ViewInit, taskView } from "../../lib/live.js";
import type { AppContext } from "../context.js";
import { PageElement } from "../page.js";
import { nowSeconds } from "../time.js";
import { colourOf, keysBusy, requestAction } from "./common.js";
import {
  type CivilDate, type Column, type Hours, cellKey, civilOf, dayRange, hoursFor, isoDate, normaliseHours,
  placeRows, sameDate, slotCount, slotLabel, slotTime, wallMinute,
} from "./grid.js";
import { errorText } from "../errors.js";

addWords({
  en: {
    "agenda.newAt": "New task for {who} at {when}",
    "agenda.gap": "This time does not exist on this day (daylight saving)",
    "agenda.prev": "Previous",
    "agenda.next": "Next",
    "agenda.today": "Today",
    "agenda.time": "Time",
    "agenda.taken": "taken by {who}",
    "agenda.done": "done",
    "agenda.keys": "Keys: arrows move, Enter opens, [ ] previous/next, h today",
  },
  es: {
    "agenda.newAt": "Nueva tarea para {who} a las {when}",
    "agenda.gap": "Esta hora no existe este día (cambio de hora)",
    "agenda.prev": "Anterior",
    "agenda.next": "Siguiente",
    "agenda.today": "Hoy",
    "agenda.time": "Hora",
    "agenda.taken": "tomada por {who}",
    "agenda.done": "hecha",
    "agenda.keys": "Teclas: flechas para moverse, Intro abre, [ ] anterior/siguiente, h hoy",
  },
});

/** A column with its header. */
export interface CalColumn extends Column {
  title: string;
  subtitle?: string;
  operatorName: string;
}

function locale(): string {
  return lang() === "es" ? "es-ES" : "en-GB";
}

/** "Mon 7 Dec" for a civil date, in the page's language. */
export function dayTitle(d: CivilDate, long = false): string {
  return new Intl.DateTimeFormat(locale(), long
    ? { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" }
    : { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" })
    .format(new Date(Date.UTC(d.year, d.month - 1, d.day)));
}

export abstract class AgendaBase extends PageElement {
  static properties = { ctx: { attribute: false }, args: { attribute: false }, language: { attribute: false } };
  declare ctx: AppContext;
  declare args: string[];
  /** The page's language: a change draws the agenda again in it. */
  declare language: string;

  protected view?: TaskView;
  private viewKey = "";
  private scrolledKey = "";
  private offCatalog?: () => void;
  // The "now" slot and today's column move on by themselves.
  protected redrawEvery = 60_000;

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offCatalog?.();
    this.offCatalog = undefined;
    this.view?.close();
    this.view = undefined;
    this.viewKey = "";
  }

  protected get zone(): string {
    return this.ctx.catalog.settings?.timeZone || this.ctx.zone;
  }

  protected today(): CivilDate {
    return civilOf(nowSeconds(), this.zone);
  }

  protected baseHours(): Hours {
    const s = this.ctx.catalog.settings;
    return normaliseHours(s?.slotMinutes, s?.dayStartMinute, s?.dayEndMinute);
  }

  /** The page's keys ([ ] h ...); true when taken. */
  protected abstract pageKey(e: KeyboardEvent): boolean | void;

  /** Subscribes the AGENDA view for [first, first + days) with the filter, when that changed. */
  protected ensureView(first: CivilDate, days: number, filter: Pick<ViewInit, "operatorIds" | "teamId">): TaskView {
    if (!this.offCatalog) this.offCatalog = this.ctx.catalog.onChange(() => this.requestUpdate());
    const [from, to] = dayRange(first, days, this.zone);
    const key = JSON.stringify([from, to, (filter.operatorIds ?? []).map(String), String(filter.teamId ?? "")]);
    if (!this.view || key !== this.viewKey) {
      this.view?.close();
      this.viewKey = key;
      this.view = taskView(this.ctx.client, {
        kind: ViewKind.AGENDA, from: BigInt(from), to: BigInt(to), ...filter,
      });
      this.view.onChange(() => this.requestUpdate());
    }
    return this.view;
  }

  /**
   * Once per range, when its rows are in: the grid scrolls to the current
   * time (today shown), else to the first task, else to the opening hour.
   * Live rows later never move it.
   */
  protected updated(): void {
    // Many operators: columns keep a readable width and the grid scrolls
    // sideways (set through the CSSOM: the CSP forbids style attributes).
    const table = this.querySelector<HTMLElement>("table.cal");
    if (table) table.style.minWidth = `${4 + 6.5 * Number(table.dataset.cols ?? 1)}rem`;
    if (!this.view?.ready || this.scrolledKey === this.viewKey) return;
    this.scrolledKey = this.viewKey;
    const box = this.querySelector<HTMLElement>(".cal-scroll");
    const target = this.querySelector<HTMLElement>(".cal td.now") ?? this.querySelector<HTMLElement>(".cal .cal-task") ??
      this.querySelector<HTMLElement>(`.cal tbody tr[data-slot="${slotLabel(this.baseHours(), 0)}"]`);
    const tr = target?.closest("tr");
    const head = this.querySelector<HTMLElement>(".cal thead");
    if (box && tr) box.scrollTop = Math.max(0, tr.offsetTop - (head?.offsetHeight ?? 0));
  }

  private openTask(r: TaskRow): void {
    requestAction(this, { action: "info", taskId: r.task!.id, row: r });
  }

  private newTask(col: CalColumn, at: number): void {
    requestAction(this, { action: "new-task", plannedAt: BigInt(at), operatorId: col.operatorId });
  }

  /** Arrow keys walk the grid's buttons by column and slot. */
  private gridKey(e: KeyboardEvent, cols: number, slots: number): void {
    const el = e.target as HTMLElement;
    const c0 = Number(el.dataset.col), s0 = Number(el.dataset.slotIdx);
    if (Number.isNaN(c0) || Number.isNaN(s0)) return;
    const step: Record<string, [number, number]> = {
      ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0],
    };
    const d = step[e.key];
    if (!d) return;
    e.preventDefault();
    const c = Math.min(cols - 1, Math.max(0, c0 + d[0]));
    const s = Math.min(slots - 1, Math.max(0, s0 + d[1]));
    const next = this.querySelector<HTMLElement>(`.cal [data-col="${c}"][data-slot-idx="${s}"]`);
    next?.focus();
    next?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  private taskChip(r: TaskRow, c: number, s: number): TemplateResult {
    const task = r.task!;
    const colour = colourOf(r);
    const w = wallMinute(Number(task.plannedAt), this.zone);
    const hhmm = `${String(Math.floor(w.minute / 60)).padStart(2, "0")}:${String(w.minute % 60).padStart(2, "0")}`;
    const done = task.status === TaskStatus.DONE;
    const taken = task.takenBy && r.takenByName ? t("agenda.taken", { who: r.takenByName }) : "";
    const tip = [hhmm, r.customerName, r.typeName, task.description, r.operatorName, taken, done ? t("agenda.done") : ""]
      .filter(Boolean).join(" · ");
    return html`<button type="button" class="cal-task ${colour} ${done ? "done" : ""} ${r.overdue ? "overdue" : ""}"
        data-task-id=${String(task.id)} data-colour=${colour} data-col=${c} data-slot-idx=${s}
        title=${tip} @click=${() => this.openTask(r)}>
        <span class="cal-hhmm">${hhmm}</span> <span class="cal-cust">${r.customerName || "?"}</span>
        <span class="cal-type">${r.typeName}</span>${taken ? html` <span class="cal-taken">${taken}</span>` : nothing}
      </button>`;
  }

  /** The grid: `cols` over the slots of the (widened) opening hours. */
  protected renderGrid(cols: CalColumn[], rows: Iterable<TaskRow>): TemplateResult {
    const zone = this.zone;
    const list = [...rows];
    const h = hoursFor(this.baseHours(), cols, list, zone);
    const cells = placeRows(cols, h, list, zone);
    const n = slotCount(h);
    const now = nowSeconds();
    const today = this.today();
    const nowAt = wallMinute(now, zone);
    const nowSlot = Math.floor((nowAt.minute - h.start) / h.slot);
    const slots = Array.from({ length: n }, (_, i) => i);
    return html`<div class="cal-scroll">
      <table class="cal" data-slot-minutes=${h.slot} data-cols=${cols.length}
        @keydown=${(e: KeyboardEvent) => this.gridKey(e, cols.length, n)}>
        <thead><tr>
          <th class="cal-time" scope="col">${t("agenda.time")}</th>
          ${cols.map((c) => html`<th scope="col" class=${sameDate(c.date, today) ? "today" : ""}
            data-operator-id=${String(c.operatorId)} data-date=${isoDate(c.date)}>
            ${c.title}${c.subtitle ? html`<small>${c.subtitle}</small>` : nothing}</th>`)}
        </tr></thead>
        <tbody>
          ${repeat(slots, (s) => slotLabel(h, s), (s) => html`<tr data-slot=${slotLabel(h, s)}>
            <th class="cal-time" scope="row">${slotLabel(h, s)}</th>
            ${repeat(cols, (c) => `${c.operatorId}/${isoDate(c.date)}`, (c, ci) => {
              const here = cells.get(cellKey(ci, s));
              const at = slotTime(c.date, h, s, zone);
              const isNow = sameDate(c.date, today) && nowSlot === s;
              return html`<td class="cal-cell ${isNow ? "now" : ""} ${sameDate(c.date, today) ? "today" : ""}"
                  data-col=${ci} data-date=${isoDate(c.date)} data-slot=${slotLabel(h, s)}
                  data-operator-id=${String(c.operatorId)} data-slot-time=${at ?? ""}>
                ${here
                  ? repeat(here, (r) => String(r.task!.id), (r) => this.taskChip(r, ci, s))
                  : at === null
                    ? html`<span class="cal-gap" title=${t("agenda.gap")}>—</span>`
                    : html`<button type="button" class="cal-new" data-col=${ci} data-slot-idx=${s}
                        aria-label=${t("agenda.newAt", { who: c.operatorName, when: `${dayTitle(c.date)} ${slotLabel(h, s)}` })}
                        title=${t("agenda.newAt", { who: c.operatorName, when: `${dayTitle(c.date)} ${slotLabel(h, s)}` })}
                        @click=${() => this.newTask(c, at)}><span aria-hidden="true">+</span></button>`}
              </td>`;
            })}
          </tr>`)}
        </tbody>
      </table>
    </div>
    ${this.view && !this.view.ready ? html`<p class="loading">${t("common.loading")}</p>` : nothing}
    ${this.view?.error ? html`<p class="error" role="alert">${errorText(this.view.error)}</p>` : nothing}`;
  }

  /** Shared by the toolbars: [ ] h keys. */
  protected dayKeys(e: KeyboardEvent, move: (days: number) => void, today: () => void): boolean {
    if (keysBusy(e)) return false;
    if (e.key === "[") move(-1);
    else if (e.key === "]") move(1);
    else if (e.key === "h") today();
    else return false;
    e.preventDefault();
    return true;
  }
}
