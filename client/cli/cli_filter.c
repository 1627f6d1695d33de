#include "cli_filter.h"

#include <string.h>

#include "cli_resolve.h"

size_t cli_filter_options(struct cli_filter_args *a, struct cli_opt *out)
{
	const struct cli_opt opts[] = {
		{"from", CLI_OPT_VALUE, &a->from},
		{"to", CLI_OPT_VALUE, &a->to},
		{"created-from", CLI_OPT_VALUE, &a->created_from},
		{"created-to", CLI_OPT_VALUE, &a->created_to},
		{"customer", CLI_OPT_VALUE, &a->customer},
		{"team", CLI_OPT_VALUE, &a->team},
		{"text", CLI_OPT_VALUE, &a->text},
		{"kind", CLI_OPT_VALUE, &a->kind},
		{"operator", CLI_OPT_LIST, &a->operators},
		{"creator", CLI_OPT_LIST, &a->creators},
		{"type", CLI_OPT_LIST, &a->types},
		{"tag", CLI_OPT_LIST, &a->tags},
		{"status", CLI_OPT_LIST, &a->statuses},
		{"result", CLI_OPT_LIST, &a->results},
		{"taken", CLI_OPT_FLAG, &a->taken},
		{"not-taken", CLI_OPT_FLAG, &a->not_taken},
		{"urgent", CLI_OPT_FLAG, &a->urgent},
		{"in-preparation", CLI_OPT_FLAG, &a->in_preparation},
		{"overdue", CLI_OPT_FLAG, &a->overdue},
		/* The names issue 3 and `watch` use for the same filters. */
		{"search", CLI_OPT_VALUE, &a->text},
		{"prep", CLI_OPT_FLAG, &a->in_preparation},
	};
	_Static_assert(sizeof(opts) / sizeof(opts[0]) <= CLI_FILTER_OPTS,
		       "CLI_FILTER_OPTS is the room callers give");
	size_t n = sizeof(opts) / sizeof(opts[0]);
	memcpy(out, opts, sizeof(opts));
	return n;
}

static int check_time(const char *flag, const char *text, bool end_of_day)
{
	int64_t t;
	if (text && cli_parse_time(text, end_of_day, &t) < 0)
		return cli_usage_error("--%s '%s' is not a date", flag, text);
	return CLI_OK;
}

int cli_filter_check(const struct cli_filter_args *a)
{
	int rc = check_time("from", a->from, false);
	if (rc == CLI_OK)
		rc = check_time("to", a->to, true);
	if (rc == CLI_OK)
		rc = check_time("created-from", a->created_from, false);
	if (rc == CLI_OK)
		rc = check_time("created-to", a->created_to, true);
	if (rc != CLI_OK)
		return rc;
	if (a->taken && a->not_taken)
		return cli_usage_error("--taken and --not-taken exclude each "
				       "other");
	if (a->kind && strcmp(a->kind, "task") != 0 &&
	    strcmp(a->kind, "note") != 0)
		return cli_usage_error("--kind must be task or note");
	for (size_t i = 0; i < a->statuses.n; i++) {
		Clubcrm__TaskStatus s;
		if (cli_parse_status(a->statuses.items[i], &s) < 0)
			return cli_usage_error("--status must be planned, done "
					       "or cancelled");
	}
	return CLI_OK;
}

typedef int (*resolve_fn)(struct cli *cli, const char *text, uint64_t *id);

/* Resolves every name of `l` into ids[]; sets *n. */
static int resolve_list(struct cli *cli, const struct cli_list *l,
			resolve_fn resolve, uint64_t *ids, size_t *n)
{
	for (size_t i = 0; i < l->n; i++) {
		int rc = resolve(cli, l->items[i], &ids[i]);
		if (rc != CLI_OK)
			return rc;
	}
	*n = l->n;
	return CLI_OK;
}

static int build_times(struct cli *cli, const struct cli_filter_args *a,
		       Clubcrm__TaskFilter *f)
{
	int rc = CLI_OK;
	if (a->from && (rc = cli_club_time(cli, a->from, false,
					   &f->planned_from)) == CLI_OK)
		f->has_planned_from = true;
	if (rc == CLI_OK && a->to &&
	    (rc = cli_club_time(cli, a->to, true, &f->planned_to)) == CLI_OK)
		f->has_planned_to = true;
	if (rc == CLI_OK && a->created_from &&
	    (rc = cli_club_time(cli, a->created_from, false,
				&f->created_from)) == CLI_OK)
		f->has_created_from = true;
	if (rc == CLI_OK && a->created_to &&
	    (rc = cli_club_time(cli, a->created_to, true,
				&f->created_to)) == CLI_OK)
		f->has_created_to = true;
	return rc;
}

static int build_lists(struct cli *cli, const struct cli_filter_args *a,
		       struct cli_filter *o)
{
	Clubcrm__TaskFilter *f = &o->f;
	int rc = resolve_list(cli, &a->operators, cli_resolve_operator,
			      o->operators, &f->n_operator_ids);
	if (rc == CLI_OK)
		rc = resolve_list(cli, &a->creators, cli_resolve_operator,
				  o->creators, &f->n_creator_ids);
	if (rc == CLI_OK)
		rc = resolve_list(cli, &a->types, cli_resolve_type, o->types,
				  &f->n_type_ids);
	if (rc == CLI_OK)
		rc = resolve_list(cli, &a->tags, cli_resolve_tag, o->tags,
				  &f->n_tag_ids);
	if (rc == CLI_OK)
		rc = resolve_list(cli, &a->results, cli_resolve_result,
				  o->results, &f->n_result_ids);
	f->operator_ids = o->operators;
	f->creator_ids = o->creators;
	f->type_ids = o->types;
	f->tag_ids = o->tags;
	f->result_ids = o->results;
	for (size_t i = 0; i < a->statuses.n; i++)
		cli_parse_status(a->statuses.items[i], &o->statuses[i]);
	f->statuses = o->statuses;
	f->n_statuses = a->statuses.n;
	return rc;
}

static void build_flags(const struct cli_filter_args *a, Clubcrm__TaskFilter *f)
{
	f->has_taken = a->taken || a->not_taken;
	f->taken = a->taken;
	f->has_urgent = f->urgent = a->urgent;
	f->has_in_preparation = f->in_preparation = a->in_preparation;
	f->has_overdue = f->overdue = a->overdue;
	f->text = (char *)a->text;
	if (a->kind) {
		f->has_kind = true;
		f->kind = strcmp(a->kind, "note") == 0
				  ? CLUBCRM__TASK_KIND__TASK_KIND_NOTE
				  : CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	}
}

int cli_filter_build(struct cli *cli, const struct cli_filter_args *a,
		     struct cli_filter *o)
{
	clubcrm__task_filter__init(&o->f);
	Clubcrm__TaskFilter *f = &o->f;
	int rc = build_times(cli, a, f);
	if (rc == CLI_OK && a->customer &&
	    (rc = cli_resolve_customer(cli, a->customer, &f->customer_id)) ==
		    CLI_OK)
		f->has_customer_id = true;
	if (rc == CLI_OK && a->team &&
	    (rc = cli_resolve_team(cli, a->team, &f->team_id)) == CLI_OK)
		f->has_team_id = true;
	if (rc == CLI_OK)
		rc = build_lists(cli, a, o);
	build_flags(a, f);
	return rc;
}
