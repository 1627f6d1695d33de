// The console's counts in words, singular or plural (tn(KEY, n) reads
// KEY.one or KEY.other): its own module so that they are testable
// without a browser (console.ts defines a custom element).
import { addWords, t, tn } from "../../i18n.js";

addWords({
  en: {
    "console.summary": "{waiting}, {taken}, {escalated}",
    "console.n.waiting.one": "{n} waiting",
    "console.n.waiting.other": "{n} waiting",
    "console.n.taken.one": "{n} taken",
    "console.n.taken.other": "{n} taken",
    "console.n.escalated.one": "{n} escalated",
    "console.n.escalated.other": "{n} escalated",
    "console.moved.one": "{n} task moved from {from} to {to}.",
    "console.moved.other": "{n} tasks moved from {from} to {to}.",
  },
  es: {
    "console.summary": "{waiting}, {taken}, {escalated}",
    "console.n.waiting.one": "{n} esperando",
    "console.n.waiting.other": "{n} esperando",
    "console.n.taken.one": "{n} tomada",
    "console.n.taken.other": "{n} tomadas",
    "console.n.escalated.one": "{n} escalada",
    "console.n.escalated.other": "{n} escaladas",
    "console.moved.one": "{n} tarea pasada de {from} a {to}.",
    "console.moved.other": "{n} tareas pasadas de {from} a {to}.",
  },
});

/** "3 waiting, 1 taken, 0 escalated": the urgent tasks' totals. */
export function consoleSummary(sum: { waiting: number; taken: number; escalated: number }): string {
  return t("console.summary", { waiting: tn("console.n.waiting", sum.waiting),
    taken: tn("console.n.taken", sum.taken), escalated: tn("console.n.escalated", sum.escalated) });
}

/** What a reassignment of `n` tasks from one operator to another did. */
export function consoleMoved(n: number, from: string, to: string): string {
  return tn("console.moved", n, { from, to });
}
