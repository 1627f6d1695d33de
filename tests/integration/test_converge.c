/*
 * Live replicas converge: terminals (the client library's live connections)
 * reach the real clubcrmd through a proxy in this process that can cut
 * their links, keep them down, and cut right after a resumed answer. After
 * each fault every replica must equal what a fresh terminal's snapshot
 * shows, row for row, byte for byte, including what the clock changes
 * without a revision (a task falling due while a terminal was away).
 *
 * There is no clock override in clubcrmd: tasks are planned three seconds
 * ahead (time for the terminals to get them first) and the test waits for
 * them to fall due. On a machine so loaded that the terminals take longer,
 * the task falls due while they are connected: the test still passes, it
 * just proves less.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
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
#include "itproxy.h"
#include "ittools.h"
#include "live.h"
#include "status.h"
#include "timeutil.h"

#define WAIT_MS 15000u
#define N_TERMINALS 3
#define N_VIEWS 4

static const Clubcrm__ViewKind view_kinds[N_VIEWS] = {
	CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD,
	CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE,
	CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT,
	CLUBCRM__VIEW_KIND__VIEW_KIND_IN_PREPARATION,
};

/* ------------------------------------------------------------ terminals */

struct terminal {
	struct it_live_status ls;   /* first: the live's ud */
	struct live *live;
	struct live_sub *subs[N_VIEWS];
};

struct world {
	struct harness h;
	uv_loop_t loop;
	struct itproxy px;
	struct terminal t[N_TERMINALS];
	struct terminal fresh;
	struct client_sync *writer;   /* fermin, admin */
};

#define pump_until(w, done, arg) \
	it_pump_until(&(w)->loop, WAIT_MS, done, w, arg)

static bool time_reached(void *wp, void *arg)
{
	struct world *w = wp;
	(void)w;
	return time_now() >= *(const int64_t *)arg;
}

/* Runs the loop (terminals and proxy) until the wall clock reaches `t`. */
static void pump_to_time(struct world *w, int64_t t)
{
	assert_true(pump_until(w, time_reached, &t));
}

static void open_terminal(struct world *w, struct terminal *t,
			  const char *login, const char *address)
{
	memset(t, 0, sizeof(*t));
	struct client_config cfg = {
		.address = address, .login = login,
		.password = HARNESS_PASSWORD,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	assert_int_equal(live_new(&w->loop, &cfg, &it_live_cbs, &t->ls,
				  &t->live), 0);
	for (int i = 0; i < N_VIEWS; i++) {
		Clubcrm__View v = CLUBCRM__VIEW__INIT;
		v.has_kind = 1;
		v.kind = view_kinds[i];
		assert_int_equal(live_subscribe(t->live, &v, NULL, NULL,
						&t->subs[i]), 0);
	}
	assert_int_equal(live_start(t->live), 0);
}

static bool terminal_closed(void *wp, void *arg)
{
	struct world *w = wp;
	(void)w;
	return ((struct terminal *)arg)->ls.closed;
}

static void close_terminal(struct world *w, struct terminal *t)
{
	if (!t->live)
		return;
	live_close(t->live);
	pump_until(w, terminal_closed, t);
	t->live = NULL;
}

static bool terminal_synced(struct terminal *t)
{
	if (!t->live || t->ls.state != LIVE_READY)
		return false;
	for (int i = 0; i < N_VIEWS; i++)
		if (!live_sub_replica(t->subs[i])->synced)
			return false;
	return true;
}

static bool fresh_synced(void *wp, void *arg)
{
	struct world *w = wp;
	(void)arg;
	return terminal_synced(&w->fresh);
}

/* Whether two replicas hold the same rows, byte for byte. */
static bool same_rows(const struct replica *a, const struct replica *b,
		      bool verbose)
{
	if (replica_count(a) != replica_count(b)) {
		if (verbose)
			fprintf(stderr, "  %zu rows, a fresh snapshot %zu\n",
				replica_count(a), replica_count(b));
		return false;
	}
	const Clubcrm__TaskRow **rows = replica_sorted(b, REPLICA_BY_PLANNED);
	bool same = true;
	for (size_t i = 0; i < replica_count(b) && same; i++) {
		const Clubcrm__TaskRow *want = rows[i];
		const Clubcrm__TaskRow *got = replica_get(a, want->task->id);
		size_t n = clubcrm__task_row__get_packed_size(want);
		same = got && clubcrm__task_row__get_packed_size(got) == n;
		if (same) {
			uint8_t *x = malloc(n + 1), *y = malloc(n + 1);
			assert_true(x && y);
			clubcrm__task_row__pack(want, x);
			clubcrm__task_row__pack(got, y);
			same = !memcmp(x, y, n);
			free(x);
			free(y);
		}
		if (!same && verbose)
			fprintf(stderr, "  task %llu: %s (fresh: overdue %d "
				"escalated %d rev %llu; held: overdue %d "
				"escalated %d rev %llu)\n",
				(unsigned long long)want->task->id,
				got ? "differs" : "missing", want->overdue,
				want->escalated,
				(unsigned long long)want->task->mod_rev,
				got ? got->overdue : -1,
				got ? got->escalated : -1,
				(unsigned long long)(got ? got->task->mod_rev
							 : 0));
	}
	free(rows);
	return same;
}

static bool all_converged(void *wp, void *arg)
{
	struct world *w = wp;
	bool verbose = arg != NULL;
	if (!terminal_synced(&w->fresh))
		return false;
	for (int i = 0; i < N_TERMINALS; i++) {
		if (!terminal_synced(&w->t[i]))
			return false;
		for (int v = 0; v < N_VIEWS; v++) {
			if (same_rows(live_sub_replica(w->t[i].subs[v]),
				      live_sub_replica(w->fresh.subs[v]),
				      verbose))
				continue;
			if (verbose)
				fprintf(stderr, "terminal %d, view kind %d\n",
					i, (int)view_kinds[v]);
			return false;
		}
	}
	return true;
}

/*
 * Every terminal equals a fresh terminal (connected straight to the
 * server, after the fault) on every view.
 */
static void assert_converged(struct world *w)
{
	open_terminal(w, &w->fresh, "maribel", w->h.unix_address);
	assert_true(pump_until(w, fresh_synced, NULL));
	if (!pump_until(w, all_converged, NULL)) {
		all_converged(w, w);
		harness_dump_log(&w->h);
		fail_msg("a replica differs from a fresh snapshot");
	}
	close_terminal(w, &w->fresh);
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
	assert_int_equal(itproxy_start(&w->px, &w->loop, w->h.address), 0);
	const char *who[N_TERMINALS] = {"alicia", "valentina", "maribel"};
	for (int i = 0; i < N_TERMINALS; i++)
		open_terminal(w, &w->t[i], who[i], w->px.address);
	assert_converged(w);
	*state = w;
	return 0;
}

static bool links_gone(void *wp, void *arg)
{
	struct world *w = wp;
	(void)arg;
	return w->px.links == NULL;
}

static int teardown(void **state)
{
	struct world *w = *state;
	for (int i = 0; i < N_TERMINALS; i++)
		close_terminal(w, &w->t[i]);
	close_terminal(w, &w->fresh);
	itproxy_close(&w->px);
	pump_until(w, links_gone, NULL);
	client_sync_close(w->writer);
	harness_cleanup(&w->h);
	uv_run(&w->loop, UV_RUN_NOWAIT);
	assert_int_equal(uv_loop_close(&w->loop), 0);
	free(w);
	return 0;
}

/* A task of `type` planned `in` seconds from now; its planned time. */
static int64_t create_task_id(struct world *w, const char *type, int64_t in,
			      uint64_t *out)
{
	int64_t at = time_now() + in;
	struct it_new_task t = {
		.desc = "Check the boiler",
		.type_id = it_type_id(w->writer, type),
		.customer_id = it_customer_id(w->writer, "Arantxa"),
		.planned_at = at,
	};
	uint64_t id = 0;
	struct client_status st;
	assert_int_equal(it_create_id(w->writer, &t, &id, &st), STATUS_OK);
	if (out)
		*out = id;
	return at;
}

static int64_t create_task(struct world *w, const char *type, int64_t in)
{
	return create_task_id(w, type, in, NULL);
}

static bool all_synced(void *wp, void *arg)
{
	struct world *w = wp;
	(void)arg;
	for (int i = 0; i < N_TERMINALS; i++)
		if (!terminal_synced(&w->t[i]))
			return false;
	return true;
}

/* The terminals have every row the writer made (not yet due). */
static void settle(struct world *w)
{
	assert_converged(w);
}

/* Links cut and kept down while a task falls due; then back. */
static void test_overdue_while_link_down(void **state)
{
	struct world *w = *state;
	int64_t due = create_task(w, "Call", 3);
	create_task(w, "Objection", 3600);
	settle(w);

	w->px.mode = ITPROXY_DOWN;
	itproxy_cut(&w->px);
	pump_to_time(w, due + 2);  /* overdue from due + 1 on */
	w->px.mode = ITPROXY_UP;
	assert_converged(w);
}

/*
 * The server is killed (SIGKILL: no GoAway, nothing flushed) and stays down
 * while a task falls due; it comes back on another port.
 */
static void test_overdue_across_restart(void **state)
{
	struct world *w = *state;
	int64_t due = create_task(w, "Objection", 3);
	settle(w);

	client_sync_close(w->writer);
	w->writer = NULL;
	assert_int_equal(kill(w->h.pid, SIGKILL), 0);
	harness_wait(&w->h, WAIT_MS);
	pump_to_time(w, due + 2);
	assert_int_equal(harness_start(&w->h), 0);
	assert_int_equal(itproxy_target(&w->px, w->h.address), 0);
	struct client_status st;
	assert_int_equal(harness_login(&w->h, "fermin", &w->writer, &st),
			 STATUS_OK);
	assert_converged(w);
}

/*
 * Each link is cut right after its first resumed answer: the replay that
 * follows it never arrives, and the next resume must bring it again.
 */
static void test_cut_after_resumed_answer(void **state)
{
	struct world *w = *state;
	int64_t due = create_task(w, "Call", 3);
	settle(w);

	w->px.mode = ITPROXY_DOWN;
	itproxy_cut(&w->px);
	pump_to_time(w, due + 2);
	w->px.mode = ITPROXY_CUT_RESUMED;
	unsigned cuts = w->px.cuts_after_resumed;
	uint64_t end = time_mono_ms() + WAIT_MS;
	while (w->px.cuts_after_resumed < cuts + N_TERMINALS &&
	       time_mono_ms() < end) {
		uv_run(&w->loop, UV_RUN_NOWAIT);
		uv_sleep(1);
	}
	assert_true(w->px.cuts_after_resumed >= cuts + N_TERMINALS);
	w->px.mode = ITPROXY_UP;
	assert_true(pump_until(w, all_synced, NULL));
	assert_converged(w);
}

struct row_count {
	uint64_t id;
	unsigned rows;       /* times the row arrived (added or changed) */
	bool synced;
};

static void count_row(struct replica *r, enum replica_change what,
		      const Clubcrm__TaskRow *row, void *ud)
{
	(void)r;
	struct row_count *rc = ud;
	if (what != REPLICA_REMOVED && row->task && row->task->id == rc->id)
		rc->rows++;
}

static void count_synced(struct replica *r, void *ud)
{
	(void)r;
	((struct row_count *)ud)->synced = true;
}

static bool count_synced_done(void *wp, void *arg)
{
	struct world *w = wp;
	(void)w;
	return ((struct row_count *)arg)->synced;
}

static bool fresh_ready(void *wp, void *arg)
{
	struct world *w = wp;
	(void)arg;
	return w->fresh.ls.state == LIVE_READY;
}

/*
 * A view subscribed right after a task fell due has it overdue in its
 * snapshot; the clock's tick for that second must not send it again (the
 * protocol promises each change once).
 */
static void test_clock_sends_each_change_once(void **state)
{
	struct world *w = *state;
	uint64_t id;
	int64_t due = create_task_id(w, "Call", 2, &id);
	/* A connection ready beforehand, so that the subscription goes out
	 * within milliseconds of the second the task falls due. */
	struct terminal *t = &w->fresh;
	memset(t, 0, sizeof(*t));
	struct client_config cfg = {
		.address = w->h.unix_address, .login = "maribel",
		.password = HARNESS_PASSWORD,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	assert_int_equal(live_new(&w->loop, &cfg, &it_live_cbs, &t->ls,
				  &t->live), 0);
	assert_int_equal(live_start(t->live), 0);
	assert_true(pump_until(w, fresh_ready, NULL));
	pump_to_time(w, due + 1);

	struct row_count rc = {.id = id};
	static const struct replica_callbacks cbs = {
		.on_row = count_row, .on_synced = count_synced};
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE;
	struct live_sub *sub;
	assert_int_equal(live_subscribe(t->live, &v, &cbs, &rc, &sub), 0);
	assert_true(pump_until(w, count_synced_done, &rc));
	assert_int_equal(rc.rows, 1);
	assert_true(replica_get(live_sub_replica(sub), id)->overdue);
	pump_to_time(w, time_now() + 3);  /* two ticks at least */
	assert_int_equal(rc.rows, 1);
	close_terminal(w, t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_overdue_while_link_down,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_overdue_across_restart,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_after_resumed_answer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_clock_sends_each_change_once, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
