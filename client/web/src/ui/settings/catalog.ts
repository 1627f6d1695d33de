/*
 * The catalogue's sections: task types (priority, follow-ons), results
 * (status they lead to, outcome), tags (colour as a chip) and teams. Each
 * saves through one upsert; the live catalogue brings the change to every
 * open page.
 */
import { html } from "lit";
import { Outcome, type Result, type Tag, type TaskType, type Team, TaskStatus } from "../../gen/clubcrm_pb.js";
import { t } from "../../i18n.js";
import {
  checkColour, checkFollowOns, checkName, checkUnique, darkTextOn, type FollowOnDraft, TAG_PALETTE, tagCss,
  wholeNumber,
} from "./rules.js";
import { type Section, type SectionHost, byName, checked, cssVar, text } from "./section.js";

export function outcomeWord(o: Outcome): string {
  return o === Outcome.POSITIVE ? t("settings.outcome.positive")
    : o === Outcome.NEGATIVE ? t("settings.outcome.negative")
      : o === Outcome.UNKNOWN ? t("settings.outcome.unknown") : t("settings.anyOutcome");
}

export function statusWord(s: TaskStatus): string {
  return s === TaskStatus.PLANNED ? t("settings.status.planned")
    : s === TaskStatus.DONE ? t("settings.status.done")
      : s === TaskStatus.CANCELLED ? t("settings.status.cancelled") : t("settings.leadsNone");
}

function activeBox(active: boolean) {
  return html`<label class="check"><input type="checkbox" name="active" ?checked=${active}>
    ${t("settings.active")}</label>`;
}

function nameField(value: string) {
  return html`<label>${t("settings.name")}
    <input name="name" .value=${value} required maxlength="100" autocomplete="off"></label>`;
}

/** A tag as a coloured chip; `data-colour` carries the stored colour. */
export function tagChip(name: string, colour: string) {
  const bg = tagCss(colour);
  return html`<span class="chip ${bg ? (darkTextOn(bg) ? "dark" : "light") : "plain"}" data-colour=${colour}
    ${cssVar("--chip-bg", bg)}>${name}</span>`;
}

// ---------------------------------------------------------------- task types

function draftOf(t: TaskType): FollowOnDraft[] {
  return t.followOns.map((f) => ({
    typeId: String(f.typeId), delay: String(f.delayMinutes), outcome: String(f.onOutcome ?? 0),
    description: f.description,
  }));
}

function followOnRows(host: SectionHost, self: bigint | undefined) {
  const types = byName(host.ctx.catalog.taskTypes)
    .filter((ty) => ty.active || ty.id === self || host.followOns.some((f) => f.typeId === String(ty.id)));
  const set = (i: number, k: keyof FollowOnDraft, v: string) => {
    host.followOns[i] = { ...host.followOns[i], [k]: v };
  };
  return html`<fieldset class="follow-ons">
    <legend>${t("settings.followOns")}</legend>
    ${host.followOns.map((f, i) => html`<div class="follow-on" data-follow-on=${i}>
      <label>${t("settings.followOnType")}
        <select name="fo-type" .value=${f.typeId} @change=${(e: Event) =>
          set(i, "typeId", (e.target as HTMLSelectElement).value)}>
          <option value="0" ?selected=${f.typeId === "0" || !f.typeId}>—</option>
          ${types.map((ty) => html`<option value=${String(ty.id)} ?selected=${f.typeId === String(ty.id)}>
            ${ty.name}</option>`)}
        </select></label>
      <label>${t("settings.followOnDelay")}
        <input name="fo-delay" type="number" min="0" max="527040" .value=${f.delay}
          @input=${(e: Event) => set(i, "delay", (e.target as HTMLInputElement).value)}></label>
      <label>${t("settings.followOnOutcome")}
        <select name="fo-outcome" @change=${(e: Event) => set(i, "outcome", (e.target as HTMLSelectElement).value)}>
          ${[Outcome.UNSPECIFIED, Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.UNKNOWN].map((o) =>
            html`<option value=${String(o)} ?selected=${f.outcome === String(o)}>${outcomeWord(o)}</option>`)}
        </select></label>
      <label class="wide">${t("settings.followOnText")}
        <input name="fo-text" .value=${f.description} maxlength="4000"
          @input=${(e: Event) => set(i, "description", (e.target as HTMLInputElement).value)}></label>
      <button type="button" class="secondary" @click=${() => {
        host.followOns.splice(i, 1);
        host.changed();
      }}>${t("settings.followOnRemove")}</button>
    </div>`)}
    <button type="button" class="secondary" data-add-follow-on ?disabled=${host.followOns.length >= 8} @click=${() => {
      host.followOns.push({ typeId: "0", delay: "0", outcome: "0", description: "" });
      host.changed();
    }}>${t("settings.followOnAdd")}</button>
  </fieldset>`;
}

export const typesSection: Section<TaskType> = {
  titleKey: "settings.types",
  what: "task type",
  entries: (cat) => byName(cat.taskTypes),
  head: () => html`<th>${t("settings.priorityShort")}</th><th>${t("settings.followOns")}</th>`,
  cells: (ty, ctx) => html`<td>${ty.priority ? html`<span class="mark priority">${t("settings.priorityShort")}</span>`
    : ""}</td>
    <td>${ty.followOns.map((f) => ctx.catalog.taskTypes.get(f.typeId)?.name ?? `#${f.typeId}`).join(", ")}</td>`,
  begin: (host, ty) => {
    host.followOns = ty ? draftOf(ty) : [];
  },
  form: (host, ty) => html`
    ${nameField(ty?.name ?? "")}
    <label class="check"><input type="checkbox" name="priority" ?checked=${ty?.priority ?? false}>
      ${t("settings.priority")}</label>
    ${activeBox(ty?.active ?? true)}
    ${followOnRows(host, ty?.id)}`,
  async save(host, d, ty) {
    const name = text(d, "name");
    const bad = checkName(name) ?? checkUnique(name, "task type", host.ctx.catalog.taskTypes.values(), ty?.id ?? 0n)
      ?? checkFollowOns(host.followOns);
    if (bad) return { ...bad, field: bad.key.startsWith("settings.err.followOn") ? "fo-type" : "name" };
    const followOns = host.followOns.map((f) => ({
      typeId: BigInt(f.typeId),
      delayMinutes: wholeNumber(f.delay) ?? 0,
      onOutcome: Number(f.outcome) as Outcome,
      description: f.description.trim(),
    }));
    const cat = await host.ctx.api.upsertTaskType({
      taskType: {
        id: ty?.id, name, priority: checked(d, "priority"), active: checked(d, "active"),
        followOns,
      },
      replaceFollowOns: true,
    });
    const saved = cat.taskTypes[0];
    return { id: saved?.id ?? 0n, name: saved?.name ?? name };
  },
};

// ---------------------------------------------------------------- results

export const resultsSection: Section<Result> = {
  titleKey: "settings.results",
  what: "result",
  entries: (cat) => byName(cat.results),
  head: () => html`<th>${t("settings.leadsTo")}</th><th>${t("settings.outcome")}</th>`,
  cells: (r) => html`<td>${statusWord(r.leadsTo)}</td>
    <td><span class="mark outcome-${Outcome[r.outcome]?.toLowerCase()}">${outcomeWord(r.outcome)}</span></td>`,
  form: (_host, r) => html`
    ${nameField(r?.name ?? "")}
    <label>${t("settings.leadsTo")}
      <select name="leadsTo">
        ${[TaskStatus.UNSPECIFIED, TaskStatus.DONE, TaskStatus.CANCELLED].map((s) => html`<option value=${String(s)}
          ?selected=${(r?.leadsTo ?? TaskStatus.UNSPECIFIED) === s}>${statusWord(s)}</option>`)}
      </select></label>
    <label>${t("settings.outcome")}
      <select name="outcome">
        ${[Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.UNKNOWN].map((o) => html`<option value=${String(o)}
          ?selected=${(r?.outcome || Outcome.UNKNOWN) === o}>${outcomeWord(o)}</option>`)}
      </select></label>
    ${activeBox(r?.active ?? true)}`,
  async save(host, d, r) {
    const name = text(d, "name");
    const bad = checkName(name) ?? checkUnique(name, "result", host.ctx.catalog.results.values(), r?.id ?? 0n);
    if (bad) return { ...bad, field: "name" };
    const cat = await host.ctx.api.upsertResult({
      result: {
        id: r?.id, name, leadsTo: Number(text(d, "leadsTo")) as TaskStatus,
        outcome: Number(text(d, "outcome")) as Outcome, active: checked(d, "active"),
      },
    });
    return { id: cat.results[0]?.id ?? 0n, name: cat.results[0]?.name ?? name };
  },
};

// ---------------------------------------------------------------- tags

export const tagsSection: Section<Tag> = {
  titleKey: "settings.tags",
  what: "tag",
  entries: (cat) => byName(cat.tags),
  head: () => html`<th>${t("settings.colour")}</th>`,
  cells: (tag) => html`<td>${tagChip(tag.name, tag.colour)} <span class="muted">${tag.colour}</span></td>`,
  form: (_host, tag) => {
    const current = tag?.colour ?? "";
    const custom = current && !(current.toLowerCase() in TAG_PALETTE) ? current : "";
    return html`
      ${nameField(tag?.name ?? "")}
      <fieldset class="palette">
        <legend>${t("settings.colour")}</legend>
        <label class="swatch"><input type="radio" name="colour" value="" ?checked=${!current}>
          ${tagChip(t("settings.colourNone"), "")}</label>
        ${Object.keys(TAG_PALETTE).map((c) => html`<label class="swatch">
          <input type="radio" name="colour" value=${c} ?checked=${current.toLowerCase() === c}>
          ${tagChip(c, c)}</label>`)}
        <label class="swatch">${t("settings.colourCustom")}
          <input name="customColour" .value=${custom} placeholder="#1f5fd0" maxlength="7" size="8"></label>
      </fieldset>
      ${activeBox(tag?.active ?? true)}`;
  },
  async save(host, d, tag) {
    const name = text(d, "name");
    const colour = text(d, "customColour").trim() || text(d, "colour");
    const bad = checkName(name) ?? checkUnique(name, "tag", host.ctx.catalog.tags.values(), tag?.id ?? 0n);
    if (bad) return { ...bad, field: "name" };
    const badColour = checkColour(colour);
    if (badColour) return { ...badColour, field: "customColour" };
    const cat = await host.ctx.api.upsertTag({
      tag: { id: tag?.id, name, colour: colour.trim(), active: checked(d, "active") },
    });
    return { id: cat.tags[0]?.id ?? 0n, name: cat.tags[0]?.name ?? name };
  },
};

// ---------------------------------------------------------------- teams

export const teamsSection: Section<Team> = {
  titleKey: "settings.teams",
  what: "team",
  entries: (cat) => byName(cat.teams),
  head: () => html`<th>${t("settings.operators")}</th>`,
  cells: (team, ctx) => html`<td>${[...ctx.catalog.operators.values()].filter((o) => o.teamIds.includes(team.id))
    .map((o) => o.name || o.login).join(", ")}</td>`,
  form: (_host, team) => html`${nameField(team?.name ?? "")} ${activeBox(team?.active ?? true)}`,
  async save(host, d, team) {
    const name = text(d, "name");
    const bad = checkName(name) ?? checkUnique(name, "team", host.ctx.catalog.teams.values(), team?.id ?? 0n);
    if (bad) return { ...bad, field: "name" };
    const cat = await host.ctx.api.upsertTeam({ team: { id: team?.id, name, active: checked(d, "active") } });
    return { id: cat.teams[0]?.id ?? 0n, name: cat.teams[0]?.name ?? name };
  },
};
