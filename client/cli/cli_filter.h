/*
 * The task filter of `task list`: one flag per TaskFilter field, checked
 * for usage errors first, then names resolved into a Clubcrm__TaskFilter.
 */
#ifndef CLUBCRM_CLI_FILTER_H
#define CLUBCRM_CLI_FILTER_H

#include <stdbool.h>

#include "cli.h"
#include "cli_args.h"

struct cli_filter_args {
	const char *from, *to, *created_from, *created_to;
	const char *customer, *team, *text, *kind;
	struct cli_list operators, creators, types, tags, statuses, results;
	bool taken, not_taken, urgent, in_preparation, overdue;
};

/* The filter and the arrays its repeated fields point into. */
struct cli_filter {
	Clubcrm__TaskFilter f;
	uint64_t operators[CLI_LIST_MAX], creators[CLI_LIST_MAX];
	uint64_t types[CLI_LIST_MAX], tags[CLI_LIST_MAX];
	uint64_t results[CLI_LIST_MAX];
	Clubcrm__TaskStatus statuses[CLI_LIST_MAX];
};

#define CLI_FILTER_OPTS 24

/* Appends the filter's options to `out` (room for CLI_FILTER_OPTS); count. */
size_t cli_filter_options(struct cli_filter_args *a, struct cli_opt *out);

/* Usage checks, before any connection. CLI_OK or CLI_USAGE. */
int cli_filter_check(const struct cli_filter_args *a);

/* Resolves names and times. CLI_OK, CLI_REFUSED or CLI_USAGE. */
int cli_filter_build(struct cli *cli, const struct cli_filter_args *a,
		     struct cli_filter *out);

#endif
