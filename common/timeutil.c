#include "timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

uint64_t time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void time_set_zone(const char *tz)
{
	if (!tz || !*tz)
		return;
	setenv("TZ", tz, 1);
	tzset();
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return days[month - 1];
}

int time_parse_local(const char *text, int64_t *out)
{
	if (!text)
		return -EINVAL;
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
	char sep = 0;
	if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -EINVAL;
	const char *rest = text + n;
	if (*rest) {
		sep = *rest;
		if (sep != ' ' && sep != 'T')
			return -EINVAL;
		int m = 0;
		if (sscanf(rest + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
			return -EINVAL;
		rest += 1 + m;
		if (*rest) {
			if (sscanf(rest, ":%2d%n", &s, &m) != 1 || m != 3 ||
			    rest[m] != '\0')
				return -EINVAL;
		}
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 || h < 0 ||
	    mi < 0 || s < 0)
		return -EINVAL;
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
		.tm_hour = h, .tm_min = mi, .tm_sec = s, .tm_isdst = -1,
	};
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = (int64_t)t;
	return 0;
}

size_t time_format_local(int64_t t, const char *fmt, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (size == 0 || !localtime_r(&tt, &tm))
		return 0;
	return strftime(out, size, fmt, &tm);
}
