#include "recur.h"

#include <errno.h>

#include "clubzone.h"
#include "status.h"
#include "tasks.h"
#include "timeutil.h"

#define MAX_STEPS 36600  /* days from 2000 to 2100 */

int recur_check(struct req *r, Clubcrm__TaskKind kind,
		Clubcrm__Recurrence rec)
{
	if (rec != CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED &&
	    rec != CLUBCRM__RECURRENCE__RECURRENCE_DAILY &&
	    rec != CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY &&
	    rec != CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "recurrence must be DAILY, WEEKLY, MONTHLY "
				  "or none");
	if (rec && kind != CLUBCRM__TASK_KIND__TASK_KIND_TASK)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "only a task can repeat, not a note");
	return 0;
}

int recur_check_end(struct req *r, const Clubcrm__Task *t, bool until_given)
{
	if (!t->recurrence && (t->repeat_until || t->repeat_count))
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "repeat_until and repeat_count need a "
				  "recurrence");
	if (t->repeat_until && t->repeat_count)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "a series ends by repeat_until or by "
				  "repeat_count, not both");
	if (t->repeat_count > RECUR_COUNT_MAX)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "repeat_count is at most %d",
				  RECUR_COUNT_MAX);
	if (!until_given || !t->repeat_until)
		return 0;
	if (t->repeat_until < TASKS_TIME_MIN ||
	    t->repeat_until >= TASKS_TIME_MAX)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "repeat_until is outside the years 2000 to "
				  "2099");
	if (t->repeat_until <= t->planned_at)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "repeat_until must come after the planned "
				  "time");
	return 0;
}

/*
 * The k-th step after `base` (the local time of `planned`), at the same
 * wall-clock time whatever the offset then. A step landing in the hour
 * clocks skip moves forward by the jump (the series was planned at a time
 * that exists; one occurrence a year is an hour later).
 */
static int64_t step(const struct clubzone *z, int64_t planned,
		    const struct clubzone_tm *base, Clubcrm__Recurrence rec,
		    int k)
{
	int y = base->year, mon = base->mon, mday = base->mday;
	if (rec == CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY ||
	    rec == CLUBCRM__RECURRENCE__RECURRENCE_DAILY) {
		/* Days by the calendar: 23- and 25-hour days are one day. */
		int days = rec == CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY ? 7 * k
									 : k;
		struct clubzone_tm day;
		if (clubzone_to_local(z, clubzone_day_start(z, planned, days),
				      &day))
			return -1;
		y = day.year;
		mon = day.mon;
		mday = day.mday;
	} else {
		int m = mon - 1 + k;
		y += m / 12;
		mon = m % 12 + 1;
		if (mday > clubzone_month_days(y, mon))
			mday = clubzone_month_days(y, mon);
	}
	int64_t t;
	int rc = clubzone_from_local(z, y, mon, mday, base->hour, base->min,
				     base->sec, &t);
	return rc == 0 || rc == -EDOM ? t : -1;
}

int64_t recur_next_time(int64_t planned, Clubcrm__Recurrence rec, int64_t now,
			const char *zone)
{
	if (!rec)
		return 0;
	const struct clubzone *z = zone && *zone ? clubzone_get(zone, NULL)
						 : NULL;
	if (!z)
		z = clubzone_current();
	struct clubzone_tm base;
	if (planned < 0 || planned >= TASKS_TIME_MAX ||
	    clubzone_to_local(z, planned, &base))
		return 0;
	int64_t from = planned > now ? planned : now;
	for (int k = 1; k <= MAX_STEPS; k++) {
		int64_t next = step(z, planned, &base, rec, k);
		if (next >= TASKS_TIME_MAX || next < 0)
			return 0;
		if (next > from)
			return next;
	}
	return 0;
}

int64_t recur_anchor(const Clubcrm__Task *t)
{
	return t->repeat_anchor ? t->repeat_anchor : t->planned_at;
}

int64_t recur_next_after(const Clubcrm__Task *t, int64_t now,
			 const char *zone)
{
	if (t->repeat_count == 1)
		return 0;  /* the last of its series */
	/* Steps from the anchor (a monthly 31st stays the 31st after a
	 * 28th), after this occurrence and after now. */
	int64_t after = t->planned_at > now ? t->planned_at : now;
	int64_t at = recur_next_time(recur_anchor(t), t->recurrence, after,
				     zone);
	if (at && t->repeat_until && at >= t->repeat_until)
		return 0;
	return at;
}

bool recur_due(Clubcrm__TaskStatus was, const Clubcrm__Task *t)
{
	return t->recurrence && t->kind == CLUBCRM__TASK_KIND__TASK_KIND_TASK &&
	       was == CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED &&
	       t->status == CLUBCRM__TASK_STATUS__TASK_STATUS_DONE;
}

Clubcrm__CreateTask recur_next_of(const Clubcrm__Task *t, int64_t at)
{
	Clubcrm__CreateTask c = CLUBCRM__CREATE_TASK__INIT;
	c.has_kind = c.has_type_id = c.has_customer_id = 1;
	c.has_operator_id = c.has_planned_at = c.has_follows_id = 1;
	c.has_recurrence = 1;
	c.kind = t->kind;
	c.description = t->description;
	c.type_id = t->type_id;
	c.customer_id = t->customer_id;
	c.operator_id = t->operator_id;
	c.planned_at = at;
	c.follows_id = t->id;
	c.recurrence = t->recurrence;
	c.has_repeat_until = t->repeat_until != 0;
	c.repeat_until = t->repeat_until;
	c.has_repeat_count = t->repeat_count > 1;
	c.repeat_count = t->repeat_count > 1 ? t->repeat_count - 1 : 0;
	c.tag_ids = t->tag_ids;
	c.n_tag_ids = t->n_tag_ids;
	c.has_status = 1;
	c.status = CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
	return c;
}
