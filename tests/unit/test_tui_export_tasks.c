/* The desk's export (E): the list on screen to a CSV file in the form of
 * `clubcrm task export --bom`, checked by parsing the file back; the
 * default name, and no overwriting without a second save. Against the
 * scripted fake server: a live board and a past one. (Contacts' E, the
 * customers: test_tui_export_customers.c.) */
#include "tui_export_fixture.h"

#include "task_csv.h"

/* The task export's header row, after the BOM. */
static void assert_head(const struct csv_file *c)
{
	assert_true(c->bom);
	assert_true(c->n >= 1);
	assert_int_equal(c->nf[0], TASK_CSV_COLS);
	for (size_t i = 0; i < TASK_CSV_COLS; i++)
		assert_string_equal(c->f[0][i], task_csv_columns[i]);
}

/* ------------------------------------------------ rows */

struct rowset {
	Clubcrm__Task t[3];
	Clubcrm__TaskRow r[3];
	const Clubcrm__TaskRow *rp[3];
	char *tags[2];
};

/* Three rows: plain; one of every field a spreadsheet trips on (comma,
 * quote, line break, accents, tags); a note, done, with a result. */
static void rows_init(struct rowset *s)
{
	for (int i = 0; i < 3; i++) {
		clubcrm__task__init(&s->t[i]);
		clubcrm__task_row__init(&s->r[i]);
		s->t[i].has_id = s->t[i].has_planned_at = 1;
		s->t[i].has_created_at = s->t[i].has_kind = 1;
		s->t[i].has_status = 1;
		s->t[i].id = 101 + (uint64_t)i;
		s->t[i].planned_at = T_2026_03_01 + 9 * 3600 + i * 1800;
		s->t[i].created_at = T_2026_03_01 + 8 * 3600;
		s->r[i].task = &s->t[i];
		s->r[i].operator_name = "Alicia";
		s->r[i].creator_login = "valentina";
		s->r[i].type_name = "Call";
		s->r[i].customer_name = "Lucía Fernández";
		s->rp[i] = &s->r[i];
	}
	s->t[0].description = "Call back";
	s->t[1].description = "Offer \"tennis\", padel\r\nand the gym";
	s->tags[0] = "Tennis";
	s->tags[1] = "Padel";
	s->r[1].tag_names = s->tags;
	s->r[1].n_tag_names = 2;
	s->t[2].kind = CLUBCRM__TASK_KIND__TASK_KIND_NOTE;
	s->r[2].has_outcome = 1;
	s->t[2].status = CLUBCRM__TASK_STATUS__TASK_STATUS_DONE;
	s->t[2].description = "Asked about the timetable";
	s->t[2].closing_note = "Sent it";
	s->r[2].result_name = "Positive";
	s->r[2].outcome = CLUBCRM__OUTCOME__OUTCOME_POSITIVE;
}

static void assert_rows(const struct csv_file *c)
{
	assert_head(c);
	assert_int_equal(c->n, 4);
	for (size_t r = 1; r < 4; r++)
		assert_int_equal(c->nf[r], TASK_CSV_COLS);
	char *const *a = c->f[1], *const *b = c->f[2], *const *n = c->f[3];
	assert_string_equal(a[0], "101");
	assert_string_equal(a[1], "task");
	assert_string_equal(a[2], "2026-03-01 09:00");
	assert_string_equal(a[3], "2026-03-01 08:00");
	assert_string_equal(a[4], "Alicia");
	assert_string_equal(a[5], "valentina");  /* no name: the login */
	assert_string_equal(a[6], "Call");
	assert_string_equal(a[7], "Lucía Fernández");
	assert_string_equal(a[13], "Call back");
	assert_string_equal(b[2], "2026-03-01 09:30");
	assert_string_equal(b[12], "Tennis, Padel");
	assert_string_equal(b[13], "Offer \"tennis\", padel\r\nand the gym");
	assert_string_equal(n[1], "note");
	assert_string_equal(n[8], "done");
	assert_string_equal(n[9], "Positive");
	assert_string_equal(n[10], "positive");
	assert_string_equal(n[14], "Sent it");
}

/* ------------------------------------------------ the file */

static void test_write_parsed_back(void **state)
{
	(void)state;
	struct rowset s;
	rows_init(&s);
	char path[128];
	snprintf(path, sizeof(path), "%s/list.csv", dir);
	assert_int_equal(tui_export_write(path, s.rp, 3, false), 0);
	struct csv_file c;
	csv_read(path, &c);
	assert_rows(&c);
	csv_free(&c);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);  /* customers' data */
	assert_int_equal(files_in_dir(), 1);
	/* An empty list is the header alone. */
	assert_int_equal(tui_export_write(path, NULL, 0, true), 0);
	csv_read(path, &c);
	assert_head(&c);
	assert_int_equal(c.n, 1);
	csv_free(&c);
	clear_dir();
}

static void test_no_overwrite_unasked(void **state)
{
	(void)state;
	struct rowset s;
	rows_init(&s);
	char path[128];
	snprintf(path, sizeof(path), "%s/mine.csv", dir);
	put(path, "my own file\n");
	assert_int_equal(tui_export_write(path, s.rp, 3, false), -EEXIST);
	assert_string_equal(slurp(path), "my own file\n");
	assert_int_equal(files_in_dir(), 1);  /* no temporary left */
	assert_int_equal(tui_export_write(path, s.rp, 3, true), 0);
	struct csv_file c;
	csv_read(path, &c);
	assert_rows(&c);
	csv_free(&c);
	assert_int_equal(files_in_dir(), 1);
	/* A directory that is not there: said, nothing left behind. */
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/no/such.csv", dir);
	assert_int_equal(tui_export_write(missing, s.rp, 3, false), -ENOENT);
	assert_int_equal(files_in_dir(), 1);
	clear_dir();
}

static void test_names(void **state)
{
	(void)state;
	char out[256], want[256];
	tui_export_default_path(T_2026_03_01 + 23 * 3600, out, sizeof(out));
	snprintf(want, sizeof(want), "%s/clubcrm-tasks-2026-03-01.csv", dir);
	assert_string_equal(out, want);
	/* The club's day, not UTC's. */
	assert_int_equal(time_set_zone("Europe/Madrid"), 0);
	tui_export_default_path(T_2026_03_01 + 23 * 3600 + 1800, out,
				sizeof(out));
	snprintf(want, sizeof(want), "%s/clubcrm-tasks-2026-03-02.csv", dir);
	assert_string_equal(out, want);
	time_set_zone("UTC");
	assert_int_equal(tui_export_expand("~/x.csv", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/x.csv", dir);
	assert_string_equal(out, want);
	assert_int_equal(tui_export_expand("/tmp/a~/b.csv", out, sizeof(out)), 0);
	assert_string_equal(out, "/tmp/a~/b.csv");
	assert_int_equal(tui_export_expand("", out, sizeof(out)), -EINVAL);
	char small[8];
	assert_int_equal(tui_export_expand("/tmp/long-name.csv", small,
					   sizeof(small)), -ENAMETOOLONG);
}

/* ------------------------------------------------ against a fake server */

static void send_rows(struct fake_server *fs, uint64_t rid, uint32_t sub_id,
		      bool page)
{
	struct rowset s;
	rows_init(&s);
	Clubcrm__TaskRow *rp[3] = {&s.r[0], &s.r[1], &s.r[2]};
	if (page) {  /* the past: one TaskPage */
		Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
		Clubcrm__TaskPage p = CLUBCRM__TASK_PAGE__INIT;
		p.rows = rp;
		p.n_rows = 3;
		p.has_as_of_revision = p.has_as_of_revision_at = 1;
		p.as_of_revision = 42;
		p.as_of_revision_at = T_2026_03_01;
		f.has_request_id = 1;
		f.request_id = rid;
		f.body_case = CLUBCRM__FRAME__BODY_TASK_PAGE;
		f.task_page = &p;
		fake_send(fs, &f);
		return;
	}
	send_subscribed(fs, rid, sub_id);
	Clubcrm__SnapshotChunk c = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	c.rows = rp;
	c.n_rows = 3;
	fake_send_snapshot(fs, sub_id, &c, 40);
}

static void export_script(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	/* The live board with the filter bar's (empty) filter. */
	Clubcrm__Frame *f = next_of(fs, CLUBCRM__FRAME__BODY_SUBSCRIBE);
	if (!f)
		return;
	const Clubcrm__View *v = f->subscribe->view;
	if (!v || v->kind != CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD)
		fake_fail(fs, "not the board");
	send_rows(fs, f->request_id, f->subscribe->sub_id, false);
	clubcrm__frame__free_unpacked(f, NULL);
	/* The board as it stood at revision 42. */
	if (!(f = next_of(fs, CLUBCRM__FRAME__BODY_LIST_TASKS)))
		return;
	if (!f->list_tasks->has_as_of_revision ||
	    f->list_tasks->as_of_revision != 42)
		fake_fail(fs, "not the past asked for");
	send_rows(fs, f->request_id, 0, true);
	clubcrm__frame__free_unpacked(f, NULL);
	fake_until_logout(fs);
}

static bool board_shown(struct tui_app *a)
{
	size_t n;
	const Clubcrm__TaskRow **rows = tui_desk_rows(a, &n);
	free(rows);
	return n == 3;
}

static bool past_loaded(struct tui_app *a)
{
	return a->asof.on && !a->asof.loading;
}

/* E opens the form with the default name; a save writes the list. */
static void export_via_keys(struct tui_app *a, const char *path)
{
	open_export_form(a, TUI_FK_EXPORT, tui_export_default_path, path);
	save_form(a);
}

static void test_desk_exports_its_list(void **state)
{
	(void)state;
	struct fake_server fs;
	assert_int_equal(fake_start(&fs, false, export_script, NULL), 0);
	struct fake_desk d;
	fake_desk_open(&d, &fs);
	struct tui_app *a = d.a;
	tui_desk_show(a, TUI_SCR_ALL);
	fake_desk_run_until(&d, board_shown);

	/* Live: the rows in the board's order (by planned time). */
	char path[128];
	snprintf(path, sizeof(path), "%s/board.csv", dir);
	export_via_keys(a, path);
	assert_int_equal(a->fkind, TUI_FK_NONE);
	assert_false(a->status_err);
	assert_non_null(strstr(a->status, "exported 3 rows to"));
	struct csv_file c;
	csv_read(path, &c);
	assert_rows(&c);
	csv_free(&c);

	/* Again to the same file: refused until saved a second time. */
	put(path, "kept\n");
	export_via_keys(a, "~/board.csv");
	assert_saved_only_twice(a, TUI_FK_EXPORT, path);
	csv_read(path, &c);
	assert_rows(&c);
	csv_free(&c);
	/* Confirming one name does not confirm another. */
	put(path, "kept\n");
	char other[128];
	snprintf(other, sizeof(other), "%s/other.csv", dir);
	put(other, "other\n");
	export_via_keys(a, path);
	assert_true(a->status_err);
	tui_field_set_text(tui_form_field(&a->form, "File"), other);
	save_form(a);
	assert_int_equal(a->fkind, TUI_FK_EXPORT);
	assert_string_equal(slurp(other), "other\n");
	tui_forms_close(a);

	/* The past: the rows as they stood, said with their revision. */
	struct tui_asof_query q = {.rev = 42};
	tui_asof_enter(a, &q);
	fake_desk_run_until(&d, past_loaded);
	snprintf(path, sizeof(path), "%s/past.csv", dir);
	export_via_keys(a, path);
	assert_int_equal(a->fkind, TUI_FK_NONE);
	assert_non_null(strstr(a->status, "exported 3 rows as of revision 42"));
	csv_read(path, &c);
	assert_rows(&c);
	csv_free(&c);

	/* In the contacts E exports the customers (below); the agendas are
	 * no list. */
	tui_asof_leave(a, false);
	a->screen = TUI_SCR_CONTACTS;
	struct tui_key k = ch("E");
	tui_desk_key(a, &k);
	assert_int_equal(a->fkind, TUI_FK_CUSTOMERS_EXPORT);
	tui_forms_close(a);
	a->screen = TUI_SCR_AGENDA;
	a->status[0] = '\0';
	tui_desk_key(a, &k);
	assert_int_equal(a->fkind, TUI_FK_NONE);
	assert_non_null(strstr(a->status, "E (export) is for the task lists"));

	tui_app_subscribe(a, &a->sub, NULL);
	fake_desk_close(&d);
	clear_dir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_parsed_back),
		cmocka_unit_test(test_no_overwrite_unasked),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_desk_exports_its_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
