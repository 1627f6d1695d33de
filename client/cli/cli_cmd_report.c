/*
 * report [created|outcomes|response|overdue]: the manager's figures over a
 * period of the club's days, computed by the server from the change log.
 * Tables like task list's, CSV (one section per file: RFC 4180, CRLF) or
 * JSON. --to includes its day, as task list's does; the server's period is
 * [from_date, to_date), so the CLI sends the day after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "csv_writer.h"
#include "cli_json.h"
#include "cli_resolve.h"
#include "cli_table.h"
#include "clubzone.h"

enum section { ALL, CREATED, OUTCOMES, RESPONSE, OVERDUE };

static const char *const section_names[] = {"", "created", "outcomes",
					    "response", "overdue"};

/* "YYYY-MM-DD" moved by `delta` days (-1 or 1) into out[16]; false when
 * `in` is not such a date. */
static bool date_shift(const char *in, int delta, char *out)
{
	int y, m, d;
	char extra;
	if (strlen(in) != 10 || in[4] != '-' || in[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (in[i] < '0' || in[i] > '9'))
			return false;
	if (sscanf(in, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || m < 1 ||
	    m > 12 || d < 1 || d > clubzone_month_days(y, m))
		return false;
	d += delta;
	if (d < 1) {
		if (--m < 1)
			m = 12, y--;
		d = clubzone_month_days(y, m);
	} else if (d > clubzone_month_days(y, m)) {
		d = 1;
		if (++m > 12)
			m = 1, y++;
	}
	snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	return true;
}

/* "45s", "12m", "2h 05m", "3d 04h": a duration people read at a glance. */
static void duration(int64_t s, char *out, size_t size)
{
	if (s < 60)
		snprintf(out, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, size, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(out, size, "%lldh %02lldm", (long long)(s / 3600),
			 (long long)(s % 3600 / 60));
	else
		snprintf(out, size, "%lldd %02lldh", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600));
}

static void u32s(uint32_t v, char *out)
{
	snprintf(out, 12, "%u", (unsigned)v);
}

/* A median or p90 in seconds for CSV ("" when there is none). */
static void secs(bool has, int64_t v, char *out)
{
	if (has)
		snprintf(out, 24, "%lld", (long long)v);
	else
		out[0] = '\0';
}

static const char *response_type(const Clubcrm__ReportResponse *x)
{
	return x->type_id ? x->type_name : "all priority types";
}

/* ------------------------------------------------------------ tables */

static void table_created(const Clubcrm__Report *r)
{
	struct cli_table tb;
	cli_table_init(&tb, 5);
	const char *head[] = {"OPERATOR", "TYPE", "CREATED", "DONE",
			      "CANCELLED"};
	cli_table_add(&tb, head, NULL);
	uint32_t tc = 0, td = 0, tx = 0;
	char a[12], b[12], c[12];
	for (size_t i = 0; i < r->n_counts; i++) {
		const Clubcrm__ReportCount *k = r->counts[i];
		u32s(k->created, a), u32s(k->done, b), u32s(k->cancelled, c);
		const char *row[] = {k->operator_name, k->type_name, a, b, c};
		cli_table_add(&tb, row, NULL);
		tc += k->created, td += k->done, tx += k->cancelled;
	}
	u32s(tc, a), u32s(td, b), u32s(tx, c);
	const char *total[] = {"total", "", a, b, c};
	cli_table_add(&tb, total, NULL);
	cli_table_print(&tb, stdout, 0);
	cli_table_free(&tb);
}

static void table_outcomes(const Clubcrm__Report *r)
{
	struct cli_table tb;
	cli_table_init(&tb, 4);
	const char *head[] = {"TYPE", "POSITIVE", "NEGATIVE",
			      "NO ANSWER (UNKNOWN)"};
	cli_table_add(&tb, head, NULL);
	char a[12], b[12], c[12];
	for (size_t i = 0; i < r->n_outcomes; i++) {
		const Clubcrm__ReportOutcome *o = r->outcomes[i];
		u32s(o->positive, a), u32s(o->negative, b), u32s(o->unknown, c);
		const char *row[] = {o->type_name, a, b, c};
		cli_table_add(&tb, row, NULL);
	}
	if (!r->n_outcomes)
		puts("(no results recorded)");
	else
		cli_table_print(&tb, stdout, 0);
	cli_table_free(&tb);
}

static void table_response(const Clubcrm__Report *r)
{
	struct cli_table tb;
	cli_table_init(&tb, 7);
	const char *head[] = {"PRIORITY TYPE", "TAKEN", "TO TAKE: MEDIAN",
			      "P90", "DONE", "TO DONE: MEDIAN", "P90"};
	cli_table_add(&tb, head, NULL);
	for (size_t i = 0; i < r->n_response; i++) {
		const Clubcrm__ReportResponse *x = r->response[i];
		char n1[12], n2[12], m1[24] = "-", p1[24] = "-", m2[24] = "-",
						p2[24] = "-";
		u32s(x->taken, n1), u32s(x->done, n2);
		if (x->has_take_median)
			duration(x->take_median, m1, sizeof(m1)),
				duration(x->take_p90, p1, sizeof(p1));
		if (x->has_done_median)
			duration(x->done_median, m2, sizeof(m2)),
				duration(x->done_p90, p2, sizeof(p2));
		const char *row[] = {response_type(x), n1, m1, p1, n2, m2, p2};
		cli_table_add(&tb, row, NULL);
	}
	cli_table_print(&tb, stdout, 0);
	cli_table_free(&tb);
}

static void table_overdue(const Clubcrm__Report *r)
{
	struct cli_table tb;
	cli_table_init(&tb, 2);
	const char *head[] = {"DAY", "OVERDUE"};
	cli_table_add(&tb, head, NULL);
	for (size_t i = 0; i < r->n_overdue; i++) {
		char n[12];
		u32s(r->overdue[i]->overdue, n);
		const char *row[] = {r->overdue[i]->date, n};
		cli_table_add(&tb, row, NULL);
	}
	cli_table_print(&tb, stdout, 0);
	cli_table_free(&tb);
}

static void print_tables(const Clubcrm__Report *r, enum section s)
{
	char last[16];
	if (!date_shift(r->to_date, -1, last))
		snprintf(last, sizeof(last), "?");
	printf("Report %s to %s (%s), revision %llu\n", r->from_date, last,
	       r->time_zone, (unsigned long long)r->revision);
	if (s == ALL || s == CREATED) {
		puts("\nTasks created, done and cancelled, per operator "
		     "responsible and type");
		table_created(r);
	}
	if (s == ALL || s == OUTCOMES) {
		puts("\nFollow-up outcomes per type");
		table_outcomes(r);
	}
	if (s == ALL || s == RESPONSE) {
		puts("\nPriority tasks: time from creation to the first take "
		     "and to done");
		table_response(r);
	}
	if (s == ALL || s == OVERDUE) {
		puts("\nOverdue tasks at the end of each day (today: now)");
		table_overdue(r);
	}
}

/* ------------------------------------------------------------ CSV */

static void print_csv(const Clubcrm__Report *r, enum section s)
{
	char a[24], b[24], c[24], d[24], e[24], f[24], g[24];
	if (s == CREATED) {
		const char *head[] = {"operator", "type", "created", "done",
				      "cancelled"};
		csvw_record(stdout, head, 5);
		for (size_t i = 0; i < r->n_counts; i++) {
			const Clubcrm__ReportCount *k = r->counts[i];
			u32s(k->created, a), u32s(k->done, b);
			u32s(k->cancelled, c);
			const char *row[] = {k->operator_name, k->type_name, a,
					     b, c};
			csvw_record(stdout, row, 5);
		}
	} else if (s == OUTCOMES) {
		const char *head[] = {"type", "positive", "negative",
				      "unknown"};
		csvw_record(stdout, head, 4);
		for (size_t i = 0; i < r->n_outcomes; i++) {
			const Clubcrm__ReportOutcome *o = r->outcomes[i];
			u32s(o->positive, a), u32s(o->negative, b);
			u32s(o->unknown, c);
			const char *row[] = {o->type_name, a, b, c};
			csvw_record(stdout, row, 4);
		}
	} else if (s == RESPONSE) {
		const char *head[] = {"type", "taken", "take_median_seconds",
				      "take_p90_seconds", "done",
				      "done_median_seconds", "done_p90_seconds"};
		csvw_record(stdout, head, 7);
		for (size_t i = 0; i < r->n_response; i++) {
			const Clubcrm__ReportResponse *x = r->response[i];
			u32s(x->taken, a), u32s(x->done, e);
			secs(x->has_take_median, x->take_median, b);
			secs(x->has_take_p90, x->take_p90, c);
			secs(x->has_done_median, x->done_median, f);
			secs(x->has_done_p90, x->done_p90, g);
			const char *row[] = {response_type(x), a, b, c, e, f, g};
			csvw_record(stdout, row, 7);
		}
	} else {
		const char *head[] = {"date", "overdue"};
		csvw_record(stdout, head, 2);
		for (size_t i = 0; i < r->n_overdue; i++) {
			u32s(r->overdue[i]->overdue, d);
			const char *row[] = {r->overdue[i]->date, d};
			csvw_record(stdout, row, 2);
		}
	}
}

/* ------------------------------------------------------------ JSON */

static json_t *json_secs(bool has, int64_t v)
{
	return has ? json_integer(v) : json_null();
}

static void print_json(const Clubcrm__Report *r, enum section s)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "from", r->from_date,
			      "to_exclusive", r->to_date, "time_zone",
			      r->time_zone, "revision",
			      (json_int_t)r->revision);
	if (!o)
		return;
	if (s == ALL || s == CREATED) {
		json_t *a = json_array();
		for (size_t i = 0; i < r->n_counts; i++) {
			const Clubcrm__ReportCount *k = r->counts[i];
			json_array_append_new(
				a, json_pack("{s:s, s:I, s:s, s:I, s:i, s:i, "
					     "s:i}",
					     "operator", k->operator_name,
					     "operator_id",
					     (json_int_t)k->operator_id, "type",
					     k->type_name, "type_id",
					     (json_int_t)k->type_id, "created",
					     (int)k->created, "done",
					     (int)k->done, "cancelled",
					     (int)k->cancelled));
		}
		json_object_set_new(o, "created", a);
	}
	if (s == ALL || s == OUTCOMES) {
		json_t *a = json_array();
		for (size_t i = 0; i < r->n_outcomes; i++) {
			const Clubcrm__ReportOutcome *x = r->outcomes[i];
			json_array_append_new(
				a, json_pack("{s:s, s:I, s:i, s:i, s:i}", "type",
					     x->type_name, "type_id",
					     (json_int_t)x->type_id, "positive",
					     (int)x->positive, "negative",
					     (int)x->negative, "unknown",
					     (int)x->unknown));
		}
		json_object_set_new(o, "outcomes", a);
	}
	if (s == ALL || s == RESPONSE) {
		json_t *a = json_array();
		for (size_t i = 0; i < r->n_response; i++) {
			const Clubcrm__ReportResponse *x = r->response[i];
			json_array_append_new(
				a,
				json_pack("{s:s?, s:I, s:i, s:o, s:o, s:i, s:o, "
					  "s:o}",
					  "type", x->type_id ? x->type_name : NULL,
					  "type_id", (json_int_t)x->type_id,
					  "taken", (int)x->taken,
					  "take_median_seconds",
					  json_secs(x->has_take_median,
						    x->take_median),
					  "take_p90_seconds",
					  json_secs(x->has_take_p90, x->take_p90),
					  "done", (int)x->done,
					  "done_median_seconds",
					  json_secs(x->has_done_median,
						    x->done_median),
					  "done_p90_seconds",
					  json_secs(x->has_done_p90,
						    x->done_p90)));
		}
		json_object_set_new(o, "response", a);
	}
	if (s == ALL || s == OVERDUE) {
		json_t *a = json_array();
		for (size_t i = 0; i < r->n_overdue; i++)
			json_array_append_new(
				a, json_pack("{s:s, s:i}", "date",
					     r->overdue[i]->date, "overdue",
					     (int)r->overdue[i]->overdue));
		json_object_set_new(o, "overdue", a);
	}
	cli_json_print(o);
}

/* ------------------------------------------------------------ command */

int cli_cmd_report(struct cli *cli, int argc, char **argv)
{
	const char *from = NULL, *to = NULL, *team = NULL, *format = NULL;
	const struct cli_opt opts[] = {
		{"from", CLI_OPT_VALUE, &from},
		{"to", CLI_OPT_VALUE, &to},
		{"team", CLI_OPT_VALUE, &team},
		{"format", CLI_OPT_VALUE, &format},
		{0},
	};
	const char *pos[1];
	size_t n_pos = 0;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 1, &n_pos);
	if (rc != CLI_OK)
		return rc;
	enum section s = ALL;
	if (n_pos) {
		for (s = CREATED; s <= OVERDUE; s++)
			if (strcmp(pos[0], section_names[s]) == 0)
				break;
		if (s > OVERDUE)
			return cli_usage_error("report: '%s' is not a section: "
					       "created, outcomes, response "
					       "or overdue", pos[0]);
	}
	bool csv = format && strcmp(format, "csv") == 0;
	if (format && strcmp(format, "json") == 0)
		cli->json = true;
	else if (format && !csv && strcmp(format, "table") != 0)
		return cli_usage_error("--format '%s': table, csv or json",
				       format);
	if (csv && cli->json)
		return cli_usage_error("--format csv and --json exclude each "
				       "other");
	if (csv && s == ALL)
		return cli_usage_error("--format csv writes one section: "
				       "report created|outcomes|response|"
				       "overdue --format csv");
	char from_d[16] = "", to_d[16] = "";
	if (from && !date_shift(from, 0, from_d))
		return cli_usage_error("--from '%s': give a date YYYY-MM-DD",
				       from);
	if (to && !date_shift(to, 1, to_d))
		return cli_usage_error("--to '%s': give a date YYYY-MM-DD", to);
	if (to && !from)
		return cli_usage_error("--to needs --from");
	if (cli_connect(cli) != CLI_OK)
		return CLI_REFUSED;
	Clubcrm__GetReport q = CLUBCRM__GET_REPORT__INIT;
	q.from_date = from ? from_d : NULL;
	q.to_date = to ? to_d : NULL;
	if (team) {
		if ((rc = cli_resolve_team(cli, team, &q.team_id)) != CLI_OK)
			return rc;
		q.has_team_id = true;
	}
	struct clubcrm_answer ans;
	if (cli_answer(clubcrm_report_get(cli->conn, &q, &ans), &ans) != CLI_OK)
		return CLI_REFUSED;
	if (cli->json)
		print_json(ans.report, s);
	else if (csv)
		print_csv(ans.report, s);
	else
		print_tables(ans.report, s);
	clubcrm_answer_free(&ans);
	return CLI_OK;
}
