// The console's counts: waiting / taken / escalated per operator and team,
// and how long a row has waited.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { OperatorSchema, TaskRowSchema, TeamSchema } from "../../src/gen/clubcrm_pb.js";
import { duration, perOperator, perTeam, totals, waitedSeconds } from "../../src/ui/agenda/counts.js";

const op = (id: number, name: string, teams: number[], active = true) =>
  create(OperatorSchema, { id: BigInt(id), login: name.toLowerCase(), name, teamIds: teams.map(BigInt), active });
const team = (id: number, name: string, active = true) => create(TeamSchema, { id: BigInt(id), name, active });
const row = (id: number, operatorId: number, takenBy = 0, escalated = false, operatorName = "") =>
  create(TaskRowSchema, {
    task: { id: BigInt(id), operatorId: BigInt(operatorId), takenBy: BigInt(takenBy), createdAt: 1000n, takenAt: takenBy ? 4000n : 0n },
    escalated, operatorName,
  });

const operators = [op(1, "Valentina", [20]), op(2, "Alicia", [10]), op(3, "Fermín", [20, 10]), op(4, "Old", [10], false)];
const teams = [team(10, "Reception"), team(20, "Sales"), team(30, "Closed", false)];
const rows = [row(1, 1), row(2, 1, 3), row(3, 1, 0, true), row(4, 3), row(5, 4, 2, false, "Old (row)"), row(6, 9, 0, true, "Ghost")];

test("totals: waiting, taken and escalated", () => {
  assert.deepEqual(totals(rows), { waiting: 4, taken: 2, escalated: 2 });
  assert.deepEqual(totals([]), { waiting: 0, taken: 0, escalated: 0 });
});

test("per operator: every active one, zeros too, plus whoever holds a row, by name", () => {
  const lines = perOperator(rows, operators).map((l) => [l.name, l.waiting, l.taken, l.escalated]);
  assert.deepEqual(lines, [
    ["Alicia", 0, 0, 0], ["Fermín", 1, 0, 0], ["Ghost", 1, 0, 1], ["Old", 0, 1, 0], ["Valentina", 2, 1, 1],
  ]);
});

test("per operator and team take the live catalogue's maps as they are (iterators, read once)", () => {
  const ops = new Map(operators.map((o) => [o.id, o]));
  const tms = new Map(teams.map((t) => [t.id, t]));
  const old = perOperator(rows, ops.values()).find((l) => l.id === 4n)!;
  assert.deepEqual([old.name, old.taken], ["Old", 1]); // named by the catalogue, not the row
  assert.deepEqual(perTeam(rows, ops.values(), tms.values()).map((l) => l.waiting), [1, 3]);
});

test("per team: by the responsible operator's teams, two teams count twice, closed teams hidden", () => {
  const lines = perTeam(rows, operators, teams).map((l) => [l.name, l.waiting, l.taken, l.escalated]);
  // Reception: Fermín's (1 waiting), Old's (1 taken); Sales: Valentina's 3 and Fermín's 1.
  assert.deepEqual(lines, [["Reception", 1, 1, 0], ["Sales", 3, 1, 1]]);
  assert.deepEqual(perTeam(rows, operators, []), []);
});

test("waited: since created while waiting, since taken once taken", () => {
  assert.equal(waitedSeconds(row(1, 1), 1000 + 42 * 60), 42 * 60);
  assert.equal(waitedSeconds(row(1, 1, 3), 4000 + 60), 60);
  assert.equal(waitedSeconds(row(1, 1), 10), 0); // a clock behind the server's
  assert.equal(waitedSeconds(create(TaskRowSchema, {}), 10), 0);
});

test("durations read the same in both languages", () => {
  assert.equal(duration(0), "0 min");
  assert.equal(duration(59), "0 min");
  assert.equal(duration(42 * 60), "42 min");
  assert.equal(duration(125 * 60), "2 h 05 min");
  assert.equal(duration((3 * 24 + 4) * 3600 + 59), "3 d 4 h");
  assert.equal(duration(-5), "0 min");
});
