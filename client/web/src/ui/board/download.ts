/*
 * "Download CSV" on the desk's lists: the board (live, or as of a past
 * moment), the contacts and the customer's profile. The records are the
 * CLI's exports' (src/lib/csv.ts), read page by page as one snapshot
 * (Api.listAllTasks), then handed to the browser as a file (a Blob with a
 * UTF-8 byte-order mark, so that Excel reads accents).
 */
import type { Customer, TaskRow } from "../../gen/clubcrm_pb.js";
import { addWords, t, tn } from "../../i18n.js";
import {
  BOM, CUSTOMER_HEAD, TASK_HEAD, csvFileName, csvRecord, customerRecord, taskRecord,
} from "../../lib/csv.js";
import type { AppContext } from "../context.js";
import { nowSeconds } from "../time.js";
import type { TaskFilterInit } from "./model.js";
import { reasonText } from "../errors.js";

/** Hands `parts` to the browser as the file `name`. */
export function saveFile(name: string, parts: string[]): void {
  const blob = new Blob([BOM, ...parts], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function failed(ctx: AppContext, e: unknown): void {
  ctx.notify(t("csv.failed", { why: reasonText(e) }), "error");
}

/** The tasks `filter` selects now (pinned to the current revision), or `rows` already read (a past board). */
export async function downloadTasks(ctx: AppContext, file: string,
  src: { filter: TaskFilterInit } | { rows: TaskRow[]; revision: bigint }): Promise<void> {
  const zone = ctx.zone;
  const parts = [csvRecord(TASK_HEAD)];
  try {
    let revision: bigint;
    if ("rows" in src) {
      for (const r of src.rows) parts.push(taskRecord(r, zone));
      revision = src.revision;
    } else {
      ({ revision } = await ctx.api.listAllTasks({ filter: src.filter }, (rows) => {
        for (const r of rows) parts.push(taskRecord(r, zone));
      }));
    }
    saveFile(file, parts);
    ctx.notify(tn("csv.done", parts.length - 1, { file, rev: String(revision) }));
  } catch (e) {
    failed(ctx, e);
  }
}

/** The active customers, those `keep` accepts (the contacts list's search), as `customer export`. */
export async function downloadCustomers(ctx: AppContext, keep: (c: Customer) => boolean): Promise<void> {
  const zone = ctx.zone;
  const parts = [csvRecord(CUSTOMER_HEAD)];
  const consultant = (id: bigint) => {
    const o = id ? ctx.catalog.operators.get(id) : undefined;
    return o ? o.name || o.login : "";
  };
  try {
    await ctx.api.listAllCustomers((cs) => {
      for (const c of cs) if (keep(c)) parts.push(customerRecord(c, consultant(c.consultantId), zone));
    });
    const file = csvFileName("customers", nowSeconds(), zone);
    saveFile(file, parts);
    ctx.notify(tn("csv.doneCustomers", parts.length - 1, { file }));
  } catch (e) {
    failed(ctx, e);
  }
}

addWords({
  en: {
    "csv.download": "Download CSV",
    "csv.hint": "The list as a CSV file for a spreadsheet (the same columns as the command line's export)",
    "csv.done.one": "{n} row saved as {file} (revision {rev}).",
    "csv.done.other": "{n} rows saved as {file} (revision {rev}).",
    "csv.doneCustomers.one": "{n} customer saved as {file}.",
    "csv.doneCustomers.other": "{n} customers saved as {file}.",
    "csv.failed": "The CSV could not be made: {why}",
  },
  es: {
    "csv.download": "Descargar CSV",
    "csv.hint": "La lista como fichero CSV para una hoja de cálculo (las mismas columnas que la exportación de la línea de órdenes)",
    "csv.done.one": "{n} fila guardada en {file} (revisión {rev}).",
    "csv.done.other": "{n} filas guardadas en {file} (revisión {rev}).",
    "csv.doneCustomers.one": "{n} cliente guardado en {file}.",
    "csv.doneCustomers.other": "{n} clientes guardados en {file}.",
    "csv.failed": "No se pudo hacer el CSV: {why}",
  },
});
