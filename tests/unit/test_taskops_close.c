/* Concluding a task: follow-ups with their result and next task, closes
 * and cancels with automatic follow-ons and the note they leave, and the
 * seed's stories. */
#include "taskops_fixture.h"

static Clubcrm__Frame *follow(struct fx *fx, uint64_t who,
			      Clubcrm__FollowUp *in)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(FOLLOW_UP);
	f.follow_up = in;
	return fx_write(fx, fx_actor(who, 0), &f);
}

/* The seed's tennis story: negative result, kept open, a quote for the
 * manager in the same commit; then the quote closed with a note. */
static void test_follow_up_story(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	Clubcrm__Task *appt = fx_task(fx, &e->c, "Offer tennis lessons",
				      FX_NOW + 3600);
	Clubcrm__FollowUp in = CLUBCRM__FOLLOW_UP__INIT;
	Clubcrm__CreateTask next = CLUBCRM__CREATE_TASK__INIT;
	in.has_id = in.has_result_id = in.has_action = 1;
	in.id = appt->id;
	in.result_id = e->c.negative;
	in.action = CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_KEEP_OPEN;
	next.description = "Prepare a quote with a discount";
	next.has_operator_id = next.has_planned_at = 1;
	next.operator_id = e->c.ana;
	next.planned_at = FX_NOW + 86400;
	in.next = &next;
	uint64_t rev;
	Clubcrm__FollowUp *pin = &in;
	Clubcrm__Frame fr = CLUBCRM__FRAME__INIT;
	fr.body_case = BODY(FOLLOW_UP);
	fr.follow_up = pin;
	Clubcrm__Frame *r = fx_write_rev(fx, fx_actor(e->c.bea, 0), &fr, &rev);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	Clubcrm__TaskReply *rep = r->task_reply;
	assert_int_equal(rep->row->task->status, PLANNED);
	assert_int_equal(rep->row->outcome, CLUBCRM__OUTCOME__OUTCOME_NEGATIVE);
	assert_string_equal(rep->row->result_name, "Negative");
	assert_int_equal(rep->n_created, 1);
	Clubcrm__Task *quote = rep->created[0]->task;
	assert_int_equal(quote->follows_id, appt->id);
	assert_int_equal(quote->operator_id, e->c.ana);
	assert_int_equal(quote->customer_id, e->c.arantxa);
	assert_int_equal(quote->type_id, appt->type_id);
	/* One commit, one revision for both. */
	assert_int_equal(quote->create_rev, rev);
	assert_int_equal(rep->row->task->mod_rev, rev);

	/* Keep open with a result that concludes is refused. */
	in.id = quote->id;
	in.result_id = e->c.positive;
	in.next = NULL;
	fx_assert_error(follow(fx, e->c.ana, &in), STATUS_FAILED_PRECONDITION,
			"cannot be kept open");
	/* Close with a note: Done, the note also its own entry. */
	in.action = CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_CLOSE_WITH_NOTE;
	fx_assert_error(follow(fx, e->c.ana, &in), STATUS_INVALID_ARGUMENT,
			"needs the note");
	in.note = "Arantxa accepted the quote";
	r = follow(fx, e->c.ana, &in);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	assert_int_equal(r->task_reply->row->task->status, DONE);
	assert_string_equal(r->task_reply->row->task->closing_note,
			    "Arantxa accepted the quote");
	assert_int_equal(r->task_reply->n_created, 1);
	Clubcrm__Task *note = r->task_reply->created[0]->task;
	assert_int_equal(note->kind, NOTE);
	assert_int_equal(note->customer_id, e->c.arantxa);
	assert_string_equal(note->description, "Arantxa accepted the quote");
	/* A concluded task cannot be followed up. */
	fx_assert_error(follow(fx, e->c.ana, &in), STATUS_FAILED_PRECONDITION,
			"already Done");
	/* A note cannot be followed up, and a result is required. */
	in.id = note->id;
	fx_assert_error(follow(fx, e->c.ana, &in), STATUS_FAILED_PRECONDITION,
			"note");
	in.id = appt->id;
	in.has_result_id = 0;
	fx_assert_error(follow(fx, e->c.ana, &in), STATUS_INVALID_ARGUMENT,
			"result is required");
	/* The profile shows all four entries. */
	Clubcrm__ListTasks l = CLUBCRM__LIST_TASKS__INIT;
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_customer_id = 1;
	f.customer_id = e->c.arantxa;
	l.filter = &f;
	Clubcrm__Frame lf = CLUBCRM__FRAME__INIT;
	lf.body_case = BODY(LIST_TASKS);
	lf.list_tasks = &l;
	assert_int_equal(fx_read(fx, fx_actor(1, 0), &lf)->task_page->n_rows, 3);
}

static void test_close_result_status_and_follow_ons(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	/* Call gets an automatic follow-on: a call again 30 days after a
	 * negative outcome. */
	Clubcrm__FollowOn fo = CLUBCRM__FOLLOW_ON__INIT;
	fo.has_type_id = fo.has_delay_minutes = fo.has_on_outcome = 1;
	fo.type_id = e->c.call;
	fo.delay_minutes = 30 * 24 * 60;
	fo.on_outcome = CLUBCRM__OUTCOME__OUTCOME_NEGATIVE;
	fo.description = "Call again";
	Clubcrm__FollowOn *fos[1] = {&fo};
	Clubcrm__TaskType ty = CLUBCRM__TASK_TYPE__INIT;
	ty.id = e->c.call;
	ty.follow_ons = fos;
	ty.n_follow_ons = 1;
	Clubcrm__UpsertTaskType u = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	u.task_type = &ty;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPSERT_TASK_TYPE);
	f.upsert_task_type = &u;
	assert_int_equal(fx_write(fx, fx_actor(1, 1), &f)->body_case,
			 BODY(CATALOG));

	Clubcrm__Task *t = fx_task(fx, &e->c, "call", FX_NOW);
	Clubcrm__CloseTask c = CLUBCRM__CLOSE_TASK__INIT;
	c.has_id = c.has_result_id = 1;
	c.id = t->id;
	c.result_id = e->c.cancel;  /* leads to Cancelled */
	f.body_case = BODY(CLOSE_TASK);
	f.close_task = &c;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(e->c.bea, 0), &f);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	assert_int_equal(r->task_reply->row->task->status, CANCELLED);
	assert_int_equal(r->task_reply->n_created, 1);
	Clubcrm__Task *again = r->task_reply->created[0]->task;
	assert_string_equal(again->description, "Call again");
	assert_int_equal(again->planned_at, FX_NOW + 30 * 86400);
	assert_int_equal(again->follows_id, t->id);
	/* A positive close creates nothing more. */
	c.id = again->id;
	c.result_id = e->c.positive;
	r = fx_write(fx, fx_actor(e->c.bea, 0), &f);
	assert_int_equal(r->task_reply->row->task->status, DONE);
	assert_int_equal(r->task_reply->n_created, 0);
}

/* Issue 11 #12: the note of a close or a cancel carries the result the task
 * was closed with, not the default note result (a cancelled close showed a
 * green +Positive in the customer's history). */
static void test_closing_note_result(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	Clubcrm__Settings set = CLUBCRM__SETTINGS__INIT;
	Clubcrm__UpdateSettings us = CLUBCRM__UPDATE_SETTINGS__INIT;
	set.has_default_note_result_id = 1;
	set.default_note_result_id = e->c.positive;
	us.settings = &set;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPDATE_SETTINGS);
	f.update_settings = &us;
	assert_int_not_equal(fx_write(fx, fx_actor(e->c.ana, 1), &f)->body_case,
			     BODY(ERROR));
	/* Cancelled with a result that leads to Cancelled. */
	Clubcrm__Task *t = fx_task(fx, &e->c, "cancel me", FX_NOW);
	Clubcrm__CancelTask cn = CLUBCRM__CANCEL_TASK__INIT;
	cn.has_id = cn.has_result_id = 1;
	cn.id = t->id;
	cn.result_id = e->c.cancel;
	cn.note = "She moved away";
	f.body_case = BODY(CANCEL_TASK);
	f.cancel_task = &cn;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(e->c.bea, 0), &f);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	assert_int_equal(r->task_reply->row->task->status, CANCELLED);
	assert_int_equal(r->task_reply->n_created, 1);
	Clubcrm__TaskRow *note = r->task_reply->created[0];
	assert_int_equal(note->task->kind, NOTE);
	assert_int_equal(note->task->result_id, e->c.cancel);
	assert_int_equal(note->outcome, CLUBCRM__OUTCOME__OUTCOME_NEGATIVE);
	/* Closed with a negative result. */
	t = fx_task(fx, &e->c, "close me", FX_NOW);
	Clubcrm__CloseTask cl = CLUBCRM__CLOSE_TASK__INIT;
	cl.has_id = cl.has_result_id = 1;
	cl.id = t->id;
	cl.result_id = e->c.negative;
	cl.note = "Not interested";
	f.body_case = BODY(CLOSE_TASK);
	f.close_task = &cl;
	r = fx_write(fx, fx_actor(e->c.bea, 0), &f);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	assert_int_equal(r->task_reply->row->task->status, DONE);
	note = r->task_reply->created[0];
	assert_int_equal(note->task->result_id, e->c.negative);
	assert_string_equal(note->result_name, "Negative");
	/* Stored so too. */
	assert_int_equal(fx_get(fx, note->task->id, 0, NULL)->task->result_id,
			 e->c.negative);
	/* Closed without a result and the task has none: the default. */
	t = fx_task(fx, &e->c, "close plain", FX_NOW);
	cl.has_result_id = 0;
	cl.result_id = 0;
	cl.id = t->id;
	r = fx_write(fx, fx_actor(e->c.bea, 0), &f);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	assert_int_equal(r->task_reply->created[0]->task->result_id,
			 e->c.positive);
	/* A note made directly still may not carry a cancelling result. */
	Clubcrm__CreateTask c = fx_new_task(&e->c, "direct", FX_NOW);
	c.has_kind = c.has_result_id = 1;
	c.kind = NOTE;
	c.result_id = e->c.cancel;
	fx_assert_error(fx_create(fx, fx_actor(e->c.bea, 0), &c),
			STATUS_INVALID_ARGUMENT, "cannot be given to a note");
}

/* The seed's first story: the appointment did not take place, another is
 * planned from it; that one succeeds and a quote goes to a colleague. */
static void test_story_missed_appointment(void **state)
{
	struct fx_env *e = *state;
	struct fx *fx = e->fx;
	uint64_t no_show = fx_result(fx, "No show",
				     CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED,
				     CLUBCRM__OUTCOME__OUTCOME_NEGATIVE);
	Clubcrm__CreateTask c = fx_new_task(&e->c, "Subscription appointment",
					    FX_NOW + 3600);
	c.customer_id = e->c.manolo;
	Clubcrm__Task *appt =
		fx_create(fx, fx_actor(e->c.carl, 0), &c)->task_reply->row->task;
	Clubcrm__FollowUp in = CLUBCRM__FOLLOW_UP__INIT;
	Clubcrm__CreateTask next = CLUBCRM__CREATE_TASK__INIT;
	in.has_id = in.has_result_id = 1;
	in.id = appt->id;
	in.result_id = no_show;  /* the result decides: Cancelled */
	next.description = "Subscription appointment, second try";
	next.has_planned_at = 1;
	next.planned_at = FX_NOW + 2 * 86400;
	in.next = &next;
	Clubcrm__Frame *r = follow(fx, e->c.carl, &in);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	assert_int_equal(r->task_reply->row->task->status, CANCELLED);
	Clubcrm__Task *second = r->task_reply->created[0]->task;
	assert_int_equal(second->operator_id, e->c.carl);  /* consultant */
	/* It succeeds: positive, and a quote for bea. */
	in.id = second->id;
	in.result_id = e->c.positive;
	next.description = "Quote for the annual subscription";
	next.has_operator_id = 1;
	next.operator_id = e->c.bea;
	next.planned_at = FX_NOW + 3 * 86400;
	struct actor later = fx_actor(e->c.carl, 0);
	later.now = FX_NOW + 2 * 86400 + 3600;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(FOLLOW_UP);
	f.follow_up = &in;
	r = fx_write(fx, later, &f);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	Clubcrm__TaskRow *done = r->task_reply->row;
	assert_int_equal(done->task->status, DONE);
	assert_int_equal(done->outcome, CLUBCRM__OUTCOME__OUTCOME_POSITIVE);
	Clubcrm__TaskRow *quote = r->task_reply->created[0];
	assert_string_equal(quote->operator_login, "bea");
	assert_string_equal(quote->creator_login, "carl");
	assert_int_equal(quote->task->created_at, later.now);
	assert_int_equal(quote->task->planned_at, FX_NOW + 3 * 86400);
	assert_int_equal(quote->task->follows_id, second->id);
}

int main(void)
{
	/* UTC, not the clubs' zones, as for every task operation test. */
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		T(test_follow_up_story),
		T(test_close_result_status_and_follow_ons),
		T(test_closing_note_result),
		T(test_story_missed_appointment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
