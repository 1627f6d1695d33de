#include "migrate.h"

#include <errno.h>

#include "changelog.h"
#include "cursor.h"
#include "index.h"
#include "store_lmdb.h"

static void fail(struct txn *t, int rc)
{
	if (!t->ret)
		t->ret = rc;
}

/* The revision before `rev` that the retired task_changes tree (task id |
 * revision -> empty) holds for task `id`: 0 when none, or -errno. */
static int64_t legacy_prev(MDB_cursor *c, uint64_t id, uint64_t rev)
{
	uint8_t key[16];
	key_u64(key, id);
	key_u64(key + 8, rev);
	MDB_val k = {.mv_size = sizeof(key), .mv_data = key}, v;
	int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	else if (!rc)
		rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return lmdb_error(rc);
	if (k.mv_size != 16 || key_get_u64(k.mv_data) != id)
		return 0;
	uint64_t prev = key_get_u64((const uint8_t *)k.mv_data + 8);
	return prev < rev ? (int64_t)prev : 0;
}

/* The first revision of the change log after `after`: 0, -ENOENT past
 * the end, or the txn's error. */
static int next_revision(struct txn *t, uint64_t after, uint64_t *rev)
{
	uint8_t k[8];
	key_u64(k, after + 1);
	struct txn_cursor cur;
	int rc = txn_cursor_open(&cur, t, DB_CHANGES);
	if (!rc)
		rc = txn_cursor_seek(&cur, k, sizeof(k));
	if (!rc && cur.key.len != 8)
		rc = -EIO;
	if (!rc)
		*rev = key_get_u64(cur.key.data);
	txn_cursor_close(&cur);
	if (rc == -EIO)
		fail(t, rc);
	return rc;
}

/* Gives every task event of one change set its previous revision; the set
 * is written back when it holds any. */
static void chain_change_set(struct txn *t, MDB_cursor *c, struct arena *a,
			     uint64_t rev)
{
	Clubcrm__ChangeSet *cs = NULL;
	int rc = txn_get_rec(t, DB_CHANGES, rev,
			     &clubcrm__change_set__descriptor, a, (void **)&cs);
	if (rc) {
		fail(t, rc);
		return;
	}
	bool tasks = false;
	for (size_t i = 0; i < cs->n_events; i++) {
		Clubcrm__Event *ev = cs->events[i];
		if (ev->record_case != CLUBCRM__EVENT__RECORD_TASK || !ev->task)
			continue;
		int64_t prev = legacy_prev(c, ev->task->id, rev);
		if (prev < 0) {
			fail(t, (int)prev);
			return;
		}
		ev->has_prev_revision = 1;
		ev->prev_revision = (uint64_t)prev;
		tasks = true;
	}
	/* Back under the key it was read from: a damaged set whose revision
	 * names another (clubcrmd check says so) must not replace that one. */
	if (tasks)
		txn_put_rec(t, DB_CHANGES, rev, &cs->base);
}

/*
 * 3 -> 4: each task event in the change log gets the revision of its
 * task's previous change (Event.prev_revision), read from task_changes,
 * which is then deleted. An environment without task_changes (one made
 * by this build and marked older, as tests do) has nothing to convert.
 */
static void chain_task_changes(struct txn *t)
{
	if (t->ret)
		return;
	MDB_dbi dbi;
	int rc = mdb_dbi_open(t->txn, "task_changes", 0, &dbi);
	if (rc == MDB_NOTFOUND)
		return;
	if (rc) {
		fail(t, lmdb_error(rc));
		return;
	}
	MDB_cursor *c = NULL;
	rc = mdb_cursor_open(t->txn, dbi, &c);
	if (rc) {
		fail(t, lmdb_error(rc));
		return;
	}
	struct arena a;
	arena_init(&a);
	/* Set by set, each found by a fresh seek past the last: the sets
	 * are rewritten as we go, under no open cursor of `changes`. */
	for (uint64_t rev = 0; !t->ret && rev < UINT64_MAX;) {
		rc = next_revision(t, rev, &rev);
		if (rc)
			break;
		chain_change_set(t, c, &a, rev);
		arena_reset(&a);
	}
	arena_free(&a);
	mdb_cursor_close(c);
	if (!t->ret && (rc = mdb_drop(t->txn, dbi, 1)))
		fail(t, lmdb_error(rc));
}

void migrate_schema(struct txn *t, uint32_t from)
{
	/* 1 -> 2 and 2 -> 3 both rebuild the name index with today's key:
	 * once is enough. */
	if (from < 3)
		index_rebuild_customer_names(t);
	if (from < 4)
		chain_task_changes(t);
}
