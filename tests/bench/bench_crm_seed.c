/*
 * clubcrm-bench's seeding and snapshot against clubcrmd, after the
 * scenarios: the terminals closed, the writers create tasks in a window of
 * their own as fast as the server takes them (--seed), then two fresh
 * terminals take that board as one snapshot each: one counting its rows
 * on the wire (the figure), one decoding them as the client library does.
 */
#include "bench_crm_priv.h"

#include <inttypes.h>
#include <stdio.h>

#include "timeutil.h"

static bool terms_closed(struct crm *b)
{
	for (unsigned i = 0; i < b->n_t; i++)
		if (b->t[i].c)
			return false;
	return true;
}

static bool seeded(struct crm *b)
{
	return b->seed_done >= b->seed_target ||
	       (b->seed_issued >= b->seed_target && crm_writers_idle(b));
}

static struct crm_term *snap_term;
static bool snap_done(struct crm *b)
{
	return snap_term->down || snap_term->pending == 0;
}

static bool snap_ready(struct crm *b)
{
	return snap_term->ready || snap_term->down;
}

int crm_seed_and_snapshot(struct crm *b, struct bench_system *out)
{
	/* No terminal watches the seeding: it is about the snapshot. */
	crm_terms_close(b);
	/* Their close callbacks must have run: the array is reallocated for
	 * the snapshot's terminal below. */
	if (!crm_pump(b, terms_closed, 10000))
		return -1;
	crm_next_window(b);
	b->phase = CRM_SEED;
	b->seed_target = b->o->seed;
	b->n_active = b->n_w;
	uint64_t t0 = bench_now_ns();
	for (unsigned i = 0; i < b->n_w; i++)
		crm_writer_fill(&b->w[i], UINT32_MAX);
	bool ok = crm_pump(b, seeded, SEED_TIMEOUT_MS);
	out->seed_wps = (double)b->seed_done /
			((double)(bench_now_ns() - t0) / 1e9);
	b->phase = CRM_IDLE;
	crm_pump(b, crm_writers_idle, DRAIN_TIMEOUT_MS);
	if (!ok || b->seed_done < b->seed_target) {
		fprintf(stderr, "bench: seeded %" PRIu64 " of %" PRIu64
				" tasks\n", b->seed_done, b->seed_target);
		if (b->seed_done == 0)
			return -1;
	}
	/* Two terminals: one counts the rows on the wire (the figure), one
	 * decodes them all as the client library does (beside it). */
	unsigned idx = b->n_t;
	if (crm_terms_connect(b, idx + 2) < 0)
		return -1;
	b->t[idx].raw = true;
	for (unsigned k = 0; k < 2; k++) {
		snap_term = &b->t[idx + k];
		if (!crm_pump(b, snap_ready, CONNECT_TIMEOUT_MS) ||
		    snap_term->down)
			return -1;
	}
	for (unsigned k = 0; k < 2; k++) {
		snap_term = &b->t[idx + k];
		uint64_t cpu0 = bench_cpu_ns(b->pid);
		uint64_t s0 = bench_now_ns();
		/* Without seeding: the whole board, or a planned-time
		 * window from now (--snapshot-days). */
		int64_t from = b->o->seed ? b->window_from : 0;
		int64_t to = b->window_to;
		if (!b->o->seed && b->o->snapshot_days > 0) {
			from = time_now();
			to = from + (int64_t)(b->o->snapshot_days * 86400);
		}
		if (crm_term_snapshot(snap_term, from, to) < 0)
			return -1;
		if (!crm_pump(b, snap_done, SUBSCRIBE_TIMEOUT_MS) ||
		    snap_term->down)
			return -1;
		double ms = (double)(bench_now_ns() - s0) / 1e6;
		double first = (double)(snap_term->snap_first_ns - s0) / 1e6;
		uint64_t cpu1 = bench_cpu_ns(b->pid);
		if (k == 0) {
			out->snapshot_cpu_ms =
				cpu0 && cpu1 > cpu0
					? (double)(cpu1 - cpu0) / 1e6 : 0;
			out->snapshot_ms = ms;
			out->snapshot_first_ms = first;
			out->snapshot_rows = snap_term->snap_rows;
			out->snapshot_bytes = snap_term->snap_bytes;
		} else {
			out->snapshot_decoded_ms = ms;
			out->snapshot_decoded_first_ms = first;
			/* Both must see the same board (--check). */
			out->snapshot_decoded_rows = snap_term->snap_rows;
		}
	}
	return 0;
}
