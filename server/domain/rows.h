/* Display rows and catalogue lookups: names resolved, colour computed. */
#ifndef CLUBCRM_ROWS_H
#define CLUBCRM_ROWS_H

#include <stdint.h>

#include "arena.h"
#include "clubcrm.pb-c.h"
#include "txn.h"

/* Typed record loads: 0, -ENOENT or the txn's error. */
int rows_task(struct txn *t, struct arena *a, uint64_t id, Clubcrm__Task **out);
int rows_customer(struct txn *t, struct arena *a, uint64_t id,
		  Clubcrm__Customer **out);
int rows_operator(struct txn *t, struct arena *a, uint64_t id,
		  Clubcrm__Operator **out);
int rows_team(struct txn *t, struct arena *a, uint64_t id, Clubcrm__Team **out);
int rows_type(struct txn *t, struct arena *a, uint64_t id,
	      Clubcrm__TaskType **out);
int rows_result(struct txn *t, struct arena *a, uint64_t id,
		Clubcrm__Result **out);
int rows_tag(struct txn *t, struct arena *a, uint64_t id, Clubcrm__Tag **out);
/* The club's settings; an empty message when none were written yet. */
int rows_settings(struct txn *t, struct arena *a, Clubcrm__Settings **out);

/*
 * Catalogue and customer records already loaded from one read transaction,
 * for building many rows: a snapshot of 100,000 tasks names the same few
 * operators and types again and again. Bounded: past `cap` / 2 entries
 * lookups go to the store uncached until rows_cache_trim().
 */
struct rows_cache_slot;
struct rows_cache {
	struct arena a;               /* the cached records */
	struct rows_cache_slot *slots;
	size_t cap, n;                /* cap: a power of two */
};
/* 0 or -ENOMEM. */
int rows_cache_init(struct rows_cache *c, size_t cap);
void rows_cache_fini(struct rows_cache *c);
/* Empties the cache when it is full (rows built from it must be done). */
void rows_cache_trim(struct rows_cache *c);

/*
 * The row a screen shows for a task, at time `now`: names of the type,
 * customer, operator, creator, result (and its outcome), tags and taker;
 * colour RED (priority type, planned, not taken), YELLOW (priority type,
 * planned, taken), NONE; overdue; priority. References that do not resolve stay unnamed.
 */
int rows_build(struct txn *t, struct arena *a, int64_t now,
	       Clubcrm__Task *task, Clubcrm__TaskRow **out);
/* The same, looking names up through `cache` (NULL: none); the row may
 * point into the cache until rows_cache_trim() or rows_cache_fini(). */
int rows_build_cached(struct txn *t, struct arena *a, struct rows_cache *cache,
		      int64_t now, Clubcrm__Task *task, Clubcrm__TaskRow **out);

/* Whether an operator belongs to a team (for task_filter's team criterion). */
struct rows_team_ctx {
	struct txn *t;
	struct arena *a;
};
bool rows_in_team(void *ctx, uint64_t operator_id, uint64_t team_id);

#endif
