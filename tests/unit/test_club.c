/* Club creation, the demo seed, logins and the admin catalogue. */
#include "domain_fixture.h"

#include "club.h"
#include "timeutil.h"

static Clubcrm__Catalog *catalog(struct fx *fx, int inactive)
{
	Clubcrm__GetCatalog g = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	g.has_include_inactive = inactive;
	g.include_inactive = inactive;
	f.body_case = BODY(GET_CATALOG);
	f.get_catalog = &g;
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 0), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	return r->catalog;
}

static const void *by_name(void **arr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		/* Every catalogue message has `name` right after `id`... not
		 * guaranteed, so compare through the descriptor. */
		const ProtobufCMessage *m = arr[i];
		const ProtobufCFieldDescriptor *fd =
			protobuf_c_message_descriptor_get_field_by_name(
				m->descriptor, "name");
		const char *v = *(char *const *)((const char *)m + fd->offset);
		if (v && strcmp(v, name) == 0)
			return m;
	}
	return NULL;
}

static void test_demo_seed(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	assert_true(club_is_empty(fx->st));
	assert_int_equal(club_seed_demo(fx->st), 0);
	assert_false(club_is_empty(fx->st));
	/* Durable before the server starts on it (its writer takes the
	 * store's revision as durable). */
	assert_int_equal(store_durable_txn(fx->st),
			 store_committed_txn(fx->st));
	uint64_t rev = store_revision(fx->st);
	assert_true(rev > 30);
	/* A second seed does nothing. */
	assert_int_equal(club_seed_demo(fx->st), 0);
	assert_int_equal(store_revision(fx->st), rev);

	Clubcrm__Catalog *c = catalog(fx, 0);
	assert_int_equal(c->n_operators, 5);
	const Clubcrm__Operator *fermin =
		by_name((void **)c->operators, c->n_operators, "Fermín");
	assert_non_null(fermin);
	assert_string_equal(fermin->login, "fermin");
	assert_int_equal(fermin->role, CLUBCRM__ROLE__ROLE_ADMIN);
	assert_int_equal(c->n_teams, 2);
	assert_int_equal(c->n_task_types, 6);
	const Clubcrm__TaskType *obj =
		by_name((void **)c->task_types, c->n_task_types, "Objection");
	assert_non_null(obj);
	assert_true(obj->priority);
	assert_int_equal(c->n_results, 4);
	const Clubcrm__Result *neg =
		by_name((void **)c->results, c->n_results, "Negative");
	assert_int_equal(neg->leads_to,
			 CLUBCRM__TASK_STATUS__TASK_STATUS_UNSPECIFIED);
	assert_non_null(by_name((void **)c->tags, c->n_tags, "deleted"));
	assert_string_equal(c->settings->time_zone, "Europe/Madrid");
	assert_int_equal(c->settings->default_status,
			 CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED);
	assert_true(c->settings->default_note_result_id != 0);

	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(LIST_CUSTOMERS);
	f.list_customers = &lc;
	lc.search = "arantxa";
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 0), &f);
	assert_int_equal(r->customer_page->n_customers, 1);
	assert_true(r->customer_page->customers[0]->consultant_id != 0);
	lc.search = "Manolo";
	r = fx_read(fx, fx_actor(1, 0), &f);
	assert_int_equal(r->customer_page->n_customers, 1);

	/* The board has content, with one red Objection and one taken task. */
	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	Clubcrm__TaskFilter tf = CLUBCRM__TASK_FILTER__INIT;
	tf.has_urgent = tf.urgent = 1;
	lt.filter = &tf;
	f.body_case = BODY(LIST_TASKS);
	f.list_tasks = &lt;
	struct actor now = fx_actor(1, 0);
	now.now = time_now();
	assert_int_equal(service_read(fx->st, &now, &f, &fx->a, &r), 0);
	assert_int_equal(r->task_page->n_rows, 1);
	assert_string_equal(r->task_page->rows[0]->type_name, "Objection");
	assert_int_equal(r->task_page->rows[0]->colour,
			 CLUBCRM__COLOUR__COLOUR_RED);
	tf.has_urgent = 0;
	tf.has_taken = tf.taken = 1;
	assert_int_equal(service_read(fx->st, &now, &f, &fx->a, &r), 0);
	assert_int_equal(r->task_page->n_rows, 1);
	/* An ordinary task: it names its taker, without the colour. */
	assert_int_equal(r->task_page->rows[0]->colour,
			 CLUBCRM__COLOUR__COLOUR_NONE);
	assert_non_null(r->task_page->rows[0]->taken_by_name);
	tf.has_taken = 0;
	tf.has_kind = 1;
	tf.kind = CLUBCRM__TASK_KIND__TASK_KIND_NOTE;
	assert_int_equal(service_read(fx->st, &now, &f, &fx->a, &r), 0);
	assert_int_equal(r->task_page->n_rows, 2);
	fx_close(fx);
}

static void test_login(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	assert_int_equal(club_init(fx->st, "Club", "Europe/Madrid", "boss",
				   "The Boss", "s3cret!"), 0);
	/* Created for good before `clubcrmd init` says so. */
	assert_int_equal(store_durable_txn(fx->st),
			 store_committed_txn(fx->st));
	assert_int_equal(club_init(fx->st, "Club", "UTC", "x", "x", "xxxx"),
			 -EEXIST);
	struct arena a;
	arena_init(&a);
	Clubcrm__Operator *op = NULL;
	assert_int_equal(service_login(fx->st, "boss", "s3cret!", &a, &op), 0);
	assert_non_null(op);
	assert_string_equal(op->name, "The Boss");
	assert_int_equal(op->role, CLUBCRM__ROLE__ROLE_ADMIN);
	assert_int_equal(service_login(fx->st, "BOSS", "s3cret!", &a, &op), 0);
	assert_int_equal(service_login(fx->st, "boss", "wrong", &a, &op),
			 STATUS_UNAUTHENTICATED);
	assert_int_equal(service_login(fx->st, "nobody", "s3cret!", &a, &op),
			 STATUS_UNAUTHENTICATED);
	assert_int_equal(service_login(fx->st, NULL, "x", &a, &op),
			 STATUS_UNAUTHENTICATED);
	/* A deactivated operator cannot log in, even with the password. */
	uint64_t id = op->id;
	uint64_t eva = fx_operator(fx, "eva", 0, 0);
	assert_int_equal(service_login(fx->st, "eva", "secret", &a, &op), 0);
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	o.id = eva;
	o.has_active = 1;
	o.active = 0;
	u.operator_ = &o;
	f.body_case = BODY(UPSERT_OPERATOR);
	f.upsert_operator = &u;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(id, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	assert_false(r->catalog->operators[0]->active);
	assert_string_equal(r->catalog->operators[0]->login, "eva");
	assert_int_equal(service_login(fx->st, "eva", "secret", &a, &op),
			 STATUS_UNAUTHENTICATED);
	/* A password with a control character is refused: no login could
	 * ever type it (a Login holding one is INVALID_ARGUMENT). */
	o.id = eva;
	o.active = 1;
	u.password = "new\tpass";
	fx_assert_error(fx_write(fx, fx_actor(id, 1), &f),
			STATUS_INVALID_ARGUMENT, "control characters");
	/* Password reset works; the admin cannot deactivate themselves. */
	u.password = "newpass";
	fx_write(fx, fx_actor(id, 1), &f);
	assert_int_equal(service_login(fx->st, "eva", "newpass", &a, &op), 0);
	assert_int_equal(service_login(fx->st, "eva", "secret", &a, &op),
			 STATUS_UNAUTHENTICATED);
	o.id = id;
	o.active = 0;
	u.password = NULL;
	fx_assert_error(fx_write(fx, fx_actor(id, 1), &f),
			STATUS_FAILED_PRECONDITION, "yourself");
	arena_free(&a);
	fx_close(fx);
}

static void test_admin_only(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	/* Rights come from the stored record: claiming admin is not enough. */
	struct actor op = fx_actor(fx_operator(fx, "olga", 0, 0), 1);
	struct actor admin = fx_actor(fx_operator(fx, "boss", 1, 0), 0);
	uint64_t rev = store_revision(fx->st);
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	Clubcrm__Tag tag = CLUBCRM__TAG__INIT;
	Clubcrm__UpsertTag ut = CLUBCRM__UPSERT_TAG__INIT;
	tag.name = "x";
	ut.tag = &tag;
	f.body_case = BODY(UPSERT_TAG);
	f.upsert_tag = &ut;
	fx_assert_error(fx_write(fx, op, &f), STATUS_PERMISSION_DENIED,
			"only admins");
	Clubcrm__Settings s = CLUBCRM__SETTINGS__INIT;
	Clubcrm__UpdateSettings us = CLUBCRM__UPDATE_SETTINGS__INIT;
	s.has_slot_minutes = 1;
	s.slot_minutes = 15;
	us.settings = &s;
	f.body_case = BODY(UPDATE_SETTINGS);
	f.update_settings = &us;
	fx_assert_error(fx_write(fx, op, &f), STATUS_PERMISSION_DENIED,
			"settings");
	Clubcrm__TaskType ty = CLUBCRM__TASK_TYPE__INIT;
	Clubcrm__UpsertTaskType uty = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	ty.name = "Call";
	ty.has_priority = ty.priority = 1;
	uty.task_type = &ty;
	f.body_case = BODY(UPSERT_TASK_TYPE);
	f.upsert_task_type = &uty;
	fx_assert_error(fx_write(fx, op, &f), STATUS_PERMISSION_DENIED,
			"task types");
	assert_int_equal(store_revision(fx->st), rev);
	/* Admins may; names are unique; bad values are refused. */
	assert_int_equal(fx_write(fx, admin, &f)->body_case, BODY(CATALOG));
	ty.name = "CALL";
	fx_assert_error(fx_write(fx, admin, &f), STATUS_ALREADY_EXISTS,
			"already exists");
	f.body_case = BODY(UPDATE_SETTINGS);
	f.update_settings = &us;  /* the body is a union */
	s.slot_minutes = 1;
	fx_assert_error(fx_write(fx, admin, &f), STATUS_INVALID_ARGUMENT,
			"slot_minutes");
	s.slot_minutes = 15;
	s.time_zone = "../../etc/passwd";
	fx_assert_error(fx_write(fx, admin, &f), STATUS_INVALID_ARGUMENT,
			"time_zone");
	/* Only the names the system's tzdata knows, spelt exactly: a zone
	 * nobody knows would put every time off without a word. */
	uint64_t before = store_revision(fx->st);
	s.time_zone = "Mars/Olympus";
	fx_assert_error(fx_write(fx, admin, &f), STATUS_INVALID_ARGUMENT,
			"'Mars/Olympus' is not a time zone this system's tzdata "
			"knows");
	s.time_zone = "europe/madrid";
	fx_assert_error(fx_write(fx, admin, &f), STATUS_INVALID_ARGUMENT,
			"case-sensitive");
	s.time_zone = "zone.tab";
	fx_assert_error(fx_write(fx, admin, &f), STATUS_INVALID_ARGUMENT,
			"is not a time-zone name");
	assert_int_equal(store_revision(fx->st), before);
	s.time_zone = "Europe/Madrid";
	s.has_default_task_result_id = 1;
	s.default_task_result_id = 12;
	fx_assert_error(fx_write(fx, admin, &f), STATUS_NOT_FOUND,
			"unknown result 12");
	s.has_default_task_result_id = 0;
	Clubcrm__Frame *r = fx_write(fx, admin, &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	assert_int_equal(r->catalog->settings->slot_minutes, 15);
	/* Operators may add and edit customers. */
	uint64_t cu = fx_customer(fx, "Lucía", 0);
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	Clubcrm__UpsertCustomer uc = CLUBCRM__UPSERT_CUSTOMER__INIT;
	c.id = cu;
	c.phone = "+34 600";
	uc.customer = &c;
	f.body_case = BODY(UPSERT_CUSTOMER);
	f.upsert_customer = &uc;
	r = fx_write(fx, op, &f);
	assert_int_equal(r->body_case, BODY(CUSTOMER_REPLY));
	assert_string_equal(r->customer_reply->customer->name, "Lucía");
	assert_string_equal(r->customer_reply->customer->phone, "+34 600");
	c.has_consultant_id = 1;
	c.consultant_id = 99;
	fx_assert_error(fx_write(fx, op, &f), STATUS_NOT_FOUND,
			"unknown consultant 99");
	c.id = 12345;
	c.has_consultant_id = 0;
	fx_assert_error(fx_write(fx, op, &f), STATUS_NOT_FOUND,
			"unknown customer 12345");
	fx_close(fx);
}

static void test_inactive_hidden_from_pick_lists(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	uint64_t id = fx_tag(fx, "Old");
	fx_tag(fx, "New");
	Clubcrm__Tag tag = CLUBCRM__TAG__INIT;
	Clubcrm__UpsertTag ut = CLUBCRM__UPSERT_TAG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	tag.id = id;
	tag.has_active = 1;
	ut.tag = &tag;
	f.body_case = BODY(UPSERT_TAG);
	f.upsert_tag = &ut;
	fx_write(fx, fx_actor(0, 1), &f);
	assert_int_equal(catalog(fx, 0)->n_tags, 1);
	assert_int_equal(catalog(fx, 1)->n_tags, 2);
	fx_close(fx);
}

/* Issue 11 #15: a tag's colour is a known name or #rrggbb, checked by the
 * server; task rows carry each tag's colour beside its name. */
static void test_tag_colour(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	Clubcrm__Tag tag = CLUBCRM__TAG__INIT;
	Clubcrm__UpsertTag ut = CLUBCRM__UPSERT_TAG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	tag.name = "Premium";
	tag.colour = "sort of greenish";
	ut.tag = &tag;
	f.body_case = BODY(UPSERT_TAG);
	f.upsert_tag = &ut;
	uint64_t rev = store_revision(fx->st);
	fx_assert_error(fx_write(fx, fx_actor(0, 1), &f),
			STATUS_INVALID_ARGUMENT, "green, grey");
	tag.colour = "#12345";
	fx_assert_error(fx_write(fx, fx_actor(0, 1), &f),
			STATUS_INVALID_ARGUMENT, "#rrggbb");
	tag.colour = "#12345g";
	fx_assert_error(fx_write(fx, fx_actor(0, 1), &f),
			STATUS_INVALID_ARGUMENT, "not a colour");
	assert_int_equal(store_revision(fx->st), rev);
	tag.colour = "Gold";
	Clubcrm__Frame *r = fx_write(fx, fx_actor(0, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	uint64_t vip = r->catalog->tags[0]->id;
	tag.name = "Padel";
	tag.colour = "#1a2B3c";
	r = fx_write(fx, fx_actor(0, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	uint64_t tennis = r->catalog->tags[0]->id;
	tag.name = "Plain";
	tag.colour = NULL;
	r = fx_write(fx, fx_actor(0, 1), &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	uint64_t plain = r->catalog->tags[0]->id;
	/* The rows: every tag with its colour. */
	struct club c;
	fx_club(fx, &c);
	Clubcrm__CreateTask ct = fx_new_task(&c, "tagged", FX_NOW);
	uint64_t tags[3] = {vip, tennis, plain};
	ct.tag_ids = tags;
	ct.n_tag_ids = 3;
	r = fx_create(fx, fx_actor(c.ana, 0), &ct);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	Clubcrm__TaskRow *row = r->task_reply->row;
	assert_int_equal(row->n_tag_names, 3);
	assert_int_equal(row->n_tag_colours, 3);
	assert_string_equal(row->tag_names[1], "Padel");
	assert_string_equal(row->tag_colours[0], "Gold");
	assert_string_equal(row->tag_colours[1], "#1a2B3c");
	assert_string_equal(row->tag_colours[2], "");
	fx_close(fx);
}

/* Repeated fields of an edit: replaced when given or asked, kept otherwise. */
static void test_replace_lists(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	uint64_t team = fx_team(fx, "Sales");
	uint64_t op = fx_operator(fx, "ivo", 0, team);
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	o.id = op;
	o.name = "Ivo";
	u.operator_ = &o;
	f.body_case = BODY(UPSERT_OPERATOR);
	f.upsert_operator = &u;
	struct actor admin = fx_actor(fx_operator(fx, "boss", 1, 0), 1);
	Clubcrm__Frame *r = fx_write(fx, admin, &f);
	assert_int_equal(r->catalog->operators[0]->n_team_ids, 1);
	uint64_t twice[2] = {team, team};
	o.team_ids = twice;
	o.n_team_ids = 2;
	fx_assert_error(fx_write(fx, admin, &f),
			STATUS_INVALID_ARGUMENT, "twice");
	o.n_team_ids = 0;
	u.has_replace_teams = u.replace_teams = 1;
	r = fx_write(fx, admin, &f);
	assert_int_equal(r->catalog->operators[0]->n_team_ids, 0);
	assert_string_equal(r->catalog->operators[0]->name, "Ivo");

	uint64_t call = fx_type(fx, "Call", 0);
	Clubcrm__FollowOn fo = CLUBCRM__FOLLOW_ON__INIT;
	Clubcrm__FollowOn *fos[1] = {&fo};
	fo.has_type_id = 1;
	fo.type_id = call;
	Clubcrm__TaskType ty = CLUBCRM__TASK_TYPE__INIT;
	Clubcrm__UpsertTaskType ut = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	ty.id = call;
	ty.follow_ons = fos;
	ty.n_follow_ons = 1;
	ut.task_type = &ty;
	f.body_case = BODY(UPSERT_TASK_TYPE);
	f.upsert_task_type = &ut;
	r = fx_write(fx, admin, &f);
	assert_int_equal(r->catalog->task_types[0]->n_follow_ons, 1);
	ty.n_follow_ons = 0;
	ty.has_priority = ty.priority = 1;
	r = fx_write(fx, admin, &f);
	assert_int_equal(r->catalog->task_types[0]->n_follow_ons, 1);
	assert_true(r->catalog->task_types[0]->priority);
	ut.has_replace_follow_ons = ut.replace_follow_ons = 1;
	r = fx_write(fx, admin, &f);
	assert_int_equal(r->catalog->task_types[0]->n_follow_ons, 0);
	fo.type_id = 999;
	ty.n_follow_ons = 1;
	fx_assert_error(fx_write(fx, admin, &f), STATUS_NOT_FOUND,
			"unknown task type 999");
	fx_close(fx);
}

/* A customer created again with the same idempotency key (a retry after
 * a lost answer) is the first one, not a second; the key is per operator,
 * belongs to creates only, and is not also a task's. */
static void test_customer_created_once(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	struct actor bea = fx_actor(c.bea, 0), carl = fx_actor(c.carl, 0);
	uint8_t key[16] = "retry-key-00001";
	Clubcrm__Customer cu = CLUBCRM__CUSTOMER__INIT;
	cu.name = "Nerea";
	Clubcrm__UpsertCustomer uc = CLUBCRM__UPSERT_CUSTOMER__INIT;
	uc.customer = &cu;
	uc.has_idempotency_key = 1;
	uc.idempotency_key.data = key;
	uc.idempotency_key.len = sizeof(key);
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPSERT_CUSTOMER);
	f.upsert_customer = &uc;
	uint64_t rev1 = 0, rev2 = 0;
	Clubcrm__Frame *r = fx_write_rev(fx, bea, &f, &rev1);
	assert_int_equal(r->body_case, BODY(CUSTOMER_REPLY));
	uint64_t id = r->customer_reply->customer->id;
	uint64_t at = r->customer_reply->revision;
	assert_true(id > 0 && rev1 > 0);
	/* The retry: the same customer, the same revision, nothing written
	 * (its second name is not applied: it is the first create's answer). */
	cu.name = "Nerea (twice)";
	r = fx_write_rev(fx, bea, &f, &rev2);
	assert_int_equal(r->body_case, BODY(CUSTOMER_REPLY));
	assert_int_equal(r->customer_reply->customer->id, id);
	assert_string_equal(r->customer_reply->customer->name, "Nerea");
	assert_int_equal(r->customer_reply->revision, at);
	assert_int_equal(rev2, 0);
	/* Another operator's same key is another create. */
	r = fx_write(fx, carl, &f);
	assert_int_equal(r->body_case, BODY(CUSTOMER_REPLY));
	assert_true(r->customer_reply->customer->id != id);
	/* A task created with a customer's key is refused, and the other
	 * way round. */
	Clubcrm__CreateTask t = fx_new_task(&c, "call back", 1893456000);
	t.has_idempotency_key = 1;
	t.idempotency_key.data = key;
	t.idempotency_key.len = sizeof(key);
	fx_assert_error(fx_create(fx, bea, &t), STATUS_INVALID_ARGUMENT,
			"another kind of request");
	uint8_t tkey[4] = "task";
	t.idempotency_key.data = tkey;
	t.idempotency_key.len = sizeof(tkey);
	assert_int_equal(fx_create(fx, bea, &t)->body_case, BODY(TASK_REPLY));
	uc.idempotency_key.data = tkey;
	uc.idempotency_key.len = sizeof(tkey);
	cu.name = "Otra";
	fx_assert_error(fx_write(fx, bea, &f), STATUS_INVALID_ARGUMENT,
			"another kind of request");
	/* Sizes are checked; an edit ignores the key. */
	uint8_t big[65] = {0};
	uc.idempotency_key.data = big;
	uc.idempotency_key.len = sizeof(big);
	fx_assert_error(fx_write(fx, bea, &f), STATUS_INVALID_ARGUMENT,
			"idempotency_key must be 1 to 64 bytes");
	cu.id = id;
	cu.name = "Nerea Ruiz";
	uc.idempotency_key.data = key;
	uc.idempotency_key.len = sizeof(key);
	r = fx_write(fx, bea, &f);
	assert_int_equal(r->body_case, BODY(CUSTOMER_REPLY));
	assert_string_equal(r->customer_reply->customer->name, "Nerea Ruiz");
	fx_close(fx);
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(service_kind_of(BODY(LOGIN)), SERVICE_SESSION);
	assert_int_equal(service_kind_of(BODY(LIST_TASKS)), SERVICE_READ);
	assert_int_equal(service_kind_of(BODY(GET_REPORT)), SERVICE_LONG_READ);
	assert_int_equal(service_kind_of(BODY(EXPORT_AGENDA)),
			 SERVICE_LONG_READ);
	assert_int_equal(service_kind_of(BODY(CREATE_TASK)), SERVICE_WRITE);
	assert_int_equal(service_kind_of(BODY(FOLLOW_UP)), SERVICE_WRITE);
	assert_int_equal(service_kind_of(BODY(TASK_REPLY)), SERVICE_UNKNOWN);
	assert_int_equal(service_kind_of(BODY(DELTAS)), SERVICE_UNKNOWN);
	assert_int_equal(service_kind_of((Clubcrm__Frame__BodyCase)9999),
			 SERVICE_UNKNOWN);
	/* A read server given a write gets an error frame, not a crash. */
	struct fx *fx = fx_open(1u << 20);
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	Clubcrm__CreateTask t = CLUBCRM__CREATE_TASK__INIT;
	f.body_case = BODY(CREATE_TASK);
	f.create_task = &t;
	fx_assert_error(fx_read(fx, fx_actor(1, 0), &f), STATUS_UNIMPLEMENTED,
			"not a read");
	fx_close(fx);
}

/* Issue 13: the club's language for the web desk: "en", "es" or "" (each
 * browser's own); anything else is refused and changes nothing. */
static void test_language(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct actor admin = fx_actor(fx_operator(fx, "boss", 1, 0), 0);
	struct actor op = fx_actor(fx_operator(fx, "olga", 0, 0), 1);
	Clubcrm__Settings s = CLUBCRM__SETTINGS__INIT;
	Clubcrm__UpdateSettings us = CLUBCRM__UPDATE_SETTINGS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	us.settings = &s;
	f.body_case = BODY(UPDATE_SETTINGS);
	f.update_settings = &us;
	assert_null(catalog(fx, 0)->settings->language);
	uint64_t rev = store_revision(fx->st);
	const char *bad[] = {"fr", "ES", "es-ES", "english", " es", "e"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.language = (char *)bad[i];
		fx_assert_error(fx_write(fx, admin, &f),
				STATUS_INVALID_ARGUMENT,
				"language must be en, es or empty");
	}
	s.language = "es";
	fx_assert_error(fx_write(fx, op, &f), STATUS_PERMISSION_DENIED,
			"settings");
	assert_int_equal(store_revision(fx->st), rev);
	Clubcrm__Frame *r = fx_write(fx, admin, &f);
	assert_int_equal(r->body_case, BODY(CATALOG));
	assert_string_equal(r->catalog->settings->language, "es");
	assert_string_equal(catalog(fx, 0)->settings->language, "es");
	/* Other keys leave it alone; "" clears it. */
	s.language = NULL;
	s.has_slot_minutes = 1;
	s.slot_minutes = 20;
	assert_int_equal(fx_write(fx, admin, &f)->body_case, BODY(CATALOG));
	assert_string_equal(catalog(fx, 0)->settings->language, "es");
	s.has_slot_minutes = 0;
	s.language = "";
	assert_int_equal(fx_write(fx, admin, &f)->body_case, BODY(CATALOG));
	const char *now = catalog(fx, 0)->settings->language;
	assert_true(now == NULL || *now == '\0');
	fx_close(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_seed),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_admin_only),
		cmocka_unit_test(test_inactive_hidden_from_pick_lists),
		cmocka_unit_test(test_tag_colour),
		cmocka_unit_test(test_replace_lists),
		cmocka_unit_test(test_customer_created_once),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_language),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
