/*
 * Sessions against the real clubcrmd: login good and bad, a control
 * character (NUL included) in a login or password, requests before login,
 * an unknown body, the unix socket, and GoAway on a clean shutdown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "rawconn.h"
#include "status.h"

static struct harness h;

static int group_setup(void **state)
{
	return harness_start(&h);
}

static int group_teardown(void **state)
{
	harness_cleanup(&h);
	return 0;
}

static void test_login_good(void **state)
{
	struct client_sync *s;
	struct client_status st;
	assert_int_equal(harness_login(&h, "alicia", &s, &st), STATUS_OK);
	struct client *c = client_sync_client(s);
	assert_int_equal(client_get_state(c), CLIENT_READY);
	const Clubcrm__Operator *op = client_operator(c);
	assert_non_null(op);
	assert_string_equal(op->login, "alicia");
	const Clubcrm__Welcome *w = client_welcome(c);
	assert_non_null(w);
	assert_int_equal(w->protocol_major, 1);
	assert_non_null(w->time_zone);
	assert_true(strlen(w->time_zone) > 0);
	/* After login the server accepts more than the pre-login 8 KiB. */
	assert_true(client_max_frame(c) > 8 * 1024);
	client_sync_close(s);
}

/* One bad password only: each costs the server's ~1 s delay. */
static void test_login_bad(void **state)
{
	struct client_sync_options o = {
		.address = h.address, .login = "alicia",
		.password = "not-the-password",
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	struct client_sync *s = NULL;
	struct client_status st;
	assert_int_equal(client_sync_open(&o, &s, &st), STATUS_UNAUTHENTICATED);
	assert_null(s);
	/* The same words for a bad password as for an unknown login. */
	assert_true(strlen(st.message) > 0);
}

static void test_request_before_login(void **state)
{
	struct client_sync_options o = {
		.address = h.address, .login = NULL,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	struct client_sync *s;
	struct client_status st;
	assert_int_equal(client_sync_open(&o, &s, &st), STATUS_OK);
	assert_null(client_operator(client_sync_client(s)));
	for (int i = 0; i < 2; i++) {
		Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
		Clubcrm__Frame req, *reply = NULL;
		it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
		assert_int_equal(client_sync_call(s, &req, &reply, &st),
				 STATUS_UNAUTHENTICATED);
		assert_non_null(reply);  /* the Error frame */
		assert_int_equal(reply->body_case, CLUBCRM__FRAME__BODY_ERROR);
		clubcrm__frame__free_unpacked(reply, NULL);
	}
	/* Refused, not dropped. */
	assert_int_equal(client_get_state(client_sync_client(s)), CLIENT_READY);
	client_sync_close(s);
}

static void expect_catalog(struct client_sync *s)
{
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	assert_int_equal(client_sync_call(s, &req, &reply, &st), STATUS_OK);
	assert_int_equal(reply->body_case, CLUBCRM__FRAME__BODY_CATALOG);
	assert_true(reply->catalog->n_task_types >= 6);
	clubcrm__frame__free_unpacked(reply, NULL);
}

/*
 * A Login frame whose `marker` byte in the password (or login) is replaced
 * by `to` after encoding: protobuf-c decodes "demo\0anything" as "demo".
 * With `twice`, an empty Login follows in the same frame (merged into the
 * first by the decoder).
 */
static void send_patched_login(struct rawconn *rc, uint64_t rid,
			       const char *login, const char *password,
			       const char *to, bool twice)
{
	struct buf out = {0};
	raw_put_login(&out, rid, login, password);
	const char *field = strchr(password, '~') ? password : login;
	size_t n = strlen(field);
	uint8_t *at = NULL;
	for (size_t i = 0; !at && i + n <= out.len; i++)
		if (memcmp(out.data + i, field, n) == 0)
			at = out.data + i;
	assert_non_null(at);
	uint8_t *mark = memchr(at, '~', n);
	assert_non_null(mark);
	/* `to` replaces the run of markers byte for byte ("\0" is 1). */
	size_t run = 0;
	while (mark + run < at + n && mark[run] == '~')
		run++;
	memcpy(mark, to, run);
	if (twice) {
		const uint8_t empty_login[] = {(12 << 3) | 2, 0};
		assert_int_equal(buf_append(&out, empty_login,
					    sizeof(empty_login)), 0);
		uint32_t len = (uint32_t)out.len - 4;
		out.data[0] = (uint8_t)(len >> 24);
		out.data[1] = (uint8_t)(len >> 16);
		out.data[2] = (uint8_t)(len >> 8);
		out.data[3] = (uint8_t)len;
	}
	assert_int_equal(raw_send(rc, out.data, out.len), 0);
	buf_free(&out);
}

/* The answer to request `rid`: its Error code, or STATUS_OK for LoginOk. */
static unsigned login_answer(struct rawconn *rc, uint64_t rid)
{
	Clubcrm__Frame *f = raw_recv(rc, 20000);
	assert_non_null(f);
	assert_int_equal(f->request_id, rid);
	unsigned code = STATUS_OK;
	if (f->body_case == CLUBCRM__FRAME__BODY_ERROR)
		code = f->error->code;
	else
		assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_LOGIN_OK);
	clubcrm__frame__free_unpacked(f, NULL);
	return code;
}

/*
 * "demo\0anything" must not pass for "demo", nor "alicia\0x" for
 * "alicia": a login or password holding a NUL or any control character is
 * INVALID_ARGUMENT, answered at once, and the connection still logs in.
 */
static void test_login_control_chars(void **state)
{
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	struct buf out = {0};
	raw_put_preface(&out);
	raw_put_hello(&out, 1);
	assert_int_equal(raw_send(&rc, out.data, out.len), 0);
	buf_free(&out);
	Clubcrm__Frame *f = raw_recv(&rc, 10000);
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_WELCOME);
	clubcrm__frame__free_unpacked(f, NULL);
	const struct {
		const char *login, *password, *to;
		bool twice;
	} cases[] = {
		{"alicia", HARNESS_PASSWORD "~anything", "\0", false},
		{"alicia", HARNESS_PASSWORD "~", "\0", false},
		{"alicia~x", HARNESS_PASSWORD, "\0", false},
		{"alicia", HARNESS_PASSWORD "~anything", "\0", true},
		{"alicia", "de~mo", "\x01", false},
		{"alicia", HARNESS_PASSWORD "~", "\t", false},
		{"alicia", HARNESS_PASSWORD "~", "\x7f", false},
		{"alicia~", HARNESS_PASSWORD, "\n", false},
		{"alicia", HARNESS_PASSWORD "~~", "\xc2\x85", false},
	};
	uint64_t rid = 10;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		send_patched_login(&rc, ++rid, cases[i].login,
				   cases[i].password, cases[i].to,
				   cases[i].twice);
		assert_int_equal(login_answer(&rc, rid),
				 STATUS_INVALID_ARGUMENT);
	}
	/* Refused as malformed, not counted as failures: in at once. */
	raw_put_login(&out, ++rid, "alicia", HARNESS_PASSWORD);
	assert_int_equal(raw_send(&rc, out.data, out.len), 0);
	buf_free(&out);
	assert_int_equal(login_answer(&rc, rid), STATUS_OK);
	raw_close(&rc);
}

/* A response body sent as a request: not served, connection kept. */
static void test_unknown_body_library(void **state)
{
	struct client_sync *s;
	struct client_status st;
	assert_int_equal(harness_login(&h, "valentina", &s, &st), STATUS_OK);
	Clubcrm__TaskPage page = CLUBCRM__TASK_PAGE__INIT;
	Clubcrm__Frame req, *reply = NULL;
	it_frame(&req, CLUBCRM__FRAME__BODY_TASK_PAGE, &page);
	assert_int_equal(client_sync_call(s, &req, &reply, &st),
			 STATUS_UNIMPLEMENTED);
	if (reply)
		clubcrm__frame__free_unpacked(reply, NULL);
	expect_catalog(s);
	client_sync_close(s);
}

/*
 * A body this build does not even know (field 999 of Frame): a newer
 * client's request. UNIMPLEMENTED with the id echoed, and the connection
 * still serves.
 */
static void test_unknown_body_raw(void **state)
{
	struct rawconn rc;
	assert_int_equal(raw_connect(&rc, h.address), 0);
	assert_true(raw_login(&rc, "deborah", HARNESS_PASSWORD));
	/* request_id = 7 (field 1, varint), field 999 bytes "xy". */
	const uint8_t payload[] = {0x08, 0x07, 0xBA, 0x3E, 0x02, 'x', 'y'};
	uint8_t frame[4 + sizeof(payload)] = {0, 0, 0, sizeof(payload)};
	memcpy(frame + 4, payload, sizeof(payload));
	assert_int_equal(raw_send(&rc, frame, sizeof(frame)), 0);
	Clubcrm__Frame *f = raw_recv(&rc, 5000);
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_ERROR);
	assert_int_equal(f->error->code, STATUS_UNIMPLEMENTED);
	assert_int_equal(f->request_id, 7);
	clubcrm__frame__free_unpacked(f, NULL);

	struct buf out = {0};
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	req.has_request_id = true;
	req.request_id = 8;
	raw_put_frame(&out, &req);
	assert_int_equal(raw_send(&rc, out.data, out.len), 0);
	buf_free(&out);
	f = raw_recv(&rc, 5000);
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_CATALOG);
	assert_int_equal(f->request_id, 8);
	clubcrm__frame__free_unpacked(f, NULL);
	raw_close(&rc);
}

static void test_unix_socket(void **state)
{
	struct client_sync_options o = {
		.address = h.unix_address, .login = "maribel",
		.password = HARNESS_PASSWORD,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	struct client_sync *s;
	struct client_status st;
	assert_int_equal(client_sync_open(&o, &s, &st), STATUS_OK);
	expect_catalog(s);
	client_sync_close(s);
}

static void test_connect_refused(void **state)
{
	struct client_sync_options o = {
		.address = "unix:/nonexistent/clubcrm.sock", .login = "x",
		.password = "y",
	};
	struct client_sync *s = NULL;
	struct client_status st;
	assert_int_equal(client_sync_open(&o, &s, &st), STATUS_UNAVAILABLE);
	assert_null(s);
	o.address = "not an address";
	assert_int_equal(client_sync_open(&o, &s, &st),
			 STATUS_INVALID_ARGUMENT);
}

/* Last: SIGTERM, and a connected client hears GoAway then the close. */
static void test_shutdown_goaway(void **state)
{
	struct client_sync *s;
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &s, &st), STATUS_OK);
	expect_catalog(s);
	harness_terminate(&h);
	assert_int_equal(client_sync_wait_end(s, 10000, &st), STATUS_OK);
	unsigned code;
	assert_true(client_sync_got_goaway(s, &code));
	assert_int_equal(st.code, STATUS_UNAVAILABLE);
	assert_int_equal(client_get_state(client_sync_client(s)),
			 CLIENT_DISCONNECTED);
	/* Afterwards calls fail at once, with the reason. */
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req, *reply = NULL;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	assert_int_equal(client_sync_call(s, &req, &reply, &st),
			 STATUS_UNAVAILABLE);
	assert_null(reply);
	client_sync_close(s);
	assert_int_equal(harness_wait(&h, 10000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_good),
		cmocka_unit_test(test_login_bad),
		cmocka_unit_test(test_login_control_chars),
		cmocka_unit_test(test_request_before_login),
		cmocka_unit_test(test_unknown_body_library),
		cmocka_unit_test(test_unknown_body_raw),
		cmocka_unit_test(test_unix_socket),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_shutdown_goaway),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
