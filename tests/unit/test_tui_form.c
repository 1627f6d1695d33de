/* Form fields without a terminal: UTF-8 editing, searched pick lists,
 * check boxes, focus and submit/cancel. */
#include <curses.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timeutil.h"
#include "tui_app.h"
#include "tui_widget_form.h"
#include "tui_text.h"

static struct tui_key ch(const char *s)
{
	struct tui_key k = {0};
	strcpy(k.text, s);
	return k;
}

static struct tui_key code(int c)
{
	struct tui_key k = {.code = c};
	return k;
}

static void type(struct tui_field *f, const char *const *chars)
{
	for (; *chars; chars++) {
		struct tui_key k = ch(*chars);
		assert_true(tui_field_key(f, &k));
	}
}

static void test_text_utf8(void **state)
{
	(void)state;
	struct tui_form f;
	tui_form_init(&f, "t");
	struct tui_field *fl = tui_form_add(&f, "Description", TUI_FIELD_TEXT);
	const char *word[] = {"I", "\xc3\xb1", "a", "k", "i", NULL};  /* Iñaki */
	type(fl, word);
	assert_string_equal(fl->text, "I\xc3\xb1" "aki");
	struct tui_key k = code(KEY_LEFT);
	for (int i = 0; i < 3; i++)
		tui_field_key(fl, &k);
	k = code(KEY_BACKSPACE);  /* removes the two bytes of ñ */
	tui_field_key(fl, &k);
	assert_string_equal(fl->text, "Iaki");
	assert_int_equal(fl->pos, 1);
	k = ch("n");
	tui_field_key(fl, &k);
	assert_string_equal(fl->text, "Inaki");
	k = code(KEY_DC);
	tui_field_key(fl, &k);
	assert_string_equal(fl->text, "Inki");
	k = code(TUI_KEY_CTRL('u'));
	tui_field_key(fl, &k);
	assert_string_equal(fl->text, "");
	tui_form_free(&f);
}

static void test_choice_search(void **state)
{
	(void)state;
	struct tui_form f;
	tui_form_init(&f, "t");
	struct tui_field *fl = tui_form_add(&f, "Customer", TUI_FIELD_CHOICE);
	tui_field_add_choice(fl, 0, "(any)");
	tui_field_add_choice(fl, 7, "Arantxa Etxeberria");
	tui_field_add_choice(fl, 9, "Jorge Mart\xc3\xadn");
	const char *jor[] = {"j", "o", "r", NULL};
	type(fl, jor);
	assert_int_equal(tui_field_choice_id(fl), 9);
	struct tui_key k = ch("z");  /* matches nothing: dropped */
	tui_field_key(fl, &k);
	assert_string_equal(fl->search, "jor");
	assert_int_equal(tui_field_choice_id(fl), 9);
	k = code(KEY_RIGHT);  /* wraps around */
	tui_field_key(fl, &k);
	assert_int_equal(tui_field_choice_id(fl), 0);
	k = code(KEY_LEFT);
	tui_field_key(fl, &k);
	assert_int_equal(tui_field_choice_id(fl), 9);
	assert_int_equal(tui_field_choose(fl, 7), 0);
	assert_int_equal(tui_field_choice_id(fl), 7);
	assert_int_equal(tui_field_choose(fl, 8), -ENOENT);
	tui_form_free(&f);
}

static void test_checks(void **state)
{
	(void)state;
	struct tui_form f;
	tui_form_init(&f, "t");
	struct tui_field *fl = tui_form_add(&f, "Tags", TUI_FIELD_CHECKS);
	tui_field_add_choice(fl, 1, "VIP");
	tui_field_add_choice(fl, 2, "Tennis");
	tui_field_choose(fl, 2);
	assert_false(fl->choices[0].on);
	assert_true(fl->choices[1].on);
	struct tui_key k = ch(" ");
	tui_field_key(fl, &k);
	assert_true(fl->choices[0].on);
	k = code(KEY_RIGHT);
	tui_field_key(fl, &k);
	k = ch(" ");
	tui_field_key(fl, &k);
	assert_false(fl->choices[1].on);
	tui_form_free(&f);
}

static void test_focus_submit_cancel(void **state)
{
	(void)state;
	struct tui_form f;
	tui_form_init(&f, "t");
	tui_form_add(&f, "A", TUI_FIELD_TEXT);
	tui_form_add(&f, "B", TUI_FIELD_TEXT);
	struct tui_key k = code(TUI_KEY_ENTER);
	assert_int_equal(tui_form_key(&f, &k), TUI_FORM_NONE);  /* next field */
	assert_int_equal(f.focus, 1);
	assert_int_equal(tui_form_key(&f, &k), TUI_FORM_SUBMIT);  /* last */
	k = code(KEY_UP);
	tui_form_key(&f, &k);
	tui_form_key(&f, &k);  /* wraps */
	assert_int_equal(f.focus, 1);
	k = code(TUI_KEY_CTRL('s'));
	assert_int_equal(tui_form_key(&f, &k), TUI_FORM_SUBMIT);
	k = code(TUI_KEY_ESC);
	assert_int_equal(tui_form_key(&f, &k), TUI_FORM_CANCEL);
	assert_int_equal(tui_form_focus(&f, 5), -ENOENT);
	assert_int_equal(tui_form_focus(&f, 0), 0);
	assert_ptr_equal(tui_form_field(&f, "B"), &f.f[1]);
	assert_null(tui_form_field(&f, "C"));
	tui_form_free(&f);
}

static void test_text_fit(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(tui_text_width("Ferm\xc3\xadn"), 6);
	tui_text_fit("Ferm\xc3\xadn Garc\xc3\xad" "a", 6, 0, out, sizeof(out));
	assert_string_equal(out, "Ferm\xc3\xadn");
	tui_text_fit("ab", 4, 1, out, sizeof(out));
	assert_string_equal(out, "ab  ");
	tui_text_fit("a\tb\x1b[2J", 10, 0, out, sizeof(out));  /* no escapes pass */
	assert_null(strchr(out, '\x1b'));
	tui_text_fit("abcdef", 10, 0, out, 4);  /* the buffer limits too */
	assert_string_equal(out, "abc");
	assert_true(tui_text_contains("Jorge Mart\xc3\xadn", "MART"));
	assert_false(tui_text_contains("Jorge", "x"));
}

/* The board's filter bar becomes the view's TaskFilter; "to" dates take
 * the whole day, empty fields stay unset. */
static void test_filter_bar(void **state)
{
	(void)state;
	time_set_zone("UTC");
	struct tui_form f;
	tui_form_init(&f, "Filter");
	tui_field_set_text(tui_form_add(&f, "Created from", TUI_FIELD_TEXT), "2026-03-01");
	tui_form_add(&f, "Created to", TUI_FIELD_TEXT);
	tui_field_set_text(tui_form_add(&f, "Planned to", TUI_FIELD_TEXT), "2026-03-02");
	struct tui_field *op = tui_form_add(&f, "Operator", TUI_FIELD_CHOICE);
	tui_field_add_choice(op, 0, "(any)");
	tui_field_add_choice(op, 5, "Valentina");
	tui_field_choose(op, 5);
	struct tui_field *ty = tui_form_add(&f, "Type", TUI_FIELD_CHOICE);
	tui_field_add_choice(ty, 0, "(any)");
	struct tui_field *st = tui_form_add(&f, "Status", TUI_FIELD_CHOICE);
	tui_field_add_choice(st, 0, "(any)");
	tui_field_add_choice(st, 2, "Done");
	tui_field_choose(st, 2);
	tui_field_set_text(tui_form_add(&f, "Text", TUI_FIELD_TEXT), "tennis");
	Clubcrm__TaskFilter tf = CLUBCRM__TASK_FILTER__INIT;
	Clubcrm__TaskStatus status;
	uint64_t ids[3] = {0};
	tui_forms_filter(&f, &tf, &status, ids);
	assert_true(tf.has_created_from);
	assert_int_equal(tf.created_from, 1772323200);
	assert_false(tf.has_created_to);
	assert_false(tf.has_planned_from);
	assert_true(tf.has_planned_to);
	assert_int_equal(tf.planned_to, 1772323200 + 2 * 86400);
	assert_int_equal(tf.n_operator_ids, 1);
	assert_int_equal(tf.operator_ids[0], 5);
	assert_int_equal(tf.n_type_ids, 0);
	assert_int_equal(tf.n_statuses, 1);
	assert_int_equal(tf.statuses[0], CLUBCRM__TASK_STATUS__TASK_STATUS_DONE);
	assert_false(tf.has_customer_id);
	assert_string_equal(tf.text, "tennis");
	tui_form_free(&f);
}

/* A form opens without the error of an earlier action under it; a notice
 * that is not an error stays. */
static void test_open_clears_old_error(void **state)
{
	(void)state;
	struct tui_app a;
	memset(&a, 0, sizeof(a));
	tui_app_status(&a, true, "take failed: stale version");
	tui_forms_open(&a, TUI_FK_FILTER, NULL);
	assert_string_equal(a.status, "");
	assert_false(a.status_err);
	tui_forms_close(&a);
	tui_app_status(&a, false, "saved");
	tui_forms_open(&a, TUI_FK_FILTER, NULL);
	assert_string_equal(a.status, "saved");
	tui_forms_close(&a);
}

/* Issue 11 #17: a filter date that is no date ("hola", "2026-02-30") is
 * refused in the form, which stays open, instead of being shown as active
 * and ignored. */
static void test_filter_bad_date_refused(void **state)
{
	(void)state;
	time_set_zone("UTC");
	char err[256];
	struct tui_form f;
	tui_form_init(&f, "Filter");
	struct tui_field *from = tui_form_add(&f, "Planned from", TUI_FIELD_TEXT);
	tui_form_add(&f, "Planned to", TUI_FIELD_TEXT);
	assert_int_equal(tui_forms_filter_check(&f, err, sizeof(err)), 0);
	tui_field_set_text(from, "hola");
	assert_int_equal(tui_forms_filter_check(&f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Planned from: 'hola' is not a date"));
	tui_field_set_text(from, "2026-02-30");
	assert_int_equal(tui_forms_filter_check(&f, err, sizeof(err)), -EINVAL);
	tui_field_set_text(from, "2026-02-28 10:30");
	assert_int_equal(tui_forms_filter_check(&f, err, sizeof(err)), 0);
	tui_form_free(&f);

	/* Through the desk: the form stays open with the error, and the
	 * board's filter is not replaced. */
	struct tui_app a;
	memset(&a, 0, sizeof(a));
	tui_forms_init_filters(&a);
	tui_forms_open(&a, TUI_FK_FILTER, NULL);
	struct tui_field *fl = tui_form_field(&a.form, "Planned from");
	assert_non_null(fl);
	tui_field_set_text(fl, "2026-02-30");
	tui_submit(&a);
	assert_int_equal(a.fkind, TUI_FK_FILTER);
	assert_true(a.status_err);
	assert_non_null(strstr(a.status, "is not a date"));
	assert_int_equal(a.filter.n, 0);
	tui_forms_close(&a);
	tui_form_free(&a.filter);
	tui_form_free(&a.cfilter);
}

/* Issue 11 #13: the info form's history says what each field was and
 * became, newest entry first. */
static void test_history_values(void **state)
{
	(void)state;
	time_set_zone("UTC");
	Clubcrm__FieldChange d = CLUBCRM__FIELD_CHANGE__INIT, p = d, tk = d;
	d.field = "description";
	d.old_value = "Offer tennis lessons";
	d.new_value = "Offer tennis lessons (group)";
	p.field = "planned_at";
	p.has_old_time = p.has_new_time = 1;
	p.old_time = 1773311400;  /* 2026-03-12 10:30 UTC */
	p.new_time = 1773311400 + 1800;
	tk.field = "taken_by";
	tk.new_value = "Valentina";
	Clubcrm__FieldChange *c1[] = {&d, &p}, *c2[] = {&tk};
	char *f1[] = {"description", "planned_at"}, *f2[] = {"taken_by"};
	Clubcrm__HistoryEntry e1 = CLUBCRM__HISTORY_ENTRY__INIT, e2 = e1;
	e1.at = e2.at = 1773311400;
	e1.actor_login = "alicia";
	e1.action = "edit";
	e1.changed_fields = f1;
	e1.n_changed_fields = 2;
	e1.changes = c1;
	e1.n_changes = 2;
	e2.actor_login = "valentina";
	e2.action = "take";
	e2.changed_fields = f2;
	e2.n_changed_fields = 1;
	e2.changes = c2;
	e2.n_changes = 1;
	Clubcrm__HistoryEntry *hs[] = {&e1, &e2};
	Clubcrm__TaskReply tr = CLUBCRM__TASK_REPLY__INIT;
	tr.history = hs;
	tr.n_history = 2;
	struct tui_app a;
	memset(&a, 0, sizeof(a));
	tui_history_fill(&a, &tr);
	assert_int_equal(a.n_history, 5);
	assert_non_null(strstr(a.history[0], "valentina"));
	assert_string_equal(a.history[1], "    taken_by: - -> Valentina");
	assert_non_null(strstr(a.history[2], "alicia"));
	assert_string_equal(a.history[3],
			    "    description: Offer tennis lessons -> Offer "
			    "tennis lessons (group)");
	assert_string_equal(a.history[4],
			    "    planned_at: 12/03/2026 10:30 -> 12/03/2026 11:00");
}

/* Issue 11 #15: the desk's new/copy form keeps every tag of the task (it
 * kept the first only), and sends all the checked ones. */
static void test_copy_keeps_every_tag(void **state)
{
	(void)state;
	struct tui_form f;
	tui_form_init(&f, "Copy task");
	struct tui_field *fl = tui_form_add(&f, "Tags", TUI_FIELD_CHECKS);
	tui_field_add_choice(fl, 3, "VIP");
	tui_field_add_choice(fl, 5, "Tennis");
	tui_field_add_choice(fl, 8, "Marketing");
	uint64_t src[] = {5, 8};
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.tag_ids = src;
	t.n_tag_ids = 2;
	tui_forms_check_tags(fl, &t);
	uint64_t ids[TUI_TAGS_MAX];
	assert_int_equal(tui_field_checked(fl, ids, TUI_TAGS_MAX), 2);
	assert_int_equal(ids[0], 5);
	assert_int_equal(ids[1], 8);
	assert_int_equal(tui_field_checked(fl, ids, 1), 1);  /* bounded */
	tui_forms_check_tags(fl, NULL);  /* a new task: none */
	tui_form_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_utf8),
		cmocka_unit_test(test_choice_search),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_focus_submit_cancel),
		cmocka_unit_test(test_text_fit),
		cmocka_unit_test(test_filter_bar),
		cmocka_unit_test(test_open_clears_old_error),
		cmocka_unit_test(test_filter_bad_date_refused),
		cmocka_unit_test(test_history_values),
		cmocka_unit_test(test_copy_keeps_every_tag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
