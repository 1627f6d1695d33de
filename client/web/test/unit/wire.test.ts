// The framing: preface bytes, frames split anyhow, several in one piece,
// and the lengths refused before anything is kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { PingSchema } from "../../src/gen/clubcrm_pb.js";
import { FrameReader, FramingError, encodeFrame, makeFrame, preface } from "../../src/lib/wire.js";

test("preface is the magic and version 1.0", () => {
  assert.deepEqual([...preface()], [...new TextEncoder().encode("CLUBCRM\n"), 0, 1, 0, 0]);
});

test("frames reassemble across any split, and several in one piece", () => {
  const frames = [1n, 2n, 3n].map((id) =>
    encodeFrame(makeFrame(id, { case: "ping", value: create(PingSchema, { nonce: id * 1000n }) })));
  const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of frames) { all.set(f, o); o += f.length; }
  for (let split = 1; split <= all.length; split++) {
    const r = new FrameReader();
    const got = [];
    for (let i = 0; i < all.length; i += split) got.push(...r.push(all.subarray(i, i + split)));
    assert.deepEqual(got.map((f) => f.requestId), [1n, 2n, 3n], `split ${split}`);
    assert.equal(got[2].body.case === "ping" && got[2].body.value.nonce, 3000n);
  }
});

test("a zero or oversized length is a framing error", () => {
  assert.throws(() => new FrameReader().push(new Uint8Array([0, 0, 0, 0])), FramingError);
  assert.throws(() => new FrameReader(100).push(new Uint8Array([0, 0, 0, 101, 1])), FramingError);
});

test("undecodable bytes are a framing error", () => {
  assert.throws(() => new FrameReader().push(new Uint8Array([0, 0, 0, 2, 0xff, 0xff])), FramingError);
});
