/*
 * Customer files for Settings › Import customers, read as the CLI's
 * `customer import` reads them (client/lib/import_csv.c): a UTF-8 BOM, CRLF
 * or LF, quoted fields with separators, quotes and line breaks inside, `,`
 * `;` or tab (the one the header line uses most, outside quotes); UTF-16
 * with its byte-order mark (Excel's "Unicode Text"); refused with the line:
 * bytes that are not UTF-8 (unless the file is declared Windows-1252),
 * UTF-16 with a lone surrogate or an odd length, a line or a record over
 * 1 MiB, a quote open at the end,
 * more than 256 columns. Columns map by their header in English or Spanish
 * (the CLI's words). Rows that are the same person twice in the file are
 * found here (common/custkey.h's rule); every other check is the server's
 * (ImportCustomers, dry run first), so the browser and the CLI refuse the
 * same rows for the same reasons.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import {
  ImportField, type ImportOutcome, ImportReason, type ImportReply, ImportRowSchema, type ImportRow, ImportStatus,
} from "../gen/clubcrm_pb.js";

export const LINE_MAX = 1024 * 1024;
export const COLUMNS_MAX = 256;
export const BATCH_MAX = 500;
/**
 * One request's rows stay under this many bytes: far below the server's
 * frame limit (1 MiB by default; past it the server drops the connection,
 * and the import could never get through), whatever the file holds.
 */
export const BATCH_BYTES = 256 * 1024;
/** A row bigger than this is refused here: the server's longest valid row
 * (200 + 64 + 254 + 100 characters) takes under 3 KiB. */
export const ROW_BYTES_MAX = 16 * 1024;
/** What a request adds around its rows (the frame, the request id, dry_run). */
const REQUEST_OVERHEAD = 64;

export type Field = "ignore" | "name" | "surname" | "phone" | "email" | "consultant";
export const FIELDS: readonly Field[] = ["ignore", "name", "surname", "phone", "email", "consultant"];

/** Why a file cannot be read; `line` 0 when it is the whole file's fault. */
export class FileFault extends Error {
  constructor(readonly key: string, readonly line: number, readonly params: Record<string, string | number> = {}) {
    super(key);
  }
}

// ---------------------------------------------------------------- bytes

/** The line of byte `end`: LF, CRLF and a CR alone (Excel for Mac) each end one. */
function lineAt(b: Uint8Array, end: number): number {
  let n = 1;
  for (let i = 0; i < end; i++)
    if (b[i] === 0x0a || (b[i] === 0x0d && b[i + 1] !== 0x0a)) n++;
  return n;
}

/** The line of character `end` of decoded text, counted as lineAt counts. */
function lineOfText(s: string, end: number): number {
  let n = 1;
  for (let i = 0; i < end; i++)
    if (s[i] === "\n" || (s[i] === "\r" && s[i + 1] !== "\n")) n++;
  return n;
}

export type Encoding = "utf-8" | "windows-1252";

/**
 * The file's text; a FileFault naming the line (of the decoded text) of the
 * first bad byte. No Unicode tables of our own: the browser's TextDecoder
 * does every encoding. A file that starts with a UTF-16 byte-order mark
 * (FF FE little-endian, as Excel's "Unicode Text" writes it, or FE FF) is
 * UTF-16 whatever `encoding` says, as the CLI reads it.
 */
export function decodeFile(bytes: Uint8Array, encoding: Encoding): string {
  const le = bytes[0] === 0xff && bytes[1] === 0xfe, be = bytes[0] === 0xfe && bytes[1] === 0xff;
  if (le || be) return decodeUtf16(bytes.subarray(2), le ? "utf-16le" : "utf-16be");
  if (encoding === "windows-1252") {
    // WHATWG's windows-1252 maps the five bytes Windows-1252 leaves
    // undefined (0x81 0x8D 0x8F 0x90 0x9D) to U+0081..U+009D, and every
    // defined byte of 0x80..0x9F elsewhere: a C1 control came from one.
    const text = new TextDecoder("windows-1252").decode(bytes);
    const at = text.search(/[\u0080-\u009f]/);
    if (at >= 0) throw new FileFault("import.err.cp1252", lineOfText(text, at), { byte: hex(text.charCodeAt(at)) });
    return text;
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    const at = firstBadUtf8(bytes);
    throw new FileFault("import.err.utf8", lineAt(bytes, at), { byte: hex(bytes[at]) });
  }
}

function decodeUtf16(b: Uint8Array, label: "utf-16le" | "utf-16be"): string {
  try {
    // A second mark (a UTF-8 file's, converted) is left out too, as the CLI does.
    const text = new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(b);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    // Decoded leniently, each unit is one character of the text and a bad
    // one (a lone surrogate, an odd byte at the end) one U+FFFD: the first
    // U+FFFD that the file did not hold as such is the fault.
    const text = new TextDecoder(label, { ignoreBOM: true }).decode(b);
    for (let k = text.indexOf("\ufffd"); k >= 0; k = text.indexOf("\ufffd", k + 1)) {
      if (2 * k + 1 >= b.length) throw new FileFault("import.err.utf16odd", lineOfText(text, k));
      const unit = label === "utf-16le" ? b[2 * k] | (b[2 * k + 1] << 8) : (b[2 * k] << 8) | b[2 * k + 1];
      if (unit !== 0xfffd)
        throw new FileFault("import.err.utf16", lineOfText(text, k), { unit: "0x" + unit.toString(16).toUpperCase() });
    }
    throw new FileFault("import.err.utf16odd", lineOfText(text, text.length));
  }
}

function hex(b: number): string {
  return "0x" + b.toString(16).toUpperCase().padStart(2, "0");
}

/**
 * Where the first byte that is not UTF-8 is: the start of the first
 * sequence the browser's decoder replaces with U+FFFD (one that the file
 * did not hold as EF BF BD), counted in bytes by encoding back the text
 * before it, which was valid and so is the file's own bytes.
 */
function firstBadUtf8(b: Uint8Array): number {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(b);
  const encoder = new TextEncoder();
  let from = 0, at = 0;
  for (let k = text.indexOf("\ufffd"); k >= 0; k = text.indexOf("\ufffd", k + 1)) {
    at += encoder.encode(text.slice(from, k)).length;
    from = k;
    if (!(b[at] === 0xef && b[at + 1] === 0xbf && b[at + 2] === 0xbd)) return at;
  }
  return b.length;
}

// ---------------------------------------------------------------- CSV

export interface CsvRecord {
  line: number;        // where the record starts
  fields: string[];
}

export interface CsvFile {
  delim: string;
  header: string[];
  records: CsvRecord[];  // blank lines and rows of empty fields left out
}

export function detectDelim(text: string): string {
  let comma = 0, semi = 0, tab = 0, q = false;
  for (let i = 0; i < text.length && text[i] !== "\n" && text[i] !== "\r"; i++) {
    const c = text[i];
    if (c === '"') q = !q;
    else if (!q && c === ",") comma++;
    else if (!q && c === ";") semi++;
    else if (!q && c === "\t") tab++;
  }
  if (semi > comma && semi >= tab) return ";";
  if (tab > comma && tab > semi) return "\t";
  return ",";
}

/** Parses the whole text (a file already in memory). FileFault on what the CLI refuses too. */
export function parseCsv(text: string): CsvFile {
  const delim = detectDelim(text);
  const records: CsvRecord[] = [];
  let line = 1, lineStart = 0;
  let fields: string[] = [];
  let field = "";
  let quoted = false, inQuotes = false, begun = false, recLine = 0, recStart = 0;
  const endField = () => {
    fields.push(quoted ? field : field.replace(/^ +| +$/g, ""));
    if (fields.length > COLUMNS_MAX) throw new FileFault("import.err.columns", recLine, { max: COLUMNS_MAX });
    field = "";
    quoted = false;
  };
  const endRecord = () => {
    endField();
    records.push({ line: recLine, fields });
    fields = [];
    begun = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (!begun && c !== "\r" && c !== "\n") {
      begun = true;
      recLine = line;
      recStart = i;
    }
    // A line ends at LF, at CRLF (counted at its LF) and at a CR alone.
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) {
      if (i - lineStart > LINE_MAX) throw new FileFault("import.err.line", line, { max: LINE_MAX });
      line++;
      lineStart = i + 1;
    }
    // A NUL is no text (UTF-16 without its mark, a binary file): the CLI
    // refuses it too, rather than keep or cut a name there.
    if (c === "\0") throw new FileFault("import.err.nul", line);
    if (i - lineStart > LINE_MAX) throw new FileFault("import.err.line", line, { max: LINE_MAX });
    if (begun && i - recStart > LINE_MAX) throw new FileFault("import.err.record", recLine, { max: LINE_MAX });
    if (!begun) continue;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c === '"' && !field.trim()) {
      field = "";
      quoted = inQuotes = true;
    } else if (c === delim) {
      endField();
    } else if (c === "\r" || c === "\n") {
      endRecord();
    } else {
      field += c;
    }
  }
  if (text.length - lineStart > LINE_MAX) throw new FileFault("import.err.line", line, { max: LINE_MAX });
  if (inQuotes) throw new FileFault("import.err.quote", recLine);
  if (begun) endRecord();
  if (!records.length) throw new FileFault("import.err.empty", 0);
  const [head, ...rest] = records;
  return {
    delim,
    header: head.fields,
    records: rest.filter((r) => r.fields.some((f) => f !== "")),
  };
}

// ---------------------------------------------------------------- columns

/** Folded: lower case, no accents (as utf8proc's fold for Latin text). */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

const WORDS: Record<string, Field> = {};
for (const [f, ws] of Object.entries({
  name: "name fullname firstname customer customername client contact contactname nombre nombrecompleto " +
    "nombreyapellidos cliente contacto socio",
  surname: "surname lastname familyname apellido apellidos",
  phone: "phone phonenumber telephone tel mobile mobilephone cellphone telefono movil telefonomovil celular",
  email: "email emailaddress mail correo correoelectronico correoe",
  consultant: "consultant consultor consultora operator operador operadora asesor asesora",
})) for (const w of ws.split(" ")) WORDS[w] = f as Field;

export function fieldOfHeader(h: string): Field {
  return WORDS[fold(h).replace(/[^\p{L}\p{N}]/gu, "")] ?? "ignore";
}

/** Each column's field by its header; a second column of one field is left out (the first wins). */
export function autoMap(header: readonly string[]): Field[] {
  const taken = new Set<Field>();
  return header.map((h) => {
    const f = fieldOfHeader(h);
    if (f === "ignore" || taken.has(f)) return "ignore";
    taken.add(f);
    return f;
  });
}

export interface RowDraft {
  line: number;
  name?: string;
  phone?: string;
  email?: string;
  consultant?: string;
  /** A fault of the file's own (more fields than columns, a twin in the file). */
  bad?: { key: string; params?: Record<string, string | number> };
}

export function mapRecord(r: CsvRecord, map: readonly Field[]): RowDraft {
  const v: Partial<Record<Field, string>> = {};
  const d: RowDraft = { line: r.line };
  r.fields.forEach((f, i) => {
    if (i >= map.length) {
      if (f && !d.bad) d.bad = { key: "import.err.fields" };
      return;
    }
    if (map[i] !== "ignore" && f) v[map[i]] = f;
  });
  d.name = v.surname ? [v.name, v.surname].filter(Boolean).join(" ") : v.name;
  d.phone = v.phone;
  d.email = v.email;
  d.consultant = v.consultant;
  return d;
}

// ---------------------------------------------------------------- twins

function keys(d: RowDraft): [string, string][] {
  const out: [string, string][] = [];
  const email = d.email?.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
  const phone = d.phone?.replace(/[^0-9]/g, "");
  if (email) out.push(["e" + email, "email"]);
  if (phone) out.push(["p" + phone, "phone"]);
  if (!out.length && d.name?.trim()) out.push(["n" + fold(d.name.trim()), "name"]);
  return out;
}

/** Marks rows that are the same person as an earlier row of the file. */
export class Seen {
  private lines = new Map<string, number>();
  check(d: RowDraft): void {
    const ks = keys(d);
    for (const [k, what] of ks) {
      const first = this.lines.get(k);
      if (first !== undefined) {
        d.bad = { key: `import.err.twin.${what}`, params: { line: first } };
        return;
      }
    }
    for (const [k] of ks) this.lines.set(k, d.line);
  }
}

export function toRow(d: RowDraft): ImportRow {
  return create(ImportRowSchema, {
    line: d.line, name: d.name, phone: d.phone, email: d.email, consultant: d.consultant,
  });
}

/** A row's bytes in the request (its field tag and length prefix included). */
function rowBytes(d: RowDraft): number {
  return toBinary(ImportRowSchema, toRow(d)).length + 4;
}

// ---------------------------------------------------------------- the server's reasons

const FIELD_WORD: Partial<Record<ImportField, "name" | "phone" | "email" | "consultant">> = {
  [ImportField.NAME]: "name",
  [ImportField.PHONE]: "phone",
  [ImportField.EMAIL]: "email",
  [ImportField.CONSULTANT]: "consultant",
};

/**
 * The page's words (a key of ui/settings/import-words.ts and its
 * parameters) for the server's reason a row was refused or is a duplicate,
 * from its code and details; undefined for a code or field this page does
 * not know (a newer server's) or none (an older server): the page then
 * shows the server's own `reason`, in English. The same meaning as a
 * reason found here (twins in the file) has the same key.
 */
export function serverReason(o: ImportOutcome): RowDraft["bad"] {
  const f = FIELD_WORD[o.field];
  const key = (k: string) => (f ? `import.why.${k}.${f}` : undefined);
  let k: string | undefined;
  let params: Record<string, string | number> | undefined;
  switch (o.reasonCode) {
    case ImportReason.MISSING_NAME: k = "import.why.noName"; break;
    case ImportReason.BAD_UTF8: k = key("utf8"); break;
    case ImportReason.CONTROL_CHARACTERS: k = key("control"); break;
    case ImportReason.TOO_LONG:
      k = key(o.limit ? "long" : "tooLong");
      params = o.limit ? { max: o.limit } : undefined;
      break;
    case ImportReason.BAD_EMAIL: k = "import.why.email"; params = { value: o.value }; break;
    case ImportReason.BAD_PHONE: k = "import.why.phone"; params = { value: o.value }; break;
    case ImportReason.UNKNOWN_CONSULTANT: k = "import.why.unknown"; params = { value: o.value }; break;
    case ImportReason.INACTIVE_CONSULTANT: k = "import.why.inactive"; params = { value: o.value }; break;
    case ImportReason.AMBIGUOUS_CONSULTANT: k = "import.why.ambiguous"; params = { value: o.value }; break;
    case ImportReason.SAME_AS_LINE:
      k = f && f !== "consultant" && o.sameLine ? `import.err.twin.${f}` : undefined;
      params = { line: o.sameLine };
      break;
    case ImportReason.SAME_AS_CUSTOMER:
      // With the stored customer's name when the server sent one (an older
      // server, or a name it could not show: the id alone).
      k = f && f !== "consultant" && o.customerId
        ? `import.why.${o.customerName ? "customerNamed" : "customer"}.${f}` : undefined;
      params = o.customerName ? { id: String(o.customerId), name: o.customerName } : { id: String(o.customerId) };
      break;
    default: k = undefined;
  }
  return k ? (params ? { key: k, params } : { key: k }) : undefined;
}

// ---------------------------------------------------------------- running

export interface Outcome {
  line: number;
  status: "added" | "duplicate" | "bad";
  reason: string;
  reasonKey?: RowDraft["bad"];
  customerId: bigint;
}

export interface Tally {
  rows: number;
  added: number;
  duplicates: number;
  bad: number;
  revision: bigint;
  /** Bad rows (and duplicates when `keepDuplicates`), in line order. */
  outcomes: Outcome[];
}

export type SendBatch = (rows: ImportRow[], dryRun: boolean) => Promise<ImportReply>;

/**
 * Checks (dry run) or imports the rows in batches; `progress` after each.
 * A row the file itself refuses is not sent. Rejects with the server's
 * refusal of a whole batch (rights, a lost connection): what went before
 * stays imported, and running the same file again adds the rest.
 */
export async function runImport(drafts: readonly RowDraft[], dryRun: boolean, send: SendBatch,
  progress: (done: number) => void, o: { batch?: number; bytes?: number; stop?: () => boolean } = {}): Promise<Tally> {
  const batch = Math.min(Math.max(o.batch ?? BATCH_MAX, 1), BATCH_MAX);
  const budget = Math.max(1024, o.bytes ?? BATCH_BYTES) - REQUEST_OVERHEAD;
  const rowMax = Math.min(ROW_BYTES_MAX, budget);
  let pendingBytes = 0;
  const t: Tally = { rows: 0, added: 0, duplicates: 0, bad: 0, revision: 0n, outcomes: [] };
  const seen = new Seen();
  let pending: RowDraft[] = [];
  const flush = async () => {
    if (!pending.length) return;
    const rep = await send(pending.map(toRow), dryRun);
    for (const r of rep.rows) {
      const o: Outcome = { line: r.line, status: "added", reason: r.reason, customerId: r.customerId };
      if (r.status !== ImportStatus.IMPORT_ADDED) o.reasonKey = serverReason(r);
      if (r.status === ImportStatus.IMPORT_ADDED) t.added++;
      else if (r.status === ImportStatus.IMPORT_DUPLICATE) {
        t.duplicates++;
        o.status = "duplicate";
      } else {
        t.bad++;
        o.status = "bad";
      }
      if (o.status !== "added") t.outcomes.push(o);
    }
    if (rep.revision > t.revision) t.revision = rep.revision;
    pending = [];
    pendingBytes = 0;
  };
  for (const d0 of drafts) {
    if (o.stop?.()) break;
    const d = { ...d0 };
    t.rows++;
    if (!d.bad) seen.check(d);
    const size = d.bad ? 0 : rowBytes(d);
    if (!d.bad && size > rowMax)
      d.bad = { key: "import.err.long", params: { kib: Math.ceil(size / 1024), max: Math.floor(rowMax / 1024) } };
    if (d.bad) {
      t.bad++;
      t.outcomes.push({ line: d.line, status: "bad", reason: "", reasonKey: d.bad, customerId: 0n });
    } else {
      if (pending.length && pendingBytes + size > budget) {
        await flush();
        progress(t.rows - 1);
      }
      pending.push(d);
      pendingBytes += size;
      if (pending.length >= batch) {
        await flush();
        progress(t.rows);
      }
    }
  }
  if (!o.stop?.()) await flush();
  progress(t.rows);
  t.outcomes.sort((a, b) => a.line - b.line);
  return t;
}
