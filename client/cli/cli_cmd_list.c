/* task list, task show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_asof.h"
#include "cli_cmd.h"
#include "cli_filter.h"
#include "cli_format.h"
#include "cli_json.h"
#include "clubzone.h"

#define PAGE_SIZE_MAX 500u

struct list_args {
	struct cli_filter_args filter;
	struct cli_asof_args asof;
	const char *page_size, *order;
	bool all, descending;
};

/* The pages received, kept until printed (rows point into them). */
struct pages {
	struct clubcrm_answer *pages;
	size_t n, cap;
	size_t n_rows;
};

/* Room for one more page: its answer, or NULL. */
static struct clubcrm_answer *pages_room(struct pages *p)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct clubcrm_answer *pages = realloc(p->pages,
						       cap * sizeof(*pages));
		if (!pages)
			return NULL;
		p->pages = pages;
		p->cap = cap;
	}
	return &p->pages[p->n];
}

static void pages_free(struct pages *p)
{
	for (size_t i = 0; i < p->n; i++)
		clubcrm_answer_free(&p->pages[i]);
	free(p->pages);
}

/* Paging and order (usage errors only). */
static int check_list(const struct list_args *a, Clubcrm__ListTasks *lt)
{
	int rc = cli_filter_check(&a->filter);
	if (rc == CLI_OK)
		rc = cli_asof_check(&a->asof);
	if (rc != CLI_OK)
		return rc;
	if (cli_asof_on(&a->asof) && a->order &&
	    strcmp(a->order, "created") != 0)
		return cli_usage_error("the past is listed in creation order: "
				       "--as-of takes no --order %s",
				       a->order);
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
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	struct clubcrm_pager pager;
	clubcrm_tasks_pager(&pager, cli->conn, lt);
	for (;;) {
		struct clubcrm_answer *ans = pages_room(p);
		if (!ans) {
			cli_error("out of memory");
			rc = CLI_REFUSED;
			break;
		}
		rc = cli_answer(clubcrm_pager_next(&pager, ans), ans);
		if (rc != CLI_OK)
			break;
		p->n++;
		p->n_rows += ans->task_page->n_rows;
		if (pager.done)
			break;
		if (!all) {
			*more = true;
			break;
		}
	}
	clubcrm_pager_free(&pager);
	return rc;
}

/* The marked output of the past: the label first (an object around the
 * rows with --json). */
static void print_past(const struct cli *cli, const Clubcrm__ListTasks *lt,
		       Clubcrm__TaskRow **rows, size_t n,
		       const Clubcrm__TaskPage *first)
{
	char label[128];
	cli_asof_label(lt, first, label, sizeof(label));
	if (!cli->json) {
		printf("%s\n", label);
		cli_format_task_table(stdout, rows, n, cli->colour);
		return;
	}
	json_t *o = json_object();
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, cli_json_task_row(rows[i]));
	if (o) {
		char iso[40];
		int64_t t = lt->has_as_of ? lt->as_of
					  : first->as_of_revision_at;
		json_object_set_new(o, "as_of",
				    clubzone_format_rfc3339(clubzone_current(),
							    t, iso, sizeof(iso))
					    ? json_string(iso) : json_null());
		json_object_set_new(o, "label", json_string(label));
		json_object_set_new(o, "as_of_revision",
				    json_integer((json_int_t)
						 first->as_of_revision));
		json_object_set_new(o, "read_only", json_true());
		json_object_set_new(o, "tasks", a ? a : json_array());
		a = NULL;
	}
	json_decref(a);
	cli_json_print(o);
}

static void print_pages(const struct cli *cli, const Clubcrm__ListTasks *lt,
			const struct pages *p)
{
	Clubcrm__TaskRow **rows = calloc(p->n_rows ? p->n_rows : 1,
					 sizeof(*rows));
	if (!rows)
		return;
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const Clubcrm__TaskPage *page = p->pages[i].task_page;
		for (size_t j = 0; j < page->n_rows; j++)
			rows[n++] = page->rows[j];
	}
	if (p->n && (lt->has_as_of || lt->has_as_of_revision)) {
		print_past(cli, lt, rows, n, p->pages[0].task_page);
	} else if (cli->json) {
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
	struct cli_opt opts[CLI_FILTER_OPTS + CLI_ASOF_OPTS + 8];
	size_t n = cli_filter_options(&a.filter, opts);
	n += cli_asof_options(&a.asof, opts + n);
	opts[n++] = (struct cli_opt){"page-size", CLI_OPT_VALUE, &a.page_size};
	opts[n++] = (struct cli_opt){"order", CLI_OPT_VALUE, &a.order};
	opts[n++] = (struct cli_opt){"descending", CLI_OPT_FLAG, &a.descending};
	opts[n++] = (struct cli_opt){"all", CLI_OPT_FLAG, &a.all};
	opts[n] = (struct cli_opt){0};
	int rc = cli_args_options(cli, argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	rc = check_list(&a, &lt);
	if (rc != CLI_OK)
		return rc;
	struct cli_filter filter;
	rc = cli_filter_build(cli, &a.filter, &filter);
	if (rc != CLI_OK)
		return rc;
	lt.filter = &filter.f;
	rc = cli_asof_build(cli, &a.asof, &lt);
	if (rc != CLI_OK)
		return rc;
	struct pages p = {0};
	bool more;
	rc = fetch(cli, &lt, a.all, &p, &more);
	if (rc == CLI_OK) {
		print_pages(cli, &lt, &p);
		if (more)
			fprintf(stderr, "clubcrm: more tasks follow: --all "
					"lists them all\n");
	}
	pages_free(&p);
	return rc;
}

int cli_cmd_task_show(struct cli *cli, int argc, char **argv)
{
	bool history = false;
	const struct cli_opt opts[] = {
		{"history", CLI_OPT_FLAG, &history},
		{0},
	};
	uint64_t id;
	int rc = cli_args_task_id(cli, argc, argv, opts, "show", &id);
	if (rc != CLI_OK)
		return rc;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	/* The change history (who, when, which fields) on request. */
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_task_get(cli->conn, id, history, &ans), &ans);
	if (rc != CLI_OK)
		return rc;
	if (cli->json)
		cli_json_print(cli_json_task_reply(ans.task));
	else
		cli_format_task_detail(stdout, ans.task);
	clubcrm_answer_free(&ans);
	return CLI_OK;
}
