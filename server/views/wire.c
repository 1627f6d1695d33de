#include "wire.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "frame.h"

int wire_varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		uint8_t byte = v & 0x7f;
		v >>= 7;
		tmp[n++] = byte | (v ? 0x80 : 0);
	} while (v);
	return buf_append(b, tmp, n);
}

size_t wire_varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >>= 7)
		n++;
	return n;
}

int wire_tag(struct buf *b, unsigned field, unsigned wire_type)
{
	return wire_varint(b, (uint64_t)field << 3 | wire_type);
}

int wire_uint(struct buf *b, unsigned field, uint64_t v)
{
	int rc = wire_tag(b, field, WIRE_VARINT);
	return rc ? rc : wire_varint(b, v);
}

int wire_bytes(struct buf *b, unsigned field, const uint8_t *p, size_t n)
{
	int rc = wire_tag(b, field, WIRE_LEN);
	if (!rc)
		rc = wire_varint(b, n);
	if (!rc)
		rc = buf_append(b, p, n);
	return rc;
}

int wire_push_frame(struct buf *out, unsigned field, const struct buf *body)
{
	struct buf head = {0};
	int rc = wire_tag(&head, field, WIRE_LEN);
	if (!rc)
		rc = wire_varint(&head, body->len);
	size_t total = head.len + body->len;
	if (!rc && (total == 0 || total > UINT32_MAX))
		rc = -EMSGSIZE;
	if (!rc)
		rc = buf_reserve(out, FRAME_HEADER_LEN + total);
	if (!rc) {
		uint8_t len[FRAME_HEADER_LEN] = {
			(uint8_t)(total >> 24), (uint8_t)(total >> 16),
			(uint8_t)(total >> 8), (uint8_t)total};
		buf_append(out, len, sizeof(len));
		buf_append(out, head.data, head.len);
		buf_append(out, body->data, body->len);
	}
	buf_free(&head);
	return rc;
}

/* Room left for the header: the frame length, the tag, and a 3-byte body
 * length (16 KiB to 2 MiB: a full snapshot chunk). */
static size_t frame_gap(unsigned field)
{
	return FRAME_HEADER_LEN + wire_varint_len((uint64_t)field << 3 | WIRE_LEN) +
	       3;
}

int wire_push_frame_open(struct buf *out, unsigned field, size_t body_hint,
			 size_t *mark)
{
	size_t gap = frame_gap(field);
	if (body_hint > SIZE_MAX - gap)
		return -EMSGSIZE;
	int rc = buf_reserve(out, gap + body_hint);
	if (rc)
		return rc;
	*mark = out->len;
	out->len += gap;
	return 0;
}

size_t wire_push_frame_body(const struct buf *out, unsigned field,
			    size_t mark)
{
	return out->len - mark - frame_gap(field);
}

int wire_push_frame_close(struct buf *out, unsigned field, size_t mark)
{
	size_t gap = frame_gap(field);
	size_t body = out->len - mark - gap;
	uint64_t tag = (uint64_t)field << 3 | WIRE_LEN;
	size_t head = wire_varint_len(tag) + wire_varint_len(body);
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
	size_t total = head + body;
	uint8_t *p = out->data + mark;
	p[0] = (uint8_t)(total >> 24);
	p[1] = (uint8_t)(total >> 16);
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	/* The header's varints, written where the room is. */
	out->len = mark + FRAME_HEADER_LEN;
	int rc = wire_varint(out, tag);
	if (!rc)
		rc = wire_varint(out, body);
	out->len = mark + need + body;
	return rc;
}
