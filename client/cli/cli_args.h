/*
 * Argument parsing for the commands: long options ("--name VALUE",
 * "--name=VALUE", flags), repeated options collected in a list, positional
 * arguments, and the value parsers (ids, counts, dates in the club's zone).
 */
#ifndef CLUBCRM_CLI_ARGS_H
#define CLUBCRM_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"

#define CLI_LIST_MAX 16

struct cli_list {
	const char *items[CLI_LIST_MAX];
	size_t n;
};

enum cli_opt_kind {
	CLI_OPT_FLAG,   /* target: bool */
	CLI_OPT_VALUE,  /* target: const char *, the last one given wins */
	CLI_OPT_LIST,   /* target: struct cli_list, every one given */
};

struct cli_opt {
	const char *name;  /* without the leading "--" */
	enum cli_opt_kind kind;
	void *target;
};

struct cli;

/*
 * Parses argv[0..argc) against `opts` (terminated by a zero entry) and the
 * global options (--server, --user, --ca-file, --json: into `cli`, so
 * that they may come after the command too); `opts` may be NULL. Other
 * words go to `pos` (at most max_pos, counted in *n_pos). CLI_OK, or
 * CLI_USAGE after printing what is wrong.
 * "--help" is global too, unless `opts` names it: after the words parse, the
 * usage is printed and CLI_HELP returned, which the command returns as it
 * is (main() exits with CLI_OK then).
 */
int cli_args_parse(struct cli *cli, int argc, char **argv,
		   const struct cli_opt *opts, const char **pos,
		   size_t max_pos, size_t *n_pos);

/* cli_args_parse() for a command that takes options only (`opts` may be
 * NULL: none but the global ones). */
int cli_args_options(struct cli *cli, int argc, char **argv,
		     const struct cli_opt *opts);

/*
 * cli_args_parse() for "task CMD [options] ID": the one word, a task id,
 * into *id. CLI_OK, CLI_HELP, or CLI_USAGE ("task CMD needs a task id").
 */
int cli_args_task_id(struct cli *cli, int argc, char **argv,
		     const struct cli_opt *opts, const char *cmd,
		     uint64_t *id);

/* A decimal id or count > 0. 0 or -EINVAL. */
int cli_parse_u64(const char *text, uint64_t *out);

/*
 * A time in the club's zone: "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DD" (the
 * day's first instant). With `end_of_day`, a bare date means the midnight
 * after it (an exclusive upper bound that includes the whole day). 0;
 * -EINVAL (not a time); -EDOM (a time the zone skips: clocks go forward).
 */
int cli_parse_time(const char *text, bool end_of_day, int64_t *out);
/* A planned time: the same, but a time of day is required (-ENODATA). */
int cli_parse_planned(const char *text, int64_t *out);
/* The syntax of a planned time given as --flag: CLI_OK or a usage error
 * ("give a time" when it has no time of day). */
int cli_check_planned(const char *flag, const char *text);

/* A create's --idempotency-key (NULL: not given): 1 to 64 bytes, the
 * server's limit. CLI_OK or a usage error. */
int cli_check_idempotency_key(const char *key);

/* "planned", "done" or "cancelled". 0 or -EINVAL. */
int cli_parse_status(const char *text, Clubcrm__TaskStatus *out);

/* True when `text` is all digits (an id rather than a name). */
bool cli_is_number(const char *text);

#endif
