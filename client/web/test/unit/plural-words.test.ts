// Counts outside the import page read singular for one and plural
// otherwise (0 included), in English and Spanish: the board's task count,
// a CSV download's notice, the console's totals and reassignment notice,
// a follow-on's delay in days, a repeating task's times left.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Recurrence, TaskSchema } from "../../src/gen/clubcrm_pb.js";
import { type Lang, setLang, tn } from "../../src/i18n.js";
import "../../src/ui/board/words.js";
import "../../src/ui/board/download.js";
import "../../src/ui/dialogs/words.js";
import { repeatTitle } from "../../src/ui/dialogs/repeat.js";
import { consoleMoved, consoleSummary } from "../../src/ui/pages/console-words.js";

/** Each key's text for 1, 0 and 2 in one language. */
function forms(lang: Lang, key: string, params?: Record<string, string | number>): string[] {
  setLang(lang);
  return [1, 0, 2].map((n) => tn(key, n, params));
}

test("the board's task count", () => {
  assert.deepEqual(forms("en", "board.count"), ["1 task", "0 tasks", "2 tasks"]);
  assert.deepEqual(forms("es", "board.count"), ["1 tarea", "0 tareas", "2 tareas"]);
});

test("a CSV download's notice: rows and customers", () => {
  const p = { file: "tasks.csv", rev: "7" };
  assert.deepEqual(forms("en", "csv.done", p), ["1 row saved as tasks.csv (revision 7).",
    "0 rows saved as tasks.csv (revision 7).", "2 rows saved as tasks.csv (revision 7)."]);
  assert.deepEqual(forms("es", "csv.done", p), ["1 fila guardada en tasks.csv (revisión 7).",
    "0 filas guardadas en tasks.csv (revisión 7).", "2 filas guardadas en tasks.csv (revisión 7)."]);
  const c = { file: "c.csv" };
  assert.deepEqual(forms("en", "csv.doneCustomers", c),
    ["1 customer saved as c.csv.", "0 customers saved as c.csv.", "2 customers saved as c.csv."]);
  assert.deepEqual(forms("es", "csv.doneCustomers", c),
    ["1 cliente guardado en c.csv.", "0 clientes guardados en c.csv.", "2 clientes guardados en c.csv."]);
});

test("the console's totals and a reassignment's notice", () => {
  setLang("en");
  assert.equal(consoleSummary({ waiting: 1, taken: 1, escalated: 1 }), "1 waiting, 1 taken, 1 escalated");
  assert.equal(consoleSummary({ waiting: 0, taken: 2, escalated: 0 }), "0 waiting, 2 taken, 0 escalated");
  assert.deepEqual([1, 0, 2].map((n) => consoleMoved(n, "Ana", "Luis")),
    ["1 task moved from Ana to Luis.", "0 tasks moved from Ana to Luis.", "2 tasks moved from Ana to Luis."]);
  setLang("es");
  assert.equal(consoleSummary({ waiting: 1, taken: 1, escalated: 1 }), "1 esperando, 1 tomada, 1 escalada");
  assert.equal(consoleSummary({ waiting: 0, taken: 0, escalated: 2 }), "0 esperando, 0 tomadas, 2 escaladas");
  assert.equal(consoleSummary({ waiting: 2, taken: 3, escalated: 0 }), "2 esperando, 3 tomadas, 0 escaladas");
  assert.deepEqual([1, 0, 2].map((n) => consoleMoved(n, "Ana", "Luis")),
    ["1 tarea pasada de Ana a Luis.", "0 tareas pasadas de Ana a Luis.", "2 tareas pasadas de Ana a Luis."]);
});

test("a delay in days", () => {
  assert.deepEqual(forms("en", "dialogs.days"), ["1 day", "0 days", "2 days"]);
  assert.deepEqual(forms("es", "dialogs.days"), ["1 día", "0 días", "2 días"]);
});

test("a repeating task's times left", () => {
  const title = (n: number) => repeatTitle(create(TaskSchema, { recurrence: Recurrence.WEEKLY, repeatCount: n }), "UTC");
  setLang("en");
  assert.equal(title(1), "Repeats weekly, 1 time left (this one included)");
  assert.equal(title(2), "Repeats weekly, 2 times left (this one included)");
  assert.deepEqual(forms("en", "dialogs.repeat.titleCount", { how: "daily" }), [
    "Repeats daily, 1 time left (this one included)", "Repeats daily, 0 times left (this one included)",
    "Repeats daily, 2 times left (this one included)"]);
  setLang("es");
  assert.equal(title(1), "Se repite cada semana, queda 1 vez (contando esta)");
  assert.equal(title(2), "Se repite cada semana, quedan 2 veces (contando esta)");
  assert.deepEqual(forms("es", "dialogs.repeat.titleCount", { how: "cada día" }), [
    "Se repite cada día, queda 1 vez (contando esta)", "Se repite cada día, quedan 0 veces (contando esta)",
    "Se repite cada día, quedan 2 veces (contando esta)"]);
  setLang("en");
});
