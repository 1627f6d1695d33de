/*
 * The wire framing (README "Wire protocol"), in the browser: the client's
 * 12-byte preface, then frames of a big-endian u32 length and one protobuf
 * `Frame`. A WebSocket message may carry any part of the stream, so the
 * reader reassembles frames from whatever pieces arrive. Lengths are checked
 * before anything is kept: 0 or over the limit is a framing error.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FrameSchema, type Frame } from "../gen/clubcrm_pb.js";

export const PROTOCOL_MAJOR = 1;
export const PROTOCOL_MINOR = 0;
const MAGIC = "CLUBCRM\n";
const HEADER_LEN = 4;
/** Largest frame before the server announces its limit (Welcome/LoginOk). */
export const MAX_FRAME_DEFAULT = 1024 * 1024;

export function preface(): Uint8Array {
  const out = new Uint8Array(12);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  const view = new DataView(out.buffer);
  view.setUint16(8, PROTOCOL_MAJOR);
  view.setUint16(10, PROTOCOL_MINOR);
  return out;
}

/** One frame's bytes: its length, then the encoded Frame. */
export function encodeFrame(frame: Frame): Uint8Array {
  const body = toBinary(FrameSchema, frame);
  const out = new Uint8Array(HEADER_LEN + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, HEADER_LEN);
  return out;
}

export type FrameBody = Frame["body"];

export function makeFrame(requestId: bigint, body: FrameBody): Frame {
  return create(FrameSchema, { requestId, body });
}

export class FramingError extends Error {}

/** Reassembles frames from a byte stream split anyhow. */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(public maxFrame = MAX_FRAME_DEFAULT) {}

  /** Takes bytes; returns every frame they complete, in order. */
  push(bytes: Uint8Array): Frame[] {
    if (bytes.length) {
      this.chunks.push(bytes);
      this.buffered += bytes.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < HEADER_LEN) return frames;
      const header = this.peek(HEADER_LEN);
      const len = new DataView(header.buffer, header.byteOffset, HEADER_LEN).getUint32(0);
      if (len === 0 || len > this.maxFrame)
        throw new FramingError(`frame of ${len} bytes (limit ${this.maxFrame})`);
      if (this.buffered < HEADER_LEN + len) return frames;
      this.take(HEADER_LEN);
      const body = this.take(len);
      try {
        frames.push(fromBinary(FrameSchema, body));
      } catch (e) {
        throw new FramingError(`undecodable frame: ${(e as Error).message}`);
      }
    }
  }

  reset(): void {
    this.chunks = [];
    this.buffered = 0;
  }

  private peek(n: number): Uint8Array {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    return this.gather(n, false);
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    return this.gather(n, true);
  }

  private gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let got = 0;
    let i = 0;
    while (got < n) {
      const c = this.chunks[i];
      const part = Math.min(c.length, n - got);
      out.set(c.subarray(0, part), got);
      got += part;
      if (consume) {
        if (part === c.length) this.chunks.shift();
        else {
          this.chunks[0] = c.subarray(part);
          i++;
        }
      } else i++;
    }
    if (consume) this.buffered -= n;
    return out;
  }
}
