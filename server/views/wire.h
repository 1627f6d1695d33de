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
 * Every field of a TaskRow but its task (field 1), in field order: the same
 * bytes clubcrm__task_row__pack() gives for them (tests/unit/test_wire.c
 * compares the two and fails when TaskRow gains a field).
 */
size_t wire_task_row_tail_len(const Clubcrm__TaskRow *row);
/* Writes them at p (wire_task_row_tail_len() bytes); returns the length. */
size_t wire_task_row_tail(const Clubcrm__TaskRow *row, uint8_t *p);
/*
 * Decodes a stored Task record for a view: every field a view or a row
 * reads, strings (description, closing_note) left NULL, tag_ids in `a`.
 * The record's structure is checked as clubcrm__task__unpack() checks it.
 * 0, -EIO (malformed) or -ENOMEM.
 */
int wire_task_scan(const uint8_t *p, size_t len, struct arena *a,
		   Clubcrm__Task *out);

#endif
