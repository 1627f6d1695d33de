/* The desk's export (E): the list on screen to a CSV file in the form of
 * `clubcrm task export --bom`, checked by parsing the file back; the
 * default name, and no overwriting without a second save. Against the
 * scripted fake server: a live board and a past one. And Contacts' E: the
 * customers as `clubcrm customer export --bom [--tag T]` writes them,
 * every active one or those having a tag (a tag nobody has: the header
 * alone). */
#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "customer_csv.h"
#include "fake_desk.h"
#include "idset.h"
#include "status.h"
#include "task_csv.h"
#include "timeutil.h"
#include "tui_app.h"
#include "tui_export.h"

#define T_2026_03_01 1772323200  /* 2026-03-01 00:00 UTC */
#define MAX_RECS 16
#define MAX_FIELDS 20

static char dir[64];

/* ------------------------------------------------ reading CSV back */

struct csv_file {
	bool bom;
	size_t n;                            /* records */
	size_t nf[MAX_RECS];
	char *f[MAX_RECS][MAX_FIELDS];
};

static void csv_free(struct csv_file *c)
{
	for (size_t r = 0; r < c->n; r++)
		for (size_t i = 0; i < c->nf[r]; i++)
			free(c->f[r][i]);
	memset(c, 0, sizeof(*c));
}

/* An RFC 4180 reader, independent of the writer: quoted fields with
 * doubled quotes and line breaks inside, records ended by CRLF (a bare LF
 * outside quotes fails the test). */
static void csv_read(const char *path, struct csv_file *c)
{
	memset(c, 0, sizeof(*c));
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[65536];
	size_t len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	const char *p = buf, *end = buf + len;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
		c->bom = true;
		p += 3;
	}
	char field[4096];
	while (p < end) {
		assert_true(c->n < MAX_RECS);
		size_t r = c->n++;
		for (;;) {
			size_t k = 0;
			if (*p == '"') {
				for (p++;; p++) {
					assert_true(p < end);  /* closed */
					if (*p == '"' && p[1] == '"')
						p++;
					else if (*p == '"')
						break;
					field[k++] = *p;
				}
				p++;
			} else {
				while (p < end && *p != ',' && *p != '\r') {
					assert_true(*p != '\n' && *p != '"');
					field[k++] = *p++;
				}
			}
			field[k] = '\0';
			assert_true(c->nf[r] < MAX_FIELDS);
			c->f[r][c->nf[r]++] = strdup(field);
			if (*p == ',') {
				p++;
				continue;
			}
			assert_true(p[0] == '\r' && p[1] == '\n');
			p += 2;
			break;
		}
	}
}

static void assert_head(const struct csv_file *c)
{
	assert_true(c->bom);
	assert_true(c->n >= 1);
	assert_int_equal(c->nf[0], TASK_CSV_COLS);
	for (size_t i = 0; i < TASK_CSV_COLS; i++)
		assert_string_equal(c->f[0][i], task_csv_columns[i]);
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Files in `dir` (temporary ones would be left-overs). */
static int files_in_dir(void)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void clear_dir(void)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	char p[400];
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
}

static int setup(void **state)
{
	(void)state;
	time_set_zone("UTC");
	snprintf(dir, sizeof(dir), "/tmp/clubcrm-tui-export-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* The desk's home: the default file goes there. */
	return setenv("HOME", dir, 1);
}

static int teardown(void **state)
{
	(void)state;
	clear_dir();
	rmdir(dir);
	return 0;
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

/* The next frame of kind `body`, skipping others (Unsubscribe...). */
static Clubcrm__Frame *next_of(struct fake_server *fs,
			       Clubcrm__Frame__BodyCase body)
{
	Clubcrm__Frame *f;
	while ((f = fake_recv(fs))) {
		if (f->body_case == body)
			return f;
		clubcrm__frame__free_unpacked(f, NULL);
	}
	fake_fail(fs, "the frame expected never came");
	return NULL;
}

static void send_rows(struct fake_server *fs, uint64_t rid, uint32_t sub_id,
		      bool page)
{
	struct rowset s;
	rows_init(&s);
	Clubcrm__TaskRow *rp[3] = {&s.r[0], &s.r[1], &s.r[2]};
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	if (page) {  /* the past: one TaskPage */
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
	Clubcrm__Subscribed ok = CLUBCRM__SUBSCRIBED__INIT;
	ok.has_sub_id = ok.has_resumed = ok.has_revision = true;
	ok.sub_id = sub_id;
	ok.revision = 40;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBED;
	f.subscribed = &ok;
	fake_send(fs, &f);
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

static struct tui_key ch(const char *s)
{
	struct tui_key k = {0};
	strcpy(k.text, s);
	return k;
}

/* E opens the form with the default name; a save writes the list. */
static void export_via_keys(struct tui_app *a, const char *path)
{
	struct tui_key k = ch("E");
	tui_desk_key(a, &k);
	assert_int_equal(a->fkind, TUI_FK_EXPORT);
	struct tui_field *fl = tui_form_field(&a->form, "File");
	assert_non_null(fl);
	char want[256];
	tui_export_default_path(time_now(), want, sizeof(want));
	assert_string_equal(fl->text, want);
	tui_field_set_text(fl, path);
	k = (struct tui_key){.code = TUI_KEY_CTRL('s')};
	tui_forms_key(a, &k);
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
	assert_int_equal(a->fkind, TUI_FK_EXPORT);  /* still open */
	assert_true(a->status_err);
	assert_non_null(strstr(a->status, "exists: save again"));
	assert_string_equal(slurp(path), "kept\n");
	struct tui_key k = {.code = TUI_KEY_CTRL('s')};
	tui_forms_key(a, &k);
	assert_int_equal(a->fkind, TUI_FK_NONE);
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
	tui_forms_key(a, &k);
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
	k = ch("E");
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

/* ------------------------------------------------ customers */

#define OP_ALICIA 1
#define OP_VALENTINA 2
#define TAG_TENNIS 11
#define TAG_PADEL 12

struct custset {
	Clubcrm__Customer c[4];
	Clubcrm__Customer *cp[4];
	Clubcrm__Operator o[2];
	Clubcrm__Operator *op[2];
	Clubcrm__Tag t[2];
	Clubcrm__Tag *tp[2];
	Clubcrm__Catalog cat;
};

/* Four customers in id order, which is not the export's: Zoe (7);
 * "Álvaro, "Al" Ruiz" (3: an accent that byte order would put last, a
 * comma and quotes), his consultant with a login only; Berta (5),
 * inactive; carmen (4), lower case, her consultant unknown. */
static void custs_init(struct custset *s)
{
	static const uint64_t ids[4] = {7, 3, 5, 4};
	static const char *const names[4] = {
		"Zoe Martín", "Álvaro, \"Al\" Ruiz", "Berta", "carmen",
	};
	for (int i = 0; i < 4; i++) {
		clubcrm__customer__init(&s->c[i]);
		s->c[i].has_id = s->c[i].has_active = s->c[i].active = 1;
		s->c[i].id = ids[i];
		s->c[i].name = (char *)names[i];
		s->c[i].has_created_at = 1;
		s->c[i].created_at = T_2026_03_01 + 8 * 3600 + i * 60;
		s->c[i].has_consultant_id = 1;
		s->cp[i] = &s->c[i];
	}
	s->c[0].phone = "600 111 222";
	s->c[0].email = "zoe@example.org";
	s->c[0].consultant_id = OP_ALICIA;
	s->c[1].phone = "+34 600 333 444";
	s->c[1].email = "alvaro@example.org";
	s->c[1].consultant_id = OP_VALENTINA;
	s->c[2].active = 0;
	s->c[3].consultant_id = 99;
	for (int i = 0; i < 2; i++) {
		clubcrm__operator__init(&s->o[i]);
		s->o[i].has_id = 1;
		s->op[i] = &s->o[i];
		clubcrm__tag__init(&s->t[i]);
		s->t[i].has_id = s->t[i].has_active = s->t[i].active = 1;
		s->tp[i] = &s->t[i];
	}
	s->o[0].id = OP_ALICIA;
	s->o[0].name = "Alicia";
	s->o[0].login = "alicia";
	s->o[1].id = OP_VALENTINA;
	s->o[1].login = "valentina";
	s->t[0].id = TAG_TENNIS;
	s->t[0].name = "Tennis";
	s->t[1].id = TAG_PADEL;
	s->t[1].name = "Padel";
	clubcrm__catalog__init(&s->cat);
	s->cat.operators = s->op;
	s->cat.n_operators = 2;
	s->cat.tags = s->tp;
	s->cat.n_tags = 2;
}

static void assert_cust_head(const struct csv_file *c, size_t records)
{
	assert_true(c->bom);
	assert_int_equal(c->n, records);
	assert_int_equal(c->nf[0], CUSTOMER_CSV_COLS);
	for (size_t i = 0; i < CUSTOMER_CSV_COLS; i++)
		assert_string_equal(c->f[0][i], customer_csv_columns[i]);
	assert_string_equal(c->f[0][3], "E-mail");
	for (size_t r = 1; r < c->n; r++)
		assert_int_equal(c->nf[r], CUSTOMER_CSV_COLS);
}

static void assert_alvaro(char *const *f)
{
	assert_string_equal(f[0], "3");
	assert_string_equal(f[1], "Álvaro, \"Al\" Ruiz");
	assert_string_equal(f[2], "+34 600 333 444");
	assert_string_equal(f[3], "alvaro@example.org");
	assert_string_equal(f[4], "valentina");  /* no name: the login */
	assert_string_equal(f[5], "2026-03-01 08:01");
}

static void assert_zoe(char *const *f)
{
	assert_string_equal(f[0], "7");
	assert_string_equal(f[1], "Zoe Martín");
	assert_string_equal(f[2], "600 111 222");
	assert_string_equal(f[3], "zoe@example.org");
	assert_string_equal(f[4], "Alicia");
	assert_string_equal(f[5], "2026-03-01 08:00");
}

/* Every active customer: by folded name (Álvaro, carmen, Zoe), Berta left
 * out; the file is the owner's alone. */
static void assert_every_customer(const char *path)
{
	struct csv_file c;
	csv_read(path, &c);
	assert_cust_head(&c, 4);
	assert_alvaro(c.f[1]);
	assert_string_equal(c.f[2][0], "4");
	assert_string_equal(c.f[2][1], "carmen");
	assert_string_equal(c.f[2][2], "");
	assert_string_equal(c.f[2][4], "");  /* an unknown consultant */
	assert_zoe(c.f[3]);
	csv_free(&c);
}

/* Tagged: only those of the set, still in name order, inactive left out. */
static void assert_tagged(const char *path)
{
	struct csv_file c;
	csv_read(path, &c);
	assert_cust_head(&c, 3);
	assert_alvaro(c.f[1]);
	assert_zoe(c.f[2]);
	csv_free(&c);
}

static void assert_header_only(const char *path)
{
	struct csv_file c;
	csv_read(path, &c);
	assert_cust_head(&c, 1);
	csv_free(&c);
}

static void write_picked(const struct custset *s, const struct idset *only,
			 const char *path, size_t want)
{
	size_t n = 99;
	const Clubcrm__Customer **cs =
		tui_export_pick_customers(s->cp, 4, only, &n);
	assert_non_null(cs);
	assert_int_equal(n, want);
	assert_int_equal(tui_export_write_customers(path, cs, n, s->op, 2,
						    true), 0);
	free(cs);
}

static void test_customers_parsed_back(void **state)
{
	(void)state;
	struct custset s;
	custs_init(&s);
	char path[128];
	snprintf(path, sizeof(path), "%s/customers.csv", dir);
	write_picked(&s, NULL, path, 3);
	assert_every_customer(path);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Those having a tag: ids gathered unsorted, with repeats. */
	struct idset only = {0};
	assert_int_equal(idset_add(&only, 7), 0);
	assert_int_equal(idset_add(&only, 5), 0);
	assert_int_equal(idset_add(&only, 3), 0);
	assert_int_equal(idset_add(&only, 7), 0);
	assert_int_equal(idset_add(&only, 1000), 0);  /* not in the catalog */
	idset_sort(&only);
	write_picked(&s, &only, path, 2);
	assert_tagged(path);
	idset_free(&only);

	/* A tag nobody has: the header alone. */
	struct idset none = {0};
	idset_sort(&none);
	write_picked(&s, &none, path, 0);
	assert_header_only(path);
	/* No catalog at all: likewise. */
	size_t n = 99;
	const Clubcrm__Customer **cs = tui_export_pick_customers(NULL, 0,
								 NULL, &n);
	assert_non_null(cs);
	assert_int_equal(n, 0);
	assert_int_equal(tui_export_write_customers(path, cs, 0, NULL, 0,
						    true), 0);
	free(cs);
	assert_header_only(path);

	/* No overwriting unasked, no temporary left. */
	put(path, "mine\n");
	assert_int_equal(tui_export_write_customers(path, NULL, 0, NULL, 0,
						    false), -EEXIST);
	assert_string_equal(slurp(path), "mine\n");
	assert_int_equal(files_in_dir(), 1);
	clear_dir();
}

static void test_customer_names(void **state)
{
	(void)state;
	char out[256], want[256];
	tui_export_customers_path(T_2026_03_01 + 23 * 3600, out, sizeof(out));
	snprintf(want, sizeof(want), "%s/clubcrm-customers-2026-03-01.csv",
		 dir);
	assert_string_equal(out, want);
}

static void send_page_of(struct fake_server *fs, uint64_t rid,
			 const uint64_t *customers, size_t n, const char *next)
{
	Clubcrm__Task t[4];
	Clubcrm__TaskRow r[4], *rp[4];
	for (size_t i = 0; i < n; i++) {
		clubcrm__task__init(&t[i]);
		clubcrm__task_row__init(&r[i]);
		t[i].has_id = t[i].has_customer_id = 1;
		t[i].id = 100 + i;
		t[i].customer_id = customers[i];
		r[i].task = &t[i];
		rp[i] = &r[i];
	}
	Clubcrm__TaskPage p = CLUBCRM__TASK_PAGE__INIT;
	p.rows = rp;
	p.n_rows = n;
	if (next) {
		p.has_next_page_token = 1;
		p.next_page_token = (ProtobufCBinaryData){strlen(next),
							  (uint8_t *)next};
	}
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_TASK_PAGE;
	f.task_page = &p;
	fake_send(fs, &f);
}

/* The next ListTasks, checked to ask for the tasks having `tag` alone
 * (and for the page `token`, or the first); NULL after a failure. */
static Clubcrm__Frame *next_tag_query(struct fake_server *fs, uint64_t tag,
				      const char *token)
{
	Clubcrm__Frame *f = next_of(fs, CLUBCRM__FRAME__BODY_LIST_TASKS);
	if (!f)
		return NULL;
	const Clubcrm__ListTasks *q = f->list_tasks;
	const Clubcrm__TaskFilter *tf = q->filter;
	if (!tf || tf->n_tag_ids != 1 || tf->tag_ids[0] != tag ||
	    tf->n_operator_ids || tf->has_customer_id || q->has_as_of ||
	    q->has_as_of_revision)
		fake_fail(fs, "not the tasks of the tag alone");
	bool has = q->has_page_token && q->page_token.len;
	if (token ? !has || q->page_token.len != strlen(token) ||
		    memcmp(q->page_token.data, token, strlen(token))
		  : has)
		fake_fail(fs, "not the page expected");
	return f;
}

static void customers_script(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	/* The catalogue: operators, tags, customers. */
	Clubcrm__Frame *f = next_of(fs, CLUBCRM__FRAME__BODY_SUBSCRIBE);
	if (!f)
		return;
	if (!f->subscribe->view || f->subscribe->view->kind !=
	    CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG)
		fake_fail(fs, "not the catalogue");
	struct custset s;
	custs_init(&s);
	uint32_t sub_id = f->subscribe->sub_id;
	Clubcrm__Subscribed ok = CLUBCRM__SUBSCRIBED__INIT;
	ok.has_sub_id = ok.has_resumed = ok.has_revision = true;
	ok.sub_id = sub_id;
	ok.revision = 40;
	Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
	g.has_request_id = true;
	g.request_id = f->request_id;
	g.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBED;
	g.subscribed = &ok;
	fake_send(fs, &g);
	clubcrm__frame__free_unpacked(f, NULL);
	Clubcrm__SnapshotChunk c = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	c.catalog = &s.cat;
	c.customers = s.cp;
	c.n_customers = 4;
	fake_send_snapshot(fs, sub_id, &c, 40);

	/* Tennis: two pages (a customer on both, an inactive one). */
	static const uint64_t p1[3] = {7, 5, 7}, p2[1] = {3};
	if (!(f = next_tag_query(fs, TAG_TENNIS, NULL)))
		return;
	send_page_of(fs, f->request_id, p1, 3, "page2");
	clubcrm__frame__free_unpacked(f, NULL);
	if (!(f = next_tag_query(fs, TAG_TENNIS, "page2")))
		return;
	send_page_of(fs, f->request_id, p2, 1, NULL);
	clubcrm__frame__free_unpacked(f, NULL);
	/* Padel: nobody. */
	if (!(f = next_tag_query(fs, TAG_PADEL, NULL)))
		return;
	send_page_of(fs, f->request_id, NULL, 0, NULL);
	clubcrm__frame__free_unpacked(f, NULL);
	/* Tennis again, refused. */
	if (!(f = next_tag_query(fs, TAG_TENNIS, NULL)))
		return;
	fake_send_error(fs, f->request_id, STATUS_INVALID_ARGUMENT,
			"refused here");
	clubcrm__frame__free_unpacked(f, NULL);
	fake_until_logout(fs);
}

static bool catalog_came(struct tui_app *a)
{
	const struct replica_catalog *c = tui_cat(a);
	return c && c->n_customers == 4 && c->n_tags == 2 &&
	       live_sub_replica(a->cat)->synced;
}

static bool gathered(struct tui_app *a)
{
	return !a->custexp_busy;
}

/* Contacts' E: the form with the default name; the file and tag set. */
static void export_customers_via_keys(struct tui_app *a, const char *path,
				      uint64_t tag)
{
	a->screen = TUI_SCR_CONTACTS;
	struct tui_key k = ch("E");
	tui_desk_key(a, &k);
	assert_int_equal(a->fkind, TUI_FK_CUSTOMERS_EXPORT);
	struct tui_field *fl = tui_form_field(&a->form, "File");
	assert_non_null(fl);
	char want[256];
	tui_export_customers_path(time_now(), want, sizeof(want));
	assert_string_equal(fl->text, want);
	tui_field_set_text(fl, path);
	fl = tui_form_field(&a->form, "Tag");
	assert_non_null(fl);
	/* (every customer) and the catalogue's two, once it came */
	assert_int_equal(fl->n_choices, tui_cat(a) && tui_cat(a)->n_tags
					? 3 : 1);
	assert_string_equal(fl->choices[0].name, "(every customer)");
	bool found = tag == 0;
	for (size_t i = 0; i < fl->n_choices; i++)
		if (fl->choices[i].id == tag) {
			fl->choice = i;
			found = true;
		}
	assert_true(found);
	k = (struct tui_key){.code = TUI_KEY_CTRL('s')};
	tui_forms_key(a, &k);
}

static void test_desk_exports_customers(void **state)
{
	(void)state;
	struct fake_server fs;
	assert_int_equal(fake_start(&fs, false, customers_script, NULL), 0);
	struct fake_desk d;
	fake_desk_open(&d, &fs);
	struct tui_app *a = d.a;
	/* Before the catalogue came: refused, no file. */
	char path[128];
	snprintf(path, sizeof(path), "%s/all.csv", dir);
	export_customers_via_keys(a, path, 0);
	assert_int_equal(a->fkind, TUI_FK_CUSTOMERS_EXPORT);
	assert_true(a->status_err);
	assert_non_null(strstr(a->status, "still loading"));
	assert_int_equal(files_in_dir(), 0);
	tui_forms_close(a);

	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG;
	assert_int_equal(tui_app_subscribe(a, &a->cat, &v), STATUS_OK);
	fake_desk_run_until(&d, catalog_came);

	/* Every customer: written at once, nothing asked of the server. */
	export_customers_via_keys(a, path, 0);
	assert_int_equal(a->fkind, TUI_FK_NONE);
	assert_false(a->status_err);
	assert_non_null(strstr(a->status, "exported 3 customers to"));
	assert_every_customer(path);

	/* The same name again: refused until saved a second time. */
	put(path, "kept\n");
	export_customers_via_keys(a, "~/all.csv", 0);
	assert_int_equal(a->fkind, TUI_FK_CUSTOMERS_EXPORT);
	assert_true(a->status_err);
	assert_non_null(strstr(a->status, "exists: save again"));
	assert_string_equal(slurp(path), "kept\n");
	struct tui_key k = {.code = TUI_KEY_CTRL('s')};
	tui_forms_key(a, &k);
	assert_int_equal(a->fkind, TUI_FK_NONE);
	assert_every_customer(path);

	/* Tennis: the customers of its tasks, read over two pages. */
	snprintf(path, sizeof(path), "%s/tennis.csv", dir);
	export_customers_via_keys(a, path, TAG_TENNIS);
	assert_true(a->custexp_busy);
	assert_non_null(strstr(a->status, "gathering the customers tagged "
				   "Tennis"));
	fake_desk_run_until(&d, gathered);
	assert_int_equal(a->fkind, TUI_FK_NONE);
	assert_false(a->status_err);
	assert_non_null(strstr(a->status,
			       "exported 2 customers tagged Tennis to"));
	assert_tagged(path);

	/* Padel, which nobody has: the header alone. */
	snprintf(path, sizeof(path), "%s/padel.csv", dir);
	export_customers_via_keys(a, path, TAG_PADEL);
	fake_desk_run_until(&d, gathered);
	assert_non_null(strstr(a->status, "exported 0 customers tagged Padel"));
	assert_header_only(path);

	/* A refused query: said, the form kept, no file. */
	snprintf(path, sizeof(path), "%s/refused.csv", dir);
	export_customers_via_keys(a, path, TAG_TENNIS);
	fake_desk_run_until(&d, gathered);
	assert_int_equal(a->fkind, TUI_FK_CUSTOMERS_EXPORT);
	assert_true(a->status_err);
	assert_non_null(strstr(a->status, "refused here"));
	assert_null(slurp(path));
	assert_int_equal(files_in_dir(), 3);  /* all, tennis, padel */
	tui_forms_close(a);

	tui_app_subscribe(a, &a->cat, NULL);
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
		cmocka_unit_test(test_customers_parsed_back),
		cmocka_unit_test(test_customer_names),
		cmocka_unit_test(test_desk_exports_customers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
