/*
 * CSV exports on the command line against the real server (the demo club):
 * `task export` with awkward texts, read back by a second, independent
 * reader (Python's csv module) and compared field by field; RFC 4180's
 * CRLF record ends and UTF-8; the filters and --as-of-revision of
 * `task list`; one snapshot (the revision on stderr); `customer export
 * --tag` (the marketing list); bad inputs.
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

#define OUT_MAX (512 * 1024)

ITCLI_STATE("export", "alicia", OUT_MAX);

/* Reads the CSV file argv[1] with Python's csv module; prints JSON:
 * {"rows": [[...], ...], "crlf": every record ends with CRLF}. Strict
 * UTF-8. */
static const char reader_py[] =
	"import csv, io, json, sys\n"
	"data = open(sys.argv[1], 'rb').read().decode('utf-8')\n"
	"rows = list(csv.reader(io.StringIO(data, newline=''), strict=True))\n"
	"crlf, quoted, prev = True, False, ''\n"
	"for ch in data:\n"
	"    if ch == '\"':\n"
	"        quoted = not quoted\n"
	"    elif ch == '\\n' and not quoted and prev != '\\r':\n"
	"        crlf = False\n"
	"    prev = ch\n"
	"crlf = crlf and data.endswith('\\r\\n')\n"
	"print(json.dumps({'rows': rows, 'crlf': crlf}))\n";

static char reader_path[256], csv_path[256];

/* Writes the reader beside the server's files, once. */
static void write_reader(void)
{
	if (reader_path[0])
		return;
	snprintf(reader_path, sizeof(reader_path), "%s/read_csv.py", h.dir);
	snprintf(csv_path, sizeof(csv_path), "%s/export.csv", h.dir);
	FILE *f = fopen(reader_path, "w");
	assert_non_null(f);
	assert_true(fputs(reader_py, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

#define run(...) itcli_run(&cli, __VA_ARGS__, (const char *)NULL)

/* stdout of the last run, read back by Python: {"rows", "crlf"}. */
static json_t *parse_out(void)
{
	write_reader();
	FILE *f = fopen(csv_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(out, 1, strlen(out), f), strlen(out));
	assert_int_equal(fclose(f), 0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s'", reader_path, csv_path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	static char buf[OUT_MAX];
	size_t n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	assert_int_equal(pclose(p), 0);
	json_error_t e;
	json_t *v = json_loads(buf, 0, &e);
	if (!v)
		fail_msg("python's reading is not JSON: %s (%s)", e.text, buf);
	assert_true(json_is_true(json_object_get(v, "crlf")));
	return v;
}

static const char *cell(json_t *row, size_t i)
{
	json_t *c = json_array_get(row, i);
	assert_true(json_is_string(c));
	return json_string_value(c);
}

/* The column named `name` in the header row. */
static size_t column(json_t *rows, const char *name)
{
	json_t *head = json_array_get(rows, 0);
	for (size_t i = 0; i < json_array_size(head); i++)
		if (strcmp(cell(head, i), name) == 0)
			return i;
	fail_msg("no column %s", name);
	return 0;
}

static long add_task(const char *customer, const char *desc, const char *tag)
{
	int rc = tag ? run("task", "add", "--customer", customer, "--type",
			   "Call", "--desc", desc, "--at", "2030-05-04 09:30",
			   "--tag", tag, "--json")
		     : run("task", "add", "--customer", customer, "--type",
			   "Call", "--desc", desc, "--at", "2030-05-04 09:30",
			   "--json");
	if (rc)
		fprintf(stderr, "stderr: %s\n", err);
	assert_int_equal(rc, 0);
	json_t *v = itcli_json(&cli);
	long id = itcli_num(v, "id");
	json_decref(v);
	return id;
}

static const char *const awkward[] = {
	"awk plain",
	"awk, with a comma",
	"awk \"quoted\" words",
	"awk two\nlines",
	"awk \"all\", of it,\nat \"\"once\"\"",
	"awk ñandú, Lucía — 龍 \xF0\x9F\x8E\xBE",
	"awk,",
	"awk\ttab",
};
#define N_AWKWARD (sizeof(awkward) / sizeof(awkward[0]))

static void test_tasks_read_back(void **state)
{
	(void)state;
	long ids[N_AWKWARD];
	for (size_t i = 0; i < N_AWKWARD; i++)
		ids[i] = add_task("Jorge", awkward[i], "Tennis");
	/* Pages of 3: the rows cross page boundaries. */
	assert_int_equal(run("task", "export", "--format", "csv", "--text",
			     "awk", "--page-size", "3"), 0);
	itcli_expect_err(&cli, "exported 8 rows as of revision ");
	json_t *v = parse_out();
	json_t *rows = json_object_get(v, "rows");
	assert_int_equal(json_array_size(rows), N_AWKWARD + 1);
	size_t c_id = column(rows, "ID"), c_desc = column(rows, "Description");
	size_t c_tags = column(rows, "Tags"), c_planned = column(rows, "Planned");
	size_t c_cust = column(rows, "Customer"), c_status = column(rows, "Status");
	size_t c_kind = column(rows, "Kind");
	assert_int_equal(json_array_size(json_array_get(rows, 0)), 15);
	column(rows, "Closing note");
	column(rows, "Operator");
	column(rows, "Creator");
	column(rows, "Outcome");
	for (size_t i = 0; i < N_AWKWARD; i++) {
		json_t *row = json_array_get(rows, i + 1);  /* creation order */
		assert_int_equal(json_array_size(row), 15);
		assert_int_equal(atol(cell(row, c_id)), ids[i]);
		assert_string_equal(cell(row, c_desc), awkward[i]);
		assert_string_equal(cell(row, c_tags), "Tennis");
		assert_string_equal(cell(row, c_planned), "2030-05-04 09:30");
		assert_string_equal(cell(row, c_cust), "Jorge Martín");
		assert_string_equal(cell(row, c_status), "planned");
		assert_string_equal(cell(row, c_kind), "task");
	}
	json_decref(v);
}

/* The past and the filters, as in task list; the closing note. */
static void test_tasks_past_and_filters(void **state)
{
	(void)state;
	long id = add_task("Jorge", "past, then closed", NULL);
	char ids[32];
	snprintf(ids, sizeof(ids), "%ld", id);
	assert_int_equal(run("task", "show", ids, "--json"), 0);
	json_t *v = itcli_json(&cli);
	char rev[32];
	snprintf(rev, sizeof(rev), "%ld", itcli_num(v, "mod_rev"));
	json_decref(v);
	assert_int_equal(run("task", "close", ids, "--result", "Positive",
			     "--note", "done, \"finally\"\nfor good"), 0);

	assert_int_equal(run("task", "export", "--text", "past, then",
			     "--status", "done"), 0);
	v = parse_out();
	json_t *rows = json_object_get(v, "rows");
	assert_int_equal(json_array_size(rows), 2);
	json_t *row = json_array_get(rows, 1);
	assert_string_equal(cell(row, column(rows, "Status")), "done");
	assert_string_equal(cell(row, column(rows, "Result")), "Positive");
	assert_string_equal(cell(row, column(rows, "Outcome")), "positive");
	assert_string_equal(cell(row, column(rows, "Closing note")),
			    "done, \"finally\"\nfor good");
	json_decref(v);

	/* As of the create: still planned, no note. */
	assert_int_equal(run("task", "export", "--text", "past, then",
			     "--as-of-revision", rev), 0);
	char want[64];
	snprintf(want, sizeof(want), "exported 1 row as of revision %s\n",
		 rev);
	itcli_expect_err(&cli, want);
	v = parse_out();
	rows = json_object_get(v, "rows");
	assert_int_equal(json_array_size(rows), 2);
	row = json_array_get(rows, 1);
	assert_string_equal(cell(row, column(rows, "Status")), "planned");
	assert_string_equal(cell(row, column(rows, "Closing note")), "");
	json_decref(v);
	/* A filter that matches nothing: the header only. */
	assert_int_equal(run("task", "export", "--text", "no such text"), 0);
	assert_string_equal(out,
			    "ID,Kind,Planned,Created,Operator,Creator,Type,"
			    "Customer,Status,Result,Outcome,Taken by,Tags,"
			    "Description,Closing note\r\n");
	/* --bom: for spreadsheets that want it. */
	assert_int_equal(run("task", "export", "--text", "no such text",
			     "--bom"), 0);
	assert_memory_equal(out, "\xEF\xBB\xBFID,", 6);
}

static void test_customers_by_tag(void **state)
{
	(void)state;
	cli.user = "fermin";
	assert_int_equal(run("customer", "add", "--name", "Ortega, Pilar",
			     "--phone", "+34 600 123 456", "--email",
			     "pilar@example.org"), 0);
	assert_int_equal(run("customer", "add", "--name", "Núñez \"Nacho\"",
			     "--phone", "+34 600 000 001", "--email",
			     "nacho@example.org"), 0);
	assert_int_equal(run("admin", "tag", "add", "--name", "Summer camp"),
			 0);
	cli.user = "alicia";
	add_task("Ortega", "summer camp leaflet", "Summer camp");
	add_task("Ortega", "and again", "Summer camp");  /* listed once */
	add_task("Nacho", "no tag", NULL);

	assert_int_equal(run("customer", "export", "--tag", "Summer camp"), 0);
	itcli_expect_err(&cli, "exported 1 customer\n");
	json_t *v = parse_out();
	json_t *rows = json_object_get(v, "rows");
	assert_int_equal(json_array_size(rows), 2);
	json_t *row = json_array_get(rows, 1);
	assert_string_equal(cell(row, column(rows, "Name")), "Ortega, Pilar");
	assert_string_equal(cell(row, column(rows, "Phone")),
			    "+34 600 123 456");
	assert_string_equal(cell(row, column(rows, "E-mail")),
			    "pilar@example.org");
	json_decref(v);

	/* Every active customer without --tag, names as they are. */
	assert_int_equal(run("customer", "export"), 0);
	v = parse_out();
	rows = json_object_get(v, "rows");
	bool nacho = false;
	for (size_t i = 1; i < json_array_size(rows); i++)
		nacho |= strcmp(cell(json_array_get(rows, i),
				     column(rows, "Name")),
				"Núñez \"Nacho\"") == 0;
	assert_true(nacho);
	assert_true(json_array_size(rows) >= 3);
	json_decref(v);
}

static void test_bad_inputs(void **state)
{
	(void)state;
	assert_int_equal(run("customer", "export", "--tag", "No such tag"), 1);
	itcli_expect_err(&cli, "tag 'No such tag' is unknown");
	assert_string_equal(out, "");
	assert_int_equal(run("task", "export", "--tag", "No such tag"), 1);
	assert_string_equal(out, "");
	assert_int_equal(run("task", "export", "--format", "xlsx"), 2);
	itcli_expect_err(&cli, "--format 'xlsx' is not one this version writes: csv");
	assert_int_equal(run("customer", "export", "--format", "json"), 2);
	assert_int_equal(run("task", "export", "--page-size", "0"), 2);
	assert_int_equal(run("task", "export", "--page-size", "501"), 2);
	assert_int_equal(run("task", "export", "--as-of", "2026-02-30 25:00"),
			 2);
	/* Refused by the server: nothing written, not even the header. */
	assert_int_equal(run("task", "export", "--as-of", "2001-01-01 10:00"),
			 1);
	itcli_expect_err(&cli, "the club's history");
	assert_string_equal(out, "");
	assert_int_equal(run("task", "export", "--as-of-revision", "9999999"),
			 1);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tasks_read_back),
		cmocka_unit_test(test_tasks_past_and_filters),
		cmocka_unit_test(test_customers_by_tag),
		cmocka_unit_test(test_bad_inputs),
	};
	return harness_run_group(tests, &h);
}
