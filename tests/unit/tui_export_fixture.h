/*
 * Shared by the desk's export tests (test_tui_export_tasks.c,
 * test_tui_export_customers.c): a temporary directory that is the desk's
 * home, an RFC 4180 reader to parse the files back, and what the desk
 * tests against the scripted fake server need.
 */
#ifndef CLUBCRM_TUI_EXPORT_FIXTURE_H
#define CLUBCRM_TUI_EXPORT_FIXTURE_H

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

#include "fake_desk.h"
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

/* ------------------------------------------------ the desk's home */

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

/* The answer to Subscribe `rid`: subscribed `sub_id` at revision 40 (the
 * snapshot follows). */
static void send_subscribed(struct fake_server *fs, uint64_t rid,
			    uint32_t sub_id)
{
	Clubcrm__Subscribed ok = CLUBCRM__SUBSCRIBED__INIT;
	ok.has_sub_id = ok.has_resumed = ok.has_revision = true;
	ok.sub_id = sub_id;
	ok.revision = 40;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBED;
	f.subscribed = &ok;
	fake_send(fs, &f);
}

static struct tui_key ch(const char *s)
{
	struct tui_key k = {0};
	strcpy(k.text, s);
	return k;
}

/* E on the screen shown opens the form `kind` with the default file name
 * (`default_path`'s, for now); `path` typed over it. */
static void open_export_form(
	struct tui_app *a, enum tui_form_kind kind,
	void (*default_path)(int64_t now, char *out, size_t size),
	const char *path)
{
	struct tui_key k = ch("E");
	tui_desk_key(a, &k);
	assert_int_equal(a->fkind, kind);
	struct tui_field *fl = tui_form_field(&a->form, "File");
	assert_non_null(fl);
	char want[256];
	default_path(time_now(), want, sizeof(want));
	assert_string_equal(fl->text, want);
	tui_field_set_text(fl, path);
}

/* Ctrl-S on the form open. */
static void save_form(struct tui_app *a)
{
	struct tui_key k = {.code = TUI_KEY_CTRL('s')};
	tui_forms_key(a, &k);
}

/* After a save over `path`, which held "kept\n": refused, the form `kind`
 * still open and the file kept, until saved a second time. */
static void assert_saved_only_twice(struct tui_app *a,
				    enum tui_form_kind kind, const char *path)
{
	assert_int_equal(a->fkind, kind);  /* still open */
	assert_true(a->status_err);
	assert_non_null(strstr(a->status, "exists: save again"));
	assert_string_equal(slurp(path), "kept\n");
	save_form(a);
	assert_int_equal(a->fkind, TUI_FK_NONE);
}

#endif
