/*
 * libFuzzer harness for the customer file reader (client/lib/import_csv.h),
 * which reads a file from disk: any bytes, any encoding.
 *
 * Input: one control byte, then the file's bytes. Control bit 0: the file
 * is declared Windows-1252; bits 1-2: one of a few --map texts (none, a
 * column number, a header, an unknown column). The reader either refuses
 * the file (open or a later row: -1 with a reason) or gives rows whose
 * every string is valid UTF-8, no longer than a record may be
 * (IMPORT_CSV_LINE_MAX, a name with its surname one byte more), with line
 * numbers after the header's, never going back nor past the file's last
 * line (LF, CRLF and CR end lines); the header has at most
 * IMPORT_CSV_COLUMNS_MAX columns and one of them is the name. Declared
 * Windows-1252, a byte may take three in UTF-8: the limits are three times
 * as long. A file with a NUL byte anywhere (every byte lands in some field)
 * is refused, never read to its end: a C string would cut the field there.
 * A file that starts with a UTF-16 byte-order mark (FF FE, FE FF) is read
 * as UTF-16: there a NUL code unit is refused likewise, and line ends are
 * counted from the raw bytes still (an upper bound: every decoded LF, CR
 * or CRLF holds a 0x0A or 0x0D byte of its own).
 * Every row also goes through import_seen_check. Leaks and UB: the
 * sanitizers.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_import_csv: %s%s%s\n", what,
		detail ? ": " : "", detail ? detail : "");
	abort();
}

/* Valid UTF-8 (no overlong form, no surrogate, nothing past U+10FFFF). */
static int utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned char c = *s;
		size_t len;
		uint32_t cp;
		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (size_t i = 1; i < len; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		s += len;
	}
	return 1;
}

static void check_text(const char *s, size_t max, const char *what)
{
	if (!s)
		return;
	if (strlen(s) > max)
		fail("a string over the record limit", what);
	if (!utf8_ok((const unsigned char *)s))
		fail("a string that is not UTF-8", what);
}

static void check_err(const char *err, const char *when)
{
	if (!err[0])
		fail("a refusal without a reason", when);
	if (!memchr(err, '\0', 300))
		fail("a reason not terminated", when);
}

/* A NUL byte, or in UTF-16 (its mark first) a NUL code unit. */
static int has_nul(const uint8_t *d, size_t n)
{
	if (n >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) ||
		       (d[0] == 0xFE && d[1] == 0xFF))) {
		for (size_t i = 2; i + 1 < n; i += 2)
			if (!d[i] && !d[i + 1])
				return 1;
		return 0;
	}
	return n && memchr(d, '\0', n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const maps[4] = {
		NULL, "2=phone", "name=name,email=ignore", "nosuch=name",
	};
	if (size < 1)
		return 0;
	struct import_csv_opts o = {.windows1252 = data[0] & 1,
				    .map = maps[(data[0] >> 1) & 3]};
	data++;
	size--;
	/* fmemopen() of 0 bytes may fail: /dev/null is an empty file. */
	FILE *f = size ? fmemopen((void *)data, size, "rb")
		       : fopen("/dev/null", "rb");
	if (!f)
		fail("fmemopen", NULL);
	char err[300];
	memset(err, 0, sizeof(err));
	struct import_csv *c = NULL;
	if (import_csv_open(&c, f, &o, err, sizeof(err)) < 0) {
		if (c)
			fail("a reader left after a refusal", NULL);
		check_err(err, "open");
		fclose(f);
		return 0;
	}
	size_t max = (o.windows1252 ? 3u : 1u) * IMPORT_CSV_LINE_MAX;
	char d = import_csv_delim(c);
	if (d != ',' && d != ';' && d != '\t')
		fail("a separator other than , ; or tab", NULL);
	size_t ncol = import_csv_columns(c);
	if (ncol == 0 || ncol > IMPORT_CSV_COLUMNS_MAX)
		fail("a header with no or too many columns", NULL);
	int have_name = 0;
	for (size_t i = 0; i < ncol; i++) {
		enum import_field fld = IMPORT_F_COUNT;
		const char *h = import_csv_column(c, i, &fld);
		if (!h || (unsigned)fld >= IMPORT_F_COUNT)
			fail("a column without its header or field", NULL);
		check_text(h, max, "header");
		have_name |= fld == IMPORT_F_NAME;
	}
	if (!have_name)
		fail("a header without a name column taken", NULL);
	if (import_csv_column(c, ncol, NULL))
		fail("a column past the last", NULL);
	struct import_seen *seen = import_seen_new();
	if (!seen)
		fail("out of memory", NULL);
	/* Lines end with LF, CRLF or CR: no row starts past the last. */
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' ||
			 (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	unsigned last = 1;
	struct import_csv_row r;
	int rc;
	while ((rc = import_csv_next(c, &r, err, sizeof(err))) == 1) {
		if (r.line < last)
			fail("a row's line going back", NULL);
		if (r.line < 2 || r.line > lines)
			fail("a row's line before the header or past the last",
			     NULL);
		last = r.line;
		check_text(r.name, max + 1, "name");
		check_text(r.phone, max, "phone");
		check_text(r.email, max, "email");
		check_text(r.consultant, max, "consultant");
		if ((r.name && !r.name[0]) || (r.phone && !r.phone[0]) ||
		    (r.email && !r.email[0]) ||
		    (r.consultant && !r.consultant[0]))
			fail("an empty field not given as NULL", NULL);
		if (r.bad && !r.bad[0])
			fail("an empty reason for a bad row", NULL);
		unsigned at = 0;
		const char *what = NULL;
		int s = import_seen_check(seen, &r, &at, &what);
		if (s < 0)
			fail("out of memory", NULL);
		if (s == 1 && (!what || at == 0 || at > r.line))
			fail("a duplicate without its earlier line", NULL);
	}
	if (rc < 0)
		check_err(err, "next");
	else if (rc != 0)
		fail("import_csv_next gave neither 1, 0 nor -1", NULL);
	else if (import_csv_next(c, &r, err, sizeof(err)) != 0)
		fail("a row after the end", NULL);
	else if (has_nul(data, size))
		fail("a file with a NUL read to its end", NULL);
	import_seen_free(seen);
	import_csv_close(c);
	fclose(f);
	return 0;
}
