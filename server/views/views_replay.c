/*
 * Resume: the rows of a view changed after the revision a client holds,
 * read from the change log, and the rows whose time-driven state (overdue,
 * escalated) may have flipped since that revision was committed: the clock
 * changes rows without a revision, and its pushes went only to those
 * connected at the time. A row now in the view is sent whole; a row that
 * is not is sent as a removal (a client drops it if it had it). Applying
 * rows by revision makes the result equal to a fresh snapshot.
 *
 * Why "since that revision was committed" covers what the client missed:
 * whatever gave the client revision R (a snapshot, a replay, R's delta)
 * was built at or after R's commit time, and the clock brings every
 * subscriber up to date before each commit's delta goes out (subs.c), so
 * the client's rows are current as of some time at or after R's `at`.
 */
#include "views_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "idset.h"

#include "wire.h"

/*
 * Collects the tasks changed in (since, the txn's revision]. -ESTALE when a
 * catalogue entry changed meanwhile: names and colours of many rows moved,
 * and a snapshot says it best.
 */
static int collect_changed(struct txn *t, struct arena *a, uint64_t since,
			   struct idset *ids)
{
	uint8_t key[8];
	key_u64(key, since + 1);
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, t, DB_CHANGES);
	for (rc = rc ? rc : txn_cursor_seek(&c, key, sizeof(key)); rc == 0;
	     rc = txn_cursor_next(&c)) {
		Clubcrm__ChangeSet *cs;
		rc = txn_cursor_msg(&c, &clubcrm__change_set__descriptor, a,
				    (void **)&cs);
		if (rc)
			break;
		for (size_t i = 0; i < cs->n_events; i++) {
			const Clubcrm__Event *ev = cs->events[i];
			if (ev->record_case != CLUBCRM__EVENT__RECORD_TASK) {
				txn_cursor_close(&c);
				return -ESTALE;
			}
			if (idset_add(ids, ev->task->id)) {
				txn_cursor_close(&c);
				return -ENOMEM;
			}
		}
	}
	txn_cursor_close(&c);
	return rc == -ENOENT ? 0 : rc;
}

/*
 * The time revision `since` was committed (its ChangeSet's `at`), less a
 * few seconds against a wall clock stepped back. -ESTALE when the change
 * log does not say (revision 0, a ChangeSet without a time) or says
 * nonsense: before 1970, or later than `now` (the clock went back further
 * than the slack, or the disk lies): a snapshot is right whatever the time.
 */
static int since_time(struct txn *t, struct arena *a, uint64_t since,
		      int64_t now, int64_t *at)
{
	Clubcrm__ChangeSet *cs;
	int rc = since ? txn_get_rec(t, DB_CHANGES, since,
				     &clubcrm__change_set__descriptor, a,
				     (void **)&cs)
		       : -ENOENT;
	if (rc == -ENOENT ||
	    (!rc && (!cs->has_at || cs->at < 0 ||
		     cs->at > now + VIEWS_RESUME_SLACK)))
		return -ESTALE;
	if (!rc)
		*at = cs->at - VIEWS_RESUME_SLACK;
	return rc;
}

static bool open_task(const Clubcrm__Task *t)
{
	return t->kind == CLUBCRM__TASK_KIND__TASK_KIND_TASK &&
	       t->status == CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
}

/*
 * Adds the open tasks whose time in index `db` lies in [from, to] (and,
 * with `untaken`, that nobody took): -ESTALE past the replay's bound.
 */
static int collect_times(struct txn *t, enum store_db db, int64_t from,
			 int64_t to, bool untaken, struct idset *ids)
{
	if (from > to)
		return 0;
	uint8_t start[8], end[8];
	key_time(start, from);
	key_time(end, to);
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, t, db);
	for (rc = rc ? rc : txn_cursor_seek(&c, start, sizeof(start));
	     rc == 0; rc = txn_cursor_next(&c)) {
		if (c.key.len != 16 || memcmp(c.key.data, end, 8) > 0)
			break;
		uint64_t id = key_get_u64((const uint8_t *)c.key.data + 8);
		struct arena a;
		arena_init(&a);
		Clubcrm__Task *task;
		int lrc = rows_task(t, &a, id, &task);
		bool take = !lrc && open_task(task) &&
			    (!untaken || !task->taken_by);
		arena_free(&a);
		if (lrc == -ENOENT)
			continue;
		if (!lrc && take) {
			lrc = ids->n >= VIEWS_REPLAY_MAX_REVISIONS
				      ? -ESTALE
				      : idset_add(ids, id);
		}
		if (lrc) {
			txn_cursor_close(&c);
			return lrc;
		}
	}
	txn_cursor_close(&c);
	return rc == 0 || rc == -ENOENT ? 0 : rc;
}

/*
 * Open tasks that may have fallen due, and untaken ones that may have
 * reached the escalation time, between `from` and `now`. A task already in
 * the set is looked at again; the set is made unique afterwards.
 */
static int collect_flipped(struct txn *t, int64_t from, int64_t now,
			   uint32_t escalation, struct idset *ids)
{
	int rc = collect_times(t, DB_BY_PLANNED, from, now, false, ids);
	if (!rc && escalation) {
		int64_t wait = (int64_t)escalation * 60;
		rc = collect_times(t, DB_BY_CREATED, from - wait, now - wait,
				   true, ids);
	}
	return rc;
}

struct replay {
	struct txn *t;
	const Clubcrm__View *view;
	uint32_t sub_id;
	uint64_t revision;
	int64_t now;
	uint32_t escalation;
	struct task_filter_env env;
	struct buf delta;   /* the Delta being filled */
	views_emit_fn emit;
	void *ctx;
};

static int delta_open(struct replay *rp)
{
	rp->delta.len = 0;
	int rc = wire_uint(&rp->delta, 1, rp->sub_id);
	return rc ? rc : wire_uint(&rp->delta, 2, rp->revision);
}

static int delta_flush(struct replay *rp)
{
	struct buf batch = {0};
	int rc = views_batch_add(&batch, &rp->delta);
	if (!rc)
		rc = rp->emit(rp->ctx, &batch);
	buf_free(&batch);
	return rc ? rc : delta_open(rp);
}

static int replay_task(struct replay *rp, struct arena *a, uint64_t id)
{
	Clubcrm__Task *task;
	Clubcrm__TaskRow *row;
	int rc = rows_task(rp->t, a, id, &task);
	if (rc == -ENOENT)
		return 0;
	if (!rc)
		rc = views_build_row(rp->t, a, NULL, rp->now, rp->escalation, task,
				     &row);
	if (rc)
		return rc;
	if (!task_view_matches(rp->view, row, &rp->env))
		return wire_uint(&rp->delta, 4, id);
	size_t len = clubcrm__task_row__get_packed_size(row);
	uint8_t *bytes = arena_alloc(a, len);
	if (!bytes)
		return -ENOMEM;
	clubcrm__task_row__pack(row, bytes);
	return wire_bytes(&rp->delta, 3, bytes, len);
}

static int replay_rows(struct replay *rp, const struct idset *ids)
{
	int rc = delta_open(rp);
	size_t header = rp->delta.len;
	for (size_t i = 0; i < ids->n && !rc; i++) {
		struct arena a;
		arena_init(&a);
		struct rows_team_ctx team = {.t = rp->t, .a = &a};
		rp->env.team_ctx = &team;
		rc = replay_task(rp, &a, ids->ids[i]);
		arena_free(&a);
		if (!rc && rp->delta.len >= VIEWS_CHUNK_BYTES)
			rc = delta_flush(rp);
	}
	if (!rc && rp->delta.len > header)
		rc = delta_flush(rp);
	return rc;
}

int views_replay(struct store *st, const Clubcrm__View *v, uint32_t sub_id,
		 uint64_t since, int64_t now, views_emit_fn emit, void *ctx,
		 uint64_t *revision)
{
	if (v->kind == CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG)
		return -ESTALE;  /* small: always a snapshot */
	struct txn t;
	struct arena a;
	struct idset ids = {0};
	arena_init(&a);
	txn_begin(&t, st, NULL, false);
	int rc = t.ret;
	if (rc)
		goto done;
	uint64_t cur = txn_revision(&t);
	if (since > cur || cur - since > VIEWS_REPLAY_MAX_REVISIONS) {
		rc = -ESTALE;
		goto done;
	}
	int64_t since_at = 0;
	uint32_t escalation = views_escalation_minutes(&t, &a);
	rc = since_time(&t, &a, since, now, &since_at);
	if (!rc)
		rc = collect_changed(&t, &a, since, &ids);
	if (!rc)
		rc = collect_flipped(&t, since_at, now, escalation, &ids);
	if (rc)
		goto done;
	idset_sort(&ids);
	struct replay rp = {
		.t = &t, .view = v, .sub_id = sub_id, .revision = cur,
		.now = now, .escalation = escalation,
		.env = {.now = now, .in_team = rows_in_team},
		.emit = emit, .ctx = ctx,
	};
	rc = replay_rows(&rp, &ids);
	buf_free(&rp.delta);
	if (!rc)
		*revision = cur;
done:
	idset_free(&ids);
	if (t.txn)
		txn_abort(&t);
	arena_free(&a);
	return rc;
}
