// Take and release from the board (the bar's button, the menu, the 't'
// key): one request per task at a time, so a double click or a repeated
// key does not release a task twice (the second refused: "not taken").
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { TaskKind, TaskRowSchema, TaskStatus } from "../../src/gen/clubcrm_pb.js";
import type { AppContext } from "../../src/ui/context.js";
import { takeOrRelease } from "../../src/ui/board/actions.js";
import "../../src/ui/board/words.js";

test("a second take of the same task while the first is on its way sends nothing", async () => {
  const mine = create(TaskRowSchema, {
    task: { id: 8n, status: TaskStatus.PLANNED, kind: TaskKind.TASK, plannedAt: 1n, createdAt: 1n, takenBy: 1n },
  });
  let calls = 0;
  let answer!: () => void;
  const said: string[] = [];
  const ctx = {
    me: { id: 1n },
    api: {
      releaseTask: () => {
        calls++;
        return new Promise<void>((r) => (answer = r));
      },
      takeTask: () => Promise.reject(new Error("not this one")),
    },
    notify: (text: string) => void said.push(text),
  } as unknown as AppContext;
  const first = takeOrRelease(ctx, mine);
  const second = takeOrRelease(ctx, mine); // a double click, or 't' pressed twice
  await second;
  assert.equal(calls, 1, "one release went out");
  answer();
  await first;
  assert.deepEqual(said, ["Task 8 released"], "one message, not a refusal of the second");
  // Once answered, the task can be taken or released again.
  const third = takeOrRelease(ctx, mine);
  assert.equal(calls, 2);
  answer();
  await third;
});
