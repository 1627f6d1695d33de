/* Case- and accent-insensitive text for searches and name order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "textfold.h"

static void test_contains(void **state)
{
	(void)state;
	assert_true(textfold_contains("Iñaki Zubizarreta", "inaki"));
	assert_true(textfold_contains("Iñaki Zubizarreta", "IÑAKI"));
	assert_true(textfold_contains("Lucía Fernández", "LUCIA"));
	assert_true(textfold_contains("Lucía Fernández", "fernández"));
	assert_true(textfold_contains("ÁLVARO", "álvaro"));
	assert_true(textfold_contains("Ça va", "ca"));
	assert_true(textfold_contains("x", ""));
	assert_true(textfold_contains("x", NULL));
	assert_false(textfold_contains(NULL, "x"));
	assert_false(textfold_contains("Manolo", "manola"));
	assert_false(textfold_contains("ab", "abc"));
	/* Characters without a base letter compare as they are. */
	assert_true(textfold_contains("3×4", "×"));
	assert_false(textfold_contains("3×4", "x"));
	assert_true(textfold_contains("日本語", "本"));
}

static void test_copy(void **state)
{
	(void)state;
	unsigned char out[16];
	size_t n = textfold_copy("Álvaro Núñez", out, sizeof(out));
	assert_int_equal(n, 12);
	assert_memory_equal(out, "alvaro nunez", 12);
	n = textfold_copy("Beatriz", out, 3);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "bea", 3);
	assert_int_equal(textfold_copy(NULL, out, 3), 0);
	/* A lone lead byte folds to U+FFFD, never to a 0 byte. */
	n = textfold_copy("a\xc3", out, sizeof(out));
	assert_int_equal(n, 4);
	assert_memory_equal(out, "a\xef\xbf\xbd", 4);
	/* A cut never splits a character: "日" stays three bytes and does
	 * not fit in the last two. */
	n = textfold_copy("ab日", out, 4);
	assert_int_equal(n, 2);
	/* "ß" folds to "ss", which is one character's fold: not cut. */
	n = textfold_copy("Straße", out, 5);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "stra", 4);
}

/* Scripts beyond Latin-1 fold by Unicode's rules (issue 12). */
static void test_unicode(void **state)
{
	(void)state;
	assert_true(textfold_contains("Straße 5", "STRASSE"));
	assert_true(textfold_contains("Αθήνα", "ΑΘΗΝΑ"));
	assert_true(textfold_contains("ΑΘΗΝΑ", "αθηνα"));
	assert_true(textfold_contains("Елена Петрова", "ЕЛЕНА"));
	assert_true(textfold_contains("Łukasz", "ł"));
	assert_true(textfold_contains("NÚÑEZ", "nunez"));
	assert_false(textfold_contains("Елена", "Петрова"));
	/* Composed and decomposed forms are the same text. */
	assert_true(textfold_equal("Jose\xcc\x81", "JOSÉ"));
	assert_true(textfold_equal("Iñaki", "INAKI"));
	assert_false(textfold_equal("Iñaki", "Inaka"));
	assert_false(textfold_equal(NULL, "x"));
	/* Hostile bytes fold without reading past the end. */
	assert_true(textfold_contains("\xff\xfe\xc3", "\xef\xbf\xbd"));
	/* Long text (past any short-text buffer) folds whole. */
	char hay[2100], needle[300];
	memset(hay, 'a', 2000);
	strcpy(hay + 2000, "ÑANDÚ");
	memset(needle, 'A', 250);
	strcpy(needle + 250, "nandu");
	assert_true(textfold_contains(hay, needle));
	assert_false(textfold_equal(hay + 1700, needle));
	assert_true(textfold_equal(hay + 1750, needle));
	hay[1999] = 'b';
	assert_false(textfold_contains(hay, needle));
	char *f = textfold_dup("ÁRBOL");
	assert_non_null(f);
	assert_string_equal(f, "arbol");
	free(f);
	f = textfold_dup(NULL);
	assert_non_null(f);
	assert_string_equal(f, "");
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_unicode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
