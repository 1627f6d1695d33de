#include "cli_repeat.h"

#include <errno.h>
#include <string.h>

size_t cli_repeat_options(struct cli_repeat_args *a, struct cli_opt *out)
{
	out[0] = (struct cli_opt){"repeat", CLI_OPT_VALUE, &a->repeat};
	out[1] = (struct cli_opt){"until", CLI_OPT_VALUE, &a->until};
	out[2] = (struct cli_opt){"count", CLI_OPT_VALUE, &a->count};
	return CLI_REPEAT_OPTS;
}

static int parse_repeat(const char *text, Clubcrm__Recurrence *out)
{
	static const struct {
		const char *name;
		Clubcrm__Recurrence rec;
	} names[] = {
		{"daily", CLUBCRM__RECURRENCE__RECURRENCE_DAILY},
		{"weekly", CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY},
		{"monthly", CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY},
		{"none", CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(text, names[i].name) == 0) {
			*out = names[i].rec;
			return 0;
		}
	return -1;
}

int cli_repeat_check(const struct cli_repeat_args *a, bool edit)
{
	Clubcrm__Recurrence rec = CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED;
	if (a->repeat && (parse_repeat(a->repeat, &rec) < 0 ||
			  (!edit && rec == 0)))
		return cli_usage_error("--repeat must be daily, weekly or "
				       "monthly%s, not '%s'",
				       edit ? " (none: stop repeating)" : "",
				       a->repeat);
	bool end = a->until || a->count;
	if (a->until && a->count)
		return cli_usage_error("--until and --count exclude each other");
	if (end && !edit && !a->repeat)
		return cli_usage_error("--%s needs --repeat",
				       a->until ? "until" : "count");
	if (end && a->repeat && rec == 0)
		return cli_usage_error("--repeat none takes no --%s",
				       a->until ? "until" : "count");
	uint64_t n;
	if (a->count && (cli_parse_u64(a->count, &n) < 0 ||
			 n > CLI_REPEAT_COUNT_MAX))
		return cli_usage_error("--count must be 1..%d",
				       CLI_REPEAT_COUNT_MAX);
	int64_t t;
	if (a->until && cli_parse_time(a->until, true, &t) == -EINVAL)
		return cli_usage_error("--until '%s' is not a date "
				       "(YYYY-MM-DD)", a->until);
	return CLI_OK;
}

int cli_repeat_build(struct cli *cli, const struct cli_repeat_args *a,
		     bool edit, struct cli_repeat *out)
{
	memset(out, 0, sizeof(*out));
	if (a->repeat) {
		out->has_rec = true;
		parse_repeat(a->repeat, &out->rec);
	}
	if (a->count) {
		uint64_t n = 0;
		cli_parse_u64(a->count, &n);
		out->has_count = true;
		out->count = (uint32_t)n;
		out->has_until = edit;  /* cleared: one end at a time */
	}
	if (a->until) {
		/* A bare date includes its whole day. */
		int rc = cli_club_time(cli, a->until, true, &out->until);
		if (rc != CLI_OK)
			return rc;
		out->has_until = true;
		out->has_count = edit;
	}
	return CLI_OK;
}
