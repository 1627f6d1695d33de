/*
 * Schema migrations at open (server/store/migrate.c). The fixtures are
 * databases as older code wrote them, made here by hand rather than kept
 * as binary blobs: schema 2 (before issue 12), customer name keys folded
 * by the old Latin-1 table; schema 3 (before issue 15), a task_changes
 * tree beside a change log without prev_revision.
 */
#include "domain_fixture.h"

#include "asof.h"
#include "changelog.h"
#include "check.h"
#include "index.h"
#include "migrate.h"
#include "store_lmdb.h"
#include "txn.h"

/* The schema-2 fold: U+00C0..U+00FF to their base letters ('*' kept as
 * they are), ASCII upper case to lower, every other byte as it is. */
static const char old_latin1[65] =
	"aaaaaaaceeeeiiiidnooooo*ouuuuy**"
	"aaaaaaaceeeeiiiidnooooo*ouuuuy*y";

static size_t old_name_key(const char *s, uint64_t id, uint8_t *k)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p && n < INDEX_NAME_KEY_MAX) {
		if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf &&
		    old_latin1[p[1] - 0x80] != '*') {
			k[n++] = (uint8_t)old_latin1[p[1] - 0x80];
			p += 2;
		} else {
			k[n++] = (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p;
			p++;
		}
	}
	k[n] = 0;
	key_u64(k + n + 1, id);
	return n + 9;
}

static const char *const names[] = {
	"Σοφία", "ραφαήλ", "Straße", "Strasse", "Álvaro", "beatriz",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* Turns fx's store into one written by schema 2 and reopens it. */
static void make_schema_2(struct fx *fx, const uint64_t *ids)
{
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	txn_drop(&t, DB_BY_CUSTOMER_NAME);
	for (size_t i = 0; i < N_NAMES; i++) {
		uint8_t k[INDEX_NAME_KEY_MAX + 9];
		size_t len = old_name_key(names[i], ids[i], k);
		txn_put(&t, DB_BY_CUSTOMER_NAME, k, len, "", 0);
	}
	uint8_t v[4] = {0, 0, 0, 2};
	txn_put(&t, DB_META, "schema", 6, v, sizeof(v));
	assert_int_equal(txn_commit(&t), 0);
	store_close(fx->st);
	fx->st = NULL;
}

static void list_names(struct fx *fx, const char **out)
{
	Clubcrm__ListCustomers l = CLUBCRM__LIST_CUSTOMERS__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(LIST_CUSTOMERS);
	f.list_customers = &l;
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 0), &f);
	assert_int_equal(r->body_case, BODY(CUSTOMER_PAGE));
	assert_int_equal(r->customer_page->n_customers, N_NAMES);
	for (size_t i = 0; i < N_NAMES; i++)
		out[i] = r->customer_page->customers[i]->name;
}

/* 2 -> 3: the name index is rebuilt with the Unicode fold, so Greek names
 * sort by letter whatever their case, and "ß" sorts as "ss". */
static void test_migrate_2_to_3(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);
	uint64_t ids[N_NAMES];
	for (size_t i = 0; i < N_NAMES; i++)
		ids[i] = fx_customer(fx, names[i], 0);
	make_schema_2(fx, ids);

	assert_int_equal(store_open(fx->dir, 1u << 20, &fx->st), 0);
	const char *got[N_NAMES];
	list_names(fx, got);
	/* By folded name: alvaro, beatriz, strassa... σ after ρ. */
	const char *want[N_NAMES] = {
		"Álvaro", "beatriz", "Straße", "Strasse", "ραφαήλ", "Σοφία",
	};
	/* "straße" folds to "strasse": the tie is broken by id (Straße was
	 * created first). */
	for (size_t i = 0; i < N_NAMES; i++)
		assert_string_equal(got[i], want[i]);

	/* Exactly the new keys are left, no stale old ones. */
	struct txn t;
	txn_begin(&t, fx->st, NULL, false);
	size_t entries = 0;
	assert_int_equal(txn_count(&t, DB_BY_CUSTOMER_NAME, &entries), 0);
	assert_int_equal(entries, N_NAMES);
	for (size_t i = 0; i < N_NAMES; i++) {
		uint8_t k[INDEX_NAME_KEY_MAX + 9];
		size_t len = index_name_key(names[i], ids[i], k);
		struct txn_val mv;
		assert_int_equal(txn_get(&t, DB_BY_CUSTOMER_NAME, k, len, &mv),
				 0);
	}
	struct txn_val mv;
	assert_int_equal(txn_get(&t, DB_META, "schema", 6, &mv), 0);
	assert_int_equal(mv.len, 4);
	assert_int_equal(((const uint8_t *)mv.data)[3], 4);  /* the current schema */
	txn_abort(&t);

	/* A second open finds the current schema and changes nothing. */
	uint64_t rev = store_revision(fx->st);
	store_close(fx->st);
	assert_int_equal(store_open(fx->dir, 1u << 20, &fx->st), 0);
	assert_int_equal(store_revision(fx->st), rev);
	list_names(fx, got);
	for (size_t i = 0; i < N_NAMES; i++)
		assert_string_equal(got[i], want[i]);
	fx_close(fx);
}

/* A customer record that does not decode fails the migration, and the
 * store stays at schema 2, unopened, rather than half rebuilt. */
static void test_migrate_bad_record(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);
	uint64_t ids[N_NAMES];
	for (size_t i = 0; i < N_NAMES; i++)
		ids[i] = fx_customer(fx, names[i], 0);
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	uint8_t k[8];
	key_u64(k, ids[0]);
	/* Field 1 as a length-delimited value running past the end. */
	txn_put(&t, DB_CUSTOMERS, k, sizeof(k), "\x0a\x7f", 2);
	assert_int_equal(txn_commit(&t), 0);
	make_schema_2(fx, ids);

	struct store *st = NULL;
	assert_int_equal(store_open(fx->dir, 1u << 20, &st), -EIO);
	assert_null(st);
	fx_close(fx);
}

/* ---------------------------------------------------- 3 -> 4: the chain */

/* One packed message, kept for comparison. */
struct packed {
	size_t len;
	uint8_t *data;
};

static struct packed pack(const ProtobufCMessage *m)
{
	struct packed p = {.len = protobuf_c_message_get_packed_size(m)};
	p.data = malloc(p.len ? p.len : 1);
	assert_non_null(p.data);
	protobuf_c_message_pack(m, p.data);
	return p;
}

static void assert_same(const struct packed *a, const struct packed *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->data, b->data, a->len);
}

#define MAX_TASKS 8
#define MAX_REVS 128

/* What the readers of a task's history answer: GetTask with history, the
 * task as of every revision (or that it did not exist), and check. */
struct answers {
	struct packed history[MAX_TASKS];
	struct packed asof[MAX_TASKS][MAX_REVS];  /* len 0: -ENOENT */
	struct packed changes[MAX_REVS];
	unsigned long problems, tasks, changes_n;
};

static void collect(struct fx *fx, const uint64_t *ids, size_t n,
		    uint64_t revs, struct answers *ans)
{
	assert_true(n <= MAX_TASKS && revs < MAX_REVS);
	for (size_t i = 0; i < n; i++) {
		Clubcrm__TaskReply *rep = NULL;
		fx_get(fx, ids[i], 1, &rep);
		assert_true(rep->n_history >= 2);
		ans->history[i] = pack(&rep->base);
	}
	struct txn t;
	struct arena a;
	arena_init(&a);
	txn_begin(&t, fx->st, NULL, false);
	for (size_t i = 0; i < n; i++)
		for (uint64_t rev = 1; rev <= revs; rev++) {
			Clubcrm__Task *task = NULL;
			int rc = asof_task(&t, &a, ids[i], rev, &task);
			if (rc == -ENOENT)
				continue;
			assert_int_equal(rc, 0);
			assert_true(task->mod_rev <= rev);
			ans->asof[i][rev] = pack(&task->base);
		}
	for (uint64_t rev = 1; rev <= revs; rev++) {
		Clubcrm__ChangeSet *cs = NULL;
		assert_int_equal(txn_get_rec(&t, DB_CHANGES, rev,
					     &clubcrm__change_set__descriptor,
					     &a, (void **)&cs), 0);
		ans->changes[rev] = pack(&cs->base);
	}
	txn_abort(&t);
	arena_free(&a);
	struct check_result res;
	assert_int_equal(check_store(fx->st, stderr, &res), 0);
	ans->problems = res.problems;
	ans->tasks = res.tasks;
	ans->changes_n = res.changes;
}

static void answers_free(struct answers *ans)
{
	for (size_t i = 0; i < MAX_TASKS; i++) {
		free(ans->history[i].data);
		for (size_t r = 0; r < MAX_REVS; r++)
			free(ans->asof[i][r].data);
	}
	for (size_t r = 0; r < MAX_REVS; r++)
		free(ans->changes[r].data);
}

/*
 * Turns fx's store into one written by schema 3 and closes it: the change
 * log without prev_revision, and task_changes (task id | revision ->
 * empty) beside it, as changelog.c wrote them before issue 15. Returns
 * the number of task_changes entries.
 */
static size_t make_schema_3(struct fx *fx)
{
	struct txn t;
	struct arena a;
	arena_init(&a);
	txn_begin(&t, fx->st, NULL, true);
	MDB_dbi dbi;
	assert_int_equal(mdb_dbi_open(t.txn, "task_changes", MDB_CREATE, &dbi),
			 0);
	size_t entries = 0;
	uint64_t last = txn_revision(&t);
	for (uint64_t rev = 1; rev <= last; rev++) {
		Clubcrm__ChangeSet *cs = NULL;
		assert_int_equal(txn_get_rec(&t, DB_CHANGES, rev,
					     &clubcrm__change_set__descriptor,
					     &a, (void **)&cs), 0);
		for (size_t i = 0; i < cs->n_events; i++) {
			Clubcrm__Event *ev = cs->events[i];
			if (ev->record_case != CLUBCRM__EVENT__RECORD_TASK)
				continue;
			ev->has_prev_revision = 0;
			ev->prev_revision = 0;
			uint8_t k[16];
			key_u64(k, ev->task->id);
			key_u64(k + 8, rev);
			MDB_val key = {.mv_size = 16, .mv_data = k};
			MDB_val val = {.mv_size = 0, .mv_data = ""};
			assert_int_equal(mdb_put(t.txn, dbi, &key, &val, 0), 0);
			entries++;
		}
		txn_put_rec(&t, DB_CHANGES, rev, &cs->base);
	}
	uint8_t v[4] = {0, 0, 0, 3};
	txn_put(&t, DB_META, "schema", 6, v, sizeof(v));
	assert_int_equal(txn_commit(&t), 0);
	arena_free(&a);
	store_close(fx->st);
	fx->st = NULL;
	return entries;
}

/* Whether the environment still has a database of that name. */
static bool has_db(struct fx *fx, const char *name)
{
	struct txn t;
	txn_begin(&t, fx->st, NULL, false);
	MDB_dbi dbi;
	int rc = mdb_dbi_open(t.txn, name, 0, &dbi);
	txn_abort(&t);
	return rc == 0;
}

static uint64_t simple_op(struct fx *fx, uint64_t who,
			  Clubcrm__Frame__BodyCase body, uint64_t id)
{
	struct fx_by_id o;
	uint64_t rev = 0;
	Clubcrm__Frame *r = fx_write_rev(fx, fx_actor(who, 0),
					 fx_by_id(&o, body, id), &rev);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	return rev;
}

/* A club with history: three tasks taken, released, reassigned together
 * (one change set, two tasks), one cancelled. */
static size_t club_with_history(struct fx *fx, const struct club *c,
				uint64_t *ids)
{
	for (int i = 0; i < 3; i++)
		ids[i] = fx_task(fx, c, "Renewal", FX_NOW + 3600 * i)->id;
	simple_op(fx, c->bea, BODY(TAKE_TASK), ids[0]);
	simple_op(fx, c->bea, BODY(TAKE_TASK), ids[1]);
	simple_op(fx, c->bea, BODY(RELEASE_TASK), ids[0]);
	Clubcrm__ReassignTasks in = CLUBCRM__REASSIGN_TASKS__INIT;
	in.has_from_operator_id = in.has_to_operator_id = 1;
	in.from_operator_id = c->bea;
	in.to_operator_id = c->carl;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(REASSIGN_TASKS);
	f.reassign_tasks = &in;
	Clubcrm__Frame *r = fx_write(fx, fx_actor(c->ana, 1), &f);
	assert_int_equal(r->body_case, BODY(REASSIGN_REPLY));
	assert_int_equal(r->reassign_reply->n_task_ids, 3);
	simple_op(fx, c->carl, BODY(TAKE_TASK), ids[2]);
	simple_op(fx, c->carl, BODY(CANCEL_TASK), ids[2]);
	simple_op(fx, c->carl, BODY(TAKE_TASK), ids[0]);
	return 3;
}

/* 3 -> 4: the chain is filled from task_changes, which is then gone; the
 * change log is what this build writes, and history, as-of and check give
 * the same answers as before. */
static void test_migrate_3_to_4(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	uint64_t ids[MAX_TASKS];
	size_t n = club_with_history(fx, &c, ids);
	uint64_t revs = store_revision(fx->st);
	struct answers *before = calloc(1, sizeof(*before));
	struct answers *after = calloc(1, sizeof(*after));
	collect(fx, ids, n, revs, before);
	assert_int_equal(before->problems, 0);
	assert_false(has_db(fx, "task_changes"));

	/* 3 creates, 2 + 1 takes, 1 release, 3 in the reassign, take and
	 * cancel: 12 task events. */
	assert_int_equal(make_schema_3(fx), 12);
	assert_int_equal(store_open(fx->dir, 8u << 20, &fx->st), 0);
	assert_int_equal(store_revision(fx->st), revs);
	assert_false(has_db(fx, "task_changes"));
	collect(fx, ids, n, revs, after);
	assert_int_equal(after->problems, 0);
	assert_int_equal(after->tasks, before->tasks);
	assert_int_equal(after->changes_n, before->changes_n);
	for (size_t i = 0; i < n; i++) {
		assert_same(&after->history[i], &before->history[i]);
		for (uint64_t rev = 1; rev <= revs; rev++)
			assert_same(&after->asof[i][rev], &before->asof[i][rev]);
	}
	for (uint64_t rev = 1; rev <= revs; rev++)
		assert_same(&after->changes[rev], &before->changes[rev]);

	struct txn t;
	txn_begin(&t, fx->st, NULL, false);
	struct txn_val mv;
	assert_int_equal(txn_get(&t, DB_META, "schema", 6, &mv), 0);
	assert_int_equal(((const uint8_t *)mv.data)[3], 4);
	txn_abort(&t);
	answers_free(before);
	answers_free(after);
	free(before);
	free(after);
	fx_close(fx);
}

/* 3 -> 4 on a store whose map holds its data and no more (LMDB opens a
 * map smaller than the file at the file's size): rewriting every change
 * set does not fit until store_open grows the map and migrates again. */
static void test_migrate_3_to_4_grows_the_map(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	/* 240 tasks of 4,000 characters: each record and each change set
	 * takes overflow pages, several MiB in all. */
	static char desc[4001];
	memset(desc, 'x', 4000);
	enum { PER_BATCH = 40, BATCHES = 6 };
	for (int b = 0; b < BATCHES; b++) {
		struct service_write_op ops[PER_BATCH];
		Clubcrm__Frame frames[PER_BATCH];
		Clubcrm__CreateTask creates[PER_BATCH];
		for (int i = 0; i < PER_BATCH; i++) {
			creates[i] = fx_new_task(&c, desc, FX_NOW + 60 * i);
			clubcrm__frame__init(&frames[i]);
			frames[i].body_case = BODY(CREATE_TASK);
			frames[i].create_task = &creates[i];
			ops[i] = (struct service_write_op){
				.who = fx_actor(c.ana, 1), .req = &frames[i]};
		}
		assert_int_equal(service_write_batch(fx->st, ops, PER_BATCH), 0);
		for (int i = 0; i < PER_BATCH; i++) {
			assert_true(ops[i].revision > 0);
			service_write_op_free(&ops[i]);
		}
	}
	uint64_t revs = store_revision(fx->st);
	assert_int_equal(make_schema_3(fx), BATCHES * PER_BATCH);

	assert_int_equal(store_open(fx->dir, 1u << 20, &fx->st), 0);
	assert_int_equal(store_revision(fx->st), revs);
	assert_false(has_db(fx, "task_changes"));
	struct check_result res;
	assert_int_equal(check_store(fx->st, stderr, &res), 0);
	assert_int_equal(res.problems, 0);
	assert_int_equal(res.tasks, BATCHES * PER_BATCH);
	fx_close(fx);
}

/* A schema-3 change set that does not decode fails the migration: the
 * store is not opened, and stays at schema 3 with its task_changes. */
static void test_migrate_3_bad_change_set(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	uint64_t ids[MAX_TASKS];
	club_with_history(fx, &c, ids);
	uint64_t revs = store_revision(fx->st);
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	uint8_t k[8];
	key_u64(k, revs);
	txn_put(&t, DB_CHANGES, k, sizeof(k), "\x0a\x7f", 2);
	assert_int_equal(txn_commit(&t), 0);
	/* make_schema_3 reads every set: mark the old layout by hand. */
	txn_begin(&t, fx->st, NULL, true);
	MDB_dbi dbi;
	assert_int_equal(mdb_dbi_open(t.txn, "task_changes", MDB_CREATE, &dbi),
			 0);
	uint8_t key[16];
	key_u64(key, ids[0]);
	key_u64(key + 8, revs);
	MDB_val kv = {.mv_size = 16, .mv_data = key}, vv = {0, ""};
	assert_int_equal(mdb_put(t.txn, dbi, &kv, &vv, 0), 0);
	uint8_t v[4] = {0, 0, 0, 3};
	txn_put(&t, DB_META, "schema", 6, v, sizeof(v));
	assert_int_equal(txn_commit(&t), 0);
	store_close(fx->st);
	fx->st = NULL;

	struct store *st = NULL;
	assert_int_equal(store_open(fx->dir, 8u << 20, &st), -EIO);
	assert_null(st);
	/* Nothing was written: raw LMDB still sees schema 3 and the tree. */
	MDB_env *env;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_open(env, fx->dir, MDB_RDONLY, 0600), 0);
	MDB_txn *rt;
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &rt), 0);
	assert_int_equal(mdb_dbi_open(rt, "task_changes", 0, &dbi), 0);
	MDB_dbi meta;
	assert_int_equal(mdb_dbi_open(rt, "meta", 0, &meta), 0);
	MDB_val sk = {.mv_size = 6, .mv_data = "schema"}, sv;
	assert_int_equal(mdb_get(rt, meta, &sk, &sv), 0);
	assert_int_equal(((const uint8_t *)sv.mv_data)[3], 3);
	mdb_txn_abort(rt);
	mdb_env_close(env);
	fx_close(fx);
}

/* The task of a change set's one task event. */
static Clubcrm__Task *set_task(struct txn *t, struct arena *a, uint64_t key,
			       uint64_t *revision)
{
	Clubcrm__ChangeSet *cs = NULL;
	assert_int_equal(txn_get_rec(t, DB_CHANGES, key,
				     &clubcrm__change_set__descriptor, a,
				     (void **)&cs), 0);
	*revision = cs->revision;
	assert_int_equal(cs->n_events, 1);
	assert_int_equal(cs->events[0]->record_case,
			 CLUBCRM__EVENT__RECORD_TASK);
	return cs->events[0]->task;
}

/* A damaged schema-3 change log: the set under one key says it is the
 * next revision (`clubcrmd check` names that). The migration rewrites
 * each set where it found it; it must not write this one over the real
 * next set, whose change would be lost. */
static void test_migrate_3_keeps_a_misnumbered_set_in_place(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	uint64_t ids[MAX_TASKS];
	club_with_history(fx, &c, ids);
	uint64_t revs = store_revision(fx->st);
	/* revs - 1 cancelled ids[2], revs took ids[0]. */
	struct arena a;
	arena_init(&a);
	struct txn t;
	txn_begin(&t, fx->st, NULL, true);
	Clubcrm__ChangeSet *cs = NULL;
	assert_int_equal(txn_get_rec(&t, DB_CHANGES, revs - 1,
				     &clubcrm__change_set__descriptor, &a,
				     (void **)&cs), 0);
	cs->revision = revs;
	txn_put_rec(&t, DB_CHANGES, revs - 1, &cs->base);
	assert_int_equal(txn_commit(&t), 0);
	arena_reset(&a);
	make_schema_3(fx);
	assert_int_equal(store_open(fx->dir, 8u << 20, &fx->st), 0);

	txn_begin(&t, fx->st, NULL, false);
	uint64_t said = 0;
	Clubcrm__Task *last = set_task(&t, &a, revs, &said);
	assert_int_equal(said, revs);
	assert_int_equal(last->id, ids[0]);  /* the take, not the cancel */
	assert_int_equal(last->mod_rev, revs);
	Clubcrm__Task *damaged = set_task(&t, &a, revs - 1, &said);
	assert_int_equal(said, revs);  /* the damage, kept for check */
	assert_int_equal(damaged->id, ids[2]);
	txn_abort(&t);
	arena_free(&a);
	fx_close(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_2_to_3),
		cmocka_unit_test(test_migrate_bad_record),
		cmocka_unit_test(test_migrate_3_to_4),
		cmocka_unit_test(test_migrate_3_to_4_grows_the_map),
		cmocka_unit_test(test_migrate_3_bad_change_set),
		cmocka_unit_test(
			test_migrate_3_keeps_a_misnumbered_set_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
