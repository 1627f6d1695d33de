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
 * The row a screen shows for a task, at time `now`: names of the type,
 * customer, operator, creator, result (and its outcome), tags and taker;
 * colour RED (priority type, planned, not taken), YELLOW (taken, planned),
 * NONE; overdue; priority. References that do not resolve stay unnamed.
 */
int rows_build(struct txn *t, struct arena *a, int64_t now,
	       Clubcrm__Task *task, Clubcrm__TaskRow **out);

/* Whether an operator belongs to a team (for task_filter's team criterion). */
struct rows_team_ctx {
	struct txn *t;
	struct arena *a;
};
bool rows_in_team(void *ctx, uint64_t operator_id, uint64_t team_id);

#endif
