#include "timeutil.h"

#include <errno.h>
#include <stdio.h>
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

int time_set_zone(const char *tz)
{
	if (!tz || !*tz)
		return 0;
	return clubzone_use(tz);
}

int time_parse_datetime(const char *text, int64_t *out, bool *has_time)
{
	if (!text)
		return -EINVAL;
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
	bool timed = false;
	if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    text[4] != '-' || text[7] != '-')
		return -EINVAL;
	const char *rest = text + n;
	if (*rest) {
		char sep = *rest;
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
		timed = true;
	}
	if (y < 1970 || y > 9999)
		return -EINVAL;
	const struct clubzone *z = clubzone_current();
	int64_t t;
	int rc;
	if (timed)
		rc = clubzone_from_local(z, y, mo, d, h, mi, s, &t);
	else if (!(rc = clubzone_from_local(z, y, mo, d, 12, 0, 0, &t)))
		t = clubzone_day_start(z, t, 0);  /* midnight may be skipped */
	if (rc)
		return rc == -EDOM ? -EDOM : -EINVAL;
	*out = t;
	if (has_time)
		*has_time = timed;
	return 0;
}

int time_parse_local(const char *text, int64_t *out)
{
	return time_parse_datetime(text, out, NULL);
}

size_t time_format_local(int64_t t, const char *fmt, char *out, size_t size)
{
	return clubzone_format(clubzone_current(), t, fmt, out, size);
}

int64_t time_day_start(int64_t t, int days)
{
	return clubzone_day_start(clubzone_current(), t, days);
}

int time_minute_of_day(int64_t t)
{
	struct clubzone_tm lt;
	if (clubzone_to_local(clubzone_current(), t, &lt))
		return 0;
	return lt.hour * 60 + lt.min;
}

int64_t time_day_minute(int64_t day, int minute)
{
	const struct clubzone *z = clubzone_current();
	if (minute >= 24 * 60)
		return clubzone_day_start(z, day, 1);
	if (minute < 0)
		minute = 0;
	int64_t t;
	return clubzone_day_at(z, day, 0, minute, &t) ? day + (int64_t)minute * 60
						      : t;
}
