/*
 * Time helpers. Times are Unix seconds (UTC) everywhere except on screen.
 * Local times are the club's, through clubzone.h (never the process's TZ).
 */
#ifndef CLUBCRM_TIMEUTIL_H
#define CLUBCRM_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clubzone.h"

/* Wall clock, Unix seconds. */
int64_t time_now(void);
/* Monotonic clock in milliseconds. */
uint64_t time_mono_ms(void);

/*
 * Makes `tz` (an IANA name such as "Europe/Madrid") the zone of the
 * local-time functions below, in every thread (clubzone_use()); NULL, ""
 * or an unknown name keeps the current one. 0 or a clubzone_load() error.
 */
int time_set_zone(const char *tz);

/*
 * Parses "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM", "YYYY-MM-DD HH:MM:SS" or
 * "YYYY-MM-DD" (the day's first instant) in the current zone. 0; -EINVAL
 * for text that is not a date; -EDOM for a time the zone skips (clocks go
 * forward over it). *out is set only on success; *has_time (may be NULL)
 * says whether the text gave a time of day.
 */
int time_parse_datetime(const char *text, int64_t *out, bool *has_time);
int time_parse_local(const char *text, int64_t *out);

/* Formats with strftime in the current zone; the length (0 on failure). */
size_t time_format_local(int64_t t, const char *fmt, char *out, size_t size);

/* The first instant of the local day `days` after the day holding t. */
int64_t time_day_start(int64_t t, int days);
/* Wall-clock minutes after local midnight at t (0-1439). */
int time_minute_of_day(int64_t t);
/*
 * The instant `minute` wall-clock minutes after midnight on the local day
 * holding `day` (0-1440; 1440 is the next day's start). A minute the zone
 * skips gives the instant as far past the jump; one that happens twice,
 * its first occurrence. So 08:00 is 08:00 on a 23- or 25-hour day too.
 */
int64_t time_day_minute(int64_t day, int minute);

#endif
