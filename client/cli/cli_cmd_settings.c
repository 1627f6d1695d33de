/*
 * admin settings [KEY VALUE]...: the club's general settings. Without
 * pairs it shows them (anyone may read them; they come with the
 * catalogue); with pairs it changes those keys in one UpdateSettings, which
 * the server allows admins only and checks (ranges, result references,
 * the zone's name).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_json.h"
#include "cli_resolve.h"
#include "task_words.h"

#define PAIRS_MAX 12

/* A whole number 0..max. 0 or -1. */
static int parse_uint(const char *text, uint32_t max, uint32_t *out)
{
	char *end;
	if (*text < '0' || *text > '9')
		return -1;
	unsigned long v = strtoul(text, &end, 10);
	if (*end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "HH:MM" as minutes after midnight, "24:00" included. 0 or -1. */
static int parse_clock(const char *text, uint32_t *out)
{
	unsigned h, m;
	char extra;
	if (sscanf(text, "%2u:%2u%c", &h, &m, &extra) != 2 || m > 59 ||
	    h * 60 + m > 24 * 60)
		return -1;
	*out = h * 60 + m;
	return 0;
}

/* A result by name, or "none" (0: no default result). */
static int result_or_none(struct cli *cli, const char *text, uint64_t *id)
{
	if (strcmp(text, "none") == 0) {
		*id = 0;
		return CLI_OK;
	}
	return cli_resolve_result(cli, text, id);
}

/* Keys that need no connection to parse. CLI_OK, CLI_USAGE, or -1: not
 * one of these keys. */
static int set_plain(const char *key, const char *value, Clubcrm__Settings *s)
{
	if (strcmp(key, "club-name") == 0) {
		s->club_name = (char *)value;
	} else if (strcmp(key, "time-zone") == 0) {
		s->time_zone = (char *)value;
	} else if (strcmp(key, "language") == 0) {
		/* en, es, or none: each browser's own (the server checks). */
		s->language = (char *)(strcmp(value, "none") == 0 ? "" : value);
	} else if (strcmp(key, "default-status") == 0) {
		if (cli_parse_status(value, &s->default_status) < 0)
			return cli_usage_error("default-status must be planned, "
					       "done or cancelled");
		s->has_default_status = true;
	} else if (strcmp(key, "slot-minutes") == 0) {
		if (parse_uint(value, 24 * 60, &s->slot_minutes) < 0)
			return cli_usage_error("slot-minutes takes minutes");
		s->has_slot_minutes = true;
	} else if (strcmp(key, "escalation-minutes") == 0) {
		if (parse_uint(value, UINT32_MAX, &s->escalation_minutes) < 0)
			return cli_usage_error("escalation-minutes takes "
					       "minutes (0: off)");
		s->has_escalation_minutes = true;
	} else if (strcmp(key, "session-hours") == 0) {
		/* The range (1..72) is the server's to check. */
		if (parse_uint(value, UINT32_MAX, &s->session_hours) < 0)
			return cli_usage_error("session-hours takes hours");
		s->has_session_hours = true;
	} else if (strcmp(key, "day-start") == 0 || strcmp(key, "day-end") == 0) {
		bool start = key[4] == 's';
		uint32_t *m = start ? &s->day_start_minute : &s->day_end_minute;
		if (parse_clock(value, m) < 0)
			return cli_usage_error("%s takes HH:MM", key);
		if (start)
			s->has_day_start_minute = true;
		else
			s->has_day_end_minute = true;
	} else {
		return -1;
	}
	return CLI_OK;
}

static bool result_key(const char *key)
{
	return strcmp(key, "default-task-result") == 0 ||
	       strcmp(key, "default-note-result") == 0;
}

/* Any key; the unknown ones are a usage error. */
static int set_pair(struct cli *cli, const char *key, const char *value,
		    Clubcrm__Settings *s)
{
	int rc = set_plain(key, value, s);
	if (rc >= 0)
		return rc;
	if (strcmp(key, "default-task-result") == 0) {
		s->has_default_task_result_id = true;
		return result_or_none(cli, value, &s->default_task_result_id);
	}
	if (strcmp(key, "default-note-result") == 0) {
		s->has_default_note_result_id = true;
		return result_or_none(cli, value, &s->default_note_result_id);
	}
	return cli_usage_error("admin settings: unknown key '%s' (club-name, "
			       "default-status, default-task-result, "
			       "default-note-result, slot-minutes, day-start, "
			       "day-end, time-zone, escalation-minutes, "
			       "session-hours, language)", key);
}

static const char *result_name(const Clubcrm__Catalog *cat, uint64_t id)
{
	for (size_t i = 0; cat && id && i < cat->n_results; i++)
		if (cat->results[i]->id == id)
			return cat->results[i]->name;
	return NULL;
}

/* How long a login's resume token lives: 12 hours until an admin sets it. */
static uint32_t session_hours(const Clubcrm__Settings *s)
{
	return s->has_session_hours ? s->session_hours : 12;
}

static void print_settings(const struct cli *cli, const Clubcrm__Settings *s,
			   const Clubcrm__Catalog *names, uint64_t revision)
{
	const char *task_result = result_name(names, s->default_task_result_id);
	const char *note_result = result_name(names, s->default_note_result_id);
	char start[24], end[24];  /* any u32 from the wire fits */
	snprintf(start, sizeof(start), "%02u:%02u", s->day_start_minute / 60,
		 s->day_start_minute % 60);
	snprintf(end, sizeof(end), "%02u:%02u", s->day_end_minute / 60,
		 s->day_end_minute % 60);
	const char *status = s->default_status ? task_words_status(
							 s->default_status)
					       : "planned";
	if (cli->json) {
		json_t *o = json_object();
		json_object_set_new(o, "club_name", json_string(
					    s->club_name ? s->club_name : ""));
		json_object_set_new(o, "default_status", json_string(status));
		json_object_set_new(o, "default_task_result",
				    task_result ? json_string(task_result)
						: json_null());
		json_object_set_new(o, "default_note_result",
				    note_result ? json_string(note_result)
						: json_null());
		json_object_set_new(o, "slot_minutes",
				    json_integer(s->slot_minutes));
		json_object_set_new(o, "day_start", json_string(start));
		json_object_set_new(o, "day_end", json_string(end));
		json_object_set_new(o, "time_zone", json_string(
					    s->time_zone ? s->time_zone : "UTC"));
		json_object_set_new(o, "escalation_minutes",
				    json_integer(s->escalation_minutes));
		json_object_set_new(o, "session_hours",
				    json_integer(session_hours(s)));
		json_object_set_new(o, "language",
				    s->language && *s->language
					    ? json_string(s->language)
					    : json_null());
		json_object_set_new(o, "revision",
				    json_integer((json_int_t)revision));
		cli_json_print(o);
		return;
	}
	printf("%-20s %s\n", "club-name", s->club_name ? s->club_name : "");
	printf("%-20s %s\n", "default-status", status);
	printf("%-20s %s\n", "default-task-result",
	       task_result ? task_result : "none");
	printf("%-20s %s\n", "default-note-result",
	       note_result ? note_result : "none");
	printf("%-20s %u\n", "slot-minutes", s->slot_minutes);
	printf("%-20s %s\n", "day-start", start);
	printf("%-20s %s\n", "day-end", end);
	printf("%-20s %s\n", "time-zone", s->time_zone ? s->time_zone : "UTC");
	printf("%-20s %u\n", "escalation-minutes", s->escalation_minutes);
	printf("%-20s %u\n", "session-hours", session_hours(s));
	printf("%-20s %s\n", "language",
	       s->language && *s->language ? s->language : "none");
}

static int show(struct cli *cli)
{
	const Clubcrm__Catalog *cat;
	int rc = cli_catalog(cli, &cat);
	if (rc != CLI_OK)
		return rc;
	if (!cat->settings) {
		cli_error("the server sent no settings");
		return CLI_REFUSED;
	}
	print_settings(cli, cat->settings, cat, cat->revision);
	return CLI_OK;
}

int cli_cmd_admin_settings(struct cli *cli, int argc, char **argv)
{
	const struct cli_opt opts[] = {
		{0},
	};
	const char *pos[2 * PAIRS_MAX + 1];
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 2 * PAIRS_MAX,
				&n_pos);
	if (rc != CLI_OK)
		return rc;
	if (n_pos == 0)
		return show(cli);
	if (n_pos % 2)
		return cli_usage_error("admin settings takes KEY VALUE pairs");
	Clubcrm__Settings s = CLUBCRM__SETTINGS__INIT;
	/* Every syntax first, so that a typo costs no connection. */
	for (size_t i = 0; i < n_pos; i += 2) {
		rc = set_plain(pos[i], pos[i + 1], &s);
		if (rc == CLI_USAGE)
			return rc;
		if (rc < 0 && !result_key(pos[i]))
			return set_pair(cli, pos[i], pos[i + 1], &s);
	}
	for (size_t i = 0; i < n_pos; i += 2)
		if ((rc = set_pair(cli, pos[i], pos[i + 1], &s)) != CLI_OK)
			return rc;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_settings_update(cli->conn, &s, &ans), &ans);
	if (rc != CLI_OK)
		return rc;
	const Clubcrm__Catalog *names = NULL;
	cli_catalog(cli, &names);
	if (ans.catalog->settings)
		print_settings(cli, ans.catalog->settings, names,
			       ans.catalog->revision);
	clubcrm_answer_free(&ans);
	return CLI_OK;
}
