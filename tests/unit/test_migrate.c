/*
 * Schema migrations at open (server/store/migrate.c). The fixture is a
 * database as today's code before issue 12 wrote it: schema 2, customer
 * name keys folded by the old Latin-1 table, generated here by a copy of
 * that old fold rather than kept as a binary blob.
 */
#include "domain_fixture.h"

#include "index.h"
#include "migrate.h"
#include "txn.h"

/* The schema-2 fold: U+00C0..U+00FF to their base letters ('*' kept as
 * they are), ASCII upper case to lower, every other byte as it is. */
static const char old_latin1[65] =
	"aaaaaaaceeeeiiiidnooooo*ouuuuy**"
	"aaaaaaaceeeeiiiidnooooo*ouuuuy*y";

static size_t old_name_key(const char *s, uint64_t id, uint8_t *k)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p && n < INDEX_NAME_KEY_MAX) {
		if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf &&
		    old_latin1[p[1] - 0x80] != '*') {
			k[n++] = (uint8_t)old_latin1[p[1] - 0x80];
			p += 2;
		} else {
			k[n++] = (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p;
			p++;
		}
	}
	k[n] = 0;
	key_u64(k + n + 1, id);
	return n + 9;
}

static const char *const names[] = {
	"Σοφία", "ραφαήλ", "Straße", "Strasse", "Álvaro", "beatriz",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* Turns fx's store into one written by schema 2 and reopens it. */
static void make_schema_2(struct fx *fx, const uint64_t *ids)
{
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	txn_drop(&t, DB_BY_CUSTOMER_NAME);
	for (size_t i = 0; i < N_NAMES; i++) {
		uint8_t k[INDEX_NAME_KEY_MAX + 9];
		size_t len = old_name_key(names[i], ids[i], k);
		txn_put(&t, DB_BY_CUSTOMER_NAME, k, len, "", 0);
	}
	uint8_t v[4] = {0, 0, 0, 2};
	txn_put(&t, DB_META, "schema", 6, v, sizeof(v));
	assert_int_equal(txn_commit(&t), 0);
	store_close(fx->st);
	fx->st = NULL;
}

static void list_names(struct fx *fx, const char **out)
{
	Clubcrm__ListCustomers l = CLUBCRM__LIST_CUSTOMERS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(LIST_CUSTOMERS);
	f.list_customers = &l;
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 0), &f);
	assert_int_equal(r->body_case, BODY(CUSTOMER_PAGE));
	assert_int_equal(r->customer_page->n_customers, N_NAMES);
	for (size_t i = 0; i < N_NAMES; i++)
		out[i] = r->customer_page->customers[i]->name;
}

/* 2 -> 3: the name index is rebuilt with the Unicode fold, so Greek names
 * sort by letter whatever their case, and "ß" sorts as "ss". */
static void test_migrate_2_to_3(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);
	uint64_t ids[N_NAMES];
	for (size_t i = 0; i < N_NAMES; i++)
		ids[i] = fx_customer(fx, names[i], 0);
	make_schema_2(fx, ids);

	assert_int_equal(store_open(fx->dir, 1u << 20, &fx->st), 0);
	const char *got[N_NAMES];
	list_names(fx, got);
	/* By folded name: alvaro, beatriz, strassa... σ after ρ. */
	const char *want[N_NAMES] = {
		"Álvaro", "beatriz", "Straße", "Strasse", "ραφαήλ", "Σοφία",
	};
	/* "straße" folds to "strasse": the tie is broken by id (Straße was
	 * created first). */
	for (size_t i = 0; i < N_NAMES; i++)
		assert_string_equal(got[i], want[i]);

	/* Exactly the new keys are left, no stale old ones. */
	struct txn t;
	txn_begin(&t, fx->st, NULL, false);
	size_t entries = 0;
	assert_int_equal(txn_count(&t, DB_BY_CUSTOMER_NAME, &entries), 0);
	assert_int_equal(entries, N_NAMES);
	for (size_t i = 0; i < N_NAMES; i++) {
		uint8_t k[INDEX_NAME_KEY_MAX + 9];
		size_t len = index_name_key(names[i], ids[i], k);
		struct txn_val mv;
		assert_int_equal(txn_get(&t, DB_BY_CUSTOMER_NAME, k, len, &mv),
				 0);
	}
	struct txn_val mv;
	assert_int_equal(txn_get(&t, DB_META, "schema", 6, &mv), 0);
	assert_int_equal(mv.len, 4);
	assert_int_equal(((const uint8_t *)mv.data)[3], 4);  /* the current schema */
	txn_abort(&t);

	/* A second open finds the current schema and changes nothing. */
	uint64_t rev = store_revision(fx->st);
	store_close(fx->st);
	assert_int_equal(store_open(fx->dir, 1u << 20, &fx->st), 0);
	assert_int_equal(store_revision(fx->st), rev);
	list_names(fx, got);
	for (size_t i = 0; i < N_NAMES; i++)
		assert_string_equal(got[i], want[i]);
	fx_close(fx);
}

/* A customer record that does not decode fails the migration, and the
 * store stays at schema 2, unopened, rather than half rebuilt. */
static void test_migrate_bad_record(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);
	uint64_t ids[N_NAMES];
	for (size_t i = 0; i < N_NAMES; i++)
		ids[i] = fx_customer(fx, names[i], 0);
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	uint8_t k[8];
	key_u64(k, ids[0]);
	/* Field 1 as a length-delimited value running past the end. */
	txn_put(&t, DB_CUSTOMERS, k, sizeof(k), "\x0a\x7f", 2);
	assert_int_equal(txn_commit(&t), 0);
	make_schema_2(fx, ids);

	struct store *st = NULL;
	assert_int_equal(store_open(fx->dir, 1u << 20, &st), -EIO);
	assert_null(st);
	fx_close(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_2_to_3),
		cmocka_unit_test(test_migrate_bad_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
