/* Display width: one answer for the command line and the desk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "textwidth.h"
#include "tui_text.h"

size_t cli_text_width(const char *s);

static void test_columns(void **state)
{
	(void)state;
	assert_int_equal(textwidth("Fermín", false), 6);
	/* A combining accent takes no column. */
	assert_int_equal(textwidth("Fermi\xcc\x81n", false), 6);
	/* CJK, Hangul and emoji take two. */
	assert_int_equal(textwidth("日本語", false), 6);
	assert_int_equal(textwidth("한국", false), 4);
	assert_int_equal(textwidth("\xf0\x9f\x8e\xbe", false), 2);  /* 🎾 */
	assert_int_equal(textwidth("Ελένη", false), 5);
	assert_int_equal(textwidth(NULL, false), 0);
	assert_int_equal(textwidth("", true), 0);
	/* Invalid bytes and controls one column each, never past the end. */
	assert_int_equal(textwidth("a\xff\xc3", false), 3);
	assert_int_equal(textwidth("a\tb", false), 3);
	/* Colours take none when asked; a cut-off one ends the string. */
	assert_int_equal(textwidth("a\033[31mb\033[0mc", true), 3);
	assert_int_equal(textwidth("a\033[31", true), 1);
	size_t len;
	assert_int_equal(textwidth_char("日x", &len), 2);
	assert_int_equal(len, 3);
	assert_int_equal(textwidth_char("\xe6\x97", &len), 1);
	assert_int_equal(len, 1);
}

/* The table of the command line and the desk's grid agree (issue 12:
 * cli_table counted code points, so CJK and combining accents misaligned
 * its columns). */
static void test_front_ends_agree(void **state)
{
	(void)state;
	static const char *const s[] = {
		"Iñaki", "Jose\xcc\x81", "日本語", "Ωmega", "\xf0\x9f\x8e\xbe x",
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		assert_int_equal(cli_text_width(s[i]),
				 (size_t)tui_text_width(s[i]));
	assert_int_equal(cli_text_width("日本語"), 6);
	assert_int_equal(cli_text_width("Jose\xcc\x81"), 4);
	/* The desk cuts by the same columns. */
	char out[32];
	tui_text_fit("日本語", 5, 1, out, sizeof(out));
	assert_string_equal(out, "日本 ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_front_ends_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
