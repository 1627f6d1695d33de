/*
 * Reports: the period in the club's days, who may see what, and the reply
 * built from what report_scan.c counted.
 */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asof.h"
#include "clubzone.h"
#include "cursor.h"
#include "report_int.h"
#include "rows.h"
#include "status.h"
#include "tasks.h"

struct period {
	const struct clubzone *z;
	int64_t from, to;
	int64_t judged[REPORT_MAX_DAYS];
	size_t n_days;     /* days begun by now: judged */
};

static const struct clubzone *club_zone(struct req *r)
{
	Clubcrm__Settings *set = NULL;
	const struct clubzone *z = NULL;
	if (rows_settings(r->t, r->a, &set) == 0 && set->time_zone &&
	    *set->time_zone)
		z = clubzone_get(set->time_zone, NULL);
	return z ? z : clubzone_current();
}

/* Local midnight of a "YYYY-MM-DD" (years 2000..2099) into *out. */
static int parse_date(struct req *r, const struct clubzone *z,
		      const char *s, const char *field, int64_t *out)
{
	int y, m, d;
	char extra;
	bool shape = strlen(s) == 10 && s[4] == '-' && s[7] == '-';
	for (size_t i = 0; shape && i < 10; i++)
		shape = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
	if (!shape || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "%s: expected a date YYYY-MM-DD", field);
	if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1 ||
	    d > clubzone_month_days(y, m))
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "%s: %s is not a date of the years 2000 "
				  "to 2099", field, s);
	int64_t noon;
	int rc = clubzone_from_local(z, y, m, d, 12, 0, 0, &noon);
	if (rc && rc != -EDOM)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "%s: %s is not a date", field, s);
	*out = clubzone_day_start(z, noon, 0);
	return 0;
}

static void format_date(const struct clubzone *z, int64_t t, char *out,
			size_t size)
{
	if (!clubzone_format(z, t, "%Y-%m-%d", out, size))
		snprintf(out, size, "%" PRId64, t);
}

/* The history must reach into the period. */
static int check_history(struct req *r, const struct period *p)
{
	if (txn_revision(r->t) == 0)
		return req_refuse(r, STATUS_OUT_OF_RANGE,
				  "the club has no history yet");
	int64_t first;
	int rc = asof_revision_at(r->t, r->a, 1, &first);
	if (rc)
		return rc;
	if (p->to <= first) {
		char when[48];
		if (!clubzone_format(p->z, first, "%Y-%m-%d %H:%M", when,
				     sizeof(when)))
			snprintf(when, sizeof(when), "%" PRId64, first);
		return req_refuse(r, STATUS_OUT_OF_RANGE,
				  "the period ends before the club's history: "
				  "it starts at %s (%s)", when,
				  clubzone_name(p->z));
	}
	return 0;
}

static int period_of(struct req *r, const Clubcrm__GetReport *in,
		     struct period *p)
{
	int64_t now = r->who->now;
	p->z = club_zone(r);
	bool hf = in->from_date && *in->from_date;
	bool ht = in->to_date && *in->to_date;
	int rc = 0;
	if (!hf && ht)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "to_date needs a from_date");
	if (hf) {
		rc = parse_date(r, p->z, in->from_date, "from_date", &p->from);
		if (!rc && ht)
			rc = parse_date(r, p->z, in->to_date, "to_date",
					&p->to);
		else if (!rc)  /* up to and including today */
			p->to = clubzone_day_start(p->z, now, 1);
	} else {
		struct clubzone_tm tm;
		if (clubzone_to_local(p->z, now, &tm))
			return -EINVAL;
		p->from = clubzone_day_start(p->z, now, 1 - tm.mday);
		p->to = clubzone_day_start(
			p->z, now,
			clubzone_month_days(tm.year, tm.mon) - tm.mday + 1);
	}
	if (rc)
		return rc;
	if (p->from > now)
		return req_refuse(r, STATUS_OUT_OF_RANGE,
				  "the period starts in the future");
	if (p->to <= p->from)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "the period is empty: to_date must be after "
				  "from_date");
	int64_t day = p->from;
	size_t n = 0;
	while (day < p->to) {
		if (n == REPORT_MAX_DAYS)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "a report covers at most %d days",
					  REPORT_MAX_DAYS);
		int64_t end = clubzone_day_start(p->z, p->from, (int)n + 1);
		if (day <= now)
			p->judged[p->n_days++] = end < now ? end : now;
		day = end;
		n++;
	}
	return check_history(r, p);
}

/* Whose tasks the asker may see: an admin every operator's (or one
 * team's), an operator only their own. Rights are read from the stored
 * record, as for writes. */
static int scope(struct req *r, const Clubcrm__GetReport *in,
		 struct report_acc *acc, uint64_t **ops)
{
	bool admin = r->who->system;
	if (!admin) {
		Clubcrm__Operator *me = NULL;
		int rc = rows_operator(r->t, r->a, r->who->operator_id, &me);
		if (rc == -ENOENT || (!rc && !me->active))
			return req_refuse(r, STATUS_PERMISSION_DENIED,
					  "this operator is not active");
		if (rc)
			return rc;
		admin = me->role == CLUBCRM__ROLE__ROLE_ADMIN;
	}
	bool team = in->has_team_id && in->team_id;
	if (!admin && team)
		return req_refuse(r, STATUS_PERMISSION_DENIED,
				  "only admins may see a team's report; an "
				  "operator sees their own tasks");
	if (!admin) {
		*ops = arena_alloc(r->a, sizeof(**ops));
		if (!*ops)
			return -ENOMEM;
		(*ops)[0] = r->who->operator_id;
		acc->ops = *ops;
		acc->n_ops = 1;
		acc->filter = true;
		return 0;
	}
	if (!team)
		return 0;
	Clubcrm__Team *tm = NULL;
	int rc = rows_team(r->t, r->a, in->team_id, &tm);
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "no team %" PRIu64,
				  in->team_id);
	if (rc)
		return rc;
	acc->filter = true;
	size_t cap = 0;
	struct txn_cursor c;
	rc = txn_cursor_open(&c, r->t, DB_OPERATORS);
	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0;
	     rc = txn_cursor_next(&c)) {
		Clubcrm__Operator *op = NULL;
		if ((rc = txn_cursor_msg(&c, &clubcrm__operator__descriptor,
					 r->a, (void **)&op)))
			break;
		bool in_team = false;
		for (size_t i = 0; i < op->n_team_ids; i++)
			in_team |= op->team_ids[i] == in->team_id;
		if (!in_team)
			continue;
		if (acc->n_ops == cap) {
			cap = cap ? cap * 2 : 8;
			uint64_t *n = arena_calloc(r->a, cap, sizeof(*n));
			if (!n) {
				rc = -ENOMEM;
				break;
			}
			if (acc->n_ops)
				memcpy(n, *ops, acc->n_ops * sizeof(*n));
			*ops = n;
		}
		(*ops)[acc->n_ops++] = op->id;
	}
	txn_cursor_close(&c);
	acc->ops = *ops;
	return rc == -ENOENT ? 0 : rc;
}

/* ------------------------------------------------------------ the reply */

static char *op_name(struct req *r, uint64_t id)
{
	Clubcrm__Operator *op = NULL;
	if (rows_operator(r->t, r->a, id, &op) == 0)
		return op->name && *op->name ? op->name : op->login;
	return id ? arena_printf(r->a, "#%" PRIu64, id) : "";
}

static char *type_name(struct req *r, uint64_t id)
{
	Clubcrm__TaskType *ty = NULL;
	if (rows_type(r->t, r->a, id, &ty) == 0 && ty->name)
		return ty->name;
	return arena_printf(r->a, "#%" PRIu64, id);
}

static int by_names(const void *a, const void *b)
{
	const Clubcrm__ReportCount *x = *(Clubcrm__ReportCount *const *)a;
	const Clubcrm__ReportCount *y = *(Clubcrm__ReportCount *const *)b;
	int c = strcmp(x->operator_name, y->operator_name);
	return c ? c : strcmp(x->type_name, y->type_name);
}

static int by_type_name(const void *a, const void *b)
{
	const Clubcrm__ReportOutcome *x = *(Clubcrm__ReportOutcome *const *)a;
	const Clubcrm__ReportOutcome *y = *(Clubcrm__ReportOutcome *const *)b;
	return strcmp(x->type_name, y->type_name);
}

static int fill_counts(struct req *r, const struct report_acc *acc,
		       Clubcrm__Report *rep)
{
	rep->counts = arena_calloc(r->a, acc->n_counts + 1,
				   sizeof(*rep->counts));
	if (!rep->counts)
		return -ENOMEM;
	for (size_t i = 0; i < acc->n_counts; i++) {
		const struct report_count *k = &acc->counts[i];
		Clubcrm__ReportCount *c = arena_alloc(r->a, sizeof(*c));
		if (!c)
			return -ENOMEM;
		clubcrm__report_count__init(c);
		c->has_operator_id = c->has_type_id = 1;
		c->has_created = c->has_done = c->has_cancelled = 1;
		c->operator_id = k->op;
		c->type_id = k->type;
		c->created = k->created;
		c->done = k->done;
		c->cancelled = k->cancelled;
		c->operator_name = op_name(r, k->op);
		c->type_name = type_name(r, k->type);
		if (!c->operator_name || !c->type_name)
			return -ENOMEM;
		rep->counts[rep->n_counts++] = c;
	}
	qsort(rep->counts, rep->n_counts, sizeof(*rep->counts), by_names);
	return 0;
}

static int fill_outcomes(struct req *r, const struct report_acc *acc,
			 Clubcrm__Report *rep)
{
	rep->outcomes = arena_calloc(r->a, acc->n_outcomes + 1,
				     sizeof(*rep->outcomes));
	if (!rep->outcomes)
		return -ENOMEM;
	for (size_t i = 0; i < acc->n_outcomes; i++) {
		const struct report_outcomes *k = &acc->outcomes[i];
		Clubcrm__ReportOutcome *o = arena_alloc(r->a, sizeof(*o));
		if (!o)
			return -ENOMEM;
		clubcrm__report_outcome__init(o);
		o->has_type_id = o->has_positive = o->has_negative =
			o->has_unknown = 1;
		o->type_id = k->type;
		o->positive = k->positive;
		o->negative = k->negative;
		o->unknown = k->unknown;
		if (!(o->type_name = type_name(r, k->type)))
			return -ENOMEM;
		rep->outcomes[rep->n_outcomes++] = o;
	}
	qsort(rep->outcomes, rep->n_outcomes, sizeof(*rep->outcomes),
	      by_type_name);
	return 0;
}

int64_t report_percentile(const int64_t *sorted, size_t n, unsigned p)
{
	size_t rank = (n * p + 99) / 100;  /* ceil(n * p / 100), >= 1 */
	return sorted[rank ? rank - 1 : 0];
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The median and p90 of the samples of `type` (0: all), into *n, *med,
 * *p90; `tmp` holds n_s values. */
static void stats(const struct report_sample *s, size_t n_s, uint64_t type,
		  int64_t *tmp, uint32_t *n, int64_t *med, int64_t *p90)
{
	size_t k = 0;
	for (size_t i = 0; i < n_s; i++)
		if (!type || s[i].type == type)
			tmp[k++] = s[i].secs;
	*n = (uint32_t)k;
	if (!k)
		return;
	qsort(tmp, k, sizeof(*tmp), cmp_i64);
	*med = report_percentile(tmp, k, 50);
	*p90 = report_percentile(tmp, k, 90);
}

static Clubcrm__ReportResponse *response_row(struct req *r,
					     const struct report_acc *acc,
					     uint64_t type, int64_t *tmp)
{
	Clubcrm__ReportResponse *x = arena_alloc(r->a, sizeof(*x));
	if (!x)
		return NULL;
	clubcrm__report_response__init(x);
	x->has_type_id = x->has_taken = x->has_done = 1;
	x->type_id = type;
	x->type_name = type ? type_name(r, type) : "";
	if (!x->type_name)
		return NULL;
	stats(acc->takes, acc->n_takes, type, tmp, &x->taken,
	      &x->take_median, &x->take_p90);
	x->has_take_median = x->has_take_p90 = x->taken > 0;
	stats(acc->dones, acc->n_dones, type, tmp, &x->done, &x->done_median,
	      &x->done_p90);
	x->has_done_median = x->has_done_p90 = x->done > 0;
	return x;
}

/* One row per priority type with a sample, by name, then all together. */
static int fill_response(struct req *r, const struct report_acc *acc,
			 Clubcrm__Report *rep)
{
	size_t n = acc->n_takes + acc->n_dones;
	uint64_t *types = arena_calloc(r->a, n + 1, sizeof(*types));
	int64_t *tmp = malloc((n + 1) * sizeof(*tmp));
	rep->response = arena_calloc(r->a, n + 2, sizeof(*rep->response));
	int rc = types && tmp && rep->response ? 0 : -ENOMEM;
	size_t nt = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		uint64_t ty = i < acc->n_takes ? acc->takes[i].type
					       : acc->dones[i - acc->n_takes].type;
		size_t j = 0;
		while (j < nt && types[j] != ty)
			j++;
		if (j == nt)
			types[nt++] = ty;
	}
	for (size_t i = 0; !rc && i < nt; i++) {
		Clubcrm__ReportResponse *x = response_row(r, acc, types[i], tmp);
		if (!x)
			rc = -ENOMEM;
		else
			rep->response[rep->n_response++] = x;
	}
	if (!rc)
		qsort(rep->response, rep->n_response, sizeof(*rep->response),
		      by_type_name);
	Clubcrm__ReportResponse *all = rc ? NULL : response_row(r, acc, 0, tmp);
	if (all)
		rep->response[rep->n_response++] = all;
	else
		rc = -ENOMEM;
	free(tmp);
	return rc;
}

static int fill_days(struct req *r, const struct period *p,
		     const struct report_acc *acc, Clubcrm__Report *rep)
{
	rep->overdue = arena_calloc(r->a, p->n_days + 1, sizeof(*rep->overdue));
	if (!rep->overdue)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_days; i++) {
		Clubcrm__ReportDay *d = arena_alloc(r->a, sizeof(*d));
		char date[16];
		if (!d)
			return -ENOMEM;
		clubcrm__report_day__init(d);
		format_date(p->z, clubzone_day_start(p->z, p->from, (int)i),
			    date, sizeof(date));
		d->date = arena_strdup(r->a, date);
		d->has_judged_at = d->has_overdue = 1;
		d->judged_at = p->judged[i];
		d->overdue = acc->overdue[i];
		if (!d->date)
			return -ENOMEM;
		rep->overdue[rep->n_overdue++] = d;
	}
	return 0;
}

static int fill(struct req *r, const struct period *p,
		const struct report_acc *acc, Clubcrm__Report *rep)
{
	char from[16], to[16];
	format_date(p->z, p->from, from, sizeof(from));
	format_date(p->z, p->to, to, sizeof(to));
	rep->from_date = arena_strdup(r->a, from);
	rep->to_date = arena_strdup(r->a, to);
	rep->time_zone = arena_strdup(r->a, clubzone_name(p->z));
	if (!rep->from_date || !rep->to_date || !rep->time_zone)
		return -ENOMEM;
	rep->has_from = rep->has_to = rep->has_revision = 1;
	rep->from = p->from;
	rep->to = p->to;
	rep->revision = acc->last_rev;
	int rc = fill_counts(r, acc, rep);
	if (!rc)
		rc = fill_outcomes(r, acc, rep);
	if (!rc)
		rc = fill_response(r, acc, rep);
	if (!rc)
		rc = fill_days(r, p, acc, rep);
	return rc;
}

bool report_fits(const Clubcrm__Report *rep, size_t *size)
{
	*size = clubcrm__report__get_packed_size(rep);
	return *size <= REPORT_MAX_BYTES;
}

/* The report must fit in one frame: a club with many operators and task
 * types (each pair one row, with both names) is asked to narrow it. */
static int check_size(struct req *r, const Clubcrm__Report *rep)
{
	size_t size;
	if (report_fits(rep, &size))
		return 0;
	return req_refuse(r, STATUS_RESOURCE_EXHAUSTED,
			  "the report has %zu rows of operator and task type "
			  "(%zu KiB), too many for one answer: ask for one "
			  "team's or a shorter period", rep->n_counts,
			  (size + 1023) / 1024);
}

int report_get(struct req *r, const Clubcrm__GetReport *in,
	       Clubcrm__Report **out)
{
	struct period *p = calloc(1, sizeof(*p));
	struct report_acc acc = {0};
	uint64_t *ops = NULL;
	Clubcrm__Report *rep = arena_alloc(r->a, sizeof(*rep));
	int rc = p && rep ? 0 : -ENOMEM;
	if (!rc)
		rc = period_of(r, in, p);
	if (!rc)
		rc = scope(r, in, &acc, &ops);
	if (!rc) {
		acc.from = p->from;
		acc.to = p->to;
		acc.judged = p->judged;
		acc.n_days = p->n_days;
		rc = report_scan(r->t, &acc);
	}
	if (!rc) {
		clubcrm__report__init(rep);
		rc = fill(r, p, &acc, rep);
	}
	if (!rc)
		rc = check_size(r, rep);
	if (!rc)
		*out = rep;
	report_acc_free(&acc);
	free(p);
	return rc;
}
