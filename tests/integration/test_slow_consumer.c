/*
 * A terminal that stops reading is dropped once its queued output passes
 * the bound (--max-output), instead of growing the server's memory; the
 * writer and the other terminals go on as if nothing happened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "harness.h"
#include "ittools.h"
#include "live.h"
#include "rawconn.h"
#include "status.h"
#include "timeutil.h"

#define WRITES_MAX 4000
#define DESC_LEN 3000

static bool log_says(const struct harness *h, const char *needle)
{
	FILE *f = fopen(h->log, "r");
	if (!f)
		return false;
	char line[1024];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* Logs in over a raw socket, subscribes to the board, then never reads. */
static void freeze_a_terminal(struct rawconn *rc, const struct harness *h)
{
	assert_int_equal(raw_connect(rc, h->address), 0);
	assert_true(raw_login(rc, "maribel", HARNESS_PASSWORD));
	struct buf out = {0};
	raw_put_board_subscribe(&out, 50);
	assert_int_equal(raw_send(rc, out.data, out.len), 0);
	buf_free(&out);
}

/*
 * A healthy terminal: its own loop on its own thread, reading as fast as a
 * real one would while the test thread writes. The replica's size is
 * published through an atomic; an async handle asks the loop to close.
 */
struct live_terminal {
	uv_loop_t loop;
	uv_thread_t thread;
	uv_async_t stop;
	uv_timer_t tick;
	struct client_config cfg;
	struct live *live;
	struct live_sub *board;
	atomic_size_t count;
	atomic_bool ready;
};

static void on_closed(struct live *l, void *ud)
{
	(void)l;
	struct live_terminal *t = ud;
	uv_close((uv_handle_t *)&t->stop, NULL);
	uv_close((uv_handle_t *)&t->tick, NULL);
}

static void on_tick(uv_timer_t *tm)
{
	struct live_terminal *t = tm->data;
	atomic_store(&t->count, replica_count(live_sub_replica(t->board)));
	if (live_get_state(t->live) == LIVE_READY)
		atomic_store(&t->ready, true);
}

static void on_stop(uv_async_t *a)
{
	struct live_terminal *t = a->data;
	uv_timer_stop(&t->tick);
	live_close(t->live);
}

static void terminal_run(void *arg)
{
	struct live_terminal *t = arg;
	uv_run(&t->loop, UV_RUN_DEFAULT);
}

static void terminal_start(struct live_terminal *t, const char *address)
{
	assert_int_equal(uv_loop_init(&t->loop), 0);
	t->cfg = (struct client_config){.address = address, .login = "alicia",
					.password = HARNESS_PASSWORD};
	struct live_callbacks cbs = {.on_closed = on_closed};
	assert_int_equal(live_new(&t->loop, &t->cfg, &cbs, t, &t->live), 0);
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	assert_int_equal(live_subscribe(t->live, &v, NULL, NULL, &t->board), 0);
	assert_int_equal(live_start(t->live), 0);
	assert_int_equal(uv_async_init(&t->loop, &t->stop, on_stop), 0);
	t->stop.data = t;
	assert_int_equal(uv_timer_init(&t->loop, &t->tick), 0);
	t->tick.data = t;
	assert_int_equal(uv_timer_start(&t->tick, on_tick, 1, 1), 0);
	assert_int_equal(uv_thread_create(&t->thread, terminal_run, t), 0);
	uint64_t end = time_mono_ms() + 10000;
	while (!atomic_load(&t->ready) && time_mono_ms() < end)
		uv_sleep(1);
	assert_true(atomic_load(&t->ready));
}

static void terminal_stop(struct live_terminal *t)
{
	uv_async_send(&t->stop);
	uv_thread_join(&t->thread);
	assert_int_equal(uv_loop_close(&t->loop), 0);
}

static void test_frozen_terminal_is_dropped_others_go_on(void **state)
{
	(void)state;
	struct harness h = {.extra = {"--max-output", "262144"}};
	assert_int_equal(harness_start(&h), 0);

	static struct live_terminal t;
	terminal_start(&t, h.address);

	struct rawconn frozen;
	freeze_a_terminal(&frozen, &h);

	struct client_sync *w;
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &w, &st), STATUS_OK);
	char *desc = malloc(DESC_LEN + 1);
	memset(desc, 'x', DESC_LEN);
	desc[DESC_LEN] = '\0';
	struct it_new_task nt = {
		.desc = desc, .type_id = it_type_id(w, "Call"),
		.customer_id = it_customer_id(w, "Manolo"),
		.planned_at = time_now() + 86400,
	};
	size_t before = 0;
	int writes = 0;
	while (writes < WRITES_MAX && !log_says(&h, "maribel): dropped")) {
		uint64_t id;
		for (int i = 0; i < 50; i++, writes++) {
			assert_int_equal(it_create_id(w, &nt, &id, &st), STATUS_OK);
		}
		if (!before)
			before = atomic_load(&t.count);
	}
	assert_true(log_says(&h, "maribel): dropped"));
	assert_false(log_says(&h, "alicia): dropped"));
	/* The frozen terminal finds its connection closed when it reads. */
	bool closed = raw_wait_closed(&frozen, 10000, NULL);
	if (!closed)
		harness_dump_log(&h);
	assert_true(closed);
	raw_close(&frozen);

	/* The healthy terminal got every task, the writer every answer. */
	uint64_t end = time_mono_ms() + 10000;
	size_t want = before + (size_t)writes - 50;
	while (atomic_load(&t.count) < want && time_mono_ms() < end)
		uv_sleep(1);
	assert_true(atomic_load(&t.count) >= want);

	free(desc);
	client_sync_close(w);
	terminal_stop(&t);
	harness_cleanup(&h);
}

#define SNAP_TASKS 700

/* Subscribes `rc` to the board of [from, from + 1 day) as sub 4, resuming
 * after `since` unless 0. */
static void send_board_sub(struct rawconn *rc, int64_t from, uint64_t since,
			   uint64_t request_id)
{
	Clubcrm__TaskFilter tf = CLUBCRM__TASK_FILTER__INIT;
	tf.has_planned_from = tf.has_planned_to = 1;
	tf.planned_from = from;
	tf.planned_to = from + 86400;
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	v.filter = &tf;
	Clubcrm__Subscribe sub = CLUBCRM__SUBSCRIBE__INIT;
	sub.has_sub_id = 1;
	sub.sub_id = 4;
	sub.view = &v;
	if (since) {
		sub.has_since_revision = 1;
		sub.since_revision = since;
	}
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	it_frame(&f, CLUBCRM__FRAME__BODY_SUBSCRIBE, &sub);
	f.has_request_id = 1;
	f.request_id = request_id;
	struct buf out = {0};
	raw_put_frame(&out, &f);
	assert_int_equal(raw_send(rc, out.data, out.len), 0);
	buf_free(&out);
}

/*
 * A snapshot several times the output bound goes to a terminal that stops
 * reading for a while: the server builds chunks only as the connection
 * drains (no drop, bounded output), and once the terminal reads again it
 * gets every row, in the view's order, then SnapshotDone.
 */
static void snapshot_to_paused_terminal(const char *max_output,
					size_t min_chunks)
{
	struct harness h = {.extra = {"--max-output", max_output}};
	assert_int_equal(harness_start(&h), 0);
	struct client_sync *w;
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &w, &st), STATUS_OK);
	char *desc = malloc(DESC_LEN + 1);
	memset(desc, 'y', DESC_LEN);
	desc[DESC_LEN] = '\0';
	int64_t from = time_now() + 40 * 86400;
	struct it_new_task nt = {
		.desc = desc, .type_id = it_type_id(w, "Call"),
		.customer_id = it_customer_id(w, "Manolo"),
	};
	for (int i = 0; i < SNAP_TASKS; i++) {
		uint64_t id;
		nt.planned_at = from + (i * 7919) % 86000;
		assert_int_equal(it_create_id(w, &nt, &id, &st), STATUS_OK);
	}

	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	assert_true(raw_login(&rc, "maribel", HARNESS_PASSWORD));
	send_board_sub(&rc, from, 0, 60);

	/* Paused: the 2 MiB of rows wait in the server, not in its queue. */
	uv_sleep(1500);
	assert_false(log_says(&h, "dropped"));

	size_t rows = 0, chunks = 0;
	int64_t last = 0;
	bool done = false, replied = false;
	while (!done) {
		Clubcrm__Frame *in = raw_recv(&rc, 10000);
		assert_non_null(in);
		if (in->body_case == CLUBCRM__FRAME__BODY_SUBSCRIBED)
			replied = in->request_id == 60;
		if (in->body_case == CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK) {
			const Clubcrm__SnapshotChunk *c = in->snapshot_chunk;
			assert_int_equal(c->sub_id, 4);
			for (size_t i = 0; i < c->n_rows; i++) {
				const Clubcrm__Task *t = c->rows[i]->task;
				assert_true(t->planned_at >= last);
				last = t->planned_at;
				assert_int_equal(strlen(t->description), DESC_LEN);
				assert_string_equal(c->rows[i]->customer_name,
						    "Manolo García");
			}
			rows += c->n_rows;
			chunks++;
		}
		if (in->body_case == CLUBCRM__FRAME__BODY_SNAPSHOT_DONE) {
			assert_int_equal(in->snapshot_done->sub_id, 4);
			done = true;
		}
		clubcrm__frame__free_unpacked(in, NULL);
	}
	assert_true(replied);
	assert_int_equal(rows, SNAP_TASKS);
	assert_true(chunks >= min_chunks);
	assert_false(log_says(&h, "dropped"));

	raw_close(&rc);
	free(desc);
	client_sync_close(w);
	harness_cleanup(&h);
}

static void test_snapshot_waits_for_a_paused_terminal(void **state)
{
	(void)state;
	snapshot_to_paused_terminal("1048576", 6);
}

/* The smallest output bound allowed (64 KiB, a quarter of a default chunk):
 * chunks shrink to fit under it instead of dropping the terminal. */
static void test_snapshot_fits_the_smallest_output_bound(void **state)
{
	(void)state;
	snapshot_to_paused_terminal("65536", 100);
}

/* Subscribes `rc` to the board of [from, from + 1 day) and reads to the
 * end of what that brings: the rows, whether it was a replay, and the
 * revision it ends at. */
static size_t board_sync(struct rawconn *rc, int64_t from, uint64_t since,
			 bool *resumed, uint64_t *rev)
{
	send_board_sub(rc, from, since, 70);
	size_t rows = 0;
	bool done = false;
	while (!done) {
		Clubcrm__Frame *in = raw_recv(rc, 10000);
		assert_non_null(in);
		switch (in->body_case) {
		case CLUBCRM__FRAME__BODY_SUBSCRIBED:
			*resumed = in->subscribed->resumed;
			*rev = in->subscribed->revision;
			done = *resumed;  /* a replay: its deltas come next */
			break;
		case CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK:
			rows += in->snapshot_chunk->n_rows;
			break;
		case CLUBCRM__FRAME__BODY_SNAPSHOT_DONE:
			*rev = in->snapshot_done->revision;
			done = true;
			break;
		default:
			break;
		}
		clubcrm__frame__free_unpacked(in, NULL);
	}
	if (*resumed) {
		Clubcrm__Frame *in = raw_recv(rc, 10000);
		assert_non_null(in);
		assert_int_equal(in->body_case, CLUBCRM__FRAME__BODY_DELTAS);
		for (size_t i = 0; i < in->deltas->n_deltas; i++)
			rows += in->deltas->deltas[i]->n_upserts;
		clubcrm__frame__free_unpacked(in, NULL);
	}
	return rows;
}

/* maribel's terminal connects, syncs the board (see board_sync) and goes. */
static size_t terminal_sync(const struct harness *h, int64_t from,
			    uint64_t since, bool *resumed, uint64_t *rev)
{
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h->address), 0);
	assert_true(raw_login(&rc, "maribel", HARNESS_PASSWORD));
	size_t rows = board_sync(&rc, from, since, resumed, rev);
	raw_close(&rc);
	return rows;
}

/* Tasks [first, last) of `nt`, one a minute from `from`. */
static void create_at_minutes(struct client_sync *w, struct it_new_task *nt,
			      int64_t from, int first, int last)
{
	struct client_status st;
	uint64_t id;
	for (int i = first; i < last; i++) {
		nt->planned_at = from + 60 * i;
		assert_int_equal(it_create_id(w, nt, &id, &st), STATUS_OK);
	}
}

/*
 * A terminal comes back after more changes than its connection may queue:
 * it gets a snapshot, which streams, instead of a replay that would drop it
 * on every retry. A few changes still come as a replay.
 */
static void test_big_resume_becomes_a_snapshot(void **state)
{
	(void)state;
	struct harness h = {.extra = {"--max-output", "65536"}};
	assert_int_equal(harness_start(&h), 0);
	struct client_sync *w;
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &w, &st), STATUS_OK);
	char *desc = malloc(DESC_LEN + 1);
	memset(desc, 'z', DESC_LEN);
	desc[DESC_LEN] = '\0';
	int64_t from = time_now() + 50 * 86400;
	struct it_new_task nt = {
		.desc = desc, .type_id = it_type_id(w, "Call"),
		.customer_id = it_customer_id(w, "Manolo"),
	};
	bool resumed = true;
	uint64_t rev = 0;
	assert_int_equal(terminal_sync(&h, from, 0, &resumed, &rev), 0);
	assert_false(resumed);

	/* Two changes while away: a replay. */
	create_at_minutes(w, &nt, from, 0, 2);
	assert_int_equal(terminal_sync(&h, from, rev, &resumed, &rev), 2);
	assert_true(resumed);

	/* 40 more, about 120 KiB of rows: past the 64 KiB bound. */
	create_at_minutes(w, &nt, from, 2, 42);
	assert_int_equal(terminal_sync(&h, from, rev, &resumed, &rev), 42);
	assert_false(resumed);
	assert_false(log_says(&h, "dropped"));

	free(desc);
	client_sync_close(w);
	harness_cleanup(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frozen_terminal_is_dropped_others_go_on),
		cmocka_unit_test(test_snapshot_waits_for_a_paused_terminal),
		cmocka_unit_test(test_snapshot_fits_the_smallest_output_bound),
		cmocka_unit_test(test_big_resume_becomes_a_snapshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
