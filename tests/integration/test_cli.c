/*
 * The clubcrm command line against the real server: task add --json, task
 * show, task list, note add, customer list, catalog, and the exit codes
 * (0 done, 1 refused, 2 usage). Each run logs in (~0.1 s); only one bad
 * password (~1 s).
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

static long created_id;
/* The runs of clubcrm: CLUBCRM_USER of the next ones in cli.user, the
 * password of each given to run_pw(). */
ITCLI_STATE("cli", "alicia", OUT_MAX);

/*
 * Runs clubcrm with the words given (NULL-terminated) and the password
 * (NULL: none); its exit code, stdout in `out`, stderr in `err`.
 */
static int run_pw(const char *password, ...)
{
	va_list ap;
	va_start(ap, password);
	cli.password = password;
	int rc = itcli_vrun(&cli, va_arg(ap, const char *), ap);
	va_end(ap);
	return rc;
}

#define run(...) run_pw(HARNESS_PASSWORD, __VA_ARGS__, (const char *)NULL)

static void test_task_add_show_list(void **state)
{
	assert_int_equal(run("task", "add", "--customer", "Arantxa", "--type",
			     "appointment", "--at", "2030-05-06 10:30",
			     "--operator", "valentina", "--tag", "VIP",
			     "--desc", "cli test: tennis lessons", "--json"), 0);
	json_t *v = itcli_json(&cli);
	created_id = (long)json_integer_value(json_object_get(v, "id"));
	assert_true(created_id > 0);
	assert_string_equal(json_string_value(json_object_get(v, "description")),
			    "cli test: tennis lessons");
	assert_string_equal(json_string_value(json_object_get(v, "operator")),
			    "valentina");
	/* Shown in the club's zone, as it was typed. */
	assert_int_equal(strncmp(json_string_value(json_object_get(
					 v, "planned_at")),
				 "2030-05-06T10:30", 16), 0);
	json_decref(v);

	char id[32];
	snprintf(id, sizeof(id), "%ld", created_id);
	assert_int_equal(run("task", "show", id, "--json"), 0);
	v = itcli_json(&cli);
	assert_int_equal(json_integer_value(json_object_get(v, "id")), created_id);
	assert_string_equal(json_string_value(json_object_get(v, "type")),
			    "Appointment");
	assert_string_equal(json_string_value(json_object_get(v, "creator")),
			    "alicia");
	json_decref(v);

	assert_int_equal(run("task", "show", id), 0);
	assert_non_null(strstr(out, "cli test: tennis lessons"));
	assert_non_null(strstr(out, "06/05/2030 10:30"));
	assert_non_null(strstr(out, "VIP"));

	assert_int_equal(run("task", "list", "--customer", "Arantxa", "--from",
			     "2030-05-06", "--to", "2030-05-06", "--json"), 0);
	v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(v, 0), "id")), created_id);
	json_decref(v);

	/* The product's row: planned (created)  operator (creator). */
	assert_int_equal(run("task", "list", "--from", "2030-05-06", "--to",
			     "2030-05-06"), 0);
	assert_non_null(strstr(out, "06/05/2030 10:30 ("));
	assert_non_null(strstr(out, "Valentina (Alicia)"));
	assert_non_null(strstr(out, "Appointment"));
}

static void test_note_add(void **state)
{
	assert_int_equal(run("note", "add", "--customer", "Manolo", "--type",
			     "Call", "--desc", "called, no answer", "--result",
			     "No answer", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_true(json_integer_value(json_object_get(v, "id")) > created_id);
	assert_string_equal(json_string_value(json_object_get(v, "kind")),
			    "note");
	assert_string_equal(json_string_value(json_object_get(v, "result")),
			    "No answer");
	json_decref(v);
}

static void test_list_pages(void **state)
{
	assert_int_equal(run("task", "list", "--customer", "Arantxa",
			     "--page-size", "1", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	assert_non_null(strstr(err, "--all"));
	assert_int_equal(run("task", "list", "--customer", "Arantxa",
			     "--page-size", "1", "--all", "--json"), 0);
	v = itcli_json(&cli);
	assert_true(json_array_size(v) >= 2);
	json_decref(v);
}

/* Every row of the array `v` has `key` equal to `want`; the row count. */
static size_t all_rows(json_t *v, const char *key, const char *want)
{
	size_t n = json_array_size(v);
	for (size_t i = 0; i < n; i++) {
		json_t *val = json_object_get(json_array_get(v, i), key);
		if (json_is_boolean(val))
			assert_string_equal(json_is_true(val) ? "true" : "false",
					    want);
		else
			assert_string_equal(json_string_value(val), want);
	}
	return n;
}

static void test_list_filters(void **state)
{
	assert_int_equal(run("task", "list", "--urgent", "--all", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_true(all_rows(v, "priority", "true") >= 1);
	all_rows(v, "status", "planned");
	json_decref(v);

	assert_int_equal(run("task", "list", "--type", "Call", "--status",
			     "planned", "--operator", "alicia", "--all",
			     "--json"), 0);
	v = itcli_json(&cli);
	assert_true(all_rows(v, "type", "Call") >= 1);
	all_rows(v, "operator", "alicia");
	all_rows(v, "status", "planned");
	json_decref(v);

	assert_int_equal(run("task", "list", "--text", "cli test: tennis",
			     "--json"), 0);
	v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(v, 0), "id")), created_id);
	json_decref(v);

	assert_int_equal(run("task", "list", "--kind", "note", "--customer",
			     "Manolo", "--all", "--json"), 0);
	v = itcli_json(&cli);
	assert_true(all_rows(v, "kind", "note") >= 1);
	json_decref(v);

	assert_int_equal(run("task", "list", "--status", "bogus"), 2);
	assert_int_equal(run("task", "list", "--taken", "--not-taken"), 2);
}

static void test_customers_and_catalog(void **state)
{
	assert_int_equal(run("customer", "list", "--search", "manolo", "--json"),
			 0);
	json_t *v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 1);
	assert_non_null(strstr(json_string_value(json_object_get(
				       json_array_get(v, 0), "name")),
			       "Manolo"));
	json_decref(v);

	assert_int_equal(run("catalog", "--json"), 0);
	v = itcli_json(&cli);
	json_t *types = json_object_get(v, "task_types");
	bool objection_priority = false;
	for (size_t i = 0; i < json_array_size(types); i++) {
		json_t *t = json_array_get(types, i);
		if (strcmp(json_string_value(json_object_get(t, "name")),
			   "Objection") == 0)
			objection_priority =
				json_is_true(json_object_get(t, "priority"));
	}
	assert_true(objection_priority);
	json_decref(v);
	assert_int_equal(run("catalog"), 0);
	assert_non_null(strstr(out, "Objection"));
}

static long json_id(void)
{
	json_t *v = itcli_json(&cli);
	long id = (long)json_integer_value(json_object_get(v, "id"));
	json_decref(v);
	return id;
}

/* Take, release, tag, follow with a next task, close with a note. */
static void test_task_operations(void **state)
{
	assert_int_equal(run("task", "add", "--customer", "Manolo", "--type",
			     "Objection", "--at", "2030-06-01 09:00", "--desc",
			     "cold showers", "--json"), 0);
	char id[32];
	snprintf(id, sizeof(id), "%ld", json_id());

	cli.user = "valentina";
	assert_int_equal(run("task", "take", id, "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_string_equal(json_string_value(json_object_get(v, "colour")),
			    "yellow");
	assert_string_equal(json_string_value(json_object_get(v, "taken_by")),
			    "valentina");
	json_decref(v);
	cli.user = "deborah";
	assert_int_equal(run("task", "take", id), 1);
	assert_non_null(strstr(err, "FAILED_PRECONDITION"));
	cli.user = "valentina";
	assert_int_equal(run("task", "release", id, "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(json_string_value(json_object_get(v, "colour")),
			    "red");
	json_decref(v);

	cli.user = "alicia";
	assert_int_equal(run("task", "tag", id, "Marketing"), 0);
	assert_int_equal(run("task", "show", id), 0);
	assert_non_null(strstr(out, "Marketing"));
	assert_int_equal(run("task", "untag", id, "Marketing"), 0);
	assert_int_equal(run("task", "tag", id, "NoSuchTag"), 1);

	/* Negative: stays open, the next task goes to Fermín. */
	assert_int_equal(run("task", "follow", id, "--result", "Negative",
			     "--keep-open", "--next-type", "Quote", "--next-at",
			     "2030-06-02 12:00", "--next-operator", "fermin",
			     "--next-desc", "a discount", "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(json_string_value(json_object_get(v, "status")),
			    "planned");
	assert_string_equal(json_string_value(json_object_get(v, "result")),
			    "Negative");
	json_decref(v);
	assert_int_equal(run("task", "list", "--customer", "Manolo", "--type",
			     "Quote", "--from", "2030-06-02", "--to",
			     "2030-06-02", "--json"), 0);
	v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 1);
	json_t *next = json_array_get(v, 0);
	assert_string_equal(json_string_value(json_object_get(next, "operator")),
			    "fermin");
	char next_id[32];
	snprintf(next_id, sizeof(next_id), "%ld",
		 (long)json_integer_value(json_object_get(next, "id")));
	json_decref(v);

	/* Closing with a note also files the note as its own entry. */
	cli.user = "fermin";
	assert_int_equal(run("task", "close", next_id, "--result", "Positive",
			     "--note", "accepted the quote"), 0);
	assert_non_null(strstr(out, "Created note"));
	assert_int_equal(run("task", "list", "--customer", "Manolo", "--kind",
			     "note", "--text", "accepted the quote", "--json"), 0);
	v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	assert_int_equal(run("task", "cancel", next_id), 1);
	assert_int_equal(run("task", "follow", id), 2);
	assert_int_equal(run("task", "take"), 2);
	cli.user = "alicia";
}

static void test_edit_copy_reassign(void **state)
{
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Call", "--at", "2030-07-01 09:00", "--operator",
			     "maribel", "--desc", "renewal call", "--json"), 0);
	char id[32];
	snprintf(id, sizeof(id), "%ld", json_id());
	assert_int_equal(run("task", "edit", id, "--desc", "renewal call, 2nd",
			     "--at", "2030-07-01 10:15", "--tag", "VIP", "--json"),
			 0);
	json_t *v = itcli_json(&cli);
	assert_string_equal(json_string_value(json_object_get(v, "description")),
			    "renewal call, 2nd");
	assert_int_equal(strncmp(json_string_value(json_object_get(
					 v, "planned_at")),
				 "2030-07-01T10:15", 16), 0);
	json_decref(v);
	/* Based on a stale revision: refused, nothing overwritten. */
	assert_int_equal(run("task", "edit", id, "--base-rev", "1", "--desc",
			     "lost update"), 1);
	assert_non_null(strstr(err, "FAILED_PRECONDITION"));

	assert_int_equal(run("task", "copy", id, "--at", "2030-07-08 10:15",
			     "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(json_string_value(json_object_get(v, "description")),
			    "renewal call, 2nd");
	assert_true(json_integer_value(json_object_get(v, "id")) > atol(id));
	json_decref(v);

	/* Only an admin may: an operator is refused, nothing moves. */
	assert_int_equal(run("task", "reassign", "--from", "maribel", "--to",
			     "alicia"), 1);
	assert_non_null(strstr(err, "PERMISSION_DENIED"));
	assert_non_null(strstr(err, "only admins may reassign"));
	assert_int_equal(run("task", "show", id, "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(json_string_value(json_object_get(v, "operator")),
			    "maribel");
	json_decref(v);

	/* Maribel is away: her open July tasks go to Deborah. */
	cli.user = "fermin";
	assert_int_equal(run("task", "reassign", "--from", "maribel", "--to",
			     "deborah", "--from-date", "2030-07-01", "--to-date",
			     "2030-07-31", "--json"), 0);
	v = itcli_json(&cli);
	assert_int_equal(json_array_size(json_object_get(v, "task_ids")), 2);
	json_decref(v);
	cli.user = "alicia";
	assert_int_equal(run("task", "show", id, "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(json_string_value(json_object_get(v, "operator")),
			    "deborah");
	json_decref(v);

	/* The copy (8 July) back to Maribel: the count in the singular;
	 * again, nothing left to move: in the plural. */
	cli.user = "fermin";
	assert_int_equal(run("task", "reassign", "--from", "deborah", "--to",
			     "maribel", "--from-date", "2030-07-08",
			     "--to-date", "2030-07-08"), 0);
	itcli_expect_out(&cli, "Moved 1 task: ");
	assert_int_equal(run("task", "reassign", "--from", "deborah", "--to",
			     "maribel", "--from-date", "2030-07-08",
			     "--to-date", "2030-07-08"), 0);
	itcli_expect_out(&cli, "Moved 0 tasks\n");
	cli.user = "alicia";
	assert_int_equal(run("task", "reassign", "--from", "maribel"), 2);
}

static void test_customer_add_edit_show(void **state)
{
	assert_int_equal(run("customer", "add", "--name", "Pilar Gómez",
			     "--phone", "+34 600 000 001", "--consultant",
			     "maribel", "--json"), 0);
	long id = json_id();
	assert_true(id > 0);
	assert_int_equal(run("customer", "edit", "Pilar", "--email",
			     "pilar@example.org", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_int_equal(json_integer_value(json_object_get(v, "id")), id);
	assert_string_equal(json_string_value(json_object_get(v, "email")),
			    "pilar@example.org");
	assert_string_equal(json_string_value(json_object_get(v, "phone")),
			    "+34 600 000 001");
	json_decref(v);
	assert_int_equal(run("task", "add", "--customer", "Pilar", "--type",
			     "Call", "--at", "2030-08-01 10:00", "--desc",
			     "welcome call"), 0);
	assert_int_equal(run("customer", "show", "Pilar", "--json"), 0);
	v = itcli_json(&cli);
	json_t *tasks = json_object_get(v, "tasks");
	assert_int_equal(json_array_size(tasks), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(tasks, 0), "operator")),
			    "maribel");  /* her consultant */
	json_decref(v);
	assert_int_equal(run("customer", "show", "Pilar"), 0);
	assert_non_null(strstr(out, "welcome call"));
	/* Typed without accents or capitals, as at a real desk. */
	assert_int_equal(run("customer", "show", "pilar gomez"), 0);
	assert_non_null(strstr(out, "welcome call"));
	assert_int_equal(run("task", "list", "--customer", "PILAR GOMEZ",
			     "--operator", "MARIBEL"), 0);
	assert_non_null(strstr(out, "welcome call"));
	assert_int_equal(run("customer", "add", "--phone", "1"), 2);
}

static void test_refused_exit_1(void **state)
{
	assert_int_equal(run("task", "show", "999999"), 1);
	assert_non_null(strstr(err, "clubcrm: NOT_FOUND:"));
	assert_int_equal(run("task", "add", "--customer", "999999", "--type",
			     "Call", "--at", "2030-05-06 10:00", "--desc", "x"),
			 1);
	assert_non_null(strstr(err, "clubcrm: NOT_FOUND: unknown customer 999999"));
	assert_int_equal(run("task", "add", "--customer", "Nobody", "--type",
			     "Call", "--at", "2030-05-06 10:00", "--desc", "x"),
			 1);
	assert_non_null(strstr(err, "customer 'Nobody' is unknown"));
	/* "a" is in many names: the candidates are listed. */
	assert_int_equal(run("task", "add", "--customer", "a", "--type", "Call",
			     "--at", "2030-05-06 10:00", "--desc", "x"), 1);
	assert_non_null(strstr(err, "ambiguous"));
	assert_non_null(strstr(err, "Arantxa"));
	assert_int_equal(run_pw("wrong", "catalog", (const char *)NULL), 1);
	assert_non_null(strstr(err, "UNAUTHENTICATED"));
}

static void test_usage_exit_2(void **state)
{
	assert_int_equal(run_pw(HARNESS_PASSWORD, (const char *)NULL), 2);
	assert_non_null(strstr(err, "usage:"));
	assert_int_equal(run("bogus"), 2);
	assert_int_equal(run("task", "add", "--customer", "Arantxa", "--type",
			     "Call", "--at", "2030-05-06 10:00"), 2);
	assert_non_null(strstr(err, "--desc is required"));
	assert_int_equal(run("task", "add", "--customer", "Arantxa", "--type",
			     "Call", "--at", "tomorrow", "--desc", "x"), 2);
	assert_int_equal(run("task", "list", "--page-size", "0"), 2);
	assert_int_equal(run("task", "show"), 2);
	assert_int_equal(run("task", "list", "--frobnicate"), 2);
	assert_int_equal(run_pw(NULL, "catalog", (const char *)NULL), 2);
	assert_non_null(strstr(err, "CLUBCRM_PASSWORD"));
	assert_int_equal(run("help"), 0);
	assert_non_null(strstr(out, "task add"));
	assert_int_equal(run("--help"), 0);
}

/* "WORD [WORD] --help": the usage on stdout, exit 0, no connection (there
 * is no password: a connection would be refused with exit 2). */
static void help_ok(const char *a, const char *b, const char *c)
{
	int rc = c ? run_pw(NULL, a, b, c, "--help", (const char *)NULL)
		 : b ? run_pw(NULL, a, b, "--help", (const char *)NULL)
		     : run_pw(NULL, a, "--help", (const char *)NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "task add"));
	assert_string_equal(err, "");
}

/*
 * Every command takes --help, even without the words it needs otherwise;
 * a bad option beside it is still a usage error.
 */
static void test_command_help(void **state)
{
	static const char *const two[][2] = {
		{"task", "add"}, {"task", "list"}, {"task", "show"},
		{"task", "take"}, {"task", "release"}, {"task", "close"},
		{"task", "cancel"}, {"task", "tag"}, {"task", "untag"},
		{"task", "follow"}, {"task", "edit"}, {"task", "copy"},
		{"task", "reassign"}, {"note", "add"}, {"customer", "list"},
		{"customer", "add"}, {"customer", "edit"},
		{"customer", "show"}, {"admin", "settings"},
	};
	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
		help_ok(two[i][0], two[i][1], NULL);
	help_ok("catalog", NULL, NULL);
	help_ok("watch", NULL, NULL);
	help_ok("admin", NULL, NULL);
	help_ok("admin", "tag", "add");
	help_ok("admin", "type", "deactivate");
	assert_int_equal(run("task", "take", "--help", "--frobnicate"), 2);
	assert_int_equal(run("catalog", "--frobnicate", "--help"), 2);
	assert_int_equal(run("task", "show", "--help", "1", "2"), 2);
	assert_string_equal(out, "");
}

/* The words a command needs, each missing or wrong one a usage error that
 * says what is wrong, before any connection (no password here). */
static void usage_says(const char *want, const char *a, const char *b,
		       const char *c)
{
	assert_int_equal(run_pw(NULL, a, b, c, (const char *)NULL), 2);
	if (!strstr(err, want))
		fprintf(stderr, "want '%s' in: %s", want, err);
	assert_non_null(strstr(err, want));
	assert_string_equal(out, "");
}

static void test_usage_messages(void **state)
{
	usage_says("customer show needs a customer", "customer", "show", NULL);
	usage_says("customer edit needs a customer", "customer", "edit", NULL);
	usage_says("unexpected argument 'x'", "customer", "add", "x");
	usage_says("task follow needs a task id", "task", "follow", "abc");
	usage_says("task show needs a task id", "task", "show", "0");
	usage_says("task edit needs a task id", "task", "edit", NULL);
	usage_says("task copy needs a task id", "task", "copy", "x");
	usage_says("task take needs a task id", "task", "take", NULL);
	usage_says("task tag needs a task id and a name", "task", "tag", "1");
	usage_says("unexpected argument 'x'", "catalog", "x", NULL);
	usage_says("unexpected argument 'x'", "task", "reassign", "x");
	usage_says("unexpected argument 'x'", "customer", "list", "x");
	usage_says("unknown option --frobnicate", "catalog", "--frobnicate",
		   NULL);
}

/*
 * A command ends its session with Logout when it is done: the server logs
 * it out before it closes the connection, and the CLI exits only after
 * that close, so the line is there when run() returns.
 */
static void test_logout_at_exit(void **state)
{
	const char *line = ": maribel logged out";
	unsigned before = harness_log_count(&h, line);
	cli.user = "maribel";
	assert_int_equal(run("catalog"), 0);
	assert_int_equal(harness_log_count(&h, line), before + 1);
	/* A refused command logs out too. */
	assert_int_equal(run("task", "show", "999999"), 1);
	assert_int_equal(harness_log_count(&h, line), before + 2);
	cli.user = "alicia";
}

/* The id a --json create printed. */
static long created(void)
{
	json_t *v = itcli_json(&cli);
	long id = (long)json_integer_value(json_object_get(v, "id"));
	json_decref(v);
	assert_true(id > 0);
	return id;
}

/* A script that retries a create (after a timeout, a lost connection) with
 * its own key gets the first task back, not a second one. */
static void test_idempotency_key_retry(void **state)
{
#define ADD(key) run("task", "add", "--customer", "Arantxa", "--type", \
		     "appointment", "--at", "2031-01-02 10:00", "--desc", \
		     "cli test: retried", "--idempotency-key", key, "--json")
	assert_int_equal(ADD("script-run-42"), 0);
	long first = created();
	assert_int_equal(ADD("script-run-42"), 0);
	assert_int_equal(created(), first);
	assert_int_equal(ADD("script-run-43"), 0);  /* another key: another task */
	long other = created();
	assert_true(other != first);
	assert_int_equal(run("task", "list", "--from", "2031-01-02", "--to",
			     "2031-01-02", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 2);
	json_decref(v);

	/* The same for notes; the text form prints the first id again. */
	assert_int_equal(run("note", "add", "--customer", "Manolo", "--type",
			     "Call", "--desc", "cli test: retried note",
			     "--idempotency-key", "note-7"), 0);
	char line[64];
	size_t n = strcspn(out, "\n");
	n = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
	memcpy(line, out, n);
	line[n] = '\0';
	assert_non_null(strstr(line, "Created note "));
	assert_int_equal(run("note", "add", "--customer", "Manolo", "--type",
			     "Call", "--desc", "cli test: retried note",
			     "--idempotency-key", "note-7"), 0);
	assert_int_equal(strncmp(out, line, strlen(line)), 0);

	/* Empty or over the server's 64 bytes: a usage error, no request. */
	assert_int_equal(ADD(""), 2);
	char big[66];
	memset(big, 'k', 65);
	big[65] = '\0';
	assert_int_equal(ADD(big), 2);
	assert_non_null(strstr(err, "--idempotency-key"));
	memset(big, 'k', 64);
	big[64] = '\0';
	assert_int_equal(ADD(big), 0);
#undef ADD
}

/* customer add takes the same key: a script's retry adds the customer
 * once; another key (or none: one drawn per run) adds another. */
static void test_customer_idempotency_key(void **state)
{
#define ADD(...) run("customer", "add", "--name", "Rosa Idem", "--json", \
		     __VA_ARGS__)
	assert_int_equal(ADD("--idempotency-key", "import-row-7"), 0);
	long first = json_id();
	assert_true(first > 0);
	assert_int_equal(ADD("--idempotency-key", "import-row-7"), 0);
	assert_int_equal(json_id(), first);
	assert_int_equal(ADD("--idempotency-key", "import-row-8"), 0);
	long other = json_id();
	assert_true(other > 0 && other != first);
	assert_int_equal(ADD("--phone", "1"), 0);
	assert_true(json_id() != first && json_id() != other);
	assert_int_equal(run("customer", "list", "--search", "rosa idem",
			     "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 3);
	json_decref(v);
	/* Refused before any request; edit has no such option. */
	assert_int_equal(ADD("--idempotency-key", ""), 2);
	assert_non_null(strstr(err, "--idempotency-key"));
	assert_int_equal(run("customer", "edit", "Rosa", "--idempotency-key",
			     "k"), 2);
#undef ADD
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_add_show_list),
		cmocka_unit_test(test_note_add),
		cmocka_unit_test(test_list_pages),
		cmocka_unit_test(test_list_filters),
		cmocka_unit_test(test_customers_and_catalog),
		cmocka_unit_test(test_task_operations),
		cmocka_unit_test(test_edit_copy_reassign),
		cmocka_unit_test(test_customer_add_edit_show),
		cmocka_unit_test(test_refused_exit_1),
		cmocka_unit_test(test_usage_exit_2),
		cmocka_unit_test(test_command_help),
		cmocka_unit_test(test_usage_messages),
		cmocka_unit_test(test_logout_at_exit),
		cmocka_unit_test(test_idempotency_key_retry),
		cmocka_unit_test(test_customer_idempotency_key),
	};
	return harness_run_group(tests, &h);
}
