#include "ical.h"

#include <libical/ical.h>
#include <stdio.h>
#include <string.h>

#include "changelog.h"
#include "cursor.h"
#include "rows.h"
#include "status.h"

/* An ExportAgenda reply must fit in a frame (req.h). */
#define ICAL_EXPORT_MAX_BYTES REQ_REPLY_MAX_BYTES
#define DAY INT64_C(86400)

void ical_default_window(int64_t now, int64_t *from, int64_t *to)
{
	*from = now - ICAL_DAYS_BACK * DAY;
	*to = now + ICAL_DAYS_AHEAD * DAY;
}

/* The club's name as the right-hand side of a UID: [a-z0-9-], at most
 * 63 characters, "clubcrm" when nothing is left. */
static void uid_domain(const char *club, char out[64])
{
	size_t n = 0;
	bool dash = false;
	for (const char *p = club ? club : ""; *p && n < 63; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n)
				out[n++] = '-';
			if (n < 63)
				out[n++] = c;
			dash = false;
		} else {
			dash = true;
		}
	}
	out[n] = '\0';
	if (!n)
		snprintf(out, 64, "clubcrm");
}

static icaltimetype utc_time(int64_t t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0,
					     icaltimezone_get_utc_timezone());
}

/* libical 3.0's icaltime_from_timet_with_zone() converts to the zone but
 * leaves the UTC zone set; the zone is set here again. */
static icaltimetype zone_time(int64_t t, icaltimezone *z)
{
	if (!z)
		return utc_time(t);
	icaltimetype tt = icaltime_from_timet_with_zone((time_t)t, 0, z);
	tt.zone = z;
	return tt;
}

static void add_x(icalcomponent *c, const char *name, const char *value)
{
	icalproperty *p = icalproperty_new_x(value);
	icalproperty_set_x_name(p, name);
	icalcomponent_add_property(c, p);
}

/* Whether the club's wall-clock time at `t` also names another instant
 * (the hour the autumn change repeats; zones shift by 30 min to 2 h). */
static bool ambiguous(int64_t t, icaltimezone *z)
{
	static const int64_t shifts[] = {1800, 3600, 7200};
	icaltimetype l = zone_time(t, z);
	for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++)
		for (int sign = -1; sign <= 1; sign += 2) {
			icaltimetype o = zone_time(t + sign * shifts[i], z);
			if (o.year == l.year && o.month == l.month &&
			    o.day == l.day && o.hour == l.hour &&
			    o.minute == l.minute && o.second == l.second)
				return true;
		}
	return false;
}

/*
 * A DTSTART or DTEND at `t`: the club's wall-clock time with its TZID, or
 * UTC when there is no zone or when that wall-clock time is ambiguous (the
 * hour the autumn change repeats: RFC 5545 reads a repeated local time as
 * its first occurrence, some parsers as its second, so only UTC says
 * which one is meant).
 */
static icalproperty *zoned(icalproperty *(*make)(struct icaltimetype),
			   int64_t t, icaltimezone *z, const char *tzid)
{
	if (z && !ambiguous(t, z)) {
		icalproperty *p = make(zone_time(t, z));
		icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
		return p;
	}
	return make(utc_time(t));
}

static char *summary_of(const struct ical_event *e)
{
	const char *type = e->type_name && e->type_name[0] ? e->type_name
							   : "Task";
	if (!e->customer_name || !e->customer_name[0])
		return icalmemory_strdup(type);
	size_t len = strlen(type) + strlen(e->customer_name) + 8;
	char *s = icalmemory_new_buffer(len);
	if (s)
		snprintf(s, len, "%s \xe2\x80\x94 %s", type, e->customer_name);
	return s;
}

static char *description_of(const struct ical_event *e)
{
	const char *d = e->task->description ? e->task->description : "";
	const char *ph = e->customer_phone ? e->customer_phone : "";
	size_t len = strlen(d) + strlen(ph) + 16;
	char *s = icalmemory_new_buffer(len);
	if (!s)
		return NULL;
	if (d[0] && ph[0])
		snprintf(s, len, "%s\nPhone: %s", d, ph);
	else if (ph[0])
		snprintf(s, len, "Phone: %s", ph);
	else
		snprintf(s, len, "%s", d);
	return s;
}

static icalcomponent *event_of(const struct ical_calendar *cal,
			       const struct ical_event *e, const char *domain,
			       icaltimezone *z, const char *tzid)
{
	const Clubcrm__Task *t = e->task;
	uint32_t slot = cal->slot_minutes ? cal->slot_minutes
					  : ICAL_SLOT_DEFAULT;
	int64_t changed = t->modified_at ? t->modified_at : t->created_at;
	char uid[96];
	snprintf(uid, sizeof(uid), "%llu@%s", (unsigned long long)t->id,
		 domain);
	char *summary = summary_of(e), *desc = description_of(e);
	if (!summary || !desc) {
		icalmemory_free_buffer(summary);
		icalmemory_free_buffer(desc);
		return NULL;
	}
	icalcomponent *ev = icalcomponent_vanew(
		ICAL_VEVENT_COMPONENT,
		icalproperty_new_uid(uid),
		icalproperty_new_dtstamp(utc_time(changed)),
		zoned(icalproperty_new_dtstart, t->planned_at, z, tzid),
		zoned(icalproperty_new_dtend,
		      t->planned_at + (int64_t)slot * 60, z, tzid),
		icalproperty_new_summary(summary),
		icalproperty_new_sequence((int)e->sequence),
		icalproperty_new_lastmodified(utc_time(changed)),
		icalproperty_new_created(utc_time(t->created_at)),
		icalproperty_new_status(
			t->status == CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED
				? ICAL_STATUS_CANCELLED
				: ICAL_STATUS_CONFIRMED),
		(void *)0);
	if (ev && desc[0])
		icalcomponent_add_property(ev,
					   icalproperty_new_description(desc));
	icalmemory_free_buffer(summary);
	icalmemory_free_buffer(desc);
	return ev;
}

/* The zone's VTIMEZONE, named by its plain IANA name (libical's is
 * prefixed with "/freeassociation.sourceforge.net/"), its history cut to
 * the year before the window's. */
static icalcomponent *vtimezone_of(icaltimezone *z, const char *name,
				   int64_t from, int64_t to)
{
	icalcomponent *src = icaltimezone_get_component(z);
	icalcomponent *tz = src ? icalcomponent_new_clone(src) : NULL;
	if (!tz)
		return NULL;
	icalproperty *p = icalcomponent_get_first_property(tz,
							   ICAL_TZID_PROPERTY);
	if (p)
		icalproperty_set_tzid(p, name);
	if (from && to > from) {
		/* From 1 January of the year before the window: the text
		 * stays the same from one poll to the next. */
		icaltimetype start = utc_time(from);
		start.year -= 1;
		start.month = start.day = 1;
		start.hour = start.minute = start.second = 0;
		icaltimezone_truncate_vtimezone(tz, start,
						icaltime_null_time(), 0);
	}
	return tz;
}

int ical_build(const struct ical_calendar *cal, const struct ical_event *ev,
	       size_t n, struct arena *a, char **out, size_t *len)
{
	char domain[64];
	uid_domain(cal->club_name, domain);
	icaltimezone *z = NULL;
	if (cal->time_zone && cal->time_zone[0] &&
	    strcmp(cal->time_zone, "UTC") != 0)
		z = icaltimezone_get_builtin_timezone(cal->time_zone);
	const char *tzid = z ? cal->time_zone : NULL;

	icalcomponent *c = icalcomponent_vanew(
		ICAL_VCALENDAR_COMPONENT,
		icalproperty_new_version("2.0"),
		icalproperty_new_prodid("-//clubcrm//agenda//EN"),
		icalproperty_new_calscale("GREGORIAN"),
		icalproperty_new_method(ICAL_METHOD_PUBLISH),
		(void *)0);
	if (!c)
		return -ENOMEM;
	/* Whole: names of 100 characters take up to 400 bytes each. */
	char *name = arena_printf(a, "%s%s%s",
				  cal->name ? cal->name : "agenda",
				  cal->club_name && cal->club_name[0]
					  ? " \xe2\x80\x94 " : "",
				  cal->club_name ? cal->club_name : "");
	if (!name) {
		icalcomponent_free(c);
		return -ENOMEM;
	}
	add_x(c, "X-WR-CALNAME", name);
	add_x(c, "X-WR-TIMEZONE", tzid ? tzid : "UTC");
	/* Calendar applications poll about this often (Google ignores it). */
	icalproperty *ri = icalproperty_new_x("PT15M");
	icalproperty_set_x_name(ri, "X-PUBLISHED-TTL");
	icalcomponent_add_property(c, ri);
	int rc = 0;
	if (z) {
		icalcomponent *tz = vtimezone_of(z, tzid, cal->window_from,
						 cal->window_to);
		if (tz)
			icalcomponent_add_component(c, tz);
		else
			rc = -ENOMEM;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		icalcomponent *e = event_of(cal, &ev[i], domain, z, tzid);
		if (e)
			icalcomponent_add_component(c, e);
		else
			rc = -ENOMEM;
	}
	char *text = rc ? NULL : icalcomponent_as_ical_string_r(c);
	icalcomponent_free(c);
	if (!rc && !text)
		rc = -ENOMEM;
	if (rc)
		return rc;
	*len = strlen(text);
	*out = arena_alloc(a, *len + 1);
	if (*out)
		memcpy(*out, text, *len + 1);
	icalmemory_free_buffer(text);
	return *out ? 0 : -ENOMEM;
}

/* How many times the task changed after its creation: its chain's links
 * less one. The change sets are read into a scratch arena, freed here. */
static int sequence_of(struct txn *t, const Clubcrm__Task *task,
		       uint32_t *seq)
{
	struct arena scratch;
	arena_init(&scratch);
	struct changelog_walk w;
	changelog_walk_task(&w, t, &scratch, task);
	uint32_t n = 0;
	int rc;
	while ((rc = changelog_walk_next(&w)) == 0) {
		n++;
		arena_reset(&scratch);
	}
	arena_free(&scratch);
	*seq = n ? n - 1 : 0;
	return rc == -ENOENT ? 0 : rc;
}

/* The ids of the operator's tasks planned in [from, to), in time order. */
static int agenda_ids(struct txn *t, struct arena *a, uint64_t op_id,
		      int64_t from, int64_t to, uint64_t **ids, size_t *n)
{
	uint8_t lo[24], hi[24];
	key_u64(lo, op_id);
	memcpy(hi, lo, 8);
	key_time(lo + 8, from);
	memset(lo + 16, 0, 8);
	key_time(hi + 8, to);
	memset(hi + 16, 0, 8);
	size_t cap = 64;
	*n = 0;
	*ids = arena_calloc(a, cap, 8);
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, t, DB_BY_OPERATOR_PLANNED);
	for (rc = rc ? rc : txn_cursor_seek(&c, lo, sizeof(lo));
	     rc == 0 && *ids && *n < ICAL_MAX_EVENTS;
	     rc = txn_cursor_next(&c)) {
		if (c.key.len != 24 || memcmp(c.key.data, hi, 24) >= 0)
			break;
		if (*n == cap) {
			uint64_t *more = arena_calloc(a, cap * 2, 8);
			if (more)
				memcpy(more, *ids, cap * 8);
			*ids = more;
			cap *= 2;
			if (!more)
				break;
		}
		(*ids)[(*n)++] = key_get_u64((const uint8_t *)c.key.data + 16);
	}
	txn_cursor_close(&c);
	if (!*ids)
		return -ENOMEM;
	return rc == 0 || rc == -ENOENT ? 0 : rc;
}

int ical_agenda(struct txn *t, struct arena *a, uint64_t op_id,
		int64_t from, int64_t to, char **out, size_t *len,
		uint32_t *events)
{
	Clubcrm__Operator *op = NULL;
	Clubcrm__Settings *set = NULL;
	int rc = rows_operator(t, a, op_id, &op);
	if (!rc)
		rc = rows_settings(t, a, &set);
	uint64_t *ids = NULL;
	size_t n = 0;
	if (!rc)
		rc = agenda_ids(t, a, op_id, from, to, &ids, &n);
	if (rc)
		return rc;
	struct ical_event *ev = arena_calloc(a, n ? n : 1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		Clubcrm__Task *task = NULL;
		rc = rows_task(t, a, ids[i], &task);
		if (rc == -ENOENT)
			continue;  /* check.c reports a dangling index entry */
		if (rc)
			return rc;
		if (task->kind == CLUBCRM__TASK_KIND__TASK_KIND_NOTE)
			continue;
		struct ical_event *e = &ev[m];
		e->task = task;
		Clubcrm__TaskType *type = NULL;
		Clubcrm__Customer *cust = NULL;
		if (task->type_id && rows_type(t, a, task->type_id, &type) == 0)
			e->type_name = type->name;
		if (task->customer_id &&
		    rows_customer(t, a, task->customer_id, &cust) == 0) {
			e->customer_name = cust->name;
			e->customer_phone = cust->phone;
		}
		if (t->ret)
			return t->ret;
		rc = sequence_of(t, task, &e->sequence);
		if (rc)
			return rc;
		m++;
	}
	struct ical_calendar cal = {
		.club_name = set->club_name,
		.time_zone = set->time_zone,
		.slot_minutes = set->has_slot_minutes ? set->slot_minutes : 0,
		.name = op->name && op->name[0] ? op->name : op->login,
		.window_from = from,
		.window_to = to,
	};
	*events = (uint32_t)m;
	return ical_build(&cal, ev, m, a, out, len);
}

int ical_export(struct req *r, const Clubcrm__ExportAgenda *in,
		Clubcrm__AgendaExport **out)
{
	int64_t from, to;
	ical_default_window(r->who->now, &from, &to);
	if (in->has_from)
		from = in->from;
	if (in->has_to)
		to = in->to;
	if (to <= from)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "the date range is empty");
	/* to > from: the length fits a uint64, not always an int64. */
	if ((uint64_t)to - (uint64_t)from > (uint64_t)(ICAL_MAX_DAYS * DAY))
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "the range is longer than %d days",
				  ICAL_MAX_DAYS);
	uint64_t id = in->operator_id ? in->operator_id : r->who->operator_id;
	char *text = NULL;
	size_t len = 0;
	uint32_t events = 0;
	int rc = ical_agenda(r->t, r->a, id, from, to, &text, &len, &events);
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "unknown operator %llu",
				  (unsigned long long)id);
	if (rc)
		return rc;
	if (len > ICAL_EXPORT_MAX_BYTES)
		return req_refuse(r, STATUS_RESOURCE_EXHAUSTED,
				  "the calendar has %u events, too many for "
				  "one answer: give a shorter range", events);
	Clubcrm__AgendaExport *ae = arena_alloc(r->a, sizeof(*ae));
	if (!ae)
		return -ENOMEM;
	clubcrm__agenda_export__init(ae);
	ae->ics = text;
	ae->has_events = ae->has_revision = 1;
	ae->events = events;
	ae->revision = txn_revision(r->t);
	*out = ae;
	return 0;
}
