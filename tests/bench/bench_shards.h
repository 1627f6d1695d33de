/*
 * The bench's terminals on threads of their own (issue 15), for both
 * drivers: a shard is a libuv loop of terminals. Outside a scenario's
 * writes the shards' loops are driven from the main thread beside the
 * writers' loop (bench_shards_pump: their epoll fds polled together), so
 * connecting, subscribing and closing stay single-threaded; while the
 * writes go each shard's loop runs on a thread of its own and its
 * terminals count deliveries into the shard's own table, merged into the
 * run's once the thread stopped (bench_shards_stop).
 */
#ifndef CLUBCRM_BENCH_SHARDS_H
#define CLUBCRM_BENCH_SHARDS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "bench_stats.h"

#define BENCH_MAX_SHARDS 16

struct bench_shard {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t th;
	bool running;
	/* Written by the shard's terminals while its thread runs. */
	struct bench_deliv deliv;
	uint64_t last_rev;        /* clubcrmd: the highest revision seen */
	uint64_t cpu_ns;          /* its thread's CPU time, last run */
};

struct bench_shards {
	struct bench_shard s[BENCH_MAX_SHARDS];
	unsigned n;
	bool threaded;            /* their threads run */
	uint64_t cpu_ns;          /* their threads' CPU time, every run so
				   * far (the instrument's cost) */
};

/* `n` loops (at most BENCH_MAX_SHARDS; 0: none, everything on the main
 * loop). 0, or -1 (those made are closed again). */
int bench_shards_init(struct bench_shards *s, unsigned n);
/* The loop of terminal `i`: its shard's, or `main` without shards. */
uv_loop_t *bench_shards_loop(struct bench_shards *s, unsigned i,
			     uv_loop_t *main);
/* The shard of terminal `i`, NULL without shards. */
struct bench_shard *bench_shards_of(struct bench_shards *s, unsigned i);
/* Each shard's loop on a thread of its own, its table emptied first. */
void bench_shards_start(struct bench_shards *s);
/* Stops and joins the threads; adds their tables to `into` (and raises
 * *last_rev to theirs, when not NULL). Nothing when not started. */
void bench_shards_stop(struct bench_shards *s, struct bench_deliv *into,
		       uint64_t *last_rev);
/* Closes the loops (their terminals must be closed already). */
void bench_shards_close(struct bench_shards *s);
/* One pass over `main` and every shard's loop, waiting at most max_ms
 * until one of them has something to do. Only while not threaded. */
void bench_shards_pump(struct bench_shards *s, uv_loop_t *main, int max_ms);
/* Runs `main` (and the shards' loops, while not threaded) until done(ctx)
 * or timeout_ms; false on the timeout. A 10 ms tick keeps `done` asked
 * while nothing happens. Both drivers' one way of waiting. */
bool bench_shards_run_until(struct bench_shards *s, uv_loop_t *main,
			    bool (*done)(void *), void *ctx,
			    unsigned timeout_ms);

#endif
