/* task list, task show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_filter.h"
#include "cli_format.h"
#include "cli_json.h"

#define PAGE_SIZE_MAX 500u

struct list_args {
	struct cli_filter_args filter;
	const char *page_size, *order;
	bool all, descending, help;
};

/* The pages received, kept until printed (rows point into them). */
struct pages {
	Clubcrm__Frame **frames;
	size_t n, cap;
	size_t n_rows;
};

static int pages_add(struct pages *p, Clubcrm__Frame *f)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		Clubcrm__Frame **frames = realloc(p->frames, cap * sizeof(*frames));
		if (!frames)
			return -1;
		p->frames = frames;
		p->cap = cap;
	}
	p->frames[p->n++] = f;
	p->n_rows += f->task_page->n_rows;
	return 0;
}

static void pages_free(struct pages *p)
{
	for (size_t i = 0; i < p->n; i++)
		clubcrm__frame__free_unpacked(p->frames[i], NULL);
	free(p->frames);
}

/* Paging and order (usage errors only). */
static int check_list(const struct list_args *a, Clubcrm__ListTasks *lt)
{
	int rc = cli_filter_check(&a->filter);
	if (rc != CLI_OK)
		return rc;
	if (a->page_size) {
		uint64_t n;
		if (cli_parse_u64(a->page_size, &n) < 0 || n > PAGE_SIZE_MAX)
			return cli_usage_error("--page-size must be 1..%u",
					       PAGE_SIZE_MAX);
		lt->has_page_size = true;
		lt->page_size = (uint32_t)n;
	}
	if (a->order) {
		if (strcmp(a->order, "planned") == 0)
			lt->order = CLUBCRM__TASK_ORDER__TASK_ORDER_PLANNED;
		else if (strcmp(a->order, "created") == 0)
			lt->order = CLUBCRM__TASK_ORDER__TASK_ORDER_CREATED;
		else
			return cli_usage_error("--order must be planned or "
					       "created");
		lt->has_order = true;
	}
	lt->has_descending = lt->descending = a->descending;
	return CLI_OK;
}

/* Fetches the first page, or every page with --all. */
static int fetch(struct cli *cli, Clubcrm__ListTasks *lt, bool all,
		 struct pages *p, bool *more)
{
	*more = false;
	for (;;) {
		Clubcrm__Frame req = CLUBCRM__FRAME__INIT;
		req.body_case = CLUBCRM__FRAME__BODY_LIST_TASKS;
		req.list_tasks = lt;
		Clubcrm__Frame *reply;
		int rc = cli_call(cli, &req, CLUBCRM__FRAME__BODY_TASK_PAGE,
				  &reply);
		if (rc != CLI_OK)
			return rc;
		if (pages_add(p, reply) < 0) {
			clubcrm__frame__free_unpacked(reply, NULL);
			cli_error("out of memory");
			return CLI_REFUSED;
		}
		const Clubcrm__TaskPage *page = reply->task_page;
		if (!page->has_next_page_token || page->next_page_token.len == 0)
			return CLI_OK;
		if (!all) {
			*more = true;
			return CLI_OK;
		}
		lt->has_page_token = true;
		lt->page_token = page->next_page_token;
	}
}

static void print_pages(const struct cli *cli, const struct pages *p)
{
	Clubcrm__TaskRow **rows = calloc(p->n_rows ? p->n_rows : 1,
					 sizeof(*rows));
	if (!rows)
		return;
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const Clubcrm__TaskPage *page = p->frames[i]->task_page;
		for (size_t j = 0; j < page->n_rows; j++)
			rows[n++] = page->rows[j];
	}
	if (cli->json) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, cli_json_task_row(rows[i]));
		cli_json_print(a);
	} else {
		cli_format_task_table(stdout, rows, n, cli->colour);
	}
	free(rows);
}

int cli_cmd_task_list(struct cli *cli, int argc, char **argv)
{
	struct list_args a = {0};
	struct cli_opt opts[CLI_FILTER_OPTS + 8];
	size_t n = cli_filter_options(&a.filter, opts);
	opts[n++] = (struct cli_opt){"page-size", CLI_OPT_VALUE, &a.page_size};
	opts[n++] = (struct cli_opt){"order", CLI_OPT_VALUE, &a.order};
	opts[n++] = (struct cli_opt){"descending", CLI_OPT_FLAG, &a.descending};
	opts[n++] = (struct cli_opt){"all", CLI_OPT_FLAG, &a.all};
	opts[n++] = (struct cli_opt){"help", CLI_OPT_FLAG, &a.help};
	opts[n] = (struct cli_opt){0};
	const char *pos[1];
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 0, &n_pos);
	if (rc != CLI_OK)
		return rc;
	if (a.help) {
		cli_print_usage(false);
		return CLI_OK;
	}
	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	rc = check_list(&a, &lt);
	if (rc != CLI_OK)
		return rc;
	struct cli_filter filter;
	rc = cli_filter_build(cli, &a.filter, &filter);
	if (rc != CLI_OK)
		return rc;
	lt.filter = &filter.f;
	struct pages p = {0};
	bool more;
	rc = fetch(cli, &lt, a.all, &p, &more);
	if (rc == CLI_OK) {
		print_pages(cli, &p);
		if (more)
			fprintf(stderr, "clubcrm: more tasks follow: --all "
					"lists them all\n");
	}
	pages_free(&p);
	return rc;
}

int cli_cmd_task_show(struct cli *cli, int argc, char **argv)
{
	bool help = false, history = false;
	const struct cli_opt opts[] = {
		{"history", CLI_OPT_FLAG, &history},
		{"help", CLI_OPT_FLAG, &help},
		{0},
	};
	const char *pos[1];
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 1, &n_pos);
	if (rc != CLI_OK)
		return rc;
	if (help) {
		cli_print_usage(false);
		return CLI_OK;
	}
	Clubcrm__GetTask get = CLUBCRM__GET_TASK__INIT;
	if (n_pos != 1 || cli_parse_u64(pos[0], &get.id) < 0)
		return cli_usage_error("task show needs a task id");
	get.has_id = true;
	/* The change history (who, when, which fields) on request. */
	get.has_with_history = history;
	get.with_history = history;
	Clubcrm__Frame req = CLUBCRM__FRAME__INIT;
	req.body_case = CLUBCRM__FRAME__BODY_GET_TASK;
	req.get_task = &get;
	Clubcrm__Frame *reply;
	rc = cli_call(cli, &req, CLUBCRM__FRAME__BODY_TASK_REPLY, &reply);
	if (rc != CLI_OK)
		return rc;
	if (cli->json)
		cli_json_print(cli_json_task_reply(reply->task_reply));
	else
		cli_format_task_detail(stdout, reply->task_reply);
	clubcrm__frame__free_unpacked(reply, NULL);
	return CLI_OK;
}
