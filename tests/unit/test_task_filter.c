/* The one predicate for task lists, live views and fan-out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>

#include "task_filter.h"

#define NOW 1800000000
#define PLANNED CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED
#define DONE CLUBCRM__TASK_STATUS__TASK_STATUS_DONE
#define CANCELLED CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED

struct fixture {
	Clubcrm__Task task;
	Clubcrm__TaskRow row;
	uint64_t tags[2];
};

static void make_row(struct fixture *fx)
{
	clubcrm__task__init(&fx->task);
	clubcrm__task_row__init(&fx->row);
	fx->task.id = 7;
	fx->task.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	fx->task.description = "Offer tennis lessons";
	fx->task.type_id = 3;
	fx->task.planned_at = NOW + 3600;
	fx->task.created_at = NOW - 86400;
	fx->task.operator_id = 2;
	fx->task.creator_id = 1;
	fx->task.customer_id = 11;
	fx->task.status = PLANNED;
	fx->tags[0] = 5;
	fx->tags[1] = 6;
	fx->task.tag_ids = fx->tags;
	fx->task.n_tag_ids = 2;
	fx->row.task = &fx->task;
	fx->row.customer_name = "Arantxa Sánchez";
}

/* Team 1 holds operators 2 and 3. */
static bool team_of(void *ctx, uint64_t op, uint64_t team)
{
	(void)ctx;
	return team == 1 && (op == 2 || op == 3);
}

static const struct task_filter_env env = {.now = NOW, .in_team = team_of};

static void test_empty_filter_matches_all(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	assert_true(task_filter_matches(NULL, &fx.row, &env));
	assert_true(task_filter_matches(&f, &fx.row, &env));
	Clubcrm__TaskRow empty = CLUBCRM__TASK_ROW__INIT;
	assert_false(task_filter_matches(&f, &empty, &env));
}

static void test_date_ranges_are_half_open(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_planned_from = f.has_planned_to = 1;
	f.planned_from = NOW + 3600;
	f.planned_to = NOW + 3601;
	assert_true(task_filter_matches(&f, &fx.row, &env));
	f.planned_to = NOW + 3600;
	assert_false(task_filter_matches(&f, &fx.row, &env));
	Clubcrm__TaskFilter c = CLUBCRM__TASK_FILTER__INIT;
	c.has_created_from = 1;
	c.created_from = NOW;
	assert_false(task_filter_matches(&c, &fx.row, &env));
}

static void test_people_and_team(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	uint64_t ops[] = {9, 2};
	uint64_t other[] = {9};
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.operator_ids = ops;
	f.n_operator_ids = 2;
	assert_true(task_filter_matches(&f, &fx.row, &env));
	f.creator_ids = other;
	f.n_creator_ids = 1;
	assert_false(task_filter_matches(&f, &fx.row, &env));

	Clubcrm__TaskFilter t = CLUBCRM__TASK_FILTER__INIT;
	t.has_team_id = 1;
	t.team_id = 1;
	assert_true(task_filter_matches(&t, &fx.row, &env));
	t.team_id = 2;
	assert_false(task_filter_matches(&t, &fx.row, &env));
	/* Without a way to know teams, a team criterion matches nothing. */
	struct task_filter_env bare = {.now = NOW};
	t.team_id = 1;
	assert_false(task_filter_matches(&t, &fx.row, &bare));
}

static void test_type_tag_status_result_customer(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	uint64_t types[] = {3}, tags[] = {6, 40}, results[] = {4};
	Clubcrm__TaskStatus statuses[] = {DONE, PLANNED};
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.type_ids = types;
	f.n_type_ids = 1;
	f.tag_ids = tags;
	f.n_tag_ids = 2;
	f.statuses = statuses;
	f.n_statuses = 2;
	f.has_customer_id = 1;
	f.customer_id = 11;
	assert_true(task_filter_matches(&f, &fx.row, &env));
	f.result_ids = results;
	f.n_result_ids = 1;
	assert_false(task_filter_matches(&f, &fx.row, &env));
	fx.task.result_id = 4;
	assert_true(task_filter_matches(&f, &fx.row, &env));
	fx.task.n_tag_ids = 0;
	assert_false(task_filter_matches(&f, &fx.row, &env));
}

static void test_taken_urgent_preparation_overdue(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	Clubcrm__TaskFilter urgent = CLUBCRM__TASK_FILTER__INIT;
	urgent.has_urgent = urgent.urgent = 1;
	assert_false(task_filter_matches(&urgent, &fx.row, &env));
	fx.row.priority = 1;
	assert_true(task_filter_matches(&urgent, &fx.row, &env));

	Clubcrm__TaskFilter prep = CLUBCRM__TASK_FILTER__INIT;
	prep.has_in_preparation = prep.in_preparation = 1;
	assert_true(task_filter_matches(&prep, &fx.row, &env));
	fx.task.taken_by = 3;
	assert_false(task_filter_matches(&prep, &fx.row, &env));
	Clubcrm__TaskFilter taken = CLUBCRM__TASK_FILTER__INIT;
	taken.has_taken = taken.taken = 1;
	assert_true(task_filter_matches(&taken, &fx.row, &env));

	Clubcrm__TaskFilter overdue = CLUBCRM__TASK_FILTER__INIT;
	overdue.has_overdue = overdue.overdue = 1;
	assert_false(task_filter_matches(&overdue, &fx.row, &env));
	fx.task.planned_at = NOW - 1;
	assert_true(task_filter_matches(&overdue, &fx.row, &env));
	fx.task.status = DONE;  /* concluded tasks are never overdue nor urgent */
	assert_false(task_filter_matches(&overdue, &fx.row, &env));
	assert_false(task_filter_matches(&urgent, &fx.row, &env));
	fx.task.status = PLANNED;
	fx.task.kind = CLUBCRM__TASK_KIND__TASK_KIND_NOTE;  /* nor notes */
	assert_false(task_filter_matches(&overdue, &fx.row, &env));
}

/* One overdue rule: the flag rows carry, the filter and the OVERDUE view
 * agree, at the boundary too (issue 12: it was written three times). */
static void test_overdue_one_rule(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_overdue = f.overdue = 1;
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE;
	static const struct {
		int64_t planned;
		Clubcrm__TaskStatus status;
		Clubcrm__TaskKind kind;
		bool overdue;
	} c[] = {
		{NOW - 1, PLANNED, CLUBCRM__TASK_KIND__TASK_KIND_TASK, true},
		{NOW, PLANNED, CLUBCRM__TASK_KIND__TASK_KIND_TASK, false},
		{NOW + 1, PLANNED, CLUBCRM__TASK_KIND__TASK_KIND_TASK, false},
		{NOW - 1, DONE, CLUBCRM__TASK_KIND__TASK_KIND_TASK, false},
		{NOW - 1, CANCELLED, CLUBCRM__TASK_KIND__TASK_KIND_TASK, false},
		{NOW - 1, PLANNED, CLUBCRM__TASK_KIND__TASK_KIND_NOTE, false},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fx.task.planned_at = c[i].planned;
		fx.task.status = c[i].status;
		fx.task.kind = c[i].kind;
		assert_int_equal(task_is_overdue(&fx.task, NOW), c[i].overdue);
		assert_int_equal(task_filter_matches(&f, &fx.row, &env),
				 c[i].overdue);
		assert_int_equal(task_view_matches(&v, &fx.row, &env),
				 c[i].overdue);
	}
	assert_false(task_is_overdue(NULL, NOW));
}

static void test_text_search(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.text = "TENNIS";
	assert_true(task_filter_matches(&f, &fx.row, &env));
	f.text = "arantxa";
	assert_true(task_filter_matches(&f, &fx.row, &env));
	f.text = "Sánchez";
	assert_true(task_filter_matches(&f, &fx.row, &env));
	f.text = "squash";
	assert_false(task_filter_matches(&f, &fx.row, &env));
	f.text = "";
	assert_true(task_filter_matches(&f, &fx.row, &env));
}

static void test_views(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT;
	assert_false(task_view_matches(&v, &fx.row, &env));
	fx.row.priority = 1;
	assert_true(task_view_matches(&v, &fx.row, &env));
	fx.task.taken_by = 2;  /* yellow: still urgent */
	assert_true(task_view_matches(&v, &fx.row, &env));
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_IN_PREPARATION;
	assert_false(task_view_matches(&v, &fx.row, &env));

	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER;
	v.customer_id = 11;
	assert_true(task_view_matches(&v, &fx.row, &env));
	v.customer_id = 12;
	assert_false(task_view_matches(&v, &fx.row, &env));

	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA;
	v.has_from = v.has_to = 1;
	v.from = NOW;
	v.to = NOW + 86400;
	v.has_team_id = 1;
	v.team_id = 1;
	assert_true(task_view_matches(&v, &fx.row, &env));
	fx.task.status = CANCELLED;
	assert_false(task_view_matches(&v, &fx.row, &env));
	fx.task.status = PLANNED;
	v.team_id = 2;
	assert_false(task_view_matches(&v, &fx.row, &env));

	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG;
	assert_false(task_view_matches(&v, &fx.row, &env));
}

/* A small deterministic generator, so that a failure repeats. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * The pre-filter on the task alone never rules out a row the view holds,
 * over many tasks, rows and views; and it does rule out what the task
 * alone decides.
 */
static void test_view_may_match_is_necessary(void **state)
{
	(void)state;
	static const Clubcrm__ViewKind kinds[] = {
		CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD,
		CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT,
		CLUBCRM__VIEW_KIND__VIEW_KIND_IN_PREPARATION,
		CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE,
		CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA,
		CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER,
		CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG,
	};
	static const Clubcrm__TaskStatus statuses[] = {PLANNED, DONE, CANCELLED};
	uint64_t x = 88172645463325252u;
	unsigned matched = 0, ruled_out = 0;
	for (int i = 0; i < 200000; i++) {
		struct fixture fx;
		make_row(&fx);
		Clubcrm__Task *t = &fx.task;
		t->kind = rnd(&x) % 4 ? CLUBCRM__TASK_KIND__TASK_KIND_TASK
				      : CLUBCRM__TASK_KIND__TASK_KIND_NOTE;
		t->status = statuses[rnd(&x) % 3];
		t->taken_by = rnd(&x) % 2 ? 2 : 0;
		t->planned_at = NOW + (int64_t)(rnd(&x) % 7200) - 3600;
		t->operator_id = 1 + rnd(&x) % 3;
		t->customer_id = 11 + rnd(&x) % 2;
		fx.row.priority = rnd(&x) % 2;
		fx.row.customer_name = rnd(&x) % 2 ? "Arantxa" : "Manolo";

		Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
		uint64_t r = rnd(&x);
		f.has_taken = r & 1;
		f.taken = (r >> 1) & 1;
		f.has_urgent = (r >> 2) & 1;
		f.urgent = (r >> 3) & 1;
		f.has_in_preparation = (r >> 4) & 1;
		f.in_preparation = (r >> 5) & 1;
		f.has_overdue = (r >> 6) & 1;
		f.overdue = (r >> 7) & 1;
		f.has_planned_from = (r >> 8) & 1;
		f.planned_from = NOW;
		f.has_customer_id = (r >> 9) & 1;
		f.customer_id = 12;
		f.has_team_id = (r >> 10) & 1;
		f.team_id = 1;
		f.text = (r >> 11) & 1 ? ((r >> 12) & 1 ? "arant" : "tennis")
				       : NULL;
		Clubcrm__TaskStatus st = statuses[(r >> 13) % 3];
		if ((r >> 15) & 1) {
			f.statuses = &st;
			f.n_statuses = 1;
		}

		Clubcrm__View v = CLUBCRM__VIEW__INIT;
		v.has_kind = 1;
		v.kind = kinds[rnd(&x) % (sizeof(kinds) / sizeof(kinds[0]))];
		v.has_from = v.has_to = 1;
		v.from = NOW - 1800;
		v.to = NOW + 1800;
		v.has_customer_id = 1;
		v.customer_id = 11;
		v.filter = rnd(&x) % 4 ? &f : NULL;

		bool may = task_view_may_match(&v, t, &env);
		bool does = task_view_matches(&v, &fx.row, &env);
		if (does && !may)
			fail_msg("case %d: the pre-filter ruled out a row of "
				 "the view", i);
		matched += does;
		ruled_out += !may;
	}
	/* Both outcomes were exercised. */
	assert_true(matched > 1000);
	assert_true(ruled_out > 1000);
}

static void test_view_may_match_cases(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT;
	/* Urgency is the type's: a planned task may be urgent, a done one
	 * cannot. */
	assert_true(task_view_may_match(&v, &fx.task, &env));
	fx.task.status = DONE;
	assert_false(task_view_may_match(&v, &fx.task, &env));
	fx.task.status = PLANNED;
	/* Not urgent: only the row can tell. */
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_urgent = 1;
	f.urgent = 0;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	v.filter = &f;
	assert_true(task_view_may_match(&v, &fx.task, &env));
	fx.row.priority = 1;
	assert_false(task_view_matches(&v, &fx.row, &env));
	/* The text may be in the customer's name, which only the row has. */
	f.has_urgent = 0;
	f.text = "arantxa";
	assert_true(task_view_may_match(&v, &fx.task, &env));
	assert_true(task_view_matches(&v, &fx.row, &env));
	/* What the task alone decides. */
	f.text = NULL;
	f.has_taken = f.taken = 1;
	assert_false(task_view_may_match(&v, &fx.task, &env));
	assert_false(task_view_may_match(NULL, &fx.task, &env));
	assert_false(task_view_may_match(&v, NULL, &env));
}

static void test_view_validation(void **state)
{
	(void)state;
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	assert_int_equal(task_view_validate(NULL), -EINVAL);
	assert_int_equal(task_view_validate(&v), -EINVAL);
	v.has_kind = 1;
	v.kind = 99;
	assert_int_equal(task_view_validate(&v), -EINVAL);
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	assert_int_equal(task_view_validate(&v), 0);
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER;
	assert_int_equal(task_view_validate(&v), -EINVAL);
	v.has_customer_id = 1;
	v.customer_id = 4;
	assert_int_equal(task_view_validate(&v), 0);
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA;
	assert_int_equal(task_view_validate(&v), -EINVAL);
	v.has_from = v.has_to = 1;
	v.from = NOW;
	v.to = NOW;
	assert_int_equal(task_view_validate(&v), -EINVAL);
	v.to = NOW + 7 * 86400;
	assert_int_equal(task_view_validate(&v), 0);
	v.to = NOW + 1000LL * 86400;
	assert_int_equal(task_view_validate(&v), -EINVAL);
}

/* A view's filter and agenda operators get the bounds of a task list's
 * filter: they are evaluated for every changed row of every commit. */
static void test_view_bounds(void **state)
{
	(void)state;
	uint64_t ids[TASK_FILTER_LIST_MAX + 1] = {0};
	Clubcrm__TaskStatus sts[TASK_FILTER_LIST_MAX + 1] = {0};
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	v.filter = &f;
	assert_null(task_filter_check(NULL));
	assert_int_equal(task_view_validate(&v), 0);

	size_t *counts[] = {&f.n_operator_ids, &f.n_creator_ids, &f.n_type_ids,
			    &f.n_tag_ids, &f.n_result_ids};
	f.operator_ids = f.creator_ids = f.type_ids = f.tag_ids =
		f.result_ids = ids;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		*counts[i] = TASK_FILTER_LIST_MAX;
		assert_int_equal(task_view_validate(&v), 0);
		*counts[i] = TASK_FILTER_LIST_MAX + 1;
		assert_int_equal(task_view_validate(&v), -EINVAL);
		assert_non_null(strstr(task_filter_check(&f), "100 values"));
		*counts[i] = 0;
	}
	f.statuses = sts;
	f.n_statuses = TASK_FILTER_LIST_MAX + 1;
	assert_int_equal(task_view_validate(&v), -EINVAL);
	f.n_statuses = 0;

	char text[TASK_FILTER_TEXT_MAX + 2];
	memset(text, 'q', sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	f.text = text;
	assert_int_equal(task_view_validate(&v), -EINVAL);
	text[TASK_FILTER_TEXT_MAX] = 0;
	assert_int_equal(task_view_validate(&v), 0);
	text[3] = '\x01';  /* a control character */
	assert_int_equal(task_view_validate(&v), -EINVAL);
	text[3] = '\xc3';  /* a cut UTF-8 sequence */
	text[4] = 0;
	assert_int_equal(task_view_validate(&v), -EINVAL);
	f.text = NULL;

	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA;
	v.has_from = v.has_to = 1;
	v.from = NOW;
	v.to = NOW + 86400;
	v.operator_ids = ids;
	v.n_operator_ids = TASK_FILTER_LIST_MAX;
	assert_int_equal(task_view_validate(&v), 0);
	v.n_operator_ids = TASK_FILTER_LIST_MAX + 1;
	assert_non_null(strstr(task_view_check(&v), "100 operators"));
	/* The agenda's own filter is bounded as well. */
	v.n_operator_ids = 1;
	f.n_tag_ids = TASK_FILTER_LIST_MAX + 1;
	assert_int_equal(task_view_validate(&v), -EINVAL);
}

/* The one escalation rule: an urgent task nobody took, `minutes` after its
 * creation (the boundary included); never when the setting is 0, once
 * taken, concluded or not urgent. */
static void test_escalation_rule(void **state)
{
	(void)state;
	struct fixture fx;
	make_row(&fx);
	fx.row.priority = 1;
	fx.task.created_at = NOW - 600;
	assert_true(task_row_is_escalated(&fx.row, 10, NOW));
	assert_false(task_row_is_escalated(&fx.row, 10, NOW - 1));
	assert_false(task_row_is_escalated(&fx.row, 11, NOW));
	assert_false(task_row_is_escalated(&fx.row, 0, NOW));
	fx.task.taken_by = 3;
	assert_false(task_row_is_escalated(&fx.row, 10, NOW));
	fx.task.taken_by = 0;
	fx.task.status = DONE;
	assert_false(task_row_is_escalated(&fx.row, 10, NOW));
	fx.task.status = PLANNED;
	fx.row.priority = 0;
	assert_false(task_row_is_escalated(&fx.row, 10, NOW));
}

/* The agenda's span is measured without overflow: the whole int64 range
 * is not "negative days", and 400 days is the last span accepted. */
static void test_agenda_span_no_overflow(void **state)
{
	(void)state;
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = v.has_from = v.has_to = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA;
	v.from = NOW;
	v.to = NOW + 400LL * 86400;
	assert_null(task_view_check(&v));
	v.to = NOW + 401LL * 86400;
	assert_non_null(strstr(task_view_check(&v), "400 days"));
	v.from = INT64_MIN;
	v.to = INT64_MAX;
	assert_non_null(strstr(task_view_check(&v), "400 days"));
	v.from = INT64_MIN + 1;
	v.to = 1;
	assert_non_null(strstr(task_view_check(&v), "400 days"));
	v.from = -1;
	v.to = INT64_MAX;
	assert_non_null(strstr(task_view_check(&v), "400 days"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_filter_matches_all),
		cmocka_unit_test(test_date_ranges_are_half_open),
		cmocka_unit_test(test_people_and_team),
		cmocka_unit_test(test_type_tag_status_result_customer),
		cmocka_unit_test(test_taken_urgent_preparation_overdue),
		cmocka_unit_test(test_overdue_one_rule),
		cmocka_unit_test(test_text_search),
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_view_may_match_is_necessary),
		cmocka_unit_test(test_view_may_match_cases),
		cmocka_unit_test(test_view_validation),
		cmocka_unit_test(test_view_bounds),
		cmocka_unit_test(test_agenda_span_no_overflow),
		cmocka_unit_test(test_escalation_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
