/*
 * Creating a club. Everything goes through service_write_batch, the path of
 * client writes, so the seeded records have revisions, change-log entries
 * and indexes like any other.
 */
#include "club.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clubzone.h"
#include "service.h"
#include "store.h"
#include "timeutil.h"
#include "txn.h"

struct seeder {
	struct store *st;
	struct actor who;
	struct service_write_op op;  /* the last request's reply lives here */
	int rc;
};

bool club_is_empty(struct store *st)
{
	struct txn t;
	txn_begin(&t, st, NULL, false);
	size_t n = 0;
	bool empty = txn_count(&t, DB_OPERATORS, &n) == 0 && n == 0;
	txn_abort(&t);
	return empty;
}

/* Runs one request as its own batch and returns its reply frame (valid
 * until the next one), or NULL (s->rc set) when it failed or was refused. */
static Clubcrm__Frame *apply(struct seeder *s, Clubcrm__Frame *req)
{
	if (s->rc)
		return NULL;
	struct service_write_op *op = &s->op;
	op->who = s->who;
	op->req = req;
	req->has_request_id = 1;
	req->request_id = 1;
	int rc = service_write_batch(s->st, op, 1);
	Clubcrm__Frame *f = op->reply;
	if (!rc && f && f->body_case == CLUBCRM__FRAME__BODY_ERROR) {
		fprintf(stderr, "clubcrm: creating the club: %s\n",
			f->error->message ? f->error->message : "refused");
		rc = -EINVAL;
	}
	if (!rc && !f)
		rc = -ENOMEM;
	s->rc = rc;
	return rc ? NULL : f;
}

static void seeder_init(struct seeder *s, struct store *st)
{
	memset(s, 0, sizeof(*s));
	s->st = st;
	/* The system itself: no operator yet, admin rights to create them. */
	s->who.operator_id = 0;
	s->who.role = CLUBCRM__ROLE__ROLE_ADMIN;
	s->who.now = time_now();
	s->who.system = true;
}

static uint64_t add_team(struct seeder *s, const char *name)
{
	Clubcrm__Team t = CLUBCRM__TEAM__INIT;
	Clubcrm__UpsertTeam u = CLUBCRM__UPSERT_TEAM__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	t.name = (char *)name;
	u.team = &t;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_TEAM;
	f.upsert_team = &u;
	Clubcrm__Frame *r = apply(s, &f);
	return r ? r->catalog->teams[0]->id : 0;
}

static uint64_t add_operator(struct seeder *s, const char *login,
			     const char *name, bool admin, uint64_t team,
			     const char *password)
{
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	o.login = (char *)login;
	o.name = (char *)name;
	o.has_role = 1;
	o.role = admin ? CLUBCRM__ROLE__ROLE_ADMIN : CLUBCRM__ROLE__ROLE_OPERATOR;
	o.team_ids = &team;
	o.n_team_ids = team ? 1 : 0;
	u.operator_ = &o;
	u.password = (char *)password;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_OPERATOR;
	f.upsert_operator = &u;
	Clubcrm__Frame *r = apply(s, &f);
	return r ? r->catalog->operators[0]->id : 0;
}

static void set_settings(struct seeder *s, const char *club,
			 const char *zone, uint64_t note_result)
{
	Clubcrm__Settings set = CLUBCRM__SETTINGS__INIT;
	Clubcrm__UpdateSettings u = CLUBCRM__UPDATE_SETTINGS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	set.club_name = (char *)club;
	set.time_zone = (char *)(zone && *zone ? zone : "UTC");
	set.has_default_status = set.has_slot_minutes = 1;
	set.has_day_start_minute = set.has_day_end_minute = 1;
	set.has_escalation_minutes = 1;
	set.default_status = CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
	set.slot_minutes = 30;
	set.day_start_minute = 8 * 60;
	set.day_end_minute = 22 * 60;
	set.escalation_minutes = 30;
	set.has_default_note_result_id = note_result != 0;
	set.default_note_result_id = note_result;
	u.settings = &set;
	f.body_case = CLUBCRM__FRAME__BODY_UPDATE_SETTINGS;
	f.update_settings = &u;
	apply(s, &f);
}

int club_init(struct store *st, const char *club_name, const char *time_zone,
	      const char *admin_login, const char *admin_name,
	      const char *admin_password)
{
	if (!club_is_empty(st))
		return -EEXIST;
	struct seeder s;
	seeder_init(&s, st);
	set_settings(&s, club_name, time_zone, 0);
	add_operator(&s, admin_login, admin_name, true, 0, admin_password);
	service_write_op_free(&s.op);
	/* Its batches' commits are durable with the next one (store.h): the
	 * club is there for good before anyone is told it was created. */
	return s.rc ? s.rc : store_sync(st);
}

/* ------------------------------------------------------------ demo */

static uint64_t add_type(struct seeder *s, const char *name, bool priority,
			 const Clubcrm__FollowOn *fo)
{
	Clubcrm__TaskType t = CLUBCRM__TASK_TYPE__INIT;
	Clubcrm__UpsertTaskType u = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	Clubcrm__FollowOn *fos[1] = {(Clubcrm__FollowOn *)fo};
	t.name = (char *)name;
	t.has_priority = 1;
	t.priority = priority;
	t.follow_ons = fos;
	t.n_follow_ons = fo ? 1 : 0;
	u.task_type = &t;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_TASK_TYPE;
	f.upsert_task_type = &u;
	Clubcrm__Frame *r = apply(s, &f);
	return r ? r->catalog->task_types[0]->id : 0;
}

static uint64_t add_result(struct seeder *s, const char *name,
			   Clubcrm__TaskStatus leads_to, Clubcrm__Outcome out)
{
	Clubcrm__Result res = CLUBCRM__RESULT__INIT;
	Clubcrm__UpsertResult u = CLUBCRM__UPSERT_RESULT__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	res.name = (char *)name;
	res.has_leads_to = res.has_outcome = 1;
	res.leads_to = leads_to;
	res.outcome = out;
	u.result = &res;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_RESULT;
	f.upsert_result = &u;
	Clubcrm__Frame *r = apply(s, &f);
	return r ? r->catalog->results[0]->id : 0;
}

static uint64_t add_tag(struct seeder *s, const char *name, const char *colour)
{
	Clubcrm__Tag t = CLUBCRM__TAG__INIT;
	Clubcrm__UpsertTag u = CLUBCRM__UPSERT_TAG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	t.name = (char *)name;
	t.colour = (char *)colour;
	u.tag = &t;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_TAG;
	f.upsert_tag = &u;
	Clubcrm__Frame *r = apply(s, &f);
	return r ? r->catalog->tags[0]->id : 0;
}

static uint64_t add_customer(struct seeder *s, const char *name,
			     const char *phone, uint64_t consultant)
{
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	Clubcrm__UpsertCustomer u = CLUBCRM__UPSERT_CUSTOMER__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	c.name = (char *)name;
	c.phone = (char *)phone;
	c.has_consultant_id = 1;
	c.consultant_id = consultant;
	u.customer = &c;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER;
	f.upsert_customer = &u;
	Clubcrm__Frame *r = apply(s, &f);
	return r ? r->customer_reply->customer->id : 0;
}

struct demo_task {
	const char *creator;
	int kind;          /* 1 task, 2 note */
	const char *type;
	const char *customer;
	const char *operator_;  /* NULL: the customer's consultant */
	int64_t in_minutes;     /* planned, from the hour of now; or */
	int day, at;            /* on today + day at local HH*60+MM (at > 0) */
	const char *tag;
	const char *desc;
	bool take;              /* the operator takes charge */
	bool weekly;            /* a routine that repeats */
};

struct demo_ids {
	const char *names[24];
	uint64_t ids[24];
	size_t n;
};

static void remember(struct demo_ids *d, const char *name, uint64_t id)
{
	if (d->n < 24) {
		d->names[d->n] = name;
		d->ids[d->n++] = id;
	}
}

static uint64_t id_of(const struct demo_ids *d, const char *name)
{
	for (size_t i = 0; name && i < d->n; i++)
		if (strcmp(d->names[i], name) == 0)
			return d->ids[i];
	return 0;
}

static void take_task(struct seeder *s, uint64_t id)
{
	Clubcrm__TakeTask t = CLUBCRM__TAKE_TASK__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	t.has_id = 1;
	t.id = id;
	f.body_case = CLUBCRM__FRAME__BODY_TAKE_TASK;
	f.take_task = &t;
	apply(s, &f);
}

#define DEMO_ZONE "Europe/Madrid"

/* `day` days from `now`'s date at `minute` past midnight in the demo
 * club's zone (a time the zone skips moves past the jump). */
static int64_t local_day_at(int64_t now, int day, int minute)
{
	const struct clubzone *z = clubzone_get(DEMO_ZONE, NULL);
	if (!z)
		z = clubzone_utc();
	int64_t t;
	return clubzone_day_at(z, now, day, minute, &t) ? now : t;
}

static void add_task(struct seeder *s, const struct demo_ids *d,
		     const struct demo_task *dt, int64_t hour)
{
	Clubcrm__CreateTask c = CLUBCRM__CREATE_TASK__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	uint64_t tag = id_of(d, dt->tag);
	c.has_kind = c.has_type_id = c.has_customer_id = c.has_planned_at = 1;
	c.kind = (Clubcrm__TaskKind)dt->kind;
	c.description = (char *)dt->desc;
	c.type_id = id_of(d, dt->type);
	c.customer_id = id_of(d, dt->customer);
	c.planned_at = dt->at > 0 ? local_day_at(s->who.now, dt->day, dt->at)
				  : hour + dt->in_minutes * 60;
	c.has_operator_id = dt->operator_ != NULL;
	c.operator_id = id_of(d, dt->operator_);
	c.tag_ids = &tag;
	c.n_tag_ids = tag ? 1 : 0;
	c.has_recurrence = dt->weekly;
	c.recurrence = dt->weekly ? CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY
				  : CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED;
	f.body_case = CLUBCRM__FRAME__BODY_CREATE_TASK;
	f.create_task = &c;
	struct actor saved = s->who;
	s->who.operator_id = id_of(d, dt->creator);
	s->who.role = CLUBCRM__ROLE__ROLE_OPERATOR;
	Clubcrm__Frame *r = apply(s, &f);
	if (r && dt->take) {
		s->who.operator_id = r->task_reply->row->task->operator_id;
		take_task(s, r->task_reply->row->task->id);
	}
	s->who = saved;
}

static const struct demo_task demo_tasks[] = {
	{"alicia", 2, "Call", "Arantxa", NULL, 0, -3, 10 * 60 + 15, "Tennis",
	 "Former member (left last year). Asked about tennis lessons.", false, false},
	{"alicia", 1, "Appointment", "Arantxa", "valentina", 0, 1,
	 17 * 60 + 30, "Tennis", "Offer tennis lessons", false, false},
	{"maribel", 1, "Objection", "Manolo", "deborah", 60, 0, 0, NULL,
	 "Complains that the changing-room showers are cold", false, false},
	{"deborah", 1, "Appointment", "Manolo", NULL, 0, 2, 11 * 60, NULL,
	 "Appointment to sign up for the annual subscription", false, false},
	{"deborah", 2, "Call", "Manolo", NULL, 0, -1, 18 * 60 + 30, NULL,
	 "Prefers to be called after 18:00", false, false},
	{"alicia", 1, "Call", "Lucía", NULL, -120, 0, 0, NULL,
	 "Remind her that her membership ends this month", false, false},
	{"maribel", 1, "Renewal", "Jorge", NULL, 0, 3, 12 * 60, "VIP",
	 "Annual membership renewal", false, false},
	{"fermin", 1, "Quote", "Carmen", NULL, 0, 2, 16 * 60, "Marketing",
	 "Quote for the family plan", false, false},
	{"alicia", 1, "Routine", "Iñaki", NULL, 5 * 60, 0, 0, NULL,
	 "Weekly review of the training plan", false, true},
	{"valentina", 1, "Call", "Lucía", "alicia", 3 * 60, 0, 0, NULL,
	 "Call back about the yoga timetable", true, false},
};

static void seed_catalogue(struct seeder *s, struct demo_ids *d)
{
	static const struct {
		const char *login, *name;
		bool admin;
		const char *team;
	} ops[] = {
		{"alicia", "Alicia", false, "Reception"},
		{"valentina", "Valentina", false, "Sales"},
		{"fermin", "Fermín", true, "Sales"},
		{"deborah", "Deborah", false, "Reception"},
		{"maribel", "Maribel", false, "Sales"},
	};
	remember(d, "Reception", add_team(s, "Reception"));
	remember(d, "Sales", add_team(s, "Sales"));
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		remember(d, ops[i].login,
			 add_operator(s, ops[i].login, ops[i].name,
				      ops[i].admin, id_of(d, ops[i].team),
				      "demo"));
	static const char *types[] = {"Appointment", "Call", "Quote",
				      "Renewal", "Routine"};
	for (size_t i = 0; i < 5; i++)
		remember(d, types[i], add_type(s, types[i], false, NULL));
	remember(d, "Objection", add_type(s, "Objection", true, NULL));
	remember(d, "Positive",
		 add_result(s, "Positive", CLUBCRM__TASK_STATUS__TASK_STATUS_DONE,
			    CLUBCRM__OUTCOME__OUTCOME_POSITIVE));
	add_result(s, "Negative", CLUBCRM__TASK_STATUS__TASK_STATUS_UNSPECIFIED,
		   CLUBCRM__OUTCOME__OUTCOME_NEGATIVE);
	add_result(s, "No answer", CLUBCRM__TASK_STATUS__TASK_STATUS_UNSPECIFIED,
		   CLUBCRM__OUTCOME__OUTCOME_UNKNOWN);
	add_result(s, "Cancelled", CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED,
		   CLUBCRM__OUTCOME__OUTCOME_NEGATIVE);
	remember(d, "VIP", add_tag(s, "VIP", "gold"));
	remember(d, "Tennis", add_tag(s, "Tennis", "green"));
	remember(d, "Marketing", add_tag(s, "Marketing", "blue"));
	add_tag(s, "deleted", "grey");
}

static void seed_customers(struct seeder *s, struct demo_ids *d)
{
	static const struct {
		const char *key, *name, *phone, *consultant;
	} cs[] = {
		{"Arantxa", "Arantxa Etxeberria", "+34 600 111 222", "valentina"},
		{"Manolo", "Manolo García", "+34 600 333 444", "deborah"},
		{"Lucía", "Lucía Fernández", "+34 600 555 666", "alicia"},
		{"Jorge", "Jorge Martín", "+34 600 777 888", "maribel"},
		{"Carmen", "Carmen Ruiz", "+34 600 999 000", "fermin"},
		{"Iñaki", "Iñaki Zubizarreta", "+34 611 222 333", "alicia"},
	};
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		remember(d, cs[i].key,
			 add_customer(s, cs[i].name, cs[i].phone,
				      id_of(d, cs[i].consultant)));
}

int club_seed_demo(struct store *st)
{
	if (!club_is_empty(st))
		return 0;
	struct seeder s;
	struct demo_ids d = {0};
	seeder_init(&s, st);
	/* Operators must exist before the settings may name results, so the
	 * settings come last. */
	seed_catalogue(&s, &d);
	set_settings(&s, "Club Deportivo Demo", DEMO_ZONE,
		     id_of(&d, "Positive"));
	seed_customers(&s, &d);
	int64_t hour = s.who.now - s.who.now % 3600;
	for (size_t i = 0; !s.rc && i < sizeof(demo_tasks) / sizeof(demo_tasks[0]);
	     i++)
		add_task(&s, &d, &demo_tasks[i], hour);
	service_write_op_free(&s.op);
	return s.rc ? s.rc : store_sync(st);
}
