/*
 * The past, rebuilt from the change log (nothing is ever deleted): which
 * revision was current at a moment, and a task's image at a revision.
 */
#ifndef CLUBCRM_ASOF_H
#define CLUBCRM_ASOF_H

#include <stdint.h>

#include "arena.h"
#include "clubcrm.pb-c.h"
#include "txn.h"

/* The last revision committed at or before `at` (0: none). 0 or an error. */
int asof_revision(struct txn *t, struct arena *a, int64_t at, uint64_t *rev);

/* The commit time of revision `rev` (>= 1, committed). 0 or an error. */
int asof_revision_at(struct txn *t, struct arena *a, uint64_t rev,
		     int64_t *at);

/* The task as it was at revision `rev`: 0, -ENOENT when it did not exist
 * yet, or an error. */
int asof_task(struct txn *t, struct arena *a, uint64_t id, uint64_t rev,
	      Clubcrm__Task **out);

#endif
