/* The past on the desk's board: the prompt's parsing, the title bar's
 * mark, the rows kept from the pages, and the read-only keys. */
#include <curses.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_desk.h"
#include "status.h"
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

/* ------------------------------------------------ against a fake server */

#define AS_OF (T_2026_03_01 + 10 * 3600)

/* A TaskPage of tasks first..first+n-1 at revision `rev`, `next` its next
 * page's token (NULL: the last). */
static void send_page(struct fake_server *fs, uint64_t rid, uint64_t first,
		      size_t n, uint64_t rev, const char *next)
{
	Clubcrm__Task t[4];
	Clubcrm__TaskRow r[4];
	Clubcrm__TaskRow *rp[4];
	for (size_t i = 0; i < n && i < 4; i++) {
		clubcrm__task__init(&t[i]);
		clubcrm__task_row__init(&r[i]);
		t[i].has_id = 1;
		t[i].id = first + i;
		t[i].description = "then";
		r[i].task = &t[i];
		rp[i] = &r[i];
	}
	Clubcrm__TaskPage p = CLUBCRM__TASK_PAGE__INIT;
	p.rows = rp;
	p.n_rows = n;
	p.has_as_of_revision = p.has_as_of_revision_at = 1;
	p.as_of_revision = rev;
	p.as_of_revision_at = AS_OF - 60;
	if (next) {
		p.has_next_page_token = 1;
		p.next_page_token = (ProtobufCBinaryData){strlen(next),
							  (uint8_t *)next};
	}
	Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
	g.has_request_id = 1;
	g.request_id = rid;
	g.body_case = CLUBCRM__FRAME__BODY_TASK_PAGE;
	g.task_page = &p;
	fake_send(fs, &g);
}

/* The next ListTasks, which must ask for the past as the desk was told:
 * AS_OF (has_at) or revision 9, the page `token` ("": the first), with
 * the urgent screen's filter. Its request id, or 0. */
static uint64_t expect_list(struct fake_server *fs, bool has_at,
			    const char *token)
{
	Clubcrm__Frame *f = fake_recv(fs);
	uint64_t rid = 0;
	const Clubcrm__ListTasks *q = f && f->body_case ==
		CLUBCRM__FRAME__BODY_LIST_TASKS ? f->list_tasks : NULL;
	if (!q)
		fake_fail(fs, "not a ListTasks");
	else if (has_at ? !q->has_as_of || q->as_of != AS_OF || q->has_as_of_revision
			: !q->has_as_of_revision || q->as_of_revision != 9 || q->has_as_of)
		fake_fail(fs, "not the past asked for");
	else if (!q->filter || !q->filter->has_urgent || !q->filter->urgent ||
		 q->filter->n_operator_ids != 0)
		fake_fail(fs, "not everyone's urgent tasks");
	else if (!q->has_page_size || q->page_size != TUI_ASOF_PAGE)
		fake_fail(fs, "not the page size");
	else if (strlen(token) != (q->has_page_token ? q->page_token.len : 0) ||
		 (token[0] && memcmp(token, q->page_token.data, strlen(token))))
		fake_fail(fs, "not the page token");
	else
		rid = f->request_id;
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return rid;
}

static void pages_script(struct fake_server *fs)
{
	uint64_t rid;
	if (!fake_handshake(fs, true))
		return;
	/* 1. Two pages of one revision: both kept. */
	if (!(rid = expect_list(fs, true, "")))
		return;
	send_page(fs, rid, 1, 3, 42, "p2");
	if (!(rid = expect_list(fs, true, "p2")))
		return;
	send_page(fs, rid, 4, 2, 42, NULL);
	/* 2. A revision asked for; the second page from another one. */
	if (!(rid = expect_list(fs, false, "")))
		return;
	send_page(fs, rid, 1, 2, 9, "q2");
	if (!(rid = expect_list(fs, false, "q2")))
		return;
	send_page(fs, rid, 3, 2, 10, NULL);
	/* 3. The future: refused. */
	if (!(rid = expect_list(fs, true, "")))
		return;
	fake_send_error(fs, rid, STATUS_OUT_OF_RANGE, "as_of is in the future");
	fake_until_logout(fs);  /* the live view again, then logout */
}

static bool done_loading(struct tui_app *a)
{
	return !a->asof.loading;
}

/* The pages of one past are all kept; pages from two revisions are not
 * mixed unsaid; a refusal is said and the list is live again. */
static void test_pages_from_server(void **state)
{
	(void)state;
	struct fake_server fs;
	assert_int_equal(fake_start(&fs, false, pages_script, NULL), 0);
	struct fake_desk d;
	fake_desk_open(&d, &fs);
	struct tui_app *a = d.a;
	a->screen = TUI_SCR_URGENT;
	a->all = true;

	struct tui_asof_query q = {.has_at = true, .at = AS_OF};
	tui_asof_enter(a, &q);
	assert_true(a->asof.loading);
	fake_desk_run_until(&d, done_loading);
	assert_false(a->status_err);
	assert_int_equal(a->asof.n_rows, 5);
	assert_int_equal(a->asof.rev, 42);
	assert_false(a->asof.incomplete);
	assert_non_null(tui_asof_row(&a->asof, 5));
	char title[160];
	tui_asof_title(&a->asof, title, sizeof(title));
	assert_string_equal(title, "AS OF 2026-03-01 10:00 (rev 42) read-only");

	q = (struct tui_asof_query){.rev = 9};
	tui_asof_leave(a, false);
	tui_asof_enter(a, &q);
	fake_desk_run_until(&d, done_loading);
	assert_true(a->status_err);
	assert_non_null(strstr(a->status, "revisions 9 and 10"));
	assert_true(a->asof.incomplete);
	assert_int_equal(a->asof.n_rows, 2);  /* the other revision's left out */

	q = (struct tui_asof_query){.has_at = true, .at = AS_OF};
	a->status_err = false;
	tui_asof_leave(a, false);
	tui_asof_enter(a, &q);
	fake_desk_run_until(&d, done_loading);
	assert_true(a->status_err);
	assert_non_null(strstr(a->status, "OUT_OF_RANGE: as_of is in the future"));
	assert_false(a->asof.on);      /* live again */
	assert_non_null(a->sub);       /* the screen's view subscribed */

	tui_app_subscribe(a, &a->sub, NULL);
	fake_desk_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_title),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_desk_read_only),
		cmocka_unit_test(test_pages_from_server),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
