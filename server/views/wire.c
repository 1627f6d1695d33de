#include "wire.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>


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
