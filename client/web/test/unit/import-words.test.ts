// The Import customers page's counts in English and Spanish: 1 reads
// singular, 0 and 2 or more plural, in every sentence of the page (the
// dry run's summary, the Import button, the result, a stopped import, the
// notice, the progress); and tn()/t() themselves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setLang, t, tn } from "../../src/i18n.js";
import { importDone, importStopped, importSummary } from "../../src/ui/settings/import-words.js";

const counts = (added: number, duplicates: number, bad: number, rows = added + duplicates + bad) =>
  ({ rows, added, duplicates, bad });

test("the dry run's summary: each count singular or plural", () => {
  setLang("en");
  assert.equal(importSummary(counts(1, 1, 1)), "1 new, 1 duplicate skipped, 1 bad");
  assert.equal(importSummary(counts(3, 2, 0)), "3 new, 2 duplicates skipped, 0 bad");
  assert.equal(importSummary(counts(0, 4, 3)), "0 new, 4 duplicates skipped, 3 bad");
  setLang("es");
  assert.equal(importSummary(counts(1, 1, 1)), "1 nuevo, 1 duplicado omitido, 1 incorrecto");
  assert.equal(importSummary(counts(1, 1, 3)), "1 nuevo, 1 duplicado omitido, 3 incorrectos");
  assert.equal(importSummary(counts(0, 4, 2)), "0 nuevos, 4 duplicados omitidos, 2 incorrectos");
});

test("the Import button", () => {
  setLang("en");
  assert.equal(tn("import.run", 1), "Import 1 customer");
  assert.equal(tn("import.run", 2), "Import 2 customers");
  assert.equal(tn("import.run", 1500), "Import 1500 customers");
  setLang("es");
  assert.equal(tn("import.run", 1), "Importar 1 cliente");
  assert.equal(tn("import.run", 3), "Importar 3 clientes");
});

test("an import done, stopped, and its notice", () => {
  setLang("en");
  assert.equal(importDone(counts(1, 1, 1)), "Imported 1 new customer, 1 duplicate skipped, 1 bad row skipped");
  assert.equal(importDone(counts(3, 0, 2)), "Imported 3 new customers, 0 duplicates skipped, 2 bad rows skipped");
  assert.equal(importStopped(counts(1, 0, 0, 1)),
    "Stopped: 1 customer added (1 row read). Import the same file again to add the rest.");
  assert.equal(importStopped(counts(500, 0, 0, 501)),
    "Stopped: 500 customers added (501 rows read). Import the same file again to add the rest.");
  assert.equal(tn("import.notify", 1), "1 customer imported");
  assert.equal(tn("import.notify", 0), "0 customers imported");
  setLang("es");
  assert.equal(importDone(counts(1, 1, 1)),
    "Importación terminada: 1 cliente nuevo, 1 duplicado omitido, 1 fila incorrecta omitida");
  assert.equal(importDone(counts(2, 0, 5)),
    "Importación terminada: 2 clientes nuevos, 0 duplicados omitidos, 5 filas incorrectas omitidas");
  assert.equal(importStopped(counts(1, 0, 0, 1)),
    "Detenido: 1 cliente añadido (1 fila leída). Importe otra vez el mismo archivo para añadir el resto.");
  assert.equal(importStopped(counts(0, 0, 0, 2)),
    "Detenido: 0 clientes añadidos (2 filas leídas). Importe otra vez el mismo archivo para añadir el resto.");
  assert.equal(tn("import.notify", 1), "1 cliente importado");
  assert.equal(tn("import.notify", 7), "7 clientes importados");
});

test("the file's rows, the check's and the import's progress", () => {
  setLang("en");
  assert.equal(tn("import.columns", 1, { name: "a.csv", delim: ";" }), "a.csv: 1 row, separated by “;”");
  assert.equal(tn("import.columns", 2, { name: "a.csv", delim: ";" }), "a.csv: 2 rows, separated by “;”");
  assert.equal(tn("import.checking", 1, { rows: 0 }), "Checking… 0 of 1 row");
  assert.equal(tn("import.progress", 1, { done: 1, rate: 5, left: tn("import.left", 0) }),
    "1 of 1 row · 5 rows/s · 0 s left");
  setLang("es");
  assert.equal(tn("import.columns", 1, { name: "a.csv", delim: ";" }), "a.csv: 1 fila, separada por «;»");
  assert.equal(tn("import.columns", 9, { name: "a.csv", delim: ";" }), "a.csv: 9 filas, separadas por «;»");
  assert.equal(tn("import.checking", 1, { rows: 1 }), "Comprobando… 1 de 1 fila");
  assert.equal(tn("import.checking", 600, { rows: 500 }), "Comprobando… 500 de 600 filas");
  assert.equal(tn("import.progress", 600, { done: 500, rate: 80, left: tn("import.left", 1) }),
    "500 de 600 filas · 80 filas/s · queda 1 s");
  assert.equal(tn("import.left", 2), "quedan 2 s");
});

test("every count of the page has both forms in both languages", () => {
  const keys = ["import.run", "import.notify", "import.columns", "import.checking", "import.progress", "import.left",
    "import.n.new", "import.n.dups", "import.n.bad", "import.n.added", "import.n.read", "import.n.newCustomers",
    "import.n.badSkipped"];
  for (const lang of ["en", "es"] as const) {
    setLang(lang);
    for (const k of keys)
      for (const form of ["one", "other"]) {
        const s = t(`${k}.${form}`, { n: 1, rows: 1, name: "f", delim: ",", done: 1, rate: 1, left: "x" });
        assert.notEqual(s, `${k}.${form}`, `${k}.${form} in ${lang}`);
        assert.doesNotMatch(s, /\{\w+\}/, `${k}.${form} in ${lang}: every parameter given`);
      }
  }
});

test("t() replaces each parameter once: a value is never read as another", () => {
  setLang("en");
  assert.equal(t("import.atLine", { line: 3, what: "{line} {what}" }), "line 3: {line} {what}");
  assert.equal(t("import.atLine", { what: "x" }), "line {line}: x", "a parameter not given stays");
  assert.equal(tn("import.run", 1, { n: 99 }), "Import 1 customer", "the count wins over a parameter n");
});
