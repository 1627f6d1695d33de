/* The club's clock: TZif zones, gaps, overlaps, far dates, names. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clubzone.h"
#include "timeutil.h"

static struct clubzone *load(const char *name)
{
	struct clubzone *z = NULL;
	assert_int_equal(clubzone_load(name, &z), 0);
	assert_non_null(z);
	return z;
}

static int64_t local(const struct clubzone *z, int y, int mo, int d, int h,
		     int mi)
{
	int64_t t = 0;
	assert_int_equal(clubzone_from_local(z, y, mo, d, h, mi, 0, &t), 0);
	return t;
}

static void assert_local(const struct clubzone *z, int64_t t, const char *want)
{
	char out[64];
	assert_true(clubzone_format_rfc3339(z, t, out, sizeof(out)) > 0);
	assert_string_equal(out, want);
}

static void test_madrid_transitions(void **state)
{
	(void)state;
	struct clubzone *z = load("Europe/Madrid");
	assert_string_equal(clubzone_name(z), "Europe/Madrid");
	/* 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC */
	assert_local(z, INT64_C(1774745999), "2026-03-29T01:59:59+01:00");
	assert_local(z, INT64_C(1774746000), "2026-03-29T03:00:00+02:00");
	struct clubzone_tm lt;
	assert_int_equal(clubzone_to_local(z, INT64_C(1774746000), &lt), 0);
	assert_true(lt.isdst);
	assert_string_equal(lt.abbr, "CEST");
	assert_int_equal(lt.wday, 0);
	assert_int_equal(lt.utoff, 7200);
	/* the gap: 2027-03-28 02:30 does not exist; 03:30 is where it would
	 * have moved */
	int64_t t = 0;
	assert_int_equal(clubzone_from_local(z, 2027, 3, 28, 2, 30, 0, &t),
			 -EDOM);
	assert_int_equal(t, INT64_C(1806197400));
	assert_int_equal(clubzone_from_local(z, 2027, 3, 28, 2, 0, 0, &t),
			 -EDOM);
	assert_int_equal(local(z, 2027, 3, 28, 1, 59), INT64_C(1806197400) - 1860);
	assert_int_equal(local(z, 2027, 3, 28, 3, 0), INT64_C(1806195600));
	/* the overlap: 2026-10-25 02:30 twice; the first (CEST) wins */
	assert_int_equal(local(z, 2026, 10, 25, 2, 30), INT64_C(1792888200));
	assert_local(z, INT64_C(1792888200), "2026-10-25T02:30:00+02:00");
	assert_local(z, INT64_C(1792891800), "2026-10-25T02:30:00+01:00");
	clubzone_free(z);
}

static void test_southern_zone(void **state)
{
	(void)state;
	struct clubzone *z = load("Australia/Sydney");
	/* summer in January, winter in July */
	assert_int_equal(local(z, 2026, 1, 15, 12, 0), INT64_C(1768438800));
	assert_int_equal(local(z, 2026, 7, 15, 12, 0), INT64_C(1784080800));
	/* 2026-10-04: 02:00 AEST -> 03:00 AEDT */
	int64_t t = 0;
	assert_int_equal(clubzone_from_local(z, 2026, 10, 4, 2, 30, 0, &t),
			 -EDOM);
	assert_int_equal(local(z, 2026, 10, 4, 3, 0), INT64_C(1791043200));
	assert_int_equal(local(z, 2026, 10, 4, 1, 59), INT64_C(1791043140));
	/* 2026-04-05: 03:00 AEDT -> 02:00 AEST; 02:30 first in AEDT */
	assert_int_equal(local(z, 2026, 4, 5, 2, 30), INT64_C(1775316600));
	assert_local(z, INT64_C(1775320200), "2026-04-05T02:30:00+10:00");
	/* far: the footer's rules */
	assert_int_equal(local(z, 2080, 1, 15, 12, 0), INT64_C(3472506000));
	assert_int_equal(local(z, 2080, 7, 15, 12, 0), INT64_C(3488234400));
	clubzone_free(z);
}

static void test_far_future(void **state)
{
	(void)state;
	struct clubzone *z = load("Europe/Madrid");
	assert_int_equal(local(z, 2090, 7, 1, 12, 0), INT64_C(3802586400));
	assert_int_equal(local(z, 2090, 1, 1, 12, 0), INT64_C(3786951600));
	/* 2090-03-26, last Sunday of March */
	assert_int_equal(local(z, 2090, 3, 26, 3, 0), INT64_C(3794173200));
	assert_int_equal(local(z, 2090, 3, 26, 1, 59), INT64_C(3794173140));
	int64_t t;
	assert_int_equal(clubzone_from_local(z, 2090, 3, 26, 2, 15, 0, &t),
			 -EDOM);
	assert_local(z, INT64_C(4102444799), "2100-01-01T00:59:59+01:00");
	assert_local(z, INT64_C(253402200000), "9999-12-30T21:00:00+01:00");
	struct clubzone_tm lt;
	assert_int_equal(clubzone_to_local(z, INT64_C(253402300799), &lt),
			 -ERANGE);
	assert_int_equal(clubzone_from_local(z, 10000, 1, 1, 0, 0, 0, &t),
			 -EINVAL);
	clubzone_free(z);
}

static void test_day_start(void **state)
{
	(void)state;
	struct clubzone *z = load("Europe/Madrid");
	/* 2027-03-28 has 23 hours */
	int64_t noon = INT64_C(1806228000);
	assert_int_equal(clubzone_day_start(z, noon, 0), INT64_C(1806188400));
	assert_int_equal(clubzone_day_start(z, noon, 1), INT64_C(1806271200));
	assert_int_equal(clubzone_day_start(z, noon, -1),
			 INT64_C(1806188400) - 86400);
	/* one second before midnight is still the day before */
	assert_int_equal(clubzone_day_start(z, INT64_C(1806188399), 0),
			 INT64_C(1806188400) - 86400);
	clubzone_free(z);
	/* Santiago skips midnight: 2026-09-06 starts at 01:00 */
	z = load("America/Santiago");
	assert_int_equal(clubzone_day_start(z, INT64_C(1788667200) + 3600, 0),
			 INT64_C(1788667200));
	assert_int_equal(clubzone_day_start(z, INT64_C(1788667140), 1),
			 INT64_C(1788667200));
	clubzone_free(z);
}

/* One place for "minute M of the day D days on" and the month lengths
 * (issue 12: the demo seeding, the grid and recurrences each had theirs). */
static void test_day_at_and_months(void **state)
{
	(void)state;
	struct clubzone *z = load("Europe/Madrid");
	int64_t noon = INT64_C(1806228000), t = 0;  /* 2027-03-28, 23 h */
	assert_int_equal(clubzone_day_at(z, noon, 0, 10 * 60, &t), 0);
	assert_int_equal(t, INT64_C(1806220800));       /* 10:00 CEST */
	/* 02:30 does not exist: 03:30 CEST, past the jump. */
	assert_int_equal(clubzone_day_at(z, noon, 0, 150, &t), 0);
	assert_int_equal(t, INT64_C(1806197400));
	assert_int_equal(clubzone_day_at(z, noon, 1, 0, &t), 0);
	assert_int_equal(t, INT64_C(1806271200));
	assert_int_equal(clubzone_day_at(z, noon, -1, 0, &t), 0);
	assert_int_equal(t, INT64_C(1806188400) - 86400);
	assert_int_equal(clubzone_day_at(z, noon, 0, 24 * 60, &t), -EINVAL);
	assert_int_equal(clubzone_day_at(z, noon, 0, -1, &t), -EINVAL);
	assert_int_equal(clubzone_day_at(z, INT64_MAX, 0, 0, &t), -ERANGE);
	clubzone_free(z);

	assert_int_equal(clubzone_month_days(2027, 2), 28);
	assert_int_equal(clubzone_month_days(2028, 2), 29);
	assert_int_equal(clubzone_month_days(1900, 2), 28);
	assert_int_equal(clubzone_month_days(2000, 2), 29);
	assert_int_equal(clubzone_month_days(2027, 4), 30);
	assert_int_equal(clubzone_month_days(2027, 12), 31);
	assert_int_equal(clubzone_month_days(2027, 0), 0);
	assert_int_equal(clubzone_month_days(2027, 13), 0);
}

static void test_offsets_and_formats(void **state)
{
	(void)state;
	struct clubzone *z = load("America/St_Johns");
	assert_local(z, 1800000000, "2027-01-15T04:30:00-03:30");
	clubzone_free(z);
	z = load("Asia/Kathmandu");
	assert_local(z, 1800000000, "2027-01-15T13:45:00+05:45");
	char out[32];
	assert_int_equal(clubzone_format(z, 1800000000, "%H:%M %z %Z", out,
					 sizeof(out)), 17);
	assert_string_equal(out, "13:45 +0545 +0545");
	assert_int_equal(clubzone_format_rfc3339(z, 1800000000, out, 10), 0);
	assert_string_equal(out, "");
	clubzone_free(z);
	assert_local(clubzone_utc(), 0, "1970-01-01T00:00:00+00:00");
}

/* glibc's conversion as the oracle, hourly over 1970-2037 and daily to
 * 2099 (this test is single-threaded: TZ may change here). */
static void test_matches_glibc(void **state)
{
	(void)state;
	static const char *zones[] = {
		"Europe/Madrid", "Australia/Sydney", "America/Santiago",
		"Europe/Dublin", "Australia/Lord_Howe", "America/New_York",
		"Asia/Tehran", "Africa/Casablanca", "Pacific/Apia", "UTC",
	};
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		struct clubzone *z = load(zones[i]);
		setenv("TZ", zones[i], 1);
		tzset();
		for (int64_t t = 0; t < INT64_C(4102444800);
		     t += t < INT64_C(2145916800) ? 3600 * 7 : 86400 + 3600) {
			time_t tt = (time_t)t;
			struct tm tm;
			struct clubzone_tm lt;
			assert_non_null(localtime_r(&tt, &tm));
			assert_int_equal(clubzone_to_local(z, t, &lt), 0);
			if (lt.utoff != tm.tm_gmtoff || lt.hour != tm.tm_hour ||
			    lt.mday != tm.tm_mday || lt.wday != tm.tm_wday ||
			    lt.yday != tm.tm_yday)
				fail_msg("%s at %lld: %d vs glibc %ld", zones[i],
					 (long long)t, (int)lt.utoff,
					 (long)tm.tm_gmtoff);
		}
		clubzone_free(z);
	}
	unsetenv("TZ");
	tzset();
}

static void test_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int rc;
	} cases[] = {
		{"Europe/Madrid", 0},
		{"UTC", 0},
		{"America/Argentina/Buenos_Aires", 0},
		{"Etc/GMT+5", 0},
		{"Mars/Olympus", -ENOENT},
		{"europe/madrid", -ENOENT},
		{"Europe/madrid", -ENOENT},
		{"Europe", -ENOENT},
		{"Europe/Madrid ", -EINVAL},
		{"../../etc/passwd", -EINVAL},
		{"/etc/localtime", -EINVAL},
		{"zone.tab", -EINVAL},
		{"tzdata.zi", -EINVAL},
		{"right/Europe/Madrid", -EINVAL},
		{"Europe//Madrid", -EINVAL},
		{"Europe/", -EINVAL},
		{"", -EINVAL},
		{"Europe/Madrid\n", -EINVAL},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		 -EINVAL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct clubzone *z = NULL;
		int rc = clubzone_load(cases[i].name, &z);
		if (rc != cases[i].rc)
			fail_msg("'%s': %d, expected %d", cases[i].name, rc,
				 cases[i].rc);
		clubzone_free(z);
		assert_non_null(clubzone_strerror(rc));
	}
	struct clubzone *z = NULL;
	assert_int_equal(clubzone_load(NULL, &z), -EINVAL);
	/* a system without tzdata still knows UTC, and only UTC */
	assert_int_equal(clubzone_load_dir("/nonexistent", "UTC", &z), 0);
	assert_local(z, 1800000000, "2027-01-15T08:00:00+00:00");
	clubzone_free(z);
	z = NULL;
	assert_int_equal(clubzone_load_dir("/nonexistent", "Europe/Madrid", &z),
			 -ENOENT);
	assert_null(z);
}

static uint8_t *read_zone_file(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", CLUBZONE_DIR, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t *buf = malloc(1 << 16);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

/* Every truncation and a flipped byte at every place: refused or a zone
 * whose conversions stay in range, never a crash (ASan build). */
static void test_hostile_files(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_zone_file("Europe/Madrid", &len);
	struct clubzone *z = NULL;
	for (size_t n = 0; n < len; n++) {
		assert_int_not_equal(clubzone_parse("x", buf, n, &z), 0);
	}
	assert_int_equal(clubzone_parse("x", buf, len, &z), 0);
	clubzone_free(z);
	for (size_t i = 0; i < len; i++) {
		uint8_t *copy = malloc(len);
		assert_non_null(copy);
		memcpy(copy, buf, len);
		copy[i] ^= 0xa5;
		z = NULL;
		if (clubzone_parse("x", copy, len, &z) == 0) {
			struct clubzone_tm lt;
			int64_t t;
			(void)clubzone_to_local(z, 1800000000, &lt);
			(void)clubzone_to_local(z, INT64_C(4000000000), &lt);
			(void)clubzone_from_local(z, 2090, 3, 26, 2, 30, 0, &t);
			(void)clubzone_day_start(z, 1800000000, 3);
			clubzone_free(z);
		}
		free(copy);
	}
	/* footers: bad ones refused, odd valid ones read */
	static const char *bad[] = {"CET-1CEST", "CET-1CEST,M3.5.0",
				    "CET-1CEST,M13.5.0,M10.5.0", "C-1",
				    "CET-1CEST,M3.5.0,M10.5.0/200", "<CET-1",
				    "CET-1CEST,J366,J1", "CET-99"};
	size_t foot = len - 1;
	while (foot > 0 && buf[foot - 1] != '\n')
		foot--;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *copy = malloc(foot + 64);
		assert_non_null(copy);
		memcpy(copy, buf, foot);
		int n = snprintf((char *)copy + foot, 64, "%s\n", bad[i]);
		z = NULL;
		if (clubzone_parse("x", copy, foot + (size_t)n, &z) != -EBADMSG)
			fail_msg("footer '%s' accepted", bad[i]);
		free(copy);
	}
	free(buf);
}

/* A footer-only zone: rules J and zero-based days, negative times. */
static void test_footer_rules(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_zone_file("Europe/Madrid", &len);
	size_t foot = len - 1;
	while (foot > 0 && buf[foot - 1] != '\n')
		foot--;
	uint8_t *copy = malloc(foot + 64);
	assert_non_null(copy);
	memcpy(copy, buf, foot);
	/* Greenland's style: changes at -1:00 and 0:00 local */
	int n = snprintf((char *)copy + foot, 64,
			 "<-02>2<-01>,M3.5.0/-1,M10.5.0/0\n");
	struct clubzone *z = NULL;
	assert_int_equal(clubzone_parse("x", copy, foot + (size_t)n, &z), 0);
	/* 2090: last Sunday of March is the 26th; the change is Saturday
	 * 25th 23:00 local (-02) = 2090-03-26 01:00 UTC */
	struct clubzone_tm lt;
	assert_int_equal(clubzone_to_local(z, INT64_C(3794173200) - 1, &lt), 0);
	assert_int_equal(lt.utoff, -7200);
	assert_int_equal(clubzone_to_local(z, INT64_C(3794173200), &lt), 0);
	assert_int_equal(lt.utoff, -3600);
	assert_string_equal(lt.abbr, "-01");
	clubzone_free(z);
	/* J60 is March 1st even in a leap year; 59 (zero-based) is Feb 29 */
	n = snprintf((char *)copy + foot, 64, "AAA0BBB,J60/0,59/0\n");
	assert_int_equal(clubzone_parse("x", copy, foot + (size_t)n, &z), 0);
	/* 2088 is a leap year: summer ends Feb 29 and starts again March 1,
	 * so all of 2088 but Feb 29 is summer */
	int64_t t = 0;
	assert_int_equal(clubzone_from_local(z, 2088, 2, 29, 12, 0, 0, &t), 0);
	assert_int_equal(clubzone_to_local(z, t, &lt), 0);
	assert_false(lt.isdst);
	assert_int_equal(clubzone_from_local(z, 2088, 3, 2, 12, 0, 0, &t), 0);
	assert_int_equal(clubzone_to_local(z, t, &lt), 0);
	assert_true(lt.isdst);
	clubzone_free(z);
	free(copy);
	free(buf);
}

struct converter {
	const char *zone;
	int64_t want;
	int bad;
};

static void *convert_loop(void *arg)
{
	struct converter *c = arg;
	for (int i = 0; i < 2000; i++) {
		int err;
		const struct clubzone *z = clubzone_get(c->zone, &err);
		int64_t t = 0;
		if (!z || clubzone_from_local(z, 2026, 7, 1, 12, 0, 0, &t) ||
		    t != c->want)
			c->bad++;
		char buf[64];
		if (!clubzone_format(clubzone_current(), t, "%H:%M", buf,
				     sizeof(buf)))
			c->bad++;
	}
	return NULL;
}

/* Threads convert in their zones while the current zone switches: each
 * gets its own zone's answer (no process-wide TZ involved). */
static void test_threads(void **state)
{
	(void)state;
	/* 2026-07-01 12:00 UTC is 1782907200 */
	struct converter cs[2] = {
		{"Europe/Madrid", INT64_C(1782907200) - 7200, 0},
		{"Australia/Sydney", INT64_C(1782907200) - 36000, 0},
	};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, convert_loop,
						&cs[i]), 0);
	for (int i = 0; i < 500; i++)
		assert_int_equal(time_set_zone(i % 2 ? "Europe/Madrid"
						      : "America/Santiago"), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(cs[0].bad, 0);
	assert_int_equal(cs[1].bad, 0);
	assert_string_equal(clubzone_name(clubzone_current()), "Europe/Madrid");
	assert_int_equal(time_set_zone("Mars/Olympus"), -ENOENT);
	assert_string_equal(clubzone_name(clubzone_current()), "Europe/Madrid");
	clubzone_cache_clear();
	assert_string_equal(clubzone_name(clubzone_current()), "UTC");
}

static void test_parse_local(void **state)
{
	(void)state;
	assert_int_equal(time_set_zone("Europe/Madrid"), 0);
	int64_t t = 0;
	bool timed = true;
	assert_int_equal(time_parse_datetime("2027-03-28", &t, &timed), 0);
	assert_false(timed);
	assert_int_equal(t, INT64_C(1806188400));
	assert_int_equal(time_parse_datetime("2027-03-28 03:00", &t, &timed), 0);
	assert_true(timed);
	assert_int_equal(time_parse_local("2027-03-28 02:30", &t), -EDOM);
	assert_int_equal(time_parse_local("2027-03-28T02:59:59", &t), -EDOM);
	assert_int_equal(time_parse_local("2026-10-25 02:30", &t), 0);
	assert_int_equal(t, INT64_C(1792888200));
	assert_int_equal(time_parse_local("2027-3-28 02:30", &t), -EINVAL);
	assert_int_equal(time_parse_local("2027-02-29", &t), -EINVAL);
	assert_int_equal(time_day_start(INT64_C(1806228000), 1),
			 INT64_C(1806271200));
	clubzone_cache_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_madrid_transitions),
		cmocka_unit_test(test_southern_zone),
		cmocka_unit_test(test_far_future),
		cmocka_unit_test(test_day_start),
		cmocka_unit_test(test_day_at_and_months),
		cmocka_unit_test(test_offsets_and_formats),
		cmocka_unit_test(test_matches_glibc),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_footer_rules),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_parse_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
