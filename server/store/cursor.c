#include "cursor.h"
#include "store_lmdb.h"

#include <stdlib.h>

/*
 * A read txn under the journal sees LMDB's last checkpoint and the
 * overlay's newer entries: its cursors merge both (overlay.h). The base
 * cursor is LMDB's, stepped here under the overlay's lock.
 */
struct cursor_merge {
	MDB_cursor *c;
	MDB_val k, v;       /* the base's current entry */
	int err;            /* the base's last LMDB error, translated */
	struct overlay_cursor oc;
};

static int base_get(struct cursor_merge *m, MDB_val *k, MDB_cursor_op op)
{
	int rc = mdb_cursor_get(m->c, k, &m->v, op);
	if (rc == MDB_NOTFOUND)
		return -ENOENT;
	if (rc)
		return m->err = lmdb_error(rc);
	m->k = *k;
	return 0;
}

static int base_seek(void *base, const void *key, size_t klen)
{
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	return base_get(base, &k, key ? MDB_SET_RANGE : MDB_FIRST);
}

static int base_seek_before(void *base, const void *key, size_t klen)
{
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	int rc = key ? base_get(base, &k, MDB_SET_RANGE) : -ENOENT;
	if (rc == -ENOENT)
		return base_get(base, &k, MDB_LAST);
	return rc ? rc : base_get(base, &k, MDB_PREV);
}

static int base_next(void *base)
{
	MDB_val k;
	return base_get(base, &k, MDB_NEXT);
}

static int base_prev(void *base)
{
	MDB_val k;
	return base_get(base, &k, MDB_PREV);
}

static void base_current(void *base, struct overlay_val *key,
			 struct overlay_val *val)
{
	struct cursor_merge *m = base;
	*key = (struct overlay_val){m->k.mv_data, m->k.mv_size};
	*val = (struct overlay_val){m->v.mv_data, m->v.mv_size};
}

static const struct overlay_base_ops base_ops = {
	.seek = base_seek,
	.seek_before = base_seek_before,
	.next = base_next,
	.prev = base_prev,
	.current = base_current,
};

/* A merged step's outcome, as step() gives LMDB's. */
static int merged(struct txn_cursor *c, int rc)
{
	if (rc == -ENOENT)
		return rc;
	if (rc)
		return c->t->ret = rc;
	c->key = (struct txn_val){c->m->oc.key.data, c->m->oc.key.len};
	c->val = (struct txn_val){c->m->oc.val.data, c->m->oc.val.len};
	return 0;
}

int txn_cursor_open(struct txn_cursor *c, struct txn *t, enum store_db db)
{
	c->t = t;
	c->c = NULL;
	c->key = c->val = (struct txn_val){0};
	if (t->ret)
		return t->ret;
	c->m = NULL;
	int rc = mdb_cursor_open(t->txn, txn_dbi(t, db), &c->c);
	if (rc) {
		c->c = NULL;
		t->ret = lmdb_error(rc);
		return t->ret;
	}
	/* The overlay merged in only when the snapshot sees some of this
	 * database there (after a checkpoint, mostly none). */
	if (t->snap.epoch && !overlay_snap_db_empty(&t->snap, db)) {
		c->m = calloc(1, sizeof(*c->m));
		if (!c->m) {
			txn_cursor_close(c);
			return t->ret = -ENOMEM;
		}
		c->m->c = c->c;
		overlay_cursor_init(&c->m->oc, &t->snap, db, &base_ops, c->m);
	}
	return t->ret;
}

void txn_cursor_close(struct txn_cursor *c)
{
	if (c->c)
		mdb_cursor_close(c->c);
	c->c = NULL;
	free(c->m);
	c->m = NULL;
}

/* One LMDB step; `k` carries the key to seek for MDB_SET_RANGE. */
static int step(struct txn_cursor *c, MDB_val *k, MDB_cursor_op op)
{
	if (c->t->ret)
		return c->t->ret;
	if (!c->c)
		return c->t->ret = -EINVAL;
	MDB_val v;
	int rc = mdb_cursor_get(c->c, k, &v, op);
	if (rc == MDB_NOTFOUND)
		return -ENOENT;
	if (rc)
		return c->t->ret = lmdb_error(rc);
	c->key = (struct txn_val){.data = k->mv_data, .len = k->mv_size};
	c->val = (struct txn_val){.data = v.mv_data, .len = v.mv_size};
	return 0;
}

int txn_cursor_seek(struct txn_cursor *c, const void *key, size_t klen)
{
	if (c->m && !c->t->ret)
		return merged(c, overlay_cursor_seek(&c->m->oc, key, klen));
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	return step(c, &k, key ? MDB_SET_RANGE : MDB_FIRST);
}

int txn_cursor_seek_before(struct txn_cursor *c, const void *key, size_t klen)
{
	if (c->m && !c->t->ret)
		return merged(c, overlay_cursor_seek_before(&c->m->oc, key,
							    klen));
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	int rc = key ? step(c, &k, MDB_SET_RANGE) : -ENOENT;
	if (rc == -ENOENT)
		return step(c, &k, MDB_LAST);
	return rc ? rc : step(c, &k, MDB_PREV);
}

int txn_cursor_next(struct txn_cursor *c)
{
	if (c->m && !c->t->ret)
		return merged(c, overlay_cursor_next(&c->m->oc));
	MDB_val k;
	return step(c, &k, MDB_NEXT);
}

int txn_cursor_prev(struct txn_cursor *c)
{
	if (c->m && !c->t->ret)
		return merged(c, overlay_cursor_prev(&c->m->oc));
	MDB_val k;
	return step(c, &k, MDB_PREV);
}

int txn_cursor_msg(struct txn_cursor *c, const ProtobufCMessageDescriptor *d,
		   struct arena *a, void **out)
{
	if (c->t->ret)
		return c->t->ret;
	ProtobufCMessage *m = protobuf_c_message_unpack(d, arena_pb(a),
							c->val.len,
							c->val.data);
	if (!m)
		return c->t->ret = -EIO;
	*out = m;
	return 0;
}
