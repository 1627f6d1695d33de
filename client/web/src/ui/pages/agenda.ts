/*
 * "My agenda" (route `agenda/<day|week>/<YYYY-MM-DD>`, key 6): the logged-in
 * operator's planned tasks as a day or a week (Monday to Sunday) of slots
 * in the club's zone, live. A task opens its info; an empty slot a new task
 * for me at that time. Previous / today / next, day / week ([ ] h w).
 */
import { html } from "lit";
import { addWords, lang, t } from "../../i18n.js";
import { AgendaBase, type CalColumn, dayTitle } from "../agenda/calendar.js";
import { pageShortcut } from "../agenda/common.js";
import "../agenda/feed.js";
import { type CivilDate, addDays, isoDate, parseIsoDate, weekStart } from "../agenda/grid.js";
import { registerPage } from "../context.js";

addWords({
  en: {
    "agenda.title": "My agenda",
    "agenda.day": "Day",
    "agenda.week": "Week",
    "agenda.date": "Date",
    "agenda.weekOf": "Week of {day}",
    "agenda.myKeys": "Keys: arrows move, Enter opens, [ ] previous/next, h today, w day/week",
  },
  es: {
    "agenda.title": "Mi agenda",
    "agenda.day": "Día",
    "agenda.week": "Semana",
    "agenda.date": "Fecha",
    "agenda.weekOf": "Semana del {day}",
    "agenda.myKeys": "Teclas: flechas para moverse, Intro abre, [ ] anterior/siguiente, h hoy, w día/semana",
  },
});

type Mode = "day" | "week";

export class ClubcrmMyAgenda extends AgendaBase {
  private get mode(): Mode {
    return this.args?.[0] === "day" ? "day" : "week";
  }

  /** The first day shown: the route's date (its Monday for a week), else today's. */
  private get first(): CivilDate {
    const d = parseIsoDate(this.args?.[1]) ?? this.today();
    return this.mode === "week" ? weekStart(d) : d;
  }

  private go(mode: Mode, d: CivilDate): void {
    this.ctx.navigate(`agenda/${mode}/${isoDate(d)}`);
  }

  private move(steps: number): void {
    this.go(this.mode, addDays(this.first, steps * (this.mode === "week" ? 7 : 1)));
  }

  protected pageKey(e: KeyboardEvent): boolean {
    if (this.dayKeys(e, (n) => this.move(n), () => this.go(this.mode, this.today()))) return true;
    if (e.key !== "w" || e.defaultPrevented) return false;
    e.preventDefault();
    const day = parseIsoDate(this.args?.[1]) ?? this.first;
    this.go(this.mode === "week" ? "day" : "week", day);
    return true;
  }

  render() {
    const me = this.ctx.me;
    const days = this.mode === "week" ? 7 : 1;
    const first = this.first;
    const view = this.ensureView(first, days, { operatorIds: [me.id] });
    const cols: CalColumn[] = Array.from({ length: days }, (_, i) => {
      const date = addDays(first, i);
      return { operatorId: me.id, date, title: dayTitle(date), operatorName: me.name || me.login };
    });
    const title = this.mode === "week" ? t("agenda.weekOf", { day: dayTitle(first, true) }) : dayTitle(first, true);
    return html`<section class="agenda-page" data-mode=${this.mode} data-first=${isoDate(first)}>
      <header class="agenda-bar">
        <h1>${t("agenda.title")}</h1>
        <span class="agenda-range">${title}</span>
        <span class="agenda-nav">
          <button type="button" data-go="prev" title="${t("agenda.prev")} ([)" @click=${() => this.move(-1)}>‹ ${t("agenda.prev")}</button>
          <button type="button" data-go="today" title="${t("agenda.today")} (h)"
            @click=${() => this.go(this.mode, this.today())}>${t("agenda.today")}</button>
          <button type="button" data-go="next" title="${t("agenda.next")} (])" @click=${() => this.move(1)}>${t("agenda.next")} ›</button>
        </span>
        <span class="agenda-modes" role="group">
          ${(["day", "week"] as const).map((m) => html`<button type="button" data-mode=${m}
            aria-pressed=${this.mode === m ? "true" : "false"} title="${t(`agenda.${m}`)} (w)"
            @click=${() => this.go(m, parseIsoDate(this.args?.[1]) ?? first)}>${t(`agenda.${m}`)}</button>`)}
        </span>
        <label class="agenda-date">${t("agenda.date")}
          <input type="date" .value=${isoDate(first)} @change=${(e: Event) => {
            const d = parseIsoDate((e.target as HTMLInputElement).value);
            if (d) this.go(this.mode, d);
          }}></label>
        <clubcrm-feed-button .ctx=${this.ctx} .language=${lang()}></clubcrm-feed-button>
      </header>
      ${this.renderGrid(cols, view.rows.values())}
      <p class="agenda-keys">${t("agenda.myKeys")}</p>
    </section>`;
  }
}
customElements.define("clubcrm-my-agenda", ClubcrmMyAgenda);

pageShortcut("agenda", "6", "F6");
registerPage("agenda", {
  navKey: "nav.agenda",
  order: 6,
  render: (ctx, args) => html`<clubcrm-my-agenda .ctx=${ctx} .args=${args} .language=${lang()}></clubcrm-my-agenda>`,
});
