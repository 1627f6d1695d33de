/* Customer files in UTF-16 with their byte-order mark (client/lib/
 * import_csv.c): Excel's "Unicode Text" (UTF-16LE, tab-separated) and
 * big-endian, decoded a piece at a time; what is refused, with the line of
 * the decoded text. The files are built with iconv from UTF-8 text, and
 * a few code units written out by hand to pin the byte order down. */
#include <iconv.h>

#include "import_csv_fixture.h"

/* `text` (UTF-8) as UTF-16 with its mark; `len` gets the byte count. The
 * caller frees it. */
static char *utf16(const char *text, bool big, size_t *len)
{
	size_t n = strlen(text);
	char *out = malloc(2 + n * 4);
	assert_non_null(out);
	memcpy(out, big ? "\xFE\xFF" : "\xFF\xFE", 2);
	iconv_t cd = iconv_open(big ? "UTF-16BE" : "UTF-16LE", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	char *in = (char *)text, *o = out + 2;
	size_t inleft = n, outleft = n * 4;
	assert_int_equal(iconv(cd, &in, &inleft, &o, &outleft), 0);
	iconv_close(cd);
	*len = (size_t)(o - out);
	return out;
}

static void open_utf16(struct got *g, const char *text, bool big, int want)
{
	size_t len;
	char *b = utf16(text, big, &len);
	open_owned(g, b, len, NULL, false, want);
}

/* What Excel's "Texto Unicode (*.txt)" writes: UTF-16LE with its mark,
 * tabs, CRLF; accents, a quoted field, a character outside the BMP (a
 * surrogate pair), a blank line. */
static const char EXCEL[] =
	"Nombre\tApellidos\tTeléfono\tCorreo electrónico\r\n"
	"Iñaki\tPeña Núñez\t600 111 222\tinaki@example.org\r\n"
	"\r\n"
	"\"José \U0001F3BE\"\tRenée\t\t\r\n"
	"Zoë\t\t\t\r\n";

static void check_excel(struct got *g)
{
	assert_int_equal(import_csv_delim(g->c), '\t');
	assert_int_equal(import_csv_columns(g->c), 4);
	enum import_field f;
	assert_string_equal(import_csv_column(g->c, 2, &f), "Teléfono");
	assert_int_equal(f, IMPORT_F_PHONE);
	import_csv_column(g->c, 3, &f);
	assert_int_equal(f, IMPORT_F_EMAIL);
	struct import_csv_row r;
	next_row(g, &r, 2);
	assert_str(r.name, "Iñaki Peña Núñez");
	assert_str(r.phone, "600 111 222");
	assert_str(r.email, "inaki@example.org");
	next_row(g, &r, 4);
	assert_str(r.name, "José \xF0\x9F\x8E\xBE Renée");
	assert_null(r.phone);
	next_row(g, &r, 5);
	assert_str(r.name, "Zoë");
	assert_int_equal(import_csv_next(g->c, &r, g->err, sizeof(g->err)), 0);
}

static void test_excel_unicode_text_le(void **state)
{
	(void)state;
	struct got g;
	open_utf16(&g, EXCEL, false, 0);
	check_excel(&g);
	done(&g);
}

static void test_big_endian(void **state)
{
	(void)state;
	struct got g;
	open_utf16(&g, EXCEL, true, 0);
	check_excel(&g);
	done(&g);
}

/* The code units by hand: "name\nñ😀\n" little- and big-endian. */
static void test_hand_written_units(void **state)
{
	(void)state;
	static const char le[] = "\xFF\xFE" "n\0a\0m\0e\0\n\0"
				 "\xF1\0" "\x3D\xD8\x00\xDE" "\n\0";
	static const char be[] = "\xFE\xFF" "\0n\0a\0m\0e\0\n"
				 "\0\xF1" "\xD8\x3D\xDE\x00" "\0\n";
	const char *files[2] = {le, be};
	for (int i = 0; i < 2; i++) {
		struct got g;
		char *b = malloc(sizeof(le) - 1);
		assert_non_null(b);
		memcpy(b, files[i], sizeof(le) - 1);
		open_owned(&g, b, sizeof(le) - 1, NULL, false, 0);
		struct import_csv_row r;
		next_row(&g, &r, 2);
		assert_str(r.name, "\xC3\xB1\xF0\x9F\x98\x80");
		assert_int_equal(import_csv_next(g.c, &r, g.err,
						 sizeof(g.err)), 0);
		done(&g);
	}
}

/* A second mark (a UTF-8 file's, converted) is left out. */
static void test_second_mark(void **state)
{
	(void)state;
	struct got g;
	open_utf16(&g, "\xEF\xBB\xBFname\nAna\n", false, 0);
	assert_string_equal(import_csv_column(g.c, 0, NULL), "name");
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_str(r.name, "Ana");
	done(&g);
}

/* The mark wins over --encoding windows-1252 (FF FE there would be
 * "ÿþ", never a header). */
static void test_mark_wins_over_windows1252(void **state)
{
	(void)state;
	size_t len;
	char *b = utf16("nombre;correo\nMaría;m@example.org\n", false, &len);
	struct got g;
	open_owned(&g, b, len, NULL, true, 0);
	assert_int_equal(import_csv_delim(g.c), ';');
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_str(r.name, "María");
	done(&g);
}

#define OPEN_RAW(g, s, want) \
	open_text(g, s, sizeof(s) - 1, NULL, false, want)

/* A lone surrogate or a cut file: refused with the line of the decoded
 * text (LF, CRLF and a CR alone each end one); what comes before it is
 * read. */
static void test_lone_surrogate_and_odd_length(void **state)
{
	(void)state;
	struct got g;
	struct import_csv_row r;
	/* A low surrogate alone on line 3 (after a CRLF). */
	static const char low[] = "\xFF\xFE" "n\0a\0m\0e\0\r\0\n\0" "A\0\r\0\n\0"
				  "B\0\x00\xDC" "b\0\n\0";
	OPEN_RAW(&g, low, 0);
	next_row(&g, &r, 2);
	assert_str(r.name, "A");
	next_fails(&g, "line 3: 0xDC00 is half of a UTF-16 surrogate pair");
	done(&g);
	/* A high surrogate followed by a letter, on line 4 (CR alone). */
	static const char high[] = "\xFE\xFF" "\0n\0a\0m\0e\0\r" "\0A\0\r" "\0B\0\r"
				   "\0C\xD8\x3D\0c\0\r";
	OPEN_RAW(&g, high, 0);
	next_row(&g, &r, 2);
	next_row(&g, &r, 3);
	next_fails(&g, "line 4: 0xD83D is half of a UTF-16 surrogate pair");
	done(&g);
	/* A high surrogate at the very end, after a complete line 2. */
	static const char end[] = "\xFF\xFE" "n\0a\0m\0e\0\n\0" "A\0\n\0" "\x3D\xD8";
	OPEN_RAW(&g, end, 0);
	next_row(&g, &r, 2);
	next_fails(&g, "line 3: the file ends with 0xD83D, half of a UTF-16 "
		       "surrogate pair");
	done(&g);
	/* An odd number of bytes: a byte left over on line 2. */
	static const char odd[] = "\xFF\xFE" "n\0a\0m\0e\0\n\0" "A\0B";
	OPEN_RAW(&g, odd, 0);
	next_fails(&g, "line 2: the file ends inside a UTF-16 character "
		       "(an odd number of bytes)");
	done(&g);
	/* In the header: the open fails, with line 1. */
	static const char head[] = "\xFF\xFE" "n\0a\0m\0e\0\x00\xDC" "\n\0A\0\n\0";
	OPEN_RAW(&g, head, -1);
	assert_non_null(strstr(g.err, "line 1: 0xDC00"));
	done(&g);
	/* Only the mark and half a unit. */
	static const char one[] = "\xFF\xFE" "n";
	OPEN_RAW(&g, one, -1);
	assert_non_null(strstr(g.err, "line 1: the file ends inside"));
	done(&g);
	/* Only the mark: an empty file. */
	static const char mark[] = "\xFF\xFE";
	OPEN_RAW(&g, mark, -1);
	assert_non_null(strstr(g.err, "the file is empty"));
	done(&g);
	/* A NUL character is refused as in UTF-8. */
	static const char nul[] = "\xFF\xFE" "n\0a\0m\0e\0\n\0" "A\0\0\0B\0\n\0";
	OPEN_RAW(&g, nul, 0);
	next_fails(&g, "line 2, column 1: a NUL byte");
	done(&g);
}

/* The reader takes 64 KiB of the file at a time: a surrogate pair cut by
 * the first read (its halves at bytes 65534 and 65536) is one character;
 * a file of many pieces, of characters of 1 to 4 UTF-8 bytes (so that the
 * decoded pieces fill the buffer at every offset), reads back whole. */
static void test_pieces(void **state)
{
	(void)state;
	size_t len = 65536 + 64;
	char *b = malloc(len);
	assert_non_null(b);
	memcpy(b, "\xFF\xFE" "n\0a\0m\0e\0\r\0\n\0", 14);
	size_t o = 14;
	while (o < 65534) {
		memcpy(b + o, "a\0", 2);
		o += 2;
	}
	static const char tail[] = "\x3D\xD8\x00\xDE" "\r\0\n\0"
				   "B\0e\0a\0\r\0\n\0";
	memcpy(b + o, tail, sizeof(tail) - 1);
	o += sizeof(tail) - 1;
	struct got g;
	open_owned(&g, b, o, NULL, false, 0);
	struct import_csv_row r;
	next_row(&g, &r, 2);
	size_t n = strlen(r.name);
	assert_int_equal(n, (65534 - 14) / 2 + 4);
	assert_memory_equal(r.name + n - 4, "\xF0\x9F\x98\x80", 4);
	next_row(&g, &r, 3);
	assert_str(r.name, "Bea");
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), 0);
	done(&g);

	/* 8000 rows, ~250 KiB of UTF-16, in both byte orders. */
	enum { ROWS = 8000 };
	char *text = malloc(ROWS * 64 + 32);
	assert_non_null(text);
	size_t t = (size_t)sprintf(text, "nombre\tnotas\r\n");
	for (unsigned i = 0; i < ROWS; i++)
		t += (size_t)sprintf(text + t, "Peña\U0001F3BE€%u\t€\r\n", i);
	for (int big = 0; big < 2; big++) {
		size_t blen;
		char *bytes = utf16(text, big, &blen);
		assert_true(blen > 3 * 65536);
		open_owned(&g, bytes, blen, NULL, false, 0);
		for (unsigned i = 0; i < ROWS; i++) {
			char want[64];
			snprintf(want, sizeof(want), "Peña\U0001F3BE€%u", i);
			next_row(&g, &r, i + 2);
			assert_str(r.name, want);
		}
		assert_int_equal(import_csv_next(g.c, &r, g.err,
						 sizeof(g.err)), 0);
		done(&g);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_excel_unicode_text_le),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_hand_written_units),
		cmocka_unit_test(test_second_mark),
		cmocka_unit_test(test_mark_wins_over_windows1252),
		cmocka_unit_test(test_lone_surrogate_and_odd_length),
		cmocka_unit_test(test_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
