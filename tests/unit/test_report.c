/*
 * Reports (server/domain/report.c, report_scan.c) on the small club of
 * domain_fixture.h, in Europe/Madrid, with every write at a moment the test
 * chooses: a task created before the period and done in it, a reassigned
 * one, a cancelled one, first takes, the days around the spring change of
 * clocks, an empty period, the period before the club, who sees what, and
 * a report too big for one answer (refused, never cut short).
 */
#include "domain_fixture.h"

#include "clubzone.h"
#include "report.h"

#define DONE CLUBCRM__TASK_STATUS__TASK_STATUS_DONE

struct env {
	struct fx *fx;
	struct club c;
	const struct clubzone *z;
	int64_t last;  /* the last write's moment: writes go forward */
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	e->fx = fx_open_club(&e->c);
	e->z = clubzone_get("Europe/Madrid", NULL);
	assert_non_null(e->z);
	e->last = FX_NOW;
	Clubcrm__Settings s = CLUBCRM__SETTINGS__INIT;
	Clubcrm__UpdateSettings us = CLUBCRM__UPDATE_SETTINGS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	s.time_zone = "Europe/Madrid";
	us.settings = &s;
	f.body_case = BODY(UPDATE_SETTINGS);
	f.update_settings = &us;
	assert_int_equal(fx_write(e->fx, fx_actor(0, 1), &f)->body_case,
			 BODY(CATALOG));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	fx_close(e->fx);
	free(e);
	return 0;
}

/* Madrid's wall clock (2027). */
static int64_t at(struct env *e, int mon, int mday, int hour, int min)
{
	int64_t t;
	assert_int_equal(clubzone_from_local(e->z, 2027, mon, mday, hour, min,
					     0, &t), 0);
	return t;
}

static Clubcrm__Frame *write_at(struct env *e, uint64_t who, int64_t now,
				Clubcrm__Frame *f)
{
	assert_true(now >= e->last);
	e->last = now;
	struct actor a = fx_actor(who, who == e->c.ana);
	a.now = now;
	Clubcrm__Frame *r = fx_write(e->fx, a, f);
	if (r->body_case == BODY(ERROR))
		fail_msg("write refused: %s", r->error->message);
	return r;
}

/* A task of `type` for `op` planned at `planned`, created at `now`. */
static uint64_t task_at(struct env *e, int64_t now, uint64_t type,
			uint64_t op, int64_t planned)
{
	Clubcrm__CreateTask t = fx_new_task(&e->c, "report", planned);
	t.type_id = type;
	t.has_operator_id = 1;
	t.operator_id = op;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(CREATE_TASK);
	f.create_task = &t;
	return write_at(e, e->c.ana, now, &f)->task_reply->row->task->id;
}

/* Close (or cancel) task `id` at `now` by `who`, with a result or none. */
static void conclude_at(struct env *e, uint64_t who, int64_t now, uint64_t id,
			uint64_t result, bool cancel)
{
	struct fx_by_id o;
	Clubcrm__Frame *f = fx_by_id(&o, cancel ? BODY(CANCEL_TASK)
						: BODY(CLOSE_TASK), id);
	o.close.has_result_id = o.cancel.has_result_id = result != 0;
	o.close.result_id = o.cancel.result_id = result;
	write_at(e, who, now, f);
}

static void take_at(struct env *e, uint64_t who, int64_t now, uint64_t id,
		    bool take)
{
	struct fx_by_id o;
	write_at(e, who, now, fx_by_id(&o, take ? BODY(TAKE_TASK)
					       : BODY(RELEASE_TASK), id));
}

static void follow_at(struct env *e, uint64_t who, int64_t now, uint64_t id,
		      uint64_t result)
{
	Clubcrm__FollowUp fu = CLUBCRM__FOLLOW_UP__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	fu.has_id = fu.has_result_id = 1;
	fu.id = id;
	fu.result_id = result;
	f.body_case = BODY(FOLLOW_UP);
	f.follow_up = &fu;
	write_at(e, who, now, &f);
}

/* The report asked by `who` at `now`; the reply frame (maybe an Error). */
static Clubcrm__Frame *ask(struct env *e, uint64_t who, int64_t now,
			   const char *from, const char *to, uint64_t team)
{
	Clubcrm__GetReport g = CLUBCRM__GET_REPORT__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	g.from_date = (char *)from;
	g.to_date = (char *)to;
	g.has_team_id = team != 0;
	g.team_id = team;
	f.body_case = BODY(GET_REPORT);
	f.get_report = &g;
	struct actor a = fx_actor(who, who == e->c.ana);
	a.now = now;
	return fx_read(e->fx, a, &f);
}

static Clubcrm__Report *report(struct env *e, uint64_t who, int64_t now,
			       const char *from, const char *to)
{
	Clubcrm__Frame *r = ask(e, who, now, from, to, 0);
	if (r->body_case == BODY(ERROR))
		fail_msg("report refused: %s", r->error->message);
	assert_int_equal(r->body_case, BODY(REPORT));
	return r->report;
}

static const Clubcrm__ReportCount *count(const Clubcrm__Report *rep,
					 uint64_t op, uint64_t type)
{
	for (size_t i = 0; i < rep->n_counts; i++)
		if (rep->counts[i]->operator_id == op &&
		    rep->counts[i]->type_id == type)
			return rep->counts[i];
	return NULL;
}

static void assert_count(const Clubcrm__Report *rep, uint64_t op,
			 uint64_t type, uint32_t created, uint32_t done,
			 uint32_t cancelled)
{
	const Clubcrm__ReportCount *c = count(rep, op, type);
	if (!c)
		fail_msg("no row for operator %llu type %llu",
			 (unsigned long long)op, (unsigned long long)type);
	assert_int_equal(c->created, created);
	assert_int_equal(c->done, done);
	assert_int_equal(c->cancelled, cancelled);
}

static const Clubcrm__ReportOutcome *outcome(const Clubcrm__Report *rep,
					     uint64_t type)
{
	for (size_t i = 0; i < rep->n_outcomes; i++)
		if (rep->outcomes[i]->type_id == type)
			return rep->outcomes[i];
	return NULL;
}

/*
 * Created in February and done in March: created counts in February, done
 * in March. Reassigned, then done: the Done is the new operator's (counts
 * go to whoever is responsible right after the change). Cancelled with a
 * result: a cancel and a negative outcome of its type.
 */
static void test_counts_and_crediting(void **state)
{
	struct env *e = *state;
	struct club *c = &e->c;
	uint64_t a = task_at(e, at(e, 2, 20, 10, 0), c->call, c->bea,
			     at(e, 2, 25, 10, 0));
	conclude_at(e, c->bea, at(e, 3, 2, 10, 0), a, c->positive, false);

	uint64_t b = task_at(e, at(e, 3, 3, 10, 0), c->call, c->bea,
			     at(e, 3, 20, 10, 0));
	Clubcrm__ReassignTasks ra = CLUBCRM__REASSIGN_TASKS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	ra.has_from_operator_id = ra.has_to_operator_id = 1;
	ra.from_operator_id = c->bea;
	ra.to_operator_id = c->carl;
	f.body_case = BODY(REASSIGN_TASKS);
	f.reassign_tasks = &ra;
	write_at(e, c->ana, at(e, 3, 4, 10, 0), &f);
	conclude_at(e, c->carl, at(e, 3, 5, 10, 0), b, 0, false);

	uint64_t u = task_at(e, at(e, 3, 6, 10, 0), c->urgent, c->carl,
			     at(e, 3, 7, 10, 0));
	conclude_at(e, c->carl, at(e, 3, 7, 9, 0), u, c->cancel, true);
	/* A follow-up kept open records an outcome without a Done. */
	uint64_t k = task_at(e, at(e, 3, 8, 10, 0), c->call, c->carl,
			     at(e, 3, 9, 10, 0));
	follow_at(e, c->carl, at(e, 3, 8, 11, 0), k, c->negative);
	/* April's work is not March's. */
	conclude_at(e, c->carl, at(e, 4, 2, 10, 0), k, c->positive, false);

	int64_t now = at(e, 4, 10, 12, 0);
	Clubcrm__Report *feb = report(e, c->ana, now, "2027-02-01",
				      "2027-03-01");
	assert_string_equal(feb->from_date, "2027-02-01");
	assert_string_equal(feb->to_date, "2027-03-01");
	assert_string_equal(feb->time_zone, "Europe/Madrid");
	assert_int_equal(feb->from, at(e, 2, 1, 0, 0));
	assert_int_equal(feb->n_counts, 1);
	assert_count(feb, c->bea, c->call, 1, 0, 0);
	assert_string_equal(feb->counts[0]->operator_name, "bea");
	assert_string_equal(feb->counts[0]->type_name, "Call");
	assert_int_equal(feb->n_outcomes, 0);

	Clubcrm__Report *mar = report(e, c->ana, now, "2027-03-01",
				      "2027-04-01");
	assert_count(mar, c->bea, c->call, 1, 1, 0);   /* b created, a done */
	assert_count(mar, c->carl, c->call, 1, 1, 0);  /* k created, b done */
	assert_count(mar, c->carl, c->urgent, 1, 0, 1);
	assert_int_equal(mar->n_counts, 3);
	/* sorted by operator, then type */
	assert_string_equal(mar->counts[0]->operator_name, "bea");
	assert_string_equal(mar->counts[2]->type_name, "Urgent");
	const Clubcrm__ReportOutcome *oc = outcome(mar, c->call);
	assert_non_null(oc);
	assert_int_equal(oc->positive, 1);  /* a */
	assert_int_equal(oc->negative, 1);  /* k's follow-up */
	assert_int_equal(oc->unknown, 0);
	oc = outcome(mar, c->urgent);
	assert_non_null(oc);
	assert_int_equal(oc->negative, 1);
	assert_int_equal(oc->positive + oc->unknown, 0);
	assert_int_equal(mar->n_overdue, 31);

	Clubcrm__Report *apr = report(e, c->ana, now, "2027-04-01",
				      "2027-05-01");
	assert_count(apr, c->carl, c->call, 0, 1, 0);
	/* only the days begun by now are judged */
	assert_int_equal(apr->n_overdue, 10);
	assert_int_equal(apr->overdue[9]->judged_at, now);
	/* the default period: this month */
	Clubcrm__Report *def = report(e, c->ana, now, NULL, NULL);
	assert_string_equal(def->from_date, "2027-04-01");
	assert_string_equal(def->to_date, "2027-05-01");
	assert_int_equal(def->n_counts, 1);
	/* only from: up to and including today */
	def = report(e, c->ana, now, "2027-03-15", NULL);
	assert_string_equal(def->to_date, "2027-04-11");
	assert_int_equal(def->n_overdue, 27);
}

/* Seconds from creation to the first take and to Done, for priority types
 * only; a release and a second take count once; nearest-rank medians. */
static void test_priority_response(void **state)
{
	struct env *e = *state;
	struct club *c = &e->c;
	uint64_t t1 = task_at(e, at(e, 3, 10, 10, 0), c->urgent, c->carl,
			      at(e, 3, 10, 12, 0));
	take_at(e, c->carl, at(e, 3, 10, 10, 5), t1, true);
	conclude_at(e, c->carl, at(e, 3, 10, 11, 0), t1, 0, false);
	uint64_t t2 = task_at(e, at(e, 3, 11, 10, 0), c->urgent, c->carl,
			      at(e, 3, 11, 12, 0));
	take_at(e, c->carl, at(e, 3, 11, 10, 20), t2, true);
	conclude_at(e, c->carl, at(e, 3, 11, 12, 0), t2, 0, false);
	uint64_t t3 = task_at(e, at(e, 3, 12, 10, 0), c->urgent, c->carl,
			      at(e, 3, 12, 12, 0));
	take_at(e, c->carl, at(e, 3, 12, 10, 1), t3, true);
	take_at(e, c->carl, at(e, 3, 12, 10, 2), t3, false);
	take_at(e, c->carl, at(e, 3, 12, 15, 0), t3, true);
	/* not a priority type: not counted */
	uint64_t n = task_at(e, at(e, 3, 13, 10, 0), c->call, c->carl,
			     at(e, 3, 13, 12, 0));
	take_at(e, c->carl, at(e, 3, 13, 10, 1), n, true);
	conclude_at(e, c->carl, at(e, 3, 13, 10, 2), n, 0, false);

	Clubcrm__Report *r = report(e, c->ana, at(e, 4, 1, 9, 0), "2027-03-01",
				    "2027-04-01");
	assert_int_equal(r->n_response, 2);  /* Urgent, then all */
	const Clubcrm__ReportResponse *u = r->response[0];
	assert_int_equal(u->type_id, c->urgent);
	assert_string_equal(u->type_name, "Urgent");
	assert_int_equal(u->taken, 3);       /* 60, 300, 1200 */
	assert_int_equal(u->take_median, 300);
	assert_int_equal(u->take_p90, 1200);
	assert_int_equal(u->done, 2);        /* 3600, 7200 */
	assert_true(u->has_done_median);
	assert_int_equal(u->done_median, 3600);
	assert_int_equal(u->done_p90, 7200);
	const Clubcrm__ReportResponse *all = r->response[1];
	assert_int_equal(all->type_id, 0);
	assert_int_equal(all->taken, 3);
	assert_int_equal(all->take_median, 300);
	assert_int_equal(all->done_p90, 7200);

	/* a period with no priority work: the total row, without medians */
	r = report(e, c->ana, at(e, 4, 1, 9, 0), "2027-02-01", "2027-03-01");
	assert_int_equal(r->n_response, 1);
	assert_int_equal(r->response[0]->taken, 0);
	assert_false(r->response[0]->has_take_median);
	assert_false(r->response[0]->has_done_median);
}

/*
 * Overdue at the end of each of Madrid's days around the spring change
 * (2027-03-28 has 23 hours): a task planned at 00:30 on the 29th is not
 * overdue at the end of the 28th, which a 24-hour day would have said.
 */
static void test_overdue_days_dst(void **state)
{
	struct env *e = *state;
	struct club *c = &e->c;
	uint64_t t1 = task_at(e, at(e, 3, 20, 10, 0), c->call, c->carl,
			      at(e, 3, 27, 23, 30));
	task_at(e, at(e, 3, 20, 10, 1), c->call, c->carl, at(e, 3, 28, 23, 30));
	task_at(e, at(e, 3, 20, 10, 2), c->call, c->carl, at(e, 3, 29, 0, 30));
	/* planned later, not overdue in the period */
	task_at(e, at(e, 3, 20, 10, 3), c->call, c->carl, at(e, 4, 5, 9, 0));
	conclude_at(e, c->carl, at(e, 3, 29, 10, 0), t1, 0, false);

	Clubcrm__Report *r = report(e, c->ana, at(e, 4, 10, 9, 0), "2027-03-26",
				    "2027-03-31");
	assert_int_equal(r->n_overdue, 5);
	static const char *dates[] = {"2027-03-26", "2027-03-27", "2027-03-28",
				      "2027-03-29", "2027-03-30"};
	static const uint32_t want[] = {0, 1, 2, 2, 2};
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(r->overdue[i]->date, dates[i]);
		assert_int_equal(r->overdue[i]->overdue, want[i]);
	}
	/* the 28th ends at local midnight, 23 hours after it began */
	assert_int_equal(r->overdue[2]->judged_at, at(e, 3, 29, 0, 0));
	assert_int_equal(r->overdue[2]->judged_at - r->overdue[1]->judged_at,
			 23 * 3600);
	/* a period starting after the tasks were made: they are seeded from
	 * the state at its start (t1 planned then, concluded later) */
	r = report(e, c->ana, at(e, 4, 10, 9, 0), "2027-03-28", "2027-03-30");
	assert_int_equal(r->overdue[0]->overdue, 2);
	assert_int_equal(r->overdue[1]->overdue, 2);
	assert_int_equal(r->n_counts, 1);
	assert_count(r, c->carl, c->call, 0, 1, 0);
}

/* A quiet period: zeros, not an error. The period before the club, an
 * empty or reversed period, bad dates, too long, the future: refused. */
static void test_periods(void **state)
{
	struct env *e = *state;
	struct club *c = &e->c;
	int64_t now = at(e, 6, 10, 9, 0);
	Clubcrm__Report *r = report(e, c->ana, now, "2027-06-01", "2027-06-08");
	assert_int_equal(r->n_counts, 0);
	assert_int_equal(r->n_outcomes, 0);
	assert_int_equal(r->n_response, 1);
	assert_int_equal(r->n_overdue, 7);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(r->overdue[i]->overdue, 0);

	fx_assert_error(ask(e, c->ana, now, "2026-01-01", "2026-02-01", 0),
			STATUS_OUT_OF_RANGE,
			"the period ends before the club's history: it starts "
			"at 2027-01-15 09:00 (Europe/Madrid)");
	/* begins before the club, ends after: counted from its start */
	r = report(e, c->ana, now, "2026-12-01", "2027-02-01");
	assert_int_equal(r->n_overdue, 62);
	fx_assert_error(ask(e, c->ana, now, "2027-06-08", "2027-06-08", 0),
			STATUS_INVALID_ARGUMENT, "the period is empty");
	fx_assert_error(ask(e, c->ana, now, "2027-06-08", "2027-06-01", 0),
			STATUS_INVALID_ARGUMENT, "the period is empty");
	fx_assert_error(ask(e, c->ana, now, "2027-02-30", "2027-03-01", 0),
			STATUS_INVALID_ARGUMENT, "2027-02-30 is not a date");
	fx_assert_error(ask(e, c->ana, now, "2027-6-01", NULL, 0),
			STATUS_INVALID_ARGUMENT, "from_date: expected a date");
	fx_assert_error(ask(e, c->ana, now, "2027-06-01", "2027-06-01x", 0),
			STATUS_INVALID_ARGUMENT, "to_date: expected a date");
	fx_assert_error(ask(e, c->ana, now, "1999-12-01", "2027-01-01", 0),
			STATUS_INVALID_ARGUMENT, "years 2000 to 2099");
	fx_assert_error(ask(e, c->ana, now, "2027-01-01", "2028-01-03", 0),
			STATUS_INVALID_ARGUMENT, "at most 366 days");
	fx_assert_error(ask(e, c->ana, now, "2027-07-01", "2027-08-01", 0),
			STATUS_OUT_OF_RANGE, "starts in the future");
	fx_assert_error(ask(e, c->ana, now, NULL, "2027-08-01", 0),
			STATUS_INVALID_ARGUMENT, "to_date needs a from_date");
	/* 366 days is allowed (a leap year has them) */
	r = report(e, c->ana, now, "2027-01-01", "2028-01-02");
	assert_int_equal(r->n_overdue, 161);  /* Jan 1 .. Jun 10 */
}

/* An admin sees everyone's, or one team's; an operator only their own
 * tasks, and no team. */
static void test_rights(void **state)
{
	struct env *e = *state;
	struct club *c = &e->c;
	task_at(e, at(e, 3, 1, 10, 0), c->call, c->bea, at(e, 3, 2, 10, 0));
	task_at(e, at(e, 3, 1, 10, 1), c->call, c->carl, at(e, 3, 2, 10, 0));
	task_at(e, at(e, 3, 1, 10, 2), c->call, c->ana, at(e, 3, 2, 10, 0));
	int64_t now = at(e, 3, 10, 9, 0);
	Clubcrm__Report *r = report(e, c->ana, now, "2027-03-01", "2027-03-03");
	assert_int_equal(r->n_counts, 3);
	assert_int_equal(r->overdue[0]->overdue, 0);
	assert_int_equal(r->overdue[1]->overdue, 3);

	r = report(e, c->bea, now, "2027-03-01", "2027-03-03");
	assert_int_equal(r->n_counts, 1);
	assert_count(r, c->bea, c->call, 1, 0, 0);
	assert_int_equal(r->overdue[1]->overdue, 1);

	/* team Reception: ana and carl */
	Clubcrm__Frame *f = ask(e, c->ana, now, "2027-03-01", "2027-03-04",
				c->team);
	assert_int_equal(f->body_case, BODY(REPORT));
	assert_int_equal(f->report->n_counts, 2);
	assert_null(count(f->report, c->bea, c->call));
	assert_int_equal(f->report->overdue[2]->overdue, 2);
	fx_assert_error(ask(e, c->bea, now, "2027-03-01", NULL, c->team),
			STATUS_PERMISSION_DENIED, "only admins");
	fx_assert_error(ask(e, c->ana, now, "2027-03-01", NULL, 999),
			STATUS_NOT_FOUND, "no team 999");
	/* an operator record that does not exist sees nothing */
	fx_assert_error(ask(e, 4242, now, "2027-03-01", NULL, 0),
			STATUS_PERMISSION_DENIED, "not active");
}

/* A name of 100 characters (the catalogue's longest), 388 bytes: 96
 * four-byte letters, then `n`. */
static void long_name(char *out, size_t size, unsigned n)
{
	size_t o = 0;
	for (int i = 0; i < 96 && o + 4 < size; i++) {
		memcpy(out + o, "\xf0\x9d\x94\xb8", 4);  /* U+1D538 */
		o += 4;
	}
	snprintf(out + o, size - o, "%04u", n);
}

/*
 * A report with more rows than one answer holds: the three operators with
 * the longest names, 400 task types likewise, a task for every pair (1,200
 * rows of about 800 bytes, over REPORT_MAX_BYTES). Refused with
 * RESOURCE_EXHAUSTED saying how to narrow it, never cut short; a team of
 * two, or one operator's own, fits and has every row.
 */
#define BIG_TYPES 400u
static void test_report_over_frame(void **state)
{
	struct env *e = *state;
	struct club *c = &e->c;
	char name[512];
	uint64_t ops[3] = {c->ana, c->bea, c->carl};
	for (unsigned i = 0; i < 3; i++) {
		Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
		Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
		Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
		o.has_id = 1;
		o.id = ops[i];
		long_name(name, sizeof(name), i);
		o.name = name;
		u.operator_ = &o;
		f.body_case = BODY(UPSERT_OPERATOR);
		f.upsert_operator = &u;
		assert_int_equal(fx_write(e->fx, fx_actor(0, 1), &f)->body_case,
				 BODY(CATALOG));
	}
	/* The types first: the writes' times go forward (fx_type's are at
	 * FX_NOW, before the period). */
	uint64_t *types = malloc(BIG_TYPES * sizeof(*types));
	assert_non_null(types);
	for (unsigned t = 0; t < BIG_TYPES; t++) {
		long_name(name, sizeof(name), 1000 + t);
		types[t] = fx_type(e->fx, name, 0);
	}
	int64_t when = at(e, 3, 1, 10, 0);
	for (unsigned t = 0; t < BIG_TYPES; t++)
		for (unsigned i = 0; i < 3; i++)
			task_at(e, when++, types[t], ops[i],
				at(e, 3, 5, 10, 0));
	free(types);
	int64_t now = at(e, 3, 10, 9, 0);
	Clubcrm__Frame *f = ask(e, c->ana, now, "2027-03-01", "2027-03-03", 0);
	fx_assert_error(f, STATUS_RESOURCE_EXHAUSTED,
			"the report has 1200 rows of operator and task type");
	fx_assert_error(f, STATUS_RESOURCE_EXHAUSTED,
			"too many for one answer: ask for one team's or a "
			"shorter period");
	/* Team Reception (ana and carl): 760 rows fit. */
	f = ask(e, c->ana, now, "2027-03-01", "2027-03-03", c->team);
	assert_int_equal(f->body_case, BODY(REPORT));
	assert_int_equal(f->report->n_counts, 2 * BIG_TYPES);
	size_t size;
	assert_true(report_fits(f->report, &size));
	assert_true(size > REPORT_MAX_BYTES / 2);
	Clubcrm__Report *r = report(e, c->bea, now, "2027-03-01", "2027-03-03");
	assert_int_equal(r->n_counts, BIG_TYPES);
	assert_count(r, c->bea, r->counts[0]->type_id, 1, 0, 0);
}

/* The bound itself: a report of exactly REPORT_MAX_BYTES fits, one byte
 * more does not. */
static void test_report_fits_at_limit(void **state)
{
	(void)state;
	Clubcrm__ReportCount row = CLUBCRM__REPORT_COUNT__INIT, *rows[1] = {&row};
	Clubcrm__Report rep = CLUBCRM__REPORT__INIT;
	rep.counts = rows;
	rep.n_counts = 1;
	size_t len = REPORT_MAX_BYTES - 64;
	char *big = malloc(len + 64 + 1);
	assert_non_null(big);
	memset(big, 'x', len + 64);
	big[len] = '\0';
	row.operator_name = big;
	size_t size;
	report_fits(&rep, &size);
	/* Grow the name to land on the bound exactly (the length varints
	 * do not change size near it). */
	len += REPORT_MAX_BYTES - size;
	memset(big, 'x', len + 1);
	big[len] = '\0';
	assert_true(report_fits(&rep, &size));
	assert_int_equal(size, REPORT_MAX_BYTES);
	big[len] = 'x';
	big[len + 1] = '\0';
	assert_false(report_fits(&rep, &size));
	assert_int_equal(size, REPORT_MAX_BYTES + 1);
	free(big);
}

static void test_percentile(void **state)
{
	(void)state;
	const int64_t one[] = {7};
	assert_int_equal(report_percentile(one, 1, 50), 7);
	assert_int_equal(report_percentile(one, 1, 90), 7);
	const int64_t ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	assert_int_equal(report_percentile(ten, 10, 50), 5);
	assert_int_equal(report_percentile(ten, 10, 90), 9);
	assert_int_equal(report_percentile(ten, 10, 100), 10);
	const int64_t two[] = {3600, 7200};
	assert_int_equal(report_percentile(two, 2, 50), 3600);
	assert_int_equal(report_percentile(two, 2, 90), 7200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_and_crediting,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_response, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_overdue_days_dst, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_periods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_over_frame, setup,
						teardown),
		cmocka_unit_test(test_report_fits_at_limit),
		cmocka_unit_test(test_percentile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
