/*
 * clubcrm-bench's mixed run against clubcrmd: each scenario again with
 * half its terminals the bench's own and half the raw probe's sockets
 * (bench_probe.h), connected in turn so that they alternate in the
 * server's fan-out order; the same writes reach both halves, whose
 * delivery latencies are compared take by take, and what each half's
 * threads and the server cost in CPU meanwhile. The scenario itself is
 * run_scenario() of bench_crm.c.
 */
#include "bench_crm_priv.h"

#include <limits.h>
#include <stdio.h>

#include "bench_probe.h"

#define PROBE_DRAIN_MS 1500u

unsigned crm_own_half(unsigned n)
{
	return (n + 1) / 2;
}

unsigned crm_raw_half(unsigned n)
{
	return n / 2 ? n / 2 : 1;
}

/* ------------------------------------------------------------ connecting */

static bool terms_allowed_settled(struct crm *b)
{
	unsigned to = b->t_allowed < b->n_t ? b->t_allowed : b->n_t;
	return b->t_connecting == 0 && b->t_started >= to;
}

/*
 * The bench's terminals [0, n_t) and the probe's `n_raw` sockets
 * connected in turn, one of each while both last, each logged in before
 * the next connects. The server fans a commit out over its connections in
 * the order they came (newest first), so terminal i and socket i sit side
 * by side in it and the mixed run's halves (terminals and sockets
 * [0, N/2)) alternate: neither half is served first. The probe's logins
 * block this thread a moment each; the terminals' heartbeats wait that
 * long (the first login of each operator hashes a password).
 */
int crm_connect_interleaved(struct crm *b, unsigned n_t, unsigned n_raw)
{
	char err[160] = "";
	int rc = bench_probe_new(b->o->crm_address, n_raw,
				 b->o->probe_threads, &b->probe, err,
				 sizeof(err));
	if (rc == 0)
		rc = crm_terms_connect(b, n_t);
	for (unsigned i = 0; rc == 0 && i < n_t; i++) {
		crm_terms_allow(b, i + 1);
		if (!crm_pump(b, terms_allowed_settled, CONNECT_TIMEOUT_MS))
			break;
		if (i < n_raw)
			rc = bench_probe_add(b->probe, 1, 1, err, sizeof(err));
	}
	crm_terms_allow(b, UINT_MAX);
	if (rc == 0)
		rc = bench_probe_start(b->probe, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "bench: %s\n",
			err[0] ? err : "the probe's sockets: out of memory");
	return rc;
}

/* ------------------------------------------------------------ figures */

/* Deliveries a table counted (each terminal's each revision). */
static uint64_t frames_of(const struct bench_deliv *d)
{
	uint64_t n = 0;
	for (size_t k = 0; k < d->max_key; k++)
		n += d->slots[k].count;
	return n;
}

/* A signed difference in an order-keeping unsigned sample, and back. */
#define PAIR_BIAS (1ull << 63)
static int64_t unbias(uint64_t v)
{
	return v >= PAIR_BIAS ? (int64_t)(v - PAIR_BIAS)
			      : -(int64_t)(PAIR_BIAS - v);
}

/*
 * The mixed run's figures beside the bench's half (`own`, filled from
 * b->deliv): the probe's half from `pd` (`raw_live` sockets), both halves
 * together, and take by take the bench's half's last delivery less the
 * probe's half's, over the writes both halves saw whole.
 */
static void fill_mixed(struct crm *b, const struct bench_result *own,
		       const struct crm_mix_out *m, struct bench_deliv *pd,
		       unsigned raw_live)
{
	*m->raw = *own;
	*m->all = *own;
	struct bench_deliv all = {0};
	int rc = 0;
	/* The probe's threads saw deliveries only: the sends are the
	 * writers', in the run's table. */
	for (size_t k = 0; k < b->deliv.max_key && rc == 0; k++) {
		const struct bench_slot *s = &b->deliv.slots[k];
		if (!s->sent_ns)
			continue;
		rc = bench_deliv_sent(pd, k, s->sent_ns);
		if (rc == 0)
			rc = bench_deliv_sent(&all, k, s->sent_ns);
	}
	if (rc == 0)
		rc = bench_deliv_merge(&all, &b->deliv);
	if (rc == 0)
		rc = bench_deliv_merge(&all, pd);
	if (rc < 0) {
		snprintf(m->raw->error, sizeof(m->raw->error),
			 "the probe's figures: out of memory");
		bench_deliv_free(&all);
		return;
	}
	bench_fill_delivery(m->raw, pd, raw_live);
	bench_fill_delivery(m->all, &all, b->deliv_terminals + raw_live);
	bench_deliv_free(&all);

	struct bench_samples pair = {0};
	for (size_t k = 0; k < b->deliv.max_key && k < pd->max_key; k++) {
		const struct bench_slot *s = &b->deliv.slots[k];
		const struct bench_slot *q = &pd->slots[k];
		if (!s->sent_ns || s->count < b->deliv_terminals ||
		    q->count < raw_live)
			continue;
		/* Unsigned arithmetic wraps to the two's complement of a
		 * negative difference; the bias keeps the order. */
		if (bench_samples_add(&pair, s->last_ns - q->last_ns +
						     PAIR_BIAS) < 0)
			break;
	}
	bench_samples_sort(&pair);
	*m->pair_n = pair.n;
	*m->pair_p50 = pair.n ? unbias(bench_samples_pct(&pair, 50)) : 0;
	*m->pair_p99 = pair.n ? unbias(bench_samples_pct(&pair, 99)) : 0;
	bench_samples_free(&pair);
}

void crm_mix_begin(struct crm *b, struct crm_mix_clock *c)
{
	bench_probe_record(b->probe, b->base_rev);
	/* What each half's threads cost, from here to the end of the drain
	 * (the probe's threads only idle through its last wait). */
	c->own_cpu0 = b->shards.cpu_ns;
	c->raw_cpu0 = bench_probe_cpu_ns(b->probe);
	c->srv_cpu0 = bench_cpu_ns(b->pid);
	c->wall0 = bench_now_ns();
}

void crm_mix_end(struct crm *b, const struct bench_result *r,
		 const struct crm_mix_out *mix, const struct crm_mix_clock *c)
{
	/* The probe's threads count on their own: give the last deltas time
	 * to arrive, then take their tables. */
	crm_sleep_ms(b, PROBE_DRAIN_MS);
	struct bench_deliv pd = {0};
	unsigned raw_live = bench_probe_collect(b->probe, &pd);
	uint64_t srv_cpu1 = bench_cpu_ns(b->pid);
	*mix->cpu = (struct bench_mix_cpu){
		.own_ns = b->shards.n ? b->shards.cpu_ns - c->own_cpu0 : 0,
		.raw_ns = bench_probe_cpu_ns(b->probe) - c->raw_cpu0,
		.srv_ns = c->srv_cpu0 && srv_cpu1 > c->srv_cpu0
				  ? srv_cpu1 - c->srv_cpu0 : 0,
		.wall_ns = bench_now_ns() - c->wall0,
		.own_frames = frames_of(&b->deliv),
		.raw_frames = frames_of(&pd)};
	fill_mixed(b, r, mix, &pd, raw_live);
	bench_deliv_free(&pd);
}
