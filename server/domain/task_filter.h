/*
 * Whether a task row belongs to a filter or a live view. One predicate for
 * every place that selects tasks: task lists (after the index narrowed the
 * range), live-view snapshots and the fan-out of changes. Pure: no store.
 */
#ifndef CLUBCRM_TASK_FILTER_H
#define CLUBCRM_TASK_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"

/* Tells whether an operator belongs to a team (the caller knows the teams). */
typedef bool (*task_filter_team_fn)(void *ctx, uint64_t operator_id,
				    uint64_t team_id);

struct task_filter_env {
	int64_t now;                 /* for "overdue" */
	task_filter_team_fn in_team; /* NULL: a team criterion matches nothing */
	void *team_ctx;
};

/* Planned, of a priority type: shown red, or yellow once taken. */
bool task_row_is_urgent(const Clubcrm__TaskRow *row);
/* A planned task whose planned time has passed: the one overdue rule, for
 * the row's flag, the filter and the OVERDUE view. False for NULL. */
bool task_is_overdue(const Clubcrm__Task *t, int64_t now);
/* An urgent task nobody took within `minutes` of its creation (0: never
 * escalates): the one escalation rule, for the row's flag, the console and
 * the clock. */
bool task_row_is_escalated(const Clubcrm__TaskRow *row, uint32_t minutes,
			   int64_t now);

/*
 * True when the row matches every criterion set in `f` (NULL: everything).
 * Lists and criteria are ANDed; the values inside one repeated field are ORed.
 */
bool task_filter_matches(const Clubcrm__TaskFilter *f,
			 const Clubcrm__TaskRow *row,
			 const struct task_filter_env *env);

/* True when the row belongs to the live view (its kind, then its filter). */
bool task_view_matches(const Clubcrm__View *v, const Clubcrm__TaskRow *row,
		       const struct task_filter_env *env);

/*
 * False when no row of task `t` can belong to the live view: what the task
 * alone decides (everything but the type's priority and the customer's
 * name, which only its row has). True says nothing: task_view_matches() on
 * the row decides. Lets a scan skip building the rows of tasks a view
 * rules out anyway.
 */
bool task_view_may_match(const Clubcrm__View *v, const Clubcrm__Task *t,
			 const struct task_filter_env *env);

/*
 * Bounds on a filter from the network, the same for a task list and a live
 * view: a filter is evaluated for every row examined, and a view's for every
 * changed row of every commit too, so its cost must be bounded.
 */
#define TASK_FILTER_LIST_MAX 100u  /* values in one repeated field */
#define TASK_FILTER_TEXT_MAX 200u  /* bytes of search text (valid text) */

/* NULL when `f` (may be NULL) is within the bounds above, else the reason. */
const char *task_filter_check(const Clubcrm__TaskFilter *f);

/* NULL when a view from the network is acceptable (kind known, ranges sane,
 * filter and operator list bounded), else the reason. */
const char *task_view_check(const Clubcrm__View *v);

/* task_view_check() as 0 or -EINVAL. */
int task_view_validate(const Clubcrm__View *v);

#endif
