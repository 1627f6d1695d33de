#include "task_filter.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "req.h"
#include "textfold.h"

static bool is_task(const Clubcrm__Task *t)
{
	return t->kind == CLUBCRM__TASK_KIND__TASK_KIND_TASK;
}

static bool is_planned(const Clubcrm__Task *t)
{
	return t->status == CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
}

bool task_row_is_urgent(const Clubcrm__TaskRow *row)
{
	const Clubcrm__Task *t = row->task;
	return t && is_task(t) && is_planned(t) && row->priority;
}

bool task_is_overdue(const Clubcrm__Task *t, int64_t now)
{
	return t && is_task(t) && is_planned(t) && t->planned_at < now;
}

bool task_row_is_escalated(const Clubcrm__TaskRow *row, uint32_t minutes,
			   int64_t now)
{
	if (!minutes || !task_row_is_urgent(row) || row->task->taken_by)
		return false;
	return row->task->created_at + (int64_t)minutes * 60 <= now;
}

static bool in_list(uint64_t v, const uint64_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static bool any_in_list(const uint64_t *vals, size_t nvals,
			const uint64_t *list, size_t n)
{
	for (size_t i = 0; i < nvals; i++)
		if (in_list(vals[i], list, n))
			return true;
	return false;
}

static bool status_in(Clubcrm__TaskStatus s, const Clubcrm__TaskStatus *list,
		      size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == s)
			return true;
	return false;
}

static bool in_range(int64_t v, bool has_from, int64_t from, bool has_to,
		     int64_t to)
{
	return (!has_from || v >= from) && (!has_to || v < to);
}

static bool matches_dates(const Clubcrm__TaskFilter *f, const Clubcrm__Task *t)
{
	return in_range(t->planned_at, f->has_planned_from, f->planned_from,
			f->has_planned_to, f->planned_to) &&
	       in_range(t->created_at, f->has_created_from, f->created_from,
			f->has_created_to, f->created_to);
}

static bool matches_people(const Clubcrm__TaskFilter *f, const Clubcrm__Task *t,
			   const struct task_filter_env *env)
{
	if (f->n_operator_ids &&
	    !in_list(t->operator_id, f->operator_ids, f->n_operator_ids))
		return false;
	if (f->n_creator_ids &&
	    !in_list(t->creator_id, f->creator_ids, f->n_creator_ids))
		return false;
	if (f->has_team_id) {
		if (!env || !env->in_team ||
		    !env->in_team(env->team_ctx, t->operator_id, f->team_id))
			return false;
	}
	if (f->has_customer_id && t->customer_id != f->customer_id)
		return false;
	return true;
}

static bool matches_catalogue(const Clubcrm__TaskFilter *f,
			      const Clubcrm__Task *t)
{
	if (f->n_type_ids && !in_list(t->type_id, f->type_ids, f->n_type_ids))
		return false;
	if (f->n_tag_ids &&
	    !any_in_list(t->tag_ids, t->n_tag_ids, f->tag_ids, f->n_tag_ids))
		return false;
	if (f->n_statuses && !status_in(t->status, f->statuses, f->n_statuses))
		return false;
	if (f->n_result_ids &&
	    !in_list(t->result_id, f->result_ids, f->n_result_ids))
		return false;
	if (f->has_kind && f->kind != CLUBCRM__TASK_KIND__TASK_KIND_UNSPECIFIED &&
	    t->kind != f->kind)
		return false;
	return true;
}

/*
 * Whether the task is urgent. That takes its row (the type's priority);
 * without one (row NULL), whether it could be: planned and a task.
 */
static bool may_be_urgent(const Clubcrm__Task *t, const Clubcrm__TaskRow *row)
{
	return row ? task_row_is_urgent(row) : is_task(t) && is_planned(t);
}

/* With row NULL, only what the task alone decides (see may_be_urgent). */
static bool matches_state(const Clubcrm__TaskFilter *f, const Clubcrm__Task *t,
			  const Clubcrm__TaskRow *row, int64_t now)
{
	if (f->has_taken && (t->taken_by != 0) != f->taken)
		return false;
	if (f->has_urgent && (row || f->urgent) &&
	    may_be_urgent(t, row) != f->urgent)
		return false;
	bool prep = is_task(t) && is_planned(t) && t->taken_by == 0;
	if (f->has_in_preparation && prep != f->in_preparation)
		return false;
	if (f->has_overdue && task_is_overdue(t, now) != f->overdue)
		return false;
	/* The text may be in the customer's name, which only the row has. */
	if (row && f->text && *f->text &&
	    !textfold_contains(t->description, f->text) &&
	    !textfold_contains(row->customer_name, f->text))
		return false;
	return true;
}

static bool filter_matches(const Clubcrm__TaskFilter *f,
			   const Clubcrm__Task *t, const Clubcrm__TaskRow *row,
			   const struct task_filter_env *env)
{
	if (!f)
		return true;
	int64_t now = env ? env->now : 0;
	return matches_dates(f, t) && matches_people(f, t, env) &&
	       matches_catalogue(f, t) && matches_state(f, t, row, now);
}

bool task_filter_matches(const Clubcrm__TaskFilter *f,
			 const Clubcrm__TaskRow *row,
			 const struct task_filter_env *env)
{
	if (!row || !row->task)
		return false;
	return filter_matches(f, row->task, row, env);
}

static bool matches_agenda(const Clubcrm__View *v, const Clubcrm__Task *t,
			   const struct task_filter_env *env)
{
	if (!is_task(t) || t->status == CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED)
		return false;
	if (!in_range(t->planned_at, v->has_from, v->from, v->has_to, v->to))
		return false;
	if (v->n_operator_ids &&
	    !in_list(t->operator_id, v->operator_ids, v->n_operator_ids))
		return false;
	if (v->has_team_id &&
	    (!env || !env->in_team ||
	     !env->in_team(env->team_ctx, t->operator_id, v->team_id)))
		return false;
	return true;
}

/* With row NULL, only what the task alone decides (see may_be_urgent). */
static bool matches_kind(const Clubcrm__View *v, const Clubcrm__Task *t,
			 const Clubcrm__TaskRow *row,
			 const struct task_filter_env *env)
{
	switch (v->kind) {
	case CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD:
		return true;
	case CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT:
		return may_be_urgent(t, row);
	case CLUBCRM__VIEW_KIND__VIEW_KIND_IN_PREPARATION:
		return is_task(t) && is_planned(t) && t->taken_by == 0;
	case CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE:
		return task_is_overdue(t, env ? env->now : 0);
	case CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA:
		return matches_agenda(v, t, env);
	case CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER:
		return t->customer_id == v->customer_id;
	default:
		return false;  /* CATALOG and unknown kinds hold no task rows */
	}
}

bool task_view_matches(const Clubcrm__View *v, const Clubcrm__TaskRow *row,
		       const struct task_filter_env *env)
{
	if (!v || !row || !row->task)
		return false;
	return matches_kind(v, row->task, row, env) &&
	       filter_matches(v->filter, row->task, row, env);
}

bool task_view_may_match(const Clubcrm__View *v, const Clubcrm__Task *t,
			 const struct task_filter_env *env)
{
	if (!v || !t)
		return false;
	return matches_kind(v, t, NULL, env) &&
	       filter_matches(v->filter, t, NULL, env);
}

/* The messages below spell the bounds out. */
_Static_assert(TASK_FILTER_LIST_MAX == 100u && TASK_FILTER_TEXT_MAX == 200u,
	       "update the messages of task_filter_check and task_view_check");

static size_t longest_list(const Clubcrm__TaskFilter *f)
{
	const size_t n[] = {f->n_operator_ids, f->n_creator_ids, f->n_type_ids,
			    f->n_tag_ids, f->n_statuses, f->n_result_ids};
	size_t most = 0;
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (n[i] > most)
			most = n[i];
	return most;
}

const char *task_filter_check(const Clubcrm__TaskFilter *f)
{
	if (!f)
		return NULL;
	if (longest_list(f) > TASK_FILTER_LIST_MAX)
		return "a filter list holds at most 100 values";
	if (f->text && (strlen(f->text) > TASK_FILTER_TEXT_MAX ||
			!text_is_valid(f->text)))
		return "text must be valid text of at most 200 bytes";
	return NULL;
}

static const char *check_kind(const Clubcrm__View *v)
{
	switch (v->kind) {
	case CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD:
	case CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT:
	case CLUBCRM__VIEW_KIND__VIEW_KIND_IN_PREPARATION:
	case CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE:
	case CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG:
		return NULL;
	case CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER:
		return v->has_customer_id && v->customer_id
			       ? NULL
			       : "a customer view needs its customer_id";
	case CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA:
		if (!v->has_from || !v->has_to || v->to <= v->from)
			return "an agenda needs a range (from < to)";
		/* An agenda is for seeing commitments; a year is plenty.
		 * to > from, so the span fits in uint64 (to - from in int64
		 * wraps for far ends). */
		return (uint64_t)v->to - (uint64_t)v->from <= 400ULL * 24 * 3600
			       ? NULL
			       : "an agenda spans at most 400 days";
	default:
		return "unknown view kind";
	}
}

const char *task_view_check(const Clubcrm__View *v)
{
	if (!v || !v->has_kind)
		return "a view with its kind is required";
	const char *why = check_kind(v);
	if (!why && v->n_operator_ids > TASK_FILTER_LIST_MAX)
		why = "an agenda holds at most 100 operators";
	return why ? why : task_filter_check(v->filter);
}

int task_view_validate(const Clubcrm__View *v)
{
	return task_view_check(v) ? -EINVAL : 0;
}
