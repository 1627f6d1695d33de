#include "wire.h"

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
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

/* ------------------------------------------------------------ TaskRow */

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static uint8_t *put_tag(uint8_t *p, unsigned field, unsigned type)
{
	return put_varint(p, (uint64_t)field << 3 | type);
}

/* Room for `n` more bytes; the check inline, the growing in buf.c. */
static inline int room(struct buf *b, size_t n)
{
	return n <= b->cap - b->len ? 0 : buf_reserve(b, n);
}

/* Appends string field `field` (NULL: the empty string). */
static int app_str(struct buf *b, unsigned field, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int rc = room(b, 5 + 10 + n);
	if (rc)
		return rc;
	uint8_t *p = put_tag(b->data + b->len, field, WIRE_LEN);
	p = put_varint(p, n);
	if (n)
		memcpy(p, s, n);
	b->len = (size_t)(p + n - b->data);
	return 0;
}

static int app_opt_str(struct buf *b, unsigned field, const char *s)
{
	return s ? app_str(b, field, s) : 0;
}

static int app_int(struct buf *b, unsigned field, uint64_t v)
{
	int rc = room(b, 5 + 10);
	if (rc)
		return rc;
	uint8_t *p = put_tag(b->data + b->len, field, WIRE_VARINT);
	b->len = (size_t)(put_varint(p, v) - b->data);
	return 0;
}

/* Fields 2-17, in field order. */
static int app_row_tail(struct buf *b, const Clubcrm__TaskRow *r)
{
	int rc = app_opt_str(b, 2, r->type_name);
	if (!rc)
		rc = app_opt_str(b, 3, r->customer_name);
	if (!rc)
		rc = app_opt_str(b, 4, r->operator_login);
	if (!rc)
		rc = app_opt_str(b, 5, r->operator_name);
	if (!rc)
		rc = app_opt_str(b, 6, r->creator_login);
	if (!rc)
		rc = app_opt_str(b, 7, r->creator_name);
	if (!rc)
		rc = app_opt_str(b, 8, r->result_name);
	if (!rc && r->has_outcome)
		rc = app_int(b, 9, (uint64_t)(int64_t)r->outcome);
	if (!rc && r->has_colour)
		rc = app_int(b, 10, (uint64_t)(int64_t)r->colour);
	if (!rc && r->has_overdue)
		rc = app_int(b, 11, r->overdue ? 1 : 0);
	if (!rc && r->has_priority)
		rc = app_int(b, 12, r->priority ? 1 : 0);
	for (size_t i = 0; !rc && i < r->n_tag_names; i++)
		rc = app_str(b, 13, r->tag_names[i]);
	if (!rc)
		rc = app_opt_str(b, 14, r->taken_by_login);
	if (!rc)
		rc = app_opt_str(b, 15, r->taken_by_name);
	if (!rc && r->has_escalated)
		rc = app_int(b, 16, r->escalated ? 1 : 0);
	for (size_t i = 0; !rc && i < r->n_tag_colours; i++)
		rc = app_str(b, 17, r->tag_colours[i]);
	return rc;
}

/* A row's length is written before its body is known: two bytes are
 * left for it (rows of 128 bytes to 16 KiB), moved if it needs more or
 * fewer. */
#define ROW_LEN_ROOM 2u

int wire_task_row_append(struct buf *b, unsigned field, const uint8_t *task,
			 size_t task_len, const Clubcrm__TaskRow *row)
{
	size_t start = b->len;
	int rc = room(b, 5 + ROW_LEN_ROOM + 1 + 10 + task_len);
	if (rc)
		return rc;
	uint8_t *p = put_tag(b->data + b->len, field, WIRE_LEN);
	size_t body = (size_t)(p - b->data) + ROW_LEN_ROOM;
	p = put_tag(b->data + body, 1, WIRE_LEN);
	p = put_varint(p, task_len);
	if (task_len)
		memcpy(p, task, task_len);
	b->len = (size_t)(p + task_len - b->data);
	rc = app_row_tail(b, row);
	size_t len = b->len - body;
	size_t need = wire_varint_len(len);
	if (!rc && need > ROW_LEN_ROOM)
		rc = buf_reserve(b, need - ROW_LEN_ROOM);
	if (rc) {
		b->len = start;
		return rc;
	}
	size_t at = body - ROW_LEN_ROOM;
	if (need != ROW_LEN_ROOM)
		memmove(b->data + at + need, b->data + body, len);
	put_varint(b->data + at, len);
	b->len = at + need + len;
	return 0;
}

/* ------------------------------------------------------------ Task */

/* A varint of 2 to 8 bytes in the word `w` (little-endian bytes at p)
 * whose last byte is byte `n` - 1: its value. */
static uint64_t varint_of_word(uint64_t w, unsigned n)
{
	if (n < 8)
		w &= (UINT64_C(1) << (8 * n)) - 1;
	/* Each byte's 7 bits moved down by one bit a byte, for all 8 bytes
	 * at once (the bytes past the last are zero). */
	w &= UINT64_C(0x7f7f7f7f7f7f7f7f);
	w = (w & UINT64_C(0x007f007f007f007f)) |
	    ((w & UINT64_C(0x7f007f007f007f00)) >> 1);
	w = (w & UINT64_C(0x00003fff00003fff)) |
	    ((w & UINT64_C(0x3fff00003fff0000)) >> 2);
	return (w & UINT64_C(0x000000000fffffff)) |
	       ((w & UINT64_C(0x0fffffff00000000)) >> 4);
}

/* A varint at *p (< end): its value, *p moved past it; -1 if malformed. */
static inline int get_varint(const uint8_t **p, const uint8_t *end,
			     uint64_t *v)
{
	const uint8_t *q = *p;
	if (q < end && q[0] < 0x80) {  /* most keys and small ids */
		*v = q[0];
		*p = q + 1;
		return 0;
	}
	if (end - q >= 8) {  /* timestamps and revisions: up to 8 bytes */
		uint64_t w;
		memcpy(&w, q, 8);
		w = le64toh(w);
		uint64_t stops = ~w & UINT64_C(0x8080808080808080);
		if (stops) {
			unsigned n = (unsigned)__builtin_ctzll(stops) / 8 + 1;
			*v = varint_of_word(w, n);
			*p = q + n;
			return 0;
		}
	}
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 70 && q < end; shift += 7) {
		uint8_t b = *q++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			*p = q;
			return 0;
		}
	}
	return -1;
}

/* Skips a field's value of wire type `type`; -1 if malformed. */
static int skip_value(const uint8_t **p, const uint8_t *end, unsigned type)
{
	uint64_t n;
	switch (type) {
	case WIRE_VARINT:
		return get_varint(p, end, &n);
	case 1: /* 64-bit */
		n = 8;
		break;
	case WIRE_LEN:
		if (get_varint(p, end, &n))
			return -1;
		break;
	case 5: /* 32-bit */
		n = 4;
		break;
	default: /* groups: protobuf-c refuses them too */
		return -1;
	}
	if (n > (uint64_t)(end - *p))
		return -1;
	*p += n;
	return 0;
}

/* The tag ids: one per varint element, or a packed run of them. */
static int scan_tags(const uint8_t **p, const uint8_t *end, unsigned type,
		     struct arena *a, size_t *cap, Clubcrm__Task *t)
{
	const uint8_t *q = *p, *qend = end;
	uint64_t v;
	if (type == WIRE_LEN) {
		if (get_varint(&q, end, &v) || v > (uint64_t)(end - q))
			return -EIO;
		qend = q + v;
	} else if (type != WIRE_VARINT) {
		return -EIO;
	}
	/* One element, or a packed run of any length (an empty one too). */
	while (type == WIRE_VARINT || q < qend) {
		if (get_varint(&q, qend, &v))
			return -EIO;
		if (t->n_tag_ids == *cap) {
			size_t ncap = *cap ? *cap * 2 : 4;
			uint64_t *ids = arena_alloc(a, ncap * sizeof(*ids));
			if (!ids)
				return -ENOMEM;
			if (t->n_tag_ids)
				memcpy(ids, t->tag_ids,
				       t->n_tag_ids * sizeof(*ids));
			t->tag_ids = ids;
			*cap = ncap;
		}
		t->tag_ids[t->n_tag_ids++] = v;
		if (type == WIRE_VARINT)
			break;
	}
	*p = q;
	return 0;
}

int wire_task_scan(const uint8_t *p, size_t len, struct arena *a,
		   Clubcrm__Task *t)
{
	const uint8_t *end = p + len;
	size_t cap = 0;
	clubcrm__task__init(t);
	while (p < end) {
		uint64_t key, v;
		const uint8_t *at = p;
		/* A key of at most 5 bytes, as protobuf-c reads them. */
		if (get_varint(&p, end, &key) || p - at > 5 || key >> 3 == 0 ||
		    key >> 3 > UINT32_MAX)
			return -EIO;
		unsigned field = (unsigned)(key >> 3), type = key & 7;
		if (field == 5) {
			int rc = scan_tags(&p, end, type, a, &cap, t);
			if (rc)
				return rc;
			continue;
		}
		bool known = field >= 1 && field <= 25;
		bool is_str = field == 3 || field == 13;
		if (!known || is_str) {
			if ((known && type != WIRE_LEN) ||
			    skip_value(&p, end, type))
				return -EIO;
			continue;
		}
		if (type != WIRE_VARINT || get_varint(&p, end, &v))
			return -EIO;
		switch (field) {
#define U64(n, f) case n: t->has_##f = 1; t->f = v; break;
#define I64(n, f) case n: t->has_##f = 1; t->f = (int64_t)v; break;
		U64(1, id)
		U64(4, type_id)
		I64(6, planned_at)
		U64(7, operator_id)
		U64(8, customer_id)
		U64(9, creator_id)
		I64(10, created_at)
		U64(12, result_id)
		U64(14, follows_id)
		U64(15, taken_by)
		I64(16, taken_at)
		U64(17, create_rev)
		U64(18, mod_rev)
		I64(19, modified_at)
		U64(20, modified_by)
		I64(21, concluded_at)
		I64(23, repeat_until)
		I64(25, repeat_anchor)
#undef U64
#undef I64
		case 2:
			t->has_kind = 1;
			t->kind = (Clubcrm__TaskKind)(int32_t)(uint32_t)v;
			break;
		case 11:
			t->has_status = 1;
			t->status = (Clubcrm__TaskStatus)(int32_t)(uint32_t)v;
			break;
		case 22:
			t->has_recurrence = 1;
			t->recurrence =
				(Clubcrm__Recurrence)(int32_t)(uint32_t)v;
			break;
		case 24:
			t->has_repeat_count = 1;
			t->repeat_count = (uint32_t)v;
			break;
		default:
			return -EIO;
		}
	}
	return 0;
}
