/* Creating tasks and notes, display rows, and paged lists. */
#include "domain_fixture.h"

#include "query.h"

#define PLANNED CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED
#define DONE CLUBCRM__TASK_STATUS__TASK_STATUS_DONE
#define NOTE CLUBCRM__TASK_KIND__TASK_KIND_NOTE

static int setup(void **state)
{
	struct club *c = calloc(1, sizeof(*c));
	struct fx *fx = fx_open_club(c);
	/* cmocka gives one state pointer: the club lives after the fixture. */
	static struct {
		struct fx *fx;
		struct club *c;
	} both;
	both.fx = fx;
	both.c = c;
	*state = &both;
	return 0;
}

static int teardown(void **state)
{
	struct {
		struct fx *fx;
		struct club *c;
	} *both = *state;
	fx_close(both->fx);
	free(both->c);
	return 0;
}

#define FX (((struct { struct fx *fx; struct club *c; } *)*state)->fx)
#define CLUB (((struct { struct fx *fx; struct club *c; } *)*state)->c)

static void test_create_defaults(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	Clubcrm__CreateTask t = fx_new_task(c, "  Offer tennis lessons \n",
					    FX_NOW + 3600);
	Clubcrm__Frame *r = fx_create(fx, fx_actor(c->carl, 0), &t);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	Clubcrm__TaskRow *row = r->task_reply->row;
	Clubcrm__Task *task = row->task;
	assert_string_equal(task->description, "Offer tennis lessons");
	assert_int_equal(task->operator_id, c->bea);  /* the consultant */
	assert_int_equal(task->creator_id, c->carl);
	assert_int_equal(task->created_at, FX_NOW);
	assert_int_equal(task->status, PLANNED);
	assert_string_equal(row->operator_login, "bea");
	assert_string_equal(row->creator_login, "carl");
	assert_string_equal(row->customer_name, "Arantxa");
	assert_string_equal(row->type_name, "Call");
	assert_int_equal(row->colour, CLUBCRM__COLOUR__COLOUR_NONE);
	assert_false(row->overdue);
	assert_int_equal(r->task_reply->revision, task->mod_rev);
}

static void test_create_note_defaults(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	Clubcrm__CreateTask t = fx_new_task(c, "Called, left a message", 0);
	t.kind = NOTE;
	t.has_planned_at = 0;
	Clubcrm__Frame *r = fx_create(fx, fx_actor(c->carl, 0), &t);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	Clubcrm__Task *task = r->task_reply->row->task;
	assert_int_equal(task->kind, NOTE);
	assert_int_equal(task->status, DONE);
	assert_int_equal(task->planned_at, FX_NOW);
	/* A note cannot take a result that cancels it. */
	t.has_result_id = 1;
	t.result_id = c->cancel;
	r = fx_create(fx, fx_actor(c->carl, 0), &t);
	fx_assert_error(r, STATUS_INVALID_ARGUMENT, "cannot be given to a note");
	t.result_id = c->positive;
	r = fx_create(fx, fx_actor(c->carl, 0), &t);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	assert_int_equal(r->task_reply->row->outcome,
			 CLUBCRM__OUTCOME__OUTCOME_POSITIVE);
}

static void expect_refused(struct fx *fx, const struct club *c,
			   Clubcrm__CreateTask *t, unsigned code,
			   const char *part)
{
	uint64_t rev = store_revision(fx->st);
	Clubcrm__Frame *r = fx_create(fx, fx_actor(c->ana, 0), t);
	fx_assert_error(r, code, part);
	assert_int_equal(store_revision(fx->st), rev);
}

static void test_create_validation(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	Clubcrm__CreateTask t = fx_new_task(c, "x", FX_NOW);
	t.description = NULL;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT,
		       "description is required");
	t.description = " \t\n ";
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT,
		       "description is required");
	char *big = malloc(4002);
	memset(big, 'a', 4001);
	big[4001] = '\0';
	t.description = big;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "longer than 4000");
	big[4000] = '\0';
	Clubcrm__Frame *ok = fx_create(fx, fx_actor(c->ana, 0), &t);
	assert_int_equal(ok->body_case, BODY(TASK_REPLY));
	free(big);
	t.description = "bad \xc3\x28 utf8";
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "UTF-8");
	/* Issue 11 #18: a control character is named as such, and the limit
	 * counts characters: 2,100 'ñ' (4,200 bytes) fit, 4,001 do not. */
	t.description = "bell \a here";
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT,
		       "description: control characters are not allowed");
	char *enye = malloc(2 * 4001 + 1);
	for (int i = 0; i < 2100; i++)
		memcpy(enye + 2 * i, "\xc3\xb1", 2);
	enye[2 * 2100] = '\0';
	t.description = enye;
	ok = fx_create(fx, fx_actor(c->ana, 0), &t);
	assert_int_equal(ok->body_case, BODY(TASK_REPLY));
	for (int i = 0; i < 4001; i++)
		memcpy(enye + 2 * i, "\xc3\xb1", 2);
	enye[2 * 4001] = '\0';
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT,
		       "longer than 4000 characters");
	enye[2 * 4000] = '\0';
	ok = fx_create(fx, fx_actor(c->ana, 0), &t);
	assert_int_equal(ok->body_case, BODY(TASK_REPLY));
	free(enye);
	t.description = "ok";

	t.type_id = 0;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "type is required");
	t.type_id = 4242;
	expect_refused(fx, c, &t, STATUS_NOT_FOUND, "unknown task type 4242");
	t.type_id = c->call;
	t.customer_id = 42;
	expect_refused(fx, c, &t, STATUS_NOT_FOUND, "unknown customer 42");
	t.has_customer_id = 0;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT,
		       "customer is required");
	t.has_customer_id = 1;
	t.customer_id = c->arantxa;
	t.has_operator_id = 1;
	t.operator_id = 99;
	expect_refused(fx, c, &t, STATUS_NOT_FOUND, "unknown operator 99");
	t.has_operator_id = 0;
	t.planned_at = 100;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "planned_at");
	t.planned_at = INT64_C(4102444800);
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "planned_at");
	t.has_planned_at = 0;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT,
		       "planned_at is required");
	t.has_planned_at = 1;
	t.planned_at = FX_NOW;
	uint64_t tags[33];
	for (int i = 0; i < 33; i++)
		tags[i] = c->vip;
	t.tag_ids = tags;
	t.n_tag_ids = 33;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "at most 32 tags");
	t.n_tag_ids = 2;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "given twice");
	tags[1] = 777;
	expect_refused(fx, c, &t, STATUS_NOT_FOUND, "unknown tag 777");
	t.n_tag_ids = 0;
	t.has_result_id = 1;
	t.result_id = 555;
	expect_refused(fx, c, &t, STATUS_NOT_FOUND, "unknown result 555");
	t.has_result_id = 0;
	t.has_follows_id = 1;
	t.follows_id = 9999;
	expect_refused(fx, c, &t, STATUS_NOT_FOUND, "9999");
	t.has_follows_id = 0;
	t.kind = (Clubcrm__TaskKind)7;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "kind");
	t.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	t.has_status = 1;
	t.status = (Clubcrm__TaskStatus)9;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "status");
	t.has_status = 0;
	t.has_idempotency_key = 1;
	t.idempotency_key.len = 65;
	static uint8_t key[65];
	t.idempotency_key.data = key;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "idempotency_key");
}

/* Set an entry inactive through the admin upsert. */
static void deactivate_type(struct fx *fx, uint64_t id)
{
	Clubcrm__TaskType ty = CLUBCRM__TASK_TYPE__INIT;
	Clubcrm__UpsertTaskType u = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	ty.id = id;
	ty.has_active = 1;
	ty.active = 0;
	u.task_type = &ty;
	f.body_case = BODY(UPSERT_TASK_TYPE);
	f.upsert_task_type = &u;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(1, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	assert_false(r->catalog->task_types[0]->active);
	assert_string_equal(r->catalog->task_types[0]->name, "Urgent");
}

static void test_create_inactive_refs(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	Clubcrm__Task *old = fx_task(fx, c, "before", FX_NOW);
	Clubcrm__CreateTask t = fx_new_task(c, "x", FX_NOW);
	t.type_id = c->urgent;
	deactivate_type(fx, c->urgent);
	expect_refused(fx, c, &t, STATUS_FAILED_PRECONDITION,
		       "task type Urgent is inactive");
	/* Inactive customers and operators cannot be given new tasks. */
	Clubcrm__Customer cu = CLUBCRM__CUSTOMER__INIT;
	Clubcrm__UpsertCustomer uc = CLUBCRM__UPSERT_CUSTOMER__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	cu.id = c->manolo;
	cu.has_active = 1;
	uc.customer = &cu;
	f.body_case = BODY(UPSERT_CUSTOMER);
	f.upsert_customer = &uc;
	assert_int_equal(fx_write(fx, fx_actor(c->bea, 0), &f)->body_case,
			 BODY(CUSTOMER_REPLY));
	t.type_id = c->call;
	t.customer_id = c->manolo;
	expect_refused(fx, c, &t, STATUS_FAILED_PRECONDITION,
		       "customer Manolo is inactive");
	Clubcrm__Operator op = CLUBCRM__OPERATOR__INIT;
	Clubcrm__UpsertOperator uo = CLUBCRM__UPSERT_OPERATOR__INIT;
	op.id = c->bea;
	op.has_active = 1;
	uo.operator_ = &op;
	f.body_case = BODY(UPSERT_OPERATOR);
	f.upsert_operator = &uo;
	assert_int_equal(fx_write(fx, fx_actor(c->ana, 1), &f)->body_case,
			 BODY(CATALOG));
	t.customer_id = c->arantxa;  /* bea is her consultant */
	expect_refused(fx, c, &t, STATUS_FAILED_PRECONDITION,
		       "operator bea is inactive");
	t.has_operator_id = 1;
	t.operator_id = c->carl;
	Clubcrm__Frame *r = fx_create(fx, fx_actor(c->ana, 0), &t);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	/* A note is always Done. */
	t.kind = NOTE;
	t.has_status = 1;
	t.status = PLANNED;
	expect_refused(fx, c, &t, STATUS_INVALID_ARGUMENT, "always Done");
	/* Old tasks keep showing the name. */
	assert_string_equal(fx_get(fx, old->id, 0, NULL)->type_name, "Call");
}

static void test_idempotent_retry(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	Clubcrm__CreateTask t = fx_new_task(c, "once", FX_NOW);
	t.has_idempotency_key = 1;
	t.idempotency_key.data = (uint8_t *)"key-1";
	t.idempotency_key.len = 5;
	Clubcrm__Frame *a = fx_create(fx, fx_actor(c->ana, 0), &t);
	uint64_t rev = store_revision(fx->st);
	Clubcrm__Frame *b = fx_create(fx, fx_actor(c->ana, 0), &t);
	assert_int_equal(store_revision(fx->st), rev);
	assert_int_equal(a->task_reply->row->task->id,
			 b->task_reply->row->task->id);
	assert_int_equal(a->task_reply->revision, b->task_reply->revision);
	/* The same key from another operator is another request. */
	Clubcrm__Frame *other = fx_create(fx, fx_actor(c->bea, 0), &t);
	assert_true(other->task_reply->row->task->id !=
		    a->task_reply->row->task->id);
}

static void take(struct fx *fx, uint64_t who, uint64_t id)
{
	Clubcrm__TakeTask tk = CLUBCRM__TAKE_TASK__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	tk.has_id = 1;
	tk.id = id;
	f.body_case = BODY(TAKE_TASK);
	f.take_task = &tk;
	assert_int_equal(fx_write(fx, fx_actor(who, 0), &f)->body_case,
			 BODY(TASK_REPLY));
}

static void test_row_colours(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	Clubcrm__CreateTask t = fx_new_task(c, "urgent", FX_NOW - 60);
	t.type_id = c->urgent;
	t.tag_ids = &c->vip;
	t.n_tag_ids = 1;
	Clubcrm__Frame *r = fx_create(fx, fx_actor(c->ana, 0), &t);
	Clubcrm__TaskRow *row = r->task_reply->row;
	assert_int_equal(row->colour, CLUBCRM__COLOUR__COLOUR_RED);
	assert_true(row->priority);
	assert_true(row->overdue);
	assert_int_equal(row->n_tag_names, 1);
	assert_string_equal(row->tag_names[0], "VIP");
	assert_false(row->escalated);
	/* Nobody took it for the escalation time: flagged. */
	Clubcrm__Settings set = CLUBCRM__SETTINGS__INIT;
	Clubcrm__UpdateSettings us = CLUBCRM__UPDATE_SETTINGS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	set.has_escalation_minutes = 1;
	set.escalation_minutes = 30;
	us.settings = &set;
	f.body_case = BODY(UPDATE_SETTINGS);
	f.update_settings = &us;
	fx_write(fx, fx_actor(c->ana, 1), &f);
	Clubcrm__GetTask g = CLUBCRM__GET_TASK__INIT;
	g.has_id = 1;
	g.id = row->task->id;
	f.body_case = BODY(GET_TASK);
	f.get_task = &g;
	struct actor later = fx_actor(1, 0);
	later.now = FX_NOW + 29 * 60;
	Clubcrm__Frame *rep;
	assert_int_equal(service_read(fx->st, &later, &f, &fx->a, &rep), 0);
	assert_false(rep->task_reply->row->escalated);
	later.now = FX_NOW + 30 * 60;
	assert_int_equal(service_read(fx->st, &later, &f, &fx->a, &rep), 0);
	assert_true(rep->task_reply->row->escalated);
	take(fx, c->carl, row->task->id);
	row = fx_get(fx, row->task->id, 0, NULL);
	assert_int_equal(row->colour, CLUBCRM__COLOUR__COLOUR_YELLOW);
	assert_string_equal(row->taken_by_login, "carl");
}

/* The list read by operator 1 at `now`. */
static Clubcrm__TaskPage *list_at(struct fx *fx, Clubcrm__ListTasks *l,
				  int64_t now)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(LIST_TASKS);
	f.list_tasks = l;
	struct actor who = fx_actor(1, 0);
	who.now = now;
	Clubcrm__Frame *r = fx_read(fx, who, &f);
	if (r->body_case == BODY(ERROR))
		fail_msg("list refused: %s", r->error->message);
	return r->task_page;
}

static Clubcrm__TaskPage *list(struct fx *fx, Clubcrm__ListTasks *l)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(LIST_TASKS);
	f.list_tasks = l;
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 0), &f);
	if (r->body_case == BODY(ERROR))
		fail_msg("list refused: %s", r->error->message);
	return r->task_page;
}

/* Walks every page; returns how many rows, checking order and no repeats. */
static size_t walk(struct fx *fx, Clubcrm__ListTasks *l, uint64_t *seen,
		   size_t max)
{
	size_t n = 0;
	int64_t last = l->has_descending && l->descending ? INT64_MAX : INT64_MIN;
	l->has_page_token = 0;
	for (;;) {
		Clubcrm__TaskPage *p = list(fx, l);
		assert_true(p->n_rows <= (l->page_size ? l->page_size : 50));
		for (size_t i = 0; i < p->n_rows; i++) {
			int64_t at = p->rows[i]->task->planned_at;
			if (l->has_descending && l->descending)
				assert_true(at <= last);
			else
				assert_true(at >= last);
			last = at;
			for (size_t j = 0; j < n; j++)
				assert_true(seen[j] != p->rows[i]->task->id);
			assert_true(n < max);
			seen[n++] = p->rows[i]->task->id;
		}
		if (!p->has_next_page_token)
			return n;
		l->has_page_token = 1;
		l->page_token = p->next_page_token;
	}
}

static void test_list_paging(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	enum { N = 23 };
	for (int i = 0; i < N; i++) {
		/* Some share a planned time: the id breaks the tie. */
		fx_task(fx, c, "t", FX_NOW + (i % 7) * 60);
	}
	uint64_t seen[N + 1];
	Clubcrm__ListTasks l = CLUBCRM__LIST_TASKS__INIT;
	for (uint32_t size = 1; size <= 24; size += 5) {
		l.has_page_size = 1;
		l.page_size = size;
		l.has_descending = 0;
		assert_int_equal(walk(fx, &l, seen, N), N);
		l.has_descending = l.descending = 1;
		assert_int_equal(walk(fx, &l, seen, N), N);
	}
	/* A range: [NOW + 60, NOW + 180) holds the times 60 and 120. */
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_planned_from = f.has_planned_to = 1;
	f.planned_from = FX_NOW + 60;
	f.planned_to = FX_NOW + 180;
	l.filter = &f;
	l.has_descending = 0;
	l.page_size = 2;
	assert_int_equal(walk(fx, &l, seen, N), 7);
	/* A token does not fit another query. */
	l.has_page_token = 0;
	Clubcrm__TaskPage *p = list(fx, &l);
	assert_true(p->has_next_page_token);
	Clubcrm__ListTasks other = CLUBCRM__LIST_TASKS__INIT;
	Clubcrm__TaskFilter of = CLUBCRM__TASK_FILTER__INIT;
	of.has_customer_id = 1;
	of.customer_id = c->arantxa;
	other.filter = &of;
	other.has_page_token = 1;
	other.page_token = p->next_page_token;
	Clubcrm__Frame fr = CLUBCRM__FRAME__INIT;
	fr.body_case = BODY(LIST_TASKS);
	fr.list_tasks = &other;
	fx_assert_error(fx_read(fx, fx_actor(1, 0), &fr),
			STATUS_INVALID_ARGUMENT, "page_token");
	uint8_t junk[3] = {1, 2, 3};
	other.page_token.data = junk;
	other.page_token.len = 3;
	fx_assert_error(fx_read(fx, fx_actor(1, 0), &fr),
			STATUS_INVALID_ARGUMENT, "page_token");
}

/*
 * Long rows end a page before its page_size: 150 tasks of 4,000-byte
 * descriptions asked 500 a page come in pages of at most QUERY_PAGE_BYTES
 * of rows plus one, each well inside one answer, every task once.
 */
static void test_list_page_bytes_bounded(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	enum { N = 150 };
	char *desc = malloc(4001);
	assert_non_null(desc);
	memset(desc, 'd', 4000);
	desc[4000] = '\0';
	for (int i = 0; i < N; i++)
		fx_task(fx, c, desc, FX_NOW + 3600 + i);
	free(desc);
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_planned_from = 1;
	f.planned_from = FX_NOW + 3600;
	Clubcrm__ListTasks l = CLUBCRM__LIST_TASKS__INIT;
	l.filter = &f;
	l.has_page_size = 1;
	l.page_size = 500;
	uint64_t seen[N + 1];
	size_t n = 0, pages = 0;
	for (;;) {
		Clubcrm__TaskPage *p = list(fx, &l);
		size_t size = clubcrm__task_page__get_packed_size(p);
		assert_true(size <= REQ_REPLY_MAX_BYTES);
		assert_true(p->n_rows > 0);
		size_t rows = 0;
		for (size_t i = 0; i + 1 < p->n_rows; i++)
			rows += clubcrm__task_row__get_packed_size(p->rows[i]);
		assert_true(rows < QUERY_PAGE_BYTES);  /* all but the last */
		for (size_t i = 0; i < p->n_rows; i++) {
			for (size_t j = 0; j < n; j++)
				assert_true(seen[j] != p->rows[i]->task->id);
			assert_true(n < N);
			seen[n++] = p->rows[i]->task->id;
		}
		pages++;
		if (!p->has_next_page_token)
			break;
		assert_true(size >= QUERY_PAGE_BYTES);  /* ended by its bytes */
		l.has_page_token = 1;
		l.page_token = p->next_page_token;
	}
	assert_int_equal(n, N);
	assert_int_equal(pages, 2);
}

static void test_list_filters(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	fx_task(fx, c, "arantxa 1", FX_NOW + 60);
	Clubcrm__CreateTask t = fx_new_task(c, "manolo 1", FX_NOW + 120);
	t.customer_id = c->manolo;
	fx_create(fx, fx_actor(c->ana, 0), &t);
	t.description = "manolo by bea";
	t.has_operator_id = 1;
	t.operator_id = c->bea;
	t.planned_at = FX_NOW - 60;
	fx_create(fx, fx_actor(c->ana, 0), &t);
	uint64_t seen[8];
	Clubcrm__ListTasks l = CLUBCRM__LIST_TASKS__INIT;
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	l.filter = &f;
	f.has_customer_id = 1;
	f.customer_id = c->manolo;
	assert_int_equal(walk(fx, &l, seen, 8), 2);
	f.has_customer_id = 0;
	f.operator_ids = &c->bea;
	f.n_operator_ids = 1;
	assert_int_equal(walk(fx, &l, seen, 8), 2);  /* Arantxa's is bea's */
	f.n_operator_ids = 0;
	f.has_overdue = f.overdue = 1;
	assert_int_equal(walk(fx, &l, seen, 8), 1);
	f.has_overdue = 0;
	f.text = "MANOLO";
	assert_int_equal(walk(fx, &l, seen, 8), 2);
	f.text = NULL;
	f.has_team_id = 1;
	f.team_id = c->team;  /* carl is in the team: Manolo's consultant */
	assert_int_equal(walk(fx, &l, seen, 8), 1);
	f.has_team_id = 0;
	l.has_order = 1;
	l.order = CLUBCRM__TASK_ORDER__TASK_ORDER_CREATED;
	f.has_created_from = 1;
	f.created_from = FX_NOW + 1;
	assert_int_equal(walk(fx, &l, seen, 8), 0);
	f.created_from = FX_NOW;
	assert_int_equal(list(fx, &l)->n_rows, 3);
	/* Hostile filters: long lists and bad text are refused. */
	uint64_t many[101] = {0};
	f.type_ids = many;
	f.n_type_ids = 101;
	Clubcrm__Frame fr = CLUBCRM__FRAME__INIT;
	fr.body_case = BODY(LIST_TASKS);
	fr.list_tasks = &l;
	fx_assert_error(fx_read(fx, fx_actor(1, 0), &fr),
			STATUS_INVALID_ARGUMENT, "at most 100");
	f.n_type_ids = 0;
	f.text = "\xff";
	fx_assert_error(fx_read(fx, fx_actor(1, 0), &fr),
			STATUS_INVALID_ARGUMENT, "text");
}

/* A selective filter over a long range: pages stop after a bounded number
 * of entries and hand out a token, so no request scans the whole club. */
static void test_list_scan_is_bounded(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	enum { B = 520, ROUNDS = 10 };  /* 5200 tasks, over the budget */
	static Clubcrm__CreateTask t[B];
	static Clubcrm__Frame f[B];
	static struct service_write_op ops[B];
	for (int k = 0; k < ROUNDS; k++) {
		memset(ops, 0, sizeof(ops));
		for (int i = 0; i < B; i++) {
			int n = k * B + i;
			t[i] = fx_new_task(c, n == B * ROUNDS - 1 ? "needle" : "hay",
					   FX_NOW + n);
			f[i] = (Clubcrm__Frame)CLUBCRM__FRAME__INIT;
			f[i].body_case = BODY(CREATE_TASK);
			f[i].create_task = &t[i];
			ops[i].who = fx_actor(c->ana, 0);
			ops[i].req = &f[i];
		}
		assert_int_equal(service_write_batch(fx->st, ops, B), 0);
		for (int i = 0; i < B; i++) {
			service_write_op_free(&ops[i]);
		}
	}
	Clubcrm__ListTasks l = CLUBCRM__LIST_TASKS__INIT;
	Clubcrm__TaskFilter tf = CLUBCRM__TASK_FILTER__INIT;
	tf.text = "needle";
	l.filter = &tf;
	Clubcrm__TaskPage *p = list(fx, &l);
	assert_int_equal(p->n_rows, 0);
	assert_true(p->has_next_page_token);
	l.has_page_token = 1;
	l.page_token = p->next_page_token;
	p = list(fx, &l);
	assert_int_equal(p->n_rows, 1);
	assert_string_equal(p->rows[0]->task->description, "needle");
	assert_false(p->has_next_page_token);
}

/* The board as it stood: images from the change log at each moment. */
static void test_list_as_of(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	Clubcrm__Task *t = fx_task(fx, c, "before", FX_NOW + 3600);
	Clubcrm__EditTask e = CLUBCRM__EDIT_TASK__INIT;
	e.has_id = e.has_base_mod_rev = e.has_planned_at = 1;
	e.id = t->id;
	e.base_mod_rev = t->mod_rev;
	e.description = "after";
	e.planned_at = FX_NOW + 7200;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(EDIT_TASK);
	f.edit_task = &e;
	struct actor later = fx_actor(c->ana, 0);
	later.now = FX_NOW + 100;
	assert_int_equal(fx_write(fx, later, &f)->body_case, BODY(TASK_REPLY));
	Clubcrm__TakeTask tk = CLUBCRM__TAKE_TASK__INIT;
	tk.has_id = 1;
	tk.id = t->id;
	f.body_case = BODY(TAKE_TASK);
	f.take_task = &tk;
	later.now = FX_NOW + 200;
	fx_write(fx, later, &f);
	Clubcrm__CreateTask nt = fx_new_task(c, "newer", FX_NOW + 3600);
	f.body_case = BODY(CREATE_TASK);
	f.create_task = &nt;
	later.now = FX_NOW + 300;
	fx_write(fx, later, &f);

	/* Read later than every write: the past only. */
	const int64_t now = FX_NOW + 1000;
	Clubcrm__ListTasks l = CLUBCRM__LIST_TASKS__INIT;
	l.has_as_of = 1;
	l.as_of = FX_NOW + 50;
	Clubcrm__TaskPage *p = list_at(fx, &l, now);
	assert_int_equal(p->n_rows, 1);
	assert_string_equal(p->rows[0]->task->description, "before");
	assert_int_equal(p->rows[0]->task->planned_at, FX_NOW + 3600);
	assert_true(p->has_as_of_revision && p->has_as_of_revision_at);
	assert_true(p->as_of_revision_at <= FX_NOW + 50);
	uint64_t rev_before = p->as_of_revision;
	l.as_of = FX_NOW + 150;
	p = list_at(fx, &l, now);
	assert_string_equal(p->rows[0]->task->description, "after");
	assert_int_equal(p->rows[0]->task->taken_by, 0);
	assert_int_equal(p->as_of_revision, rev_before + 1);
	assert_int_equal(p->as_of_revision_at, FX_NOW + 100);
	l.as_of = FX_NOW + 250;
	p = list_at(fx, &l, now);
	assert_int_equal(p->n_rows, 1);
	assert_int_equal(p->rows[0]->task->taken_by, c->ana);
	assert_int_equal(p->rows[0]->colour, CLUBCRM__COLOUR__COLOUR_NONE);
	assert_string_equal(p->rows[0]->taken_by_login, "ana");
	/* Filters see the past values. */
	Clubcrm__TaskFilter tf = CLUBCRM__TASK_FILTER__INIT;
	tf.has_planned_to = 1;
	tf.planned_to = FX_NOW + 5000;
	l.filter = &tf;
	l.as_of = FX_NOW + 50;
	assert_int_equal(list_at(fx, &l, now)->n_rows, 1);
	l.as_of = FX_NOW + 150;
	assert_int_equal(list_at(fx, &l, now)->n_rows, 0);
	l.filter = NULL;
	l.as_of = FX_NOW + 400;
	assert_int_equal(list_at(fx, &l, now)->n_rows, 2);

	/* The same boards by revision: the edit's, then the current one. */
	l.has_as_of = 0;
	l.has_as_of_revision = 1;
	l.as_of_revision = rev_before;
	p = list_at(fx, &l, now);
	assert_int_equal(p->n_rows, 1);
	assert_string_equal(p->rows[0]->task->description, "before");
	assert_int_equal(p->as_of_revision, rev_before);
	l.as_of_revision = rev_before + 1;
	p = list_at(fx, &l, now);
	assert_string_equal(p->rows[0]->task->description, "after");
	assert_int_equal(p->as_of_revision_at, FX_NOW + 100);
	l.as_of_revision = rev_before + 3;
	p = list_at(fx, &l, now);
	assert_int_equal(p->n_rows, 2);
	assert_int_equal(p->revision, rev_before + 3);

	/* What cannot be shown. */
	Clubcrm__Frame lf = CLUBCRM__FRAME__INIT;
	lf.body_case = BODY(LIST_TASKS);
	lf.list_tasks = &l;
	struct actor reader = fx_actor(1, 0);
	reader.now = now;
	l.as_of_revision = rev_before + 4;
	fx_assert_error(fx_read(fx, reader, &lf), STATUS_OUT_OF_RANGE,
			"beyond the current revision");
	l.as_of_revision = 0;
	fx_assert_error(fx_read(fx, reader, &lf), STATUS_INVALID_ARGUMENT,
			"revisions start at 1");
	l.has_as_of = 1;
	l.as_of = FX_NOW + 50;
	l.as_of_revision = rev_before;
	fx_assert_error(fx_read(fx, reader, &lf), STATUS_INVALID_ARGUMENT,
			"exclude each other");
	l.has_as_of_revision = 0;
	l.as_of = FX_NOW - 1;  /* the club was created at FX_NOW */
	fx_assert_error(fx_read(fx, reader, &lf), STATUS_OUT_OF_RANGE,
			"the club's history: it starts at 2027-01-15");
	l.as_of = now + 1;
	fx_assert_error(fx_read(fx, reader, &lf), STATUS_OUT_OF_RANGE,
			"in the future");
	l.as_of = INT64_MAX;
	fx_assert_error(fx_read(fx, reader, &lf), STATUS_INVALID_ARGUMENT,
			"as_of");
}

/* An export pins its pages to one revision: later writes do not show in
 * its later pages. */
static void test_list_pinned_pages(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	for (int i = 0; i < 5; i++)
		fx_task(fx, c, "pinned", FX_NOW + 3600 + i);
	Clubcrm__ListTasks l = CLUBCRM__LIST_TASKS__INIT;
	Clubcrm__TaskFilter tf = CLUBCRM__TASK_FILTER__INIT;
	tf.text = "pinned";
	l.filter = &tf;
	l.has_page_size = 1;
	l.page_size = 2;
	Clubcrm__ListTasks today = CLUBCRM__LIST_TASKS__INIT;
	l.has_as_of_revision = 1;
	l.as_of_revision = list(fx, &today)->revision;
	size_t n = 0;
	for (int pages = 0; pages < 10; pages++) {
		Clubcrm__TaskPage *p = list(fx, &l);
		n += p->n_rows;
		assert_int_equal(p->as_of_revision, l.as_of_revision);
		/* a write between pages */
		fx_task(fx, c, "pinned later", FX_NOW + 3600);
		if (!p->has_next_page_token)
			break;
		l.has_page_token = 1;
		l.page_token = p->next_page_token;
	}
	assert_int_equal(n, 5);
}

static Clubcrm__CustomerPage *customers(struct fx *fx, Clubcrm__ListCustomers *l)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(LIST_CUSTOMERS);
	f.list_customers = l;
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 0), &f);
	assert_int_equal(r->body_case, BODY(CUSTOMER_PAGE));
	return r->customer_page;
}

static void test_list_customers(void **state)
{
	struct fx *fx = FX;
	struct club *c = CLUB;
	fx_customer(fx, "zoe", 0);
	fx_customer(fx, "Beatriz", c->ana);
	fx_customer(fx, "arturo", 0);
	Clubcrm__ListCustomers l = CLUBCRM__LIST_CUSTOMERS__INIT;
	Clubcrm__CustomerPage *p = customers(fx, &l);
	assert_int_equal(p->n_customers, 5);
	/* Name order, case-insensitive. */
	assert_string_equal(p->customers[0]->name, "Arantxa");
	assert_string_equal(p->customers[1]->name, "arturo");
	assert_string_equal(p->customers[4]->name, "zoe");
	l.search = "AR";
	p = customers(fx, &l);
	assert_int_equal(p->n_customers, 2);
	/* Issue 11 #18: a control character is named as such. */
	Clubcrm__Frame lf = CLUBCRM__FRAME__INIT;
	lf.body_case = BODY(LIST_CUSTOMERS);
	lf.list_customers = &l;
	l.search = "ar\x1b[2J";
	fx_assert_error(fx_read(fx, fx_actor(1, 0), &lf), STATUS_INVALID_ARGUMENT,
			"search: control characters are not allowed");
	l.search = "ar\xc3";
	fx_assert_error(fx_read(fx, fx_actor(1, 0), &lf), STATUS_INVALID_ARGUMENT,
			"search is not valid UTF-8");
	l.search = NULL;
	l.has_page_size = 1;
	l.page_size = 2;
	const char *names[5];
	size_t n = 0;
	for (;;) {
		p = customers(fx, &l);
		for (size_t i = 0; i < p->n_customers; i++)
			names[n++] = p->customers[i]->name;
		if (!p->has_next_page_token)
			break;
		l.has_page_token = 1;
		l.page_token = p->next_page_token;
	}
	assert_int_equal(n, 5);
	assert_string_equal(names[2], "Beatriz");
	/* A deactivated customer leaves the list, stays readable by id. */
	Clubcrm__Customer cu = CLUBCRM__CUSTOMER__INIT;
	Clubcrm__UpsertCustomer uc = CLUBCRM__UPSERT_CUSTOMER__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	cu.id = c->manolo;
	cu.has_active = 1;
	uc.customer = &cu;
	f.body_case = BODY(UPSERT_CUSTOMER);
	f.upsert_customer = &uc;
	fx_write(fx, fx_actor(c->bea, 0), &f);
	Clubcrm__ListCustomers all = CLUBCRM__LIST_CUSTOMERS__INIT;
	assert_int_equal(customers(fx, &all)->n_customers, 4);
	all.has_include_inactive = all.include_inactive = 1;
	assert_int_equal(customers(fx, &all)->n_customers, 5);
	Clubcrm__GetCustomer g = CLUBCRM__GET_CUSTOMER__INIT;
	g.has_id = 1;
	g.id = c->manolo;
	f.body_case = BODY(GET_CUSTOMER);
	f.get_customer = &g;
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 0), &f);
	assert_int_equal(r->body_case, BODY(CUSTOMER_REPLY));
	assert_string_equal(r->customer_reply->customer->name, "Manolo");
	assert_false(r->customer_reply->customer->active);
	g.id = 4040;
	fx_assert_error(fx_read(fx, fx_actor(1, 0), &f), STATUS_NOT_FOUND,
			"unknown customer 4040");
	/* Renaming moves it in the name order. */
	cu.name = "Aaron";
	cu.has_active = 0;
	f.body_case = BODY(UPSERT_CUSTOMER);
	f.upsert_customer = &uc;
	fx_write(fx, fx_actor(c->bea, 0), &f);
	Clubcrm__CustomerPage *p2 = customers(fx, &all);
	assert_int_equal(p2->n_customers, 5);
	assert_string_equal(p2->customers[0]->name, "Aaron");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_defaults),
		T(test_create_note_defaults),
		T(test_create_validation),
		T(test_create_inactive_refs),
		T(test_idempotent_retry),
		T(test_row_colours),
		T(test_list_paging),
		T(test_list_page_bytes_bounded),
		T(test_list_filters),
		T(test_list_scan_is_bounded),
		T(test_list_as_of),
		T(test_list_pinned_pages),
		T(test_list_customers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
