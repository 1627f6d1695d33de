/*
 * A task's history as a chain through the change log (server/store/
 * changelog.c): each task event names the task's previous change, the
 * Task's mod_rev the newest. Written by the domain, walked and checked by
 * changelog_walk; the damage below is written behind the domain's back.
 */
#include "chain_fixture.h"

#include "req.h"
#include "tasks.h"

/* Rewrites the change set of `rev` with `edit` applied to it. */
typedef void (*edit_fn)(Clubcrm__ChangeSet *cs, uint64_t task_id,
			uint64_t arg);

static void rewrite(struct fx *fx, uint64_t rev, uint64_t task_id,
		    edit_fn edit, uint64_t arg)
{
	struct txn t;
	struct arena a;
	arena_init(&a);
	txn_begin(&t, fx->st, NULL, true);
	Clubcrm__ChangeSet *cs = NULL;
	assert_int_equal(txn_get_rec(&t, DB_CHANGES, rev,
				     &clubcrm__change_set__descriptor, &a,
				     (void **)&cs), 0);
	edit(cs, task_id, arg);
	txn_put_rec(&t, DB_CHANGES, rev, &cs->base);
	assert_int_equal(txn_commit(&t), 0);
	arena_free(&a);
}

static void set_prev(Clubcrm__ChangeSet *cs, uint64_t id, uint64_t prev)
{
	Clubcrm__Event *ev = changelog_task_event(cs, id);
	assert_non_null(ev);
	ev->has_prev_revision = 1;
	ev->prev_revision = prev;
}

static void drop_prev(Clubcrm__ChangeSet *cs, uint64_t id, uint64_t unused)
{
	(void)unused;
	changelog_task_event(cs, id)->has_prev_revision = 0;
}

static void other_task(Clubcrm__ChangeSet *cs, uint64_t id, uint64_t other)
{
	changelog_task_event(cs, id)->task->id = other;
}

/* Created, then changed three times: four links, newest first, each
 * naming the one before, the last (the creation) naming 0. */
static void test_chain_of_a_task(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	const struct club *c = &e->c;
	Clubcrm__Task *task = fx_task(fx, c, "Renewal", FX_NOW + 3600);
	uint64_t created = task->create_rev;
	uint64_t r1 = take(fx, c, task->id, 0);
	/* Another task's change in between is not in this chain. */
	fx_task(fx, c, "Other", FX_NOW + 7200);
	uint64_t r2 = take(fx, c, task->id, 1);
	uint64_t r3 = take(fx, c, task->id, 0);
	assert_true(created < r1 && r1 < r2 && r2 < r3);
	uint64_t want[] = {r3, r2, r1, created};
	expect_chain(fx, task->id, want, 4);

	Clubcrm__Task *fresh = fx_task(fx, c, "New", FX_NOW);
	uint64_t just[] = {fresh->create_rev};
	expect_chain(fx, fresh->id, just, 1);
}

/* One write changing several tasks: each event links its own task. */
static void test_chain_through_a_shared_change_set(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	const struct club *c = &e->c;
	/* Arantxa's consultant is bea: both tasks are bea's. */
	Clubcrm__Task *a = fx_task(fx, c, "a", FX_NOW);
	Clubcrm__Task *b = fx_task(fx, c, "b", FX_NOW + 60);
	uint64_t rb = take(fx, c, b->id, 0);
	Clubcrm__ReassignTasks in = CLUBCRM__REASSIGN_TASKS__INIT;
	in.has_from_operator_id = in.has_to_operator_id = 1;
	in.from_operator_id = c->bea;
	in.to_operator_id = c->carl;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(REASSIGN_TASKS);
	f.reassign_tasks = &in;
	uint64_t rev = 0;
	Clubcrm__Frame *r = fx_write_rev(fx, fx_actor(c->ana, 1), &f, &rev);
	assert_int_equal(r->body_case, BODY(REASSIGN_REPLY));
	assert_int_equal(r->reassign_reply->n_task_ids, 2);
	uint64_t wa[] = {rev, a->create_rev};
	uint64_t wb[] = {rev, rb, b->create_rev};
	expect_chain(fx, a->id, wa, 2);
	expect_chain(fx, b->id, wb, 3);
}

/* Each kind of broken link stops the walk with -EIO and says why. */
static void test_broken_links(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	const struct club *c = &e->c;
	uint64_t revs[3];
	Clubcrm__Task *task = renewal(fx, c, revs, 3);
	uint64_t r1 = revs[0], r2 = revs[1];
	struct walk_end end;

	/* The chain skips a link: it still ends at the creation, fine. */
	rewrite(fx, r2, task->id, set_prev, task->create_rev);
	assert_int_equal(walk_until_error(fx, task->id, &end), -ENOENT);
	assert_int_equal(end.good, 3);

	/* It ends (prev 0) before reaching the creation. */
	rewrite(fx, r2, task->id, set_prev, 0);
	assert_int_equal(walk_until_error(fx, task->id, &end), -EIO);
	assert_int_equal(end.good, 1);
	assert_int_equal(end.at, r2);
	assert_non_null(strstr(end.why, "ends before the task's creation"));

	/* It names a revision before the creation. */
	rewrite(fx, r2, task->id, set_prev, task->create_rev - 1);
	assert_int_equal(walk_until_error(fx, task->id, &end), -EIO);
	assert_int_equal(end.good, 2);
	assert_int_equal(end.at, task->create_rev - 1);
	assert_non_null(strstr(end.why, "passes the task's creation"));
	rewrite(fx, r2, task->id, set_prev, r1);  /* repaired */
	assert_int_equal(walk_until_error(fx, task->id, &end), -ENOENT);
	assert_int_equal(end.good, 4);

	/* The event lost its link. */
	rewrite(fx, r2, task->id, drop_prev, 0);
	assert_int_equal(walk_until_error(fx, task->id, &end), -EIO);
	assert_int_equal(end.at, r2);
	assert_non_null(strstr(end.why, "no previous revision"));
	rewrite(fx, r2, task->id, set_prev, r1);  /* the link back */

	/* A link whose change set holds another task. */
	rewrite(fx, r1, task->id, other_task, task->id + 1000);
	assert_int_equal(walk_until_error(fx, task->id, &end), -EIO);
	assert_int_equal(end.good, 2);
	assert_int_equal(end.at, r1);
	assert_non_null(strstr(end.why, "does not hold the task"));

	/* A change set that does not decode, then one that is missing. */
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	uint8_t k[8];
	key_u64(k, r1);
	txn_put(&t, DB_CHANGES, k, sizeof(k), "\x0a\x7f", 2);
	assert_int_equal(txn_commit(&t), 0);
	assert_int_equal(walk_until_error(fx, task->id, &end), -EIO);
	assert_non_null(strstr(end.why, "does not decode"));
	txn_begin(&t, fx->st, NULL, true);
	txn_del(&t, DB_CHANGES, k, sizeof(k));
	assert_int_equal(txn_commit(&t), 0);
	assert_int_equal(walk_until_error(fx, task->id, &end), -EIO);
	assert_int_equal(end.good, 2);
	assert_int_equal(end.at, r1);
	assert_non_null(strstr(end.why, "missing"));
}

/* A link to itself or to a newer revision would loop: the walk refuses it
 * at once, so every walk ends after at most `mod_rev` steps. */
static void test_loop_is_refused(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	const struct club *c = &e->c;
	uint64_t revs[2];
	Clubcrm__Task *task = renewal(fx, c, revs, 2);
	uint64_t r1 = revs[0], r2 = revs[1];
	struct walk_end end;
	rewrite(fx, r2, task->id, set_prev, r2);  /* itself */
	assert_int_equal(walk_until_error(fx, task->id, &end), -EIO);
	assert_int_equal(end.good, 0);
	assert_int_equal(end.at, r2);
	assert_non_null(strstr(end.why, "loop"));
	/* r1 -> r2 -> r1 -> ...: r1 names the newer r2. */
	rewrite(fx, r2, task->id, set_prev, r1);
	rewrite(fx, r1, task->id, set_prev, r2);
	assert_int_equal(walk_until_error(fx, task->id, &end), -EIO);
	assert_int_equal(end.good, 1);
	assert_int_equal(end.at, r1);
	assert_non_null(strstr(end.why, "loop"));

	/* Nothing to start from. */
	struct chain_walk cw;
	chain_walk_begin(&cw, fx);
	changelog_walk_init(&cw.w, &cw.t, &cw.a, task->id, 0, 0);
	assert_int_equal(changelog_walk_next(&cw.w), -EIO);
	chain_walk_end(&cw);
}

/* One write saving a task twice (req.c's guard): both events link to the
 * change before the write, never to the write itself, and the walk shows
 * the write once, with the last after-image. */
static void test_task_saved_twice_in_one_write(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	const struct club *c = &e->c;
	Clubcrm__Task *task = fx_task(fx, c, "Twice", FX_NOW + 3600);
	uint64_t before = take(fx, c, task->id, 0);

	struct txn t;
	struct arena a;
	arena_init(&a);
	txn_begin(&t, fx->st, NULL, true);
	struct actor who = fx_actor(c->ana, 1);
	struct req r;
	req_init(&r, &t, &a, &who);
	r.action = "edit";
	Clubcrm__Task *old = NULL, *first = NULL, *second = NULL;
	assert_int_equal(tasks_load(&r, task->id, &old), 0);
	assert_int_equal(tasks_load(&r, task->id, &first), 0);
	first->description = "first";
	assert_int_equal(tasks_save(&r, old, first), 0);
	assert_int_equal(first->mod_rev, r.rev);
	assert_int_equal(tasks_load(&r, task->id, &second), 0);
	second->description = "second";
	assert_int_equal(tasks_save(&r, first, second), 0);
	Clubcrm__ChangeSet *cs = NULL;
	assert_int_equal(req_finish(&r, &cs), 0);
	uint64_t rev = r.rev;
	assert_int_equal(cs->n_events, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_true(cs->events[i]->has_prev_revision);
		assert_int_equal(cs->events[i]->prev_revision, before);
	}
	assert_int_equal(txn_commit(&t), 0);
	arena_free(&a);

	uint64_t want[] = {rev, before, task->create_rev};
	expect_chain(fx, task->id, want, 3);
	Clubcrm__TaskReply *rep = NULL;
	fx_get(fx, task->id, 1, &rep);
	assert_int_equal(rep->n_history, 3);
	/* The write's after-image is its last event's, as the record is. */
	assert_string_equal(rep->history[2]->after->description, "second");
	assert_string_equal(rep->row->task->description, "second");
}

int main(void)
{
#define T(f) \
	cmocka_unit_test_setup_teardown(f, fx_env_setup, fx_env_teardown)
	const struct CMUnitTest tests[] = {
		T(test_chain_of_a_task),
		T(test_chain_through_a_shared_change_set),
		T(test_task_saved_twice_in_one_write),
		T(test_broken_links),
		T(test_loop_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
