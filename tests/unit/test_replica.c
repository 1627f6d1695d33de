/* The client's local replica of a live view. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "replica.h"
#include "taskrow.h"

struct seen {
	int added, changed, removed, synced, catalog;
	uint64_t last_removed;
};

static void on_row(struct replica *r, enum replica_change what,
		   const Clubcrm__TaskRow *row, void *ud)
{
	(void)r;
	struct seen *s = ud;
	if (what == REPLICA_ADDED)
		s->added++;
	else if (what == REPLICA_CHANGED)
		s->changed++;
	else {
		s->removed++;
		s->last_removed = row->task->id;
	}
}

static void on_synced(struct replica *r, void *ud)
{
	(void)r;
	((struct seen *)ud)->synced++;
}

static void on_catalog(struct replica *r, void *ud)
{
	(void)r;
	((struct seen *)ud)->catalog++;
}

static const struct replica_callbacks cbs = {
	.on_row = on_row, .on_synced = on_synced, .on_catalog = on_catalog};

/* Rows on the stack: the replica copies what it keeps. */
struct rowbuf {
	Clubcrm__Task task;
	Clubcrm__TaskRow row;
};

static Clubcrm__TaskRow *mkrow(struct rowbuf *b, uint64_t id, uint64_t rev,
			       int64_t planned, const char *desc)
{
	clubcrm__task__init(&b->task);
	clubcrm__task_row__init(&b->row);
	b->task.has_id = b->task.has_mod_rev = b->task.has_planned_at = 1;
	b->task.id = id;
	b->task.mod_rev = rev;
	b->task.planned_at = planned;
	b->task.created_at = (int64_t)id * 10;
	b->task.has_created_at = 1;
	b->task.description = (char *)desc;
	b->row.task = &b->task;
	return &b->row;
}

static void snapshot(struct replica *r, Clubcrm__TaskRow **rows, size_t n,
		     uint64_t rev)
{
	Clubcrm__SnapshotChunk c = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	c.rows = rows;
	c.n_rows = n;
	replica_begin(r, false, rev);
	assert_int_equal(replica_apply_chunk(r, &c), 0);
	Clubcrm__SnapshotDone d = CLUBCRM__SNAPSHOT_DONE__INIT;
	d.revision = rev;
	assert_int_equal(replica_apply_done(r, &d), 0);
}

static void test_snapshot_then_deltas(void **state)
{
	(void)state;
	struct seen s = {0};
	struct replica r;
	replica_init(&r, 1, &cbs, &s);
	struct rowbuf b[3];
	Clubcrm__TaskRow *rows[] = {mkrow(&b[0], 1, 5, 300, "a"),
				    mkrow(&b[1], 2, 6, 100, "b"),
				    mkrow(&b[2], 3, 7, 200, "c")};
	snapshot(&r, rows, 3, 7);
	assert_int_equal(replica_count(&r), 3);
	assert_int_equal(replica_revision(&r), 7);
	assert_int_equal(s.added, 3);
	assert_int_equal(s.synced, 1);

	const Clubcrm__TaskRow **sorted = replica_sorted(&r, REPLICA_BY_PLANNED);
	assert_int_equal(sorted[0]->task->id, 2);
	assert_int_equal(sorted[2]->task->id, 1);
	free(sorted);
	sorted = replica_sorted(&r, REPLICA_BY_CREATED_DESC);
	assert_int_equal(sorted[0]->task->id, 3);
	free(sorted);

	/* A delta: row 2 changes, row 3 leaves, row 4 arrives. */
	struct rowbuf nb[2];
	Clubcrm__TaskRow *up[] = {mkrow(&nb[0], 2, 8, 100, "b2"),
				  mkrow(&nb[1], 4, 8, 50, "d")};
	uint64_t gone[] = {3, 99};
	Clubcrm__Delta d = CLUBCRM__DELTA__INIT;
	d.revision = 8;
	d.upserts = up;
	d.n_upserts = 2;
	d.removed_ids = gone;
	d.n_removed_ids = 2;
	assert_int_equal(replica_apply_delta(&r, &d), 0);
	assert_int_equal(replica_count(&r), 3);
	assert_string_equal(replica_get(&r, 2)->task->description, "b2");
	assert_null(replica_get(&r, 3));
	assert_non_null(replica_get(&r, 4));
	assert_int_equal(s.changed, 1);
	assert_int_equal(s.removed, 1);
	assert_int_equal(s.last_removed, 3);
	assert_int_equal(replica_revision(&r), 8);

	/* The same delta again (a replay) changes nothing but is harmless. */
	assert_int_equal(replica_apply_delta(&r, &d), 0);
	assert_int_equal(replica_count(&r), 3);
	/* An older version of a row never overwrites a newer one. */
	struct rowbuf ob;
	Clubcrm__TaskRow *old[] = {mkrow(&ob, 2, 6, 100, "stale")};
	Clubcrm__Delta od = CLUBCRM__DELTA__INIT;
	od.upserts = old;
	od.n_upserts = 1;
	od.revision = 6;
	assert_int_equal(replica_apply_delta(&r, &od), 0);
	assert_string_equal(replica_get(&r, 2)->task->description, "b2");
	assert_int_equal(replica_revision(&r), 8);
	replica_free(&r);
}

static void test_fresh_snapshot_replaces_rows(void **state)
{
	(void)state;
	struct seen s = {0};
	struct replica r;
	replica_init(&r, 1, &cbs, &s);
	struct rowbuf b[3];
	Clubcrm__TaskRow *rows[] = {mkrow(&b[0], 1, 5, 1, "a"),
				    mkrow(&b[1], 2, 5, 2, "b"),
				    mkrow(&b[2], 3, 5, 3, "c")};
	snapshot(&r, rows, 3, 5);
	/* After a reconnect that could not resume: only rows 2 and 5 remain. */
	struct rowbuf nb[2];
	Clubcrm__TaskRow *again[] = {mkrow(&nb[0], 2, 9, 2, "b"),
				     mkrow(&nb[1], 5, 9, 5, "e")};
	s = (struct seen){0};
	snapshot(&r, again, 2, 9);
	assert_int_equal(replica_count(&r), 2);
	assert_int_equal(s.removed, 2);
	assert_int_equal(s.added, 1);
	assert_null(replica_get(&r, 1));
	assert_null(replica_get(&r, 3));
	assert_non_null(replica_get(&r, 5));
	replica_free(&r);
}

/* Many rows: the hash table grows and deletes keep every row reachable. */
static void test_many_rows(void **state)
{
	(void)state;
	struct replica r;
	replica_init(&r, 1, NULL, NULL);
	replica_begin(&r, true, 0);
	for (uint64_t id = 1; id <= 5000; id++) {
		struct rowbuf b;
		Clubcrm__TaskRow *row[] = {mkrow(&b, id * 7919, 1, (int64_t)id, "x")};
		Clubcrm__Delta d = CLUBCRM__DELTA__INIT;
		d.upserts = row;
		d.n_upserts = 1;
		assert_int_equal(replica_apply_delta(&r, &d), 0);
	}
	assert_int_equal(replica_count(&r), 5000);
	for (uint64_t id = 1; id <= 5000; id += 2) {
		uint64_t gone = id * 7919;
		Clubcrm__Delta d = CLUBCRM__DELTA__INIT;
		d.removed_ids = &gone;
		d.n_removed_ids = 1;
		assert_int_equal(replica_apply_delta(&r, &d), 0);
	}
	assert_int_equal(replica_count(&r), 2500);
	for (uint64_t id = 1; id <= 5000; id++) {
		if (id % 2)
			assert_null(replica_get(&r, id * 7919));
		else
			assert_non_null(replica_get(&r, id * 7919));
	}
	replica_free(&r);
}

static void test_catalog_merges_by_id(void **state)
{
	(void)state;
	struct seen s = {0};
	struct replica r;
	replica_init(&r, 1, &cbs, &s);
	Clubcrm__TaskType t1 = CLUBCRM__TASK_TYPE__INIT, t2 = CLUBCRM__TASK_TYPE__INIT;
	t1.has_id = t2.has_id = 1;
	t1.id = 1;
	t1.name = "Call";
	t2.id = 2;
	t2.name = "Objection";
	Clubcrm__TaskType *types[] = {&t1, &t2};
	Clubcrm__Catalog cat = CLUBCRM__CATALOG__INIT;
	cat.task_types = types;
	cat.n_task_types = 2;
	Clubcrm__Customer cu = CLUBCRM__CUSTOMER__INIT;
	cu.has_id = 1;
	cu.id = 4;
	cu.name = "Arantxa";
	Clubcrm__Customer *cus[] = {&cu};
	Clubcrm__SnapshotChunk c = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	c.catalog = &cat;
	c.customers = cus;
	c.n_customers = 1;
	replica_begin(&r, false, 3);
	assert_int_equal(replica_apply_chunk(&r, &c), 0);
	assert_int_equal(r.cat.n_task_types, 2);
	assert_int_equal(r.cat.n_customers, 1);

	t1.name = "Phone call";
	Clubcrm__TaskType *one[] = {&t1};
	Clubcrm__Catalog changed = CLUBCRM__CATALOG__INIT;
	changed.task_types = one;
	changed.n_task_types = 1;
	Clubcrm__Delta d = CLUBCRM__DELTA__INIT;
	d.catalog = &changed;
	d.revision = 4;
	assert_int_equal(replica_apply_delta(&r, &d), 0);
	assert_int_equal(r.cat.n_task_types, 2);
	assert_string_equal(r.cat.task_types[0]->name, "Phone call");
	assert_int_equal(s.catalog, 2);
	replica_free(&r);
}

static Clubcrm__Delta *mkdelta(Clubcrm__Delta *d, uint64_t rev,
			       Clubcrm__TaskRow **up, size_t n)
{
	clubcrm__delta__init(d);
	d->revision = rev;
	d->upserts = up;
	d->n_upserts = n;
	return d;
}

/*
 * A resumed Subscribed names the server's revision before the replay; a cut
 * right after it, or among the replay's deltas (all of them carry that
 * revision), must leave the replica at what it had, or the next resume asks
 * for nothing and the rest is lost for good.
 */
static void test_resume_advances_only_when_replayed(void **state)
{
	(void)state;
	struct seen s = {0};
	struct replica r;
	replica_init(&r, 1, &cbs, &s);
	struct rowbuf b[1];
	Clubcrm__TaskRow *rows[] = {mkrow(&b[0], 1, 5, 100, "a")};
	snapshot(&r, rows, 1, 5);

	/* Cut right after Subscribed(resumed, 9): nothing applied. */
	replica_begin(&r, true, 9);
	assert_int_equal(replica_revision(&r), 5);

	/* Cut in the middle of the replay: one delta of two applied. */
	replica_begin(&r, true, 9);
	struct rowbuf nb[3];
	Clubcrm__TaskRow *up1[] = {mkrow(&nb[0], 1, 7, 100, "a2")};
	Clubcrm__Delta d;
	assert_int_equal(replica_apply_delta(&r, mkdelta(&d, 9, up1, 1)), 0);
	assert_int_equal(replica_revision(&r), 5);
	assert_string_equal(replica_get(&r, 1)->task->description, "a2");

	/* The next resume replays again; now the barrier says it is whole. */
	replica_begin(&r, true, 9);
	assert_int_equal(replica_apply_delta(&r, mkdelta(&d, 9, up1, 1)), 0);
	Clubcrm__TaskRow *up2[] = {mkrow(&nb[1], 2, 8, 50, "b")};
	assert_int_equal(replica_apply_delta(&r, mkdelta(&d, 9, up2, 1)), 0);
	assert_int_equal(replica_revision(&r), 5);
	replica_resume_done(&r);
	assert_int_equal(replica_revision(&r), 9);
	assert_int_equal(replica_count(&r), 2);

	/* A live delta newer than the resume proves the replay ended. */
	replica_begin(&r, true, 12);
	assert_int_equal(replica_revision(&r), 9);
	Clubcrm__TaskRow *up3[] = {mkrow(&nb[2], 3, 13, 70, "c")};
	assert_int_equal(replica_apply_delta(&r, mkdelta(&d, 13, up3, 1)), 0);
	assert_int_equal(replica_revision(&r), 13);
	replica_resume_done(&r);  /* late: must not move it back */
	assert_int_equal(replica_revision(&r), 13);

	/* A resume that could not be (a snapshot instead) forgets its target. */
	replica_begin(&r, true, 20);
	snapshot(&r, rows, 1, 18);
	replica_resume_done(&r);
	assert_int_equal(replica_revision(&r), 18);
	replica_free(&r);
}

/* The order every listing must give, by sorting all rows from scratch. */
static int ref_planned(const void *a, const void *b)
{
	const Clubcrm__Task *x = (*(const Clubcrm__TaskRow *const *)a)->task;
	const Clubcrm__Task *y = (*(const Clubcrm__TaskRow *const *)b)->task;
	if (x->planned_at != y->planned_at)
		return x->planned_at < y->planned_at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int ref_created_desc(const void *a, const void *b)
{
	const Clubcrm__Task *x = (*(const Clubcrm__TaskRow *const *)a)->task;
	const Clubcrm__Task *y = (*(const Clubcrm__TaskRow *const *)b)->task;
	if (x->created_at != y->created_at)
		return x->created_at > y->created_at ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

static void assert_sorted_as_reference(const struct replica *r,
				       enum replica_order order)
{
	size_t n = replica_count(r);
	const Clubcrm__TaskRow **got = replica_sorted(r, order);
	assert_non_null(got);
	const Clubcrm__TaskRow **want = calloc(n, sizeof(*want));
	assert_non_null(want);
	size_t k = 0;
	for (size_t i = 0; i < r->cap; i++)
		if (r->slots[i].row)
			want[k++] = r->slots[i].row;
	assert_int_equal(k, n);
	qsort(want, n, sizeof(*want),
	      order == REPLICA_BY_PLANNED ? ref_planned : ref_created_desc);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(got[i], want[i]);
	free(got);
	free(want);
}

/*
 * A snapshot arriving in chunks of rows decoded by hand (as live.c hands
 * them over), listed between chunks as a front end redraws: the kept order
 * merges the added rows in and stays the order of a full sort, also across
 * negative and equal planned times, a change, a removal, a switch of order
 * and a fresh snapshot.
 */
static void test_sorted_kept_across_chunks(void **state)
{
	(void)state;
	struct seen seen = {0};
	struct replica r;
	replica_init(&r, 1, &cbs, &seen);
	replica_begin(&r, false, 0);
	uint64_t x = 12345;
	for (int chunk = 0; chunk < 12; chunk++) {
		size_t n = chunk == 0 ? 3 : 1 + (size_t)(x % 700);
		Clubcrm__TaskRow **rows = calloc(n, sizeof(*rows));
		assert_non_null(rows);
		for (size_t i = 0; i < n; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			struct rowbuf b;
			int64_t planned = (int64_t)(x >> 40) % 500 - 250;
			mkrow(&b, 1 + (x >> 20) % 5000, 1, planned, NULL);
			b.task.has_created_at = 1;
			b.task.created_at = (int64_t)(x >> 50) % 300 - 100;
			rows[i] = taskrow_copy(&b.row);
			assert_non_null(rows[i]);
		}
		assert_int_equal(replica_apply_rows(&r, rows, n), 0);
		free(rows);
		assert_sorted_as_reference(&r, REPLICA_BY_PLANNED);
		if (chunk % 4 == 3) {
			/* Nothing changed: the same order again. */
			assert_sorted_as_reference(&r, REPLICA_BY_PLANNED);
			assert_sorted_as_reference(&r, REPLICA_BY_CREATED_DESC);
		}
	}
	/* A change (a newer revision moves a row) and a removal. */
	const Clubcrm__TaskRow **some = replica_sorted(&r, REPLICA_BY_PLANNED);
	assert_non_null(some);
	uint64_t moved = some[0]->task->id, gone = some[1]->task->id;
	free(some);
	struct rowbuf b;
	Clubcrm__Delta d = CLUBCRM__DELTA__INIT;
	Clubcrm__TaskRow *up[1] = {mkrow(&b, moved, 5, 100000, NULL)};
	uint64_t removed[1] = {gone};
	d.upserts = up;
	d.n_upserts = 1;
	d.removed_ids = removed;
	d.n_removed_ids = 1;
	d.revision = 9;
	assert_int_equal(replica_apply_delta(&r, &d), 0);
	assert_null(replica_get(&r, gone));
	assert_sorted_as_reference(&r, REPLICA_BY_PLANNED);
	some = replica_sorted(&r, REPLICA_BY_PLANNED);
	assert_true(some[replica_count(&r) - 1]->task->id == moved);
	free(some);
	/* A row without a task is refused and freed; the rows after it in
	 * the same call too (ASan checks the frees). */
	Clubcrm__TaskRow *bad[2];
	bad[0] = taskrow_copy(&(Clubcrm__TaskRow)CLUBCRM__TASK_ROW__INIT);
	bad[1] = taskrow_copy(mkrow(&b, 77777, 1, 1, NULL));
	assert_non_null(bad[0]);
	assert_non_null(bad[1]);
	size_t before = replica_count(&r);
	assert_int_equal(replica_apply_rows(&r, bad, 2), -EINVAL);
	assert_int_equal(replica_count(&r), before);
	assert_sorted_as_reference(&r, REPLICA_BY_CREATED_DESC);
	replica_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_then_deltas),
		cmocka_unit_test(test_fresh_snapshot_replaces_rows),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_sorted_kept_across_chunks),
		cmocka_unit_test(test_catalog_merges_by_id),
		cmocka_unit_test(test_resume_advances_only_when_replayed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
