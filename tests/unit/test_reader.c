/*
 * The long-read runner (server/reader.c) on a real club in a temporary
 * LMDB, driven by a libuv loop without sockets: every read answered once,
 * in order, one at a time on a worker thread, with the reply the service
 * gives; held while the writer waits to grow the map; a read refused by
 * the service answered with its Error; what is queued freed at the end;
 * calendar feeds built in the same queue, cancelled when never started.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "club_env.h"
#include "frame.h"
#include "owned_frame.h"
#include "reader.h"
#include "status.h"
#include "store.h"
#include "txn.h"

#define MAX_READS 64

/* The club is created now: a report covers today (UTC) to tomorrow. */
static char today[16], tomorrow[16];

struct fixture {
	struct club_env club;
	uv_loop_t loop;
	struct reader r;
	bool hold;
	unsigned idle_calls;
	size_t n_done;
	uint64_t done_ids[MAX_READS];
	Clubcrm__Frame__BodyCase done_body[MAX_READS];
	unsigned done_code[MAX_READS];
	bool busy_at_done[MAX_READS];   /* another read was running */
	unsigned answered;              /* reads and feeds answered */
	unsigned done_seq[MAX_READS];   /* the how-manieth answer */
	unsigned feed_seq[MAX_READS];
	size_t n_feeds;                 /* feeds answered */
	int feed_rc[MAX_READS];
	bool feed_ok[MAX_READS];        /* a whole iCalendar text */
	bool feed_busy[MAX_READS];
};

static void on_done(void *ctx, void *owner, const Clubcrm__Frame *req,
		    struct buf *wire)
{
	struct fixture *fx = ctx;
	assert_ptr_equal(owner, fx);
	assert_true(fx->n_done < MAX_READS);
	assert_true(wire->len > FRAME_HEADER_LEN);
	Clubcrm__Frame *f = frame_decode(wire->data + FRAME_HEADER_LEN,
					 wire->len - FRAME_HEADER_LEN, NULL);
	assert_non_null(f);
	assert_int_equal(f->request_id, req->request_id);
	fx->done_ids[fx->n_done] = f->request_id;
	fx->done_body[fx->n_done] = f->body_case;
	fx->done_code[fx->n_done] =
		f->body_case == CLUBCRM__FRAME__BODY_ERROR ? f->error->code : 0;
	fx->busy_at_done[fx->n_done] = fx->r.busy;
	fx->done_seq[fx->n_done] = fx->answered++;
	fx->n_done++;
	clubcrm__frame__free_unpacked(f, NULL);
}

static void on_feed_done(void *ctx, void *owner, int rc, char *body,
			 size_t len)
{
	struct fixture *fx = ctx;
	assert_ptr_equal(owner, fx);
	assert_true(fx->n_feeds < MAX_READS);
	fx->feed_rc[fx->n_feeds] = rc;
	fx->feed_ok[fx->n_feeds] =
		rc == 0 && body && len > 15 &&
		memcmp(body, "BEGIN:VCALENDAR", 15) == 0 &&
		memcmp(body + len - 15, "END:VCALENDAR\r\n", 15) == 0;
	if (rc)
		assert_null(body);
	fx->feed_busy[fx->n_feeds] = fx->r.busy;
	fx->feed_seq[fx->n_feeds] = fx->answered++;
	fx->n_feeds++;
	free(body);
}

static void on_idle(void *ctx)
{
	((struct fixture *)ctx)->idle_calls++;
}

static bool on_hold(void *ctx)
{
	return ((struct fixture *)ctx)->hold;
}

static void start_reader(struct fixture *fx)
{
	struct reader_hooks hooks = {
		.done = on_done, .feed_done = on_feed_done, .idle = on_idle,
		.hold = on_hold, .ctx = fx,
	};
	reader_init(&fx->r, &fx->loop, fx->club.st, &hooks);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	time_t t = time(NULL), u = t + 86400;
	club_env_open(&fx->club, "reader", 16u << 20, t);
	struct tm tm;
	strftime(today, sizeof(today), "%Y-%m-%d", gmtime_r(&t, &tm));
	strftime(tomorrow, sizeof(tomorrow), "%Y-%m-%d", gmtime_r(&u, &tm));
	assert_int_equal(uv_loop_init(&fx->loop), 0);
	start_reader(fx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	reader_fini(&fx->r);
	assert_int_equal(uv_loop_close(&fx->loop), 0);
	club_env_close(&fx->club);
	free(fx);
	return 0;
}

/* A GetReport as the session hands it over (decoded, owned). */
static Clubcrm__Frame *report_request(uint64_t rid, const char *from,
				      const char *to)
{
	Clubcrm__GetReport g = CLUBCRM__GET_REPORT__INIT;
	g.from_date = (char *)from;
	g.to_date = (char *)to;
	return owned_request(rid, CLUBCRM__FRAME__BODY_GET_REPORT, &g);
}

static void submit(struct fixture *fx, uint64_t rid, const char *from,
		   const char *to)
{
	assert_int_equal(reader_submit(&fx->r, fx,
				       report_request(rid, from, to),
				       &fx->club.admin), 0);
}

/* Queued reads are answered once each, in order, one at a time; the idle
 * hook comes once nothing runs. */
static void test_reads_answered_in_order_one_at_a_time(void **state)
{
	struct fixture *fx = *state;
	for (uint64_t i = 1; i <= 20; i++)
		submit(fx, i, today, tomorrow);
	assert_true(fx->r.busy);
	assert_int_equal(fx->r.q_len, 19);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->n_done, 20);
	for (size_t i = 0; i < 20; i++) {
		assert_int_equal(fx->done_ids[i], i + 1);
		assert_int_equal(fx->done_body[i],
				 CLUBCRM__FRAME__BODY_REPORT);
		assert_false(fx->busy_at_done[i]);
	}
	assert_int_equal(fx->r.served, 20);
	assert_true(reader_idle(&fx->r));
	assert_true(fx->idle_calls >= 1);
}

/* The service's refusal is the reply: an Error with its code. */
static void test_refused_read_answered_with_its_error(void **state)
{
	struct fixture *fx = *state;
	submit(fx, 7, tomorrow, today);  /* ends before it starts */
	submit(fx, 8, today, tomorrow);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->n_done, 2);
	assert_int_equal(fx->done_body[0], CLUBCRM__FRAME__BODY_ERROR);
	assert_int_equal(fx->done_code[0], STATUS_OUT_OF_RANGE);
	assert_int_equal(fx->done_body[1], CLUBCRM__FRAME__BODY_REPORT);
}

/* While held (the writer waits to grow the map), nothing starts; a kick
 * once released runs what waited. */
static void test_held_reads_wait_for_the_kick(void **state)
{
	struct fixture *fx = *state;
	fx->hold = true;
	submit(fx, 1, today, tomorrow);
	submit(fx, 2, today, tomorrow);
	assert_false(fx->r.busy);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->n_done, 0);
	assert_false(reader_idle(&fx->r));
	fx->hold = false;
	reader_kick(&fx->r);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->n_done, 2);
	assert_true(reader_idle(&fx->r));
}

/* Reads never started are freed with the reader (ASan and valgrind see
 * the frames go). */
static void test_queued_reads_freed_at_the_end(void **state)
{
	struct fixture *fx = *state;
	fx->hold = true;
	for (uint64_t i = 1; i <= 12; i++)  /* past the first ring size */
		submit(fx, i, today, tomorrow);
	assert_int_equal(fx->r.q_len, 12);
	assert_int_equal(fx->n_done, 0);
}

/* The admin's calendar feed, made as RotateFeed makes it: its secret
 * (the URL's, 43 characters) into `out`. */
static void make_feed(struct fixture *fx, char *out)
{
	Clubcrm__RotateFeed rf = CLUBCRM__ROTATE_FEED__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_ROTATE_FEED;
	f.rotate_feed = &rf;
	struct service_write_op op = {.who = fx->club.admin, .req = &f};
	assert_int_equal(service_write_batch(fx->club.st, &op, 1), 0);
	assert_int_equal(store_sync(fx->club.st), 0);
	assert_non_null(op.reply);
	assert_int_equal(op.reply->body_case,
			 CLUBCRM__FRAME__BODY_FEED_REPLY);
	const char *p = op.reply->feed_reply->path;
	assert_int_equal(strlen(p), 6 + 43 + 4);
	memcpy(out, p + 6, 43);
	out[43] = '\0';
	service_write_op_free(&op);
}

/* Feeds share the queue with the long reads: built on the worker, one at
 * a time, in order; an unknown secret answered -ENOENT; the count of
 * feeds queued or building back to none. */
static void test_feeds_built_in_turn(void **state)
{
	struct fixture *fx = *state;
	char secret[44];
	make_feed(fx, secret);
	int64_t now = time(NULL);
	assert_int_equal(reader_submit_feed(&fx->r, fx, secret, 43, now), 0);
	submit(fx, 1, today, tomorrow);
	assert_int_equal(reader_submit_feed(&fx->r, fx, "nope", 4, now), 0);
	assert_int_equal(reader_submit_feed(&fx->r, fx, secret, 43, now), 0);
	assert_int_equal(reader_feeds(&fx->r), 3);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->n_feeds, 3);
	assert_int_equal(fx->n_done, 1);
	assert_int_equal(fx->feed_rc[0], 0);
	assert_true(fx->feed_ok[0]);
	assert_int_equal(fx->feed_rc[1], -ENOENT);
	assert_int_equal(fx->feed_rc[2], 0);
	assert_true(fx->feed_ok[2]);
	for (size_t i = 0; i < 3; i++)
		assert_false(fx->feed_busy[i]);
	assert_int_equal(reader_feeds(&fx->r), 0);
	assert_int_equal(fx->r.served, 4);
	assert_true(reader_idle(&fx->r));
}

/* A session's long read goes before every feed queued ahead of it (a
 * feed URL's holder may queue many), feeds and reads each in their order. */
static void test_session_reads_before_feeds(void **state)
{
	struct fixture *fx = *state;
	char secret[44];
	make_feed(fx, secret);
	fx->hold = true;
	int64_t now = time(NULL);
	for (int i = 0; i < 5; i++)
		assert_int_equal(reader_submit_feed(&fx->r, fx, secret, 43,
						    now), 0);
	submit(fx, 1, today, tomorrow);
	assert_int_equal(reader_submit_feed(&fx->r, fx, "nope", 4, now), 0);
	submit(fx, 2, today, tomorrow);
	fx->hold = false;
	reader_kick(&fx->r);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->n_done, 2);
	assert_int_equal(fx->n_feeds, 6);
	assert_int_equal(fx->done_ids[0], 1);
	assert_int_equal(fx->done_ids[1], 2);
	assert_int_equal(fx->done_seq[0], 0);
	assert_int_equal(fx->done_seq[1], 1);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(fx->feed_seq[i], 2 + i);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(fx->feed_rc[i], 0);
	assert_int_equal(fx->feed_rc[5], -ENOENT);  /* the "nope", last */
	assert_int_equal(reader_feeds(&fx->r), 0);
	assert_true(reader_idle(&fx->r));
}

/* Feeds never started are answered -ECANCELED when the reader goes (their
 * requests are freed by whoever asked), their secrets freed. */
static void test_queued_feeds_cancelled_at_the_end(void **state)
{
	struct fixture *fx = *state;
	fx->hold = true;
	for (int i = 0; i < 10; i++)  /* past the first ring size */
		assert_int_equal(reader_submit_feed(&fx->r, fx, "abc", 3,
						    time(NULL)), 0);
	submit(fx, 1, today, tomorrow);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->n_feeds, 0);
	reader_fini(&fx->r);
	assert_int_equal(fx->n_feeds, 10);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(fx->feed_rc[i], -ECANCELED);
	assert_int_equal(fx->n_done, 0);
	start_reader(fx);  /* for teardown */
}

/* A feed whose operator's record is damaged on disk (bytes that are no
 * protobuf): answered with the store's error, not as a missing feed (the
 * web listener's 500, logged) nor as a whole text, and the reader goes on
 * serving. */
static void test_feed_of_a_damaged_record(void **state)
{
	struct fixture *fx = *state;
	char secret[44];
	make_feed(fx, secret);
	struct txn t;
	txn_begin(&t, fx->club.st, NULL, true);
	uint8_t k[8];
	key_u64(k, fx->club.admin.operator_id);
	static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a};
	txn_put(&t, DB_OPERATORS, k, sizeof(k), junk, sizeof(junk));
	assert_int_equal(txn_commit(&t), 0);
	int64_t now = time(NULL);
	assert_int_equal(reader_submit_feed(&fx->r, fx, secret, 43, now), 0);
	submit(fx, 1, today, tomorrow);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->n_feeds, 1);
	assert_true(fx->feed_rc[0] < 0);
	assert_int_not_equal(fx->feed_rc[0], -ENOENT);
	assert_int_not_equal(fx->feed_rc[0], -ECANCELED);
	assert_false(fx->feed_ok[0]);
	assert_int_equal(fx->n_done, 1);
	assert_int_equal(reader_feeds(&fx->r), 0);
	assert_true(reader_idle(&fx->r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_reads_answered_in_order_one_at_a_time, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_refused_read_answered_with_its_error, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_held_reads_wait_for_the_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_queued_reads_freed_at_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_feeds_built_in_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_queued_feeds_cancelled_at_the_end, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_feed_of_a_damaged_record, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_session_reads_before_feeds, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
