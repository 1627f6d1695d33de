/*
 * customer add, customer edit, customer show (the profile: the customer's
 * details, then every task and note of theirs, newest first).
 */
#include <stdio.h>
#include <string.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_json.h"
#include "cli_resolve.h"

/* Tasks and notes shown in a profile, newest first. */
#define PROFILE_ROWS 100u

struct customer_args {
	const char *name, *phone, *email, *consultant;
	const char *key;  /* add only */
	bool active, inactive;
};

/* Parses the options and, when `customer` is not NULL, the one word naming
 * the customer ("customer CMD needs a customer" without it). CLI_OK,
 * CLI_USAGE or CLI_HELP. */
static int parse(struct cli *cli, int argc, char **argv, const char *cmd,
		 struct customer_args *a, const char **customer)
{
	struct cli_opt opts[] = {
		{"name", CLI_OPT_VALUE, &a->name},
		{"phone", CLI_OPT_VALUE, &a->phone},
		{"email", CLI_OPT_VALUE, &a->email},
		{"consultant", CLI_OPT_VALUE, &a->consultant},
		{"active", CLI_OPT_FLAG, &a->active},
		{"inactive", CLI_OPT_FLAG, &a->inactive},
		{0},  /* add: --idempotency-key */
		{0},
	};
	if (!customer && !strcmp(cmd, "add"))
		opts[6] = (struct cli_opt){"idempotency-key", CLI_OPT_VALUE,
					   &a->key};
	size_t max_pos = customer ? 1 : 0, n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, customer, max_pos,
				&n_pos);
	if (rc != CLI_OK)
		return rc;
	if (a->active && a->inactive)
		return cli_usage_error("--active and --inactive exclude each "
				       "other");
	if (n_pos != max_pos)
		return cli_usage_error("customer %s needs a customer", cmd);
	return cli_check_idempotency_key(a->key);
}

static void print_customer(struct cli *cli, const Clubcrm__Customer *c)
{
	if (cli->json) {
		cli_json_print(cli_json_customer(c));
		return;
	}
	const Clubcrm__Catalog *cat = NULL;
	cli_catalog(cli, &cat);
	cli_format_customers(stdout, (Clubcrm__Customer *const *)&c, 1, cat);
}

/*
 * Sends an UpsertCustomer and prints the customer written. An add carries
 * the script's --idempotency-key, so that running it again answers with
 * the customer the first run added; without one the library draws a key
 * for this run.
 */
static int upsert(struct cli *cli, Clubcrm__Customer *c, const char *key)
{
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_customer_upsert(cli->conn, c,
						(const uint8_t *)key,
						key ? strlen(key) : 0, &ans),
			&ans);
	if (rc != CLI_OK)
		return rc;
	if (ans.customer->customer)
		print_customer(cli, ans.customer->customer);
	clubcrm_answer_free(&ans);
	return CLI_OK;
}

/* The fields given on the command line (names resolved). */
static int fill(struct cli *cli, const struct customer_args *a,
		Clubcrm__Customer *c)
{
	c->name = (char *)a->name;
	c->phone = (char *)a->phone;
	c->email = (char *)a->email;
	c->has_active = a->active || a->inactive;
	c->active = a->active;
	if (!a->consultant)
		return CLI_OK;
	c->has_consultant_id = true;
	return cli_resolve_operator(cli, a->consultant, &c->consultant_id);
}

int cli_cmd_customer_add(struct cli *cli, int argc, char **argv)
{
	struct customer_args a = {0};
	int rc = parse(cli, argc, argv, "add", &a, NULL);
	if (rc != CLI_OK)
		return rc;
	if (!a.name)
		return cli_usage_error("customer add needs --name");
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	if ((rc = fill(cli, &a, &c)) != CLI_OK)
		return rc;
	return upsert(cli, &c, a.key);
}

int cli_cmd_customer_edit(struct cli *cli, int argc, char **argv)
{
	struct customer_args a = {0};
	const char *customer;
	int rc = parse(cli, argc, argv, "edit", &a, &customer);
	if (rc != CLI_OK)
		return rc;
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	c.has_id = true;
	if ((rc = cli_resolve_customer(cli, customer, &c.id)) != CLI_OK)
		return rc;
	if ((rc = fill(cli, &a, &c)) != CLI_OK)
		return rc;
	return upsert(cli, &c, NULL);
}

/* The customer's tasks and notes, newest first (one page). */
static int print_profile_tasks(struct cli *cli, uint64_t id,
			       json_t *profile)
{
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_customer_id = true;
	f.customer_id = id;
	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	lt.filter = &f;
	lt.has_order = lt.has_descending = lt.descending = true;
	lt.order = CLUBCRM__TASK_ORDER__TASK_ORDER_CREATED;
	lt.has_page_size = true;
	lt.page_size = PROFILE_ROWS;
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	struct clubcrm_pager pager;
	struct clubcrm_answer ans;
	clubcrm_tasks_pager(&pager, cli->conn, &lt);
	rc = cli_answer(clubcrm_pager_next(&pager, &ans), &ans);
	clubcrm_pager_free(&pager);
	if (rc != CLI_OK)
		return rc;
	const Clubcrm__TaskPage *p = ans.task_page;
	if (profile) {
		json_t *rows = json_array();
		for (size_t i = 0; rows && i < p->n_rows; i++)
			json_array_append_new(rows, cli_json_task_row(p->rows[i]));
		json_object_set_new(profile, "tasks", rows);
	} else {
		printf("\nTasks and notes, newest first:\n");
		cli_format_task_table(stdout, p->rows, p->n_rows, cli->colour);
	}
	clubcrm_answer_free(&ans);
	return CLI_OK;
}

int cli_cmd_customer_show(struct cli *cli, int argc, char **argv)
{
	struct customer_args a = {0};
	const char *customer;
	int rc = parse(cli, argc, argv, "show", &a, &customer);
	if (rc != CLI_OK)
		return rc;
	uint64_t id;
	if ((rc = cli_resolve_customer(cli, customer, &id)) != CLI_OK)
		return rc;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	struct clubcrm_answer ans;
	rc = cli_answer(clubcrm_customer_get(cli->conn, id, &ans), &ans);
	if (rc != CLI_OK)
		return rc;
	const Clubcrm__Customer *c = ans.customer->customer;
	json_t *profile = NULL;
	if (c && cli->json)
		profile = cli_json_customer(c);
	else if (c)
		print_customer(cli, c);
	rc = print_profile_tasks(cli, id, profile);
	if (profile && rc == CLI_OK)
		cli_json_print(profile);
	else if (profile)
		json_decref(profile);
	clubcrm_answer_free(&ans);
	return rc;
}
