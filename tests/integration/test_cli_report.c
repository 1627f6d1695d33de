/*
 * `clubcrm report` against the real server (the demo club, Europe/Madrid):
 * tasks added, reassigned, closed, cancelled and followed up through the
 * CLI move the figures by exactly what they did, credited to the operator
 * responsible; a priority task taken and done shows in the response times;
 * CSV is RFC 4180 with CRLF; an operator sees their own tasks only; bad
 * periods and options are refused with the reason. The server's clock is
 * real here, so the periods span the days around now; exact times, days
 * and the past (a task created before its period) are test_report.c's.
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

#include "harness.h"
#include "itcli.h"
#include "rawconn.h"

#define OUT_MAX (512 * 1024)

ITCLI_STATE("report", "fermin", OUT_MAX);

#define run(...) itcli_run(&cli, __VA_ARGS__, (const char *)NULL)

/* Two days before and after now, as UTC dates: a period holding the
 * club's whole today whatever its zone (the report's to_date is the first
 * day after it), still holding it if midnight passes meanwhile. One day
 * was not enough: from 23:00 UTC the club's today in Madrid is UTC's
 * tomorrow, and the period ended at the start of the club's today. */
static char from_day[16], to_day[16];

static void around_now(void)
{
	time_t now = time(NULL);
	time_t a = now - 2 * 86400, b = now + 2 * 86400;
	struct tm tm;
	strftime(from_day, sizeof(from_day), "%Y-%m-%d", gmtime_r(&a, &tm));
	strftime(to_day, sizeof(to_day), "%Y-%m-%d", gmtime_r(&b, &tm));
}

/* The report's section `key` (a new reference) as `user`. */
static json_t *section(const char *user, const char *key)
{
	cli.user = user;
	around_now();
	assert_int_equal(run("report", "--from", from_day, "--to", to_day,
			     "--json"), 0);
	json_t *v = itcli_json(&cli);
	json_t *s = json_incref(json_object_get(v, key));
	assert_true(json_is_array(s));
	assert_string_equal(itcli_str(v, "time_zone"), "Europe/Madrid");
	json_decref(v);
	cli.user = "fermin";
	return s;
}

/* The row of `a` whose `k1` is `v1` (and `k2` is `v2`, when given). */
static json_t *find(json_t *a, const char *k1, const char *v1,
		    const char *k2, const char *v2)
{
	size_t i;
	json_t *row;
	json_array_foreach(a, i, row) {
		const char *x = json_string_value(json_object_get(row, k1));
		const char *y = k2 ? json_string_value(json_object_get(row, k2))
				   : NULL;
		if (x && strcmp(x, v1) == 0 && (!k2 || (y && !strcmp(y, v2))))
			return row;
	}
	return NULL;
}

static long num(json_t *row, const char *key)
{
	return row ? itcli_num(row, key) : 0;
}

/* created/done/cancelled of (operator, type) in the created section. */
static void counts(json_t *a, const char *op, const char *type, long *c)
{
	json_t *row = find(a, "operator", op, "type", type);
	c[0] = num(row, "created");
	c[1] = num(row, "done");
	c[2] = num(row, "cancelled");
}

static long add(const char *user, const char *type, const char *op,
		const char *at, const char *desc)
{
	cli.user = user;
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     type, "--operator", op, "--at", at, "--desc", desc,
			     "--json"), 0);
	json_t *v = itcli_json(&cli);
	long id = itcli_num(v, "id");
	json_decref(v);
	cli.user = "fermin";
	return id;
}

/* Added for Deborah, reassigned to Maribel, closed by Maribel: created
 * counts for Deborah, done for Maribel. A cancel counts as a cancel; a
 * follow-up with "No answer" as an unknown outcome of its type. */
static void test_counts_follow_the_responsible(void **state)
{
	(void)state;
	json_t *before = section("fermin", "created");
	json_t *oc0 = section("fermin", "outcomes");
	long d0[3], m0[3];
	counts(before, "Deborah", "Call", d0);
	counts(before, "Maribel", "Call", m0);
	long unk0 = num(find(oc0, "type", "Call", NULL, NULL), "unknown");

	char id[32];
	long a = add("alicia", "Call", "deborah", "2031-03-03 10:00",
		     "reassigned, then done");
	assert_int_equal(run("task", "reassign", "--from", "deborah", "--to",
			     "maribel", "--from-date", "2031-03-03",
			     "--to-date", "2031-03-03"), 0);
	snprintf(id, sizeof(id), "%ld", a);
	cli.user = "maribel";
	assert_int_equal(run("task", "close", id), 0);
	long b = add("alicia", "Call", "deborah", "2031-03-04 10:00",
		     "followed up, then cancelled");
	snprintf(id, sizeof(id), "%ld", b);
	cli.user = "deborah";
	assert_int_equal(run("task", "follow", id, "--result", "No answer",
			     "--keep-open"), 0);
	assert_int_equal(run("task", "cancel", id), 0);

	json_t *after = section("fermin", "created");
	json_t *oc1 = section("fermin", "outcomes");
	long d1[3], m1[3];
	counts(after, "Deborah", "Call", d1);
	counts(after, "Maribel", "Call", m1);
	assert_int_equal(d1[0] - d0[0], 2);  /* both created for Deborah */
	assert_int_equal(d1[1] - d0[1], 0);
	assert_int_equal(d1[2] - d0[2], 1);  /* b cancelled, still hers */
	assert_int_equal(m1[0] - m0[0], 0);
	assert_int_equal(m1[1] - m0[1], 1);  /* a done after the reassign */
	assert_int_equal(m1[2] - m0[2], 0);
	assert_int_equal(num(find(oc1, "type", "Call", NULL, NULL), "unknown") -
				 unk0, 1);
	json_decref(before);
	json_decref(after);
	json_decref(oc0);
	json_decref(oc1);
}

/* A priority task (Objection) taken and done: one more sample of each,
 * within the minutes a loaded machine may take. */
static void test_priority_response(void **state)
{
	(void)state;
	json_t *r0 = section("fermin", "response");
	json_t *o0 = find(r0, "type", "Objection", NULL, NULL);
	long taken0 = num(o0, "taken"), done0 = num(o0, "done");
	long id = add("alicia", "Objection", "deborah", "2031-03-05 10:00",
		      "cold showers again");
	char ids[32];
	snprintf(ids, sizeof(ids), "%ld", id);
	cli.user = "deborah";
	assert_int_equal(run("task", "take", ids), 0);
	assert_int_equal(run("task", "close", ids), 0);
	json_t *r1 = section("fermin", "response");
	json_t *o1 = find(r1, "type", "Objection", NULL, NULL);
	assert_non_null(o1);
	assert_int_equal(num(o1, "taken") - taken0, 1);
	assert_int_equal(num(o1, "done") - done0, 1);
	long med = itcli_num(o1, "take_median_seconds");
	assert_true(med >= 0 && med < 600);
	assert_true(itcli_num(o1, "done_p90_seconds") >= 0);
	/* the last row is every priority type together */
	json_t *all = json_array_get(r1, json_array_size(r1) - 1);
	assert_true(json_is_null(json_object_get(all, "type")));
	assert_true(itcli_num(all, "taken") >= num(o1, "taken"));
	json_decref(r0);
	json_decref(r1);
}

/* CSV: the header, CRLF after every record, a known row; tables: the
 * period line and a section's title. */
static void test_csv_and_table(void **state)
{
	(void)state;
	add("alicia", "Call", "valentina", "2031-03-06 10:00", "csv row");
	around_now();
	assert_int_equal(run("report", "created", "--from", from_day, "--to",
			     to_day, "--format", "csv"), 0);
	assert_int_equal(strncmp(out, "operator,type,created,done,cancelled\r\n",
				 38), 0);
	assert_non_null(strstr(out, "\r\nValentina,Call,"));
	size_t lf = 0, crlf = 0;
	for (const char *p = out; *p; p++) {
		lf += *p == '\n';
		crlf += *p == '\n' && p > out && p[-1] == '\r';
	}
	assert_true(lf >= 2);
	assert_int_equal(lf, crlf);
	assert_int_equal(out[strlen(out) - 1], '\n');

	assert_int_equal(run("report", "overdue", "--from", from_day, "--to",
			     to_day, "--format", "csv"), 0);
	assert_int_equal(strncmp(out, "date,overdue\r\n", 14), 0);
	assert_non_null(strstr(out, from_day));

	assert_int_equal(run("report", "--from", from_day, "--to", to_day), 0);
	char head[64];
	snprintf(head, sizeof(head), "Report %s to %s (Europe/Madrid)",
		 from_day, to_day);
	itcli_expect_out(&cli, head);
	itcli_expect_out(&cli, "Tasks created, done and cancelled");
	itcli_expect_out(&cli, "Follow-up outcomes per type");
	itcli_expect_out(&cli, "all priority types");
	itcli_expect_out(&cli, "Overdue tasks at the end of each day");
	/* the default period is this month */
	assert_int_equal(run("report", "overdue"), 0);
	itcli_expect_out(&cli, "-01 to ");
}

/* An operator sees only the tasks they are responsible for, and no
 * team's; an admin may ask for a team. */
static void test_rights(void **state)
{
	(void)state;
	add("alicia", "Call", "valentina", "2031-03-07 10:00", "not deborah's");
	json_t *mine = section("deborah", "created");
	size_t i;
	json_t *row;
	assert_true(json_array_size(mine) > 0);
	json_array_foreach(mine, i, row)
		assert_string_equal(itcli_str(row, "operator"), "Deborah");
	json_decref(mine);
	cli.user = "deborah";
	assert_int_equal(run("report", "--team", "Reception"), 1);
	itcli_assert_refused(&cli, "PERMISSION_DENIED");
	itcli_expect_err(&cli, "only admins");
	cli.user = "fermin";
	assert_int_equal(run("report", "--team", "Reception", "--json"), 0);
}

static void test_bad_inputs(void **state)
{
	(void)state;
	assert_int_equal(run("report", "--from", "2020-01-01", "--to",
			     "2020-01-31"), 1);
	itcli_assert_refused(&cli, "OUT_OF_RANGE");
	itcli_expect_err(&cli, "before the club's history: it starts at");
	assert_int_equal(run("report", "--from", "2099-01-01"), 1);
	itcli_assert_refused(&cli, "OUT_OF_RANGE");
	itcli_expect_err(&cli, "starts in the future");
	assert_int_equal(run("report", "--from", "2026-01-01", "--to",
			     "2027-06-01"), 1);
	itcli_expect_err(&cli, "at most 366 days");
	assert_int_equal(run("report", "--from", "2026-03-01", "--to",
			     "2026-02-01"), 1);
	itcli_expect_err(&cli, "the period is empty");
	assert_int_equal(run("report", "--from", "2026-02-30"), 2);
	itcli_expect_err(&cli, "give a date YYYY-MM-DD");
	assert_int_equal(run("report", "--from", "2026-02-01 10:00"), 2);
	assert_int_equal(run("report", "--to", "2026-02-01"), 2);
	itcli_expect_err(&cli, "--to needs --from");
	assert_int_equal(run("report", "everything"), 2);
	itcli_expect_err(&cli, "not a section");
	assert_int_equal(run("report", "--format", "csv"), 2);
	itcli_expect_err(&cli, "one section");
	assert_int_equal(run("report", "--format", "xml"), 2);
	assert_int_equal(run("report", "--team", "Nobody"), 1);
}

/* A GetReport frame for the period around now. */
static void put_report(struct buf *frames, uint64_t rid)
{
	around_now();
	Clubcrm__GetReport g = CLUBCRM__GET_REPORT__INIT;
	g.from_date = from_day;
	g.to_date = to_day;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_GET_REPORT;
	f.get_report = &g;
	raw_put_frame(frames, &f);
}

/* Reports are built on a worker thread, one at a time: a connection
 * sending reports and pings gets every answer once (the pings need not
 * wait for the reports), and one that leaves with reports in flight is
 * forgotten without harm to the others. */
static void test_reports_off_the_loop(void **state)
{
	(void)state;
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	assert_true(raw_login(&rc, "fermin", HARNESS_PASSWORD));
	struct buf frames = {0};
	for (uint64_t i = 0; i < 4; i++) {
		put_report(&frames, 100 + i);
		raw_put_ping(&frames, 200 + i);
	}
	assert_int_equal(raw_send(&rc, frames.data, frames.len), 0);
	buf_free(&frames);
	unsigned reports = 0, pongs = 0;
	while (reports + pongs < 8) {
		Clubcrm__Frame *f = raw_recv(&rc, 10000);
		assert_non_null(f);
		if (f->body_case == CLUBCRM__FRAME__BODY_REPORT) {
			assert_int_equal(f->request_id, 100 + reports);
			reports++;
		} else {
			assert_int_equal(f->body_case,
					 CLUBCRM__FRAME__BODY_PONG);
			pongs++;
		}
		clubcrm__frame__free_unpacked(f, NULL);
	}
	raw_close(&rc);

	struct rawconn gone;
	assert_int_equal(raw_connect(&gone, h.address), 0);
	assert_true(raw_login(&gone, "fermin", HARNESS_PASSWORD));
	for (uint64_t i = 0; i < 8; i++)
		put_report(&frames, 300 + i);
	assert_int_equal(raw_send(&gone, frames.data, frames.len), 0);
	buf_free(&frames);
	raw_close(&gone);

	json_t *v = section("fermin", "created");
	assert_true(json_is_array(v));
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_follow_the_responsible),
		cmocka_unit_test(test_priority_response),
		cmocka_unit_test(test_csv_and_table),
		cmocka_unit_test(test_rights),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_reports_off_the_loop),
	};
	return harness_run_group(tests, &h);
}
