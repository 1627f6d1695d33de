/*
 * Importing customers from the desk's Contacts (`I`, admins): the form asks
 * for a file path and what to do with bad rows. Ctrl-S reads the file (the
 * CLI's reader, import_csv.h) and sends the server's dry run in batches:
 * the form then shows "N new, N duplicates skipped, N bad" and the bad
 * rows by line. Ctrl-S again imports, batch after batch, the status line
 * counting rows, rows/s and the time left; Esc stops after the batch in
 * flight (the same file imported again adds the rest, nothing twice).
 * Batches go one at a time on the live connection, so the desk stays live
 * meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_api.h"
#include "import_csv.h"
#include "status.h"
#include "tui_app.h"

#define BATCH 500u
/* Bad rows listed in the form; all are counted. */
#define LISTED (TUI_HISTORY_MAX - 2)

enum stage { ST_NONE, ST_CHECKED, ST_DONE };

struct bad {
	unsigned line;
	char why[120];
};

struct tui_import {
	struct tui_app *a;
	unsigned seq;             /* the form it belongs to */
	char path[TUI_TEXT_MAX];
	Clubcrm__ImportRow *rows; /* the rows the file itself accepts */
	size_t n_rows;
	size_t total;             /* the file's data rows */
	size_t file_bad;          /* refused by the file's own checks */
	struct bad file_bads[LISTED];
	size_t n_file_bads;
	size_t next;              /* the next row to send */
	size_t sent;              /* rows of the batch in flight */
	bool dry, busy;
	enum stage stage;
	size_t added, dups, bad;
	struct bad bads[LISTED];
	size_t n_bads;
	double t0;
	uint64_t revision;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void free_rows(struct tui_import *im)
{
	for (size_t i = 0; i < im->n_rows; i++) {
		free(im->rows[i].name);
		free(im->rows[i].phone);
		free(im->rows[i].email);
		free(im->rows[i].consultant);
	}
	free(im->rows);
	im->rows = NULL;
	im->n_rows = 0;
}

void tui_import_free(struct tui_app *a, bool loop_ended)
{
	struct tui_import *im = a->import;
	/* A batch in flight still holds it: its answer frees it, unless
	 * the loop has ended (no answer can come any more). */
	if (!im || (im->busy && !loop_ended))
		return;
	free_rows(im);
	free(im);
	a->import = NULL;
}

static void note_bad(struct bad *list, size_t *n, unsigned line, const char *why)
{
	if (*n == LISTED)
		return;
	list[*n].line = line;
	snprintf(list[*n].why, sizeof(list[*n].why), "%s", why);
	(*n)++;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Reads the whole file into im->rows. 0, or -1 with the reason in why. */
static int load(struct tui_import *im, char *why, size_t size)
{
	FILE *f = fopen(im->path, "rb");
	if (!f) {
		snprintf(why, size, "%.200s: cannot open it", im->path);
		return -1;
	}
	struct import_csv *c = NULL;
	struct import_seen *seen = import_seen_new();
	char err[400];
	int rc = seen ? 0 : -1;
	snprintf(why, size, "out of memory");
	if (!rc && import_csv_open(&c, f, NULL, err, sizeof(err))) {
		snprintf(why, size, "%s", err);
		rc = -1;
	}
	size_t cap = 0;
	struct import_csv_row r;
	while (!rc) {
		int got = import_csv_next(c, &r, err, sizeof(err));
		if (got < 0) {
			snprintf(why, size, "%s", err);
			rc = -1;
			break;
		}
		if (!got)
			break;
		im->total++;
		unsigned first;
		const char *what;
		char reason[80];
		int twin = r.bad ? 0 : import_seen_check(seen, &r, &first, &what);
		if (twin < 0) {
			rc = -1;
			break;
		}
		if (r.bad || twin) {
			if (twin)
				snprintf(reason, sizeof(reason), "same %s as line %u",
					 what, first);
			im->file_bad++;
			note_bad(im->file_bads, &im->n_file_bads, r.line,
				 r.bad ? r.bad : reason);
			continue;
		}
		if (im->n_rows == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			Clubcrm__ImportRow *n = realloc(im->rows, ncap * sizeof(*n));
			if (!n) {
				rc = -1;
				break;
			}
			im->rows = n;
			cap = ncap;
		}
		Clubcrm__ImportRow *ir = &im->rows[im->n_rows++];
		clubcrm__import_row__init(ir);
		ir->has_line = 1;
		ir->line = r.line;
		ir->name = dup_or_null(r.name);
		ir->phone = dup_or_null(r.phone);
		ir->email = dup_or_null(r.email);
		ir->consultant = dup_or_null(r.consultant);
	}
	import_seen_free(seen);
	import_csv_close(c);
	fclose(f);
	return rc;
}

/* ------------------------------------------------------------ batches */

static int by_line(const void *x, const void *y)
{
	unsigned a = ((const struct bad *)x)->line;
	unsigned b = ((const struct bad *)y)->line;
	return a < b ? -1 : a > b;
}

/* A count's word: singular for one, plural otherwise (0 included). */
static const char *plural(size_t n, const char *one, const char *other)
{
	return n == 1 ? one : other;
}

/* The form's lines: the summary, then the first bad rows by line. */
static void show(struct tui_import *im)
{
	struct tui_app *a = im->a;
	if (a->form_seq != im->seq)
		return;
	struct bad all[2 * LISTED];
	size_t n = 0;
	for (size_t i = 0; i < im->n_file_bads; i++)
		all[n++] = im->file_bads[i];
	for (size_t i = 0; i < im->n_bads; i++)
		all[n++] = im->bads[i];
	qsort(all, n, sizeof(all[0]), by_line);
	size_t bad = im->file_bad + im->bad;
	int h = 0;
	snprintf(a->history[h++], sizeof(a->history[0]),
		 "%s: %zu new, %zu %s skipped, %zu bad",
		 im->dry ? "Dry run" : "Imported", im->added, im->dups,
		 plural(im->dups, "duplicate", "duplicates"), bad);
	for (size_t i = 0; i < n && h < TUI_HISTORY_MAX - 1; i++)
		snprintf(a->history[h++], sizeof(a->history[0]), "line %u: %s",
			 all[i].line, all[i].why);
	if (bad > n && h < TUI_HISTORY_MAX)
		snprintf(a->history[h++], sizeof(a->history[0]),
			 "... and %zu more bad %s", bad - n,
			 plural(bad - n, "row", "rows"));
	a->n_history = h;
	a->dirty = true;
}

static void on_batch(const struct clubcrm_answer *ans, void *arg);

/* Sends the next batch. False when it could not go (said). */
static bool send_next(struct tui_import *im)
{
	struct tui_app *a = im->a;
	Clubcrm__ImportRow *ptrs[BATCH];
	size_t n = im->n_rows - im->next < BATCH ? im->n_rows - im->next : BATCH;
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &im->rows[im->next + i];
	Clubcrm__ImportCustomers req = CLUBCRM__IMPORT_CUSTOMERS__INIT;
	req.rows = ptrs;
	req.n_rows = n;
	req.has_dry_run = 1;
	req.dry_run = im->dry;
	im->sent = n;
	im->busy = true;
	unsigned rc = clubcrm_customers_import_async(a->live, &req, on_batch, im);
	if (rc != STATUS_OK) {
		im->busy = false;
		tui_app_status(a, true, "import: the batch could not be sent "
			       "(%s)", status_name(rc));
		return false;
	}
	return true;
}

static void start(struct tui_import *im, bool dry)
{
	im->dry = dry;
	im->next = 0;
	im->added = im->dups = im->bad = 0;
	im->n_bads = 0;
	im->t0 = now_s();
	if (!im->n_rows) {
		im->stage = dry ? ST_CHECKED : ST_DONE;
		show(im);
		tui_app_status(im->a, im->file_bad != 0, "%s",
			       "nothing in the file to send");
		return;
	}
	tui_app_status(im->a, false, "%s %zu %s...",
		       dry ? "checking" : "importing", im->n_rows,
		       plural(im->n_rows, "row", "rows"));
	send_next(im);
}

static void progress(struct tui_import *im)
{
	double el = now_s() - im->t0;
	double rate = el > 0 ? (double)im->next / el : 0;
	double left = rate > 0 ? (double)(im->n_rows - im->next) / rate : 0;
	tui_app_status(im->a, false, "%s: %zu of %zu %s, %.0f rows/s, "
		       "%.0f s left (Esc stops after this batch)",
		       im->dry ? "checking" : "importing", im->next,
		       im->n_rows, plural(im->n_rows, "row", "rows"), rate,
		       left);
}

static void on_batch(const struct clubcrm_answer *ans, void *arg)
{
	struct tui_import *im = arg;
	struct tui_app *a = im->a;
	im->busy = false;
	if (ans->status != STATUS_OK) {
		im->stage = ST_NONE;
		tui_app_status(a, true, "import: %s: %s", status_name(ans->status),
			       ans->message);
		if (a->import != im) {  /* replaced or let go meanwhile */
			free_rows(im);
			free(im);
		}
		return;
	}
	const Clubcrm__ImportReply *r = ans->import;
	for (size_t i = 0; i < r->n_rows; i++) {
		const Clubcrm__ImportOutcome *o = r->rows[i];
		if (o->status == CLUBCRM__IMPORT_STATUS__IMPORT_ADDED) {
			im->added++;
		} else if (o->status == CLUBCRM__IMPORT_STATUS__IMPORT_DUPLICATE) {
			im->dups++;
		} else {
			im->bad++;
			note_bad(im->bads, &im->n_bads, o->line,
				 o->reason ? o->reason : "refused");
		}
	}
	if (r->revision > im->revision)
		im->revision = r->revision;
	im->next += im->sent;
	if (a->import != im) {
		free_rows(im);
		free(im);
		return;
	}
	bool closed = a->form_seq != im->seq;
	if (im->next < im->n_rows && !closed) {
		progress(im);
		show(im);
		send_next(im);
		return;
	}
	if (im->dry) {
		im->stage = closed ? ST_NONE : ST_CHECKED;
		show(im);
		size_t bad = im->file_bad + im->bad;
		if (bad)
			tui_app_status(a, true, "%zu bad %s: correct the file, "
				       "or choose Bad rows: skip; Ctrl-S imports "
				       "the %zu new", bad,
				       plural(bad, "row", "rows"), im->added);
		else
			tui_app_status(a, false, "checked: Ctrl-S imports %zu new "
				       "%s", im->added,
				       plural(im->added, "customer",
					      "customers"));
		return;
	}
	im->stage = ST_DONE;
	show(im);
	if (im->next < im->n_rows)
		tui_app_status(a, true, "import stopped: %zu %s added "
			       "(%zu of %zu %s); import the same file again "
			       "to add the rest", im->added,
			       plural(im->added, "customer", "customers"),
			       im->next, im->n_rows,
			       plural(im->n_rows, "row", "rows"));
	else
		tui_app_status(a, false, "imported %zu new %s, %zu %s "
			       "skipped, %zu bad %s skipped (revision %llu)",
			       im->added,
			       plural(im->added, "customer", "customers"),
			       im->dups,
			       plural(im->dups, "duplicate", "duplicates"),
			       im->file_bad + im->bad,
			       plural(im->file_bad + im->bad, "row", "rows"),
			       (unsigned long long)im->revision);
}

void tui_import_submit(struct tui_app *a)
{
	struct tui_field *pf = tui_form_field(&a->form, "File");
	struct tui_field *bf = tui_form_field(&a->form, "Bad rows");
	if (!pf)
		return;
	const char *path = pf->text;
	while (*path == ' ')
		path++;
	bool skip = bf && tui_field_choice_id(bf) == 1;
	struct tui_import *im = a->import;
	if (im && im->busy) {
		tui_app_status(a, true, "an import is still running");
		return;
	}
	if (!*path) {
		tui_app_status(a, true, "give the path of a CSV file");
		return;
	}
	if (im && im->stage == ST_CHECKED && im->seq == a->form_seq &&
	    strcmp(im->path, path) == 0) {
		size_t bad = im->file_bad + im->bad;
		if (bad && !skip) {
			tui_app_status(a, true, "%zu bad %s: nothing imported "
				       "(correct the file, or choose Bad rows: "
				       "skip)", bad, plural(bad, "row", "rows"));
			return;
		}
		if (!im->added) {
			tui_app_status(a, false, "nothing to import");
			return;
		}
		start(im, false);
		return;
	}
	tui_import_free(a, false);
	im = calloc(1, sizeof(*im));
	if (!im) {
		tui_app_status(a, true, "out of memory");
		return;
	}
	im->a = a;
	im->seq = a->form_seq;
	snprintf(im->path, sizeof(im->path), "%s", path);
	a->import = im;
	a->n_history = 0;
	char why[600];
	if (load(im, why, sizeof(why)) < 0) {
		tui_app_status(a, true, "%s", why);
		tui_import_free(a, false);
		return;
	}
	start(im, true);
}
