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

#include "buf.h"

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

#endif
