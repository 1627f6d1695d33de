/*
 * Operations on one task that answer with the task after the write: take,
 * release, close, cancel, tag, untag, follow. The server applies every
 * rule (who may take, which result concludes); names are resolved here.
 */
#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_resolve.h"

/* The TaskReply of a typed call made after cli_connect(), with the tasks
 * the write created. */
static int show_op(struct cli *cli, unsigned code, struct clubcrm_answer *ans,
		   const char *what)
{
	return cli_task_answer(cli, code, ans, what, true);
}

/*
 * Parses "ID [WORD]" plus `opts`: the id into *id, the word (when
 * `word` is not NULL, required) into *word. CLI_OK, CLI_USAGE or
 * CLI_HELP.
 */
static int parse_id(struct cli *cli, int argc, char **argv,
		    const struct cli_opt *opts, const char *cmd,
		    uint64_t *id, const char **word)
{
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
	const struct cli_opt opts[] = {
		{"result", CLI_OPT_VALUE, &result},
		{"note", CLI_OPT_VALUE, &note},
		{0},
	};
	uint64_t id, result_id = 0;
	int rc = parse_id(cli, argc, argv, opts, cancel ? "cancel" : "close",
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
