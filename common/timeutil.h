/* Time helpers. Times are Unix seconds (UTC) everywhere except on screen. */
#ifndef CLUBCRM_TIMEUTIL_H
#define CLUBCRM_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Wall clock, Unix seconds. */
int64_t time_now(void);
/* Monotonic clock in milliseconds. */
uint64_t time_mono_ms(void);

/*
 * Sets the process time zone used by the local-time functions below (an IANA
 * name such as "Europe/Madrid"; NULL or "" keeps the current one).
 */
void time_set_zone(const char *tz);

/*
 * Parses "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM", "YYYY-MM-DD HH:MM:SS" or
 * "YYYY-MM-DD" (midnight) in local time. 0, or -EINVAL with *out untouched.
 */
int time_parse_local(const char *text, int64_t *out);

/* Formats with strftime in local time; returns the length (0 on failure). */
size_t time_format_local(int64_t t, const char *fmt, char *out, size_t size);

#endif
