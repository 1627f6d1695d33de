/*
 * The typed API of the browser client, as client/lib/client_api.h is for C:
 * one function per request, taking plain initialisers and returning the
 * answer's message; failures reject with a ClubError (an edit that lost to
 * someone else's carries their row in `current`). The pages never build a
 * Frame themselves.
 */
import { create, isFieldSet, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type AgendaExport,
  type Catalog,
  type Customer,
  type CustomerPage,
  type FeedReply,
  type Frame,
  type ImportReply,
  type ImportRow,
  type ReassignReply,
  type Report,
  type TaskPage,
  type TaskReply,
  CancelTaskSchema,
  CloseTaskSchema,
  CopyTaskSchema,
  CreateTaskSchema,
  EditTaskSchema,
  ExportAgendaSchema,
  FollowUpSchema,
  GetReportSchema,
  GetCatalogSchema,
  GetCustomerSchema,
  GetTaskSchema,
  ImportCustomersSchema,
  ListCustomersSchema,
  ListTasksSchema,
  ReassignTasksSchema,
  ReleaseTaskSchema,
  RotateFeedSchema,
  TagTaskSchema,
  TakeTaskSchema,
  UntagTaskSchema,
  UpdateSettingsSchema,
  UpsertCustomerSchema,
  UpsertOperatorSchema,
  UpsertResultSchema,
  UpsertTagSchema,
  UpsertTaskTypeSchema,
  UpsertTeamSchema,
} from "../gen/clubcrm_pb.js";
import type { ClubClient } from "./client.js";
import { ClubError, Status } from "./status.js";

type Init<S> = S extends import("@bufbuild/protobuf").DescMessage ? MessageInitShape<S> : never;
type Body = NonNullable<Frame["body"]["case"]>;

type Answer<K extends Body> = Extract<Frame["body"], { case: K }>["value"];

async function expect<K extends Body>(p: Promise<Frame>, kind: K): Promise<Answer<K>> {
  const f = await p;
  if (f.body.case !== kind)
    throw new ClubError(Status.INTERNAL, `unexpected answer ${f.body.case ?? "(empty)"} (wanted ${kind})`);
  return f.body.value as unknown as Answer<K>;
}

/** 16 random bytes: one per form, kept until the create is saved. */
export function newIdempotencyKey(): Uint8Array {
  const k = new Uint8Array(16);
  crypto.getRandomValues(k);
  return k;
}

export class Api {
  constructor(readonly client: ClubClient) {}

  private task<C extends Body>(kind: C, value: unknown): Promise<TaskReply> {
    return expect(this.client.request({ case: kind, value } as Frame["body"]), "taskReply");
  }

  /** A task or note; `idempotencyKey` makes a retried save create it once. */
  createTask(t: Init<typeof CreateTaskSchema>): Promise<TaskReply> {
    const v = create(CreateTaskSchema, t);
    if (!v.idempotencyKey.length) v.idempotencyKey = newIdempotencyKey();
    return this.task("createTask", v);
  }
  getTask(id: bigint, withHistory = true): Promise<TaskReply> {
    return this.task("getTask", create(GetTaskSchema, { id, withHistory }));
  }
  /** Rejects with a ClubError whose `current` is their row when the task changed since `baseModRev`. */
  editTask(e: Init<typeof EditTaskSchema>): Promise<TaskReply> {
    return this.task("editTask", create(EditTaskSchema, e));
  }
  copyTask(id: bigint, overrides?: Init<typeof CreateTaskSchema>): Promise<TaskReply> {
    const o = create(CreateTaskSchema, overrides ?? {});
    if (!o.idempotencyKey.length) o.idempotencyKey = newIdempotencyKey();
    return this.task("copyTask", create(CopyTaskSchema, { id, overrides: o }));
  }
  followUp(f: Init<typeof FollowUpSchema>): Promise<TaskReply> {
    return this.task("followUp", create(FollowUpSchema, f));
  }
  closeTask(id: bigint, resultId?: bigint, note?: string): Promise<TaskReply> {
    return this.task("closeTask", create(CloseTaskSchema, { id, resultId, note }));
  }
  cancelTask(id: bigint, resultId?: bigint, note?: string): Promise<TaskReply> {
    return this.task("cancelTask", create(CancelTaskSchema, { id, resultId, note }));
  }
  takeTask(id: bigint): Promise<TaskReply> {
    return this.task("takeTask", create(TakeTaskSchema, { id }));
  }
  releaseTask(id: bigint): Promise<TaskReply> {
    return this.task("releaseTask", create(ReleaseTaskSchema, { id }));
  }
  tagTask(id: bigint, tagId: bigint): Promise<TaskReply> {
    return this.task("tagTask", create(TagTaskSchema, { id, tagId }));
  }
  untagTask(id: bigint, tagId: bigint): Promise<TaskReply> {
    return this.task("untagTask", create(UntagTaskSchema, { id, tagId }));
  }
  listTasks(l: Init<typeof ListTasksSchema>): Promise<TaskPage> {
    return expect(this.client.request({ case: "listTasks", value: create(ListTasksSchema, l) }), "taskPage");
  }
  /**
   * Every page of a task list as one snapshot, as the CLI's `task export`
   * reads it: `as_of` / `as_of_revision` as given (a moment: each page asks
   * for it again and must answer from the same revision), else pinned to the
   * revision current at the first page. `each` gets each page's rows as it
   * arrives. Resolves to the snapshot's revision and its commit time.
   */
  async listAllTasks(l: Init<typeof ListTasksSchema>, each: (rows: TaskPage["rows"]) => void,
    pageSize = 500): Promise<{ revision: bigint; at: bigint }> {
    const q = create(ListTasksSchema, { ...l, pageSize });
    if (!isFieldSet(q, ListTasksSchema.field.asOf) && !isFieldSet(q, ListTasksSchema.field.asOfRevision)) {
      const probe = await this.listTasks({ filter: q.filter, pageSize: 1 });
      q.asOfRevision = probe.revision;
    }
    let rev: bigint | undefined;
    let at = 0n;
    for (;;) {
      const p = await this.listTasks(q);
      if (rev !== undefined && p.asOfRevision !== rev)
        throw new ClubError(Status.ABORTED, `the snapshot moved from revision ${rev} to ${p.asOfRevision} while ` +
          "it was read (a commit at that very moment): try again");
      rev = p.asOfRevision;
      at = p.asOfRevisionAt;
      each(p.rows);
      if (!p.nextPageToken.length) break;
      q.pageToken = p.nextPageToken;
    }
    return { revision: rev ?? 0n, at };
  }
  /** The manager's figures over [fromDate, toDate) of the club's days (empty: this month). */
  getReport(q: Init<typeof GetReportSchema>): Promise<Report> {
    return expect(this.client.request({ case: "getReport", value: create(GetReportSchema, q) }), "report");
  }
  reassignTasks(r: Init<typeof ReassignTasksSchema>): Promise<ReassignReply> {
    return expect(this.client.request({ case: "reassignTasks", value: create(ReassignTasksSchema, r) }),
      "reassignReply");
  }
  listCustomers(search: string, pageSize = 50, includeInactive = false): Promise<CustomerPage> {
    return expect(this.client.request({
      case: "listCustomers",
      value: create(ListCustomersSchema, { search, pageSize, includeInactive }),
    }), "customerPage");
  }
  /** Every page of the customers (the active ones, as `customer export`), `each` getting each page's. */
  async listAllCustomers(each: (customers: Customer[]) => void, pageSize = 500): Promise<void> {
    const q = create(ListCustomersSchema, { pageSize });
    for (;;) {
      const p = await expect(this.client.request({ case: "listCustomers", value: q }), "customerPage");
      each(p.customers);
      if (!p.nextPageToken.length) break;
      q.pageToken = p.nextPageToken;
    }
  }
  async getCustomer(id: bigint): Promise<Customer | undefined> {
    const r = await expect(this.client.request({ case: "getCustomer", value: create(GetCustomerSchema, { id }) }),
      "customerReply");
    return r.customer;
  }
  /**
   * Adds (no id) or edits a customer. An add carries `idempotencyKey` (a new
   * one when not given): the same key sent again, after an answer lost on
   * the way, returns the customer the first created instead of a second.
   */
  async upsertCustomer(c: Init<typeof UpsertCustomerSchema>["customer"],
    idempotencyKey?: Uint8Array): Promise<Customer | undefined> {
    const u = create(UpsertCustomerSchema, { customer: c });
    if (!u.customer?.id) u.idempotencyKey = idempotencyKey ?? newIdempotencyKey();
    const r = await expect(this.client.request({ case: "upsertCustomer", value: u }), "customerReply");
    return r.customer;
  }
  /** An operator's agenda (0n: mine) as iCalendar text; from/to omitted: the server's window. */
  exportAgenda(e: Init<typeof ExportAgendaSchema> = {}): Promise<AgendaExport> {
    return expect(this.client.request({ case: "exportAgenda", value: create(ExportAgendaSchema, e) }),
      "agendaExport");
  }
  /** A new secret calendar-feed path for an operator (0n: mine); the old one stops at once. */
  rotateFeed(operatorId = 0n): Promise<FeedReply> {
    return expect(this.client.request({ case: "rotateFeed", value: create(RotateFeedSchema, { operatorId }) }),
      "feedReply");
  }
  /** A batch of a customer file's rows (at most 500), checked, and added unless a dry run (admins only). */
  importCustomers(rows: ImportRow[], dryRun: boolean): Promise<ImportReply> {
    return expect(this.client.request({
      case: "importCustomers", value: create(ImportCustomersSchema, { rows, dryRun }),
    }), "importReply");
  }
  getCatalog(includeInactive = true): Promise<Catalog> {
    return expect(this.client.request({
      case: "getCatalog", value: create(GetCatalogSchema, { includeInactive }),
    }), "catalog");
  }
  // Administration: the server refuses these to operators (PERMISSION_DENIED).
  upsertTaskType(u: Init<typeof UpsertTaskTypeSchema>): Promise<Catalog> {
    return expect(this.client.request({ case: "upsertTaskType", value: create(UpsertTaskTypeSchema, u) }), "catalog");
  }
  upsertResult(u: Init<typeof UpsertResultSchema>): Promise<Catalog> {
    return expect(this.client.request({ case: "upsertResult", value: create(UpsertResultSchema, u) }), "catalog");
  }
  upsertTag(u: Init<typeof UpsertTagSchema>): Promise<Catalog> {
    return expect(this.client.request({ case: "upsertTag", value: create(UpsertTagSchema, u) }), "catalog");
  }
  upsertOperator(u: Init<typeof UpsertOperatorSchema>): Promise<Catalog> {
    return expect(this.client.request({ case: "upsertOperator", value: create(UpsertOperatorSchema, u) }), "catalog");
  }
  upsertTeam(u: Init<typeof UpsertTeamSchema>): Promise<Catalog> {
    return expect(this.client.request({ case: "upsertTeam", value: create(UpsertTeamSchema, u) }), "catalog");
  }
  updateSettings(u: Init<typeof UpdateSettingsSchema>): Promise<Catalog> {
    return expect(this.client.request({ case: "updateSettings", value: create(UpdateSettingsSchema, u) }), "catalog");
  }
}
