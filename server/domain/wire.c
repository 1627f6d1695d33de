#include "wire.h"

#include <errno.h>

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
