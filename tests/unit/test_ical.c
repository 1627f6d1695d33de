/*
 * Calendar feeds: the iCalendar generator (ical.c) on its own (a day the
 * clocks change in Europe/Madrid, a cancelled task, text that needs
 * escaping, read back with libical's parser), and over a real store: UIDs
 * that stay, SEQUENCE bumped by a change and stable without one, the feed
 * secret (feeds.c) made, rotated, revoked on deactivation, refused in
 * every malformed spelling, and ExportAgenda's range and rights.
 */
#include "domain_fixture.h"

#include <libical/ical.h>

#include "feeds.h"
#include "ical.h"

/* 2027-03-28, the spring change in Madrid (02:00 CET -> 03:00 CEST). */
#define DST_BEFORE INT64_C(1806193800)  /* 00:30 UTC = 01:30 CET */
#define DST_AFTER INT64_C(1806197400)   /* 01:30 UTC = 03:30 CEST */

static Clubcrm__Task task_at(uint64_t id, int64_t planned,
			     Clubcrm__TaskStatus st, const char *desc)
{
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.id = id;
	t.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	t.planned_at = planned;
	t.created_at = FX_NOW;
	t.modified_at = FX_NOW + 60;
	t.status = st;
	t.description = (char *)desc;
	return t;
}

static const struct ical_calendar madrid = {
	.club_name = "Club Ñandú, S.A.",
	.time_zone = "Europe/Madrid",
	.slot_minutes = 45,
	.name = "Bea",
	.window_from = FX_NOW - 30 * 86400,
	.window_to = FX_NOW + 180 * 86400,
};

static char *build(struct arena *a, const struct ical_calendar *cal,
		   const struct ical_event *ev, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(ical_build(cal, ev, n, a, &text, &len), 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

/* The VEVENT of `uid` in `cal` (parsed), or NULL. */
static icalcomponent *event_of(icalcomponent *cal, const char *uid)
{
	for (icalcomponent *e = icalcomponent_get_first_component(
		     cal, ICAL_VEVENT_COMPONENT);
	     e; e = icalcomponent_get_next_component(cal,
						      ICAL_VEVENT_COMPONENT))
		if (strcmp(icalcomponent_get_uid(e), uid) == 0)
			return e;
	return NULL;
}

static void test_dst_day(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	Clubcrm__Task t1 = task_at(7, DST_BEFORE,
				   CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED,
				   "before");
	Clubcrm__Task t2 = task_at(8, DST_AFTER,
				   CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED,
				   "after");
	struct ical_event ev[2] = {
		{.task = &t1, .type_name = "Call", .customer_name = "Ana"},
		{.task = &t2, .type_name = "Call", .customer_name = "Ana"},
	};
	char *text = build(&a, &madrid, ev, 2);
	/* Wall-clock times of the club's zone, one on each side of the
	 * change, the end a slot (45 min) later: 01:30 CET + 45 min is
	 * 03:15 CEST (02:00 to 03:00 does not exist that day). */
	assert_non_null(strstr(text, "DTSTART;TZID=Europe/Madrid:"
				     "20270328T013000"));
	assert_non_null(strstr(text, "DTEND;TZID=Europe/Madrid:"
				     "20270328T031500"));
	assert_non_null(strstr(text, "DTSTART;TZID=Europe/Madrid:"
				     "20270328T033000"));
	assert_non_null(strstr(text, "DTEND;TZID=Europe/Madrid:"
				     "20270328T041500"));
	assert_non_null(strstr(text, "BEGIN:VTIMEZONE\r\nTZID:Europe/Madrid"));
	assert_non_null(strstr(text, "BEGIN:DAYLIGHT"));
	assert_non_null(strstr(text, "UID:7@club-and-s-a"));
	/* Read back, each start is the same instant as the task's. */
	icalcomponent *cal = icalparser_parse_string(text);
	assert_non_null(cal);
	icalcomponent *e = event_of(cal, "8@club-and-s-a");
	assert_non_null(e);
	icaltimetype st = icalcomponent_get_dtstart(e);
	icaltimezone *z = icaltimezone_get_builtin_timezone("Europe/Madrid");
	assert_int_equal((int64_t)icaltime_as_timet_with_zone(st, z),
			 DST_AFTER);
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CONFIRMED);
	icalcomponent_free(cal);
	arena_free(&a);
}

/* 2027-10-31, the autumn change in Madrid: 02:00-03:00 comes twice. */
#define AUTUMN_FIRST INT64_C(1824942600)   /* 00:30 UTC = 02:30 CEST */
#define AUTUMN_SECOND INT64_C(1824946200)  /* 01:30 UTC = 02:30 CET */

static void test_autumn_repeated_hour(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ical_calendar cal = madrid;
	cal.slot_minutes = 30;
	Clubcrm__Task t1 = task_at(11, AUTUMN_FIRST,
				   CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED,
				   "first 02:30");
	Clubcrm__Task t2 = task_at(12, AUTUMN_SECOND,
				   CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED,
				   "second 02:30");
	struct ical_event ev[2] = {{.task = &t1}, {.task = &t2}};
	char *text = build(&a, &cal, ev, 2);
	/* 02:30 names two instants that day: both are written in UTC (RFC
	 * 5545 reads such a local time as the first, Python's icalendar as
	 * the second); their ends (03:00) are not ambiguous. */
	assert_non_null(strstr(text, "DTSTART:20271031T003000Z"));
	assert_non_null(strstr(text, "DTSTART:20271031T013000Z"));
	assert_null(strstr(text, "DTSTART;TZID=Europe/Madrid:20271031T0230"));
	assert_non_null(strstr(text, "DTEND;TZID=Europe/Madrid:"
				     "20271031T030000"));
	icalcomponent *c = icalparser_parse_string(text);
	icalcomponent *e1 = event_of(c, "11@club-and-s-a");
	icalcomponent *e2 = event_of(c, "12@club-and-s-a");
	assert_non_null(e1);
	assert_non_null(e2);
	icaltimetype s1 = icalcomponent_get_dtstart(e1);
	icaltimetype s2 = icalcomponent_get_dtstart(e2);
	assert_true(icaltime_is_utc(s1) && icaltime_is_utc(s2));
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	assert_int_equal((int64_t)icaltime_as_timet_with_zone(s1, utc),
			 AUTUMN_FIRST);
	assert_int_equal((int64_t)icaltime_as_timet_with_zone(s2, utc),
			 AUTUMN_SECOND);
	icalcomponent_free(c);
	arena_free(&a);
}

static void test_cancelled_and_text(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *desc = "Bring: towel, shoes; the form\nSecond line — "
			   "año ñ 日本";
	Clubcrm__Task t1 = task_at(
		9, FX_NOW + 3600, CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED,
		desc);
	Clubcrm__Task t2 = task_at(10, FX_NOW + 7200,
				   CLUBCRM__TASK_STATUS__TASK_STATUS_DONE, "");
	struct ical_event ev[2] = {
		{.task = &t1, .type_name = "Visit; tour",
		 .customer_name = "Iñaki, Jr.",
		 .customer_phone = "+34 600 111 222", .sequence = 3},
		{.task = &t2},
	};
	char *text = build(&a, &madrid, ev, 2);
	assert_non_null(strstr(text, "STATUS:CANCELLED"));
	assert_non_null(strstr(text, "SEQUENCE:3"));
	/* Escaped as RFC 5545 says: "\," "\;" "\n". */
	assert_non_null(strstr(text, "towel\\, shoes\\; the form\\nSecond"));
	icalcomponent *cal = icalparser_parse_string(text);
	assert_non_null(cal);
	icalcomponent *e = event_of(cal, "9@club-and-s-a");
	assert_non_null(e);
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CANCELLED);
	char want[256];
	snprintf(want, sizeof(want), "%s\nPhone: +34 600 111 222", desc);
	assert_string_equal(icalcomponent_get_description(e), want);
	assert_string_equal(icalcomponent_get_summary(e),
			    "Visit; tour \xe2\x80\x94 Iñaki, Jr.");
	/* No type, no customer, no description: "Task", no DESCRIPTION. */
	e = event_of(cal, "10@club-and-s-a");
	assert_non_null(e);
	assert_string_equal(icalcomponent_get_summary(e), "Task");
	assert_null(icalcomponent_get_first_property(
		e, ICAL_DESCRIPTION_PROPERTY));
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CONFIRMED);
	icalcomponent_free(cal);
	arena_free(&a);
}

static void test_no_zone_is_utc(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ical_calendar cal = madrid;
	cal.time_zone = "Nowhere/Atlantis";
	cal.club_name = "";
	Clubcrm__Task t = task_at(5, DST_AFTER,
				  CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED,
				  "x");
	struct ical_event ev = {.task = &t};
	char *text = build(&a, &cal, &ev, 1);
	assert_null(strstr(text, "VTIMEZONE"));
	assert_non_null(strstr(text, "DTSTART:20270328T013000Z"));
	assert_non_null(strstr(text, "UID:5@clubcrm"));
	arena_free(&a);
}

/* The calendar's name at its longest: an operator's and a club's names of
 * CATALOG_NAME_MAX characters of 3 bytes each arrive whole (not cut inside
 * a character, which left invalid UTF-8 in the feed). */
static void test_long_names_whole(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	char op[100 * 3 + 1] = "", club[100 * 3 + 1] = "";
	for (int i = 0; i < 100; i++) {
		strcat(op, "\xe6\x97\xa5");    /* 日 */
		strcat(club, "\xe6\x9c\xac");  /* 本 */
	}
	struct ical_calendar cal = madrid;
	cal.name = op;
	cal.club_name = club;
	char *text = build(&a, &cal, NULL, 0);
	icalcomponent *c = icalparser_parse_string(text);
	assert_non_null(c);
	icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY);
	while (p && strcmp(icalproperty_get_x_name(p), "X-WR-CALNAME") != 0)
		p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY);
	assert_non_null(p);
	char want[sizeof(op) + sizeof(club) + 8];
	snprintf(want, sizeof(want), "%s \xe2\x80\x94 %s", op, club);
	assert_string_equal(icalproperty_get_x(p), want);
	icalcomponent_free(c);
	arena_free(&a);
}

/* ------------------------------------------------------------ the store */

struct env {
	struct fx *fx;
	struct club c;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	e->fx = fx_open_club(&e->c);
	Clubcrm__Settings set = CLUBCRM__SETTINGS__INIT;
	Clubcrm__UpdateSettings us = CLUBCRM__UPDATE_SETTINGS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	set.time_zone = "Europe/Madrid";
	set.club_name = "Demo Club";
	set.has_slot_minutes = 1;
	set.slot_minutes = 30;
	us.settings = &set;
	f.body_case = BODY(UPDATE_SETTINGS);
	f.update_settings = &us;
	Clubcrm__Frame *r = fx_write(e->fx, fx_actor(e->c.ana, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	fx_close(e->fx);
	free(e);
	return 0;
}

static Clubcrm__Task *bea_task(struct env *e, const char *desc,
			       int64_t planned)
{
	Clubcrm__CreateTask t = fx_new_task(&e->c, desc, planned);
	t.has_operator_id = 1;
	t.operator_id = e->c.bea;
	Clubcrm__Frame *r = fx_create(e->fx, fx_actor(e->c.ana, 1), &t);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	return r->task_reply->row->task;
}

static Clubcrm__Frame *rotate(struct env *e, uint64_t who, int admin,
			      uint64_t op)
{
	Clubcrm__RotateFeed rf = CLUBCRM__ROTATE_FEED__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	rf.has_operator_id = op != 0;
	rf.operator_id = op;
	f.body_case = BODY(ROTATE_FEED);
	f.rotate_feed = &rf;
	return fx_write(e->fx, fx_actor(who, admin), &f);
}

/* The secret of a FeedReply's path, into `out` (44 bytes). */
static void secret_of(const Clubcrm__Frame *r, char *out)
{
	assert_int_equal(r->body_case, BODY(FEED_REPLY));
	const char *p = r->feed_reply->path;
	assert_int_equal(strlen(p), strlen("/feed/") + 43 + strlen(".ics"));
	assert_memory_equal(p, "/feed/", 6);
	assert_string_equal(p + 6 + 43, ".ics");
	memcpy(out, p + 6, 43);
	out[43] = '\0';
}

/* The feed of `secret`: its text (in the fixture's arena) or NULL with
 * *rc set. */
static char *feed(struct env *e, const char *secret, size_t len, int *rc)
{
	char *ics = NULL;
	size_t n = 0;
	*rc = service_feed(e->fx->st, secret, len, FX_NOW, &e->fx->a, &ics,
			   &n);
	/* The loop's check before queueing a build finds the same. */
	assert_int_equal(service_feed_check(e->fx->st, secret, len), *rc);
	return *rc ? NULL : ics;
}

static Clubcrm__Frame *deactivate(struct env *e, uint64_t op_id,
				  const char *login)
{
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	o.id = op_id;
	o.login = (char *)login;
	o.has_active = 1;
	o.active = 0;
	u.operator_ = &o;
	f.body_case = BODY(UPSERT_OPERATOR);
	f.upsert_operator = &u;
	return fx_write(e->fx, fx_actor(e->c.ana, 1), &f);
}

static void test_uid_and_sequence(void **state)
{
	struct env *e = *state;
	Clubcrm__Task *t = bea_task(e, "first", FX_NOW + 3600);
	bea_task(e, "other", FX_NOW + 7200);
	/* Ana's task and a task far outside the window are not Bea's feed. */
	Clubcrm__CreateTask ct = fx_new_task(&e->c, "ana's", FX_NOW + 60);
	ct.has_operator_id = 1;
	ct.operator_id = e->c.ana;
	fx_create(e->fx, fx_actor(e->c.ana, 1), &ct);
	bea_task(e, "next year", FX_NOW + 300 * 86400);

	char secret[44];
	secret_of(rotate(e, e->c.bea, 0, 0), secret);
	int rc;
	char *one = feed(e, secret, 43, &rc);
	assert_int_equal(rc, 0);
	char *two = feed(e, secret, 43, &rc);
	assert_string_equal(one, two);  /* nothing changed: the same text */
	char uid[64];
	snprintf(uid, sizeof(uid), "UID:%llu@demo-club",
		 (unsigned long long)t->id);
	assert_non_null(strstr(one, uid));
	assert_null(strstr(one, "ana's"));
	assert_null(strstr(one, "next year"));
	assert_non_null(strstr(one, "X-WR-CALNAME:bea \xe2\x80\x94 Demo Club"));
	icalcomponent *cal = icalparser_parse_string(one);
	assert_int_equal(icalcomponent_count_components(cal,
							ICAL_VEVENT_COMPONENT),
			 2);
	icalcomponent *ev = event_of(cal, uid + 4);
	assert_int_equal(icalproperty_get_sequence(
		icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)),
		0);
	icalcomponent_free(cal);

	/* An edit: the same UID, SEQUENCE 1, the new time. */
	Clubcrm__EditTask in = CLUBCRM__EDIT_TASK__INIT;
	in.has_id = in.has_planned_at = in.has_base_mod_rev = 1;
	in.id = t->id;
	in.base_mod_rev = t->mod_rev;
	in.planned_at = FX_NOW + 5400;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(EDIT_TASK);
	f.edit_task = &in;
	assert_int_equal(fx_write(e->fx, fx_actor(e->c.bea, 0), &f)->body_case,
			 BODY(TASK_REPLY));
	char *three = feed(e, secret, 43, &rc);
	assert_int_equal(rc, 0);
	cal = icalparser_parse_string(three);
	ev = event_of(cal, uid + 4);
	assert_non_null(ev);
	assert_int_equal(icalproperty_get_sequence(
		icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)),
		1);
	/* 2027-01-15 09:30 UTC is 10:30 in Madrid. */
	assert_non_null(strstr(three, "DTSTART;TZID=Europe/Madrid:"
				      "20270115T103000"));
	icalcomponent_free(cal);

	/* Cancelled: still there, as CANCELLED, SEQUENCE 2. */
	Clubcrm__CancelTask cancel = CLUBCRM__CANCEL_TASK__INIT;
	cancel.has_id = 1;
	cancel.id = t->id;
	f.body_case = BODY(CANCEL_TASK);
	f.cancel_task = &cancel;
	assert_int_equal(fx_write(e->fx, fx_actor(e->c.bea, 0), &f)->body_case,
			 BODY(TASK_REPLY));
	char *four = feed(e, secret, 43, &rc);
	cal = icalparser_parse_string(four);
	ev = event_of(cal, uid + 4);
	assert_non_null(ev);
	assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
	assert_int_equal(icalproperty_get_sequence(
		icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)),
		2);
	icalcomponent_free(cal);
}

static void test_rotate_and_refusals(void **state)
{
	struct env *e = *state;
	bea_task(e, "hers", FX_NOW + 3600);
	char old[44], now[44];
	secret_of(rotate(e, e->c.bea, 0, 0), old);
	int rc;
	assert_non_null(feed(e, old, 43, &rc));
	/* Rotated by an admin: the old secret stops, the new one works. */
	secret_of(rotate(e, e->c.ana, 1, e->c.bea), now);
	assert_string_not_equal(old, now);
	assert_null(feed(e, old, 43, &rc));
	assert_int_equal(rc, -ENOENT);
	assert_non_null(feed(e, now, 43, &rc));

	/* Malformed, all -ENOENT: short, long, bad characters, padding,
	 * traversal, a well-formed unknown one, the empty string. */
	char bad[64];
	memcpy(bad, now, 44);
	assert_null(feed(e, bad, 42, &rc));
	assert_int_equal(rc, -ENOENT);
	snprintf(bad, sizeof(bad), "%sA", now);
	assert_null(feed(e, bad, 44, &rc));
	assert_int_equal(rc, -ENOENT);
	memcpy(bad, now, 44);
	bad[10] = '+';
	assert_null(feed(e, bad, 43, &rc));
	bad[10] = '/';
	assert_null(feed(e, bad, 43, &rc));
	bad[10] = '=';
	assert_null(feed(e, bad, 43, &rc));
	assert_null(feed(e, "../../../../etc/passwd", 22, &rc));
	assert_int_equal(rc, -ENOENT);
	memcpy(bad, now, 44);
	bad[0] = bad[0] == 'A' ? 'B' : 'A';
	assert_null(feed(e, bad, 43, &rc));
	assert_int_equal(rc, -ENOENT);
	assert_null(feed(e, "", 0, &rc));
	assert_int_equal(rc, -ENOENT);

	/* An operator may not make another's. */
	fx_assert_error(rotate(e, e->c.carl, 0, e->c.bea),
			STATUS_PERMISSION_DENIED, "only admins");
	fx_assert_error(rotate(e, e->c.ana, 1, 999), STATUS_NOT_FOUND,
			"unknown operator");
	assert_non_null(feed(e, now, 43, &rc));  /* untouched */

	/* Deactivated: the feed stops, and a new one is refused. */
	assert_int_equal(deactivate(e, e->c.bea, "bea")->body_case,
			 BODY(CATALOG));
	assert_null(feed(e, now, 43, &rc));
	assert_int_equal(rc, -ENOENT);
	fx_assert_error(rotate(e, e->c.ana, 1, e->c.bea),
			STATUS_FAILED_PRECONDITION, "deactivated");
}

static Clubcrm__Frame *export(struct env *e, uint64_t who, uint64_t op,
			      int64_t from, int64_t to)
{
	Clubcrm__ExportAgenda x = CLUBCRM__EXPORT_AGENDA__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	x.has_operator_id = op != 0;
	x.operator_id = op;
	x.has_from = from != 0;
	x.from = from;
	x.has_to = to != 0;
	x.to = to;
	f.body_case = BODY(EXPORT_AGENDA);
	f.export_agenda = &x;
	return fx_read(e->fx, fx_actor(who, 0), &f);
}

static void test_export(void **state)
{
	struct env *e = *state;
	bea_task(e, "soon", FX_NOW + 3600);
	bea_task(e, "later", FX_NOW + 40 * 86400);
	/* One's own, in the default window: both. */
	Clubcrm__Frame *r = export(e, e->c.bea, 0, 0, 0);
	assert_int_equal(r->body_case, BODY(AGENDA_EXPORT));
	assert_int_equal(r->agenda_export->events, 2);
	assert_non_null(strstr(r->agenda_export->ics, "BEGIN:VCALENDAR"));
	/* Another operator's, in a range holding one. */
	r = export(e, e->c.carl, e->c.bea, FX_NOW, FX_NOW + 86400);
	assert_int_equal(r->agenda_export->events, 1);
	assert_non_null(strstr(r->agenda_export->ics, "soon"));
	/* Carl has none: a calendar with no event. */
	r = export(e, e->c.carl, 0, 0, 0);
	assert_int_equal(r->agenda_export->events, 0);
	assert_null(strstr(r->agenda_export->ics, "VEVENT"));
	fx_assert_error(export(e, e->c.bea, 0, FX_NOW, FX_NOW),
			STATUS_INVALID_ARGUMENT, "empty");
	fx_assert_error(export(e, e->c.bea, 0, FX_NOW, FX_NOW - 1),
			STATUS_INVALID_ARGUMENT, "empty");
	fx_assert_error(export(e, e->c.bea, 0, FX_NOW,
			       FX_NOW + 401 * INT64_C(86400)),
			STATUS_INVALID_ARGUMENT, "400 days");
	/* A range whose length does not fit an int64 is longer still (its
	 * subtraction must not wrap to a short, negative one). */
	fx_assert_error(export(e, e->c.bea, 0, INT64_MIN, FX_NOW),
			STATUS_INVALID_ARGUMENT, "400 days");
	fx_assert_error(export(e, e->c.bea, 0, -1, INT64_MAX),
			STATUS_INVALID_ARGUMENT, "400 days");
	/* A short range at either end of time: an empty calendar. */
	r = export(e, e->c.bea, 0, INT64_MIN, INT64_MIN + 86400);
	assert_int_equal(r->body_case, BODY(AGENDA_EXPORT));
	assert_int_equal(r->agenda_export->events, 0);
	r = export(e, e->c.bea, 0, INT64_MAX - 86400, INT64_MAX);
	assert_int_equal(r->body_case, BODY(AGENDA_EXPORT));
	assert_int_equal(r->agenda_export->events, 0);
	fx_assert_error(export(e, e->c.bea, 4242, 0, 0), STATUS_NOT_FOUND,
			"unknown operator");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dst_day),
		cmocka_unit_test(test_autumn_repeated_hour),
		cmocka_unit_test(test_cancelled_and_text),
		cmocka_unit_test(test_no_zone_is_utc),
		cmocka_unit_test(test_long_names_whole),
		cmocka_unit_test_setup_teardown(test_uid_and_sequence, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rotate_and_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_export, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	icaltimezone_free_builtin_timezones();
	return rc;
}
