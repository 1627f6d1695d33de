/*
 * The client library's state machine against a scripted fake server:
 * replies routed by id whatever their order, pushes, pings answered, GoAway
 * and the disconnect, pending requests completed on close, forgotten
 * requests, refusals in the handshake and the login, frames over the limit,
 * name resolution and refused connects. Every test ends with no handle left
 * (uv_loop_close() == 0).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "fake_server.h"
#include "status.h"

#define DEADLINE_MS 5000

struct ctx {
	uv_loop_t loop;
	uv_timer_t deadline;
	struct client *c;
	struct fake_server fs;
	bool close_when_ready;   /* close right after on_ready */
	int n_requests;          /* sent on ready */
	uint64_t ids[8];
	int order[8];            /* reply callbacks: index of the request */
	unsigned status[8];
	char message[8][64];
	int n_replies;
	unsigned pushes;
	unsigned snap_chunks, snap_rows, snap_bad, snap_done, big_deltas;
	bool goaway;
	struct client_status ready, disc;
	bool ready_called, disc_called, closed, timed_out;
};

static void on_reply(struct client *c, struct client_reply *r, void *arg)
{
	struct ctx *x = client_userdata(c);
	int idx = (int)(intptr_t)arg;
	if (x->n_replies < 8) {
		x->order[x->n_replies] = idx;
		x->status[x->n_replies] = r->status;
		snprintf(x->message[x->n_replies], 64, "%s", r->message);
	}
	x->n_replies++;
}

static void send_requests(struct ctx *x)
{
	for (int i = 0; i < x->n_requests; i++) {
		Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
		Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
		f.body_case = CLUBCRM__FRAME__BODY_GET_CATALOG;
		f.get_catalog = &get;
		assert_int_equal(client_request(x->c, &f, on_reply,
						(void *)(intptr_t)i, &x->ids[i]),
				 0);
		assert_int_equal(f.request_id, x->ids[i]);
	}
}

static void on_ready(struct client *c, const struct client_status *st,
		     void *ud)
{
	struct ctx *x = ud;
	x->ready_called = true;
	x->ready = *st;
	if (st->code != STATUS_OK) {
		client_close(c);
		return;
	}
	send_requests(x);
	if (x->close_when_ready) {
		client_close(c);
		/* Completed at once, before client_close() returned. */
		assert_int_equal(x->n_replies, x->n_requests);
		Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
		assert_int_equal(client_request(c, &f, on_reply, NULL, NULL),
				 STATUS_UNAVAILABLE);
	}
}

#define SNAP_CHUNKS 4
#define SNAP_CHUNK_ROWS 700

static void snap_description(char *out, size_t size, uint64_t id)
{
	snprintf(out, size, "row %llu: %0100llu",
		 (unsigned long long)id, (unsigned long long)id * 7);
}

/* Every row of a snapshot chunk as the script sent it: the arena that the
 * chunk was decoded into is reused from one chunk to the next. */
static void check_rows(struct ctx *x, Clubcrm__TaskRow **rows, size_t n,
		       uint64_t first)
{
	char want[160];
	for (size_t i = 0; i < n; i++) {
		snap_description(want, sizeof(want), first + i);
		if (!rows[i]->task || rows[i]->task->id != first + i ||
		    strcmp(rows[i]->task->description, want) != 0)
			x->snap_bad++;
	}
}

static void on_push(struct client *c, const Clubcrm__Frame *f, void *ud)
{
	struct ctx *x = ud;
	/* The frame as it came: the test server encodes as protobuf-c does. */
	if (client_frame_bytes(c) != clubcrm__frame__get_packed_size(f) + 4)
		x->snap_bad++;
	if (f->body_case == CLUBCRM__FRAME__BODY_REMINDER && f->reminder->row &&
	    f->reminder->row->task && f->reminder->row->task->id == 5)
		x->pushes++;
	if (f->body_case == CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK) {
		const Clubcrm__SnapshotChunk *ch = f->snapshot_chunk;
		check_rows(x, ch->rows, ch->n_rows,
			   1 + (uint64_t)x->snap_chunks * SNAP_CHUNK_ROWS);
		x->snap_chunks++;
		x->snap_rows += (unsigned)ch->n_rows;
	}
	if (f->body_case == CLUBCRM__FRAME__BODY_DELTAS &&
	    f->deltas->n_deltas == 1) {
		const Clubcrm__Delta *d = f->deltas->deltas[0];
		check_rows(x, d->upserts, d->n_upserts, 1 + SNAP_CHUNK_ROWS);
		x->big_deltas++;
	}
	if (f->body_case == CLUBCRM__FRAME__BODY_SNAPSHOT_DONE &&
	    f->snapshot_done->revision == 42)
		x->snap_done++;
}

static void on_goaway(struct client *c, unsigned code, const char *reason,
		      void *ud)
{
	struct ctx *x = ud;
	x->goaway = code == STATUS_UNAVAILABLE && strcmp(reason, "bye") == 0;
}

static void on_disconnect(struct client *c, const struct client_status *st,
			  void *ud)
{
	struct ctx *x = ud;
	x->disc_called = true;
	x->disc = *st;
	client_close(c);
}

static void on_closed(struct client *c, void *ud)
{
	struct ctx *x = ud;
	x->closed = true;
	x->c = NULL;
	uv_close((uv_handle_t *)&x->deadline, NULL);
}

static void on_deadline(uv_timer_t *t)
{
	struct ctx *x = t->data;
	x->timed_out = true;
	client_close(x->c);
}

static const struct client_callbacks callbacks = {
	.on_ready = on_ready, .on_push = on_push, .on_goaway = on_goaway,
	.on_disconnect = on_disconnect, .on_closed = on_closed,
};

/* Runs one client against `address` until it is closed and freed. */
static void run_client(struct ctx *x, const char *address, const char *login)
{
	assert_int_equal(uv_loop_init(&x->loop), 0);
	uv_timer_init(&x->loop, &x->deadline);
	x->deadline.data = x;
	uv_timer_start(&x->deadline, on_deadline, DEADLINE_MS, 0);
	struct client_config cfg = {
		.address = address, .login = login, .password = "pw",
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
		.terminal_name = "unit",
	};
	assert_int_equal(client_new(&x->loop, &cfg, &callbacks, x, &x->c), 0);
	assert_int_equal(client_get_state(x->c), CLIENT_NEW);
	assert_int_equal(client_connect(x->c), 0);
	uv_run(&x->loop, UV_RUN_DEFAULT);
	assert_true(x->closed);
	assert_false(x->timed_out);
	assert_int_equal(uv_loop_close(&x->loop), 0);
}

/* ------------------------------------------------------------ scripts */

static void reply_catalog(struct fake_server *fs, uint64_t rid)
{
	Clubcrm__Catalog cat = CLUBCRM__CATALOG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_CATALOG;
	f.catalog = &cat;
	fake_send(fs, &f);
}

static bool expect_pong(struct fake_server *fs, uint64_t nonce)
{
	Clubcrm__Frame *f = fake_recv(fs);
	bool ok = f && f->body_case == CLUBCRM__FRAME__BODY_PONG &&
		  f->pong->nonce == nonce;
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return ok;
}

static void script_busy(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	uint64_t rid[3];
	for (int i = 0; i < 3; i++) {
		Clubcrm__Frame *f = fake_recv(fs);
		if (!f || f->body_case != CLUBCRM__FRAME__BODY_GET_CATALOG) {
			fake_fail(fs, "expected GetCatalog");
			if (f)
				clubcrm__frame__free_unpacked(f, NULL);
			return;
		}
		rid[i] = f->request_id;
		clubcrm__frame__free_unpacked(f, NULL);
	}
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	ping.has_nonce = true;
	ping.nonce = 77;
	Clubcrm__Frame pf = CLUBCRM__FRAME__INIT;
	pf.body_case = CLUBCRM__FRAME__BODY_PING;
	pf.ping = &ping;
	fake_send(fs, &pf);
	if (!expect_pong(fs, 77))
		fake_fail(fs, "no pong for the ping");
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.has_id = true;
	t.id = 5;
	Clubcrm__TaskRow row = CLUBCRM__TASK_ROW__INIT;
	row.task = &t;
	Clubcrm__Reminder rem = CLUBCRM__REMINDER__INIT;
	rem.row = &row;
	Clubcrm__Frame push = CLUBCRM__FRAME__INIT;
	push.body_case = CLUBCRM__FRAME__BODY_REMINDER;
	push.reminder = &rem;
	fake_send(fs, &push);
	reply_catalog(fs, rid[2]);
	fake_send_error(fs, rid[0], STATUS_NOT_FOUND, "nope");
	reply_catalog(fs, rid[1]);
	fake_say_bye(fs);
}

static void test_replies_pushes_ping_goaway(void **state)
{
	struct ctx x = {.n_requests = 3};
	assert_int_equal(fake_start(&x.fs, false, script_busy, &x), 0);
	run_client(&x, x.fs.address, "alicia");
	assert_true(fake_finish(&x.fs));
	assert_int_equal(x.ready.code, STATUS_OK);
	assert_int_equal(x.n_replies, 3);
	assert_int_equal(x.order[0], 2);
	assert_int_equal(x.status[0], STATUS_OK);
	assert_int_equal(x.order[1], 0);
	assert_int_equal(x.status[1], STATUS_NOT_FOUND);
	assert_string_equal(x.message[1], "nope");
	assert_int_equal(x.order[2], 1);
	assert_int_equal(x.pushes, 1);
	assert_true(x.goaway);
	assert_true(x.disc_called);
	assert_int_equal(x.disc.code, STATUS_UNAVAILABLE);
	assert_non_null(strstr(x.disc.message, "bye"));
}

/* Rows first..first+n-1 with long descriptions: over 64 KiB in a frame. */
static Clubcrm__TaskRow **snap_rows(uint64_t first, size_t n)
{
	Clubcrm__TaskRow **rows = calloc(n, sizeof(*rows));
	for (size_t i = 0; rows && i < n; i++) {
		struct { Clubcrm__TaskRow row; Clubcrm__Task task; char d[160]; }
			*m = calloc(1, sizeof(*m));
		if (!m)
			break;
		clubcrm__task_row__init(&m->row);
		clubcrm__task__init(&m->task);
		m->task.has_id = true;
		m->task.id = first + i;
		snap_description(m->d, sizeof(m->d), first + i);
		m->task.description = m->d;
		m->row.task = &m->task;
		rows[i] = &m->row;
	}
	return rows;
}

static void free_rows(Clubcrm__TaskRow **rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
}

/* Snapshot chunks (each over 64 KiB) with a large delta batch among them,
 * then SnapshotDone, then goodbye. */
static void script_snapshot(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	for (int k = 0; k < SNAP_CHUNKS; k++) {
		Clubcrm__TaskRow **rows =
			snap_rows(1 + (uint64_t)k * SNAP_CHUNK_ROWS,
				  SNAP_CHUNK_ROWS);
		Clubcrm__SnapshotChunk ch = CLUBCRM__SNAPSHOT_CHUNK__INIT;
		ch.rows = rows;
		ch.n_rows = SNAP_CHUNK_ROWS;
		Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
		f.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK;
		f.snapshot_chunk = &ch;
		fake_send(fs, &f);
		if (k == 1) {
			/* Not a chunk: its memory goes at once. */
			Clubcrm__Delta d = CLUBCRM__DELTA__INIT;
			Clubcrm__Delta *dp = &d;
			d.upserts = rows;
			d.n_upserts = SNAP_CHUNK_ROWS;
			Clubcrm__DeltaBatch db = CLUBCRM__DELTA_BATCH__INIT;
			db.deltas = &dp;
			db.n_deltas = 1;
			Clubcrm__Frame df = CLUBCRM__FRAME__INIT;
			df.body_case = CLUBCRM__FRAME__BODY_DELTAS;
			df.deltas = &db;
			fake_send(fs, &df);
		}
		free_rows(rows, SNAP_CHUNK_ROWS);
	}
	Clubcrm__SnapshotDone done = CLUBCRM__SNAPSHOT_DONE__INIT;
	done.has_revision = true;
	done.revision = 42;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_DONE;
	f.snapshot_done = &done;
	fake_send(fs, &f);
	shutdown(fs->fd, SHUT_WR);
	fake_wait_eof(fs, 5000);
}

/* Large pushes decoded one after another into the push arena: every row
 * intact, whichever memory the arena handed out again. */
static void test_snapshot_chunks_decoded(void **state)
{
	struct ctx x = {0};
	assert_int_equal(fake_start(&x.fs, false, script_snapshot, &x), 0);
	run_client(&x, x.fs.address, "alicia");
	assert_true(fake_finish(&x.fs));
	assert_int_equal(x.ready.code, STATUS_OK);
	assert_int_equal(x.snap_chunks, SNAP_CHUNKS);
	assert_int_equal(x.snap_rows, SNAP_CHUNKS * SNAP_CHUNK_ROWS);
	assert_int_equal(x.big_deltas, 1);
	assert_int_equal(x.snap_done, 1);
	assert_int_equal(x.snap_bad, 0);
	assert_true(x.disc_called);
}

static void script_then_eof(struct fake_server *fs)
{
	if (fake_handshake(fs, true))
		fake_wait_eof(fs, 5000);
}

static void test_close_completes_pending(void **state)
{
	struct ctx x = {.n_requests = 2, .close_when_ready = true};
	assert_int_equal(fake_start(&x.fs, false, script_then_eof, &x), 0);
	run_client(&x, x.fs.address, "alicia");
	assert_true(fake_finish(&x.fs));
	assert_int_equal(x.n_replies, 2);
	assert_int_equal(x.status[0], STATUS_UNAVAILABLE);
	assert_int_equal(x.status[1], STATUS_UNAVAILABLE);
	assert_false(x.disc_called);  /* closed by us, not lost */
}

static void script_huge_frame(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	Clubcrm__Frame *f = fake_recv(fs);
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	const uint8_t huge[8] = {0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4};
	fake_send_raw(fs, huge, sizeof(huge));
	fake_wait_eof(fs, 5000);
}

static void test_server_frame_over_limit(void **state)
{
	struct ctx x = {.n_requests = 1};
	assert_int_equal(fake_start(&x.fs, false, script_huge_frame, &x), 0);
	run_client(&x, x.fs.address, "alicia");
	assert_true(fake_finish(&x.fs));
	assert_int_equal(x.n_replies, 1);
	assert_int_equal(x.status[0], STATUS_INTERNAL);
	assert_true(x.disc_called);
	assert_int_equal(x.disc.code, STATUS_INTERNAL);
}

static void script_refuse_hello(struct fake_server *fs)
{
	uint8_t preface[12];
	if (recv(fs->fd, preface, sizeof(preface), MSG_WAITALL) != 12)
		return fake_fail(fs, "no preface");
	Clubcrm__Frame *f = fake_recv(fs);
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	fake_send_error(fs, 0, STATUS_FAILED_PRECONDITION, "too old");
	fake_wait_eof(fs, 5000);
}

static void test_handshake_refused(void **state)
{
	struct ctx x = {0};
	assert_int_equal(fake_start(&x.fs, false, script_refuse_hello, &x), 0);
	run_client(&x, x.fs.address, "alicia");
	assert_true(fake_finish(&x.fs));
	assert_true(x.ready_called);
	assert_int_equal(x.ready.code, STATUS_FAILED_PRECONDITION);
	assert_string_equal(x.ready.message, "too old");
	assert_false(x.disc_called);
}

static void script_refuse_login(struct fake_server *fs)
{
	if (!fake_handshake(fs, false))
		return;
	Clubcrm__Frame *f = fake_recv(fs);
	if (!f || f->body_case != CLUBCRM__FRAME__BODY_LOGIN)
		fake_fail(fs, "expected Login");
	else
		fake_send_error(fs, f->request_id, STATUS_UNAUTHENTICATED,
				"wrong login or password");
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	fake_wait_eof(fs, 5000);
}

static void test_login_refused(void **state)
{
	struct ctx x = {0};
	assert_int_equal(fake_start(&x.fs, false, script_refuse_login, &x), 0);
	run_client(&x, x.fs.address, "alicia");
	assert_true(fake_finish(&x.fs));
	assert_int_equal(x.ready.code, STATUS_UNAUTHENTICATED);
	assert_string_equal(x.ready.message, "wrong login or password");
}

/* Without a login the client is ready after Welcome; "localhost" resolves. */
static void script_no_login(struct fake_server *fs)
{
	if (!fake_handshake(fs, false))
		return;
	Clubcrm__Frame *f = fake_recv(fs);
	if (f) {
		fake_send_error(fs, f->request_id, STATUS_UNAUTHENTICATED,
				"log in first");
		clubcrm__frame__free_unpacked(f, NULL);
	}
	shutdown(fs->fd, SHUT_WR);
	fake_wait_eof(fs, 5000);
}

static void test_resolve_and_no_login(void **state)
{
	struct ctx x = {.n_requests = 1};
	assert_int_equal(fake_start(&x.fs, true, script_no_login, &x), 0);
	run_client(&x, x.fs.address, NULL);
	assert_true(fake_finish(&x.fs));
	assert_int_equal(x.ready.code, STATUS_OK);
	assert_int_equal(x.status[0], STATUS_UNAUTHENTICATED);
	assert_true(x.disc_called);
}

static void test_connect_refused(void **state)
{
	struct ctx x = {0};
	run_client(&x, "127.0.0.1:1", "alicia");
	assert_int_equal(x.ready.code, STATUS_UNAVAILABLE);
	assert_non_null(strstr(x.ready.message, "127.0.0.1:1"));
}

static void test_bad_address(void **state)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct client_config cfg = {.address = "no-port"};
	struct client *c = NULL;
	assert_int_equal(client_new(&loop, &cfg, &callbacks, NULL, &c),
			 STATUS_INVALID_ARGUMENT);
	assert_null(c);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* ------------------------------------------------------------ forget */

struct forget_ctx {
	struct ctx x;
	bool first_called;
};

static void forget_first(struct client *c, struct client_reply *r, void *arg)
{
	((struct forget_ctx *)arg)->first_called = true;
}

static void forget_second(struct client *c, struct client_reply *r, void *arg)
{
	struct forget_ctx *fx = arg;
	fx->x.status[0] = r->status;
	fx->x.n_replies++;
	client_close(c);
}

static void script_two_replies(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	for (int i = 0; i < 2; i++) {
		Clubcrm__Frame *f = fake_recv(fs);
		if (!f)
			return fake_fail(fs, "expected a request");
		reply_catalog(fs, f->request_id);
		clubcrm__frame__free_unpacked(f, NULL);
	}
	fake_wait_eof(fs, 5000);
}

static void forget_on_ready(struct client *c, const struct client_status *st,
			    void *ud)
{
	struct forget_ctx *fx = ud;
	fx->x.ready = *st;
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_GET_CATALOG;
	f.get_catalog = &get;
	uint64_t id;
	assert_int_equal(client_request(c, &f, forget_first, fx, &id), 0);
	assert_int_equal(client_pending(c), 1);
	assert_int_equal(client_forget(c, id), 0);
	assert_int_equal(client_forget(c, id), STATUS_NOT_FOUND);
	assert_int_equal(client_request(c, &f, forget_second, fx, NULL), 0);
}

static void forget_closed(struct client *c, void *ud)
{
	struct forget_ctx *fx = ud;
	fx->x.closed = true;
	uv_close((uv_handle_t *)&fx->x.deadline, NULL);
}

static void test_forget(void **state)
{
	struct forget_ctx fx = {0};
	struct ctx *x = &fx.x;
	const struct client_callbacks cbs = {.on_ready = forget_on_ready,
					     .on_closed = forget_closed};
	assert_int_equal(fake_start(&x->fs, false, script_two_replies, x), 0);
	assert_int_equal(uv_loop_init(&x->loop), 0);
	uv_timer_init(&x->loop, &x->deadline);
	x->deadline.data = x;
	uv_timer_start(&x->deadline, on_deadline, DEADLINE_MS, 0);
	struct client_config cfg = {.address = x->fs.address, .login = "a",
				    .password = "b"};
	assert_int_equal(client_new(&x->loop, &cfg, &cbs, &fx, &x->c), 0);
	assert_int_equal(client_connect(x->c), 0);
	uv_run(&x->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&x->loop), 0);
	assert_true(fake_finish(&x->fs));
	assert_true(x->closed);
	assert_false(fx.first_called);
	assert_int_equal(x->n_replies, 1);
	assert_int_equal(x->status[0], STATUS_OK);
}

/* ------------------------------------------------------------ heartbeat */

#define BEAT_MS 40u

/* Announces a short heartbeat, then hears the client's pings and says
 * nothing back: the client must give up on its own. */
static void script_silent(struct fake_server *fs)
{
	unsigned *pings = fs->arg;
	fs->heartbeat_ms = BEAT_MS;
	if (!fake_handshake(fs, true))
		return;
	Clubcrm__Frame *f;
	while ((f = fake_recv(fs))) {
		if (f->body_case == CLUBCRM__FRAME__BODY_PING && f->request_id)
			(*pings)++;
		clubcrm__frame__free_unpacked(f, NULL);
	}
}

static void test_silent_server_dropped(void **state)
{
	struct ctx x = {0};
	unsigned pings = 0;
	assert_int_equal(fake_start(&x.fs, false, script_silent, &pings), 0);
	uint64_t t0 = uv_hrtime();
	run_client(&x, x.fs.address, "alicia");
	uint64_t ms = (uv_hrtime() - t0) / 1000000u;
	assert_true(fake_finish(&x.fs));
	assert_int_equal(x.ready.code, STATUS_OK);
	assert_true(x.disc_called);
	assert_int_equal(x.disc.code, STATUS_UNAVAILABLE);
	assert_non_null(strstr(x.disc.message, "no word from the server"));
	assert_true(pings >= 1);
	assert_true(ms >= 3 * BEAT_MS && ms < 2000);
}

/* Answers every ping for a while, then says goodbye. */
static void script_pongs(struct fake_server *fs)
{
	fs->heartbeat_ms = BEAT_MS;
	if (!fake_handshake(fs, true))
		return;
	uint64_t end = uv_hrtime() + 10 * BEAT_MS * 1000000ull;
	while (uv_hrtime() < end) {
		Clubcrm__Frame *f = fake_recv(fs);
		if (!f)
			return fake_fail(fs, "client went away");
		if (f->body_case == CLUBCRM__FRAME__BODY_PING) {
			Clubcrm__Pong pong = CLUBCRM__PONG__INIT;
			Clubcrm__Frame r = CLUBCRM__FRAME__INIT;
			r.has_request_id = true;
			r.request_id = f->request_id;
			r.body_case = CLUBCRM__FRAME__BODY_PONG;
			r.pong = &pong;
			fake_send(fs, &r);
		}
		clubcrm__frame__free_unpacked(f, NULL);
	}
	fake_say_bye(fs);
}

static void test_answered_heartbeat_keeps_connection(void **state)
{
	struct ctx x = {0};
	assert_int_equal(fake_start(&x.fs, false, script_pongs, NULL), 0);
	run_client(&x, x.fs.address, "alicia");
	assert_true(fake_finish(&x.fs));
	assert_true(x.goaway);
	assert_true(x.disc_called);
	assert_non_null(strstr(x.disc.message, "going away"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replies_pushes_ping_goaway),
		cmocka_unit_test(test_snapshot_chunks_decoded),
		cmocka_unit_test(test_close_completes_pending),
		cmocka_unit_test(test_server_frame_over_limit),
		cmocka_unit_test(test_handshake_refused),
		cmocka_unit_test(test_login_refused),
		cmocka_unit_test(test_resolve_and_no_login),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_bad_address),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_silent_server_dropped),
		cmocka_unit_test(test_answered_heartbeat_keeps_connection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
