#include "cursor.h"
#include "store_lmdb.h"

int txn_cursor_open(struct txn_cursor *c, struct txn *t, enum store_db db)
{
	c->t = t;
	c->c = NULL;
	c->key = c->val = (struct txn_val){0};
	if (t->ret)
		return t->ret;
	int rc = mdb_cursor_open(t->txn, txn_dbi(t, db), &c->c);
	if (rc) {
		c->c = NULL;
		t->ret = lmdb_error(rc);
	}
	return t->ret;
}

void txn_cursor_close(struct txn_cursor *c)
{
	if (c->c)
		mdb_cursor_close(c->c);
	c->c = NULL;
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
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	return step(c, &k, key ? MDB_SET_RANGE : MDB_FIRST);
}

int txn_cursor_seek_before(struct txn_cursor *c, const void *key, size_t klen)
{
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	int rc = key ? step(c, &k, MDB_SET_RANGE) : -ENOENT;
	if (rc == -ENOENT)
		return step(c, &k, MDB_LAST);
	return rc ? rc : step(c, &k, MDB_PREV);
}

int txn_cursor_next(struct txn_cursor *c)
{
	MDB_val k;
	return step(c, &k, MDB_NEXT);
}

int txn_cursor_prev(struct txn_cursor *c)
{
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
