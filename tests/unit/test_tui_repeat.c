/* Repeating tasks in the desk's forms: the fields a new task and the info
 * form offer, and the request fields they make (CreateTask / EditTask
 * recurrence, repeat_until, repeat_count), refusals included. */
#include <curses.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timeutil.h"
#include "tui_app.h"
#include "tui_layout.h"
#include "tui_repeat.h"
#include "tui_text.h"

#define DAY 86400
#define T_2026_03_01 1772323200  /* 2026-03-01 00:00 UTC */

static const Clubcrm__Recurrence NONE = CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED;
static const Clubcrm__Recurrence DAILY = CLUBCRM__RECURRENCE__RECURRENCE_DAILY;
static const Clubcrm__Recurrence WEEKLY = CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY;
static const Clubcrm__Recurrence MONTHLY = CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY;

static int setup(void **state)
{
	(void)state;
	time_set_zone("UTC");
	return 0;
}

/* A form with the fields, filled. */
static void fill(struct tui_form *f, const struct tui_repeat_base *b,
		 Clubcrm__Recurrence rec, const char *until, const char *times)
{
	tui_form_init(f, "t");
	assert_int_equal(tui_repeat_add_fields(f, b), 0);
	assert_int_equal(tui_field_choose(tui_form_field(f, "Repeats"), rec), 0);
	if (until)
		tui_field_set_text(tui_form_field(f, "Repeat until"), until);
	if (times)
		tui_field_set_text(tui_form_field(f, "Repeat times"), times);
}

static void test_new_task(void **state)
{
	(void)state;
	struct tui_form f;
	struct tui_repeat r;
	char why[200] = "";
	/* Does not repeat: nothing sent. */
	fill(&f, NULL, NONE, NULL, NULL);
	assert_int_equal(tui_field_choice_id(tui_form_field(&f, "Repeats")), NONE);
	assert_int_equal(tui_repeat_from_form(&f, NULL, &r, why, sizeof(why)), 0);
	assert_false(r.has_rec || r.has_until || r.has_count);
	tui_form_free(&f);
	/* Weekly until a date: its whole day included. */
	fill(&f, NULL, WEEKLY, "2026-03-01", NULL);
	assert_int_equal(tui_repeat_from_form(&f, NULL, &r, why, sizeof(why)), 0);
	assert_true(r.has_rec);
	assert_int_equal(r.rec, WEEKLY);
	assert_true(r.has_until);
	assert_int_equal(r.until, T_2026_03_01 + DAY);
	assert_false(r.has_count);
	tui_form_free(&f);
	/* Until a moment: that moment. */
	fill(&f, NULL, MONTHLY, "2026-03-01 10:30", NULL);
	assert_int_equal(tui_repeat_from_form(&f, NULL, &r, why, sizeof(why)), 0);
	assert_int_equal(r.until, T_2026_03_01 + 10 * 3600 + 1800);
	tui_form_free(&f);
	/* Daily, N times. */
	fill(&f, NULL, DAILY, NULL, "10");
	assert_int_equal(tui_repeat_from_form(&f, NULL, &r, why, sizeof(why)), 0);
	assert_true(r.has_rec);
	assert_int_equal(r.rec, DAILY);
	assert_false(r.has_until);
	assert_true(r.has_count);
	assert_int_equal(r.count, 10);
	tui_form_free(&f);
}

static void refused(Clubcrm__Recurrence rec, const char *until,
		    const char *times, const struct tui_repeat_base *b,
		    const char *says)
{
	struct tui_form f;
	struct tui_repeat r;
	char why[200] = "";
	fill(&f, b, rec, until, times);
	assert_int_equal(tui_repeat_from_form(&f, b, &r, why, sizeof(why)), -1);
	if (!strstr(why, says))
		fail_msg("'%s' does not say '%s'", why, says);
	tui_form_free(&f);
}

static void test_refusals(void **state)
{
	(void)state;
	refused(WEEKLY, "2026-03-01", "3", NULL, "exclude each other");
	refused(NONE, "2026-03-01", NULL, NULL, "Repeat until needs Repeats");
	refused(NONE, NULL, "3", NULL, "Repeat times needs Repeats");
	refused(WEEKLY, "hola", NULL, NULL, "'hola' is not a date");
	refused(WEEKLY, "2026-02-30", NULL, NULL, "is not a date");
	refused(WEEKLY, NULL, "0", NULL, "1..1000");
	refused(WEEKLY, NULL, "1001", NULL, "1..1000");
	refused(WEEKLY, NULL, "-3", NULL, "1..1000");
	refused(WEEKLY, NULL, "3x", NULL, "1..1000");
	refused(WEEKLY, NULL, "99999999999999999999", NULL, "1..1000");
	/* An edit refuses both ends too, and an end typed anew while
	 * stopping the series. */
	struct tui_repeat_base b = {WEEKLY, 0, 5};
	refused(WEEKLY, "2026-03-01", "5", &b, "exclude each other");
	refused(NONE, NULL, "7", &b, "Repeat times needs Repeats");
	/* A form without the fields (a note) sends nothing. */
	struct tui_form f;
	struct tui_repeat r;
	char why[8];
	tui_form_init(&f, "note");
	assert_int_equal(tui_repeat_from_form(&f, &b, &r, why, sizeof(why)), 0);
	assert_false(r.has_rec || r.has_until || r.has_count);
	tui_form_free(&f);
}

static void test_edit(void **state)
{
	(void)state;
	struct tui_form f;
	struct tui_repeat r;
	char why[200] = "";
	/* Shown as it is, and unchanged: nothing sent. */
	struct tui_repeat_base b = {WEEKLY, T_2026_03_01 + DAY, 0};
	tui_form_init(&f, "t");
	tui_repeat_add_fields(&f, &b);
	assert_int_equal(tui_field_choice_id(tui_form_field(&f, "Repeats")), WEEKLY);
	assert_string_equal(tui_form_field(&f, "Repeat until")->text, "2026-03-01");
	assert_string_equal(tui_form_field(&f, "Repeat times")->text, "");
	assert_int_equal(tui_repeat_from_form(&f, &b, &r, why, sizeof(why)), 0);
	assert_false(r.has_rec || r.has_until || r.has_count);
	/* Monthly instead: only the recurrence. */
	tui_field_choose(tui_form_field(&f, "Repeats"), MONTHLY);
	assert_int_equal(tui_repeat_from_form(&f, &b, &r, why, sizeof(why)), 0);
	assert_true(r.has_rec);
	assert_int_equal(r.rec, MONTHLY);
	assert_false(r.has_until || r.has_count);
	/* N times instead of the date: the date cleared, the count set. */
	tui_field_set_text(tui_form_field(&f, "Repeat until"), "");
	tui_field_set_text(tui_form_field(&f, "Repeat times"), "4");
	assert_int_equal(tui_repeat_from_form(&f, &b, &r, why, sizeof(why)), 0);
	assert_true(r.has_until);
	assert_int_equal(r.until, 0);
	assert_true(r.has_count);
	assert_int_equal(r.count, 4);
	/* Stopped: the recurrence unset, the shown end dropped with it. */
	tui_field_choose(tui_form_field(&f, "Repeats"), NONE);
	tui_field_set_text(tui_form_field(&f, "Repeat times"), "");
	tui_field_set_text(tui_form_field(&f, "Repeat until"), "2026-03-01");
	assert_int_equal(tui_repeat_from_form(&f, &b, &r, why, sizeof(why)), 0);
	assert_true(r.has_rec);
	assert_int_equal(r.rec, NONE);
	assert_false(r.has_until || r.has_count);
	tui_form_free(&f);
	/* A moment that is no midnight shows as a moment, and reads back
	 * the same: no change. */
	b = (struct tui_repeat_base){DAILY, T_2026_03_01 + 9 * 3600, 0};
	tui_form_init(&f, "t");
	tui_repeat_add_fields(&f, &b);
	assert_string_equal(tui_form_field(&f, "Repeat until")->text, "2026-03-01 09:00");
	assert_int_equal(tui_repeat_from_form(&f, &b, &r, why, sizeof(why)), 0);
	assert_false(r.has_rec || r.has_until || r.has_count);
	tui_form_free(&f);
	/* A task that did not repeat starts to: recurrence and end. */
	b = (struct tui_repeat_base){NONE, 0, 0};
	fill(&f, &b, DAILY, NULL, "3");
	assert_int_equal(tui_repeat_from_form(&f, &b, &r, why, sizeof(why)), 0);
	assert_true(r.has_rec && r.has_count);
	assert_int_equal(r.rec, DAILY);
	assert_int_equal(r.count, 3);
	assert_false(r.has_until);
	tui_form_free(&f);
	/* Not repeating, left so: nothing. */
	fill(&f, &b, NONE, NULL, NULL);
	assert_int_equal(tui_repeat_from_form(&f, &b, &r, why, sizeof(why)), 0);
	assert_false(r.has_rec || r.has_until || r.has_count);
	tui_form_free(&f);
}

/* Through the desk: a new task and the info form of a task offer the
 * fields (prefilled from the task), a note's do not, and a refused series
 * keeps the form open with the reason in the status line. */
static void test_desk_forms(void **state)
{
	(void)state;
	struct tui_app a;
	memset(&a, 0, sizeof(a));
	tui_forms_open(&a, TUI_FK_NEW_TASK, NULL);
	assert_non_null(tui_form_field(&a.form, "Repeats"));
	tui_field_set_text(tui_form_field(&a.form, "Planned"), "2026-03-01 10:00");
	tui_field_choose(tui_form_field(&a.form, "Repeats"), WEEKLY);
	tui_field_set_text(tui_form_field(&a.form, "Repeat until"), "2026-04-01");
	tui_field_set_text(tui_form_field(&a.form, "Repeat times"), "2");
	tui_submit(&a);
	assert_true(a.status_err);
	assert_non_null(strstr(a.status, "exclude each other"));
	assert_int_equal(a.fkind, TUI_FK_NEW_TASK);  /* still open */
	tui_forms_close(&a);
	tui_forms_open(&a, TUI_FK_NEW_NOTE, NULL);
	assert_null(tui_form_field(&a.form, "Repeats"));
	tui_forms_close(&a);

	Clubcrm__TaskRow row = CLUBCRM__TASK_ROW__INIT;
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.id = 7;
	t.description = "Pilates class";
	t.planned_at = T_2026_03_01 + 10 * 3600;
	t.has_recurrence = 1;
	t.recurrence = MONTHLY;
	t.has_repeat_count = 1;
	t.repeat_count = 6;
	row.task = &t;
	tui_forms_open(&a, TUI_FK_EDIT, &row);
	assert_int_equal(a.rep_base.rec, MONTHLY);
	assert_int_equal(a.rep_base.count, 6);
	assert_int_equal(tui_field_choice_id(tui_form_field(&a.form, "Repeats")), MONTHLY);
	assert_string_equal(tui_form_field(&a.form, "Repeat times")->text, "6");
	tui_field_set_text(tui_form_field(&a.form, "Repeat times"), "0");
	tui_submit(&a);
	assert_true(a.status_err);
	assert_non_null(strstr(a.status, "1..1000"));
	assert_int_equal(a.fkind, TUI_FK_EDIT);
	tui_forms_close(&a);
	t.kind = CLUBCRM__TASK_KIND__TASK_KIND_NOTE;
	tui_forms_open(&a, TUI_FK_EDIT, &row);
	assert_null(tui_form_field(&a.form, "Repeats"));
	tui_forms_close(&a);
}

/* The board marks a repeating task with ↻ in the flags; columns stay
 * aligned with the header. */
static void test_row_mark(void **state)
{
	(void)state;
	Clubcrm__TaskRow r = CLUBCRM__TASK_ROW__INIT;
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	char out[512], plain[512], head[512];
	t.planned_at = T_2026_03_01;
	t.created_at = T_2026_03_01;
	t.description = "Pilates";
	r.task = &t;
	r.operator_name = "Valentina";
	tui_layout_task_row(&r, 120, plain, sizeof(plain));
	assert_null(strstr(plain, "\xe2\x86\xbb"));
	t.has_recurrence = 1;
	t.recurrence = WEEKLY;
	tui_layout_task_row(&r, 120, out, sizeof(out));
	assert_memory_equal(out, "\xe2\x97\x8b    \xe2\x86\xbb ", 10);
	tui_layout_task_header(120, head, sizeof(head));
	/* Same display columns for "Valentina" in both rows and the header's
	 * "Operator". */
	int x_plain = tui_text_width(plain) - tui_text_width(strstr(plain, "Valentina"));
	int x_rep = tui_text_width(out) - tui_text_width(strstr(out, "Valentina"));
	assert_int_equal(x_plain, x_rep);
	assert_int_equal(x_rep, (int)(strstr(head, "Operator") - head));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_task),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_edit),
		cmocka_unit_test(test_desk_forms),
		cmocka_unit_test(test_row_mark),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
