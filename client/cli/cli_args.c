#include "cli_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "timeutil.h"

static const struct cli_opt *find_opt(const struct cli_opt *opts,
				      const char *name, size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

static int store(const struct cli_opt *o, const char *value)
{
	if (o->kind == CLI_OPT_VALUE) {
		*(const char **)o->target = value;
		return CLI_OK;
	}
	struct cli_list *l = o->target;
	if (l->n >= CLI_LIST_MAX)
		return cli_usage_error("too many --%s (at most %d)", o->name,
				       CLI_LIST_MAX);
	l->items[l->n++] = value;
	return CLI_OK;
}

/* One "--name[=value]" at argv[*i]; takes the next word as value if needed. */
static int parse_long(int argc, char **argv, int *i,
		      const struct cli_opt *opts, const struct cli_opt *global)
{
	const char *arg = argv[*i] + 2;
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct cli_opt *o = find_opt(opts, arg, len);
	if (!o)
		o = find_opt(global, arg, len);
	if (!o)
		return cli_usage_error("unknown option --%.*s", (int)len, arg);
	if (o->kind == CLI_OPT_FLAG) {
		if (eq)
			return cli_usage_error("--%s takes no value", o->name);
		*(bool *)o->target = true;
		return CLI_OK;
	}
	if (eq)
		return store(o, eq + 1);
	if (*i + 1 >= argc)
		return cli_usage_error("--%s needs a value", o->name);
	(*i)++;
	return store(o, argv[*i]);
}

int cli_args_parse(struct cli *cli, int argc, char **argv,
		   const struct cli_opt *opts, const char **pos,
		   size_t max_pos, size_t *n_pos)
{
	const struct cli_opt global[] = {
		{"server", CLI_OPT_VALUE, &cli->server},
		{"user", CLI_OPT_VALUE, &cli->user},
		{"ca-file", CLI_OPT_VALUE, &cli->ca_file},
		{"json", CLI_OPT_FLAG, &cli->json},
		{0},
	};
	bool only_pos = false;
	*n_pos = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (!only_pos && strncmp(a, "--", 2) == 0) {
			int rc = parse_long(argc, argv, &i, opts, global);
			if (rc != CLI_OK)
				return rc;
			continue;
		}
		if (!only_pos && a[0] == '-' && a[1] != '\0')
			return cli_usage_error("unknown option %s", a);
		if (*n_pos >= max_pos)
			return cli_usage_error("unexpected argument '%s'", a);
		pos[(*n_pos)++] = a;
	}
	return CLI_OK;
}

bool cli_is_number(const char *text)
{
	if (!text || !*text)
		return false;
	for (const char *p = text; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int cli_parse_u64(const char *text, uint64_t *out)
{
	if (!cli_is_number(text) || strlen(text) > 19)
		return -EINVAL;
	unsigned long long v = strtoull(text, NULL, 10);
	if (v == 0)
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

int cli_parse_time(const char *text, bool end_of_day, int64_t *out)
{
	int64_t t;
	bool timed;
	int rc = time_parse_datetime(text, &t, &timed);
	if (rc < 0)
		return rc == -EDOM ? -EDOM : -EINVAL;
	/* The next day's first instant, by the calendar: days around a
	 * daylight-saving change are not 24 hours long. */
	*out = end_of_day && !timed ? time_day_start(t, 1) : t;
	return 0;
}

int cli_parse_planned(const char *text, int64_t *out)
{
	int64_t t;
	bool timed;
	int rc = time_parse_datetime(text, &t, &timed);
	if (rc < 0)
		return rc == -EDOM ? -EDOM : -EINVAL;
	if (!timed)
		return -ENODATA;
	*out = t;
	return 0;
}

int cli_check_planned(const char *flag, const char *text)
{
	int64_t syntax_only;
	int rc = cli_parse_planned(text, &syntax_only);
	if (rc == -ENODATA)
		return cli_usage_error("--%s '%s' has no time of day: give a "
				       "time (\"YYYY-MM-DD HH:MM\")", flag,
				       text);
	if (rc == -EINVAL)
		return cli_usage_error("--%s '%s' is not a time "
				       "(YYYY-MM-DD HH:MM)", flag, text);
	return CLI_OK;  /* a gap depends on the club's zone: checked later */
}

int cli_parse_status(const char *text, Clubcrm__TaskStatus *out)
{
	static const struct {
		const char *name;
		Clubcrm__TaskStatus status;
	} names[] = {
		{"planned", CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED},
		{"done", CLUBCRM__TASK_STATUS__TASK_STATUS_DONE},
		{"cancelled", CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED},
	};
	for (size_t i = 0; text && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i].name) == 0) {
			*out = names[i].status;
			return 0;
		}
	}
	return -EINVAL;
}
