/*
 * Operations on one task that answer with the task after the write: take,
 * release, close, cancel, tag, untag, follow. The server applies every
 * rule (who may take, which result concludes); names are resolved here.
 */
#include <stdio.h>
#include <string.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_json.h"
#include "cli_resolve.h"

/* Prints the TaskReply of a typed call made after cli_connect(): "<what>
 * task N" and its row. */
static int show_op(struct cli *cli, unsigned code, struct clubcrm_answer *ans,
		   const char *what)
{
	int rc = cli_answer(code, ans);
	if (rc != CLI_OK)
		return rc;
	const Clubcrm__TaskReply *r = ans->task;
	if (cli->json) {
		cli_json_print(cli_json_task_reply(r));
	} else if (r->row && r->row->task) {
		printf("%s task %llu\n", what,
		       (unsigned long long)r->row->task->id);
		Clubcrm__TaskRow *rows[1] = {r->row};
		cli_format_task_table(stdout, rows, 1, cli->colour);
		for (size_t i = 0; i < r->n_created; i++)
			printf("Created %s %llu\n",
			       r->created[i]->task ? cli_kind_name(
				       r->created[i]->task->kind) : "task",
			       r->created[i]->task
				       ? (unsigned long long)r->created[i]->task->id
				       : 0ull);
	}
	clubcrm_answer_free(ans);
	return CLI_OK;
}

/*
 * Parses "ID [WORD]" plus `opts`: the id into *id, the word (when
 * `word` is not NULL, required) into *word. CLI_OK, CLI_USAGE or
 * CLI_HELP.
 */
static int parse_id(struct cli *cli, int argc, char **argv,
		    const struct cli_opt *extra, const char *cmd,
		    uint64_t *id, const char **word)
{
	struct cli_opt opts[12];
	size_t n = 0;
	for (; extra && extra[n].name && n < 10; n++)
		opts[n] = extra[n];
	opts[n] = (struct cli_opt){0};
	const char *pos[2];
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 2, &n_pos);
	if (rc != CLI_OK)
		return rc;
	size_t want = word ? 2 : 1;
	if (n_pos != want || cli_parse_u64(pos[0], id) < 0)
		return cli_usage_error("task %s needs a task id%s", cmd,
				       word ? " and a name" : "");
	if (word)
		*word = pos[1];
	return CLI_OK;
}

int cli_cmd_task_take(struct cli *cli, int argc, char **argv)
{
	uint64_t id;
	int rc = parse_id(cli, argc, argv, NULL, "take", &id, NULL);
	if (rc != CLI_OK)
		return rc;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	return show_op(cli, clubcrm_task_take(cli->conn, id, &ans), &ans,
		       "Took");
}

int cli_cmd_task_release(struct cli *cli, int argc, char **argv)
{
	uint64_t id;
	int rc = parse_id(cli, argc, argv, NULL, "release", &id, NULL);
	if (rc != CLI_OK)
		return rc;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	return show_op(cli, clubcrm_task_release(cli->conn, id, &ans), &ans,
		       "Released");
}

/* close and cancel share their shape: ID [--result NAME] [--note TEXT]. */
static int conclude(struct cli *cli, int argc, char **argv, bool cancel)
{
	const char *result = NULL, *note = NULL;
	const struct cli_opt extra[] = {
		{"result", CLI_OPT_VALUE, &result},
		{"note", CLI_OPT_VALUE, &note},
		{0},
	};
	uint64_t id, result_id = 0;
	int rc = parse_id(cli, argc, argv, extra, cancel ? "cancel" : "close",
			  &id, NULL);
	if (rc != CLI_OK)
		return rc;
	if (result && (rc = cli_resolve_result(cli, result, &result_id)) !=
			      CLI_OK)
		return rc;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	if (cancel)
		return show_op(cli, clubcrm_task_cancel(cli->conn, id, result_id,
							note, &ans),
			       &ans, "Cancelled");
	return show_op(cli, clubcrm_task_close(cli->conn, id, result_id, note,
					       &ans),
		       &ans, "Closed");
}

int cli_cmd_task_close(struct cli *cli, int argc, char **argv)
{
	return conclude(cli, argc, argv, false);
}

int cli_cmd_task_cancel(struct cli *cli, int argc, char **argv)
{
	return conclude(cli, argc, argv, true);
}

static int tagging(struct cli *cli, int argc, char **argv, bool untag)
{
	uint64_t id, tag_id;
	const char *name = NULL;
	int rc = parse_id(cli, argc, argv, NULL, untag ? "untag" : "tag", &id,
			  &name);
	if (rc != CLI_OK)
		return rc;
	rc = cli_resolve_tag(cli, name, &tag_id);
	if (rc != CLI_OK)
		return rc;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	return show_op(cli, clubcrm_task_tag(cli->conn, id, tag_id, !untag,
					     &ans),
		       &ans, untag ? "Untagged" : "Tagged");
}

int cli_cmd_task_tag(struct cli *cli, int argc, char **argv)
{
	return tagging(cli, argc, argv, false);
}

int cli_cmd_task_untag(struct cli *cli, int argc, char **argv)
{
	return tagging(cli, argc, argv, true);
}
