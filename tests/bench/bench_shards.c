/* The bench's terminals on threads of their own: bench_shards.h. */
#include "bench_shards.h"

#include <poll.h>
#include <stdio.h>
#include <time.h>

#include "timeutil.h"

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void shard_stop(uv_async_t *h)
{
	uv_stop(h->loop);
}

int bench_shards_init(struct bench_shards *s, unsigned n)
{
	s->n = 0;
	s->threaded = false;
	if (n > BENCH_MAX_SHARDS)
		n = BENCH_MAX_SHARDS;
	for (unsigned i = 0; i < n; i++) {
		struct bench_shard *sh = &s->s[i];
		*sh = (struct bench_shard){0};
		if (uv_loop_init(&sh->loop) != 0) {
			bench_shards_close(s);
			return -1;
		}
		if (uv_async_init(&sh->loop, &sh->stop, shard_stop) != 0) {
			uv_loop_close(&sh->loop);
			bench_shards_close(s);
			return -1;
		}
		s->n = i + 1;
	}
	return 0;
}

uv_loop_t *bench_shards_loop(struct bench_shards *s, unsigned i,
			     uv_loop_t *main)
{
	return s->n ? &s->s[i % s->n].loop : main;
}

struct bench_shard *bench_shards_of(struct bench_shards *s, unsigned i)
{
	return s->n ? &s->s[i % s->n] : NULL;
}

static void *shard_main(void *arg)
{
	struct bench_shard *sh = arg;
	uint64_t cpu0 = thread_cpu_ns();
	/* Until shard_stop(); the async handle keeps the loop alive. */
	uv_run(&sh->loop, UV_RUN_DEFAULT);
	sh->cpu_ns = thread_cpu_ns() - cpu0;
	return NULL;
}

void bench_shards_start(struct bench_shards *s)
{
	if (!s->n || s->threaded)
		return;
	s->threaded = true;
	for (unsigned i = 0; i < s->n; i++) {
		struct bench_shard *sh = &s->s[i];
		bench_deliv_reset(&sh->deliv);
		sh->last_rev = 0;
		sh->cpu_ns = 0;
		sh->running = pthread_create(&sh->th, NULL, shard_main, sh) == 0;
		if (!sh->running)
			fprintf(stderr, "bench: terminal thread %u did not "
					"start\n", i);
	}
}

void bench_shards_stop(struct bench_shards *s, struct bench_deliv *into,
		       uint64_t *last_rev)
{
	if (!s->threaded)
		return;
	for (unsigned i = 0; i < s->n; i++) {
		struct bench_shard *sh = &s->s[i];
		if (!sh->running)
			continue;
		uv_async_send(&sh->stop);
		pthread_join(sh->th, NULL);
		sh->running = false;
	}
	/* The threads are gone: their tables are this thread's now. */
	s->threaded = false;
	for (unsigned i = 0; i < s->n; i++) {
		struct bench_shard *sh = &s->s[i];
		if (last_rev && sh->last_rev > *last_rev)
			*last_rev = sh->last_rev;
		s->cpu_ns += sh->cpu_ns;
		if (bench_deliv_merge(into, &sh->deliv) < 0)
			fprintf(stderr, "bench: a terminal thread's "
					"deliveries were lost\n");
		bench_deliv_reset(&sh->deliv);
	}
}

void bench_shards_close(struct bench_shards *s)
{
	struct bench_deliv none = {0};
	bench_shards_stop(s, &none, NULL);
	bench_deliv_free(&none);
	for (unsigned i = 0; i < s->n; i++) {
		struct bench_shard *sh = &s->s[i];
		uv_close((uv_handle_t *)&sh->stop, NULL);
		uv_run(&sh->loop, UV_RUN_DEFAULT);
		if (uv_loop_close(&sh->loop) != 0)
			fprintf(stderr, "bench: handles left open on terminal "
					"loop %u\n", i);
		bench_deliv_free(&sh->deliv);
	}
	s->n = 0;
}

void bench_shards_pump(struct bench_shards *s, uv_loop_t *main, int max_ms)
{
	struct pollfd fds[BENCH_MAX_SHARDS + 1];
	uv_loop_t *loops[BENCH_MAX_SHARDS + 1];
	unsigned n = 0;
	loops[n++] = main;
	for (unsigned i = 0; i < s->n && !s->threaded; i++)
		loops[n++] = &s->s[i].loop;
	int timeout = max_ms;
	for (unsigned i = 0; i < n; i++) {
		int t = uv_backend_timeout(loops[i]);
		if (t >= 0 && t < timeout)
			timeout = t;
		fds[i] = (struct pollfd){.fd = uv_backend_fd(loops[i]),
					 .events = POLLIN};
	}
	if (timeout > 0)
		(void)poll(fds, n, timeout);
	for (unsigned i = 0; i < n; i++)
		uv_run(loops[i], UV_RUN_NOWAIT);
}

static void run_until_tick(uv_timer_t *t)
{
	(void)t;
}

bool bench_shards_run_until(struct bench_shards *s, uv_loop_t *main,
			    bool (*done)(void *), void *ctx,
			    unsigned timeout_ms)
{
	uv_timer_t tick;
	uv_timer_init(main, &tick);
	uv_timer_start(&tick, run_until_tick, 10, 10);
	uint64_t end = time_mono_ms() + timeout_ms;
	bool ok = true;
	while (!done(ctx)) {
		if (time_mono_ms() >= end) {
			ok = false;
			break;
		}
		if (s->n && !s->threaded)
			bench_shards_pump(s, main, 10);
		else
			uv_run(main, UV_RUN_ONCE);
	}
	uv_close((uv_handle_t *)&tick, NULL);
	uv_run(main, UV_RUN_NOWAIT);
	return ok;
}
