/* The desk's list widget: the cursor stays on the row being read. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tui_list.h"

static void test_cursor_follows_id(void **state)
{
	(void)state;
	struct tui_list l;
	tui_list_init(&l);
	tui_list_set_height(&l, 3);
	uint64_t a[] = {10, 20, 30, 40};
	assert_int_equal(tui_list_set(&l, a, 4), 0);
	tui_list_move(&l, 2);
	assert_int_equal(tui_list_selected(&l), 30);
	/* A row arrives above: the cursor stays on 30, one index lower. */
	uint64_t b[] = {5, 10, 20, 30, 40};
	tui_list_set(&l, b, 5);
	assert_int_equal(tui_list_selected(&l), 30);
	assert_int_equal(l.cursor, 3);
	assert_true(l.cursor >= l.top && l.cursor < l.top + 3);
	/* Rows leave above it: still on 30. */
	uint64_t c[] = {30, 40};
	tui_list_set(&l, c, 2);
	assert_int_equal(tui_list_selected(&l), 30);
	assert_int_equal(l.top, 0);
	tui_list_free(&l);
}

static void test_removed_row_keeps_place(void **state)
{
	(void)state;
	struct tui_list l;
	tui_list_init(&l);
	tui_list_set_height(&l, 10);
	uint64_t a[] = {1, 2, 3};
	tui_list_set(&l, a, 3);
	tui_list_end(&l);
	assert_int_equal(tui_list_selected(&l), 3);
	uint64_t b[] = {1, 2};
	tui_list_set(&l, b, 2);  /* the selected row left: clamp */
	assert_int_equal(tui_list_selected(&l), 2);
	tui_list_set(&l, NULL, 0);
	assert_int_equal(tui_list_selected(&l), 0);
	tui_list_move(&l, 1);  /* empty: no crash */
	assert_int_equal(tui_list_click(&l, 0), -ENOENT);
	tui_list_free(&l);
}

static void test_scroll_and_click(void **state)
{
	(void)state;
	struct tui_list l;
	uint64_t ids[50];
	for (int i = 0; i < 50; i++)
		ids[i] = (uint64_t)i + 1;
	tui_list_init(&l);
	tui_list_set_height(&l, 5);
	tui_list_set(&l, ids, 50);
	tui_list_move(&l, 7);
	assert_int_equal(l.cursor, 7);
	assert_int_equal(l.top, 3);  /* the cursor is the last visible row */
	assert_int_equal(tui_list_click(&l, 0), 0);
	assert_int_equal(tui_list_selected(&l), 4);
	assert_int_equal(tui_list_click(&l, 5), -ENOENT);  /* below the window */
	tui_list_move(&l, -100);
	assert_int_equal(l.cursor, 0);
	tui_list_move(&l, 1000);
	assert_int_equal(tui_list_selected(&l), 50);
	assert_int_equal(l.top, 45);
	assert_int_equal(tui_list_select(&l, 20), 0);
	assert_int_equal(tui_list_select(&l, 99), -ENOENT);
	assert_int_equal(tui_list_selected(&l), 20);
	tui_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_follows_id),
		cmocka_unit_test(test_removed_row_keeps_place),
		cmocka_unit_test(test_scroll_and_click),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
