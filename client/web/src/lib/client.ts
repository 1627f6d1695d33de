/*
 * The browser's clubcrm client: one connection to clubcrmd (any Pipe),
 * the handshake (preface, Hello, Welcome), login by password or by the
 * resume token the server issued (kept in the tab's sessionStorage, never
 * the password), requests answered by request id, the heartbeat, and
 * reconnection with jittered backoff (50 ms doubling to 1 s) that logs in
 * again by token and resumes every live view by revision.
 *
 * Every call rejects with a ClubError (status.ts); while the link is down
 * calls fail at once with UNAVAILABLE rather than wait: the page shows the
 * Reconnecting banner and the user retries (creates keep their idempotency
 * key, so a retried save never makes a second task).
 */
import { create } from "@bufbuild/protobuf";
import {
  ClientKind,
  type Frame,
  type LoginOk,
  type Operator,
  type Welcome,
  HelloSchema,
  LoginSchema,
  LogoutSchema,
  PingSchema,
  PongSchema,
} from "../gen/clubcrm_pb.js";
import type { Pipe, PipeFactory } from "./pipe.js";
import { ClubError, Status } from "./status.js";
import {
  encodeFrame,
  type FrameBody,
  FrameReader,
  FramingError,
  MAX_FRAME_DEFAULT,
  makeFrame,
  preface,
} from "./wire.js";

export type LinkState =
  | "signedOut"     // no session: the login form
  | "connecting"    // first connection or login under way
  | "live"          // logged in, requests go out
  | "reconnecting"; // the link dropped: retrying, views resume after

/** Where the resume token lives: the tab's sessionStorage in the page. */
export interface TokenStore {
  load(): StoredToken | null;
  save(t: StoredToken): void;
  clear(): void;
}

export interface StoredToken {
  login: string;
  token: Uint8Array;
  expires: number; // unix seconds
}

/** A push the client does not handle itself (views take their own). */
export type PushHandler = (frame: Frame) => void;

export interface ClientOptions {
  pipe: PipeFactory;
  tokens?: TokenStore;
  terminalName?: string;
  clientVersion?: string;
  random?: () => number;
  now?: () => number; // ms
  /** How long a new connection may take to be logged in (ms, default 15 s). */
  handshakeMs?: number;
}

interface Pending {
  resolve(f: Frame): void;
  reject(e: ClubError): void;
}

const BACKOFF_FIRST_MS = 50;
const BACKOFF_MAX_MS = 1000;
const MISSED_BEATS = 3;
const HANDSHAKE_MS = 15000;

export function memoryTokenStore(): TokenStore {
  let t: StoredToken | null = null;
  return { load: () => t, save: (v) => (t = v), clear: () => (t = null) };
}

export function sessionTokenStore(storage: Storage, key = "clubcrm.resume"): TokenStore {
  return {
    load() {
      try {
        const raw = storage.getItem(key);
        if (!raw) return null;
        const v = JSON.parse(raw) as { login: string; token: string; expires: number };
        if (typeof v.login !== "string" || typeof v.token !== "string") return null;
        if (v.expires && v.expires * 1000 < Date.now()) return null;
        const bin = atob(v.token);
        const token = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) token[i] = bin.charCodeAt(i);
        return { login: v.login, token, expires: v.expires };
      } catch {
        return null;
      }
    },
    save(t) {
      let bin = "";
      for (const b of t.token) bin += String.fromCharCode(b);
      storage.setItem(key, JSON.stringify({ login: t.login, token: btoa(bin), expires: t.expires }));
    },
    clear: () => storage.removeItem(key),
  };
}

/** Something that rides on the connection and must be redone on each new one. */
export interface Resumable {
  /** Called once logged in on a new connection (the first one too). */
  resume(): void;
  /** The connection ended: requests in flight are lost. */
  suspend(): void;
  /** A push addressed to it (its sub_id); true if taken. */
  push(frame: Frame): boolean;
}

export class ClubClient {
  state: LinkState = "signedOut";
  operator?: Operator;
  welcome?: Welcome;
  /** Why the last login or connection failed, for the page. */
  lastError?: ClubError;

  private pipe?: Pipe;
  private reader = new FrameReader();
  private nextId = 1n;
  private pending = new Map<bigint, Pending>();
  private listeners = new Set<(s: LinkState) => void>();
  private pushListeners = new Set<PushHandler>();
  private riders = new Set<Resumable>();
  private tokens: TokenStore;
  private attempt = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private beatTimer?: ReturnType<typeof setInterval>;
  private handshakeTimer?: ReturnType<typeof setTimeout>;
  /** The server's GoAway on this connection (its close follows). */
  private goAway?: ClubError;
  private lastRx = 0;
  private generation = 0; // connections opened, to ignore stale events
  private loginWaiter?: { resolve(op: Operator): void; reject(e: ClubError): void };
  private pendingPassword?: { login: string; password: string };

  constructor(private opts: ClientOptions) {
    this.tokens = opts.tokens ?? memoryTokenStore();
  }

  private get now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  onState(cb: (s: LinkState) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  onPush(cb: PushHandler): () => void {
    this.pushListeners.add(cb);
    return () => this.pushListeners.delete(cb);
  }

  attach(r: Resumable): void {
    this.riders.add(r);
    if (this.state === "live") r.resume();
  }

  detach(r: Resumable): void {
    this.riders.delete(r);
  }

  /** Whether a resume token for this tab is stored. */
  hasToken(): boolean {
    return this.tokens.load() !== null;
  }

  /** Logs in with a password (the login form). */
  login(login: string, password: string): Promise<Operator> {
    this.pendingPassword = { login, password };
    return this.start();
  }

  /** Logs in again with the tab's token (a reload); null when there is none. */
  async resume(): Promise<Operator | null> {
    if (!this.tokens.load()) return null;
    try {
      return await this.start();
    } catch (e) {
      if (e instanceof ClubError && e.code === Status.UNAUTHENTICATED) return null;
      throw e;
    }
  }

  /** Ends the session: the server revokes the token; the page shows the login form. */
  async logout(): Promise<void> {
    const link = this.state === "live";
    this.tokens.clear();
    if (link) {
      try {
        await this.request({ case: "logout", value: create(LogoutSchema, {}) }, 5000);
      } catch {
        /* the GoAway that answers it ends the link either way */
      }
    }
    this.shutdown("signedOut");
  }

  /** Closes for good (the page goes away). */
  close(): void {
    this.shutdown("signedOut");
  }

  private shutdown(state: LinkState): void {
    this.generation++;
    clearTimeout(this.retryTimer);
    clearTimeout(this.handshakeTimer);
    clearInterval(this.beatTimer);
    this.pipe?.close();
    this.pipe = undefined;
    this.failPending(new ClubError(Status.UNAVAILABLE, "signed out"));
    for (const r of this.riders) r.suspend();
    this.operator = undefined;
    this.setState(state);
  }

  private start(): Promise<Operator> {
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.loginWaiter?.reject(new ClubError(Status.CANCELLED, "superseded"));
    const p = new Promise<Operator>((resolve, reject) => {
      this.loginWaiter = { resolve, reject };
    });
    this.setState("connecting");
    this.open();
    return p;
  }

  private setState(s: LinkState): void {
    if (this.state === s) return;
    this.state = s;
    for (const cb of this.listeners) cb(s);
  }

  private open(): void {
    const gen = ++this.generation;
    this.pipe?.close();
    this.goAway = undefined;
    this.reader = new FrameReader();
    this.lastRx = this.now;
    // A server that opens and then says nothing (a stalled proxy, a hung
    // daemon) would keep the login form or the banner waiting for ever:
    // past this, the connection counts as lost (a password login fails, a
    // token login retries).
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = setTimeout(() => {
      if (gen === this.generation) this.onClosed("no answer to the login in time");
    }, this.opts.handshakeMs ?? HANDSHAKE_MS);
    this.pipe = this.opts.pipe({
      onOpen: () => gen === this.generation && this.onOpen(),
      onBytes: (b) => gen === this.generation && this.onBytes(b),
      onClose: (why) => gen === this.generation && this.onClosed(why),
    });
  }

  private send(f: Frame): void {
    this.pipe?.send(encodeFrame(f));
  }

  private onOpen(): void {
    this.pipe?.send(preface());
    const id = this.nextId++;
    this.pending.set(id, {
      resolve: (f) => this.onWelcome(f),
      reject: (e) => this.loginFailed(e),
    });
    this.send(makeFrame(id, {
      case: "hello",
      value: create(HelloSchema, {
        clientKind: ClientKind.WEB,
        terminalName: this.opts.terminalName ?? "browser",
        clientVersion: this.opts.clientVersion ?? "web",
      }),
    }));
  }

  private onWelcome(f: Frame): void {
    if (f.body.case !== "welcome") {
      this.loginFailed(new ClubError(Status.INTERNAL, "the server did not welcome us"));
      return;
    }
    this.welcome = f.body.value;
    const beat = this.welcome.heartbeatMs || 15000;
    clearInterval(this.beatTimer);
    this.beatTimer = setInterval(() => this.heartbeat(beat), Math.max(100, beat / 2));
    const login = create(LoginSchema, {});
    const pw = this.pendingPassword;
    const tok = this.tokens.load();
    if (pw) {
      login.login = pw.login;
      login.password = pw.password;
    } else if (tok) {
      login.login = tok.login;
      login.resumeToken = tok.token;
    } else {
      this.loginFailed(new ClubError(Status.UNAUTHENTICATED, "log in again"));
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, {
      resolve: (r) => this.onLoginAnswer(r, !!pw),
      reject: (e) => this.loginFailed(e),
    });
    this.send(makeFrame(id, { case: "login", value: login }));
  }

  private onLoginAnswer(f: Frame, byPassword: boolean): void {
    if (f.body.case !== "loginOk") {
      this.loginFailed(new ClubError(Status.INTERNAL, "unexpected answer to login"));
      return;
    }
    const ok: LoginOk = f.body.value;
    clearTimeout(this.handshakeTimer);
    this.pendingPassword = undefined;
    // The server's answers may be as large as the frames it takes, and
    // never less than the protocol's default (a report or a calendar of
    // 900 KiB on a server taking smaller requests), as the C library does.
    this.reader.maxFrame = Math.max(ok.maxFrame ?? 0, MAX_FRAME_DEFAULT) + 64;
    this.operator = ok.operator;
    if (ok.resumeToken.length && this.operator)
      this.tokens.save({ login: this.operator.login, token: ok.resumeToken, expires: Number(ok.resumeExpires) });
    else if (byPassword) this.tokens.clear();
    this.attempt = 0;
    this.lastError = undefined;
    this.setState("live");
    for (const r of this.riders) r.resume();
    const w = this.loginWaiter;
    this.loginWaiter = undefined;
    if (this.operator) w?.resolve(this.operator);
  }

  private loginFailed(e: ClubError): void {
    this.lastError = e;
    const w = this.loginWaiter;
    const byPassword = this.pendingPassword !== undefined;
    this.pendingPassword = undefined;
    const refused = e.code === Status.UNAUTHENTICATED || e.code === Status.PERMISSION_DENIED ||
      e.code === Status.INVALID_ARGUMENT;
    if (refused || byPassword) {
      // A wrong password, a token the server no longer knows, or a first
      // login that could not be heard: back to the form, with the reason.
      if (refused && !byPassword) this.tokens.clear();
      this.loginWaiter = undefined;
      this.shutdown("signedOut");
      w?.reject(e);
      return;
    }
    this.onClosed(e.message); // a passing refusal of a token login: retry
  }

  private onBytes(b: Uint8Array): void {
    this.lastRx = this.now;
    let frames: Frame[];
    try {
      frames = this.reader.push(b);
    } catch (e) {
      const why = e instanceof FramingError ? e.message : String(e);
      this.onClosed(`framing error: ${why}`);
      return;
    }
    for (const f of frames) this.dispatch(f);
  }

  private dispatch(f: Frame): void {
    const body = f.body;
    if (body.case === "ping") {
      this.send(makeFrame(0n, { case: "pong", value: create(PongSchema, { nonce: body.value.nonce }) }));
      return;
    }
    if (body.case === "goAway") {
      const p = f.requestId ? this.pending.get(f.requestId) : undefined;
      if (p) {
        this.pending.delete(f.requestId);
        p.resolve(f);
      }
      this.lastError = new ClubError(Status.UNAVAILABLE, body.value.reason || "the server closed the connection");
      if (body.value.code) this.goAway = new ClubError(body.value.code, body.value.reason || "the server closed the connection");
      return; // the close follows
    }
    if (f.requestId !== 0n) {
      const p = this.pending.get(f.requestId);
      if (!p) return;
      this.pending.delete(f.requestId);
      if (body.case === "error")
        p.reject(new ClubError(body.value.code, body.value.message || "error", body.value.current));
      else p.resolve(f);
      return;
    }
    if (body.case === "error") {
      this.lastError = new ClubError(body.value.code, body.value.message);
      return;
    }
    for (const r of this.riders) if (r.push(f)) return;
    for (const cb of this.pushListeners) cb(f);
  }

  private heartbeat(beatMs: number): void {
    if (!this.pipe) return;
    if (this.now - this.lastRx > MISSED_BEATS * beatMs) {
      this.onClosed("the server is silent");
      return;
    }
    if (this.state !== "live") return;
    const id = this.nextId++;
    this.pending.set(id, { resolve: () => {}, reject: () => {} });
    this.send(makeFrame(id, { case: "ping", value: create(PingSchema, { nonce: id }) }));
  }

  private failPending(e: ClubError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  private onClosed(why: string): void {
    const pipe = this.pipe;
    this.generation++; // the pipe's own close event is now stale
    this.pipe = undefined;
    pipe?.close();
    clearInterval(this.beatTimer);
    clearTimeout(this.handshakeTimer);
    const wasLoggingIn = this.state === "connecting" && this.pendingPassword !== undefined;
    // A password login the server turned away (too many connections, a
    // frame over the limit before login) fails with the server's reason.
    const lost = (wasLoggingIn ? this.goAway : undefined) ??
      new ClubError(Status.UNAVAILABLE, `the connection to the server was lost (${why})`);
    this.failPending(lost);
    for (const r of this.riders) r.suspend();
    if (this.state === "signedOut") return;
    if (wasLoggingIn && this.loginWaiter) {
      const w = this.loginWaiter;
      this.loginWaiter = undefined;
      this.pendingPassword = undefined;
      this.setState("signedOut");
      w.reject(new ClubError(Status.UNAVAILABLE, "the server cannot be reached"));
      return;
    }
    if (!this.tokens.load()) {
      this.setState("signedOut");
      return;
    }
    this.setState(this.operator ? "reconnecting" : "connecting");
    const bound = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 10);
    const rnd = this.opts.random ? this.opts.random() : Math.random();
    const delay = bound / 2 + rnd * (bound / 2);
    // failPending() above may have come back here through loginFailed():
    // one retry, not two.
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /** Sends a request; resolves with its answer's frame, rejects with a ClubError. */
  request(body: FrameBody, timeoutMs = 30000): Promise<Frame> {
    if (this.state !== "live" || !this.pipe)
      return Promise.reject(new ClubError(Status.UNAVAILABLE, "not connected to the server"));
    const id = this.nextId++;
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(id))
          reject(new ClubError(Status.DEADLINE_EXCEEDED, "the server did not answer in time"));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send(makeFrame(id, body));
    });
  }
}
