/*
 * A server inside the test, behind the client's pipe (no clubcrmd): each
 * connection opens at once; the frames the client sends after its preface
 * are handed to `onFrame`, which answers them, or not (the default: a
 * server that never says anything). For the library's unit tests.
 */
import type { Frame } from "../../src/gen/clubcrm_pb.js";
import type { PipeEvents, PipeFactory } from "../../src/lib/pipe.js";
import { type FrameBody, FrameReader, encodeFrame, makeFrame, preface } from "../../src/lib/wire.js";

/** What the server may do about one frame the client sent. */
export interface FakeExchange {
  /** The answer to the frame (its request id). */
  reply(body: FrameBody): void;
  /** A frame of the server's own (request id 0). */
  push(body: FrameBody): void;
  /** The server closes the connection, after what it sent before. */
  hangUp(why: string): void;
}

export interface FakeServer {
  /** The client's `pipe`. */
  factory: PipeFactory;
  /** Connections the client opened, and those it closed. */
  opened: number;
  closed: number;
  /** Cuts the current connection, as a network would. */
  drop(): void;
}

export function fakeServer(onFrame: (f: Frame, x: FakeExchange) => void = () => {}): FakeServer {
  let current: PipeEvents | undefined;
  const s: FakeServer = {
    opened: 0,
    closed: 0,
    drop() {
      const ev = current;
      current = undefined;
      ev?.onClose("dropped by the test");
    },
    factory: (ev: PipeEvents) => {
      s.opened++;
      current = ev;
      const reader = new FrameReader();
      let unread = preface().length;
      // Delivered later, and only while this connection is the current one.
      const send = (f: Frame) => queueMicrotask(() => current === ev && ev.onBytes(encodeFrame(f)));
      queueMicrotask(() => ev.onOpen());
      return {
        send(bytes: Uint8Array) {
          if (unread) {
            const skip = Math.min(unread, bytes.length);
            unread -= skip;
            bytes = bytes.subarray(skip);
          }
          for (const f of reader.push(bytes)) {
            onFrame(f, {
              reply: (body) => send(makeFrame(f.requestId, body)),
              push: (body) => send(makeFrame(0n, body)),
              hangUp: (why) => queueMicrotask(() => {
                if (current !== ev) return;
                current = undefined;
                ev.onClose(why);
              }),
            });
          }
        },
        close() {
          s.closed++;
          if (current === ev) current = undefined;
        },
      };
    },
  };
  return s;
}
