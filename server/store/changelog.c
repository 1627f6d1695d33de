#include "changelog.h"

#include <errno.h>

void changelog_append(struct txn *t, const Clubcrm__ChangeSet *cs)
{
	txn_put_rec(t, DB_CHANGES, cs->revision, &cs->base);
}

Clubcrm__Event *changelog_task_event(const Clubcrm__ChangeSet *cs,
				     uint64_t id)
{
	for (size_t i = cs->n_events; i-- > 0;) {
		Clubcrm__Event *ev = cs->events[i];
		if (ev->record_case == CLUBCRM__EVENT__RECORD_TASK &&
		    ev->task && ev->task->id == id)
			return ev;
	}
	return NULL;
}

void changelog_walk_init(struct changelog_walk *w, struct txn *t,
			 struct arena *a, uint64_t task_id, uint64_t from,
			 uint64_t create_rev)
{
	*w = (struct changelog_walk){
		.t = t, .a = a, .task_id = task_id, .create_rev = create_rev,
		.next = from,
	};
	if (!from)
		w->why = "no change to start from";
}

void changelog_walk_task(struct changelog_walk *w, struct txn *t,
			 struct arena *a, const Clubcrm__Task *task)
{
	changelog_walk_init(w, t, a, task->id, task->mod_rev,
			    task->create_rev);
	if (!task->create_rev)
		w->why = "the task has no creation revision";
}

static int broken(struct changelog_walk *w, const char *why)
{
	w->why = why;
	w->next = 0;
	return -EIO;
}

int changelog_walk_next(struct changelog_walk *w)
{
	if (w->why)  /* a walk that cannot start, or already broke */
		return -EIO;
	if (!w->next)
		return -ENOENT;
	uint64_t rev = w->next;
	w->rev = rev;
	w->cs = NULL;
	w->task = NULL;
	if (w->create_rev && rev < w->create_rev)
		return broken(w, "the chain passes the task's creation");
	/* Unpacked here rather than by txn_get_rec(), which would make a
	 * record that does not decode the txn's error: `clubcrmd check` goes
	 * on after a broken chain. */
	uint8_t k[8];
	struct txn_val v;
	key_u64(k, rev);
	int rc = txn_get(w->t, DB_CHANGES, k, sizeof(k), &v);
	if (rc == -ENOENT)
		return broken(w, "the change set is missing");
	if (rc)
		return rc;
	Clubcrm__ChangeSet *cs =
		clubcrm__change_set__unpack(arena_pb(w->a), v.len, v.data);
	if (!cs)
		return broken(w, "the change set does not decode");
	Clubcrm__Event *ev = changelog_task_event(cs, w->task_id);
	if (!ev)
		return broken(w, "the change set does not hold the task");
	if (ev->task->mod_rev != rev)
		return broken(w, "the task in it has another revision");
	if (!ev->has_prev_revision)
		return broken(w, "the task event has no previous revision");
	uint64_t prev = ev->prev_revision;
	if (prev >= rev)
		return broken(w, "the previous revision is not older (a loop)");
	if (w->create_rev && (prev == 0) != (rev == w->create_rev))
		return broken(w, prev ? "the chain passes the task's creation"
				      : "the chain ends before the task's "
					"creation");
	w->cs = cs;
	w->task = ev->task;
	w->prev = prev;
	w->next = prev;
	return 0;
}
