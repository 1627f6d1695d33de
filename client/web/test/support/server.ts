// Starts a real clubcrmd on the demo club for the tests: a fresh data
// directory, ephemeral ports, and the addresses read from its
// "listening on" lines. CLUBCRMD names the binary (ctest sets it).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Socket, connect } from "node:net";
import type { PipeFactory } from "../../src/lib/pipe.js";

export interface Server {
  proc: ChildProcess;
  data: string;
  tcp: { host: string; port: number };
  web?: { host: string; port: number };
  log: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

function binary(): string {
  const b = process.env.CLUBCRMD;
  if (!b) throw new Error("CLUBCRMD is not set (the clubcrmd binary to test)");
  return b;
}

export interface LaunchOptions {
  /** Serve the web listener too (the browser tests). */
  web?: boolean;
  extra?: string[];
}

async function launch(data: string, o: LaunchOptions, log: string[], tcpPort = 0, webPort = 0) {
  const args = ["--data", data, "--listen", `127.0.0.1:${tcpPort}`, "--demo", "--login-backoff-ms", "50"];
  if (o.web) {
    args.push("--web-listen", `127.0.0.1:${webPort}`);
    if (process.env.CLUBCRM_WEB_ROOT) args.push("--web-root", process.env.CLUBCRM_WEB_ROOT);
  } else {
    args.push("--web-listen", "none"); // the default port is the demo's, maybe in use
  }
  args.push(...(o.extra ?? []));
  const proc = spawn(binary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  let tcp: { host: string; port: number } | undefined;
  let web: { host: string; port: number } | undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`clubcrmd did not start:\n${log.join("\n")}`)), 20000);
    const onLine = (line: string) => {
      log.push(line);
      // "clubcrmd: listening on 127.0.0.1:7411", "clubcrmd: web desk on http://127.0.0.1:7412/"
      const m = /(?:listening on|web desk on) (?:https?:\/\/)?([0-9.]+):(\d+)/.exec(line);
      if (m) {
        const addr = { host: m[1], port: Number(m[2]) };
        if (/web|http/.test(line)) web = addr;
        else tcp = addr;
      }
      if (tcp && (web || !o.web)) {
        clearTimeout(timer);
        proc.removeAllListeners("exit");
        resolve();
      }
    };
    let buf = "";
    const feed = (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    };
    proc.stdout!.on("data", feed);
    proc.stderr!.on("data", feed);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`clubcrmd exited (${code}):\n${log.join("\n")}`));
    });
  });
  return { proc, tcp: tcp!, web };
}

const STOP_GRACE_MS = 20_000;

/** Whether `pid` is still a process (a zombie included). */
function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const stopping = new WeakMap<ChildProcess, Promise<void>>();

/**
 * Stops a server process: the signal, then its exit. One stop per process,
 * whoever asks (a test's own stop, a restart, the suite's cleanup): a
 * second call waits for the first. A process that does not exit within the
 * grace is said so loudly (with its last log lines and its threads) and
 * killed; one whose exit was never reported once gone is taken as gone, so
 * that a stop never hangs the run.
 */
function stopProcess(p: ChildProcess, signal: NodeJS.Signals, log: string[]): Promise<void> {
  const running = stopping.get(p);
  if (running) return running;
  const done = new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    let poll: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(late);
      if (poll) clearInterval(poll);
      resolve();
    };
    const late = setTimeout(() => {
      if (!alive(p.pid)) {
        console.error(`clubcrmd (pid ${p.pid}) is gone but its exit was not reported ` +
          `${STOP_GRACE_MS} ms after ${signal}; going on`);
        return finish();
      }
      console.error(`clubcrmd (pid ${p.pid}) still running ${STOP_GRACE_MS} ms after ${signal}; ` +
        `killing it. Its last log lines:\n${log.slice(-15).join("\n")}\n` +
        `Its threads (name, state, where each waits):\n${threadStates(p.pid)}`);
      p.kill("SIGKILL");
      poll = setInterval(() => {
        if (!alive(p.pid)) finish();
      }, 100);
    }, STOP_GRACE_MS);
    p.once("exit", finish);
    p.kill(signal);
  });
  stopping.set(p, done);
  return done;
}

export async function startServer(o: LaunchOptions = {}): Promise<Server> {
  const data = mkdtempSync(join(tmpdir(), "clubcrm-web-test-"));
  const log: string[] = [];
  const first = await launch(data, o, log);
  const s: Server = {
    ...first,
    data,
    log,
    stop(signal: NodeJS.Signals = "SIGTERM") {
      return stopProcess(s.proc, signal, log);
    },
    async restart() {
      await s.stop("SIGKILL");
      const again = await launch(data, o, log, s.tcp.port, s.web?.port ?? 0);
      s.proc = again.proc;
      s.tcp = again.tcp;
      s.web = again.web;
    },
  };
  return s;
}

export function cleanup(s: Server): Promise<void> {
  return s.stop().then(() => rmSync(s.data, { recursive: true, force: true }));
}

/** A pipe over the native TCP listener: the library tested without a browser. */
export function tcpPipe(host: string, port: () => number): PipeFactory {
  return (ev) => {
    const sock: Socket = connect(port(), host);
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      ev.onClose(why);
    };
    sock.on("connect", () => ev.onOpen());
    sock.on("data", (d: Buffer) => ev.onBytes(new Uint8Array(d.buffer, d.byteOffset, d.length)));
    sock.on("error", (e) => end(e.message));
    sock.on("close", () => end("closed"));
    return {
      send: (b) => void sock.write(b),
      close: () => {
        end("closed by the client");
        sock.destroy();
      },
    };
  };
}

/* Where a process that does not exit is stuck: one line per thread, read
 * from /proc (its name, its state letter, the kernel function it waits
 * in). Nothing on a system without /proc. */
function threadStates(pid: number | undefined): string {
  if (pid === undefined) return "";
  const read = (f: string) => {
    try {
      return readFileSync(f, "utf8").trim();
    } catch {
      return "?";
    }
  };
  try {
    return readdirSync(`/proc/${pid}/task`)
      .map((tid) => {
        const dir = `/proc/${pid}/task/${tid}`;
        const stat = read(`${dir}/stat`);
        const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
        return `  ${tid} ${read(`${dir}/comm`)} ${state} ${read(`${dir}/wchan`)}`;
      })
      .join("\n");
  } catch {
    return "  (not readable)";
  }
}
