/*
 * One round of the crash test's write load: several clients (libuv, the
 * client library) log in, first retry what the last crash left unanswered
 * and replay a sample of acknowledged creates (same idempotency key: the
 * first result must come back), then keep creates in flight until the
 * server is killed with SIGKILL at the chosen moment. Every answer goes to
 * the ledger.
 */
#ifndef CLUBCRM_CRASH_LOAD_H
#define CLUBCRM_CRASH_LOAD_H

#include <stdint.h>
#include <sys/types.h>

#include "ledger.h"

struct load_config {
	const char *address;     /* the running server */
	pid_t pid;               /* killed after kill_after_ms (0: never) */
	unsigned clients;        /* 1..LOAD_CLIENTS_MAX */
	unsigned inflight;       /* creates kept in flight per client */
	unsigned replays;        /* acknowledged keys replayed per client */
	uint64_t kill_after_ms;  /* from the moment every client is ready */
	uint64_t type_id;        /* the task type of every create */
	uint64_t customer_id;    /* and its customer */
	uint64_t revision;       /* the store's revision before this start */
};

#define LOAD_CLIENTS_MAX 16

struct load_stats {
	unsigned long acked;      /* creates acknowledged in this round */
	unsigned long retried;    /* unknown outcomes settled by a retry */
	unsigned long recovered;  /* of those, written before the kill: the
				   * retry got the first result back */
	unsigned long replayed;   /* acknowledged keys replayed, same result */
	unsigned long mismatches; /* replays answered with another result */
	unsigned long refused;    /* creates refused (a failure) */
	unsigned long unknown;    /* cut by the kill, retried next round */
	unsigned failures;        /* clients that could not log in, ... */
};

/*
 * Runs one round on a private loop; returns when every client is closed
 * (after the kill, or at once when kill_after_ms is 0 and every retry and
 * replay is answered). `rng` picks the replays. 0, or a negative errno when
 * the round could not run.
 */
int load_round(struct ledger *l, const struct load_config *cfg,
	       uint64_t *rng, struct load_stats *out);

#endif
