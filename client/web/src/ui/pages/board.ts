/*
 * The board: a live task view as rows coloured as the manual says (red: a
 * priority task nobody took; yellow: taken), each row carrying
 * `data-task-id` and `data-colour` (red, yellow or none) for scripts.
 */
import { LitElement, html } from "lit";
import { Colour, type TaskRow, ViewKind } from "../../gen/clubcrm_pb.js";
import { t } from "../../i18n.js";
import { type TaskView, taskView } from "../../lib/live.js";
import { type AppContext, registerPage } from "../context.js";
import { shortDateTime } from "../time.js";

export function colourName(r: TaskRow): "red" | "yellow" | "none" {
  return r.colour === Colour.RED ? "red" : r.colour === Colour.YELLOW ? "yellow" : "none";
}

const MODES: Record<string, ViewKind> = {
  all: ViewKind.BOARD,
  urgent: ViewKind.URGENT,
  prep: ViewKind.IN_PREPARATION,
  overdue: ViewKind.OVERDUE,
};

export class ClubcrmBoard extends LitElement {
  static properties = { ctx: { attribute: false }, mode: {} };
  declare ctx: AppContext;
  declare mode: string;
  private view?: TaskView;
  private viewMode = "";

  createRenderRoot() {
    return this;
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view?.close();
    this.view = undefined;
    this.viewMode = "";
  }

  private ensureView(): TaskView {
    if (!this.view || this.viewMode !== this.mode) {
      this.view?.close();
      this.viewMode = this.mode;
      this.view = taskView(this.ctx.client, { kind: MODES[this.mode] ?? ViewKind.BOARD });
      this.view.onChange(() => this.requestUpdate());
    }
    return this.view;
  }

  render() {
    const v = this.ensureView();
    const rows = [...v.rows.values()].sort((a, b) =>
      Number((a.task?.plannedAt ?? 0n) - (b.task?.plannedAt ?? 0n)));
    return html`<table class="board">
      <tbody>
        ${rows.map((r) => html`<tr data-task-id=${String(r.task?.id)} data-colour=${colourName(r)}
            class="row ${colourName(r)}">
          <td>${shortDateTime(r.task?.plannedAt ?? 0n, this.ctx.zone)}</td>
          <td>${r.operatorName}</td>
          <td>${r.typeName}</td>
          <td>${r.customerName}</td>
          <td>${r.task?.description}</td>
        </tr>`)}
      </tbody>
    </table>
    ${v.ready ? "" : html`<p class="loading">${t("common.loading")}</p>`}`;
  }
}
customElements.define("clubcrm-board", ClubcrmBoard);

for (const [mode, key, order] of [["all", "nav.all", 1], ["urgent", "nav.urgent", 2], ["prep", "nav.prep", 4],
  ["overdue", "nav.overdue", 5]] as const)
  registerPage(mode === "all" ? "board" : `board-${mode}`, {
    navKey: key, navRoute: `board/${mode}`, order,
    render: (ctx, args) => html`<clubcrm-board .ctx=${ctx} mode=${args[0] ?? mode}></clubcrm-board>`,
  });
