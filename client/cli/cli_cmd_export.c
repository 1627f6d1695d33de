/*
 * task export, customer export: CSV (csv_writer.h; a task's columns are
 * task_csv.h's, a customer's customer_csv.h's: the desk's exports write
 * the same) on stdout, written page by
 * page as the pages arrive (each page freed before the next is asked), so
 * an export of any size starts at once and holds one page in memory.
 * A task export reads one snapshot: its pages are pinned to one revision
 * (ListTasks.as_of_revision: the current one, or the --as-of moment's).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_asof.h"
#include "cli_cmd.h"
#include "cli_filter.h"
#include "cli_format.h"
#include "cli_resolve.h"
#include "customer_csv.h"
#include "idset.h"
#include "task_csv.h"

#define EXPORT_PAGE_MAX 500u

struct export_opts {
	const char *format, *page_size;
	bool bom;
	uint32_t page;  /* rows per page asked */
};

/* --format (csv, the default), --page-size, --bom: usage errors only. */
static int check_export(struct export_opts *o)
{
	if (o->format && strcmp(o->format, "csv") != 0)
		return cli_usage_error("--format '%s' is not one this version "
				       "writes: csv", o->format);
	o->page = EXPORT_PAGE_MAX;
	if (o->page_size) {
		uint64_t n;
		if (cli_parse_u64(o->page_size, &n) < 0 ||
		    n > EXPORT_PAGE_MAX)
			return cli_usage_error("--page-size must be 1..%u",
					       EXPORT_PAGE_MAX);
		o->page = (uint32_t)n;
	}
	return CLI_OK;
}

static size_t export_options(struct export_opts *o, struct cli_opt *out)
{
	out[0] = (struct cli_opt){"format", CLI_OPT_VALUE, &o->format};
	out[1] = (struct cli_opt){"page-size", CLI_OPT_VALUE, &o->page_size};
	out[2] = (struct cli_opt){"bom", CLI_OPT_FLAG, &o->bom};
	return 3;
}

/* Exit status after the last record: a write error (a full disk, a closed
 * pipe) is a failure, said once. */
static int finish_output(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("writing the export failed");
		return CLI_REFUSED;
	}
	return rc;
}

/* ------------------------------------------------------------ tasks */

/* The current revision, which the export pins its pages to. */
static int current_revision(struct cli *cli, uint64_t *rev)
{
	Clubcrm__ListTasks probe = CLUBCRM__LIST_TASKS__INIT;
	probe.has_page_size = true;
	probe.page_size = 1;
	struct clubcrm_pager pager;
	struct clubcrm_answer ans;
	clubcrm_tasks_pager(&pager, cli->conn, &probe);
	int rc = cli_answer(clubcrm_pager_next(&pager, &ans), &ans);
	clubcrm_pager_free(&pager);
	if (rc != CLI_OK)
		return rc;
	*rev = ans.task_page->revision;
	clubcrm_answer_free(&ans);
	return CLI_OK;
}

/* Hands every page of `pager` to `page` (its answer freed after), until the
 * last or the first error; frees the pager. CLI_OK or the error. */
static int each_page(struct clubcrm_pager *pager,
		     int (*page)(const struct clubcrm_answer *ans,
				 unsigned number, void *arg),
		     void *arg)
{
	int rc = CLI_OK;
	while (rc == CLI_OK && !pager->done) {
		struct clubcrm_answer ans;
		rc = cli_answer(clubcrm_pager_next(pager, &ans), &ans);
		if (rc != CLI_OK)
			break;
		rc = page(&ans, pager->pages, arg);
		clubcrm_answer_free(&ans);
	}
	clubcrm_pager_free(pager);
	return rc;
}

/* After a page written: CLI_OK, or CLI_REFUSED when stdout failed (said
 * by finish_output()). */
static int flushed(void)
{
	return fflush(stdout) != 0 ? CLI_REFUSED : CLI_OK;
}

struct task_stream {
	bool bom;
	uint64_t n_rows, rev;
};

static int task_page(const struct clubcrm_answer *ans, unsigned number,
		     void *arg)
{
	struct task_stream *ts = arg;
	const Clubcrm__TaskPage *p = ans->task_page;
	if (number == 1)
		task_csv_head(stdout, ts->bom);
	/* --as-of TIME resolves per page: a commit within that very second
	 * would move later pages to another snapshot. */
	if (number > 1 && p->as_of_revision != ts->rev) {
		cli_error("the snapshot moved from revision %" PRIu64 " to %"
			  PRIu64 " during the export (a commit at the --as-of "
			  "moment): run it again", ts->rev, p->as_of_revision);
		return CLI_REFUSED;
	}
	ts->rev = p->as_of_revision;
	for (size_t i = 0; i < p->n_rows; i++)
		if (task_csv_row(stdout, p->rows[i]) < 0) {
			cli_error("out of memory");
			return CLI_REFUSED;
		}
	ts->n_rows += p->n_rows;
	return flushed();
}

/* Every page, each written and freed before the next; the row count. The
 * header comes with the first page, so that a refused query writes
 * nothing. */
static int stream_tasks(struct cli *cli, const Clubcrm__ListTasks *lt,
			struct task_stream *ts)
{
	struct clubcrm_pager pager;
	clubcrm_tasks_pager(&pager, cli->conn, lt);
	return each_page(&pager, task_page, ts);
}

int cli_cmd_task_export(struct cli *cli, int argc, char **argv)
{
	struct cli_filter_args fa = {0};
	struct cli_asof_args asof = {0};
	struct export_opts eo = {0};
	struct cli_opt opts[CLI_FILTER_OPTS + CLI_ASOF_OPTS + 4];
	size_t n = cli_filter_options(&fa, opts);
	n += cli_asof_options(&asof, opts + n);
	n += export_options(&eo, opts + n);
	opts[n] = (struct cli_opt){0};
	int rc = cli_args_options(cli, argc, argv, opts);
	if (rc == CLI_OK)
		rc = check_export(&eo);
	if (rc == CLI_OK)
		rc = cli_filter_check(&fa);
	if (rc == CLI_OK)
		rc = cli_asof_check(&asof);
	if (rc != CLI_OK)
		return rc;
	struct cli_filter filter;
	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	rc = cli_connect(cli);
	if (rc == CLI_OK)
		rc = cli_filter_build(cli, &fa, &filter);
	if (rc == CLI_OK)
		rc = cli_asof_build(cli, &asof, &lt);
	if (rc == CLI_OK && !cli_asof_on(&asof)) {
		lt.has_as_of_revision = true;
		rc = current_revision(cli, &lt.as_of_revision);
	}
	if (rc != CLI_OK)
		return rc;
	lt.filter = &filter.f;
	lt.has_page_size = true;
	lt.page_size = eo.page;
	struct task_stream ts = {.bom = eo.bom};
	rc = finish_output(stream_tasks(cli, &lt, &ts));
	if (rc == CLI_OK)
		fprintf(stderr, "clubcrm: exported %" PRIu64 " %s as of "
				"revision %" PRIu64 "\n", ts.n_rows,
			ts.n_rows == 1 ? "row" : "rows", ts.rev);
	return rc;
}

/* ------------------------------------------------------------ customers */

static int tagged_page(const struct clubcrm_answer *ans, unsigned number,
		       void *arg)
{
	(void)number;
	const Clubcrm__TaskPage *p = ans->task_page;
	for (size_t i = 0; i < p->n_rows; i++)
		if (p->rows[i]->task &&
		    idset_add(arg, p->rows[i]->task->customer_id) < 0) {
			cli_error("out of memory");
			return CLI_REFUSED;
		}
	return CLI_OK;
}

/* Ids of the customers having a task (or note) with one of the tags. */
static int tagged_customers(struct cli *cli, const struct cli_list *tags,
			    struct idset *out)
{
	uint64_t tag_ids[CLI_LIST_MAX];
	for (size_t i = 0; i < tags->n; i++) {
		int rc = cli_resolve_tag(cli, tags->items[i], &tag_ids[i]);
		if (rc != CLI_OK)
			return rc;
	}
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.tag_ids = tag_ids;
	f.n_tag_ids = tags->n;
	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	lt.filter = &f;
	lt.has_page_size = true;
	lt.page_size = EXPORT_PAGE_MAX;
	struct clubcrm_pager pager;
	clubcrm_tasks_pager(&pager, cli->conn, &lt);
	int rc = each_page(&pager, tagged_page, out);
	idset_sort(out);
	return rc;
}

struct customer_stream {
	const Clubcrm__Catalog *cat;
	const struct idset *only;  /* NULL: every customer */
	uint64_t n_rows;
};

static int customer_page(const struct clubcrm_answer *ans, unsigned number,
			 void *arg)
{
	(void)number;
	struct customer_stream *cs = arg;
	const Clubcrm__CustomerPage *p = ans->customer_page;
	for (size_t i = 0; i < p->n_customers; i++) {
		if (cs->only && !idset_has(cs->only, p->customers[i]->id))
			continue;
		customer_csv_row(stdout, p->customers[i],
				 cs->cat->operators, cs->cat->n_operators);
		cs->n_rows++;
	}
	return flushed();
}

static int stream_customers(struct cli *cli, const struct idset *only,
			    uint32_t page, uint64_t *n_rows)
{
	const Clubcrm__Catalog *cat;
	int rc = cli_catalog(cli, &cat);
	if (rc != CLI_OK)
		return rc;
	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	lc.has_page_size = true;
	lc.page_size = page;
	struct clubcrm_pager pager;
	clubcrm_customers_pager(&pager, cli->conn, &lc);
	struct customer_stream cs = {.cat = cat, .only = only};
	rc = each_page(&pager, customer_page, &cs);
	*n_rows += cs.n_rows;
	return rc;
}

int cli_cmd_customer_export(struct cli *cli, int argc, char **argv)
{
	struct export_opts eo = {0};
	struct cli_list tags = {0};
	struct cli_opt opts[8];
	size_t n = export_options(&eo, opts);
	opts[n++] = (struct cli_opt){"tag", CLI_OPT_LIST, &tags};
	opts[n] = (struct cli_opt){0};
	int rc = cli_args_options(cli, argc, argv, opts);
	if (rc == CLI_OK)
		rc = check_export(&eo);
	if (rc == CLI_OK)
		rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	struct idset only = {0};
	if (tags.n)
		rc = tagged_customers(cli, &tags, &only);
	uint64_t rows = 0;
	if (rc == CLI_OK) {
		customer_csv_head(stdout, eo.bom);
		rc = finish_output(stream_customers(cli, tags.n ? &only : NULL,
						    eo.page, &rows));
	}
	idset_free(&only);
	if (rc == CLI_OK)
		fprintf(stderr, "clubcrm: exported %" PRIu64 " %s\n", rows,
			rows == 1 ? "customer" : "customers");
	return rc;
}
