#include "asof.h"

#include <errno.h>
#include <string.h>

#include "cursor.h"

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
	uint8_t k[16];
	key_u64(k, id);
	key_u64(k + 8, rev + 1);
	/* The last change of this task before rev + 1. */
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, t, DB_TASK_CHANGES);
	if (!rc)
		rc = txn_cursor_seek_before(&c, k, sizeof(k));
	uint64_t at_rev = 0;
	if (rc == 0 && c.key.len == 16 && memcmp(c.key.data, k, 8) == 0)
		at_rev = key_get_u64((const uint8_t *)c.key.data + 8);
	txn_cursor_close(&c);
	if (rc && rc != -ENOENT)
		return rc;
	if (!at_rev || at_rev > rev)
		return -ENOENT;
	Clubcrm__ChangeSet *cs = NULL;
	rc = change_at(t, a, at_rev, &cs);
	if (rc)
		return rc;
	for (size_t i = 0; i < cs->n_events; i++) {
		Clubcrm__Event *ev = cs->events[i];
		if (ev->record_case == CLUBCRM__EVENT__RECORD_TASK && ev->task &&
		    ev->task->id == id) {
			*out = ev->task;
			return 0;
		}
	}
	return -EIO;
}
