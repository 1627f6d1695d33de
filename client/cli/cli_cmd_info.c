/* customer list, catalog. */
#include <stdio.h>
#include <stdlib.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_json.h"

/* Pages of customers followed to the end; more than this is a server bug. */
#define CUSTOMER_PAGES_MAX 1000

static int print_customers(struct cli *cli, Clubcrm__Frame **pages,
			   size_t n_pages)
{
	size_t n = 0;
	for (size_t i = 0; i < n_pages; i++)
		n += pages[i]->customer_page->n_customers;
	Clubcrm__Customer **all = calloc(n ? n : 1, sizeof(*all));
	if (!all) {
		cli_error("out of memory");
		return CLI_REFUSED;
	}
	n = 0;
	for (size_t i = 0; i < n_pages; i++) {
		const Clubcrm__CustomerPage *p = pages[i]->customer_page;
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
			   Clubcrm__Frame ***out, size_t *n_out)
{
	Clubcrm__Frame **pages = NULL;
	size_t n = 0;
	ProtobufCBinaryData token = {0, NULL};
	do {
		Clubcrm__Frame **more = realloc(pages, (n + 1) * sizeof(*pages));
		if (!more) {
			cli_error("out of memory");
			goto fail;
		}
		pages = more;
		Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
		lc.search = (char *)search;
		lc.has_page_token = token.len > 0;
		lc.page_token = token;
		Clubcrm__Frame req = CLUBCRM__FRAME__INIT;
		req.body_case = CLUBCRM__FRAME__BODY_LIST_CUSTOMERS;
		req.list_customers = &lc;
		if (cli_call(cli, &req, CLUBCRM__FRAME__BODY_CUSTOMER_PAGE,
			     &pages[n]) != CLI_OK)
			goto fail;
		const Clubcrm__CustomerPage *p = pages[n++]->customer_page;
		token = p->has_next_page_token ? p->next_page_token
					       : (ProtobufCBinaryData){0, NULL};
	} while (token.len > 0 && n < CUSTOMER_PAGES_MAX);
	*out = pages;
	*n_out = n;
	return CLI_OK;
fail:
	for (size_t i = 0; i < n; i++)
		clubcrm__frame__free_unpacked(pages[i], NULL);
	free(pages);
	return CLI_REFUSED;
}

int cli_cmd_customer_list(struct cli *cli, int argc, char **argv)
{
	const char *search = NULL;
	bool help = false;
	const struct cli_opt opts[] = {
		{"search", CLI_OPT_VALUE, &search},
		{"help", CLI_OPT_FLAG, &help},
		{0},
	};
	const char *pos[1];
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 0, &n_pos);
	if (rc != CLI_OK)
		return rc;
	if (help) {
		cli_print_usage(false);
		return CLI_OK;
	}
	Clubcrm__Frame **pages;
	size_t n;
	rc = fetch_customers(cli, search, &pages, &n);
	if (rc != CLI_OK)
		return rc;
	rc = print_customers(cli, pages, n);
	for (size_t i = 0; i < n; i++)
		clubcrm__frame__free_unpacked(pages[i], NULL);
	free(pages);
	return rc;
}

int cli_cmd_catalog(struct cli *cli, int argc, char **argv)
{
	bool help = false;
	const struct cli_opt opts[] = {
		{"help", CLI_OPT_FLAG, &help},
		{0},
	};
	const char *pos[1];
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 0, &n_pos);
	if (rc != CLI_OK)
		return rc;
	if (help) {
		cli_print_usage(false);
		return CLI_OK;
	}
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
