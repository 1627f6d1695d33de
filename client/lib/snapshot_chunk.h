/*
 * A snapshot chunk's rows read straight from the frame's bytes (issue 15):
 * neither protobuf-c's generic unpack of the whole frame nor a second copy
 * per row. Each row is decoded by hand (taskrow.h) into the one block the
 * replica keeps (replica_apply_rows()). live.c gives every push frame here
 * first (client.h's on_raw_push); anything this does not take goes the
 * ordinary way, decoded by protobuf-c, which ends the connection on a
 * malformed frame.
 *
 * Only the plain shape is taken: a Frame holding nothing but snapshot_chunk
 * (field 200), the chunk nothing but sub_id and rows. A catalogue in the
 * chunk, another field, a row that does not decode: not taken, and no row
 * of that chunk kept (the ordinary path applies them all or none).
 */
#ifndef CLUBCRM_SNAPSHOT_CHUNK_H
#define CLUBCRM_SNAPSHOT_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"

/* A frame read as a plain snapshot chunk: where its fields lie. */
struct snapshot_chunk {
	const uint8_t *fields;    /* the SnapshotChunk's bytes */
	size_t len;
	uint64_t sub_id;          /* the last one given; 0 when none */
	size_t n_rows;            /* rows in it (not decoded yet) */
};

/* True when `frame` (a Frame's bytes, without the length) has the plain
 * shape; *out then says which subscription and how many rows. */
bool snapshot_chunk_parse(const uint8_t *frame, size_t len,
			  struct snapshot_chunk *out);

/* Decodes every row of a parsed chunk into rows[0..c->n_rows) (each one
 * block, to be taken by replica_apply_rows() or freed with taskrow_free()).
 * True when all decoded; false when one did not (malformed, no memory):
 * then none is left in `rows`. */
bool snapshot_chunk_rows(const struct snapshot_chunk *c,
			 Clubcrm__TaskRow **rows);

#endif
