/* The redo list of a batch (redo.h). */
#include "redo.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void add(struct redo *r, enum redo_kind kind, unsigned db,
		const void *key, size_t klen, const void *val, size_t vlen)
{
	if (r->err)
		return;
	bool has_key = kind != REDO_DROP;
	if (db > UINT8_MAX ||
	    (has_key && (klen == 0 || klen > REDO_KEY_MAX || !key)) ||
	    (kind == REDO_PUT && (vlen > REDO_VALUE_MAX || (vlen && !val)))) {
		r->err = -EINVAL;
		return;
	}
	uint8_t head[4 + 4];
	size_t n = 0;
	head[n++] = (uint8_t)kind;
	head[n++] = (uint8_t)db;
	if (has_key) {
		put_u16(head + n, (uint16_t)klen);
		n += 2;
	}
	size_t need = n + (has_key ? klen : 0) + (kind == REDO_PUT ? 4 + vlen : 0);
	if (buf_reserve(&r->b, need) < 0) {
		r->err = -ENOMEM;
		return;
	}
	buf_append(&r->b, head, n);
	if (has_key)
		buf_append(&r->b, key, klen);
	if (kind == REDO_PUT) {
		uint8_t l[4];
		put_u32(l, (uint32_t)vlen);
		buf_append(&r->b, l, 4);
		if (vlen)
			buf_append(&r->b, val, vlen);
	}
	r->ops++;
}

void redo_put(struct redo *r, unsigned db, const void *key, size_t klen,
	      const void *val, size_t vlen)
{
	add(r, REDO_PUT, db, key, klen, val, vlen);
}

void redo_del(struct redo *r, unsigned db, const void *key, size_t klen)
{
	add(r, REDO_DEL, db, key, klen, NULL, 0);
}

void redo_drop(struct redo *r, unsigned db)
{
	add(r, REDO_DROP, db, NULL, 0, NULL, 0);
}

void redo_reset(struct redo *r)
{
	r->b.len = 0;
	r->ops = 0;
	r->err = 0;
}

void redo_free(struct redo *r)
{
	buf_free(&r->b);
	r->ops = 0;
	r->err = 0;
}

void redo_reader_init(struct redo_reader *rd, const void *data, size_t len,
		      unsigned n_dbs)
{
	rd->p = data;
	rd->len = data ? len : 0;
	rd->off = 0;
	rd->n_dbs = n_dbs;
	rd->why = NULL;
}

static int bad(struct redo_reader *rd, const char *why)
{
	rd->why = why;
	return -EIO;
}

int redo_next(struct redo_reader *rd, struct redo_op *op)
{
	if (rd->why)
		return -EIO;
	if (rd->off == rd->len)
		return 0;
	const uint8_t *p = rd->p + rd->off;
	size_t left = rd->len - rd->off;
	if (left < 2)
		return bad(rd, "op cut short");
	memset(op, 0, sizeof(*op));
	op->kind = p[0];
	op->db = p[1];
	if (op->kind != REDO_PUT && op->kind != REDO_DEL &&
	    op->kind != REDO_DROP)
		return bad(rd, "unknown op");
	if (op->db >= rd->n_dbs)
		return bad(rd, "database number out of range");
	size_t used = 2;
	if (op->kind != REDO_DROP) {
		if (left - used < 2)
			return bad(rd, "key length cut short");
		op->klen = (size_t)p[used] | (size_t)p[used + 1] << 8;
		used += 2;
		if (op->klen == 0 || op->klen > REDO_KEY_MAX)
			return bad(rd, "key length out of range");
		if (op->klen > left - used)
			return bad(rd, "key longer than the bytes left");
		op->key = p + used;
		used += op->klen;
	}
	if (op->kind == REDO_PUT) {
		if (left - used < 4)
			return bad(rd, "value length cut short");
		uint32_t vlen = get_u32(p + used);
		used += 4;
		if (vlen > REDO_VALUE_MAX)
			return bad(rd, "value length out of range");
		if (vlen > left - used)
			return bad(rd, "value longer than the bytes left");
		op->vlen = vlen;
		op->val = p + used;
		used += vlen;
	}
	rd->off += used;
	return 1;
}

int redo_validate(const void *data, size_t len, unsigned n_dbs,
		  size_t *n_ops)
{
	struct redo_reader rd;
	struct redo_op op;
	size_t n = 0;
	int rc;
	redo_reader_init(&rd, data, len, n_dbs);
	while ((rc = redo_next(&rd, &op)) == 1)
		n++;
	if (rc < 0)
		return rc;
	if (n_ops)
		*n_ops = n;
	return 0;
}
