/*
 * Repeating tasks on the command line, shared by `task add` and
 * `task edit`: --repeat daily|weekly|monthly (none: stop, edit only) and
 * the series' end, --until DATE (the last day included; "YYYY-MM-DD HH:MM":
 * no occurrence from that moment on) or --count N (occurrences, this one
 * included).
 */
#ifndef CLUBCRM_CLI_REPEAT_H
#define CLUBCRM_CLI_REPEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "cli_args.h"

#define CLI_REPEAT_COUNT_MAX 1000  /* the server's limit */
#define CLI_REPEAT_OPTS 3

struct cli_repeat_args {
	const char *repeat, *until, *count;
};

/* The request's fields: has_ set for what is to change. */
struct cli_repeat {
	bool has_rec, has_until, has_count;
	Clubcrm__Recurrence rec;
	int64_t until;
	uint32_t count;
};

size_t cli_repeat_options(struct cli_repeat_args *a, struct cli_opt *out);

/* Usage checks before any connection; `edit`: --repeat none is allowed
 * and an end may change without --repeat. CLI_OK or CLI_USAGE. */
int cli_repeat_check(const struct cli_repeat_args *a, bool edit);

/* The fields (--until in the club's zone: connects). An edit that sets one
 * end clears the other. CLI_OK, CLI_REFUSED or CLI_USAGE. */
int cli_repeat_build(struct cli *cli, const struct cli_repeat_args *a,
		     bool edit, struct cli_repeat *out);

#endif
