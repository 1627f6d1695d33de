#include "cli_asof.h"

#include <inttypes.h>
#include <stdio.h>

#include "timeutil.h"

size_t cli_asof_options(struct cli_asof_args *a, struct cli_opt *out)
{
	out[0] = (struct cli_opt){"as-of", CLI_OPT_VALUE, &a->at};
	out[1] = (struct cli_opt){"as-of-revision", CLI_OPT_VALUE,
				  &a->revision};
	return CLI_ASOF_OPTS;
}

int cli_asof_check(const struct cli_asof_args *a)
{
	if (a->at && a->revision)
		return cli_usage_error("--as-of and --as-of-revision exclude "
				       "each other");
	uint64_t n;
	if (a->revision && cli_parse_u64(a->revision, &n) < 0)
		return cli_usage_error("--as-of-revision '%s' is not a "
				       "revision number (1 or more)",
				       a->revision);
	if (a->at)
		return cli_check_planned("as-of", a->at);
	return CLI_OK;
}

int cli_asof_build(struct cli *cli, const struct cli_asof_args *a,
		   Clubcrm__ListTasks *lt)
{
	if (a->revision) {
		lt->has_as_of_revision = true;
		return cli_parse_u64(a->revision, &lt->as_of_revision) < 0
			       ? cli_usage_error("bad --as-of-revision")
			       : CLI_OK;
	}
	if (!a->at)
		return CLI_OK;
	int rc = cli_club_moment(cli, a->at, &lt->as_of);
	if (rc == CLI_OK)
		lt->has_as_of = true;
	return rc;
}

void cli_asof_label(const Clubcrm__ListTasks *lt, const Clubcrm__TaskPage *p,
		    char *out, size_t size)
{
	char when[40];
	bool asked = lt->has_as_of;
	int64_t t = asked ? lt->as_of : p->as_of_revision_at;
	bool minute = asked && t % 60 == 0;
	if (time_format_local(t, minute ? "%Y-%m-%d %H:%M" : "%Y-%m-%d %H:%M:%S",
			      when, sizeof(when)) == 0)
		snprintf(when, sizeof(when), "?");
	snprintf(out, size, "as of %s (revision %" PRIu64 "), read-only", when,
		 p->as_of_revision);
}
