#include "cli_resolve.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "textfold.h"

/* Candidates listed in a refusal, at most. */
#define SHOW_MAX 10

struct candidate {
	uint64_t id;
	const char *name;
	const char *alt;  /* a second name (an operator's login), or NULL */
};

/* Names match as the server's searches do: "lucia" is "Lucía". */
static bool same(const char *a, const char *b)
{
	return textfold_equal(a, b);
}

static bool contains(const char *hay, const char *needle)
{
	return hay && textfold_contains(hay, needle);
}

static void list_candidates(const char *what, const char *text,
			    const struct candidate *c, size_t n,
			    const char *why)
{
	fprintf(stderr, "clubcrm: %s '%s' %s", what, text, why);
	size_t shown = 0;
	for (size_t i = 0; i < n && shown < SHOW_MAX; i++, shown++)
		fprintf(stderr, "%s%s (%llu)", shown ? ", " : ": ",
			c[i].name ? c[i].name : "?",
			(unsigned long long)c[i].id);
	if (n > shown)
		fprintf(stderr, ", ... (%zu more)", n - shown);
	fputc('\n', stderr);
}

/* Picks one of `all` for `text` (see the header). */
static int pick(const char *what, const char *text,
		const struct candidate *all, size_t n, uint64_t *id)
{
	size_t exact = 0, partial = 0;
	uint64_t exact_id = 0, partial_id = 0;
	struct candidate *hits = calloc(n ? n : 1, sizeof(*hits));
	if (!hits) {
		cli_error("out of memory");
		return CLI_REFUSED;
	}
	for (size_t i = 0; i < n; i++) {
		if (same(all[i].name, text) || same(all[i].alt, text)) {
			exact++;
			exact_id = all[i].id;
		}
		if (contains(all[i].name, text) || contains(all[i].alt, text)) {
			hits[partial++] = all[i];
			partial_id = all[i].id;
		}
	}
	int rc = CLI_OK;
	if (exact == 1)
		*id = exact_id;
	else if (exact == 0 && partial == 1)
		*id = partial_id;
	else if (partial == 0) {
		if (n > 0)
			list_candidates(what, text, all, n, "is unknown; known");
		else
			cli_error("%s '%s' is unknown", what, text);
		rc = CLI_REFUSED;
	} else {
		list_candidates(what, text, hits, partial, "is ambiguous");
		rc = CLI_REFUSED;
	}
	free(hits);
	return rc;
}

static bool take_number(const char *text, uint64_t *id)
{
	return cli_is_number(text) && cli_parse_u64(text, id) == 0;
}

/* Fills `out` (when not NULL) with one kind of catalogue entry; the count. */
typedef size_t (*fill_fn)(const Clubcrm__Catalog *cat, struct candidate *out);

static size_t fill_types(const Clubcrm__Catalog *cat, struct candidate *out)
{
	for (size_t i = 0; out && i < cat->n_task_types; i++)
		out[i] = (struct candidate){cat->task_types[i]->id,
					    cat->task_types[i]->name, NULL};
	return cat->n_task_types;
}

static size_t fill_results(const Clubcrm__Catalog *cat, struct candidate *out)
{
	for (size_t i = 0; out && i < cat->n_results; i++)
		out[i] = (struct candidate){cat->results[i]->id,
					    cat->results[i]->name, NULL};
	return cat->n_results;
}

static size_t fill_tags(const Clubcrm__Catalog *cat, struct candidate *out)
{
	for (size_t i = 0; out && i < cat->n_tags; i++)
		out[i] = (struct candidate){cat->tags[i]->id,
					    cat->tags[i]->name, NULL};
	return cat->n_tags;
}

static size_t fill_teams(const Clubcrm__Catalog *cat, struct candidate *out)
{
	for (size_t i = 0; out && i < cat->n_teams; i++)
		out[i] = (struct candidate){cat->teams[i]->id,
					    cat->teams[i]->name, NULL};
	return cat->n_teams;
}

static size_t fill_operators(const Clubcrm__Catalog *cat,
			     struct candidate *out)
{
	for (size_t i = 0; out && i < cat->n_operators; i++)
		out[i] = (struct candidate){cat->operators[i]->id,
					    cat->operators[i]->name,
					    cat->operators[i]->login};
	return cat->n_operators;
}

/* Whether `text` names any of the n candidates, whole or in part. */
static bool names_any(const char *text, const struct candidate *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (same(c[i].name, text) || same(c[i].alt, text) ||
		    contains(c[i].name, text) || contains(c[i].alt, text))
			return true;
	return false;
}

/*
 * A name no active entry has may be an inactive one: say so ("task type
 * 'Old' is inactive") rather than "unknown". CLI_OK when it is not one.
 */
static int refuse_inactive(struct cli *cli, const char *what,
			   const char *text, fill_fn fill)
{
	struct clubcrm_answer all;
	if (cli_connect(cli) != CLI_OK ||
	    cli_answer(clubcrm_catalog_get(cli->conn, true, &all), &all) !=
		    CLI_OK)
		return CLI_OK;  /* the plain "unknown" then */
	size_t n = fill(all.catalog, NULL);
	struct candidate *c = calloc(n ? n : 1, sizeof(*c));
	int rc = CLI_OK;
	if (c) {
		fill(all.catalog, c);
		for (size_t i = 0; i < n && rc == CLI_OK; i++) {
			if (!same(c[i].name, text) && !same(c[i].alt, text))
				continue;
			cli_error("%s '%s' is inactive (id %llu)", what,
				  c[i].name ? c[i].name : text,
				  (unsigned long long)c[i].id);
			rc = CLI_REFUSED;
		}
	}
	free(c);
	clubcrm_answer_free(&all);
	return rc;
}

static int resolve_in_catalog(struct cli *cli, const char *what,
			      const char *text, fill_fn fill, uint64_t *id)
{
	if (take_number(text, id))
		return CLI_OK;
	const Clubcrm__Catalog *cat;
	int rc = cli_catalog(cli, &cat);
	if (rc != CLI_OK)
		return rc;
	size_t n = fill(cat, NULL);
	struct candidate *c = calloc(n ? n : 1, sizeof(*c));
	if (!c) {
		cli_error("out of memory");
		return CLI_REFUSED;
	}
	fill(cat, c);
	bool known = names_any(text, c, n);
	rc = known ? CLI_OK : refuse_inactive(cli, what, text, fill);
	if (rc == CLI_OK)
		rc = pick(what, text, c, n, id);
	free(c);
	return rc;
}

int cli_resolve_type(struct cli *cli, const char *text, uint64_t *id)
{
	return resolve_in_catalog(cli, "task type", text, fill_types, id);
}

int cli_resolve_result(struct cli *cli, const char *text, uint64_t *id)
{
	return resolve_in_catalog(cli, "result", text, fill_results, id);
}

int cli_resolve_tag(struct cli *cli, const char *text, uint64_t *id)
{
	return resolve_in_catalog(cli, "tag", text, fill_tags, id);
}

int cli_resolve_team(struct cli *cli, const char *text, uint64_t *id)
{
	return resolve_in_catalog(cli, "team", text, fill_teams, id);
}

int cli_resolve_operator(struct cli *cli, const char *text, uint64_t *id)
{
	return resolve_in_catalog(cli, "operator", text, fill_operators, id);
}

/*
 * Customers are many: the server narrows them by name first
 * (ListCustomers.search), all pages of it.
 */
int cli_resolve_customer(struct cli *cli, const char *text, uint64_t *id)
{
	if (take_number(text, id))
		return CLI_OK;
	struct clubcrm_answer pages[64];
	size_t n_pages = 0, n = 0;
	struct candidate *c = NULL;
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	lc.search = (char *)text;
	struct clubcrm_pager pager;
	clubcrm_customers_pager(&pager, cli->conn, &lc);
	do {
		rc = cli_answer(clubcrm_pager_next(&pager, &pages[n_pages]),
				&pages[n_pages]);
		if (rc != CLI_OK)
			goto out;
		const Clubcrm__CustomerPage *p = pages[n_pages++].customer_page;
		struct candidate *more = realloc(c, (n + p->n_customers + 1) *
							    sizeof(*c));
		if (!more) {
			cli_error("out of memory");
			rc = CLI_REFUSED;
			goto out;
		}
		c = more;
		for (size_t i = 0; i < p->n_customers; i++)
			c[n++] = (struct candidate){p->customers[i]->id,
						    p->customers[i]->name, NULL};
	} while (!pager.done && n_pages < sizeof(pages) / sizeof(pages[0]));
	rc = pick("customer", text, c, n, id);
out:
	clubcrm_pager_free(&pager);
	free(c);
	for (size_t i = 0; i < n_pages; i++)
		clubcrm_answer_free(&pages[i]);
	return rc;
}
