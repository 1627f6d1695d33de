/*
 * The crash test: clubcrmd under a steady write load from several clients is
 * killed with SIGKILL at random moments (a seeded PRNG: the seed is printed
 * and --seed replays a run). After every kill, with the server down, the
 * database is checked offline and every create a client saw acknowledged
 * must be there at the revision it was acknowledged at; then the server is
 * restarted, the creates the kill left unanswered are retried with their
 * idempotency keys, and a sample of acknowledged ones is replayed (the
 * first result must come back, never a duplicate). At the end the number of
 * tasks is exactly the demo's plus one per key: nothing lost, nothing twice.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ittools.h"
#include "ledger.h"
#include "load.h"
#include "prng.h"
#include "status.h"
#include "timeutil.h"
#include "verify.h"

struct options {
	uint64_t seed;
	unsigned kills, clients, inflight, replays;
	unsigned min_ms, max_ms;
};

struct totals {
	unsigned kills;
	unsigned long acked, retried, recovered, replayed, mismatches, refused;
	unsigned long lost, problems, failures;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: crash_test [--seed N] [--kills N] [--clients N] "
		"[--inflight N]\n"
		"                  [--replays N] [--min-ms N] [--max-ms N]\n"
		"  --kills     SIGKILLs of the server (default 20)\n"
		"  --clients   writing clients, 1..%u (default 4)\n"
		"  --inflight  creates in flight per client (default 8)\n"
		"  --replays   acknowledged keys replayed per client and "
		"restart (default 2)\n"
		"  --min-ms/--max-ms  the kill comes this long after the "
		"clients are ready\n"
		"              (default 10..300)\n", LOAD_CLIENTS_MAX);
}

static int parse_num(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 0);
	if (errno || end == v || *end || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

/* 0, 1 for --help, -1 for a bad command line. */
static int parse_args(int argc, char **argv, struct options *o)
{
	*o = (struct options){
		.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32),
		.kills = 20, .clients = 4, .inflight = 8, .replays = 2,
		.min_ms = 10, .max_ms = 300,
	};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0)
			return 1;
		uint64_t n;
		if (i + 1 >= argc || parse_num(argv[i + 1], UINT32_MAX, &n)) {
			if (strcmp(argv[i], "--seed") != 0 || i + 1 >= argc ||
			    parse_num(argv[i + 1], UINT64_MAX, &n))
				return -1;
		}
		const char *name = argv[i++];
		if (strcmp(name, "--seed") == 0)
			o->seed = n;
		else if (strcmp(name, "--kills") == 0)
			o->kills = (unsigned)n;
		else if (strcmp(name, "--clients") == 0 && n >= 1 &&
			 n <= LOAD_CLIENTS_MAX)
			o->clients = (unsigned)n;
		else if (strcmp(name, "--inflight") == 0 && n >= 1 && n <= 64)
			o->inflight = (unsigned)n;
		else if (strcmp(name, "--replays") == 0)
			o->replays = (unsigned)n;
		else if (strcmp(name, "--min-ms") == 0 && n >= 1)
			o->min_ms = (unsigned)n;
		else if (strcmp(name, "--max-ms") == 0 && n >= 1)
			o->max_ms = (unsigned)n;
		else
			return -1;
	}
	return o->min_ms <= o->max_ms ? 0 : -1;
}

/* The demo's "Call" type and a customer, asked of the running server. */
static bool find_ids(const struct harness *h, struct load_config *cfg)
{
	struct client_sync *s;
	struct client_status st;
	if (harness_login(h, "alicia", &s, &st) != STATUS_OK) {
		fprintf(stderr, "crash: login: %s\n", st.message);
		return 0;
	}
	cfg->type_id = it_type_id(s, "Call");
	cfg->customer_id = it_customer_id(s, "Arantxa");
	client_sync_close(s);
	return cfg->type_id && cfg->customer_id;
}

/* Reaps the killed server: it must have died of our SIGKILL, not before. */
static int reap_killed(struct harness *h)
{
	int status;
	pid_t got;
	do
		got = waitpid(h->pid, &status, 0);
	while (got < 0 && errno == EINTR);
	h->pid = 0;
	if (got < 0)
		return -1;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return 0;
	fprintf(stderr, "crash: clubcrmd ended on its own (status %d)\n",
		status);
	harness_dump_log(h);
	return -1;
}

static void add_round(struct totals *t, const struct load_stats *ls)
{
	t->acked += ls->acked;
	t->retried += ls->retried;
	t->recovered += ls->recovered;
	t->replayed += ls->replayed;
	t->mismatches += ls->mismatches;
	t->refused += ls->refused;
	t->failures += ls->failures;
}

/*
 * Checks the stopped server's store. `exact`: every key is settled, so the
 * tasks are exactly the baseline's plus one per acknowledged key; otherwise
 * the unknown ones may or may not be there.
 */
static int verify(const struct harness *h, const struct ledger *l,
		  unsigned long baseline, bool exact, struct totals *t,
		  struct verify_stats *vs)
{
	int ret = verify_store(h->data, l, vs);
	if (ret < 0) {
		fprintf(stderr, "crash: cannot check %s: %s\n", h->data,
			strerror(-ret));
		t->failures++;
		return ret;
	}
	unsigned long acked = ledger_count(l, LEDGER_ACKED);
	unsigned long unknown = ledger_count(l, LEDGER_UNKNOWN);
	unsigned long lo = baseline + acked, hi = lo + (exact ? 0 : unknown);
	if (vs->res.tasks < lo || vs->res.tasks > hi) {
		fprintf(stderr, "crash: %lu tasks, expected %lu..%lu (demo "
			"%lu, acknowledged %lu, unknown %lu)\n", vs->res.tasks,
			lo, hi, baseline, acked, unknown);
		vs->problems++;
	}
	t->lost += vs->lost;
	t->problems += vs->problems;
	return vs->lost || vs->problems ? -1 : 0;
}

/* Milliseconds spent starting the server, in the round, checking. */
struct kill_times {
	uint64_t start, round, check;
};

static void print_kill(const struct totals *t, const struct options *o,
		       uint64_t after_ms, const struct load_stats *ls,
		       const struct verify_stats *vs,
		       const struct kill_times *ms)
{
	printf("kill %u/%u after %llu ms: %lu acknowledged, %lu retried "
	       "(%lu written before the kill), %lu replayed, %lu unknown; "
	       "revision %llu, %lu tasks, %lu problem(s), %lu lost "
	       "[start %llu ms, round %llu ms, check %llu ms]\n",
	       t->kills, o->kills, (unsigned long long)after_ms, ls->acked,
	       ls->retried, ls->recovered, ls->replayed, ls->unknown,
	       vs->res.revision, vs->res.tasks, vs->problems, vs->lost,
	       (unsigned long long)ms->start, (unsigned long long)ms->round,
	       (unsigned long long)ms->check);
	fflush(stdout);
}

static int one_kill(struct harness *h, struct ledger *l,
		    struct load_config *cfg, const struct options *o,
		    uint64_t *rng, unsigned long baseline, struct totals *t)
{
	struct kill_times ms;
	uint64_t t0 = time_mono_ms();
	if (harness_start(h) < 0) {
		t->failures++;
		return -1;
	}
	ms.start = time_mono_ms() - t0;
	cfg->address = h->address;
	cfg->pid = h->pid;
	cfg->kill_after_ms = prng_range(rng, o->min_ms, o->max_ms);
	t0 = time_mono_ms();
	struct load_stats ls = { 0 };
	int ret = load_round(l, cfg, rng, &ls);
	add_round(t, &ls);
	if (reap_killed(h) < 0 || ret < 0 || ls.failures || ls.refused ||
	    ls.mismatches) {
		t->failures++;
		return -1;
	}
	t->kills++;
	ms.round = time_mono_ms() - t0;
	t0 = time_mono_ms();
	struct verify_stats vs;
	ret = verify(h, l, baseline, false, t, &vs);
	cfg->revision = vs.res.revision;
	ms.check = time_mono_ms() - t0;
	print_kill(t, o, cfg->kill_after_ms, &ls, &vs, &ms);
	return ret;
}

/* A last start without a kill: every unknown key is retried, then a clean
 * stop and the exact count. */
static int settle(struct harness *h, struct ledger *l, struct load_config *cfg,
		  uint64_t *rng, unsigned long baseline, struct totals *t)
{
	if (harness_start(h) < 0) {
		t->failures++;
		return -1;
	}
	cfg->address = h->address;
	cfg->pid = 0;
	cfg->kill_after_ms = 0;
	struct load_stats ls = { 0 };
	int ret = load_round(l, cfg, rng, &ls);
	add_round(t, &ls);
	if (harness_stop(h) != 0 || ret < 0 || ls.failures || ls.unknown) {
		fprintf(stderr, "crash: the settling run failed (%lu keys still "
			"unknown)\n", ls.unknown);
		t->failures++;
		return -1;
	}
	struct verify_stats vs;
	ret = verify(h, l, baseline, true, t, &vs);
	printf("settled: %lu retried, %lu replayed; revision %llu, %lu tasks "
	       "(%lu demo + %zu acknowledged), %lu problem(s), %lu lost\n",
	       ls.retried, ls.replayed, vs.res.revision, vs.res.tasks,
	       baseline, ledger_count(l, LEDGER_ACKED), vs.problems, vs.lost);
	return ret;
}

/* Starts the demo club once, stops it cleanly and counts its tasks. */
static int prepare(struct harness *h, struct load_config *cfg,
		   unsigned long *baseline)
{
	if (harness_start(h) < 0)
		return -1;
	bool found = find_ids(h, cfg);
	if (harness_stop(h) != 0 || !found)
		return -1;
	struct ledger none = { 0 };
	struct verify_stats vs;
	if (verify_store(h->data, &none, &vs) < 0 || vs.problems) {
		fprintf(stderr, "crash: the fresh demo club does not check\n");
		return -1;
	}
	*baseline = vs.res.tasks;
	cfg->revision = vs.res.revision;
	return 0;
}

static void summary(const struct totals *t, const struct options *o,
		    bool ok)
{
	printf("crash test (seed %llu): %u kill(s), %lu acknowledged "
	       "writes, %lu retried after a kill (%lu of them written before "
	       "it: the retry got the first result), %lu replays answered "
	       "with the first result, %lu replay mismatch(es), %lu refused, "
	       "lost = %lu, problems = %lu, failures = %lu: %s\n",
	       (unsigned long long)o->seed, t->kills, t->acked + t->retried,
	       t->retried, t->recovered, t->replayed, t->mismatches,
	       t->refused, t->lost, t->problems, t->failures,
	       ok ? "PASS" : "FAIL");
}

int main(int argc, char **argv)
{
	struct options o;
	int pa = parse_args(argc, argv, &o);
	if (pa != 0) {
		usage(pa > 0 ? stdout : stderr);
		return pa > 0 ? 0 : 2;
	}
	printf("crash test: seed %llu (replay with --seed %llu)\n",
	       (unsigned long long)o.seed, (unsigned long long)o.seed);
	fflush(stdout);
	uint64_t rng = o.seed;
	struct ledger l = { .seed = (uint32_t)prng_next(&rng) };
	struct harness h = { .extra = { "--log-level", "warn" } };
	struct load_config cfg = {
		.clients = o.clients, .inflight = o.inflight,
		.replays = o.replays,
	};
	struct totals t = { 0 };
	unsigned long baseline = 0;
	int ret = prepare(&h, &cfg, &baseline);
	for (unsigned k = 0; ret == 0 && k < o.kills; k++)
		ret = one_kill(&h, &l, &cfg, &o, &rng, baseline, &t);
	if (ret == 0)
		ret = settle(&h, &l, &cfg, &rng, baseline, &t);
	bool ok = ret == 0 && t.kills == o.kills && t.lost == 0 &&
		  t.problems == 0 && t.mismatches == 0 && t.refused == 0 &&
		  t.failures == 0;
	summary(&t, &o, ok);
	if (!ok && h.dir[0])
		harness_dump_log(&h);
	harness_cleanup(&h);
	ledger_free(&l);
	return ok ? 0 : 1;
}
