#include "txn.h"
#include "store.h"
#include "store_lmdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "redo.h"

static void txn_fail(struct txn *t, int rc)
{
	if (t->ret == 0)
		t->ret = lmdb_error(rc);
}

/*
 * With the journal (st->ov): a read txn pins the overlay, then opens its
 * LMDB snapshot and moves the pin onto the checkpoint that snapshot holds
 * (overlay.h, the reader's order); a write txn records its puts and
 * deletes, and the writer's batch nests in the long transaction.
 */
static void begin_journaled(struct txn *t, struct store *st,
			    struct txn *parent, bool write)
{
	int rc;
	if (!write) {
		overlay_pin(st->ov, &t->snap);
		rc = mdb_txn_begin(store_env(st), NULL, MDB_RDONLY, &t->txn);
		if (rc) {
			t->txn = NULL;
			overlay_unpin(&t->snap);
			txn_fail(t, rc);
			return;
		}
		if (overlay_snap_rebase(&t->snap,
					store_txn_checkpointed(t->txn)) < 0)
			t->ret = -EIO;  /* LMDB ahead of the journal */
		return;
	}
	t->redo = calloc(1, sizeof(*t->redo));
	if (!t->redo) {
		t->ret = -ENOMEM;
		return;
	}
	MDB_txn *under = parent ? parent->txn : NULL;
	if (!parent) {
		rc = store_batch_parent(st, &under);
		if (rc) {
			t->ret = rc;
			return;
		}
	}
	rc = mdb_txn_begin(store_env(st), under, 0, &t->txn);
	if (rc) {
		t->txn = NULL;
		txn_fail(t, rc);
	}
}

void txn_begin(struct txn *t, struct store *st, struct txn *parent,
	       bool write)
{
	t->st = st;
	t->txn = NULL;
	t->top_write = write && !parent;
	t->parent = parent;
	t->redo = NULL;
	t->snap = (struct overlay_snap){0};
	t->ret = parent ? parent->ret : 0;
	if (t->ret)
		return;
	if (write && st->reader) {
		t->ret = -EROFS;  /* a tool's view of a served store */
		return;
	}
	if (st->ov) {
		begin_journaled(t, st, parent, write);
		return;
	}
	int rc = mdb_txn_begin(store_env(st), parent ? parent->txn : NULL,
			       write ? 0 : MDB_RDONLY, &t->txn);
	if (rc) {
		t->txn = NULL;
		txn_fail(t, rc);
	}
}

/* What a txn holds beside LMDB's: its redo, its pin. */
static void end_extras(struct txn *t)
{
	if (t->redo) {
		redo_free(t->redo);
		free(t->redo);
		t->redo = NULL;
	}
	if (t->snap.epoch)
		store_note_unpin(t->st, overlay_unpin(&t->snap));
}

/* A nested write txn committed: its ops become its parent's. */
static void hand_redo_up(struct txn *t)
{
	struct redo *mine = t->redo, *up = t->parent->redo;
	if (!mine || !up || !mine->b.len)
		return;
	if (mine->err || up->err) {
		up->err = up->err ? up->err : mine->err;
		return;
	}
	if (buf_append(&up->b, mine->b.data, mine->b.len) < 0) {
		up->err = -ENOMEM;
		return;
	}
	up->ops += mine->ops;
}

/* Every put and delete of a journalled write txn, as the redo records it. */
static void note_op(struct txn *t, enum redo_kind kind, enum store_db db,
		    const void *key, size_t klen, const void *val, size_t vlen)
{
	if (!t->redo)
		return;
	if (kind == REDO_PUT)
		redo_put(t->redo, db, key, klen, val, vlen);
	else if (kind == REDO_DEL)
		redo_del(t->redo, db, key, klen);
	else
		redo_drop(t->redo, db);
	if (t->redo->err && t->ret == 0)
		t->ret = t->redo->err;
}

int txn_commit_deferred(struct txn *t)
{
	if (!t->txn) {
		end_extras(t);
		return t->ret ? t->ret : -EINVAL;
	}
	if (t->ret) {
		txn_abort(t);
		return t->ret;
	}
	if (t->redo && t->top_write) {
		/* The writer's batch: into the long transaction, then
		 * journalled and published (journaled.c). */
		int ret = store_batch_commit(t->st, t->txn, t->redo);
		t->txn = NULL;
		if (ret && t->ret == 0)
			t->ret = ret;
		end_extras(t);
		return t->ret;
	}
	if (t->redo && t->redo->err && t->ret == 0) {
		t->ret = t->redo->err;
		txn_abort(t);
		return t->ret;
	}
	int rc = mdb_txn_commit(t->txn);
	t->txn = NULL;
	txn_fail(t, rc);
	if (rc == 0 && t->parent)
		hand_redo_up(t);
	end_extras(t);
	if (t->top_write && !t->st->ov) {
		if (rc)
			store_note_commit_failed(t->st);
		else if (t->ret == 0)
			store_note_commit(t->st);
	}
	return t->ret;
}

int txn_commit(struct txn *t)
{
	int rc = txn_commit_deferred(t);
	if (rc == 0 && t->top_write && !t->st->ov) {
		rc = store_sync(t->st);
		if (rc && t->ret == 0)
			t->ret = rc;
	}
	return rc;
}

void txn_abort(struct txn *t)
{
	if (t->txn)
		mdb_txn_abort(t->txn);
	t->txn = NULL;
	end_extras(t);
}

int txn_get(struct txn *t, enum store_db db, const void *key, size_t klen,
	    struct txn_val *val)
{
	if (t->ret)
		return t->ret;
	if (t->snap.epoch) {
		struct overlay_val ov;
		int found = overlay_get(&t->snap, db, key, klen, &ov);
		if (found == OVERLAY_FOUND) {
			val->data = ov.data;
			val->len = ov.len;
			return 0;
		}
		if (found == OVERLAY_DELETED)
			return -ENOENT;
		if (found < 0)
			return t->ret = found;
	}
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key}, v;
	int rc = mdb_get(t->txn, txn_dbi(t, db), &k, &v);
	if (rc == MDB_NOTFOUND)
		return -ENOENT;
	if (rc) {
		txn_fail(t, rc);
		return t->ret;
	}
	val->data = v.mv_data;
	val->len = v.mv_size;
	return 0;
}

void txn_put(struct txn *t, enum store_db db, const void *key, size_t klen,
	     const void *data, size_t dlen)
{
	if (t->ret)
		return;
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	MDB_val v = {.mv_size = dlen, .mv_data = (void *)data};
	int rc = mdb_put(t->txn, txn_dbi(t, db), &k, &v, 0);
	if (rc)
		txn_fail(t, rc);
	else
		note_op(t, REDO_PUT, db, key, klen, data, dlen);
}

void txn_del(struct txn *t, enum store_db db, const void *key, size_t klen)
{
	if (t->ret)
		return;
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	int rc = mdb_del(t->txn, txn_dbi(t, db), &k, NULL);
	if (rc && rc != MDB_NOTFOUND)
		txn_fail(t, rc);
	else if (rc == 0)
		note_op(t, REDO_DEL, db, key, klen, NULL, 0);
}

void txn_drop(struct txn *t, enum store_db db)
{
	if (t->ret)
		return;
	if (t->redo) {
		/* Not journalled (overlay.h): migrations run before the
		 * journal starts. */
		t->ret = -EINVAL;
		return;
	}
	int rc = mdb_drop(t->txn, txn_dbi(t, db), 0);
	if (rc)
		txn_fail(t, rc);
}

int txn_count(struct txn *t, enum store_db db, size_t *n)
{
	*n = 0;
	if (t->ret)
		return t->ret;
	MDB_stat ms;
	int rc = mdb_stat(t->txn, txn_dbi(t, db), &ms);
	if (rc) {
		txn_fail(t, rc);
		return t->ret;
	}
	*n = ms.ms_entries;
	if (t->snap.epoch) {
		int64_t d = 0;
		if (overlay_count(&t->snap, db, &d) < 0 ||
		    (d < 0 && (uint64_t)-d > *n))
			return t->ret = -EIO;
		*n = (size_t)((int64_t)*n + d);
	}
	return 0;
}

/* Packs straight into the page LMDB reserves: no copy, no allocation. */
void txn_put_msg(struct txn *t, enum store_db db, const void *key, size_t klen,
		 const ProtobufCMessage *msg)
{
	if (t->ret)
		return;
	size_t len = protobuf_c_message_get_packed_size(msg);
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	MDB_val v = {.mv_size = len, .mv_data = NULL};
	int rc = mdb_put(t->txn, txn_dbi(t, db), &k, &v, MDB_RESERVE);
	if (rc) {
		txn_fail(t, rc);
		return;
	}
	if (len)
		protobuf_c_message_pack(msg, v.mv_data);
	note_op(t, REDO_PUT, db, key, klen, v.mv_data, len);
}

int txn_get_msg(struct txn *t, enum store_db db, const void *key, size_t klen,
		const ProtobufCMessageDescriptor *d, struct arena *a,
		void **out)
{
	struct txn_val v = {0};
	int rc = txn_get(t, db, key, klen, &v);
	if (rc)
		return rc;
	ProtobufCMessage *m =
		protobuf_c_message_unpack(d, arena_pb(a), v.len, v.data);
	if (!m) {
		/* A record we wrote that no longer decodes: the store is damaged
		 * (or we are out of memory); stop this transaction. */
		if (t->ret == 0)
			t->ret = -EIO;
		return t->ret;
	}
	*out = m;
	return 0;
}

int txn_get_rec(struct txn *t, enum store_db db, uint64_t id,
		const ProtobufCMessageDescriptor *d, struct arena *a,
		void **out)
{
	uint8_t k[8];
	key_u64(k, id);
	return txn_get_msg(t, db, k, sizeof(k), d, a, out);
}

void txn_put_rec(struct txn *t, enum store_db db, uint64_t id,
		 const ProtobufCMessage *msg)
{
	uint8_t k[8];
	key_u64(k, id);
	txn_put_msg(t, db, k, sizeof(k), msg);
}

static uint64_t meta_get_u64(struct txn *t, const char *name)
{
	struct txn_val v = {0};
	if (txn_get(t, DB_META, name, strlen(name), &v))
		return 0;
	if (v.len != 8) {
		if (t->ret == 0)
			t->ret = -EIO;
		return 0;
	}
	return key_get_u64(v.data);
}

static void meta_put_u64(struct txn *t, const char *name, uint64_t val)
{
	uint8_t b[8];
	key_u64(b, val);
	txn_put(t, DB_META, name, strlen(name), b, sizeof(b));
}

uint64_t txn_revision(struct txn *t)
{
	return meta_get_u64(t, "revision");
}

uint64_t txn_next_revision(struct txn *t)
{
	uint64_t rev = txn_revision(t) + 1;
	meta_put_u64(t, "revision", rev);
	return t->ret ? 0 : rev;
}

static const char *const id_counter[DB_COUNT] = {
	[DB_TASKS] = "next_id.tasks",
	[DB_CUSTOMERS] = "next_id.customers",
	[DB_OPERATORS] = "next_id.operators",
	[DB_TEAMS] = "next_id.teams",
	[DB_TASK_TYPES] = "next_id.task_types",
	[DB_RESULTS] = "next_id.results",
	[DB_TAGS] = "next_id.tags",
};

uint64_t txn_next_id(struct txn *t, enum store_db db)
{
	const char *name = id_counter[db];
	if (!name) {
		if (t->ret == 0)
			t->ret = -EINVAL;
		return 0;
	}
	uint64_t id = meta_get_u64(t, name) + 1;
	meta_put_u64(t, name, id);
	return t->ret ? 0 : id;
}
