/* Buffers, arena, status names and time helpers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "errmsg.h"
#include "idset.h"
#include "status.h"
#include "tagcolour.h"
#include "timeutil.h"

static void test_buf_append_consume(void **state)
{
	(void)state;
	struct buf b = {0};
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_append(&b, "abcd", 4), 0);
	assert_int_equal(b.len, 4000);
	buf_consume(&b, 3998);
	assert_int_equal(b.len, 2);
	assert_memory_equal(b.data, "cd", 2);
	buf_consume(&b, 10);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	assert_null(b.data);
}

static void test_buf_reserve_overflow(void **state)
{
	(void)state;
	struct buf b = {0};
	assert_int_equal(buf_reserve(&b, SIZE_MAX), -ENOMEM);
	buf_free(&b);
}

static void test_arena_strings_and_big_blocks(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	char *s = arena_strdup(&a, "Arantxa");
	assert_string_equal(s, "Arantxa");
	char *p = arena_printf(&a, "%s #%d", "task", 42);
	assert_string_equal(p, "task #42");
	uint8_t *big = arena_calloc(&a, 100000, 1);
	assert_non_null(big);
	assert_int_equal(big[99999], 0);
	/* Small allocations still come after a one-off large block. */
	char *t = arena_strdup(&a, "Manolo");
	assert_string_equal(t, "Manolo");
	assert_string_equal(s, "Arantxa");
	assert_null(arena_calloc(&a, SIZE_MAX, 2));
	assert_null(arena_strdup(&a, NULL));
	arena_free(&a);
}

/* Many small allocations (a snapshot chunk decoded into the arena): the
 * memory stays intact across chunk growth, and a reset arena hands the same
 * memory out again in the same order. */
static void test_arena_grows_and_reuses(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	enum { N = 20000 };
	static uint32_t *p[N];
	for (int round = 0; round < 2; round++) {
		uint32_t *first = NULL;
		for (uint32_t i = 0; i < N; i++) {
			p[i] = arena_alloc(&a, 16 + (i % 7) * 24);
			assert_non_null(p[i]);
			*p[i] = i;
			if (i == 0)
				first = p[0];
		}
		for (uint32_t i = 0; i < N; i++)
			assert_int_equal(*p[i], i);
		arena_reset(&a);
		uint32_t *again = arena_alloc(&a, 16);
		assert_ptr_equal(again, first);
		arena_reset(&a);
	}
	/* A one-off block bigger than any chunk, then small ones again. */
	assert_non_null(arena_calloc(&a, 3u << 20, 1));
	assert_non_null(arena_strdup(&a, "Nieves"));
	arena_free(&a);
	/* A freed arena starts over and is usable. */
	assert_string_equal(arena_strdup(&a, "Begoña"), "Begoña");
	arena_free(&a);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(status_name(STATUS_INVALID_ARGUMENT),
			    "INVALID_ARGUMENT");
	assert_string_equal(status_name(STATUS_UNAUTHENTICATED),
			    "UNAUTHENTICATED");
	assert_string_equal(status_name(999), "UNKNOWN");
}

static void test_time_parse_and_format(void **state)
{
	(void)state;
	time_set_zone("UTC");
	int64_t t = 0;
	assert_int_equal(time_parse_local("2026-03-12 10:30", &t), 0);
	assert_int_equal(t, 1773311400);
	assert_int_equal(time_parse_local("2026-03-12T10:30", &t), 0);
	assert_int_equal(t, 1773311400);
	assert_int_equal(time_parse_local("2026-03-12 10:30:15", &t), 0);
	assert_int_equal(t, 1773311415);
	assert_int_equal(time_parse_local("2026-03-12", &t), 0);
	assert_int_equal(t, 1773273600);
	char out[32];
	assert_true(time_format_local(1773311400, "%d/%m %H:%M", out,
				      sizeof(out)) > 0);
	assert_string_equal(out, "12/03 10:30");
}

static void test_time_zone_applies(void **state)
{
	(void)state;
	time_set_zone("Europe/Madrid");
	int64_t t = 0;
	assert_int_equal(time_parse_local("2026-03-12 10:30", &t), 0);
	assert_int_equal(t, 1773311400 - 3600);  /* CET is UTC+1 in March */
	time_set_zone("UTC");
}

static void test_time_parse_rejects(void **state)
{
	(void)state;
	const char *bad[] = {
		"", "tomorrow", "2026-13-01", "2026-02-30 10:00", "2026-02-28 24:00",
		"2026-02-28 10:60", "2026-02-28 10:00x", "2026-02-28x10:00",
		"2026-2-28", "12/03/2026", "2026-02-28 10", "1969-12-31",
	};
	int64_t t = 77;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(time_parse_local(bad[i], &t), -EINVAL);
		assert_int_equal(t, 77);
	}
	assert_int_equal(time_parse_local(NULL, &t), -EINVAL);
	assert_int_equal(time_parse_local("2028-02-29 00:00", &t), 0);
}

/* Tag colours: known names in any case or #rrggbb; the nearest basic
 * terminal colour of each. */
static void test_tag_colour(void **state)
{
	(void)state;
	uint8_t rgb[3];
	assert_int_equal(tag_colour_parse("#FF8000", rgb), 0);
	assert_int_equal(rgb[0], 0xff);
	assert_int_equal(rgb[1], 0x80);
	assert_int_equal(rgb[2], 0x00);
	assert_int_equal(tag_colour_parse("GREEN", NULL), 0);
	assert_int_equal(tag_colour_parse("greenish", NULL), -EINVAL);
	assert_int_equal(tag_colour_parse("#ff800", NULL), -EINVAL);
	assert_int_equal(tag_colour_parse("#ff80000", NULL), -EINVAL);
	assert_int_equal(tag_colour_parse("", NULL), -EINVAL);
	assert_int_equal(tag_colour_parse(NULL, NULL), -EINVAL);
	assert_int_equal(tag_colour_basic("green"), 2);
	assert_int_equal(tag_colour_basic("gold"), 3);
	assert_int_equal(tag_colour_basic("blue"), 4);
	assert_int_equal(tag_colour_basic("grey"), 7);
	assert_int_equal(tag_colour_basic("#600000"), 1);  /* dark red */
	assert_int_equal(tag_colour_basic("black"), 0);
	assert_int_equal(tag_colour_basic("nope"), -1);
}

/* One message writer for config and TLS: bounded, NULL-safe. */
static void test_errmsg(void **state)
{
	(void)state;
	char err[8] = "xxxxxxx";
	errmsg_set(err, sizeof(err), "bad %s", "value here");
	assert_string_equal(err, "bad val");
	errmsg_set(NULL, 8, "ignored %d", 1);
	errmsg_set(err, 0, "ignored %d", 2);
	assert_string_equal(err, "bad val");
}

static void test_idset(void **state)
{
	(void)state;
	struct idset s = {0};
	assert_false(idset_has(&s, 1));
	idset_sort(&s);  /* empty: nothing to do */
	assert_int_equal(s.n, 0);
	/* More than one growth, out of order, with repeats. */
	for (uint64_t i = 0; i < 300; i++)
		assert_int_equal(idset_add(&s, (i * 7919) % 200 + 1), 0);
	assert_int_equal(s.n, 300);
	idset_sort(&s);
	assert_int_equal(s.n, 200);  /* each of 1..200 once */
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.ids[i], i + 1);
	assert_true(idset_has(&s, 1));
	assert_true(idset_has(&s, 200));
	assert_false(idset_has(&s, 0));
	assert_false(idset_has(&s, 201));
	assert_int_equal(idset_add(&s, UINT64_MAX), 0);
	idset_sort(&s);
	assert_true(idset_has(&s, UINT64_MAX));  /* no overflow in the order */
	idset_free(&s);
	assert_null(s.ids);
	assert_int_equal(s.n, 0);
	assert_false(idset_has(&s, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append_consume),
		cmocka_unit_test(test_errmsg),
		cmocka_unit_test(test_idset),
		cmocka_unit_test(test_buf_reserve_overflow),
		cmocka_unit_test(test_arena_strings_and_big_blocks),
		cmocka_unit_test(test_arena_grows_and_reuses),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_time_parse_and_format),
		cmocka_unit_test(test_time_zone_applies),
		cmocka_unit_test(test_time_parse_rejects),
		cmocka_unit_test(test_tag_colour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
