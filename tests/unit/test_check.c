/* `clubcrmd check` and `clubcrmd backup`, on a real temporary LMDB. */
#include "domain_fixture.h"

#include <sys/stat.h>

#include "backup.h"
#include "changelog.h"
#include "check.h"
#include "store_lmdb.h"

struct cfx {
	struct fx *fx;
	struct club c;
};

static int setup(void **state)
{
	struct cfx *v = calloc(1, sizeof(*v));
	v->fx = fx_open(32u << 20);
	fx_club(v->fx, &v->c);
	for (int i = 0; i < 20; i++)
		fx_task(v->fx, &v->c, "Call about the renewal",
			FX_NOW + 3600 * i);
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	struct cfx *v = *state;
	fx_close(v->fx);
	free(v);
	return 0;
}

static void test_healthy_club_has_no_problems(void **state)
{
	struct cfx *v = *state;
	struct check_result res;
	assert_int_equal(check_store(v->fx->st, stderr, &res), 0);
	assert_int_equal(res.problems, 0);
	assert_int_equal(res.tasks, 20);
	assert_int_equal(res.customers, 2);
	assert_int_equal(res.operators, 3);
	assert_int_equal(res.changes, res.revision);
	assert_true(res.revision > 20);
}

/* Damage written behind the domain's back is found and named. */
static void test_damage_is_reported(void **state)
{
	struct cfx *v = *state;
	struct txn t;
	txn_begin(&t, v->fx->st, NULL, true);
	/* A task loses its by_planned entry; a stale entry points nowhere. */
	MDB_cursor *c;
	assert_int_equal(mdb_cursor_open(t.txn, txn_dbi(&t, DB_BY_PLANNED), &c), 0);
	MDB_val k, val;
	assert_int_equal(mdb_cursor_get(c, &k, &val, MDB_FIRST), 0);
	assert_int_equal(mdb_cursor_del(c, 0), 0);
	mdb_cursor_close(c);
	uint8_t stale[16];
	key_time(stale, FX_NOW);
	key_u64(stale + 8, 999999);
	txn_put(&t, DB_BY_PLANNED, stale, sizeof(stale), "", 0);
	assert_int_equal(txn_commit(&t), 0);

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct check_result res;
	assert_int_equal(check_store(v->fx->st, out, &res), 0);
	fclose(out);
	assert_int_equal(res.problems, 2);
	assert_non_null(strstr(text, "missing from by_planned"));
	assert_non_null(strstr(text, "missing task 999999"));
	free(text);
}

/* The change set of `rev`, unpacked into `a`, or written back. */
static Clubcrm__ChangeSet *change_set(struct txn *t, struct arena *a,
				      uint64_t rev)
{
	Clubcrm__ChangeSet *cs = NULL;
	assert_int_equal(txn_get_rec(t, DB_CHANGES, rev,
				     &clubcrm__change_set__descriptor, a,
				     (void **)&cs), 0);
	return cs;
}

static char *check_text(struct store *st, struct check_result *res)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_int_equal(check_store(st, out, res), 0);
	fclose(out);
	return text;
}

/* A task's chain through the change log that does not reach its creation
 * (one change's link lost), and one that loops, are each named once. */
static void test_broken_chain_is_reported(void **state)
{
	struct cfx *v = *state;
	Clubcrm__Task *task = fx_task(v->fx, &v->c, "Chain", FX_NOW);
	Clubcrm__TakeTask tk = CLUBCRM__TAKE_TASK__INIT;
	tk.has_id = 1;
	tk.id = task->id;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(TAKE_TASK);
	f.take_task = &tk;
	uint64_t taken = 0;
	fx_write_rev(v->fx, fx_actor(v->c.bea, 0), &f, &taken);
	assert_true(taken > task->create_rev);

	struct arena a;
	arena_init(&a);
	struct txn t;
	txn_begin(&t, v->fx->st, NULL, true);
	Clubcrm__ChangeSet *cs = change_set(&t, &a, taken);
	Clubcrm__Event *ev = changelog_task_event(cs, task->id);
	assert_non_null(ev);
	assert_int_equal(ev->prev_revision, task->create_rev);
	ev->prev_revision = 0;  /* as if created at `taken` */
	txn_put_rec(&t, DB_CHANGES, taken, &cs->base);
	assert_int_equal(txn_commit(&t), 0);
	struct check_result res;
	char *text = check_text(v->fx->st, &res);
	assert_int_equal(res.problems, 1);
	char want[128];
	snprintf(want, sizeof(want),
		 "task %llu: its history is broken at revision %llu: the "
		 "chain ends before the task's creation",
		 (unsigned long long)task->id, (unsigned long long)taken);
	assert_non_null(strstr(text, want));
	free(text);

	txn_begin(&t, v->fx->st, NULL, true);
	cs = change_set(&t, &a, taken);
	changelog_task_event(cs, task->id)->prev_revision = taken;
	txn_put_rec(&t, DB_CHANGES, taken, &cs->base);
	assert_int_equal(txn_commit(&t), 0);
	text = check_text(v->fx->st, &res);
	assert_int_equal(res.problems, 1);
	assert_non_null(strstr(text, "is not older (a loop)"));
	free(text);
	arena_free(&a);
}

/* A task change no chain reaches: an event of a task put into a change
 * set its record's chain skips. */
static void test_change_outside_every_chain_is_reported(void **state)
{
	struct cfx *v = *state;
	Clubcrm__Task *task = fx_task(v->fx, &v->c, "Stray", FX_NOW);
	uint64_t rev = store_revision(v->fx->st);
	struct arena a;
	arena_init(&a);
	struct txn t;
	txn_begin(&t, v->fx->st, NULL, true);
	/* Revision 1 made the team: now it also claims to change the task. */
	Clubcrm__ChangeSet *cs = change_set(&t, &a, 1);
	Clubcrm__ChangeSet *mine = change_set(&t, &a, task->create_rev);
	Clubcrm__Event **evs = arena_calloc(&a, cs->n_events + 1,
					    sizeof(*evs));
	memcpy(evs, cs->events, cs->n_events * sizeof(*evs));
	evs[cs->n_events++] = changelog_task_event(mine, task->id);
	cs->events = evs;
	txn_put_rec(&t, DB_CHANGES, 1, &cs->base);
	assert_int_equal(txn_commit(&t), 0);
	struct check_result res;
	char *text = check_text(v->fx->st, &res);
	assert_int_equal(res.problems, 1);
	assert_non_null(strstr(text, "change log: "));
	assert_non_null(strstr(text, "in the tasks' histories"));
	assert_int_equal(store_revision(v->fx->st), rev);
	free(text);
	arena_free(&a);
}

static void test_backup_is_a_consistent_copy(void **state)
{
	struct cfx *v = *state;
	char dir[64] = "/tmp/clubcrm-backup-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char file[128];
	snprintf(file, sizeof(file), "%s/data.mdb", dir);
	assert_int_equal(store_backup(v->fx->st, file), 0);
	/* An existing file is never overwritten. */
	assert_int_equal(store_backup(v->fx->st, file), -EEXIST);

	/* Restore: the copy is the data file of a new data directory. */
	struct store *copy;
	assert_int_equal(store_open(dir, 32u << 20, &copy), 0);
	struct check_result a, b;
	assert_int_equal(check_store(v->fx->st, NULL, &a), 0);
	assert_int_equal(check_store(copy, stderr, &b), 0);
	assert_int_equal(b.problems, 0);
	assert_int_equal(b.revision, a.revision);
	assert_int_equal(b.tasks, a.tasks);
	assert_int_equal(store_revision(copy), store_revision(v->fx->st));
	store_close(copy);
	fx_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_healthy_club_has_no_problems,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_is_reported, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_broken_chain_is_reported,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_change_outside_every_chain_is_reported, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_backup_is_a_consistent_copy,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
