/*
 * What the crash test's clients sent and what they were told: one entry per
 * create, with its idempotency key derived from the seed and the entry's
 * index (so keys are unique across every restart of one run). Entries are
 * addressed by index, never by pointer: the array grows while requests are
 * in flight.
 */
#ifndef CLUBCRM_CRASH_LEDGER_H
#define CLUBCRM_CRASH_LEDGER_H

#include <stddef.h>
#include <stdint.h>

enum ledger_state {
	LEDGER_SENT = 0,  /* in flight, no answer yet */
	LEDGER_ACKED,     /* the server said OK: it must survive any crash */
	LEDGER_UNKNOWN,   /* the connection died first: retried after restart */
	LEDGER_REFUSED,   /* the server said no (never expected here) */
};

struct ledger_write {
	uint64_t id;        /* task id, once acknowledged */
	uint64_t revision;  /* revision it was acknowledged at */
	uint32_t client;    /* which client (its login) owns the key */
	uint8_t state;      /* enum ledger_state */
};

struct ledger {
	struct ledger_write *w;
	size_t n, cap;
	uint32_t seed;
};

#define LEDGER_KEY_MAX 48

/* A new entry for `client` in state SENT. 0 and its index, or -ENOMEM. */
int ledger_add(struct ledger *l, uint32_t client, size_t *index);

/* The idempotency key of entry i into out[LEDGER_KEY_MAX]; its length. */
size_t ledger_key(const struct ledger *l, size_t i, char *out);

/* Entries in a state. */
size_t ledger_count(const struct ledger *l, enum ledger_state s);

void ledger_free(struct ledger *l);

#endif
