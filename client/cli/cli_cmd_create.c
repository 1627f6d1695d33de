/* task add, note add: one CreateTask each. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_json.h"
#include "cli_repeat.h"
#include "cli_resolve.h"
#include "task_words.h"

struct create_args {
	const char *customer, *type, *at, *operator_, *desc, *status, *result;
	const char *key;
	struct cli_list tags;
	struct cli_repeat_args repeat;  /* tasks only */
};

/* What the command line gives, checked before anything is asked of the
 * server: usage errors never cost a connection. */
struct create_plan {
	Clubcrm__TaskKind kind;
	bool has_at;
	Clubcrm__TaskStatus status;
};

static int parse_status(const char *text, Clubcrm__TaskStatus *out)
{
	if (cli_parse_status(text, out) == 0)
		return CLI_OK;
	return cli_usage_error("--status must be planned, done or cancelled, "
			       "not '%s'", text);
}

static int check_args(const struct create_args *a, struct create_plan *p)
{
	bool task = p->kind == CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	if (!a->customer)
		return cli_usage_error("--customer is required");
	if (!a->type)
		return cli_usage_error("--type is required");
	if (!a->desc)
		return cli_usage_error("--desc is required");
	if (task && !a->at)
		return cli_usage_error("--at is required for a task");
	if (a->at) {
		int rc = task ? cli_check_planned("at", a->at) : CLI_OK;
		int64_t syntax_only;
		if (rc != CLI_OK)
			return rc;
		if (cli_parse_time(a->at, false, &syntax_only) == -EINVAL)
			return cli_usage_error("--at '%s' is not a time "
					       "(YYYY-MM-DD HH:MM)", a->at);
		p->has_at = true;
	}
	int rc = cli_check_idempotency_key(a->key);
	if (rc != CLI_OK)
		return rc;
	rc = task ? cli_repeat_check(&a->repeat, false) : CLI_OK;
	if (rc == CLI_OK && a->status)
		rc = parse_status(a->status, &p->status);
	return rc;
}

/* Names to ids; fills `ct` (tag ids go into `tag_ids`). */
static int resolve_all(struct cli *cli, const struct create_args *a,
		       Clubcrm__CreateTask *ct, uint64_t *tag_ids)
{
	int rc = cli_resolve_customer(cli, a->customer, &ct->customer_id);
	if (rc == CLI_OK)
		rc = cli_resolve_type(cli, a->type, &ct->type_id);
	if (rc == CLI_OK && a->operator_) {
		rc = cli_resolve_operator(cli, a->operator_, &ct->operator_id);
		ct->has_operator_id = true;
	}
	if (rc == CLI_OK && a->result) {
		rc = cli_resolve_result(cli, a->result, &ct->result_id);
		ct->has_result_id = true;
	}
	for (size_t i = 0; rc == CLI_OK && i < a->tags.n; i++)
		rc = cli_resolve_tag(cli, a->tags.items[i], &tag_ids[i]);
	ct->has_customer_id = ct->has_type_id = true;
	ct->tag_ids = tag_ids;
	ct->n_tag_ids = a->tags.n;
	return rc;
}

static void print_created(const struct cli *cli, const Clubcrm__TaskReply *r)
{
	if (cli->json) {
		cli_json_print(cli_json_task_reply(r));
		return;
	}
	if (!r->row || !r->row->task)
		return;
	printf("Created %s %llu\n", task_words_kind(r->row->task->kind),
	       (unsigned long long)r->row->task->id);
	Clubcrm__TaskRow *rows[1] = {r->row};
	cli_format_task_table(stdout, rows, 1, cli->colour);
}

static int create(struct cli *cli, const struct create_args *a,
		  const struct create_plan *p)
{
	Clubcrm__CreateTask ct = CLUBCRM__CREATE_TASK__INIT;
	uint64_t tag_ids[CLI_LIST_MAX];
	int rc = resolve_all(cli, a, &ct, tag_ids);
	if (rc != CLI_OK)
		return rc;
	int64_t at = 0;
	if (p->has_at &&
	    (rc = p->kind == CLUBCRM__TASK_KIND__TASK_KIND_TASK
			  ? cli_club_planned(cli, a->at, &at)
			  : cli_club_time(cli, a->at, false, &at)) != CLI_OK)
		return rc;
	ct.has_kind = true;
	ct.kind = p->kind;
	ct.description = (char *)a->desc;
	ct.has_planned_at = p->has_at;
	ct.planned_at = at;
	ct.has_status = p->status != 0;
	ct.status = p->status;
	struct cli_repeat rp;
	if ((rc = cli_repeat_build(cli, &a->repeat, false, &rp)) != CLI_OK)
		return rc;
	ct.has_recurrence = rp.has_rec;
	ct.recurrence = rp.rec;
	ct.has_repeat_until = rp.has_until;
	ct.repeat_until = rp.until;
	ct.has_repeat_count = rp.has_count;
	ct.repeat_count = rp.count;
	/* A retry of this very request must not create a second task: the
	 * library draws a key. The script's own key makes its retries of the
	 * command safe too: the server answers them with the first result. */
	if (a->key) {
		ct.has_idempotency_key = true;
		ct.idempotency_key = (ProtobufCBinaryData){
			strlen(a->key), (uint8_t *)a->key};
	}
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_task_create(cli->conn, &ct, &ans), &ans);
	if (rc != CLI_OK)
		return rc;
	print_created(cli, ans.task);
	clubcrm_answer_free(&ans);
	return CLI_OK;
}

static int run(struct cli *cli, int argc, char **argv, Clubcrm__TaskKind kind)
{
	struct create_args a = {0};
	bool task = kind == CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	struct cli_opt opts[] = {
		{"customer", CLI_OPT_VALUE, &a.customer},
		{"type", CLI_OPT_VALUE, &a.type},
		{"at", CLI_OPT_VALUE, &a.at},
		{"operator", CLI_OPT_VALUE, &a.operator_},
		{"tag", CLI_OPT_LIST, &a.tags},
		{"desc", CLI_OPT_VALUE, &a.desc},
		{task ? "status" : "result", CLI_OPT_VALUE,
		 task ? &a.status : &a.result},
		{"idempotency-key", CLI_OPT_VALUE, &a.key},
		{0}, {0}, {0}, {0},
	};
	if (task)  /* notes do not repeat: no such options */
		cli_repeat_options(&a.repeat, &opts[sizeof(opts) /
							 sizeof(opts[0]) - 4]);
	int rc = cli_args_options(cli, argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	struct create_plan p = {.kind = kind};
	rc = check_args(&a, &p);
	if (rc != CLI_OK)
		return rc;
	return create(cli, &a, &p);
}

int cli_cmd_task_add(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, CLUBCRM__TASK_KIND__TASK_KIND_TASK);
}

int cli_cmd_note_add(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, CLUBCRM__TASK_KIND__TASK_KIND_NOTE);
}
