/*
 * The walk behind the reports: the tasks as they stood when the period
 * began, then every change set of the period in commit order, each task's
 * image compared with the one before it. What a change did is read from
 * the images, not from the request that made it, so a task created Done, a
 * Done set by a result or by a plain close count alike.
 */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "asof.h"
#include "cursor.h"
#include "rows.h"
#include "task_enums.h"
#include "task_filter.h"

/* What the walk keeps of a task between its changes. */
struct tstate {
	uint64_t id;          /* 0: a free slot */
	uint64_t op;          /* responsible operator */
	uint64_t taken_by;
	uint64_t result;
	int64_t planned_at;
	uint8_t status;
	bool took;            /* its first take of the period is counted */
};

/* A type's or a result's one property the walk needs, looked up once. */
struct memo {
	uint64_t id;
	int value;
};

struct walk {
	struct txn *t;
	struct arena scratch;  /* one change set (or task) at a time */
	struct report_acc *acc;
	struct tstate *slots;
	size_t cap, used;      /* cap: a power of two */
	struct memo *types, *results;
	size_t n_types, n_results;
	size_t day;            /* the next day to judge */
};

static size_t slot_of(const struct walk *w, uint64_t id)
{
	return (size_t)((id * UINT64_C(0x9E3779B97F4A7C15)) >> 17) &
	       (w->cap - 1);
}

static struct tstate *find(struct walk *w, uint64_t id)
{
	if (!w->cap)
		return NULL;
	for (size_t i = slot_of(w, id);; i = (i + 1) & (w->cap - 1)) {
		if (w->slots[i].id == id)
			return &w->slots[i];
		if (!w->slots[i].id)
			return NULL;
	}
}

static int grow(struct walk *w)
{
	size_t ncap = w->cap ? w->cap * 2 : 1024;
	struct tstate *old = w->slots;
	size_t ocap = w->cap;
	w->slots = calloc(ncap, sizeof(*w->slots));
	if (!w->slots) {
		w->slots = old;
		return -ENOMEM;
	}
	w->cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (!old[i].id)
			continue;
		size_t j = slot_of(w, old[i].id);
		while (w->slots[j].id)
			j = (j + 1) & (w->cap - 1);
		w->slots[j] = old[i];
	}
	free(old);
	return 0;
}

/* The entry of task `id`, new (zeroed but for the id) when absent. */
static int insert(struct walk *w, uint64_t id, struct tstate **out)
{
	struct tstate *s = find(w, id);
	if (!s) {
		if ((w->used + 1) * 2 > w->cap && grow(w))
			return -ENOMEM;
		size_t i = slot_of(w, id);
		while (w->slots[i].id)
			i = (i + 1) & (w->cap - 1);
		s = &w->slots[i];
		memset(s, 0, sizeof(*s));
		s->id = id;
		w->used++;
	}
	*out = s;
	return 0;
}

static void keep(struct tstate *s, const Clubcrm__Task *t)
{
	s->op = t->operator_id;
	s->taken_by = t->taken_by;
	s->result = t->result_id;
	s->planned_at = t->planned_at;
	s->status = (uint8_t)t->status;
}

/* A grown array of `size`-byte elements; -ENOMEM leaves it as it was. */
static int reserve(void **arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static bool counted_op(const struct report_acc *acc, uint64_t op)
{
	if (!acc->filter)
		return true;
	for (size_t i = 0; i < acc->n_ops; i++)
		if (acc->ops[i] == op)
			return true;
	return false;
}

/* The cached property of record `id`: lookup() fills it on a miss. */
static int memo_get(struct walk *w, struct memo **tab, size_t *n, uint64_t id,
		    int (*lookup)(struct walk *, uint64_t, int *), int *out)
{
	for (size_t i = 0; i < *n; i++)
		if ((*tab)[i].id == id) {
			*out = (*tab)[i].value;
			return 0;
		}
	int rc = lookup(w, id, out);
	if (rc)
		return rc;
	struct memo *m = realloc(*tab, (*n + 1) * sizeof(**tab));
	if (!m)
		return -ENOMEM;
	m[*n] = (struct memo){id, *out};
	*tab = m;
	(*n)++;
	return 0;
}

/* Priority as the type is configured now (a type that no longer resolves
 * is not one). */
static int type_priority(struct walk *w, uint64_t id, int *out)
{
	Clubcrm__TaskType *ty = NULL;
	int rc = rows_type(w->t, &w->scratch, id, &ty);
	*out = rc == 0 && ty->priority;
	return rc == -ENOENT ? 0 : rc;
}

static int result_outcome(struct walk *w, uint64_t id, int *out)
{
	Clubcrm__Result *res = NULL;
	int rc = rows_result(w->t, &w->scratch, id, &res);
	*out = rc == 0 ? (int)res->outcome : 0;
	return rc == -ENOENT ? 0 : rc;
}

static int count_of(struct report_acc *acc, uint64_t op, uint64_t type,
		    struct report_count **out)
{
	for (size_t i = 0; i < acc->n_counts; i++)
		if (acc->counts[i].op == op && acc->counts[i].type == type) {
			*out = &acc->counts[i];
			return 0;
		}
	if (reserve((void **)&acc->counts, acc->n_counts, &acc->cap_counts,
		    sizeof(*acc->counts)))
		return -ENOMEM;
	*out = &acc->counts[acc->n_counts++];
	**out = (struct report_count){.op = op, .type = type};
	return 0;
}

static int add_outcome(struct report_acc *acc, uint64_t type, int outcome)
{
	struct report_outcomes *o = NULL;
	for (size_t i = 0; i < acc->n_outcomes && !o; i++)
		if (acc->outcomes[i].type == type)
			o = &acc->outcomes[i];
	if (!o) {
		if (reserve((void **)&acc->outcomes, acc->n_outcomes,
			    &acc->cap_outcomes, sizeof(*acc->outcomes)))
			return -ENOMEM;
		o = &acc->outcomes[acc->n_outcomes++];
		*o = (struct report_outcomes){.type = type};
	}
	if (outcome == CLUBCRM__OUTCOME__OUTCOME_POSITIVE)
		o->positive++;
	else if (outcome == CLUBCRM__OUTCOME__OUTCOME_NEGATIVE)
		o->negative++;
	else
		o->unknown++;
	return 0;
}

static int add_sample(struct report_sample **arr, size_t *n, size_t *cap,
		      uint64_t type, int64_t secs)
{
	if (reserve((void **)arr, *n, cap, sizeof(**arr)))
		return -ENOMEM;
	(*arr)[(*n)++] = (struct report_sample){type, secs < 0 ? 0 : secs};
	return 0;
}

/* Overdue at the end of the next day: judged with the one overdue rule. */
static void judge_day(struct walk *w)
{
	struct report_acc *acc = w->acc;
	int64_t at = acc->judged[w->day];
	uint32_t n = 0;
	for (size_t i = 0; i < w->cap; i++) {
		const struct tstate *s = &w->slots[i];
		if (!s->id || !counted_op(acc, s->op))
			continue;
		Clubcrm__Task t = CLUBCRM__TASK__INIT;
		t.kind = KIND_TASK;
		t.status = (Clubcrm__TaskStatus)s->status;
		t.planned_at = s->planned_at;
		n += task_is_overdue(&t, at);
	}
	acc->overdue[w->day++] = n;
}

/* The tasks planned when the period began (revision `rev`). */
static int seed(struct walk *w, uint64_t rev)
{
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, w->t, DB_TASKS);
	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0;
	     rc = txn_cursor_next(&c)) {
		arena_reset(&w->scratch);
		Clubcrm__Task *t = NULL;
		if ((rc = txn_cursor_msg(&c, &clubcrm__task__descriptor,
					 &w->scratch, (void **)&t)))
			break;
		if (t->kind != KIND_TASK || t->create_rev > rev)
			continue;
		if (t->mod_rev > rev) {
			rc = asof_task(w->t, &w->scratch, t->id, rev, &t);
			if (rc == -ENOENT)
				continue;
			if (rc)
				break;
		}
		struct tstate *s = NULL;
		if (t->status != PLANNED)
			continue;
		if ((rc = insert(w, t->id, &s)))
			break;
		keep(s, t);
	}
	txn_cursor_close(&c);
	return rc == -ENOENT ? 0 : rc;
}

static bool is_action(const Clubcrm__ChangeSet *cs, const char *a)
{
	return cs->action && strcmp(cs->action, a) == 0;
}

/* One task's change: what it counts for, then its new state. */
static int apply(struct walk *w, const Clubcrm__ChangeSet *cs,
		 const Clubcrm__Task *cur)
{
	struct report_acc *acc = w->acc;
	struct tstate *s = find(w, cur->id), prev = {0};
	bool created = cur->create_rev == cs->revision && !s;
	int rc = 0;
	if (s) {
		prev = *s;
	} else if (!created) {
		/* Concluded before the period, changed in it. */
		Clubcrm__Task *old = NULL;
		rc = asof_task(w->t, &w->scratch, cur->id, cs->revision - 1,
			       &old);
		if (rc == 0)
			keep(&prev, old);
		else if (rc != -ENOENT)
			return rc;
	}
	if ((rc = insert(w, cur->id, &s)))
		return rc;
	bool took = s->took;
	keep(s, cur);
	if (!counted_op(acc, cur->operator_id))
		return 0;

	int priority = 0, outcome = 0;
	if ((rc = memo_get(w, &w->types, &w->n_types, cur->type_id,
			   type_priority, &priority)))
		return rc;
	struct report_count *n = NULL;
	bool done = cur->status == DONE && prev.status != DONE;
	bool cancelled = cur->status == CANCELLED && prev.status != CANCELLED;
	if ((created || done || cancelled) &&
	    (rc = count_of(acc, cur->operator_id, cur->type_id, &n)))
		return rc;
	if (created)
		n->created++;
	if (done)
		n->done++;
	if (cancelled)
		n->cancelled++;
	int64_t age = cs->at - cur->created_at;
	if (priority && done &&
	    (rc = add_sample(&acc->dones, &acc->n_dones, &acc->cap_dones,
			     cur->type_id, age)))
		return rc;
	if (cur->taken_by && !prev.taken_by && !took) {
		s->took = true;
		if (priority &&
		    (rc = add_sample(&acc->takes, &acc->n_takes,
				     &acc->cap_takes, cur->type_id, age)))
			return rc;
	}
	/* A result recorded: every follow-up, a close or cancel that gave
	 * one (not the default result a task may be created with). */
	bool result = !created && cur->result_id &&
		      (is_action(cs, "follow up") ||
		       ((is_action(cs, "close") || is_action(cs, "cancel")) &&
			cur->result_id != prev.result));
	if (result &&
	    !(rc = memo_get(w, &w->results, &w->n_results, cur->result_id,
			    result_outcome, &outcome)))
		rc = add_outcome(acc, cur->type_id, outcome);
	return rc;
}

static int walk_changes(struct walk *w, uint64_t from_rev)
{
	struct report_acc *acc = w->acc;
	uint64_t last = txn_revision(w->t);
	for (uint64_t rev = from_rev + 1; rev <= last; rev++) {
		arena_reset(&w->scratch);
		Clubcrm__ChangeSet *cs = NULL;
		int rc = txn_get_rec(w->t, DB_CHANGES, rev,
				     &clubcrm__change_set__descriptor,
				     &w->scratch, (void **)&cs);
		if (rc)
			return rc == -ENOENT ? -EIO : rc;
		if (cs->at >= acc->to)
			break;
		while (w->day < acc->n_days && acc->judged[w->day] <= cs->at)
			judge_day(w);
		for (size_t i = 0; i < cs->n_events; i++) {
			const Clubcrm__Event *ev = cs->events[i];
			if (ev->record_case != CLUBCRM__EVENT__RECORD_TASK ||
			    !ev->task || ev->task->kind != KIND_TASK)
				continue;
			if ((rc = apply(w, cs, ev->task)))
				return rc;
		}
		acc->last_rev = rev;
	}
	while (w->day < acc->n_days)
		judge_day(w);
	return 0;
}

int report_scan(struct txn *t, struct report_acc *acc)
{
	struct walk w = {.t = t, .acc = acc};
	arena_init(&w.scratch);
	acc->overdue = calloc(acc->n_days ? acc->n_days : 1,
			      sizeof(*acc->overdue));
	uint64_t from_rev = 0;
	int rc = acc->overdue ? 0 : -ENOMEM;
	if (!rc)
		rc = asof_revision(t, &w.scratch, acc->from - 1, &from_rev);
	acc->last_rev = from_rev;
	if (!rc && from_rev)
		rc = seed(&w, from_rev);
	if (!rc)
		rc = walk_changes(&w, from_rev);
	free(w.slots);
	free(w.types);
	free(w.results);
	arena_free(&w.scratch);
	return rc;
}

void report_acc_free(struct report_acc *acc)
{
	free(acc->overdue);
	free(acc->counts);
	free(acc->outcomes);
	free(acc->takes);
	free(acc->dones);
	acc->overdue = NULL;
	acc->counts = NULL;
	acc->outcomes = NULL;
	acc->takes = acc->dones = NULL;
}
