/*
 * The store with its journal (store.h, "The journal"; journaled.c): what a
 * batch wrote is read before any checkpoint, through every read (a record,
 * a cursor over an index, a count) and by the views; a process that dies
 * without a checkpoint loses no batch (the next opener replays them, and
 * `check` finds the store whole); a refused op leaves nothing in the
 * journal; a torn tail is ignored; a replay that does not fit the map
 * grows it; another process opening the store while a server journals
 * reads the last checkpoint and replays nothing.
 */
#include "domain_fixture.h"

#include <sys/wait.h>

#include "check.h"
#include "tasks.h"
#include "cursor.h"
#include "txn.h"
#include "overlay.h"
#include "store_lmdb.h"

static void journal_on(struct fx *fx)
{
	assert_int_equal(store_journal_start(fx->st, fx->dir), 0);
}

static size_t count_of(struct store *st, enum store_db db)
{
	struct txn t;
	size_t n = 0;
	txn_begin(&t, st, NULL, false);
	assert_int_equal(txn_count(&t, db, &n), 0);
	txn_abort(&t);
	return n;
}

/* The entries of an index, walked forward and backward. */
static size_t walk(struct store *st, enum store_db db, bool backward)
{
	struct txn t;
	struct txn_cursor c;
	size_t n = 0;
	txn_begin(&t, st, NULL, false);
	int rc = txn_cursor_open(&c, &t, db);
	for (rc = rc ? rc : backward ? txn_cursor_seek_before(&c, NULL, 0)
				     : txn_cursor_seek(&c, NULL, 0);
	     rc == 0; rc = backward ? txn_cursor_prev(&c) : txn_cursor_next(&c))
		n++;
	assert_int_equal(rc, -ENOENT);
	txn_cursor_close(&c);
	txn_abort(&t);
	return n;
}

static Clubcrm__Task *read_task(struct fx *fx, uint64_t id)
{
	struct txn t;
	void *out = NULL;
	txn_begin(&t, fx->st, NULL, false);
	int rc = txn_get_rec(&t, DB_TASKS, id, &clubcrm__task__descriptor,
			     &fx->a, &out);
	txn_abort(&t);
	return rc ? NULL : out;
}

/*
 * A server's writer in a child process: the store closed here, opened
 * there with its journal, `body` run (its return is the child's exit
 * status), and the child gone without closing anything, as after a
 * SIGKILL. Then the store is opened here again: the replay's turn.
 */
typedef int (*writer_body)(struct fx *fx, const struct club *c);

static void killed_writer(struct fx *fx, const struct club *c,
			  size_t child_map, writer_body body, size_t map)
{
	store_close(fx->st);
	fx->st = NULL;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *st;
		if (store_open(fx->dir, child_map, &st) ||
		    store_journal_start(st, fx->dir))
			_exit(2);
		fx->st = st;
		_exit(body(fx, c));
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(store_open(fx->dir, map, &fx->st), 0);
}

static void assert_whole(struct fx *fx, unsigned long tasks)
{
	struct check_result res;
	assert_int_equal(check_store(fx->st, NULL, &res), 0);
	assert_int_equal(res.problems, 0);
	if (tasks)
		assert_int_equal(res.tasks, tasks);
}

/* Before any checkpoint, every read sees the batches: a record, the
 * index walked both ways, the counts; after one, the same. */
static void test_reads_before_and_after_a_checkpoint(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	size_t tasks0 = count_of(fx->st, DB_TASKS);
	size_t planned0 = count_of(fx->st, DB_BY_PLANNED);
	journal_on(fx);
	Clubcrm__Task *t1 = fx_task(fx, &c, "journalled one", FX_NOW + 60);
	Clubcrm__Task *t2 = fx_task(fx, &c, "journalled two", FX_NOW + 120);
	assert_true(store_checkpoint_pending(fx->st));
	Clubcrm__Task *r = read_task(fx, t2->id);
	assert_non_null(r);
	assert_string_equal(r->description, "journalled two");
	assert_int_equal(count_of(fx->st, DB_TASKS), tasks0 + 2);
	assert_int_equal(count_of(fx->st, DB_BY_PLANNED), planned0 + 2);
	assert_int_equal(walk(fx->st, DB_BY_PLANNED, false), planned0 + 2);
	assert_int_equal(walk(fx->st, DB_BY_PLANNED, true), planned0 + 2);
	assert_int_equal(store_revision(fx->st), t2->mod_rev);
	assert_int_equal(store_checkpoint(fx->st), 0);
	assert_false(store_checkpoint_pending(fx->st));
	r = read_task(fx, t1->id);
	assert_non_null(r);
	assert_string_equal(r->description, "journalled one");
	assert_int_equal(count_of(fx->st, DB_TASKS), tasks0 + 2);
	assert_int_equal(walk(fx->st, DB_BY_PLANNED, true), planned0 + 2);
	/* What the checkpoint let go of in the overlay is freed afterwards,
	 * a slice a step (the writer's gaps), and the reads stay the same. */
	size_t held = overlay_bytes(fx->st->ov);
	while (!store_retire_step(fx->st))
		;
	assert_true(overlay_bytes(fx->st->ov) < held);
	assert_true(store_retire_step(fx->st));
	r = read_task(fx, t2->id);
	assert_non_null(r);
	assert_string_equal(r->description, "journalled two");
	assert_int_equal(count_of(fx->st, DB_TASKS), tasks0 + 2);
	assert_int_equal(walk(fx->st, DB_BY_PLANNED, false), planned0 + 2);
	assert_int_equal(walk(fx->st, DB_BY_PLANNED, true), planned0 + 2);
	assert_whole(fx, 0);
	fx_close(fx);
}

/* A server killed without a checkpoint: its batches are in the journal
 * only, and whoever opens the store next replays them. */
static int fifty_tasks(struct fx *fx, const struct club *c)
{
	for (int i = 0; i < 50; i++)
		fx_task(fx, c, "before the kill", FX_NOW + 60 + i);
	return store_checkpoint_pending(fx->st) ? 0 : 3;
}

static void test_a_killed_writer_loses_nothing(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	killed_writer(fx, &c, 8u << 20, fifty_tasks, 8u << 20);
	assert_int_equal(store_revision(fx->st), rev0 + 50);
	assert_whole(fx, 50);
	/* Replayed once: a second opening finds nothing more to do. */
	store_close(fx->st);
	assert_int_equal(store_open(fx->dir, 8u << 20, &fx->st), 0);
	assert_int_equal(store_revision(fx->st), rev0 + 50);
	fx_close(fx);
}

/* A batch with a refused op journals only the others: the replay after a
 * kill gives the store the server had. */
static int good_and_bad(struct fx *fx, const struct club *c)
{
	uint64_t rev0 = store_revision(fx->st);
	Clubcrm__CreateTask good = fx_new_task(c, "good", FX_NOW + 60);
	Clubcrm__CreateTask bad = fx_new_task(c, "bad", FX_NOW + 60);
	bad.customer_id = 999;
	Clubcrm__Frame f[2];
	for (int i = 0; i < 2; i++) {
		Clubcrm__Frame init = CLUBCRM__FRAME__INIT;
		f[i] = init;
		f[i].has_request_id = 1;
		f[i].request_id = (uint64_t)i + 1;
		f[i].body_case = BODY(CREATE_TASK);
	}
	f[0].create_task = &bad;
	f[1].create_task = &good;
	struct service_write_op ops[2] = {
		{.who = fx_actor(c->ana, 1), .req = &f[0]},
		{.who = fx_actor(c->ana, 1), .req = &f[1]},
	};
	int rc = service_write_batch(fx->st, ops, 2);
	return rc == 0 && ops[0].revision == 0 &&
	       ops[1].revision == rev0 + 1 ? 0 : 3;
}

static void test_a_refused_op_is_not_replayed(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	killed_writer(fx, &c, 8u << 20, good_and_bad, 8u << 20);
	assert_int_equal(store_revision(fx->st), rev0 + 1);
	assert_whole(fx, 1);
	fx_close(fx);
}

/* Bytes after the journal's last record (a torn append) end the log: the
 * records before them are replayed, nothing after. */
static int three_tasks(struct fx *fx, const struct club *c)
{
	for (int i = 0; i < 3; i++)
		fx_task(fx, c, "kept", FX_NOW + 60 + i);
	return 0;
}

static void test_a_torn_tail_is_ignored(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	killed_writer(fx, &c, 8u << 20, three_tasks, 8u << 20);
	store_close(fx->st);  /* replayed; the torn tail is written after */
	fx->st = NULL;
	/* Where the log ends: the first all-zero header after the records. */
	char seg[200];
	snprintf(seg, sizeof(seg), "%s/journal/0000000000000001.jnl", fx->dir);
	int fd = open(seg, O_RDWR);
	assert_true(fd >= 0);
	static uint8_t buf[1 << 16];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	assert_true(n > 0);
	size_t end = (size_t)n;
	while (end > 0 && buf[end - 1] == 0)
		end--;
	assert_true(end > 0 && end + 200 < (size_t)n);
	uint8_t junk[200];
	memcpy(junk, buf, sizeof(junk));  /* a header-like start */
	junk[16] ^= 0x55;
	assert_int_equal(pwrite(fd, junk, sizeof(junk), (off_t)end + 8),
			 (ssize_t)sizeof(junk));
	close(fd);
	assert_int_equal(store_open(fx->dir, 8u << 20, &fx->st), 0);
	assert_int_equal(store_revision(fx->st), rev0 + 3);
	assert_whole(fx, 3);
	fx_close(fx);
}

/* Batches that filled the server's map in its long transaction are
 * replayed into an opener's smaller map: it grows. */
static int big_tasks(struct fx *fx, const struct club *c)
{
	static char desc[TASKS_DESC_MAX + 1];
	memset(desc, 'x', TASKS_DESC_MAX);
	for (int i = 0; i < 400; i++)
		fx_task(fx, c, desc, FX_NOW + 60 + i);
	return 0;
}

/* A checkpoint is due by what the overlay holds, the clock bounding it:
 * a slow stream of writes is checkpointed seldom (fewer bytes a write),
 * never later than STORE_CHECKPOINT_MAX_NS. */
static void test_checkpoint_wanted_by_bytes_then_age(void **state)
{
	(void)state;
	const uint64_t ms = 1000u * 1000u;
	const size_t mib = (size_t)1 << 20;
	assert_false(store_checkpoint_wanted(0, 0));
	assert_false(store_checkpoint_wanted(999 * ms, 63 * mib));
	assert_true(store_checkpoint_wanted(1, STORE_CHECKPOINT_BYTES));
	assert_false(store_checkpoint_wanted(STORE_CHECKPOINT_NS,
					     STORE_CHECKPOINT_MIN_BYTES - 1));
	assert_true(store_checkpoint_wanted(STORE_CHECKPOINT_NS,
					    STORE_CHECKPOINT_MIN_BYTES));
	assert_false(store_checkpoint_wanted(STORE_CHECKPOINT_MAX_NS - 1,
					     4096));
	assert_true(store_checkpoint_wanted(STORE_CHECKPOINT_MAX_NS, 4096));
	assert_true(STORE_CHECKPOINT_MIN_BYTES < STORE_CHECKPOINT_BYTES &&
		    STORE_CHECKPOINT_NS < STORE_CHECKPOINT_MAX_NS);
}

static void test_replay_grows_the_map(void **state)
{
	(void)state;
	struct fx *fx = fx_open(1u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	killed_writer(fx, &c, 64u << 20, big_tasks, 1u << 20);
	assert_int_equal(store_revision(fx->st), rev0 + 400);
	fx_close(fx);
}

/* While a server journals, another process's store_open replays nothing:
 * it waits for LMDB's write lock, which the long transaction holds until
 * the server's next checkpoint, and then reads that checkpoint, which holds
 * everything. (check and backup never wait: store_open_tool,
 * test_tool_open.c.) */
static void test_another_opener_reads_the_checkpoint(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	journal_on(fx);
	fx_task(fx, &c, "after the checkpoint", FX_NOW + 60);
	uint64_t rev1 = store_revision(fx->st);
	assert_int_equal(rev1, rev0 + 1);
	assert_int_equal(store_checkpoint(fx->st), 0);
	fx_task(fx, &c, "journalled only", FX_NOW + 120);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *st;
		if (store_open(fx->dir, 8u << 20, &st))
			_exit(2);
		uint64_t rev = store_revision(st);
		store_close(st);
		_exit(rev == rev1 + 1 ? 0 : 3);
	}
	assert_int_equal(store_checkpoint(fx->st), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(store_revision(fx->st), rev1 + 1);
	fx_close(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_before_and_after_a_checkpoint),
		cmocka_unit_test(test_a_killed_writer_loses_nothing),
		cmocka_unit_test(test_a_refused_op_is_not_replayed),
		cmocka_unit_test(test_a_torn_tail_is_ignored),
		cmocka_unit_test(test_checkpoint_wanted_by_bytes_then_age),
		cmocka_unit_test(test_replay_grows_the_map),
		cmocka_unit_test(test_another_opener_reads_the_checkpoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
