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

/* 0, or -1 when the connection is gone. */
static int try_send_frame(struct rawconn *rc, const Clubcrm__Frame *f)
{
	struct buf out = {0};
	raw_put_frame(&out, f);
	int rc_send = raw_send(rc, out.data, out.len);
	buf_free(&out);
	return rc_send;
}

static void send_frame(struct rawconn *rc, const Clubcrm__Frame *f)
{
	assert_int_equal(try_send_frame(rc, f), 0);
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
	it_upsert_operator(admin, login, active, role, password);
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

/* ------------------------------------------------------------ rights
 * A write's rights are read from the stored operator record inside the
 * transaction that runs it: writes queued before a revocation committed
 * and run after it are refused, whatever the session held. */

#define PIPELINE 32       /* writes kept in flight */
#define PIPELINE_MAX 4000 /* writes at most per round */
#define ROUNDS 5          /* rounds at most until one write ran late */

/* Frame around `body` (a union member) with `rid`, sent on `rc`: 0, or -1
 * when the connection is gone. */
static int send_body(struct rawconn *rc, uint64_t rid,
		     Clubcrm__Frame__BodyCase body, void *msg)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = body;
	f.upsert_operator = msg;  /* the body is a union */
	return try_send_frame(rc, &f);
}

/* UpsertOperator of `id`: role (0: unchanged), active (-1: unchanged). */
static int send_upsert(struct rawconn *rc, uint64_t rid, uint64_t id,
		       int role, int active)
{
	Clubcrm__Operator op = CLUBCRM__OPERATOR__INIT;
	op.has_id = true;
	op.id = id;
	op.has_role = role != 0;
	op.role = (Clubcrm__Role)role;
	op.has_active = active >= 0;
	op.active = active > 0;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &op;
	return send_body(rc, rid, CLUBCRM__FRAME__BODY_UPSERT_OPERATOR, &u);
}

/* What one write sends: `rid` on `rc`. */
typedef void (*send_write_fn)(struct rawconn *rc, uint64_t rid, void *arg);

struct pipeline {
	unsigned ok, denied;     /* answers */
	uint64_t max_ok_rev;     /* latest revision of an accepted write */
	uint64_t revoke_rev;     /* the revocation's revision */
	bool goaway;
};

/* The revision an accepted write's reply carries (0 if not a reply). */
static uint64_t reply_revision(const Clubcrm__Frame *f)
{
	switch (f->body_case) {
	case CLUBCRM__FRAME__BODY_CATALOG:
		return f->catalog->revision;
	case CLUBCRM__FRAME__BODY_TASK_REPLY:
		return f->task_reply->revision;
	default:
		return 0;
	}
}

/*
 * `victim` keeps PIPELINE writes in flight; once PIPELINE of them were
 * answered, `admin_rc` sends the revocation (request id 900) without
 * waiting. Runs until the server ends the victim's connection. Every answer
 * must be an accepted write or PERMISSION_DENIED.
 */
static void pipeline_revoke(struct rawconn *victim, send_write_fn w,
			    void *arg, struct rawconn *admin_rc,
			    void (*revoke)(struct rawconn *rc),
			    struct pipeline *p)
{
	memset(p, 0, sizeof(*p));
	uint64_t next = 100;
	for (unsigned i = 0; i < PIPELINE; i++)
		w(victim, next++, arg);
	bool revoked = false;
	for (;;) {
		Clubcrm__Frame *f = raw_recv(victim, 10000);
		if (!f)
			break;  /* closed once its writes were answered */
		if (f->body_case == CLUBCRM__FRAME__BODY_GO_AWAY)
			p->goaway = true;
		bool answer = f->request_id >= 100;
		if (answer && f->body_case == CLUBCRM__FRAME__BODY_ERROR) {
			if (f->error->code != STATUS_PERMISSION_DENIED)
				fail_msg("write refused with %u: %s",
					 f->error->code, f->error->message);
			p->denied++;
		} else if (answer) {
			uint64_t rev = reply_revision(f);
			assert_true(rev != 0);
			if (rev > p->max_ok_rev)
				p->max_ok_rev = rev;
			p->ok++;
		}
		clubcrm__frame__free_unpacked(f, NULL);
		if (answer && !revoked && p->ok + p->denied >= PIPELINE) {
			revoke(admin_rc);
			revoked = true;
		}
		if (answer && !p->goaway && next < 100 + PIPELINE_MAX)
			w(victim, next++, arg);
	}
	raw_close(victim);
	assert_true(revoked);
	assert_true(p->goaway);
	Clubcrm__Frame *f = raw_recv(admin_rc, 10000);
	assert_non_null(f);
	assert_int_equal(f->request_id, 900);
	p->revoke_rev = reply_revision(f);
	assert_true(p->revoke_rev != 0);
	clubcrm__frame__free_unpacked(f, NULL);
	/* Nothing of the victim's committed after the revocation. */
	if (p->max_ok_rev >= p->revoke_rev)
		fail_msg("a write committed at revision %llu, after the "
			 "revocation at %llu",
			 (unsigned long long)p->max_ok_rev,
			 (unsigned long long)p->revoke_rev);
}

/* The stored operator `login` (any state), from a fresh GetCatalog. */
static Clubcrm__Frame *stored_operator(const char *login,
				       Clubcrm__Operator **out)
{
	Clubcrm__GetCatalog gc = CLUBCRM__GET_CATALOG__INIT;
	gc.has_include_inactive = gc.include_inactive = true;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &gc);
	assert_int_equal(client_sync_call(admin, &req, &reply, &st),
			 STATUS_OK);
	*out = NULL;
	for (size_t i = 0; i < reply->catalog->n_operators; i++)
		if (strcmp(reply->catalog->operators[i]->login, login) == 0)
			*out = reply->catalog->operators[i];
	assert_non_null(*out);
	return reply;
}

static uint64_t zoe_id;

static void zoe_promotes_herself(struct rawconn *rc, uint64_t rid, void *arg)
{
	(void)arg;
	/* The revocation may have ended the connection before its GoAway
	 * was read: a failed send is fine, the answers read decide. */
	(void)send_upsert(rc, rid, zoe_id, CLUBCRM__ROLE__ROLE_ADMIN, 1);
}

static void demote_zoe(struct rawconn *rc)
{
	assert_int_equal(
		send_upsert(rc, 900, zoe_id, CLUBCRM__ROLE__ROLE_OPERATOR, -1), 0);
}

/*
 * An admin keeps self-upserts (role ADMIN, active) in flight while another
 * admin demotes her: none of them commits after the demotion, the late
 * ones are PERMISSION_DENIED, and she stays an operator.
 */
static void test_demoted_admin_queued_writes(void **state)
{
	(void)state;
	Clubcrm__Operator zoe = CLUBCRM__OPERATOR__INIT;
	zoe.login = "zoe";
	zoe.name = "Zoe";
	zoe.has_role = true;
	zoe.role = CLUBCRM__ROLE__ROLE_ADMIN;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &zoe;
	u.password = HARNESS_PASSWORD;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_UPSERT_OPERATOR, &u);
	assert_int_equal(client_sync_call(admin, &req, &reply, &st),
			 STATUS_OK);
	zoe_id = reply->catalog->operators[0]->id;
	clubcrm__frame__free_unpacked(reply, NULL);

	unsigned late = 0;
	for (unsigned round = 0; round < ROUNDS && !late; round++) {
		if (round)  /* an admin again for the next round */
			upsert("zoe", -1, CLUBCRM__ROLE__ROLE_ADMIN, NULL);
		struct rawconn z, fa;
		assert_int_equal(raw_connect(&z, h.address), 0);
		assert_true(raw_login(&z, "zoe", HARNESS_PASSWORD));
		assert_int_equal(raw_connect(&fa, h.address), 0);
		assert_true(raw_login(&fa, "fermin", HARNESS_PASSWORD));
		struct pipeline p;
		pipeline_revoke(&z, zoe_promotes_herself, NULL, &fa,
				demote_zoe, &p);
		raw_close(&fa);
		Clubcrm__Operator *o = NULL;
		Clubcrm__Frame *keep = stored_operator("zoe", &o);
		assert_int_equal(o->role, CLUBCRM__ROLE__ROLE_OPERATOR);
		assert_true(o->active);
		/* The demotion was the last change to her record. */
		assert_int_equal(o->mod_rev, p.revoke_rev);
		clubcrm__frame__free_unpacked(keep, NULL);
		late = p.denied;
		print_message("round %u: %u accepted, %u refused as late\n",
			      round, p.ok, p.denied);
	}
	/* The race was run: some of her writes were queued behind it. */
	assert_true(late > 0);
}

static uint64_t val_id;

static void valentina_creates(struct rawconn *rc, uint64_t rid, void *arg)
{
	const struct it_new_task *t = arg;
	Clubcrm__CreateTask c = CLUBCRM__CREATE_TASK__INIT;
	c.has_kind = true;
	c.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	c.description = (char *)t->desc;
	c.has_type_id = c.has_customer_id = c.has_planned_at = true;
	c.type_id = t->type_id;
	c.customer_id = t->customer_id;
	c.planned_at = t->planned_at;
	/* As above: the deactivation may have ended the connection. */
	(void)send_body(rc, rid, CLUBCRM__FRAME__BODY_CREATE_TASK, &c);
}

static void deactivate_valentina(struct rawconn *rc)
{
	assert_int_equal(send_upsert(rc, 900, val_id, 0, 0), 0);
}

/* Tasks created by Valentina so far. */
static size_t valentina_tasks(void)
{
	static uint64_t ids[PIPELINE_MAX * ROUNDS + 512];
	Clubcrm__TaskFilter filter = CLUBCRM__TASK_FILTER__INIT;
	filter.creator_ids = &val_id;
	filter.n_creator_ids = 1;
	size_t n = 0;
	unsigned pages = 0;
	assert_int_equal(it_list_all(admin, &filter, 500, ids,
				     sizeof(ids) / sizeof(ids[0]), &n, &pages,
				     NULL),
			 STATUS_OK);
	return n;
}

/*
 * An operator keeps creates in flight while an admin deactivates her: the
 * creates that ran after the deactivation are PERMISSION_DENIED and left
 * no task; every task she has was answered as created before it.
 */
static void test_deactivated_operator_queued_creates(void **state)
{
	(void)state;
	val_id = it_operator_id(admin, "valentina");
	assert_true(val_id != 0);
	upsert("valentina", 1, 0, NULL);  /* upsert() keeps her id from now */
	struct it_new_task t = {
		.desc = "queued create",
		.type_id = it_type_id(admin, "Call"),
		.customer_id = it_customer_id(admin, "Lucía"),
		.planned_at = 1900000000,
	};
	assert_true(t.type_id && t.customer_id);
	unsigned late = 0;
	for (unsigned round = 0; round < ROUNDS && !late; round++) {
		if (round)
			upsert("valentina", 1, 0, NULL);
		size_t before = valentina_tasks();
		struct rawconn v, fa;
		assert_int_equal(raw_connect(&v, h.address), 0);
		assert_true(raw_login(&v, "valentina", HARNESS_PASSWORD));
		assert_int_equal(raw_connect(&fa, h.address), 0);
		assert_true(raw_login(&fa, "fermin", HARNESS_PASSWORD));
		struct pipeline p;
		pipeline_revoke(&v, valentina_creates, &t, &fa,
				deactivate_valentina, &p);
		raw_close(&fa);
		/* Every task of hers is one answered as created. */
		assert_int_equal(valentina_tasks() - before, p.ok);
		late = p.denied;
		print_message("round %u: %u created, %u refused as late\n",
			      round, p.ok, p.denied);
	}
	upsert("valentina", 1, 0, NULL);
	assert_true(late > 0);
}

/* Bulk reassignment is an admin's: an operator gets PERMISSION_DENIED and
 * nothing moves. */
static void test_operator_cannot_reassign(void **state)
{
	(void)state;
	struct client_sync *op = NULL;
	struct client_status st;
	assert_int_equal(harness_login(&h, "deborah", &op, &st), STATUS_OK);
	Clubcrm__ReassignTasks in = CLUBCRM__REASSIGN_TASKS__INIT;
	in.has_from_operator_id = in.has_to_operator_id = true;
	in.from_operator_id = it_operator_id(admin, "maribel");
	in.to_operator_id = it_operator_id(admin, "deborah");
	Clubcrm__TaskFilter filter = CLUBCRM__TASK_FILTER__INIT;
	filter.operator_ids = &in.from_operator_id;
	filter.n_operator_ids = 1;
	uint64_t ids[512];
	size_t before = 0, after = 0;
	unsigned pages;
	assert_int_equal(it_list_all(admin, &filter, 500, ids, 512, &before,
				     &pages, NULL), STATUS_OK);
	assert_true(before > 0);  /* the demo gives her open tasks */
	Clubcrm__Frame req, *reply = NULL;
	it_frame(&req, CLUBCRM__FRAME__BODY_REASSIGN_TASKS, &in);
	assert_int_equal(client_sync_call(op, &req, &reply, &st),
			 STATUS_PERMISSION_DENIED);
	assert_non_null(strstr(st.message, "only admins may reassign"));
	if (reply)
		clubcrm__frame__free_unpacked(reply, NULL);
	client_sync_close(op);
	assert_int_equal(it_list_all(admin, &filter, 500, ids, 512, &after,
				     &pages, NULL), STATUS_OK);
	assert_int_equal(after, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logout),
		cmocka_unit_test(test_deactivated),
		cmocka_unit_test(test_password_reset),
		cmocka_unit_test(test_role_changed),
		cmocka_unit_test(test_demoted_admin_queued_writes),
		cmocka_unit_test(test_deactivated_operator_queued_creates),
		cmocka_unit_test(test_operator_cannot_reassign),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
