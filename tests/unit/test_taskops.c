/* Operations on existing tasks: edit, copy, follow up, close, cancel, take,
 * release, tag, reassign, and the history they leave. */
#include "domain_fixture.h"

#include <time.h>

#include "recur.h"

#define PLANNED CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED
#define DONE CLUBCRM__TASK_STATUS__TASK_STATUS_DONE
#define CANCELLED CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED
#define NOTE CLUBCRM__TASK_KIND__TASK_KIND_NOTE

struct env {
	struct fx *fx;
	struct club c;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	e->fx = fx_open_club(&e->c);
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

static Clubcrm__Frame *edit(struct fx *fx, uint64_t who,
			    Clubcrm__EditTask *in)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(EDIT_TASK);
	f.edit_task = in;
	return fx_write(fx, fx_actor(who, 0), &f);
}

static void test_edit_and_stale(void **state)
{
	struct env *e = *state;
	Clubcrm__Task *t = fx_task(e->fx, &e->c, "first", FX_NOW + 60);
	Clubcrm__EditTask in = CLUBCRM__EDIT_TASK__INIT;
	in.has_id = in.has_base_mod_rev = 1;
	in.id = t->id;
	in.base_mod_rev = t->mod_rev;
	in.description = "second";
	in.has_set_tags = in.set_tags = 1;
	in.tag_ids = &e->c.vip;
	in.n_tag_ids = 1;
	Clubcrm__Frame *r = edit(e->fx, e->c.bea, &in);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	Clubcrm__Task *t2 = r->task_reply->row->task;
	assert_string_equal(t2->description, "second");
	assert_int_equal(t2->creator_id, e->c.ana);  /* unchanged */
	assert_int_equal(t2->modified_by, e->c.bea);
	assert_true(t2->mod_rev > t->mod_rev);
	/* The other terminal, still on the old revision, is refused and
	 * gets the current record. */
	in.description = "third";
	uint64_t rev = store_revision(e->fx->st);
	r = edit(e->fx, e->c.carl, &in);
	fx_assert_error(r, STATUS_FAILED_PRECONDITION, "changed by someone");
	assert_non_null(r->error->current);
	assert_string_equal(r->error->current->task->description, "second");
	assert_int_equal(store_revision(e->fx->st), rev);
	/* Never editable: creator and creation time. */
	in.base_mod_rev = t2->mod_rev;
	in.has_creator_id = 1;
	in.creator_id = e->c.carl;
	fx_assert_error(edit(e->fx, e->c.carl, &in), STATUS_INVALID_ARGUMENT,
			"creator");
	in.has_creator_id = 0;
	in.has_created_at = 1;
	fx_assert_error(edit(e->fx, e->c.carl, &in), STATUS_INVALID_ARGUMENT,
			"creation time");
	in.has_created_at = 0;
	in.has_base_mod_rev = 0;
	fx_assert_error(edit(e->fx, e->c.carl, &in), STATUS_INVALID_ARGUMENT,
			"base_mod_rev");
	in.has_base_mod_rev = 1;
	in.has_customer_id = 1;
	in.customer_id = 404;
	fx_assert_error(edit(e->fx, e->c.carl, &in), STATUS_NOT_FOUND,
			"unknown customer 404");
	in.has_customer_id = 0;
	in.has_follows_id = 1;
	in.follows_id = t->id;
	fx_assert_error(edit(e->fx, e->c.carl, &in), STATUS_INVALID_ARGUMENT,
			"itself");
	assert_int_equal(store_revision(e->fx->st), rev);
}

static Clubcrm__Frame *simple(struct fx *fx, uint64_t who, int admin,
			      Clubcrm__Frame__BodyCase body, uint64_t id)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	Clubcrm__TakeTask take = CLUBCRM__TAKE_TASK__INIT;
	Clubcrm__ReleaseTask rel = CLUBCRM__RELEASE_TASK__INIT;
	Clubcrm__CloseTask close = CLUBCRM__CLOSE_TASK__INIT;
	Clubcrm__CancelTask cancel = CLUBCRM__CANCEL_TASK__INIT;
	take.has_id = rel.has_id = close.has_id = cancel.has_id = 1;
	take.id = rel.id = close.id = cancel.id = id;
	f.body_case = body;
	if (body == BODY(TAKE_TASK))
		f.take_task = &take;
	else if (body == BODY(RELEASE_TASK))
		f.release_task = &rel;
	else if (body == BODY(CLOSE_TASK))
		f.close_task = &close;
	else
		f.cancel_task = &cancel;
	return fx_write(fx, fx_actor(who, admin), &f);
}

static void test_take_release(void **state)
{
	struct env *e = *state;
	struct fx *fx = e->fx;
	Clubcrm__Task *t = fx_task(fx, &e->c, "take me", FX_NOW + 60);
	Clubcrm__Frame *r = simple(fx, e->c.bea, 0, BODY(TAKE_TASK), t->id);
	assert_int_equal(r->task_reply->row->task->taken_by, e->c.bea);
	/* Issue 11 #14: yellow is a taken *priority* task; an ordinary one
	 * names its taker without the colour. */
	assert_int_equal(r->task_reply->row->colour,
			 CLUBCRM__COLOUR__COLOUR_NONE);
	assert_string_equal(r->task_reply->row->taken_by_login, "bea");
	Clubcrm__CreateTask u = fx_new_task(&e->c, "urgent", FX_NOW + 60);
	u.type_id = e->c.urgent;
	Clubcrm__Frame *ur = fx_create(fx, fx_actor(e->c.ana, 1), &u);
	assert_int_equal(ur->task_reply->row->colour,
			 CLUBCRM__COLOUR__COLOUR_RED);
	ur = simple(fx, e->c.bea, 0, BODY(TAKE_TASK),
		    ur->task_reply->row->task->id);
	assert_int_equal(ur->task_reply->row->colour,
			 CLUBCRM__COLOUR__COLOUR_YELLOW);
	/* Taking it again is harmless; another taker is refused by name. */
	uint64_t rev = store_revision(fx->st);
	r = simple(fx, e->c.bea, 0, BODY(TAKE_TASK), t->id);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	assert_int_equal(store_revision(fx->st), rev);
	r = simple(fx, e->c.carl, 0, BODY(TAKE_TASK), t->id);
	fx_assert_error(r, STATUS_FAILED_PRECONDITION, "already taken by bea");
	r = simple(fx, e->c.carl, 0, BODY(RELEASE_TASK), t->id);
	fx_assert_error(r, STATUS_FAILED_PRECONDITION, "taken by bea");
	/* An admin may release anyone's. */
	r = simple(fx, e->c.ana, 1, BODY(RELEASE_TASK), t->id);
	assert_int_equal(r->task_reply->row->task->taken_by, 0);
	r = simple(fx, e->c.ana, 1, BODY(RELEASE_TASK), t->id);
	fx_assert_error(r, STATUS_FAILED_PRECONDITION, "not taken");
	/* Concluding ends the taking; a concluded task cannot be taken. */
	simple(fx, e->c.carl, 0, BODY(TAKE_TASK), t->id);
	r = simple(fx, e->c.carl, 0, BODY(CANCEL_TASK), t->id);
	assert_int_equal(r->task_reply->row->task->status, CANCELLED);
	assert_int_equal(r->task_reply->row->task->taken_by, 0);
	assert_int_equal(r->task_reply->row->task->concluded_at, FX_NOW);
	r = simple(fx, e->c.bea, 0, BODY(TAKE_TASK), t->id);
	fx_assert_error(r, STATUS_FAILED_PRECONDITION, "Cancelled");
	r = simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), t->id);
	fx_assert_error(r, STATUS_FAILED_PRECONDITION, "already Cancelled");
	r = simple(fx, e->c.bea, 0, BODY(TAKE_TASK), 31337);
	fx_assert_error(r, STATUS_NOT_FOUND, "unknown task 31337");
}

/* Two takes of the same task in one batch: the first wins. */
static void test_take_race_in_batch(void **state)
{
	struct env *e = *state;
	Clubcrm__Task *t = fx_task(e->fx, &e->c, "race", FX_NOW + 60);
	Clubcrm__TakeTask take = CLUBCRM__TAKE_TASK__INIT;
	take.has_id = 1;
	take.id = t->id;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(TAKE_TASK);
	f.take_task = &take;
	struct service_write_op ops[2] = {
		{.who = fx_actor(e->c.bea, 0), .req = &f},
		{.who = fx_actor(e->c.carl, 0), .req = &f},
	};
	assert_int_equal(service_write_batch(e->fx->st, ops, 2), 0);
	assert_int_equal(fx_reply(e->fx, &ops[0])->body_case,
			 BODY(TASK_REPLY));
	fx_assert_error(fx_reply(e->fx, &ops[1]),
			STATUS_FAILED_PRECONDITION, "already taken by bea");
	for (int i = 0; i < 2; i++) {
		service_write_op_free(&ops[i]);
	}
}

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
	struct env *e = *state;
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
	struct env *e = *state;
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
	struct env *e = *state;
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

static void test_copy(void **state)
{
	struct env *e = *state;
	Clubcrm__CreateTask src = fx_new_task(&e->c, "weekly", FX_NOW);
	src.tag_ids = &e->c.vip;
	src.n_tag_ids = 1;
	Clubcrm__Task *t = fx_create(e->fx, fx_actor(e->c.ana, 0), &src)
				   ->task_reply->row->task;
	Clubcrm__CopyTask cp = CLUBCRM__COPY_TASK__INIT;
	Clubcrm__CreateTask ov = CLUBCRM__CREATE_TASK__INIT;
	cp.has_id = 1;
	cp.id = t->id;
	ov.has_planned_at = 1;
	ov.planned_at = FX_NOW + 7 * 86400;
	cp.overrides = &ov;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(COPY_TASK);
	f.copy_task = &cp;
	Clubcrm__Frame *r = fx_write(e->fx, fx_actor(e->c.carl, 0), &f);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	Clubcrm__Task *c = r->task_reply->row->task;
	assert_true(c->id != t->id);
	assert_string_equal(c->description, "weekly");
	assert_int_equal(c->planned_at, FX_NOW + 7 * 86400);
	assert_int_equal(c->creator_id, e->c.carl);
	assert_int_equal(c->n_tag_ids, 1);
	ov.has_kind = 1;
	ov.kind = NOTE;
	fx_assert_error(fx_write(e->fx, fx_actor(e->c.carl, 0), &f),
			STATUS_INVALID_ARGUMENT, "kind");
}

static Clubcrm__Frame *tag(struct fx *fx, uint64_t id, uint64_t tag_id,
			   int add)
{
	Clubcrm__TagTask t = CLUBCRM__TAG_TASK__INIT;
	Clubcrm__UntagTask u = CLUBCRM__UNTAG_TASK__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	t.has_id = t.has_tag_id = u.has_id = u.has_tag_id = 1;
	t.id = u.id = id;
	t.tag_id = u.tag_id = tag_id;
	f.body_case = add ? BODY(TAG_TASK) : BODY(UNTAG_TASK);
	if (add)
		f.tag_task = &t;
	else
		f.untag_task = &u;
	return fx_write(fx, fx_actor(2, 0), &f);
}

static void test_tag_untag(void **state)
{
	struct env *e = *state;
	Clubcrm__Task *t = fx_task(e->fx, &e->c, "tags", FX_NOW);
	Clubcrm__Frame *r = tag(e->fx, t->id, e->c.vip, 1);
	assert_int_equal(r->task_reply->row->n_tag_names, 1);
	r = tag(e->fx, t->id, e->c.old, 1);
	assert_int_equal(r->task_reply->row->n_tag_names, 2);
	uint64_t rev = store_revision(e->fx->st);
	r = tag(e->fx, t->id, e->c.old, 1);  /* already there: no write */
	assert_int_equal(store_revision(e->fx->st), rev);
	r = tag(e->fx, t->id, e->c.vip, 0);
	assert_int_equal(r->task_reply->row->n_tag_names, 1);
	assert_string_equal(r->task_reply->row->tag_names[0], "Old");
	fx_assert_error(tag(e->fx, t->id, 999, 1), STATUS_NOT_FOUND,
			"unknown tag 999");
	fx_assert_error(tag(e->fx, t->id, 999, 0), STATUS_NOT_FOUND,
			"unknown tag 999");
}

static void test_reassign(void **state)
{
	struct env *e = *state;
	struct fx *fx = e->fx;
	/* Arantxa's consultant is bea: three open tasks and one done. */
	Clubcrm__Task *a = fx_task(fx, &e->c, "a", FX_NOW);
	Clubcrm__Task *b = fx_task(fx, &e->c, "b", FX_NOW + 86400);
	simple(fx, e->c.bea, 0, BODY(TAKE_TASK), b->id);
	fx_task(fx, &e->c, "c", FX_NOW + 2 * 86400);
	simple(fx, e->c.bea, 0, BODY(CLOSE_TASK), a->id);
	Clubcrm__ReassignTasks in = CLUBCRM__REASSIGN_TASKS__INIT;
	in.has_from_operator_id = in.has_to_operator_id = 1;
	in.from_operator_id = e->c.bea;
	in.to_operator_id = e->c.carl;
	in.has_planned_to = 1;
	in.planned_to = FX_NOW + 2 * 86400;  /* leaves "c" out */
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(REASSIGN_TASKS);
	f.reassign_tasks = &in;
	uint64_t rev;
	Clubcrm__Frame *r = fx_write_rev(fx, fx_actor(e->c.ana, 0), &f, &rev);
	assert_int_equal(r->body_case, BODY(REASSIGN_REPLY));
	assert_int_equal(r->reassign_reply->n_task_ids, 1);
	assert_int_equal(r->reassign_reply->revision, rev);
	Clubcrm__TaskRow *rb = fx_get(fx, b->id, 0, NULL);
	assert_int_equal(rb->task->operator_id, e->c.carl);
	assert_int_equal(rb->task->taken_by, 0);
	in.has_planned_to = 0;
	r = fx_write(fx, fx_actor(e->c.ana, 0), &f);
	assert_int_equal(r->reassign_reply->n_task_ids, 1);
	assert_int_equal(fx_get(fx, a->id, 0, NULL)->task->operator_id,
			 e->c.bea);
	in.to_operator_id = e->c.carl;
	in.from_operator_id = e->c.carl;
	fx_assert_error(fx_write(fx, fx_actor(e->c.ana, 0), &f),
			STATUS_INVALID_ARGUMENT, "same");
	in.to_operator_id = 404;
	fx_assert_error(fx_write(fx, fx_actor(e->c.ana, 0), &f),
			STATUS_NOT_FOUND, "unknown operator 404");
}

/*
 * Rights come from the stored operator record inside the write, not from
 * what the session claims: bulk reassignment is for admins, and an operator
 * deactivated (or unknown) writes nothing.
 */
static void test_rights_from_store(void **state)
{
	struct env *e = *state;
	struct fx *fx = e->fx;
	fx_task(fx, &e->c, "bea's", FX_NOW);  /* Arantxa's: bea's task */
	Clubcrm__ReassignTasks in = CLUBCRM__REASSIGN_TASKS__INIT;
	in.has_from_operator_id = in.has_to_operator_id = 1;
	in.from_operator_id = e->c.bea;
	in.to_operator_id = e->c.carl;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(REASSIGN_TASKS);
	f.reassign_tasks = &in;
	uint64_t rev = store_revision(fx->st);
	/* An operator may not, even claiming admin. */
	fx_assert_error(fx_write(fx, fx_actor(e->c.carl, 0), &f),
			STATUS_PERMISSION_DENIED, "only admins may reassign");
	fx_assert_error(fx_write(fx, fx_actor(e->c.bea, 1), &f),
			STATUS_PERMISSION_DENIED, "only admins may reassign");
	/* An unknown operator id writes nothing at all. */
	Clubcrm__CreateTask t = fx_new_task(&e->c, "ghost", FX_NOW);
	fx_assert_error(fx_create(fx, fx_actor(404, 1), &t),
			STATUS_PERMISSION_DENIED, "deactivated");
	assert_int_equal(store_revision(fx->st), rev);
	Clubcrm__Frame *r = fx_write(fx, fx_actor(e->c.ana, 0), &f);
	assert_int_equal(r->reassign_reply->n_task_ids, 1);

	/* Carl deactivated: his session's creates and takes are refused. */
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	Clubcrm__Frame d = CLUBCRM__FRAME__INIT;
	o.has_id = o.has_active = 1;
	o.id = e->c.carl;
	o.active = 0;
	u.operator_ = &o;
	d.body_case = BODY(UPSERT_OPERATOR);
	d.upsert_operator = &u;
	assert_int_equal(fx_write(fx, fx_actor(e->c.ana, 1), &d)->body_case,
			 BODY(CATALOG));
	Clubcrm__Task *task = fx_task(fx, &e->c, "open", FX_NOW);
	rev = store_revision(fx->st);
	t = fx_new_task(&e->c, "late", FX_NOW);
	fx_assert_error(fx_create(fx, fx_actor(e->c.carl, 0), &t),
			STATUS_PERMISSION_DENIED, "deactivated");
	fx_assert_error(simple(fx, e->c.carl, 1, BODY(TAKE_TASK), task->id),
			STATUS_PERMISSION_DENIED, "deactivated");
	assert_int_equal(store_revision(fx->st), rev);
}

static void test_history(void **state)
{
	struct env *e = *state;
	struct fx *fx = e->fx;
	Clubcrm__Task *t = fx_task(fx, &e->c, "history", FX_NOW);
	simple(fx, e->c.bea, 0, BODY(TAKE_TASK), t->id);
	Clubcrm__EditTask in = CLUBCRM__EDIT_TASK__INIT;
	Clubcrm__TaskRow *row = fx_get(fx, t->id, 0, NULL);
	in.has_id = in.has_base_mod_rev = in.has_planned_at = 1;
	in.id = t->id;
	in.base_mod_rev = row->task->mod_rev;
	in.planned_at = FX_NOW + 600;
	in.description = "history!";
	edit(fx, e->c.carl, &in);
	Clubcrm__TaskReply *rep;
	fx_get(fx, t->id, 1, &rep);
	assert_int_equal(rep->n_history, 3);
	assert_string_equal(rep->history[0]->action, "create");
	assert_string_equal(rep->history[0]->actor_login, "ana");
	assert_string_equal(rep->history[1]->action, "take");
	assert_string_equal(rep->history[1]->actor_login, "bea");
	assert_int_equal(rep->history[1]->n_changed_fields, 1);
	assert_string_equal(rep->history[1]->changed_fields[0], "taken_by");
	assert_string_equal(rep->history[2]->action, "edit");
	assert_int_equal(rep->history[2]->n_changed_fields, 2);
	assert_string_equal(rep->history[2]->changed_fields[0], "description");
	assert_string_equal(rep->history[2]->changed_fields[1], "planned_at");
	assert_true(rep->history[1]->revision < rep->history[2]->revision);

	/* Issue 11 #13: every change with its old and new value. */
	Clubcrm__HistoryEntry *h = rep->history[0];
	assert_int_equal(h->n_changes, h->n_changed_fields);
	for (size_t i = 0; i < h->n_changes; i++) {
		assert_string_equal(h->changes[i]->field, h->changed_fields[i]);
		assert_null(h->changes[i]->old_value);  /* a create: none */
		if (strcmp(h->changes[i]->field, "type") == 0)
			assert_string_equal(h->changes[i]->new_value, "Call");
		if (strcmp(h->changes[i]->field, "customer") == 0)
			assert_string_equal(h->changes[i]->new_value, "Arantxa");
		if (strcmp(h->changes[i]->field, "status") == 0)
			assert_string_equal(h->changes[i]->new_value, "planned");
	}
	h = rep->history[1];
	assert_int_equal(h->n_changes, 1);
	assert_string_equal(h->changes[0]->field, "taken_by");
	assert_null(h->changes[0]->old_value);
	assert_string_equal(h->changes[0]->new_value, "bea");
	h = rep->history[2];
	assert_int_equal(h->n_changes, 2);
	assert_string_equal(h->changes[0]->old_value, "history");
	assert_string_equal(h->changes[0]->new_value, "history!");
	assert_true(h->changes[1]->has_old_time && h->changes[1]->has_new_time);
	assert_int_equal(h->changes[1]->old_time, FX_NOW);
	assert_int_equal(h->changes[1]->new_time, FX_NOW + 600);

	/* Tags by name, a result, a status, a long text cut. */
	Clubcrm__TagTask tg = CLUBCRM__TAG_TASK__INIT;
	tg.has_id = tg.has_tag_id = 1;
	tg.id = t->id;
	tg.tag_id = e->c.vip;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(TAG_TASK);
	f.tag_task = &tg;
	assert_int_equal(fx_write(fx, fx_actor(e->c.bea, 0), &f)->body_case,
			 BODY(TASK_REPLY));
	tg.tag_id = e->c.old;
	fx_write(fx, fx_actor(e->c.bea, 0), &f);
	char longnote[400];
	memset(longnote, 'n', sizeof(longnote) - 1);
	longnote[sizeof(longnote) - 1] = '\0';
	Clubcrm__CancelTask cn = CLUBCRM__CANCEL_TASK__INIT;
	cn.has_id = cn.has_result_id = 1;
	cn.id = t->id;
	cn.result_id = e->c.cancel;
	cn.note = longnote;
	f.body_case = BODY(CANCEL_TASK);
	f.cancel_task = &cn;
	assert_int_equal(fx_write(fx, fx_actor(e->c.bea, 0), &f)->body_case,
			 BODY(TASK_REPLY));
	fx_get(fx, t->id, 1, &rep);
	assert_int_equal(rep->n_history, 6);
	h = rep->history[4];
	assert_string_equal(h->changes[0]->field, "tags");
	assert_string_equal(h->changes[0]->old_value, "VIP");
	assert_string_equal(h->changes[0]->new_value, "VIP, Old");
	h = rep->history[5];
	int seen = 0;
	for (size_t i = 0; i < h->n_changes; i++) {
		const Clubcrm__FieldChange *c = h->changes[i];
		if (strcmp(c->field, "status") == 0) {
			assert_string_equal(c->old_value, "planned");
			assert_string_equal(c->new_value, "cancelled");
			seen++;
		} else if (strcmp(c->field, "result") == 0) {
			assert_null(c->old_value);
			assert_string_equal(c->new_value, "Cancel");
			seen++;
		} else if (strcmp(c->field, "closing_note") == 0) {
			assert_int_equal(strlen(c->new_value), 203);
			assert_string_equal(c->new_value + 200, "...");
			seen++;
		}
	}
	assert_int_equal(seen, 3);
}

/* The seed's first story: the appointment did not take place, another is
 * planned from it; that one succeeds and a quote goes to a colleague. */
static void test_story_missed_appointment(void **state)
{
	struct env *e = *state;
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

static void test_recurring(void **state)
{
	struct env *e = *state;
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
	struct env *e = *state;
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
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_edit_and_stale),
		T(test_take_release),
		T(test_take_race_in_batch),
		T(test_follow_up_story),
		T(test_close_result_status_and_follow_ons),
		T(test_closing_note_result),
		T(test_copy),
		T(test_tag_untag),
		T(test_reassign),
		T(test_rights_from_store),
		T(test_history),
		T(test_story_missed_appointment),
		T(test_recurring),
		cmocka_unit_test(test_recur_times),
		cmocka_unit_test(test_recur_rule),
		cmocka_unit_test(test_recur_daily_and_month_ends),
		cmocka_unit_test(test_recur_series_end),
		T(test_recurring_series),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
