/*
 * clubcrm-bench: drives a running clubcrmd, and a redis-server as the
 * baseline, with the same workload over loopback, and prints one table.
 * See bench.h for what is measured and tests/bench/README section in the
 * top-level README ("Performance") for how to reproduce.
 */
#include "bench.h"
#include "bench_stats.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "longopt.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: clubcrm-bench [--clubcrm HOST:PORT] [--redis HOST:PORT]\n"
		"  --clubcrm-data DIR    clubcrmd's --data (counts LMDB commits: "
		"batch sizes)\n"
		"  --clubcrm-pid PID     (default: found from the port)\n"
		"  --redis-pid PID       (default: found from the port)\n"
		"  --scenarios NxW,...   terminals x writers (default "
		"50x8,50x32,500x8,500x32)\n"
		"  --duration S          measured seconds per scenario (5)\n"
		"  --warmup S            unmeasured seconds before (1)\n"
		"  --depth D             writes in flight per writer (1)\n"
		"  --rate R              fixed rate: R writes/s in total "
		"(default: as fast as acknowledged)\n"
		"  --seed N              then seed N tasks and time a terminal's "
		"snapshot of them (0)\n"
		"  --snapshot            without --seed: time a snapshot of the "
		"whole board\n"
		"  --snapshot-days D     with --snapshot: only the tasks planned "
		"in the next D days\n"
		"                        (a planned-time window, as the seeded "
		"board's)\n"
		"  --login-parallel K    terminals logging in at once (8)\n"
		"  --freeze-cli PATH     the clubcrm command line: rerun the first "
		"scenario with a\n"
		"                        `clubcrm watch board` SIGSTOPped beside "
		"it\n"
		"  --restart N,...       the restart scenario instead: N live "
		"terminals each, the\n"
		"                        server killed and restarted (needs "
		"--clubcrmd)\n"
		"  --clubcrmd PATH       the server the restart scenario starts "
		"(fresh demo club)\n"
		"  --restart-signal S    KILL (default) or TERM\n"
		"  --probe K             each clubcrmd scenario again, half its "
		"terminals the bench's\n"
		"                        and half a raw probe's (plain sockets "
		"on K threads, no\n"
		"                        decoding) at once: what the bench's "
		"terminals add\n"
		"  --term-threads K      the bench's terminals on K threads "
		"(default 2; 0: on the\n"
		"                        writers' loop); the writers on their "
		"own thread\n"
		"  --idle N              first: clubcrmd's memory per idle "
		"subscribed connection\n"
		"                        with N raw-probe sockets (logged in by "
		"resume token)\n"
		"  --check               exit 1 unless every scenario acked "
		"writes and delivered all of them\n"
		"  --verbose\n");
}

static int parse_scenarios(struct bench_opts *o, const char *text)
{
	o->n_sc = 0;
	const char *p = text;
	while (*p) {
		char *end;
		unsigned long n = strtoul(p, &end, 10);
		if (end == p || *end != 'x')
			return -1;
		p = end + 1;
		unsigned long w = strtoul(p, &end, 10);
		if (end == p || (*end && *end != ','))
			return -1;
		if (n == 0 || n > 20000 || w == 0 || w > 1000 ||
		    o->n_sc == BENCH_MAX_SCENARIOS)
			return -1;
		o->sc[o->n_sc++] = (struct bench_scenario){(unsigned)n,
							   (unsigned)w};
		p = *end ? end + 1 : end;
	}
	return o->n_sc ? 0 : -1;
}

static int parse_restart(struct bench_opts *o, const char *text)
{
	o->n_restart = 0;
	const char *p = text;
	while (*p) {
		char *end;
		unsigned long n = strtoul(p, &end, 10);
		if (end == p || (*end && *end != ',') || n == 0 || n > 5000 ||
		    o->n_restart == BENCH_MAX_SCENARIOS)
			return -1;
		o->restart_n[o->n_restart++] = (unsigned)n;
		p = *end ? end + 1 : end;
	}
	return o->n_restart ? 0 : -1;
}

static int num(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* The flags; every other option takes a value. */
static int find(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	static const char *const flags[] = {"verbose", "snapshot", "check",
					    "help"};
	static const char *const valued[] = {
		"clubcrm", "freeze-cli", "redis", "clubcrm-data",
		"clubcrm-pid", "redis-pid", "scenarios", "duration",
		"warmup", "depth", "rate", "seed", "login-parallel",
		"restart", "clubcrmd", "restart-signal", "probe", "idle",
		"term-threads", "snapshot-days",
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i]) == len && !memcmp(flags[i], name, len))
			return LONGOPT_NONE;
	for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++)
		if (strlen(valued[i]) == len && !memcmp(valued[i], name, len))
			return LONGOPT_REQUIRED;
	return -1;
}

static int parse_args(int argc, char **argv, struct bench_opts *o,
		      bool *check)
{
	double v;
	parse_scenarios(o, "50x8,50x32,500x8,500x32");
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			fprintf(stderr, "clubcrm-bench: unknown option %s\n",
				argv[i]);
			return -1;
		}
		struct longopt_hit h;
		int rc = longopt_take(argc, argv, &i, find, NULL, &h);
		if (rc == -ENOENT || rc == -E2BIG) {
			fprintf(stderr, "clubcrm-bench: unknown option %s\n",
				argv[i]);
			return -1;
		}
		char a[32];
		snprintf(a, sizeof(a), "--%.*s", (int)h.len, h.name);
		if (rc == -ENODATA) {
			fprintf(stderr, "clubcrm-bench: %s needs a value\n", a);
			return -1;
		}
		if (strcmp(a, "--verbose") == 0) {
			o->verbose = true;
			continue;
		}
		if (strcmp(a, "--snapshot") == 0) {
			o->snapshot = true;
			continue;
		}
		if (strcmp(a, "--check") == 0) {
			*check = true;
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		const char *val = h.value;
		if (strcmp(a, "--clubcrm") == 0)
			o->crm_address = val;
		else if (strcmp(a, "--freeze-cli") == 0)
			o->freeze_cli = val;
		else if (strcmp(a, "--redis") == 0)
			o->redis_address = val;
		else if (strcmp(a, "--clubcrm-data") == 0)
			o->crm_data = val;
		else if (strcmp(a, "--clubcrm-pid") == 0 &&
			 (rc = num(val, 1, 4194304, &v)) == 0)
			o->crm_pid = (pid_t)v;
		else if (strcmp(a, "--redis-pid") == 0 &&
			 (rc = num(val, 1, 4194304, &v)) == 0)
			o->redis_pid = (pid_t)v;
		else if (strcmp(a, "--restart") == 0)
			rc = parse_restart(o, val);
		else if (strcmp(a, "--clubcrmd") == 0)
			o->clubcrmd = val;
		else if (strcmp(a, "--restart-signal") == 0) {
			if (!strcmp(val, "KILL"))
				o->restart_signal = SIGKILL;
			else if (!strcmp(val, "TERM"))
				o->restart_signal = SIGTERM;
			else
				rc = -1;
		} else if (strcmp(a, "--scenarios") == 0)
			rc = parse_scenarios(o, val);
		else if (strcmp(a, "--duration") == 0 &&
			 (rc = num(val, 0.1, 3600, &v)) == 0)
			o->duration_s = v;
		else if (strcmp(a, "--warmup") == 0 &&
			 (rc = num(val, 0, 600, &v)) == 0)
			o->warmup_s = v;
		else if (strcmp(a, "--depth") == 0 &&
			 (rc = num(val, 1, 64, &v)) == 0)
			o->depth = (unsigned)v;
		else if (strcmp(a, "--rate") == 0 &&
			 (rc = num(val, 1, 1e7, &v)) == 0)
			o->rate = v;
		else if (strcmp(a, "--seed") == 0 &&
			 (rc = num(val, 0, 10000000, &v)) == 0)
			o->seed = (unsigned)v;
		else if (strcmp(a, "--snapshot-days") == 0 &&
			 (rc = num(val, 1, 36500, &v)) == 0)
			o->snapshot_days = v;
		else if (strcmp(a, "--probe") == 0 &&
			 (rc = num(val, 1, 64, &v)) == 0)
			o->probe_threads = (unsigned)v;
		else if (strcmp(a, "--term-threads") == 0 &&
			 (rc = num(val, 0, 16, &v)) == 0)
			o->term_threads = (unsigned)v;
		else if (strcmp(a, "--idle") == 0 &&
			 (rc = num(val, 1, 100000, &v)) == 0)
			o->idle_probe = (unsigned)v;
		else if (strcmp(a, "--login-parallel") == 0 &&
			 (rc = num(val, 1, 1024, &v)) == 0)
			o->login_parallel = (unsigned)v;
		else if (rc == 0) {
			fprintf(stderr, "clubcrm-bench: unknown option %s\n", a);
			return -1;
		}
		if (rc < 0) {
			fprintf(stderr, "clubcrm-bench: bad value for %s: %s\n",
				a, val);
			return -1;
		}
	}
	if (o->n_restart && !o->clubcrmd) {
		fprintf(stderr, "clubcrm-bench: --restart needs --clubcrmd\n");
		return -1;
	}
	if (!o->n_restart && !o->crm_address && !o->redis_address) {
		fprintf(stderr, "clubcrm-bench: give --clubcrm and/or --redis\n");
		return -1;
	}
	return 0;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void print_row(const char *label, const struct bench_system *s,
		      const struct bench_result *r)
{
	if (!r->ran) {
		printf("%-13s %-9s did not run%s%s\n", label, s->name,
		       r->error[0] ? ": " : "", r->error);
		return;
	}
	char batch[16] = "n/a";
	if (r->batch_mean > 0)
		snprintf(batch, sizeof(batch), "%.1f", r->batch_mean);
	printf("%-13s %-9s %9.0f %7.2f %7.2f | %7.2f %7.2f %7.2f %7.2f | "
	       "%8.1f %6s",
	       label, s->name, r->wps, ms(r->ack_p50), ms(r->ack_p99),
	       ms(r->del_p50), ms(r->del_p99), ms(r->del_p999), ms(r->del_max),
	       r->rss_load_kib > 0 ? (double)r->rss_load_kib / 1024 : 0.0,
	       batch);
	if (r->partial || r->unseen)
		printf("  (%" PRIu64 " partly, %" PRIu64 " not delivered)",
		       r->partial, r->unseen);
	printf("\n");
	if (r->error[0])
		printf("%-13s %-9s %s\n", "", "", r->error);
}

static void print_memory(const struct bench_system *s)
{
	if (s->rss_base_kib <= 0 || s->rss_idle_kib <= 0 || !s->idle_conns) {
		printf("  %-9s memory not measured (pid unknown)\n", s->name);
		return;
	}
	double per = (double)(s->rss_idle_kib - s->rss_base_kib) * 1024.0 /
		     s->idle_conns;
	char raw[64] = "";
	if (s->idle_raw_conns)
		snprintf(raw, sizeof(raw), " (%u of them raw-probe sockets)",
			 s->idle_raw_conns);
	printf("  %-9s RSS %.1f MiB before terminals, %.1f MiB with %u idle "
	       "subscribed terminals%s: %.1f KiB each\n",
	       s->name, (double)s->rss_base_kib / 1024,
	       (double)s->rss_idle_kib / 1024, s->idle_conns, raw, per / 1024);
	if (s->probe_idle_conns && s->probe_rss_base_kib > 0 &&
	    s->probe_rss_idle_kib > 0)
		printf("  %-9s RSS %.1f MiB, %.1f MiB with %u more idle "
		       "subscribed connections (raw probe): %.1f KiB each\n",
		       s->name, (double)s->probe_rss_base_kib / 1024,
		       (double)s->probe_rss_idle_kib / 1024,
		       s->probe_idle_conns,
		       (double)(s->probe_rss_idle_kib - s->probe_rss_base_kib) /
			       s->probe_idle_conns);
}

static uint64_t raw_p50, raw_p99;  /* a raw synced LMDB commit; 0: none */

static void print_kib(int64_t bytes, uint64_t writes)
{
	if (bytes < 0 || !writes)
		printf(" %11s", "n/a");
	else
		printf(" %11.2f", (double)bytes / 1024.0 / (double)writes);
}

/* Bytes per acknowledged write, and the lone write against raw LMDB. */
static void print_bytes(const struct bench_opts *o,
			const struct bench_system *sys, unsigned n_sys)
{
	printf("\nbytes written per acknowledged write (the whole run, warm-up "
	       "and drain included, until the server settled: clubcrmd's last "
	       "checkpoint in it; KiB):\n"
	       "%-13s %-9s %11s %11s %11s\n", "scenario", "system",
	       "to files", "write_bytes", "disk");
	for (unsigned i = 0; i < o->n_sc; i++) {
		char label[32];
		snprintf(label, sizeof(label), "N=%u W=%u", o->sc[i].terminals,
			 o->sc[i].writers);
		for (unsigned k = 0; k < n_sys; k++) {
			const struct bench_result *r = &sys[k].r[i];
			if (!r->ran)
				continue;
			printf("%-13s %-9s", k ? "" : label, sys[k].name);
			print_kib(r->file_bytes, r->bytes_acked);
			print_kib(r->write_bytes, r->bytes_acked);
			print_kib(r->disk_bytes, r->bytes_acked);
			printf("\n");
		}
	}
	printf("  to files: what the server wrote to files (its wchar less "
	       "what the bench read from its sockets; approximate by the "
	       "bytes in flight at the edges); write_bytes: its /proc/PID/io "
	       "(ext4 with large folios charges a synced overwrite its whole "
	       "folio, up to 2 MiB); disk: sectors the data disk wrote "
	       "meanwhile, every process on it included\n");
	if (raw_p50)
		printf("raw LMDB: one 200-byte put per synced commit on the "
		       "same disk: p50 %.3f ms, p99 %.3f ms\n",
		       ms(raw_p50), ms(raw_p99));
	for (unsigned i = 0; i < o->n_sc; i++) {
		if (o->sc[i].writers != 1)
			continue;
		for (unsigned k = 0; k < n_sys; k++) {
			const struct bench_result *r = &sys[k].r[i];
			if (!r->ran || !r->ack_p50)
				continue;
			printf("lone write (N=%u W=1): %s ack p50 %.3f ms",
			       o->sc[i].terminals, sys[k].name, ms(r->ack_p50));
			if (raw_p50)
				printf(" = %.2fx the raw LMDB commit",
				       (double)r->ack_p50 / (double)raw_p50);
			printf("\n");
		}
		break;
	}
}

/* The mixed run under clubcrmd's row: the same scenario with half its
 * terminals the bench's own and half the raw probe's sockets, at once. */
static void print_mixed(const struct bench_system *s, unsigned i)
{
	static const struct bench_system own = {.name = "own half"},
					 raw = {.name = "raw half"},
					 all = {.name = "both"};
	const struct bench_result *m = &s->mixed[i], *p = &s->probe[i];
	printf("%-13s mixed run: the bench's terminals and the raw probe's "
	       "sockets at once, interleaved, the same writes:\n", "");
	print_row("", &own, m);
	print_row("", &raw, p);
	if (s->mixed_all[i].ran)
		print_row("", &all, &s->mixed_all[i]);
	if (!m->ran || !p->ran || !m->del_p99 || !p->del_p99 ||
	    !m->del_p50 || !p->del_p50)
		return;
	double add99 = 100.0 * ((double)m->del_p99 / (double)p->del_p99 - 1);
	double add50 = 100.0 * ((double)m->del_p50 / (double)p->del_p50 - 1);
	printf("%-13s %-9s the instrument adds %+.1f%% at p99, %+.1f%% at p50 "
	       "(own half %.2f / %.2f ms, raw half %.2f / %.2f ms; take by "
	       "take, own last less raw last: p50 %+.2f ms, p99 %+.2f ms, "
	       "%" PRIu64 " writes); < 10 %% at p99: %s\n",
	       "", "", add99, add50, ms(m->del_p50), ms(m->del_p99),
	       ms(p->del_p50), ms(p->del_p99), (double)s->pair_p50[i] / 1e6,
	       (double)s->pair_p99[i] / 1e6, s->pair_n[i],
	       add99 < 10 ? "yes" : "no");
	/* The other cost of an instrument: the CPU it takes from the two
	 * cores it shares with the server (both halves alike). */
	const struct bench_mix_cpu *c = &s->mix_cpu[i];
	if (c->wall_ns && c->own_ns && c->raw_ns && c->own_frames &&
	    c->raw_frames)
		printf("%-13s %-9s CPU per delivery: own half %.1f us (%.0f %% "
		       "of a core), raw half %.1f us (%.0f %%); clubcrmd "
		       "%.0f %% of a core\n",
		       "", "", (double)c->own_ns / 1e3 / (double)c->own_frames,
		       100.0 * (double)c->own_ns / (double)c->wall_ns,
		       (double)c->raw_ns / 1e3 / (double)c->raw_frames,
		       100.0 * (double)c->raw_ns / (double)c->wall_ns,
		       100.0 * (double)c->srv_ns / (double)c->wall_ns);
}

static void print_table(const struct bench_opts *o,
			const struct bench_system *sys, unsigned n_sys)
{
	printf("\nclubcrm-bench: %.1f s measured per scenario after %.1f s "
	       "warm-up; %s; durable acknowledgements on both sides\n",
	       o->duration_s, o->warmup_s, o->rate ? "fixed rate" : "closed loop");
	if (o->rate)
		printf("fixed rate: %.0f writes/s in total\n", o->rate);
	else
		printf("%u write(s) in flight per writer\n", o->depth);
	printf("\n%-13s %-9s %9s %7s %7s | %7s %7s %7s %7s | %8s %6s\n",
	       "scenario", "system", "writes/s", "ack50", "ack99", "all50",
	       "all99", "all99.9", "allmax", "RSS MiB", "batch");
	printf("%-13s %-9s %9s %15s | %31s | %8s %6s\n", "", "", "", "(ms)",
	       "(ms, send to last terminal)", "(load)", "");
	for (unsigned i = 0; i < o->n_sc; i++) {
		char label[32];
		snprintf(label, sizeof(label), "N=%u W=%u", o->sc[i].terminals,
			 o->sc[i].writers);
		for (unsigned k = 0; k < n_sys; k++) {
			print_row(k ? "" : label, &sys[k], &sys[k].r[i]);
			if (sys[k].mixed[i].ran || sys[k].mixed[i].error[0])
				print_mixed(&sys[k], i);
		}
		if (n_sys == 2 && sys[0].r[i].ran && sys[1].r[i].ran &&
		    sys[1].r[i].wps > 0 && sys[0].r[i].del_p99 > 0)
			printf("%-13s %-9s %8.2fx %15s | %6.2fx (p99: redis / "
			       "clubcrmd, > 1 is better)\n",
			       "", "ratio", sys[0].r[i].wps / sys[1].r[i].wps, "",
			       (double)sys[1].r[i].del_p99 /
				       (double)sys[0].r[i].del_p99);
		/* redis' fan-out without durability (bench.h, pub[]). */
		static const struct bench_system pub = {.name = "redis pub"};
		const struct bench_result *rp = n_sys == 2 ? &sys[1].pub[i]
							   : NULL;
		if (rp && (rp->ran || rp->error[0]))
			print_row("", &pub, rp);
		if (rp && rp->ran && rp->del_p99 && sys[0].r[i].del_p99)
			printf("%-13s %-9s %25s | %6.2fx (p99: redis PUBLISH "
			       "alone, no fsync, at clubcrmd's writes/s / "
			       "clubcrmd's durable writes; >= 1: at or below "
			       "it)\n",
			       "", "ratio", "",
			       (double)rp->del_p99 /
				       (double)sys[0].r[i].del_p99);
	}
	if (n_sys && sys[0].frozen.ran) {
		const struct bench_result *a = &sys[0].r[0], *f = &sys[0].frozen;
		printf("\nfrozen terminal (first scenario again, one `clubcrm "
		       "watch board` SIGSTOPped):\n");
		print_row("  frozen", &sys[0], f);
		printf("  p99 to all terminals %.2f -> %.2f ms (%+.0f%%)\n",
		       ms(a->del_p99), ms(f->del_p99),
		       a->del_p99 ? 100.0 * ((double)f->del_p99 /
					      (double)a->del_p99 - 1) : 0.0);
		if (sys[0].frozen_drop_s > 0)
			printf("  the frozen one was disconnected %.1f s after "
			       "it stopped reading (its queued output passed "
			       "the server's per-connection cap)\n",
			       sys[0].frozen_drop_s);
		else
			printf("  the frozen one still held its connection "
			       "after %d s\n", BENCH_FROZEN_MAX_S);
		printf("  server heap (RssAnon) %.1f MiB when it stopped, "
		       "peak %.1f MiB until then\n",
		       (double)sys[0].frozen_anon_stop_kib / 1024,
		       (double)sys[0].frozen_anon_peak_kib / 1024);
	}
	print_bytes(o, sys, n_sys);
	printf("\nmemory:\n");
	for (unsigned k = 0; k < n_sys; k++)
		print_memory(&sys[k]);
	for (unsigned k = 0; k < n_sys; k++)
		if (sys[k].snapshot_ms > 0)
			printf("snapshot: %s: a board of %" PRIu64 " tasks "
			       "(%.1f MiB of frames) to one terminal in %.1f ms, "
			       "first chunk after %.1f ms; seeded at %.0f "
			       "creates/s\n",
			       sys[k].name, sys[k].snapshot_rows,
			       (double)sys[k].snapshot_bytes / 1048576,
			       sys[k].snapshot_ms, sys[k].snapshot_first_ms,
			       sys[k].seed_wps);
	for (unsigned k = 0; k < n_sys; k++)
		if (sys[k].snapshot_cpu_ms > 0)
			printf("  %s was on a CPU for %.1f ms of it (all its "
			       "threads, /proc/PID/task/*/schedstat)\n",
			       sys[k].name, sys[k].snapshot_cpu_ms);
	for (unsigned k = 0; k < n_sys; k++)
		if (sys[k].snapshot_decoded_ms > 0)
			printf("  the same board decoded row by row "
			       "(protobuf-c, as the client library does): "
			       "%.1f ms, first chunk after %.1f ms\n",
			       sys[k].snapshot_decoded_ms,
			       sys[k].snapshot_decoded_first_ms);
}

static const char *met(bool yes)
{
	return yes ? "met" : "NOT met";
}

/* The scenario N x W, or -1. */
static int scenario_of(const struct bench_opts *o, unsigned n, unsigned w)
{
	for (unsigned i = 0; i < o->n_sc; i++)
		if (o->sc[i].terminals == n && o->sc[i].writers == w)
			return (int)i;
	return -1;
}

/*
 * Issue 15's targets read off this run, one line each (the figures are
 * the table's above; README-performance.md says which line is which).
 * clubcrmd is sys[0] and redis sys[1] when both ran.
 */
static void print_targets(const struct bench_opts *o,
			  const struct bench_system *sys, unsigned n_sys)
{
	const struct bench_system *c = n_sys && !strcmp(sys[0].name,
							 "clubcrmd")
					       ? &sys[0] : NULL;
	const struct bench_system *r = n_sys == 2 ? &sys[1] : NULL;
	if (!c)
		return;
	printf("\nissue 15's targets in this run:\n");
	/* Bytes per acknowledged write at 32 writers (write_bytes). */
	for (unsigned i = 0; i < o->n_sc; i++) {
		const struct bench_result *a = &c->r[i];
		if (o->sc[i].writers != 32 || !a->ran || !a->bytes_acked ||
		    a->write_bytes < 0)
			continue;
		double kib = (double)a->write_bytes / 1024 /
			     (double)a->bytes_acked;
		printf("  <= 4 KiB written per acknowledged write, N=%u W=32: "
		       "clubcrmd %.2f KiB", o->sc[i].terminals, kib);
		if (r && r->r[i].ran && r->r[i].bytes_acked &&
		    r->r[i].write_bytes >= 0)
			printf(", redis %.2f KiB",
			       (double)r->r[i].write_bytes / 1024 /
				       (double)r->r[i].bytes_acked);
		printf(" (write_bytes): %s\n", met(kib <= 4));
	}
	/* Durable writes/s against redis at 1 x 32 and 50 x 32. */
	static const unsigned rows[] = {1, 50};
	for (unsigned k = 0; k < 2; k++) {
		int i = scenario_of(o, rows[k], 32);
		if (i < 0 || !c->r[i].ran)
			continue;
		printf("  writes/s >= 1.5x redis, N=%u W=32: clubcrmd %.0f",
		       rows[k], c->r[i].wps);
		if (r && r->r[i].ran && r->r[i].wps > 0)
			printf(", redis %.0f: %.2fx: %s\n", r->r[i].wps,
			       c->r[i].wps / r->r[i].wps,
			       met(c->r[i].wps >= 1.5 * r->r[i].wps));
		else
			printf(" (no redis run)\n");
	}
	/* The lone write against a raw synced LMDB commit. */
	for (unsigned i = 0; i < o->n_sc; i++) {
		if (o->sc[i].writers != 1 || !c->r[i].ran || !c->r[i].ack_p50)
			continue;
		printf("  lone write ack p50 <= 2x a raw synced LMDB commit: "
		       "clubcrmd %.3f ms", ms(c->r[i].ack_p50));
		if (r && r->r[i].ran)
			printf(" (redis %.3f ms)", ms(r->r[i].ack_p50));
		if (raw_p50)
			printf(", raw LMDB %.3f ms: %.2fx: %s\n", ms(raw_p50),
			       (double)c->r[i].ack_p50 / (double)raw_p50,
			       met(c->r[i].ack_p50 <= 2 * raw_p50));
		else
			printf(", raw LMDB not measured\n");
		break;
	}
	/* The big board. */
	if (c->snapshot_ms > 0)
		printf("  a board of %" PRIu64 " tasks to one terminal <= 50 ms, "
		       "first rows <= 5 ms: %.1f ms, first chunk %.1f ms: %s\n",
		       c->snapshot_rows, c->snapshot_ms, c->snapshot_first_ms,
		       c->snapshot_rows < 100000
			       ? "fewer than 100,000 tasks"
			       : met(c->snapshot_ms <= 50 &&
				     c->snapshot_first_ms <= 5));
	/* A take to every terminal against redis' PUBLISH alone, and what
	 * the instrument adds (the mixed run). */
	for (unsigned i = 0; i < o->n_sc; i++) {
		const struct bench_result *p = r ? &r->pub[i] : NULL;
		if (!p || !p->ran || !p->del_p99 || !c->r[i].del_p99)
			continue;
		printf("  a write to all %u terminals, p99 <= redis PUBLISH "
		       "alone, W=%u: clubcrmd %.2f ms, redis %.2f ms: %s\n",
		       o->sc[i].terminals, o->sc[i].writers,
		       ms(c->r[i].del_p99), ms(p->del_p99),
		       met(c->r[i].del_p99 <= p->del_p99));
	}
	for (unsigned i = 0; i < o->n_sc; i++) {
		const struct bench_result *m = &c->mixed[i], *p = &c->probe[i];
		if (!m->ran || !p->ran || !m->del_p99 || !p->del_p99)
			continue;
		double add = 100.0 * ((double)m->del_p99 /
				      (double)p->del_p99 - 1);
		printf("  the instrument adds < 10 %% (p99, mixed run), N=%u "
		       "W=%u: %+.1f %%: %s\n", o->sc[i].terminals,
		       o->sc[i].writers, add, met(add < 10));
	}
	/* Memory per idle subscribed connection. */
	if (c->probe_idle_conns && c->probe_rss_base_kib > 0 &&
	    c->probe_rss_idle_kib > 0) {
		double kib = (double)(c->probe_rss_idle_kib -
				      c->probe_rss_base_kib) /
			     c->probe_idle_conns;
		printf("  <= 8 KiB per idle subscribed terminal at 5,000: "
		       "%.1f KiB at %u: %s\n", kib, c->probe_idle_conns,
		       c->probe_idle_conns >= 5000 ? met(kib <= 8)
						   : "fewer than 5,000 measured");
	}
}

static void print_restart(const struct bench_opts *o,
			  const struct bench_restart_result *r, unsigned n)
{
	printf("\nrestart: live terminals (client/lib/live.c), one board "
	       "subscription each; clubcrmd %s and started again on the "
	       "same data and port\n",
	       o->restart_signal == SIGTERM ? "SIGTERMed" : "SIGKILLed");
	printf("%-13s %6s %7s %7s %7s %7s %8s %6s %6s\n", "scenario", "back",
	       "down", "p50", "p99", "max", "start-up", "token", "passwd");
	printf("%-13s %6s %7s %23s %8s\n", "", "", "(ms)",
	       "(ms, listening to current)", "(ms)");
	for (unsigned i = 0; i < n; i++) {
		char label[32];
		snprintf(label, sizeof(label), "restart N=%u", r[i].terminals);
		if (!r[i].ran) {
			printf("%-13s did not run: %s\n", label, r[i].error);
			continue;
		}
		printf("%-13s %3u/%-3u %7.0f %7.1f %7.1f %7.1f %8.1f %6u %6u\n",
		       label, r[i].back, r[i].terminals, r[i].down_ms,
		       r[i].p50_ms, r[i].p99_ms, r[i].max_ms,
		       r[i].spawn_to_listen_ms, r[i].by_token,
		       r[i].by_password);
		printf("%-13s replicas at revision %" PRIu64 " at the kill, %"
		       PRIu64 "..%" PRIu64 " when back; all current within "
		       "2 s: %s\n", "", r[i].revision_before,
		       r[i].revision_min, r[i].revision_max,
		       r[i].back == r[i].terminals && r[i].max_ms <= 2000
			       ? "yes" : "NO");
		if (r[i].error[0])
			printf("%-13s %s\n", "", r[i].error);
	}
}

static bool checked(const struct bench_opts *o, const struct bench_system *s)
{
	/* Every idle connection logged in and subscribed, and counted. */
	if (o->idle_probe && !strcmp(s->name, "clubcrmd") &&
	    (s->probe_idle_conns != o->idle_probe ||
	     s->probe_rss_idle_kib <= 0)) {
		fprintf(stderr, "clubcrm-bench: %u of %u idle connections "
				"measured\n", s->probe_idle_conns,
			o->idle_probe);
		return false;
	}
	for (unsigned i = 0; i < o->n_sc; i++) {
		const struct bench_result *r = &s->r[i];
		if (!r->ran || r->acked == 0 || r->failed || r->del_n == 0 ||
		    r->partial || r->unseen) {
			fprintf(stderr, "clubcrm-bench: check failed for %s "
					"scenario %u\n", s->name, i);
			return false;
		}
		/* The mixed run: both halves saw every write whole, and
		 * take by take compared. */
		const struct bench_result *p = &s->probe[i],
					  *m = &s->mixed[i];
		if (o->probe_threads && !strcmp(s->name, "clubcrmd") &&
		    (!p->ran || p->del_n == 0 || p->partial || p->unseen ||
		     !m->ran || m->del_n == 0 || m->partial || m->unseen ||
		     s->pair_n[i] == 0 || p->error[0])) {
			fprintf(stderr, "clubcrm-bench: check failed for the "
					"mixed run (raw probe), scenario %u\n",
				i);
			return false;
		}
		/* redis' publish-only run, where it ran: every write
		 * delivered to every subscriber. */
		const struct bench_result *q = &s->pub[i];
		if (q->ran && (q->acked == 0 || q->del_n == 0 || q->partial ||
			       q->unseen)) {
			fprintf(stderr, "clubcrm-bench: check failed for %s's "
					"publish-only run, scenario %u\n",
				s->name, i);
			return false;
		}
		/* Durable writes reach the data file: a server that wrote
		 * nothing to files for them, or a counter that broke, fails
		 * (-1: this kernel has no /proc/PID/io, nothing to check). */
		if (r->file_bytes == 0) {
			fprintf(stderr, "clubcrm-bench: %s wrote no bytes to "
					"files for %" PRIu64 " acknowledged "
					"writes in scenario %u\n",
				s->name, r->acked, i);
			return false;
		}
	}
	/* clubcrmd's snapshot: the rows counted on the wire are the rows
	 * decoded, and the seeded ones are all there (redis has none). */
	if ((o->seed || o->snapshot) && strcmp(s->name, "clubcrmd") == 0 &&
	    (s->snapshot_ms <= 0 || s->snapshot_decoded_ms <= 0 ||
	     s->snapshot_rows != s->snapshot_decoded_rows ||
	     s->snapshot_rows < o->seed)) {
		fprintf(stderr, "clubcrm-bench: snapshot check failed for %s: "
				"%" PRIu64 " rows counted on the wire, %" PRIu64
				" decoded, %u seeded\n",
			s->name, s->snapshot_rows, s->snapshot_decoded_rows,
			o->seed);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct bench_opts o = {.duration_s = 5, .warmup_s = 1, .depth = 1,
			       .login_parallel = 8, .term_threads = 2};
	bool check = false;
	if (parse_args(argc, argv, &o, &check) < 0) {
		usage(stderr);
		return 2;
	}
	if (!o.restart_signal)
		o.restart_signal = SIGKILL;
	if (o.n_restart) {
		static struct bench_restart_result rr[BENCH_MAX_SCENARIOS];
		int rc = 0;
		for (unsigned i = 0; i < o.n_restart; i++)
			if (bench_restart_run(&o, o.restart_n[i], &rr[i]) < 0)
				rc = 1;
		print_restart(&o, rr, o.n_restart);
		return check ? rc : 0;
	}
	static struct bench_system sys[2];
	unsigned n = 0;
	int rc = 0;
	const char *tmp = getenv("TMPDIR");
	if (bench_raw_lmdb(tmp && *tmp ? tmp : "/tmp", 200, &raw_p50,
			   &raw_p99) < 0)
		raw_p50 = raw_p99 = 0;
	if (o.crm_address && bench_crm_run(&o, &sys[n++]) < 0)
		rc = 1;
	/* redis' publish-only runs at the pace clubcrmd kept. */
	for (unsigned i = 0; n && i < o.n_sc; i++)
		if (sys[0].r[i].ran && !o.rate)
			o.pub_rate[i] = sys[0].r[i].wps;
	if (o.redis_address && bench_redis_run(&o, &sys[n++]) < 0)
		rc = 1;
	print_table(&o, sys, n);
	print_targets(&o, sys, n);
	for (unsigned k = 0; check && k < n; k++)
		if (!checked(&o, &sys[k]))
			rc = 1;
	return rc;
}
