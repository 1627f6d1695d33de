/*
 * The tools' open (store.h, store_open_tool; `clubcrmd check` and `backup`)
 * and check's verdict on the journal (check.h, check_journal). Next to a
 * running server, whose long write transaction holds LMDB's writer lock
 * between checkpoints, they never wait: they read its last checkpoint and
 * replay nothing, and an older database is refused clearly. Without one,
 * the journal is replayed as by any opener, after being verified as found:
 * damage (valid records after a bad one) is a problem, a torn tail is not.
 */
#include "domain_fixture.h"

#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "backup.h"
#include "check.h"
#include "store_err.h"
#include "store_lmdb.h"
#include "txn.h"

/* A tool that waits for the server's writer lock would wait forever in
 * these tests: the hang detector (not a timing assertion) kills the test. */
#define HANG_SECONDS 120

struct served {
	pid_t pid;
	int go;  /* closed or written: the server goes (as if killed) */
};

/*
 * A server in a child process: the store opened with its journal, one
 * task checkpointed, one more journalled only, its long write transaction
 * (LMDB's writer lock) left open: it never checkpoints again. It goes when
 * told, or when this process dies, without closing anything.
 */
static struct served serve(struct fx *fx, const struct club *c)
{
	store_close(fx->st);
	fx->st = NULL;
	int ready[2], go[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		struct store *st;
		if (store_open(fx->dir, 8u << 20, &st) ||
		    store_journal_start(st, fx->dir))
			_exit(2);
		fx->st = st;
		fx_task(fx, c, "checkpointed", FX_NOW + 60);
		if (store_checkpoint(st))
			_exit(3);
		fx_task(fx, c, "journalled only", FX_NOW + 120);
		if (!store_checkpoint_pending(st) || write(ready[1], "r", 1) != 1)
			_exit(4);
		char b;
		(void)!read(go[0], &b, 1);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	char b;
	assert_int_equal(read(ready[0], &b, 1), 1);
	close(ready[0]);
	return (struct served){.pid = pid, .go = go[1]};
}

static void stop_serving(struct served *s)
{
	assert_int_equal(write(s->go, "g", 1), 1);
	close(s->go);
	int status;
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A server killed after journalling `n` tasks, never checkpointed
 * (with `checkpoint`: checkpointed, then killed). */
static void killed_after(struct fx *fx, const struct club *c, int n,
			 bool checkpoint)
{
	store_close(fx->st);
	fx->st = NULL;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *st;
		if (store_open(fx->dir, 8u << 20, &st) ||
		    store_journal_start(st, fx->dir))
			_exit(2);
		fx->st = st;
		for (int i = 0; i < n; i++)
			fx_task(fx, c, "journalled", FX_NOW + 60 + i);
		if (checkpoint && store_checkpoint(st))
			_exit(4);
		_exit(store_checkpoint_pending(st) != checkpoint ? 0 : 3);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* check_journal's verdict and line. */
static unsigned long journal_verdict(const struct store_tool_view *v,
				     char *text, size_t size)
{
	struct check_result res = {0};
	memset(text, 0, size);
	FILE *f = fmemopen(text, size, "w");
	assert_non_null(f);
	check_journal(v, f, &res);
	fclose(f);
	text[size - 1] = '\0';
	return res.problems;
}

static void expect(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" not in:\n%s", needle, text);
}

static void assert_whole(struct store *st, unsigned long tasks,
			 uint64_t revision)
{
	struct check_result res;
	assert_int_equal(check_store(st, NULL, &res), 0);
	assert_int_equal(res.problems, 0);
	assert_int_equal(res.tasks, tasks);
	assert_int_equal(res.revision, revision);
}

/* Flips a payload byte of the journal's record number `nth` (from 1) in
 * its first segment: that record's checksum fails. */
static void damage_record(struct fx *fx, int nth)
{
	char seg[200];
	snprintf(seg, sizeof(seg), "%s/journal/0000000000000001.jnl", fx->dir);
	int fd = open(seg, O_RDWR);
	assert_true(fd >= 0);
	off_t at = 0;
	for (int i = 1;; i++) {
		uint8_t h[JOURNAL_HEADER_LEN];
		assert_int_equal(pread(fd, h, sizeof(h), at), (ssize_t)sizeof(h));
		assert_memory_equal(h, "CCJL", 4);
		uint32_t len = (uint32_t)h[8] | (uint32_t)h[9] << 8 |
			       (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
		if (i == nth) {
			uint8_t b;
			off_t p = at + JOURNAL_HEADER_LEN + len / 2;
			assert_int_equal(pread(fd, &b, 1, p), 1);
			b ^= 0x10;
			assert_int_equal(pwrite(fd, &b, 1, p), 1);
			break;
		}
		at += (off_t)journal_record_size(len);
	}
	close(fd);
}

static void backup_revision(struct store *st, const char *dir,
			    unsigned long tasks, uint64_t revision)
{
	char copy_dir[128], copy[160];
	snprintf(copy_dir, sizeof(copy_dir), "%s-copy", dir);
	assert_int_equal(mkdir(copy_dir, 0700), 0);
	snprintf(copy, sizeof(copy), "%s/data.mdb", copy_dir);
	assert_int_equal(store_backup(st, copy), 0);
	struct store *cs;
	assert_int_equal(store_open(copy_dir, 8u << 20, &cs), 0);
	assert_whole(cs, tasks, revision);
	store_close(cs);
	fx_rmdir(copy_dir);
}

/*
 * A server holds journal.lock and LMDB's writer lock (a write transaction
 * open, never checkpointed): check and backup do not wait for it, read its
 * last checkpoint, and say the record after it is the server's.
 */
static void test_served_tools_never_wait(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	struct served s = serve(fx, &c);
	alarm(HANG_SECONDS);
	struct store *st;
	struct store_tool_view v;
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &st, &v), 0);
	assert_true(v.served);
	assert_true(v.journal);
	assert_int_equal(v.checkpoint, 1);
	assert_int_equal(v.verify_rc, 0);
	assert_int_equal(v.jv.records, 2);
	assert_int_equal(v.jv.after, 1);
	assert_false(v.jv.follows);
	/* The checkpoint: the first task, not the journalled one. */
	assert_whole(st, 1, rev0 + 1);
	char text[1024];
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 0);
	expect(text, "journal: 1 segment(s), 2 record(s) (batches 1-2)");
	expect(text, "a server is running: this check read its last "
		     "checkpoint (batch 1), the 1 record(s) after it are the "
		     "server's");
	/* Nothing is written beside the server. */
	struct txn t;
	txn_begin(&t, st, NULL, true);
	assert_int_equal(t.ret, -EROFS);
	assert_int_equal(txn_commit(&t), -EROFS);
	backup_revision(st, fx->dir, 1, rev0 + 1);
	store_close(st);
	alarm(0);
	/* The server goes as if killed: its journalled task is replayed. */
	stop_serving(&s);
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_false(v.served);
	assert_int_equal(v.jv.after, 1);
	assert_whole(fx->st, 2, rev0 + 2);
	fx_close(fx);
}

/* journal.lock held by "a server" (here, this process's own descriptor). */
static int hold_journal_lock(const char *dir)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/journal.lock", dir);
	int fd = open(p, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	return fd;
}

static void put_schema(struct store *st, uint8_t version)
{
	uint8_t b[4] = {0, 0, 0, version};
	struct txn t;
	txn_begin(&t, st, NULL, true);
	txn_put(&t, DB_META, "schema", 6, b, sizeof(b));
	assert_int_equal(txn_commit(&t), 0);
}

/* Only a write can migrate an older database, or make a database it
 * lacks, and the server holds the writes: refused, saying so; a newer
 * one is refused as ever. */
static void test_served_older_database_is_refused(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct store *st;
	struct store_tool_view v;
	put_schema(fx->st, 3);
	store_close(fx->st);
	fx->st = NULL;
	int lock = hold_journal_lock(fx->dir);
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &st, &v),
			 CLUBCRM_ESERVED);
	assert_true(v.served);
	expect(store_strerror(CLUBCRM_ESERVED), "stop the server");
	close(lock);

	assert_int_equal(store_open(fx->dir, 8u << 20, &fx->st), 0);
	put_schema(fx->st, 99);
	store_close(fx->st);
	fx->st = NULL;
	lock = hold_journal_lock(fx->dir);
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &st, &v),
			 -EPROTONOSUPPORT);
	close(lock);

	/* A database the store lacks (an older server made the club). */
	char dir2[64];
	strcpy(dir2, "/tmp/clubcrm-test-XXXXXX");
	assert_non_null(mkdtemp(dir2));
	assert_int_equal(store_open(dir2, 8u << 20, &st), 0);
	MDB_txn *txn;
	assert_int_equal(mdb_txn_begin(store_env(st), NULL, 0, &txn), 0);
	assert_int_equal(mdb_drop(txn, store_dbi(st, DB_FEEDS), 1), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	store_close(st);
	lock = hold_journal_lock(dir2);
	assert_int_equal(store_open_tool(dir2, 8u << 20, &st, &v),
			 CLUBCRM_ESERVED);
	close(lock);
	/* Without a server the tool's open makes it, as store_open does. */
	assert_int_equal(store_open_tool(dir2, 8u << 20, &st, &v), 0);
	assert_false(v.served);
	assert_false(v.journal);
	store_close(st);
	fx_rmdir(dir2);
	fx_close(fx);
}

/* No server: the journal after the checkpoint is replayed, then read, and
 * the backup holds it too. A club that never journalled has no journal. */
static void test_without_a_server_the_journal_is_replayed(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	store_close(fx->st);
	struct store_tool_view v;
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_false(v.journal);
	char text[1024];
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 0);
	expect(text, "journal: none");

	killed_after(fx, &c, 3, false);
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_false(v.served);
	assert_true(v.journal);
	assert_int_equal(v.checkpoint, 0);
	assert_int_equal(v.jv.records, 3);
	assert_int_equal(v.jv.after, 3);
	assert_int_equal(v.jv.end.stop, JOURNAL_STOP_ZERO);
	assert_whole(fx->st, 3, rev0 + 3);
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 0);
	expect(text, "3 record(s) after the checkpoint (batch 0) replayed");
	backup_revision(fx->st, fx->dir, 3, rev0 + 3);
	/* Replayed once: the checkpoint now holds them. */
	store_close(fx->st);
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_int_equal(v.checkpoint, 3);
	assert_int_equal(v.jv.after, 0);
	assert_whole(fx->st, 3, rev0 + 3);
	fx_close(fx);
}

/* A bad record with valid ones after it lost acknowledged writes: a
 * problem, found before the replay sets the damage aside. */
static void test_damage_is_a_problem(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	killed_after(fx, &c, 3, false);
	damage_record(fx, 2);
	struct store_tool_view v;
	char text[1024];
	/* Read beside a server (read again: the same), nothing set aside. */
	int lock = hold_journal_lock(fx->dir);
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_true(v.served);
	assert_true(v.jv.follows);
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 1);
	expect(text, "acknowledged writes after the checkpoint are in the "
		     "running server's memory only");
	store_close(fx->st);
	close(lock);
	/* Without one: found before the replay sets the damage aside. */
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_false(v.served);
	assert_int_equal(v.verify_rc, 0);
	assert_true(v.jv.follows);
	assert_int_equal(v.jv.records, 1);
	assert_int_equal(v.jv.end.stop, JOURNAL_STOP_BAD);
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 1);
	assert_int_equal(v.jv.follows_rev, 3);
	expect(text, "problem: journal: valid records (up to batch 3) lie "
		     "after its end in 0000000000000001.jnl");
	expect(text, "acknowledged writes after the checkpoint were lost");
	expect(text, "damage (checksum mismatch)");
	/* The replay took what came before the damage. */
	assert_whole(fx->st, 1, rev0 + 1);
	/* and kept the damage aside: a problem until a person removes it. */
	store_close(fx->st);
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_false(v.jv.follows);
	assert_int_equal(v.jv.damaged, 1);
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 1);
	expect(text, "problem: journal: 1 damaged segment(s) kept aside as "
		     "journal/damaged-*");
	char p[200];
	snprintf(p, sizeof(p), "%s/journal/damaged-0000000000000001.jnl",
		 fx->dir);
	assert_int_equal(unlink(p), 0);
	store_close(fx->st);
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 0);
	fx_close(fx);
}

/* Damage among records the checkpoint holds loses nothing, but the disk
 * changed what was written: still a problem, saying so. */
static void test_damage_before_the_checkpoint(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	killed_after(fx, &c, 3, true);
	damage_record(fx, 2);
	struct store_tool_view v;
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_int_equal(v.checkpoint, 3);
	assert_true(v.jv.follows);
	assert_int_equal(v.jv.follows_rev, 3);
	assert_int_equal(v.jv.after, 0);
	char text[1024];
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 1);
	expect(text, "damage, though the checkpoint holds every batch they "
		     "carry (nothing lost)");
	assert_whole(fx->st, 3, rev0 + 3);
	fx_close(fx);
}

/* A torn last record (a crash during its append, never acknowledged) is
 * where the journal ends: no problem. */
static void test_torn_tail_is_no_problem(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	uint64_t rev0 = store_revision(fx->st);
	killed_after(fx, &c, 3, false);
	damage_record(fx, 3);
	struct store_tool_view v;
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_int_equal(v.verify_rc, 0);
	assert_false(v.jv.follows);
	assert_int_equal(v.jv.records, 2);
	assert_int_equal(v.jv.after, 2);
	assert_int_equal(v.jv.end.stop, JOURNAL_STOP_BAD);
	char text[1024];
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 0);
	expect(text, "a torn tail, its write never acknowledged (checksum "
		     "mismatch)");
	assert_null(strstr(text, "problem"));
	assert_whole(fx->st, 2, rev0 + 2);
	fx_close(fx);
}

/* A journal that cannot be read is a problem too (here a segment that is
 * a directory, next to a running server). */
static void test_unreadable_journal_is_a_problem(void **state)
{
	(void)state;
	struct fx *fx = fx_open(8u << 20);
	struct club c;
	fx_club(fx, &c);
	store_close(fx->st);
	fx->st = NULL;
	char p[200];
	snprintf(p, sizeof(p), "%s/journal", fx->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/journal/0000000000000001.jnl", fx->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	int lock = hold_journal_lock(fx->dir);
	struct store_tool_view v;
	assert_int_equal(store_open_tool(fx->dir, 8u << 20, &fx->st, &v), 0);
	assert_true(v.served);
	assert_true(v.verify_rc < 0);
	char text[1024];
	assert_int_equal(journal_verdict(&v, text, sizeof(text)), 1);
	expect(text, "problem: journal: cannot be read");
	close(lock);
	store_close(fx->st);
	fx->st = NULL;
	rmdir(p);
	fx_close(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served_tools_never_wait),
		cmocka_unit_test(test_served_older_database_is_refused),
		cmocka_unit_test(test_without_a_server_the_journal_is_replayed),
		cmocka_unit_test(test_damage_is_a_problem),
		cmocka_unit_test(test_damage_before_the_checkpoint),
		cmocka_unit_test(test_torn_tail_is_no_problem),
		cmocka_unit_test(test_unreadable_journal_is_a_problem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
