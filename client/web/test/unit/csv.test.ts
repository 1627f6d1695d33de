// The desk's CSV (src/lib/csv.ts): RFC 4180 quoting case by case as
// tests/unit/test_cli_csv.c checks the CLI's, and the task and customer
// records with the CLI's `task export` / `customer export` columns.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { CustomerSchema, Outcome, TaskKind, TaskRowSchema, TaskSchema, TaskStatus } from "../../src/gen/clubcrm_pb.js";
import {
  BOM, CUSTOMER_HEAD, TASK_HEAD, csvFileName, csvRecord, csvTime, customerRecord, isFormula, needsQuotes, taskRecord,
} from "../../src/lib/csv.js";

const REC = (...f: (string | null | undefined)[]) => csvRecord(f);
const Z = "Europe/Madrid";

test("plain fields", () => {
  assert.equal(REC("a", "b c", "12"), "a,b c,12\r\n");
  assert.equal(REC("only"), "only\r\n");
  assert.equal(needsQuotes("plain text; with: punctuation"), false);
});

test("empty and absent fields", () => {
  assert.equal(REC("", "x", null), ",x,\r\n");
  assert.equal(REC(undefined), "\r\n");
  assert.equal(needsQuotes(""), false);
  assert.equal(needsQuotes(null), false);
});

test("commas quoted", () => {
  assert.equal(REC("Tennis, Padel", "x"), '"Tennis, Padel",x\r\n');
  assert.equal(REC(","), '","\r\n');
});

test("quotes doubled", () => {
  assert.equal(REC('say "hi"'), '"say ""hi"""\r\n');
  assert.equal(REC('"'), '""""\r\n');
  assert.equal(REC('""', "a"), '"""""",a\r\n');
});

test("line breaks quoted", () => {
  assert.equal(REC("two\nlines", "cr\rhere", "both\r\nends"), '"two\nlines","cr\rhere","both\r\nends"\r\n');
  assert.equal(needsQuotes("\n"), true);
});

// The CLI's rule (tests/unit/test_csv_writer.c test_formulas_defused), byte for byte.
test("formulas defused, phones and numbers kept", () => {
  assert.equal(REC("=1+2", "@SUM(A1)", "ok"), "'=1+2,'@SUM(A1),ok\r\n");
  assert.equal(REC('=HYPERLINK("http://x","a")'), '"\'=HYPERLINK(""http://x"",""a"")"\r\n');
  assert.equal(REC("+cmd|' /C calc'!A0", "-2+3+cmd"), "'+cmd|' /C calc'!A0,'-2+3+cmd\r\n");
  assert.equal(REC("\tx", "\rx"), "'\tx,\"'\rx\"\r\n");
  assert.equal(REC("+34 600 123 456", "+34 (91) 555-01.02", "-5", "-1,5", "+", "-", "a=b"),
    '+34 600 123 456,+34 (91) 555-01.02,-5,"-1,5",+,-,a=b\r\n');
  assert.equal(isFormula("=x"), true);
  assert.equal(isFormula("+34 600"), false);
  assert.equal(isFormula(""), false);
  assert.equal(isFormula(null), false);
});

test("UTF-8 unchanged", () => {
  assert.equal(REC("Lucía Fernández", "龍", "🎾"), "Lucía Fernández,龍,🎾\r\n");
  assert.equal(REC("Muñoz, José"), '"Muñoz, José"\r\n');
  assert.equal(BOM, "\uFEFF");
  assert.deepEqual([...new TextEncoder().encode(BOM)], [0xef, 0xbb, 0xbf]);
});

test("spaces kept", () => {
  assert.equal(REC("  padded  ", " "), "  padded  , \r\n");
});

test("times in the club's zone, to the minute; none is empty", () => {
  assert.equal(csvTime(Date.UTC(2026, 11, 8, 9, 0, 59) / 1000, Z), "2026-12-08 10:00");
  assert.equal(csvTime(BigInt(Date.UTC(2026, 6, 1, 22, 30) / 1000), Z), "2026-07-02 00:30");
  assert.equal(csvTime(0, Z), "");
  assert.equal(csvFileName("tasks", Date.UTC(2026, 11, 6, 23, 30) / 1000, Z), "clubcrm-tasks-2026-12-07.csv");
});

test("a task's record: the CLI's columns and names", () => {
  assert.equal(csvRecord(TASK_HEAD), "ID,Kind,Planned,Created,Operator,Creator,Type,Customer,Status,Result," +
    "Outcome,Taken by,Tags,Description,Closing note\r\n");
  const row = create(TaskRowSchema, {
    task: create(TaskSchema, { id: 12n, kind: TaskKind.TASK, plannedAt: BigInt(Date.UTC(2026, 11, 8, 9) / 1000),
      createdAt: BigInt(Date.UTC(2026, 11, 7, 6, 27) / 1000), status: TaskStatus.DONE, takenBy: 3n,
      description: 'Wants "the" discount,\nnow', closingNote: "Signed" }),
    operatorName: "Valentina", operatorLogin: "valentina", creatorName: "", creatorLogin: "alicia",
    typeName: "Call", customerName: "Arantxa Etxeberria", resultName: "Positive", outcome: Outcome.POSITIVE,
    takenByName: "", takenByLogin: "deborah", tagNames: ["Tennis", "VIP"],
  });
  assert.equal(taskRecord(row, Z), '12,task,2026-12-08 10:00,2026-12-07 07:27,Valentina,alicia,Call,' +
    'Arantxa Etxeberria,done,Positive,positive,deborah,"Tennis, VIP","Wants ""the"" discount,\nnow",Signed\r\n');
  // A note, nobody took it (no login: not shown), no result, no outcome.
  const note = create(TaskRowSchema, {
    task: create(TaskSchema, { id: 5n, kind: TaskKind.NOTE, status: TaskStatus.PLANNED, takenBy: 9n,
      description: "Lucía" }),
    operatorLogin: "maribel", creatorLogin: "maribel", typeName: "Call", customerName: "Lucía Fernández",
  });
  assert.equal(taskRecord(note, Z), "5,note,,,maribel,maribel,Call,Lucía Fernández,planned,,,,,Lucía,\r\n");
  // Other outcomes and statuses.
  const r3 = create(TaskRowSchema, { task: create(TaskSchema, { id: 6n, status: TaskStatus.CANCELLED }),
    outcome: Outcome.UNKNOWN });
  assert.equal(taskRecord(r3, Z), "6,task,,,,,,,cancelled,,unknown,,,,\r\n");
  assert.equal(taskRecord(create(TaskRowSchema, { outcome: Outcome.NEGATIVE }), Z), "0,task,,,,,,,-,,negative,,,,\r\n");
});

test("a customer's record", () => {
  assert.equal(csvRecord(CUSTOMER_HEAD), "ID,Name,Phone,E-mail,Consultant,Created\r\n");
  const c = create(CustomerSchema, { id: 4n, name: "Muñoz, José", phone: "+34 600 000 000", email: "j@example.org",
    createdAt: BigInt(Date.UTC(2026, 11, 7, 6, 27) / 1000) });
  assert.equal(customerRecord(c, "Alicia", Z), '4,"Muñoz, José",+34 600 000 000,j@example.org,Alicia,2026-12-07 07:27\r\n');
  assert.equal(customerRecord(create(CustomerSchema, { id: 9n, name: "X" }), "", Z), "9,X,,,,\r\n");
});
