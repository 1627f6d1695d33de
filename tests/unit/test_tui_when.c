/* Times typed in the desk's forms: the club's zone, its gaps, a task's
 * need for a time of day, the past (accepted, to be said). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timeutil.h"
#include "tui_app.h"

static void test_when(void **state)
{
	(void)state;
	assert_int_equal(time_set_zone("Europe/Madrid"), 0);
	char why[160];
	int64_t t = 0, now = 1796684400;  /* 2026-12-08 00:00 in Madrid */
	assert_int_equal(tui_parse_when("2026-12-08 10:00", true, now, &t, why,
					sizeof(why)), 0);
	assert_int_equal(t, now + 10 * 3600);
	/* the spring gap */
	assert_int_equal(tui_parse_when("2027-03-28 02:30", true, now, &t, why,
					sizeof(why)), -1);
	assert_string_equal(why, "2027-03-28 02:30 does not exist in "
				 "Europe/Madrid: the clocks go forward over it");
	/* a task needs a time; a range bound or a note may be a date */
	assert_int_equal(tui_parse_when("2026-12-08", true, now, &t, why,
					sizeof(why)), -1);
	assert_string_equal(why, "give a time (YYYY-MM-DD HH:MM)");
	assert_int_equal(tui_parse_when("2026-12-08", false, now, &t, why,
					sizeof(why)), 0);
	assert_int_equal(t, now);
	/* the past: accepted, said */
	assert_int_equal(tui_parse_when("2026-12-07 23:59", true, now, &t, why,
					sizeof(why)), 1);
	assert_int_equal(t, now - 60);
	assert_int_equal(tui_parse_when("2026-12-07 23:59", false, now, &t, why,
					sizeof(why)), 0);
	assert_int_equal(tui_parse_when("tomorrow", true, now, &t, why,
					sizeof(why)), -1);
	assert_string_equal(why, "use YYYY-MM-DD HH:MM");
	/* the overlap: the first (summer) 02:30 */
	assert_int_equal(tui_parse_when("2030-10-27 02:30", true, now, &t, why,
					sizeof(why)), 0);
	assert_int_equal(t, 1919291400);
	clubzone_cache_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_when),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
