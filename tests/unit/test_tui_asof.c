/* The past on the desk's board: the prompt's parsing, the title bar's
 * mark, the rows kept from the pages, and the read-only keys. */
#include <curses.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "timeutil.h"
#include "tui_app.h"
#include "tui_asof.h"

#define T_2026_03_01 1772323200  /* 2026-03-01 00:00 UTC */

static int setup(void **state)
{
	(void)state;
	time_set_zone("UTC");
	return 0;
}

static void test_parse(void **state)
{
	(void)state;
	struct tui_asof_query q;
	char why[256];
	assert_int_equal(tui_asof_parse("r12", &q, why, sizeof(why)), 0);
	assert_false(q.has_at);
	assert_int_equal(q.rev, 12);
	assert_int_equal(tui_asof_parse(" R3", &q, why, sizeof(why)), 0);
	assert_int_equal(q.rev, 3);
	assert_int_equal(tui_asof_parse("2026-03-01 10:30", &q, why, sizeof(why)), 0);
	assert_true(q.has_at);
	assert_int_equal(q.at, T_2026_03_01 + 10 * 3600 + 1800);
	assert_int_equal(q.rev, 0);
	/* A moment in the future parses: the server refuses it. */
	assert_int_equal(tui_asof_parse("2099-01-01 00:00", &q, why, sizeof(why)), 0);

	static const char *const bad_rev[] = {"r", "r0", "r12x", "r-1", "rr",
		"r99999999999999999999999", NULL};
	for (int i = 0; bad_rev[i]; i++) {
		why[0] = '\0';
		assert_int_equal(tui_asof_parse(bad_rev[i], &q, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "is not a revision"));
	}
	assert_int_equal(tui_asof_parse("", &q, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "give a moment"));
	assert_int_equal(tui_asof_parse("hola", &q, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "as of 'hola': use YYYY-MM-DD HH:MM"));
	assert_int_equal(tui_asof_parse("2026-02-30 10:00", &q, why, sizeof(why)), -1);
	/* A day is no moment: which minute of it? */
	assert_int_equal(tui_asof_parse("2026-03-01", &q, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "give a time"));
	/* A time the club's zone skips. */
	assert_int_equal(time_set_zone("Europe/Madrid"), 0);
	assert_int_equal(tui_asof_parse("2026-03-29 02:30", &q, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "does not exist"));
	time_set_zone("UTC");
}

static void test_title(void **state)
{
	(void)state;
	struct tui_asof s;
	char out[160];
	memset(&s, 0, sizeof(s));
	s.q.has_at = true;
	s.q.at = T_2026_03_01 + 10 * 3600;
	s.loading = true;
	tui_asof_title(&s, out, sizeof(out));
	assert_string_equal(out, "AS OF 2026-03-01 10:00 (rev ...) read-only, loading");
	s.loading = false;
	s.rev = 1234;
	s.rev_at = T_2026_03_01 + 9 * 3600;  /* asked for a time: that time */
	tui_asof_title(&s, out, sizeof(out));
	assert_string_equal(out, "AS OF 2026-03-01 10:00 (rev 1234) read-only");
	/* Asked for a revision: its commit time, once known. */
	memset(&s, 0, sizeof(s));
	s.q.rev = 7;
	tui_asof_title(&s, out, sizeof(out));
	assert_string_equal(out, "AS OF (rev 7) read-only");
	s.rev = 7;
	s.rev_at = T_2026_03_01 + 8 * 3600 + 5 * 60 + 9;
	s.incomplete = true;
	tui_asof_title(&s, out, sizeof(out));
	assert_string_equal(out, "AS OF 2026-03-01 08:05 (rev 7) read-only, incomplete");
}

static void test_pages(void **state)
{
	(void)state;
	struct tui_asof s;
	memset(&s, 0, sizeof(s));
	Clubcrm__Task t[3];
	Clubcrm__TaskRow r[3];
	Clubcrm__TaskRow *rp[3];
	for (int i = 0; i < 3; i++) {
		clubcrm__task__init(&t[i]);
		clubcrm__task_row__init(&r[i]);
		t[i].has_id = 1;
		t[i].id = 10 + (uint64_t)i;
		t[i].description = "Call back";
		r[i].task = &t[i];
		rp[i] = &r[i];
	}
	r[1].task = NULL;  /* a row without its task is dropped */
	Clubcrm__TaskPage p = CLUBCRM__TASK_PAGE__INIT;
	p.rows = rp;
	p.n_rows = 3;
	assert_int_equal(tui_asof_add_page(&s, &p), 0);
	t[0].id = 20;  /* the page was copied: the caller's may go */
	assert_int_equal(s.n_rows, 2);
	assert_int_equal(s.rows[0]->task->id, 10);
	assert_string_equal(tui_asof_row(&s, 12)->task->description, "Call back");
	assert_null(tui_asof_row(&s, 11));
	assert_null(tui_asof_row(&s, 0));
	/* More rows than kept: refused, said incomplete, the rest stays. */
	Clubcrm__TaskRow **many = calloc(TUI_ASOF_ROWS_MAX, sizeof(*many));
	assert_non_null(many);
	for (size_t i = 0; i < TUI_ASOF_ROWS_MAX; i++)
		many[i] = &r[2];
	p.rows = many;
	p.n_rows = TUI_ASOF_ROWS_MAX;
	assert_int_equal(tui_asof_add_page(&s, &p), -1);
	assert_true(s.incomplete);
	assert_int_equal(s.n_rows, 2);
	free(many);
	tui_asof_clear(&s);
	assert_int_equal(s.n_rows, 0);
	assert_null(tui_asof_row(&s, 10));
	assert_false(s.incomplete);
	tui_asof_clear(&s);  /* twice is harmless */
}

static struct tui_key ch(const char *s)
{
	struct tui_key k = {0};
	strcpy(k.text, s);
	return k;
}

static void type(struct tui_app *a, const char *s)
{
	for (; *s; s++) {
		char c[2] = {*s, 0};
		struct tui_key k = ch(c);
		tui_forms_key(a, &k);
	}
}

/* Through the desk (no server): h opens the prompt, a bad moment keeps it
 * open, a good one shows the past, where the write keys are refused and
 * moving is not; h goes back to live. */
static void test_desk_read_only(void **state)
{
	(void)state;
	struct tui_app a;
	memset(&a, 0, sizeof(a));
	tui_list_init(&a.list);
	tui_forms_init_filters(&a);
	a.screen = TUI_SCR_ALL;
	struct tui_key k = ch("h");
	tui_desk_key(&a, &k);
	assert_int_equal(a.fkind, TUI_FK_ASOF);
	struct tui_field *fl = tui_form_field(&a.form, "As of");
	assert_non_null(fl);
	tui_field_set_text(fl, "yesterday");
	k = (struct tui_key){.code = TUI_KEY_CTRL('s')};
	tui_forms_key(&a, &k);
	assert_int_equal(a.fkind, TUI_FK_ASOF);  /* still open */
	assert_true(a.status_err);
	assert_non_null(strstr(a.status, "'yesterday'"));
	assert_false(a.asof.on);
	tui_field_set_text(fl, "");
	type(&a, "r5");
	k = (struct tui_key){.code = TUI_KEY_CTRL('s')};
	tui_forms_key(&a, &k);
	assert_int_equal(a.fkind, TUI_FK_NONE);
	assert_true(a.asof.on);
	assert_int_equal(a.asof.q.rev, 5);
	/* No connection here: the ask failed, said, and nothing is loading. */
	assert_false(a.asof.loading);
	assert_non_null(strstr(a.status, "could not ask"));

	static const char *const writes[] = {"n", "N", "i", "c", "f", "x",
					     "g", "t", NULL};
	for (int i = 0; writes[i]; i++) {
		a.status[0] = '\0';
		k = ch(writes[i]);
		tui_desk_key(&a, &k);
		assert_int_equal(a.fkind, TUI_FK_NONE);
		assert_true(a.status_err);
		if (!strstr(a.status, "read-only: AS OF (rev 5)"))
			fail_msg("'%s' not refused: %s", writes[i], a.status);
	}
	k = (struct tui_key){.code = TUI_KEY_ENTER};
	a.status[0] = '\0';
	tui_desk_key(&a, &k);
	assert_int_equal(a.fkind, TUI_FK_NONE);
	assert_non_null(strstr(a.status, "read-only"));
	/* Moving is reading. */
	a.status[0] = '\0';
	a.status_err = false;
	k = (struct tui_key){.code = KEY_DOWN};
	tui_desk_key(&a, &k);
	assert_false(a.status_err);
	/* The contacts have no past: leaving for them goes back to live. */
	k = ch("3");
	tui_desk_key(&a, &k);
	assert_false(a.asof.on);
	assert_int_equal(a.screen, TUI_SCR_CONTACTS);
	k = ch("h");
	tui_desk_key(&a, &k);
	assert_int_equal(a.fkind, TUI_FK_NONE);
	assert_non_null(strstr(a.status, "for the task lists"));
	/* Back on a list: into the past again, then h returns to live. */
	k = ch("1");
	tui_desk_key(&a, &k);
	struct tui_asof_query q = {.has_at = true, .at = T_2026_03_01};
	tui_asof_enter(&a, &q);
	assert_true(a.asof.on);
	k = ch("h");
	tui_desk_key(&a, &k);
	assert_false(a.asof.on);
	assert_int_equal(a.fkind, TUI_FK_NONE);
	assert_string_equal(a.status, "live again");
	k = ch("n");  /* live: writes open their forms again */
	tui_desk_key(&a, &k);
	assert_int_equal(a.fkind, TUI_FK_NEW_TASK);
	tui_forms_close(&a);
	tui_form_free(&a.filter);
	tui_form_free(&a.cfilter);
	tui_asof_clear(&a.asof);
	tui_list_free(&a.list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_title),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_desk_read_only),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
