/* The customer-file reader's tests' common part (test_import_csv.c,
 * test_import_csv_utf16.c): a file in memory opened with import_csv, its
 * rows read and its refusals checked. */
#ifndef CLUBCRM_IMPORT_CSV_FIXTURE_H
#define CLUBCRM_IMPORT_CSV_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "import_csv.h"

struct got {
	struct import_csv *c;
	FILE *f;
	char *bytes;          /* the file's bytes, freed by done() */
	char err[300];
};

/* Opens the `len` bytes at `bytes` (malloc'd, taken: freed by done());
 * asserts the open's result. */
static inline void open_owned(struct got *g, char *bytes, size_t len,
		       const char *map, bool cp1252, int want)
{
	memset(g, 0, sizeof(*g));
	g->bytes = bytes;
	g->f = fmemopen(bytes, len, "r");
	assert_non_null(g->f);
	struct import_csv_opts o = {.map = map, .windows1252 = cp1252};
	int rc = import_csv_open(&g->c, g->f, &o, g->err, sizeof(g->err));
	if (rc != want)
		fail_msg("open: %d (%s), expected %d", rc, g->err, want);
}

/* Opens a copy of `len` bytes of `text`; asserts the open's result. */
static inline void open_text(struct got *g, const void *text, size_t len,
		      const char *map, bool cp1252, int want)
{
	char *b = malloc(len ? len : 1);
	assert_non_null(b);
	memcpy(b, text, len);
	open_owned(g, b, len, map, cp1252, want);
}

/* The reader (if the open succeeded), the file and its bytes closed. */
static inline void done(struct got *g)
{
	if (g->c)
		import_csv_close(g->c);
	fclose(g->f);
	free(g->bytes);
}

static inline void next_row(struct got *g, struct import_csv_row *r, unsigned line)
{
	int rc = import_csv_next(g->c, r, g->err, sizeof(g->err));
	if (rc != 1)
		fail_msg("next: %d (%s), expected a row at line %u", rc, g->err,
			 line);
	assert_int_equal(r->line, line);
}

/* The next read is refused with a message holding `want`. */
static inline void next_fails(struct got *g, const char *want)
{
	struct import_csv_row r;
	int rc = import_csv_next(g->c, &r, g->err, sizeof(g->err));
	if (rc != -1 || !strstr(g->err, want))
		fail_msg("next: %d (%s), expected -1 with '%s'", rc, g->err,
			 want);
}

/* `got` is `want`; a NULL `want`: no value. */
static inline void assert_str(const char *got, const char *want)
{
	if (!want) {
		if (got)
			fail_msg("expected NULL, got '%s'", got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

#endif
