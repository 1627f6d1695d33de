/*
 * Hand assembly of protobuf bytes for the live-view fan-out. A repeated
 * message field is a run of (tag, length, bytes) elements, so a delta for one
 * subscriber is assembled from rows encoded once per commit, never re-encoded
 * per subscriber.
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
/*
 * Wraps `body` as field `field` of a Frame (request_id unset: a push) and
 * appends it to `out` with the 4-byte length prefix of the framing.
 */
int wire_push_frame(struct buf *out, unsigned field, const struct buf *body);

/*
 * The same frame built in place, without a copy of its body: open leaves
 * room for the header at the end of `out` (and reserves `body_hint` more
 * bytes), the caller appends the body, close writes the header in front of
 * it (moving the body only when its length does not fit the room left,
 * i.e. a body under 16 KiB or over 2 MiB). On close's failure, or to give
 * up, the caller sets out->len back to *mark.
 */
int wire_push_frame_open(struct buf *out, unsigned field, size_t body_hint,
			 size_t *mark);
/* The body's bytes so far, after a wire_push_frame_open(). */
size_t wire_push_frame_body(const struct buf *out, unsigned field,
			    size_t mark);
int wire_push_frame_close(struct buf *out, unsigned field, size_t mark);

#endif
