/*
 * The store's one cursor (store/cursor.h) and its error convention
 * (store/store_err.h): seek, next, prev, seek_before over a real LMDB; the
 * end of a database is -ENOENT and no error of the txn; a failed step is
 * carried by the txn; a value that does not decode is -EIO.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clubcrm.pb-c.h"
#include "cursor.h"
#include "index.h"
#include "store.h"
#include "store_err.h"
#include "store_lmdb.h"

struct env {
	char dir[64];
	struct store *st;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	strcpy(e->dir, "/tmp/clubcrm-cursor-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	assert_int_equal(store_open(e->dir, 1u << 20, &e->st), 0);
	/* Keys 10, 20, 30 in the tags database (values: their number). */
	struct txn t;
	txn_begin(&t, e->st, NULL, true);
	for (uint64_t i = 1; i <= 3; i++) {
		uint8_t k[8], v[8];
		key_u64(k, i * 10);
		key_u64(v, i);
		txn_put(&t, DB_TAGS, k, sizeof(k), v, sizeof(v));
	}
	assert_int_equal(txn_commit(&t), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char p[128];
	store_close(e->st);
	snprintf(p, sizeof(p), "%s/data.mdb", e->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", e->dir);
	unlink(p);
	rmdir(e->dir);
	free(e);
	return 0;
}

static uint64_t key_of(const struct txn_cursor *c)
{
	assert_int_equal(c->key.len, 8);
	return key_get_u64(c->key.data);
}

static void test_walk_forward_and_back(void **state)
{
	struct env *e = *state;
	struct txn t;
	struct txn_cursor c;
	txn_begin(&t, e->st, NULL, false);
	assert_int_equal(txn_cursor_open(&c, &t, DB_TAGS), 0);
	assert_int_equal(txn_cursor_seek(&c, NULL, 0), 0);
	assert_int_equal(key_of(&c), 10);
	assert_int_equal(c.val.len, 8);
	assert_int_equal(key_get_u64(c.val.data), 1);
	assert_int_equal(txn_cursor_next(&c), 0);
	assert_int_equal(key_of(&c), 20);
	assert_int_equal(txn_cursor_next(&c), 0);
	assert_int_equal(key_of(&c), 30);
	/* The end is not an error of the txn. */
	assert_int_equal(txn_cursor_next(&c), -ENOENT);
	assert_int_equal(t.ret, 0);
	assert_int_equal(txn_cursor_prev(&c), 0);
	assert_int_equal(key_of(&c), 20);
	txn_cursor_close(&c);
	txn_cursor_close(&c);  /* twice is harmless */
	txn_abort(&t);
}

static void test_seek_and_seek_before(void **state)
{
	struct env *e = *state;
	struct txn t;
	struct txn_cursor c;
	uint8_t k[8];
	txn_begin(&t, e->st, NULL, false);
	assert_int_equal(txn_cursor_open(&c, &t, DB_TAGS), 0);
	key_u64(k, 15);
	assert_int_equal(txn_cursor_seek(&c, k, sizeof(k)), 0);
	assert_int_equal(key_of(&c), 20);
	key_u64(k, 20);
	assert_int_equal(txn_cursor_seek(&c, k, sizeof(k)), 0);
	assert_int_equal(key_of(&c), 20);
	key_u64(k, 31);
	assert_int_equal(txn_cursor_seek(&c, k, sizeof(k)), -ENOENT);
	/* Before a key: strictly before; past the end: the last entry. */
	key_u64(k, 20);
	assert_int_equal(txn_cursor_seek_before(&c, k, sizeof(k)), 0);
	assert_int_equal(key_of(&c), 10);
	key_u64(k, 99);
	assert_int_equal(txn_cursor_seek_before(&c, k, sizeof(k)), 0);
	assert_int_equal(key_of(&c), 30);
	assert_int_equal(txn_cursor_seek_before(&c, NULL, 0), 0);
	assert_int_equal(key_of(&c), 30);
	key_u64(k, 10);
	assert_int_equal(txn_cursor_seek_before(&c, k, sizeof(k)), -ENOENT);
	assert_int_equal(t.ret, 0);
	txn_cursor_close(&c);
	/* An empty database. */
	assert_int_equal(txn_cursor_open(&c, &t, DB_TEAMS), 0);
	assert_int_equal(txn_cursor_seek(&c, NULL, 0), -ENOENT);
	assert_int_equal(txn_cursor_seek_before(&c, NULL, 0), -ENOENT);
	txn_cursor_close(&c);
	size_t n = 99;
	assert_int_equal(txn_count(&t, DB_TAGS, &n), 0);
	assert_int_equal(n, 3);
	txn_abort(&t);
}

/* A value that is not the message it should be: -EIO, kept by the txn, and
 * every later step returns it. */
static void test_undecodable_value_fails_txn(void **state)
{
	struct env *e = *state;
	struct txn t;
	struct txn_cursor c;
	struct arena a;
	arena_init(&a);
	txn_begin(&t, e->st, NULL, false);
	assert_int_equal(txn_cursor_open(&c, &t, DB_TAGS), 0);
	assert_int_equal(txn_cursor_seek(&c, NULL, 0), 0);
	/* 8 bytes 00..01: field 0 is not a valid protobuf tag. */
	void *m = NULL;
	assert_int_equal(txn_cursor_msg(&c, &clubcrm__tag__descriptor, &a, &m),
			 -EIO);
	assert_null(m);
	assert_int_equal(t.ret, -EIO);
	assert_int_equal(txn_cursor_next(&c), -EIO);
	assert_int_equal(txn_cursor_seek(&c, NULL, 0), -EIO);
	txn_cursor_close(&c);
	/* Opening on a failed txn fails with its error; closing is safe. */
	assert_int_equal(txn_cursor_open(&c, &t, DB_TAGS), -EIO);
	txn_cursor_close(&c);
	txn_abort(&t);
	arena_free(&a);
}

/* A missing by_login entry is -ENOENT; a damaged one holds the login for
 * nobody (id 0); a failed txn's error is not mistaken for either. */
static void test_login_index(void **state)
{
	struct env *e = *state;
	struct txn t;
	txn_begin(&t, e->st, NULL, true);
	index_login(&t, 7, NULL, "ana");
	uint64_t id = 0;
	assert_int_equal(index_login_get(&t, "ana", &id), 0);
	assert_int_equal(id, 7);
	index_login(&t, 7, "ana", "ana.b");
	assert_int_equal(index_login_get(&t, "ana", &id), -ENOENT);
	assert_int_equal(index_login_get(&t, "ana.b", &id), 0);
	txn_put(&t, DB_BY_LOGIN, "bad", 3, "x", 1);
	id = 9;
	assert_int_equal(index_login_get(&t, "bad", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(t.ret, 0);
	t.ret = -EIO;
	assert_int_equal(index_login_get(&t, "ana.b", &id), -EIO);
	txn_abort(&t);
}

/*
 * One family: application conditions are never an errno value, so that no
 * error from the system or LMDB can pass for a refusal or a full disk.
 */
static void test_error_family(void **state)
{
	(void)state;
	assert_true(CLUBCRM_EREFUSED < -4095);
	assert_true(CLUBCRM_EDISKFULL < -4095);
	assert_int_not_equal(CLUBCRM_EREFUSED, CLUBCRM_EDISKFULL);
	assert_int_not_equal(CLUBCRM_EREFUSED, -ECANCELED);
	assert_int_not_equal(CLUBCRM_EDISKFULL, -EDQUOT);
	assert_int_equal(lmdb_error(EDQUOT), CLUBCRM_EDISKFULL);
	assert_int_equal(lmdb_error(ECANCELED), -ECANCELED);
	assert_int_equal(lmdb_error(MDB_CORRUPTED), -EIO);
	assert_int_equal(lmdb_error(MDB_MAP_FULL), -ENOSPC);
	assert_int_equal(lmdb_error(0), 0);
	assert_string_equal(store_strerror(-ENOENT), strerror(ENOENT));
	assert_string_not_equal(store_strerror(CLUBCRM_EDISKFULL),
				store_strerror(-EDQUOT));
	assert_string_not_equal(store_strerror(CLUBCRM_EREFUSED),
				store_strerror(-ECANCELED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk_forward_and_back,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_seek_and_seek_before,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_undecodable_value_fails_txn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_index, setup,
						teardown),
		cmocka_unit_test(test_error_family),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
