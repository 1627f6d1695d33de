/* Concluding tasks: close, cancel, follow up, with notes, follow-ons and
 * the next occurrence of a routine. */
#include "taskops.h"

#include <string.h>

#include "recur.h"
#include "rows.h"
#include "status.h"
#include "tasks.h"

#define PLANNED CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED
#define DONE CLUBCRM__TASK_STATUS__TASK_STATUS_DONE
#define CANCELLED CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED
#define UNSPEC CLUBCRM__TASK_STATUS__TASK_STATUS_UNSPECIFIED
#define KIND_TASK CLUBCRM__TASK_KIND__TASK_KIND_TASK
#define KIND_NOTE CLUBCRM__TASK_KIND__TASK_KIND_NOTE

/* ------------------------------------------------------------ conclude */

/* A closing note is also its own NOTE entry in the customer's profile,
 * with the result the task was closed with (a cancelled or negative close
 * must not show as the default note result in the history); the default
 * note result only when the task has none. */
static int add_note(struct req *r, const Clubcrm__Task *task, const char *text,
		    Clubcrm__Task **out)
{
	Clubcrm__CreateTask c = CLUBCRM__CREATE_TASK__INIT;
	c.has_kind = c.has_type_id = c.has_customer_id = 1;
	c.has_result_id = task->result_id != 0;
	c.result_id = task->result_id;
	c.has_follows_id = c.has_operator_id = 1;
	c.kind = KIND_NOTE;
	c.description = (char *)text;
	c.type_id = task->type_id;
	c.customer_id = task->customer_id;
	c.follows_id = task->id;
	c.operator_id = r->who->operator_id;
	r->closing_note = true;
	int rc = tasks_create(r, &c, out);
	r->closing_note = false;
	return rc;
}

static int follow_on(struct req *r, const Clubcrm__Task *task,
		     const Clubcrm__FollowOn *fo, Clubcrm__Task **out)
{
	Clubcrm__CreateTask c = CLUBCRM__CREATE_TASK__INIT;
	c.has_kind = c.has_type_id = c.has_customer_id = 1;
	c.has_follows_id = c.has_planned_at = c.has_operator_id = 1;
	c.kind = KIND_TASK;
	c.type_id = fo->type_id;
	c.customer_id = task->customer_id;
	c.follows_id = task->id;
	c.operator_id = task->operator_id;
	c.planned_at = r->who->now + (int64_t)fo->delay_minutes * 60;
	c.description = fo->description && *fo->description
				? fo->description
				: task->description;
	return tasks_create(r, &c, out);
}

/* The automatic follow-ons of the task's type for this result's outcome. */
static int follow_ons(struct req *r, const Clubcrm__Task *task,
		      const Clubcrm__Result *res, Clubcrm__TaskReply *rep)
{
	Clubcrm__TaskType *ty = NULL;
	int rc = rows_type(r->t, r->a, task->type_id, &ty);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	for (size_t i = 0; i < ty->n_follow_ons; i++) {
		const Clubcrm__FollowOn *fo = ty->follow_ons[i];
		if (fo->on_outcome != CLUBCRM__OUTCOME__OUTCOME_UNSPECIFIED &&
		    fo->on_outcome != res->outcome)
			continue;
		Clubcrm__Task *n = NULL;
		rc = follow_on(r, task, fo, &n);
		if (!rc)
			rc = tasks_reply_add_created(r, rep, n);
		if (rc)
			return rc;
	}
	return 0;
}

struct conclusion {
	Clubcrm__Result *res;       /* NULL: no result given */
	Clubcrm__TaskStatus status; /* PLANNED: stays open */
	const char *note;           /* NULL: none */
};

/* Saves the task, then the note, the follow-ons, and builds the reply. */
static int conclude(struct req *r, Clubcrm__Task *old,
		    const struct conclusion *c, Clubcrm__TaskReply **out,
		    Clubcrm__Task **saved)
{
	Clubcrm__Task *t = taskops_dup(r, old);
	if (!t)
		return -ENOMEM;
	if (c->res)
		t->result_id = c->res->id;
	t->status = c->status;
	if (c->note && c->status != PLANNED)
		t->closing_note = (char *)c->note;
	int rc = tasks_save(r, old, t);
	if (!rc)
		rc = tasks_reply(r, t, r->rev, out);
	Clubcrm__Task *n = NULL;
	if (!rc && c->note && !(rc = add_note(r, t, c->note, &n)))
		rc = tasks_reply_add_created(r, *out, n);
	if (!rc && c->res)
		rc = follow_ons(r, t, c->res, *out);
	if (!rc)
		rc = recur_after_save(r, old->status, t, *out);
	if (!rc && saved)
		*saved = t;
	return rc;
}

static int check_note(struct req *r, const char *in, const char **out)
{
	*out = NULL;
	if (!in)
		return 0;
	char *n = NULL;
	int rc = tasks_check_description(r, in, "note", &n);
	if (!rc)
		*out = n;
	return rc;
}

int taskops_close(struct req *r, uint64_t id, uint64_t result_id,
		  const char *note, bool cancel, Clubcrm__TaskReply **out)
{
	Clubcrm__Task *task = NULL;
	struct conclusion c = {0};
	int rc = taskops_load_open(r, id, cancel ? "cancelled" : "closed", &task);
	if (!rc && result_id)
		rc = tasks_check_result(r, result_id, &c.res);
	if (!rc)
		rc = check_note(r, note, &c.note);
	if (rc)
		return rc;
	c.status = cancel ? CANCELLED
			  : (c.res && c.res->leads_to ? c.res->leads_to : DONE);
	r->action = cancel ? "cancel" : "close";
	return conclude(r, task, &c, out, NULL);
}

static int follow_status(struct req *r, const Clubcrm__FollowUp *in,
			 struct conclusion *c)
{
	Clubcrm__TaskStatus leads = c->res->leads_to;
	switch (in->has_action ? in->action
			       : CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_UNSPECIFIED) {
	case CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_UNSPECIFIED:
		c->status = leads ? leads : PLANNED;
		return 0;
	case CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_CLOSE_WITH_NOTE:
		if (!c->note)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "closing with a note needs the note");
		/* fall through */
	case CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_CLOSE:
		c->status = leads ? leads : DONE;
		return 0;
	case CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_KEEP_OPEN:
		if (leads)
			return req_refuse(r, STATUS_FAILED_PRECONDITION,
					  "result %s concludes the task; it "
					  "cannot be kept open", c->res->name);
		c->status = PLANNED;
		return 0;
	default:
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "unknown follow-up action %d",
				  (int)in->action);
	}
}

/* The next task of a follow-up: this task's customer and type by default,
 * linked to it. */
static int follow_next(struct req *r, const Clubcrm__Task *task,
		       const Clubcrm__CreateTask *in, Clubcrm__TaskReply *rep)
{
	Clubcrm__CreateTask c = *in;
	if (c.has_kind && c.kind != KIND_TASK)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "the next task of a follow-up is a task");
	c.has_kind = 1;
	c.kind = KIND_TASK;
	c.has_follows_id = 1;
	c.follows_id = task->id;
	c.has_idempotency_key = 0;
	if (!c.has_customer_id || !c.customer_id) {
		c.has_customer_id = 1;
		c.customer_id = task->customer_id;
	}
	if (!c.has_type_id || !c.type_id) {
		c.has_type_id = 1;
		c.type_id = task->type_id;
	}
	Clubcrm__Task *n = NULL;
	int rc = tasks_create(r, &c, &n);
	return rc ? rc : tasks_reply_add_created(r, rep, n);
}

int taskops_follow_up(struct req *r, const Clubcrm__FollowUp *in,
		      Clubcrm__TaskReply **out)
{
	Clubcrm__Task *task = NULL, *saved = NULL;
	struct conclusion c = {0};
	int rc = taskops_load_open(r, in->id, "followed up", &task);
	if (!rc && in->has_base_mod_rev)
		rc = taskops_stale(r, task, in->base_mod_rev);
	if (!rc && !(in->has_result_id && in->result_id))
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"result is required to follow up");
	if (!rc)
		rc = tasks_check_result(r, in->result_id, &c.res);
	if (!rc)
		rc = check_note(r, in->note, &c.note);
	if (!rc)
		rc = follow_status(r, in, &c);
	if (rc)
		return rc;
	r->action = "follow up";
	rc = conclude(r, task, &c, out, &saved);
	if (!rc && in->next)
		rc = follow_next(r, saved, in->next, *out);
	return rc;
}

