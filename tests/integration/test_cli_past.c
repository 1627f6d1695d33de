/*
 * The past on the command line against the real server (the demo club, in
 * Europe/Madrid): `task list --as-of TIME` and `--as-of-revision N` show
 * the board as it was, marked read-only, with every filter applied to the
 * past values; what cannot be shown is refused with the reason and exit
 * status 1 (the server said no) or 2 (a usage error, before connecting).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "clubzone.h"
#include "harness.h"
#include "itcli.h"

#define OUT_MAX (512 * 1024)

ITCLI_STATE("past", "alicia", OUT_MAX);

#define run(...) itcli_run(&cli, __VA_ARGS__, (const char *)NULL)

/* Adds a task; its id and the revision that created it. */
static void add(const char *type, const char *desc, long *id, long *rev)
{
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     type, "--desc", desc, "--at", "2030-06-10 10:00",
			     "--json"), 0);
	json_t *v = itcli_json(&cli);
	*id = itcli_num(v, "id");
	if (rev)
		*rev = itcli_num(v, "revision");
	json_decref(v);
}

/* The row of task `id` in the array `rows` (a new reference), or NULL. */
static json_t *row_of(json_t *rows, long id)
{
	assert_true(json_is_array(rows));
	json_t *found = NULL;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		if (itcli_num(row, "id") == id)
			found = json_incref(row);
	}
	return found;
}

/* The row of task `id` in the "tasks" of an as-of answer (a new
 * reference), or NULL; checks the marks of the past. */
static json_t *past_row(long id)
{
	json_t *v = itcli_json(&cli);
	assert_true(json_is_true(json_object_get(v, "read_only")));
	assert_non_null(strstr(itcli_str(v, "label"), "read-only"));
	/* the moment, RFC 3339 in the club's zone */
	assert_int_equal(strlen(itcli_str(v, "as_of")),
			 strlen("2026-12-06T10:00:00+01:00"));
	json_t *found = row_of(json_object_get(v, "tasks"), id);
	json_decref(v);
	return found;
}

static json_t *today_row(long id)
{
	json_t *v = itcli_json(&cli);
	json_t *found = row_of(v, id);
	json_decref(v);
	return found;
}

static void edit_desc(long id, const char *desc)
{
	char ids[32];
	snprintf(ids, sizeof(ids), "%ld", id);
	assert_int_equal(run("task", "edit", ids, "--desc", desc), 0);
}

/* "What did the urgent list look like then": a priority task edited and
 * taken since; the past by revision shows it red with its old text. */
static void test_urgent_by_revision(void **state)
{
	(void)state;
	long id, rev;
	add("Objection", "cold showers (before)", &id, &rev);
	edit_desc(id, "cold showers (after)");
	char ids[32], revs[32];
	snprintf(ids, sizeof(ids), "%ld", id);
	snprintf(revs, sizeof(revs), "%ld", rev);
	assert_int_equal(run("task", "take", ids), 0);

	assert_int_equal(run("task", "list", "--urgent", "--all",
			     "--as-of-revision", revs, "--json"), 0);
	json_t *row = past_row(id);
	assert_non_null(row);
	assert_string_equal(itcli_str(row, "description"),
			    "cold showers (before)");
	assert_string_equal(itcli_str(row, "colour"), "red");
	json_decref(row);

	assert_int_equal(run("task", "list", "--urgent", "--all", "--json"), 0);
	row = today_row(id);
	assert_non_null(row);
	assert_string_equal(itcli_str(row, "description"),
			    "cold showers (after)");
	assert_string_equal(itcli_str(row, "colour"), "yellow");
	json_decref(row);

	/* Filters see the past values: the old text matches, the new not. */
	assert_int_equal(run("task", "list", "--as-of-revision", revs,
			     "--text", "(after)", "--json"), 0);
	row = past_row(id);
	assert_null(row);
	/* Before the task existed. */
	char before[32];
	snprintf(before, sizeof(before), "%ld", rev - 1);
	assert_int_equal(run("task", "list", "--as-of-revision", before,
			     "--all", "--json"), 0);
	assert_null(past_row(id));

	/* The text output is marked. */
	assert_int_equal(run("task", "list", "--urgent", "--as-of-revision",
			     revs), 0);
	char mark[64];
	snprintf(mark, sizeof(mark), "(revision %ld), read-only\n", rev);
	itcli_expect_out(&cli, "as of ");
	itcli_expect_out(&cli, mark);
	itcli_expect_out(&cli, "cold showers (before)");
	assert_null(strstr(out, "(after)"));
}

/* By time, to the second, in the club's zone: before a change. */
static void test_by_time(void **state)
{
	(void)state;
	long id;
	add("Call", "timed (before)", &id, NULL);
	sleep(2);  /* the moment is a whole second after the create... */
	time_t moment = time(NULL);
	sleep(2);  /* ...and the edit a whole second after it */
	edit_desc(id, "timed (after)");
	const struct clubzone *z = clubzone_get("Europe/Madrid", NULL);
	assert_non_null(z);
	char when[40];
	assert_true(clubzone_format(z, (int64_t)moment, "%Y-%m-%d %H:%M:%S",
				    when, sizeof(when)) > 0);
	assert_int_equal(run("task", "list", "--as-of", when, "--text",
			     "timed", "--json"), 0);
	json_t *row = past_row(id);
	assert_non_null(row);
	assert_string_equal(itcli_str(row, "description"), "timed (before)");
	json_decref(row);
	assert_int_equal(run("task", "list", "--as-of", when, "--text",
			     "timed"), 0);
	/* the label drops ":00" seconds (a minute the user typed), so only
	 * the minute is compared: a moment on a whole minute failed CI */
	char minute[40], mark[64];
	assert_true(clubzone_format(z, (int64_t)moment, "%Y-%m-%d %H:%M",
				    minute, sizeof(minute)) > 0);
	snprintf(mark, sizeof(mark), "as of %s", minute);
	itcli_expect_out(&cli, mark);
	itcli_expect_out(&cli, "(revision ");
}

static void test_refused(void **state)
{
	(void)state;
	assert_int_equal(run("task", "list", "--as-of", "2001-01-01 10:00"), 1);
	itcli_expect_err(&cli, "before the club's history: it starts at ");
	itcli_expect_err(&cli, "(Europe/Madrid)");
	assert_int_equal(run("task", "list", "--as-of", "2090-01-01 10:00"), 1);
	itcli_expect_err(&cli, "in the future");
	assert_int_equal(run("task", "list", "--as-of-revision", "999999"), 1);
	itcli_expect_err(&cli, "beyond the current revision");
}

static void test_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(run("task", "list", "--as-of", "yesterday"), 2);
	itcli_expect_err(&cli, "--as-of 'yesterday' is not a time");
	assert_int_equal(run("task", "list", "--as-of", "2026-13-01 10:00"), 2);
	itcli_expect_err(&cli, "is not a time");
	assert_int_equal(run("task", "list", "--as-of", "2026-12-01"), 2);
	itcli_expect_err(&cli, "has no time of day");
	/* 2026-03-29: Madrid's clocks go from 02:00 to 03:00 */
	assert_int_equal(run("task", "list", "--as-of", "2026-03-29 02:30"), 2);
	itcli_expect_err(&cli, "does not exist in Europe/Madrid");
	assert_int_equal(run("task", "list", "--as-of-revision", "0"), 2);
	itcli_expect_err(&cli, "is not a revision number");
	assert_int_equal(run("task", "list", "--as-of-revision", "-3"), 2);
	assert_int_equal(run("task", "list", "--as-of-revision", "3", "--as-of",
			     "2026-12-01 10:00"), 2);
	itcli_expect_err(&cli, "exclude each other");
	assert_int_equal(run("task", "list", "--as-of-revision", "3",
			     "--order", "planned"), 2);
	itcli_expect_err(&cli, "creation order");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urgent_by_revision),
		cmocka_unit_test(test_by_time),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_usage_errors),
	};
	return harness_run_group(tests, &h);
}
