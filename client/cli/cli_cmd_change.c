/*
 * task edit, task copy, task reassign. An edit carries the mod_rev it was
 * based on: the one just read (or --base-rev), so that a change made by
 * someone else in between is refused (FAILED_PRECONDITION), never
 * overwritten.
 */
#include <stdio.h>
#include <string.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_json.h"
#include "cli_repeat.h"
#include "cli_resolve.h"
#include "status.h"

/* The fields edit and copy share. */
struct change_args {
	const char *desc, *type, *at, *operator_, *customer, *status, *result;
	const char *closing_note, *base_rev;
	struct cli_list tags;
	bool no_tags;
	struct cli_repeat_args repeat;  /* edit only */
};

static size_t change_options(struct change_args *a, struct cli_opt *out,
			     bool edit)
{
	size_t n = 0;
	out[n++] = (struct cli_opt){"desc", CLI_OPT_VALUE, &a->desc};
	out[n++] = (struct cli_opt){"type", CLI_OPT_VALUE, &a->type};
	out[n++] = (struct cli_opt){"at", CLI_OPT_VALUE, &a->at};
	out[n++] = (struct cli_opt){"operator", CLI_OPT_VALUE, &a->operator_};
	out[n++] = (struct cli_opt){"customer", CLI_OPT_VALUE, &a->customer};
	out[n++] = (struct cli_opt){"status", CLI_OPT_VALUE, &a->status};
	out[n++] = (struct cli_opt){"result", CLI_OPT_VALUE, &a->result};
	out[n++] = (struct cli_opt){"tag", CLI_OPT_LIST, &a->tags};
	if (edit) {
		out[n++] = (struct cli_opt){"closing-note", CLI_OPT_VALUE,
					    &a->closing_note};
		out[n++] = (struct cli_opt){"base-rev", CLI_OPT_VALUE,
					    &a->base_rev};
		out[n++] = (struct cli_opt){"no-tags", CLI_OPT_FLAG,
					    &a->no_tags};
		n += cli_repeat_options(&a->repeat, out + n);
	}
	out[n] = (struct cli_opt){0};
	return n;
}

/* Parses "ID" and the options. CLI_OK, CLI_USAGE or CLI_HELP. */
static int parse(struct cli *cli, int argc, char **argv, struct change_args *a,
		 bool edit, uint64_t *id)
{
	struct cli_opt opts[16 + CLI_REPEAT_OPTS];
	change_options(a, opts, edit);
	int rc = cli_args_task_id(cli, argc, argv, opts, edit ? "edit" : "copy",
				  id);
	if (rc != CLI_OK)
		return rc;
	if (a->at && (rc = cli_check_planned("at", a->at)) != CLI_OK)
		return rc;
	Clubcrm__TaskStatus s;
	if (a->status && cli_parse_status(a->status, &s) < 0)
		return cli_usage_error("--status must be planned, done or "
				       "cancelled");
	uint64_t rev;
	if (a->base_rev && cli_parse_u64(a->base_rev, &rev) < 0)
		return cli_usage_error("--base-rev must be a revision number");
	if (a->no_tags && a->tags.n > 0)
		return cli_usage_error("--no-tags and --tag exclude each other");
	return edit ? cli_repeat_check(&a->repeat, true) : CLI_OK;
}

/* The names of the shared fields, resolved; has_ flags set for each. */
struct resolved {
	uint64_t type, operator_, customer, result, tags[CLI_LIST_MAX];
	int64_t at;
	Clubcrm__TaskStatus status;
	struct cli_repeat repeat;
};

static int resolve(struct cli *cli, const struct change_args *a,
		   struct resolved *r)
{
	int rc = CLI_OK;
	if (a->type)
		rc = cli_resolve_type(cli, a->type, &r->type);
	if (rc == CLI_OK && a->operator_)
		rc = cli_resolve_operator(cli, a->operator_, &r->operator_);
	if (rc == CLI_OK && a->customer)
		rc = cli_resolve_customer(cli, a->customer, &r->customer);
	if (rc == CLI_OK && a->result)
		rc = cli_resolve_result(cli, a->result, &r->result);
	for (size_t i = 0; rc == CLI_OK && i < a->tags.n; i++)
		rc = cli_resolve_tag(cli, a->tags.items[i], &r->tags[i]);
	if (rc == CLI_OK && a->at)
		rc = cli_club_planned(cli, a->at, &r->at);
	if (a->status)
		cli_parse_status(a->status, &r->status);
	if (rc == CLI_OK)
		rc = cli_repeat_build(cli, &a->repeat, true, &r->repeat);
	return rc;
}

/* The mod_rev the task has now (what this edit is based on). */
static int current_rev(struct cli *cli, uint64_t id, uint64_t *rev)
{
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_task_get(cli->conn, id, false, &ans), &ans);
	if (rc != CLI_OK)
		return rc;
	const Clubcrm__TaskRow *row = ans.task->row;
	*rev = row && row->task ? row->task->mod_rev : 0;
	clubcrm_answer_free(&ans);
	return CLI_OK;
}

/* What this edit would have set (the fields given), for a conflict: to
 * `out` as text, or into `json` when not NULL. */
static void print_change(FILE *out, json_t *json, const struct change_args *a)
{
	const char *const fields[][2] = {
		{"description", a->desc}, {"type", a->type}, {"planned", a->at},
		{"operator", a->operator_}, {"customer", a->customer},
		{"status", a->status}, {"result", a->result},
		{"closing_note", a->closing_note},
		{"repeat", a->repeat.repeat}, {"until", a->repeat.until},
		{"count", a->repeat.count},
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!fields[i][1])
			continue;
		if (json)
			json_object_set_new(json, fields[i][0],
					    json_string(fields[i][1]));
		else
			fprintf(out, "  %-13s%s\n", fields[i][0], fields[i][1]);
	}
	if (!a->no_tags && a->tags.n == 0)
		return;
	json_t *tags = json ? json_array() : NULL;
	for (size_t i = 0; i < a->tags.n; i++) {
		if (tags)
			json_array_append_new(tags,
					      json_string(a->tags.items[i]));
		else
			fprintf(out, "  %-13s%s\n", i ? "" : "tags",
				a->tags.items[i]);
	}
	if (json)
		json_object_set_new(json, "tags", tags);
	else if (a->no_tags)
		fprintf(out, "  %-13s%s\n", "tags", "(none)");
}

/*
 * A stale edit: the server refused it with the record as it is now
 * (Error.current). Both versions are shown, so that the user can redo the
 * change on the current one: JSON {"error", "yours", "current"} or text.
 */
static void print_conflict(const struct cli *cli, const struct change_args *a,
			   uint64_t base, const Clubcrm__TaskRow *current)
{
	Clubcrm__TaskReply now = CLUBCRM__TASK_REPLY__INIT;
	now.row = (Clubcrm__TaskRow *)current;
	/* The record is as of its last change at least. */
	now.has_revision = true;
	now.revision = current->task->mod_rev;
	if (cli->json) {
		json_t *o = json_object();
		json_t *yours = json_object();
		json_object_set_new(yours, "base_mod_rev",
				    json_integer((json_int_t)base));
		print_change(NULL, yours, a);
		json_object_set_new(o, "error", json_string("FAILED_PRECONDITION"));
		json_object_set_new(o, "yours", yours);
		json_object_set_new(o, "current", cli_json_task_reply(&now));
		cli_json_print(o);
		return;
	}
	printf("Your change (based on revision %llu):\n",
	       (unsigned long long)base);
	print_change(stdout, NULL, a);
	printf("The current version (revision %llu):\n",
	       (unsigned long long)current->task->mod_rev);
	cli_format_task_detail(stdout, &now);
}

/* Sends the edit; a conflict prints both versions. */
static int send_edit(struct cli *cli, const struct change_args *a,
		     const Clubcrm__EditTask *e)
{
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	unsigned code = clubcrm_task_edit(cli->conn, e, &ans);
	if (code == STATUS_OK) {
		cli_print_task_reply(cli, ans.task, "Edited", false);
		clubcrm_answer_free(&ans);
		return CLI_OK;
	}
	cli_error("%s: %s", status_name(code), ans.message);
	if (ans.conflict)
		print_conflict(cli, a, e->base_mod_rev, ans.conflict);
	clubcrm_answer_free(&ans);
	return CLI_REFUSED;
}

static void fill_edit(const struct change_args *a, const struct resolved *r,
		      Clubcrm__EditTask *e)
{
	e->description = (char *)a->desc;
	e->has_type_id = a->type != NULL;
	e->type_id = r->type;
	e->has_operator_id = a->operator_ != NULL;
	e->operator_id = r->operator_;
	e->has_customer_id = a->customer != NULL;
	e->customer_id = r->customer;
	e->has_result_id = a->result != NULL;
	e->result_id = r->result;
	e->has_planned_at = a->at != NULL;
	e->planned_at = r->at;
	e->has_status = a->status != NULL;
	e->status = r->status;
	e->closing_note = (char *)a->closing_note;
	e->has_set_tags = e->set_tags = a->no_tags || a->tags.n > 0;
	e->tag_ids = (uint64_t *)r->tags;
	e->n_tag_ids = a->tags.n;
	e->has_recurrence = r->repeat.has_rec;
	e->recurrence = r->repeat.rec;
	e->has_repeat_until = r->repeat.has_until;
	e->repeat_until = r->repeat.until;
	e->has_repeat_count = r->repeat.has_count;
	e->repeat_count = r->repeat.count;
}

int cli_cmd_task_edit(struct cli *cli, int argc, char **argv)
{
	struct change_args a = {0};
	Clubcrm__EditTask e = CLUBCRM__EDIT_TASK__INIT;
	int rc = parse(cli, argc, argv, &a, true, &e.id);
	if (rc != CLI_OK)
		return rc;
	e.has_id = true;
	struct resolved r = {0};
	if ((rc = resolve(cli, &a, &r)) != CLI_OK)
		return rc;
	if (a.base_rev)
		cli_parse_u64(a.base_rev, &e.base_mod_rev);
	else if ((rc = current_rev(cli, e.id, &e.base_mod_rev)) != CLI_OK)
		return rc;
	e.has_base_mod_rev = true;
	fill_edit(&a, &r, &e);
	return send_edit(cli, &a, &e);
}

int cli_cmd_task_copy(struct cli *cli, int argc, char **argv)
{
	struct change_args a = {0};
	uint64_t id;
	int rc = parse(cli, argc, argv, &a, false, &id);
	if (rc != CLI_OK)
		return rc;
	struct resolved r = {0};
	if ((rc = resolve(cli, &a, &r)) != CLI_OK)
		return rc;
	Clubcrm__CreateTask o = CLUBCRM__CREATE_TASK__INIT;
	o.description = (char *)a.desc;
	o.has_type_id = a.type != NULL;
	o.type_id = r.type;
	o.has_operator_id = a.operator_ != NULL;
	o.operator_id = r.operator_;
	o.has_customer_id = a.customer != NULL;
	o.customer_id = r.customer;
	o.has_result_id = a.result != NULL;
	o.result_id = r.result;
	o.has_planned_at = a.at != NULL;
	o.planned_at = r.at;
	o.has_status = a.status != NULL;
	o.status = r.status;
	o.tag_ids = r.tags;
	o.n_tag_ids = a.tags.n;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	return cli_task_answer(cli, clubcrm_task_copy(cli->conn, id, &o, &ans),
			       &ans, "Created", false);
}

static int print_reassigned(struct cli *cli, const Clubcrm__ReassignReply *r)
{
	if (cli->json) {
		json_t *o = json_object();
		json_t *ids = json_array();
		for (size_t i = 0; ids && i < r->n_task_ids; i++)
			json_array_append_new(ids, json_integer(
							   (json_int_t)r->task_ids[i]));
		json_object_set_new(o, "task_ids", ids);
		json_object_set_new(o, "revision",
				    json_integer((json_int_t)r->revision));
		cli_json_print(o);
		return CLI_OK;
	}
	printf("Moved %zu %s", r->n_task_ids,
	       r->n_task_ids == 1 ? "task" : "tasks");
	for (size_t i = 0; i < r->n_task_ids; i++)
		printf("%s%llu", i ? ", " : ": ",
		       (unsigned long long)r->task_ids[i]);
	putchar('\n');
	return CLI_OK;
}

int cli_cmd_task_reassign(struct cli *cli, int argc, char **argv)
{
	const char *from = NULL, *to = NULL, *from_date = NULL, *to_date = NULL;
	const struct cli_opt opts[] = {
		{"from", CLI_OPT_VALUE, &from},
		{"to", CLI_OPT_VALUE, &to},
		{"from-date", CLI_OPT_VALUE, &from_date},
		{"to-date", CLI_OPT_VALUE, &to_date},
		{0},
	};
	int rc = cli_args_options(cli, argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	int64_t t;
	if (!from || !to)
		return cli_usage_error("task reassign needs --from LOGIN and "
				       "--to LOGIN");
	if ((from_date && cli_parse_time(from_date, false, &t) < 0) ||
	    (to_date && cli_parse_time(to_date, true, &t) < 0))
		return cli_usage_error("--from-date/--to-date take a date");
	Clubcrm__ReassignTasks m = CLUBCRM__REASSIGN_TASKS__INIT;
	m.has_from_operator_id = m.has_to_operator_id = true;
	if ((rc = cli_resolve_operator(cli, from, &m.from_operator_id)) ||
	    (rc = cli_resolve_operator(cli, to, &m.to_operator_id)))
		return rc;
	if (from_date &&
	    (rc = cli_club_time(cli, from_date, false, &m.planned_from)))
		return rc;
	if (to_date && (rc = cli_club_time(cli, to_date, true, &m.planned_to)))
		return rc;
	m.has_planned_from = from_date != NULL;
	m.has_planned_to = to_date != NULL;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_tasks_reassign(cli->conn, &m, &ans), &ans);
	if (rc != CLI_OK)
		return rc;
	rc = print_reassigned(cli, ans.reassign);
	clubcrm_answer_free(&ans);
	return rc;
}
