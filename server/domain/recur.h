/*
 * Recurring tasks (routines): when an occurrence is Done, the next one is
 * created in the same commit (tasks_create_next() in tasks.c, from the
 * pure rules here). Times step in the club's time zone
 * (clubzone.h), so a weekly 10:00 stays 10:00 across
 * daylight-saving changes and a monthly task on the 31st falls on the last
 * day of shorter months.
 */
#ifndef CLUBCRM_RECUR_H
#define CLUBCRM_RECUR_H

#include <stdbool.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"
#include "req.h"

/* Checks a recurrence given for a task of this kind. */
int recur_check(struct req *r, Clubcrm__TaskKind kind,
		Clubcrm__Recurrence rec);

#define RECUR_COUNT_MAX 1000

/*
 * Checks the end of `t`'s series (repeat_until, repeat_count) after a
 * create or an edit: neither without a recurrence, not both, a count of at
 * most RECUR_COUNT_MAX; with `until_given` (the request set it), an end
 * after the planned time and before 2100.
 */
int recur_check_end(struct req *r, const Clubcrm__Task *t, bool until_given);

/*
 * The first occurrence after `now` (and after `planned`), at the same
 * wall-clock time in the club's time zone `zone` (NULL or unknown: the
 * process's current one, clubzone_current()); 0 when there is none before
 * the year 2100. Touches no process-wide state: any thread may call it.
 */
int64_t recur_next_time(int64_t planned, Clubcrm__Recurrence rec, int64_t now,
			const char *zone);

/* The planned time `t`'s series steps from: its anchor, else planned_at. */
int64_t recur_anchor(const Clubcrm__Task *t);

/*
 * The planned time of the occurrence after `t` when it is done at `now`:
 * recur_next_time() from the series' anchor, then the series' end (the last of repeat_count, or
 * repeat_until reached); 0 when there is none.
 */
int64_t recur_next_after(const Clubcrm__Task *t, int64_t now,
			 const char *zone);

/*
 * True when `t` is a recurring task that just became Done (`was` is its
 * previous status): then its next occurrence is due.
 */
bool recur_due(Clubcrm__TaskStatus was, const Clubcrm__Task *t);

/*
 * The request that creates the occurrence after `t`, planned at `at`
 * (recur_next_after()): same kind, text, type, customer, operator, tags,
 * recurrence and end (one occurrence fewer left), Planned, following `t`. Points into `t`. Storing it is the
 * task rules' part (tasks_create_next()); this file calls nothing of them.
 */
Clubcrm__CreateTask recur_next_of(const Clubcrm__Task *t, int64_t at);

#endif
