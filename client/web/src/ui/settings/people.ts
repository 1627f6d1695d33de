/*
 * Operators (login, name, role, teams, active, password reset with a
 * confirmation) and the club's general settings (one form, no list).
 */
import { html } from "lit";
import { type Operator, Role, TaskStatus } from "../../gen/clubcrm_pb.js";
import { t } from "../../i18n.js";
import type { AppContext } from "../context.js";
import { statusWord } from "./catalog.js";
import {
  SESSION_HOURS_DEFAULT, checkClub, checkLogin, checkName, checkPassword, checkSelf, formatClock, parseClock,
  timeZones, wholeNumber,
} from "./rules.js";
import { type FormRefusal, type Saved, type Section, type SectionHost, byName, checked, text } from "./section.js";

export function roleWord(r: Role): string {
  return r === Role.ADMIN ? t("settings.role.admin") : t("settings.role.operator");
}

export const operatorsSection: Section<Operator> = {
  titleKey: "settings.operators",
  what: "operator",
  entries: (cat) => byName(cat.operators),
  head: () => html`<th>${t("settings.login")}</th><th>${t("settings.role")}</th><th>${t("settings.opTeams")}</th>`,
  cells: (o, ctx) => html`<td>${o.login}${o.id === ctx.me.id ? html` <span class="muted">${t("settings.you")}</span>`
    : ""}</td><td>${roleWord(o.role)}</td>
    <td>${o.teamIds.map((id) => ctx.catalog.teams.get(id)?.name ?? `#${id}`).join(", ")}</td>`,
  form: (host, o) => {
    const teams = byName(host.ctx.catalog.teams).filter((tm) => tm.active || o?.teamIds.includes(tm.id));
    const self = o !== undefined && o.id === host.ctx.me.id;
    return html`
      <label>${t("settings.login")}
        <input name="login" .value=${o?.login ?? ""} required maxlength="32" pattern="[a-z0-9._\\-]+"
          autocomplete="off" autocapitalize="none" spellcheck="false"></label>
      <label>${t("settings.name")}
        <input name="name" .value=${o?.name ?? ""} required maxlength="100" autocomplete="off"></label>
      <label>${t("settings.role")}
        <select name="role" ?disabled=${self}>
          ${[Role.OPERATOR, Role.ADMIN].map((r) => html`<option value=${String(r)}
            ?selected=${(o?.role ?? Role.OPERATOR) === r}>${roleWord(r)}</option>`)}
        </select></label>
      <fieldset class="teams"><legend>${t("settings.opTeams")}</legend>
        ${teams.map((tm) => html`<label class="check"><input type="checkbox" name="team" value=${String(tm.id)}
          ?checked=${o?.teamIds.includes(tm.id) ?? false}> ${tm.name}</label>`)}
      </fieldset>
      <label class="check"><input type="checkbox" name="active" ?checked=${o?.active ?? true}>
        ${t("settings.active")}</label>
      <fieldset class="password"><legend>${t("settings.password")}</legend>
        <label>${t("settings.password")}
          <input name="password" type="password" autocomplete="new-password" maxlength="128"></label>
        <label>${t("settings.passwordConfirm")}
          <input name="passwordConfirm" type="password" autocomplete="new-password" maxlength="128"></label>
        ${o ? html`<p class="hint">${t("settings.passwordHint")}</p>` : ""}
      </fieldset>`;
  },
  async save(host, d, o): Promise<FormRefusal | Saved> {
    const ctx = host.ctx;
    const login = text(d, "login").trim();
    const name = text(d, "name");
    const self = o !== undefined && o.id === ctx.me.id;
    // A disabled select sends nothing: one's own role stays.
    const role = self ? (o?.role ?? Role.ADMIN) : (Number(text(d, "role")) as Role);
    const active = checked(d, "active");
    const pw = text(d, "password");
    const bad: FormRefusal | null =
      at("login", checkLogin(login)) ??
      at("login", [...ctx.catalog.operators.values()].some((x) => x.login === login && x.id !== o?.id)
        ? { key: "settings.err.taken", params: { login } } : null) ??
      at("name", checkName(name)) ??
      at("active", checkSelf(self, active, role === Role.ADMIN)) ??
      at("password", checkPassword(pw, text(d, "passwordConfirm"), o === undefined));
    if (bad) return bad;
    const teamIds = d.getAll("team").map((v) => BigInt(String(v)));
    const cat = await ctx.api.upsertOperator({
      operator: { id: o?.id, login, name, role, teamIds, active },
      password: pw || undefined,
      replaceTeams: true,
    });
    return { id: cat.operators[0]?.id ?? 0n, name: cat.operators[0]?.name ?? name };
  },
};

function at(field: string, r: FormRefusal | null): FormRefusal | null {
  return r ? { ...r, field } : null;
}

// ---------------------------------------------------------------- the club

export function clubForm(ctx: AppContext) {
  const s = ctx.catalog.settings;
  const zone = s?.timeZone || ctx.zone || "UTC";
  const results = byName(ctx.catalog.results).filter((r) => r.active
    || r.id === s?.defaultTaskResultId || r.id === s?.defaultNoteResultId);
  const resultSelect = (name: string, current: bigint) => html`<select name=${name}>
    <option value="0" ?selected=${!current}>${t("settings.noResult")}</option>
    ${results.map((r) => html`<option value=${String(r.id)} ?selected=${r.id === current}>${r.name}</option>`)}
  </select>`;
  return html`
    <label>${t("settings.clubName")}
      <input name="clubName" .value=${s?.clubName ?? ctx.clubName} required maxlength="100"></label>
    <label>${t("settings.language")}
      <select name="language">
        <option value="" ?selected=${!s?.language}>${t("settings.languageBrowser")}</option>
        <option value="en" ?selected=${s?.language === "en"}>English</option>
        <option value="es" ?selected=${s?.language === "es"}>Español</option>
      </select></label>
    <label>${t("settings.timeZone")}
      <select name="timeZone">
        ${timeZones(zone).map((z) => html`<option value=${z} ?selected=${z === zone}>${z}</option>`)}
      </select></label>
    <label>${t("settings.defaultStatus")}
      <select name="defaultStatus">
        ${[TaskStatus.PLANNED, TaskStatus.DONE, TaskStatus.CANCELLED].map((st) => html`<option value=${String(st)}
          ?selected=${(s?.defaultStatus || TaskStatus.PLANNED) === st}>${statusWord(st)}</option>`)}
      </select></label>
    <label>${t("settings.defaultTaskResult")} ${resultSelect("defaultTaskResult", s?.defaultTaskResultId ?? 0n)}</label>
    <label>${t("settings.defaultNoteResult")} ${resultSelect("defaultNoteResult", s?.defaultNoteResultId ?? 0n)}</label>
    <label>${t("settings.slotMinutes")}
      <input name="slotMinutes" type="number" min="5" max="240" .value=${String(s?.slotMinutes ?? 30)}></label>
    <label>${t("settings.dayStart")}
      <input name="dayStart" inputmode="numeric" placeholder="08:00" maxlength="5" size="6"
        .value=${formatClock(s?.dayStartMinute ?? 8 * 60)}></label>
    <label>${t("settings.dayEnd")}
      <input name="dayEnd" inputmode="numeric" placeholder="22:00" maxlength="5" size="6"
        .value=${formatClock(s?.dayEndMinute ?? 22 * 60)}></label>
    <label>${t("settings.escalation")}
      <input name="escalationMinutes" type="number" min="0" max="10080" .value=${String(s?.escalationMinutes ?? 0)}>
    </label>
    <label>${t("settings.sessionHours")}
      <input name="sessionHours" type="number" min="1" max="72"
        .value=${String(s?.sessionHours || SESSION_HOURS_DEFAULT)}></label>`;
}

export async function saveClub(host: SectionHost, d: FormData): Promise<FormRefusal | Saved> {
  const ctx = host.ctx;
  const draft = {
    clubName: text(d, "clubName"), slotMinutes: text(d, "slotMinutes"), dayStart: text(d, "dayStart"),
    dayEnd: text(d, "dayEnd"), escalationMinutes: text(d, "escalationMinutes"),
    sessionHours: text(d, "sessionHours"), timeZone: text(d, "timeZone"), language: text(d, "language"),
  };
  const bad = checkClub(draft, timeZones(ctx.catalog.settings?.timeZone || ctx.zone));
  if (bad) return bad;
  await ctx.api.updateSettings({
    settings: {
      clubName: draft.clubName.trim(),
      timeZone: draft.timeZone,
      language: draft.language,
      defaultStatus: Number(text(d, "defaultStatus")) as TaskStatus,
      defaultTaskResultId: BigInt(text(d, "defaultTaskResult") || "0"),
      defaultNoteResultId: BigInt(text(d, "defaultNoteResult") || "0"),
      slotMinutes: wholeNumber(draft.slotMinutes) ?? 0,
      dayStartMinute: parseClock(draft.dayStart) ?? 0,
      dayEndMinute: parseClock(draft.dayEnd) ?? 0,
      escalationMinutes: wholeNumber(draft.escalationMinutes) ?? 0,
      sessionHours: wholeNumber(draft.sessionHours) ?? SESSION_HOURS_DEFAULT,
    },
  });
  return { id: 0n, name: draft.clubName.trim() };
}
