/*
 * <clubcrm-dialogs>: the task dialogs of the browser desk. Pages ask for
 * them with one DOM event,
 *   new CustomEvent("clubcrm-action", { bubbles: true, composed: true,
 *     detail: { action, taskId?, row?, customerId?, plannedAt?, operatorId?, kind? } })
 * and this element (mounted once in the shell) opens the modal <dialog>:
 * new task / new note, follow up, close, cancel, copy, tags, and the task's
 * info (every field editable, the full history below, and the edit
 * conflict: their version beside mine). Esc closes; Ctrl+Enter or Ctrl+S
 * saves. A server's refusal is shown in the dialog, which stays open with
 * what was typed. A new task's form keeps one idempotency key until it is
 * saved, so a save retried after a lost connection creates it once.
 */
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { keyed } from "lit/directives/keyed.js";
import { ref } from "lit/directives/ref.js";
import {
  type Customer,
  FollowUpAction,
  type FollowOn,
  Outcome,
  Recurrence,
  type Result,
  type Tag,
  TaskKind,
  type TaskRow,
  TaskStatus,
} from "../../gen/clubcrm_pb.js";
import { t, tn } from "../../i18n.js";
import { newIdempotencyKey } from "../../lib/api.js";
import { ClubError, Status } from "../../lib/status.js";
import type { AppContext } from "../context.js";
import { longDateTime, nowSeconds, toInputValue } from "../time.js";
import {
  type ConflictRow,
  type FieldName,
  type HistoryLine,
  type TaskFields,
  allowedActions,
  checkWhen,
  conflictRows,
  mineAlreadyIn,
  changedFields,
  editOf,
  fieldsOf,
  followUpProblem,
  historyLines,
  inkOn,
  nextFullHour,
  overlapping,
  proposedFollowOns,
  sortIds,
  staysOpen,
  tagChanges,
  tagColourCss,
  toId,
} from "./logic.js";
import {
  REPEAT_COUNT_MAX, type RepeatChoice, type RepeatEnd, type RepeatFields, readRepeat, recurrenceName, repeatChanged,
  repeatCreate, repeatEdit, repeatOf,
} from "./repeat.js";
import "./words.js";
import type { ActionDetail, ActionName } from "../action.js";
import { errorText } from "../errors.js";

export { ACTIONS, type ActionDetail, type ActionName, requestAction } from "../action.js";

function formText(fd: FormData, name: string): string | null {
  const v = fd.get(name);
  return typeof v === "string" ? v : null;
}

/**
 * A tag as a coloured chip. The colour is set through the CSSOM
 * (style.setProperty), which the CSP allows; a style attribute, which
 * lit's styleMap writes on its first render, is refused by it.
 */
export function tagChip(name: string, colour: string | undefined): TemplateResult {
  const bg = tagColourCss(colour);
  const paint = (el?: Element) => {
    if (!(el instanceof HTMLElement)) return;
    if (bg) {
      el.style.setProperty("--chip-bg", bg);
      el.style.setProperty("--chip-ink", inkOn(bg));
    } else {
      el.style.removeProperty("--chip-bg");
      el.style.removeProperty("--chip-ink");
    }
  };
  return html`<span class="chip" data-tag=${name} data-chip-colour=${bg || nothing} ${ref(paint)}>${name}</span>`;
}

export function statusWord(s: TaskStatus): string {
  return s === TaskStatus.DONE ? t("dialogs.status.done")
    : s === TaskStatus.CANCELLED ? t("dialogs.status.cancelled")
    : s === TaskStatus.PLANNED ? t("dialogs.status.planned") : "—";
}

function outcomeWord(o: Outcome): string {
  return o === Outcome.POSITIVE ? t("dialogs.outcome.positive")
    : o === Outcome.NEGATIVE ? t("dialogs.outcome.negative")
    : o === Outcome.UNKNOWN ? t("dialogs.outcome.unknown") : "";
}

/** A history entry's field name in the page's language (the server's name when unknown). */
function historyField(f: string): string {
  const k = `dialogs.hf.${f}`;
  const w = t(k);
  return w === k ? f : w;
}

/** A status in the history in the page's language (the server writes planned, done, cancelled). */
function historyValue(field: string, v: string): string {
  if (field !== "status") return v;
  const st: Record<string, TaskStatus> = { planned: TaskStatus.PLANNED, done: TaskStatus.DONE,
    cancelled: TaskStatus.CANCELLED };
  return st[v.toLowerCase()] ? statusWord(st[v.toLowerCase()]) : v;
}

function delayWords(minutes: number): string {
  if (minutes % 1440 === 0 && minutes) return tn("dialogs.days", minutes / 1440);
  if (minutes % 60 === 0 && minutes) return t("dialogs.hours", { n: minutes / 60 });
  return t("dialogs.minutes", { n: minutes });
}

interface Picker {
  customer?: Customer;
  hits: Customer[];
  /** The query `hits` answer (an answer to an older query is never picked). */
  hitsFor?: string;
  query: string;
  seq: number;
  open: boolean;
}

interface CreateState {
  mode: "create";
  note: boolean;
  key: Uint8Array;
  picker: Picker;
  plannedAt: number;
  operatorId?: bigint;
  whenMsg: string;
}
interface FollowUpState {
  mode: "follow-up";
  row: TaskRow;
  resultId?: bigint;
  action: FollowUpAction;
  next: boolean;
  key: Uint8Array;
  whenMsg: string;
}
interface ConcludeState {
  mode: "close" | "cancel";
  row: TaskRow;
}
interface CopyState {
  mode: "copy";
  row: TaskRow;
  key: Uint8Array;
  whenMsg: string;
}
interface TagsState {
  mode: "tags";
  row: TaskRow;
}
interface InfoState {
  mode: "info";
  row?: TaskRow;
  taskId: bigint;
  base?: TaskFields;
  baseModRev: bigint;
  history?: HistoryLine[];
  picker: Picker;
  whenMsg: string;
  conflict?: { theirs: TaskRow; mine: TaskFields; rows: ConflictRow[] };
  /** The repetition's change being saved (sent again with a re-applied edit). */
  repeat?: RepeatFields;
}
type DialogState = CreateState | FollowUpState | ConcludeState | CopyState | TagsState | InfoState;

export class ClubcrmDialogs extends LitElement {
  static properties = {
    ctx: { attribute: false },
    state: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare ctx?: AppContext;
  declare state: DialogState | null;
  declare busy: boolean;
  declare error: string;

  private seq = 0;
  private returnFocus: HTMLElement | null = null;
  private searchTimer?: ReturnType<typeof setTimeout>;
  private readonly onAction = (e: Event) => {
    const d = (e as CustomEvent).detail as ActionDetail | undefined;
    if (!d || !this.ctx) return;
    e.stopPropagation();
    void this.handle(d);
  };

  constructor() {
    super();
    this.state = null;
    this.busy = false;
    this.error = "";
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener("clubcrm-action", this.onAction);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener("clubcrm-action", this.onAction);
    clearTimeout(this.searchTimer);
  }

  // ------------------------------------------------------------ opening

  private get catalog() {
    return this.ctx!.catalog;
  }

  private async rowOf(d: ActionDetail): Promise<TaskRow | undefined> {
    if (d.row?.task) return d.row;
    const id = toId(d.taskId);
    if (!id) return undefined;
    try {
      return (await this.ctx!.api.getTask(id, false)).row;
    } catch (e) {
      this.ctx!.notify(errorText(e), "error");
      return undefined;
    }
  }

  private show(s: DialogState): void {
    if (!this.state) this.returnFocus = document.activeElement as HTMLElement | null;
    this.seq++;
    this.error = "";
    this.busy = false;
    this.state = s;
  }

  async handle(d: ActionDetail): Promise<void> {
    const ctx = this.ctx!;
    if (this.state && d.action !== "customer") {
      // Never throw away what is being typed in the open dialog.
      ctx.notify(t("dialogs.busy"), "error");
      return;
    }
    switch (d.action) {
      case "customer": {
        const id = toId(d.customerId) ?? toId(d.row?.task?.customerId);
        if (id) ctx.navigate(`customer/${id}`);
        return;
      }
      case "new-task":
      case "new-note": {
        const note = d.action === "new-note" || d.kind === "note" || d.kind === TaskKind.NOTE;
        const picker: Picker = { hits: [], query: "", seq: 0, open: false };
        const cid = toId(d.customerId);
        if (cid) {
          picker.customer = this.catalog.customers.get(cid) ?? await ctx.api.getCustomer(cid).catch(() => undefined);
          picker.query = picker.customer?.name ?? "";
        }
        const at = d.plannedAt !== undefined && Number(d.plannedAt) > 0 ? Number(d.plannedAt)
          : note ? 0 : nextFullHour(nowSeconds(), ctx.zone);
        this.show({ mode: "create", note, key: newIdempotencyKey(), picker, plannedAt: at,
          operatorId: toId(d.operatorId), whenMsg: "" });
        return;
      }
      case "info": {
        const id = toId(d.taskId) ?? d.row?.task?.id;
        if (!id) return;
        this.show({ mode: "info", taskId: id, baseModRev: 0n, picker: { hits: [], query: "", seq: 0, open: false },
          whenMsg: "", row: d.row?.task ? d.row : undefined });
        await this.loadInfo(id, true);
        return;
      }
      default: {
        const row = await this.rowOf(d);
        if (!row?.task) return;
        if (d.action === "follow-up")
          this.show({ mode: "follow-up", row, action: FollowUpAction.UNSPECIFIED, next: false,
            key: newIdempotencyKey(), whenMsg: "" });
        else if (d.action === "close" || d.action === "cancel") this.show({ mode: d.action, row });
        else if (d.action === "copy") this.show({ mode: "copy", row, key: newIdempotencyKey(), whenMsg: "" });
        else if (d.action === "tags") this.show({ mode: "tags", row });
      }
    }
  }

  /** The task and its history, fresh from the server; `resetForm` starts the form from it. */
  private async loadInfo(id: bigint, resetForm: boolean): Promise<void> {
    try {
      const r = await this.ctx!.api.getTask(id, true);
      const s = this.state;
      if (!s || s.mode !== "info" || s.taskId !== id || !r.row?.task) return;
      const fmt = (x: bigint) => longDateTime(x, this.ctx!.zone);
      const next: InfoState = { ...s, history: historyLines(r.history, fmt) };
      if (resetForm) {
        next.row = r.row;
        next.base = fieldsOf(r.row.task);
        next.baseModRev = r.row.task.modRev;
        const cu = this.catalog.customers.get(r.row.task.customerId);
        next.picker = { ...s.picker, customer: cu, query: cu?.name ?? r.row.customerName };
        this.seq++; // a fresh form with the loaded values
      }
      this.state = next;
    } catch (e) {
      const s = this.state;
      if (s?.mode === "info" && s.taskId === id) {
        if (e instanceof ClubError && e.code === 5 && !s.row) {
          this.close();
          this.ctx!.notify(t("dialogs.err.notFound", { id: String(id) }), "error");
        } else this.error = errorText(e);
      }
    }
  }

  close(): void {
    this.state = null;
    this.busy = false;
    this.error = "";
    clearTimeout(this.searchTimer);
    const back = this.returnFocus;
    this.returnFocus = null;
    // The page is inert while the modal is open: close it before giving focus back.
    const dlg = this.querySelector<HTMLDialogElement>("dialog.dlg");
    if (dlg?.open) dlg.close();
    if (back?.isConnected) back.focus();
  }

  protected updated(): void {
    const dlg = this.querySelector<HTMLDialogElement>("dialog.dlg");
    if (dlg && !dlg.open) {
      dlg.showModal();
      const first = dlg.querySelector<HTMLElement>("[autofocus]") ??
        dlg.querySelector<HTMLElement>("input:not([type=hidden]), select, textarea, button");
      first?.focus();
    }
  }

  // ------------------------------------------------------------ helpers

  private activeTypes() {
    return [...this.catalog.taskTypes.values()].filter((x) => x.active).sort((a, b) => a.name.localeCompare(b.name));
  }
  private activeResults() {
    return [...this.catalog.results.values()].filter((x) => x.active).sort((a, b) => a.name.localeCompare(b.name));
  }
  private activeOperators() {
    return [...this.catalog.operators.values()].filter((x) => x.active)
      .sort((a, b) => (a.name || a.login).localeCompare(b.name || b.login));
  }
  private activeTags(): Tag[] {
    return [...this.catalog.tags.values()].filter((x) => x.active).sort((a, b) => a.name.localeCompare(b.name));
  }
  private opName(id: bigint): string {
    const o = this.catalog.operators.get(id);
    return o ? o.name || o.login : id ? `#${id}` : "";
  }

  private form(): HTMLFormElement | null {
    return this.querySelector("dialog.dlg form");
  }

  private whenField(name: string, label: string, value: number, required: boolean,
    onMsg: (m: string) => void): TemplateResult {
    const check = (e: Event) => {
      const v = (e.target as HTMLInputElement).value;
      const c = checkWhen(v, this.ctx!.zone, nowSeconds());
      onMsg(c.ok ? (c.past ? t("dialogs.warn.past") : "") : c.why === "gap" ? t("dialogs.err.gap")
        : c.why === "invalid" ? t("dialogs.err.invalid") : "");
    };
    return html`<label>${label}
      <input type="datetime-local" name=${name} ?required=${required}
        value=${value ? toInputValue(value, this.ctx!.zone) : ""} @input=${check} @change=${check}></label>`;
  }

  private whenNote(msg: string): TemplateResult | typeof nothing {
    if (!msg) return html`<p class="hint">${t("dialogs.zone", { zone: this.ctx!.zone })}</p>`;
    return html`<p class="warn" role="status" data-when-msg>${msg}</p>`;
  }

  /**
   * Reads a datetime-local field: seconds, 0 for an allowed empty value, or
   * null after showing why it cannot be saved. `past` is set when it is past.
   */
  private readWhen(fd: FormData, name: string, required: boolean): { at: number; past: boolean } | null {
    const v = String(fd.get(name) ?? "");
    const c = checkWhen(v, this.ctx!.zone, nowSeconds());
    if (c.ok) return { at: c.at, past: c.past };
    if (c.why === "empty" && !required) return { at: 0, past: false };
    this.error = t(c.why === "gap" ? "dialogs.err.gap" : c.why === "invalid" ? "dialogs.err.invalid"
      : "dialogs.err.planned");
    return null;
  }

  private setWhenMsg(m: string): void {
    if (this.state && "whenMsg" in this.state && this.state.whenMsg !== m) this.state = { ...this.state, whenMsg: m };
  }

  // ------------------------------------------------------------ customer picker

  private search(q: string): void {
    const s = this.state;
    if (!s || (s.mode !== "create" && s.mode !== "info")) return;
    const seq = s.picker.seq + 1;
    this.state = { ...s, picker: { ...s.picker, query: q, seq, open: true,
      customer: s.picker.customer && s.picker.customer.name === q ? s.picker.customer : undefined } } as DialogState;
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => {
      this.ctx?.api.listCustomers(q.trim(), 8).then((page) => {
        const now = this.state;
        if (!now || (now.mode !== "create" && now.mode !== "info") || now.picker.seq !== seq) return;
        this.state = { ...now, picker: { ...now.picker, hits: page.customers, hitsFor: q } } as DialogState;
      }).catch((e) => (this.error = errorText(e)));
    }, 150);
  }

  private pick(c: Customer): void {
    const s = this.state;
    if (!s || (s.mode !== "create" && s.mode !== "info")) return;
    this.state = { ...s, picker: { ...s.picker, customer: c, query: c.name, open: false, hits: [] } } as DialogState;
    const input = this.querySelector<HTMLInputElement>("dialog.dlg input[name=customerSearch]");
    if (input) input.value = c.name;
  }

  private renderPicker(p: Picker, autofocus: boolean): TemplateResult {
    const fresh = p.hitsFor === p.query;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Enter" && !e.ctrlKey && p.open) {
        e.preventDefault();
        if (fresh && p.hits.length) this.pick(p.hits[0]);
      } else if (e.key === "ArrowDown" && fresh && p.hits.length) {
        e.preventDefault();
        this.querySelector<HTMLButtonElement>("dialog.dlg .hits button")?.focus();
      }
    };
    const hitKey = (e: KeyboardEvent) => {
      const b = e.target as HTMLElement;
      const li = b.closest("li");
      if (e.key === "ArrowDown") (li?.nextElementSibling?.querySelector("button") as HTMLElement | null)?.focus();
      else if (e.key === "ArrowUp")
        ((li?.previousElementSibling?.querySelector("button") as HTMLElement | null) ??
          this.querySelector<HTMLInputElement>("dialog.dlg input[name=customerSearch]"))?.focus();
      else return;
      e.preventDefault();
    };
    const consultant = p.customer ? this.opName(p.customer.consultantId) : "";
    return html`<div class="picker">
      <label>${t("dialogs.f.customer")}
        <input type="search" name="customerSearch" autocomplete="off" role="combobox"
          aria-autocomplete="list" aria-expanded=${p.open && fresh && p.hits.length ? "true" : "false"}
          aria-controls="dlg-hits" placeholder=${t("dialogs.search")} value=${p.query} ?autofocus=${autofocus}
          @input=${(e: Event) => this.search((e.target as HTMLInputElement).value)}
          @focus=${() => { if (!p.customer && !p.hits.length) this.search(p.query); }}
          @keydown=${onKey}></label>
      ${p.customer ? html`<span class="picked" data-customer-id=${String(p.customer.id)}>✓ ${p.customer.name}
        ${p.customer.phone ? html`· ${p.customer.phone}` : nothing}
        ${consultant ? html`· ${t("customer.consultant")}: ${consultant}` : nothing}</span>` : nothing}
      ${p.open && !p.customer && fresh ? html`<ul class="hits" id="dlg-hits" role="listbox">
        ${p.hits.length ? p.hits.map((c) => html`<li role="option" aria-selected="false">
          <button type="button" data-customer-id=${String(c.id)} @keydown=${hitKey}
            @click=${() => this.pick(c)}>${c.name}${c.phone ? html` <small>${c.phone}</small>` : nothing}</button>
          </li>`) : html`<li class="muted">${t("dialogs.noMatch")}</li>`}
      </ul>` : nothing}
    </div>`;
  }

  // ------------------------------------------------------------ saving

  private async run(work: () => Promise<string | null>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = "";
    try {
      const msg = await work();
      if (msg !== null) {
        this.close();
        this.ctx?.notify(msg);
      }
    } catch (e) {
      this.onSaveError(e);
    } finally {
      this.busy = false;
    }
  }

  private onSaveError(e: unknown): void {
    const s = this.state;
    if (e instanceof ClubError && e.isConflict && e.current?.task && s) {
      if (s.mode === "info" && s.base) {
        const mine = this.infoFields();
        if (mine) {
          const rows = conflictRows(s.base, fieldsOf(e.current.task), mine);
          if (mineAlreadyIn(rows) && !(s.repeat && repeatChanged(s.repeat))) {
            // Theirs already holds my edit: this very edit, saved by a first
            // Save whose answer was lost (or the same edit by someone else).
            this.close();
            this.ctx?.notify(t("dialogs.saved", { id: String(s.taskId) }));
            return;
          }
          this.state = { ...s, conflict: { theirs: e.current, mine, rows } };
          void this.loadInfo(s.taskId, false); // their change in the history too
          return;
        }
      }
      if (s.mode === "follow-up") {
        this.state = { ...s, row: e.current };
        this.error = t("dialogs.stale");
        return;
      }
    }
    this.error = errorText(e);
  }

  private save(): void {
    const s = this.state;
    const form = this.form();
    if (!s || !form || this.busy) return;
    if (s.mode === "info" && s.conflict) return;
    // Our own checks, with the reason in the dialog (not the browser's bubbles).
    const fd = new FormData(form);
    switch (s.mode) {
      case "create": return this.saveCreate(s, fd);
      case "follow-up": return this.saveFollowUp(s, fd);
      case "close":
      case "cancel": return this.saveConclude(s, fd);
      case "copy": return this.saveCopy(s, fd);
      case "tags": return this.saveTags(s, fd);
      case "info": return this.saveInfo(s);
    }
  }

  private saveCreate(s: CreateState, fd: FormData): void {
    const customer = s.picker.customer;
    if (!customer) return void (this.error = t("dialogs.err.customer"));
    const typeId = toId(fd.get("type"));
    if (!typeId) return void (this.error = t("dialogs.err.type"));
    const description = String(fd.get("description") ?? "").trim();
    if (!description) return void (this.error = t("dialogs.err.description"));
    const when = this.readWhen(fd, "planned", !s.note);
    if (!when) return;
    const operatorId = toId(fd.get("operator"));
    const tagIds = sortIds(fd.getAll("tag").map((x) => toId(x)).filter((x): x is bigint => !!x));
    let repeat: RepeatFields = {};
    if (!s.note) {
      const choice = readRepeat((n) => formText(fd, n));
      if ("problem" in choice) return void (this.error = t(choice.problem));
      const f = repeatCreate(choice, this.ctx!.zone);
      if (!f) return void (this.error = t("dialogs.repeat.err.until"));
      repeat = f;
    }
    void this.run(async () => {
      const r = await this.ctx!.api.createTask({
        kind: s.note ? TaskKind.NOTE : TaskKind.TASK, description, typeId, customerId: customer.id,
        plannedAt: when.at ? BigInt(when.at) : undefined, operatorId, tagIds, idempotencyKey: s.key, ...repeat,
      });
      const id = String(r.row?.task?.id ?? "");
      return s.note ? t("dialogs.savedNote", { id }) : when.past ? t("dialogs.pastSaved", { id })
        : t("dialogs.saved", { id });
    });
  }

  private saveFollowUp(s: FollowUpState, fd: FormData): void {
    const result = s.resultId ? this.catalog.results.get(s.resultId) : undefined;
    const note = String(fd.get("note") ?? "");
    const problem = followUpProblem(result, s.action, note);
    if (problem) return void (this.error = t(problem));
    let next: { kind: TaskKind; description: string; typeId?: bigint; plannedAt: bigint; operatorId?: bigint;
      idempotencyKey: Uint8Array } | undefined;
    if (s.next) {
      const description = String(fd.get("nextDescription") ?? "").trim();
      if (!description) return void (this.error = t("dialogs.err.nextDescription"));
      const when = this.readWhen(fd, "nextPlanned", true);
      if (!when) return;
      next = { kind: TaskKind.TASK, description, typeId: toId(fd.get("nextType")), plannedAt: BigInt(when.at),
        operatorId: toId(fd.get("nextOperator")), idempotencyKey: s.key };
    }
    const task = s.row.task!;
    void this.run(async () => {
      const r = await this.ctx!.api.followUp({ id: task.id, resultId: result!.id, action: s.action,
        note: note.trim() || undefined, next, baseModRev: task.modRev });
      const made = r.created.find((c) => c.task?.followsId === task.id && c.task.kind === TaskKind.TASK &&
        c.task.description === next?.description);
      return made ? t("dialogs.followedUpNext", { id: String(task.id), next: String(made.task!.id) })
        : t("dialogs.followedUp", { id: String(task.id) });
    });
  }

  private saveConclude(s: ConcludeState, fd: FormData): void {
    const resultId = toId(fd.get("result"));
    const note = String(fd.get("note") ?? "").trim() || undefined;
    const id = s.row.task!.id;
    const done = t(s.mode === "close" ? "dialogs.closed" : "dialogs.cancelled", { id: String(id) });
    void this.run(async () => {
      try {
        if (s.mode === "close") await this.ctx!.api.closeTask(id, resultId, note);
        else await this.ctx!.api.cancelTask(id, resultId, note);
      } catch (e) {
        // A Save again after an answer lost with the link: the first one
        // went through ("task 8 is already done"). Closed by me just so is saved.
        if (!(e instanceof ClubError) || e.code !== Status.FAILED_PRECONDITION || e.isConflict) throw e;
        const now = (await this.ctx!.api.getTask(id, false).catch(() => undefined))?.row?.task;
        const status = s.mode === "close" ? TaskStatus.DONE : TaskStatus.CANCELLED;
        if (!now || now.status !== status || now.modifiedBy !== this.ctx!.me.id ||
          (resultId !== undefined && now.resultId !== resultId) || (note !== undefined && now.closingNote !== note))
          throw e;
      }
      return done;
    });
  }

  private saveCopy(s: CopyState, fd: FormData): void {
    const task = s.row.task!;
    const note = task.kind === TaskKind.NOTE;
    const when = this.readWhen(fd, "planned", !note);
    if (!when) return;
    const description = String(fd.get("description") ?? "").trim();
    if (!description) return void (this.error = t("dialogs.err.description"));
    const operatorId = toId(fd.get("operator"));
    void this.run(async () => {
      const r = await this.ctx!.api.copyTask(task.id, {
        plannedAt: when.at ? BigInt(when.at) : undefined,
        description: description !== task.description ? description : undefined,
        operatorId: operatorId && operatorId !== task.operatorId ? operatorId : undefined,
        idempotencyKey: s.key,
      });
      return t("dialogs.copied", { id: String(r.row?.task?.id ?? "") });
    });
  }

  private saveTags(s: TagsState, fd: FormData): void {
    const task = s.row.task!;
    const want = fd.getAll("tag").map((x) => toId(x)).filter((x): x is bigint => !!x);
    const { add, remove } = tagChanges(task.tagIds, want);
    if (!add.length && !remove.length) {
      this.close();
      return;
    }
    void this.run(async () => {
      for (const id of add) await this.ctx!.api.tagTask(task.id, id);
      for (const id of remove) await this.ctx!.api.untagTask(task.id, id);
      return t("dialogs.tagsSaved", { id: String(task.id) });
    });
  }

  /** The info form's values as a task's fields; null after showing why not. */
  private infoFields(): TaskFields | null {
    const s = this.state;
    const form = this.form();
    if (!s || s.mode !== "info" || !s.base || !form) return null;
    const fd = new FormData(form);
    const isNote = s.row?.task?.kind === TaskKind.NOTE;
    const when = this.readWhen(fd, "planned", !isNote);
    if (!when) return null;
    return {
      description: String(fd.get("description") ?? "").trim(),
      typeId: toId(fd.get("type")) ?? s.base.typeId,
      plannedAt: when.at ? BigInt(when.at) : s.base.plannedAt,
      operatorId: toId(fd.get("operator")) ?? s.base.operatorId,
      customerId: s.picker.customer?.id ?? s.base.customerId,
      status: (Number(fd.get("status")) || s.base.status) as TaskStatus,
      resultId: toId(fd.get("result")) ?? 0n,
      closingNote: String(fd.get("closingNote") ?? ""),
      tagIds: sortIds(fd.getAll("tag").map((x) => toId(x)).filter((x): x is bigint => !!x)),
    };
  }

  private saveInfo(s: InfoState): void {
    if (!s.base) return;
    const mine = this.infoFields();
    if (!mine) return;
    if (!mine.description) return void (this.error = t("dialogs.err.description"));
    const repeat = this.infoRepeat(s);
    if (!repeat) return;
    if (!changedFields(s.base, mine).length && !repeatChanged(repeat)) {
      this.close();
      this.ctx?.notify(t("dialogs.nothing"));
      return;
    }
    const base = s.base;
    this.state = { ...s, repeat };
    void this.run(async () => {
      await this.ctx!.api.editTask({ ...editOf(s.taskId, s.baseModRev, base, mine), ...repeat });
      return t("dialogs.saved", { id: String(s.taskId) });
    });
  }

  /** From the info dialog to another dialog on the same task, unless the form has unsaved changes. */
  private switchTo(action: ActionName): void {
    const s = this.state;
    if (s?.mode !== "info" || !s.row?.task || !s.base) return;
    const mine = this.infoFields();
    if (!mine) return;
    const repeat = this.infoRepeat(s);
    if (!repeat) return;
    if (changedFields(s.base, mine).length || repeatChanged(repeat)) {
      this.error = t("dialogs.unsaved");
      return;
    }
    const back = this.returnFocus;
    const row = s.row;
    this.state = null;
    void this.handle({ action, taskId: row.task!.id, row }).then(() => {
      this.returnFocus = back;
    });
  }

  /** The info form's change to the repetition ({} for none, or a note); null after showing why not. */
  private infoRepeat(s: InfoState): RepeatFields | null {
    const task = s.row?.task;
    const form = this.form();
    if (!task || task.kind === TaskKind.NOTE || !form) return {};
    const fd = new FormData(form);
    const choice = readRepeat((n) => formText(fd, n));
    if ("problem" in choice) return void (this.error = t(choice.problem)), null;
    const f = repeatEdit(task, choice, this.ctx!.zone);
    if (!f) this.error = t("dialogs.repeat.err.until");
    return f;
  }

  /** Repeats: no / daily / weekly / monthly, and the series' end: never, until a day, or N times. */
  private renderRepeat(c: RepeatChoice): TemplateResult {
    const kinds = [Recurrence.UNSPECIFIED, Recurrence.DAILY, Recurrence.WEEKLY, Recurrence.MONTHLY];
    const end = (v: RepeatEnd, label: string) => html`<label class="radio"><input type="radio" name="repeatEnd"
      value=${v} .checked=${c.end === v}> ${label}</label>`;
    return html`<fieldset class="repeat" data-repeat-fields>
      <legend>${t("dialogs.repeat.label")}</legend>
      <select name="repeat" aria-label=${t("dialogs.repeat.label")}>
        ${kinds.map((k) => html`<option value=${recurrenceName(k)} ?selected=${c.recurrence === k}>${
          t(`dialogs.repeat.${recurrenceName(k)}`)}</option>`)}
      </select>
      <span class="repeat-end" role="radiogroup" aria-label=${t("dialogs.repeat.end")}>${t("dialogs.repeat.end")}:
        ${end("never", t("dialogs.repeat.never"))}
        ${end("until", t("dialogs.repeat.until"))}
        <input type="date" name="repeatUntil" aria-label=${t("dialogs.repeat.until")} .value=${c.until}
          @input=${(e: Event) => this.pickEnd(e, "until")}>
        ${end("count", t("dialogs.repeat.count"))}
        <input type="number" name="repeatCount" min="1" max=${REPEAT_COUNT_MAX} class="count"
          aria-label=${t("dialogs.repeat.count")} .value=${c.count ? String(c.count) : ""}
          @input=${(e: Event) => this.pickEnd(e, "count")}></span>
    </fieldset>`;
  }

  /** Typing an end picks it: "until" and "N times" exclude each other. */
  private pickEnd(e: Event, end: RepeatEnd): void {
    const box = (e.target as HTMLElement).closest("fieldset");
    const radio = box?.querySelector<HTMLInputElement>(`input[name=repeatEnd][value=${end}]`);
    if (radio && (e.target as HTMLInputElement).value) radio.checked = true;
  }

  private keepTheirs(): void {
    const s = this.state;
    if (s?.mode !== "info") return;
    this.close();
    this.ctx?.notify(t("dialogs.keptTheirs", { id: String(s.taskId) }));
  }

  private reapply(): void {
    const s = this.state;
    if (s?.mode !== "info" || !s.conflict || !s.base) return;
    const { theirs, mine } = s.conflict;
    const base = s.base;
    if (this.busy) return;
    this.busy = true;
    this.error = "";
    this.ctx!.api.editTask({ ...editOf(s.taskId, theirs.task!.modRev, base, mine), ...(s.repeat ?? {}) }).then(() => {
      this.close();
      this.ctx?.notify(t("dialogs.saved", { id: String(s.taskId) }));
    }).catch((e) => {
      if (e instanceof ClubError && e.isConflict && e.current?.task) {
        const rows = conflictRows(base, fieldsOf(e.current.task), mine);
        if (mineAlreadyIn(rows) && !(s.repeat && repeatChanged(s.repeat))) {
          // The first Re-apply went through; its answer was lost.
          this.close();
          this.ctx?.notify(t("dialogs.saved", { id: String(s.taskId) }));
          return;
        }
        // Changed again meanwhile: compare with the newest.
        this.state = { ...s, conflict: { theirs: e.current, mine, rows } };
      } else this.error = errorText(e);
    }).finally(() => (this.busy = false));
  }

  // ------------------------------------------------------------ rendering

  private onKeydown(e: KeyboardEvent): void {
    if ((e.ctrlKey || e.metaKey) && (e.key === "Enter" || e.key === "s" || e.key === "S")) {
      e.preventDefault();
      const s = this.state;
      if (s && s.mode === "info" && s.conflict) return;
      this.save();
    }
  }

  private onCancel(e: Event): void {
    e.preventDefault(); // Esc: our own close, so that the state follows
    this.close();
  }

  render() {
    const s = this.state;
    if (!s || !this.ctx) return nothing;
    const title = s.mode === "create" ? (s.note ? t("dialogs.title.newNote") : t("dialogs.title.newTask"))
      : s.mode === "follow-up" ? t("dialogs.title.followUp")
      : s.mode === "close" ? t("dialogs.title.close")
      : s.mode === "cancel" ? t("dialogs.title.cancel")
      : s.mode === "copy" ? t("dialogs.title.copy")
      : s.mode === "tags" ? t("dialogs.title.tags")
      : s.mode === "info" && s.conflict ? t("dialogs.title.conflict") : t("dialogs.title.info");
    const task = "row" in s ? s.row?.task : undefined;
    return keyed(this.seq, html`<dialog class="dlg dlg-${s.mode}${s.mode === "info" && s.conflict ? " dlg-conflict" : ""}"
        data-dialog=${s.mode === "info" && s.conflict ? "conflict" : s.mode}
        data-for-task=${task ? String(task.id) : nothing}
        aria-labelledby="dlg-title" @cancel=${(e: Event) => this.onCancel(e)}
        @keydown=${(e: KeyboardEvent) => this.onKeydown(e)}>
      <form method="dialog" novalidate @submit=${(e: Event) => { e.preventDefault(); this.save(); }}>
        <header>
          <h2 id="dlg-title">${title}${task ? html` <small>#${String(task.id)}</small>` : nothing}</h2>
          <button type="button" class="x" aria-label=${t("common.close")} title=${t("dialogs.cancelHint")}
            @click=${() => this.close()}>×</button>
        </header>
        ${s.mode !== "info" && "row" in s ? this.renderSummary(s.row) : nothing}
        <div class="body">${this.renderBody(s)}</div>
        ${this.error ? html`<p class="error" role="alert" data-dialog-error>${this.error}</p>` : nothing}
        ${s.mode === "info" && s.conflict ? nothing : html`<footer>
          <button type="submit" class="primary" ?disabled=${this.busy} title=${t("dialogs.saveHint")}
            data-save>${this.busy ? t("dialogs.saving") : t("dialogs.save")}</button>
          <button type="button" @click=${() => this.close()} title=${t("dialogs.cancelHint")}>${t("dialogs.cancel")}</button>
        </footer>`}
      </form>
      ${s.mode === "info" ? this.renderHistory(s) : nothing}
    </dialog>`);
  }

  private renderSummary(row?: TaskRow): TemplateResult | typeof nothing {
    const task = row?.task;
    if (!row || !task) return nothing;
    return html`<p class="summary">
      <strong>${row.typeName}</strong> · ${row.customerName} · ${longDateTime(task.plannedAt, this.ctx!.zone)}
      · ${row.operatorName || row.operatorLogin}<br>${task.description}</p>`;
  }

  private renderBody(s: DialogState): TemplateResult {
    switch (s.mode) {
      case "create": return this.renderCreate(s);
      case "follow-up": return this.renderFollowUp(s);
      case "close":
      case "cancel": return this.renderConclude(s);
      case "copy": return this.renderCopy(s);
      case "tags": return this.renderTags(s.row.task!.tagIds);
      case "info": return s.conflict ? this.renderConflict(s) : this.renderInfo(s);
    }
  }

  private typeSelect(name: string, selected: bigint | undefined, empty?: string): TemplateResult {
    const types = this.activeTypes();
    // An inactive type the task already has stays choosable.
    const cur = selected ? this.catalog.taskTypes.get(selected) : undefined;
    if (cur && !cur.active) types.push(cur);
    return html`<select name=${name} ?required=${!empty}>
      ${empty !== undefined ? html`<option value="">${empty}</option>` : nothing}
      ${!empty && !selected ? html`<option value="" selected disabled>—</option>` : nothing}
      ${types.map((x) => html`<option value=${String(x.id)} ?selected=${x.id === selected}>${x.name}${
        x.priority ? " ★" : ""}</option>`)}
    </select>`;
  }

  private operatorSelect(name: string, selected: bigint | undefined, consultantLabel?: string): TemplateResult {
    const ops = this.activeOperators();
    const cur = selected ? this.catalog.operators.get(selected) : undefined;
    if (cur && !cur.active) ops.push(cur);
    return html`<select name=${name}>
      ${consultantLabel !== undefined ? html`<option value="" ?selected=${!selected}>${consultantLabel}</option>`
        : nothing}
      ${ops.map((o) => html`<option value=${String(o.id)} ?selected=${o.id === selected}>${o.name || o.login}</option>`)}
    </select>`;
  }

  private resultLabel(r: Result): string {
    const o = outcomeWord(r.outcome);
    const st = r.leadsTo === TaskStatus.UNSPECIFIED ? "" : ` → ${statusWord(r.leadsTo)}`;
    return `${r.name}${o ? ` (${o})` : ""}${st}`;
  }

  private resultSelect(name: string, selected: bigint | undefined, withNone: boolean,
    onChange?: (id: bigint | undefined) => void): TemplateResult {
    const rs = this.activeResults();
    const cur = selected ? this.catalog.results.get(selected) : undefined;
    if (cur && !cur.active) rs.push(cur);
    return html`<select name=${name} ?required=${!withNone}
        @change=${(e: Event) => onChange?.(toId((e.target as HTMLSelectElement).value))}>
      ${withNone ? html`<option value="" ?selected=${!selected}>${t("dialogs.none")}</option>`
        : html`<option value="" disabled ?selected=${!selected}>—</option>`}
      ${rs.map((r) => html`<option value=${String(r.id)} ?selected=${r.id === selected}
        data-outcome=${r.outcome}>${this.resultLabel(r)}</option>`)}
    </select>`;
  }

  private renderTags(have: bigint[]): TemplateResult {
    const tags = this.activeTags();
    for (const id of have) {
      const x = this.catalog.tags.get(id);
      if (x && !x.active) tags.push(x);
    }
    return html`<fieldset class="tags"><legend>${t("dialogs.f.tags")}</legend>
      ${tags.map((x) => html`<label class="tag-check"><input type="checkbox" name="tag" value=${String(x.id)}
        ?checked=${have.includes(x.id)}> ${tagChip(x.name, x.colour)}</label>`)}
    </fieldset>`;
  }

  private renderCreate(s: CreateState): TemplateResult {
    const consultant = s.picker.customer ? this.opName(s.picker.customer.consultantId) : "";
    return html`
      ${this.renderPicker(s.picker, !s.picker.customer)}
      <label>${t("dialogs.f.type")} ${this.typeSelect("type", undefined)}</label>
      ${this.whenField("planned", s.note ? t("dialogs.f.when") : t("dialogs.f.planned"), s.plannedAt, !s.note,
        (m) => this.setWhenMsg(m))}
      ${this.whenNote(s.whenMsg)}
      <label>${t("dialogs.f.operator")} ${this.operatorSelect("operator", s.operatorId,
        consultant ? t("dialogs.consultantIs", { name: consultant }) : t("dialogs.consultant"))}</label>
      <label>${t("dialogs.f.description")}
        <textarea name="description" rows="3" required maxlength="4000" ?autofocus=${!!s.picker.customer}></textarea></label>
      ${s.note ? nothing : this.renderRepeat(repeatOf(undefined, this.ctx!.zone))}
      ${this.renderTags([])}`;
  }

  private renderFollowUp(s: FollowUpState): TemplateResult {
    const task = s.row.task!;
    const result = s.resultId ? this.catalog.results.get(s.resultId) : undefined;
    const allowed = allowedActions(result);
    const actionWords: Record<number, string> = {
      [FollowUpAction.UNSPECIFIED]: t("dialogs.then.auto"),
      [FollowUpAction.CLOSE]: t("dialogs.then.close"),
      [FollowUpAction.CLOSE_WITH_NOTE]: t("dialogs.then.closeNote"),
      [FollowUpAction.KEEP_OPEN]: t("dialogs.then.keepOpen"),
    };
    const type = this.catalog.taskTypes.get(task.typeId);
    const ons: FollowOn[] = proposedFollowOns(type, result);
    const open = staysOpen(result, s.action);
    const setAction = (a: FollowUpAction) => {
      const st = this.state;
      if (st?.mode !== "follow-up") return;
      // Keeping a task open is when a next step is usually planned.
      this.state = { ...st, action: a, next: st.next || a === FollowUpAction.KEEP_OPEN };
    };
    return html`
      <label>${t("dialogs.f.result")} ${this.resultSelect("result", s.resultId, false, (id) => {
        const st = this.state;
        if (st?.mode !== "follow-up") return;
        const r = id ? this.catalog.results.get(id) : undefined;
        const a = allowedActions(r).includes(st.action) ? st.action : FollowUpAction.UNSPECIFIED;
        this.state = { ...st, resultId: id, action: a };
      })}</label>
      <fieldset class="then"><legend>${t("dialogs.f.then")}</legend>
        ${[FollowUpAction.UNSPECIFIED, FollowUpAction.CLOSE, FollowUpAction.CLOSE_WITH_NOTE, FollowUpAction.KEEP_OPEN]
          .map((a) => html`<label class="radio"><input type="radio" name="then" value=${a}
            .checked=${s.action === a} ?disabled=${!allowed.includes(a)}
            @change=${() => setAction(a)}> ${actionWords[a]}</label>`)}
      </fieldset>
      <label>${t("dialogs.f.note")}
        <textarea name="note" rows="2" maxlength="4000" ?required=${s.action === FollowUpAction.CLOSE_WITH_NOTE}></textarea></label>
      ${ons.length ? html`<p class="hint" data-follow-ons>${t("dialogs.followOns", { list: ons.map((f) =>
        t("dialogs.followOnIn", { type: this.catalog.taskTypes.get(f.typeId)?.name ?? "?",
          when: delayWords(f.delayMinutes) })).join(", ") })}</p>` : nothing}
      <label class="check"><input type="checkbox" name="next" .checked=${s.next}
        @change=${(e: Event) => {
          const st = this.state;
          if (st?.mode === "follow-up") this.state = { ...st, next: (e.target as HTMLInputElement).checked };
        }}> ${t("dialogs.f.next")}</label>
      ${s.next ? html`<fieldset class="next grid" data-next>
        <label class="wide">${t("dialogs.f.nextDescription")}
          <textarea name="nextDescription" rows="2" required maxlength="4000"></textarea></label>
        <label>${t("dialogs.f.nextType")} ${this.typeSelect("nextType", undefined, t("dialogs.sameType"))}</label>
        ${this.whenField("nextPlanned", t("dialogs.f.nextPlanned"), nextFullHour(nowSeconds(), this.ctx!.zone), true,
          (m) => this.setWhenMsg(m))}
        <label>${t("dialogs.f.nextOperator")} ${this.operatorSelect("nextOperator", undefined,
          t("dialogs.consultant"))}</label>
        <div class="wide">${this.whenNote(s.whenMsg)}</div>
      </fieldset>` : nothing}
      ${result ? html`<p class="hint" data-stays-open=${open ? "yes" : "no"}>${open ? t("dialogs.after.open")
        : t("dialogs.after.status", { status: statusWord(result.leadsTo || TaskStatus.DONE) })}</p>` : nothing}`;
  }

  private renderConclude(s: ConcludeState): TemplateResult {
    const st = this.catalog.settings;
    const def = s.mode === "close" && st?.defaultTaskResultId ? st.defaultTaskResultId : undefined;
    return html`
      <label>${t("dialogs.f.result")} ${this.resultSelect("result", def, true)}</label>
      <label>${t("dialogs.f.note")} <textarea name="note" rows="3" maxlength="4000" autofocus></textarea></label>`;
  }

  private renderCopy(s: CopyState): TemplateResult {
    const task = s.row.task!;
    const note = task.kind === TaskKind.NOTE;
    const at = Number(task.plannedAt) > nowSeconds() ? Number(task.plannedAt) : nextFullHour(nowSeconds(), this.ctx!.zone);
    return html`
      ${this.whenField("planned", note ? t("dialogs.f.when") : t("dialogs.f.planned"), at, !note,
        (m) => this.setWhenMsg(m))}
      ${this.whenNote(s.whenMsg)}
      <label>${t("dialogs.f.operator")} ${this.operatorSelect("operator", task.operatorId)}</label>
      <label>${t("dialogs.f.description")}
        <textarea name="description" rows="3" required maxlength="4000" .value=${task.description}></textarea></label>
      ${s.row.tagNames.length ? html`<p class="chips">${s.row.tagNames.map((n, i) =>
        tagChip(n, s.row.tagColours[i]))}</p>` : nothing}`;
  }

  private renderInfo(s: InfoState): TemplateResult {
    const row = s.row;
    const task = row?.task;
    if (!task || !s.base) return html`<p class="loading">${t("common.loading")}</p>`;
    const note = task.kind === TaskKind.NOTE;
    const open = !note && task.status === TaskStatus.PLANNED;
    const sw = (action: ActionName, label: string) => html`<button type="button" class="small"
      data-switch=${action} @click=${() => this.switchTo(action)}>${label}</button>`;
    return html`
      <div class="switches">
        ${open ? sw("follow-up", t("customer.followUp")) : nothing}
        ${sw("copy", t("customer.copy"))}
        ${sw("tags", t("customer.tags"))}
        ${open ? sw("close", t("customer.close")) : nothing}
        ${open ? sw("cancel", t("customer.cancelTask")) : nothing}
      </div>
      <p class="meta">${t("dialogs.f.created")}: ${longDateTime(task.createdAt, this.ctx!.zone)} ·
        ${row!.creatorName || row!.creatorLogin}
        ${task.takenBy ? html` · ${t("dialogs.f.taken")}: ${row!.takenByName || row!.takenByLogin}` : nothing}
        · <a href="#/customer/${String(task.customerId)}" data-act="customer"
          @click=${() => this.close()}>${t("dialogs.profile")}</a></p>
      <div class="grid">
        <label class="wide">${t("dialogs.f.description")}
          <textarea name="description" rows="2" required maxlength="4000" .value=${task.description}></textarea></label>
        ${this.renderPicker(s.picker, false)}
        <label>${t("dialogs.f.type")} ${this.typeSelect("type", task.typeId)}</label>
        ${this.whenField("planned", note ? t("dialogs.f.when") : t("dialogs.f.planned"), Number(task.plannedAt), !note,
          (m) => this.setWhenMsg(m))}
        <label>${t("dialogs.f.operator")} ${this.operatorSelect("operator", task.operatorId)}</label>
        <label>${t("dialogs.f.status")} <select name="status">
          ${[TaskStatus.PLANNED, TaskStatus.DONE, TaskStatus.CANCELLED].map((x) => html`<option value=${x}
            ?selected=${task.status === x}>${statusWord(x)}</option>`)}
        </select></label>
        <label>${t("dialogs.f.result")} ${this.resultSelect("result", task.resultId || undefined, true)}</label>
        <label class="wide">${t("dialogs.f.closingNote")}
          <input name="closingNote" maxlength="4000" .value=${task.closingNote}></label>
      </div>
      ${this.whenNote(s.whenMsg)}
      ${note ? nothing : this.renderRepeat(repeatOf(task, this.ctx!.zone))}
      ${this.renderTags(task.tagIds)}`;
  }

  private fieldLabel(f: FieldName): string {
    const k: Record<FieldName, string> = {
      description: "dialogs.f.description", typeId: "dialogs.f.type", plannedAt: "dialogs.f.planned",
      operatorId: "dialogs.f.operator", customerId: "dialogs.f.customer", status: "dialogs.f.status",
      resultId: "dialogs.f.result", closingNote: "dialogs.f.closingNote", tagIds: "dialogs.f.tags",
    };
    return t(k[f]);
  }

  private fieldValue(f: FieldName, v: TaskFields[FieldName], theirs: TaskRow): string {
    const c = this.catalog;
    switch (f) {
      case "typeId": return c.taskTypes.get(v as bigint)?.name ?? theirs.typeName;
      case "plannedAt": return longDateTime(v as bigint, this.ctx!.zone);
      case "operatorId": return this.opName(v as bigint);
      case "customerId": return c.customers.get(v as bigint)?.name ??
        (v === theirs.task?.customerId ? theirs.customerName : `#${v}`);
      case "status": return statusWord(v as TaskStatus);
      case "resultId": return (v as bigint) ? c.results.get(v as bigint)?.name ?? `#${v}` : "—";
      case "tagIds": return (v as bigint[]).map((id) => c.tags.get(id)?.name ?? `#${id}`).join(", ") || "—";
      default: return String(v ?? "") || "—";
    }
  }

  private renderConflict(s: InfoState): TemplateResult {
    const cf = s.conflict!;
    const over = overlapping(cf.rows);
    const who = cf.theirs.task ? this.opName(cf.theirs.task.modifiedBy) : "";
    return html`
      <p>${t("dialogs.conflictHelp")}${who ? html` (${who}, ${longDateTime(cf.theirs.task!.modifiedAt,
        this.ctx!.zone)})` : nothing}</p>
      <table class="conflict">
        <thead><tr><th>${t("dialogs.field")}</th><th>${t("dialogs.theirs")}</th><th>${t("dialogs.mine")}</th></tr></thead>
        <tbody>${cf.rows.map((r) => html`<tr data-field=${r.field} data-differs=${r.differs ? "yes" : "no"}
            class=${r.differs ? "differs" : ""}>
          <th scope="row">${r.differs ? "≠ " : ""}${this.fieldLabel(r.field)}</th>
          <td class="theirs">${this.fieldValue(r.field, r.theirs, cf.theirs)}</td>
          <td class="mine">${this.fieldValue(r.field, r.mine, cf.theirs)}</td>
        </tr>`)}</tbody>
      </table>
      ${over.length ? html`<p class="warn">${t("dialogs.overlap", { list: over.map((f) => this.fieldLabel(f))
        .join(", ") })}</p>` : nothing}
      <div class="choices">
        <button type="button" data-choice="theirs" ?disabled=${this.busy} @click=${() => this.keepTheirs()}>
          ${t("dialogs.keepTheirs")}</button>
        <button type="button" class="primary" data-choice="reapply" ?disabled=${this.busy}
          @click=${() => this.reapply()}>${t("dialogs.reapply")}</button>
        <button type="button" data-choice="cancel" @click=${() => this.close()}
          title=${t("dialogs.cancelHint")}>${t("dialogs.cancel")}</button>
      </div>`;
  }

  private renderHistory(s: InfoState): TemplateResult {
    return html`<section class="history" aria-label=${t("dialogs.history")}>
      <h3>${t("dialogs.history")}</h3>
      ${s.history ? html`<ol>${s.history.map((h) => html`<li data-action=${h.action}>
        <span class="when">${longDateTime(h.at, this.ctx!.zone)}</span> <span class="who">${h.who}</span>
        <span class="action">${h.action}</span>
        <ul>${h.changes.map((c) => html`<li data-field=${c.field}>${historyField(c.field)}${c.from || c.to
          ? html`: <span class="old">${historyValue(c.field, c.from)}</span> → <span class="new">${
            historyValue(c.field, c.to)}</span>` : nothing}</li>`)}</ul>
      </li>`)}</ol>` : html`<p class="loading">${t("dialogs.historyLoading")}</p>`}
    </section>`;
  }
}

customElements.define("clubcrm-dialogs", ClubcrmDialogs);
