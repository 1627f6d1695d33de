#include "frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void frame_preface_write(uint8_t out[FRAME_PREFACE_LEN])
{
	memcpy(out, FRAME_MAGIC, FRAME_MAGIC_LEN);
	put_be16(out + 8, FRAME_PROTOCOL_MAJOR);
	put_be16(out + 10, FRAME_PROTOCOL_MINOR);
}

int frame_preface_parse(const uint8_t in[FRAME_PREFACE_LEN], uint16_t *major,
			uint16_t *minor)
{
	if (memcmp(in, FRAME_MAGIC, FRAME_MAGIC_LEN) != 0)
		return -EPROTO;
	*major = (uint16_t)(in[8] << 8 | in[9]);
	*minor = (uint16_t)(in[10] << 8 | in[11]);
	return 0;
}

void frame_reader_init(struct frame_reader *r, uint32_t max_frame)
{
	memset(r, 0, sizeof(*r));
	r->max_frame = max_frame;
}

size_t frame_reader_pending(const struct frame_reader *r)
{
	return r->header_len + r->partial_got;
}

void frame_reader_free(struct frame_reader *r)
{
	free(r->partial);
	r->partial = NULL;
	r->partial_len = 0;
	r->partial_got = 0;
	r->header_len = 0;
}

static int check_length(struct frame_reader *r, uint32_t len)
{
	if (len == 0 || len > r->max_frame) {
		r->refused_len = len;
		return -EMSGSIZE;
	}
	return 0;
}

/*
 * Completes the header kept from an earlier feed, then the payload kept in
 * r->partial. Adds the bytes consumed to *used (up to the end of the frame
 * delivered, if any); 0 or a negative error (the callback's included).
 */
static int feed_partial(struct frame_reader *r, const uint8_t *data,
			size_t len, frame_cb cb, void *ctx, size_t *used)
{
	size_t off = 0;
	if (!r->partial) {
		size_t need = FRAME_HEADER_LEN - r->header_len;
		size_t take = len < need ? len : need;
		memcpy(r->header + r->header_len, data, take);
		r->header_len += take;
		off = take;
		*used += take;
		if (r->header_len < FRAME_HEADER_LEN)
			return 0;
		uint32_t flen = get_be32(r->header);
		if (check_length(r, flen) < 0)
			return -EMSGSIZE;
		r->partial = malloc(flen);
		if (!r->partial)
			return -ENOMEM;
		r->partial_len = flen;
		r->partial_got = 0;
	}
	size_t need = r->partial_len - r->partial_got;
	size_t take = len - off < need ? len - off : need;
	memcpy(r->partial + r->partial_got, data + off, take);
	r->partial_got += take;
	*used += take;
	if (r->partial_got < r->partial_len)
		return 0;

	uint8_t *payload = r->partial;
	size_t plen = r->partial_len;
	r->partial = NULL;
	r->partial_len = 0;
	r->partial_got = 0;
	r->header_len = 0;
	int ret = cb(ctx, payload, plen);
	free(payload);
	return ret < 0 ? ret : 0;
}

int frame_reader_feed_some(struct frame_reader *r, const uint8_t *data,
			   size_t len, frame_cb cb, void *ctx, size_t *used)
{
	size_t off = 0;
	int ret = 0;
	*used = 0;
	if (r->header_len > 0 || r->partial) {
		ret = feed_partial(r, data, len, cb, ctx, &off);
		if (ret < 0)
			goto out;
	}
	/* Whole frames straight from the caller's buffer: no copy. */
	while (len - off >= FRAME_HEADER_LEN) {
		uint32_t flen = get_be32(data + off);
		ret = check_length(r, flen);
		if (ret < 0)
			goto out;
		if (len - off - FRAME_HEADER_LEN < flen)
			break;
		ret = cb(ctx, data + off + FRAME_HEADER_LEN, flen);
		off += FRAME_HEADER_LEN + flen;
		if (ret < 0)
			goto out;
	}
	if (off < len)
		ret = feed_partial(r, data + off, len - off, cb, ctx, &off);
out:
	*used = off;
	return ret;
}

int frame_reader_feed(struct frame_reader *r, const uint8_t *data, size_t len,
		      frame_cb cb, void *ctx)
{
	size_t used;
	return frame_reader_feed_some(r, data, len, cb, ctx, &used);
}

uint32_t frame_reader_refused_len(const struct frame_reader *r)
{
	return r->refused_len;
}

int frame_encode(const Clubcrm__Frame *f, struct buf *out)
{
	size_t size = clubcrm__frame__get_packed_size(f);
	if (size == 0 || size > UINT32_MAX)
		return -EMSGSIZE;
	int ret = buf_reserve(out, FRAME_HEADER_LEN + size);
	if (ret < 0)
		return ret;
	put_be32(out->data + out->len, (uint32_t)size);
	size_t packed = clubcrm__frame__pack(f, out->data + out->len +
						    FRAME_HEADER_LEN);
	out->len += FRAME_HEADER_LEN + packed;
	return 0;
}

Clubcrm__Frame *frame_decode(const uint8_t *payload, size_t len,
			     ProtobufCAllocator *allocator)
{
	if (!payload || len == 0)
		return NULL;
	return clubcrm__frame__unpack(allocator, len, payload);
}

/* ------------------------------------------------------------ push frames */

#define WIRE_LEN 2u  /* protobuf wire type of a length-delimited field */

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >>= 7)
		n++;
	return n;
}

/* Writes `v` at `p` (varint_len(v) bytes). */
static size_t varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	do {
		uint8_t byte = v & 0x7f;
		v >>= 7;
		p[n++] = byte | (v ? 0x80 : 0);
	} while (v);
	return n;
}

/* The head after the length prefix: the field's tag and the body length. */
static size_t push_head_len(unsigned field, size_t body)
{
	return varint_len((uint64_t)field << 3 | WIRE_LEN) + varint_len(body);
}

/* Writes the whole head (prefix, tag, body length) at `p`; its length. */
static size_t push_head_put(uint8_t *p, unsigned field, size_t body)
{
	size_t head = push_head_len(field, body);
	put_be32(p, (uint32_t)(head + body));
	size_t n = FRAME_HEADER_LEN;
	n += varint_put(p + n, (uint64_t)field << 3 | WIRE_LEN);
	n += varint_put(p + n, body);
	return n;
}

size_t frame_push_head(unsigned field, size_t body_len,
		       uint8_t head[FRAME_PUSH_HEAD_MAX])
{
	/* Fits by construction: 4 + at most 2 (a Frame field) + 10. */
	return push_head_put(head, field, body_len);
}

int frame_push(struct buf *out, unsigned field, const struct buf *body)
{
	size_t head = push_head_len(field, body->len);
	if (body->len > UINT32_MAX - head)
		return -EMSGSIZE;
	int rc = buf_reserve(out, FRAME_HEADER_LEN + head + body->len);
	if (rc)
		return rc;
	out->len += push_head_put(out->data + out->len, field, body->len);
	if (body->len)
		memcpy(out->data + out->len, body->data, body->len);
	out->len += body->len;
	return 0;
}

/* Room left for the head: the frame length, the tag, and a 3-byte body
 * length (16 KiB to 2 MiB: a full snapshot chunk). */
static size_t push_gap(unsigned field)
{
	return FRAME_HEADER_LEN + varint_len((uint64_t)field << 3 | WIRE_LEN) +
	       3;
}

int frame_push_open(struct buf *out, unsigned field, size_t body_hint,
		    size_t *mark)
{
	size_t gap = push_gap(field);
	if (body_hint > SIZE_MAX - gap)
		return -EMSGSIZE;
	int rc = buf_reserve(out, gap + body_hint);
	if (rc)
		return rc;
	*mark = out->len;
	out->len += gap;
	return 0;
}

size_t frame_push_body(const struct buf *out, unsigned field, size_t mark)
{
	return out->len - mark - push_gap(field);
}

int frame_push_close(struct buf *out, unsigned field, size_t mark)
{
	size_t gap = push_gap(field);
	size_t body = out->len - mark - gap;
	size_t head = push_head_len(field, body);
	if (body > UINT32_MAX - head)
		return -EMSGSIZE;
	size_t need = FRAME_HEADER_LEN + head;
	if (need > gap) {
		int rc = buf_reserve(out, need - gap);
		if (rc)
			return rc;
	}
	if (need != gap)
		memmove(out->data + mark + need, out->data + mark + gap, body);
	push_head_put(out->data + mark, field, body);
	out->len = mark + need + body;
	return 0;
}
