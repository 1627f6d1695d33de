/* The CLI's connection: login, password prompt, calls, the catalogue. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_args.h"
#include "cli_format.h"
#include "cli_json.h"
#include "client_addr.h"
#include "passprompt.h"
#include "status.h"
#include "timeutil.h"
#include "task_words.h"

#define PASSWORD_MAX 256

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("clubcrm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_password(char *out, size_t size)
{
	const char *env = getenv("CLUBCRM_PASSWORD");
	if (env) {
		if (strlen(env) >= size)
			return cli_usage_error("CLUBCRM_PASSWORD is too long");
		strcpy(out, env);
		return CLI_OK;
	}
	int ret = passprompt_ask("Password: ", out, size);
	if (ret == -ENOTTY)
		return cli_usage_error("no password: set CLUBCRM_PASSWORD or "
				       "run on a terminal");
	if (ret == -EMSGSIZE)
		return cli_usage_error("the password is too long");
	if (ret < 0) {
		cli_error("could not read the password");
		return CLI_REFUSED;
	}
	return CLI_OK;
}

int cli_connect(struct cli *cli)
{
	if (cli->conn)
		return CLI_OK;
	struct client_addr addr;
	if (client_addr_parse(cli->server, &addr) < 0)
		return cli_usage_error("bad server address '%s' (HOST:PORT, "
				       "tls:HOST:PORT or unix:PATH)",
				       cli->server);
	if (!cli->user || !*cli->user)
		return cli_usage_error("no user: give --user LOGIN or set "
				       "CLUBCRM_USER");
	char password[PASSWORD_MAX];
	int rc = cli_password(password, sizeof(password));
	if (rc != CLI_OK)
		return rc;
	struct client_sync_options o = {
		.address = cli->server,
		.login = cli->user,
		.password = password,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_CLI,
		.ca_file = cli->ca_file,
	};
	struct client_status st;
	unsigned code = client_sync_open(&o, &cli->conn, &st);
	explicit_bzero(password, sizeof(password));
	if (code != STATUS_OK) {
		cli_error("%s: %s", status_name(code), st.message);
		return CLI_REFUSED;
	}
	/* Times on screen and on the command line are the club's. */
	const Clubcrm__Welcome *w = client_welcome(client_sync_client(cli->conn));
	if (w && w->time_zone && *w->time_zone &&
	    time_set_zone(w->time_zone) < 0)
		fprintf(stderr, "clubcrm: warning: the club's time zone '%.64s' "
			"is unknown to this machine's tzdata: times are %s\n",
			w->time_zone, clubzone_name(clubzone_current()));
	return CLI_OK;
}

int cli_answer(unsigned code, struct clubcrm_answer *ans)
{
	if (code == STATUS_OK)
		return CLI_OK;
	cli_error("%s: %s", status_name(code), ans->message);
	clubcrm_answer_free(ans);
	return CLI_REFUSED;
}

void cli_print_task_reply(const struct cli *cli, const Clubcrm__TaskReply *r,
			  const char *what, bool created)
{
	if (cli->json) {
		cli_json_print(cli_json_task_reply(r));
		return;
	}
	if (!r->row || !r->row->task)
		return;
	printf("%s task %llu\n", what, (unsigned long long)r->row->task->id);
	Clubcrm__TaskRow *rows[1] = {r->row};
	cli_format_task_table(stdout, rows, 1, cli->colour);
	for (size_t i = 0; created && i < r->n_created; i++) {
		const Clubcrm__Task *t = r->created[i]->task;
		printf("Created %s %llu\n", t ? task_words_kind(t->kind) : "task",
		       t ? (unsigned long long)t->id : 0ull);
	}
}

int cli_task_answer(struct cli *cli, unsigned code, struct clubcrm_answer *ans,
		    const char *what, bool created)
{
	int rc = cli_answer(code, ans);
	if (rc != CLI_OK)
		return rc;
	cli_print_task_reply(cli, ans->task, what, created);
	clubcrm_answer_free(ans);
	return CLI_OK;
}

/* The hour clocks skip in spring: refused rather than moved silently. */
static int gap_error(const char *text)
{
	return cli_usage_error("'%s' does not exist in %s: the clocks go "
			       "forward over it; give a time after the jump",
			       text, clubzone_name(clubzone_current()));
}

int cli_club_time(struct cli *cli, const char *text, bool end_of_day,
		  int64_t *out)
{
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	rc = cli_parse_time(text, end_of_day, out);
	if (rc == -EDOM)
		return gap_error(text);
	if (rc < 0)
		return cli_usage_error("'%s' is not a time (YYYY-MM-DD HH:MM)",
				       text);
	return CLI_OK;
}

int cli_club_moment(struct cli *cli, const char *text, int64_t *out)
{
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	rc = cli_parse_planned(text, out);
	if (rc == -EDOM)
		return gap_error(text);
	if (rc == -ENODATA)
		return cli_usage_error("'%s' has no time of day: give a time "
				       "(\"YYYY-MM-DD HH:MM\")", text);
	if (rc < 0)
		return cli_usage_error("'%s' is not a time (YYYY-MM-DD HH:MM)",
				       text);
	return CLI_OK;
}

int cli_club_planned(struct cli *cli, const char *text, int64_t *out)
{
	int rc = cli_club_moment(cli, text, out);
	if (rc != CLI_OK)
		return rc;
	/* Accepted (a call made earlier may be recorded late), but said. */
	if (*out < time_now())
		fprintf(stderr, "clubcrm: warning: %s is in the past (%s)\n",
			text, clubzone_name(clubzone_current()));
	return CLI_OK;
}

int cli_catalog(struct cli *cli, const Clubcrm__Catalog **out)
{
	if (!cli->catalog.catalog) {
		int rc = cli_connect(cli);
		if (rc != CLI_OK)
			return rc;
		rc = cli_answer(clubcrm_catalog_get(cli->conn, false,
						    &cli->catalog),
				&cli->catalog);
		if (rc != CLI_OK)
			return rc;
	}
	*out = cli->catalog.catalog;
	return CLI_OK;
}

void cli_disconnect(struct cli *cli)
{
	clubcrm_answer_free(&cli->catalog);
	/* The session ends now, not when the server notices the close. */
	client_sync_logout_close(cli->conn);
	cli->conn = NULL;
}
