/* customer list, catalog. */
#include <stdio.h>
#include <stdlib.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_json.h"

/* Pages of customers followed to the end; more than this is a server bug. */
#define CUSTOMER_PAGES_MAX 1000

static int print_customers(struct cli *cli, struct clubcrm_answer *pages,
			   size_t n_pages)
{
	size_t n = 0;
	for (size_t i = 0; i < n_pages; i++)
		n += pages[i].customer_page->n_customers;
	Clubcrm__Customer **all = calloc(n ? n : 1, sizeof(*all));
	if (!all) {
		cli_error("out of memory");
		return CLI_REFUSED;
	}
	n = 0;
	for (size_t i = 0; i < n_pages; i++) {
		const Clubcrm__CustomerPage *p = pages[i].customer_page;
		for (size_t j = 0; j < p->n_customers; j++)
			all[n++] = p->customers[j];
	}
	int rc = CLI_OK;
	if (cli->json) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, cli_json_customer(all[i]));
		cli_json_print(a);
	} else {
		/* The consultant column names operators by login. */
		const Clubcrm__Catalog *cat = NULL;
		rc = cli_catalog(cli, &cat);
		if (rc == CLI_OK)
			cli_format_customers(stdout, all, n, cat);
	}
	free(all);
	return rc;
}

static int fetch_customers(struct cli *cli, const char *search,
			   struct clubcrm_answer **out, size_t *n_out)
{
	struct clubcrm_answer *pages = NULL;
	size_t n = 0;
	if (cli_connect(cli) != CLI_OK)
		return CLI_REFUSED;
	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	lc.search = (char *)search;
	struct clubcrm_pager pager;
	clubcrm_customers_pager(&pager, cli->conn, &lc);
	do {
		struct clubcrm_answer *more = realloc(pages,
						      (n + 1) * sizeof(*pages));
		if (!more) {
			cli_error("out of memory");
			goto fail;
		}
		pages = more;
		if (cli_answer(clubcrm_pager_next(&pager, &pages[n]),
			       &pages[n]) != CLI_OK)
			goto fail;
		n++;
	} while (!pager.done && n < CUSTOMER_PAGES_MAX);
	clubcrm_pager_free(&pager);
	*out = pages;
	*n_out = n;
	return CLI_OK;
fail:
	clubcrm_pager_free(&pager);
	for (size_t i = 0; i < n; i++)
		clubcrm_answer_free(&pages[i]);
	free(pages);
	return CLI_REFUSED;
}

int cli_cmd_customer_list(struct cli *cli, int argc, char **argv)
{
	const char *search = NULL;
	const struct cli_opt opts[] = {
		{"search", CLI_OPT_VALUE, &search},
		{0},
	};
	int rc = cli_args_options(cli, argc, argv, opts);
	if (rc != CLI_OK)
		return rc;
	struct clubcrm_answer *pages;
	size_t n;
	rc = fetch_customers(cli, search, &pages, &n);
	if (rc != CLI_OK)
		return rc;
	rc = print_customers(cli, pages, n);
	for (size_t i = 0; i < n; i++)
		clubcrm_answer_free(&pages[i]);
	free(pages);
	return rc;
}

int cli_cmd_catalog(struct cli *cli, int argc, char **argv)
{
	int rc = cli_args_options(cli, argc, argv, NULL);
	if (rc != CLI_OK)
		return rc;
	const Clubcrm__Catalog *cat;
	rc = cli_catalog(cli, &cat);
	if (rc != CLI_OK)
		return rc;
	if (cli->json)
		cli_json_print(cli_json_catalog(cat));
	else
		cli_format_catalog(stdout, cat);
	return CLI_OK;
}
