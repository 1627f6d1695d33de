// What a failed call says to the user, in the page's language: a Spanish
// receptionist who takes a task while the server is away reads Spanish,
// not the library's English.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { TaskKind, TaskRowSchema, TaskStatus } from "../../src/gen/clubcrm_pb.js";
import { setLang } from "../../src/i18n.js";
import { ClubError, Status } from "../../src/lib/status.js";
import type { AppContext } from "../../src/ui/context.js";
import { takeOrRelease } from "../../src/ui/board/actions.js";
import { errorText, reasonText } from "../../src/ui/errors.js";
import "../../src/ui/board/words.js";

const row = create(TaskRowSchema, {
  task: { id: 7n, status: TaskStatus.PLANNED, kind: TaskKind.TASK, plannedAt: 1n, createdAt: 1n },
});

/** A page context whose API refuses every take with `err`; collects the messages. */
function refusingCtx(err: ClubError): { ctx: AppContext; said: { text: string; kind?: string }[] } {
  const said: { text: string; kind?: string }[] = [];
  const fail = () => Promise.reject(err);
  const ctx = {
    me: { id: 1n },
    api: { takeTask: fail, releaseTask: fail },
    notify: (text: string, kind?: "info" | "error") => void said.push({ text, kind }),
  } as unknown as AppContext;
  return { ctx, said };
}

test("taking a task with the server away says so in Spanish to a Spanish desk", async () => {
  setLang("es");
  try {
    const { ctx, said } = refusingCtx(new ClubError(Status.UNAVAILABLE, "not connected to the server"));
    await takeOrRelease(ctx, row);
    assert.equal(said.length, 1);
    assert.equal(said[0].kind, "error");
    assert.equal(said[0].text, "Sin conexión con el servidor: inténtelo de nuevo cuando vuelva.");
  } finally {
    setLang("en");
  }
});

test("a server's refusal keeps its reason, inside the page's language", async () => {
  setLang("es");
  try {
    const { ctx, said } = refusingCtx(new ClubError(Status.FAILED_PRECONDITION, "task 7 is taken by bea"));
    await takeOrRelease(ctx, row);
    assert.match(said[0].text, /^El servidor lo rechazó: task 7 is taken by bea$/);
  } finally {
    setLang("en");
  }
});

test("the failures the library words itself read in both languages; refusals keep the server's reason", () => {
  // ABORTED: only the library's own (a CSV export whose snapshot moved while it was read).
  const own = [Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.UNAUTHENTICATED, Status.ABORTED];
  for (const code of own) {
    const e = new ClubError(code, "english words from the library");
    setLang("en");
    const en = errorText(e);
    setLang("es");
    const es = errorText(e);
    setLang("en");
    assert.doesNotMatch(en, /english words/, `code ${code} in English names the failure itself`);
    assert.doesNotMatch(es, /english words/, `code ${code} in Spanish names the failure itself`);
    assert.notEqual(en, es, `code ${code} has its Spanish`);
  }
  setLang("es");
  try {
    assert.equal(errorText(new ClubError(Status.PERMISSION_DENIED, "only admins may edit settings")),
      "No permitido: only admins may edit settings");
    assert.equal(reasonText(new ClubError(Status.UNAVAILABLE, "not connected")), "Sin conexión con el servidor: " +
      "inténtelo de nuevo cuando vuelva.");
    assert.equal(reasonText(new ClubError(Status.INVALID_ARGUMENT, "name too long")), "name too long");
  } finally {
    setLang("en");
  }
  assert.equal(errorText(new Error("boom")), "Error: boom");
});
