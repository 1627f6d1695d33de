/* The LMDB store: revisions, indexes, batches, map full, schema version. */
#include "domain_fixture.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "check.h"
#include "store_lmdb.h"

static Clubcrm__Frame create_frame(Clubcrm__CreateTask *t)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = 5;
	f.body_case = BODY(CREATE_TASK);
	f.create_task = t;
	return f;
}

static void test_revision_per_commit(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	assert_int_equal(store_revision(fx->st), 0);
	struct club c;
	fx_club(fx, &c);
	uint64_t before = store_revision(fx->st);
	Clubcrm__Task *t = fx_task(fx, &c, "one", FX_NOW + 60);
	assert_int_equal(store_revision(fx->st), before + 1);
	assert_int_equal(t->create_rev, before + 1);
	assert_int_equal(t->mod_rev, before + 1);
	fx_close(fx);
}

/* Each op of a batch has its own revision; one refused op leaves no trace
 * and the others commit. */
static void test_batch_ops_and_refusal(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	uint64_t before = store_revision(fx->st);
	Clubcrm__CreateTask good1 = fx_new_task(&c, "first", FX_NOW + 60);
	Clubcrm__CreateTask bad = fx_new_task(&c, "bad", FX_NOW + 60);
	bad.customer_id = 999;
	Clubcrm__CreateTask good2 = fx_new_task(&c, "second", FX_NOW + 120);
	Clubcrm__Frame f[3] = {create_frame(&good1), create_frame(&bad),
			       create_frame(&good2)};
	struct service_write_op ops[3] = {
		{.who = fx_actor(c.ana, 1), .req = &f[0]},
		{.who = fx_actor(c.ana, 1), .req = &f[1]},
		{.who = fx_actor(c.ana, 1), .req = &f[2]},
	};
	assert_int_equal(service_write_batch(fx->st, ops, 3), 0);
	assert_int_equal(ops[0].revision, before + 1);
	assert_int_equal(ops[1].revision, 0);
	assert_int_equal(ops[2].revision, before + 2);
	assert_int_equal(store_revision(fx->st), before + 2);
	assert_non_null(ops[0].changes);
	assert_null(ops[1].changes);
	Clubcrm__Frame *r = fx_reply(fx, &ops[1]);
	fx_assert_error(r, STATUS_NOT_FOUND, "unknown customer 999");
	r = fx_reply(fx, &ops[2]);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	/* Ids: the refused op's id allocation was rolled back too. */
	Clubcrm__Frame *r0 = fx_reply(fx, &ops[0]);
	assert_int_equal(r->task_reply->row->task->id,
			 r0->task_reply->row->task->id + 1);
	/* The change set of op 0 is the one stored under its revision. */
	const Clubcrm__ChangeSet *cs = ops[0].changes;
	assert_non_null(cs);
	assert_int_equal(cs->revision, before + 1);
	assert_int_equal(cs->n_events, 1);
	assert_string_equal(cs->action, "create");
	assert_string_equal(cs->events[0]->task->description, "first");
	for (int i = 0; i < 3; i++) {
		service_write_op_free(&ops[i]);
	}
	fx_close(fx);
}

/* Every task is in every index exactly once, under its current values. */
static void check_indexes(struct fx *fx, size_t expect)
{
	struct txn t;
	txn_begin(&t, fx->st, NULL, false);
	assert_int_equal(t.ret, 0);
	size_t n;
	enum store_db idx[] = {DB_BY_PLANNED, DB_BY_CREATED, DB_BY_CUSTOMER,
			       DB_BY_OPERATOR_PLANNED};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(txn_count(&t, idx[i], &n), 0);
		assert_int_equal(n, expect);
	}
	assert_int_equal(txn_count(&t, DB_TASKS, &n), 0);
	assert_int_equal(n, expect);
	for (uint64_t id = 1; id <= expect; id++) {
		Clubcrm__Task *task;
		assert_int_equal(txn_get_rec(&t, DB_TASKS, id,
					     &clubcrm__task__descriptor, &fx->a,
					     (void **)&task), 0);
		uint8_t k[24];
		struct txn_val v;
		key_time(k, task->planned_at);
		key_u64(k + 8, id);
		assert_int_equal(txn_get(&t, DB_BY_PLANNED, k, 16, &v), 0);
		key_time(k, task->created_at);
		assert_int_equal(txn_get(&t, DB_BY_CREATED, k, 16, &v), 0);
		key_u64(k, task->customer_id);
		key_time(k + 8, task->planned_at);
		key_u64(k + 16, id);
		assert_int_equal(txn_get(&t, DB_BY_CUSTOMER, k, 24, &v), 0);
		key_u64(k, task->operator_id);
		assert_int_equal(txn_get(&t, DB_BY_OPERATOR_PLANNED, k, 24, &v),
				 0);
	}
	txn_abort(&t);
}

static void test_indexes_follow_edits(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	Clubcrm__Task *a = fx_task(fx, &c, "a", FX_NOW + 60);
	fx_task(fx, &c, "b", FX_NOW - 3600);
	check_indexes(fx, 2);
	Clubcrm__EditTask e = CLUBCRM__EDIT_TASK__INIT;
	e.has_id = e.has_base_mod_rev = e.has_planned_at = 1;
	e.has_operator_id = e.has_customer_id = 1;
	e.id = a->id;
	e.base_mod_rev = a->mod_rev;
	e.planned_at = FX_NOW + 7200;
	e.operator_id = c.carl;
	e.customer_id = c.manolo;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(EDIT_TASK);
	f.edit_task = &e;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(c.ana, 0), &f);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	check_indexes(fx, 2);
	fx_close(fx);
}

/* Batches of tasks with the largest description allowed, until a batch
 * fails: its ops (replies kept) and the revision before it stay here. */
enum { FILL_MAX = 64 };
struct fill {
	char desc[4001];
	Clubcrm__CreateTask t[FILL_MAX];
	Clubcrm__Frame f[FILL_MAX];
	struct service_write_op ops[FILL_MAX];
	uint64_t rev;
};

static int fill_until_failure(struct fx *fx, struct club *c, struct fill *fl,
			      size_t n, int rounds)
{
	memset(fl->desc, 'x', 4000);
	fl->desc[4000] = '\0';
	int rc = 0;
	for (int round = 0; round < rounds && rc == 0; round++) {
		fl->rev = store_revision(fx->st);
		memset(fl->ops, 0, sizeof(fl->ops));
		for (size_t i = 0; i < n; i++) {
			fl->t[i] = fx_new_task(c, fl->desc, FX_NOW + (int64_t)i);
			fl->f[i] = create_frame(&fl->t[i]);
			fl->ops[i].who = fx_actor(c->ana, 1);
			fl->ops[i].req = &fl->f[i];
		}
		rc = service_write_batch(fx->st, fl->ops, n);
		if (rc == 0)
			for (size_t i = 0; i < n; i++) {
				service_write_op_free(&fl->ops[i]);
			}
	}
	return rc;
}

/* The file system is full (here: the file size limit, which fails writes
 * the same way): every op of the batch is refused with a clear message,
 * nothing is written, the database stays sound, and writes resume once
 * there is room. */
static void test_disk_full_then_room(void **state)
{
	(void)state;
	struct fx *fx = fx_open(64u << 20);
	struct club c;
	fx_club(fx, &c);
	char path[128];
	snprintf(path, sizeof(path), "%s/data.mdb", fx->dir);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	struct rlimit old;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	struct rlimit lim = {.rlim_cur = (rlim_t)sb.st_size + (128u << 10),
			     .rlim_max = old.rlim_max};
	void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);

	enum { N = 16 };
	struct fill fl;
	int rc = fill_until_failure(fx, &c, &fl, N, 40);
	struct service_write_op *ops = fl.ops;
	uint64_t rev = fl.rev;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_sig);
	/* EFBIG, or EIO when LMDB's write was cut short at the limit (on a
	 * full disk the service then finds the file system out of room). */
	assert_true(rc == TXN_DISK_FULL || rc == -EIO);
	assert_int_equal(store_revision(fx->st), rev);
	for (int i = 0; i < N; i++) {
		assert_int_equal(ops[i].revision, 0);
		Clubcrm__Frame *r = fx_reply(fx, &ops[i]);
		if (rc == TXN_DISK_FULL)
			fx_assert_error(r, STATUS_RESOURCE_EXHAUSTED,
					"disk is full");
		else
			fx_assert_error(r, STATUS_INTERNAL, "store");
	}
	struct check_result res;
	assert_int_equal(check_store(fx->st, NULL, &res), 0);
	assert_int_equal(res.problems, 0);
	/* Room again: the same batch goes through. */
	assert_int_equal(service_write_batch(fx->st, ops, N), 0);
	assert_int_equal(store_revision(fx->st), rev + N);
	for (int i = 0; i < N; i++) {
		service_write_op_free(&ops[i]);
	}
	assert_int_equal(check_store(fx->st, NULL, &res), 0);
	assert_int_equal(res.problems, 0);
	fx_close(fx);
}

static void test_map_full_then_grow(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);  /* the smallest map we allow */
	struct club c;
	fx_club(fx, &c);
	/* Descriptions as large as allowed fill 1 MiB within a few hundred
	 * tasks. */
	enum { N = FILL_MAX };
	struct fill fl;
	int rc = fill_until_failure(fx, &c, &fl, N, 20);
	struct service_write_op *ops = fl.ops;
	uint64_t rev = fl.rev;
	assert_int_equal(rc, -ENOSPC);
	/* Nothing of the failed batch was written; every reply says so. */
	assert_int_equal(store_revision(fx->st), rev);
	for (int i = 0; i < N; i++) {
		assert_int_equal(ops[i].revision, 0);
		Clubcrm__Frame *r = fx_reply(fx, &ops[i]);
		fx_assert_error(r, STATUS_RESOURCE_EXHAUSTED, "full");
	}
	/* The daemon grows the map and retries the same batch. */
	int grown = 0;
	while (rc == -ENOSPC && grown++ < 4) {
		assert_int_equal(store_grow(fx->st), 0);
		rc = service_write_batch(fx->st, ops, N);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(store_revision(fx->st), rev + N);
	for (int i = 0; i < N; i++) {
		Clubcrm__Frame *r = fx_reply(fx, &ops[i]);
		assert_int_equal(r->body_case, BODY(TASK_REPLY));
		assert_int_equal(ops[i].revision, rev + 1 + (uint64_t)i);
		service_write_op_free(&ops[i]);
	}
	fx_close(fx);
}

static void test_schema_newer_refused(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	uint8_t v[4] = {0, 0, 0, 99};
	txn_put(&t, DB_META, "schema", 6, v, sizeof(v));
	assert_int_equal(txn_commit(&t), 0);
	store_close(fx->st);
	fx->st = NULL;
	struct store *st = NULL;
	assert_int_equal(store_open(fx->dir, 1u << 20, &st), -EPROTONOSUPPORT);
	assert_null(st);
	/* Reopening our own version works. */
	fx_close(fx);
}

static void test_reopen_keeps_data(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);
	struct club c;
	fx_club(fx, &c);
	Clubcrm__Task *t = fx_task(fx, &c, "kept", FX_NOW + 60);
	uint64_t rev = store_revision(fx->st);
	store_close(fx->st);
	assert_int_equal(store_open(fx->dir, 1u << 20, &fx->st), 0);
	assert_int_equal(store_revision(fx->st), rev);
	Clubcrm__TaskRow *row = fx_get(fx, t->id, 0, NULL);
	assert_string_equal(row->task->description, "kept");
	fx_close(fx);
}

/* A store of schema 1 (customer names ordered by ASCII case only) is
 * migrated at open: the name index is rebuilt accent-insensitively. */
static void test_migrate_from_schema_1(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);
	fx_customer(fx, "Beatriz", 0);
	fx_customer(fx, "Álvaro", 0);
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	txn_drop(&t, DB_BY_CUSTOMER_NAME);
	assert_int_equal(t.ret, 0);
	/* The old key of Álvaro sorted after every ASCII name. */
	uint8_t k[32] = "\xc3\x81lvaro";
	k[7] = 0;
	key_u64(k + 8, 2);
	txn_put(&t, DB_BY_CUSTOMER_NAME, k, 16, "", 0);
	uint8_t v[4] = {0, 0, 0, 1};
	txn_put(&t, DB_META, "schema", 6, v, sizeof(v));
	assert_int_equal(txn_commit(&t), 0);
	store_close(fx->st);
	assert_int_equal(store_open(fx->dir, 1u << 20, &fx->st), 0);
	Clubcrm__ListCustomers l = CLUBCRM__LIST_CUSTOMERS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(LIST_CUSTOMERS);
	f.list_customers = &l;
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 0), &f);
	assert_int_equal(r->customer_page->n_customers, 2);
	assert_string_equal(r->customer_page->customers[0]->name, "Álvaro");
	assert_string_equal(r->customer_page->customers[1]->name, "Beatriz");
	txn_begin(&t, fx->st, NULL, false);
	struct txn_val mv;
	assert_int_equal(txn_get(&t, DB_META, "schema", 6, &mv), 0);
	assert_int_equal(((const uint8_t *)mv.data)[3], 4);  /* the current schema */
	txn_abort(&t);
	fx_close(fx);
}

/* The wrapper: after one failure every op is a no-op and commit aborts. */
static void test_txn_carries_error(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	uint8_t big[600] = {0};
	txn_put(&t, DB_META, big, sizeof(big), "x", 1);  /* key too long */
	assert_int_equal(t.ret, -EINVAL);
	txn_put(&t, DB_META, "ok", 2, "x", 1);
	struct txn_val v;
	assert_int_equal(txn_get(&t, DB_META, "ok", 2, &v), -EINVAL);
	assert_int_equal(txn_commit(&t), -EINVAL);
	txn_begin(&t, fx->st, NULL, false);
	assert_int_equal(txn_get(&t, DB_META, "ok", 2, &v), -ENOENT);
	assert_int_equal(t.ret, 0);  /* not found is not an error */
	txn_abort(&t);
	assert_int_equal(lmdb_error(MDB_MAP_FULL), -ENOSPC);
	/* A full file system is not a full map: growing does not help. */
	assert_int_equal(lmdb_error(ENOSPC), TXN_DISK_FULL);
	assert_int_equal(lmdb_error(EDQUOT), TXN_DISK_FULL);
	assert_int_equal(lmdb_error(EFBIG), TXN_DISK_FULL);
	assert_int_not_equal(TXN_DISK_FULL, -ENOSPC);
	assert_int_equal(lmdb_error(MDB_NOTFOUND), -ENOENT);
	assert_int_equal(lmdb_error(MDB_KEYEXIST), -EEXIST);
	assert_int_equal(lmdb_error(EACCES), -EACCES);
	fx_close(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revision_per_commit),
		cmocka_unit_test(test_batch_ops_and_refusal),
		cmocka_unit_test(test_indexes_follow_edits),
		cmocka_unit_test(test_map_full_then_grow),
		cmocka_unit_test(test_disk_full_then_room),
		cmocka_unit_test(test_schema_newer_refused),
		cmocka_unit_test(test_reopen_keeps_data),
		cmocka_unit_test(test_migrate_from_schema_1),
		cmocka_unit_test(test_txn_carries_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
