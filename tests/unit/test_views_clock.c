/* Live views and the clock: tasks falling due, urgent tasks escalating,
 * the escalation setting, and resumes across those time-driven changes. */
#include "views_fixture.h"

static void test_clock_makes_tasks_overdue(void **state)
{
	struct vfx *v = *state;
	struct buf ch = {0};
	uint64_t id = create_keep(v, v->c.call, FX_NOW + 60, &ch);
	buf_free(&ch);
	create_keep(v, v->c.call, FX_NOW + 600, &ch);
	buf_free(&ch);

	struct view_commit vc;
	assert_int_equal(views_tick_load(v->fx->st, FX_NOW, FX_NOW + 30, 0, &vc),
			 0);
	assert_int_equal(vc.n_changes, 0);
	views_commit_free(&vc);

	assert_int_equal(views_tick_load(v->fx->st, FX_NOW + 30, FX_NOW + 61, 0,
					 &vc), 0);
	assert_int_equal(vc.n_due, 1);
	assert_int_equal(vc.due[0]->task->id, id);
	Clubcrm__View over = VIEW(OVERDUE), board = VIEW(BOARD);
	Clubcrm__Delta *d = delta_of(v->fx, &vc, &over);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_true(d->upserts[0]->overdue);
	d = delta_of(v->fx, &vc, &board);
	assert_non_null(d);
	assert_true(d->upserts[0]->overdue);
	views_commit_free(&vc);
}

static void test_clock_escalates_untaken_urgent_tasks(void **state)
{
	struct vfx *v = *state;
	Clubcrm__Settings s = CLUBCRM__SETTINGS__INIT;
	s.has_escalation_minutes = 1;
	s.escalation_minutes = 10;
	Clubcrm__UpdateSettings u = CLUBCRM__UPDATE_SETTINGS__INIT;
	u.settings = &s;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPDATE_SETTINGS);
	f.update_settings = &u;
	struct buf ch = {0};
	Clubcrm__Frame *r = write_keep(v->fx, fx_actor(v->c.ana, 1), &f, &ch);
	if (r->body_case == BODY(ERROR))
		fail_msg("%s", r->error->message);
	buf_free(&ch);
	uint64_t id = create_keep(v, v->c.urgent, FX_NOW + 3600, &ch);
	buf_free(&ch);
	uint64_t taken = create_keep(v, v->c.urgent, FX_NOW + 3600, &ch);
	buf_free(&ch);
	take_keep(v, taken, v->c.carl, &ch);
	buf_free(&ch);

	struct view_commit vc;
	assert_int_equal(views_tick_load(v->fx->st, FX_NOW + 590,
					 FX_NOW + 601, 0, &vc), 0);
	assert_int_equal(vc.n_changes, 1);
	Clubcrm__View urg = VIEW(URGENT);
	Clubcrm__Delta *d = delta_of(v->fx, &vc, &urg);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_int_equal(d->upserts[0]->task->id, id);
	assert_true(d->upserts[0]->escalated);
	views_commit_free(&vc);

	/* A tick leaves rows as of its end: the flip at created + 600 is in
	 * the tick ending then, and not again in the next one. */
	assert_int_equal(views_tick_load(v->fx->st, FX_NOW + 599,
					 FX_NOW + 600, 0, &vc), 0);
	assert_int_equal(vc.n_changes, 1);
	views_commit_free(&vc);
	assert_int_equal(views_tick_load(v->fx->st, FX_NOW + 600,
					 FX_NOW + 601, 0, &vc), 0);
	assert_int_equal(vc.n_changes, 0);
	views_commit_free(&vc);

	/* A snapshot after that time shows it escalated too. */
	Clubcrm__SnapshotChunk *first = NULL;
	struct idlist ids;
	snapshot(v->fx, &urg, FX_NOW + 700, &ids, &first);
	assert_int_equal(ids.n, 2);
	for (size_t i = 0; i < first->n_rows; i++)
		assert_int_equal(first->rows[i]->escalated,
				 first->rows[i]->task->id == id);
}

static void set_escalation(struct vfx *v, uint32_t minutes,
			   struct buf *changes)
{
	Clubcrm__Settings s = CLUBCRM__SETTINGS__INIT;
	s.has_escalation_minutes = 1;
	s.escalation_minutes = minutes;
	Clubcrm__UpdateSettings u = CLUBCRM__UPDATE_SETTINGS__INIT;
	u.settings = &s;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPDATE_SETTINGS);
	f.update_settings = &u;
	Clubcrm__Frame *r = write_keep(v->fx, fx_actor(v->c.ana, 1), &f,
				       changes);
	if (r->body_case == BODY(ERROR))
		fail_msg("%s", r->error->message);
}

/*
 * The clock changes rows without a revision: a client away while a task
 * fell due or an urgent task escalated gets those rows when it resumes,
 * and ends with what a fresh snapshot shows.
 */
static void test_replay_brings_time_driven_changes(void **state)
{
	struct vfx *v = *state;
	struct buf ch = {0};
	set_escalation(v, 10, &ch);
	buf_free(&ch);
	uint64_t due = create_keep(v, v->c.call, FX_NOW + 60, &ch);
	buf_free(&ch);
	uint64_t urgent = create_keep(v, v->c.urgent, FX_NOW + 3600, &ch);
	buf_free(&ch);
	uint64_t taken = create_keep(v, v->c.urgent, FX_NOW + 3600, &ch);
	buf_free(&ch);
	take_keep(v, taken, v->c.carl, &ch);
	buf_free(&ch);
	create_keep(v, v->c.call, FX_NOW + 7200, &ch);  /* not due yet */
	buf_free(&ch);

	Clubcrm__View over = VIEW(OVERDUE), urg = VIEW(URGENT),
		      board = VIEW(BOARD);
	struct idlist held_over, held_urg, held_board, fresh;
	uint64_t since = snapshot(v->fx, &over, FX_NOW, &held_over, NULL);
	snapshot(v->fx, &urg, FX_NOW, &held_urg, NULL);
	snapshot(v->fx, &board, FX_NOW, &held_board, NULL);
	assert_int_equal(held_over.n, 0);

	/* Back half a minute later: nothing flipped, nothing sent. */
	struct idlist scratch = held_over;
	assert_int_equal(replay_at(v->fx, &over, since, FX_NOW + 30, &scratch,
				   0, NULL), 0);

	/* Back after twelve minutes, no revision in between. */
	const int64_t later = FX_NOW + 720;
	const Clubcrm__TaskRow *row = NULL;
	replay_at(v->fx, &over, since, later, &held_over, due, &row);
	snapshot(v->fx, &over, later, &fresh, NULL);
	assert_same_ids(&held_over, &fresh);
	assert_true(idlist_has(&held_over, due));
	assert_non_null(row);
	assert_true(row->overdue);

	row = NULL;
	replay_at(v->fx, &board, since, later, &held_board, due, &row);
	snapshot(v->fx, &board, later, &fresh, NULL);
	assert_same_ids(&held_board, &fresh);
	assert_non_null(row);
	assert_true(row->overdue);

	row = NULL;
	replay_at(v->fx, &urg, since, later, &held_urg, urgent, &row);
	snapshot(v->fx, &urg, later, &fresh, NULL);
	assert_same_ids(&held_urg, &fresh);
	assert_non_null(row);
	assert_true(row->escalated);
	/* The taken one does not escalate: not re-sent either. */
	row = NULL;
	replay_at(v->fx, &urg, since, later, &held_urg, taken, &row);
	assert_null(row);

	/* A clock an hour behind the revision's time cannot tell what
	 * flipped: a snapshot answers. */
	struct buf out = {0};
	uint64_t rev;
	assert_int_equal(views_replay(v->fx->st, &over, 4, since, FX_NOW - 3600,
				      emit_deltas, &out, &rev), -ESTALE);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

/* Changing escalation-minutes re-evaluates open urgent tasks at once. */
static void test_escalation_setting_reaches_live_rows(void **state)
{
	struct vfx *v = *state;
	struct buf ch = {0};
	set_escalation(v, 10, &ch);
	buf_free(&ch);
	uint64_t id = create_keep(v, v->c.urgent, FX_NOW + 3600, &ch);
	buf_free(&ch);
	uint64_t taken = create_keep(v, v->c.urgent, FX_NOW + 3600, &ch);
	buf_free(&ch);
	take_keep(v, taken, v->c.carl, &ch);
	buf_free(&ch);
	create_keep(v, v->c.call, FX_NOW + 3600, &ch);    /* not urgent */
	buf_free(&ch);
	Clubcrm__View urg = VIEW(URGENT), board = VIEW(BOARD);

	/* Six minutes on, the time drops to five: escalated now. */
	set_escalation(v, 5, &ch);
	struct view_commit vc;
	assert_int_equal(views_commit_load(v->fx->st, v->memo, ch.data, ch.len,
					   FX_NOW + 360, &vc), 0);
	assert_true(vc.settings_changed);
	assert_int_equal(vc.escalation_minutes, 5);
	assert_int_equal(views_commit_escalation(&vc, 10), 0);
	Clubcrm__Delta *d = delta_of(v->fx, &vc, &urg);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_int_equal(d->upserts[0]->task->id, id);
	assert_true(d->upserts[0]->escalated);
	d = delta_of(v->fx, &vc, &board);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	views_commit_free(&vc);
	buf_free(&ch);

	/* Up to twenty: no longer escalated. */
	set_escalation(v, 20, &ch);
	assert_int_equal(views_commit_load(v->fx->st, v->memo, ch.data, ch.len,
					   FX_NOW + 360, &vc), 0);
	assert_int_equal(views_commit_escalation(&vc, 5), 0);
	d = delta_of(v->fx, &vc, &urg);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_false(d->upserts[0]->escalated);
	views_commit_free(&vc);

	/* The same time again (or another setting): no row moves. */
	assert_int_equal(views_commit_load(v->fx->st, v->memo, ch.data, ch.len,
					   FX_NOW + 360, &vc), 0);
	assert_int_equal(views_commit_escalation(&vc, 20), 0);
	assert_null(delta_of(v->fx, &vc, &urg));
	views_commit_free(&vc);
	buf_free(&ch);
}

/* A tick's Delta carries the revision it is given, not the store's. */
static void test_clock_delta_carries_given_revision(void **state)
{
	struct vfx *v = *state;
	struct buf ch = {0};
	create_keep(v, v->c.call, FX_NOW + 60, &ch);
	buf_free(&ch);
	struct view_commit vc;
	assert_int_equal(views_tick_load(v->fx->st, FX_NOW + 30, FX_NOW + 61, 1,
					 &vc), 0);
	Clubcrm__View over = VIEW(OVERDUE);
	Clubcrm__Delta *d = delta_of(v->fx, &vc, &over);
	assert_non_null(d);
	assert_int_equal(d->revision, 1);
	views_commit_free(&vc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clock_makes_tasks_overdue,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_clock_escalates_untaken_urgent_tasks, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_brings_time_driven_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_escalation_setting_reaches_live_rows, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_clock_delta_carries_given_revision, setup,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
