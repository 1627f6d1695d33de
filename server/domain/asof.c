#include "asof.h"

#include <errno.h>

#include "changelog.h"

static int change_at(struct txn *t, struct arena *a, uint64_t rev,
		     Clubcrm__ChangeSet **out)
{
	int rc = txn_get_rec(t, DB_CHANGES, rev,
			     &clubcrm__change_set__descriptor, a, (void **)out);
	return rc == -ENOENT ? -EIO : rc;  /* every revision has its set */
}

/*
 * Revisions are dense (a refused op gives its number back) and their
 * times follow commit order, so a binary search finds the moment. (Should
 * the server's clock ever step back, the answer is off by that step.)
 */
int asof_revision(struct txn *t, struct arena *a, int64_t at, uint64_t *rev)
{
	uint64_t lo = 0, hi = txn_revision(t);  /* answer in [lo, hi] */
	if (t->ret)
		return t->ret;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;
		Clubcrm__ChangeSet *cs = NULL;
		int rc = change_at(t, a, mid, &cs);
		if (rc)
			return rc;
		if (cs->at <= at)
			lo = mid;
		else
			hi = mid - 1;
	}
	*rev = lo;
	return 0;
}

int asof_revision_at(struct txn *t, struct arena *a, uint64_t rev,
		     int64_t *at)
{
	Clubcrm__ChangeSet *cs = NULL;
	int rc = change_at(t, a, rev, &cs);
	if (!rc)
		*at = cs->at;
	return rc;
}

int asof_task(struct txn *t, struct arena *a, uint64_t id, uint64_t rev,
	      Clubcrm__Task **out)
{
	Clubcrm__Task *task = NULL;
	int rc = txn_get_rec(t, DB_TASKS, id, &clubcrm__task__descriptor, a,
			     (void **)&task);
	if (rc)
		return rc;
	if (task->create_rev > rev)
		return -ENOENT;
	if (task->mod_rev <= rev) {
		*out = task;  /* the record is its newest change's image */
		return 0;
	}
	/*
	 * The newest change at or before rev: down the task's chain. Each
	 * change set is decoded in a scratch arena and only the task found
	 * is kept in `a`: an as-of list visits thousands of tasks, and a
	 * busy task's chain is long.
	 */
	struct arena scratch;
	arena_init(&scratch);
	struct changelog_walk w;
	changelog_walk_task(&w, t, &scratch, task);
	while ((rc = changelog_walk_next(&w)) == 0) {
		if (w.rev > rev)
			continue;
		size_t len = clubcrm__task__get_packed_size(w.task);
		uint8_t *bytes = arena_alloc(&scratch, len ? len : 1);
		*out = NULL;
		if (bytes) {
			clubcrm__task__pack(w.task, bytes);
			*out = clubcrm__task__unpack(arena_pb(a), len, bytes);
		}
		rc = *out ? 0 : -ENOMEM;
		break;
	}
	arena_free(&scratch);
	return rc;
}
