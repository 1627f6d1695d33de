/*
 * Hand assembly of protobuf bytes for the live-view fan-out. A repeated
 * message field is a run of (tag, length, bytes) elements, so a delta for one
 * subscriber is assembled from rows encoded once per commit, never re-encoded
 * per subscriber. Message bodies only: framing them is frame.h's.
 */
#ifndef CLUBCRM_WIRE_H
#define CLUBCRM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "clubcrm.pb-c.h"

#define WIRE_VARINT 0u
#define WIRE_LEN 2u

int wire_varint(struct buf *b, uint64_t v);
/* The bytes wire_varint() takes for v. */
size_t wire_varint_len(uint64_t v);
int wire_tag(struct buf *b, unsigned field, unsigned wire_type);
/* field = varint */
int wire_uint(struct buf *b, unsigned field, uint64_t v);
/* field = length-delimited bytes (an embedded message or a string) */
int wire_bytes(struct buf *b, unsigned field, const uint8_t *p, size_t n);

/*
 * A snapshot's two hot paths, by hand: protobuf-c's generic walk over the
 * descriptors took 80 % of a 100,000-task snapshot (README-performance.md).
 *
 * Appends a TaskRow as an element of repeated field `field`: its task
 * (field 1) is the `task` bytes as they are, then every other field of
 * `row` in field order, the same bytes clubcrm__task_row__pack() gives
 * (tests/unit/test_wire.c compares the two and fails when TaskRow gains a
 * field). 0 or -ENOMEM (then `b` is as it was).
 */
int wire_task_row_append(struct buf *b, unsigned field, const uint8_t *task,
			 size_t task_len, const Clubcrm__TaskRow *row);
/*
 * Decodes a stored Task record for a view: every field a view or a row
 * reads, strings (description, closing_note) left NULL, tag_ids in `a`.
 * The record's structure is checked as clubcrm__task__unpack() checks it.
 * 0, -EIO (malformed) or -ENOMEM.
 */
int wire_task_scan(const uint8_t *p, size_t len, struct arena *a,
		   Clubcrm__Task *out);

#endif
