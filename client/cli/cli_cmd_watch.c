/*
 * clubcrm watch VIEW: a live view on the terminal. Prints the snapshot,
 * then a line per change as it happens ("+" entered, "~" changed, "-" left),
 * reminders and the connection's state; with --json one JSON object per line.
 * It keeps going across server restarts and network cuts (the live
 * connection reconnects and resumes) until Ctrl-C, or after the snapshot
 * with --once.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_format.h"
#include "cli_filter.h"
#include "cli_json.h"
#include "cli_resolve.h"
#include "live.h"
#include "status.h"
#include "timeutil.h"

#define PASSWORD_MAX 256

struct watch {
	struct cli *cli;
	uv_loop_t loop;
	uv_signal_t sigint, sigterm;
	struct live *live;
	struct live_sub *sub;
	Clubcrm__View view;
	struct cli_filter filter;  /* the view's, with its arrays */
	uint64_t me;
	bool once;
	bool printed_snapshot;
	int exit_code;
};

static void emit_json(const char *event, const Clubcrm__TaskRow *row,
		      uint64_t revision, const char *message)
{
	json_t *o = json_object();
	json_object_set_new(o, "event", json_string(event));
	if (row)
		json_object_set_new(o, "row", cli_json_task_row(row));
	if (revision)
		json_object_set_new(o, "revision", json_integer((json_int_t)revision));
	if (message)
		json_object_set_new(o, "message", json_string(message));
	char *text = json_dumps(o, JSON_COMPACT);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(o);
	fflush(stdout);
}

static void stop(struct watch *w, int code)
{
	w->exit_code = code;
	if (w->live) {
		live_close(w->live);
		w->live = NULL;
	}
	uv_close((uv_handle_t *)&w->sigint, NULL);
	uv_close((uv_handle_t *)&w->sigterm, NULL);
}

static void on_row(struct replica *r, enum replica_change what,
		   const Clubcrm__TaskRow *row, void *ud)
{
	struct watch *w = ud;
	if (!r->synced)
		return;  /* the snapshot is printed whole when it completes */
	static const char *const events[] = {"added", "changed", "removed"};
	static const char *const marks[] = {"+ ", "~ ", "- "};
	if (w->cli->json)
		emit_json(events[what], row, 0, NULL);
	else
		cli_format_task_line(stdout, marks[what], row, w->cli->colour);
	fflush(stdout);
}

static void print_snapshot(struct watch *w, struct replica *r)
{
	const Clubcrm__TaskRow **rows = replica_sorted(r, REPLICA_BY_PLANNED);
	size_t n = replica_count(r);
	if (w->cli->json) {
		for (size_t i = 0; i < n; i++)
			emit_json("row", rows[i], 0, NULL);
		emit_json("synced", NULL, replica_revision(r), NULL);
	} else {
		cli_format_task_table(stdout, (Clubcrm__TaskRow *const *)rows, n,
				      w->cli->colour);
		printf("-- %zu %s at revision %" PRIu64 "; watching "
		       "(Ctrl-C to stop)\n", n, n == 1 ? "task" : "tasks",
		       replica_revision(r));
	}
	free(rows);
	fflush(stdout);
}

static void on_synced(struct replica *r, void *ud)
{
	struct watch *w = ud;
	if (w->printed_snapshot)
		return;
	w->printed_snapshot = true;
	print_snapshot(w, r);
	if (w->once)
		stop(w, CLI_OK);
}

static const struct replica_callbacks replica_cbs = {
	.on_row = on_row, .on_synced = on_synced};

static void on_state(struct live *l, enum live_state st,
		     const struct client_status *why, void *ud)
{
	(void)l;
	struct watch *w = ud;
	const char *msg = why && why->message[0] ? why->message : NULL;
	if (st == LIVE_CONNECTING)
		return;
	if (w->cli->json)
		emit_json("state", NULL, 0, live_state_name(st));
	else if (st != LIVE_READY || w->printed_snapshot)
		fprintf(stderr, "clubcrm: %s%s%s\n", live_state_name(st),
			msg ? ": " : "", msg ? msg : "");
	if (st == LIVE_FAILED) {
		cli_error("%s: %s", status_name(why->code), why->message);
		stop(w, CLI_REFUSED);
	}
}

static void on_reminder(struct live *l, const Clubcrm__TaskRow *row, void *ud)
{
	(void)l;
	struct watch *w = ud;
	if (w->cli->json)
		emit_json("reminder", row, 0, NULL);
	else
		cli_format_task_line(stdout, "due ", row, w->cli->colour);
	fflush(stdout);
}

static void on_sub_error(struct live *l, struct live_sub *s,
			 const struct client_status *why, void *ud)
{
	(void)l;
	(void)s;
	cli_error("%s: %s", status_name(why->code), why->message);
	stop(ud, CLI_REFUSED);
}

static const struct live_callbacks live_cbs = {
	.on_state = on_state, .on_reminder = on_reminder,
	.on_sub_error = on_sub_error};

static void on_signal(uv_signal_t *h, int signum)
{
	(void)signum;
	stop(h->data, CLI_OK);
}

struct watch_args {
	struct cli_filter_args filter;  /* every filter of `task list` */
	bool all, once;
};

static const struct {
	const char *name;
	Clubcrm__ViewKind kind;
} view_names[] = {
	{"board", CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD},
	{"urgent", CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT},
	{"prep", CLUBCRM__VIEW_KIND__VIEW_KIND_IN_PREPARATION},
	{"overdue", CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE},
	{"agenda", CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA},
	{"customer", CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER},
};

static int parse_kind(const char *name, Clubcrm__ViewKind *kind)
{
	for (size_t i = 0; i < sizeof(view_names) / sizeof(view_names[0]); i++)
		if (!strcmp(view_names[i].name, name)) {
			*kind = view_names[i].kind;
			return 0;
		}
	return -1;
}

/*
 * An agenda shows a date range: --from/--to (the filter's planned range)
 * become the view's, by default the week from twelve hours ago.
 */
static void agenda_range(Clubcrm__View *v, Clubcrm__TaskFilter *f)
{
	int64_t from = f->has_planned_from ? f->planned_from : 0;
	int64_t to = f->has_planned_to ? f->planned_to : 0;
	if (!f->has_planned_from)
		from = f->has_planned_to ? to - 7 * 86400
					 : time_now() - 12 * 3600;
	if (!f->has_planned_to)
		to = from + 7 * 86400;
	f->has_planned_from = f->has_planned_to = 0;
	v->has_from = v->has_to = 1;
	v->from = from;
	v->to = to;
}

/*
 * The view and its filter (any filter of `task list`). Views of one's own
 * work (urgent, in preparation, overdue) show the operator's tasks unless
 * --all or --operator says otherwise.
 */
static int build_view(struct watch *w, Clubcrm__ViewKind kind,
		      const char *customer, const struct watch_args *a)
{
	Clubcrm__View *v = &w->view;
	int rc = cli_filter_build(w->cli, &a->filter, &w->filter);
	if (rc != CLI_OK)
		return rc;
	Clubcrm__TaskFilter *f = &w->filter.f;
	v->has_kind = 1;
	v->kind = kind;
	v->filter = f;
	if (kind == CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA)
		agenda_range(v, f);
	if (kind == CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER) {
		v->has_customer_id = 1;
		rc = cli_resolve_customer(w->cli, customer, &v->customer_id);
		if (rc != CLI_OK)
			return rc;
	}
	bool own_work = kind == CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT ||
			kind == CLUBCRM__VIEW_KIND__VIEW_KIND_IN_PREPARATION ||
			kind == CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE;
	if (own_work && !a->all && !f->n_operator_ids && !f->has_team_id) {
		const Clubcrm__Operator *me =
			client_operator(client_sync_client(w->cli->conn));
		w->me = me ? me->id : 0;
		f->operator_ids = &w->me;
		f->n_operator_ids = w->me ? 1 : 0;
	}
	return CLI_OK;
}

static int start_live(struct watch *w)
{
	char password[PASSWORD_MAX];
	int rc = cli_password(password, sizeof(password));
	if (rc != CLI_OK)
		return rc;
	struct client_config cfg = {
		.address = w->cli->server, .login = w->cli->user,
		.password = password,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_CLI,
		.ca_file = w->cli->ca_file,
	};
	unsigned code = live_new(&w->loop, &cfg, &live_cbs, w, &w->live);
	explicit_bzero(password, sizeof(password));
	if (code != STATUS_OK) {
		cli_error("cannot start: %s", status_name(code));
		return CLI_REFUSED;
	}
	if (live_subscribe(w->live, &w->view, &replica_cbs, w, &w->sub) !=
		    STATUS_OK ||
	    live_start(w->live) != STATUS_OK) {
		cli_error("out of memory");
		return CLI_REFUSED;
	}
	return CLI_OK;
}

static int run(struct watch *w)
{
	int rc = uv_loop_init(&w->loop);
	if (rc < 0) {
		cli_error("event loop: %s", uv_strerror(rc));
		return CLI_REFUSED;
	}
	if ((rc = uv_signal_init(&w->loop, &w->sigint)) < 0)
		goto fail;
	if ((rc = uv_signal_init(&w->loop, &w->sigterm)) < 0) {
		uv_close((uv_handle_t *)&w->sigint, NULL);
		goto fail;
	}
	w->sigint.data = w->sigterm.data = w;
	uv_signal_start(&w->sigint, on_signal, SIGINT);
	uv_signal_start(&w->sigterm, on_signal, SIGTERM);
	rc = start_live(w);
	if (rc != CLI_OK)
		stop(w, rc);
	uv_run(&w->loop, UV_RUN_DEFAULT);
	uv_loop_close(&w->loop);
	return w->exit_code;
fail:
	cli_error("event loop: %s", uv_strerror(rc));
	uv_run(&w->loop, UV_RUN_DEFAULT);
	uv_loop_close(&w->loop);
	return CLI_REFUSED;
}

int cli_cmd_watch(struct cli *cli, int argc, char **argv)
{
	struct watch_args a = {0};
	struct cli_opt opts[CLI_FILTER_OPTS + 4];
	size_t n = cli_filter_options(&a.filter, opts);
	opts[n++] = (struct cli_opt){"all", CLI_OPT_FLAG, &a.all};
	opts[n++] = (struct cli_opt){"once", CLI_OPT_FLAG, &a.once};
	opts[n] = (struct cli_opt){0};
	const char *pos[2];
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, pos, 2, &n_pos);
	if (rc != CLI_OK)
		return rc;
	Clubcrm__ViewKind kind;
	if (n_pos < 1 || parse_kind(pos[0], &kind) < 0)
		return cli_usage_error("watch needs a view: board, urgent, prep, "
				       "overdue, agenda or customer ID|NAME");
	bool is_customer = kind == CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER;
	if (is_customer != (n_pos == 2))
		return cli_usage_error(is_customer
			? "watch customer needs the customer's id or name"
			: "watch %s takes no other word", pos[0]);
	if ((rc = cli_filter_check(&a.filter)) != CLI_OK)
		return rc;
	/* Names and the club's time zone come over a short first connection. */
	rc = cli_connect(cli);
	struct watch w = {.cli = cli, .once = a.once};
	clubcrm__view__init(&w.view);
	if (rc == CLI_OK)
		rc = build_view(&w, kind, is_customer ? pos[1] : NULL, &a);
	cli_disconnect(cli);
	if (rc != CLI_OK)
		return rc;
	return run(&w);
}
