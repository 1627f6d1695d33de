// The server's reasons for a refused or duplicate import row (ImportOutcome's
// reason_code and details) in the page's words, English and Spanish: every
// code of the proto's ImportReason is worded (a new one fails here until it
// is), the English says what the server's own sentence says (the CLI's), and
// a code or field this page does not know falls back to the server's text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import {
  ImportField, ImportOutcomeSchema, ImportReason, ImportReplySchema, ImportStatus, type ImportOutcome,
} from "../../src/gen/clubcrm_pb.js";
import { runImport, serverReason } from "../../src/lib/import.js";
import { setLang, t } from "../../src/i18n.js";
import "../../src/ui/settings/import-words.js";

type Init = Partial<Pick<ImportOutcome, "field" | "value" | "sameLine" | "limit" | "customerId" | "customerName" | "status">>;

function outcome(code: ImportReason, o: Init = {}): ImportOutcome {
  return create(ImportOutcomeSchema, { line: 7, status: ImportStatus.IMPORT_REFUSED, reason: "the server's text",
    reasonCode: code, ...o });
}

function say(lang: "en" | "es", o: ImportOutcome): string {
  const why = serverReason(o);
  assert.ok(why, `code ${o.reasonCode} field ${o.field} is worded`);
  setLang(lang);
  const s = t(why.key, why.params);
  assert.notEqual(s, why.key, `${why.key} has words in ${lang}`);
  assert.doesNotMatch(s, /\{\w+\}/, `${why.key}: every parameter given in ${lang}`);
  return s;
}

const F = ImportField;
const DUP = ImportStatus.IMPORT_DUPLICATE;

/** [code, details, English (the server's own sentence), Spanish] */
const CASES: [ImportReason, Init, string, string][] = [
  [ImportReason.MISSING_NAME, { field: F.NAME }, "missing name", "falta el nombre"],
  [ImportReason.BAD_UTF8, { field: F.NAME }, "name is not valid UTF-8", "el nombre no es UTF-8 válido"],
  [ImportReason.BAD_UTF8, { field: F.PHONE }, "phone is not valid UTF-8", "el teléfono no es UTF-8 válido"],
  [ImportReason.BAD_UTF8, { field: F.EMAIL }, "e-mail is not valid UTF-8", "el correo no es UTF-8 válido"],
  [ImportReason.BAD_UTF8, { field: F.CONSULTANT }, "consultant is not valid UTF-8",
    "el consultor no es UTF-8 válido"],
  [ImportReason.CONTROL_CHARACTERS, { field: F.NAME }, "name has control characters or a line break",
    "el nombre tiene caracteres de control o un salto de línea"],
  [ImportReason.CONTROL_CHARACTERS, { field: F.PHONE }, "phone has control characters or a line break",
    "el teléfono tiene caracteres de control o un salto de línea"],
  [ImportReason.CONTROL_CHARACTERS, { field: F.EMAIL }, "e-mail has control characters or a line break",
    "el correo tiene caracteres de control o un salto de línea"],
  [ImportReason.CONTROL_CHARACTERS, { field: F.CONSULTANT }, "consultant has control characters or a line break",
    "el consultor tiene caracteres de control o un salto de línea"],
  [ImportReason.TOO_LONG, { field: F.NAME, limit: 200 }, "name is longer than 200 characters",
    "el nombre tiene más de 200 caracteres"],
  [ImportReason.TOO_LONG, { field: F.PHONE, limit: 64 }, "phone is longer than 64 characters",
    "el teléfono tiene más de 64 caracteres"],
  [ImportReason.TOO_LONG, { field: F.EMAIL, limit: 254 }, "e-mail is longer than 254 characters",
    "el correo tiene más de 254 caracteres"],
  [ImportReason.TOO_LONG, { field: F.CONSULTANT, limit: 100 }, "consultant is longer than 100 characters",
    "el consultor tiene más de 100 caracteres"],
  [ImportReason.TOO_LONG, { field: F.EMAIL }, "e-mail too long", "el correo es demasiado largo"],
  [ImportReason.TOO_LONG, { field: F.NAME }, "name too long", "el nombre es demasiado largo"],
  [ImportReason.BAD_EMAIL, { field: F.EMAIL, value: "juan@" }, "bad e-mail 'juan@'", "correo incorrecto «juan@»"],
  [ImportReason.BAD_PHONE, { field: F.PHONE, value: "llámame" },
    "bad phone 'llámame' (3 to 20 digits, with spaces and + - . ( ) /)",
    "teléfono incorrecto «llámame» (de 3 a 20 cifras, con espacios y + - . ( ) /)"],
  [ImportReason.UNKNOWN_CONSULTANT, { field: F.CONSULTANT, value: "nadie" }, "unknown consultant 'nadie'",
    "consultor desconocido «nadie»"],
  [ImportReason.INACTIVE_CONSULTANT, { field: F.CONSULTANT, value: "carl" }, "consultant carl is inactive",
    "el consultor carl está inactivo"],
  [ImportReason.AMBIGUOUS_CONSULTANT, { field: F.CONSULTANT, value: "Dani Ruiz" },
    "consultant 'Dani Ruiz' is ambiguous: give the login", "varios operadores se llaman «Dani Ruiz»: indique el usuario"],
  [ImportReason.SAME_AS_LINE, { field: F.EMAIL, sameLine: 8 }, "same e-mail as line 8", "mismo correo que la línea 8"],
  [ImportReason.SAME_AS_LINE, { field: F.PHONE, sameLine: 8 }, "same phone as line 8", "mismo teléfono que la línea 8"],
  [ImportReason.SAME_AS_LINE, { field: F.NAME, sameLine: 8 }, "same name as line 8", "mismo nombre que la línea 8"],
  [ImportReason.SAME_AS_CUSTOMER, { field: F.EMAIL, customerId: 12n, status: DUP }, "same e-mail as customer 12",
    "mismo correo que el cliente 12"],
  [ImportReason.SAME_AS_CUSTOMER, { field: F.PHONE, customerId: 12n, status: DUP }, "same phone as customer 12",
    "mismo teléfono que el cliente 12"],
  [ImportReason.SAME_AS_CUSTOMER, { field: F.NAME, customerId: 12n, status: DUP }, "same name as customer 12",
    "mismo nombre que el cliente 12"],
  // The stored customer's name when the server sends it (its sentence the same).
  [ImportReason.SAME_AS_CUSTOMER, { field: F.PHONE, customerId: 1n, customerName: "Arantxa Etxeberria", status: DUP },
    "same phone as Arantxa Etxeberria (customer 1)", "mismo teléfono que Arantxa Etxeberria (cliente 1)"],
  [ImportReason.SAME_AS_CUSTOMER, { field: F.EMAIL, customerId: 12n, customerName: "Iñaki Goikoetxea", status: DUP },
    "same e-mail as Iñaki Goikoetxea (customer 12)", "mismo correo que Iñaki Goikoetxea (cliente 12)"],
  [ImportReason.SAME_AS_CUSTOMER, { field: F.NAME, customerId: 12n, customerName: "Lone Name", status: DUP },
    "same name as Lone Name (customer 12)", "mismo nombre que Lone Name (cliente 12)"],
];

test("every code the server sends is worded in English and Spanish", () => {
  for (const [code, init, en, es] of CASES) {
    const o = outcome(code, init);
    assert.equal(say("en", o), en);
    assert.equal(say("es", o), es);
  }
  const codes = Object.values(ImportReason).filter((v): v is ImportReason => typeof v === "number");
  for (const code of codes)
    if (code !== ImportReason.UNSPECIFIED)
      assert.ok(CASES.some(([c]) => c === code), `ImportReason ${ImportReason[code]} has a case here`);
});

test("a value is shown as given, never read as the page's words", () => {
  const o = outcome(ImportReason.UNKNOWN_CONSULTANT, { field: F.CONSULTANT, value: "{line} <b>x</b> import.why.email" });
  const why = serverReason(o)!;
  setLang("es");
  assert.equal(t(why.key, why.params), "consultor desconocido «{line} <b>x</b> import.why.email»");
});

test("a customer's name is shown as given: braces, markup and keys stay text", () => {
  for (const name of ["{id} <b>x</b>", "{name}{line}", "import.why.email"]) {
    const o = outcome(ImportReason.SAME_AS_CUSTOMER, { field: F.PHONE, customerId: 4n, customerName: name, status: DUP });
    const why = serverReason(o)!;
    setLang("es");
    assert.equal(t(why.key, why.params), `mismo teléfono que ${name} (cliente 4)`);
    setLang("en");
    const line = t("import.atLine", { line: 5, what: t(why.key, why.params) });
    assert.equal(line, `line 5: same phone as ${name} (customer 4)`);
  }
});

test("no code, a newer server's code or field, or details missing: the server's own text", () => {
  assert.equal(serverReason(outcome(ImportReason.UNSPECIFIED)), undefined, "an older server");
  assert.equal(serverReason(outcome(99 as ImportReason, { field: F.NAME })), undefined, "a newer server's code");
  assert.equal(serverReason(outcome(ImportReason.BAD_UTF8, { field: 9 as ImportField })), undefined, "a newer field");
  assert.equal(serverReason(outcome(ImportReason.BAD_UTF8)), undefined, "no field");
  assert.equal(serverReason(outcome(ImportReason.SAME_AS_LINE, { field: F.EMAIL })), undefined, "no line");
  assert.equal(serverReason(outcome(ImportReason.SAME_AS_LINE, { field: F.CONSULTANT, sameLine: 3 })), undefined);
  assert.equal(serverReason(outcome(ImportReason.SAME_AS_CUSTOMER, { field: F.PHONE, status: DUP })), undefined,
    "no customer");
});

test("runImport: the server's rows keep their text and get the page's words; added rows none", async () => {
  const rows = [
    outcome(ImportReason.UNKNOWN_CONSULTANT, { field: F.CONSULTANT, value: "nadie" }),
    outcome(ImportReason.SAME_AS_CUSTOMER, { field: F.PHONE, customerId: 5n, status: DUP }),
    outcome(77 as ImportReason, {}),
    outcome(ImportReason.SAME_AS_CUSTOMER, { field: F.EMAIL, customerId: 6n, customerName: "Rosa", status: DUP }),
    create(ImportOutcomeSchema, { status: ImportStatus.IMPORT_ADDED, customerId: 9n }),
  ];
  rows.forEach((r, i) => (r.line = i + 2));
  const tally = await runImport([2, 3, 4, 5, 6].map((line) => ({ line, name: `Row ${line}`, phone: `600 000 00${line}` })),
    true, async () => create(ImportReplySchema, { rows, revision: 3n }), () => {});
  assert.deepEqual(tally.outcomes.map((o) => [o.line, o.status, o.reason, o.reasonKey]), [
    [2, "bad", "the server's text", { key: "import.why.unknown", params: { value: "nadie" } }],
    [3, "duplicate", "the server's text", { key: "import.why.customer.phone", params: { id: "5" } }],
    [4, "bad", "the server's text", undefined],
    [5, "duplicate", "the server's text", { key: "import.why.customerNamed.email", params: { id: "6", name: "Rosa" } }],
  ]);
  assert.equal(tally.added, 1);
});
