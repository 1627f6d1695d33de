/*
 * The wire framing of clubcrm (README, "Wire protocol").
 *
 * A connection starts with a preface from the client: the 8-byte magic
 * "CLUBCRM\n" and the protocol major and minor as big-endian u16 each.
 * Then both sides exchange frames: a big-endian u32 length followed by that
 * many bytes of one protobuf `clubcrm.Frame`. The length is checked before
 * anything is allocated: 0 or more than the current limit is a protocol error.
 */
#ifndef CLUBCRM_FRAME_H
#define CLUBCRM_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "clubcrm.pb-c.h"

#define FRAME_MAGIC "CLUBCRM\n"
#define FRAME_MAGIC_LEN 8
#define FRAME_PREFACE_LEN 12
#define FRAME_PROTOCOL_MAJOR 1
#define FRAME_PROTOCOL_MINOR 0
#define FRAME_HEADER_LEN 4
/* Largest frame accepted before login, and after it by default. */
#define FRAME_MAX_PRELOGIN (8u * 1024u)
#define FRAME_MAX_DEFAULT (1024u * 1024u)

/* Writes the client preface (FRAME_PREFACE_LEN bytes). */
void frame_preface_write(uint8_t out[FRAME_PREFACE_LEN]);

/*
 * Checks a complete preface. 0 and the versions when the magic is right;
 * -EPROTO when it is not.
 */
int frame_preface_parse(const uint8_t in[FRAME_PREFACE_LEN], uint16_t *major,
			uint16_t *minor);

/*
 * Reassembles frames from a byte stream. Idle readers hold no memory: bytes of
 * complete frames are handed out straight from the caller's read buffer, and
 * only the tail of an incomplete frame is copied into a buffer sized for that
 * frame (after its length was checked).
 */
struct frame_reader {
	uint32_t max_frame;  /* current limit; may be raised after login */
	uint8_t header[FRAME_HEADER_LEN];
	size_t header_len;   /* bytes of `header` received */
	uint8_t *partial;    /* payload of the frame being received, or NULL */
	size_t partial_len;  /* its expected length */
	size_t partial_got;  /* bytes received so far */
	uint32_t refused_len; /* the length that made a feed fail -EMSGSIZE */
};

/* Called once per complete frame; a negative return stops the feed. */
typedef int (*frame_cb)(void *ctx, const uint8_t *payload, size_t len);

void frame_reader_init(struct frame_reader *r, uint32_t max_frame);
/*
 * Consumes `len` bytes, calling `cb` for every complete frame in order.
 * 0 when all bytes were consumed; -EMSGSIZE for a length of 0 or over the
 * limit (the reader is then unusable); -ENOMEM; or the callback's negative
 * value (bytes after that frame are dropped).
 */
int frame_reader_feed(struct frame_reader *r, const uint8_t *data, size_t len,
		      frame_cb cb, void *ctx);
/*
 * frame_reader_feed(), telling in *used how many of the `len` bytes were
 * consumed: all of them when it returns 0; up to the end of the frame whose
 * callback stopped the feed (the rest is the caller's to keep); up to the
 * refused length prefix on -EMSGSIZE (the reader is then unusable).
 */
int frame_reader_feed_some(struct frame_reader *r, const uint8_t *data,
			   size_t len, frame_cb cb, void *ctx, size_t *used);
/* After -EMSGSIZE: the length prefix refused (0, or over the limit). */
uint32_t frame_reader_refused_len(const struct frame_reader *r);
/* Bytes the reader holds for an incomplete frame (0 when idle). */
size_t frame_reader_pending(const struct frame_reader *r);
void frame_reader_free(struct frame_reader *r);

/* Appends the length prefix and the packed frame to `out`. 0 or -ENOMEM. */
int frame_encode(const Clubcrm__Frame *f, struct buf *out);

/*
 * Push frames built from an encoded body, for the live views' fan-out:
 * the body (the bytes of one message of the Frame's oneof, field number
 * `field`, e.g. CLUBCRM__FRAME__BODY_DELTAS) is framed as a Frame with no
 * request id, without re-encoding it.
 */
/* Appends the length prefix, the field's head and a copy of `body`. */
int frame_push(struct buf *out, unsigned field, const struct buf *body);
/*
 * The same frame built in place, without a copy of its body: open leaves
 * room for the head at the end of `out` (and reserves `body_hint` more
 * bytes), the caller appends the body, close writes the head in front of
 * it (moving the body only when its length does not fit the room left,
 * i.e. a body under 16 KiB or over 2 MiB). On close's failure, or to give
 * up, the caller sets out->len back to *mark.
 */
int frame_push_open(struct buf *out, unsigned field, size_t body_hint,
		    size_t *mark);
/* The body's bytes so far, after a frame_push_open(). */
size_t frame_push_body(const struct buf *out, unsigned field, size_t mark);
int frame_push_close(struct buf *out, unsigned field, size_t mark);
/*
 * The head alone (length prefix, field tag, body length) of the frame of a
 * `body_len`-byte body, so that a body can be sent from where it was built.
 * Its length (at most FRAME_PUSH_HEAD_MAX).
 */
#define FRAME_PUSH_HEAD_MAX 16u
size_t frame_push_head(unsigned field, size_t body_len,
		       uint8_t head[FRAME_PUSH_HEAD_MAX]);

/*
 * Decodes one frame payload; NULL when it is not a valid Frame. Free with
 * clubcrm__frame__free_unpacked(f, allocator) (allocator may be NULL).
 */
Clubcrm__Frame *frame_decode(const uint8_t *payload, size_t len,
			     ProtobufCAllocator *allocator);

#endif
