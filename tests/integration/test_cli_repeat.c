/*
 * Repeating tasks on the command line against the real server (the demo
 * club, in Europe/Madrid): `task add --repeat ... [--until | --count]`,
 * the next occurrence created when one is done (at the same wall-clock
 * time, month ends and daylight-saving changes included), the end of a
 * series, a cancelled or moved occurrence, `task edit --repeat none`, the
 * list's "rep" mark, and the bad inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "harness.h"
#include "itcli.h"

#define OUT_MAX (256 * 1024)

ITCLI_STATE("repeat", "alicia", OUT_MAX);

#define run(...) itcli_run(&cli, __VA_ARGS__, (const char *)NULL)

/* The task of the JSON reply on stdout: its id; its planned time and
 * repeat fields checked when given. */
static long check_task(const char *planned, const char *rec, long count)
{
	json_t *v = itcli_json(&cli);
	long id = itcli_num(v, "id");
	if (planned)
		assert_string_equal(itcli_str(v, "planned_at"), planned);
	json_t *r = json_object_get(v, "recurrence");
	if (rec)
		assert_string_equal(json_string_value(r), rec);
	else
		assert_true(json_is_null(r));
	json_t *c = json_object_get(v, "repeat_count");
	if (count)
		assert_int_equal(json_integer_value(c), count);
	else
		assert_true(json_is_null(c));
	json_decref(v);
	return id;
}

/* Closes task `id` (--json): the id of the occurrence it created, or 0;
 * its planned time checked when given. */
static long close_task(long id, const char *next_planned)
{
	char ids[32];
	snprintf(ids, sizeof(ids), "%ld", id);
	assert_int_equal(run("task", "close", ids, "--json"), 0);
	json_t *v = itcli_json(&cli);
	json_t *created = json_object_get(v, "created");
	long next = 0;
	if (created && json_array_size(created) > 0) {
		json_t *n = json_array_get(created, 0);
		next = itcli_num(n, "id");
		if (next_planned)
			assert_string_equal(itcli_str(n, "planned_at"),
					    next_planned);
	}
	json_decref(v);
	return next;
}

static void test_count(void **state)
{
	(void)state;
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "chlorine", "--at",
			     "2027-03-27 09:00", "--repeat", "daily", "--count",
			     "3", "--json"), 0);
	long id = check_task("2027-03-27T09:00:00+01:00", "daily", 3);
	/* 03-28: the clocks go forward, the series stays at 09:00. */
	long next = close_task(id, "2027-03-28T09:00:00+02:00");
	assert_true(next > 0);
	char ids[32];
	snprintf(ids, sizeof(ids), "%ld", next);
	assert_int_equal(run("task", "show", ids, "--json"), 0);
	check_task(NULL, "daily", 2);
	next = close_task(next, "2027-03-29T09:00:00+02:00");
	assert_true(next > 0);
	assert_int_equal(close_task(next, NULL), 0);  /* the third, the last */
}

static void test_until_month_ends(void **state)
{
	(void)state;
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "monthly fees", "--at",
			     "2027-01-31 10:00", "--repeat", "monthly",
			     "--until", "2027-03-31", "--json"), 0);
	long id = check_task(NULL, "monthly", 0);
	long next = close_task(id, "2027-02-28T10:00:00+01:00");
	next = close_task(next, "2027-03-31T10:00:00+02:00");  /* included */
	assert_true(next > 0);
	assert_int_equal(close_task(next, NULL), 0);  /* April is after it */
}

static void test_cancel_move_stop(void **state)
{
	(void)state;
	/* Cancelling an occurrence ends the series. */
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "weekly review", "--at",
			     "2027-02-01 10:00", "--repeat", "weekly",
			     "--json"), 0);
	long id = check_task(NULL, "weekly", 0);
	char ids[32];
	snprintf(ids, sizeof(ids), "%ld", id);
	assert_int_equal(run("task", "cancel", ids, "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_null(json_object_get(v, "created"));
	json_decref(v);

	/* A moved occurrence: the series goes on from where it was moved. */
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "weekly call", "--at",
			     "2027-02-01 10:00", "--repeat", "weekly",
			     "--json"), 0);
	id = check_task(NULL, "weekly", 0);
	snprintf(ids, sizeof(ids), "%ld", id);
	assert_int_equal(run("task", "edit", ids, "--at", "2027-02-03 12:00"),
			 0);
	long next = close_task(id, "2027-02-10T12:00:00+01:00");
	assert_true(next > 0);

	/* The list marks it; an end is changed; --repeat none stops it. */
	assert_int_equal(run("task", "list", "--text", "weekly call"), 0);
	assert_non_null(strstr(out, " rep "));
	snprintf(ids, sizeof(ids), "%ld", next);
	assert_int_equal(run("task", "edit", ids, "--count", "4", "--json"), 0);
	check_task(NULL, "weekly", 4);
	assert_int_equal(run("task", "show", ids), 0);
	assert_non_null(strstr(out, "Repeats:      weekly, 4 occurrences left"));
	assert_int_equal(run("task", "edit", ids, "--until", "2027-05-01",
			     "--json"), 0);
	check_task(NULL, "weekly", 0);  /* the count went with the until */
	assert_int_equal(run("task", "edit", ids, "--repeat", "none",
			     "--json"), 0);
	check_task(NULL, NULL, 0);
	assert_int_equal(close_task(next, NULL), 0);
	assert_int_equal(run("task", "list", "--text", "weekly call"), 0);
	assert_null(strstr(out, " rep "));
}

static void test_bad_inputs(void **state)
{
	(void)state;
	const char *base[] = {"task", "add", "--customer", "Jorge", "--type",
			      "Call", "--desc", "bad", "--at",
			      "2027-02-01 10:00"};
#define ADD(...) run(base[0], base[1], base[2], base[3], base[4], base[5], \
		     base[6], base[7], base[8], base[9], __VA_ARGS__)
	assert_int_equal(ADD("--repeat", "yearly"), 2);
	itcli_expect_err(&cli, "--repeat must be daily, weekly or monthly");
	assert_int_equal(ADD("--repeat", "none"), 2);
	assert_int_equal(ADD("--until", "2027-03-01"), 2);
	itcli_expect_err(&cli, "--until needs --repeat");
	assert_int_equal(ADD("--repeat", "daily", "--count", "0"), 2);
	itcli_expect_err(&cli, "--count must be 1..1000");
	assert_int_equal(ADD("--repeat", "daily", "--count", "1001"), 2);
	assert_int_equal(ADD("--repeat", "daily", "--count", "2", "--until",
			     "2027-03-01"), 2);
	itcli_expect_err(&cli, "exclude each other");
	assert_int_equal(ADD("--repeat", "daily", "--until", "01/03/2027"), 2);
	itcli_expect_err(&cli, "is not a date");
	/* The server's refusals. */
	assert_int_equal(ADD("--repeat", "daily", "--until", "2027-01-15"), 1);
	itcli_expect_err(&cli, "repeat_until must come after the planned time");
	assert_int_equal(run("note", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "a note", "--repeat", "daily"),
			 2);
	assert_int_equal(ADD("--json"), 0);
	long id = check_task(NULL, NULL, 0);
	char ids[32];
	snprintf(ids, sizeof(ids), "%ld", id);
	assert_int_equal(run("task", "edit", ids, "--count", "3"), 1);
	itcli_expect_err(&cli, "need a recurrence");
	assert_int_equal(run("task", "edit", ids, "--repeat", "none",
			     "--count", "3"), 2);
#undef ADD
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_until_month_ends),
		cmocka_unit_test(test_cancel_move_stop),
		cmocka_unit_test(test_bad_inputs),
	};
	return harness_run_group(tests, &h);
}
