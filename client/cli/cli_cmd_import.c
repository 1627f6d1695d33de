/*
 * customer import FILE.csv: customers from another system's export.
 *
 * Two passes over the file (import_csv.h reads it, a row at a time):
 *  1. every row checked: what the file alone says (more fields than
 *     columns, the same person twice in the file), then the server's dry
 *     run in batches (ImportCustomers with dry_run: names, e-mails,
 *     phones, consultants, duplicates of customers the club has). Bad rows
 *     are printed with their line; with any, nothing is imported unless
 *     --skip-bad.
 *  2. the rows again, in batches of 500 (one request and one commit each).
 * A customer the club already has (same e-mail, phone, or name when the
 * row has neither) is skipped and counted, so running the same file again
 * adds nothing twice, and a run interrupted (Ctrl-C stops after the batch
 * in flight; a kill or a lost connection anywhere) is finished by running
 * it again.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_json.h"
#include "import_csv.h"

#define BATCH_MAX 500u

#define ADDED CLUBCRM__IMPORT_STATUS__IMPORT_ADDED
#define DUP CLUBCRM__IMPORT_STATUS__IMPORT_DUPLICATE

struct import_opts {
	const char *file, *map, *encoding, *batch;
	bool dry_run, skip_bad, verbose;
	bool cp1252;
	uint32_t batch_size;
};

struct counts {
	size_t rows, added, dups, bad;
};

/* One pass's state. */
struct pass {
	struct cli *cli;
	const struct import_opts *o;
	bool dry;              /* the server's dry run */
	bool report;           /* print bad rows (the first pass) */
	struct counts n;
	size_t total;          /* rows of the file, known after pass 1 */
	long file_size;
	FILE *f;
	uint64_t revision;
	/* The batch being filled. */
	Clubcrm__ImportRow rows[BATCH_MAX];
	Clubcrm__ImportRow *ptrs[BATCH_MAX];
	size_t nb;
	/* Bad rows of the batch, printed in line order when it is sent. */
	struct bad { unsigned line; char *why; } *bad;
	size_t n_bad, cap_bad;
	/* --json: one object at the end instead of lines. */
	json_t *doc, *bad_rows, *dup_rows;
	/* Progress on a terminal. */
	bool bar;
	double t0, last_draw;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* A count's word: singular for one, plural otherwise (0 included). */
static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void batch_clear(struct pass *p)
{
	for (size_t i = 0; i < p->nb; i++) {
		free(p->rows[i].name);
		free(p->rows[i].phone);
		free(p->rows[i].email);
		free(p->rows[i].consultant);
	}
	p->nb = 0;
}

static void draw(struct pass *p, bool final)
{
	if (!p->bar)
		return;
	double t = now_s();
	if (!final && t - p->last_draw < 0.2)
		return;
	p->last_draw = t;
	size_t done = p->n.rows;
	double frac;
	if (p->total)
		frac = (double)done / (double)p->total;
	else
		frac = p->file_size > 0 ? (double)ftell(p->f) / (double)p->file_size
					: 0;
	if (frac > 1)
		frac = 1;
	double el = t - p->t0;
	double rate = el > 0 ? (double)done / el : 0;
	char bar[31];
	size_t fill = (size_t)(frac * 30);
	for (size_t i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	double left = frac > 0.001 ? el / frac - el : 0;
	fprintf(stderr, "\r%s [%s] %3.0f%%  %zu %s  %.0f rows/s  %.0f s left ",
		p->dry ? "checking " : "importing", bar, frac * 100, done,
		plural(done, "row ", "rows"), rate, left);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

static void bad_row(struct pass *p, unsigned line, const char *why)
{
	p->n.bad++;
	if (!p->report)
		return;
	if (p->n_bad == p->cap_bad) {
		size_t cap = p->cap_bad ? p->cap_bad * 2 : 64;
		struct bad *b = realloc(p->bad, cap * sizeof(*b));
		if (!b)
			return;
		p->bad = b;
		p->cap_bad = cap;
	}
	p->bad[p->n_bad].line = line;
	p->bad[p->n_bad].why = strdup(why);
	if (p->bad[p->n_bad].why)
		p->n_bad++;
}

static int by_line(const void *a, const void *b)
{
	unsigned x = ((const struct bad *)a)->line;
	unsigned y = ((const struct bad *)b)->line;
	return x < y ? -1 : x > y;
}

static void print_bad(struct pass *p)
{
	if (!p->n_bad)
		return;
	qsort(p->bad, p->n_bad, sizeof(*p->bad), by_line);
	if (p->bar)
		fputs("\r\033[K", stderr);
	for (size_t i = 0; i < p->n_bad; i++) {
		if (p->bad_rows)
			json_array_append_new(p->bad_rows, json_pack(
				"{s:I,s:s}", "line", (json_int_t)p->bad[i].line,
				"reason", p->bad[i].why));
		else
			printf("line %u: %s\n", p->bad[i].line, p->bad[i].why);
		free(p->bad[i].why);
	}
	fflush(stdout);
	p->n_bad = 0;
}

/* Sends the batch; counts and reports its outcomes. CLI_OK or
 * CLI_REFUSED (the request as a whole refused: rights, connection). */
static int flush(struct pass *p)
{
	if (!p->nb) {
		print_bad(p);
		return CLI_OK;
	}
	Clubcrm__ImportCustomers im = CLUBCRM__IMPORT_CUSTOMERS__INIT;
	for (size_t i = 0; i < p->nb; i++)
		p->ptrs[i] = &p->rows[i];
	im.rows = p->ptrs;
	im.n_rows = p->nb;
	im.has_dry_run = p->dry;
	im.dry_run = p->dry;
	struct clubcrm_answer ans;
	int rc = cli_answer(clubcrm_customers_import(p->cli->conn, &im, &ans),
			    &ans);
	if (rc != CLI_OK) {
		batch_clear(p);
		return rc;
	}
	const Clubcrm__ImportReply *r = ans.import;
	if (r->n_rows != p->nb) {
		cli_error("the server answered %zu rows for %zu", r->n_rows,
			  p->nb);
		clubcrm_answer_free(&ans);
		batch_clear(p);
		return CLI_REFUSED;
	}
	for (size_t i = 0; i < r->n_rows; i++) {
		const Clubcrm__ImportOutcome *o = r->rows[i];
		if (o->status == ADDED) {
			p->n.added++;
		} else if (o->status == DUP) {
			p->n.dups++;
			if (p->o->verbose && p->report && p->dup_rows)
				json_array_append_new(p->dup_rows, json_pack(
					"{s:I,s:I,s:s}", "line",
					(json_int_t)o->line, "customer_id",
					(json_int_t)o->customer_id, "reason",
					o->reason ? o->reason : ""));
			else if (p->o->verbose && p->report)
				printf("line %u: already a customer (%s), "
				       "skipped\n", o->line,
				       o->reason ? o->reason : "");
		} else {
			bad_row(p, o->line, o->reason ? o->reason : "refused");
		}
	}
	if (r->has_revision && r->revision > p->revision)
		p->revision = r->revision;
	clubcrm_answer_free(&ans);
	batch_clear(p);
	print_bad(p);
	return CLI_OK;
}

static int add_row(struct pass *p, const struct import_csv_row *row)
{
	Clubcrm__ImportRow *r = &p->rows[p->nb];
	clubcrm__import_row__init(r);
	r->has_line = 1;
	r->line = row->line;
	r->name = dup_or_null(row->name);
	r->phone = dup_or_null(row->phone);
	r->email = dup_or_null(row->email);
	r->consultant = dup_or_null(row->consultant);
	p->nb++;
	if ((row->name && !r->name) || (row->phone && !r->phone) ||
	    (row->email && !r->email) || (row->consultant && !r->consultant)) {
		cli_error("out of memory");
		return CLI_REFUSED;
	}
	return p->nb == p->o->batch_size ? flush(p) : CLI_OK;
}

/* One pass over the file. CLI_OK or the exit code. */
static int run_pass(struct pass *p)
{
	if (fseek(p->f, 0, SEEK_SET) != 0) {
		cli_error("%s: cannot read it again: %s", p->o->file,
			  strerror(errno));
		return CLI_REFUSED;
	}
	struct import_csv_opts ro = {.map = p->o->map,
				     .windows1252 = p->o->cp1252};
	struct import_csv *c = NULL;
	char err[512];
	if (import_csv_open(&c, p->f, &ro, err, sizeof(err))) {
		cli_error("%s: %s", p->o->file, err);
		return strncmp(err, "--map", 5) == 0 ? CLI_USAGE : CLI_REFUSED;
	}
	if (p->report && p->doc) {
		json_t *cols = json_array();
		for (size_t i = 0; i < import_csv_columns(c); i++) {
			enum import_field f;
			const char *h = import_csv_column(c, i, &f);
			json_array_append_new(cols, json_pack(
				"{s:s,s:s}", "header", h, "field",
				import_field_name(f)));
		}
		char d[2] = {import_csv_delim(c), '\0'};
		json_object_set_new(p->doc, "separator", json_string(d));
		json_object_set_new(p->doc, "columns", cols);
	} else if (p->report) {
		printf("Columns (separated by '%s'):",
		       import_csv_delim(c) == '\t' ? "tab"
		       : import_csv_delim(c) == ';' ? ";" : ",");
		for (size_t i = 0; i < import_csv_columns(c); i++) {
			enum import_field f;
			const char *h = import_csv_column(c, i, &f);
			if (f == IMPORT_F_IGNORE)
				printf("%s %s (not imported)", i ? "," : "", h);
			else
				printf("%s %s -> %s", i ? "," : "", h,
				       import_field_name(f));
		}
		printf("\n");
	}
	struct import_seen *seen = import_seen_new();
	int rc = seen ? CLI_OK : CLI_REFUSED;
	p->t0 = now_s();
	struct import_csv_row row;
	while (rc == CLI_OK) {
		if (interrupted)
			break;
		int got = import_csv_next(c, &row, err, sizeof(err));
		if (got < 0) {
			if (p->bar)
				fputc('\n', stderr);
			cli_error("%s: %s", p->o->file, err);
			rc = CLI_REFUSED;
			break;
		}
		if (got == 0)
			break;
		p->n.rows++;
		unsigned first;
		const char *what;
		if (row.bad) {
			bad_row(p, row.line, row.bad);
		} else if ((got = import_seen_check(seen, &row, &first,
						    &what)) != 0) {
			if (got < 0) {
				rc = CLI_REFUSED;
				break;
			}
			char why[64];
			snprintf(why, sizeof(why), "same %s as line %u", what,
				 first);
			bad_row(p, row.line, why);
		} else {
			rc = add_row(p, &row);
		}
		draw(p, false);
	}
	if (rc == CLI_OK && !interrupted)
		rc = flush(p);
	batch_clear(p);
	print_bad(p);
	draw(p, true);
	import_seen_free(seen);
	import_csv_close(c);
	return rc;
}

/* --json: the object, with the outcome and the counts of `n`. */
static void print_json(struct pass *p, const char *outcome,
		       const struct counts *n)
{
	json_object_set_new(p->doc, "outcome", json_string(outcome));
	json_object_set_new(p->doc, "rows", json_integer((json_int_t)n->rows));
	json_object_set_new(p->doc, "new", json_integer((json_int_t)n->added));
	json_object_set_new(p->doc, "duplicates",
			    json_integer((json_int_t)n->dups));
	json_object_set_new(p->doc, "bad", json_integer((json_int_t)n->bad));
	json_object_set_new(p->doc, "revision",
			    json_integer((json_int_t)p->revision));
	cli_json_print(p->doc);
	p->doc = NULL;
}

static int parse(struct cli *cli, int argc, char **argv,
		 struct import_opts *o)
{
	const struct cli_opt opts[] = {
		{"dry-run", CLI_OPT_FLAG, &o->dry_run},
		{"map", CLI_OPT_VALUE, &o->map},
		{"encoding", CLI_OPT_VALUE, &o->encoding},
		{"skip-bad", CLI_OPT_FLAG, &o->skip_bad},
		{"verbose", CLI_OPT_FLAG, &o->verbose},
		{"batch-size", CLI_OPT_VALUE, &o->batch},
		{0},
	};
	size_t n_pos = 0;
	int rc = cli_args_parse(cli, argc, argv, opts, &o->file, 1, &n_pos);
	if (rc != CLI_OK)
		return rc;
	if (n_pos != 1)
		return cli_usage_error("customer import needs a file "
				       "(FILE.csv)");
	if (o->encoding) {
		if (strcmp(o->encoding, "windows-1252") == 0 ||
		    strcmp(o->encoding, "cp1252") == 0 ||
		    strcmp(o->encoding, "latin1") == 0)
			o->cp1252 = true;
		else if (strcmp(o->encoding, "utf-8") != 0 &&
			 strcmp(o->encoding, "utf8") != 0)
			return cli_usage_error("--encoding must be utf-8 or "
					       "windows-1252");
	}
	o->batch_size = BATCH_MAX;
	if (o->batch) {
		uint64_t n;
		if (cli_parse_u64(o->batch, &n) < 0 || n > BATCH_MAX)
			return cli_usage_error("--batch-size must be 1..%u",
					       BATCH_MAX);
		o->batch_size = (uint32_t)n;
	}
	return CLI_OK;
}

int cli_cmd_customer_import(struct cli *cli, int argc, char **argv)
{
	struct import_opts o = {0};
	int rc = parse(cli, argc, argv, &o);
	if (rc != CLI_OK)
		return rc;
	FILE *f = fopen(o.file, "rb");
	if (!f) {
		cli_error("%s: %s", o.file, strerror(errno));
		return CLI_REFUSED;
	}
	struct stat st;
	struct pass *p = calloc(1, sizeof(*p));
	if (!p) {
		fclose(f);
		cli_error("out of memory");
		return CLI_REFUSED;
	}
	p->cli = cli;
	p->o = &o;
	p->f = f;
	p->file_size = fstat(fileno(f), &st) == 0 ? (long)st.st_size : 0;
	p->bar = isatty(STDERR_FILENO);
	if (cli->json) {
		p->doc = json_object();
		p->bad_rows = json_array();
		p->dup_rows = json_array();
		json_object_set(p->doc, "bad_rows", p->bad_rows);
		if (o.verbose)
			json_object_set(p->doc, "duplicate_rows", p->dup_rows);
		json_object_set_new(p->doc, "dry_run", json_boolean(o.dry_run));
	}
	/* The file's own faults (encoding, --map) before any connection. */
	{
		struct import_csv_opts ro = {.map = o.map,
					     .windows1252 = o.cp1252};
		struct import_csv *c = NULL;
		char err[512];
		if (import_csv_open(&c, f, &ro, err, sizeof(err))) {
			cli_error("%s: %s", o.file, err);
			free(p);
			fclose(f);
			return strncmp(err, "--map", 5) == 0 ? CLI_USAGE
							      : CLI_REFUSED;
		}
		import_csv_close(c);
	}
	rc = cli_connect(cli);
	if (rc != CLI_OK)
		goto out;
	/* Who may import is known before the file is read: an empty dry
	 * run. */
	{
		Clubcrm__ImportCustomers probe = CLUBCRM__IMPORT_CUSTOMERS__INIT;
		probe.has_dry_run = probe.dry_run = 1;
		struct clubcrm_answer ans;
		rc = cli_answer(clubcrm_customers_import(cli->conn, &probe,
							 &ans), &ans);
		if (rc != CLI_OK)
			goto out;
		clubcrm_answer_free(&ans);
	}
	struct sigaction sa = {.sa_handler = on_sigint}, old_int;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);

	p->dry = true;
	p->report = true;
	rc = run_pass(p);
	if (rc == CLI_OK && interrupted) {
		cli_error("interrupted while checking: nothing was imported");
		rc = CLI_REFUSED;
	}
	if (rc != CLI_OK)
		goto restore;
	struct counts first = p->n;
	if (o.dry_run && p->doc) {
		print_json(p, "dry-run", &first);
		rc = first.bad && !o.skip_bad ? CLI_REFUSED : CLI_OK;
		goto restore;
	}
	if (o.dry_run) {
		printf("Dry run: %zu new, %zu %s skipped, %zu bad "
		       "(nothing was changed)\n", first.added, first.dups,
		       plural(first.dups, "duplicate", "duplicates"),
		       first.bad);
		rc = first.bad && !o.skip_bad ? CLI_REFUSED : CLI_OK;
		goto restore;
	}
	if (first.bad && !o.skip_bad) {
		if (p->doc)
			print_json(p, "bad-rows", &first);
		cli_error("%zu bad %s: nothing was imported (correct %s, or "
			  "give --skip-bad to import the others)", first.bad,
			  plural(first.bad, "row", "rows"),
			  plural(first.bad, "it", "them"));
		rc = CLI_REFUSED;
		goto restore;
	}
	if (!first.added && p->doc) {
		print_json(p, "nothing-to-import", &first);
		goto restore;
	}
	if (!first.added) {
		printf("Nothing to import: %zu %s skipped, %zu bad\n",
		       first.dups, plural(first.dups, "duplicate",
					  "duplicates"), first.bad);
		goto restore;
	}
	p->total = first.rows;
	p->dry = false;
	p->report = false;
	p->n = (struct counts){0};
	/* The bad rows were listed by the check. */
	if (p->doc) {
		json_decref(p->bad_rows);
		p->bad_rows = NULL;
		json_decref(p->dup_rows);
		p->dup_rows = NULL;
	}
	rc = run_pass(p);
	if (rc != CLI_OK && !p->n.added)
		goto restore;
	if ((interrupted || rc != CLI_OK) && p->doc) {
		print_json(p, "interrupted", &p->n);
		rc = CLI_REFUSED;
		goto restore;
	}
	if (interrupted || rc != CLI_OK) {
		printf("Interrupted after %zu %s: %zu %s added "
		       "(revision %llu); run the same command again to "
		       "import the rest\n", p->n.rows,
		       plural(p->n.rows, "row", "rows"), p->n.added,
		       plural(p->n.added, "customer", "customers"),
		       (unsigned long long)p->revision);
		rc = CLI_REFUSED;
		goto restore;
	}
	if (p->doc)
		print_json(p, "imported", &p->n);
	else
		printf("Imported %zu new %s, %zu %s skipped, %zu bad %s "
		       "skipped (revision %llu)\n", p->n.added,
		       plural(p->n.added, "customer", "customers"), p->n.dups,
		       plural(p->n.dups, "duplicate", "duplicates"), p->n.bad,
		       plural(p->n.bad, "row", "rows"),
		       (unsigned long long)p->revision);
	/* Rows that became bad between the passes (a consultant
	 * deactivated meanwhile). */
	if (p->n.bad > first.bad && !o.skip_bad)
		rc = CLI_REFUSED;
restore:
	sigaction(SIGINT, &old_int, NULL);
out:
	json_decref(p->doc);
	json_decref(p->bad_rows);
	json_decref(p->dup_rows);
	for (size_t i = 0; i < p->n_bad; i++)
		free(p->bad[i].why);
	free(p->bad);
	free(p);
	fclose(f);
	return rc;
}
