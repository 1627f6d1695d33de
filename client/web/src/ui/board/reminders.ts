/*
 * Due-task reminders: the server pushes a `Reminder` to the responsible
 * operator's connections when a task falls due. Each shows as a toast that
 * stays until dismissed, with "Open" (the task's info), on every page; and,
 * when the user allowed it, as a browser notification too. The element
 * mounts itself beside the shell and listens to the shell's client, so no
 * page has to be open for it.
 */
import { LitElement, html, nothing } from "lit";
import type { TaskRow } from "../../gen/clubcrm_pb.js";
import { t } from "../../i18n.js";
import type { ClubClient } from "../../lib/client.js";
import { shortDateTime } from "../time.js";
import { requestAction } from "./actions.js";

interface ShellLike extends HTMLElement {
  client: ClubClient;
  ctx?: { zone: string };
}

export class ClubcrmReminders extends LitElement {
  static properties = { due: { state: true } };
  declare due: TaskRow[];
  shell?: ShellLike;

  constructor() {
    super();
    this.due = [];
  }

  createRenderRoot() {
    return this;
  }

  /** Starts listening to the shell's client. */
  watch(shell: ShellLike): void {
    this.shell = shell;
    shell.client.onPush((f) => {
      if (f.body.case === "reminder" && f.body.value.row?.task) this.add(f.body.value.row);
    });
    shell.client.onState((s) => {
      if (s === "signedOut") this.due = [];
    });
  }

  add(r: TaskRow): void {
    const id = r.task!.id;
    this.due = [...this.due.filter((x) => x.task!.id !== id), r];
    this.desktop(r);
  }

  private text(r: TaskRow): string {
    const zone = this.shell?.ctx?.zone ?? "UTC";
    return [shortDateTime(r.task!.plannedAt, zone), r.typeName, r.customerName, r.task!.description]
      .filter(Boolean).join(" · ");
  }

  private desktop(r: TaskRow): void {
    const N = globalThis.Notification;
    if (!N || N.permission !== "granted") return;
    try {
      const n = new N(`${t("board.reminder")}: ${r.typeName}`, { body: this.text(r), tag: `task-${r.task!.id}` });
      n.onclick = () => {
        window.focus();
        this.open(r);
      };
    } catch {
      /* some browsers only notify from a service worker: the toast is there */
    }
  }

  private dismiss(id: bigint): void {
    this.due = this.due.filter((x) => x.task!.id !== id);
  }

  private open(r: TaskRow): void {
    this.dismiss(r.task!.id);
    // From the shell, so that whatever listens there for page actions hears it.
    requestAction(this.shell ?? this, { action: "info", taskId: r.task!.id, row: r, customerId: r.task!.customerId });
  }

  private async allow(): Promise<void> {
    await globalThis.Notification?.requestPermission();
    this.requestUpdate();
  }

  render() {
    if (!this.due.length) return nothing;
    const canAsk = globalThis.Notification?.permission === "default";
    return html`<div class="reminders" role="region" aria-label=${t("board.reminder")} aria-live="assertive">
      ${this.due.map((r) => html`<div class="reminder" role="alert" data-reminder-task-id=${String(r.task!.id)}>
        <div><strong>${t("board.reminder")}</strong> ${this.text(r)}</div>
        <div class="reminder-buttons">
          <button class="primary" @click=${() => this.open(r)}>${t("board.reminder.open")}</button>
          <button aria-label=${t("common.close")} title=${t("common.close")}
            @click=${() => this.dismiss(r.task!.id)}>×</button>
        </div>
      </div>`)}
      ${canAsk ? html`<button class="reminder-allow" @click=${this.allow}>${t("board.reminder.desktop")}</button>`
        : nothing}
    </div>`;
  }
}
customElements.define("clubcrm-reminders", ClubcrmReminders);

/** Mounts the reminders once the shell exists (main.ts loads the pages first). */
export function mountReminders(): void {
  if (typeof document === "undefined") return;
  customElements.whenDefined("clubcrm-app").then(() => {
    const shell = document.querySelector("clubcrm-app") as ShellLike | null;
    if (!shell?.client || document.querySelector("clubcrm-reminders")) return;
    const el = document.createElement("clubcrm-reminders") as ClubcrmReminders;
    document.body.appendChild(el);
    el.watch(shell);
  });
}
