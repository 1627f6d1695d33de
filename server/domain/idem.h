/*
 * Idempotency keys: a create sent again (a retry after a lost answer, a
 * reconnect) with the key of the first returns the first's result instead
 * of creating twice. Kept in DB_IDEMPOTENCY under operator id | key, so two
 * terminals never collide; the value says what was created (a task, or a
 * customer) and at which revision. A key once used for one kind is refused
 * for the other.
 */
#ifndef CLUBCRM_IDEM_H
#define CLUBCRM_IDEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "req.h"

#define IDEM_KEY_MAX 64u

enum idem_kind {
	IDEM_TASK,
	IDEM_CUSTOMER,
};

struct idem {
	uint8_t k[8 + IDEM_KEY_MAX];
	size_t klen;             /* 0: no key given */
	enum idem_kind kind;
};

/* Reads the request's key (has, data, len): 0 (klen 0 when absent), or a
 * refusal for a key of the wrong size. */
int idem_begin(struct req *r, struct idem *ik, enum idem_kind kind,
	       bool has, const uint8_t *data, size_t len);
/* What the key created before: 0 with *id and *rev, -ENOENT when it is
 * new, a refusal when it created something of the other kind, or the
 * txn's error. */
int idem_lookup(struct req *r, const struct idem *ik, uint64_t *id,
		uint64_t *rev);
/* Remembers what the key created (a no-op without a key). The txn's
 * error. */
int idem_remember(struct req *r, const struct idem *ik, uint64_t id,
		  uint64_t rev);

#endif
