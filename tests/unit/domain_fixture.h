/*
 * Test fixture of the domain tests (header-only: each test program is its
 * own executable). A real LMDB in a temporary directory, removed afterwards;
 * requests go through service_write_batch / service_read like the daemon's.
 */
#ifndef CLUBCRM_DOMAIN_FIXTURE_H
#define CLUBCRM_DOMAIN_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "frame.h"
#include "service.h"
#include "status.h"
#include "store.h"

/* Each program uses only some of the helpers below. */
#pragma GCC diagnostic ignored "-Wunused-function"

#define FX_NOW INT64_C(1800000000)  /* 2027-01-15 08:00 UTC */
#include "frame_body.h"

struct fx {
	char dir[64];
	struct store *st;
	struct arena a;  /* decoded replies, freed at teardown */
};

static void fx_rmdir(const char *dir)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/journal.lock", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/journal", dir);
	DIR *d = opendir(p);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char f[512];
		if (e->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s", p, e->d_name);
		unlink(f);
	}
	if (d)
		closedir(d);
	rmdir(p);
	rmdir(dir);
}

/*
 * CLUBCRM_TEST_JOURNAL set (ctest's *.journal runs): the store journals as
 * the server's does (store.h, "The journal"), so every read of the test
 * goes through the overlay until a checkpoint, which the tests never ask
 * for: the same expectations must hold.
 */
static void fx_journal(struct fx *fx)
{
	if (getenv("CLUBCRM_TEST_JOURNAL"))
		assert_int_equal(store_journal_start(fx->st, fx->dir), 0);
}

static struct fx *fx_open(size_t map_size)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/clubcrm-test-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	assert_int_equal(store_open(fx->dir, map_size, &fx->st), 0);
	fx_journal(fx);
	arena_init(&fx->a);
	return fx;
}

static void fx_close(struct fx *fx)
{
	if (!fx)
		return;
	store_close(fx->st);
	fx_rmdir(fx->dir);
	arena_free(&fx->a);
	free(fx);
}

/* Operator `id` as their session sees them (the writer checks the stored
 * record); id 0 is the system itself, as when the club is created. */
static struct actor fx_actor(uint64_t id, int admin)
{
	struct actor a = {.operator_id = id,
			  .role = admin ? CLUBCRM__ROLE__ROLE_ADMIN
					: CLUBCRM__ROLE__ROLE_OPERATOR,
			  .now = FX_NOW,
			  .system = id == 0};
	return a;
}

static Clubcrm__Frame *fx_decode(struct fx *fx, const struct buf *b)
{
	assert_true(b->len > FRAME_HEADER_LEN);
	uint32_t len = (uint32_t)b->data[0] << 24 | (uint32_t)b->data[1] << 16 |
		       (uint32_t)b->data[2] << 8 | b->data[3];
	assert_int_equal(len, b->len - FRAME_HEADER_LEN);
	Clubcrm__Frame *f = frame_decode(b->data + FRAME_HEADER_LEN, len,
					 arena_pb(&fx->a));
	assert_non_null(f);
	return f;
}

/* A write's reply, as a client decodes it (into the fixture's arena). */
static Clubcrm__Frame *fx_reply(struct fx *fx,
				const struct service_write_op *op)
{
	assert_non_null(op->reply);
	struct buf b = {0};
	assert_int_equal(frame_encode(op->reply, &b), 0);
	Clubcrm__Frame *f = fx_decode(fx, &b);
	buf_free(&b);
	return f;
}

/* A write's ChangeSet encoded, as the change log keeps it (empty: none). */
static void fx_changes(const struct service_write_op *op, struct buf *out)
{
	*out = (struct buf){0};
	if (!op->changes)
		return;
	size_t len = clubcrm__change_set__get_packed_size(op->changes);
	assert_int_equal(buf_reserve(out, len), 0);
	out->len = clubcrm__change_set__pack(op->changes, out->data);
}

/* One write as its own batch; the decoded reply (or Error) frame. */
static Clubcrm__Frame *fx_write_rev(struct fx *fx, struct actor who,
				    Clubcrm__Frame *req, uint64_t *rev)
{
	struct service_write_op op = {.who = who, .req = req};
	req->has_request_id = 1;
	req->request_id = 77;
	assert_int_equal(service_write_batch(fx->st, &op, 1), 0);
	Clubcrm__Frame *f = fx_reply(fx, &op);
	assert_int_equal(f->request_id, 77);
	if (rev)
		*rev = op.revision;
	service_write_op_free(&op);
	return f;
}

static Clubcrm__Frame *fx_write(struct fx *fx, struct actor who,
				Clubcrm__Frame *req)
{
	return fx_write_rev(fx, who, req, NULL);
}

static Clubcrm__Frame *fx_read(struct fx *fx, struct actor who,
			       Clubcrm__Frame *req)
{
	req->has_request_id = 1;
	req->request_id = 78;
	Clubcrm__Frame *f = NULL;
	assert_int_equal(service_read(fx->st, &who, req, &fx->a, &f), 0);
	assert_non_null(f);
	return f;
}

/* Asserts an Error reply with this code whose message contains `part`. */
static void fx_assert_error(const Clubcrm__Frame *f, unsigned code,
			    const char *part)
{
	if (f->body_case != BODY(ERROR)) {
		fail_msg("expected error %s (%s), got body %d",
			 status_name(code), part, (int)f->body_case);
	}
	if (f->error->code != code || !strstr(f->error->message, part))
		fail_msg("expected %s containing '%s', got %s: %s",
			 status_name(code), part, status_name(f->error->code),
			 f->error->message);
}

/* ---------------------------------------------------------------- builders */

static uint64_t fx_team(struct fx *fx, const char *name)
{
	Clubcrm__Team t = CLUBCRM__TEAM__INIT;
	Clubcrm__UpsertTeam u = CLUBCRM__UPSERT_TEAM__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	t.name = (char *)name;
	u.team = &t;
	f.body_case = BODY(UPSERT_TEAM);
	f.upsert_team = &u;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(0, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	return r->catalog->teams[0]->id;
}

static uint64_t fx_operator(struct fx *fx, const char *login, int admin,
			    uint64_t team)
{
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	o.login = (char *)login;
	o.name = (char *)login;
	o.has_role = 1;
	o.role = admin ? CLUBCRM__ROLE__ROLE_ADMIN : CLUBCRM__ROLE__ROLE_OPERATOR;
	o.team_ids = &team;
	o.n_team_ids = team ? 1 : 0;
	u.operator_ = &o;
	u.password = "secret";
	f.body_case = BODY(UPSERT_OPERATOR);
	f.upsert_operator = &u;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(0, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	return r->catalog->operators[0]->id;
}

static uint64_t fx_type(struct fx *fx, const char *name, int priority)
{
	Clubcrm__TaskType t = CLUBCRM__TASK_TYPE__INIT;
	Clubcrm__UpsertTaskType u = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	t.name = (char *)name;
	t.has_priority = 1;
	t.priority = priority;
	u.task_type = &t;
	f.body_case = BODY(UPSERT_TASK_TYPE);
	f.upsert_task_type = &u;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(0, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	return r->catalog->task_types[0]->id;
}

static uint64_t fx_result(struct fx *fx, const char *name,
			  Clubcrm__TaskStatus leads, Clubcrm__Outcome out)
{
	Clubcrm__Result res = CLUBCRM__RESULT__INIT;
	Clubcrm__UpsertResult u = CLUBCRM__UPSERT_RESULT__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	res.name = (char *)name;
	res.has_leads_to = res.has_outcome = 1;
	res.leads_to = leads;
	res.outcome = out;
	u.result = &res;
	f.body_case = BODY(UPSERT_RESULT);
	f.upsert_result = &u;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(0, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	return r->catalog->results[0]->id;
}

static uint64_t fx_tag(struct fx *fx, const char *name)
{
	Clubcrm__Tag t = CLUBCRM__TAG__INIT;
	Clubcrm__UpsertTag u = CLUBCRM__UPSERT_TAG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	t.name = (char *)name;
	u.tag = &t;
	f.body_case = BODY(UPSERT_TAG);
	f.upsert_tag = &u;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(0, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	return r->catalog->tags[0]->id;
}

static uint64_t fx_customer(struct fx *fx, const char *name,
			    uint64_t consultant)
{
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	Clubcrm__UpsertCustomer u = CLUBCRM__UPSERT_CUSTOMER__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	c.name = (char *)name;
	c.has_consultant_id = consultant != 0;
	c.consultant_id = consultant;
	u.customer = &c;
	f.body_case = BODY(UPSERT_CUSTOMER);
	f.upsert_customer = &u;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(0, 0), &f);
	assert_int_equal(r->body_case, BODY(CUSTOMER_REPLY));
	return r->customer_reply->customer->id;
}

/*
 * A small club: operators ana (1, admin, team 1) and bea (2), carl (3,
 * team 1); types Call (normal) and Urgent (priority); results Positive
 * (Done), Negative (open), Cancel (Cancelled); tags VIP, Old; customers
 * Arantxa (consultant bea) and Manolo (consultant carl).
 */
struct club {
	uint64_t team, ana, bea, carl;
	uint64_t call, urgent;
	uint64_t positive, negative, cancel;
	uint64_t vip, old;
	uint64_t arantxa, manolo;
};

static void fx_club(struct fx *fx, struct club *c)
{
	c->team = fx_team(fx, "Reception");
	c->ana = fx_operator(fx, "ana", 1, c->team);
	c->bea = fx_operator(fx, "bea", 0, 0);
	c->carl = fx_operator(fx, "carl", 0, c->team);
	c->call = fx_type(fx, "Call", 0);
	c->urgent = fx_type(fx, "Urgent", 1);
	c->positive = fx_result(fx, "Positive",
				CLUBCRM__TASK_STATUS__TASK_STATUS_DONE,
				CLUBCRM__OUTCOME__OUTCOME_POSITIVE);
	c->negative = fx_result(fx, "Negative",
				CLUBCRM__TASK_STATUS__TASK_STATUS_UNSPECIFIED,
				CLUBCRM__OUTCOME__OUTCOME_NEGATIVE);
	c->cancel = fx_result(fx, "Cancel",
			      CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED,
			      CLUBCRM__OUTCOME__OUTCOME_NEGATIVE);
	c->vip = fx_tag(fx, "VIP");
	c->old = fx_tag(fx, "Old");
	c->arantxa = fx_customer(fx, "Arantxa", c->bea);
	c->manolo = fx_customer(fx, "Manolo", c->carl);
}

/*
 * The small club, made once per test program (Argon2id makes creating
 * operators slow on purpose) and copied file-wise for each test.
 */
static char fx_template[64];
static struct club fx_template_club;

static void fx_template_remove(void)
{
	fx_rmdir(fx_template);
}

static void fx_copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(in >= 0 && out >= 0);
	char b[65536];
	ssize_t n;
	while ((n = read(in, b, sizeof(b))) > 0)
		assert_int_equal(write(out, b, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

static struct fx *fx_open_club(struct club *c)
{
	if (!fx_template[0]) {
		struct fx *t = fx_open(8u << 20);
		fx_club(t, &fx_template_club);
		store_close(t->st);
		strcpy(fx_template, t->dir);
		arena_free(&t->a);
		free(t);
		atexit(fx_template_remove);
	}
	struct fx *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/clubcrm-test-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	char from[128], to[128];
	snprintf(from, sizeof(from), "%s/data.mdb", fx_template);
	snprintf(to, sizeof(to), "%s/data.mdb", fx->dir);
	fx_copy_file(from, to);
	assert_int_equal(store_open(fx->dir, 8u << 20, &fx->st), 0);
	fx_journal(fx);
	arena_init(&fx->a);
	*c = fx_template_club;
	return fx;
}

/* The frame of a write that names only a task: take, release, close or
 * cancel `id` (its messages in `o`, which must outlive the frame). */
struct fx_by_id {
	Clubcrm__Frame f;
	Clubcrm__TakeTask take;
	Clubcrm__ReleaseTask rel;
	Clubcrm__CloseTask close;
	Clubcrm__CancelTask cancel;
};

static Clubcrm__Frame *fx_by_id(struct fx_by_id *o,
				Clubcrm__Frame__BodyCase body, uint64_t id)
{
	*o = (struct fx_by_id){
		.f = CLUBCRM__FRAME__INIT,
		.take = CLUBCRM__TAKE_TASK__INIT,
		.rel = CLUBCRM__RELEASE_TASK__INIT,
		.close = CLUBCRM__CLOSE_TASK__INIT,
		.cancel = CLUBCRM__CANCEL_TASK__INIT,
	};
	o->take.has_id = o->rel.has_id = o->close.has_id =
		o->cancel.has_id = 1;
	o->take.id = o->rel.id = o->close.id = o->cancel.id = id;
	o->f.body_case = body;
	if (body == BODY(TAKE_TASK))
		o->f.take_task = &o->take;
	else if (body == BODY(RELEASE_TASK))
		o->f.release_task = &o->rel;
	else if (body == BODY(CLOSE_TASK))
		o->f.close_task = &o->close;
	else
		o->f.cancel_task = &o->cancel;
	return &o->f;
}

/* A test's state: its own copy of the small club (cmocka set-up and
 * teardown). */
struct fx_env {
	struct fx *fx;
	struct club c;
};

static int fx_env_setup(void **state)
{
	struct fx_env *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	e->fx = fx_open_club(&e->c);
	*state = e;
	return 0;
}

static int fx_env_teardown(void **state)
{
	struct fx_env *e = *state;
	fx_close(e->fx);
	free(e);
	return 0;
}

/* A CreateTask for a task with what every test needs filled in. */
static Clubcrm__CreateTask fx_new_task(const struct club *c, const char *desc,
				       int64_t planned)
{
	Clubcrm__CreateTask t = CLUBCRM__CREATE_TASK__INIT;
	t.has_kind = t.has_type_id = t.has_customer_id = t.has_planned_at = 1;
	t.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	t.description = (char *)desc;
	t.type_id = c->call;
	t.customer_id = c->arantxa;
	t.planned_at = planned;
	return t;
}

static Clubcrm__Frame *fx_create(struct fx *fx, struct actor who,
				 Clubcrm__CreateTask *t)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(CREATE_TASK);
	f.create_task = t;
	return fx_write(fx, who, &f);
}

/* Creates a task and returns it (asserting success). */
static Clubcrm__Task *fx_task(struct fx *fx, const struct club *c,
			      const char *desc, int64_t planned)
{
	Clubcrm__CreateTask t = fx_new_task(c, desc, planned);
	Clubcrm__Frame *r = fx_create(fx, fx_actor(c->ana, 1), &t);
	if (r->body_case == BODY(ERROR))
		fail_msg("create refused: %s", r->error->message);
	return r->task_reply->row->task;
}

static Clubcrm__TaskRow *fx_get(struct fx *fx, uint64_t id, int history,
				Clubcrm__TaskReply **rep)
{
	Clubcrm__GetTask g = CLUBCRM__GET_TASK__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	g.has_id = 1;
	g.id = id;
	g.has_with_history = history;
	g.with_history = history;
	f.body_case = BODY(GET_TASK);
	f.get_task = &g;
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 0), &f);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	if (rep)
		*rep = r->task_reply;
	return r->task_reply->row;
}

#endif
