/*
 * The `clubcrm` command line: what every command shares. A command gets its
 * own argument vector (after the global options and its name) and returns
 * the process exit code: CLI_OK, CLI_REFUSED (the server, or a name that
 * does not resolve, said no; the reason is on stderr) or CLI_USAGE, or
 * CLI_HELP after printing the usage for --help (main() exits with CLI_OK).
 */
#ifndef CLUBCRM_CLI_H
#define CLUBCRM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "client_api.h"

enum cli_exit {
	CLI_OK = 0,
	CLI_REFUSED = 1,
	CLI_USAGE = 2,
	CLI_HELP = -1,  /* not an exit code: the usage was printed (--help) */
};

struct cli {
	const char *server;        /* --server or CLUBCRM_SERVER */
	const char *user;          /* --user or CLUBCRM_USER */
	const char *ca_file;       /* --ca-file or CLUBCRM_CA_FILE: TLS */
	bool json;                 /* --json */
	bool colour;               /* stdout is a terminal, NO_COLOR unset */
	struct client_sync *conn;  /* opened by cli_connect() */
	struct clubcrm_answer catalog;  /* GetCatalog answer, fetched once */
};

/* Prints "clubcrm: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the message and a pointer to the usage text; returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The usage text, to stdout (help) or stderr. */
void cli_print_usage(bool to_stderr);

/*
 * Connects and logs in (asking for the password when needed), then sets the
 * club's time zone. CLI_OK, CLI_REFUSED (server unreachable, bad login) or
 * CLI_USAGE (no user, no password and no terminal to ask on).
 */
int cli_connect(struct cli *cli);

/* The password from CLUBCRM_PASSWORD or the terminal (no echo). CLI_OK,
 * CLI_USAGE (no terminal to ask on) or CLI_REFUSED. */
int cli_password(char *out, size_t size);

/*
 * The answer of a typed call (client_api.h) made after cli_connect():
 * CLI_OK, or CLI_REFUSED after printing "clubcrm: CODE: message" (the
 * answer is freed then).
 */
int cli_answer(unsigned code, struct clubcrm_answer *ans);

/*
 * Prints the TaskReply of a write: as JSON, or "WHAT task N" and the task's
 * row, then with `created` a line for each task the same write created.
 */
void cli_print_task_reply(const struct cli *cli, const Clubcrm__TaskReply *r,
			  const char *what, bool created);
/* cli_answer(), then cli_print_task_reply() and the answer freed. */
int cli_task_answer(struct cli *cli, unsigned code, struct clubcrm_answer *ans,
		    const char *what, bool created);

/*
 * Parses a time (cli_parse_time) in the club's time zone: connects first,
 * since the zone comes with the server's Welcome. Check the syntax with
 * cli_parse_time() before, so that a typo is a usage error without a
 * connection. CLI_OK, CLI_REFUSED or CLI_USAGE.
 */
int cli_club_time(struct cli *cli, const char *text, bool end_of_day,
		  int64_t *out);
/*
 * The same for a planned time (cli_parse_planned: a time of day required).
 * A time the zone skips is refused; a time in the past is accepted with a
 * warning on stderr.
 */
int cli_club_planned(struct cli *cli, const char *text, int64_t *out);

/* A moment of the past or present (--as-of): a time of day required, a
 * time the zone skips refused, no warning. CLI_OK, CLI_REFUSED or
 * CLI_USAGE. */
int cli_club_moment(struct cli *cli, const char *text, int64_t *out);

/* The club's catalogue (GetCatalog, cached). CLI_OK or CLI_REFUSED. */
int cli_catalog(struct cli *cli, const Clubcrm__Catalog **out);

/* Logs out (Logout, the server's answer awaited 2 s at most) and closes. */
void cli_disconnect(struct cli *cli);

#endif
