/*
 * clubcrm-bench's baseline: the same workload on redis, the store a
 * developer would otherwise pick for a live board. Each write is an HSET of
 * the task and a PUBLISH of its row to the channel of its view ("urgent"
 * for priority tasks, "board" for the others), pipelined, acknowledged when
 * the PUBLISH answers; every terminal SUBSCRIBEs to both channels. With
 * appendonly yes and appendfsync always, redis fsyncs the HSETs of a loop
 * pass before it answers them, so both sides acknowledge durable writes.
 *
 * A write's sequence number travels in its payload ("seq=N ...") and keys
 * the delivery table; the clock is the same as the clubcrm driver's.
 *
 * The scenarios with the most terminals run a second time with the writers
 * PUBLISHing alone, no HSET: nothing for the AOF, so no fsync before the
 * subscribers are written to. That is redis' fan-out without durability,
 * the baseline of issue 15's fan-out target, at the rate clubcrmd
 * acknowledged in the same scenario (bench_opts.pub_rate).
 */
#include "bench.h"
#include "bench_shards.h"
#include "bench_stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <hiredis/adapters/libuv.h>
#pragma GCC diagnostic pop

#include "timeutil.h"

#define RD_POOL 64
#define RD_TIMEOUT_MS 60000u
#define RD_DRAIN_MS 5000u

struct rd;

struct rd_conn {
	struct rd *b;
	struct bench_shard *shard;  /* a terminal's loop; NULL: b->loop */
	redisAsyncContext *ac;
	unsigned idx;
	bool ready, down, closing;
	unsigned subs;            /* subscribe confirmations */
	/* writers */
	uint64_t rng, next_id, issued, rate_base;
	unsigned in_flight;
	uint64_t pool[RD_POOL];
	bool taken[RD_POOL];
	unsigned n_pool;
};

struct rd {
	uv_loop_t loop;
	const struct bench_opts *o;
	bool publish_only;        /* writers send no HSET */
	double rate;              /* writes/s in total; 0: closed loop */
	char host[64];
	int port;
	struct rd_conn *t, *w;
	unsigned n_t, t_cap, n_w, n_active;
	bool running, measuring;
	uint64_t seq, t0_ns, t1_ns, rate_start_ns;
	struct bench_deliv deliv;
	struct bench_samples acks;
	uint64_t acked, failed;
	uint64_t acked_all;       /* measured or not (bytes_acked) */
	char first_error[160];
	pid_t pid;
	long rss_peak;
	uv_timer_t rss_timer, rate_timer;
	/* The terminals' loops (the same instrument as clubcrmd's). */
	struct bench_shards shards;
};

/* ------------------------------------------------------------ plumbing */

struct rd_until {
	struct rd *b;
	bool (*done)(struct rd *);
};

static bool rd_until_done(void *p)
{
	struct rd_until *u = p;
	return u->done(u->b);
}

static bool rd_pump(struct rd *b, bool (*done)(struct rd *), unsigned ms)
{
	struct rd_until u = {b, done};
	return bench_shards_run_until(&b->shards, &b->loop, rd_until_done,
				      &u, ms);
}

static bool rd_never(struct rd *b)
{
	(void)b;
	return false;
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct rd_conn *c = ac->data;
	if (status == REDIS_OK) {
		c->ready = true;
		return;
	}
	fprintf(stderr, "bench: redis connection %u: %s\n", c->idx, ac->errstr);
	c->down = true;
	c->ac = NULL; /* hiredis frees it */
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct rd_conn *c = ac->data;
	if (!c->closing)
		fprintf(stderr, "bench: redis connection %u lost: %s\n", c->idx,
			status == REDIS_OK ? "closed" : ac->errstr);
	c->down = true;
	c->ac = NULL;
}

static int rd_open(struct rd *b, struct rd_conn *c)
{
	c->ac = redisAsyncConnect(b->host, b->port);
	if (!c->ac || c->ac->err) {
		fprintf(stderr, "bench: redis: %s\n",
			c->ac ? c->ac->errstr : "out of memory");
		if (c->ac)
			redisAsyncFree(c->ac);
		c->ac = NULL;
		c->down = true;
		return -1;
	}
	c->ac->data = c;
	redisLibuvAttach(c->ac, c->shard ? &c->shard->loop : &b->loop);
	redisAsyncSetConnectCallback(c->ac, on_connect);
	redisAsyncSetDisconnectCallback(c->ac, on_disconnect);
	return 0;
}

static void rd_close(struct rd_conn *c)
{
	if (c->ac && !c->closing) {
		c->closing = true;
		redisAsyncDisconnect(c->ac);
	}
}

/* ------------------------------------------------------------ terminals */

static void on_message(redisAsyncContext *ac, void *reply, void *priv)
{
	struct rd_conn *c = priv;
	redisReply *r = reply;
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 3)
		return;
	const redisReply *kind = r->element[0], *payload = r->element[2];
	if (kind->type != REDIS_REPLY_STRING)
		return;
	if (strcmp(kind->str, "subscribe") == 0) {
		c->subs++;
		return;
	}
	if (strcmp(kind->str, "message") != 0 ||
	    payload->type != REDIS_REPLY_STRING || payload->len < 5 ||
	    strncmp(payload->str, "seq=", 4) != 0)
		return;
	uint64_t now = bench_now_ns();
	uint64_t seq = strtoull(payload->str + 4, NULL, 10);
	/* On a shard's thread its own table; otherwise the run's. */
	bench_deliv_seen(c->b->shards.threaded && c->shard ? &c->shard->deliv
							    : &c->b->deliv,
			 seq, now);
}

static bool terms_up(struct rd *b)
{
	for (unsigned i = 0; i < b->n_t; i++)
		if (!b->t[i].down && b->t[i].subs < 2)
			return false;
	return true;
}

static bool terms_gone(struct rd *b)
{
	for (unsigned i = 0; i < b->n_t; i++)
		if (b->t[i].ac)
			return false;
	return true;
}

static unsigned keep_terms;
static bool extras_gone(struct rd *b)
{
	for (unsigned i = keep_terms; i < b->n_t; i++)
		if (b->t[i].ac)
			return false;
	return true;
}

/* Exactly terminals [0, n) connected and subscribed. */
static int arrange_terms(struct rd *b, unsigned n)
{
	if (n > b->n_t) {
		/* Allocated once for the largest N: hiredis holds pointers
		 * to these entries, so the array must never move. */
		if (n > b->t_cap)
			return -1;
		struct rd_conn *t = b->t;
		for (unsigned i = b->n_t; i < n; i++) {
			t[i] = (struct rd_conn){
				.b = b, .idx = i,
				.shard = bench_shards_of(&b->shards, i)};
			if (rd_open(b, &t[i]) == 0)
				redisAsyncCommand(t[i].ac, on_message, &t[i],
						  "SUBSCRIBE board urgent");
		}
		b->n_t = n;
		if (!rd_pump(b, terms_up, RD_TIMEOUT_MS))
			return -1;
		return 0;
	}
	for (unsigned i = n; i < b->n_t; i++)
		rd_close(&b->t[i]);
	keep_terms = n;
	rd_pump(b, extras_gone, RD_TIMEOUT_MS);
	while (b->n_t > n && !b->t[b->n_t - 1].ac)
		b->n_t--;
	return 0;
}

static unsigned live_terms(struct rd *b)
{
	unsigned k = 0;
	for (unsigned i = 0; i < b->n_t; i++)
		k += !b->t[i].down && b->t[i].subs >= 2;
	return k;
}

/* ------------------------------------------------------------ writers */

struct rd_req {
	struct rd_conn *w;
	uint64_t seq, sent_ns;
};

static void fill(struct rd_conn *w, unsigned budget);

static void on_hset(redisAsyncContext *ac, void *reply, void *priv)
{
	struct rd_conn *w = priv;
	redisReply *r = reply;
	if (r && r->type == REDIS_REPLY_ERROR) {
		w->b->failed++;
		if (!w->b->first_error[0])
			snprintf(w->b->first_error, sizeof(w->b->first_error),
				 "HSET: %s", r->str);
	}
}

/* A write's HSET, unless the writers PUBLISH alone. */
static void hset(struct rd_conn *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void hset(struct rd_conn *w, const char *fmt, ...)
{
	if (w->b->publish_only)
		return;
	va_list ap;
	va_start(ap, fmt);
	redisvAsyncCommand(w->ac, on_hset, w, fmt, ap);
	va_end(ap);
}

static void on_publish(redisAsyncContext *ac, void *reply, void *priv)
{
	struct rd_req *q = priv;
	struct rd_conn *w = q->w;
	struct rd *b = w->b;
	uint64_t now = bench_now_ns();
	redisReply *r = reply;
	w->in_flight--;
	if (r && r->type == REDIS_REPLY_INTEGER) {
		b->acked_all++;
		if (b->measuring) {
			b->acked++;
			if (q->sent_ns >= b->t0_ns) {
				bench_deliv_sent(&b->deliv, q->seq, q->sent_ns);
				bench_samples_add(&b->acks, now - q->sent_ns);
			}
		}
	} else if (r) {
		b->failed++;
	}
	free(q);
	if (!b->rate && r)
		fill(w, UINT32_MAX);
}

/* The fields a write changes, the same mix as the clubcrm driver. */
static int issue_one(struct rd_conn *w)
{
	struct rd *b = w->b;
	struct rd_req *q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->w = w;
	q->seq = ++b->seq;
	uint64_t r = bench_rand(&w->rng);
	unsigned pct = (unsigned)(r % 100);
	bool urgent = (r >> 8) & 1;
	char row[256];
	uint64_t id;
	const char *op;
	q->sent_ns = bench_now_ns();
	if (w->n_pool < 8 || pct < 30) {
		id = ((uint64_t)w->idx << 40) | ++w->next_id;
		op = "create";
		hset(w, "HSET task:%llu description %s type %s "
			"customer %u planned %lld status planned taken_by 0",
		     (unsigned long long)id, "call back about renewal",
		     urgent ? "Objection" : "Call", (unsigned)(r >> 16) % 64,
		     (long long)time_now() + 86400);
		if (w->n_pool < RD_POOL)
			w->pool[w->n_pool++] = id;
		else
			w->pool[(r >> 24) % RD_POOL] = id;
	} else {
		unsigned slot = (unsigned)((r >> 24) % w->n_pool);
		id = w->pool[slot];
		if (pct < 70) {
			op = w->taken[slot] ? "release" : "take";
			w->taken[slot] = !w->taken[slot];
			hset(w, "HSET task:%llu taken_by %u taken_at %lld",
			     (unsigned long long)id,
			     w->taken[slot] ? w->idx + 1 : 0,
			     (long long)time_now());
		} else if (pct < 85) {
			op = "follow-up";
			hset(w, "HSET task:%llu result %s note %s",
			     (unsigned long long)id, "No answer",
			     "no answer, try again later");
		} else {
			op = "edit";
			hset(w, "HSET task:%llu description %s",
			     (unsigned long long)id,
			     "call back about renewal (edited)");
		}
	}
	/* A display row of about the size clubcrm pushes. */
	snprintf(row, sizeof(row),
		 "seq=%" PRIu64 " id=%" PRIu64 " op=%s type=%s customer=%u "
		 "operator=alicia colour=%s description=call back about "
		 "renewal customer_name=Maria Lopez Garcia",
		 q->seq, id, op, urgent ? "Objection" : "Call",
		 (unsigned)(r >> 16) % 64, urgent ? "red" : "none");
	redisAsyncCommand(w->ac, on_publish, q, "PUBLISH %s %s",
			  urgent ? "urgent" : "board", row);
	w->in_flight++;
	w->issued++;
	return 0;
}

static void fill(struct rd_conn *w, unsigned budget)
{
	struct rd *b = w->b;
	unsigned depth = b->rate ? 64 : b->o->depth;
	while (budget-- && b->running && w->ready && !w->down &&
	       w->in_flight < depth)
		if (issue_one(w) < 0)
			return;
}

static bool writers_up(struct rd *b)
{
	for (unsigned i = 0; i < b->n_w; i++)
		if (!b->w[i].down && !b->w[i].ready)
			return false;
	return true;
}

static bool writers_idle(struct rd *b)
{
	for (unsigned i = 0; i < b->n_w; i++)
		if (!b->w[i].down && b->w[i].in_flight)
			return false;
	return true;
}

static unsigned want_terminals;
static bool delivered(struct rd *b)
{
	for (size_t k = 0; k < b->deliv.max_key; k++) {
		const struct bench_slot *s = &b->deliv.slots[k];
		if (s->sent_ns && s->count < want_terminals)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ timers */

static void rss_tick(uv_timer_t *h)
{
	struct rd *b = h->data;
	long kib = b->pid > 0 ? bench_rss_kib(b->pid) : -1;
	if (kib > b->rss_peak)
		b->rss_peak = kib;
}

static void rate_tick(uv_timer_t *h)
{
	struct rd *b = h->data;
	if (!b->running)
		return;
	double each = (double)(bench_now_ns() - b->rate_start_ns) / 1e9 *
		      b->rate / b->n_active;
	for (unsigned i = 0; i < b->n_active; i++) {
		struct rd_conn *w = &b->w[i];
		double due = each - (double)(w->issued - w->rate_base);
		if (due >= 1.0)
			fill(w, (unsigned)due);
	}
}

/* ------------------------------------------------------------ scenario */

static void run_scenario(struct rd *b, const struct bench_scenario *sc,
			 struct bench_result *r)
{
	if (arrange_terms(b, sc->terminals) < 0) {
		snprintf(r->error, sizeof(r->error), "terminals did not connect");
		return;
	}
	want_terminals = live_terms(b);
	b->n_active = sc->writers < b->n_w ? sc->writers : b->n_w;
	bench_deliv_reset(&b->deliv);
	b->acks.n = 0;
	b->acked = b->failed = 0;
	b->first_error[0] = '\0';
	b->seq = 0;
	b->t0_ns = 0;
	b->running = true;
	/* The bytes over the whole run, as clubcrmd's (bench_crm.c). */
	uint64_t acked0 = b->acked_all;
	bench_bytes_start(r, b->pid, bench_disk_path(b->o));
	/* The terminals on their threads, the writers on this one. */
	bench_shards_start(&b->shards);
	b->rate_start_ns = bench_now_ns();
	for (unsigned i = 0; i < b->n_active; i++) {
		b->w[i].rate_base = b->w[i].issued;
		if (!b->rate)
			fill(&b->w[i], UINT32_MAX);
	}
	if (b->rate)
		uv_timer_start(&b->rate_timer, rate_tick, 1, 1);
	rd_pump(b, rd_never, (unsigned)(b->o->warmup_s * 1000));
	b->rss_peak = -1;
	uv_timer_start(&b->rss_timer, rss_tick, 0, 100);
	b->t0_ns = bench_now_ns();
	b->measuring = true;
	rd_pump(b, rd_never, (unsigned)(b->o->duration_s * 1000));
	b->measuring = false;
	b->t1_ns = bench_now_ns();
	b->running = false;
	uv_timer_stop(&b->rss_timer);
	uv_timer_stop(&b->rate_timer);
	rd_pump(b, writers_idle, RD_DRAIN_MS);
	/* Their tables join the run's; late deliveries go there directly. */
	bench_shards_stop(&b->shards, &b->deliv, NULL);
	rd_pump(b, delivered, RD_DRAIN_MS);
	/* redis has nothing left to write: each write was appended and
	 * synced before its acknowledgement. */
	bench_bytes_end(r, b->pid, bench_disk_path(b->o));
	r->bytes_acked = b->acked_all - acked0;

	r->ran = true;
	r->acked = b->acked;
	r->failed = b->failed;
	r->seconds = (double)(b->t1_ns - b->t0_ns) / 1e9;
	r->wps = (double)b->acked / r->seconds;
	bench_samples_sort(&b->acks);
	r->ack_p50 = bench_samples_pct(&b->acks, 50);
	r->ack_p99 = bench_samples_pct(&b->acks, 99);
	bench_fill_delivery(r, &b->deliv, want_terminals);
	r->rss_load_kib = b->rss_peak;
	if (b->first_error[0])
		snprintf(r->error, sizeof(r->error), "%" PRIu64 " failed, first: %s",
			 b->failed, b->first_error);
}

/* ------------------------------------------------------------ the run */

static int parse_address(struct rd *b, const char *address)
{
	const char *colon = strrchr(address, ':');
	unsigned port = bench_port_of(address);
	size_t n = colon ? (size_t)(colon - address) : 0;
	if (!port || n == 0 || n >= sizeof(b->host))
		return -1;
	memcpy(b->host, address, n);
	b->host[n] = '\0';
	b->port = (int)port;
	return 0;
}

static bool all_gone(struct rd *b)
{
	for (unsigned i = 0; i < b->n_w; i++)
		if (b->w[i].ac)
			return false;
	return terms_gone(b);
}

int bench_redis_run(const struct bench_opts *o, struct bench_system *out)
{
	out->name = "redis";
	struct rd *b = calloc(1, sizeof(*b));
	if (!b || uv_loop_init(&b->loop) != 0) {
		free(b);
		return -1;
	}
	b->o = o;
	b->rate = o->rate;
	int rc = -1;
	uv_timer_init(&b->loop, &b->rss_timer);
	uv_timer_init(&b->loop, &b->rate_timer);
	b->rss_timer.data = b->rate_timer.data = b;
	if (bench_shards_init(&b->shards, o->term_threads) < 0) {
		fprintf(stderr, "bench: the terminals' loops failed\n");
		goto fail;
	}
	if (parse_address(b, o->redis_address) < 0) {
		fprintf(stderr, "bench: bad redis address %s\n", o->redis_address);
		goto fail;
	}
	b->pid = o->redis_pid ? o->redis_pid : bench_pid_of_port((unsigned)b->port);
	unsigned max_t = 0, max_w = 0;
	for (unsigned i = 0; i < o->n_sc; i++) {
		if (o->sc[i].terminals > max_t)
			max_t = o->sc[i].terminals;
		if (o->sc[i].writers > max_w)
			max_w = o->sc[i].writers;
	}
	out->rss_base_kib = b->pid > 0 ? bench_rss_kib(b->pid) : -1;
	b->t = calloc(max_t, sizeof(*b->t));
	if (!b->t)
		goto fail;
	b->t_cap = max_t;
	if (arrange_terms(b, max_t) < 0) {
		fprintf(stderr, "bench: redis terminals did not connect\n");
		goto fail;
	}
	rd_pump(b, rd_never, 500);
	out->rss_idle_kib = b->pid > 0 ? bench_rss_kib(b->pid) : -1;
	out->idle_conns = live_terms(b);
	b->w = calloc(max_w, sizeof(*b->w));
	if (!b->w)
		goto fail;
	b->n_w = max_w;
	for (unsigned i = 0; i < max_w; i++) {
		b->w[i] = (struct rd_conn){
			.b = b, .idx = i, .rng = 0x9E3779B97F4A7C15ULL * (i + 1)};
		rd_open(b, &b->w[i]);
	}
	if (!rd_pump(b, writers_up, RD_TIMEOUT_MS))
		goto fail;
	for (unsigned i = 0; i < o->n_sc; i++) {
		if (o->verbose)
			fprintf(stderr, "bench: redis N=%u W=%u\n",
				o->sc[i].terminals, o->sc[i].writers);
		run_scenario(b, &o->sc[i], &out->r[i]);
	}
	/* Fan-out alone: the scenarios with the most terminals again, the
	 * writers PUBLISHing without an HSET. */
	b->publish_only = true;
	for (unsigned i = 0; i < o->n_sc; i++) {
		if (o->sc[i].terminals != max_t)
			continue;
		/* At clubcrmd's pace: as fast as acknowledged, redis takes
		 * PUBLISHes faster than its subscribers are written to, and
		 * their queues, not the fan-out, would be the figure. */
		b->rate = o->pub_rate[i] > 0 ? o->pub_rate[i] : o->rate;
		run_scenario(b, &o->sc[i], &out->pub[i]);
	}
	b->publish_only = false;
	b->rate = o->rate;
	rc = 0;
fail:
	b->running = false;
	bench_shards_stop(&b->shards, &b->deliv, NULL);
	for (unsigned i = 0; i < b->n_t; i++)
		rd_close(&b->t[i]);
	for (unsigned i = 0; i < b->n_w; i++)
		rd_close(&b->w[i]);
	rd_pump(b, all_gone, 5000);
	bench_shards_close(&b->shards);
	uv_close((uv_handle_t *)&b->rss_timer, NULL);
	uv_close((uv_handle_t *)&b->rate_timer, NULL);
	uv_run(&b->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&b->loop) != 0)
		fprintf(stderr, "bench: handles left open on the loop\n");
	bench_deliv_free(&b->deliv);
	bench_samples_free(&b->acks);
	free(b->t);
	free(b->w);
	free(b);
	return rc;
}
