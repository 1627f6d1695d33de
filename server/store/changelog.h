/*
 * The change log: revision -> ChangeSet (the after-images of one write).
 * A task's history is a chain through it: each task event names the
 * revision of that task's previous change (Event.prev_revision, 0 where
 * the task was created), and the Task record's mod_rev names the newest.
 * The walker below is the one reader of that chain (history, as-of, the
 * views' before-images, calendar SEQUENCE, `clubcrmd check`).
 */
#ifndef CLUBCRM_CHANGELOG_H
#define CLUBCRM_CHANGELOG_H

#include <stdint.h>

#include "arena.h"
#include "clubcrm.pb-c.h"
#include "txn.h"

/* Writes the change set of revision cs->revision. Its task events carry
 * prev_revision already (req.c). Errors are the txn's. */
void changelog_append(struct txn *t, const Clubcrm__ChangeSet *cs);

/*
 * A walk of one task's changes, newest first. Each step loads the
 * ChangeSet of the next link into the arena and checks the link: the set
 * exists and decodes, holds the task with mod_rev equal to its revision
 * and a prev_revision, which is lower than the revision (so a walk cannot
 * loop and takes at most `from` steps), and the chain ends (prev 0) at
 * exactly create_rev when that is known.
 */
struct changelog_walk {
	struct txn *t;
	struct arena *a;
	uint64_t task_id;
	uint64_t create_rev;    /* 0: not known, the end is not checked */
	uint64_t next;          /* the link to load; 0: the walk is over */
	/* The current link, after changelog_walk_next() returned 0: */
	uint64_t rev;
	uint64_t prev;          /* the link after this one (older), 0: none */
	Clubcrm__ChangeSet *cs;
	Clubcrm__Task *task;    /* the task's after-image at rev */
	const char *why;        /* after -EIO: what is wrong with the link */
};

/* Starts at revision `from` (a Task's mod_rev, or an event's
 * prev_revision). */
void changelog_walk_init(struct changelog_walk *w, struct txn *t,
			 struct arena *a, uint64_t task_id, uint64_t from,
			 uint64_t create_rev);
/* Starts at the task's newest change and checks the end at its creation. */
void changelog_walk_task(struct changelog_walk *w, struct txn *t,
			 struct arena *a, const Clubcrm__Task *task);
/*
 * The next (older) link: 0 (w->rev, w->cs, w->task, w->prev set), -ENOENT
 * when the walk is over, -EIO for a broken chain (w->why says how; also
 * when the walk starts at 0), or the txn's error.
 */
int changelog_walk_next(struct changelog_walk *w);

/* The event of task `id` in a change set, the last when there are two;
 * NULL when it holds none. */
Clubcrm__Event *changelog_task_event(const Clubcrm__ChangeSet *cs,
				     uint64_t id);

#endif
