/*
 * Customers added with an idempotency key through the typed API, against
 * the real server: the same add sent again with the same key (a retry after
 * a lost answer) gives the first customer back, the same id, and the list
 * holds it once; another key adds another; an add without the caller's key
 * draws one per call (two calls, two customers); the key belongs to its
 * operator (another operator's same key adds their own); a key used for a
 * task is refused for a customer; a key of 65 bytes is refused; the first
 * answer still comes back after a restart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "client_api.h"
#include "harness.h"
#include "ittools.h"
#include "status.h"

#define AT INT64_C(1962694800)  /* 2032-03-12 09:00 UTC */

static struct harness h;

static struct client_sync *login(const char *who)
{
	struct client_sync *s = NULL;
	struct client_status st;
	assert_int_equal(harness_login(&h, who, &s, &st), STATUS_OK);
	return s;
}

/* Adds `name` with `key` (NULL: the library draws one); the id, 0 on a
 * refusal, whose code goes to *code. */
static uint64_t add(struct client_sync *s, const char *name, const char *key,
		    unsigned *code)
{
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	c.name = (char *)name;
	c.phone = "+34 600 000 777";
	struct clubcrm_answer ans;
	*code = clubcrm_customer_upsert(s, &c, (const uint8_t *)key,
					key ? strlen(key) : 0, &ans);
	uint64_t id = 0;
	if (*code == STATUS_OK) {
		assert_non_null(ans.customer->customer);
		assert_true(ans.customer->has_revision);
		id = ans.customer->customer->id;
		assert_true(id > 0);
		assert_string_equal(ans.customer->customer->name, name);
	}
	clubcrm_answer_free(&ans);
	return id;
}

static uint64_t add_ok(struct client_sync *s, const char *name,
		       const char *key)
{
	unsigned code;
	uint64_t id = add(s, name, key, &code);
	assert_int_equal(code, STATUS_OK);
	return id;
}

/* How many customers the search `name` finds. */
static size_t count(struct client_sync *s, const char *name)
{
	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	lc.search = (char *)name;
	struct clubcrm_pager p;
	struct clubcrm_answer ans;
	clubcrm_customers_pager(&p, s, &lc);
	assert_int_equal(clubcrm_pager_next(&p, &ans), STATUS_OK);
	assert_true(p.done);
	size_t n = ans.customer_page->n_customers;
	clubcrm_answer_free(&ans);
	clubcrm_pager_free(&p);
	return n;
}

static uint64_t revision(struct client_sync *s)
{
	/* An add answered from its key writes nothing: the revision of a
	 * read says so. */
	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	lc.search = "no such customer";
	struct clubcrm_pager p;
	struct clubcrm_answer ans;
	clubcrm_customers_pager(&p, s, &lc);
	assert_int_equal(clubcrm_pager_next(&p, &ans), STATUS_OK);
	uint64_t rev = ans.customer_page->revision;
	clubcrm_answer_free(&ans);
	clubcrm_pager_free(&p);
	return rev;
}

static uint64_t first_id;

static void test_same_key_same_customer(void **state)
{
	(void)state;
	struct client_sync *s = login("alicia");
	first_id = add_ok(s, "Idem Uno", "desk-form-1");
	uint64_t rev = revision(s);
	assert_int_equal(add_ok(s, "Idem Uno", "desk-form-1"), first_id);
	assert_int_equal(revision(s), rev);  /* nothing written */
	assert_int_equal(count(s, "Idem Uno"), 1);
	/* Another key: another customer, a namesake. */
	uint64_t other = add_ok(s, "Idem Uno", "desk-form-2");
	assert_true(other != first_id);
	assert_int_equal(count(s, "Idem Uno"), 2);
	client_sync_close(s);
}

/* Without the caller's key each call draws its own: two customers. */
static void test_drawn_key_per_call(void **state)
{
	(void)state;
	struct client_sync *s = login("alicia");
	uint64_t a = add_ok(s, "Idem Dos", NULL);
	uint64_t b = add_ok(s, "Idem Dos", NULL);
	assert_true(a != b);
	assert_int_equal(count(s, "Idem Dos"), 2);
	client_sync_close(s);
}

/* Keys are per operator; a key of one kind is refused for the other; a key
 * too long is refused; none of these writes anything. */
static void test_key_scope_and_refusals(void **state)
{
	(void)state;
	struct client_sync *alicia = login("alicia");
	struct client_sync *deborah = login("deborah");
	uint64_t d = add_ok(deborah, "Idem Tres", "desk-form-1");
	assert_true(d != first_id);
	assert_int_equal(count(alicia, "Idem Tres"), 1);

	struct it_new_task t = {
		.desc = "keyed task", .type_id = it_type_id(alicia, "Call"),
		.customer_id = first_id, .planned_at = AT,
		.key = (const uint8_t *)"task-key-1", .key_len = 10,
	};
	struct client_status st;
	uint64_t task;
	assert_int_equal(it_create_id(alicia, &t, &task, &st), STATUS_OK);
	uint64_t rev = revision(alicia);
	unsigned code;
	assert_int_equal(add(alicia, "Idem Cuatro", "task-key-1", &code), 0);
	assert_int_equal(code, STATUS_INVALID_ARGUMENT);
	char big[66];
	memset(big, 'k', 65);
	big[65] = '\0';
	assert_int_equal(add(alicia, "Idem Cuatro", big, &code), 0);
	assert_int_equal(code, STATUS_INVALID_ARGUMENT);
	assert_int_equal(count(alicia, "Idem Cuatro"), 0);
	assert_int_equal(revision(alicia), rev);
	big[64] = '\0';
	assert_true(add_ok(alicia, "Idem Cuatro", big) > 0);
	client_sync_close(deborah);
	client_sync_close(alicia);
}

/* The key is kept in the store: after a restart the retry still gets the
 * first customer. */
static void test_after_restart(void **state)
{
	(void)state;
	assert_int_equal(harness_restart(&h), 0);
	struct client_sync *s = login("alicia");
	assert_int_equal(add_ok(s, "Idem Uno", "desk-form-1"), first_id);
	assert_int_equal(count(s, "Idem Uno"), 2);
	client_sync_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_key_same_customer),
		cmocka_unit_test(test_drawn_key_per_call),
		cmocka_unit_test(test_key_scope_and_refusals),
		cmocka_unit_test(test_after_restart),
	};
	return harness_run_group(tests, &h);
}
