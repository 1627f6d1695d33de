#include "tasks.h"

#include <string.h>

#include "idem.h"
#include "index.h"
#include "pb_normalize.h"
#include "recur.h"
#include "rows.h"
#include "status.h"
#include "task_enums.h"
#include "task_filter.h"

/* A missing record is the client's mistake; anything else is ours. */
static int missing(struct req *r, int rc, const char *what, uint64_t id)
{
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "unknown %s %llu", what,
				  (unsigned long long)id);
	return rc;
}

static int inactive(struct req *r, const char *what, const char *name)
{
	return req_refuse(r, STATUS_FAILED_PRECONDITION, "%s %s is inactive",
			  what, name ? name : "?");
}

int tasks_check_type(struct req *r, uint64_t id, Clubcrm__TaskType **out)
{
	Clubcrm__TaskType *ty = NULL;
	if (!id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT, "type is required");
	int rc = rows_type(r->t, r->a, id, &ty);
	if (rc)
		return missing(r, rc, "task type", id);
	if (!ty->active)
		return inactive(r, "task type", ty->name);
	if (out)
		*out = ty;
	return 0;
}

int tasks_check_customer(struct req *r, uint64_t id, Clubcrm__Customer **out)
{
	Clubcrm__Customer *c = NULL;
	if (!id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "customer is required");
	int rc = rows_customer(r->t, r->a, id, &c);
	if (rc)
		return missing(r, rc, "customer", id);
	if (!c->active)
		return inactive(r, "customer", c->name);
	if (out)
		*out = c;
	return 0;
}

int tasks_check_operator(struct req *r, uint64_t id, const char *field,
			 Clubcrm__Operator **out)
{
	Clubcrm__Operator *op = NULL;
	if (!id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT, "%s is required",
				  field);
	int rc = rows_operator(r->t, r->a, id, &op);
	if (rc)
		return missing(r, rc, field, id);
	if (!op->active)
		return inactive(r, field, op->login);
	if (out)
		*out = op;
	return 0;
}

int tasks_check_result(struct req *r, uint64_t id, Clubcrm__Result **out)
{
	Clubcrm__Result *res = NULL;
	int rc = rows_result(r->t, r->a, id, &res);
	if (rc)
		return missing(r, rc, "result", id);
	if (!res->active)
		return inactive(r, "result", res->name);
	if (out)
		*out = res;
	return 0;
}

int tasks_check_tag(struct req *r, uint64_t id, Clubcrm__Tag **out)
{
	Clubcrm__Tag *tag = NULL;
	int rc = rows_tag(r->t, r->a, id, &tag);
	if (rc)
		return missing(r, rc, "tag", id);
	if (!tag->active)
		return inactive(r, "tag", tag->name);
	if (out)
		*out = tag;
	return 0;
}

int tasks_check_tags(struct req *r, const uint64_t *ids, size_t n)
{
	if (n > TASKS_MAX_TAGS)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "at most %u tags per task", TASKS_MAX_TAGS);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++)
			if (ids[j] == ids[i])
				return req_refuse(r, STATUS_INVALID_ARGUMENT,
						  "tag %llu is given twice",
						  (unsigned long long)ids[i]);
		int rc = tasks_check_tag(r, ids[i], NULL);
		if (rc)
			return rc;
	}
	return 0;
}

int tasks_check_description(struct req *r, const char *in, const char *field,
			    char **out)
{
	return req_name(r, in, TASKS_DESC_MAX, field, out);
}

int tasks_check_time(struct req *r, int64_t t, const char *field)
{
	if (t < TASKS_TIME_MIN || t >= TASKS_TIME_MAX)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "%s is outside the years 2000 to 2099", field);
	return 0;
}

int tasks_load(struct req *r, uint64_t id, Clubcrm__Task **out)
{
	if (!id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT, "id is required");
	int rc = rows_task(r->t, r->a, id, out);
	return rc ? missing(r, rc, "task", id) : 0;
}

/* ------------------------------------------------------------ indexes */

static void keys_of(const Clubcrm__Task *t, struct index_task_keys *k)
{
	*k = (struct index_task_keys){
		.planned_at = t->planned_at,
		.created_at = t->created_at,
		.id = t->id,
		.customer_id = t->customer_id,
		.operator_id = t->operator_id,
	};
}

static void reindex_task(struct txn *t, const Clubcrm__Task *old,
			 const Clubcrm__Task *task)
{
	struct index_task_keys o, n;
	keys_of(task, &n);
	if (old)
		keys_of(old, &o);
	index_task(t, old ? &o : NULL, &n);
}

int tasks_save(struct req *r, const Clubcrm__Task *old, Clubcrm__Task *task)
{
	uint64_t prev = old ? old->mod_rev : 0;  /* before `task` changes */
	uint64_t rev = req_revision(r);
	if (!rev)
		return r->t->ret ? r->t->ret : -EIO;
	if (!old)
		task->create_rev = rev;
	task->mod_rev = rev;
	task->modified_at = r->who->now;
	task->modified_by = r->who->operator_id;
	/* Concluding a task ends the taking; reopening clears the date. */
	if (task->status != PLANNED) {
		task->taken_by = 0;
		task->taken_at = 0;
		if (!task->concluded_at)
			task->concluded_at = r->who->now;
	} else {
		task->concluded_at = 0;
	}
	pb_normalize(&task->base);
	reindex_task(r->t, old, task);
	txn_put_rec(r->t, DB_TASKS, task->id, &task->base);
	if (r->t->ret)
		return r->t->ret;
	return req_event_task(r, task, prev);
}

/* ------------------------------------------------------------ create */

static int check_kind(struct req *r, const Clubcrm__CreateTask *in,
		      Clubcrm__Task *task)
{
	task->kind = in->has_kind ? in->kind : KIND_TASK;
	if (task->kind != KIND_TASK && task->kind != KIND_NOTE)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "kind must be TASK or NOTE");
	return 0;
}

static int check_status(struct req *r, const Clubcrm__CreateTask *in,
			const Clubcrm__Settings *set, Clubcrm__Task *task)
{
	if (task->kind == KIND_NOTE) {
		if (in->has_status && in->status != DONE)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "a note is always Done");
		task->status = DONE;
		return 0;
	}
	if (in->has_status) {
		if (in->status != PLANNED && in->status != DONE &&
		    in->status != CANCELLED)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "status must be PLANNED, DONE or "
					  "CANCELLED");
		task->status = in->status;
		return 0;
	}
	task->status = set->default_status ? set->default_status : PLANNED;
	return 0;
}

static int check_people(struct req *r, const Clubcrm__CreateTask *in,
			Clubcrm__Task *task)
{
	Clubcrm__Customer *c = NULL;
	int rc = tasks_check_customer(r, in->has_customer_id ? in->customer_id
							      : 0, &c);
	if (rc)
		return rc;
	task->customer_id = c->id;
	uint64_t op = in->has_operator_id && in->operator_id ? in->operator_id
							     : c->consultant_id;
	if (!op)
		op = r->who->operator_id;  /* a customer without a consultant */
	rc = tasks_check_operator(r, op, "operator", NULL);
	task->operator_id = op;
	return rc;
}

/* A note is a record of something done: its result may not reopen or
 * cancel it. */
static int check_result(struct req *r, const Clubcrm__CreateTask *in,
			const Clubcrm__Settings *set, Clubcrm__Task *task)
{
	uint64_t id = in->has_result_id ? in->result_id : 0;
	bool given = id != 0;
	if (!id)
		id = task->kind == KIND_NOTE ? set->default_note_result_id
					     : set->default_task_result_id;
	if (!id)
		return 0;
	if (given && r->closing_note) {
		/* The result the task already has, even one deactivated since. */
		task->result_id = id;
		return 0;
	}
	Clubcrm__Result *res = NULL;
	int rc = tasks_check_result(r, id, &res);
	if (rc)
		return rc;
	if (given && task->kind == KIND_NOTE && res->leads_to != DONE &&
	    res->leads_to != CLUBCRM__TASK_STATUS__TASK_STATUS_UNSPECIFIED)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "result %s cannot be given to a note",
				  res->name);
	task->result_id = id;
	return 0;
}

static int check_follows(struct req *r, const Clubcrm__CreateTask *in,
			 Clubcrm__Task *task)
{
	if (!in->has_follows_id || !in->follows_id)
		return 0;
	Clubcrm__Task *prev = NULL;
	int rc = rows_task(r->t, r->a, in->follows_id, &prev);
	if (rc)
		return missing(r, rc, "task to follow", in->follows_id);
	task->follows_id = in->follows_id;
	return 0;
}

static int check_plan(struct req *r, const Clubcrm__CreateTask *in,
		      Clubcrm__Task *task)
{
	if (in->has_planned_at)
		task->planned_at = in->planned_at;
	else if (task->kind == KIND_NOTE)
		task->planned_at = r->who->now;
	else
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "planned_at is required for a task");
	return tasks_check_time(r, task->planned_at, "planned_at");
}

static int fill_task(struct req *r, const Clubcrm__CreateTask *in,
		     Clubcrm__Task *task)
{
	Clubcrm__Settings *set = NULL;
	int rc = rows_settings(r->t, r->a, &set);
	if (!rc)
		rc = check_kind(r, in, task);
	if (!rc)
		rc = tasks_check_description(r, in->description, "description",
					     &task->description);
	if (!rc)
		rc = tasks_check_type(r, in->has_type_id ? in->type_id : 0,
				      NULL);
	if (rc)
		return rc;
	task->type_id = in->type_id;
	rc = check_people(r, in, task);
	if (!rc)
		rc = check_status(r, in, set, task);
	if (!rc)
		rc = check_plan(r, in, task);
	if (!rc)
		rc = tasks_check_tags(r, in->tag_ids, in->n_tag_ids);
	if (!rc)
		rc = check_result(r, in, set, task);
	if (!rc)
		rc = check_follows(r, in, task);
	if (!rc && in->has_recurrence &&
	    !(rc = recur_check(r, task->kind, in->recurrence)))
		task->recurrence = in->recurrence;
	if (in->has_repeat_until) {
		task->has_repeat_until = in->repeat_until != 0;
		task->repeat_until = in->repeat_until;
	}
	if (in->has_repeat_count) {
		task->has_repeat_count = in->repeat_count != 0;
		task->repeat_count = in->repeat_count;
	}
	if (!rc)
		rc = recur_check_end(r, task, in->has_repeat_until);
	return rc;
}

/* A new task; `anchor`: the series it continues steps from there. */
static int create(struct req *r, const Clubcrm__CreateTask *in,
		  int64_t anchor, Clubcrm__Task **out)
{
	Clubcrm__Task *task = arena_alloc(r->a, sizeof(*task));
	if (!task)
		return -ENOMEM;
	clubcrm__task__init(task);
	int rc = fill_task(r, in, task);
	if (rc)
		return rc;
	if (in->n_tag_ids) {
		task->tag_ids = arena_calloc(r->a, in->n_tag_ids, 8);
		if (!task->tag_ids)
			return -ENOMEM;
		memcpy(task->tag_ids, in->tag_ids, in->n_tag_ids * 8);
		task->n_tag_ids = in->n_tag_ids;
	}
	task->creator_id = r->who->operator_id;
	task->created_at = r->who->now;
	if (anchor && task->recurrence && anchor != task->planned_at) {
		task->has_repeat_anchor = 1;
		task->repeat_anchor = anchor;
	}
	task->id = txn_next_id(r->t, DB_TASKS);
	if (!task->id)
		return r->t->ret ? r->t->ret : -EIO;
	rc = tasks_save(r, NULL, task);
	if (!rc)
		*out = task;
	return rc;
}

int tasks_create(struct req *r, const Clubcrm__CreateTask *in,
		 Clubcrm__Task **out)
{
	return create(r, in, 0, out);
}

int tasks_create_next(struct req *r, Clubcrm__TaskStatus was,
		      const Clubcrm__Task *t, Clubcrm__TaskReply *rep)
{
	if (!recur_due(was, t))
		return 0;
	Clubcrm__Settings *set = NULL;
	int rc = rows_settings(r->t, r->a, &set);
	if (rc)
		return rc;
	int64_t at = recur_next_after(t, r->who->now,
				      set ? set->time_zone : NULL);
	if (!at)
		return 0;
	Clubcrm__CreateTask c = recur_next_of(t, at);
	Clubcrm__Task *n = NULL;
	/* Creation validates before it writes: a refusal leaves nothing. */
	rc = create(r, &c, recur_anchor(t), &n);
	if (rc == REQ_REFUSED) {
		r->code = 0;
		r->msg = NULL;
		return 0;
	}
	return rc ? rc : tasks_reply_add_created(r, rep, n);
}

/* ------------------------------------------------------------ replies */

int tasks_reply(struct req *r, Clubcrm__Task *task, uint64_t revision,
		Clubcrm__TaskReply **out)
{
	Clubcrm__TaskReply *rep = arena_alloc(r->a, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	clubcrm__task_reply__init(rep);
	Clubcrm__Settings *set = NULL;
	int rc = rows_build(r->t, r->a, r->who->now, task, &rep->row);
	if (!rc)
		rc = rows_settings(r->t, r->a, &set);
	if (rc)
		return rc;
	rep->row->has_escalated = 1;
	rep->row->escalated = task_row_is_escalated(
		rep->row, set->escalation_minutes, r->who->now);
	rep->has_revision = 1;
	rep->revision = revision;
	*out = rep;
	return 0;
}

int tasks_reply_add_created(struct req *r, Clubcrm__TaskReply *reply,
			    Clubcrm__Task *task)
{
	Clubcrm__TaskRow **rows =
		arena_calloc(r->a, reply->n_created + 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	if (reply->n_created)
		memcpy(rows, reply->created, reply->n_created * sizeof(*rows));
	int rc = rows_build(r->t, r->a, r->who->now, task,
			    &rows[reply->n_created]);
	if (rc)
		return rc;
	reply->created = rows;
	reply->n_created++;
	return 0;
}

/* ------------------------------------------------------------ idempotency */

static int idem_replay(struct req *r, const struct idem *ik,
		       Clubcrm__TaskReply **out)
{
	uint64_t id, rev;
	int rc = idem_lookup(r, ik, &id, &rev);
	if (rc)
		return rc;
	Clubcrm__Task *task = NULL;
	rc = rows_task(r->t, r->a, id, &task);
	if (rc)
		return rc == -ENOENT ? -EIO : rc;
	return tasks_reply(r, task, rev, out);
}

int tasks_create_request(struct req *r, const Clubcrm__CreateTask *in,
			 Clubcrm__TaskReply **out)
{
	struct idem ik;
	int rc = idem_begin(r, &ik, IDEM_TASK, in->has_idempotency_key,
			    in->idempotency_key.data, in->idempotency_key.len);
	if (rc)
		return rc;
	rc = idem_replay(r, &ik, out);
	if (rc != -ENOENT)
		return rc;
	r->action = "create";
	Clubcrm__Task *task = NULL;
	rc = tasks_create(r, in, &task);
	if (!rc)
		rc = idem_remember(r, &ik, task->id, r->rev);
	return rc ? rc : tasks_reply(r, task, r->rev, out);
}
