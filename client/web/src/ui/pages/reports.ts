/*
 * "Reports" (route `reports`, admins): the manager's figures over a period
 * of the club's days, computed by the server from the change log (so any
 * past period is right): tasks created, done and cancelled per operator and
 * type; follow-up outcomes per type; how fast priority tasks were taken and
 * done; overdue tasks at the end of each day. A period picker (from, to:
 * both days included, as the CLI's `report --from --to`), this week, this
 * month and last month at a click, a team; each table with "Download CSV",
 * the CLI's `report SECTION --format csv` file (with a UTF-8 BOM).
 */
import { html, nothing, type TemplateResult } from "lit";
import type { Report } from "../../gen/clubcrm_pb.js";
import { addWords, lang, t } from "../../i18n.js";
import { ALL_PRIORITY, type Section, duration, reportFileName, sectionCsv, shiftDate } from "../../lib/report.js";
import { saveFile } from "../board/download.js";
import { type AppContext, registerPage } from "../context.js";
import { PageElement } from "../page.js";
import { nowSeconds, wallTime } from "../time.js";
import { reasonText } from "../errors.js";

addWords({
  en: {
    "nav.reports": "Reports",
    "reports.title": "Reports",
    "reports.from": "From",
    "reports.to": "To (included)",
    "reports.team": "Team",
    "reports.allTeams": "Everyone",
    "reports.show": "Show",
    "reports.week": "This week",
    "reports.month": "This month",
    "reports.lastMonth": "Last month",
    "reports.period": "{from} to {to} ({zone}), revision {rev}",
    "reports.loading": "Counting…",
    "reports.failed": "The report could not be made: {why}",
    "reports.badDates": "Give both dates, the second not before the first.",
    "reports.created": "Tasks created, done and cancelled",
    "reports.createdHint": "Per operator responsible right after the change (a task reassigned and then done counts for the new operator) and task type.",
    "reports.outcomes": "Follow-up outcomes",
    "reports.response": "Priority tasks: time to take and to finish",
    "reports.responseHint": "From creation to the first take, and to Done, over the takes and Dones of the period (median and 90th percentile).",
    "reports.overdue": "Overdue at the end of each day",
    "reports.operator": "Operator",
    "reports.type": "Type",
    "reports.nCreated": "Created",
    "reports.nDone": "Done",
    "reports.nCancelled": "Cancelled",
    "reports.total": "Total",
    "reports.positive": "Positive",
    "reports.negative": "Negative",
    "reports.unknown": "No answer (unknown)",
    "reports.taken": "Taken",
    "reports.takeMedian": "To take: median",
    "reports.p90": "90%",
    "reports.doneMedian": "To Done: median",
    "reports.allPriority": "All priority types",
    "reports.day": "Day",
    "reports.nOverdue": "Overdue",
    "reports.none": "Nothing in this period.",
    "reports.saved": "{file} saved.",
  },
  es: {
    "nav.reports": "Informes",
    "reports.title": "Informes",
    "reports.from": "Desde",
    "reports.to": "Hasta (incluido)",
    "reports.team": "Equipo",
    "reports.allTeams": "Todos",
    "reports.show": "Ver",
    "reports.week": "Esta semana",
    "reports.month": "Este mes",
    "reports.lastMonth": "El mes pasado",
    "reports.period": "Del {from} al {to} ({zone}), revisión {rev}",
    "reports.loading": "Contando…",
    "reports.failed": "No se pudo hacer el informe: {why}",
    "reports.badDates": "Indique las dos fechas, la segunda no anterior a la primera.",
    "reports.created": "Tareas creadas, hechas y canceladas",
    "reports.createdHint": "Por operador responsable justo después del cambio (una tarea reasignada y luego hecha cuenta para el nuevo operador) y tipo de tarea.",
    "reports.outcomes": "Resultados de los seguimientos",
    "reports.response": "Tareas prioritarias: tiempo hasta tomarlas y hasta hacerlas",
    "reports.responseHint": "Desde la creación hasta la primera vez que se toma, y hasta Hecha, sobre las tomas y las tareas hechas del periodo (mediana y percentil 90).",
    "reports.overdue": "Vencidas al final de cada día",
    "reports.operator": "Operador",
    "reports.type": "Tipo",
    "reports.nCreated": "Creadas",
    "reports.nDone": "Hechas",
    "reports.nCancelled": "Canceladas",
    "reports.total": "Total",
    "reports.positive": "Positivo",
    "reports.negative": "Negativo",
    "reports.unknown": "Sin respuesta (desconocido)",
    "reports.taken": "Tomadas",
    "reports.takeMedian": "Hasta tomarla: mediana",
    "reports.p90": "90%",
    "reports.doneMedian": "Hasta Hecha: mediana",
    "reports.allPriority": "Todos los tipos prioritarios",
    "reports.day": "Día",
    "reports.nOverdue": "Vencidas",
    "reports.none": "Nada en este periodo.",
    "reports.saved": "{file} guardado.",
  },
});

const pad = (n: number) => String(n).padStart(2, "0");

export class ClubcrmReports extends PageElement {
  static properties = {
    ctx: { attribute: false },
    language: { attribute: false },
    report: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare ctx: AppContext;
  declare language: string;
  declare report?: Report;
  declare busy: boolean;
  declare error: string;
  private asked = false;
  /** Reports asked so far; the answer to an older one is not shown. */
  private asking = 0;

  constructor() {
    super();
    this.busy = false;
    this.error = "";
  }

  private get zone(): string {
    return this.ctx.catalog.settings?.timeZone || this.ctx.zone;
  }

  protected pageKey(): void {}

  private today(): string {
    const w = wallTime(nowSeconds(), this.zone);
    return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
  }

  /** Asks the server; `from` and `last` are the days included ("" and "": this month). */
  async load(from: string, last: string, teamId = 0n): Promise<void> {
    const toDate = last ? shiftDate(last, 1) : "";
    if ((from || last) && (!from || toDate === null || !shiftDate(from, 0) || (last && last < from))) {
      this.error = t("reports.badDates");
      return;
    }
    // Only the last period asked is shown: an earlier one answered later is dropped.
    const my = ++this.asking;
    this.busy = true;
    this.error = "";
    try {
      const r = await this.ctx.api.getReport({ fromDate: from, toDate: toDate ?? "", teamId });
      if (my === this.asking) this.report = r;
    } catch (e) {
      if (my === this.asking) this.error = t("reports.failed", { why: reasonText(e) });
    } finally {
      if (my === this.asking) this.busy = false;
    }
  }

  private form(): { from: string; to: string; team: bigint } {
    const v = (n: string) => (this.querySelector(`[name="${n}"]`) as HTMLInputElement | null)?.value ?? "";
    const team = v("team");
    return { from: v("from"), to: v("to"), team: /^[0-9]+$/.test(team) ? BigInt(team) : 0n };
  }

  private show(e?: Event): void {
    e?.preventDefault();
    const f = this.form();
    void this.load(f.from, f.to, f.team);
  }

  private preset(which: "week" | "month" | "lastMonth"): void {
    const today = this.today();
    const [y, m] = today.split("-").map(Number);
    let from: string, last: string;
    if (which === "week") {
      const wd = (wallTime(nowSeconds(), this.zone).weekday + 6) % 7; // Monday 0
      from = shiftDate(today, -wd)!;
      last = shiftDate(from, 6)!;
    } else {
      const first = which === "month" ? `${y}-${pad(m)}-01` : shiftDate(`${y}-${pad(m)}-01`, -1)!.slice(0, 8) + "01";
      from = first;
      const [fy, fm] = first.split("-").map(Number);
      const next = fm === 12 ? `${fy + 1}-01-01` : `${fy}-${pad(fm + 1)}-01`;
      last = shiftDate(next, -1)!;
    }
    if (last > today) last = today;
    void this.load(from, last, this.form().team);
  }

  private download(s: Section): void {
    if (!this.report) return;
    const file = reportFileName(this.report, s);
    saveFile(file, sectionCsv(this.report, s));
    this.ctx.notify(t("reports.saved", { file }));
  }

  private block(s: Section, title: string, body: TemplateResult, hint = ""): TemplateResult {
    return html`<section class="report-section" data-section=${s}>
      <div class="report-head"><h2>${title}</h2>
        <button data-act="csv" data-section=${s} @click=${() => this.download(s)}>${t("csv.download")}</button></div>
      ${hint ? html`<p class="hint">${hint}</p>` : nothing}
      ${body}
    </section>`;
  }

  private created(r: Report): TemplateResult {
    if (!r.counts.length) return html`<p class="empty">${t("reports.none")}</p>`;
    const sum = (k: "created" | "done" | "cancelled") => r.counts.reduce((a, c) => a + c[k], 0);
    return html`<table class="report-table">
      <thead><tr><th>${t("reports.operator")}</th><th class="t">${t("reports.type")}</th><th>${t("reports.nCreated")}</th>
        <th>${t("reports.nDone")}</th><th>${t("reports.nCancelled")}</th></tr></thead>
      <tbody>${r.counts.map((c) => html`<tr data-operator=${c.operatorName} data-type=${c.typeName}>
        <td>${c.operatorName}</td><td class="t">${c.typeName}</td><td data-n="created">${c.created}</td>
        <td data-n="done">${c.done}</td><td data-n="cancelled">${c.cancelled}</td></tr>`)}</tbody>
      <tfoot><tr><th scope="row" colspan="2">${t("reports.total")}</th><td>${sum("created")}</td>
        <td>${sum("done")}</td><td>${sum("cancelled")}</td></tr></tfoot>
    </table>`;
  }

  private outcomes(r: Report): TemplateResult {
    if (!r.outcomes.length) return html`<p class="empty">${t("reports.none")}</p>`;
    return html`<table class="report-table">
      <thead><tr><th>${t("reports.type")}</th><th>${t("reports.positive")}</th><th>${t("reports.negative")}</th>
        <th>${t("reports.unknown")}</th></tr></thead>
      <tbody>${r.outcomes.map((o) => html`<tr data-type=${o.typeName}><td>${o.typeName}</td>
        <td data-n="positive">${o.positive}</td><td data-n="negative">${o.negative}</td>
        <td data-n="unknown">${o.unknown}</td></tr>`)}</tbody>
    </table>`;
  }

  private response(r: Report): TemplateResult {
    const d = (n: number, v: bigint) => (n > 0 ? duration(v) : "–");
    return html`<table class="report-table">
      <thead><tr><th>${t("reports.type")}</th><th>${t("reports.taken")}</th><th>${t("reports.takeMedian")}</th>
        <th>${t("reports.p90")}</th><th>${t("reports.nDone")}</th><th>${t("reports.doneMedian")}</th>
        <th>${t("reports.p90")}</th></tr></thead>
      <tbody>${r.response.map((x) => html`<tr data-type=${x.typeId ? x.typeName : ALL_PRIORITY}
          class=${x.typeId ? "" : "all"}>
        <td>${x.typeId ? x.typeName : t("reports.allPriority")}</td><td data-n="taken">${x.taken}</td>
        <td>${d(x.taken, x.takeMedian)}</td><td>${d(x.taken, x.takeP90)}</td><td data-n="done">${x.done}</td>
        <td>${d(x.done, x.doneMedian)}</td><td>${d(x.done, x.doneP90)}</td></tr>`)}</tbody>
    </table>`;
  }

  private overdue(r: Report): TemplateResult {
    const max = Math.max(1, ...r.overdue.map((d) => d.overdue));
    return html`<table class="report-table report-days">
      <thead><tr><th>${t("reports.day")}</th><th>${t("reports.nOverdue")}</th><th></th></tr></thead>
      <tbody>${r.overdue.map((d) => html`<tr data-date=${d.date}><td>${d.date}</td>
        <td data-n="overdue">${d.overdue}</td>
        <td><meter min="0" max=${max} value=${d.overdue}></meter></td></tr>`)}</tbody>
    </table>`;
  }

  render() {
    if (!this.asked) {
      this.asked = true;
      void this.load("", "");
    }
    const r = this.report;
    const teams = [...this.ctx.catalog.teams.values()].filter((x) => x.active);
    const last = r ? shiftDate(r.toDate, -1) ?? "" : "";
    return html`<div class="reports-page">
      <h1>${t("reports.title")}</h1>
      <form class="report-bar" @submit=${(e: Event) => this.show(e)}>
        <label>${t("reports.from")} <input type="date" name="from" .value=${r?.fromDate ?? ""}></label>
        <label>${t("reports.to")} <input type="date" name="to" .value=${last}></label>
        <label>${t("reports.team")} <select name="team">
          <option value="">${t("reports.allTeams")}</option>
          ${teams.map((x) => html`<option value=${String(x.id)}>${x.name}</option>`)}
        </select></label>
        <button type="submit" data-act="show" ?disabled=${this.busy}>${t("reports.show")}</button>
        <button type="button" data-act="week" @click=${() => this.preset("week")}>${t("reports.week")}</button>
        <button type="button" data-act="month" @click=${() => this.preset("month")}>${t("reports.month")}</button>
        <button type="button" data-act="last-month" @click=${() => this.preset("lastMonth")}>
          ${t("reports.lastMonth")}</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.busy ? html`<p class="hint" role="status">${t("reports.loading")}</p>` : nothing}
      ${r ? html`<p class="report-period" data-from=${r.fromDate} data-to=${r.toDate}>
          ${t("reports.period", { from: r.fromDate, to: last, zone: r.timeZone, rev: String(r.revision) })}</p>
        ${this.block("created", t("reports.created"), this.created(r), t("reports.createdHint"))}
        ${this.block("outcomes", t("reports.outcomes"), this.outcomes(r))}
        ${this.block("response", t("reports.response"), this.response(r), t("reports.responseHint"))}
        ${this.block("overdue", t("reports.overdue"), this.overdue(r))}` : nothing}
    </div>`;
  }
}

customElements.define("clubcrm-reports", ClubcrmReports);

registerPage("reports", {
  navKey: "nav.reports",
  adminOnly: true,
  order: 9,
  render: (ctx) => html`<clubcrm-reports .ctx=${ctx} .language=${lang()}></clubcrm-reports>`,
});
