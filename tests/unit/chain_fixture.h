/*
 * A task's chain through the change log, for test_changelog.c (each test
 * on its own copy of domain_fixture.h's small club, struct fx_env): writes
 * that give their revision, and walks of a chain in a read transaction of
 * their own.
 */
#ifndef CLUBCRM_TEST_CHAIN_FIXTURE_H
#define CLUBCRM_TEST_CHAIN_FIXTURE_H

#include "domain_fixture.h"

#include "changelog.h"
#include "txn.h"

/* Take (or release) task `id` as bea; the revision of the write. */
static uint64_t take(struct fx *fx, const struct club *c, uint64_t id,
		     int release)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	Clubcrm__TakeTask tk = CLUBCRM__TAKE_TASK__INIT;
	Clubcrm__ReleaseTask rl = CLUBCRM__RELEASE_TASK__INIT;
	tk.has_id = rl.has_id = 1;
	tk.id = rl.id = id;
	if (release) {
		f.body_case = BODY(RELEASE_TASK);
		f.release_task = &rl;
	} else {
		f.body_case = BODY(TAKE_TASK);
		f.take_task = &tk;
	}
	uint64_t rev = 0;
	Clubcrm__Frame *r = fx_write_rev(fx, fx_actor(c->bea, 0), &f, &rev);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	assert_true(rev > 0);
	return rev;
}

/* A task "Renewal" taken, released, taken... `n` times: the revisions of
 * those writes in `revs`, oldest first. */
static Clubcrm__Task *renewal(struct fx *fx, const struct club *c,
			      uint64_t *revs, size_t n)
{
	Clubcrm__Task *task = fx_task(fx, c, "Renewal", FX_NOW + 3600);
	for (size_t i = 0; i < n; i++)
		revs[i] = take(fx, c, task->id, (int)(i % 2));
	return task;
}

/* The stored task record, read in `t` into `a`. */
static Clubcrm__Task *record(struct txn *t, struct arena *a, uint64_t id)
{
	Clubcrm__Task *task = NULL;
	assert_int_equal(txn_get_rec(t, DB_TASKS, id,
				     &clubcrm__task__descriptor, a,
				     (void **)&task), 0);
	return task;
}

/* A walk in a read transaction of its own (chain_walk_end ends both). */
struct chain_walk {
	struct txn t;
	struct arena a;
	struct changelog_walk w;
};

/* The transaction alone: the caller starts the walk. */
static void chain_walk_begin(struct chain_walk *cw, struct fx *fx)
{
	arena_init(&cw->a);
	txn_begin(&cw->t, fx->st, NULL, false);
}

/* A walk of task `id`'s chain, from its stored record. */
static void chain_walk_task(struct chain_walk *cw, struct fx *fx,
			    uint64_t id)
{
	chain_walk_begin(cw, fx);
	changelog_walk_task(&cw->w, &cw->t, &cw->a,
			    record(&cw->t, &cw->a, id));
}

static void chain_walk_end(struct chain_walk *cw)
{
	txn_abort(&cw->t);
	arena_free(&cw->a);
}

/* Walks the task's chain and expects exactly `want` (newest first). */
static void expect_chain(struct fx *fx, uint64_t id, const uint64_t *want,
			 size_t n)
{
	struct chain_walk cw;
	chain_walk_task(&cw, fx, id);
	struct changelog_walk *w = &cw.w;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(changelog_walk_next(w), 0);
		assert_int_equal(w->rev, want[i]);
		assert_int_equal(w->cs->revision, want[i]);
		assert_int_equal(w->task->id, id);
		assert_int_equal(w->task->mod_rev, want[i]);
		assert_int_equal(w->prev, i + 1 < n ? want[i + 1] : 0);
	}
	assert_int_equal(changelog_walk_next(w), -ENOENT);
	assert_int_equal(changelog_walk_next(w), -ENOENT);  /* stays over */
	assert_int_equal(cw.t.ret, 0);
	chain_walk_end(&cw);
}

/* Where a walk ended: the good links before it, the revision it stopped
 * at and why (a static string). */
struct walk_end {
	size_t good;
	uint64_t at;
	const char *why;
};

/* Walks until the walk fails; its error and where (in *end). */
static int walk_until_error(struct fx *fx, uint64_t id, struct walk_end *end)
{
	struct chain_walk cw;
	chain_walk_task(&cw, fx, id);
	int rc;
	end->good = 0;
	while ((rc = changelog_walk_next(&cw.w)) == 0)
		end->good++;
	end->at = cw.w.rev;
	end->why = cw.w.why;  /* static strings */
	/* A broken chain is the walk's answer, not the txn's failure:
	 * `clubcrmd check` reads on. */
	assert_int_equal(cw.t.ret, 0);
	assert_int_equal(changelog_walk_next(&cw.w), rc);  /* stays broken */
	chain_walk_end(&cw);
	return rc;
}

#endif
