/* Changing an existing task: an edit (and a stale one refused), a copy,
 * tags added and taken off, and the history these leave. */
#include "taskops_fixture.h"

static void test_edit_and_stale(void **state)
{
	struct fx_env *e = *state;
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

static void test_copy(void **state)
{
	struct fx_env *e = *state;
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
	struct fx_env *e = *state;
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

static void test_history(void **state)
{
	struct fx_env *e = *state;
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

int main(void)
{
	/* UTC, not the clubs' zones, as for every task operation test. */
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		T(test_edit_and_stale),
		T(test_copy),
		T(test_tag_untag),
		T(test_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
