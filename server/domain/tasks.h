/*
 * Task rules: validation of references and text, creation (tasks and notes,
 * idempotent), and the one function that stores a task with its indexes,
 * revisions and change-log entry.
 */
#ifndef CLUBCRM_TASKS_H
#define CLUBCRM_TASKS_H

#include <stdint.h>

#include "clubcrm.pb-c.h"
#include "req.h"

#define TASKS_DESC_MAX 4000u
#define TASKS_MAX_TAGS 32u
#define TASKS_TIME_MIN INT64_C(946684800)   /* 2000-01-01 UTC */
#define TASKS_TIME_MAX INT64_C(4102444800)  /* 2100-01-01 UTC */

/* Reference checks: NOT_FOUND when unknown, FAILED_PRECONDITION when
 * inactive (when `active` is asked). Out params may be NULL. */
int tasks_check_type(struct req *r, uint64_t id, Clubcrm__TaskType **out);
int tasks_check_customer(struct req *r, uint64_t id, Clubcrm__Customer **out);
int tasks_check_operator(struct req *r, uint64_t id, const char *field,
			 Clubcrm__Operator **out);
int tasks_check_result(struct req *r, uint64_t id, Clubcrm__Result **out);
int tasks_check_tag(struct req *r, uint64_t id, Clubcrm__Tag **out);
int tasks_check_tags(struct req *r, const uint64_t *ids, size_t n);
int tasks_check_description(struct req *r, const char *in, const char *field,
			    char **out);
int tasks_check_time(struct req *r, int64_t t, const char *field);
/* The task by id: NOT_FOUND "unknown task N" when missing. */
int tasks_load(struct req *r, uint64_t id, Clubcrm__Task **out);

/*
 * Stores `task` (old: its previous image, NULL for a new one): stamps
 * create_rev/mod_rev/modified_*, moves index entries whose key changed, puts
 * the record and adds its after-image to the change set.
 */
int tasks_save(struct req *r, const Clubcrm__Task *old, Clubcrm__Task *task);

/*
 * Validates a CreateTask and stores the new task or note (no idempotency
 * here: see tasks_create_request). `follows` overrides in->follows_id when
 * non-zero.
 */
int tasks_create(struct req *r, const Clubcrm__CreateTask *in,
		 Clubcrm__Task **out);

/*
 * After `t` was saved: when it is a recurring task that just became Done
 * (`was` is its previous status; recur.h), creates the next occurrence and
 * adds it to rep->created. When the next occurrence cannot be created any
 * more (its customer or type was deactivated since), the series ends
 * quietly.
 */
int tasks_create_next(struct req *r, Clubcrm__TaskStatus was,
		      const Clubcrm__Task *t, Clubcrm__TaskReply *rep);

/*
 * A CreateTask request with its idempotency key: a retry with a key already
 * used by this operator returns the first task and revision.
 */
int tasks_create_request(struct req *r, const Clubcrm__CreateTask *in,
			 Clubcrm__TaskReply **out);

/* A reply for a task after a write (row at r->who->now, revision). */
int tasks_reply(struct req *r, Clubcrm__Task *task, uint64_t revision,
		Clubcrm__TaskReply **out);
/* Adds a row for a task created in the same commit to reply->created. */
int tasks_reply_add_created(struct req *r, Clubcrm__TaskReply *reply,
			    Clubcrm__Task *task);

#endif
