/*
 * Sessions end when they should: Logout (answered by GoAway "logged out"),
 * and an operator's live connections when an admin deactivates them, resets
 * their password or changes their role, each with a GoAway saying why.
 * Other connections are untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "rawconn.h"
#include "status.h"

static struct harness h;
static struct client_sync *admin;

static int group_setup(void **state)
{
	/* Failed logins are part of these tests; keep them quick. */
	h.extra[0] = "--login-backoff-ms";
	h.extra[1] = "20";
	struct client_status st;
	if (harness_start(&h) < 0 ||
	    harness_login(&h, "fermin", &admin, &st) != STATUS_OK)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	if (admin)
		client_sync_close(admin);
	harness_cleanup(&h);
	return 0;
}

/* The next frame of `body`, skipping others (deltas, pings); NULL when the
 * connection ends first. */
static Clubcrm__Frame *next_of(struct rawconn *rc,
			       Clubcrm__Frame__BodyCase body)
{
	for (;;) {
		Clubcrm__Frame *f = raw_recv(rc, 10000);
		if (!f || f->body_case == body)
			return f;
		clubcrm__frame__free_unpacked(f, NULL);
	}
}

static void send_frame(struct rawconn *rc, const Clubcrm__Frame *f)
{
	struct buf out = {0};
	raw_put_frame(&out, f);
	assert_int_equal(raw_send(rc, out.data, out.len), 0);
	buf_free(&out);
}

/* Logged in as `login` with a live board view. */
static void live_session(struct rawconn *rc, const char *login)
{
	assert_int_equal(raw_connect(rc, h.address), 0);
	assert_true(raw_login(rc, login, HARNESS_PASSWORD));
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = true;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	Clubcrm__Subscribe sub = CLUBCRM__SUBSCRIBE__INIT;
	sub.has_sub_id = true;
	sub.sub_id = 1;
	sub.view = &v;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = 10;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBE;
	f.subscribe = &sub;
	send_frame(rc, &f);
	Clubcrm__Frame *done = next_of(rc, CLUBCRM__FRAME__BODY_SNAPSHOT_DONE);
	assert_non_null(done);
	clubcrm__frame__free_unpacked(done, NULL);
}

/* The connection ends with a GoAway whose reason holds `why`. */
static void expect_goaway(struct rawconn *rc, unsigned code, const char *why)
{
	Clubcrm__Frame *f = next_of(rc, CLUBCRM__FRAME__BODY_GO_AWAY);
	assert_non_null(f);
	assert_int_equal(f->go_away->code, code);
	assert_non_null(f->go_away->reason);
	if (!strstr(f->go_away->reason, why))
		fail_msg("GoAway \"%s\", expected \"%s\"", f->go_away->reason,
			 why);
	clubcrm__frame__free_unpacked(f, NULL);
	assert_true(raw_wait_closed(rc, 10000, NULL));
	raw_close(rc);
}

/* A Ping answered: the connection is alive and served. */
static void expect_alive(struct rawconn *rc)
{
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	ping.has_nonce = true;
	ping.nonce = 77;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = 11;
	f.body_case = CLUBCRM__FRAME__BODY_PING;
	f.ping = &ping;
	send_frame(rc, &f);
	Clubcrm__Frame *pong = next_of(rc, CLUBCRM__FRAME__BODY_PONG);
	assert_non_null(pong);
	assert_int_equal(pong->pong->nonce, 77);
	clubcrm__frame__free_unpacked(pong, NULL);
}

/* A fresh login's status: 0 when it got in. */
static unsigned login_status(const char *login, const char *password)
{
	struct client_sync_options o = {
		.address = h.address, .login = login, .password = password,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	struct client_sync *s = NULL;
	struct client_status st;
	unsigned code = client_sync_open(&o, &s, &st);
	if (s)
		client_sync_close(s);
	return code;
}

/* UpsertOperator by the admin on `login`: active (-1: unchanged), role
 * (0: unchanged), password (NULL: unchanged). */
static void upsert(const char *login, int active, int role,
		   const char *password)
{
	/* The catalogue lists active operators only: ids are kept. */
	static struct {
		const char *login;
		uint64_t id;
	} seen[8];
	uint64_t id = 0;
	for (size_t i = 0; i < 8 && seen[i].login && !id; i++)
		if (strcmp(seen[i].login, login) == 0)
			id = seen[i].id;
	for (size_t i = 0; i < 8 && !id; i++) {
		if (seen[i].login)
			continue;
		seen[i].login = login;
		id = seen[i].id = it_operator_id(admin, login);
	}
	Clubcrm__Operator op = CLUBCRM__OPERATOR__INIT;
	op.id = id;
	assert_true(op.id != 0);
	op.has_id = true;
	op.has_active = active >= 0;
	op.active = active > 0;
	op.has_role = role != 0;
	op.role = (Clubcrm__Role)role;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &op;
	u.password = (char *)password;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_UPSERT_OPERATOR, &u);
	assert_int_equal(client_sync_call(admin, &req, &reply, &st),
			 STATUS_OK);
	clubcrm__frame__free_unpacked(reply, NULL);
}

static void test_logout(void **state)
{
	struct rawconn rc;
	live_session(&rc, "valentina");
	Clubcrm__Logout lo = CLUBCRM__LOGOUT__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = 42;
	f.body_case = CLUBCRM__FRAME__BODY_LOGOUT;
	f.logout = &lo;
	send_frame(&rc, &f);
	Clubcrm__Frame *ga = next_of(&rc, CLUBCRM__FRAME__BODY_GO_AWAY);
	assert_non_null(ga);
	assert_int_equal(ga->request_id, 42);  /* the answer to Logout */
	clubcrm__frame__free_unpacked(ga, NULL);
	assert_true(raw_wait_closed(&rc, 10000, NULL));
	raw_close(&rc);
}

static void test_deactivated(void **state)
{
	struct rawconn a1, a2, other;
	live_session(&a1, "maribel");
	live_session(&a2, "maribel");
	live_session(&other, "deborah");
	upsert("maribel", 0, 0, NULL);
	expect_goaway(&a1, STATUS_UNAUTHENTICATED, "operator deactivated");
	expect_goaway(&a2, STATUS_UNAUTHENTICATED, "operator deactivated");
	assert_int_equal(login_status("maribel", HARNESS_PASSWORD),
			 STATUS_UNAUTHENTICATED);
	expect_alive(&other);
	raw_close(&other);
	/* Reactivated, she logs in again. */
	upsert("maribel", 1, 0, NULL);
	assert_int_equal(login_status("maribel", HARNESS_PASSWORD), STATUS_OK);
}

static void test_password_reset(void **state)
{
	struct rawconn a, other;
	live_session(&a, "alicia");
	live_session(&other, "deborah");
	upsert("alicia", -1, 0, "a-new-password");
	expect_goaway(&a, STATUS_UNAUTHENTICATED, "password reset");
	assert_int_equal(login_status("alicia", HARNESS_PASSWORD),
			 STATUS_UNAUTHENTICATED);
	assert_int_equal(login_status("alicia", "a-new-password"), STATUS_OK);
	/* Changing something else of an operator keeps their sessions. */
	upsert("deborah", 1, 0, NULL);
	expect_alive(&other);
	raw_close(&other);
}

static void test_role_changed(void **state)
{
	struct rawconn a;
	live_session(&a, "deborah");
	upsert("deborah", -1, CLUBCRM__ROLE__ROLE_ADMIN, NULL);
	expect_goaway(&a, STATUS_UNAUTHENTICATED, "role changed");
	upsert("deborah", -1, CLUBCRM__ROLE__ROLE_OPERATOR, NULL);
	/* The admin's own connection was never touched. */
	assert_int_equal(client_get_state(client_sync_client(admin)),
			 CLIENT_READY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logout),
		cmocka_unit_test(test_deactivated),
		cmocka_unit_test(test_password_reset),
		cmocka_unit_test(test_role_changed),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
