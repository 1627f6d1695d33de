/*
 * The club's clock: every conversion between Unix seconds and local wall
 * time, in server and clients, goes through here. A zone is read once from
 * the system's tzdata (a TZif file under /usr/share/zoneinfo, its POSIX-TZ
 * footer covering the dates after its last transition) into an immutable
 * struct, so any thread may convert with it; nothing here reads or changes
 * the process's TZ.
 *
 * Local times that do not exist (the hour skipped when clocks go forward)
 * are reported, not moved silently; a local time that happens twice (the
 * hour repeated when clocks go back) means its first occurrence, the one
 * still in summer time.
 */
#ifndef CLUBCRM_CLUBZONE_H
#define CLUBCRM_CLUBZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLUBZONE_NAME_MAX 64
#define CLUBZONE_DIR "/usr/share/zoneinfo"

struct clubzone;

/* A local wall-clock time and the offset in force then. */
struct clubzone_tm {
	int year, mon, mday;     /* mon 1-12, mday 1-31 */
	int hour, min, sec;
	int wday;                /* 0 = Sunday */
	int yday;                /* 0-365 */
	int32_t utoff;           /* seconds east of UTC */
	bool isdst;
	const char *abbr;        /* e.g. "CET"; lives as long as the zone */
};

/*
 * Loads the zone named exactly `name` (e.g. "Europe/Madrid": the tzdata's
 * spelling, case included). -EINVAL for a name that is not one (syntax,
 * "..", leap-second "right/" zones), -ENOENT for a name the system's tzdata
 * does not know, -EBADMSG for a file that is not a sound TZif file, -ENOMEM.
 */
int clubzone_load(const char *name, struct clubzone **out);
/* The same from another zoneinfo directory ("UTC" needs none). */
int clubzone_load_dir(const char *dir, const char *name,
		      struct clubzone **out);
/* The same from the bytes of a TZif file (tests, hostile input). */
int clubzone_parse(const char *name, const uint8_t *data, size_t len,
		   struct clubzone **out);
void clubzone_free(struct clubzone *z);
const char *clubzone_name(const struct clubzone *z);
/* The reason a clubzone_load() error gives, for messages to people. */
const char *clubzone_strerror(int err);

/* Local time at t. 0, or -ERANGE when t is beyond what civil dates hold. */
int clubzone_to_local(const struct clubzone *z, int64_t t,
		      struct clubzone_tm *out);

/*
 * The instant of a local wall-clock time. 0; -EINVAL for fields that are
 * not a date and time; -EDOM when that time does not exist in the zone
 * (clocks went forward over it): *out is then the instant the same
 * distance past the jump (02:30 in a 02:00->03:00 jump gives 03:30).
 * A time that happens twice gives its first occurrence.
 */
int clubzone_from_local(const struct clubzone *z, int year, int mon, int mday,
			int hour, int min, int sec, int64_t *out);

/*
 * The first instant of the local day `days` days after the day holding t
 * (days may be negative): local midnight, or the end of the jump when a
 * zone skips midnight. Day arithmetic by the calendar, so 23- and 25-hour
 * days count as one day.
 */
int64_t clubzone_day_start(const struct clubzone *z, int64_t t, int days);

/*
 * The instant `minute` (0..1439) past local midnight of the day `days`
 * days after the day holding t, into *out; a wall time the zone skips
 * moves past the jump. 0, -EINVAL for a minute out of range, -ERANGE.
 */
int clubzone_day_at(const struct clubzone *z, int64_t t, int days,
		    int minute, int64_t *out);

/* Days in month `mon` (1-12) of `year` (proleptic Gregorian); 0 for a
 * month that is not one. */
int clubzone_month_days(int64_t year, int mon);

/* strftime() of the local time at t; the length, 0 on failure. */
size_t clubzone_format(const struct clubzone *z, int64_t t, const char *fmt,
		       char *out, size_t size);
/* RFC 3339 with the offset: "2026-12-08T10:00:00+01:00". */
size_t clubzone_format_rfc3339(const struct clubzone *z, int64_t t, char *out,
			       size_t size);

/*
 * Zones shared by the threads of a process: each name is loaded once and
 * kept until clubzone_cache_clear() at exit (zones are small and a club
 * changes its zone rarely), so a pointer handed out stays valid while
 * another thread switches the current zone.
 */
/* The cached zone for `name`, loading it when needed; NULL with *err set. */
const struct clubzone *clubzone_get(const char *name, int *err);
/* Makes `name` the process's current zone (the club's). 0 or an error. */
int clubzone_use(const char *name);
/* The current zone; UTC until clubzone_use() succeeded. Never NULL. */
const struct clubzone *clubzone_current(void);
/* The built-in UTC zone. */
const struct clubzone *clubzone_utc(void);
/* Frees every cached zone; only when no other thread may use them. */
void clubzone_cache_clear(void);

#endif
