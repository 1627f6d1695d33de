/*
 * admin type|result|tag|operator|team add|edit|deactivate: the catalogue,
 * for admins (the server refuses operators with PERMISSION_DENIED; nothing
 * is checked for that here). Every write is an upsert: no id adds, an id
 * edits the fields given and keeps the others, deactivating is an edit
 * with active = false. Nothing is ever deleted, so old tasks keep naming
 * what they used. Names resolve among active entries; an inactive one is
 * named by its id (e.g. to --activate it again).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_json.h"
#include "cli_resolve.h"

#define FOLLOW_ONS_MAX 8
#define PASSWORD_MAX 256

enum verb { VERB_ADD, VERB_EDIT, VERB_DEACTIVATE };

/* Every option of every kind; each kind reads the ones it knows. */
struct admin_args {
	enum verb verb;
	uint64_t id;               /* edit, deactivate: the entry */
	const char *name, *colour, *outcome, *leads_to, *login, *role;
	struct cli_list follow_ons, teams;
	bool priority, no_priority, no_follow_ons, no_teams;
	bool activate, password_stdin;
	char password[PASSWORD_MAX];
};

/* ------------------------------------------------------------ values */

static int parse_outcome(const char *text, Clubcrm__Outcome *out)
{
	static const struct {
		const char *name;
		Clubcrm__Outcome v;
	} map[] = {
		{"positive", CLUBCRM__OUTCOME__OUTCOME_POSITIVE},
		{"negative", CLUBCRM__OUTCOME__OUTCOME_NEGATIVE},
		{"unknown", CLUBCRM__OUTCOME__OUTCOME_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(text, map[i].name) == 0) {
			*out = map[i].v;
			return 0;
		}
	return -1;
}

/* "done", "cancelled" or "none" (the task stays open). */
static int parse_leads_to(const char *text, Clubcrm__TaskStatus *out)
{
	if (strcmp(text, "none") == 0) {
		*out = CLUBCRM__TASK_STATUS__TASK_STATUS_UNSPECIFIED;
		return 0;
	}
	if (cli_parse_status(text, out) < 0 ||
	    *out == CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED)
		return -1;
	return 0;
}

/* "90", "90m", "4h", "3d": minutes, at most a year (the server's bound). */
static int parse_delay(const char *text, uint32_t *minutes)
{
	char *end;
	if (*text < '0' || *text > '9')
		return -1;
	unsigned long long v = strtoull(text, &end, 10);
	unsigned long long unit = 1;
	if (*end == 'h')
		unit = 60;
	else if (*end == 'd')
		unit = 24 * 60;
	else if (*end != 'm' && *end != '\0')
		return -1;
	if (*end && end[1])
		return -1;
	if (v > 366ull * 24 * 60 / unit)
		return -1;
	*minutes = (uint32_t)(v * unit);
	return 0;
}

/*
 * --follow-on TYPE:DELAY[:OUTCOME]: when a task of this type gets a result
 * (of that outcome, or any), a TYPE task is created DELAY later.
 */
static int parse_follow_on(struct cli *cli, const char *spec,
			   Clubcrm__FollowOn *fo)
{
	char buf[256];
	if (strlen(spec) >= sizeof(buf))
		return cli_usage_error("--follow-on '%s' is too long", spec);
	strcpy(buf, spec);
	char *delay = strchr(buf, ':');
	if (!delay)
		return cli_usage_error("--follow-on needs TYPE:DELAY[:OUTCOME] "
				       "(e.g. Call:3d:negative)");
	*delay++ = '\0';
	char *outcome = strchr(delay, ':');
	if (outcome)
		*outcome++ = '\0';
	if (parse_delay(delay, &fo->delay_minutes) < 0)
		return cli_usage_error("--follow-on delay '%s' is not N, Nm, "
				       "Nh or Nd (at most a year)", delay);
	fo->has_delay_minutes = true;
	if (outcome) {
		if (parse_outcome(outcome, &fo->on_outcome) < 0)
			return cli_usage_error("--follow-on outcome '%s' is not "
					       "positive, negative or unknown",
					       outcome);
		fo->has_on_outcome = true;
	}
	int rc = cli_resolve_type(cli, buf, &fo->type_id);
	fo->has_type_id = rc == CLI_OK;
	return rc;
}

/*
 * An operator's new password: one line on stdin with --password-stdin,
 * else CLUBCRM_NEW_PASSWORD. Never a command-line word, which every user
 * of the machine can read. CLI_OK or CLI_USAGE.
 */
static int read_new_password(struct admin_args *a)
{
	if (a->password_stdin) {
		if (!fgets(a->password, sizeof(a->password), stdin))
			return cli_usage_error("--password-stdin: nothing on "
					       "stdin");
		a->password[strcspn(a->password, "\r\n")] = '\0';
		return CLI_OK;
	}
	const char *env = getenv("CLUBCRM_NEW_PASSWORD");
	if (!env || !*env || strlen(env) >= sizeof(a->password))
		return cli_usage_error("a new operator needs a password: "
				       "--password-stdin or "
				       "CLUBCRM_NEW_PASSWORD");
	strcpy(a->password, env);
	return CLI_OK;
}

/* ------------------------------------------------------------ requests */

/* id, name and active: what every kind of entry shares. */
static void set_common(const struct admin_args *a, uint64_t *id,
		       protobuf_c_boolean *has_id, char **name,
		       protobuf_c_boolean *has_active, protobuf_c_boolean *active)
{
	*id = a->id;
	*has_id = a->id != 0;
	*name = (char *)a->name;
	if (a->verb == VERB_DEACTIVATE || a->activate) {
		*has_active = true;
		*active = a->verb != VERB_DEACTIVATE;
	}
}

static int send_type(struct cli *cli, struct admin_args *a,
		     struct clubcrm_answer *ans)
{
	Clubcrm__TaskType t = CLUBCRM__TASK_TYPE__INIT;
	Clubcrm__FollowOn fo[FOLLOW_ONS_MAX];
	Clubcrm__FollowOn *fop[FOLLOW_ONS_MAX];
	set_common(a, &t.id, &t.has_id, &t.name, &t.has_active, &t.active);
	if (a->priority || a->no_priority) {
		t.has_priority = true;
		t.priority = a->priority;
	}
	if (a->follow_ons.n > FOLLOW_ONS_MAX)
		return cli_usage_error("at most %d --follow-on", FOLLOW_ONS_MAX);
	for (size_t i = 0; i < a->follow_ons.n; i++) {
		clubcrm__follow_on__init(&fo[i]);
		fop[i] = &fo[i];
		int rc = parse_follow_on(cli, a->follow_ons.items[i], &fo[i]);
		if (rc != CLI_OK)
			return rc;
	}
	t.n_follow_ons = a->follow_ons.n;
	t.follow_ons = fop;
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	return cli_answer(clubcrm_task_type_upsert(cli->conn, &t,
						   a->no_follow_ons, ans),
			  ans);
}

static int send_result(struct cli *cli, struct admin_args *a,
		       struct clubcrm_answer *ans)
{
	Clubcrm__Result r = CLUBCRM__RESULT__INIT;
	set_common(a, &r.id, &r.has_id, &r.name, &r.has_active, &r.active);
	if (a->outcome && parse_outcome(a->outcome, &r.outcome) < 0)
		return cli_usage_error("--outcome must be positive, negative or "
				       "unknown");
	r.has_outcome = a->outcome != NULL;
	if (a->leads_to && parse_leads_to(a->leads_to, &r.leads_to) < 0)
		return cli_usage_error("--leads-to must be done, cancelled or "
				       "none");
	r.has_leads_to = a->leads_to != NULL;
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	return cli_answer(clubcrm_result_upsert(cli->conn, &r, ans), ans);
}

static int send_tag(struct cli *cli, struct admin_args *a,
		    struct clubcrm_answer *ans)
{
	Clubcrm__Tag t = CLUBCRM__TAG__INIT;
	set_common(a, &t.id, &t.has_id, &t.name, &t.has_active, &t.active);
	t.colour = (char *)a->colour;
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	return cli_answer(clubcrm_tag_upsert(cli->conn, &t, ans), ans);
}

static int send_team(struct cli *cli, struct admin_args *a,
		     struct clubcrm_answer *ans)
{
	Clubcrm__Team t = CLUBCRM__TEAM__INIT;
	set_common(a, &t.id, &t.has_id, &t.name, &t.has_active, &t.active);
	int rc = cli_connect(cli);
	if (rc != CLI_OK)
		return rc;
	return cli_answer(clubcrm_team_upsert(cli->conn, &t, ans), ans);
}

static int operator_fields(struct cli *cli, const struct admin_args *a,
			   Clubcrm__Operator *o, uint64_t *team_ids)
{
	o->login = (char *)a->login;
	if (a->role) {
		if (strcmp(a->role, "admin") == 0)
			o->role = CLUBCRM__ROLE__ROLE_ADMIN;
		else if (strcmp(a->role, "operator") == 0)
			o->role = CLUBCRM__ROLE__ROLE_OPERATOR;
		else
			return cli_usage_error("--role must be admin or "
					       "operator");
		o->has_role = true;
	}
	for (size_t i = 0; i < a->teams.n; i++) {
		int rc = cli_resolve_team(cli, a->teams.items[i], &team_ids[i]);
		if (rc != CLI_OK)
			return rc;
	}
	o->n_team_ids = a->teams.n;
	o->team_ids = team_ids;
	return CLI_OK;
}

static int send_operator(struct cli *cli, struct admin_args *a,
			 struct clubcrm_answer *ans)
{
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	uint64_t team_ids[CLI_LIST_MAX];
	set_common(a, &o.id, &o.has_id, &o.name, &o.has_active, &o.active);
	int rc = operator_fields(cli, a, &o, team_ids);
	if (rc != CLI_OK)
		return rc;
	if ((rc = cli_connect(cli)) != CLI_OK)
		return rc;
	return cli_answer(clubcrm_operator_upsert(cli->conn, &o,
						  a->password[0] ? a->password
								 : NULL,
						  a->no_teams, ans),
			  ans);
}

/* ------------------------------------------------------------ kinds */

/* The written entry in a Catalog reply: id, display name, active. */
struct entry {
	uint64_t id;
	const char *name;
	bool active;
};

static int type_entry(const Clubcrm__Catalog *c, struct entry *e)
{
	if (c->n_task_types != 1)
		return -1;
	*e = (struct entry){c->task_types[0]->id, c->task_types[0]->name,
			    c->task_types[0]->active};
	return 0;
}

static int result_entry(const Clubcrm__Catalog *c, struct entry *e)
{
	if (c->n_results != 1)
		return -1;
	*e = (struct entry){c->results[0]->id, c->results[0]->name,
			    c->results[0]->active};
	return 0;
}

static int tag_entry(const Clubcrm__Catalog *c, struct entry *e)
{
	if (c->n_tags != 1)
		return -1;
	*e = (struct entry){c->tags[0]->id, c->tags[0]->name,
			    c->tags[0]->active};
	return 0;
}

static int operator_entry(const Clubcrm__Catalog *c, struct entry *e)
{
	if (c->n_operators != 1)
		return -1;
	*e = (struct entry){c->operators[0]->id, c->operators[0]->login,
			    c->operators[0]->active};
	return 0;
}

static int team_entry(const Clubcrm__Catalog *c, struct entry *e)
{
	if (c->n_teams != 1)
		return -1;
	*e = (struct entry){c->teams[0]->id, c->teams[0]->name,
			    c->teams[0]->active};
	return 0;
}

/* One kind of catalogue entry: how to send its upsert and find it back. */
struct kind {
	const char *word;      /* "type" */
	const char *what;      /* "task type" */
	const char *json_key;  /* its array in `catalog --json` */
	int (*resolve)(struct cli *cli, const char *text, uint64_t *id);
	int (*send)(struct cli *cli, struct admin_args *a,
		    struct clubcrm_answer *ans);
	int (*entry)(const Clubcrm__Catalog *c, struct entry *e);
	const char *options;   /* its own options, beside --name, --activate */
};

static const struct kind kinds[] = {
	{"type", "task type", "task_types", cli_resolve_type, send_type,
	 type_entry, " priority no-priority follow-on no-follow-ons "},
	{"result", "result", "results", cli_resolve_result, send_result,
	 result_entry, " outcome leads-to "},
	{"tag", "tag", "tags", cli_resolve_tag, send_tag, tag_entry,
	 " colour "},
	{"operator", "operator", "operators", cli_resolve_operator,
	 send_operator, operator_entry,
	 " login role team no-teams password-stdin "},
	{"team", "team", "teams", cli_resolve_team, send_team, team_entry,
	 " "},
};

/*
 * JSON: the entry as `catalog --json` shows it, plus "active" and
 * "revision". Text: "Added task type 7 Visit".
 */
static int print_written(const struct cli *cli, const struct kind *k,
			 enum verb verb, const Clubcrm__Catalog *c)
{
	struct entry e;
	if (k->entry(c, &e) < 0) {
		cli_error("the server answered without the %s", k->what);
		return CLI_REFUSED;
	}
	if (cli->json) {
		json_t *all = cli_json_catalog(c);
		json_t *o = json_array_get(json_object_get(all, k->json_key), 0);
		json_incref(o);
		json_decref(all);
		if (o) {
			json_object_set_new(o, "active", json_boolean(e.active));
			json_object_set_new(o, "revision",
					    json_integer((json_int_t)c->revision));
		}
		cli_json_print(o);
		return CLI_OK;
	}
	static const char *const done[] = {"Added", "Edited", "Deactivated"};
	printf("%s %s %" PRIu64 " %s%s\n", done[verb], k->what, e.id,
	       e.name ? e.name : "",
	       e.active || verb == VERB_DEACTIVATE ? "" : " (inactive)");
	return CLI_OK;
}

/* ------------------------------------------------------------ commands */

/*
 * The options `verb` takes for kind `k`, and only those: another kind's
 * option (a colour on a team) is a usage error, not silently ignored.
 */
static void admin_options(const struct kind *k, struct admin_args *a,
			  struct cli_opt *o)
{
	const struct cli_opt all[] = {
		{"name", CLI_OPT_VALUE, &a->name},
		{"priority", CLI_OPT_FLAG, &a->priority},
		{"no-priority", CLI_OPT_FLAG, &a->no_priority},
		{"follow-on", CLI_OPT_LIST, &a->follow_ons},
		{"no-follow-ons", CLI_OPT_FLAG, &a->no_follow_ons},
		{"outcome", CLI_OPT_VALUE, &a->outcome},
		{"leads-to", CLI_OPT_VALUE, &a->leads_to},
		{"colour", CLI_OPT_VALUE, &a->colour},
		{"login", CLI_OPT_VALUE, &a->login},
		{"role", CLI_OPT_VALUE, &a->role},
		{"team", CLI_OPT_LIST, &a->teams},
		{"no-teams", CLI_OPT_FLAG, &a->no_teams},
		{"password-stdin", CLI_OPT_FLAG, &a->password_stdin},
		{"activate", CLI_OPT_FLAG, &a->activate},
	};
	size_t n = 0;
	for (size_t i = 0; a->verb != VERB_DEACTIVATE &&
			   i < sizeof(all) / sizeof(all[0]); i++) {
		char word[32];
		snprintf(word, sizeof(word), " %s ", all[i].name);
		bool common = strcmp(all[i].name, "name") == 0 ||
			      strcmp(all[i].name, "activate") == 0;
		if (common || strstr(k->options, word))
			o[n++] = all[i];
	}
	o[n] = (struct cli_opt){0};
}

/* What each verb needs, checked before any connection. */
static int check_verb(const struct kind *k, struct admin_args *a,
		      size_t n_pos)
{
	if (a->verb == VERB_ADD) {
		if (n_pos != 0)
			return cli_usage_error("admin %s add takes options "
					       "only", k->word);
		if (!a->name)
			return cli_usage_error("admin %s add needs --name",
					       k->word);
		if (a->activate)
			return cli_usage_error("a new %s is active", k->what);
	} else if (n_pos != 1) {
		return cli_usage_error("admin %s %s needs the %s (name or id)",
				       k->word, a->verb == VERB_EDIT
							? "edit" : "deactivate",
				       k->what);
	}
	if (a->priority && a->no_priority)
		return cli_usage_error("--priority and --no-priority exclude "
				       "each other");
	if (a->follow_ons.n && a->no_follow_ons)
		return cli_usage_error("--follow-on and --no-follow-ons exclude "
				       "each other");
	if (a->teams.n && a->no_teams)
		return cli_usage_error("--team and --no-teams exclude each "
				       "other");
	bool operator_ = strcmp(k->word, "operator") == 0;
	if (operator_ && a->verb == VERB_ADD && !a->login)
		return cli_usage_error("admin operator add needs --login");
	if (operator_ && (a->verb == VERB_ADD || a->password_stdin))
		return read_new_password(a);
	return CLI_OK;
}

static int run_kind(struct cli *cli, const struct kind *k, enum verb verb,
		    int argc, char **argv)
{
	struct admin_args a = {.verb = verb};
	struct cli_opt opts[16];
	struct clubcrm_answer reply = {0};
	admin_options(k, &a, opts);
	const char *pos[1];
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 1, &n_pos);
	if (rc != CLI_OK)
		return rc;
	if ((rc = check_verb(k, &a, n_pos)) != CLI_OK)
		goto out;
	if (verb != VERB_ADD && (rc = k->resolve(cli, pos[0], &a.id)) != CLI_OK)
		goto out;
	if ((rc = k->send(cli, &a, &reply)) != CLI_OK)
		goto out;
	rc = print_written(cli, k, verb, reply.catalog);
	clubcrm_answer_free(&reply);
out:
	/* The new password does not outlive the request. */
	memset(a.password, 0, sizeof(a.password));
	return rc;
}

int cli_cmd_admin(struct cli *cli, int argc, char **argv)
{
	if (argc < 1)
		return cli_usage_error("admin needs type|result|tag|operator|"
				       "team add|edit|deactivate, or settings");
	if (strcmp(argv[0], "settings") == 0)
		return cli_cmd_admin_settings(cli, argc - 1, argv + 1);
	if (strcmp(argv[0], "--help") == 0) {
		cli_print_usage(false);
		return CLI_OK;
	}
	const struct kind *k = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(argv[0], kinds[i].word) == 0)
			k = &kinds[i];
	if (!k)
		return cli_usage_error("admin: unknown '%s' (type, result, tag, "
				       "operator, team or settings)", argv[0]);
	if (argc < 2)
		return cli_usage_error("admin %s needs add, edit or deactivate",
				       k->word);
	static const char *const verbs[] = {"add", "edit", "deactivate"};
	for (int v = VERB_ADD; v <= VERB_DEACTIVATE; v++)
		if (strcmp(argv[1], verbs[v]) == 0)
			return run_kind(cli, k, (enum verb)v, argc - 2, argv + 2);
	return cli_usage_error("admin %s: unknown '%s' (add, edit or "
			       "deactivate)", k->word, argv[1]);
}
