/*
 * agenda export --ics, agenda feed: an operator's agenda as iCalendar.
 * The server writes the text (server/domain/ical.c: one generator for the
 * export and the feed); these commands only ask for it and print it.
 *
 *   clubcrm agenda export --ics [--operator NAME|ID] [--from DATE --to DATE]
 *   clubcrm agenda feed [--rotate] [--operator NAME|ID]
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_json.h"
#include "cli_resolve.h"

/* --operator, when given: its id (0: oneself). */
static int operator_id(struct cli *cli, const char *text, uint64_t *id)
{
	*id = 0;
	return text ? cli_resolve_operator(cli, text, id) : CLI_OK;
}

int cli_cmd_agenda_export(struct cli *cli, int argc, char **argv)
{
	bool ics = false;
	const char *op = NULL, *from = NULL, *to = NULL;
	const struct cli_opt opts[] = {
		{"ics", CLI_OPT_FLAG, &ics},
		{"operator", CLI_OPT_VALUE, &op},
		{"from", CLI_OPT_VALUE, &from},
		{"to", CLI_OPT_VALUE, &to},
		{0},
	};
	int rc = cli_args_options(cli, argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!ics)
		return cli_usage_error("agenda export needs --ics (the one "
				       "format it writes: iCalendar)");
	int64_t t;
	if (from && cli_parse_time(from, false, &t) < 0)
		return cli_usage_error("--from: not a date: '%s'", from);
	if (to && cli_parse_time(to, true, &t) < 0)
		return cli_usage_error("--to: not a date: '%s'", to);
	rc = cli_connect(cli);
	uint64_t id = 0;
	int64_t lo = 0, hi = 0;
	if (rc == CLI_OK)
		rc = operator_id(cli, op, &id);
	if (rc == CLI_OK && from)
		rc = cli_club_time(cli, from, false, &lo);
	if (rc == CLI_OK && to)
		rc = cli_club_time(cli, to, true, &hi);
	if (rc != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_agenda_export(cli->conn, id, lo, hi, &ans),
			&ans);
	if (rc != CLI_OK)
		return rc;
	const char *text = ans.agenda_export->ics ? ans.agenda_export->ics : "";
	size_t len = strlen(text);
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		clubcrm_answer_free(&ans);
		cli_error("writing the calendar failed");
		return CLI_REFUSED;
	}
	clubcrm_answer_free(&ans);
	return CLI_OK;
}

int cli_cmd_agenda_feed(struct cli *cli, int argc, char **argv)
{
	bool rotate = false;
	const char *op = NULL;
	const struct cli_opt opts[] = {
		{"rotate", CLI_OPT_FLAG, &rotate},
		{"operator", CLI_OPT_VALUE, &op},
		{0},
	};
	int rc = cli_args_options(cli, argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	if (!rotate) {
		/* Only the secret's hash is stored: there is no URL to show
		 * again, only a new one to make. */
		printf("A calendar feed is a secret, read-only URL of your agenda "
		       "that a phone or\n"
		       "desktop calendar subscribes to. Its secret is stored "
		       "hashed, so it is shown\n"
		       "only when it is made:\n"
		       "  clubcrm agenda feed --rotate   makes a new URL (the "
		       "old one stops at once)\n");
		return CLI_OK;
	}
	rc = cli_connect(cli);
	uint64_t id = 0;
	if (rc == CLI_OK)
		rc = operator_id(cli, op, &id);
	if (rc != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_feed_rotate(cli->conn, id, &ans), &ans);
	if (rc != CLI_OK)
		return rc;
	const Clubcrm__Welcome *w =
		client_welcome(client_sync_client(cli->conn));
	const char *base = w && w->web_url ? w->web_url : "";
	const char *path = ans.feed->path ? ans.feed->path : "";
	char url[600];
	snprintf(url, sizeof(url), "%s%s", base, path);
	if (cli->json) {
		json_t *o = json_pack("{s:I, s:s}", "operator_id",
				      (json_int_t)ans.feed->operator_id,
				      "path", path);
		if (o && base[0])
			json_object_set_new(o, "url", json_string(url));
		clubcrm_answer_free(&ans);
		return o && cli_json_print(o) == 0 ? CLI_OK : CLI_REFUSED;
	}
	if (base[0]) {
		printf("%s\n", url);
	} else {
		printf("%s\n", path);
		fprintf(stderr, "clubcrm: the server does not know its web "
			"address (clubcrmd --web-public-url): put the web "
			"desk's address before this path\n");
	}
	fprintf(stderr, "clubcrm: a new calendar feed; the old URL no longer "
		"works\n");
	clubcrm_answer_free(&ans);
	return CLI_OK;
}
