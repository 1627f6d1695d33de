#include "rows.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "task_filter.h"

int rows_task(struct txn *t, struct arena *a, uint64_t id, Clubcrm__Task **out)
{
	return txn_get_rec(t, DB_TASKS, id, &clubcrm__task__descriptor, a,
			   (void **)out);
}

int rows_customer(struct txn *t, struct arena *a, uint64_t id,
		  Clubcrm__Customer **out)
{
	return txn_get_rec(t, DB_CUSTOMERS, id, &clubcrm__customer__descriptor,
			   a, (void **)out);
}

int rows_operator(struct txn *t, struct arena *a, uint64_t id,
		  Clubcrm__Operator **out)
{
	return txn_get_rec(t, DB_OPERATORS, id, &clubcrm__operator__descriptor,
			   a, (void **)out);
}

int rows_team(struct txn *t, struct arena *a, uint64_t id, Clubcrm__Team **out)
{
	return txn_get_rec(t, DB_TEAMS, id, &clubcrm__team__descriptor, a,
			   (void **)out);
}

int rows_type(struct txn *t, struct arena *a, uint64_t id,
	      Clubcrm__TaskType **out)
{
	return txn_get_rec(t, DB_TASK_TYPES, id,
			   &clubcrm__task_type__descriptor, a, (void **)out);
}

int rows_result(struct txn *t, struct arena *a, uint64_t id,
		Clubcrm__Result **out)
{
	return txn_get_rec(t, DB_RESULTS, id, &clubcrm__result__descriptor, a,
			   (void **)out);
}

int rows_tag(struct txn *t, struct arena *a, uint64_t id, Clubcrm__Tag **out)
{
	return txn_get_rec(t, DB_TAGS, id, &clubcrm__tag__descriptor, a,
			   (void **)out);
}

int rows_settings(struct txn *t, struct arena *a, Clubcrm__Settings **out)
{
	int rc = txn_get_msg(t, DB_SETTINGS, "settings", 8,
			     &clubcrm__settings__descriptor, a, (void **)out);
	if (rc != -ENOENT)
		return rc;
	Clubcrm__Settings *s = arena_alloc(a, sizeof(*s));
	if (!s)
		return -ENOMEM;
	clubcrm__settings__init(s);
	*out = s;
	return 0;
}

struct rows_cache_slot {
	const void *msg;              /* NULL: not found (rc -ENOENT) */
	uint64_t id;
	int db;                       /* 0: free slot */
};

int rows_cache_init(struct rows_cache *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	arena_init(&c->a);
	c->slots = calloc(cap, sizeof(*c->slots));
	if (!c->slots)
		return -ENOMEM;
	c->cap = cap;
	return 0;
}

void rows_cache_fini(struct rows_cache *c)
{
	arena_free(&c->a);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

void rows_cache_trim(struct rows_cache *c)
{
	if (c->n * 2 < c->cap)
		return;
	arena_reset(&c->a);
	memset(c->slots, 0, c->cap * sizeof(*c->slots));
	c->n = 0;
}

/* A record through the cache: 0, -ENOENT or the txn's error. */
static int cached(struct txn *t, struct arena *a, struct rows_cache *c,
		  enum store_db db, const ProtobufCMessageDescriptor *desc,
		  uint64_t id, void **out)
{
	if (!c || !c->cap)
		return txn_get_rec(t, db, id, desc, a, out);
	uint64_t h = (id ^ ((uint64_t)db << 56)) * UINT64_C(0x9E3779B97F4A7C15);
	size_t i = (size_t)(h >> 32) & (c->cap - 1);
	for (; c->slots[i].db; i = (i + 1) & (c->cap - 1)) {
		if (c->slots[i].db == (int)db + 1 && c->slots[i].id == id) {
			*out = (void *)c->slots[i].msg;
			return *out ? 0 : -ENOENT;
		}
	}
	if (c->n * 2 >= c->cap)  /* full: no eviction under live rows */
		return txn_get_rec(t, db, id, desc, a, out);
	int rc = txn_get_rec(t, db, id, desc, &c->a, out);
	if (rc && rc != -ENOENT)
		return rc;
	c->slots[i] = (struct rows_cache_slot){
		.msg = rc ? NULL : *out, .id = id, .db = (int)db + 1};
	c->n++;
	return rc;
}

static int operator_of(struct txn *t, struct arena *a, struct rows_cache *c,
		       uint64_t id, Clubcrm__Operator **out)
{
	return cached(t, a, c, DB_OPERATORS, &clubcrm__operator__descriptor, id,
		      (void **)out);
}

/* Missing references are shown unnamed rather than failing the row: a
 * damaged reference must not hide the task. Store errors still fail. */
static int soft(int rc)
{
	return rc == -ENOENT ? 0 : rc;
}

static int name_people(struct txn *t, struct arena *a, struct rows_cache *rc_,
		       Clubcrm__TaskRow *row)
{
	const Clubcrm__Task *task = row->task;
	Clubcrm__Operator *op = NULL;
	int rc = 0;
	if (task->operator_id &&
	    !(rc = operator_of(t, a, rc_, task->operator_id, &op))) {
		row->operator_login = op->login;
		row->operator_name = op->name;
	}
	if (soft(rc))
		return rc;
	if (task->creator_id &&
	    !(rc = operator_of(t, a, rc_, task->creator_id, &op))) {
		row->creator_login = op->login;
		row->creator_name = op->name;
	}
	if (soft(rc))
		return rc;
	if (task->taken_by &&
	    !(rc = operator_of(t, a, rc_, task->taken_by, &op))) {
		row->taken_by_login = op->login;
		row->taken_by_name = op->name;
	}
	if (soft(rc))
		return rc;
	Clubcrm__Customer *c = NULL;
	if (task->customer_id &&
	    !(rc = cached(t, a, rc_, DB_CUSTOMERS, &clubcrm__customer__descriptor,
			     task->customer_id, (void **)&c)))
		row->customer_name = c->name;
	return soft(rc);
}

static int name_catalogue(struct txn *t, struct arena *a,
			  struct rows_cache *rc_, Clubcrm__TaskRow *row)
{
	const Clubcrm__Task *task = row->task;
	int rc = 0;
	Clubcrm__TaskType *ty = NULL;
	if (task->type_id && !(rc = cached(t, a, rc_, DB_TASK_TYPES,
				       &clubcrm__task_type__descriptor,
				       task->type_id, (void **)&ty))) {
		row->type_name = ty->name;
		row->priority = ty->priority;
	}
	if (soft(rc))
		return rc;
	Clubcrm__Result *res = NULL;
	if (task->result_id && !(rc = cached(t, a, rc_, DB_RESULTS,
					   &clubcrm__result__descriptor,
					   task->result_id, (void **)&res))) {
		row->result_name = res->name;
		row->has_outcome = 1;
		row->outcome = res->outcome;
	}
	if (soft(rc))
		return rc;
	if (!task->n_tag_ids)
		return 0;
	row->tag_names = arena_calloc(a, task->n_tag_ids, sizeof(char *));
	row->tag_colours = arena_calloc(a, task->n_tag_ids, sizeof(char *));
	if (!row->tag_names || !row->tag_colours)
		return -ENOMEM;
	for (size_t i = 0; i < task->n_tag_ids; i++) {
		Clubcrm__Tag *tag = NULL;
		rc = cached(t, a, rc_, DB_TAGS, &clubcrm__tag__descriptor,
			    task->tag_ids[i], (void **)&tag);
		if (soft(rc))
			return rc;
		row->tag_names[row->n_tag_names++] =
			rc ? (char *)"?" : tag->name;
		row->tag_colours[row->n_tag_colours++] =
			rc || !tag->colour ? (char *)"" : tag->colour;
	}
	return 0;
}

/* What the seed says: red, a planned priority task nobody took; yellow, a
 * planned priority task someone took. Ordinary tasks have no colour. */
static Clubcrm__Colour colour_of(const Clubcrm__TaskRow *row)
{
	const Clubcrm__Task *task = row->task;
	if (task->kind != CLUBCRM__TASK_KIND__TASK_KIND_TASK ||
	    task->status != CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED)
		return CLUBCRM__COLOUR__COLOUR_NONE;
	if (!row->priority)  /* taken or not: the row names its taker */
		return CLUBCRM__COLOUR__COLOUR_NONE;
	return task->taken_by ? CLUBCRM__COLOUR__COLOUR_YELLOW
			      : CLUBCRM__COLOUR__COLOUR_RED;
}

int rows_build(struct txn *t, struct arena *a, int64_t now,
	       Clubcrm__Task *task, Clubcrm__TaskRow **out)
{
	return rows_build_cached(t, a, NULL, now, task, out);
}

int rows_build_cached(struct txn *t, struct arena *a, struct rows_cache *cache,
		      int64_t now, Clubcrm__Task *task, Clubcrm__TaskRow **out)
{
	Clubcrm__TaskRow *row = arena_alloc(a, sizeof(*row));
	if (!row)
		return -ENOMEM;
	clubcrm__task_row__init(row);
	row->task = task;
	int rc = name_people(t, a, cache, row);
	if (!rc)
		rc = name_catalogue(t, a, cache, row);
	if (rc)
		return rc;
	row->has_priority = 1;
	row->has_colour = 1;
	row->colour = colour_of(row);
	row->has_overdue = 1;
	row->overdue = task_is_overdue(task, now);
	*out = row;
	return 0;
}

bool rows_in_team(void *ctx, uint64_t operator_id, uint64_t team_id)
{
	struct rows_team_ctx *c = ctx;
	Clubcrm__Operator *op = NULL;
	if (rows_operator(c->t, c->a, operator_id, &op))
		return false;
	for (size_t i = 0; i < op->n_team_ids; i++)
		if (op->team_ids[i] == team_id)
			return true;
	return false;
}
