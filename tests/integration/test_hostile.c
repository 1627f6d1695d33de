/*
 * Hostile and odd byte streams on raw sockets. Each bad one is dropped
 * (after a GoAway where the preface was good) while a logged-in client on
 * the library keeps being served; frames split into many writes and many
 * frames in one write both work.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "frame.h"
#include "harness.h"
#include "ittools.h"
#include "rawconn.h"
#include "status.h"

#define WAIT_MS 5000u

static struct harness h;
static struct harness beat;  /* --heartbeat-ms 200 */
static struct client_sync *witness;

static int group_setup(void **state)
{
	struct client_status st;
	if (harness_start(&h) < 0)
		return -1;
	return harness_login(&h, "fermin", &witness, &st) == STATUS_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	client_sync_close(witness);
	harness_cleanup(&h);
	harness_cleanup(&beat);
	return 0;
}

/* The witness is still logged in and served. */
static void witness_served(void)
{
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	assert_int_equal(client_sync_call(witness, &req, &reply, &st), STATUS_OK);
	assert_int_equal(reply->body_case, CLUBCRM__FRAME__BODY_CATALOG);
	clubcrm__frame__free_unpacked(reply, NULL);
}

/* Sends `bytes`, expects the server to close (with `goaway` GoAways). */
static void dropped(const void *bytes, size_t len, bool expect_goaway)
{
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	raw_send(&rc, bytes, len);  /* may fail if dropped half-way */
	unsigned goaways = 0;
	assert_true(raw_wait_closed(&rc, WAIT_MS, &goaways));
	if (expect_goaway)
		assert_int_equal(goaways, 1);
	raw_close(&rc);
	witness_served();
}

static void test_bad_magic(void **state)
{
	static const char garbage[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	dropped(garbage, sizeof(garbage) - 1, false);
}

static void test_huge_length(void **state)
{
	struct buf b = {0};
	raw_put_preface(&b);
	const uint8_t len[4] = {0x7F, 0xFF, 0xFF, 0xF0};
	buf_append(&b, len, sizeof(len));
	dropped(b.data, b.len, true);
	buf_free(&b);
}

/* Over the 8 KiB pre-login limit, just. */
static void test_prelogin_over_limit(void **state)
{
	struct buf b = {0};
	raw_put_preface(&b);
	uint32_t n = FRAME_MAX_PRELOGIN + 1;
	const uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16),
				(uint8_t)(n >> 8), (uint8_t)n};
	buf_append(&b, len, sizeof(len));
	dropped(b.data, b.len, true);
	buf_free(&b);
}

static void test_zero_length(void **state)
{
	struct buf b = {0};
	raw_put_preface(&b);
	raw_put_hello(&b, 1);
	const uint8_t zero[4] = {0, 0, 0, 0};
	buf_append(&b, zero, sizeof(zero));
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	assert_int_equal(raw_send(&rc, b.data, b.len), 0);
	/* The Hello is answered; the empty frame then ends the connection. */
	Clubcrm__Frame *f = raw_recv(&rc, WAIT_MS);
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_WELCOME);
	clubcrm__frame__free_unpacked(f, NULL);
	unsigned goaways = 0;
	assert_true(raw_wait_closed(&rc, WAIT_MS, &goaways));
	assert_int_equal(goaways, 1);
	raw_close(&rc);
	buf_free(&b);
	witness_served();
}

/* A length that is fine around bytes that are no protobuf at all. */
static void test_malformed_protobuf(void **state)
{
	struct buf b = {0};
	raw_put_preface(&b);
	const uint8_t bad[] = {0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	buf_append(&b, bad, sizeof(bad));
	dropped(b.data, b.len, true);
	buf_free(&b);
}

/* Preface, Hello, Login and a request, one byte per write. */
static void test_split_frames(void **state)
{
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	struct buf b = {0};
	raw_put_preface(&b);
	raw_put_hello(&b, 1);
	raw_put_login(&b, 2, "valentina", HARNESS_PASSWORD);
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	req.has_request_id = true;
	req.request_id = 3;
	raw_put_frame(&b, &req);
	assert_int_equal(raw_send_chunked(&rc, b.data, b.len, 1), 0);
	buf_free(&b);
	const Clubcrm__Frame__BodyCase want[] = {
		CLUBCRM__FRAME__BODY_WELCOME, CLUBCRM__FRAME__BODY_LOGIN_OK,
		CLUBCRM__FRAME__BODY_CATALOG,
	};
	for (uint64_t i = 0; i < 3; i++) {
		Clubcrm__Frame *f = raw_recv(&rc, WAIT_MS);
		assert_non_null(f);
		assert_int_equal(f->body_case, want[i]);
		assert_int_equal(f->request_id, i + 1);
		clubcrm__frame__free_unpacked(f, NULL);
	}
	raw_close(&rc);
}

/* Many requests in one write: every one answered once, ids echoed. */
static void test_many_frames_one_write(void **state)
{
	enum { N = 60 };
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	assert_true(raw_login(&rc, "maribel", HARNESS_PASSWORD));
	struct buf b = {0};
	for (uint64_t i = 0; i < N; i++) {
		Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
		Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
		Clubcrm__GetTask gt = CLUBCRM__GET_TASK__INIT;
		gt.has_id = true;
		gt.id = 1;
		Clubcrm__Frame req;
		if (i % 3 == 0)
			it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
		else if (i % 3 == 1)
			it_frame(&req, CLUBCRM__FRAME__BODY_LIST_CUSTOMERS, &lc);
		else
			it_frame(&req, CLUBCRM__FRAME__BODY_GET_TASK, &gt);
		req.has_request_id = true;
		req.request_id = 100 + i;
		raw_put_frame(&b, &req);
	}
	assert_int_equal(raw_send(&rc, b.data, b.len), 0);
	buf_free(&b);
	bool seen[N] = {false};
	for (int i = 0; i < N; i++) {
		Clubcrm__Frame *f = raw_recv(&rc, WAIT_MS);
		assert_non_null(f);
		assert_true(f->request_id >= 100 && f->request_id < 100 + N);
		uint64_t k = f->request_id - 100;
		assert_false(seen[k]);
		seen[k] = true;
		static const Clubcrm__Frame__BodyCase want[] = {
			CLUBCRM__FRAME__BODY_CATALOG,
			CLUBCRM__FRAME__BODY_CUSTOMER_PAGE,
			CLUBCRM__FRAME__BODY_TASK_REPLY,
		};
		assert_int_equal(f->body_case, want[k % 3]);
		clubcrm__frame__free_unpacked(f, NULL);
	}
	raw_close(&rc);
	witness_served();
}

/* A client that vanishes mid-frame costs the server nothing visible. */
static void test_half_frame_then_gone(void **state)
{
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	struct buf b = {0};
	raw_put_preface(&b);
	raw_put_hello(&b, 1);
	assert_int_equal(raw_send(&rc, b.data, b.len - 3), 0);
	raw_close(&rc);
	buf_free(&b);
	witness_served();
}

static void put_upsert_tag(struct buf *out, uint64_t rid, const char *name)
{
	Clubcrm__Tag tag = CLUBCRM__TAG__INIT;
	tag.name = (char *)name;
	Clubcrm__UpsertTag up = CLUBCRM__UPSERT_TAG__INIT;
	up.tag = &tag;
	Clubcrm__Frame f;
	it_frame(&f, CLUBCRM__FRAME__BODY_UPSERT_TAG, &up);
	f.has_request_id = rid != 0;
	f.request_id = rid;
	raw_put_frame(out, &f);
}

static void put_get_catalog(struct buf *out, uint64_t rid)
{
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame f;
	it_frame(&f, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	f.has_request_id = rid != 0;
	f.request_id = rid;
	raw_put_frame(out, &f);
}

/* Whether the catalogue the witness sees has a tag of that name. */
static bool tag_exists(const char *name)
{
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	assert_int_equal(client_sync_call(witness, &req, &reply, &st), STATUS_OK);
	bool found = false;
	for (size_t i = 0; i < reply->catalog->n_tags; i++)
		if (strcmp(reply->catalog->tags[i]->name, name) == 0)
			found = true;
	clubcrm__frame__free_unpacked(reply, NULL);
	return found;
}

/*
 * request_id 0 is for pushes: a request carrying it (a write, a read, a
 * Ping) is refused with INVALID_ARGUMENT and not run, and the connection
 * goes on.
 */
static void test_request_id_zero_refused(void **state)
{
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	assert_true(raw_login(&rc, "fermin", HARNESS_PASSWORD));
	struct buf b = {0};
	put_upsert_tag(&b, 0, "zero id tag");
	put_get_catalog(&b, 0);
	raw_put_ping(&b, 0);
	raw_put_ping(&b, 9);
	assert_int_equal(raw_send(&rc, b.data, b.len), 0);
	buf_free(&b);
	unsigned refused = 0;
	for (;;) {
		Clubcrm__Frame *f = raw_recv(&rc, WAIT_MS);
		assert_non_null(f);
		if (f->body_case == CLUBCRM__FRAME__BODY_PONG) {
			assert_int_equal(f->request_id, 9);
			clubcrm__frame__free_unpacked(f, NULL);
			break;
		}
		assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_ERROR);
		assert_int_equal(f->request_id, 0);
		assert_int_equal(f->error->code, STATUS_INVALID_ARGUMENT);
		assert_non_null(strstr(f->error->message, "request_id"));
		refused++;
		clubcrm__frame__free_unpacked(f, NULL);
	}
	assert_int_equal(refused, 3);
	raw_close(&rc);
	assert_false(tag_exists("zero id tag"));
	witness_served();
}

/*
 * A request id reused while the first request is still in the writer (both
 * in one write, so the first cannot be answered in between): the second is
 * refused with INVALID_ARGUMENT, sent as request 0, and not run; request 5
 * gets exactly one answer, the first request's.
 */
static void test_request_id_in_flight_refused(void **state)
{
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	assert_true(raw_login(&rc, "fermin", HARNESS_PASSWORD));
	struct buf b = {0};
	put_upsert_tag(&b, 5, "dup first");
	put_upsert_tag(&b, 5, "dup second");
	put_get_catalog(&b, 5);
	raw_put_ping(&b, 5);
	/* Writes are answered in order: once 6 is answered, any answer
	 * the second 5 could have had has come too. */
	put_upsert_tag(&b, 6, "dup after");
	assert_int_equal(raw_send(&rc, b.data, b.len), 0);
	buf_free(&b);
	unsigned answers5 = 0, refused = 0;
	for (;;) {
		Clubcrm__Frame *f = raw_recv(&rc, WAIT_MS);
		assert_non_null(f);
		if (f->request_id == 6) {
			assert_int_equal(f->body_case,
					 CLUBCRM__FRAME__BODY_CATALOG);
			clubcrm__frame__free_unpacked(f, NULL);
			break;
		}
		if (f->request_id == 5) {
			assert_int_equal(f->body_case,
					 CLUBCRM__FRAME__BODY_CATALOG);
			answers5++;
		} else {
			assert_int_equal(f->request_id, 0);
			assert_int_equal(f->body_case,
					 CLUBCRM__FRAME__BODY_ERROR);
			assert_int_equal(f->error->code,
					 STATUS_INVALID_ARGUMENT);
			assert_non_null(strstr(f->error->message, "in flight"));
			refused++;
		}
		clubcrm__frame__free_unpacked(f, NULL);
	}
	assert_int_equal(answers5, 1);
	assert_int_equal(refused, 3);
	/* Once answered, the id is free again. */
	b = (struct buf){0};
	raw_put_ping(&b, 5);
	assert_int_equal(raw_send(&rc, b.data, b.len), 0);
	buf_free(&b);
	Clubcrm__Frame *f = raw_recv(&rc, WAIT_MS);
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_PONG);
	assert_int_equal(f->request_id, 5);
	clubcrm__frame__free_unpacked(f, NULL);
	raw_close(&rc);
	assert_true(tag_exists("dup first"));
	assert_false(tag_exists("dup second"));
	witness_served();
}

/*
 * Names a peer chooses (Hello's terminal name, a login) reach the log
 * escaped: no raw control character, no forged line, no ANSI sequence.
 */
static void test_peer_names_escaped_in_log(void **state)
{
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	struct buf b = {0};
	raw_put_preface(&b);
	Clubcrm__Hello hello = CLUBCRM__HELLO__INIT;
	hello.terminal_name = (char *)"desk\x1b[2J\nclubcrmd: error: forged\r\x07";
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = 1;
	f.body_case = CLUBCRM__FRAME__BODY_HELLO;
	f.hello = &hello;
	raw_put_frame(&b, &f);
	raw_put_login(&b, 2, "ev\x1b[31mil\nx\"y", "wrong");
	assert_int_equal(raw_send(&rc, b.data, b.len), 0);
	buf_free(&b);
	Clubcrm__Frame *in = raw_recv(&rc, WAIT_MS);
	assert_non_null(in);
	assert_int_equal(in->body_case, CLUBCRM__FRAME__BODY_WELCOME);
	clubcrm__frame__free_unpacked(in, NULL);
	in = raw_recv(&rc, 3 * WAIT_MS);
	assert_non_null(in);
	assert_int_equal(in->body_case, CLUBCRM__FRAME__BODY_ERROR);
	/* A login with control characters is refused as such. */
	assert_int_equal(in->error->code, STATUS_INVALID_ARGUMENT);
	clubcrm__frame__free_unpacked(in, NULL);
	raw_close(&rc);

	assert_int_equal(harness_log_count(&h, "terminal \"desk\\x1b[2J\\x0a"
				       "clubcrmd: error: forged\\x0d\\x07\""), 1);
	assert_int_equal(harness_log_count(&h, "password of \"ev\\x1b"
				       "[31mil\\x0ax\\\"y\""), 1);
	/* Nothing raw: no forged line, no escape, bell or carriage return. */
	assert_int_equal(harness_log_count(&h, "forged"), 1);
	assert_int_equal(harness_log_count(&h, "\x1b"), 0);
	assert_int_equal(harness_log_count(&h, "\x07"), 0);
	assert_int_equal(harness_log_count(&h, "\r"), 0);
	witness_served();
}

/* The next frame that is not a Ping from the server. */
static Clubcrm__Frame *recv_no_ping(struct rawconn *rc)
{
	for (;;) {
		Clubcrm__Frame *f = raw_recv(rc, WAIT_MS);
		if (!f || f->body_case != CLUBCRM__FRAME__BODY_PING)
			return f;
		clubcrm__frame__free_unpacked(f, NULL);
	}
}

/* raw_login() for a server whose short heartbeat may ping in between. */
static bool login_between_pings(struct rawconn *rc, const char *login)
{
	struct buf b = {0};
	raw_put_preface(&b);
	raw_put_hello(&b, 1);
	raw_put_login(&b, 2, login, HARNESS_PASSWORD);
	bool ok = raw_send(rc, b.data, b.len) == 0;
	buf_free(&b);
	Clubcrm__Frame__BodyCase want[] = { CLUBCRM__FRAME__BODY_WELCOME,
					    CLUBCRM__FRAME__BODY_LOGIN_OK };
	for (unsigned i = 0; ok && i < 2; i++) {
		Clubcrm__Frame *f = recv_no_ping(rc);
		ok = f && f->body_case == want[i];
		if (f)
			clubcrm__frame__free_unpacked(f, NULL);
	}
	return ok;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * With --heartbeat-ms 200, a logged-in peer that sends nothing at all (not
 * even an answer to the server's pings) is dropped after 3 silent beats;
 * one that keeps talking, here with its own pings, stays.
 */
static void test_silent_peer_dropped(void **state)
{
	beat.extra[0] = "--heartbeat-ms=200";
	assert_int_equal(harness_start(&beat), 0);
	struct rawconn silent, talker;
	assert_int_equal(raw_connect(&silent, beat.address), 0);
	assert_true(login_between_pings(&silent, "maribel"));
	assert_int_equal(raw_connect(&talker, beat.address), 0);
	assert_true(login_between_pings(&talker, "alicia"));
	double t0 = now_ms();
	/* The talker pings for more than 3 beats... */
	for (uint64_t rid = 10; now_ms() - t0 < 1500; rid++) {
		struct buf b = {0};
		raw_put_ping(&b, rid);
		assert_int_equal(raw_send(&talker, b.data, b.len), 0);
		buf_free(&b);
		for (;;) {
			Clubcrm__Frame *f = raw_recv(&talker, WAIT_MS);
			assert_non_null(f);
			bool pong = f->body_case == CLUBCRM__FRAME__BODY_PONG;
			clubcrm__frame__free_unpacked(f, NULL);
			if (pong)
				break;
		}
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	/* ...while the silent one is (or soon will be) gone. */
	assert_true(raw_wait_closed(&silent, 10000, NULL));
	assert_int_equal(harness_log_count(&beat, "dropped: silent"), 1);
	struct buf b = {0};
	raw_put_ping(&b, 99);
	assert_int_equal(raw_send(&talker, b.data, b.len), 0);
	buf_free(&b);
	for (;;) {
		Clubcrm__Frame *f = raw_recv(&talker, WAIT_MS);
		assert_non_null(f);
		bool pong = f->body_case == CLUBCRM__FRAME__BODY_PONG &&
			    f->request_id == 99;
		clubcrm__frame__free_unpacked(f, NULL);
		if (pong)
			break;
	}
	raw_close(&silent);
	raw_close(&talker);
	assert_int_equal(harness_stop(&beat), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_huge_length),
		cmocka_unit_test(test_prelogin_over_limit),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_malformed_protobuf),
		cmocka_unit_test(test_split_frames),
		cmocka_unit_test(test_many_frames_one_write),
		cmocka_unit_test(test_half_frame_then_gone),
		cmocka_unit_test(test_request_id_zero_refused),
		cmocka_unit_test(test_request_id_in_flight_refused),
		cmocka_unit_test(test_peer_names_escaped_in_log),
		cmocka_unit_test(test_silent_peer_dropped),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
