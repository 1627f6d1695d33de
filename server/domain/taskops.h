/*
 * What operators do to existing tasks: edit (with the mod_rev the edit was
 * based on), copy, follow up, close or cancel, take charge and release, tag
 * and untag, and the bulk reassign. Each runs inside one write op; all the
 * records it touches share one revision and one change set.
 */
#ifndef CLUBCRM_TASKOPS_H
#define CLUBCRM_TASKOPS_H

#include <stdbool.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"
#include "req.h"

int taskops_edit(struct req *r, const Clubcrm__EditTask *in,
		 Clubcrm__TaskReply **out);
int taskops_copy(struct req *r, const Clubcrm__CopyTask *in,
		 Clubcrm__TaskReply **out);
int taskops_follow_up(struct req *r, const Clubcrm__FollowUp *in,
		      Clubcrm__TaskReply **out);
/* CloseTask (cancel false) and CancelTask (cancel true). */
int taskops_close(struct req *r, uint64_t id, uint64_t result_id,
		  const char *note, bool cancel, Clubcrm__TaskReply **out);
/* TakeTask (take true) and ReleaseTask. */
int taskops_take(struct req *r, uint64_t id, bool take,
		 Clubcrm__TaskReply **out);
int taskops_tag(struct req *r, uint64_t id, uint64_t tag_id, bool add,
		Clubcrm__TaskReply **out);
int taskops_reassign(struct req *r, const Clubcrm__ReassignTasks *in,
		     Clubcrm__ReassignReply **out);

/* Shared by the task operations (taskops.c, taskops_conclude.c). */
/* A shallow copy to modify; the original stays the previous image. */
Clubcrm__Task *taskops_dup(struct req *r, const Clubcrm__Task *t);
/* A planned task (not a note): FAILED_PRECONDITION naming `verb` else. */
int taskops_load_open(struct req *r, uint64_t id, const char *verb,
		      Clubcrm__Task **out);
/* FAILED_PRECONDITION with r->current unless task->mod_rev == base. */
int taskops_stale(struct req *r, Clubcrm__Task *task, uint64_t base);

#endif
