// Adding a customer carries an idempotency key (a retry after a lost answer
// adds it once: the server returns the first); an edit carries none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { CustomerReplySchema, type Frame, FrameSchema } from "../../src/gen/clubcrm_pb.js";
import { Api } from "../../src/lib/api.js";
import type { ClubClient } from "../../src/lib/client.js";

function recorder(sent: Frame["body"][]): ClubClient {
  return {
    request: (body: Frame["body"]) => {
      sent.push(body);
      return Promise.resolve(create(FrameSchema, {
        body: { case: "customerReply", value: create(CustomerReplySchema, { customer: { id: 5n } }) },
      }));
    },
  } as unknown as ClubClient;
}

test("an add carries the form's key, the same on a second save", async () => {
  const sent: Frame["body"][] = [];
  const api = new Api(recorder(sent));
  const key = new Uint8Array([1, 2, 3, 4]);
  await api.upsertCustomer({ name: "Nerea" }, key);
  await api.upsertCustomer({ name: "Nerea" }, key);
  assert.equal(sent.length, 2);
  for (const b of sent) {
    assert.equal(b.case, "upsertCustomer");
    assert.deepEqual([...(b.value as { idempotencyKey: Uint8Array }).idempotencyKey], [1, 2, 3, 4]);
  }
});

test("an add without a key gets a new one; an edit sends none", async () => {
  const sent: Frame["body"][] = [];
  const api = new Api(recorder(sent));
  await api.upsertCustomer({ name: "Nerea" });
  await api.upsertCustomer({ id: 5n, name: "Nerea Ruiz" });
  const add = sent[0].value as { idempotencyKey: Uint8Array };
  const edit = sent[1].value as { idempotencyKey: Uint8Array };
  assert.equal(add.idempotencyKey.length, 16);
  assert.equal(edit.idempotencyKey.length, 0);
});
