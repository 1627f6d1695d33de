/*
 * The restart scenario (issue 11, item 19): N terminals hold a board
 * subscription each through the client library's live connection
 * (client/lib/live.c, as the desk does); the bench kills clubcrmd (SIGKILL
 * by default: a crash, no GoAway), starts it again on the same data and
 * port, and times, for each terminal, the way from the new server's
 * "listening on" line until that terminal is READY again with its replica
 * current: its resume (or fresh snapshot) complete, no replay pending, at
 * the revision it held before the kill or later. The server runs at
 * --log-level info so its "logged in [by resume token]" lines tell how
 * each terminal came back.
 *
 * The bench starts clubcrmd itself (--clubcrmd PATH): only it knows the
 * moment of the kill and of the restart. One loop, one thread.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "bench.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "client.h"
#include "live.h"
#include "replica.h"
#include "status.h"

#define RS_TICK_MS 1
#define RS_BACK_LIMIT_MS 60000u   /* after the restart: the rest failed */
#define RS_SETUP_LIMIT_MS 300000u /* every terminal logged in first */

enum rs_phase {
	RS_START,     /* first server starting */
	RS_CONNECT,   /* terminals logging in and subscribing */
	RS_KILLED,    /* signal sent, waiting for the exit */
	RS_RESTARTED, /* second server spawned */
	RS_DONE,
};

struct rs_proc {
	uv_process_t proc;
	uv_pipe_t err;
	char line[2048];
	size_t len;
	bool spawned, running;
};

struct rs_term {
	struct rs *rs;
	struct live *l;
	struct live_sub *sub;
	bool started, synced;     /* first login and snapshot */
	bool down;                /* left READY after the kill */
	bool need_ping, pong;     /* a Ping after the new READY answered */
	bool back;
	uint64_t back_ns;         /* monotonic time it came back */
	uint64_t back_rev;        /* its replica's revision then */
};

struct rs {
	uv_loop_t loop;
	uv_timer_t tick;
	const struct bench_opts *o;
	unsigned n;
	struct rs_term *t;
	struct rs_proc proc[2];
	unsigned gen;             /* which proc is current */
	enum rs_phase phase;
	char addr[64];
	const char *data;
	uint64_t phase_ns, kill_ns, spawn_ns, listen_ns;
	uint64_t target;          /* replica revision before the kill */
	unsigned started, synced, back, failed, closed;
	unsigned by_token, by_password;
	bool closing;
	char error[256];
};

static uint64_t now_ns(void)
{
	return uv_hrtime();
}

static void fail(struct rs *rs, const char *fmt, const char *arg)
{
	if (!rs->error[0])
		snprintf(rs->error, sizeof(rs->error), fmt, arg);
	rs->phase = RS_DONE;
}

/* ------------------------------------------------------------ server */

static void on_err_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)hint;
	struct rs_proc *p = h->data;
	/* One line at a time is kept; an overlong one is cut. */
	if (p->len >= sizeof(p->line) - 1)
		p->len = 0;
	*buf = uv_buf_init(p->line + p->len,
			   (unsigned)(sizeof(p->line) - 1 - p->len));
}

static struct rs *proc_rs(struct rs_proc *p, unsigned *gen)
{
	/* The procs live in struct rs; find which one this is. */
	struct rs *rs = p->err.loop->data;
	*gen = p == &rs->proc[0] ? 0 : 1;
	return rs;
}

static void on_line(struct rs *rs, unsigned gen, const char *line)
{
	if (rs->o->verbose)
		fprintf(stderr, "clubcrmd[%u]: %s\n", gen, line);
	const char *lp = "clubcrmd: listening on ";
	if (!strncmp(line, lp, strlen(lp))) {
		if (gen == 0 && !rs->addr[0])
			snprintf(rs->addr, sizeof(rs->addr), "%s",
				 line + strlen(lp));
		if (gen == 1 && !rs->listen_ns)
			rs->listen_ns = now_ns();
		return;
	}
	if (gen != 1)
		return;
	const char *in = strstr(line, " logged in");
	if (!in)
		return;
	if (strstr(in, "by resume token"))
		rs->by_token++;
	else
		rs->by_password++;
}

static void on_err_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	struct rs_proc *p = s->data;
	unsigned gen;
	struct rs *rs = proc_rs(p, &gen);
	if (nread < 0) {
		uv_close((uv_handle_t *)s, NULL);
		return;
	}
	p->len += (size_t)nread;
	p->line[p->len] = '\0';
	char *start = p->line, *nl;
	while ((nl = memchr(start, '\n', p->len - (size_t)(start - p->line)))) {
		*nl = '\0';
		on_line(rs, gen, start);
		start = nl + 1;
	}
	p->len -= (size_t)(start - p->line);
	memmove(p->line, start, p->len);
}

static void on_proc_closed(uv_handle_t *h)
{
	(void)h;
}

static int spawn_server(struct rs *rs);

static void on_exit_cb(uv_process_t *h, int64_t status, int sig)
{
	(void)status;
	(void)sig;
	struct rs *rs = h->loop->data;
	struct rs_proc *p = h->data;
	p->running = false;
	uv_close((uv_handle_t *)h, on_proc_closed);
	if (rs->phase == RS_KILLED && p == &rs->proc[0]) {
		rs->gen = 1;
		if (spawn_server(rs) < 0)
			return;
		rs->phase = RS_RESTARTED;
		return;
	}
	if (rs->phase != RS_DONE && !rs->closing)
		fail(rs, "clubcrmd exited unexpectedly%s", "");
}

static int spawn_server(struct rs *rs)
{
	struct rs_proc *p = &rs->proc[rs->gen];
	char listen[80];
	snprintf(listen, sizeof(listen), "%s",
		 rs->gen ? rs->addr : "127.0.0.1:0");
	char *args[] = {(char *)rs->o->clubcrmd, "--listen", listen, "--data",
			(char *)rs->data, "--demo", "--log-level", "info",
			"--web-listen", "none", NULL};
	uv_pipe_init(&rs->loop, &p->err, 0);
	p->err.data = p;
	p->proc.data = p;
	uv_stdio_container_t io[3] = {
		{.flags = UV_IGNORE},
		{.flags = UV_IGNORE},
		{.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE,
		 .data.stream = (uv_stream_t *)&p->err},
	};
	uv_process_options_t opt = {
		.exit_cb = on_exit_cb, .file = rs->o->clubcrmd, .args = args,
		.stdio = io, .stdio_count = 3,
	};
	rs->spawn_ns = now_ns();
	int rc = uv_spawn(&rs->loop, &p->proc, &opt);
	if (rc < 0) {
		uv_close((uv_handle_t *)&p->err, NULL);
		fail(rs, "cannot start clubcrmd: %s", uv_strerror(rc));
		return -1;
	}
	p->spawned = p->running = true;
	uv_read_start((uv_stream_t *)&p->err, on_err_alloc, on_err_read);
	return 0;
}

/* --------------------------------------------------------- terminals */

static void on_state(struct live *l, enum live_state st,
		     const struct client_status *why, void *ud)
{
	(void)l;
	struct rs_term *t = ud;
	struct rs *rs = t->rs;
	if (st == LIVE_FAILED) {
		rs->failed++;
		if (rs->o->verbose)
			fprintf(stderr, "restart: a terminal failed: %s\n",
				why ? why->message : "");
		return;
	}
	if (rs->phase < RS_KILLED)
		return;
	if (st != LIVE_READY) {
		t->down = true;
		t->need_ping = t->pong = false;
	} else if (t->down) {
		/* live.c sends its Subscribe right after this callback: a
		 * Ping sent on the next tick is answered after the
		 * Subscribed and the whole replay that follows it. */
		t->need_ping = true;
	}
}

static void on_synced(struct replica *r, void *ud)
{
	(void)r;
	struct rs_term *t = ud;
	if (!t->synced) {
		t->synced = true;
		t->rs->synced++;
	}
}

static void on_closed(struct live *l, void *ud)
{
	(void)l;
	struct rs_term *t = ud;
	t->rs->closed++;
}

static const struct live_callbacks live_cbs = {
	.on_state = on_state,
	.on_closed = on_closed,
};

static const struct replica_callbacks replica_cbs = {
	.on_synced = on_synced,
};

static void on_pong(struct client *c, struct client_reply *r, void *arg)
{
	(void)c;
	struct rs_term *t = arg;
	if (r->status == STATUS_OK)
		t->pong = true;
}

static int start_term(struct rs *rs, struct rs_term *t, unsigned i)
{
	static const char *const logins[] = {"alicia", "valentina", "fermin",
					     "deborah", "maribel"};
	struct client_config cfg = {
		.address = rs->addr,
		.login = logins[i % (sizeof(logins) / sizeof(logins[0]))],
		.password = "demo",
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_DESK,
		.terminal_name = "bench-restart",
		.connect_timeout_ms = 60000,
	};
	t->rs = rs;
	if (live_new(&rs->loop, &cfg, &live_cbs, t, &t->l) != STATUS_OK)
		return -1;
	Clubcrm__View view = CLUBCRM__VIEW__INIT;
	view.has_kind = 1;
	view.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	if (live_subscribe(t->l, &view, &replica_cbs, t, &t->sub) !=
		    STATUS_OK ||
	    live_start(t->l) != STATUS_OK)
		return -1;
	t->started = true;
	return 0;
}

/* Current: the new connection's Ping answered, no snapshot or replay
 * pending, and nothing older than before the kill. */
static bool current(const struct rs *rs, struct rs_term *t)
{
	const struct replica *r = live_sub_replica(t->sub);
	return t->pong && live_get_state(t->l) == LIVE_READY &&
	       !r->in_snapshot && !r->resume_target && r->synced &&
	       replica_revision(r) >= rs->target;
}

static void close_all(struct rs *rs)
{
	if (rs->closing)
		return;
	rs->closing = true;
	for (unsigned i = 0; i < rs->n; i++)
		if (rs->t[i].l)
			live_close(rs->t[i].l);
		else
			rs->closed++;
	if (rs->proc[rs->gen].running)
		uv_process_kill(&rs->proc[rs->gen].proc, SIGTERM);
	uv_timer_stop(&rs->tick);
	uv_close((uv_handle_t *)&rs->tick, NULL);
}

static void on_tick(uv_timer_t *h)
{
	struct rs *rs = h->data;
	uint64_t now = now_ns();
	uint64_t in_phase_ms = (now - rs->phase_ns) / 1000000;
	switch (rs->phase) {
	case RS_START:
		if (rs->addr[0]) {
			rs->phase = RS_CONNECT;
			rs->phase_ns = now;
		} else if (in_phase_ms > 30000) {
			fail(rs, "clubcrmd did not listen%s", "");
		}
		break;
	case RS_CONNECT:
		/* login_parallel password logins at a time. */
		while (rs->started < rs->n &&
		       rs->started - rs->synced < rs->o->login_parallel) {
			if (start_term(rs, &rs->t[rs->started],
				       rs->started) < 0) {
				fail(rs, "cannot start a terminal%s", "");
				break;
			}
			rs->started++;
		}
		if (rs->failed) {
			fail(rs, "a terminal's login failed%s", "");
		} else if (rs->synced == rs->n) {
			for (unsigned i = 0; i < rs->n; i++) {
				uint64_t v = replica_revision(
					live_sub_replica(rs->t[i].sub));
				if (v > rs->target)
					rs->target = v;
			}
			rs->phase = RS_KILLED;
			rs->kill_ns = now;
			uv_process_kill(&rs->proc[0].proc,
					rs->o->restart_signal);
		} else if (in_phase_ms > RS_SETUP_LIMIT_MS) {
			fail(rs, "the terminals did not all log in%s", "");
		}
		break;
	case RS_KILLED:
		break;
	case RS_RESTARTED:
		for (unsigned i = 0; i < rs->n; i++) {
			struct rs_term *t = &rs->t[i];
			if (t->need_ping) {
				Clubcrm__Ping ping = CLUBCRM__PING__INIT;
				Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
				f.body_case = CLUBCRM__FRAME__BODY_PING;
				f.ping = &ping;
				t->need_ping = false;
				live_request(t->l, &f, on_pong, t);
			}
			if (!t->back && current(rs, t)) {
				t->back = true;
				t->back_ns = now;
				t->back_rev = replica_revision(
					live_sub_replica(t->sub));
				rs->back++;
			}
		}
		if (rs->back == rs->n)
			rs->phase = RS_DONE;
		else if ((now - rs->spawn_ns) / 1000000 > RS_BACK_LIMIT_MS)
			fail(rs, "not every terminal came back within 60 s%s",
			     "");
		break;
	case RS_DONE:
		break;
	}
	if (rs->phase == RS_DONE)
		close_all(rs);
}

/* ------------------------------------------------------------ report */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static double pct_ms(const uint64_t *v, unsigned n, double p)
{
	if (!n)
		return 0;
	unsigned i = (unsigned)(p * (n - 1) + 0.5);
	return (double)v[i] / 1e6;
}

static void report(struct rs *rs, struct bench_restart_result *out)
{
	out->terminals = rs->n;
	out->back = rs->back;
	out->by_token = rs->by_token;
	out->by_password = rs->by_password;
	out->down_ms = rs->listen_ns > rs->kill_ns
			       ? (double)(rs->listen_ns - rs->kill_ns) / 1e6
			       : 0;
	snprintf(out->error, sizeof(out->error), "%s", rs->error);
	uint64_t *v = calloc(rs->n ? rs->n : 1, sizeof(*v));
	if (!v)
		return;
	unsigned k = 0;
	uint64_t lo = UINT64_MAX, hi = 0;
	/* No listening line read: from the spawn (an upper bound). */
	uint64_t t0 = rs->listen_ns ? rs->listen_ns : rs->spawn_ns;
	for (unsigned i = 0; i < rs->n; i++) {
		struct rs_term *t = &rs->t[i];
		if (!t->back)
			continue;
		/* A terminal seen back before the bench read the listening
		 * line (same loop pass) counts as 0. */
		v[k++] = t->back_ns > t0 ? t->back_ns - t0 : 0;
		uint64_t rev = t->back_rev; /* the replica is freed by now */
		lo = rev < lo ? rev : lo;
		hi = rev > hi ? rev : hi;
	}
	qsort(v, k, sizeof(*v), cmp_u64);
	out->p50_ms = pct_ms(v, k, 0.50);
	out->p99_ms = pct_ms(v, k, 0.99);
	out->max_ms = k ? (double)v[k - 1] / 1e6 : 0;
	out->spawn_to_listen_ms =
		rs->listen_ns > rs->spawn_ns
			? (double)(rs->listen_ns - rs->spawn_ns) / 1e6 : 0;
	out->revision_before = rs->target;
	out->revision_min = k ? lo : 0;
	out->revision_max = hi;
	out->ran = true;
	free(v);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int bench_restart_run(const struct bench_opts *o, unsigned terminals,
		      struct bench_restart_result *out)
{
	memset(out, 0, sizeof(*out));
	static struct rs rs;
	memset(&rs, 0, sizeof(rs));
	rs.o = o;
	rs.n = terminals;
	rs.t = calloc(terminals, sizeof(*rs.t));
	char dir[4096];
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/clubcrm-restart.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!rs.t || !mkdtemp(dir)) {
		free(rs.t);
		snprintf(out->error, sizeof(out->error), "no memory or %.200s: %s",
			 dir, strerror(errno));
		return -1;
	}
	char data[4200];
	snprintf(data, sizeof(data), "%s/data", dir);
	rs.data = data;
	uv_loop_init(&rs.loop);
	rs.loop.data = &rs;
	uv_timer_init(&rs.loop, &rs.tick);
	rs.tick.data = &rs;
	rs.phase_ns = now_ns();
	if (spawn_server(&rs) == 0)
		uv_timer_start(&rs.tick, on_tick, RS_TICK_MS, RS_TICK_MS);
	else
		close_all(&rs);
	uv_run(&rs.loop, UV_RUN_DEFAULT);
	report(&rs, out);
	if (uv_loop_close(&rs.loop) != 0 && !out->error[0])
		snprintf(out->error, sizeof(out->error),
			 "handles left open at the end");
	free(rs.t);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rs.error[0] || rs.back != rs.n ? -1 : 0;
}
