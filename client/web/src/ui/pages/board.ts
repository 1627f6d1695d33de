/*
 * The board: the desk's quick buttons All tasks / Urgent / Contacts / In
 * preparation / Overdue (routes board/all, board/urgent, board/contacts,
 * board/prep, board/overdue; F1..F5 or 1..5), each one live view. Urgent,
 * In preparation and Overdue show the user's own tasks by default, with
 * the terminal desk's "mine / everyone's" switch (a; route .../all); All
 * tasks has the filter panel (/).
 *
 * Rows as the manual shows them: planned (created), operator (creator),
 * type, customer, description, tags as coloured chips; status icon, result
 * mark, overdue (!), notes, who took it, how long an escalated task waited;
 * red and yellow as the server computed. Every row carries `data-task-id`
 * and `data-colour` (red, yellow or none).
 *
 * Only the visible window of rows is in the DOM (a fixed row height, a
 * spacer as tall as the list): a board of 20,000 tasks scrolls smoothly.
 * The cursor stays on its task when rows arrive or leave, and the screen
 * does not jump: the cursor's row (or, once scrolled, the top row) keeps
 * its place; at the very top, rows arriving above push the list down so
 * that they are seen.
 */
import { LitElement, html, nothing } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { type TaskRow, ViewKind } from "../../gen/clubcrm_pb.js";
import { lang, t, tn } from "../../i18n.js";
import { type TaskView, taskView } from "../../lib/live.js";
import { type ActionName, requestAction, rowAction, takeOrRelease } from "../board/actions.js";
import "../board/contacts.js";
import { cssProps } from "../board/css.js";
import type { ClubcrmContacts } from "../board/contacts.js";
import "../board/filter.js";
import type { FilterEventDetail } from "../board/filter.js";
import {
  DEFAULT_ORDER, type FilterForm, type Order, type SortKey, type TaskFilterInit, anchoredScroll, chips,
  colourName, duration, emptyFilter, isEmptyFilter, isNote, keepCursor, outcomeMark, scrollToShow, sortRows,
  statusIcon, statusName, takenByName, toggleOrder, visibleWindow,
} from "../board/model.js";
import { mountReminders } from "../board/reminders.js";
import { type AsOfAsk, type PastBoard, asOfLabel, isoMinute, modeFilter, readAsOf } from "../board/asof.js";
import { downloadTasks } from "../board/download.js";
import { csvFileName } from "../../lib/csv.js";
import { recurrenceName, repeatTitle } from "../dialogs/repeat.js";
import "../board/words.js";
import { type AppContext, registerPage } from "../context.js";
import { pageShortcut } from "../shortcuts.js";
import { nowSeconds, shortDateTime } from "../time.js";
import { reasonText } from "../errors.js";

export { colourName } from "../board/model.js";

/** Must match .task-row's height in board.css. */
export const ROW_HEIGHT = 36;
const MARGIN_ROWS = 15;
const MIN_LIST_HEIGHT = 200;

type Mode = "all" | "urgent" | "contacts" | "prep" | "overdue";
const MODES: Mode[] = ["all", "urgent", "contacts", "prep", "overdue"];
const KINDS: Record<string, ViewKind> = {
  all: ViewKind.BOARD, urgent: ViewKind.URGENT, prep: ViewKind.IN_PREPARATION, overdue: ViewKind.OVERDUE,
};

// What the user chose stays while the tab lives (another page and back),
// for that user: another login starts afresh.
let savedOrder: Order = DEFAULT_ORDER;
let savedForm: FilterForm = emptyFilter();
let savedFilter: TaskFilterInit = {};
let savedFor = 0n;

function choicesOf(me: bigint): void {
  if (me === savedFor) return;
  savedFor = me;
  savedOrder = DEFAULT_ORDER;
  savedForm = emptyFilter();
  savedFilter = {};
}

function filterKey(f: TaskFilterInit): string {
  return JSON.stringify(f, (_k, v) => (typeof v === "bigint" ? String(v) : v));
}

/** Row keys (the terminal desk's letters) and the actions they ask for. */
const ROW_KEYS: Record<string, ActionName> = {
  Enter: "info", f: "follow-up", c: "copy", x: "cancel", g: "tags", p: "customer",
};

export class ClubcrmBoard extends LitElement {
  static properties = {
    ctx: { attribute: false },
    language: { attribute: false },
    mode: {},
    scope: {},
    selected: { state: true },
    scrollPos: { state: true },
    viewport: { state: true },
    filterOpen: { state: true },
    menu: { state: true },
    past: { state: true },
    asOfOpen: { state: true },
    asOfBusy: { state: true },
    asOfError: { state: true },
    csvBusy: { state: true },
  };
  declare ctx: AppContext;
  /** The page's language: a change draws the board again in it. */
  declare language: string;
  declare mode: string;
  /** "all": everyone's (Urgent, In preparation, Overdue); else the user's own. */
  declare scope: string;
  declare selected?: bigint;
  declare scrollPos: number;
  declare viewport: number;
  declare filterOpen: boolean;
  declare menu?: { x: number; y: number };
  /** The board frozen at a past moment (read-only), or undefined: live. */
  declare past?: PastBoard;
  declare asOfOpen: boolean;
  declare asOfBusy: boolean;
  declare asOfError: string;
  declare csvBusy: boolean;

  private view?: TaskView;
  private viewKey = "";
  private order: Order = savedOrder;
  private rows: TaskRow[] = [];
  private index = new Map<bigint, number>();
  private dirty = true;
  private pendingScroll?: number;
  private resize?: ResizeObserver;
  private observed?: HTMLElement;
  private ticker?: ReturnType<typeof setInterval>;

  constructor() {
    super();
    this.mode = "all";
    this.scope = "";
    this.scrollPos = 0;
    this.viewport = 600;
    this.filterOpen = !isEmptyFilter(savedForm);
    this.asOfOpen = false;
    this.asOfBusy = false;
    this.asOfError = "";
    this.csvBusy = false;
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (this.ctx) choicesOf(this.ctx.me.id);
    this.order = savedOrder;
    this.filterOpen = !isEmptyFilter(savedForm);
    document.addEventListener("keydown", this.onKey);
    document.addEventListener("click", this.closeMenu);
    window.addEventListener("resize", this.onResize);
    // Escalated rows say how long they waited: refresh now and then.
    this.ticker = setInterval(() => this.requestUpdate(), 30000);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener("keydown", this.onKey);
    document.removeEventListener("click", this.closeMenu);
    window.removeEventListener("resize", this.onResize);
    clearInterval(this.ticker);
    this.resize?.disconnect();
    this.resize = undefined;
    this.observed = undefined;
    this.view?.close();
    this.view = undefined;
    this.viewKey = "";
  }

  private get everyone(): boolean {
    return this.scope === "all";
  }

  private viewFilter(): TaskFilterInit {
    if (this.mode === "all") return savedFilter;
    return this.everyone ? {} : { operatorIds: [this.ctx.me.id] };
  }

  /** The live view the route asks for, subscribed again when the route or the filter changes. */
  private ensureView(): void {
    if (this.mode === "contacts") {
      this.view?.close();
      this.view = undefined;
      this.viewKey = "contacts";
      return;
    }
    const filter = this.viewFilter();
    const key = `${this.mode}|${filterKey(filter)}`;
    if (this.view && key === this.viewKey) return;
    this.view?.close();
    this.viewKey = key;
    this.view = taskView(this.ctx.client, { kind: KINDS[this.mode] ?? ViewKind.BOARD, filter });
    this.view.onChange(() => {
      this.dirty = true;
      this.requestUpdate();
    });
    this.rows = [];
    this.index = new Map();
    this.selected = undefined;
    this.scrollPos = 0;
    this.pendingScroll = 0;
    this.menu = undefined;
    this.dirty = true;
  }

  protected willUpdate(): void {
    this.ensureView();
    if (this.past && this.mode === "contacts") this.backToLive();
    // Another mode or filter while in the past: the same moment again with it.
    if (this.past && !this.asOfBusy && this.past.key !== this.pastKey()) void this.showPast(this.past.ask);
    if (this.dirty && this.view) this.reorder();
  }

  /** What the past board depends on besides the moment: the mode, the scope and the filter. */
  private pastKey(): string {
    return `${this.mode}|${this.scope}|${filterKey(this.viewFilter())}`;
  }

  /** The board as it stood at `ask`: every page of ListTasks as_of, one snapshot. */
  private async showPast(ask: AsOfAsk): Promise<void> {
    const key = this.pastKey();
    this.asOfBusy = true;
    this.asOfError = "";
    const rows: TaskRow[] = [];
    try {
      const snap = await this.ctx.api.listAllTasks({
        filter: modeFilter(this.mode, this.viewFilter()),
        ...(ask.at !== undefined ? { asOf: BigInt(ask.at) } : { asOfRevision: ask.revision }),
      }, (page) => {
        for (const r of page) rows.push(r);
      });
      this.past = { ask, key, rows, revision: snap.revision, revisionAt: Number(snap.at) };
      this.asOfOpen = false;
      this.selected = undefined;
      this.scrollPos = 0;
      this.pendingScroll = 0;
      this.menu = undefined;
      this.dirty = true;
    } catch (e) {
      const why = reasonText(e);
      if (this.past) {
        // The moment asked for did not answer for the new mode: live again, and why.
        this.backToLive();
        this.ctx.notify(t("board.asof.refused", { why }), "error");
      } else this.asOfError = t("board.asof.refused", { why });
    } finally {
      this.asOfBusy = false;
    }
  }

  private backToLive(): void {
    if (!this.past) return;
    this.past = undefined;
    this.selected = undefined;
    this.scrollPos = 0;
    this.pendingScroll = 0;
    this.dirty = true;
  }

  private onAsOf(e: Event): void {
    e.preventDefault();
    const fd = new FormData(e.target as HTMLFormElement);
    const ask = readAsOf(String(fd.get("asOfAt") ?? ""), String(fd.get("asOfRevision") ?? ""), this.ctx.zone);
    if ("problem" in ask) {
      this.asOfError = t(ask.problem);
      return;
    }
    void this.showPast(ask);
  }

  /** The board's rows as a CSV file: as of its moment when frozen, else now in this mode and filter. */
  private async downloadCsv(): Promise<void> {
    if (this.csvBusy) return;
    this.csvBusy = true;
    const zone = this.ctx.zone;
    const p = this.past;
    try {
      if (p) {
        const at = isoMinute(p.ask.at ?? p.revisionAt, zone).replace(" ", "-").replace(":", "");
        await downloadTasks(this.ctx, `clubcrm-tasks-as-of-${at}.csv`, { rows: p.rows, revision: p.revision });
      } else {
        await downloadTasks(this.ctx, csvFileName("tasks", nowSeconds(), zone),
          { filter: modeFilter(this.mode, this.viewFilter()) });
      }
    } finally {
      this.csvBusy = false;
    }
  }

  private refuseReadOnly(): void {
    this.ctx.notify(t("board.asof.readOnly"), "error");
  }

  /** The rows in order again, the cursor and the screen kept where they were. */
  private reorder(): void {
    this.dirty = false;
    const top = this.scrollPos;
    const vp = this.viewport;
    const oldIndex = this.index;
    let anchor: bigint | undefined;
    let anchorAt = -1;
    const selAt = this.selected !== undefined ? oldIndex.get(this.selected) ?? -1 : -1;
    if (selAt >= 0 && (selAt + 1) * ROW_HEIGHT > top && selAt * ROW_HEIGHT < top + vp) {
      anchor = this.selected;
      anchorAt = selAt;
    } else if (top > 0 && this.rows.length) {
      anchorAt = Math.min(this.rows.length - 1, Math.floor(top / ROW_HEIGHT));
      anchor = this.rows[anchorAt].task?.id;
    }
    this.rows = sortRows(this.past ? this.past.rows : this.view!.rows.values(), this.order);
    this.index = new Map();
    const ids: bigint[] = new Array(this.rows.length);
    this.rows.forEach((r, i) => {
      ids[i] = r.task!.id;
      this.index.set(ids[i], i);
    });
    this.selected = keepCursor(this.selected, selAt, ids, (id) => this.index.get(id));
    const now = anchor !== undefined ? this.index.get(anchor) : undefined;
    if (now !== undefined && now !== anchorAt) {
      const to = anchoredScroll(top, anchorAt, now, ROW_HEIGHT, this.rows.length, vp);
      this.scrollPos = to;
      this.pendingScroll = to;
    }
  }

  protected updated(changed: Map<string, unknown>): void {
    const scroller = this.scroller();
    if (scroller && scroller !== this.observed) {
      // The list's own size, and the filter panel's (an error line, the
      // panel opened or closed) which moves the list's top.
      this.resize?.disconnect();
      this.resize = new ResizeObserver(() => this.onResize());
      this.resize.observe(scroller);
      this.observed = scroller;
      this.fit(scroller);
    }
    const filter = this.querySelector("clubcrm-board-filter");
    if (filter) this.resize?.observe(filter);
    if (scroller && (changed.has("filterOpen") || changed.has("mode"))) this.fit(scroller);
    if (scroller && this.pendingScroll !== undefined) {
      scroller.scrollTop = this.pendingScroll;
      this.pendingScroll = undefined;
    }
  }

  /** The list takes the window's height below what is above it (the filter panel may be open). */
  private fit(scroller: HTMLElement): void {
    const h = Math.max(MIN_LIST_HEIGHT, Math.floor(window.innerHeight - scroller.getBoundingClientRect().top - 12));
    if (scroller.style.height !== `${h}px`) scroller.style.height = `${h}px`;
  }

  private onResize = (): void => {
    const s = this.scroller();
    if (!s) return;
    this.fit(s);
    if (s.clientHeight && s.clientHeight !== this.viewport) this.viewport = s.clientHeight;
  };

  private scroller(): HTMLElement | null {
    return this.querySelector<HTMLElement>(".board-scroll");
  }

  private onScroll(e: Event): void {
    this.scrollPos = (e.target as HTMLElement).scrollTop;
    this.menu = undefined;
  }

  private selectedRow(): TaskRow | undefined {
    const i = this.selected !== undefined ? this.index.get(this.selected) : undefined;
    return i !== undefined ? this.rows[i] : undefined;
  }

  /** Moves the cursor to row `i` (clamped) and scrolls it into view. */
  private moveTo(i: number): void {
    if (!this.rows.length) return;
    const n = Math.min(this.rows.length - 1, Math.max(0, i));
    this.selected = this.rows[n].task!.id;
    const to = scrollToShow(this.scrollPos, n, ROW_HEIGHT, this.viewport);
    if (to !== this.scrollPos) {
      this.scrollPos = to;
      this.pendingScroll = to;
    }
  }

  private act(action: ActionName | "take" | "new-task" | "new-note"): void {
    this.menu = undefined;
    if (this.past) return this.refuseReadOnly();
    const r = this.selectedRow();
    if (action === "take") void takeOrRelease(this.ctx, r);
    else if (action === "new-task" || action === "new-note") requestAction(this, { action });
    else rowAction(this, this.ctx, r, action);
  }

  private sortBy(key: SortKey): void {
    this.order = savedOrder = toggleOrder(this.order, key);
    this.dirty = true;
    this.requestUpdate();
    this.updateComplete.then(() => {
      const i = this.selected !== undefined ? this.index.get(this.selected) : undefined;
      if (i !== undefined) this.moveTo(i);
    });
  }

  private setScope(everyone: boolean): void {
    if (this.mode === "all" || this.mode === "contacts") return;
    this.ctx.navigate(everyone ? `board/${this.mode}/all` : `board/${this.mode}`);
  }

  private onFilter(e: CustomEvent<FilterEventDetail>): void {
    savedForm = e.detail.form;
    savedFilter = e.detail.filter.filter;
    this.requestUpdate();
  }

  private openFilter(): void {
    if (this.mode !== "all") return;
    this.filterOpen = true;
    this.updateComplete.then(() =>
      (this.querySelector("clubcrm-board-filter") as { focusFirst(): void } | null)?.focusFirst());
  }

  private closeMenu = (): void => {
    if (this.menu) this.menu = undefined;
  };

  private onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement | null;
    if (target?.closest?.("input, textarea, select, [contenteditable], dialog, [role=dialog]")) return;
    if (document.querySelector("dialog[open], [aria-modal='true']")) return;
    if (this.mode === "contacts") {
      (this.querySelector("clubcrm-contacts") as ClubcrmContacts | null)?.key(e);
      return;
    }
    if (target?.closest?.(".board-menu")) {
      this.menuKey(e);
      return;
    }
    // Buttons keep their own Enter and Space.
    if ((e.key === "Enter" || e.key === " ") && target?.closest?.("button, a")) return;
    const at = this.selected !== undefined ? this.index.get(this.selected) ?? -1 : -1;
    const page = Math.max(1, Math.floor(this.viewport / ROW_HEIGHT) - 1);
    switch (e.key) {
      case "ArrowDown": this.moveTo(at + 1); break;
      case "ArrowUp": this.moveTo(at < 0 ? 0 : at - 1); break;
      case "PageDown": this.moveTo(at + page); break;
      case "PageUp": this.moveTo(at - page); break;
      case "Home": this.moveTo(0); break;
      case "End": this.moveTo(this.rows.length - 1); break;
      case "n": this.act("new-task"); break;
      case "N": this.act("new-note"); break;
      case "t": this.act("take"); break;
      case "a": this.setScope(!this.everyone); break;
      case "/": this.openFilter(); break;
      case "Escape": if (this.past) this.backToLive(); else this.menu = undefined; break;
      case "ContextMenu": this.openMenuAtCursor(); break;
      case "F10": if (e.shiftKey) this.openMenuAtCursor(); else return; break;
      default: {
        const action = ROW_KEYS[e.key];
        if (!action) return;
        this.act(action);
      }
    }
    e.preventDefault();
  };

  /** Opened from the keyboard, the menu takes the focus: arrows move in it, Escape leaves it. */
  private openMenuAtCursor(): void {
    const el = this.selected !== undefined ? this.querySelector(`[data-task-id="${this.selected}"]`) : null;
    if (!el) return;
    const box = el.getBoundingClientRect();
    this.menu = { x: box.left + 40, y: box.bottom };
    this.updateComplete.then(() => this.querySelector<HTMLElement>(".board-menu button")?.focus());
  }

  private menuKey(e: KeyboardEvent): void {
    const items = [...this.querySelectorAll<HTMLElement>(".board-menu button")];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
      e.preventDefault();
    } else if (e.key === "Escape" || e.key === "Tab") {
      this.menu = undefined;
      this.scroller()?.focus();
      e.preventDefault();
    }
  }

  private onRowMenu(e: MouseEvent, id: bigint): void {
    e.preventDefault();
    e.stopPropagation();
    this.selected = id;
    if (this.past) return this.refuseReadOnly();
    this.menu = { x: e.clientX, y: e.clientY };
  }

  // ------------------------------------------------------------ rendering

  private heading(): string {
    return t(`board.title.${this.mode}`);
  }

  private renderBar() {
    const scoped = this.mode !== "all";
    const r = this.selectedRow();
    const mine = r?.task?.takenBy === this.ctx.me.id;
    const btn = (action: Parameters<ClubcrmBoard["act"]>[0], label: string, key: string, disabled = false) =>
      html`<button data-action=${action} title=${key ? `${label} (${key})` : label}
        aria-keyshortcuts=${key || nothing} ?disabled=${disabled} @click=${(e: Event) => {
          e.stopPropagation();
          this.act(action);
        }}>${label}</button>`;
    return html`
      <div class="board-bar">
        <h2>${this.heading()}</h2>
        ${scoped ? html`<div class="board-scope" role="group" aria-label=${t("board.scope")}
            title=${t("board.scope.key")}>
          <button data-scope="mine" aria-pressed=${this.everyone ? "false" : "true"}
            @click=${() => this.setScope(false)}>${t("board.scope.mine")}</button>
          <button data-scope="all" aria-pressed=${this.everyone ? "true" : "false"}
            @click=${() => this.setScope(true)}>${t("board.scope.all")}</button>
        </div>` : html`<button class="board-filter-toggle" aria-expanded=${this.filterOpen ? "true" : "false"}
            title="${t("board.act.filter")} (/)" @click=${() =>
              (this.filterOpen ? (this.filterOpen = false) : this.openFilter())}>
            ${t("board.act.filter")}${isEmptyFilter(savedForm) ? "" : ` · ${t("board.filter.active")}`}</button>`}
        <span class="board-count" data-count=${this.rows.length}>${tn("board.count", this.rows.length)}</span>
        <span class="board-grow"></span>
        <button class="board-asof-toggle" data-act="as-of" aria-expanded=${this.asOfOpen ? "true" : "false"}
          title=${t("board.asof.hint")} @click=${() => {
            this.asOfOpen = !this.asOfOpen;
            this.asOfError = "";
          }}>${t("board.asof.open")}</button>
        <button data-act="csv" title=${t("csv.hint")} ?disabled=${this.csvBusy}
          @click=${() => void this.downloadCsv()}>${t("csv.download")}</button>
        ${btn("new-task", t("board.act.newTask"), "n", !!this.past)}
        ${btn("new-note", t("board.act.newNote"), "N", !!this.past)}
      </div>
      ${this.renderAsOf()}
      ${this.past ? nothing : html`<div class="board-actions" role="toolbar" aria-label=${t("board.actions")}>
        ${btn("info", t("board.act.info"), "Enter", !r)}
        ${btn("follow-up", t("board.act.followUp"), "f", !r)}
        ${btn("close", t("board.act.close"), "", !r)}
        ${btn("copy", t("board.act.copy"), "c", !r)}
        ${btn("cancel", t("board.act.cancel"), "x", !r)}
        ${btn("tags", t("board.act.tags"), "g", !r)}
        ${btn("take", mine ? t("board.act.release") : t("board.act.take"), "t", !r)}
        ${btn("customer", t("board.act.customer"), "p", !r)}
      </div>`}`;
  }

  /** The "As of…" picker (a moment in the club's zone, or a revision) and the read-only banner. */
  private renderAsOf() {
    const p = this.past;
    return html`
      ${this.asOfOpen ? html`<form class="board-asof-form" data-asof-form @submit=${this.onAsOf}>
        <label>${t("board.asof.time")} <input type="datetime-local" name="asOfAt" step="1"></label>
        <label>${t("board.asof.revision")} <input type="number" name="asOfRevision" min="1" class="rev"></label>
        <button type="submit" class="primary" data-act="as-of-show" ?disabled=${this.asOfBusy}>${t("board.asof.show")}</button>
        ${this.asOfBusy ? html`<span class="muted">${t("board.asof.loading")}</span>` : nothing}
        ${this.asOfError ? html`<p class="error" role="alert" data-asof-error>${this.asOfError}</p>` : nothing}
      </form>` : nothing}
      ${p ? html`<div class="board-asof-banner" role="status" data-asof-revision=${String(p.revision)}>
        <span data-asof-label>${asOfLabel(p, this.ctx.zone)}</span>
        <button data-act="live" title="${t("board.asof.live")} (Esc)" @click=${() => this.backToLive()}>
          ${t("board.asof.live")}</button>
      </div>` : nothing}`;
  }

  private renderHead() {
    const o = this.order;
    const arrow = (k: SortKey) => (o.key === k ? (o.descending ? " ▼" : " ▲") : "");
    const sort = (k: SortKey) => (o.key === k ? (o.descending ? "descending" : "ascending") : "none");
    const label = (k: SortKey) => t("board.sort.by", { what: t(k === "planned" ? "board.col.planned" : "board.col.created") });
    return html`<div class="task-row board-head" role="row">
      <span role="columnheader">${t("board.col.marks")}</span>
      <span role="columnheader" aria-sort=${sort(o.key)}>
        <button class="sort" data-sort="planned" title=${label("planned")} aria-sort=${sort("planned")}
          @click=${() => this.sortBy("planned")}>${t("board.col.planned")}${arrow("planned")}</button>
        <button class="sort" data-sort="created" title=${label("created")} aria-sort=${sort("created")}
          @click=${() => this.sortBy("created")}>${t("board.col.created")}${arrow("created")}</button>
      </span>
      <span role="columnheader">${t("board.col.operator")}</span>
      <span role="columnheader">${t("board.col.type")}</span>
      <span role="columnheader">${t("board.col.customer")}</span>
      <span role="columnheader">${t("board.col.description")}</span>
      <span role="columnheader">${t("board.col.tags")}</span>
    </div>`;
  }

  private renderRow(r: TaskRow, now: number) {
    const task = r.task!;
    const colour = colourName(r);
    const sel = task.id === this.selected;
    const st = statusName(task.status);
    const mark = outcomeMark(r.outcome);
    const taken = takenByName(r);
    const zone = this.ctx.zone;
    return html`<div class="task-row ${colour} ${sel ? "sel" : ""} ${r.overdue ? "overdue" : ""}" role="row"
        data-task-id=${String(task.id)} data-colour=${colour} data-status=${task.status} aria-selected=${sel ? "true" : "false"}
        @click=${() => (this.selected = task.id)}
        @dblclick=${() => (this.past ? this.refuseReadOnly() : rowAction(this, this.ctx, r, "info"))}
        @contextmenu=${(e: MouseEvent) => this.onRowMenu(e, task.id)}>
      <span class="c-marks" role="gridcell">
        <span class="st st-${st}" title=${t(`board.status.${st}`)}>${statusIcon(task.status)}</span>
        <span class="oc ${mark === "+" ? "oc-pos" : mark === "-" ? "oc-neg" : "oc-unk"}"
          title=${mark ? t(`board.outcome.${mark}`) : ""}>${mark}</span>
        ${r.overdue ? html`<span class="ovd" title=${t("board.overdue")} data-overdue>!</span>` : nothing}
        ${isNote(r) ? html`<span class="note-mark" title=${t("board.note")} data-note>✎</span>` : nothing}
        ${task.recurrence ? html`<span class="rep-mark" title=${repeatTitle(task, zone)}
          data-repeat=${recurrenceName(task.recurrence)}>↻</span>` : nothing}
      </span>
      <span class="c-when" role="gridcell">${shortDateTime(task.plannedAt, zone)}
        <span class="muted">(${shortDateTime(task.createdAt, zone).slice(0, 5)})</span></span>
      <span class="c-who" role="gridcell">${r.operatorName || r.operatorLogin}
        <span class="muted">(${r.creatorName || r.creatorLogin})</span></span>
      <span class="c-type" role="gridcell">${r.typeName}</span>
      <span class="c-cust" role="gridcell">${r.customerName}</span>
      <span class="c-desc" role="gridcell" title=${task.description}>
        ${r.escalated ? html`<span class="esc" data-escalated>${t("board.escalated",
          { time: duration(now - Number(task.createdAt)) })}</span>` : nothing}
        ${taken ? html`<span class="taken">${t("board.takenBy", { name: taken })}</span>` : nothing}
        ${task.description}</span>
      <span class="c-tags" role="gridcell">${chips(r).map((c) => html`<span
        class="chip ${c.background ? "" : "chip-plain"} ${c.darkText ? "chip-dark" : "chip-light"}" data-tag=${c.name}
        ${cssProps(c.background ? { "--chip": c.background } : {})}>${c.name}</span>`)}</span>
    </div>`;
  }

  private renderMenu() {
    const m = this.menu;
    if (!m) return nothing;
    const r = this.selectedRow();
    const mine = r?.task?.takenBy === this.ctx.me.id;
    const item = (action: Parameters<ClubcrmBoard["act"]>[0], label: string, key: string) =>
      html`<button role="menuitem" data-action=${action} @click=${(e: Event) => {
        e.stopPropagation();
        this.act(action);
      }}><span>${label}</span><kbd>${key}</kbd></button>`;
    return html`<div class="board-menu" role="menu" ${cssProps({ left: `${m.x}px`, top: `${m.y}px` })}>
      ${item("info", t("board.act.info"), "Enter")}
      ${item("follow-up", t("board.act.followUp"), "f")}
      ${item("close", t("board.act.close"), "")}
      ${item("copy", t("board.act.copy"), "c")}
      ${item("cancel", t("board.act.cancel"), "x")}
      ${item("tags", t("board.act.tags"), "g")}
      ${item("take", mine ? t("board.act.release") : t("board.act.take"), "t")}
      ${item("customer", t("board.act.customer"), "p")}
      ${item("new-note", t("board.act.newNote"), "N")}
    </div>`;
  }

  render() {
    if (this.mode === "contacts") return html`<clubcrm-contacts .ctx=${this.ctx} .language=${this.language}>
      </clubcrm-contacts>`;
    const v = this.view!;
    const n = this.rows.length;
    const w = visibleWindow(this.scrollPos, this.viewport, ROW_HEIGHT, n, MARGIN_ROWS);
    const slice = this.rows.slice(w.start, w.end);
    const now = nowSeconds();
    return html`
      ${this.renderBar()}
      ${this.mode === "all" && this.filterOpen ? html`<clubcrm-board-filter .ctx=${this.ctx} .language=${this.language} .form=${savedForm}
        @board-filter=${this.onFilter}></clubcrm-board-filter>` : nothing}
      ${v.error && !this.past ? html`<p class="error" role="alert">${t("board.viewError", { why: reasonText(v.error) })}</p>`
        : nothing}
      <div class="board-grid" role="grid" aria-label=${this.heading()} aria-rowcount=${n + 1}
        data-mode=${this.mode} data-past=${this.past ? "yes" : "no"} data-board-scope=${this.mode === "all" ? "all" : this.everyone ? "all" : "mine"}>
        ${this.renderHead()}
        <div class="board-scroll" tabindex="0" @scroll=${this.onScroll}>
          <div class="board-spacer" ${cssProps({ height: `${n * ROW_HEIGHT}px` })}>
            <div class="board-slice" ${cssProps({ transform: `translateY(${w.start * ROW_HEIGHT}px)` })}>
              ${repeat(slice, (r) => r.task!.id, (r) => this.renderRow(r, now))}
            </div>
          </div>
          ${(v.ready || this.past) && !n ? html`<p class="empty">${t("board.empty")}</p>` : nothing}
          ${!v.ready && !this.past && !n ? html`<p class="loading">${t("common.loading")}</p>` : nothing}
        </div>
      </div>
      ${this.renderMenu()}`;
  }
}
customElements.define("clubcrm-board", ClubcrmBoard);

for (const [mode, key, order] of [["all", "nav.all", 1], ["urgent", "nav.urgent", 2], ["contacts", "nav.contacts", 3],
  ["prep", "nav.prep", 4], ["overdue", "nav.overdue", 5]] as const) {
  registerPage(mode === "all" ? "board" : `board-${mode}`, {
    navKey: key, navRoute: `board/${mode}`, order,
    render: (ctx, args) => html`<clubcrm-board .ctx=${ctx} .language=${lang()} mode=${MODES.includes(args[0] as Mode) ? args[0] : "all"}
      scope=${args[1] === "all" ? "all" : ""}></clubcrm-board>`,
  });
  pageShortcut(`board/${mode}`, String(order), `F${order}`);
}

mountReminders();
