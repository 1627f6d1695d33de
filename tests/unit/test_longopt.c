/* Long options: one reading for clubcrmd and the command line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "longopt.h"

/* "json" takes no value, "server" one, "demo" an optional one. */
static int find(void *ctx, const char *name, size_t len)
{
	int *calls = ctx;
	(*calls)++;
	static const struct {
		const char *name;
		int arg;
	} t[] = {
		{"json", LONGOPT_NONE},
		{"server", LONGOPT_REQUIRED},
		{"demo", LONGOPT_OPTIONAL},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == len && !memcmp(t[i].name, name, len))
			return t[i].arg;
	return -1;
}

#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define ARGV(...) ((char *[]){__VA_ARGS__})

static int take(int argc, char **argv, int *i, struct longopt_hit *h)
{
	int calls = 0;
	int rc = longopt_take(argc, argv, i, find, &calls, h);
	assert_int_equal(calls, 1);
	return rc;
}

static void test_forms(void **state)
{
	(void)state;
	struct longopt_hit h;
	char **v = ARGV("--server", "a:1", "--server=b:2", "--json", "--demo",
			"--demo=false", "--server=");
	int n = 7, i = 0;
	assert_int_equal(take(n, v, &i, &h), 0);
	assert_int_equal(i, 1);
	assert_string_equal(h.value, "a:1");
	assert_int_equal(h.len, 6);
	i = 2;
	assert_int_equal(take(n, v, &i, &h), 0);
	assert_int_equal(i, 2);
	assert_string_equal(h.value, "b:2");
	i = 3;
	assert_int_equal(take(n, v, &i, &h), 0);
	assert_null(h.value);
	/* An optional value is never the next word. */
	i = 4;
	assert_int_equal(take(n, v, &i, &h), 0);
	assert_int_equal(i, 4);
	assert_null(h.value);
	i = 5;
	assert_int_equal(take(n, v, &i, &h), 0);
	assert_string_equal(h.value, "false");
	i = 6;
	assert_int_equal(take(n, v, &i, &h), 0);
	assert_string_equal(h.value, "");
}

static void test_errors(void **state)
{
	(void)state;
	struct longopt_hit h;
	int i = 0;
	assert_int_equal(take(1, ARGV("--serv"), &i, &h), -ENOENT);
	assert_int_equal(h.len, 4);  /* no abbreviations */
	i = 0;
	assert_int_equal(take(1, ARGV("--nope=1"), &i, &h), -ENOENT);
	assert_int_equal(h.len, 4);
	assert_memory_equal(h.name, "nope", 4);
	i = 0;
	assert_int_equal(take(1, ARGV("--json=1"), &i, &h), -E2BIG);
	i = 0;
	assert_int_equal(take(1, ARGV("--server"), &i, &h), -ENODATA);
	assert_int_equal(i, 0);
	i = 0;
	assert_int_equal(take(1, ARGV("--"), &i, &h), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
