/*
 * The clubcrm command line's CRM commands against the real server, beside
 * test_cli.c: admin (types with follow-ons, results, tags, teams,
 * operators, settings) with its refusals for operators, a stale task edit
 * showing both versions, task show --history, follow-ups whose --json
 * lists what the commit created, the filters' other names, and the exit
 * codes 0 / 1 (refused, "clubcrm: CODE: message") / 2 (usage) with the
 * --json shapes. Each run logs in (~0.1 s).
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
ITCLI_STATE("ops", "alicia", OUT_MAX);

#define run(...) itcli_run(&cli, __VA_ARGS__, (const char *)NULL)

/* The "id" of the JSON object on stdout. */
static long out_id(void)
{
	json_t *v = itcli_json(&cli);
	long id = itcli_num(v, "id");
	json_decref(v);
	return id;
}

/* ------------------------------------------------------------ admin */

static void test_admin_catalogue(void **state)
{
	cli.user = "fermin";
	/* A priority type whose negative results call again in 30 days. */
	assert_int_equal(run("admin", "type", "add", "--name", "Trial visit",
			     "--priority", "--follow-on", "Call:30d:negative",
			     "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "name"), "Trial visit");
	assert_true(json_is_true(json_object_get(v, "priority")));
	assert_true(json_is_true(json_object_get(v, "active")));
	assert_true(itcli_num(v, "revision") > 0);
	json_decref(v);

	assert_int_equal(run("admin", "result", "add", "--name", "Not now",
			     "--outcome", "negative", "--leads-to", "none",
			     "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "outcome"), "negative");
	assert_true(json_is_null(json_object_get(v, "leads_to")));
	json_decref(v);
	assert_int_equal(run("admin", "result", "edit", "Not now",
			     "--leads-to", "cancelled", "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "leads_to"), "cancelled");
	assert_string_equal(itcli_str(v, "outcome"), "negative");  /* kept */
	json_decref(v);

	assert_int_equal(run("admin", "tag", "add", "--name", "Summer",
			     "--colour", "orange"), 0);
	assert_non_null(strstr(out, "Added tag"));
	assert_non_null(strstr(out, "Summer"));
	assert_int_equal(run("admin", "team", "add", "--name", "Coaches",
			     "--json"), 0);
	json_decref(itcli_json(&cli));
	assert_int_equal(run("admin", "type", "edit", "Trial visit",
			     "--no-priority", "--no-follow-ons", "--json"), 0);
	v = itcli_json(&cli);
	assert_true(json_is_false(json_object_get(v, "priority")));
	json_decref(v);

	/* The new type and result work in tasks: the follow-up of a trial
	 * visit with "Not now" cancels it (the result's status). */
	cli.user = "alicia";
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Trial visit", "--at", "2031-04-01 10:00", "--desc",
			     "trial visit", "--json"), 0);
	char id[32];
	snprintf(id, sizeof(id), "%ld", out_id());
	assert_int_equal(run("task", "follow", id, "--result", "Not now",
			     "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "status"), "cancelled");
	assert_string_equal(itcli_str(v, "outcome"), "negative");
	json_decref(v);

	/* Deactivated: gone from the pick lists, refused in new use, still
	 * named by the old task. */
	cli.user = "fermin";
	assert_int_equal(run("admin", "tag", "deactivate", "Summer"), 0);
	assert_non_null(strstr(out, "Deactivated tag"));
	assert_int_equal(run("catalog", "--json"), 0);
	assert_null(strstr(out, "Summer"));
	assert_int_equal(run("admin", "type", "deactivate", "Trial visit"), 0);
	assert_int_equal(run("task", "show", id, "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "type"), "Trial visit");
	json_decref(v);
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Trial visit", "--at", "2031-04-02 10:00", "--desc",
			     "another"), 1);
	assert_non_null(strstr(err, "Trial visit"));
	/* Issue 11 #18: it says inactive, not unknown. */
	assert_non_null(strstr(err, "task type 'Trial visit' is inactive"));
	assert_null(strstr(err, "unknown"));
	assert_int_equal(run("task", "add", "--customer", "Jorge", "--type",
			     "Trial", "--at", "2031-04-02 10:00", "--desc",
			     "another"), 1);
	assert_non_null(strstr(err, "is unknown"));  /* a part: not inactive */
	cli.user = "alicia";
}

static void test_admin_operator(void **state)
{
	cli.user = "fermin";
	cli.stdin_text = "coach-secret-1\n";
	assert_int_equal(run("admin", "operator", "add", "--login", "pablo",
			     "--name", "Pablo", "--team", "Sales",
			     "--password-stdin", "--json"), 0);
	cli.stdin_text = NULL;
	json_t *v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "login"), "pablo");
	assert_string_equal(itcli_str(v, "role"), "operator");
	assert_int_equal(json_array_size(json_object_get(v, "team_ids")), 1);
	json_decref(v);
	/* No password anywhere: a usage error, nothing sent. */
	assert_int_equal(run("admin", "operator", "add", "--login", "nopw",
			     "--name", "No Password"), 2);
	assert_non_null(strstr(err, "--password-stdin"));
	/* The same login twice is refused by the server. */
	cli.stdin_text = "another-secret\n";
	assert_int_equal(run("admin", "operator", "add", "--login", "pablo",
			     "--name", "Pablo again", "--password-stdin"), 1);
	cli.stdin_text = NULL;
	itcli_assert_refused(&cli, "ALREADY_EXISTS");

	/* The new operator logs in with that password. */
	cli.user = "pablo";
	cli.password = "coach-secret-1";
	assert_int_equal(run("task", "list", "--operator", "pablo"), 0);
	/* ... and, being an operator, may not change the catalogue. */
	assert_int_equal(run("admin", "tag", "add", "--name", "Mine"), 1);
	itcli_assert_refused(&cli, "PERMISSION_DENIED");
	cli.password = HARNESS_PASSWORD;

	cli.user = "fermin";
	assert_int_equal(run("admin", "operator", "edit", "pablo", "--role",
			     "admin", "--no-teams", "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "role"), "admin");
	assert_int_equal(json_array_size(json_object_get(v, "team_ids")), 0);
	json_decref(v);
	assert_int_equal(run("admin", "operator", "deactivate", "pablo"), 0);
	cli.user = "pablo";
	cli.password = "coach-secret-1";
	assert_int_equal(run("catalog"), 1);
	cli.password = HARNESS_PASSWORD;
	cli.user = "alicia";
}

static void test_admin_settings(void **state)
{
	cli.user = "alicia";
	/* Anyone reads them. */
	assert_int_equal(run("admin", "settings", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "time_zone"), "Europe/Madrid");
	assert_string_equal(itcli_str(v, "default_status"), "planned");
	json_decref(v);
	assert_int_equal(run("admin", "settings"), 0);
	assert_non_null(strstr(out, "escalation-minutes"));
	/* Only admins change them. */
	assert_int_equal(run("admin", "settings", "escalation-minutes", "20"), 1);
	itcli_assert_refused(&cli, "PERMISSION_DENIED");

	cli.user = "fermin";
	assert_int_equal(run("admin", "settings", "escalation-minutes", "20",
			     "day-start", "07:30", "default-note-result",
			     "No answer", "--json"), 0);
	v = itcli_json(&cli);
	assert_int_equal(itcli_num(v, "escalation_minutes"), 20);
	assert_string_equal(itcli_str(v, "day_start"), "07:30");
	assert_string_equal(itcli_str(v, "default_note_result"), "No answer");
	json_decref(v);
	/* A note gets the new default result. */
	cli.user = "alicia";
	assert_int_equal(run("note", "add", "--customer", "Jorge", "--type",
			     "Call", "--desc", "default result", "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "result"), "No answer");
	json_decref(v);

	cli.user = "fermin";
	assert_int_equal(run("admin", "settings", "default-note-result", "none",
			     "--json"), 0);
	v = itcli_json(&cli);
	assert_true(json_is_null(json_object_get(v, "default_note_result")));
	json_decref(v);
	/* The server's bounds. */
	assert_int_equal(run("admin", "settings", "slot-minutes", "3"), 1);
	itcli_assert_refused(&cli, "INVALID_ARGUMENT");
	assert_int_equal(run("admin", "settings", "time-zone", "../etc"), 1);
	itcli_assert_refused(&cli, "INVALID_ARGUMENT");
	/* The club's language (the web desk's words): en, es or none. */
	assert_int_equal(run("admin", "settings", "language", "fr"), 1);
	itcli_assert_refused(&cli, "INVALID_ARGUMENT");
	assert_int_equal(run("admin", "settings", "language", "es"), 0);
	assert_non_null(strstr(out, "language             es"));
	assert_int_equal(run("admin", "settings", "language", "none",
			     "--json"), 0);
	v = itcli_json(&cli);
	assert_true(json_is_null(json_object_get(v, "language")));
	json_decref(v);
	/* Usage: unknown key, odd words, bad values. */
	assert_int_equal(run("admin", "settings", "colour", "blue"), 2);
	assert_non_null(strstr(err, "unknown key"));
	assert_int_equal(run("admin", "settings", "slot-minutes"), 2);
	assert_int_equal(run("admin", "settings", "day-end", "25:00"), 2);
	assert_int_equal(run("admin", "settings", "default-status", "open"), 2);
	cli.user = "alicia";
}

static void test_admin_usage(void **state)
{
	cli.user = "fermin";
	assert_int_equal(run("admin"), 2);
	assert_int_equal(run("admin", "frob", "add"), 2);
	assert_int_equal(run("admin", "tag"), 2);
	assert_int_equal(run("admin", "tag", "remove", "VIP"), 2);
	assert_int_equal(run("admin", "tag", "add"), 2);
	assert_non_null(strstr(err, "--name"));
	assert_int_equal(run("admin", "tag", "edit"), 2);
	assert_int_equal(run("admin", "result", "add", "--name", "X",
			     "--outcome", "great"), 2);
	assert_int_equal(run("admin", "result", "add", "--name", "X",
			     "--leads-to", "planned"), 2);
	assert_int_equal(run("admin", "type", "add", "--name", "X",
			     "--follow-on", "Call"), 2);
	assert_int_equal(run("admin", "type", "add", "--name", "X",
			     "--follow-on", "Call:soon"), 2);
	assert_int_equal(run("admin", "type", "add", "--name", "X",
			     "--priority", "--no-priority"), 2);
	assert_int_equal(run("admin", "operator", "add", "--name", "X"), 2);
	/* Names that resolve to nothing are refused (1), not usage. */
	/* Issue 11 #15: a colour is a known name or #rrggbb. */
	const char *was = cli.user;
	cli.user = "fermin";
	assert_int_equal(run("admin", "tag", "add", "--name", "Greenish",
			     "--colour", "sort of green"), 1);
	itcli_assert_refused(&cli, "INVALID_ARGUMENT");
	assert_non_null(strstr(err, "#rrggbb"));
	assert_int_equal(run("admin", "tag", "add", "--name", "Hex",
			     "--colour", "#00aa55"), 0);
	cli.user = was;
	assert_int_equal(run("admin", "tag", "edit", "NoSuchTag", "--colour",
			     "red"), 1);
	assert_int_equal(run("admin", "type", "add", "--name", "X",
			     "--follow-on", "NoSuchType:1d"), 1);
	cli.user = "alicia";
}

/* ------------------------------------------------------------ tasks */

static void test_edit_conflict_both_versions(void **state)
{
	assert_int_equal(run("task", "add", "--customer", "Carmen", "--type",
			     "Quote", "--at", "2031-05-02 10:00", "--desc",
			     "family plan quote", "--json"), 0);
	json_t *v = itcli_json(&cli);
	long id = itcli_num(v, "id");
	long base = itcli_num(v, "mod_rev");
	json_decref(v);
	char ids[32], bases[32];
	snprintf(ids, sizeof(ids), "%ld", id);
	snprintf(bases, sizeof(bases), "%ld", base);

	/* Valentina edits first, based on the revision she read. */
	cli.user = "valentina";
	assert_int_equal(run("task", "edit", ids, "--base-rev", bases, "--desc",
			     "family plan quote, 3 people", "--json"), 0);
	v = itcli_json(&cli);
	assert_true(itcli_num(v, "mod_rev") > base);
	json_decref(v);

	/* Alicia, based on the same old revision: refused with both. */
	cli.user = "alicia";
	assert_int_equal(run("task", "edit", ids, "--base-rev", bases, "--desc",
			     "family plan quote, 4 people", "--at",
			     "2031-05-03 10:00"), 1);
	itcli_assert_refused(&cli, "FAILED_PRECONDITION");
	assert_non_null(strstr(out, "Your change"));
	assert_non_null(strstr(out, "family plan quote, 4 people"));
	assert_non_null(strstr(out, "The current version"));
	assert_non_null(strstr(out, "family plan quote, 3 people"));
	assert_int_equal(run("task", "edit", ids, "--base-rev", bases, "--desc",
			     "family plan quote, 4 people", "--json"), 1);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "error"), "FAILED_PRECONDITION");
	json_t *yours = json_object_get(v, "yours");
	assert_int_equal(itcli_num(yours, "base_mod_rev"), base);
	assert_string_equal(itcli_str(yours, "description"),
			    "family plan quote, 4 people");
	json_t *current = json_object_get(v, "current");
	assert_int_equal(itcli_num(current, "id"), id);
	assert_string_equal(itcli_str(current, "description"),
			    "family plan quote, 3 people");
	json_decref(v);

	/* Nothing was overwritten; the history tells who did what. */
	assert_int_equal(run("task", "show", ids, "--history", "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "description"), "family plan quote, 3 people");
	json_t *hist = json_object_get(v, "history");
	assert_int_equal(json_array_size(hist), 2);
	json_t *last = json_array_get(hist, 1);
	assert_string_equal(itcli_str(last, "actor"), "valentina");
	assert_string_equal(itcli_str(last, "action"), "edit");
	/* Issue 11 #13: what each field was and became. */
	json_t *chg = json_array_get(json_object_get(last, "changes"), 0);
	assert_non_null(chg);
	assert_string_equal(itcli_str(chg, "field"), "description");
	assert_string_equal(itcli_str(chg, "old"), "family plan quote");
	assert_string_equal(itcli_str(chg, "new"), "family plan quote, 3 people");
	json_t *first = json_array_get(hist, 0);
	int typed = 0;
	for (size_t i = 0; i < json_array_size(json_object_get(first, "changes"));
	     i++) {
		json_t *c = json_array_get(json_object_get(first, "changes"), i);
		assert_true(json_is_null(json_object_get(c, "old")));
		if (strcmp(itcli_str(c, "field"), "type") == 0) {
			assert_string_equal(itcli_str(c, "new"), "Quote");
			typed = 1;
		}
		if (strcmp(itcli_str(c, "field"), "planned_at") == 0)
			assert_int_equal(itcli_num(c, "new_unix"), itcli_num(v, "planned_at_unix"));
	}
	assert_true(typed);
	json_decref(v);
	assert_int_equal(run("task", "show", ids, "--history"), 0);
	assert_non_null(strstr(out, "History:"));
	assert_non_null(strstr(out, "valentina  edit  [description]"));
	assert_non_null(strstr(out, "description: family plan quote -> "
				    "family plan quote, 3 people"));
	assert_non_null(strstr(out, "type: - -> Quote"));
	assert_non_null(strstr(out, "planned_at: - -> 02/05/2031 10:00"));
	assert_int_equal(run("task", "show", ids, "--json"), 0);
	v = itcli_json(&cli);
	assert_null(json_object_get(v, "history"));
	json_decref(v);

	/* Without --base-rev the edit is based on what it just read. */
	assert_int_equal(run("task", "edit", ids, "--tag", "Marketing",
			     "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(v, "tags"), 0)), "Marketing");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(v, "tag_colours"), 0)), "blue");
	json_decref(v);
	/* Issue 11 #15: the list shows the tags. */
	assert_int_equal(run("task", "edit", ids, "--tag", "Marketing", "--tag",
			     "VIP"), 0);
	assert_int_equal(run("task", "list", "--search", "family plan quote"), 0);
	assert_non_null(strstr(out, "TAGS"));
	assert_non_null(strstr(out, "Marketing, VIP"));
	assert_int_equal(run("task", "edit", ids, "--tag", "VIP", "--no-tags"),
			 2);
	assert_int_equal(run("task", "edit", ids, "--base-rev", "x"), 2);
	assert_int_equal(run("task", "edit", ids, "--type", "NoSuchType"), 1);
}

static void test_follow_json_created(void **state)
{
	assert_int_equal(run("task", "add", "--customer", "Lucía", "--type",
			     "Appointment", "--at", "2031-05-10 17:00",
			     "--operator", "valentina", "--desc",
			     "yoga timetable", "--json"), 0);
	char id[32];
	snprintf(id, sizeof(id), "%ld", out_id());
	/* A concluding result cannot be kept open. */
	assert_int_equal(run("task", "follow", id, "--result", "Positive",
			     "--keep-open"), 1);
	itcli_assert_refused(&cli, "FAILED_PRECONDITION");
	assert_int_equal(run("task", "follow", id, "--result", "Positive",
			     "--note", "signed up for yoga", "--next-at",
			     "2031-06-10 17:00", "--next-desc",
			     "how is yoga going?", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "status"), "done");
	assert_string_equal(itcli_str(v, "closing_note"), "signed up for yoga");
	json_t *created = json_object_get(v, "created");
	assert_int_equal(json_array_size(created), 2);
	int notes = 0, tasks = 0;
	for (size_t i = 0; i < 2; i++) {
		json_t *c = json_array_get(created, i);
		if (strcmp(itcli_str(c, "kind"), "note") == 0) {
			notes++;
			assert_string_equal(itcli_str(c, "description"),
					    "signed up for yoga");
		} else {
			tasks++;
			assert_string_equal(itcli_str(c, "description"),
					    "how is yoga going?");
			assert_string_equal(itcli_str(c, "type"), "Appointment");
			assert_int_equal(itcli_num(c, "follows_id"), atol(id));
		}
	}
	assert_int_equal(notes, 1);
	assert_int_equal(tasks, 1);
	json_decref(v);
	/* Concluded: no second follow-up, no take. */
	assert_int_equal(run("task", "follow", id, "--result", "Negative"), 1);
	itcli_assert_refused(&cli, "FAILED_PRECONDITION");
	assert_int_equal(run("task", "take", id), 1);
	/* Usage. */
	assert_int_equal(run("task", "follow", id, "--result", "Positive",
			     "--close", "--keep-open"), 2);
	assert_int_equal(run("task", "follow", id, "--result", "Positive",
			     "--next-desc", "no time"), 2);
	assert_int_equal(run("task", "follow", "x", "--result", "Positive"), 2);
}

static void test_cancel_and_filters(void **state)
{
	assert_int_equal(run("task", "add", "--customer", "Iñaki", "--type",
			     "Objection", "--at", "2031-05-20 09:00", "--desc",
			     "parking barrier broken", "--json"), 0);
	char id[32];
	snprintf(id, sizeof(id), "%ld", out_id());
	/* Urgent, in preparation, found by text: under both flag names. */
	assert_int_equal(run("task", "list", "--urgent", "--prep", "--search",
			     "parking barrier", "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 1);
	assert_string_equal(itcli_str(json_array_get(v, 0), "colour"), "red");
	json_decref(v);
	assert_int_equal(run("task", "list", "--in-preparation", "--text",
			     "parking barrier", "--order", "created", "--json"),
			 0);
	v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);

	assert_int_equal(run("task", "cancel", id, "--result", "Cancelled",
			     "--note", "fixed by itself", "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "status"), "cancelled");
	assert_int_equal(json_array_size(json_object_get(v, "created")), 1);
	/* Issue 11 #12: the note carries the cancel's result, not the
	 * default note result (Positive in the demo). */
	json_t *note = json_array_get(json_object_get(v, "created"), 0);
	assert_string_equal(itcli_str(note, "kind"), "note");
	assert_string_equal(itcli_str(note, "result"), "Cancelled");
	assert_string_equal(itcli_str(note, "outcome"), "negative");
	json_decref(v);
	assert_int_equal(run("task", "take", id), 1);
	itcli_assert_refused(&cli, "FAILED_PRECONDITION");
	assert_int_equal(run("task", "list", "--status", "cancelled", "--search",
			     "parking barrier", "--kind", "task", "--json"), 0);
	v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	assert_int_equal(run("task", "list", "--prep", "--search",
			     "parking barrier", "--json"), 0);
	v = itcli_json(&cli);
	assert_int_equal(json_array_size(v), 0);
	json_decref(v);
}

/* Issue 11 #14: yellow (and "*") is a priority task someone took; a taken
 * ordinary task names its taker without the colour. */
static void test_taken_marks(void **state)
{
	assert_int_equal(run("task", "add", "--customer", "Carmen", "--type",
			     "Call", "--at", "2031-07-01 10:00", "--desc",
			     "ordinary call to take", "--json"), 0);
	char id[32];
	snprintf(id, sizeof(id), "%ld", out_id());
	cli.user = "valentina";
	assert_int_equal(run("task", "take", id, "--json"), 0);
	json_t *v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "colour"), "none");
	assert_string_equal(itcli_str(v, "taken_by"), "valentina");
	json_decref(v);
	cli.user = "alicia";
	assert_int_equal(run("task", "list", "--search", "ordinary call to take"),
			 0);
	const char *row = strstr(out, "\n");
	assert_non_null(row);
	assert_non_null(strstr(row, "@valentina"));
	assert_null(strstr(row, " * "));
	assert_int_equal(run("task", "show", id), 0);
	assert_non_null(strstr(out, "@valentina"));
	assert_null(strstr(out, "*"));
	/* A priority one is yellow, marked "*" and its taker. */
	assert_int_equal(run("task", "add", "--customer", "Carmen", "--type",
			     "Objection", "--at", "2031-07-01 11:00", "--desc",
			     "urgent one to take", "--json"), 0);
	snprintf(id, sizeof(id), "%ld", out_id());
	assert_int_equal(run("task", "take", id, "--json"), 0);
	v = itcli_json(&cli);
	assert_string_equal(itcli_str(v, "colour"), "yellow");
	json_decref(v);
	assert_int_equal(run("task", "list", "--search", "urgent one to take"), 0);
	assert_non_null(strstr(out, "* @alicia"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admin_catalogue),
		cmocka_unit_test(test_admin_operator),
		cmocka_unit_test(test_admin_settings),
		cmocka_unit_test(test_admin_usage),
		cmocka_unit_test(test_edit_conflict_both_versions),
		cmocka_unit_test(test_follow_json_created),
		cmocka_unit_test(test_cancel_and_filters),
		cmocka_unit_test(test_taken_marks),
	};
	return harness_run_group(tests, &h);
}
