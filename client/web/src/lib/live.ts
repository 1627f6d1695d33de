/*
 * Live views in the browser: a subscription kept as a local replica, as in
 * client/lib/replica.h. A task view holds whole, display-ready rows by id and
 * applies a row only when it is not older than the one it holds, so replays
 * are harmless. The catalogue view holds the club's types, results, tags,
 * operators, teams, settings and customers.
 *
 * On every new connection the view subscribes again: with the revision it
 * fully applied (the server replays what changed since, or sends a fresh
 * snapshot). It reaches a resume's revision only after the replay is applied
 * (a Ping sent after `Subscribed` answers after it), so a cut in between
 * asks for the same replay again.
 */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type Catalog,
  type Customer,
  type Frame,
  type Operator,
  type Result,
  type Settings,
  type Tag,
  type TaskRow,
  type TaskType,
  type Team,
  type View,
  PingSchema,
  SubscribeSchema,
  UnsubscribeSchema,
  ViewKind,
  ViewSchema,
} from "../gen/clubcrm_pb.js";
import type { ClubClient, Resumable } from "./client.js";
import { ClubError } from "./status.js";

let nextSubId = 1;
/**
 * How long a Subscribe, and the Ping after a resumed `Subscribed`, may
 * wait: their answers come behind what the connection already carries
 * (other views' snapshots after a reconnect; the whole replay, up to a
 * quarter of the server's output bound), which a slow network may take
 * well over a request's 30 s to bring; a link that dies fails them at
 * once anyway.
 */
const REPLAY_WAIT_MS = 10 * 60_000;

abstract class LiveSubscription implements Resumable {
  /** The revision this replica has fully applied (0: none yet). */
  revision = 0n;
  /** A snapshot or resume has completed on the current connection. */
  ready = false;
  error?: ClubError;
  protected subId = 0;
  private listeners = new Set<() => void>();
  private closed = false;

  constructor(protected client: ClubClient, public readonly view: View) {}

  start(): this {
    this.client.attach(this);
    return this;
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  protected changed(): void {
    for (const cb of this.listeners) cb();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.detach(this);
    if (this.subId && this.client.state === "live")
      this.client
        .request({ case: "unsubscribe", value: create(UnsubscribeSchema, { subId: this.subId }) })
        .catch(() => {});
    this.listeners.clear();
  }

  suspend(): void {
    this.subId = 0;
    this.ready = false;
    this.discardStaging();
    this.changed();
  }

  resume(): void {
    if (this.closed) return;
    const subId = nextSubId++;
    this.subId = subId;
    this.ready = false;
    this.discardStaging();
    const since = this.revision;
    this.client
      .request({
        case: "subscribe",
        value: create(SubscribeSchema, { subId, view: this.view, sinceRevision: since }),
      }, REPLAY_WAIT_MS)
      .then(async (f) => {
        if (f.body.case !== "subscribed" || this.subId !== subId) return;
        if (!f.body.value.resumed) return; // a snapshot follows (or came)
        const target = f.body.value.revision;
        await this.client.request({ case: "ping", value: create(PingSchema, {}) }, REPLAY_WAIT_MS);
        if (this.subId !== subId) return;
        if (target > this.revision) this.revision = target;
        this.ready = true;
        this.error = undefined; // live again: an earlier refusal is over
        this.changed();
      })
      .catch((e: unknown) => {
        if (this.subId !== subId) return;
        this.error = e instanceof ClubError ? e : new ClubError(2, String(e));
        this.changed();
      });
  }

  push(f: Frame): boolean {
    const b = f.body;
    switch (b.case) {
      case "snapshotChunk":
        if (b.value.subId !== this.subId) return false;
        this.takeChunk(b.value.rows, b.value.catalog, b.value.customers);
        return true;
      case "snapshotDone":
        if (b.value.subId !== this.subId) return false;
        this.endSnapshot();
        this.revision = b.value.revision;
        this.ready = true;
        this.error = undefined;
        this.changed();
        return true;
      case "deltas": {
        let mine = false;
        for (const d of b.value.deltas) {
          if (d.subId !== this.subId) continue;
          mine = true;
          this.applyDelta(d.upserts, d.removedIds, d.catalog, d.customers);
          if (this.ready && d.revision > this.revision) this.revision = d.revision;
        }
        if (mine) this.changed();
        return false; // a batch carries other views' deltas too
      }
      default:
        return false;
    }
  }

  protected abstract discardStaging(): void;
  protected abstract takeChunk(rows: TaskRow[], catalog?: Catalog, customers?: Customer[]): void;
  protected abstract endSnapshot(): void;
  protected abstract applyDelta(
    upserts: TaskRow[], removed: bigint[], catalog?: Catalog, customers?: Customer[]): void;
}

function rowRev(r: TaskRow): bigint {
  return r.task?.modRev ?? 0n;
}

/** A live list of task rows (board, urgent, agenda, a customer's profile...). */
export class TaskView extends LiveSubscription {
  rows = new Map<bigint, TaskRow>();
  private staging: Map<bigint, TaskRow> | null = null;

  protected discardStaging(): void {
    this.staging = null;
  }

  protected takeChunk(rows: TaskRow[]): void {
    if (!this.staging) this.staging = new Map();
    for (const r of rows) if (r.task) this.staging.set(r.task.id, r);
  }

  protected endSnapshot(): void {
    this.rows = this.staging ?? new Map();
    this.staging = null;
  }

  protected applyDelta(upserts: TaskRow[], removed: bigint[]): void {
    for (const r of upserts) {
      if (!r.task) continue;
      const held = this.rows.get(r.task.id);
      if (!held || rowRev(r) >= rowRev(held)) this.rows.set(r.task.id, r);
    }
    for (const id of removed) this.rows.delete(id);
  }
}

/** The club's catalogue, live: what forms offer and settings screens edit. */
export class CatalogView extends LiveSubscription {
  taskTypes = new Map<bigint, TaskType>();
  results = new Map<bigint, Result>();
  tags = new Map<bigint, Tag>();
  operators = new Map<bigint, Operator>();
  teams = new Map<bigint, Team>();
  customers = new Map<bigint, Customer>();
  settings?: Settings;
  private staging: CatalogView | null = null;

  constructor(client: ClubClient) {
    super(client, create(ViewSchema, { kind: ViewKind.CATALOG }));
  }

  protected discardStaging(): void {
    this.staging = null;
  }

  protected takeChunk(_rows: TaskRow[], catalog?: Catalog, customers?: Customer[]): void {
    if (!this.staging) this.staging = Object.create(CatalogView.prototype) as CatalogView;
    const s = this.staging;
    s.taskTypes ??= new Map(); s.results ??= new Map(); s.tags ??= new Map();
    s.operators ??= new Map(); s.teams ??= new Map(); s.customers ??= new Map();
    mergeCatalog(s, catalog, customers);
  }

  protected endSnapshot(): void {
    const s = this.staging;
    this.staging = null;
    if (!s) return;
    this.taskTypes = s.taskTypes; this.results = s.results; this.tags = s.tags;
    this.operators = s.operators; this.teams = s.teams; this.customers = s.customers;
    if (s.settings) this.settings = s.settings;
  }

  protected applyDelta(_u: TaskRow[], _r: bigint[], catalog?: Catalog, customers?: Customer[]): void {
    mergeCatalog(this, catalog, customers);
  }
}

function mergeCatalog(into: CatalogView, c?: Catalog, customers?: Customer[]): void {
  if (c) {
    for (const t of c.taskTypes) into.taskTypes.set(t.id, t);
    for (const r of c.results) into.results.set(r.id, r);
    for (const t of c.tags) into.tags.set(t.id, t);
    for (const o of c.operators) into.operators.set(o.id, o);
    for (const t of c.teams) into.teams.set(t.id, t);
    if (c.settings) into.settings = c.settings;
  }
  for (const cu of customers ?? []) into.customers.set(cu.id, cu);
}

export type ViewInit = MessageInitShape<typeof ViewSchema>;

export function taskView(client: ClubClient, view: ViewInit): TaskView {
  return new TaskView(client, create(ViewSchema, view)).start();
}

export function catalogView(client: ClubClient): CatalogView {
  return new CatalogView(client).start();
}
