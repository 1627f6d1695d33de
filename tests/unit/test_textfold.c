/* Case- and accent-insensitive text for searches and name order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
	/* A truncated input (lone lead byte) is copied byte by byte. */
	n = textfold_copy("a\xc3", out, sizeof(out));
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
