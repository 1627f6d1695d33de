/*
 * The desk's saves against a scripted fake server: a new-task form and a
 * new-contact form each keep one idempotency key until saved, so a save
 * retried after a failure cannot make a second task or contact, and the
 * next form gets a new key; a reassignment says how many tasks moved,
 * "1 task" in the singular.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_desk.h"
#include "status.h"
#include "tui_app.h"

static Clubcrm__Frame *expect_create(struct fake_server *fs)
{
	Clubcrm__Frame *f = fake_recv(fs);
	if (f && f->body_case == CLUBCRM__FRAME__BODY_CREATE_TASK &&
	    f->create_task->has_idempotency_key &&
	    f->create_task->idempotency_key.len == CLIENT_IDEMPOTENCY_KEY_LEN)
		return f;
	fake_fail(fs, "not a create with a key");
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return NULL;
}

static void reply_task(struct fake_server *fs, uint64_t rid, uint64_t id)
{
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.has_id = true;
	t.id = id;
	Clubcrm__TaskRow r = CLUBCRM__TASK_ROW__INIT;
	r.task = &t;
	Clubcrm__TaskReply tr = CLUBCRM__TASK_REPLY__INIT;
	tr.row = &r;
	Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
	g.has_request_id = true;
	g.request_id = rid;
	g.body_case = CLUBCRM__FRAME__BODY_TASK_REPLY;
	g.task_reply = &tr;
	fake_send(fs, &g);
}

static void script(struct fake_server *fs)
{
	uint8_t key[CLIENT_IDEMPOTENCY_KEY_LEN];
	if (!fake_handshake(fs, true))
		return;
	/* The first save fails. */
	Clubcrm__Frame *f = expect_create(fs);
	if (!f)
		return;
	memcpy(key, f->create_task->idempotency_key.data, sizeof(key));
	fake_send_error(fs, f->request_id, STATUS_INVALID_ARGUMENT,
			"type is inactive");
	clubcrm__frame__free_unpacked(f, NULL);
	/* Saved again from the same form: the same key. */
	if (!(f = expect_create(fs)))
		return;
	if (memcmp(f->create_task->idempotency_key.data, key, sizeof(key)))
		fake_fail(fs, "a second save of the form with another key");
	reply_task(fs, f->request_id, 5);
	clubcrm__frame__free_unpacked(f, NULL);
	/* The next form: another key. */
	if (!(f = expect_create(fs)))
		return;
	if (!memcmp(f->create_task->idempotency_key.data, key, sizeof(key)))
		fake_fail(fs, "the next form reuses the saved form's key");
	reply_task(fs, f->request_id, 6);
	clubcrm__frame__free_unpacked(f, NULL);
	fake_until_logout(fs);  /* until the desk logs out */
}

static bool status_is_error(struct tui_app *a)
{
	return a->status_err;
}

static bool form_closed(struct tui_app *a)
{
	return a->fkind == TUI_FK_NONE;
}

/* As tui_forms.c opens a form: the old one closes (a new sequence). */
static void open_new_task(struct tui_app *a, const char *desc)
{
	tui_forms_close(a);
	a->fkind = TUI_FK_NEW_TASK;
	tui_form_init(&a->form, "New task");
	struct tui_field *fl = tui_form_add(&a->form, "Description",
					    TUI_FIELD_TEXT);
	assert_non_null(fl);
	tui_field_set_text(fl, desc);
}

static void test_form_key_kept_until_saved(void **state)
{
	(void)state;
	struct fake_server fs;
	assert_int_equal(fake_start(&fs, false, script, NULL), 0);
	struct fake_desk d;
	fake_desk_open(&d, &fs);
	struct tui_app *a = d.a;

	open_new_task(a, "desk save");
	tui_submit(a);
	fake_desk_run_until(&d, status_is_error);
	assert_int_equal(a->fkind, TUI_FK_NEW_TASK);  /* still open */
	a->status_err = false;
	tui_submit(a);
	fake_desk_run_until(&d, form_closed);
	assert_false(a->status_err);
	assert_non_null(strstr(a->status, "5"));

	open_new_task(a, "next one");
	tui_submit(a);
	fake_desk_run_until(&d, form_closed);
	assert_non_null(strstr(a->status, "6"));

	fake_desk_close(&d);
}

/* The next frame: a customer added (no id) with a 16-byte key, or NULL
 * and the script failed. */
static Clubcrm__Frame *expect_customer_add(struct fake_server *fs)
{
	Clubcrm__Frame *f = fake_recv(fs);
	if (f && f->body_case == CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER &&
	    f->upsert_customer->customer &&
	    !f->upsert_customer->customer->id &&
	    f->upsert_customer->has_idempotency_key &&
	    f->upsert_customer->idempotency_key.len ==
		    CLIENT_IDEMPOTENCY_KEY_LEN)
		return f;
	fake_fail(fs, "not a customer added with a key");
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return NULL;
}

static void reply_customer(struct fake_server *fs, uint64_t rid, uint64_t id)
{
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	c.has_id = true;
	c.id = id;
	Clubcrm__CustomerReply cr = CLUBCRM__CUSTOMER_REPLY__INIT;
	cr.customer = &c;
	Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
	g.has_request_id = true;
	g.request_id = rid;
	g.body_case = CLUBCRM__FRAME__BODY_CUSTOMER_REPLY;
	g.customer_reply = &cr;
	fake_send(fs, &g);
}

static void script_customer(struct fake_server *fs)
{
	uint8_t key[CLIENT_IDEMPOTENCY_KEY_LEN];
	if (!fake_handshake(fs, true))
		return;
	/* The first save of the contact fails. */
	Clubcrm__Frame *f = expect_customer_add(fs);
	if (!f)
		return;
	memcpy(key, f->upsert_customer->idempotency_key.data, sizeof(key));
	if (!f->upsert_customer->customer->name ||
	    strcmp(f->upsert_customer->customer->name, "Pilar Ortega"))
		fake_fail(fs, "not the form's name");
	fake_send_error(fs, f->request_id, STATUS_UNAVAILABLE,
			"the server is busy");
	clubcrm__frame__free_unpacked(f, NULL);
	/* Saved again from the same form: the same key. */
	if (!(f = expect_customer_add(fs)))
		return;
	if (memcmp(f->upsert_customer->idempotency_key.data, key, sizeof(key)))
		fake_fail(fs, "a second save of the form with another key");
	reply_customer(fs, f->request_id, 31);
	clubcrm__frame__free_unpacked(f, NULL);
	/* The next contact form: another key. */
	if (!(f = expect_customer_add(fs)))
		return;
	if (!memcmp(f->upsert_customer->idempotency_key.data, key, sizeof(key)))
		fake_fail(fs, "the next form reuses the saved form's key");
	reply_customer(fs, f->request_id, 32);
	clubcrm__frame__free_unpacked(f, NULL);
	fake_until_logout(fs);
}

/* As the Contacts screen's "add" opens it. */
static void open_new_customer(struct tui_app *a, const char *name)
{
	tui_forms_open(a, TUI_FK_CUSTOMER, NULL);
	assert_int_equal(a->fkind, TUI_FK_CUSTOMER);
	struct tui_field *fl = tui_form_field(&a->form, "Name");
	assert_non_null(fl);
	tui_field_set_text(fl, name);
}

static void test_customer_form_key_kept_until_saved(void **state)
{
	(void)state;
	struct fake_server fs;
	assert_int_equal(fake_start(&fs, false, script_customer, NULL), 0);
	struct fake_desk d;
	fake_desk_open(&d, &fs);
	struct tui_app *a = d.a;

	open_new_customer(a, "Pilar Ortega");
	tui_submit(a);
	fake_desk_run_until(&d, status_is_error);
	assert_int_equal(a->fkind, TUI_FK_CUSTOMER);  /* still open */
	assert_non_null(strstr(a->status, "busy"));
	a->status_err = false;
	tui_submit(a);
	fake_desk_run_until(&d, form_closed);
	assert_false(a->status_err);
	assert_string_equal(a->status, "saved");

	open_new_customer(a, "Pilar Ortega");  /* a namesake: a new form */
	tui_submit(a);
	fake_desk_run_until(&d, form_closed);
	assert_false(a->status_err);

	fake_desk_close(&d);
}

/* The next frame: a reassignment from operator 3 to 4, or NULL and the
 * script failed. */
static Clubcrm__Frame *expect_reassign(struct fake_server *fs)
{
	Clubcrm__Frame *f = fake_recv(fs);
	if (f && f->body_case == CLUBCRM__FRAME__BODY_REASSIGN_TASKS &&
	    f->reassign_tasks->from_operator_id == 3 &&
	    f->reassign_tasks->to_operator_id == 4)
		return f;
	fake_fail(fs, "not a reassignment from 3 to 4");
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return NULL;
}

/* Each reassignment answered with the next count of moved tasks. */
static const size_t moved_counts[] = {1, 0, 2};

static void script_reassign(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	uint64_t ids[] = {41, 42};
	for (size_t i = 0; i < sizeof(moved_counts) / sizeof(moved_counts[0]);
	     i++) {
		Clubcrm__Frame *f = expect_reassign(fs);
		if (!f)
			return;
		Clubcrm__ReassignReply rr = CLUBCRM__REASSIGN_REPLY__INIT;
		rr.n_task_ids = moved_counts[i];
		rr.task_ids = ids;
		rr.has_revision = true;
		rr.revision = 9 + i;
		Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
		g.has_request_id = true;
		g.request_id = f->request_id;
		g.body_case = CLUBCRM__FRAME__BODY_REASSIGN_REPLY;
		g.reassign_reply = &rr;
		fake_send(fs, &g);
		clubcrm__frame__free_unpacked(f, NULL);
	}
	fake_until_logout(fs);
}

/* As the console's r opens it: from operator 3 to 4, any time. */
static void open_reassign(struct tui_app *a)
{
	tui_forms_close(a);
	a->fkind = TUI_FK_REASSIGN;
	tui_form_init(&a->form, "Reassign");
	struct tui_field *from = tui_form_add(&a->form, "From",
					      TUI_FIELD_CHOICE);
	struct tui_field *to = tui_form_add(&a->form, "To", TUI_FIELD_CHOICE);
	assert_non_null(from);
	assert_non_null(to);
	assert_int_equal(tui_field_add_choice(from, 3, "Maribel"), 0);
	assert_int_equal(tui_field_add_choice(to, 4, "Deborah"), 0);
}

/* The count the server answered, singular for one task (0 and 2: plural). */
static void test_reassigned_count(void **state)
{
	(void)state;
	struct fake_server fs;
	assert_int_equal(fake_start(&fs, false, script_reassign, NULL), 0);
	struct fake_desk d;
	fake_desk_open(&d, &fs);
	struct tui_app *a = d.a;
	static const char *const want[] = {
		"1 task reassigned", "0 tasks reassigned", "2 tasks reassigned",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		open_reassign(a);
		tui_submit(a);
		fake_desk_run_until(&d, form_closed);
		assert_false(a->status_err);
		assert_string_equal(a->status, want[i]);
	}
	fake_desk_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_key_kept_until_saved),
		cmocka_unit_test(test_customer_form_key_kept_until_saved),
		cmocka_unit_test(test_reassigned_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
