/*
 * Resume tokens in the store (server/domain/tokens.h), on a real LMDB with
 * the clock as an argument: expiry, the operator they belong to, a cut or
 * forged token, revocation of one and of all, the cleanup of expired ones
 * and the cap per operator. Only hashes are stored.
 */
#include "domain_fixture.h"

#include "tokens.h"
#include "store_lmdb.h"

static struct fx *fx;

static int setup(void **state)
{
	(void)state;
	fx = fx_open(1u << 22);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_close(fx);
	fx = NULL;
	return 0;
}

static void issue(uint64_t op, int64_t now, int64_t expires,
		  uint8_t token[TOKENS_BYTES])
{
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	assert_int_equal(tokens_issue(&t, op, now, expires, token), 0);
	assert_int_equal(txn_commit(&t), 0);
}

static int check(uint64_t op, const uint8_t *token, size_t len, int64_t now,
		 int64_t *expires)
{
	struct txn t;
	txn_begin(&t, fx->st, NULL, false);
	int64_t exp = 0;
	int rc = tokens_check(&t, op, token, len, now, &exp);
	txn_abort(&t);
	if (expires)
		*expires = exp;
	return rc;
}

/* Entries in the tokens database. */
static size_t stored(void)
{
	struct txn t;
	txn_begin(&t, fx->st, NULL, false);
	MDB_stat ms;
	assert_int_equal(mdb_stat(t.txn, txn_dbi(&t, DB_RESUME_TOKENS), &ms),
			 0);
	txn_abort(&t);
	return ms.ms_entries;
}

static void test_expiry_and_owner(void **state)
{
	(void)state;
	uint8_t tok[TOKENS_BYTES];
	issue(7, FX_NOW, FX_NOW + 10, tok);
	int64_t exp;
	assert_int_equal(check(7, tok, sizeof(tok), FX_NOW, &exp), 0);
	assert_int_equal(exp, FX_NOW + 10);
	assert_int_equal(check(7, tok, sizeof(tok), FX_NOW + 9, NULL), 0);
	assert_int_equal(check(7, tok, sizeof(tok), FX_NOW + 10, NULL),
			 -ENOENT);
	assert_int_equal(check(7, tok, sizeof(tok), FX_NOW + 99999, NULL),
			 -ENOENT);
	/* Another operator's, cut, forged, empty. */
	assert_int_equal(check(8, tok, sizeof(tok), FX_NOW, NULL), -ENOENT);
	assert_int_equal(check(7, tok, sizeof(tok) - 1, FX_NOW, NULL),
			 -ENOENT);
	uint8_t forged[TOKENS_BYTES];
	memcpy(forged, tok, sizeof(forged));
	forged[31] ^= 0x80;
	assert_int_equal(check(7, forged, sizeof(forged), FX_NOW, NULL),
			 -ENOENT);
	assert_int_equal(check(7, tok, 0, FX_NOW, NULL), -ENOENT);
}

/* Nothing stored holds the token's bytes: only its hash. */
static void test_stored_hashed(void **state)
{
	(void)state;
	uint8_t tok[TOKENS_BYTES];
	issue(7, FX_NOW, FX_NOW + 3600, tok);
	struct txn t;
	txn_begin(&t, fx->st, NULL, false);
	MDB_cursor *c;
	assert_int_equal(mdb_cursor_open(t.txn, txn_dbi(&t, DB_RESUME_TOKENS),
					 &c), 0);
	MDB_val k, v;
	size_t n = 0;
	while (mdb_cursor_get(c, &k, &v, n ? MDB_NEXT : MDB_FIRST) == 0) {
		n++;
		for (size_t i = 0; i + 8 <= k.mv_size; i++)
			assert_true(memcmp((uint8_t *)k.mv_data + i, tok, 8));
		for (size_t i = 0; i + 8 <= v.mv_size; i++)
			assert_true(memcmp((uint8_t *)v.mv_data + i, tok, 8));
	}
	mdb_cursor_close(c);
	txn_abort(&t);
	assert_int_equal(n, 1);
}

static void test_revoke(void **state)
{
	(void)state;
	uint8_t a[TOKENS_BYTES], b[TOKENS_BYTES], other[TOKENS_BYTES];
	issue(7, FX_NOW, FX_NOW + 3600, a);
	issue(7, FX_NOW, FX_NOW + 3600, b);
	issue(8, FX_NOW, FX_NOW + 3600, other);
	uint8_t h[TOKENS_HASH_BYTES];
	tokens_hash(a, sizeof(a), h);
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	tokens_revoke(&t, 8, h);  /* not 8's: nothing happens */
	assert_int_equal(txn_commit(&t), 0);
	assert_int_equal(check(7, a, sizeof(a), FX_NOW, NULL), 0);
	txn_begin(&t, fx->st, NULL, true);
	tokens_revoke(&t, 7, h);
	assert_int_equal(txn_commit(&t), 0);
	assert_int_equal(check(7, a, sizeof(a), FX_NOW, NULL), -ENOENT);
	assert_int_equal(check(7, b, sizeof(b), FX_NOW, NULL), 0);
	txn_begin(&t, fx->st, NULL, true);
	tokens_revoke_all(&t, 7);
	assert_int_equal(txn_commit(&t), 0);
	assert_int_equal(check(7, b, sizeof(b), FX_NOW, NULL), -ENOENT);
	assert_int_equal(check(8, other, sizeof(other), FX_NOW, NULL), 0);
	assert_int_equal(stored(), 1);
}

/* Issuing drops the operator's expired tokens, and beyond the cap the
 * soonest to expire; the table never grows past the cap per operator. */
static void test_cleanup_and_cap(void **state)
{
	(void)state;
	uint8_t tok[TOKENS_BYTES], first[TOKENS_BYTES], last[TOKENS_BYTES];
	for (int i = 0; i < 5; i++)
		issue(7, FX_NOW, FX_NOW + 1, tok);
	issue(9, FX_NOW, FX_NOW + 1, tok);  /* another's: not touched */
	assert_int_equal(stored(), 6);
	issue(7, FX_NOW + 2, FX_NOW + 3600, first);
	assert_int_equal(stored(), 2);
	for (unsigned i = 1; i < TOKENS_PER_OPERATOR + 10; i++)
		issue(7, FX_NOW + 2, FX_NOW + 3600 + i, last);
	assert_int_equal(stored(), TOKENS_PER_OPERATOR + 1);
	assert_int_equal(check(7, first, sizeof(first), FX_NOW + 2, NULL),
			 -ENOENT);
	assert_int_equal(check(7, last, sizeof(last), FX_NOW + 2, NULL), 0);
	/* All of them at once; the other operator keeps theirs. */
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	tokens_revoke_all(&t, 7);
	assert_int_equal(txn_commit(&t), 0);
	assert_int_equal(stored(), 1);
}

static void test_session_hours(void **state)
{
	(void)state;
	Clubcrm__Settings s = CLUBCRM__SETTINGS__INIT;
	assert_int_equal(tokens_session_hours(NULL), 12);
	assert_int_equal(tokens_session_hours(&s), 12);
	s.has_session_hours = true;
	s.session_hours = 24;
	assert_int_equal(tokens_session_hours(&s), 24);
	s.session_hours = 0;  /* never stored, but never trusted either */
	assert_int_equal(tokens_session_hours(&s), 12);
	s.session_hours = 73;
	assert_int_equal(tokens_session_hours(&s), 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_expiry_and_owner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stored_hashed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cleanup_and_cap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_session_hours, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
