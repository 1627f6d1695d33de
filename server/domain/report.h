/*
 * The manager's reports over a period of the club's days, rebuilt from the
 * change log in one read transaction, so that they are right for any past
 * period: tasks created, done and cancelled per operator and type; results
 * recorded per type and outcome class; how fast priority tasks were taken
 * and done; tasks overdue at the end of each day.
 *
 * Memory: one small entry (about 48 bytes, at most half full: ~100 bytes)
 * per task the period touched or that was planned at its start, 16 bytes
 * per take or Done of a priority task, and one decoded change set at a
 * time; a year of a club writing 1,000 changes a day to 40,000 tasks needs
 * about 4 MiB. Time: one pass over the tasks (the state at the start) and
 * one over the period's change sets.
 */
#ifndef CLUBCRM_REPORT_H
#define CLUBCRM_REPORT_H

#include "clubcrm.pb-c.h"
#include "req.h"

/* The longest period a report covers, in days. */
#define REPORT_MAX_DAYS 366
/* The most bytes a Report takes (req.h); past it, RESOURCE_EXHAUSTED "...
 * too many for one answer: ask for one team's or a shorter period". */
#define REPORT_MAX_BYTES REQ_REPLY_MAX_BYTES

/* Fills *out, in r->a. 0, REQ_REFUSED (a bad or empty period, a period
 * before the club's history, an operator asking for a team, a report over
 * REPORT_MAX_BYTES) or an error. */
int report_get(struct req *r, const Clubcrm__GetReport *in,
	       Clubcrm__Report **out);

/* Whether `rep` fits in one answer: its encoded size (into *size) is at
 * most REPORT_MAX_BYTES. */
bool report_fits(const Clubcrm__Report *rep, size_t *size);

/* Nearest-rank percentile `p` (1..100) of n sorted values (n > 0). */
int64_t report_percentile(const int64_t *sorted, size_t n, unsigned p);

#endif
