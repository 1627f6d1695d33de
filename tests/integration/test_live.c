/*
 * Live views end to end: several terminals (the client library's live
 * connections with their replicas) on one real clubcrmd, while another
 * operator writes through the synchronous client.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "harness.h"
#include "itlive.h"
#include "ittools.h"
#include "live.h"
#include "status.h"
#include "timeutil.h"

#define WAIT_MS 10000u
#define N_TERMINALS 3

struct terminal {
	struct it_live_status ls;   /* first: the live's ud */
	struct live *live;
	struct live_sub *urgent, *board;
};

struct world {
	struct harness h;
	uv_loop_t loop;
	struct terminal t[N_TERMINALS];
	struct client_sync *writer;   /* fermin, admin */
};

#define pump_until(w, done, arg) \
	it_pump_until(&(w)->loop, WAIT_MS, done, w, arg)

static Clubcrm__View view_of(Clubcrm__ViewKind kind)
{
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = kind;
	return v;
}

static void open_terminal(struct world *w, struct terminal *t,
			  const char *login, const char *address)
{
	struct client_config cfg = {
		.address = address, .login = login,
		.password = HARNESS_PASSWORD,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	assert_int_equal(live_new(&w->loop, &cfg, &it_live_cbs, &t->ls,
				  &t->live), 0);
	Clubcrm__View urgent = view_of(CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT);
	Clubcrm__View board = view_of(CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD);
	assert_int_equal(live_subscribe(t->live, &urgent, NULL, NULL,
					&t->urgent), 0);
	assert_int_equal(live_subscribe(t->live, &board, NULL, NULL,
					&t->board), 0);
	assert_int_equal(live_start(t->live), 0);
}

static bool all_synced(void *wp, void *arg)
{
	struct world *w = wp;
	(void)arg;
	for (int i = 0; i < N_TERMINALS; i++) {
		struct terminal *t = &w->t[i];
		if (!t->live || !live_sub_replica(t->urgent)->synced ||
		    !live_sub_replica(t->board)->synced)
			return false;
	}
	return true;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	assert_int_equal(uv_loop_init(&w->loop), 0);
	if (harness_start(&w->h) < 0)
		return -1;
	struct client_status st;
	assert_int_equal(harness_login(&w->h, "fermin", &w->writer, &st),
			 STATUS_OK);
	const char *who[N_TERMINALS] = {"alicia", "valentina", "maribel"};
	for (int i = 0; i < N_TERMINALS; i++)
		open_terminal(w, &w->t[i], who[i], w->h.unix_address);
	assert_true(pump_until(w, all_synced, NULL));
	*state = w;
	return 0;
}

static bool all_closed(void *wp, void *arg)
{
	struct world *w = wp;
	(void)arg;
	for (int i = 0; i < N_TERMINALS; i++)
		if (w->t[i].live && !w->t[i].ls.closed)
			return false;
	return true;
}

static int teardown(void **state)
{
	struct world *w = *state;
	for (int i = 0; i < N_TERMINALS; i++)
		if (w->t[i].live)
			live_close(w->t[i].live);
	pump_until(w, all_closed, NULL);
	client_sync_close(w->writer);
	harness_cleanup(&w->h);
	uv_run(&w->loop, UV_RUN_NOWAIT);
	assert_int_equal(uv_loop_close(&w->loop), 0);
	free(w);
	return 0;
}

static uint64_t create_task(struct world *w, const char *type, int64_t at)
{
	struct it_new_task t = {
		.desc = "Complaint about the showers",
		.type_id = it_type_id(w->writer, type),
		.customer_id = it_customer_id(w->writer, "Arantxa"),
		.planned_at = at,
	};
	uint64_t id = 0;
	struct client_status st;
	assert_int_equal(it_create_id(w->writer, &t, &id, &st), STATUS_OK);
	return id;
}

struct expect {
	uint64_t id;
	Clubcrm__Colour colour;
	const char *taker;
	bool gone;
};

static bool row_is(const struct replica *r, const struct expect *e)
{
	const Clubcrm__TaskRow *row = replica_get(r, e->id);
	if (e->gone)
		return row == NULL;
	if (!row || row->colour != e->colour)
		return false;
	return !e->taker ||
	       (row->taken_by_login && !strcmp(row->taken_by_login, e->taker));
}

static bool everyone_sees(void *wp, void *arg)
{
	struct world *w = wp;
	const struct expect *e = arg;
	for (int i = 0; i < N_TERMINALS; i++)
		if (!row_is(live_sub_replica(w->t[i].urgent), e))
			return false;
	return true;
}

static unsigned take(struct client_sync *s, uint64_t id,
		     struct client_status *st)
{
	Clubcrm__TakeTask t = CLUBCRM__TAKE_TASK__INIT;
	t.has_id = 1;
	t.id = id;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT, *reply = NULL;
	it_frame(&f, CLUBCRM__FRAME__BODY_TAKE_TASK, &t);
	unsigned code = client_sync_call(s, &f, &reply, st);
	if (reply)
		clubcrm__frame__free_unpacked(reply, NULL);
	return code;
}

/* The product's defining moment, on every screen. */
static void test_take_turns_yellow_everywhere(void **state)
{
	struct world *w = *state;
	uint64_t id = create_task(w, "Objection", time_now() + 3600);
	struct expect red = {.id = id, .colour = CLUBCRM__COLOUR__COLOUR_RED};
	assert_true(pump_until(w, everyone_sees, &red));

	struct client_sync *valentina;
	struct client_status st;
	assert_int_equal(harness_login(&w->h, "valentina", &valentina, &st),
			 STATUS_OK);
	assert_int_equal(take(valentina, id, &st), STATUS_OK);
	struct expect yellow = {.id = id,
				.colour = CLUBCRM__COLOUR__COLOUR_YELLOW,
				.taker = "valentina"};
	assert_true(pump_until(w, everyone_sees, &yellow));
	/* The board shows the same row, yellow too. */
	for (int i = 0; i < N_TERMINALS; i++)
		assert_true(row_is(live_sub_replica(w->t[i].board), &yellow));

	/* A second taker is refused, naming who has it. */
	assert_int_equal(take(w->writer, id, &st), STATUS_FAILED_PRECONDITION);
	assert_non_null(strstr(st.message, "alentina"));
	client_sync_close(valentina);
}

/* Ids of a replica, sorted, for comparing two replicas. */
static size_t ids_of(const struct replica *r, uint64_t *ids, size_t max)
{
	const Clubcrm__TaskRow **rows = replica_sorted(r, REPLICA_BY_PLANNED);
	size_t n = replica_count(r) < max ? replica_count(r) : max;
	for (size_t i = 0; i < n; i++)
		ids[i] = rows[i]->task->id;
	free(rows);
	return n;
}

static bool terminal_synced(void *wp, void *arg)
{
	struct world *w = wp;
	(void)w;
	struct terminal *t = arg;
	return t->ls.state == LIVE_READY &&
	       live_sub_replica(t->urgent)->synced &&
	       live_sub_replica(t->board)->synced &&
	       live_sub_replica(t->board)->revision >= 1;
}

static bool caught_up(void *wp, void *arg)
{
	struct world *w = wp;
	struct terminal *t = arg;
	struct terminal *fresh = &w->t[N_TERMINALS - 1];
	return terminal_synced(w, t) && terminal_synced(w, fresh) &&
	       replica_revision(live_sub_replica(t->board)) ==
		       replica_revision(live_sub_replica(fresh->board));
}

/*
 * A terminal away while the server restarts and others write comes back
 * with exactly the rows a fresh terminal gets.
 */
static void test_resume_after_restart_equals_fresh_snapshot(void **state)
{
	struct world *w = *state;
	uint64_t a = create_task(w, "Objection", time_now() + 600);
	uint64_t b = create_task(w, "Call", time_now() + 900);
	struct expect red = {.id = a, .colour = CLUBCRM__COLOUR__COLOUR_RED};
	assert_true(pump_until(w, everyone_sees, &red));

	assert_int_equal(harness_restart(&w->h), 0);
	/* The terminals' loop does not run: they cannot catch up yet. */
	client_sync_close(w->writer);
	struct client_status st;
	assert_int_equal(harness_login(&w->h, "fermin", &w->writer, &st),
			 STATUS_OK);
	assert_int_equal(take(w->writer, a, &st), STATUS_OK);
	uint64_t c = create_task(w, "Objection", time_now() + 1200);
	(void)b;

	/* Replace the last terminal with a fresh one for comparison. */
	struct terminal *fresh = &w->t[N_TERMINALS - 1];
	live_close(fresh->live);
	fresh->ls.closed = false;
	pump_until(w, all_closed, NULL);
	memset(fresh, 0, sizeof(*fresh));
	open_terminal(w, fresh, "maribel", w->h.unix_address);

	for (int i = 0; i < N_TERMINALS - 1; i++) {
		struct terminal *t = &w->t[i];
		assert_true(pump_until(w, caught_up, t));
		uint64_t got[256], want[256];
		size_t n = ids_of(live_sub_replica(t->board), got, 256);
		size_t m = ids_of(live_sub_replica(fresh->board), want, 256);
		assert_int_equal(n, m);
		assert_memory_equal(got, want, n * sizeof(got[0]));
		n = ids_of(live_sub_replica(t->urgent), got, 256);
		m = ids_of(live_sub_replica(fresh->urgent), want, 256);
		assert_int_equal(n, m);
		assert_memory_equal(got, want, n * sizeof(got[0]));
		const Clubcrm__TaskRow *row =
			replica_get(live_sub_replica(t->urgent), a);
		assert_non_null(row);
		assert_int_equal(row->colour, CLUBCRM__COLOUR__COLOUR_YELLOW);
		assert_non_null(replica_get(live_sub_replica(t->urgent), c));
	}
}

/* An admin makes Call a priority type: Call tasks turn red on urgent views. */
static void test_type_made_priority_recolours(void **state)
{
	struct world *w = *state;
	uint64_t id = create_task(w, "Call", time_now() + 600);
	Clubcrm__TaskType ty = CLUBCRM__TASK_TYPE__INIT;
	ty.has_id = ty.has_priority = 1;
	ty.id = it_type_id(w->writer, "Call");
	ty.priority = 1;
	Clubcrm__UpsertTaskType u = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	u.task_type = &ty;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT, *reply = NULL;
	it_frame(&f, CLUBCRM__FRAME__BODY_UPSERT_TASK_TYPE, &u);
	struct client_status st;
	assert_int_equal(client_sync_call(w->writer, &f, &reply, &st), STATUS_OK);
	clubcrm__frame__free_unpacked(reply, NULL);
	struct expect red = {.id = id, .colour = CLUBCRM__COLOUR__COLOUR_RED};
	assert_true(pump_until(w, everyone_sees, &red));

	ty.priority = 0;
	reply = NULL;
	assert_int_equal(client_sync_call(w->writer, &f, &reply, &st), STATUS_OK);
	clubcrm__frame__free_unpacked(reply, NULL);
	struct expect gone = {.id = id, .gone = true};
	assert_true(pump_until(w, everyone_sees, &gone));
}

struct counted {
	unsigned rows;      /* rows entered, changed or left */
	uint64_t marker;    /* a task whose row ends the wait */
	bool marker_seen;
};

static void count_row(struct replica *r, enum replica_change what,
		      const Clubcrm__TaskRow *row, void *ud)
{
	(void)r;
	(void)what;
	struct counted *c = ud;
	c->rows++;
	if (row->task->id == c->marker)
		c->marker_seen = true;
}

static bool sub_synced(void *wp, void *arg)
{
	struct world *w = wp;
	(void)w;
	return live_sub_replica(arg)->synced;
}

static bool marker_seen(void *wp, void *arg)
{
	struct world *w = wp;
	(void)w;
	return ((struct counted *)arg)->marker_seen;
}

static void upsert_deborah(struct world *w, const char *name,
			   const char *password)
{
	Clubcrm__Operator op = CLUBCRM__OPERATOR__INIT;
	op.has_id = 1;
	op.id = it_operator_id(w->writer, "deborah");
	op.name = (char *)name;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &op;
	u.password = (char *)password;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT, *reply = NULL;
	it_frame(&f, CLUBCRM__FRAME__BODY_UPSERT_OPERATOR, &u);
	struct client_status st;
	assert_int_equal(client_sync_call(w->writer, &f, &reply, &st), STATUS_OK);
	clubcrm__frame__free_unpacked(reply, NULL);
}

/* Rows a board gets from `edit`, then a new task (the marker: deltas come
 * in commit order, so the edit's rows, if any, came before it). */
static unsigned rows_from(struct world *w, struct counted *c,
			  void (*edit)(struct world *, const char *,
				       const char *),
			  const char *name, const char *password)
{
	edit(w, name, password);
	c->rows = 0;
	c->marker_seen = false;
	c->marker = create_task(w, "Call", time_now() + 7200);
	assert_true(pump_until(w, marker_seen, c));
	return c->rows - 1;
}

/*
 * An operator's password reset changes nothing a row shows: a watcher gets
 * no row for it (the protocol promises each change once). Renaming her
 * still reaches her rows.
 */
static void test_password_reset_resends_no_row(void **state)
{
	struct world *w = *state;
	struct counted c = {0};
	const struct replica_callbacks cbs = {.on_row = count_row};
	Clubcrm__View board = view_of(CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD);
	struct live_sub *sub;
	assert_int_equal(live_subscribe(w->t[0].live, &board, &cbs, &c, &sub),
			 0);
	assert_true(pump_until(w, sub_synced, sub));

	assert_int_equal(rows_from(w, &c, upsert_deborah, NULL,
				   "a brand new password 1"), 0);
	assert_true(rows_from(w, &c, upsert_deborah, "Débora", NULL) >= 2);
	assert_int_equal(rows_from(w, &c, upsert_deborah, "Débora",
				   "another new password 2"), 0);
	live_unsubscribe(w->t[0].live, sub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_take_turns_yellow_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_resume_after_restart_equals_fresh_snapshot, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_type_made_priority_recolours, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_password_reset_resends_no_row, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
