/*
 * Hostile and odd byte streams on raw sockets. Each bad one is dropped
 * (after a GoAway where the preface was good) while a logged-in client on
 * the library keeps being served; frames split into many writes and many
 * frames in one write both work.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame.h"
#include "harness.h"
#include "ittools.h"
#include "rawconn.h"
#include "status.h"

#define WAIT_MS 5000u

static struct harness h;
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
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
