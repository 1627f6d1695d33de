/*
 * Memory is bounded in bytes, not in requests: eight connections pipeline
 * UpsertTaskType requests that decode into many small objects (a 1 MiB
 * frame of 170,000 tiny follow-ons, and 210 KB frames of 1,000 follow-ons
 * with descriptions, all refused), while a witness connection pings. The
 * server's resident memory (VmHWM/VmRSS of /proc/PID/status) must grow by
 * less than 64 MiB, every request must be answered exactly once, the
 * witness's pings must stay fast, and the memory must go back afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <cmocka.h>

#include "harness.h"
#include "rawconn.h"
#include "status.h"

#define N_ATTACKERS 8
#define N_TINY 3         /* 1 MiB frames of tiny follow-ons, per connection */
#define N_WIDE 30        /* 210 KB frames of 1,000 follow-ons */
#define N_FRAMES (N_TINY + N_WIDE)
#define RID0 1000u
#define MIB (1024u * 1024u)
/* The bounds under test: generous, but real (the bug reached 1.44 GiB and
 * pings of 3.2 s). The p99 asserted is far looser than the 50 ms aimed at,
 * so that a loaded 2-core machine does not make the test flaky (250 ms was
 * crossed, 376 ms, with the browser tests running beside it); it still
 * catches the bug's seconds. The figure is printed; the aim is the bench's. */
#define MAX_GROWTH_KIB (64u * 1024u)
#define MAX_AFTER_KIB (8u * 1024u)
#define MAX_P99_MS 1000.0

/* Under AddressSanitizer (its shadow memory and quarantine) or a
 * HARNESS_WRAPPER (valgrind: /proc shows the wrapper, and it is 50 times
 * slower), RSS and latency say nothing about the server: the figures are
 * printed, and only the answers are checked. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static bool measured_only(void)
{
	return SANITIZED || getenv("HARNESS_WRAPPER");
}

static struct harness h;
static struct harness tight;  /* small memory bounds */

/* A field of /proc/PID/status in KiB ("VmRSS:", "VmHWM:"), 0 if absent. */
static unsigned long proc_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	unsigned long kib = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = strlen(field);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0)
			kib = strtoul(line + n, NULL, 10);
	fclose(f);
	return kib;
}

/* Resets VmHWM to the current RSS (Linux 4.0+); false when refused. */
static bool reset_peak(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	bool ok = fputs("5", f) >= 0;
	return fclose(f) == 0 && ok;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* UpsertTaskType of a new type with `n` follow-ons (descriptions of
 * `desc_len` bytes when not 0): refused by the server whatever happens. */
static void put_upsert(struct buf *out, uint64_t rid, size_t n,
		       size_t desc_len)
{
	Clubcrm__FollowOn *fo = calloc(n, sizeof(*fo));
	Clubcrm__FollowOn **v = calloc(n, sizeof(*v));
	char *desc = NULL;
	assert_non_null(fo);
	assert_non_null(v);
	if (desc_len) {
		desc = malloc(desc_len + 1);
		assert_non_null(desc);
		memset(desc, 'x', desc_len);
		desc[desc_len] = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		clubcrm__follow_on__init(&fo[i]);
		fo[i].has_type_id = fo[i].has_delay_minutes = true;
		fo[i].type_id = 1;
		fo[i].delay_minutes = 1;
		fo[i].description = desc;
		v[i] = &fo[i];
	}
	Clubcrm__TaskType ty = CLUBCRM__TASK_TYPE__INIT;
	ty.name = (char *)"memory hog";
	ty.n_follow_ons = n;
	ty.follow_ons = v;
	Clubcrm__UpsertTaskType up = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	up.task_type = &ty;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_TASK_TYPE;
	f.upsert_task_type = &up;
	assert_true(clubcrm__frame__get_packed_size(&f) < 1024u * 1024u);
	raw_put_frame(out, &f);
	free(desc);
	free(v);
	free(fo);
}

struct attacker {
	struct rawconn rc;
	const struct buf *frames;
	pthread_t thread;
	unsigned answers[N_FRAMES];   /* answers per request */
	unsigned codes[N_FRAMES];     /* their Error codes */
	unsigned errors, others;      /* Error frames; anything unexpected */
	bool sent;
	int done;                     /* set last, atomically */
};

/* Sends every frame in one go, then reads until each one is answered. */
static void *attack(void *arg)
{
	struct attacker *a = arg;
	a->sent = raw_send(&a->rc, a->frames->data, a->frames->len) == 0;
	unsigned got = 0;
	while (a->sent && got < N_FRAMES) {
		Clubcrm__Frame *f = raw_recv(&a->rc, 60000);
		if (!f)
			break;
		if (f->request_id >= RID0 && f->request_id < RID0 + N_FRAMES &&
		    f->body_case == CLUBCRM__FRAME__BODY_ERROR) {
			a->answers[f->request_id - RID0]++;
			a->codes[f->request_id - RID0] = f->error->code;
			a->errors++;
			got++;
		} else if (f->body_case != CLUBCRM__FRAME__BODY_PING) {
			a->others++;
		}
		clubcrm__frame__free_unpacked(f, NULL);
	}
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void put_ping(struct buf *out, uint64_t rid)
{
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	ping.has_nonce = true;
	ping.nonce = rid;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_PING;
	f.ping = &ping;
	raw_put_frame(out, &f);
}

/* One Ping and its Pong: the round trip in ms, or -1. */
static double ping_rtt(struct rawconn *rc, uint64_t rid)
{
	struct buf out = {0};
	put_ping(&out, rid);
	double t0 = now_ms();
	int ret = raw_send(rc, out.data, out.len);
	buf_free(&out);
	if (ret < 0)
		return -1;
	for (;;) {
		Clubcrm__Frame *f = raw_recv(rc, 30000);
		if (!f)
			return -1;
		bool pong = f->body_case == CLUBCRM__FRAME__BODY_PONG &&
			    f->request_id == rid;
		clubcrm__frame__free_unpacked(f, NULL);
		if (pong)
			return now_ms() - t0;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void test_pipelined_decoding_bounded_in_bytes(void **state)
{
	(void)state;
	struct buf frames = {0};
	bool tiny[N_FRAMES];
	for (unsigned i = 0; i < N_FRAMES; i++) {
		/* The tiny ones spread among the others. */
		tiny[i] = i % (N_FRAMES / N_TINY) == 0 &&
			  i / (N_FRAMES / N_TINY) < N_TINY;
		if (tiny[i])
			put_upsert(&frames, RID0 + i, 170000, 0);
		else
			put_upsert(&frames, RID0 + i, 1000, 200);
	}

	struct rawconn witness;
	assert_int_equal(raw_connect(&witness, h.address), 0);
	assert_true(raw_login(&witness, "fermin", HARNESS_PASSWORD));
	static struct attacker a[N_ATTACKERS];
	memset(a, 0, sizeof(a));
	for (unsigned i = 0; i < N_ATTACKERS; i++) {
		assert_int_equal(raw_connect(&a[i].rc, h.address), 0);
		assert_true(raw_login(&a[i].rc, "maribel", HARNESS_PASSWORD));
		a[i].frames = &frames;
	}
	/* Warm the witness up, then measure from here. */
	assert_true(ping_rtt(&witness, 1) >= 0);
	unsigned long base = proc_kib(h.pid, "VmRSS:");
	assert_true(base > 0);
	bool hwm = reset_peak(h.pid);

	for (unsigned i = 0; i < N_ATTACKERS; i++)
		assert_int_equal(pthread_create(&a[i].thread, NULL, attack,
						&a[i]), 0);
	enum { MAX_PINGS = 20000 };
	static double rtt[MAX_PINGS];
	size_t n_rtt = 0;
	unsigned long peak = base;
	double t_end = now_ms() + 120000;
	for (uint64_t rid = 2; n_rtt < MAX_PINGS && now_ms() < t_end; rid++) {
		double ms = ping_rtt(&witness, rid);
		assert_true(ms >= 0);
		rtt[n_rtt++] = ms;
		unsigned long rss = proc_kib(h.pid, "VmRSS:");
		if (rss > peak)
			peak = rss;
		bool done = true;
		for (unsigned i = 0; i < N_ATTACKERS; i++)
			if (!__atomic_load_n(&a[i].done, __ATOMIC_ACQUIRE))
				done = false;
		if (done)
			break;
		struct timespec ts = {0, 500 * 1000};
		nanosleep(&ts, NULL);
	}
	for (unsigned i = 0; i < N_ATTACKERS; i++)
		pthread_join(a[i].thread, NULL);
	if (hwm) {
		unsigned long p = proc_kib(h.pid, "VmHWM:");
		if (p > peak)
			peak = p;
	}

	qsort(rtt, n_rtt, sizeof(rtt[0]), cmp_double);
	double p50 = rtt[n_rtt / 2], p99 = rtt[n_rtt * 99 / 100];
	double max = rtt[n_rtt - 1];
	/* Memory goes back once the burst is over (a trim each second). */
	unsigned long after = proc_kib(h.pid, "VmRSS:");
	for (unsigned i = 0; i < 40 && after > base + MAX_AFTER_KIB &&
			     !measured_only(); i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		after = proc_kib(h.pid, "VmRSS:");
	}
	fprintf(stderr, "memory: RSS %lu KiB before, peak %lu KiB (+%lu), "
		"%lu KiB after; witness: %zu pings, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		base, peak, peak - base, after, n_rtt, p50, p99, max);

	for (unsigned i = 0; i < N_ATTACKERS; i++) {
		assert_true(a[i].sent);
		assert_int_equal(a[i].errors, N_FRAMES);
		assert_int_equal(a[i].others, 0);
		for (unsigned j = 0; j < N_FRAMES; j++) {
			assert_int_equal(a[i].answers[j], 1);
			/* Too big once decoded: refused before the domain. */
			if (tiny[j])
				assert_int_equal(a[i].codes[j],
						 STATUS_RESOURCE_EXHAUSTED);
		}
	}
	if (!measured_only()) {
		assert_true(peak - base < MAX_GROWTH_KIB);
		assert_true(after < base + MAX_AFTER_KIB);
		assert_true(p99 < MAX_P99_MS);
	}

	/* Everyone is still served. */
	for (unsigned i = 0; i < N_ATTACKERS; i++) {
		assert_true(ping_rtt(&a[i].rc, 5) >= 0);
		raw_close(&a[i].rc);
	}
	assert_true(ping_rtt(&witness, 3) >= 0);
	raw_close(&witness);
	buf_free(&frames);
}

/*
 * Bounds so small that a connection holds two requests, and the server
 * four: pipelined requests that each fit one request's bound wait for
 * memory instead (the server stops reading them), then run, every one
 * answered exactly once; nothing is refused for memory.
 */
static void test_requests_wait_for_memory(void **state)
{
	(void)state;
	enum { CONNS = 4, N = 40 };
	tight.extra[0] = "--max-request-memory=65536";
	tight.extra[1] = "--max-conn-memory=131072";
	tight.extra[2] = "--max-server-memory=262144";
	tight.extra[3] = "--log-level=debug";
	tight.extra[4] = "--max-frame=65536";
	assert_int_equal(harness_start(&tight), 0);
	struct buf frames = {0};
	for (unsigned i = 0; i < N; i++)
		put_upsert(&frames, RID0 + i, 100, 200);  /* ~30 KB decoded */
	struct rawconn rc[CONNS];
	for (unsigned i = 0; i < CONNS; i++) {
		assert_int_equal(raw_connect(&rc[i], tight.address), 0);
		assert_true(raw_login(&rc[i], "maribel", HARNESS_PASSWORD));
	}
	for (unsigned i = 0; i < CONNS; i++)
		assert_int_equal(raw_send(&rc[i], frames.data, frames.len), 0);
	for (unsigned i = 0; i < CONNS; i++) {
		unsigned answers[N] = {0};
		for (unsigned got = 0; got < N; got++) {
			Clubcrm__Frame *f = raw_recv(&rc[i], 30000);
			assert_non_null(f);
			assert_int_equal(f->body_case,
					 CLUBCRM__FRAME__BODY_ERROR);
			assert_true(f->request_id >= RID0 &&
				    f->request_id < RID0 + N);
			assert_int_not_equal(f->error->code,
					     STATUS_RESOURCE_EXHAUSTED);
			answers[f->request_id - RID0]++;
			clubcrm__frame__free_unpacked(f, NULL);
		}
		for (unsigned j = 0; j < N; j++)
			assert_int_equal(answers[j], 1);
		assert_true(ping_rtt(&rc[i], 7) >= 0);
		raw_close(&rc[i]);
	}
	buf_free(&frames);
	/* The bounds were reached: frames did wait. */
	assert_true(harness_log_count(&tight, "waits for memory") > 0);
	assert_int_equal(harness_stop(&tight), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelined_decoding_bounded_in_bytes),
		cmocka_unit_test(test_requests_wait_for_memory),
	};
	return harness_run_group(tests, &h, &tight);
}
