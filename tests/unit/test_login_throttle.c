/* The failed-login table: delays, per-(login, address) blocks, a shared
 * address, forgetting, and its fixed size.
 * The clock is the argument; nothing sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "login_throttle.h"

#define BASE 1000u
#define CAP 30000u
#define T0 5000000u

static const unsigned char KEY[LOGIN_THROTTLE_KEY_BYTES] = "0123456789abcde";

static struct login_throttle *fresh(void)
{
	struct login_throttle *t = malloc(sizeof(*t));
	assert_non_null(t);
	assert_int_equal(login_throttle_init(t, BASE, CAP, KEY), 0);
	return t;
}

/* Three failures cost the base delay each; then it doubles to the cap. */
static void test_login_delay_doubles_to_cap(void **state)
{
	(void)state;
	struct login_throttle *t = fresh();
	uint64_t now = T0;
	const uint64_t want[] = {BASE, BASE, BASE, 2 * BASE, 4 * BASE,
				 8 * BASE, 16 * BASE, CAP, CAP};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		/* From a new address each time: the login alone counts. */
		char addr[32];
		snprintf(addr, sizeof(addr), "10.0.0.%zu", i);
		assert_int_equal(login_throttle_failed(t, "anna", addr, now),
				 want[i]);
		now += 10;
	}
	for (int i = 0; i < 100; i++)
		assert_int_equal(login_throttle_failed(t, "anna", NULL, now),
				 CAP);
	/* Logins are folded as the server finds them. */
	assert_int_equal(login_throttle_failed(t, "ANNA", NULL, now), CAP);
	/* Another login is not slowed by anna's failures. */
	assert_int_equal(login_throttle_failed(t, "bruno", NULL, now), BASE);
	free(t);
}

/* A success forgets the login's failures, and its pair's with the address
 * it came from (not with other addresses). */
static void test_success_resets_login(void **state)
{
	(void)state;
	struct login_throttle *t = fresh();
	for (unsigned i = 0; i < LOGIN_THROTTLE_PAIR_AFTER; i++)
		login_throttle_failed(t, "anna", "10.0.0.1", T0);
	assert_int_equal(login_throttle_failed(t, "anna", NULL, T0), CAP);
	assert_true(login_throttle_wait(t, "anna", "10.0.0.1", T0) > 0);
	login_throttle_succeeded(t, "Anna", "10.0.0.2");
	assert_int_equal(login_throttle_failed(t, "anna", NULL, T0), BASE);
	assert_true(login_throttle_wait(t, "anna", "10.0.0.1", T0) > 0);
	login_throttle_succeeded(t, "anna", "10.0.0.1");
	assert_int_equal(login_throttle_wait(t, "anna", "10.0.0.1", T0), 0);
	/* Succeeding for a login never seen is harmless. */
	login_throttle_succeeded(t, "nobody", NULL);
	login_throttle_succeeded(t, "nobody", "10.0.0.3");
	free(t);
}

/* A login is refused from an address after ten failures from it, from the
 * answer to the last one for twice the base delay at first, doubling to
 * the cap; the same login from other addresses, and unix peers, are not. */
static void test_pair_block(void **state)
{
	(void)state;
	struct login_throttle *t = fresh();
	const char *a = "192.0.2.7";
	uint64_t now = T0;
	for (unsigned i = 1; i < LOGIN_THROTTLE_PAIR_AFTER; i++) {
		login_throttle_failed(t, "anna", a, now);
		assert_int_equal(login_throttle_wait(t, "anna", a, now), 0);
	}
	/* The login's own delay is at the cap by now: the block starts
	 * when that answer goes out. */
	uint64_t d = login_throttle_failed(t, "anna", a, now);
	assert_int_equal(d, CAP);
	assert_int_equal(login_throttle_wait(t, "anna", a, now), d + 2 * BASE);
	assert_int_equal(login_throttle_wait(t, "ANNA", a, now), d + 2 * BASE);
	assert_int_equal(login_throttle_wait(t, "anna", a, now + 500),
			 d + 2 * BASE - 500);
	assert_int_equal(login_throttle_wait(t, "anna", a, now + d + 2 * BASE),
			 0);
	assert_int_equal(login_throttle_wait(t, "anna", "192.0.2.8", now), 0);
	assert_int_equal(login_throttle_wait(t, "anna", NULL, now), 0);
	now += d + 2 * BASE;
	d = login_throttle_failed(t, "anna", a, now);
	assert_int_equal(login_throttle_wait(t, "anna", a, now), d + 4 * BASE);
	for (int i = 0; i < 40; i++)
		d = login_throttle_failed(t, "anna", a, now);
	assert_int_equal(login_throttle_wait(t, "anna", a, now), d + CAP);
	/* The cap holds: a blocked login waits its answer and 30 s more at
	 * most. */
	assert_int_equal(login_throttle_wait(t, "anna", a, now + d + CAP), 0);
	free(t);
}

/* With a short login delay (a login that just succeeded elsewhere), the
 * block still outlasts the answer to the tenth failure. */
static void test_pair_block_after_answer(void **state)
{
	(void)state;
	struct login_throttle *t = fresh();
	const char *a = "192.0.2.10";
	for (unsigned i = 0; i + 1 < LOGIN_THROTTLE_PAIR_AFTER; i++)
		login_throttle_failed(t, "carla", a, T0);
	login_throttle_succeeded(t, "carla", NULL);
	uint64_t d = login_throttle_failed(t, "carla", a, T0);
	assert_int_equal(d, BASE);
	assert_true(login_throttle_wait(t, "carla", a, T0 + d) > 0);
	free(t);
}

/* One address shared by a club's desks: however many failures its logins
 * have, another login from it is never blocked, nor its answer delayed by
 * them. */
static void test_shared_address(void **state)
{
	(void)state;
	struct login_throttle *t = fresh();
	const char *a = "192.0.2.9";
	for (int i = 0; i < 50; i++)
		login_throttle_failed(t, "anna", a, T0);
	for (unsigned i = 0; i < 100; i++) {
		char login[16];
		snprintf(login, sizeof(login), "user%u", i);
		login_throttle_failed(t, login, a, T0);
	}
	assert_true(login_throttle_wait(t, "anna", a, T0) > 0);
	assert_int_equal(login_throttle_wait(t, "bruno", a, T0), 0);
	assert_int_equal(login_throttle_wait(t, "user7", a, T0), 0);
	/* bruno's first failure from there costs the base delay only. */
	assert_int_equal(login_throttle_failed(t, "bruno", a, T0), BASE);
	free(t);
}

/* Quiet for LOGIN_THROTTLE_FORGET_MS: everything is forgotten. */
static void test_forgotten_after_quiet(void **state)
{
	(void)state;
	struct login_throttle *t = fresh();
	for (int i = 0; i < 20; i++)
		login_throttle_failed(t, "anna", "10.0.0.1", T0);
	assert_true(login_throttle_wait(t, "anna", "10.0.0.1", T0) > 0);
	uint64_t later = T0 + LOGIN_THROTTLE_FORGET_MS;
	assert_int_equal(login_throttle_wait(t, "anna", "10.0.0.1", later), 0);
	assert_int_equal(login_throttle_failed(t, "anna", "10.0.0.1", later),
			 BASE);
	assert_int_equal(login_throttle_wait(t, "anna", "10.0.0.1", later), 0);
	free(t);
}

/* A full set evicts its least recently failed entry: the table never grows,
 * and the entry kept is the one failing now. */
static void test_full_set_evicts_oldest(void **state)
{
	(void)state;
	struct login_throttle *t = fresh();
	unsigned target = login_throttle_set_of(t, "victim", NULL);
	char names[LOGIN_THROTTLE_WAYS][24];
	unsigned found = 0;
	for (unsigned i = 0; found < LOGIN_THROTTLE_WAYS; i++) {
		char n[24];
		snprintf(n, sizeof(n), "spray%u", i);
		if (login_throttle_set_of(t, n, NULL) == target)
			memcpy(names[found++], n, sizeof(n));
	}
	for (int i = 0; i < 5; i++)
		login_throttle_failed(t, "victim", NULL, T0);
	assert_int_equal(login_throttle_failed(t, "victim", NULL, T0 + 1),
			 8 * BASE);
	/* Seven others fill the set: victim stays (it failed last at T0+1,
	 * and only the free ways are taken). */
	for (unsigned i = 0; i + 1 < LOGIN_THROTTLE_WAYS; i++)
		login_throttle_failed(t, names[i], NULL, T0 + 2 + i);
	assert_int_equal(login_throttle_failed(t, "victim", NULL, T0 + 20),
			 16 * BASE);
	/* Now victim is the most recent; the eighth evicts spray names[0]. */
	login_throttle_failed(t, names[LOGIN_THROTTLE_WAYS - 1], NULL, T0 + 21);
	assert_int_equal(login_throttle_failed(t, "victim", NULL, T0 + 22),
			 CAP);
	assert_int_equal(login_throttle_failed(t, names[0], NULL, T0 + 23),
			 BASE);
	/* A hundred thousand distinct logins fill at most the fixed table. */
	for (unsigned i = 0; i < 100000; i++) {
		char n[24];
		snprintf(n, sizeof(n), "flood%u", i);
		login_throttle_failed(t, n, "198.51.100.1", T0 + 100 + i);
	}
	assert_int_equal(sizeof(t->e), LOGIN_THROTTLE_SETS *
			 LOGIN_THROTTLE_WAYS * sizeof(t->e[0][0]));
	free(t);
}

/* Absurd counts and clocks do not overflow the shift. */
static void test_no_overflow(void **state)
{
	(void)state;
	struct login_throttle *t = fresh();
	for (int i = 0; i < 200; i++)
		assert_true(login_throttle_failed(t, "x", "10.1.1.1",
						  UINT64_MAX - 10) <= CAP);
	assert_true(login_throttle_wait(t, "x", "10.1.1.1", UINT64_MAX - 10) <=
		    CAP);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_delay_doubles_to_cap),
		cmocka_unit_test(test_success_resets_login),
		cmocka_unit_test(test_pair_block),
		cmocka_unit_test(test_pair_block_after_answer),
		cmocka_unit_test(test_shared_address),
		cmocka_unit_test(test_forgotten_after_quiet),
		cmocka_unit_test(test_full_set_evicts_oldest),
		cmocka_unit_test(test_no_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
