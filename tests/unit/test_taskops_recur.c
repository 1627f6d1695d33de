/* Repeating tasks: the rule alone (recur.c: the next time in the club's
 * zone, month ends, the end of a series) and through the store (a close
 * creating the next occurrence, counts, until, edits). */
#include "taskops_fixture.h"

#include "recur.h"

static void test_recurring(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	Clubcrm__CreateTask c = fx_new_task(&e->c, "Weekly plan review",
					    FX_NOW - 2 * 7 * 86400 - 3600);
	c.has_recurrence = 1;
	c.recurrence = CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY;
	Clubcrm__Task *t =
		fx_create(fx, fx_actor(e->c.ana, 0), &c)->task_reply->row->task;
	assert_int_equal(t->recurrence, CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY);
	/* Done (late): the next one is the first week after now. */
	Clubcrm__Frame *r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), t->id);
	assert_int_equal(r->task_reply->row->task->status, DONE);
	assert_int_equal(r->task_reply->n_created, 1);
	Clubcrm__Task *n = r->task_reply->created[0]->task;
	assert_int_equal(n->planned_at, t->planned_at + 3 * 7 * 86400);
	assert_int_equal(n->follows_id, t->id);
	assert_int_equal(n->recurrence, CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY);
	assert_int_equal(n->status, PLANNED);
	/* Cancelling an occurrence ends the series. */
	r = simple(fx, e->c.bea, 0, BODY(CANCEL_TASK), n->id);
	assert_int_equal(r->task_reply->n_created, 0);
	/* Notes do not repeat; unknown values are refused. */
	c.kind = NOTE;
	fx_assert_error(fx_create(fx, fx_actor(e->c.ana, 0), &c),
			STATUS_INVALID_ARGUMENT, "only a task can repeat");
	c.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	c.recurrence = (Clubcrm__Recurrence)9;
	fx_assert_error(fx_create(fx, fx_actor(e->c.ana, 0), &c),
			STATUS_INVALID_ARGUMENT, "recurrence");
}

static void test_recur_times(void **state)
{
	(void)state;
	/* 2027-01-31 10:00 UTC, monthly: the last day of February. */
	int64_t jan31 = INT64_C(1801389600);
	int64_t feb28 = jan31 + 28 * 86400;
	assert_int_equal(recur_next_time(jan31, CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY,
					 jan31, "UTC"),
			 feb28);
	/* ...and back to the 31st in March. */
	assert_int_equal(recur_next_time(jan31, CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY,
					 feb28, "UTC"),
			 jan31 + (28 + 31) * 86400);
	assert_int_equal(recur_next_time(jan31, CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY,
					 jan31 + 1, "UTC"),
			 jan31 + 7 * 86400);
	assert_int_equal(recur_next_time(jan31, 0, jan31, "UTC"), 0);
	/* Across the spring change in Madrid a weekly 10:00 stays 10:00 in
	 * a Madrid club, whatever the process's zone is, and the process's
	 * zone is left alone (the writer thread runs this while the loop
	 * thread formats times). */
	int64_t mar22 = INT64_C(1805706000);  /* 2027-03-22 10:00 CET */
	assert_int_equal(
		recur_next_time(mar22, CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY,
				mar22, "Europe/Madrid"),
		mar22 + 7 * 86400 - 3600);
	assert_string_equal(getenv("TZ"), "UTC");
	/* The same far away, where the zone's rules come from its footer:
	 * 2090-03-19 10:00 CET, then 2090-03-26 10:00 CEST. */
	int64_t mar19 = INT64_C(3793597200);
	assert_int_equal(
		recur_next_time(mar19, CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY,
				mar19, "Europe/Madrid"),
		mar19 + 7 * 86400 - 3600);
	/* Monthly in Sydney across its autumn change: 2027-03-05 09:00
	 * AEDT, then 2027-04-05 09:00 AEST. */
	int64_t syd = INT64_C(1804197600);
	assert_int_equal(
		recur_next_time(syd, CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY,
				syd, "Australia/Sydney"),
		syd + 31 * 86400 + 3600);
	/* A weekly 02:30 landing in the spring gap moves past the jump
	 * (2027-03-21 02:30 CET, then 2027-03-28 03:30 CEST). */
	int64_t mar21 = INT64_C(1805592600);
	assert_int_equal(
		recur_next_time(mar21, CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY,
				mar21, "Europe/Madrid"),
		INT64_C(1806197400));
	assert_string_equal(getenv("TZ"), "UTC");
	/* Nothing after 2100. */
	assert_int_equal(recur_next_time(INT64_C(4102000000),
					 CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY,
					 INT64_C(4102000000), "UTC"),
			 0);
}

/* The rule alone, without a store: when the next occurrence is due and
 * what it is. */
static void test_recur_rule(void **state)
{
	(void)state;
	uint64_t tags[] = {4, 9};
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.id = 17;
	t.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	t.description = "water the pitch";
	t.type_id = 2;
	t.customer_id = 3;
	t.operator_id = 5;
	t.planned_at = INT64_C(1801389600);
	t.recurrence = CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY;
	t.status = DONE;
	t.tag_ids = tags;
	t.n_tag_ids = 2;
	assert_true(recur_due(PLANNED, &t));
	/* Not when it was already closed, not when it is not Done now, not
	 * for a note or a task that does not repeat. */
	assert_false(recur_due(DONE, &t));
	assert_false(recur_due(CANCELLED, &t));
	t.status = CANCELLED;
	assert_false(recur_due(PLANNED, &t));
	t.status = DONE;
	t.kind = NOTE;
	assert_false(recur_due(PLANNED, &t));
	t.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	t.recurrence = CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED;
	assert_false(recur_due(PLANNED, &t));
	t.recurrence = CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY;

	int64_t at = t.planned_at + 7 * 86400;
	Clubcrm__CreateTask c = recur_next_of(&t, at);
	assert_true(c.has_kind && c.has_type_id && c.has_customer_id &&
		    c.has_operator_id && c.has_planned_at && c.has_follows_id &&
		    c.has_recurrence && c.has_status);
	assert_int_equal(c.kind, CLUBCRM__TASK_KIND__TASK_KIND_TASK);
	assert_string_equal(c.description, "water the pitch");
	assert_int_equal(c.type_id, 2);
	assert_int_equal(c.customer_id, 3);
	assert_int_equal(c.operator_id, 5);
	assert_int_equal(c.planned_at, at);
	assert_int_equal(c.follows_id, 17);
	assert_int_equal(c.recurrence, CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY);
	assert_int_equal(c.status, PLANNED);
	assert_int_equal(c.n_tag_ids, 2);
	assert_int_equal(c.tag_ids[1], 9);
}

/* Daily steps by the calendar in the club's zone; month ends. */
static void test_recur_daily_and_month_ends(void **state)
{
	(void)state;
	const Clubcrm__Recurrence D = CLUBCRM__RECURRENCE__RECURRENCE_DAILY;
	const Clubcrm__Recurrence M = CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY;
	/* Madrid, spring: 2027-03-27 10:00 CET, then 03-28 10:00 CEST, a
	 * 23-hour day later. */
	int64_t mar27 = INT64_C(1806138000);
	assert_int_equal(recur_next_time(mar27, D, mar27, "Europe/Madrid"),
			 mar27 + 86400 - 3600);
	/* Autumn: 2027-10-30 10:00 CEST, then 10-31 10:00 CET (25 hours). */
	int64_t oct30 = INT64_C(1824883200);
	assert_int_equal(recur_next_time(oct30, D, oct30, "Europe/Madrid"),
			 oct30 + 86400 + 3600);
	/* A daily 02:30 meets the gap on 03-28: 03:30 CEST that day, the
	 * series keeps 02:30 after it. */
	int64_t gap = INT64_C(1806111000);  /* 2027-03-27 02:30 CET */
	assert_int_equal(recur_next_time(gap, D, gap, "Europe/Madrid"),
			 gap + 86400);  /* 03:30 CEST = 01:30 UTC */
	assert_int_equal(recur_next_time(gap, D, gap + 86400, "Europe/Madrid"),
			 gap + 2 * 86400 - 3600);
	/* Done late: the first day after now, at the same time. */
	assert_int_equal(recur_next_time(mar27, D, mar27 + 10 * 86400 + 1,
					 "Europe/Madrid"),
			 mar27 + 11 * 86400 - 3600);
	/* Daily from long ago still finds tomorrow (no step limit hit). */
	int64_t y2001 = INT64_C(978343200);  /* 2001-01-01 10:00 UTC */
	assert_int_equal(recur_next_time(y2001, D, mar27, "UTC"),
			 mar27 + 3600);  /* 2027-03-27 10:00 UTC */
	/* Monthly on the 31st in a leap year: 2028-01-31, then 02-29. */
	int64_t jan31 = INT64_C(1832922000);
	assert_int_equal(recur_next_time(jan31, M, jan31, "Europe/Madrid"),
			 jan31 + 29 * 86400);
	/* Into the next year: 2027-12-31 10:00, then 2028-01-31 10:00. */
	int64_t dec31 = INT64_C(1830243600);
	assert_int_equal(recur_next_time(dec31, M, dec31, "Europe/Madrid"),
			 jan31);
	/* Monthly on the 31st across the spring change: 2027-03-31 10:00
	 * CEST, then 04-30 10:00 CEST (no offset change between). */
	int64_t mar31 = INT64_C(1806480000);
	assert_int_equal(recur_next_time(mar31, M, mar31, "Europe/Madrid"),
			 mar31 + 30 * 86400);
	assert_string_equal(getenv("TZ"), "UTC");
}

/* The series' end: the last of a count, the until moment. */
static void test_recur_series_end(void **state)
{
	(void)state;
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	t.planned_at = INT64_C(1801389600);  /* 2027-01-31 10:00 UTC */
	t.recurrence = CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY;
	int64_t next = t.planned_at + 7 * 86400;
	assert_int_equal(recur_next_after(&t, t.planned_at, "UTC"), next);
	t.repeat_count = 3;
	assert_int_equal(recur_next_after(&t, t.planned_at, "UTC"), next);
	Clubcrm__CreateTask c = recur_next_of(&t, next);
	assert_true(c.has_repeat_count);
	assert_int_equal(c.repeat_count, 2);
	assert_false(c.has_repeat_until);
	t.repeat_count = 2;
	c = recur_next_of(&t, next);
	assert_int_equal(c.repeat_count, 1);
	t.repeat_count = 1;  /* the last one */
	assert_int_equal(recur_next_after(&t, t.planned_at, "UTC"), 0);
	t.repeat_count = 0;
	t.repeat_until = next + 1;
	assert_int_equal(recur_next_after(&t, t.planned_at, "UTC"), next);
	c = recur_next_of(&t, next);
	assert_true(c.has_repeat_until);
	assert_int_equal(c.repeat_until, next + 1);
	assert_false(c.has_repeat_count);
	t.repeat_until = next;  /* exclusive */
	assert_int_equal(recur_next_after(&t, t.planned_at, "UTC"), 0);
	/* Done late, past the end: none. */
	t.repeat_until = next + 1;
	assert_int_equal(recur_next_after(&t, next + 10, "UTC"), 0);
}

/* Through the store: a count runs out, an until ends it, edits change and
 * stop it, and what cannot be is refused. */
static void test_recurring_series(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	Clubcrm__CreateTask c = fx_new_task(&e->c, "Open the pool",
					    FX_NOW + 3600);
	c.has_recurrence = c.has_repeat_count = 1;
	c.recurrence = CLUBCRM__RECURRENCE__RECURRENCE_DAILY;
	c.repeat_count = 2;
	Clubcrm__Task *t =
		fx_create(fx, fx_actor(e->c.ana, 0), &c)->task_reply->row->task;
	assert_int_equal(t->repeat_count, 2);
	Clubcrm__Frame *r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), t->id);
	assert_int_equal(r->task_reply->n_created, 1);
	Clubcrm__Task *n = r->task_reply->created[0]->task;
	assert_int_equal(n->planned_at, t->planned_at + 86400);
	assert_int_equal(n->repeat_count, 1);
	assert_int_equal(n->recurrence, CLUBCRM__RECURRENCE__RECURRENCE_DAILY);
	r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), n->id);
	assert_int_equal(r->task_reply->n_created, 0);  /* the last one */

	/* Until: weekly, ending before the second week. */
	c.recurrence = CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY;
	c.has_repeat_count = 0;
	c.repeat_count = 0;
	c.has_repeat_until = 1;
	c.repeat_until = FX_NOW + 3600 + 10 * 86400;
	t = fx_create(fx, fx_actor(e->c.ana, 0), &c)->task_reply->row->task;
	r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), t->id);
	assert_int_equal(r->task_reply->n_created, 1);
	n = r->task_reply->created[0]->task;
	assert_int_equal(n->repeat_until, c.repeat_until);
	r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), n->id);
	assert_int_equal(r->task_reply->n_created, 0);

	/* Monthly on the 31st: February's 28th, then back to the 31st (the
	 * series steps from its anchor, not from the 28th). */
	Clubcrm__CreateTask m = fx_new_task(&e->c, "Monthly fees",
					    INT64_C(1801389600));  /* 01-31 */
	m.has_recurrence = 1;
	m.recurrence = CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY;
	t = fx_create(fx, fx_actor(e->c.ana, 0), &m)->task_reply->row->task;
	r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), t->id);
	n = r->task_reply->created[0]->task;
	assert_int_equal(n->planned_at, t->planned_at + 28 * 86400);
	assert_int_equal(n->repeat_anchor, t->planned_at);
	r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), n->id);
	Clubcrm__Task *n2 = r->task_reply->created[0]->task;
	int64_t days59 = t->planned_at + 59 * 86400;  /* 03-31 */
	assert_true(n2->planned_at == days59 ||
		    n2->planned_at == days59 - 3600);  /* summer time */
	/* Moved: the series steps from the new time. */
	Clubcrm__EditTask mv = CLUBCRM__EDIT_TASK__INIT;
	mv.has_id = mv.has_base_mod_rev = mv.has_planned_at = 1;
	mv.id = n2->id;
	mv.base_mod_rev = n2->mod_rev;
	mv.planned_at = n2->planned_at + 86400;  /* 04-01 */
	Clubcrm__Task *moved = edit(fx, e->c.ana, &mv)->task_reply->row->task;
	assert_int_equal(moved->repeat_anchor, 0);
	r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), moved->id);
	n = r->task_reply->created[0]->task;
	assert_int_equal(n->planned_at, moved->planned_at + 30 * 86400);

	/* Edits: a count set, then the repetition stopped (the end goes
	 * with it). */
	c.has_repeat_until = 0;
	c.repeat_until = 0;
	t = fx_create(fx, fx_actor(e->c.ana, 0), &c)->task_reply->row->task;
	Clubcrm__EditTask ed = CLUBCRM__EDIT_TASK__INIT;
	ed.has_id = ed.has_base_mod_rev = ed.has_repeat_count = 1;
	ed.id = t->id;
	ed.base_mod_rev = t->mod_rev;
	ed.repeat_count = 5;
	t = edit(fx, e->c.ana, &ed)->task_reply->row->task;
	assert_int_equal(t->repeat_count, 5);
	Clubcrm__EditTask stop = CLUBCRM__EDIT_TASK__INIT;
	stop.has_id = stop.has_base_mod_rev = stop.has_recurrence = 1;
	stop.id = t->id;
	stop.base_mod_rev = t->mod_rev;
	stop.recurrence = CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED;
	t = edit(fx, e->c.ana, &stop)->task_reply->row->task;
	assert_int_equal(t->recurrence, 0);
	assert_int_equal(t->repeat_count, 0);
	r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), t->id);
	assert_int_equal(r->task_reply->n_created, 0);

	/* Refused. */
	ed.id = t->id;
	ed.base_mod_rev = r->task_reply->row->task->mod_rev;
	fx_assert_error(edit(fx, e->c.ana, &ed), STATUS_INVALID_ARGUMENT,
			"need a recurrence");
	c.has_repeat_count = c.has_repeat_until = 1;
	c.repeat_count = 2;
	c.repeat_until = FX_NOW + 30 * 86400;
	fx_assert_error(fx_create(fx, fx_actor(e->c.ana, 0), &c),
			STATUS_INVALID_ARGUMENT, "not both");
	c.has_repeat_until = 0;
	c.repeat_count = RECUR_COUNT_MAX + 1;
	fx_assert_error(fx_create(fx, fx_actor(e->c.ana, 0), &c),
			STATUS_INVALID_ARGUMENT, "at most 1000");
	c.has_repeat_count = 0;
	c.has_repeat_until = 1;
	c.repeat_until = c.planned_at;
	fx_assert_error(fx_create(fx, fx_actor(e->c.ana, 0), &c),
			STATUS_INVALID_ARGUMENT, "after the planned time");
	c.repeat_until = INT64_C(5000000000);
	fx_assert_error(fx_create(fx, fx_actor(e->c.ana, 0), &c),
			STATUS_INVALID_ARGUMENT, "2099");
	c.has_repeat_until = 0;
	c.has_recurrence = 0;
	c.has_repeat_count = 1;
	c.repeat_count = 3;
	fx_assert_error(fx_create(fx, fx_actor(e->c.ana, 0), &c),
			STATUS_INVALID_ARGUMENT, "need a recurrence");
}

int main(void)
{
	/* The process's zone is not the clubs': recurrences must not use or
	 * change it (test_recur_times checks it stays "UTC"). */
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		T(test_recurring),
		cmocka_unit_test(test_recur_times),
		cmocka_unit_test(test_recur_rule),
		cmocka_unit_test(test_recur_daily_and_month_ends),
		cmocka_unit_test(test_recur_series_end),
		T(test_recurring_series),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
