/*
 * Dates and times on the command line, against the real server (the demo
 * club is in Europe/Madrid): the club's zone must be one the system's
 * tzdata knows, spelt exactly; a planned time the zone skips is refused;
 * a task needs a time of day; a time in the past is accepted with a
 * warning on stderr; an ambiguous time is its first (summer) occurrence;
 * --json times are RFC 3339 in the club's zone.
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

/* The runs of clubcrm: user, password and stdin of the next ones. */
ITCLI_STATE("time", "alicia", OUT_MAX);

#define run(...) itcli_run(&cli, __VA_ARGS__, (const char *)NULL)

static void test_zone_names(void **state)
{
	(void)state;
	cli.user = "fermin";
	assert_int_equal(run("admin", "settings", "time-zone", "Mars/Olympus"),
			 1);
	itcli_assert_refused(&cli, "INVALID_ARGUMENT");
	itcli_expect_err(&cli, "'Mars/Olympus' is not a time zone this system's tzdata "
		   "knows");
	assert_int_equal(run("admin", "settings", "time-zone", "europe/madrid"),
			 1);
	itcli_assert_refused(&cli, "INVALID_ARGUMENT");
	itcli_expect_err(&cli, "case-sensitive");
	assert_int_equal(run("admin", "settings", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "time_zone"), "Europe/Madrid");
	json_decref(v);
	assert_int_equal(run("admin", "settings", "time-zone", "Europe/Madrid"),
			 0);
	cli.user = "alicia";
}

static void test_gap_refused(void **state)
{
	(void)state;
	/* 2027-03-28: Madrid's clocks go from 02:00 to 03:00 */
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "in the gap", "--at",
			     "2027-03-28 02:30"), 2);
	itcli_expect_err(&cli, "'2027-03-28 02:30' does not exist in Europe/Madrid");
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "after the gap", "--at",
			     "2027-03-28 03:30", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "planned_at"), "2027-03-28T03:30:00+02:00");
	char id[32];
	snprintf(id, sizeof(id), "%ld", itcli_num(v, "id"));
	json_decref(v);
	assert_int_equal(run("task", "edit", id, "--at", "2027-03-28 02:00"),
			 2);
	itcli_expect_err(&cli, "does not exist in Europe/Madrid");
	assert_int_equal(run("task", "list", "--from", "2027-03-28 02:59"), 2);
	itcli_expect_err(&cli, "does not exist");
	/* a bare date in a range is the day's first instant: fine */
	assert_int_equal(run("task", "list", "--from", "2027-03-28", "--to",
			     "2027-03-28", "--json"), 0);
}

static void test_task_needs_time(void **state)
{
	(void)state;
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "no time", "--at", "2026-12-08"),
			 2);
	itcli_expect_err(&cli, "give a time");
	assert_int_equal(run("task", "edit", "1", "--at", "2030-12-08"), 2);
	itcli_expect_err(&cli, "give a time");
	assert_int_equal(run("task", "follow", "1", "--result", "Positive",
			     "--next-at", "2030-12-08", "--next-desc", "x"), 2);
	itcli_expect_err(&cli, "give a time");
}

static void test_past_warning(void **state)
{
	(void)state;
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "called last week", "--at",
			     "2020-01-10 10:00", "--json"), 0);
	itcli_expect_err(&cli, "clubcrm: warning: 2020-01-10 10:00 is in the past");
	json_t *v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "planned_at"), "2020-01-10T10:00:00+01:00");
	json_decref(v);
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "later", "--at",
			     "2030-01-10 10:00", "--json"), 0);
	assert_null(strstr(err, "warning"));
}

static void test_json_rfc3339_and_overlap(void **state)
{
	(void)state;
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "summer", "--at",
			     "2030-07-10 10:00", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "planned_at"), "2030-07-10T10:00:00+02:00");
	json_decref(v);
	/* 2030-10-27 02:30 happens twice in Madrid: the first, in summer
	 * time (00:30 UTC) */
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "twice", "--at",
			     "2030-10-27 02:30", "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "planned_at"), "2030-10-27T02:30:00+02:00");
	assert_int_equal(itcli_num(v, "planned_at_unix"), 1919291400L);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_names),
		cmocka_unit_test(test_gap_refused),
		cmocka_unit_test(test_task_needs_time),
		cmocka_unit_test(test_past_warning),
		cmocka_unit_test(test_json_rfc3339_and_overlap),
	};
	return harness_run_group(tests, &h);
}
