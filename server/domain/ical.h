/*
 * An operator's agenda as iCalendar text (RFC 5545), built with libical:
 * the one generator behind the calendar feed (GET /feed/<secret>.ics on
 * the web listener) and ExportAgenda (`clubcrm agenda export --ics`).
 *
 * One VEVENT per task of the operator planned in the window (by default
 * ICAL_DAYS_BACK days back to ICAL_DAYS_AHEAD ahead; notes are not
 * events): UID "<task id>@<club>" (stable: the club's name folded to
 * [a-z0-9-], so renaming the club renames every UID), DTSTART in the
 * club's zone with that zone's VTIMEZONE (in UTC when that wall-clock
 * time is ambiguous: the hour the autumn change repeats), DTEND the
 * club's slot later,
 * SUMMARY "type — customer", DESCRIPTION the task's description and the
 * customer's phone, SEQUENCE the number of changes the task had since it
 * was created (the links of its chain in the change log, less one),
 * LAST-MODIFIED and DTSTAMP the task's last change, STATUS CONFIRMED for
 * planned and done tasks (done ones stay: what was done is history worth
 * seeing) and CANCELLED for cancelled ones.
 *
 * libical keeps its time zones in process-wide state that is not
 * thread-safe: only the loop thread (and single-threaded tests) call this.
 */
#ifndef CLUBCRM_ICAL_H
#define CLUBCRM_ICAL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "clubcrm.pb-c.h"
#include "req.h"
#include "txn.h"

#define ICAL_DAYS_BACK 30
#define ICAL_DAYS_AHEAD 180
/* The longest range ExportAgenda takes. */
#define ICAL_MAX_DAYS 400
/* Events in one calendar at most (the earliest ones are kept). */
#define ICAL_MAX_EVENTS 5000u
#define ICAL_SLOT_DEFAULT 30u

/* One event's content, names already resolved. */
struct ical_event {
	const Clubcrm__Task *task;
	const char *type_name;      /* NULL or "": "Task" */
	const char *customer_name;  /* NULL or "": none */
	const char *customer_phone;
	uint32_t sequence;
};

/* What the whole calendar says. */
struct ical_calendar {
	const char *club_name;      /* for the UIDs and the calendar's name */
	const char *time_zone;      /* IANA name; NULL, "" or unknown: UTC */
	uint32_t slot_minutes;      /* 0: ICAL_SLOT_DEFAULT */
	const char *name;           /* X-WR-CALNAME, e.g. the operator's */
	int64_t window_from, window_to;  /* trims the VTIMEZONE's history */
};

/*
 * The VCALENDAR text of `n` events, NUL-terminated, in `a` (*len without
 * the NUL). 0 or -ENOMEM.
 */
int ical_build(const struct ical_calendar *cal, const struct ical_event *ev,
	       size_t n, struct arena *a, char **out, size_t *len);

/*
 * The agenda of operator `op_id` planned in [from, to), read from `t`,
 * as iCalendar text in `a`. 0, or the txn's error (-ENOENT: no such
 * operator).
 */
int ical_agenda(struct txn *t, struct arena *a, uint64_t op_id,
		int64_t from, int64_t to, char **out, size_t *len,
		uint32_t *events);

/* The default window around `now`. */
void ical_default_window(int64_t now, int64_t *from, int64_t *to);

/* ExportAgenda: any operator's agenda (operators see every task on the
 * board anyway); the range checked (1..ICAL_MAX_DAYS days). */
int ical_export(struct req *r, const Clubcrm__ExportAgenda *in,
		Clubcrm__AgendaExport **out);

#endif
