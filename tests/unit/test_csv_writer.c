/* The exports' CSV writer (client/lib/csv_writer.c): RFC 4180 quoting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csv_writer.h"

/* The record written for `fields`, in a static buffer. */
static const char *record(const char *const *fields, size_t n)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	csvw_record(f, fields, n);
	assert_int_equal(fclose(f), 0);
	return buf;
}

#define REC(...)                                                              \
	record((const char *const[]){__VA_ARGS__},                            \
	       sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static void test_plain_fields(void **state)
{
	(void)state;
	assert_string_equal(REC("a", "b c", "12"), "a,b c,12\r\n");
	assert_string_equal(REC("only"), "only\r\n");
	assert_false(csvw_needs_quotes("plain text; with: punctuation"));
}

static void test_empty_and_null(void **state)
{
	(void)state;
	assert_string_equal(REC("", "x", NULL), ",x,\r\n");
	assert_string_equal(REC(NULL), "\r\n");
	assert_false(csvw_needs_quotes(""));
	assert_false(csvw_needs_quotes(NULL));
}

static void test_commas_quoted(void **state)
{
	(void)state;
	assert_string_equal(REC("Tennis, Padel", "x"), "\"Tennis, Padel\",x\r\n");
	assert_string_equal(REC(","), "\",\"\r\n");
}

static void test_quotes_doubled(void **state)
{
	(void)state;
	assert_string_equal(REC("say \"hi\""), "\"say \"\"hi\"\"\"\r\n");
	assert_string_equal(REC("\""), "\"\"\"\"\r\n");
	assert_string_equal(REC("\"\"", "a"), "\"\"\"\"\"\",a\r\n");
}

static void test_line_breaks_quoted(void **state)
{
	(void)state;
	assert_string_equal(REC("two\nlines", "cr\rhere", "both\r\nends"),
			    "\"two\nlines\",\"cr\rhere\",\"both\r\nends\"\r\n");
	assert_true(csvw_needs_quotes("\n"));
}

static void test_utf8_unchanged(void **state)
{
	(void)state;
	/* Accents, an ideograph, an emoji: bytes as they are, no quoting. */
	assert_string_equal(REC("Lucía Fernández", "龍", "\xF0\x9F\x8E\xBE"),
			    "Lucía Fernández,龍,\xF0\x9F\x8E\xBE\r\n");
	assert_string_equal(REC("Muñoz, José"), "\"Muñoz, José\"\r\n");
}

static void test_spaces_kept(void **state)
{
	(void)state;
	/* Spaces are part of a field (RFC 4180): not trimmed. */
	assert_string_equal(REC("  padded  ", " "), "  padded  , \r\n");
}

/* A cell a spreadsheet would run as a formula (=, @, a leading tab or CR,
 * + or - followed by more than a number) gets an apostrophe first, so it
 * opens as the text it is; phone numbers and signed numbers stay as they
 * are (OWASP's CSV injection advice, without damaging "+34 ..."). */
static void test_formulas_defused(void **state)
{
	(void)state;
	assert_string_equal(REC("=1+2", "@SUM(A1)", "ok"),
			    "'=1+2,'@SUM(A1),ok\r\n");
	assert_string_equal(REC("=HYPERLINK(\"http://x\",\"a\")"),
			    "\"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\"\r\n");
	assert_string_equal(REC("+cmd|' /C calc'!A0", "-2+3+cmd"),
			    "'+cmd|' /C calc'!A0,'-2+3+cmd\r\n");
	assert_string_equal(REC("\tx", "\rx"), "'\tx,\"'\rx\"\r\n");
	/* Kept: phones, signed numbers, a lone sign, text with = inside. */
	assert_string_equal(REC("+34 600 123 456", "+34 (91) 555-01.02", "-5",
				"-1,5", "+", "-", "a=b"),
			    "+34 600 123 456,+34 (91) 555-01.02,-5,\"-1,5\",+,-,"
			    "a=b\r\n");
	assert_true(csvw_is_formula("=x"));
	assert_false(csvw_is_formula("+34 600"));
	assert_false(csvw_is_formula(""));
	assert_false(csvw_is_formula(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_fields),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_commas_quoted),
		cmocka_unit_test(test_quotes_doubled),
		cmocka_unit_test(test_line_breaks_quoted),
		cmocka_unit_test(test_utf8_unchanged),
		cmocka_unit_test(test_spaces_kept),
		cmocka_unit_test(test_formulas_defused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
