/* The command line's task tables without a server: the TAGS column, each
 * tag in its colour on a terminal, columns aligned whatever the colours. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_format.h"
#include "cli_table.h"
#include "timeutil.h"

/* The stream's buffer lives outside the function: GCC's dangling-pointer
 * check (Release builds) takes a local handed to open_memstream() for one
 * that the returned text still points into. */
static char *memstream_buf;
static size_t memstream_len;

static char *table(Clubcrm__TaskRow *r, bool colour)
{
	FILE *f = open_memstream(&memstream_buf, &memstream_len);
	assert_non_null(f);
	Clubcrm__TaskRow *rows[] = {r};
	cli_format_task_table(f, rows, 1, colour);
	fclose(f);
	char *buf = memstream_buf;
	memstream_buf = NULL;
	return buf;
}

/* Where `what` starts in `line`, in characters, escapes not counted. */
static size_t column_of(const char *line, const char *what)
{
	const char *p = strstr(line, what);
	assert_non_null(p);
	char pre[1024];
	memcpy(pre, line, (size_t)(p - line));
	pre[p - line] = '\0';
	return cli_text_width(pre);
}

/* Issue 11 #15: tags in task lists, in the tag's colour. */
static void test_tags_column(void **state)
{
	(void)state;
	time_set_zone("UTC");
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	Clubcrm__TaskRow r = CLUBCRM__TASK_ROW__INIT;
	t.id = 7;
	t.planned_at = 1773311400;
	t.created_at = 1773311400;
	t.status = CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
	t.description = "Offer tennis lessons";
	r.task = &t;
	r.type_name = "Call";
	r.customer_name = "Arantxa";
	char *names[] = {"VIP", "Tennis", "Odd"};
	char *colours[] = {"gold", "green", ""};
	r.tag_names = names;
	r.n_tag_names = 3;
	r.tag_colours = colours;
	r.n_tag_colours = 3;

	char *plain = table(&r, false);
	assert_non_null(strstr(plain, "TAGS"));
	assert_non_null(strstr(plain, "VIP, Tennis, Odd  Offer tennis lessons"));
	assert_null(strchr(plain, '\033'));
	char *line2 = strchr(plain, '\n') + 1;
	assert_int_equal(column_of(plain, "DESCRIPTION"),
			 column_of(line2, "Offer"));

	char *col = table(&r, true);
	assert_non_null(strstr(col, "\033[33mVIP\033[39m, \033[32mTennis\033[39m, Odd"));
	line2 = strchr(col, '\n') + 1;
	assert_int_equal(column_of(col, "DESCRIPTION"), column_of(line2, "Offer"));

	/* On a red row each tag goes back to the row's colour. */
	r.colour = CLUBCRM__COLOUR__COLOUR_RED;
	free(col);
	col = table(&r, true);
	assert_non_null(strstr(col, "\033[33mVIP\033[31m"));
	free(col);
	free(plain);
	assert_int_equal(cli_text_width("a\033[31mb\033[0mc"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
