#include "history.h"

#include <string.h>

#include "rows.h"

#define MAX_FIELDS 16

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_tags(const Clubcrm__Task *a, const Clubcrm__Task *b)
{
	return a->n_tag_ids == b->n_tag_ids &&
	       (!a->n_tag_ids ||
		memcmp(a->tag_ids, b->tag_ids, a->n_tag_ids * 8) == 0);
}

/* The names of the fields a change touched (every set field for a create). */
static int diff(struct req *r, const Clubcrm__Task *prev,
		const Clubcrm__Task *cur, Clubcrm__HistoryEntry *e)
{
	static const Clubcrm__Task empty = CLUBCRM__TASK__INIT;
	const Clubcrm__Task *p = prev ? prev : &empty;
	const char *names[MAX_FIELDS];
	size_t n = 0;
#define CHANGED(cond, name) \
	do { \
		if (cond) \
			names[n++] = name; \
	} while (0)
	CHANGED(!same_str(p->description, cur->description), "description");
	CHANGED(p->type_id != cur->type_id, "type");
	CHANGED(!same_tags(p, cur), "tags");
	CHANGED(p->planned_at != cur->planned_at, "planned_at");
	CHANGED(p->operator_id != cur->operator_id, "operator");
	CHANGED(p->customer_id != cur->customer_id, "customer");
	CHANGED(p->status != cur->status, "status");
	CHANGED(p->result_id != cur->result_id, "result");
	CHANGED(!same_str(p->closing_note, cur->closing_note), "closing_note");
	CHANGED(p->follows_id != cur->follows_id, "follows");
	CHANGED(p->taken_by != cur->taken_by, "taken_by");
	CHANGED(p->recurrence != cur->recurrence, "recurrence");
#undef CHANGED
	e->changed_fields = arena_calloc(r->a, n ? n : 1, sizeof(char *));
	if (!e->changed_fields)
		return -ENOMEM;
	memcpy(e->changed_fields, names, n * sizeof(char *));
	e->n_changed_fields = n;
	return 0;
}

static Clubcrm__Task *event_task(const Clubcrm__ChangeSet *cs, uint64_t id)
{
	for (size_t i = 0; i < cs->n_events; i++) {
		const Clubcrm__Event *ev = cs->events[i];
		if (ev->record_case == CLUBCRM__EVENT__RECORD_TASK && ev->task &&
		    ev->task->id == id)
			return ev->task;
	}
	return NULL;
}

static int entry_of(struct req *r, uint64_t id, uint64_t rev,
		    const Clubcrm__Task *prev, Clubcrm__HistoryEntry **out)
{
	Clubcrm__ChangeSet *cs = NULL;
	int rc = txn_get_rec(r->t, DB_CHANGES, rev,
			     &clubcrm__change_set__descriptor, r->a,
			     (void **)&cs);
	if (rc)
		return rc == -ENOENT ? -EIO : rc;
	Clubcrm__Task *after = event_task(cs, id);
	if (!after)
		return -EIO;
	Clubcrm__HistoryEntry *e = arena_alloc(r->a, sizeof(*e));
	if (!e)
		return -ENOMEM;
	clubcrm__history_entry__init(e);
	e->has_revision = e->has_at = e->has_actor_id = 1;
	e->revision = rev;
	e->at = cs->at;
	e->actor_id = cs->actor_id;
	e->action = cs->action;
	e->after = after;
	Clubcrm__Operator *op = NULL;
	rc = rows_operator(r->t, r->a, cs->actor_id, &op);
	if (rc == 0)
		e->actor_login = op->login;
	else if (rc != -ENOENT)
		return rc;
	rc = diff(r, prev, after, e);
	if (!rc)
		*out = e;
	return rc;
}

static int push(struct req *r, Clubcrm__TaskReply *rep, size_t *cap,
		Clubcrm__HistoryEntry *e)
{
	if (rep->n_history == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		Clubcrm__HistoryEntry **h =
			arena_calloc(r->a, ncap, sizeof(*h));
		if (!h)
			return -ENOMEM;
		if (rep->n_history)
			memcpy(h, rep->history, rep->n_history * sizeof(*h));
		rep->history = h;
		*cap = ncap;
	}
	rep->history[rep->n_history++] = e;
	return 0;
}

int history_fill(struct req *r, uint64_t task_id, Clubcrm__TaskReply *reply)
{
	MDB_cursor *c = NULL;
	int rc = mdb_cursor_open(r->t->txn, txn_dbi(r->t, DB_TASK_CHANGES), &c);
	if (rc)
		return txn_lmdb_error(rc);
	uint8_t start[16];
	key_u64(start, task_id);
	memset(start + 8, 0, 8);
	MDB_val k = {.mv_size = 16, .mv_data = start}, v;
	const Clubcrm__Task *prev = NULL;
	size_t cap = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 16 || memcmp(k.mv_data, start, 8) != 0)
			break;
		Clubcrm__HistoryEntry *e = NULL;
		uint64_t rev = key_get_u64((const uint8_t *)k.mv_data + 8);
		rc = entry_of(r, task_id, rev, prev, &e);
		if (!rc)
			rc = push(r, reply, &cap, e);
		if (rc)
			break;
		prev = e->after;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND || rc == 0)
		return 0;
	return rc > 0 || (rc >= MDB_KEYEXIST && rc <= MDB_LAST_ERRCODE)
		       ? txn_lmdb_error(rc) : rc;
}
