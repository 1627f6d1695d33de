/*
 * Between report.c (the period, rights, the reply) and report_scan.c (the
 * walk over the change log): what the walk is asked and what it counts.
 * Counted arrays are malloc'd and grow; report_acc_free() frees them.
 */
#ifndef CLUBCRM_REPORT_INT_H
#define CLUBCRM_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "txn.h"

struct report_count {
	uint64_t op, type;
	uint32_t created, done, cancelled;
};

struct report_outcomes {
	uint64_t type;
	uint32_t positive, negative, unknown;
};

struct report_sample {
	uint64_t type;
	int64_t secs;
};

struct report_acc {
	/* asked */
	int64_t from, to;          /* [from, to): which commits count */
	const uint64_t *ops;       /* only these responsible operators */
	size_t n_ops;
	bool filter;               /* false: every operator */
	const int64_t *judged;     /* each day's end (or now), ascending */
	size_t n_days;
	/* counted */
	uint32_t *overdue;         /* n_days entries */
	struct report_count *counts;
	size_t n_counts, cap_counts;
	struct report_outcomes *outcomes;
	size_t n_outcomes, cap_outcomes;
	struct report_sample *takes, *dones;
	size_t n_takes, cap_takes, n_dones, cap_dones;
	uint64_t last_rev;         /* the last revision counted */
};

/* Walks the tasks at `from` and the change sets of [from, to) in `t`.
 * 0, -ENOMEM or the store's error. */
int report_scan(struct txn *t, struct report_acc *acc);
void report_acc_free(struct report_acc *acc);

#endif
