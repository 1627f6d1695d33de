// Customer files in the browser (src/lib/import.ts): the same reading as the
// CLI's (tests/unit/test_import_csv.c): BOM, CRLF, `;`, quotes and line
// breaks, bad UTF-8 and Windows-1252, a 10 MB line, an open quote, the
// header words, twins in the file, and the batches sent; CR-only line ends
// (Excel for Mac) and a NUL byte, as the CLI since its reader was fuzzed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  ImportCustomersSchema, ImportOutcomeSchema, ImportReplySchema, ImportStatus, type ImportRow,
} from "../../src/gen/clubcrm_pb.js";
import {
  FileFault, LINE_MAX, autoMap, decodeFile, fieldOfHeader, mapRecord, parseCsv, runImport,
} from "../../src/lib/import.js";

const enc = (s: string) => new TextEncoder().encode(s);

function fault(f: () => unknown, key: string, line: number): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof FileFault, String(e));
    assert.equal(e.key, key);
    assert.equal(e.line, line);
    return true;
  });
}

test("Spanish Excel: BOM, `;`, CRLF, quotes, a line break inside, blank lines", () => {
  const text = decodeFile(enc("\uFEFFNombre;Apellidos;Teléfono;Correo electrónico;Consultor/a;Notas\r\n" +
    'Arantxa;Etxeberria;600 111 222;arantxa@example.org;valentina;"Quiere clases; de tenis"\r\n' +
    "\r\n" +
    '"Lucía ""Lu""";Fernández;;;;"primera línea\r\nsegunda"\r\n' +
    ";;;;;\r\n" +
    "Manolo;García;;;;\r\n"), "utf-8");
  const f = parseCsv(text);
  assert.equal(f.delim, ";");
  assert.deepEqual(autoMap(f.header), ["name", "surname", "phone", "email", "consultant", "ignore"]);
  const rows = f.records.map((r) => mapRecord(r, autoMap(f.header)));
  assert.deepEqual(rows.map((r) => r.line), [2, 4, 7]);
  assert.equal(rows[0].name, "Arantxa Etxeberria");
  assert.equal(rows[0].email, "arantxa@example.org");
  assert.equal(rows[1].name, 'Lucía "Lu" Fernández');
  assert.equal(rows[1].phone, undefined);
  assert.equal(rows[2].name, "Manolo García");
});

test("comma, tab, no final line end, spaces trimmed outside quotes", () => {
  let f = parseCsv("name,email\n  Ana  , a@x.org\nBea,\" b@x.org \"");
  assert.equal(f.delim, ",");
  assert.deepEqual(f.records.map((r) => r.fields), [["Ana", "a@x.org"], ["Bea", " b@x.org "]]);
  f = parseCsv("E-mail\tFull name\tMobile\na@x.org\tAna\t600");
  assert.equal(f.delim, "\t");
  assert.deepEqual(autoMap(f.header), ["email", "name", "phone"]);
});

test("header words in both languages; the export's own columns", () => {
  for (const [h, want] of [["Nombre", "name"], ["NOMBRE COMPLETO", "name"], ["Teléfono móvil", "phone"],
    ["e-mail", "email"], ["Correo electrónico", "email"], ["Consultor(a)", "consultant"], ["Asesora", "consultant"],
    ["Notas", "ignore"], ["Etiquetas", "ignore"], ["ID", "ignore"]] as const)
    assert.equal(fieldOfHeader(h), want, h);
  assert.deepEqual(autoMap(["ID", "Name", "Phone", "E-mail", "Consultant", "Created"]),
    ["ignore", "name", "phone", "email", "consultant", "ignore"]);
  // A second phone column is left out: the first one wins.
  assert.deepEqual(autoMap(["Name", "Phone", "Mobile"]), ["name", "phone", "ignore"]);
});

test("more fields than columns is a bad row; fewer are empty", () => {
  const f = parseCsv("name,phone\nA,1,extra\nB,2,\nC\n");
  const rows = f.records.map((r) => mapRecord(r, autoMap(f.header)));
  assert.equal(rows[0].bad?.key, "import.err.fields");
  assert.equal(rows[1].bad, undefined);
  assert.equal(rows[2].name, "C");
  assert.equal(rows[2].phone, undefined);
});

test("bytes that are not UTF-8, by line; Windows-1252 declared", () => {
  const b = new Uint8Array([...enc("nombre,correo\nAna,a@x.org\nMar"), 0xed, ...enc("a,m@x.org\n")]);
  fault(() => decodeFile(b, "utf-8"), "import.err.utf8", 3);
  assert.equal(parseCsv(decodeFile(b, "windows-1252")).records[1].fields[0], "María");
  assert.equal(decodeFile(new Uint8Array([0x80]), "windows-1252"), "€");
  fault(() => decodeFile(new Uint8Array([...enc("a\nb\n"), 0x81]), "windows-1252"), "import.err.cp1252", 3);
  // Overlong and surrogate encodings are refused too.
  fault(() => decodeFile(new Uint8Array([...enc("name\n"), 0xc0, 0xaf]), "utf-8"), "import.err.utf8", 2);
  fault(() => decodeFile(new Uint8Array([...enc("name\n"), 0xed, 0xa0, 0x80]), "utf-8"), "import.err.utf8", 2);
});

test("a 10 MB line and a record left open are refused by line", () => {
  fault(() => parseCsv("name,notes\nAna,x\nBea," + "x".repeat(10 * 1024 * 1024) + "\n"), "import.err.line", 3);
  fault(() => parseCsv("name\n\"open\n" + "abcdefg\n".repeat(LINE_MAX / 8 + 8)), "import.err.record", 2);
  fault(() => parseCsv('name\nAna\n"Bea\n'), "import.err.quote", 3);
});

test("empty file, header only", () => {
  fault(() => parseCsv(""), "import.err.empty", 0);
  fault(() => parseCsv("\r\n\r\n"), "import.err.empty", 0);
  assert.deepEqual(parseCsv("name,email\r\n").records, []);
});

test("runImport: twins in the file refused here, batches sent, outcomes in line order", async () => {
  const f = parseCsv("name,email,phone\n" +
    "A,a@x.org,600 000 001\nB,b@x.org,\nC,A@X.ORG,\nD,,600-000-001\nE,,\nE,,\nF,f@x.org,\n");
  const drafts = f.records.map((r) => mapRecord(r, autoMap(f.header)));
  const sent: ImportRow[][] = [];
  const send = async (rows: ImportRow[], dry: boolean) => {
    assert.equal(dry, true);
    sent.push(rows);
    return create(ImportReplySchema, {
      revision: 9n,
      rows: rows.map((r) => create(ImportOutcomeSchema, {
        line: r.line,
        status: r.name === "F" ? ImportStatus.IMPORT_REFUSED : r.name === "B" ? ImportStatus.IMPORT_DUPLICATE
          : ImportStatus.IMPORT_ADDED,
        reason: r.name === "F" ? "unknown consultant 'x'" : r.name === "B" ? "same e-mail as customer 3" : "",
        customerId: r.name === "B" ? 3n : 0n,
      })),
    });
  };
  const done: number[] = [];
  const t = await runImport(drafts, true, send, (n) => done.push(n), { batch: 2 });
  assert.deepEqual(sent.map((b) => b.map((r) => r.line)), [[2, 3], [6, 8]]);
  assert.equal(t.rows, 7);
  assert.equal(t.added, 2);
  assert.equal(t.duplicates, 1);
  assert.equal(t.bad, 4);
  assert.equal(t.revision, 9n);
  assert.deepEqual(t.outcomes.map((o) => [o.line, o.status]),
    [[3, "duplicate"], [4, "bad"], [5, "bad"], [7, "bad"], [8, "bad"]]);
  assert.deepEqual(t.outcomes[1].reasonKey, { key: "import.err.twin.email", params: { line: 2 } });
  assert.deepEqual(t.outcomes[2].reasonKey, { key: "import.err.twin.phone", params: { line: 2 } });
  assert.deepEqual(t.outcomes[3].reasonKey, { key: "import.err.twin.name", params: { line: 6 } });
  assert.equal(t.outcomes[4].reason, "unknown consultant 'x'");
  assert.equal(done.at(-1), 7);
  // Stopped: nothing more is sent.
  sent.length = 0;
  let calls = 0;
  await runImport(drafts, true, send, () => {}, { batch: 2, stop: () => ++calls > 3 });
  assert.equal(sent.length, 1);
});

test("runImport: batches stay far below the server's frame limit, and a row too long for any is refused here", async () => {
  // 500 rows whose name column holds a long text (a notes column mapped as the name, say):
  // 500 x 3,000 bytes in one request would pass the server's 1 MiB frame and drop the connection.
  const long = "x".repeat(3000);
  const drafts = Array.from({ length: 500 }, (_, i) => ({ line: i + 2, name: `${long} ${i}` }));
  drafts.push({ line: 502, name: "y".repeat(LINE_MAX / 2) }); // one row bigger than any batch may be
  const sizes: number[] = [];
  let rowsSent = 0;
  const send = async (rows: ImportRow[]) => {
    sizes.push(toBinary(ImportCustomersSchema, create(ImportCustomersSchema, { rows, dryRun: true })).length);
    rowsSent += rows.length;
    return create(ImportReplySchema, {
      rows: rows.map((r) => create(ImportOutcomeSchema, { line: r.line, status: ImportStatus.IMPORT_REFUSED,
        reason: "name is longer than 200 characters" })),
    });
  };
  const t = await runImport(drafts, true, send, () => {});
  assert.equal(rowsSent, 500, "every row that fits was sent");
  assert.ok(sizes.length > 1, "in several requests");
  for (const n of sizes) assert.ok(n <= 256 * 1024, `a request of ${n} bytes`);
  assert.equal(t.rows, 501);
  assert.equal(t.bad, 501);
  const last = t.outcomes.at(-1)!;
  assert.equal(last.line, 502);
  assert.equal(last.reasonKey?.key, "import.err.long");
  // A smaller budget (a server started with a small --max-frame) is kept too.
  sizes.length = 0;
  await runImport(drafts.slice(0, 20), true, send, () => {}, { bytes: 8 * 1024 });
  for (const n of sizes) assert.ok(n <= 8 * 1024, `a request of ${n} bytes`);
});

test("a CR alone ends a line (Excel for Mac): lines, separator and size counted per line", () => {
  const f = parseCsv("name;phone\rAna;600\r\rBea;601\r");
  assert.equal(f.delim, ";");
  assert.deepEqual(f.header, ["name", "phone"]);
  assert.deepEqual(f.records.map((r) => [r.line, ...r.fields]), [[2, "Ana", "600"], [4, "Bea", "601"]]);
  // Mixed ends: CRLF counts once.
  assert.deepEqual(parseCsv("name\r\nAna\rBea\nCarla\r\n").records.map((r) => r.line), [2, 3, 4]);
  // Over 1 MiB in short CR-ended lines is a file, not one long line.
  const big = "name\r" + "Ana Pérez Gómez\r".repeat((LINE_MAX / 16) * 2);
  assert.equal(parseCsv(big).records.length, (LINE_MAX / 16) * 2);
  // A bad byte is placed on its own line.
  fault(() => decodeFile(new Uint8Array([...enc("name\rAna\r"), 0xc0, 0xaf]), "utf-8"), "import.err.utf8", 3);
});

test("a NUL byte is refused by line, not kept or cut (UTF-16 without its mark, a binary file)", () => {
  fault(() => parseCsv("name,phone\nAna,600\nBe\u0000a,601\n"), "import.err.nul", 3);
  fault(() => parseCsv("n\u0000a\u0000m\u0000e\u0000\n"), "import.err.nul", 1);
});
