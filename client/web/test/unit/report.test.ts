// The reports' files (src/lib/report.ts): each section's CSV with the
// CLI's columns (client/cli/cli_cmd_report.c), RFC 4180 quoting, the CLI's
// durations, the picker's day arithmetic and the file names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ReportSchema } from "../../src/gen/clubcrm_pb.js";
import { ALL_PRIORITY, duration, reportFileName, sectionCsv, shiftDate } from "../../src/lib/report.js";

const rep = create(ReportSchema, {
  fromDate: "2026-12-01", toDate: "2027-01-01", timeZone: "Europe/Madrid", revision: 42n,
  counts: [{ operatorId: 4n, operatorName: 'Ruiz, "Pepe"', typeId: 1n, typeName: "Call", created: 3, done: 2,
    cancelled: 1 }],
  outcomes: [{ typeId: 6n, typeName: "Objection", positive: 1, negative: 0, unknown: 5 }],
  response: [
    { typeId: 6n, typeName: "Objection", taken: 3, takeMedian: 300n, takeP90: 1200n, done: 0 },
    { typeId: 0n, typeName: "", taken: 3, takeMedian: 300n, takeP90: 1200n, done: 0 },
  ],
  overdue: [{ date: "2026-12-01", judgedAt: 1n, overdue: 0 }, { date: "2026-12-02", judgedAt: 2n, overdue: 7 }],
});

test("each section's CSV: the CLI's header, quoting, CRLF", () => {
  assert.deepEqual(sectionCsv(rep, "created"),
    ["operator,type,created,done,cancelled\r\n", '"Ruiz, ""Pepe""",Call,3,2,1\r\n']);
  assert.deepEqual(sectionCsv(rep, "outcomes"), ["type,positive,negative,unknown\r\n", "Objection,1,0,5\r\n"]);
  assert.deepEqual(sectionCsv(rep, "response"), [
    "type,taken,take_median_seconds,take_p90_seconds,done,done_median_seconds,done_p90_seconds\r\n",
    "Objection,3,300,1200,0,,\r\n",
    `${ALL_PRIORITY},3,300,1200,0,,\r\n`,
  ]);
  assert.deepEqual(sectionCsv(rep, "overdue"), ["date,overdue\r\n", "2026-12-01,0\r\n", "2026-12-02,7\r\n"]);
});

test("durations as the CLI prints them", () => {
  assert.equal(duration(0n), "0s");
  assert.equal(duration(59), "59s");
  assert.equal(duration(60), "1m");
  assert.equal(duration(3599), "59m");
  assert.equal(duration(3600 + 5 * 60), "1h 05m");
  assert.equal(duration(86400 * 3 + 4 * 3600), "3d 04h");
});

test("day arithmetic across months, years and leap days; not a date", () => {
  assert.equal(shiftDate("2026-12-31", 1), "2027-01-01");
  assert.equal(shiftDate("2027-01-01", -1), "2026-12-31");
  assert.equal(shiftDate("2028-02-28", 1), "2028-02-29");
  assert.equal(shiftDate("2027-03-28", 1), "2027-03-29"); // a 23-hour day is still one day
  assert.equal(shiftDate("2027-02-29", 0), null);
  assert.equal(shiftDate("2027-2-01", 0), null);
  assert.equal(shiftDate("", 0), null);
});

test("a section's file names the days it covers", () => {
  assert.equal(reportFileName(rep, "overdue"), "clubcrm-report-overdue-2026-12-01-to-2026-12-31.csv");
});
