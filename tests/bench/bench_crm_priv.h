/*
 * Shared by bench_crm.c (the run: phases, scenarios), bench_crm_mixed.c
 * (the mixed run with the raw probe), bench_crm_seed.c (seeding, snapshot)
 * and bench_crm_conn.c (the connections: terminals and writers on the
 * client library). The writers run on `loop`, the terminals on the shards' loops
 * (bench_shards.h), on threads of their own while a scenario's writes go.
 */
#ifndef CLUBCRM_BENCH_CRM_PRIV_H
#define CLUBCRM_BENCH_CRM_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "bench.h"
#include "bench_shards.h"
#include "bench_stats.h"
#include "client.h"

#define CRM_POOL 64          /* tasks a writer keeps working on */
#define CRM_MAX_DEPTH 64     /* the server's in-flight limit per session */
#define CRM_SUB_BOARD 1u
#define CRM_SUB_URGENT 2u
#define CRM_SUB_SNAPSHOT 9u
#define CRM_MAX_CUSTOMERS 64
#define CRM_MAX_LOGINS 8     /* the demo's operators: a resume token each */
#define CRM_TOKEN_MAX 256

#define CONNECT_TIMEOUT_MS 180000u
#define SUBSCRIBE_TIMEOUT_MS 60000u
#define DRAIN_TIMEOUT_MS 5000u
#define SEED_TIMEOUT_MS 180000u


struct crm;

struct crm_term {
	struct crm *b;
	struct bench_shard *shard; /* its loop; NULL: b->loop */
	struct client *c;
	unsigned idx;
	unsigned login;           /* the demo operator's index */
	bool ready, down, closed;
	bool connecting;          /* counted in b->t_connecting */
	bool subscribed;          /* board + urgent wanted */
	unsigned pending;         /* Subscribe/Unsubscribe replies and
				   * snapshots still to come */
	uint64_t last_rev;        /* last delta revision counted */
	uint64_t snap_rows, snap_bytes;
	uint64_t snap_first_ns;   /* when the first chunk came */
	bool raw;                 /* snapshot chunks counted on the wire,
				   * not decoded */
	uint64_t deltas;
};

struct crm_task {
	uint64_t id, mod_rev;
	bool taken, busy;
};

struct crm_writer {
	struct crm *b;
	struct client *c;
	unsigned idx;
	unsigned login;
	bool ready, down, closed;
	bool connecting;          /* counted in b->w_connecting */
	uint64_t rng;
	struct crm_task pool[CRM_POOL];
	unsigned n_pool, n_live, replace;
	unsigned in_flight;
	uint64_t issued;          /* writes sent so far */
	uint64_t rate_base;       /* `issued` when the rate window opened */
};

enum crm_phase {
	CRM_IDLE,       /* nothing issued */
	CRM_RUN,        /* the workload, measured when `measuring` */
	CRM_DRAIN,      /* no new writes; waiting for acks and deliveries */
	CRM_SEED,       /* creates only, until seed_target */
};

struct crm {
	uv_loop_t loop;
	const struct bench_opts *o;
	/* From the catalogue and the customer list. */
	uint64_t type_plain, type_priority, result_open;
	uint64_t customers[CRM_MAX_CUSTOMERS];
	unsigned n_customers;
	/* Connections. */
	struct crm_term *t;
	/* t_down and t_closed may move on a shard's thread. */
	unsigned n_t, t_ready, t_started, t_connecting;
	unsigned t_allowed;        /* terminals [0, t_allowed) may start
				    * connecting (crm_terms_allow) */
	atomic_uint t_down, t_closed;
	struct crm_writer *w;
	unsigned n_w, w_ready, w_down, w_closed, w_started, w_connecting;
	unsigned n_active;         /* writers [0, n_active) take part */
	unsigned login_i;
	/* The current phase and its measures. */
	_Atomic enum crm_phase phase;  /* read on the shards' threads */
	bool measuring;
	uint64_t t0_ns, t1_ns;     /* the measured window */
	uint64_t base_rev, last_rev;
	struct bench_deliv deliv;
	unsigned deliv_terminals;  /* subscribed: each write must reach them */
	struct bench_samples acks;
	uint64_t acked, failed, op_failed[BENCH_OP_COUNT];
	uint64_t acked_all;        /* measured or not (bytes_acked) */
	char first_error[160];
	/* The planned-time window of the current scenario's tasks, which is
	 * the board/urgent subscriptions' filter (served from the planned
	 * index, so subscribing does not scan every task). */
	int64_t window_from, window_to;
	unsigned windows;
	uint64_t seed_target, seed_done, seed_issued;
	/* Rate mode. */
	uv_timer_t rate_timer;
	uint64_t rate_start_ns;
	/* The server's memory, sampled while measuring. */
	pid_t pid;
	long rss_peak;
	long anon_peak;         /* of RssAnon: the heap without the map */
	uv_timer_t rss_timer;
	/* The raw probe (--probe), open from connect_all() on. */
	struct bench_probe *probe;
	/* The terminals' loops; `threaded` while their threads run. */
	struct bench_shards shards;
	/* Each demo operator's resume token from its first login: the
	 * other terminals log in with it (no Argon2id hash each). */
	uint8_t token[CRM_MAX_LOGINS][CRM_TOKEN_MAX];
	size_t token_len[CRM_MAX_LOGINS];
};

/* Terminals [from, to) connect (login_parallel at a time) and log in. */
int crm_terms_connect(struct crm *b, unsigned to);
/* Terminals [0, to) may connect (of those crm_terms_connect() made):
 * the mixed run connects them one by one, in turn with the probe's. */
void crm_terms_allow(struct crm *b, unsigned to);
/* Subscribes a terminal to board + urgent of the current window. */
int crm_term_subscribe(struct crm_term *t);
int crm_term_unsubscribe(struct crm_term *t);
/* Subscribes to the board seeded since `from` for the snapshot test. */
/* from == 0: the whole board. */
int crm_term_snapshot(struct crm_term *t, int64_t from, int64_t to);
void crm_terms_close(struct crm *b);

int crm_writers_connect(struct crm *b, unsigned n);
void crm_writers_close(struct crm *b);
/* Issues writes on a writer up to its allowance (depth, rate, phase). */
void crm_writer_fill(struct crm_writer *w, unsigned budget);

/* Runs the loop (and the shards' loops, when they run on no thread of
 * their own) until done(b) or timeout_ms; true when done. */
bool crm_pump(struct crm *b, bool (*done)(struct crm *), unsigned timeout_ms);

/* bench_crm.c: the run's loop pumped for `ms`; no writer waiting for a
 * reply; a planned-time window of its own for the next writes. */
void crm_sleep_ms(struct crm *b, unsigned ms);
bool crm_writers_idle(struct crm *b);
void crm_next_window(struct crm *b);

/* bench_crm_mixed.c. The halves of the mixed run of N terminals: the
 * bench's own get the odd one, and at N = 1 there is one of each. */
unsigned crm_own_half(unsigned n);
unsigned crm_raw_half(unsigned n);

/* Where the mixed run's other figures go (bench.h, struct bench_system). */
struct crm_mix_out {
	struct bench_result *raw, *all;
	int64_t *pair_p50, *pair_p99;
	uint64_t *pair_n;
	struct bench_mix_cpu *cpu;
};

/* CPU and wall clocks at the start of a mixed scenario. */
struct crm_mix_clock {
	uint64_t own_cpu0, raw_cpu0, srv_cpu0, wall0;
};

/* The bench's terminals [0, n_t) and the probe's `n_raw` sockets
 * connected in turn (b->probe); 0 or -1, said on stderr. */
int crm_connect_interleaved(struct crm *b, unsigned n_t, unsigned n_raw);
/* A mixed scenario's start (after b->base_rev is set), and its end, after
 * the drain: the figures of `mix` beside the bench's half's in `r`. */
void crm_mix_begin(struct crm *b, struct crm_mix_clock *c);
void crm_mix_end(struct crm *b, const struct bench_result *r,
		 const struct crm_mix_out *mix, const struct crm_mix_clock *c);

/* bench_crm_seed.c: the seeding and the snapshot after the scenarios
 * (the run's terminals closed first). */
int crm_seed_and_snapshot(struct crm *b, struct bench_system *out);

#endif
