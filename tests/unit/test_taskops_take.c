/* Who works on a task: take and release (one taker at a time, also
 * within a batch), reassignment in bulk, and the rights these need, read
 * from the stored operator. */
#include "taskops_fixture.h"

static void test_take_release(void **state)
{
	struct fx_env *e = *state;
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
	struct fx_env *e = *state;
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

static void test_reassign(void **state)
{
	struct fx_env *e = *state;
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
	struct fx_env *e = *state;
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

int main(void)
{
	/* UTC, not the clubs' zones, as for every task operation test. */
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		T(test_take_release),
		T(test_take_race_in_batch),
		T(test_reassign),
		T(test_rights_from_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
