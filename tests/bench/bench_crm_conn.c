/*
 * clubcrm-bench's connections to clubcrmd, on the client library: terminals
 * (logged in, subscribed to board + urgent, counting each commit's delta
 * frame) and writers (a mix of task writes, as fast as acknowledged or at a
 * fixed rate). Terminals use client.h directly rather than live.h's
 * replicas: the frames are still decoded by the library as a real terminal
 * would, without a replica's upkeep in the bench's own CPU budget.
 */
#include "bench_crm_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_probe.h"
#include "status.h"
#include "timeutil.h"

static const char *const logins[] = {"alicia", "valentina", "fermin",
				     "deborah", "maribel"};
#define N_LOGINS (sizeof(logins) / sizeof(logins[0]))
#define PASSWORD "demo"

const char *bench_op_name(enum bench_op op)
{
	static const char *const names[BENCH_OP_COUNT] = {
		"create", "take", "release", "follow-up", "edit"};
	return op < BENCH_OP_COUNT ? names[op] : "?";
}

static void note_error(struct crm *b, const char *fmt, const char *what,
		       unsigned code, const char *msg)
{
	if (b->first_error[0])
		return;
	snprintf(b->first_error, sizeof(b->first_error), fmt, what,
		 status_name(code), msg ? msg : "");
}

_Static_assert(N_LOGINS <= CRM_MAX_LOGINS, "a token per login");
_Static_assert(CRM_TOKEN_MAX >= CLIENT_RESUME_TOKEN_MAX, "token room");

/* A client of the next demo operator on `loop`, logging in with that
 * operator's resume token once an earlier login brought one (*login: the
 * operator's index, for remember_token()). */
static int new_client(struct crm *b, uv_loop_t *loop, const char *name,
		      const struct client_callbacks *cbs, void *ud,
		      unsigned *login, struct client **out)
{
	unsigned li = b->login_i++ % N_LOGINS;
	struct client_config cfg = {
		.address = b->o->crm_address,
		.login = logins[li],
		.password = PASSWORD,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_BENCH,
		.terminal_name = name,
	};
	if (b->token_len[li]) {
		cfg.resume_token = b->token[li];
		cfg.resume_token_len = b->token_len[li];
	}
	*login = li;
	/* The library answers status codes (client.h); here -EIO. */
	if (client_new(loop, &cfg, cbs, ud, out) != STATUS_OK)
		return -EIO;
	if (client_connect(*out) != STATUS_OK) {
		client_close(*out);
		*out = NULL;
		return -EIO;
	}
	return 0;
}

/* The first token an operator's login brought, for the later logins. */
static void remember_token(struct crm *b, unsigned li, const struct client *c)
{
	const uint8_t *tok;
	size_t len;
	int64_t exp;
	if (li >= CRM_MAX_LOGINS || b->token_len[li] ||
	    !client_resume_token(c, &tok, &len, &exp) || !len ||
	    len > sizeof(b->token[li]))
		return;
	memcpy(b->token[li], tok, len);
	b->token_len[li] = len;
}

/* ------------------------------------------------------------ terminals */

static void term_start_next(struct crm *b);

/* The terminal's login attempt is over, one way or the other. */
static void term_settled(struct crm_term *t)
{
	if (t->connecting) {
		t->connecting = false;
		t->b->t_connecting--;
	}
}

static void term_ready(struct client *c, const struct client_status *st,
		       void *ud)
{
	struct crm_term *t = ud;
	term_settled(t);
	if (st->code == STATUS_OK) {
		t->ready = true;
		t->b->t_ready++;
		remember_token(t->b, t->login, c);
	} else {
		fprintf(stderr, "bench: terminal %u: %s %s\n", t->idx,
			status_name(st->code), st->message);
	}
	term_start_next(t->b);
}

/*
 * Every subscription of this connection changed by one commit comes in one
 * DeltaBatch, so one frame is one delivery of that commit's revision.
 */
struct term_seen {
	struct crm_term *t;
	uint64_t now;
	uint64_t *last;           /* the run's or the shard's */
	struct bench_deliv *d;
};

static void term_rev(void *ud, uint64_t rev)
{
	struct term_seen *s = ud;
	struct crm_term *t = s->t;
	if (rev == t->last_rev)
		return;
	t->last_rev = rev;
	t->deltas++;
	if (rev > *s->last)
		*s->last = rev;
	if (rev > t->b->base_rev)
		bench_deliv_seen(s->d, rev - t->b->base_rev, s->now);
}

static struct term_seen term_seen_now(struct crm_term *t)
{
	struct crm *b = t->b;
	/* On a shard's thread its own table; otherwise the run's. */
	struct bench_shard *sh = b->shards.threaded ? t->shard : NULL;
	return (struct term_seen){
		.t = t,
		.now = bench_now_ns(),
		.last = sh ? &sh->last_rev : &b->last_rev,
		.d = sh ? &sh->deliv : &b->deliv,
	};
}

static void term_push(struct client *c, const Clubcrm__Frame *f, void *ud)
{
	struct crm_term *t = ud;
	struct term_seen s = term_seen_now(t);
	uint64_t now = s.now, *last = s.last;
	switch (f->body_case) {
	case CLUBCRM__FRAME__BODY_DELTAS:
		/* Only when decoded after all (term_raw_push took none). */
		for (size_t i = 0; i < f->deltas->n_deltas; i++)
			term_rev(&s, f->deltas->deltas[i]->revision);
		break;
	case CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK:
		if (!t->snap_first_ns)
			t->snap_first_ns = now;
		t->snap_rows += f->snapshot_chunk->n_rows;
		/* As received: sizing the decoded frame again cost the
		 * timed snapshot a walk over every row. */
		t->snap_bytes += client_frame_bytes(c);
		break;
	case CLUBCRM__FRAME__BODY_SNAPSHOT_DONE:
		if (f->snapshot_done->revision > *last)
			*last = f->snapshot_done->revision;
		if (t->pending)
			t->pending--;
		break;
	default:
		break;
	}
}

static void term_disconnect(struct client *c, const struct client_status *st,
			    void *ud)
{
	struct crm_term *t = ud;
	if (!t->down && t->b->phase != CRM_IDLE)
		fprintf(stderr, "bench: terminal %u dropped: %s %s\n", t->idx,
			status_name(st->code), st->message);
	if (!t->down)
		t->b->t_down++;
	t->down = true;
	t->pending = 0;
	term_settled(t);
	term_start_next(t->b);
}

static void term_closed(struct client *c, void *ud)
{
	struct crm_term *t = ud;
	t->closed = true;
	t->c = NULL;
	t->b->t_closed++;
}

/* A length-delimited field's value: its bytes at *p (moved past it). */
static bool wire_len(const uint8_t **p, const uint8_t *end,
		     const uint8_t **val, uint64_t *n)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return false;
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (v > (uint64_t)(end - *p))
				return false;
			*val = *p;
			*n = v;
			*p += v;
			return true;
		}
	}
	return false;
}

/*
 * A SnapshotChunk frame, read as a terminal that counts rows on the wire:
 * every row (field 2 of the chunk) is found and bounds-checked, none is
 * decoded. Anything else, or a chunk that does not walk, goes to the
 * decoder as usual.
 */
static bool count_chunk_rows(const uint8_t *p, size_t len, uint64_t *rows)
{
	const uint8_t *end = p + len;
	/* Frame: the body is field 200 (tag 0xc2 0x0c), alone. */
	if (len < 2 || p[0] != 0xc2 || p[1] != 0x0c)
		return false;
	p += 2;
	const uint8_t *chunk;
	uint64_t n;
	if (!wire_len(&p, end, &chunk, &n) || p != end)
		return false;
	const uint8_t *q = chunk, *qend = chunk + n;
	uint64_t count = 0;
	while (q < qend) {
		uint8_t tag = *q++;
		const uint8_t *row;
		uint64_t rn;
		if (tag == 0x12) {  /* rows = 2 */
			if (!wire_len(&q, qend, &row, &rn))
				return false;
			count++;
		} else if (tag == 0x08) {  /* sub_id = 1 */
			while (q < qend && (*q & 0x80))
				q++;
			if (q++ >= qend)
				return false;
		} else {
			return false;
		}
	}
	*rows = count;
	return true;
}

static bool term_raw_push(struct client *c, const uint8_t *frame, size_t len,
			  void *ud)
{
	struct crm_term *t = ud;
	uint64_t rows;
	if (!t->raw) {
		/* A DeltaBatch walked to its revisions, not decoded (as the
		 * raw probe does): what the bench times is the server's
		 * delivery, not protobuf-c's decoding of 500 copies of each
		 * row on the same two cores. Other frames: decoded. */
		struct term_seen s = term_seen_now(t);
		return bench_walk_deltas(frame, len, term_rev, &s) == 1;
	}
	if (!count_chunk_rows(frame, len, &rows))
		return false;
	if (!t->snap_first_ns)
		t->snap_first_ns = bench_now_ns();
	t->snap_rows += rows;
	t->snap_bytes += client_frame_bytes(c);
	return true;
}

static const struct client_callbacks term_cbs = {
	.on_ready = term_ready,
	.on_push = term_push,
	.on_raw_push = term_raw_push,
	.on_disconnect = term_disconnect,
	.on_closed = term_closed,
};

static void term_start_next(struct crm *b)
{
	while (b->t_started < b->n_t && b->t_started < b->t_allowed &&
	       b->t_connecting < b->o->login_parallel) {
		struct crm_term *t = &b->t[b->t_started++];
		char name[32];
		snprintf(name, sizeof(name), "bench-term-%u", t->idx);
		t->shard = bench_shards_of(&b->shards, t->idx);
		uv_loop_t *loop = bench_shards_loop(&b->shards, t->idx,
						     &b->loop);
		if (new_client(b, loop, name, &term_cbs, t, &t->login,
			       &t->c) < 0) {
			t->down = true;
			b->t_down++;
			continue;
		}
		t->connecting = true;
		b->t_connecting++;
	}
}

int crm_terms_connect(struct crm *b, unsigned to)
{
	struct crm_term *t = realloc(b->t, to * sizeof(*t));
	if (!t)
		return -ENOMEM;
	b->t = t;
	for (unsigned i = b->n_t; i < to; i++)
		b->t[i] = (struct crm_term){.b = b, .idx = i};
	b->n_t = to;
	term_start_next(b);
	return 0;
}

void crm_terms_allow(struct crm *b, unsigned to)
{
	b->t_allowed = to;
	term_start_next(b);
}

static void sub_reply(struct client *c, struct client_reply *r, void *arg)
{
	struct crm_term *t = arg;
	if (r->status == STATUS_OK) {
		if (t->pending)
			t->pending--;
		return;
	}
	note_error(t->b, "%s: %s %s", "subscribe", r->status, r->message);
	/* Neither the snapshot nor SnapshotDone will come for it. */
	t->pending = t->pending >= 2 ? t->pending - 2 : 0;
}

static int send_subscribe(struct crm_term *t, uint32_t sub_id,
			  Clubcrm__ViewKind kind, int64_t from, int64_t to)
{
	Clubcrm__TaskFilter filter = CLUBCRM__TASK_FILTER__INIT;
	filter.has_planned_from = 1;
	filter.planned_from = from;
	filter.has_planned_to = 1;
	filter.planned_to = to;
	Clubcrm__View view = CLUBCRM__VIEW__INIT;
	view.has_kind = 1;
	view.kind = kind;
	view.filter = from ? &filter : NULL;
	Clubcrm__Subscribe sub = CLUBCRM__SUBSCRIBE__INIT;
	sub.has_sub_id = 1;
	sub.sub_id = sub_id;
	sub.view = &view;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBE;
	f.subscribe = &sub;
	t->pending += 2; /* the reply and SnapshotDone */
	int rc = client_request(t->c, &f, sub_reply, t, NULL) == STATUS_OK
			 ? 0 : -EIO;
	if (rc < 0)
		t->pending -= 2;
	return rc;
}

int crm_term_subscribe(struct crm_term *t)
{
	if (!t->ready || t->down)
		return -ENOTCONN;
	int rc = send_subscribe(t, CRM_SUB_BOARD,
				CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD,
				t->b->window_from, t->b->window_to);
	if (rc == 0)
		rc = send_subscribe(t, CRM_SUB_URGENT,
				    CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT,
				    t->b->window_from, t->b->window_to);
	if (rc == 0)
		t->subscribed = true;
	return rc;
}

int crm_term_snapshot(struct crm_term *t, int64_t from, int64_t to)
{
	if (!t->ready || t->down)
		return -ENOTCONN;
	t->snap_rows = t->snap_bytes = t->snap_first_ns = 0;
	return send_subscribe(t, CRM_SUB_SNAPSHOT,
			      CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD, from, to);
}

static void unsub_reply(struct client *c, struct client_reply *r, void *arg)
{
	struct crm_term *t = arg;
	if (t->pending)
		t->pending--;
	if (r->status != STATUS_OK)
		note_error(t->b, "%s: %s %s", "unsubscribe", r->status,
			   r->message);
}

int crm_term_unsubscribe(struct crm_term *t)
{
	if (!t->ready || t->down)
		return -ENOTCONN;
	static const uint32_t ids[] = {CRM_SUB_BOARD, CRM_SUB_URGENT};
	for (size_t i = 0; i < 2; i++) {
		Clubcrm__Unsubscribe u = CLUBCRM__UNSUBSCRIBE__INIT;
		u.has_sub_id = 1;
		u.sub_id = ids[i];
		Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
		f.body_case = CLUBCRM__FRAME__BODY_UNSUBSCRIBE;
		f.unsubscribe = &u;
		t->pending++;
		int rc = client_request(t->c, &f, unsub_reply, t, NULL) ==
				 STATUS_OK ? 0 : -EIO;
		if (rc < 0) {
			t->pending--;
			return rc;
		}
	}
	t->subscribed = false;
	return 0;
}

void crm_terms_close(struct crm *b)
{
	for (unsigned i = 0; i < b->n_t; i++)
		if (b->t[i].c && !b->t[i].closed)
			client_close(b->t[i].c);
}

/* ------------------------------------------------------------ writers */

struct crm_req {
	struct crm_writer *w;
	uint64_t sent_ns;
	enum bench_op op;
	int slot;               /* pool slot, -1 for a create */
	uint64_t task_id;       /* the task in that slot when sent */
};

static void writer_start_next(struct crm *b);

/* The writer's login attempt is over, one way or the other. */
static void writer_settled(struct crm_writer *w)
{
	if (w->connecting) {
		w->connecting = false;
		w->b->w_connecting--;
	}
	writer_start_next(w->b);
}

static void writer_ready(struct client *c, const struct client_status *st,
			 void *ud)
{
	struct crm_writer *w = ud;
	if (st->code == STATUS_OK) {
		w->ready = true;
		w->b->w_ready++;
		remember_token(w->b, w->login, c);
	} else {
		fprintf(stderr, "bench: writer %u: %s %s\n", w->idx,
			status_name(st->code), st->message);
		w->down = true;
		w->b->w_down++;
	}
	writer_settled(w);
}

static void writer_disconnect(struct client *c, const struct client_status *st,
			      void *ud)
{
	struct crm_writer *w = ud;
	if (!w->down && w->b->phase != CRM_IDLE)
		fprintf(stderr, "bench: writer %u dropped: %s %s\n", w->idx,
			status_name(st->code), st->message);
	if (!w->down)
		w->b->w_down++;
	w->down = true;
	writer_settled(w);
}

static void writer_closed(struct client *c, void *ud)
{
	struct crm_writer *w = ud;
	w->closed = true;
	w->c = NULL;
	w->b->w_closed++;
}

static const struct client_callbacks writer_cbs = {
	.on_ready = writer_ready,
	.on_disconnect = writer_disconnect,
	.on_closed = writer_closed,
};

/*
 * Writers log in like terminals, login_parallel at a time: each login is an
 * Argon2id hash on the server's thread pool, and 32 at once on a loaded
 * 2-core machine ran past the client's login deadline.
 */
static void writer_start_next(struct crm *b)
{
	while (b->w_started < b->n_w &&
	       b->w_connecting < b->o->login_parallel) {
		struct crm_writer *w = &b->w[b->w_started++];
		char name[32];
		snprintf(name, sizeof(name), "bench-writer-%u", w->idx);
		if (new_client(b, &b->loop, name, &writer_cbs, w, &w->login,
			       &w->c) < 0) {
			w->down = true;
			b->w_down++;
			continue;
		}
		w->connecting = true;
		b->w_connecting++;
	}
}

int crm_writers_connect(struct crm *b, unsigned n)
{
	struct crm_writer *w = realloc(b->w, n * sizeof(*w));
	if (!w)
		return -ENOMEM;
	b->w = w;
	for (unsigned i = b->n_w; i < n; i++)
		b->w[i] = (struct crm_writer){
			.b = b, .idx = i, .rng = 0x9E3779B97F4A7C15ULL * (i + 1)};
	b->n_w = n;
	writer_start_next(b);
	return 0;
}

void crm_writers_close(struct crm *b)
{
	for (unsigned i = 0; i < b->n_w; i++)
		if (b->w[i].c && !b->w[i].closed)
			client_close(b->w[i].c);
}

/* Slots with id 0 are free; n_pool is the high-water mark. */
static void pool_forget(struct crm_writer *w, struct crm_task *t)
{
	memset(t, 0, sizeof(*t));
	w->n_live--;
}

static void pool_add(struct crm_writer *w, const Clubcrm__Task *t)
{
	struct crm_task nt = {.id = t->id, .mod_rev = t->mod_rev,
			      .taken = t->taken_by != 0};
	for (unsigned i = 0; i < w->n_pool; i++) {
		if (w->pool[i].id == 0) {
			w->pool[i] = nt;
			w->n_live++;
			return;
		}
	}
	if (w->n_pool < CRM_POOL) {
		w->pool[w->n_pool++] = nt;
		w->n_live++;
		return;
	}
	/* Full: the oldest idle task makes room (round robin). */
	for (unsigned k = 0; k < CRM_POOL; k++) {
		unsigned i = (w->replace + k) % CRM_POOL;
		if (!w->pool[i].busy) {
			w->pool[i] = nt;
			w->replace = i + 1;
			return;
		}
	}
}

static void record_ack(struct crm *b, const struct crm_req *q, uint64_t rev,
		       uint64_t now)
{
	b->acked_all++;
	if (!b->measuring)
		return;
	b->acked++;
	if (q->sent_ns < b->t0_ns || rev <= b->base_rev)
		return;
	bench_deliv_sent(&b->deliv, rev - b->base_rev, q->sent_ns);
	bench_samples_add(&b->acks, now - q->sent_ns);
}

static void write_reply(struct client *c, struct client_reply *r, void *arg)
{
	struct crm_req *q = arg;
	struct crm_writer *w = q->w;
	struct crm *b = w->b;
	uint64_t now = bench_now_ns();
	w->in_flight--;
	/* The slot may have been given to another task meanwhile. */
	struct crm_task *task = q->slot >= 0 && w->pool[q->slot].id == q->task_id
					? &w->pool[q->slot]
					: NULL;
	if (task)
		task->busy = false;
	const Clubcrm__TaskReply *tr =
		r->status == STATUS_OK && r->frame &&
				r->frame->body_case ==
					CLUBCRM__FRAME__BODY_TASK_REPLY
			? r->frame->task_reply
			: NULL;
	if (!tr || !tr->row || !tr->row->task) {
		if (r->status != STATUS_UNAVAILABLE || b->phase != CRM_IDLE) {
			b->failed++;
			b->op_failed[q->op]++;
			note_error(b, "%s: %s %s", bench_op_name(q->op),
				   r->status, r->message);
		}
		/* Its state is no longer known: stop working on it. */
		if (task)
			pool_forget(w, task);
		goto next;
	}
	if (tr->revision > b->last_rev)
		b->last_rev = tr->revision;
	if (b->phase == CRM_SEED) {
		b->seed_done++;
		goto next;
	}
	record_ack(b, q, tr->revision, now);
	if (q->op == BENCH_OP_CREATE) {
		pool_add(w, tr->row->task);
	} else if (task) {
		task->mod_rev = tr->row->task->mod_rev;
		task->taken = tr->row->task->taken_by != 0;
	}
next:
	free(q);
	if (!b->o->rate)
		crm_writer_fill(w, UINT32_MAX);
}

/* A task of the pool not in flight, or -1. */
static int pick_task(struct crm_writer *w)
{
	if (w->n_live < 8)
		return -1;
	unsigned start = (unsigned)(bench_rand(&w->rng) % w->n_pool);
	for (unsigned k = 0; k < w->n_pool; k++) {
		unsigned i = (start + k) % w->n_pool;
		if (w->pool[i].id && !w->pool[i].busy)
			return (int)i;
	}
	return -1;
}

static void build_create(struct crm_writer *w, Clubcrm__CreateTask *ct,
			 char *desc, size_t size)
{
	struct crm *b = w->b;
	uint64_t r = bench_rand(&w->rng);
	clubcrm__create_task__init(ct);
	snprintf(desc, size, "bench w%u #%" PRIu64 " call back about renewal",
		 w->idx, w->issued);
	ct->has_kind = 1;
	ct->kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	ct->description = desc;
	ct->has_type_id = 1;
	/* Half urgent (a priority type), so both views move. */
	ct->type_id = (r & 1) ? b->type_priority : b->type_plain;
	ct->has_customer_id = 1;
	ct->customer_id = b->customers[(r >> 8) % b->n_customers];
	ct->has_planned_at = 1;
	ct->planned_at = b->window_from + (int64_t)((r >> 20) % 86000);
}

/* Builds and sends one write. 0, or a negative errno (stop issuing). */
static int issue_one(struct crm_writer *w)
{
	struct crm *b = w->b;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	Clubcrm__CreateTask ct;
	Clubcrm__TakeTask take = CLUBCRM__TAKE_TASK__INIT;
	Clubcrm__ReleaseTask rel = CLUBCRM__RELEASE_TASK__INIT;
	Clubcrm__FollowUp fu = CLUBCRM__FOLLOW_UP__INIT;
	Clubcrm__EditTask ed = CLUBCRM__EDIT_TASK__INIT;
	char text[96];
	struct crm_req *q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->w = w;
	q->slot = -1;
	unsigned pct = (unsigned)(bench_rand(&w->rng) % 100);
	int slot = b->phase == CRM_SEED || pct < 30 ? -1 : pick_task(w);
	struct crm_task *t = slot >= 0 ? &w->pool[slot] : NULL;
	if (!t) {
		q->op = BENCH_OP_CREATE;
		build_create(w, &ct, text, sizeof(text));
		f.body_case = CLUBCRM__FRAME__BODY_CREATE_TASK;
		f.create_task = &ct;
	} else if (pct < 70) {
		/* Take and release alternate on a task: 20% each. */
		q->op = t->taken ? BENCH_OP_RELEASE : BENCH_OP_TAKE;
		if (t->taken) {
			rel.has_id = 1;
			rel.id = t->id;
			f.body_case = CLUBCRM__FRAME__BODY_RELEASE_TASK;
			f.release_task = &rel;
		} else {
			take.has_id = 1;
			take.id = t->id;
			f.body_case = CLUBCRM__FRAME__BODY_TAKE_TASK;
			f.take_task = &take;
		}
	} else if (pct < 85) {
		q->op = BENCH_OP_FOLLOW_UP;
		fu.has_id = 1;
		fu.id = t->id;
		fu.has_result_id = 1;
		fu.result_id = b->result_open;
		fu.has_action = 1;
		fu.action = CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_KEEP_OPEN;
		fu.note = "no answer, try again later";
		f.body_case = CLUBCRM__FRAME__BODY_FOLLOW_UP;
		f.follow_up = &fu;
	} else {
		q->op = BENCH_OP_EDIT;
		snprintf(text, sizeof(text), "bench w%u edit %" PRIu64, w->idx,
			 w->issued);
		ed.has_id = 1;
		ed.id = t->id;
		ed.has_base_mod_rev = 1;
		ed.base_mod_rev = t->mod_rev;
		ed.description = text;
		f.body_case = CLUBCRM__FRAME__BODY_EDIT_TASK;
		f.edit_task = &ed;
	}
	if (t) {
		t->busy = true;
		q->slot = slot;
		q->task_id = t->id;
	}
	q->sent_ns = bench_now_ns();
	int rc = client_request(w->c, &f, write_reply, q, NULL) == STATUS_OK
			 ? 0 : -EIO;
	if (rc < 0) {
		if (t)
			t->busy = false;
		free(q);
		return rc;
	}
	w->in_flight++;
	w->issued++;
	if (b->phase == CRM_SEED)
		b->seed_issued++;
	return 0;
}

void crm_writer_fill(struct crm_writer *w, unsigned budget)
{
	struct crm *b = w->b;
	unsigned depth = b->o->rate ? CRM_MAX_DEPTH : b->o->depth;
	if (b->phase == CRM_SEED)
		depth = CRM_MAX_DEPTH / 2;
	while (budget-- && w->ready && !w->down && w->in_flight < depth) {
		if (b->phase != CRM_RUN && b->phase != CRM_SEED)
			return;
		if (b->phase == CRM_SEED && b->seed_issued >= b->seed_target)
			return;
		if (issue_one(w) < 0)
			return;
	}
}

struct crm_until {
	struct crm *b;
	bool (*done)(struct crm *);
};

static bool crm_until_done(void *p)
{
	struct crm_until *u = p;
	return u->done(u->b);
}

bool crm_pump(struct crm *b, bool (*done)(struct crm *), unsigned timeout_ms)
{
	struct crm_until u = {b, done};
	return bench_shards_run_until(&b->shards, &b->loop, crm_until_done,
				      &u, timeout_ms);
}
