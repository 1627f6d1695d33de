#include "migrate.h"

#include <errno.h>

#include "arena.h"
#include "clubcrm.pb-c.h"
#include "textfold.h"

size_t store_name_key(const char *name, uint64_t id, uint8_t *k)
{
	size_t n = textfold_copy(name, k, STORE_NAME_KEY_MAX);
	/* A folded name holds no 0 byte: the separator sorts it first. */
	k[n] = 0;
	key_u64(k + n + 1, id);
	return n + 9;
}

/* Drops by_customer_name and puts the key of every customer record. */
static void rebuild_name_index(struct txn *t)
{
	MDB_cursor *c = NULL;
	int rc = mdb_drop(t->txn, txn_dbi(t, DB_BY_CUSTOMER_NAME), 0);
	if (!rc)
		rc = mdb_cursor_open(t->txn, txn_dbi(t, DB_CUSTOMERS), &c);
	if (rc) {
		t->ret = txn_lmdb_error(rc);
		return;
	}
	MDB_val k, v;
	struct arena a;
	arena_init(&a);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !t->ret;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Clubcrm__Customer *cu = clubcrm__customer__unpack(
			arena_pb(&a), v.mv_size, v.mv_data);
		if (!cu) {
			t->ret = -EIO;
			break;
		}
		uint8_t key[STORE_NAME_KEY_MAX + 9];
		size_t len = store_name_key(cu->name, cu->id, key);
		txn_put(t, DB_BY_CUSTOMER_NAME, key, len, "", 0);
		/* One customer's record at a time in memory. */
		arena_reset(&a);
	}
	mdb_cursor_close(c);
	arena_free(&a);
	if (rc && rc != MDB_NOTFOUND && !t->ret)
		t->ret = txn_lmdb_error(rc);
}

void migrate_schema(struct txn *t, uint32_t from)
{
	/* 1 -> 2 and 2 -> 3 both rebuild the name index with today's key:
	 * once is enough. */
	if (from < 3)
		rebuild_name_index(t);
}
