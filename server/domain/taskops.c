#include "taskops.h"

#include <stdlib.h>
#include <string.h>

#include "recur.h"
#include "cursor.h"
#include "rows.h"
#include "status.h"
#include "task_enums.h"
#include "tasks.h"

static const char *status_word(Clubcrm__TaskStatus s)
{
	switch (s) {
	case PLANNED:
		return "Planned";
	case DONE:
		return "Done";
	case CANCELLED:
		return "Cancelled";
	default:
		return "in an unknown state";
	}
}

/* A shallow copy to modify; `old` keeps the previous image for indexes. */
Clubcrm__Task *taskops_dup(struct req *r, const Clubcrm__Task *t)
{
	Clubcrm__Task *n = arena_alloc(r->a, sizeof(*n));
	if (n)
		*n = *t;
	return n;
}

/* The revision a reply reflects: this write's, or the current one. */
static uint64_t reply_rev(struct req *r)
{
	return r->rev ? r->rev : txn_revision(r->t);
}

/* A planned task, not a note: what follow-up, close and take act on. */
int taskops_load_open(struct req *r, uint64_t id, const char *verb,
		     Clubcrm__Task **out)
{
	int rc = tasks_load(r, id, out);
	if (rc)
		return rc;
	if ((*out)->kind != KIND_TASK)
		return req_refuse(r, STATUS_FAILED_PRECONDITION,
				  "%llu is a note; a note cannot be %s",
				  (unsigned long long)id, verb);
	if ((*out)->status != PLANNED)
		return req_refuse(r, STATUS_FAILED_PRECONDITION,
				  "task %llu is already %s; it cannot be %s",
				  (unsigned long long)id,
				  status_word((*out)->status), verb);
	return 0;
}

int taskops_stale(struct req *r, Clubcrm__Task *task, uint64_t base)
{
	if (base == task->mod_rev)
		return 0;
	int rc = rows_build(r->t, r->a, r->who->now, task, &r->current);
	if (rc)
		return rc;
	return req_refuse(r, STATUS_FAILED_PRECONDITION,
			  "task %llu was changed by someone else (revision "
			  "%llu, not %llu); reload it and try again",
			  (unsigned long long)task->id,
			  (unsigned long long)task->mod_rev,
			  (unsigned long long)base);
}

/* ------------------------------------------------------------ edit */

static int edit_refs(struct req *r, const Clubcrm__EditTask *in,
		     Clubcrm__Task *t)
{
	int rc = 0;
	if (in->has_type_id && in->type_id != t->type_id &&
	    !(rc = tasks_check_type(r, in->type_id, NULL)))
		t->type_id = in->type_id;
	if (!rc && in->has_operator_id && in->operator_id != t->operator_id &&
	    !(rc = tasks_check_operator(r, in->operator_id, "operator", NULL)))
		t->operator_id = in->operator_id;
	if (!rc && in->has_customer_id && in->customer_id != t->customer_id &&
	    !(rc = tasks_check_customer(r, in->customer_id, NULL)))
		t->customer_id = in->customer_id;
	if (!rc && in->set_tags &&
	    !(rc = tasks_check_tags(r, in->tag_ids, in->n_tag_ids))) {
		t->tag_ids = in->tag_ids;
		t->n_tag_ids = in->n_tag_ids;
	}
	if (rc || !in->has_follows_id || in->follows_id == t->follows_id)
		return rc;
	Clubcrm__Task *prev = NULL;
	if (in->follows_id == t->id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "a task cannot follow itself");
	if (in->follows_id && (rc = tasks_load(r, in->follows_id, &prev)))
		return rc;
	t->follows_id = in->follows_id;
	return 0;
}

static int edit_result(struct req *r, uint64_t id, Clubcrm__Task *t)
{
	if (id == t->result_id)
		return 0;
	Clubcrm__Result *res = NULL;
	int rc = id ? tasks_check_result(r, id, &res) : 0;
	if (rc)
		return rc;
	if (id && t->kind == KIND_NOTE && res->leads_to != UNSPEC &&
	    res->leads_to != DONE)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "result %s cannot be given to a note",
				  res->name);
	t->result_id = id;
	return 0;
}

static int edit_status(struct req *r, Clubcrm__TaskStatus s, Clubcrm__Task *t)
{
	if (s != PLANNED && s != DONE && s != CANCELLED)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "status must be PLANNED, DONE or CANCELLED");
	if (t->kind == KIND_NOTE && s != DONE)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "a note is always Done");
	t->status = s;
	return 0;
}

static int edit_text(struct req *r, const Clubcrm__EditTask *in,
		     Clubcrm__Task *t)
{
	int rc = 0;
	if (in->description)
		rc = tasks_check_description(r, in->description, "description",
					     &t->description);
	if (!rc && in->closing_note) {
		if ((rc = req_text(r, in->closing_note, TASKS_DESC_MAX,
				   "closing_note")))
			return rc;
		t->closing_note = text_trim(r->a, in->closing_note);
		if (!t->closing_note)
			return -ENOMEM;
		if (!*t->closing_note)
			t->closing_note = NULL;
	}
	if (!rc && in->has_planned_at &&
	    !(rc = tasks_check_time(r, in->planned_at, "planned_at")))
		t->planned_at = in->planned_at;
	return rc;
}

static bool task_equal(const Clubcrm__Task *a, const Clubcrm__Task *b)
{
	size_t la = clubcrm__task__get_packed_size(a);
	size_t lb = clubcrm__task__get_packed_size(b);
	if (la != lb)
		return false;
	uint8_t *pa = malloc(la + lb + 1);
	if (!pa)
		return false;
	clubcrm__task__pack(a, pa);
	clubcrm__task__pack(b, pa + la);
	bool same = memcmp(pa, pa + la, la) == 0;
	free(pa);
	return same;
}

/* The recurrence and the series' end; no recurrence clears the end. */
static int edit_series(struct req *r, const Clubcrm__EditTask *in,
		       int64_t old_planned, Clubcrm__Task *t)
{
	bool had = t->recurrence != 0;
	if (in->has_recurrence) {
		int rc = recur_check(r, t->kind, in->recurrence);
		if (rc)
			return rc;
		t->has_recurrence = in->recurrence != 0;
		t->recurrence = in->recurrence;
		if (!t->recurrence) {
			t->has_repeat_until = t->has_repeat_count = 0;
			t->repeat_until = t->repeat_count = 0;
		}
	}
	if (in->has_repeat_until) {
		t->has_repeat_until = in->repeat_until != 0;
		t->repeat_until = in->repeat_until;
	}
	if (in->has_repeat_count) {
		t->has_repeat_count = in->repeat_count != 0;
		t->repeat_count = in->repeat_count;
	}
	/* A moved occurrence, a new or stopped series: steps from its own
	 * planned time from now on. */
	if (!t->recurrence || t->planned_at != old_planned ||
	    (in->has_recurrence && !had)) {
		t->has_repeat_anchor = 0;
		t->repeat_anchor = 0;
	}
	return recur_check_end(r, t, in->has_repeat_until);
}

int taskops_edit(struct req *r, const Clubcrm__EditTask *in,
		 Clubcrm__TaskReply **out)
{
	if (in->has_creator_id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "the creator of a task is never editable");
	if (in->has_created_at)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "the creation time of a task is never "
				  "editable");
	if (!in->has_base_mod_rev)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "base_mod_rev is required");
	Clubcrm__Task *old = NULL, *t = NULL;
	int rc = tasks_load(r, in->id, &old);
	if (!rc)
		rc = taskops_stale(r, old, in->base_mod_rev);
	if (rc)
		return rc;
	if (!(t = taskops_dup(r, old)))
		return -ENOMEM;
	rc = edit_text(r, in, t);
	if (!rc)
		rc = edit_refs(r, in, t);
	if (!rc && in->has_result_id)
		rc = edit_result(r, in->result_id, t);
	if (!rc && in->has_status)
		rc = edit_status(r, in->status, t);
	if (!rc)
		rc = edit_series(r, in, old->planned_at, t);
	if (rc)
		return rc;
	if (task_equal(old, t))
		return tasks_reply(r, old, reply_rev(r), out);
	r->action = "edit";
	rc = tasks_save(r, old, t);
	if (!rc)
		rc = tasks_reply(r, t, r->rev, out);
	return rc ? rc : tasks_create_next(r, old->status, t, *out);
}

/* ------------------------------------------------------------ copy */

static void copy_fields(const Clubcrm__Task *src, Clubcrm__CreateTask *c)
{
	c->has_kind = c->has_type_id = c->has_planned_at = 1;
	c->has_operator_id = c->has_customer_id = 1;
	c->kind = src->kind;
	c->description = src->description;
	c->type_id = src->type_id;
	c->tag_ids = src->tag_ids;
	c->n_tag_ids = src->n_tag_ids;
	c->planned_at = src->planned_at;
	c->operator_id = src->operator_id;
	c->customer_id = src->customer_id;
	c->has_recurrence = src->recurrence != 0;
	c->recurrence = src->recurrence;
	c->has_repeat_until = src->repeat_until != 0;
	c->repeat_until = src->repeat_until;
	c->has_repeat_count = src->repeat_count != 0;
	c->repeat_count = src->repeat_count;
}

static void overlay(const Clubcrm__CreateTask *o, Clubcrm__CreateTask *c)
{
	if (o->description)
		c->description = o->description;
	if (o->has_type_id)
		c->type_id = o->type_id;
	if (o->n_tag_ids) {
		c->tag_ids = o->tag_ids;
		c->n_tag_ids = o->n_tag_ids;
	}
#define OVER(f) \
	do { \
		if (o->has_##f) { \
			c->has_##f = 1; \
			c->f = o->f; \
		} \
	} while (0)
	OVER(planned_at);
	OVER(operator_id);
	OVER(customer_id);
	OVER(status);
	OVER(result_id);
	OVER(follows_id);
	OVER(idempotency_key);
	OVER(recurrence);
	OVER(repeat_until);
	OVER(repeat_count);
#undef OVER
}

int taskops_copy(struct req *r, const Clubcrm__CopyTask *in,
		 Clubcrm__TaskReply **out)
{
	Clubcrm__Task *src = NULL;
	int rc = tasks_load(r, in->id, &src);
	if (rc)
		return rc;
	const Clubcrm__CreateTask *o = in->overrides;
	if (o && o->has_kind && o->kind != src->kind)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "a copy has the kind of its source");
	Clubcrm__CreateTask c = CLUBCRM__CREATE_TASK__INIT;
	copy_fields(src, &c);
	if (o)
		overlay(o, &c);
	/* A copy of a note is a note of now unless told otherwise. */
	if (src->kind == KIND_NOTE && !(o && o->has_planned_at))
		c.has_planned_at = 0;
	rc = tasks_create_request(r, &c, out);
	r->action = "copy";
	return rc;
}

/* ------------------------------------------------------------ take */

static int taker_name(struct req *r, uint64_t id, const char **out)
{
	Clubcrm__Operator *op = NULL;
	int rc = rows_operator(r->t, r->a, id, &op);
	if (rc == -ENOENT) {
		*out = "another operator";
		return 0;
	}
	if (!rc)
		*out = arena_printf(r->a, "%s (%s)", op->name, op->login);
	return rc ? rc : (*out ? 0 : -ENOMEM);
}

static int release_check(struct req *r, const Clubcrm__Task *task)
{
	const char *who = NULL;
	if (!task->taken_by)
		return req_refuse(r, STATUS_FAILED_PRECONDITION,
				  "task %llu is not taken",
				  (unsigned long long)task->id);
	if (task->taken_by == r->who->operator_id ||
	    r->who->role == CLUBCRM__ROLE__ROLE_ADMIN)
		return 0;
	int rc = taker_name(r, task->taken_by, &who);
	return rc ? rc
		  : req_refuse(r, STATUS_FAILED_PRECONDITION,
			       "task %llu is taken by %s; only they or an "
			       "admin can release it",
			       (unsigned long long)task->id, who);
}

int taskops_take(struct req *r, uint64_t id, bool take,
		 Clubcrm__TaskReply **out)
{
	Clubcrm__Task *task = NULL, *t = NULL;
	const char *who = NULL;
	int rc = taskops_load_open(r, id, take ? "taken" : "released", &task);
	if (rc)
		return rc;
	uint64_t me = r->who->operator_id;
	if (take && task->taken_by == me)
		return tasks_reply(r, task, reply_rev(r), out);
	if (take && task->taken_by) {
		/* Compare-and-swap on the taker: the first one keeps it. */
		rc = taker_name(r, task->taken_by, &who);
		return rc ? rc
			  : req_refuse(r, STATUS_FAILED_PRECONDITION,
				       "task %llu is already taken by %s",
				       (unsigned long long)id, who);
	}
	if (!take && (rc = release_check(r, task)))
		return rc;
	if (!(t = taskops_dup(r, task)))
		return -ENOMEM;
	t->taken_by = take ? me : 0;
	t->taken_at = take ? r->who->now : 0;
	r->action = take ? "take" : "release";
	rc = tasks_save(r, task, t);
	return rc ? rc : tasks_reply(r, t, r->rev, out);
}

/* ------------------------------------------------------------ tags */

static bool has_tag(const Clubcrm__Task *t, uint64_t tag)
{
	for (size_t i = 0; i < t->n_tag_ids; i++)
		if (t->tag_ids[i] == tag)
			return true;
	return false;
}

static int retag(struct req *r, Clubcrm__Task *t, uint64_t tag, bool add)
{
	uint64_t *ids = arena_calloc(r->a, t->n_tag_ids + 1, 8);
	if (!ids)
		return -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < t->n_tag_ids; i++)
		if (t->tag_ids[i] != tag)
			ids[n++] = t->tag_ids[i];
	if (add)
		ids[n++] = tag;
	t->tag_ids = ids;
	t->n_tag_ids = n;
	return 0;
}

int taskops_tag(struct req *r, uint64_t id, uint64_t tag_id, bool add,
		Clubcrm__TaskReply **out)
{
	Clubcrm__Task *task = NULL, *t = NULL;
	Clubcrm__Tag *tag = NULL;
	int rc = tasks_load(r, id, &task);
	if (rc)
		return rc;
	if (add)
		rc = tasks_check_tag(r, tag_id, &tag);
	else if ((rc = rows_tag(r->t, r->a, tag_id, &tag)) == -ENOENT)
		rc = req_refuse(r, STATUS_NOT_FOUND, "unknown tag %llu",
				(unsigned long long)tag_id);
	if (rc)
		return rc;
	if (has_tag(task, tag_id) == add)
		return tasks_reply(r, task, reply_rev(r), out);
	if (add && task->n_tag_ids >= TASKS_MAX_TAGS)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "at most %u tags per task", TASKS_MAX_TAGS);
	if (!(t = taskops_dup(r, task)))
		return -ENOMEM;
	rc = retag(r, t, tag_id, add);
	r->action = add ? "tag" : "untag";
	if (!rc)
		rc = tasks_save(r, task, t);
	return rc ? rc : tasks_reply(r, t, r->rev, out);
}

/* ------------------------------------------------------------ reassign */

/* The ids first: saving moves entries of the index being walked. */
static int open_task_ids(struct req *r, const Clubcrm__ReassignTasks *in,
			 uint64_t **ids, size_t *n)
{
	uint8_t lo[24], hi[24];
	key_u64(lo, in->from_operator_id);
	memcpy(hi, lo, 8);
	key_time(lo + 8, in->has_planned_from ? in->planned_from : INT64_MIN);
	memset(lo + 16, 0, 8);
	key_time(hi + 8, in->has_planned_to ? in->planned_to : INT64_MAX);
	memset(hi + 16, in->has_planned_to ? 0 : 0xff, 8);
	size_t cap = 64;
	*n = 0;
	*ids = arena_calloc(r->a, cap, 8);
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, r->t, DB_BY_OPERATOR_PLANNED);
	for (rc = rc ? rc : txn_cursor_seek(&c, lo, sizeof(lo));
	     rc == 0 && *ids; rc = txn_cursor_next(&c)) {
		if (c.key.len != 24 || memcmp(c.key.data, hi, 24) >= 0)
			break;
		if (*n == cap) {
			uint64_t *more = arena_calloc(r->a, cap * 2, 8);
			if (more)
				memcpy(more, *ids, cap * 8);
			*ids = more;
			cap *= 2;
			if (!more)
				break;
		}
		(*ids)[(*n)++] =
			key_get_u64((const uint8_t *)c.key.data + 16);
	}
	txn_cursor_close(&c);
	if (!*ids)
		return -ENOMEM;
	return rc == 0 || rc == -ENOENT ? 0 : rc;
}

static int reassign_checks(struct req *r, const Clubcrm__ReassignTasks *in)
{
	Clubcrm__Operator *from = NULL;
	if (!in->from_operator_id || !in->to_operator_id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "both operators are required");
	if (in->from_operator_id == in->to_operator_id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "the two operators are the same");
	if (in->has_planned_from && in->has_planned_to &&
	    in->planned_to <= in->planned_from)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "the date range is empty");
	int rc = rows_operator(r->t, r->a, in->from_operator_id, &from);
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "unknown operator %llu",
				  (unsigned long long)in->from_operator_id);
	return rc ? rc
		  : tasks_check_operator(r, in->to_operator_id, "operator",
					 NULL);
}

int taskops_reassign(struct req *r, const Clubcrm__ReassignTasks *in,
		     Clubcrm__ReassignReply **out)
{
	uint64_t *ids = NULL;
	size_t n = 0;
	int rc = reassign_checks(r, in);
	if (!rc)
		rc = open_task_ids(r, in, &ids, &n);
	if (rc)
		return rc;
	Clubcrm__ReassignReply *rep = arena_alloc(r->a, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	clubcrm__reassign_reply__init(rep);
	rep->task_ids = ids;
	r->action = "reassign";
	for (size_t i = 0; i < n; i++) {
		Clubcrm__Task *old = NULL, *t = NULL;
		if ((rc = tasks_load(r, ids[i], &old)))
			return rc;
		if (old->kind != KIND_TASK || old->status != PLANNED)
			continue;
		if (!(t = taskops_dup(r, old)))
			return -ENOMEM;
		t->operator_id = in->to_operator_id;
		/* Whoever had taken it is away: the new operator takes over. */
		t->taken_by = 0;
		t->taken_at = 0;
		if ((rc = tasks_save(r, old, t)))
			return rc;
		rep->task_ids[rep->n_task_ids++] = t->id;
	}
	rep->has_revision = 1;
	rep->revision = reply_rev(r);
	*out = rep;
	return 0;
}

