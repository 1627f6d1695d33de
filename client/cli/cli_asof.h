/*
 * The past on the command line: --as-of "YYYY-MM-DD HH:MM" (in the club's
 * zone) and --as-of-revision N, shared by `task list` and `task export`:
 * the options, their usage checks, the query fields they set, and the
 * label that marks such output ("as of 2026-12-06 10:00 (revision 1234),
 * read-only").
 */
#ifndef CLUBCRM_CLI_ASOF_H
#define CLUBCRM_CLI_ASOF_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "cli_args.h"

struct cli_asof_args {
	const char *at, *revision;
};

#define CLI_ASOF_OPTS 2

/* Appends the options to `out` (room for CLI_ASOF_OPTS); their count. */
size_t cli_asof_options(struct cli_asof_args *a, struct cli_opt *out);

/* Usage checks, before any connection. CLI_OK or CLI_USAGE. */
int cli_asof_check(const struct cli_asof_args *a);

static inline bool cli_asof_on(const struct cli_asof_args *a)
{
	return a->at || a->revision;
}

/* Sets the query's as_of or as_of_revision (connects for the zone).
 * CLI_OK, CLI_REFUSED or CLI_USAGE. */
int cli_asof_build(struct cli *cli, const struct cli_asof_args *a,
		   Clubcrm__ListTasks *lt);

/* "as of 2026-12-06 10:00 (revision 1234), read-only" for a page answered
 * to `lt` (the time asked for, else the revision's commit time). */
void cli_asof_label(const Clubcrm__ListTasks *lt, const Clubcrm__TaskPage *p,
		    char *out, size_t size);

#endif
