/*
 * "Operators' agendas" (route `agendas/<YYYY-MM-DD>[/team/<id>][/op/<id>]`,
 * key 7): one column per active operator over one day, filtered by team or
 * by operator, live. An empty slot asks for a new task for THAT column's
 * operator at that time; once created, the customer's name shows there.
 */
import { html } from "lit";
import type { Operator } from "../../gen/clubcrm_pb.js";
import { addWords, lang, t } from "../../i18n.js";
import { AgendaBase, type CalColumn, dayTitle } from "../agenda/calendar.js";
import { pageShortcut } from "../agenda/common.js";
import { type CivilDate, addDays, isoDate, parseIsoDate } from "../agenda/grid.js";
import { registerPage } from "../context.js";

addWords({
  en: {
    "agendas.title": "Operators' agendas",
    "agendas.date": "Date",
    "agendas.team": "Team",
    "agendas.operator": "Operator",
    "agendas.allTeams": "All teams",
    "agendas.allOperators": "All operators",
    "agendas.none": "No operator matches these filters.",
  },
  es: {
    "agendas.title": "Agenda de operadores",
    "agendas.date": "Fecha",
    "agendas.team": "Equipo",
    "agendas.operator": "Operador",
    "agendas.allTeams": "Todos los equipos",
    "agendas.allOperators": "Todos los operadores",
    "agendas.none": "Ningún operador coincide con estos filtros.",
  },
});

function idArg(args: string[], name: string): bigint {
  const i = args.indexOf(name);
  const v = i >= 0 ? args[i + 1] : undefined;
  return v && /^[1-9][0-9]{0,19}$/.test(v) ? BigInt(v) : 0n;
}

export class ClubcrmAgendas extends AgendaBase {
  private get day(): CivilDate {
    return parseIsoDate(this.args?.[0]) ?? this.today();
  }
  private get teamId(): bigint {
    return idArg(this.args ?? [], "team");
  }
  private get operatorId(): bigint {
    return idArg(this.args ?? [], "op");
  }

  private go(day: CivilDate, teamId: bigint, operatorId: bigint): void {
    let r = `agendas/${isoDate(day)}`;
    if (teamId) r += `/team/${teamId}`;
    if (operatorId) r += `/op/${operatorId}`;
    this.ctx.navigate(r);
  }

  protected pageKey(e: KeyboardEvent): boolean {
    return this.dayKeys(e, (n) => this.go(addDays(this.day, n), this.teamId, this.operatorId),
      () => this.go(this.today(), this.teamId, this.operatorId));
  }

  /** The columns: active operators (and the one chosen even if inactive), in the team, by name. */
  private operators(): Operator[] {
    const team = this.teamId, op = this.operatorId;
    return [...this.ctx.catalog.operators.values()]
      .filter((o) => (op ? o.id === op : o.active !== false) && (!team || o.teamIds.includes(team)))
      .sort((a, b) => (a.name || a.login).localeCompare(b.name || b.login));
  }

  render() {
    const day = this.day, team = this.teamId, op = this.operatorId;
    const view = this.ensureView(day, 1, op ? { operatorIds: [op] } : team ? { teamId: team } : {});
    const teams = [...this.ctx.catalog.teams.values()].filter((x) => x.active !== false || x.id === team)
      .sort((a, b) => a.name.localeCompare(b.name));
    const teamName = new Map(teams.map((x) => [x.id, x.name]));
    const pickable = [...this.ctx.catalog.operators.values()]
      .filter((o) => (o.active !== false || o.id === op) && (!team || o.teamIds.includes(team)))
      .sort((a, b) => (a.name || a.login).localeCompare(b.name || b.login));
    const cols: CalColumn[] = this.operators().map((o) => ({
      operatorId: o.id, date: day, title: o.name || o.login, operatorName: o.name || o.login,
      subtitle: o.teamIds.map((id) => teamName.get(id)).filter(Boolean).join(", "),
    }));
    return html`<section class="agenda-page agendas" data-date=${isoDate(day)}>
      <header class="agenda-bar">
        <h1>${t("agendas.title")}</h1>
        <span class="agenda-range">${dayTitle(day, true)}</span>
        <span class="agenda-nav">
          <button type="button" data-go="prev" title="${t("agenda.prev")} ([)"
            @click=${() => this.go(addDays(day, -1), team, op)}>‹ ${t("agenda.prev")}</button>
          <button type="button" data-go="today" title="${t("agenda.today")} (h)"
            @click=${() => this.go(this.today(), team, op)}>${t("agenda.today")}</button>
          <button type="button" data-go="next" title="${t("agenda.next")} (])"
            @click=${() => this.go(addDays(day, 1), team, op)}>${t("agenda.next")} ›</button>
        </span>
        <label class="agenda-date">${t("agendas.date")}
          <input type="date" name="date" .value=${isoDate(day)} @change=${(e: Event) => {
            const d = parseIsoDate((e.target as HTMLInputElement).value);
            if (d) this.go(d, team, op);
          }}></label>
        <label>${t("agendas.team")}
          <select name="team" @change=${(e: Event) => {
            const v = (e.target as HTMLSelectElement).value;
            this.go(day, v ? BigInt(v) : 0n, 0n);
          }}>
            <option value="" ?selected=${!team}>${t("agendas.allTeams")}</option>
            ${teams.map((x) => html`<option value=${String(x.id)} ?selected=${x.id === team}>${x.name}</option>`)}
          </select></label>
        <label>${t("agendas.operator")}
          <select name="operator" @change=${(e: Event) => {
            const v = (e.target as HTMLSelectElement).value;
            this.go(day, team, v ? BigInt(v) : 0n);
          }}>
            <option value="" ?selected=${!op}>${t("agendas.allOperators")}</option>
            ${pickable.map((o) => html`<option value=${String(o.id)} ?selected=${o.id === op}>${o.name || o.login}</option>`)}
          </select></label>
      </header>
      ${cols.length ? this.renderGrid(cols, view.rows.values()) : html`<p class="empty">${t("agendas.none")}</p>`}
      <p class="agenda-keys">${t("agenda.keys")}</p>
    </section>`;
  }
}
customElements.define("clubcrm-agendas", ClubcrmAgendas);

pageShortcut("agendas", "7", "F7");
registerPage("agendas", {
  navKey: "nav.agendas",
  order: 7,
  render: (ctx, args) => html`<clubcrm-agendas .ctx=${ctx} .args=${args} .language=${lang()}></clubcrm-agendas>`,
});
