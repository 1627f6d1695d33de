/*
 * task follow: record a result on a planned task, then close it, close it
 * with a note, or keep it open, and optionally create the next task linked
 * to it, all in one commit (the product's "Seguir").
 */
#include <stdio.h>
#include <string.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_json.h"
#include "cli_resolve.h"

struct follow_args {
	const char *result, *note, *next_type, *next_at, *next_operator;
	const char *next_desc;
	bool close, keep_open;
};

static bool has_next(const struct follow_args *a)
{
	return a->next_type || a->next_at || a->next_operator || a->next_desc;
}

static int check(const struct follow_args *a)
{
	if (!a->result)
		return cli_usage_error("task follow needs --result NAME");
	if ((a->close ? 1 : 0) + (a->note ? 1 : 0) + (a->keep_open ? 1 : 0) > 1)
		return cli_usage_error("--close, --note and --keep-open exclude "
				       "each other");
	if (has_next(a) && (!a->next_at || !a->next_desc))
		return cli_usage_error("the next task needs --next-at and "
				       "--next-desc");
	return a->next_at ? cli_check_planned("next-at", a->next_at) : CLI_OK;
}

/* The next task: type and customer default to the followed task's. */
static int build_next(struct cli *cli, const struct follow_args *a,
		      Clubcrm__CreateTask *next)
{
	next->has_kind = true;
	next->kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	next->description = (char *)a->next_desc;
	int rc = cli_club_planned(cli, a->next_at, &next->planned_at);
	next->has_planned_at = rc == CLI_OK;
	if (rc == CLI_OK && a->next_type &&
	    (rc = cli_resolve_type(cli, a->next_type, &next->type_id)) == CLI_OK)
		next->has_type_id = true;
	if (rc == CLI_OK && a->next_operator &&
	    (rc = cli_resolve_operator(cli, a->next_operator,
				       &next->operator_id)) == CLI_OK)
		next->has_operator_id = true;
	return rc;
}

static Clubcrm__FollowUpAction action_of(const struct follow_args *a)
{
	if (a->close)
		return CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_CLOSE;
	if (a->note)
		return CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_CLOSE_WITH_NOTE;
	if (a->keep_open)
		return CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_KEEP_OPEN;
	return CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_UNSPECIFIED;
}

static void print_reply(const struct cli *cli, const Clubcrm__TaskReply *r)
{
	if (cli->json) {
		cli_json_print(cli_json_task_reply(r));
		return;
	}
	if (!r->row || !r->row->task)
		return;
	printf("Followed up task %llu\n", (unsigned long long)r->row->task->id);
	Clubcrm__TaskRow *rows[1] = {r->row};
	cli_format_task_table(stdout, rows, 1, cli->colour);
	if (r->n_created == 0)
		return;
	printf("Created:\n");
	cli_format_task_table(stdout, r->created, r->n_created, cli->colour);
}

int cli_cmd_task_follow(struct cli *cli, int argc, char **argv)
{
	struct follow_args a = {0};
	const struct cli_opt opts[] = {
		{"result", CLI_OPT_VALUE, &a.result},
		{"note", CLI_OPT_VALUE, &a.note},
		{"close", CLI_OPT_FLAG, &a.close},
		{"keep-open", CLI_OPT_FLAG, &a.keep_open},
		{"next-type", CLI_OPT_VALUE, &a.next_type},
		{"next-at", CLI_OPT_VALUE, &a.next_at},
		{"next-operator", CLI_OPT_VALUE, &a.next_operator},
		{"next-desc", CLI_OPT_VALUE, &a.next_desc},
		{0},
	};
	Clubcrm__FollowUp fu = CLUBCRM__FOLLOW_UP__INIT;
	int rc = cli_args_task_id(cli, argc, argv, opts, "follow", &fu.id);
	if (rc != CLI_OK)
		return rc;
	if ((rc = check(&a)) != CLI_OK)
		return rc;
	fu.has_id = true;
	if ((rc = cli_resolve_result(cli, a.result, &fu.result_id)) != CLI_OK)
		return rc;
	fu.has_result_id = true;
	fu.has_action = true;
	fu.action = action_of(&a);
	fu.note = (char *)a.note;
	Clubcrm__CreateTask next = CLUBCRM__CREATE_TASK__INIT;
	if (has_next(&a)) {
		if ((rc = build_next(cli, &a, &next)) != CLI_OK)
			return rc;
		fu.next = &next;
	}
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_task_follow(cli->conn, &fu, &ans), &ans);
	if (rc != CLI_OK)
		return rc;
	print_reply(cli, ans.task);
	clubcrm_answer_free(&ans);
	return CLI_OK;
}
