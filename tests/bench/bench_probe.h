/*
 * The raw probe of clubcrm-bench (issue 15): the yardstick the bench's own
 * terminals are read against. N plain sockets log in and subscribe like
 * the bench's terminals, then a few threads of their own do nothing but
 * find frame boundaries and note when the first bytes of each DeltaBatch
 * arrived; the frame is not decoded, only walked to its revisions (and
 * the rare other frame, a Ping or a subscription's reply, decoded once
 * whole, after its time was taken).
 *
 * Times are bench_now_ns() (uv_hrtime: CLOCK_MONOTONIC, one clock for
 * every thread of the process), so the probe's deliveries and the
 * writers' send times compare directly.
 */
#ifndef CLUBCRM_BENCH_PROBE_H
#define CLUBCRM_BENCH_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "bench_stats.h"

struct bench_probe;

/*
 * Opens `n` sockets to `address` ("127.0.0.1:PORT"), each logged in (the
 * demo's operators in turn, `parallel` logins in flight), and starts
 * `threads` reader threads over them (socket i on thread i % threads).
 * 0, or -1 with `err` saying why.
 */
int bench_probe_open(const char *address, unsigned n, unsigned threads,
		     unsigned parallel, struct bench_probe **out, char *err,
		     size_t errlen);

/*
 * The same in steps, for sockets connected in turn with other
 * connections (the mixed run of bench_crm_mixed.c interleaves them with the
 * bench's terminals in the server's order of connections):
 * bench_probe_new() makes room for `cap` sockets; bench_probe_add() logs
 * `k` more in (blocking, `parallel` at a time), only before
 * bench_probe_start() starts the reader threads (socket i read by thread
 * i % threads). 0, or -1 with `err` saying why; after a failed add or
 * start only bench_probe_close() is left.
 */
int bench_probe_new(const char *address, unsigned cap, unsigned threads,
		    struct bench_probe **out, char *err, size_t errlen);
int bench_probe_add(struct bench_probe *p, unsigned k, unsigned parallel,
		    char *err, size_t errlen);
int bench_probe_start(struct bench_probe *p, char *err, size_t errlen);

/*
 * Sockets [0, n) subscribed to the board and the urgent view of tasks
 * planned in [from, to) (as the bench's terminals subscribe), the others
 * not; waits until every reply and snapshot came (timeout_ms at most).
 * 0, or -1 (timeout, refused, or a socket lost).
 */
int bench_probe_subscribe(struct bench_probe *p, unsigned n, int64_t from,
			  int64_t to, unsigned timeout_ms);

/* From now on each DeltaBatch's revisions above `base_rev` are recorded
 * (key: revision - base_rev), with the time its first bytes came. */
void bench_probe_record(struct bench_probe *p, uint64_t base_rev);

/*
 * Stops recording and adds what every thread saw to `d` (counts summed,
 * the latest time kept). Answers how many subscribed sockets are still
 * connected: the number of terminals each write must reach.
 */
unsigned bench_probe_collect(struct bench_probe *p, struct bench_deliv *d);

/*
 * When frame `p` (a Frame, encoded) is a DeltaBatch: calls back each
 * Delta's revision, in order, and answers 1, without decoding the rows.
 * 0 for any other frame, -1 for bytes that are no Frame. The probe's and
 * the bench's terminals count deliveries with it.
 */
int bench_walk_deltas(const uint8_t *p, size_t len,
		      void (*rev_cb)(void *, uint64_t), void *ud);

/* The reader threads' CPU time so far (ns; 0 before they start): the
 * probe's cost, beside the bench's terminals' (bench_shards.h). */
uint64_t bench_probe_cpu_ns(struct bench_probe *p);

/* Stops the threads, closes the sockets, frees. NULL is fine. */
void bench_probe_close(struct bench_probe *p);

#endif
