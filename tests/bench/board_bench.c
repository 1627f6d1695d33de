/*
 * clubcrm-board-bench: a big board to one terminal through the client
 * library, as the desk takes it (issue 15; tests/bench/README-performance.md
 * "The 100,000-task snapshot ... to a terminal through the client library").
 *
 * Each run is a fresh terminal: live_new() + login, then the BOARD view
 * subscribed as the desk subscribes it (no filter), its replica filled by
 * live.c/replica.c. Like the desk (tui_app.c on_prepare), the "screen" is
 * drawn when the loop is about to wait and a row changed: the rows sorted
 * by planned time (replica_sorted), which is what the desk's list draws
 * from. Printed per run, from the Subscribe sent:
 *   first rows  the first draw holding rows (what the operator sees first)
 *   all rows    SnapshotDone applied: the replica holds the whole board
 *   client CPU  this process's user+system time from the Subscribe to
 *               the last draw (the teardown left out)
 *   draws       how many draws, and their CPU (the sorts)
 * and the peak RSS of the process. Figures only: `--check` asks that every
 * run held at least --expect rows and drew rows before the end, no time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

#include "live.h"
#include "status.h"

struct opts {
	const char *address;
	const char *login;
	const char *password;
	unsigned runs;
	unsigned long expect;
	unsigned timeout_s;
	bool check;
};

struct run {
	const struct opts *o;
	uv_loop_t loop;
	uv_prepare_t prepare;
	uv_timer_t timer;
	struct live *live;
	struct live_sub *sub;
	uint64_t t0_ns;           /* the Subscribe sent */
	double first_ms;          /* first draw with rows (< 0: none) */
	double all_ms;            /* SnapshotDone applied (< 0: not yet) */
	double draw_ms;           /* CPU of the draws */
	double cpu_end;           /* process CPU at the last draw */
	size_t first_rows;        /* rows in the first draw */
	size_t rows;
	unsigned draws;
	bool dirty;
	bool done;
	bool failed;
	char why[400];
};

static double cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static double thread_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double since_ms(const struct run *r)
{
	return (double)(uv_hrtime() - r->t0_ns) / 1e6;
}

static void finish(struct run *r)
{
	if (r->done)
		return;
	r->done = true;
	uv_prepare_stop(&r->prepare);
	uv_timer_stop(&r->timer);
	if (r->live)
		live_close(r->live);  /* frees the subscription too */
	r->live = NULL;
	r->sub = NULL;
}

static void on_row(struct replica *rep, enum replica_change what,
		   const Clubcrm__TaskRow *row, void *ud)
{
	(void)rep;
	(void)what;
	(void)row;
	((struct run *)ud)->dirty = true;
}

static void on_synced(struct replica *rep, void *ud)
{
	struct run *r = ud;
	if (r->all_ms >= 0)
		return;
	r->all_ms = since_ms(r);
	r->rows = replica_count(rep);
	r->dirty = true;
}

/* The desk's redraw: before the loop waits, when something changed. */
static void on_prepare(uv_prepare_t *h)
{
	struct run *r = h->data;
	if (!r->dirty || !r->sub)
		return;
	r->dirty = false;
	struct replica *rep = live_sub_replica(r->sub);
	size_t n = replica_count(rep);
	if (n) {
		double c0 = thread_cpu_ms();
		const Clubcrm__TaskRow **rows =
			replica_sorted(rep, REPLICA_BY_PLANNED);
		if (!rows) {
			snprintf(r->why, sizeof(r->why), "out of memory");
			r->failed = true;
			finish(r);
			return;
		}
		/* What a screen of 50 lines reads of them. */
		uint64_t sum = 0;
		for (size_t i = 0; i < n && i < 50; i++)
			sum += rows[i]->task ? rows[i]->task->id : 0;
		free(rows);
		r->draw_ms += thread_cpu_ms() - c0;
		r->draws++;
		if (r->first_ms < 0 && sum) {
			r->first_ms = since_ms(r);
			r->first_rows = n;
		}
	}
	if (r->all_ms >= 0) {
		r->cpu_end = cpu_ms();  /* the teardown is not the board's */
		finish(r);
	}
}

static void on_timeout(uv_timer_t *t)
{
	struct run *r = t->data;
	snprintf(r->why, sizeof(r->why), "no snapshot within %u s",
		 r->o->timeout_s);
	r->failed = true;
	finish(r);
}

static const struct replica_callbacks replica_cbs = {
	.on_row = on_row, .on_synced = on_synced};

static void on_state(struct live *l, enum live_state st,
		     const struct client_status *why, void *ud)
{
	(void)l;
	struct run *r = ud;
	if (r->done)
		return;
	if (st == LIVE_READY && !r->sub) {
		Clubcrm__View v = CLUBCRM__VIEW__INIT;
		Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
		v.has_kind = 1;
		v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
		v.filter = &f;
		r->t0_ns = uv_hrtime();
		if (live_subscribe(r->live, &v, &replica_cbs, r, &r->sub) !=
		    STATUS_OK) {
			snprintf(r->why, sizeof(r->why), "cannot subscribe");
			r->failed = true;
			finish(r);
		}
		return;
	}
	if (st == LIVE_FAILED || (st == LIVE_WAITING && r->sub)) {
		snprintf(r->why, sizeof(r->why), "%s: %.300s",
			 live_state_name(st), why ? why->message : "");
		r->failed = true;
		finish(r);
	}
}

static void on_sub_error(struct live *l, struct live_sub *s,
			 const struct client_status *why, void *ud)
{
	(void)l;
	(void)s;
	struct run *r = ud;
	snprintf(r->why, sizeof(r->why), "subscription refused: %s",
		 why->message);
	r->failed = true;
	finish(r);
}

static void on_closed(struct live *l, void *ud)
{
	(void)l;
	(void)ud;
}

static const struct live_callbacks live_cbs = {
	.on_state = on_state, .on_sub_error = on_sub_error,
	.on_closed = on_closed};

static int one_run(const struct opts *o, unsigned k, double *first,
		   double *all, double *cpu)
{
	struct run r = {.o = o, .first_ms = -1, .all_ms = -1};
	if (uv_loop_init(&r.loop) < 0)
		return -1;
	uv_prepare_init(&r.loop, &r.prepare);
	r.prepare.data = &r;
	uv_timer_init(&r.loop, &r.timer);
	r.timer.data = &r;
	struct client_config cfg = {.address = o->address, .login = o->login,
				    .password = o->password,
				    .terminal_name = "board-bench"};
	if (live_new(&r.loop, &cfg, &live_cbs, &r, &r.live) != STATUS_OK) {
		fprintf(stderr, "clubcrm-board-bench: live_new failed\n");
		return -1;
	}
	uv_prepare_start(&r.prepare, on_prepare);
	uv_timer_start(&r.timer, on_timeout, o->timeout_s * 1000u, 0);
	live_start(r.live);
	/* The CPU of login and handshake is left out: from the Subscribe
	 * (the first READY) to the end, measured on this thread. */
	double c0 = -1;
	while (!r.done) {
		uv_run(&r.loop, UV_RUN_ONCE);
		if (c0 < 0 && r.sub)
			c0 = cpu_ms();
	}
	double c1 = r.cpu_end > 0 ? r.cpu_end : cpu_ms();
	uv_close((uv_handle_t *)&r.prepare, NULL);
	uv_close((uv_handle_t *)&r.timer, NULL);
	uv_run(&r.loop, UV_RUN_DEFAULT);
	uv_loop_close(&r.loop);
	if (r.failed) {
		fprintf(stderr, "clubcrm-board-bench: run %u: %s\n", k, r.why);
		return -1;
	}
	*first = r.first_ms;
	*all = r.all_ms;
	*cpu = c0 < 0 ? 0 : c1 - c0;
	printf("run %u: %zu rows; first rows drawn after %.1f ms (%zu rows), "
	       "all rows held after %.1f ms; client CPU %.1f ms, of which "
	       "%u draws (sorts) %.1f ms\n",
	       k, r.rows, r.first_ms, r.first_rows, r.all_ms, *cpu, r.draws,
	       r.draw_ms);
	fflush(stdout);
	if (o->check && (r.rows < o->expect || r.first_ms < 0 ||
			 r.first_rows == 0 || r.first_ms > r.all_ms + 1e-9)) {
		fprintf(stderr, "clubcrm-board-bench: run %u: check failed: "
				"%zu rows held (%lu expected), first draw %.1f "
				"ms (%zu rows), all %.1f ms\n",
			k, r.rows, o->expect, r.first_ms, r.first_rows,
			r.all_ms);
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: clubcrm-board-bench --clubcrm HOST:PORT [--login L] "
		"[--password P]\n"
		"         [--runs K] [--expect N] [--timeout S] [--check]\n"
		"  each run: a fresh terminal takes the whole board (BOARD "
		"view) through\n"
		"  the client library as the desk does; prints when the first "
		"rows were\n"
		"  drawn, when all were held, the client's CPU and peak RSS\n");
}

int main(int argc, char **argv)
{
	struct opts o = {.login = "alicia", .password = "demo", .runs = 3,
			 .timeout_s = 120};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--check") == 0) {
			o.check = true;
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			usage(stderr);
			return 2;
		}
		char *end = NULL;
		unsigned long n = strtoul(v, &end, 10);
		bool num = end && end != v && !*end;
		if (strcmp(a, "--clubcrm") == 0)
			o.address = v;
		else if (strcmp(a, "--login") == 0)
			o.login = v;
		else if (strcmp(a, "--password") == 0)
			o.password = v;
		else if (strcmp(a, "--runs") == 0 && num && n && n <= 1000)
			o.runs = (unsigned)n;
		else if (strcmp(a, "--expect") == 0 && num)
			o.expect = n;
		else if (strcmp(a, "--timeout") == 0 && num && n && n <= 3600)
			o.timeout_s = (unsigned)n;
		else {
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (!o.address) {
		usage(stderr);
		return 2;
	}
	double first[1000], all[1000], cpu[1000];
	for (unsigned k = 0; k < o.runs; k++)
		if (one_run(&o, k + 1, &first[k], &all[k], &cpu[k]) < 0)
			return 1;
	qsort(first, o.runs, sizeof(double), cmp_double);
	qsort(all, o.runs, sizeof(double), cmp_double);
	qsort(cpu, o.runs, sizeof(double), cmp_double);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("board to one terminal (client library), %u runs: first rows "
	       "drawn %.1f-%.1f ms (median %.1f), all rows held %.1f-%.1f ms "
	       "(median %.1f), client CPU %.1f-%.1f ms (median %.1f); peak "
	       "RSS %.1f MiB\n",
	       o.runs, first[0], first[o.runs - 1], first[o.runs / 2], all[0],
	       all[o.runs - 1], all[o.runs / 2], cpu[0], cpu[o.runs - 1],
	       cpu[o.runs / 2], (double)ru.ru_maxrss / 1024);
	return 0;
}
