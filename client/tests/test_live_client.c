/*
 * The reconnecting connection (live.c) against a scripted fake server that
 * cuts it on purpose: the backoff's bound grows and its jitter stays under
 * it, the login resumes with the server's token and falls back to the
 * password when the token is refused, and a cut before a resume's replay is
 * confirmed makes the next resume ask from the old revision. Every test ends
 * with no handle left (uv_loop_close() == 0).
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "fake_server.h"
#include "frame.h"
#include "live.h"
#include "status.h"

#define DEADLINE_MS 10000u
#define POLL_MS 5u

struct lctx {
	uv_loop_t loop;
	uv_timer_t poll;
	unsigned polls;
	struct live *l;
	bool subscribe;           /* to the board, before the start */
	bool subscribe_on_ready;  /* to the board, from the READY callback */
	struct live_sub *sub;
	struct fake_server fs;
	atomic_bool script_done;
	int want_waiting;         /* close after this many WAITING states */
	/* Otherwise close once the script is done (or without one) and
	 * these came: */
	bool no_script;
	int want_ready, want_creates;
	int queue;                /* creates queued before the start: see run_live */
	/* live_create() answers */
	int n_creates;
	unsigned create_status[4];
	uint64_t create_id[4];
	unsigned delays[16];
	int n_waiting, n_ready, n_failed;
	size_t rows_at_end;
	uint64_t revision_at_end;
	/* Called on the replica before the close, when set. */
	void (*at_end)(struct lctx *x, const struct replica *r);
	bool end_ok;
	bool closing, closed, timed_out;
	/* The screen's draw (as the desk's, before the loop waits): the
	 * rows the first draw holding any saw; close once want_rows came. */
	uv_prepare_t draw;
	bool drawing, held;
	atomic_bool chunks_coming;  /* the script is writing the snapshot */
	size_t first_drawn, want_rows;
};

static void on_state(struct live *l, enum live_state st,
		     const struct client_status *why, void *ud)
{
	(void)why;
	struct lctx *x = ud;
	if (st == LIVE_WAITING) {
		if (x->n_waiting < 16)
			x->delays[x->n_waiting] = live_retry_delay_ms(l);
		x->n_waiting++;
	} else if (st == LIVE_READY) {
		x->n_ready++;
		if (x->subscribe_on_ready && !x->sub) {
			Clubcrm__View v = CLUBCRM__VIEW__INIT;
			v.has_kind = true;
			v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
			assert_int_equal(live_subscribe(l, &v, NULL, NULL,
							&x->sub), 0);
		}
	} else if (st == LIVE_FAILED) {
		x->n_failed++;
	}
}

static void on_closed(struct live *l, void *ud)
{
	(void)l;
	((struct lctx *)ud)->closed = true;
}

static const struct live_callbacks live_cbs = {
	.on_state = on_state,
	.on_closed = on_closed,
};

static void on_poll(uv_timer_t *t)
{
	struct lctx *x = t->data;
	bool enough;
	if (x->want_waiting)
		enough = x->n_waiting >= x->want_waiting;
	else
		enough = (x->no_script || atomic_load(&x->script_done)) &&
			 x->n_ready >= x->want_ready &&
			 x->n_creates >= x->want_creates;
	if (enough && x->want_rows)
		enough = x->sub &&
			 replica_count(live_sub_replica(x->sub)) >= x->want_rows;
	bool late = ++x->polls * POLL_MS > DEADLINE_MS;
	if (!enough && !late)
		return;
	x->timed_out = !enough;
	if (x->sub) {
		struct replica *r = live_sub_replica(x->sub);
		x->rows_at_end = replica_count(r);
		x->revision_at_end = replica_revision(r);
		if (x->at_end)
			x->at_end(x, r);
	}
	uv_timer_stop(t);
	uv_close((uv_handle_t *)t, NULL);
	if (x->drawing)
		uv_close((uv_handle_t *)&x->draw, NULL);
	x->closing = true;
	live_close(x->l);
}

static void on_created(struct client *c, struct client_reply *r, void *arg)
{
	(void)c;
	struct lctx *x = arg;
	if (x->n_creates < 4) {
		const Clubcrm__Frame *f = r->frame;
		x->create_status[x->n_creates] = r->status;
		if (r->status == STATUS_OK && f &&
		    f->body_case == CLUBCRM__FRAME__BODY_TASK_REPLY &&
		    f->task_reply->row && f->task_reply->row->task)
			x->create_id[x->n_creates] = f->task_reply->row->task->id;
		else if (r->status == STATUS_OK && f &&
			 f->body_case == CLUBCRM__FRAME__BODY_CUSTOMER_REPLY &&
			 f->customer_reply->customer)
			x->create_id[x->n_creates] =
				f->customer_reply->customer->id;
	}
	x->n_creates++;
}

/* A create queued before the first connection. */
static void create_task(struct lctx *x, const char *desc, unsigned retry_ms)
{
	Clubcrm__CreateTask ct = CLUBCRM__CREATE_TASK__INIT;
	ct.description = (char *)desc;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_CREATE_TASK;
	f.create_task = &ct;
	live_set_create_retry_ms(x->l, retry_ms);
	/* live_request() hands a create to live_create() (the desk's way). */
	assert_int_equal(live_request(x->l, &f, on_created, x), 0);
}

/* A customer added, queued before the first connection (an UpsertCustomer
 * whose customer has no id goes to live_create() too). */
static void add_customer(struct lctx *x, const char *name)
{
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	c.name = (char *)name;
	Clubcrm__UpsertCustomer u = CLUBCRM__UPSERT_CUSTOMER__INIT;
	u.customer = &c;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER;
	f.upsert_customer = &u;
	assert_int_equal(live_request(x->l, &f, on_created, x), 0);
	assert_false(u.has_idempotency_key);  /* the caller's is untouched */
}

static void run_live(struct lctx *x, const char *address,
		     live_random_fn random, void *random_ud)
{
	struct client_config cfg = {
		.address = address,
		.login = "anna",
		.password = "pw",
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	assert_int_equal(live_new(&x->loop, &cfg, &live_cbs, x, &x->l), 0);
	if (random)
		live_set_random(x->l, random, random_ud);
	if (x->subscribe) {
		Clubcrm__View v = CLUBCRM__VIEW__INIT;
		v.has_kind = true;
		v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
		assert_int_equal(live_subscribe(x->l, &v, NULL, NULL, &x->sub),
				 0);
	}
	if (x->queue == 1) {
		create_task(x, "first", LIVE_CREATE_RETRY_MS);
	} else if (x->queue == 2) {
		create_task(x, "gives up", 100);
		create_task(x, "closed", LIVE_CREATE_RETRY_MS);
	} else if (x->queue == 3) {
		add_customer(x, "Pilar");
	}
	uv_timer_init(&x->loop, &x->poll);
	x->poll.data = x;
	uv_timer_start(&x->poll, on_poll, POLL_MS, POLL_MS);
	live_start(x->l);
	uv_run(&x->loop, UV_RUN_DEFAULT);
	assert_true(x->closed);
	assert_int_equal(uv_loop_close(&x->loop), 0);
}

/* ------------------------------------------------------------ backoff */

static uint32_t zero_random(void *ud)
{
	(void)ud;
	return 0;
}

static uint32_t seq_random(void *ud)
{
	uint32_t *i = ud;
	static const uint32_t vals[] = {0, 1, 24, 25, 26, 49, 50, 51, 999,
					1000, 1001, 12345, 0x7fffffffu,
					0xfffffffeu, 0xffffffffu};
	return vals[(*i)++ % (sizeof(vals) / sizeof(vals[0]))];
}

/* The bound doubles up to the last one; every wait lies in [bound/2,
 * bound] whatever the random source says, and spans that range. */
static void test_backoff_bound_grows_jitter_within(void **state)
{
	(void)state;
	uint32_t i = 0;
	struct live_backoff b;
	live_backoff_init(&b, seq_random, &i);
	unsigned bound = LIVE_BACKOFF_FIRST_MS, prev = 0;
	for (int n = 0; n < 12; n++) {
		assert_int_equal(b.bound_ms, bound);
		unsigned w = live_backoff_next(&b);
		assert_true(w >= bound / 2 && w <= bound);
		assert_true(b.bound_ms >= bound);
		if (n < 4)  /* it grows: the bound after is twice this one */
			assert_int_equal(b.bound_ms, bound * 2);
		prev = bound;
		bound = b.bound_ms;
	}
	assert_int_equal(prev, LIVE_BACKOFF_MAX_MS);
	assert_int_equal(b.bound_ms, LIVE_BACKOFF_MAX_MS);

	/* At the last bound, the draws reach both ends of the range. */
	unsigned lo = ~0u, hi = 0;
	for (int n = 0; n < 30; n++) {
		unsigned w = live_backoff_next(&b);
		assert_true(w >= LIVE_BACKOFF_MAX_MS / 2 &&
			    w <= LIVE_BACKOFF_MAX_MS);
		lo = w < lo ? w : lo;
		hi = w > hi ? w : hi;
	}
	assert_int_equal(lo, LIVE_BACKOFF_MAX_MS / 2);
	assert_int_equal(hi, LIVE_BACKOFF_MAX_MS);

	/* The built-in source stays within the bound too. */
	live_backoff_init(&b, NULL, NULL);
	for (int n = 0; n < 200; n++) {
		unsigned before = b.bound_ms;
		unsigned w = live_backoff_next(&b);
		assert_true(w >= before / 2 && w <= before);
	}
	live_backoff_reset(&b);
	assert_int_equal(b.bound_ms, LIVE_BACKOFF_FIRST_MS);
}

/* A server that is not there: each wait the connection schedules is larger
 * than the one before, up to the last bound (the random source draws the
 * lowest wait, so the values are exact). */
static void test_live_retry_waits_grow(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.want_waiting = 6;
	char address[128];
	snprintf(address, sizeof(address), "unix:/tmp/clubcrm-nobody-%d.sock",
		 (int)getpid());
	run_live(&x, address, zero_random, NULL);
	assert_false(x.timed_out);
	unsigned want[] = {25, 50, 100, 200, 400, 500};
	for (int i = 0; i < 6; i++)
		assert_int_equal(x.delays[i], want[i]);
	assert_int_equal(x.n_ready, 0);
}

/* ------------------------------------------------------ resume tokens */

static const uint8_t TOKEN1[32] = "first-token-0123456789abcdefghij";
static const uint8_t TOKEN2[32] = "second-token-0123456789abcdefghi";

/* Reads the Login of a new connection; checks password or token. */
static uint64_t login_with(struct fake_server *fs, const uint8_t *token)
{
	if (!fake_handshake(fs, false))
		return 0;
	Clubcrm__Frame *f = fake_expect_login(fs);
	if (!f)
		return 0;
	const Clubcrm__Login *in = f->login;
	uint64_t rid = f->request_id;
	if (token) {
		if (!in->has_resume_token || in->resume_token.len != 32 ||
		    memcmp(in->resume_token.data, token, 32) != 0)
			fake_fail(fs, "login without the token issued");
		if (in->password && in->password[0])
			fake_fail(fs, "password sent with the token");
	} else {
		if (in->has_resume_token)
			fake_fail(fs, "a token no server issued");
		if (!in->password || strcmp(in->password, "pw") != 0)
			fake_fail(fs, "login without the password");
	}
	clubcrm__frame__free_unpacked(f, NULL);
	return rid;
}

/* Waits for the client's Logout (live_close) and ends the connection. */
static void finish(struct fake_server *fs)
{
	struct lctx *x = fs->arg;
	atomic_store(&x->script_done, true);
	fake_until_logout(fs);
}

static void script_tokens(struct fake_server *fs)
{
	uint64_t rid;
	/* 1: the password; a token comes with LoginOk. Then a cut. */
	if (!(rid = login_with(fs, NULL)))
		return;
	fake_send_login_ok(fs, rid, "anna", TOKEN1, 32);
	/* 2: the token instead of the password; a new one is issued. */
	if (!fake_accept(fs) || !(rid = login_with(fs, TOKEN1)))
		return;
	fake_send_login_ok(fs, rid, "anna", TOKEN2, 32);
	/* 3: the newest token, answered by a GoAway and a close. */
	if (!fake_accept(fs) || !(rid = login_with(fs, TOKEN2)))
		return;
	fake_send_goaway(fs, STATUS_UNAUTHENTICATED, "session revoked");
	/* 4: not that token again: the password; a token is issued. */
	if (!fake_accept(fs) || !(rid = login_with(fs, NULL)))
		return;
	fake_send_login_ok(fs, rid, "anna", TOKEN1, 32);
	/* 5: that token refused (expired, revoked). */
	if (!fake_accept(fs) || !(rid = login_with(fs, TOKEN1)))
		return;
	fake_send_error(fs, rid, STATUS_UNAUTHENTICATED,
			"wrong login or password");
	/* 6: the password again; no token issued (an older server). */
	if (!fake_accept(fs) || !(rid = login_with(fs, NULL)))
		return;
	fake_send_login_ok(fs, rid, "anna", NULL, 0);
	/* 7: still the password. */
	if (!fake_accept(fs) || !(rid = login_with(fs, NULL)))
		return;
	fake_send_login_ok(fs, rid, "anna", NULL, 0);
	finish(fs);
}

static void test_token_resume_and_fallback(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.want_ready = 5;
	assert_int_equal(fake_start(&x.fs, false, script_tokens, &x), 0);
	run_live(&x, x.fs.address, NULL, NULL);
	assert_true(fake_finish(&x.fs));
	assert_false(x.timed_out);
	assert_int_equal(x.n_ready, 5);
	assert_int_equal(x.n_failed, 0);  /* a refused token is no failure */
}

/* ------------------------------------------------- resume and barrier */

static Clubcrm__Frame *expect_body(struct fake_server *fs,
				   Clubcrm__Frame__BodyCase body)
{
	Clubcrm__Frame *f = fake_recv(fs);
	if (f && f->body_case == body)
		return f;
	fake_fail(fs, "not the frame expected");
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return NULL;
}

/* The Subscribe of a new connection; checks since_revision (0: none). */
static uint64_t subscribe_since(struct fake_server *fs, uint64_t since)
{
	if (!fake_handshake(fs, true))
		return 0;
	Clubcrm__Frame *f = expect_body(fs, CLUBCRM__FRAME__BODY_SUBSCRIBE);
	if (!f)
		return 0;
	const Clubcrm__Subscribe *s = f->subscribe;
	uint64_t got = s->has_since_revision ? s->since_revision : 0;
	if (got != since) {
		char why[100];
		snprintf(why, sizeof(why), "resume from %llu, not %llu",
			 (unsigned long long)got, (unsigned long long)since);
		fake_fail(fs, why);
	}
	uint64_t rid = f->request_id;
	clubcrm__frame__free_unpacked(f, NULL);
	return rid;
}

static void send_subscribed(struct fake_server *fs, uint64_t rid,
			    bool resumed, uint64_t rev)
{
	Clubcrm__Subscribed ok = CLUBCRM__SUBSCRIBED__INIT;
	ok.has_sub_id = ok.has_resumed = ok.has_revision = true;
	ok.sub_id = 1;
	ok.resumed = resumed;
	ok.revision = rev;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBED;
	f.subscribed = &ok;
	fake_send(fs, &f);
}

static void mkrow(Clubcrm__Task *t, Clubcrm__TaskRow *r, uint64_t id,
		  uint64_t rev)
{
	clubcrm__task__init(t);
	clubcrm__task_row__init(r);
	t->has_id = t->has_mod_rev = true;
	t->id = id;
	t->mod_rev = rev;
	r->task = t;
}

/* A replay delta (revision `rev`, the server's at the resume). */
static void send_row_delta(struct fake_server *fs, uint64_t id, uint64_t rev,
			   uint64_t row_rev)
{
	Clubcrm__Task t;
	Clubcrm__TaskRow r, *rp = &r;
	mkrow(&t, &r, id, row_rev);
	Clubcrm__Delta d = CLUBCRM__DELTA__INIT, *dp = &d;
	d.has_sub_id = d.has_revision = true;
	d.sub_id = 1;
	d.revision = rev;
	d.upserts = &rp;
	d.n_upserts = 1;
	Clubcrm__DeltaBatch b = CLUBCRM__DELTA_BATCH__INIT;
	b.deltas = &dp;
	b.n_deltas = 1;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_DELTAS;
	f.deltas = &b;
	fake_send(fs, &f);
}

static void send_snapshot(struct fake_server *fs, uint64_t rev)
{
	Clubcrm__Task t;
	Clubcrm__TaskRow r, *rp = &r;
	mkrow(&t, &r, 1, rev);
	Clubcrm__SnapshotChunk c = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	c.has_sub_id = true;
	c.sub_id = 1;
	c.rows = &rp;
	c.n_rows = 1;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK;
	f.snapshot_chunk = &c;
	fake_send(fs, &f);
	Clubcrm__SnapshotDone d = CLUBCRM__SNAPSHOT_DONE__INIT;
	d.has_sub_id = d.has_revision = true;
	d.sub_id = 1;
	d.revision = rev;
	Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
	g.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_DONE;
	g.snapshot_done = &d;
	fake_send(fs, &g);
}

static void script_resume(struct fake_server *fs)
{
	uint64_t rid;
	/* 1: a snapshot at 5, then a cut. */
	if (!(rid = subscribe_since(fs, 0)))
		return;
	send_subscribed(fs, rid, false, 5);
	send_snapshot(fs, 5);
	/* 2: resumed at 9, one replay delta, the barrier's Ping not
	 * answered: cut. */
	if (!fake_accept(fs) || !(rid = subscribe_since(fs, 5)))
		return;
	send_subscribed(fs, rid, true, 9);
	send_row_delta(fs, 1, 9, 7);
	Clubcrm__Frame *ping = expect_body(fs, CLUBCRM__FRAME__BODY_PING);
	if (!ping)
		return;
	clubcrm__frame__free_unpacked(ping, NULL);
	/* 3: the replay was not confirmed: asked from 5 again. This time
	 * the Pong comes after the replay. */
	if (!fake_accept(fs) || !(rid = subscribe_since(fs, 5)))
		return;
	send_subscribed(fs, rid, true, 9);
	send_row_delta(fs, 1, 9, 7);
	send_row_delta(fs, 2, 9, 8);
	if (!(ping = expect_body(fs, CLUBCRM__FRAME__BODY_PING)))
		return;
	Clubcrm__Pong pong = CLUBCRM__PONG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = ping->request_id;
	f.body_case = CLUBCRM__FRAME__BODY_PONG;
	f.pong = &pong;
	clubcrm__frame__free_unpacked(ping, NULL);
	fake_send(fs, &f);
	/* 4: the whole replay applied: asked from 9. */
	if (!fake_accept(fs) || !(rid = subscribe_since(fs, 9)))
		return;
	send_subscribed(fs, rid, true, 9);
	finish(fs);
}

static void test_cut_after_resumed_answer(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.subscribe = true;
	x.want_ready = 4;
	assert_int_equal(fake_start(&x.fs, false, script_resume, &x), 0);
	run_live(&x, x.fs.address, NULL, NULL);
	assert_true(fake_finish(&x.fs));
	assert_false(x.timed_out);
	assert_int_equal(x.n_ready, 4);
	assert_int_equal(x.rows_at_end, 2);
}

/* A subscription made by the READY callback itself (the console does it
 * when the club's zone arrives) is sent once, not a second time by the
 * loop that resubscribes every view after a connect: a second Subscribe
 * for one sub_id is refused with ALREADY_EXISTS. */
static void script_subscribe_on_ready(struct fake_server *fs)
{
	uint64_t rid;
	if (!(rid = subscribe_since(fs, 0)))
		return;
	send_subscribed(fs, rid, false, 5);
	struct lctx *x = fs->arg;
	atomic_store(&x->script_done, true);
	Clubcrm__Frame *f;
	while ((f = fake_recv(fs))) {
		bool out = f->body_case == CLUBCRM__FRAME__BODY_LOGOUT;
		if (f->body_case == CLUBCRM__FRAME__BODY_SUBSCRIBE)
			fake_fail(fs, "a second Subscribe for one view");
		clubcrm__frame__free_unpacked(f, NULL);
		if (out)
			break;
	}
	close(fs->fd);
	fs->fd = -1;
}

static void test_subscribe_from_ready_sent_once(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.subscribe_on_ready = true;
	x.want_ready = 1;
	assert_int_equal(fake_start(&x.fs, false, script_subscribe_on_ready,
				    &x), 0);
	run_live(&x, x.fs.address, NULL, NULL);
	assert_true(fake_finish(&x.fs));
	assert_false(x.timed_out);
}

/* ------------------------------------------- snapshot rows by hand */

/* A chunk of rows first_id.. with their names; with a customer too (a
 * shape live.c's hand decoding leaves to protobuf-c). */
static void send_chunk(struct fake_server *fs, uint64_t first_id, size_t n,
		       bool with_customer)
{
	Clubcrm__Task t[4];
	Clubcrm__TaskRow r[4], *rp[4];
	char names[4][16];
	char *tags[2] = {(char *)"VIP", (char *)""};
	for (size_t i = 0; i < n && i < 4; i++) {
		mkrow(&t[i], &r[i], first_id + i, 3);
		snprintf(names[i], sizeof(names[i]), "c%llu",
			 (unsigned long long)(first_id + i));
		r[i].customer_name = names[i];
		r[i].tag_names = tags;
		r[i].n_tag_names = 2;
		t[i].description = (char *)"call back";
		rp[i] = &r[i];
	}
	Clubcrm__Customer cu = CLUBCRM__CUSTOMER__INIT, *cup = &cu;
	cu.has_id = true;
	cu.id = 99;
	Clubcrm__SnapshotChunk c = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	c.has_sub_id = true;
	c.sub_id = 1;
	c.rows = rp;
	c.n_rows = n;
	if (with_customer) {
		c.customers = &cup;
		c.n_customers = 1;
	}
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK;
	f.snapshot_chunk = &c;
	fake_send(fs, &f);
}

static void script_snapshot_rows(struct fake_server *fs)
{
	struct lctx *x = fs->arg;
	uint64_t rid;
	if (!(rid = subscribe_since(fs, 0)))
		return;
	send_subscribed(fs, rid, false, 5);
	send_chunk(fs, 1, 3, false);   /* decoded by hand */
	send_chunk(fs, 4, 2, true);    /* by protobuf-c */
	/* Row 6, then a row whose string runs past its end: the whole
	 * frame is malformed, and none of its rows may be applied. */
	Clubcrm__Task t;
	Clubcrm__TaskRow r;
	mkrow(&t, &r, 6, 3);
	uint8_t row6[64], chunk[128], frame[160];
	size_t n6 = clubcrm__task_row__pack(&r, row6);
	size_t cn = 0;
	chunk[cn++] = 0x08;  /* sub_id 1 */
	chunk[cn++] = 0x01;
	chunk[cn++] = 0x12;  /* rows: row 6 */
	chunk[cn++] = (uint8_t)n6;
	memcpy(chunk + cn, row6, n6);
	cn += n6;
	static const uint8_t bad[] = {0x12, 0x03, 0x12, 0x05, 'a'};
	memcpy(chunk + cn, bad, sizeof(bad));
	cn += sizeof(bad);
	size_t fn = 4;
	frame[fn++] = 0xc2;  /* snapshot_chunk (200) */
	frame[fn++] = 0x0c;
	frame[fn++] = (uint8_t)cn;
	memcpy(frame + fn, chunk, cn);
	fn += cn;
	uint32_t plen = (uint32_t)(fn - 4);
	frame[0] = (uint8_t)(plen >> 24);
	frame[1] = (uint8_t)(plen >> 16);
	frame[2] = (uint8_t)(plen >> 8);
	frame[3] = (uint8_t)plen;
	fake_send_raw(fs, frame, fn);
	if (!fake_wait_eof(fs, 5000))
		fake_fail(fs, "the malformed chunk did not end the connection");
	atomic_store(&x->script_done, true);
}

static void rows_as_sent(struct lctx *x, const struct replica *r)
{
	bool ok = replica_count(r) == 5 && !replica_get(r, 6);
	for (uint64_t id = 1; ok && id <= 5; id++) {
		const Clubcrm__TaskRow *row = replica_get(r, id);
		char name[16];
		snprintf(name, sizeof(name), "c%llu", (unsigned long long)id);
		ok = row && row->customer_name &&
		     strcmp(row->customer_name, name) == 0 &&
		     row->n_tag_names == 2 && strcmp(row->tag_names[0], "VIP") == 0 &&
		     strcmp(row->tag_names[1], "") == 0 && row->task->mod_rev == 3 &&
		     strcmp(row->task->description, "call back") == 0;
	}
	x->end_ok = ok && r->cat.n_customers == 1;
}

/* Snapshot rows reach the replica whether live.c decodes them by hand (a
 * chunk of rows only) or leaves the frame to protobuf-c (a chunk with
 * more), with every field; a chunk with one malformed row ends the
 * connection as any malformed frame does, and none of its rows count. */
static void test_snapshot_rows_by_hand(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.subscribe = true;
	x.want_waiting = 1;
	x.at_end = rows_as_sent;
	assert_int_equal(fake_start(&x.fs, false, script_snapshot_rows, &x),
			 0);
	run_live(&x, x.fs.address, NULL, NULL);
	assert_true(fake_finish(&x.fs));
	assert_false(x.timed_out);
	assert_int_equal(x.rows_at_end, 5);
	assert_true(x.end_ok);
}

/* A snapshot whose first chunk (3 rows) comes with a big second one
 * (1,200 rows, about 150 KiB) in one write, all of it in the socket
 * before the client reads any (the draw holds the loop until it is): the
 * screen's first draw shows the first chunk alone, before the rest is
 * read (libuv would read up to 2 MiB in the same turn of the loop, all
 * decoded before the draw). */
static void script_first_chunk_drawn(struct fake_server *fs)
{
	struct lctx *x = fs->arg;
	uint64_t rid;
	if (!(rid = subscribe_since(fs, 0)))
		return;
	atomic_store(&x->chunks_coming, true);
	enum { BIG = 1200 };
	Clubcrm__Task *t = calloc(BIG + 3, sizeof(*t));
	Clubcrm__TaskRow *r = calloc(BIG + 3, sizeof(*r));
	Clubcrm__TaskRow **rp = calloc(BIG + 3, sizeof(*rp));
	char desc[101];
	memset(desc, 'd', 100);
	desc[100] = '\0';
	for (size_t i = 0; i < BIG + 3; i++) {
		mkrow(&t[i], &r[i], i + 1, 3);
		t[i].description = desc;
		rp[i] = &r[i];
	}
	Clubcrm__Subscribed ok = CLUBCRM__SUBSCRIBED__INIT;
	ok.has_sub_id = ok.has_resumed = ok.has_revision = true;
	ok.sub_id = 1;
	ok.revision = 5;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBED;
	f.subscribed = &ok;
	struct buf out = {0};
	int rc = frame_encode(&f, &out);
	Clubcrm__SnapshotChunk c = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	c.has_sub_id = true;
	c.sub_id = 1;
	Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
	g.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK;
	g.snapshot_chunk = &c;
	c.rows = rp;
	c.n_rows = 3;
	rc = rc ? rc : frame_encode(&g, &out);
	c.rows = rp + 3;
	c.n_rows = BIG;
	rc = rc ? rc : frame_encode(&g, &out);
	if (rc || out.len < 130 * 1024 || out.len > 180 * 1024)
		fake_fail(fs, "could not build the frames");
	else
		fake_send_raw(fs, out.data, out.len);
	buf_free(&out);
	free(rp);
	free(r);
	free(t);
	atomic_store(&x->script_done, true);
}

static void on_draw(uv_prepare_t *p)
{
	struct lctx *x = p->data;
	if (!x->held && atomic_load(&x->chunks_coming)) {
		/* The whole write in the socket first (it fits: 150 KiB),
		 * 2 s at most. */
		x->held = true;
		for (int i = 0; i < 2000 && !atomic_load(&x->script_done); i++)
			usleep(1000);
	}
	if (x->first_drawn || !x->sub)
		return;
	x->first_drawn = replica_count(live_sub_replica(x->sub));
}

static void test_first_chunk_drawn_before_the_rest_is_read(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.subscribe = true;
	x.want_ready = 1;
	x.want_rows = 1203;
	uv_prepare_init(&x.loop, &x.draw);
	x.draw.data = &x;
	uv_prepare_start(&x.draw, on_draw);
	x.drawing = true;
	assert_int_equal(fake_start(&x.fs, false, script_first_chunk_drawn,
				    &x), 0);
	run_live(&x, x.fs.address, NULL, NULL);
	assert_true(fake_finish(&x.fs));
	assert_false(x.timed_out);
	assert_int_equal(x.rows_at_end, 1203);
	assert_true(x.held);
	assert_int_equal(x.first_drawn, 3);
}

/* ------------------------------------------------ creates and retries */

static void script_create(struct fake_server *fs)
{
	uint8_t key[64];
	size_t key_len = 0;
	/* 1: the create comes (with a key the library drew); the
	 * connection goes before the answer. */
	if (!fake_handshake(fs, true))
		return;
	Clubcrm__Frame *f = expect_body(fs, CLUBCRM__FRAME__BODY_CREATE_TASK);
	if (!f)
		return;
	const Clubcrm__CreateTask *ct = f->create_task;
	if (!ct->has_idempotency_key || ct->idempotency_key.len != 16)
		fake_fail(fs, "a create without a key");
	else
		memcpy(key, ct->idempotency_key.data, key_len = 16);
	clubcrm__frame__free_unpacked(f, NULL);
	/* 2: the same create again, with the same key: answered. */
	if (!fake_accept(fs) || !fake_handshake(fs, true))
		return;
	if (!(f = expect_body(fs, CLUBCRM__FRAME__BODY_CREATE_TASK)))
		return;
	ct = f->create_task;
	if (!ct->has_idempotency_key || ct->idempotency_key.len != key_len ||
	    memcmp(ct->idempotency_key.data, key, key_len) != 0)
		fake_fail(fs, "the retry carries another key");
	if (!ct->description || strcmp(ct->description, "first") != 0)
		fake_fail(fs, "the retry is another request");
	Clubcrm__Task t;
	Clubcrm__TaskRow r;
	mkrow(&t, &r, 77, 3);
	Clubcrm__TaskReply tr = CLUBCRM__TASK_REPLY__INIT;
	tr.row = &r;
	Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
	g.has_request_id = true;
	g.request_id = f->request_id;
	g.body_case = CLUBCRM__FRAME__BODY_TASK_REPLY;
	g.task_reply = &tr;
	clubcrm__frame__free_unpacked(f, NULL);
	fake_send(fs, &g);
	finish(fs);
}

static void test_create_retried_with_same_key(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.want_ready = 2;
	x.want_creates = 1;
	x.queue = 1;
	assert_int_equal(fake_start(&x.fs, false, script_create, &x), 0);
	run_live(&x, x.fs.address, NULL, NULL);
	assert_true(fake_finish(&x.fs));
	assert_false(x.timed_out);
	assert_int_equal(x.n_creates, 1);
	assert_int_equal(x.create_status[0], STATUS_OK);
	assert_int_equal(x.create_id[0], 77);
}

/* The same for a customer added: the add is cut before its answer, then
 * sent again on the next connection with the key of the first. An edit is
 * an ordinary request: it fails at once while disconnected. */
static void script_customer_add(struct fake_server *fs)
{
	uint8_t key[16];
	if (!fake_handshake(fs, true))
		return;
	Clubcrm__Frame *f = expect_body(fs,
					CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER);
	if (!f)
		return;
	const Clubcrm__UpsertCustomer *u = f->upsert_customer;
	if (!u->has_idempotency_key || u->idempotency_key.len != sizeof(key))
		fake_fail(fs, "a customer added without a key");
	else
		memcpy(key, u->idempotency_key.data, sizeof(key));
	clubcrm__frame__free_unpacked(f, NULL);
	if (!fake_accept(fs) || !fake_handshake(fs, true))
		return;
	if (!(f = expect_body(fs, CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER)))
		return;
	u = f->upsert_customer;
	if (!u->has_idempotency_key || u->idempotency_key.len != sizeof(key) ||
	    memcmp(u->idempotency_key.data, key, sizeof(key)) != 0)
		fake_fail(fs, "the retry carries another key");
	if (!u->customer || !u->customer->name ||
	    strcmp(u->customer->name, "Pilar") != 0)
		fake_fail(fs, "the retry is another request");
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	c.has_id = true;
	c.id = 88;
	Clubcrm__CustomerReply cr = CLUBCRM__CUSTOMER_REPLY__INIT;
	cr.customer = &c;
	Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
	g.has_request_id = true;
	g.request_id = f->request_id;
	g.body_case = CLUBCRM__FRAME__BODY_CUSTOMER_REPLY;
	g.customer_reply = &cr;
	clubcrm__frame__free_unpacked(f, NULL);
	fake_send(fs, &g);
	finish(fs);
}

static void test_customer_add_retried_with_same_key(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.want_ready = 2;
	x.want_creates = 1;
	x.queue = 3;
	assert_int_equal(fake_start(&x.fs, false, script_customer_add, &x),
			 0);
	run_live(&x, x.fs.address, NULL, NULL);
	assert_true(fake_finish(&x.fs));
	assert_false(x.timed_out);
	assert_int_equal(x.n_creates, 1);
	assert_int_equal(x.create_status[0], STATUS_OK);
	assert_int_equal(x.create_id[0], 88);
}

/* An edit of a customer (it has an id) is no create: live_create()
 * refuses it, and live_request() while disconnected fails it from the
 * loop instead of keeping it. */
static void test_customer_edit_not_kept(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.no_script = true;
	x.want_creates = 1;
	char address[128];
	snprintf(address, sizeof(address), "unix:/tmp/clubcrm-nobody-%d.sock",
		 (int)getpid());
	struct client_config cfg = {
		.address = address, .login = "anna", .password = "pw",
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	assert_int_equal(live_new(&x.loop, &cfg, &live_cbs, &x, &x.l), 0);
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	c.has_id = true;
	c.id = 9;
	c.name = "Pilar";
	Clubcrm__UpsertCustomer u = CLUBCRM__UPSERT_CUSTOMER__INIT;
	u.customer = &c;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER;
	f.upsert_customer = &u;
	assert_int_equal(live_create(x.l, &f, on_created, &x),
			 STATUS_INVALID_ARGUMENT);
	assert_int_equal(live_request(x.l, &f, on_created, &x), 0);
	uv_timer_init(&x.loop, &x.poll);
	x.poll.data = &x;
	uv_timer_start(&x.poll, on_poll, POLL_MS, POLL_MS);
	live_start(x.l);
	uv_run(&x.loop, UV_RUN_DEFAULT);
	assert_true(x.closed);
	assert_int_equal(uv_loop_close(&x.loop), 0);
	assert_false(x.timed_out);
	assert_int_equal(x.n_creates, 1);
	assert_int_equal(x.create_status[0], STATUS_UNAVAILABLE);
}

/* No server: a create fails once its time is up, another when the live
 * connection is closed; each callback exactly once. */
static void test_create_gives_up(void **state)
{
	(void)state;
	struct lctx x = {0};
	uv_loop_init(&x.loop);
	x.no_script = true;
	x.queue = 2;
	x.want_creates = 1;  /* the one that gives up; the close does the other */
	char address[128];
	snprintf(address, sizeof(address), "unix:/tmp/clubcrm-nobody-%d.sock",
		 (int)getpid());
	run_live(&x, address, NULL, NULL);
	assert_false(x.timed_out);
	assert_int_equal(x.n_creates, 2);
	assert_int_equal(x.create_status[0], STATUS_UNAVAILABLE);
	assert_int_equal(x.create_status[1], STATUS_UNAVAILABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_bound_grows_jitter_within),
		cmocka_unit_test(test_live_retry_waits_grow),
		cmocka_unit_test(test_token_resume_and_fallback),
		cmocka_unit_test(test_cut_after_resumed_answer),
		cmocka_unit_test(test_subscribe_from_ready_sent_once),
		cmocka_unit_test(test_snapshot_rows_by_hand),
		cmocka_unit_test(test_first_chunk_drawn_before_the_rest_is_read),
		cmocka_unit_test(test_create_retried_with_same_key),
		cmocka_unit_test(test_create_gives_up),
		cmocka_unit_test(test_customer_add_retried_with_same_key),
		cmocka_unit_test(test_customer_edit_not_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
