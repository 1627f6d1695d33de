#include "cli_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "longopt.h"
#include "timeutil.h"

static const struct cli_opt *find_opt(const struct cli_opt *opts,
				      const char *name, size_t len)
{
	for (; opts && opts->name; opts++)
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

struct find_ctx {
	const struct cli_opt *opts, *global;
	const struct cli_opt *found;
};

static int find(void *arg, const char *name, size_t len)
{
	struct find_ctx *f = arg;
	f->found = find_opt(f->opts, name, len);
	if (!f->found)
		f->found = find_opt(f->global, name, len);
	if (!f->found)
		return -1;
	return f->found->kind == CLI_OPT_FLAG ? LONGOPT_NONE : LONGOPT_REQUIRED;
}

/* One "--name[=value]" at argv[*i]; takes the next word as value if needed. */
static int parse_long(int argc, char **argv, int *i,
		      const struct cli_opt *opts, const struct cli_opt *global)
{
	struct find_ctx f = {opts, global, NULL};
	struct longopt_hit h;
	int rc = longopt_take(argc, argv, i, find, &f, &h);
	if (rc == -ENOENT)
		return cli_usage_error("unknown option --%.*s", (int)h.len,
				       h.name);
	if (rc == -E2BIG)
		return cli_usage_error("--%s takes no value", f.found->name);
	if (rc == -ENODATA)
		return cli_usage_error("--%s needs a value", f.found->name);
	if (f.found->kind == CLI_OPT_FLAG) {
		*(bool *)f.found->target = true;
		return CLI_OK;
	}
	return store(f.found, h.value);
}

int cli_args_parse(struct cli *cli, int argc, char **argv,
		   const struct cli_opt *opts, const char **pos,
		   size_t max_pos, size_t *n_pos)
{
	bool help = false;
	const struct cli_opt global[] = {
		{"server", CLI_OPT_VALUE, &cli->server},
		{"user", CLI_OPT_VALUE, &cli->user},
		{"ca-file", CLI_OPT_VALUE, &cli->ca_file},
		{"json", CLI_OPT_FLAG, &cli->json},
		{"help", CLI_OPT_FLAG, &help},
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
	if (help) {
		cli_print_usage(false);
		return CLI_HELP;
	}
	return CLI_OK;
}

int cli_args_options(struct cli *cli, int argc, char **argv,
		     const struct cli_opt *opts)
{
	size_t n_pos;
	return cli_args_parse(cli, argc, argv, opts, NULL, 0, &n_pos);
}

int cli_args_task_id(struct cli *cli, int argc, char **argv,
		     const struct cli_opt *opts, const char *cmd, uint64_t *id)
{
	const char *pos[1];
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 1, &n_pos);
	if (rc != CLI_OK)
		return rc;
	if (n_pos != 1 || cli_parse_u64(pos[0], id) < 0)
		return cli_usage_error("task %s needs a task id", cmd);
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

#define IDEMPOTENCY_KEY_MAX 64  /* the server's limit */

int cli_check_idempotency_key(const char *key)
{
	if (key && (!key[0] || strlen(key) > IDEMPOTENCY_KEY_MAX))
		return cli_usage_error("--idempotency-key must be 1 to %d bytes",
				       IDEMPOTENCY_KEY_MAX);
	return CLI_OK;
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
