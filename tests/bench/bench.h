/*
 * clubcrm-bench: what a run is asked to do and what it found, shared by the
 * clubcrm driver (bench_crm.c), the redis driver (bench_redis.c) and the
 * report (bench_main.c).
 */
#ifndef CLUBCRM_BENCH_H
#define CLUBCRM_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_MAX_SCENARIOS 8

struct bench_scenario {
	unsigned terminals;
	unsigned writers;
};

struct bench_opts {
	const char *crm_address;      /* NULL: no clubcrm runs */
	const char *redis_address;    /* NULL: no redis runs */
	const char *crm_data;         /* clubcrmd's --data: LMDB commit count */
	pid_t crm_pid, redis_pid;     /* 0: found from the port */
	struct bench_scenario sc[BENCH_MAX_SCENARIOS];
	unsigned n_sc;
	double duration_s;            /* per scenario, measured part */
	double warmup_s;              /* before measuring, same workload */
	unsigned depth;               /* writes in flight per writer */
	double rate;                  /* total writes/s; 0: as fast as acked */
	unsigned seed;                /* tasks for the snapshot test; 0: none */
	bool snapshot;                /* time a snapshot of the whole board */
	double snapshot_days;         /* > 0: of the tasks planned in the next
					 this many days only */
	const char *freeze_cli;       /* the clubcrm command line: rerun the
				       * first scenario with a frozen
				       * `clubcrm watch board` beside it */
	unsigned login_parallel;      /* terminals logging in at once */
	const char *clubcrmd;         /* the server the restart runs start */
	unsigned restart_n[BENCH_MAX_SCENARIOS]; /* terminals per restart run */
	unsigned n_restart;
	int restart_signal;           /* SIGKILL (default) or SIGTERM */
	unsigned probe_threads;       /* >0: each clubcrmd scenario again,
				       * half its terminals the bench's own
				       * and half the raw probe's sockets
				       * (bench_probe.h, on this many
				       * threads) at once */
	unsigned term_threads;        /* the bench's terminals (both
				       * systems) on this many threads of
				       * their own, the writers on the
				       * main one; 0: all on the main loop */
	double pub_rate[BENCH_MAX_SCENARIOS]; /* redis' publish-only runs
				       * (bench_system.pub) at this many
				       * writes/s in total: clubcrmd's in
				       * the same scenario; 0: o->rate */
	unsigned idle_probe;          /* >0: first, this many idle
				       * subscribed raw-probe sockets: the
				       * server's memory per connection */
	bool verbose;
};

/* One scenario on one system. */
struct bench_result {
	bool ran;
	char error[256];              /* set when the scenario failed */
	uint64_t acked, failed;       /* writes acknowledged / refused */
	double seconds;
	double wps;                   /* acknowledged durable writes per second */
	uint64_t ack_p50, ack_p99;    /* send to acknowledgement, ns */
	uint64_t del_p50, del_p99, del_p999, del_max; /* to all terminals, ns */
	uint64_t del_n, partial, unseen;
	long rss_load_kib;            /* peak during the measured part */
	double batch_mean;            /* clubcrm: writes per LMDB commit; 0: n/a */
	/* Over the whole run until the server settled (bytes_acked), -1
	 * when unknown: the server's write_bytes (/proc/PID/io) and what the
	 * disk holding the data wrote (every process on it; see
	 * bench_stats.h). */
	int64_t write_bytes, disk_bytes;
	/* The writes the byte counts are divided by: every one acknowledged
	 * from the first write of the warm-up to the end of the drain. A
	 * server that writes some of a write's bytes later (clubcrmd's
	 * checkpoint) has written them all by the time the bytes are read:
	 * the window ends once it has settled (bench_crm.c). */
	uint64_t bytes_acked;
	/* The bytes the server handed to write(2) and friends for files:
	 * its wchar less what this process read from its sockets (rchar;
	 * every connection to the server is the bench's, and only one system
	 * runs at a time). -1 when unknown. */
	int64_t file_bytes;
	int64_t wchar0, rchar0;
};

/* Reads both byte counters of the server `pid` (data on the disk of
 * `disk_path`); bench_bytes_end() turns them into the window's. */
void bench_bytes_start(struct bench_result *r, pid_t pid,
		       const char *disk_path);
void bench_bytes_end(struct bench_result *r, pid_t pid, const char *disk_path);

/* Where the servers' data lies: --clubcrm-data, else $TMPDIR, else /tmp. */
const char *bench_disk_path(const struct bench_opts *o);

/*
 * The floor of a durable write on this disk: `n` LMDB transactions of one
 * 200-byte put each, committed with LMDB's default (synced) flags in a
 * fresh environment under `dir`. Fills the p50 and p99 in ns; 0 or -1.
 */
int bench_raw_lmdb(const char *dir, unsigned n, uint64_t *p50,
		   uint64_t *p99);

/* What a system's run found besides the scenarios. */
/* Writes go on after the frozen run's measured part until the server drops
 * the frozen terminal, this long at most: the time its output cap takes to
 * fill depends on the write rate. */
#define BENCH_FROZEN_MAX_S 45

struct bench_system {
	const char *name;
	long rss_base_kib;            /* before the terminals connected */
	long rss_idle_kib;            /* all terminals connected, subscribed, idle */
	unsigned idle_conns;
	unsigned idle_raw_conns;      /* of them the raw probe's (--probe) */
	/* The same with o->idle_probe raw-probe sockets (clubcrmd). */
	long probe_rss_base_kib, probe_rss_idle_kib;
	unsigned probe_idle_conns;
	double snapshot_ms;           /* 0: not measured */
	double snapshot_first_ms;     /* until its first chunk came */
	uint64_t snapshot_bytes;      /* its frames, as sent */
	uint64_t snapshot_rows;
	double snapshot_cpu_ms;       /* clubcrmd's CPU time meanwhile; 0:
				       * unknown */
	/* The same board again to a terminal that decodes every row with
	 * protobuf-c (the client library's push path), as a desk does: the
	 * figures above count rows on the wire, so that the bench's own
	 * decoding does not time itself (README-performance.md). */
	double snapshot_decoded_ms;   /* 0: not measured */
	double snapshot_decoded_first_ms;
	uint64_t snapshot_decoded_rows;
	double seed_wps;              /* creates/s while seeding */
	struct bench_result r[BENCH_MAX_SCENARIOS];
	/* The mixed run of each scenario (clubcrmd, --probe): the same N
	 * terminals, half the bench's own (mixed[]) and half the raw
	 * probe's (probe[]), interleaved in the server's order of
	 * connections, all served by the same writes at the same moments:
	 * what the bench's terminals add to what they measure. At N = 1 one
	 * of each. mixed_all[]: the same writes to all of them. */
	struct bench_result mixed[BENCH_MAX_SCENARIOS];
	struct bench_result probe[BENCH_MAX_SCENARIOS];
	struct bench_result mixed_all[BENCH_MAX_SCENARIOS];
	/* Take by take, the bench's half's last delivery less the probe's
	 * half's (ns, either sign), over the writes both halves saw
	 * whole: its p50 and p99, and how many writes. */
	int64_t pair_p50[BENCH_MAX_SCENARIOS], pair_p99[BENCH_MAX_SCENARIOS];
	uint64_t pair_n[BENCH_MAX_SCENARIOS];
	/* The mixed run's CPU time from the writes' start to the end of
	 * the drain, and the deliveries (frames' revisions) each half
	 * counted: what each instrument costs the shared machine, beside
	 * the server's (0: unknown; own_ns needs --term-threads). */
	struct bench_mix_cpu {
		uint64_t own_ns, raw_ns, srv_ns, wall_ns;
		uint64_t own_frames, raw_frames;
	} mix_cpu[BENCH_MAX_SCENARIOS];
	/* redis: the scenarios with the most terminals again, the writers
	 * PUBLISHing alone (no HSET, so no fsync) at clubcrmd's rate of the
	 * scenario: fan-out without durability, issue 15's baseline for a
	 * take reaching every terminal. */
	struct bench_result pub[BENCH_MAX_SCENARIOS];
	struct bench_result frozen;   /* the first scenario, one terminal
				       * SIGSTOPped */
	bool frozen_gone;             /* the frozen terminal's connection was
				       * closed by the server */
	double frozen_drop_s;         /* from SIGSTOP until it was seen
				       * closed; 0: not within the limit */
	long frozen_anon_stop_kib;    /* server RssAnon when it was stopped */
	long frozen_anon_peak_kib;    /* and its peak until dropped (the map's
				       * file pages grow with the writes) */
};

/*
 * Runs every scenario of `o` against clubcrmd (bench_crm.c) or redis
 * (bench_redis.c), filling `out`. 0, or -1 after printing why (a failed
 * scenario only sets its result's error).
 */
int bench_crm_run(const struct bench_opts *o, struct bench_system *out);
struct bench_deliv;
/* The delivery figures of `r` (p50 ... max, partial, unseen) from table
 * `d`, the writes that went to `terminals`; r->error on no memory. Both
 * systems' runs use it. */
void bench_fill_delivery(struct bench_result *r, const struct bench_deliv *d,
			 unsigned terminals);
int bench_redis_run(const struct bench_opts *o, struct bench_system *out);

/* The restart scenario (bench_restart.c): a server killed and started
 * again on the same data and port under N live terminals. */
struct bench_restart_result {
	bool ran;
	char error[256];
	unsigned terminals, back;     /* back: READY and current again */
	unsigned by_token, by_password; /* logins after the restart (log) */
	double down_ms;               /* kill to the new listening line */
	double spawn_to_listen_ms;    /* the new server's start-up */
	double p50_ms, p99_ms, max_ms; /* listening line to current, each */
	uint64_t revision_before;     /* the replicas' revision at the kill */
	uint64_t revision_min, revision_max; /* theirs when back */
};

/* Starts o->clubcrmd on a fresh demo club, logs `terminals` live
 * terminals in, kills and restarts it, fills `out`. 0, or -1 (out->error
 * says why, or not every terminal came back). */
int bench_restart_run(const struct bench_opts *o, unsigned terminals,
		      struct bench_restart_result *out);

/* Deterministic per-writer randomness (xorshift64*). */
static inline uint64_t bench_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* The write mix, in percent, the same for both systems. */
enum bench_op {
	BENCH_OP_CREATE,
	BENCH_OP_TAKE,
	BENCH_OP_RELEASE,
	BENCH_OP_FOLLOW_UP,
	BENCH_OP_EDIT,
	BENCH_OP_COUNT,
};

const char *bench_op_name(enum bench_op op);

#endif
