/*
 * Row commands shared by the board and the contacts list: the cross-page
 * "clubcrm-action" event the dialogs answer, and take/release, which are
 * one API call made here.
 */
import type { TaskRow } from "../../gen/clubcrm_pb.js";
import { t } from "../../i18n.js";
import type { AppContext } from "../context.js";
import { type ActionName, requestAction } from "../action.js";
import { refusal } from "./model.js";
import { errorText } from "../errors.js";

export { type ActionDetail, type ActionName, requestAction } from "../action.js";

/**
 * A row command: refused at once with the reason when it cannot apply
 * (a note cannot be followed up...), else asked of the dialogs.
 */
export function rowAction(from: EventTarget, ctx: AppContext, r: TaskRow | undefined, action: ActionName): void {
  if (!r?.task) {
    ctx.notify(t("board.refuse.none"), "error");
    return;
  }
  if (action === "follow-up" || action === "cancel" || action === "close") {
    const why = refusal(r, action);
    if (why) {
      ctx.notify(t(why), "error");
      return;
    }
  }
  if (action === "customer") {
    if (r.task.customerId) requestAction(from, { action, customerId: r.task.customerId });
    return;
  }
  requestAction(from, { action, taskId: r.task.id, row: r, customerId: r.task.customerId });
}

/** Tasks whose take or release is on its way (a second one would undo or be refused). */
const inFlight = new Set<bigint>();

/**
 * Runs a take or release of task `id` unless one is already on its way:
 * a double click or a repeated key sends one request, not a second that
 * would undo the first or be refused ("task 8 is not taken").
 */
export async function oncePerTask(id: bigint, work: () => Promise<void>): Promise<void> {
  if (inFlight.has(id)) return;
  inFlight.add(id);
  try {
    await work();
  } finally {
    inFlight.delete(id);
  }
}

/** Take charge of the task, or give it back when it is the user's; once at a time per task. */
export async function takeOrRelease(ctx: AppContext, r: TaskRow | undefined): Promise<void> {
  if (!r?.task) {
    ctx.notify(t("board.refuse.none"), "error");
    return;
  }
  const why = refusal(r, "take");
  if (why) {
    ctx.notify(t(why), "error");
    return;
  }
  const id = r.task.id;
  const mine = r.task.takenBy === ctx.me.id;
  await oncePerTask(id, async () => {
    try {
      if (mine) await ctx.api.releaseTask(id);
      else await ctx.api.takeTask(id);
      ctx.notify(t(mine ? "board.released" : "board.taken", { id: String(id) }));
    } catch (e) {
      ctx.notify(errorText(e), "error");
    }
  });
}
