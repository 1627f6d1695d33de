/*
 * Settings › Import customers (admins): choose a CSV file, see how its
 * columns map (and change it), the first rows, and the server's dry run of
 * the whole file (N new, N duplicates skipped, N bad, the bad rows by
 * line, the duplicates folded, each reason in the page's language); then
 * Import, in batches of 500 with a progress bar (rows/s, time left) and a
 * Stop button. The file is read here (lib/import.ts, the CLI's
 * rules); the rows are judged by the server, as for `clubcrm customer
 * import`. Running the same file again adds nothing twice.
 */
import { LitElement, html, nothing } from "lit";
import { t, tn } from "../../i18n.js";
import {
  BATCH_BYTES, BATCH_MAX, type CsvFile, FIELDS, type Field, FileFault, type Outcome, type RowDraft, type Tally, autoMap, decodeFile,
  mapRecord, parseCsv, runImport,
} from "../../lib/import.js";
import { ClubError } from "../../lib/status.js";
import type { AppContext } from "../context.js";
import { importDone, importStopped, importSummary } from "./import-words.js";
import { reasonText } from "../errors.js";

/** A file bigger than this is refused before it is read. */
const FILE_MAX = 64 * 1024 * 1024;
/** Bad rows listed at most (all are counted). */
const LIST_MAX = 200;

type Phase = "empty" | "checking" | "checked" | "importing" | "done";

export class ClubcrmImport extends LitElement {
  static properties = {
    ctx: { attribute: false },
    phase: { state: true },
    error: { state: true },
    map: { state: true },
    check: { state: true },
    result: { state: true },
    done: { state: true },
    skipBad: { state: true },
  };
  declare ctx: AppContext;
  declare phase: Phase;
  declare error: string;
  declare map: Field[];
  declare check: Tally | null;
  declare result: Tally | null;
  declare done: number;
  declare skipBad: boolean;
  private file: CsvFile | null = null;
  private fileName = "";
  private bytes: Uint8Array | null = null;
  private encoding: "utf-8" | "windows-1252" = "utf-8";
  private stopAsked = false;
  private started = 0;
  private run = 0;

  constructor() {
    super();
    this.phase = "empty";
    this.error = "";
    this.map = [];
    this.check = null;
    this.result = null;
    this.done = 0;
    this.skipBad = false;
  }

  /** Light DOM: the page's styles apply. */
  protected createRenderRoot(): HTMLElement {
    return this;
  }

  private fault(e: unknown): string {
    if (e instanceof FileFault) {
      const what = t(e.key, { ...e.params, line: e.line });
      return e.line ? t("import.atLine", { line: e.line, what }) : what;
    }
    if (e instanceof ClubError) return t("import.refused", { why: reasonText(e) });
    return String(e);
  }

  private async pick(ev: Event): Promise<void> {
    const input = ev.target as HTMLInputElement;
    const f = input.files?.[0];
    this.reset();
    if (!f) return;
    this.fileName = f.name;
    if (f.size > FILE_MAX) {
      this.error = t("import.err.big", { mib: FILE_MAX / 1048576 });
      return;
    }
    this.bytes = new Uint8Array(await f.arrayBuffer());
    await this.read();
  }

  private reset(): void {
    this.run++;
    this.file = null;
    this.bytes = null;
    this.map = [];
    this.check = null;
    this.result = null;
    this.error = "";
    this.phase = "empty";
  }

  /** Decodes and parses the file, maps its columns, then asks the dry run. */
  private async read(): Promise<void> {
    if (!this.bytes) return;
    this.error = "";
    this.check = null;
    this.result = null;
    try {
      this.file = parseCsv(decodeFile(this.bytes, this.encoding));
    } catch (e) {
      this.file = null;
      this.phase = "empty";
      this.error = this.fault(e);
      return;
    }
    this.map = autoMap(this.file.header);
    await this.dryRun();
  }

  private drafts(): RowDraft[] {
    return this.file ? this.file.records.map((r) => mapRecord(r, this.map)) : [];
  }

  /** A request's bytes: well under the frame limit this server announced (--max-frame). */
  private batchBytes(): number {
    const max = this.ctx.client.welcome?.maxFrame ?? 0;
    return max ? Math.min(BATCH_BYTES, Math.floor(max / 2)) : BATCH_BYTES;
  }

  private async dryRun(): Promise<void> {
    if (!this.file) return;
    if (!this.map.includes("name")) {
      this.phase = "empty";
      this.error = t("import.err.noName", { columns: this.file.header.join(", ") });
      return;
    }
    const my = ++this.run;
    this.phase = "checking";
    this.error = "";
    this.done = 0;
    try {
      const tally = await runImport(this.drafts(), true, (rows, dry) => this.ctx.api.importCustomers(rows, dry),
        (n) => { if (my === this.run) this.done = n; }, { bytes: this.batchBytes() });
      if (my !== this.run) return;
      this.check = tally;
      this.phase = "checked";
    } catch (e) {
      if (my !== this.run) return;
      this.phase = "empty";
      this.error = this.fault(e);
    }
  }

  private async doImport(): Promise<void> {
    if (!this.file || !this.check) return;
    const my = ++this.run;
    this.phase = "importing";
    this.stopAsked = false;
    this.started = performance.now();
    this.done = 0;
    this.error = "";
    try {
      const tally = await runImport(this.drafts(), false, (rows, dry) => this.ctx.api.importCustomers(rows, dry),
        (n) => { if (my === this.run) this.done = n; }, { batch: BATCH_MAX, bytes: this.batchBytes(),
          stop: () => this.stopAsked });
      if (my !== this.run) return;
      this.result = tally;
      this.phase = "done";
      this.ctx.notify(tn("import.notify", tally.added));
    } catch (e) {
      if (my !== this.run) return;
      this.phase = "done";
      this.error = this.fault(e);
    }
  }

  private setField(i: number, f: Field): void {
    const map = [...this.map];
    // One column per field: the one chosen takes it from another.
    if (f !== "ignore") for (let k = 0; k < map.length; k++) if (map[k] === f) map[k] = "ignore";
    map[i] = f;
    this.map = map;
    void this.dryRun();
  }

  private setEncoding(e: string): void {
    this.encoding = e === "windows-1252" ? "windows-1252" : "utf-8";
    void this.read();
  }

  render() {
    const busy = this.phase === "checking" || this.phase === "importing";
    return html`<div class="settings-import" data-import-phase=${this.phase}>
      <h2>${t("import.title")}</h2>
      <p class="hint">${t("import.hint")}</p>
      <div class="import-choose">
        <label>${t("import.file")}
          <input type="file" accept=".csv,.txt,text/csv" data-import-file ?disabled=${busy}
            @change=${(e: Event) => this.pick(e)}></label>
        <label>${t("import.encoding")}
          <select data-import-encoding ?disabled=${busy}
            @change=${(e: Event) => this.setEncoding((e.target as HTMLSelectElement).value)}>
            <option value="utf-8" ?selected=${this.encoding === "utf-8"}>UTF-8</option>
            <option value="windows-1252" ?selected=${this.encoding === "windows-1252"}>Windows-1252 (Excel)</option>
          </select></label>
      </div>
      ${this.error ? html`<p class="error" role="alert" data-import-error>${this.error}</p>` : nothing}
      ${this.file ? this.renderPreview(busy) : nothing}
      ${this.phase === "checking" ? html`<p class="loading" data-import-checking>
        ${tn("import.checking", this.file?.records.length ?? 0, { rows: this.done })}</p>` : nothing}
      ${this.check && this.phase !== "checking" ? this.renderCheck() : nothing}
      ${this.phase === "importing" ? this.renderProgress() : nothing}
      ${this.result ? this.renderResult(this.result) : nothing}
    </div>`;
  }

  private renderPreview(busy: boolean) {
    const f = this.file!;
    const sample = f.records.slice(0, 5).map((r) => mapRecord(r, this.map));
    return html`<div class="import-preview">
      <h3>${tn("import.columns", f.records.length, { name: this.fileName,
        delim: f.delim === "\t" ? t("import.tab") : f.delim })}</h3>
      <table class="settings-table import-columns">
        <thead><tr><th>${t("import.column")}</th><th>${t("import.field")}</th><th>${t("import.example")}</th></tr></thead>
        <tbody>${f.header.map((h, i) => html`<tr>
          <td>${h}</td>
          <td><select data-column=${String(i)} ?disabled=${busy}
            @change=${(e: Event) => this.setField(i, (e.target as HTMLSelectElement).value as Field)}>
            ${FIELDS.map((fd) => html`<option value=${fd} ?selected=${this.map[i] === fd}>${t(`import.f.${fd}`)}</option>`)}
          </select></td>
          <td class="muted">${f.records[0]?.fields[i] ?? ""}</td>
        </tr>`)}</tbody>
      </table>
      <h3>${t("import.firstRows")}</h3>
      <table class="settings-table import-sample">
        <thead><tr><th>${t("import.line")}</th><th>${t("import.f.name")}</th><th>${t("import.f.phone")}</th>
          <th>${t("import.f.email")}</th><th>${t("import.f.consultant")}</th></tr></thead>
        <tbody>${sample.map((d) => html`<tr data-sample-line=${String(d.line)}><td>${d.line}</td><td>${d.name ?? ""}</td>
          <td>${d.phone ?? ""}</td><td>${d.email ?? ""}</td><td>${d.consultant ?? ""}</td></tr>`)}</tbody>
      </table>
    </div>`;
  }

  private reason(o: Outcome): string {
    if (o.reasonKey) return t(o.reasonKey.key, o.reasonKey.params);
    return o.reason;
  }

  private renderBad(tally: Tally) {
    const bad = tally.outcomes.filter((o) => o.status === "bad");
    if (!bad.length) return nothing;
    return html`<ul class="import-bad">
      ${bad.slice(0, LIST_MAX).map((o) => html`<li data-import-bad=${String(o.line)}>
        ${t("import.atLine", { line: o.line, what: this.reason(o) })}</li>`)}
      ${bad.length > LIST_MAX ? html`<li class="muted">${t("import.more", { n: bad.length - LIST_MAX })}</li>` : nothing}
    </ul>`;
  }

  /** The rows skipped as customers the club has, each with the key it shares: folded, a re-import has many. */
  private renderDuplicates(tally: Tally) {
    const dups = tally.outcomes.filter((o) => o.status === "duplicate");
    if (!dups.length) return nothing;
    return html`<details class="import-dups" data-import-dups>
      <summary>${t("import.dups")}</summary>
      <ul>${dups.slice(0, LIST_MAX).map((o) => html`<li data-import-dup=${String(o.line)}>
        ${t("import.atLine", { line: o.line, what: this.reason(o) })}</li>`)}
      ${dups.length > LIST_MAX ? html`<li class="muted">${t("import.more", { n: dups.length - LIST_MAX })}</li>` : nothing}
      </ul>
    </details>`;
  }

  private renderCheck() {
    const c = this.check!;
    const blocked = c.bad > 0 && !this.skipBad;
    const busy = this.phase === "importing";
    return html`<div class="import-check">
      <p data-import-summary>${importSummary(c)}</p>
      ${this.renderBad(c)}
      ${this.renderDuplicates(c)}
      ${c.bad ? html`<label class="check"><input type="checkbox" data-import-skip ?checked=${this.skipBad}
        ?disabled=${busy} @change=${(e: Event) => { this.skipBad = (e.target as HTMLInputElement).checked; }}>
        ${t("import.skipBad")}</label>` : nothing}
      ${this.phase === "checked" ? html`<div class="buttons">
        <button type="button" class="primary" data-import-run ?disabled=${blocked || !c.added}
          @click=${() => this.doImport()}>${tn("import.run", c.added)}</button>
        ${blocked ? html`<span class="hint">${t("import.fixFirst")}</span>` : nothing}
      </div>` : nothing}
    </div>`;
  }

  private renderProgress() {
    const total = this.file?.records.length ?? 0;
    const el = (performance.now() - this.started) / 1000;
    const rate = el > 0 ? this.done / el : 0;
    const left = rate > 0 ? Math.max(0, (total - this.done) / rate) : 0;
    return html`<div class="import-progress">
      <progress data-import-progress max=${String(total || 1)} .value=${this.done}></progress>
      <span>${tn("import.progress", total, { done: this.done, rate: Math.round(rate),
        left: tn("import.left", Math.ceil(left)) })}</span>
      <button type="button" class="secondary" data-import-stop @click=${() => { this.stopAsked = true; }}>
        ${t("import.stop")}</button>
    </div>`;
  }

  private renderResult(r: Tally) {
    const stopped = r.rows < (this.file?.records.length ?? 0);
    return html`<div class="import-result">
      <p data-import-done>${stopped ? importStopped(r) : importDone(r)}</p>
    </div>`;
  }
}
customElements.define("clubcrm-import", ClubcrmImport);
