/*
 * The overlay of journalled writes (server/store/overlay.c) on its own,
 * without LMDB: version visibility (a batch seen whole or not at all),
 * hostile sizes and out-of-order versions refused with nothing published,
 * every allocation failing in turn leaving the overlay as it was, counts
 * over (floor, version], rebasing onto a later checkpoint, the
 * checkpointer's reading, retire with pins held and released in every
 * order, the merged cursor against a sorted-array model (thousands of
 * random seeks and steps with direction changes, fixed seeds), and reader
 * threads iterating while a writer publishes and a checkpointer retires.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "overlay.h"

/*
 * Checks that may run on other threads than cmocka's (its asserts jump
 * back to the test's frame, on the main thread): counted, reported, and
 * asserted to be none on the main thread.
 */
static atomic_int failures;
#define TCHECK(cond)                                                    \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, \
				#cond);                                 \
			atomic_fetch_add(&failures, 1);                 \
		}                                                       \
	} while (0)

/* ---- a counting allocator that fails on purpose ---- */

struct talloc {
	long calls;     /* allocations asked for */
	long fail_at;   /* the call that fails (0-based), -1: none */
	long live;      /* allocated and not freed */
};

static void *t_malloc(void *ctx, size_t size)
{
	struct talloc *t = ctx;
	if (t->fail_at >= 0 && t->calls++ == t->fail_at)
		return NULL;
	void *p = malloc(size);
	if (p)
		t->live++;
	return p;
}

static void t_free(void *ctx, void *p)
{
	struct talloc *t = ctx;
	t->live--;
	free(p);
}

static struct overlay_alloc talloc_of(struct talloc *t)
{
	*t = (struct talloc){.fail_at = -1};
	return (struct overlay_alloc){t_malloc, t_free, t};
}

/* ---- small helpers ---- */

static struct overlay_op put(unsigned db, const char *k, const char *v)
{
	return (struct overlay_op){.db = db, .kind = OVERLAY_PUT, .key = k,
				   .klen = strlen(k), .val = v,
				   .vlen = strlen(v)};
}

static struct overlay_op del(unsigned db, const char *k)
{
	return (struct overlay_op){.db = db, .kind = OVERLAY_DEL, .key = k,
				   .klen = strlen(k)};
}

static int get(const struct overlay_snap *s, unsigned db, const char *k,
	       char *out, size_t cap)
{
	struct overlay_val v = {0};
	int rc = overlay_get(s, db, k, strlen(k), &v);
	if (rc == OVERLAY_FOUND) {
		assert_true(v.len < cap);
		memcpy(out, v.data, v.len);
		out[v.len] = 0;
	}
	return rc;
}

static void assert_get(const struct overlay_snap *s, unsigned db,
		       const char *k, int want, const char *val)
{
	char buf[64];
	assert_int_equal(get(s, db, k, buf, sizeof(buf)), want);
	if (want == OVERLAY_FOUND)
		assert_string_equal(buf, val);
}

/* Every entry the snapshot sees in db, as "key=val;" or "key-;". */
static void dump(const struct overlay_snap *s, unsigned db, char *out,
		 size_t cap)
{
	struct overlay_iter it;
	overlay_iter_init(&it, s, db);
	size_t len = 0;
	out[0] = 0;
	int rc;
	while ((rc = overlay_iter_next(&it)) == 0) {
		int w = snprintf(out + len, cap - len, "%.*s%s%.*s;",
				 (int)it.key.len, (const char *)it.key.data,
				 it.kind == OVERLAY_PUT ? "=" : "-",
				 (int)it.val.len, (const char *)it.val.data);
		assert_true(w > 0 && (size_t)w < cap - len);
		len += (size_t)w;
	}
	assert_int_equal(rc, -ENOENT);
	assert_int_equal(overlay_iter_next(&it), -ENOENT);
}

/* ---- creation, publication, visibility ---- */

static void test_new_refuses_bad_sizes(void **state)
{
	(void)state;
	struct overlay *ov = (struct overlay *)1;
	assert_int_equal(overlay_new(0, 0, NULL, &ov), -EINVAL);
	assert_null(ov);
	assert_int_equal(overlay_new(OVERLAY_DB_MAX + 1, 0, NULL, &ov),
			 -EINVAL);
	assert_int_equal(overlay_new(OVERLAY_DB_MAX, 7, NULL, &ov), 0);
	assert_int_equal(overlay_version(ov), 7);
	assert_int_equal(overlay_floor(ov), 7);
	overlay_free(ov);
	overlay_free(NULL);
}

/* A pin before a batch sees none of it, a pin after sees all of it; the
 * earlier pin keeps its view while later batches arrive. */
static void test_batch_seen_whole_or_not(void **state)
{
	(void)state;
	struct overlay *ov;
	assert_int_equal(overlay_new(3, 10, NULL, &ov), 0);
	struct overlay_snap s0, s1, s2;
	overlay_pin(ov, &s0);
	struct overlay_op b1[] = {put(0, "a", "1"), put(1, "a", "x"),
				  del(2, "gone")};
	assert_int_equal(overlay_publish(ov, 11, b1, 3, NULL), 0);
	overlay_pin(ov, &s1);
	struct overlay_op b2[] = {put(0, "a", "2"), del(1, "a"),
				  put(2, "gone", "back")};
	assert_int_equal(overlay_publish(ov, 12, b2, 3, NULL), 0);
	overlay_pin(ov, &s2);
	assert_int_equal(overlay_version(ov), 12);

	assert_get(&s0, 0, "a", OVERLAY_ABSENT, NULL);
	assert_get(&s0, 1, "a", OVERLAY_ABSENT, NULL);
	assert_get(&s0, 2, "gone", OVERLAY_ABSENT, NULL);
	assert_get(&s1, 0, "a", OVERLAY_FOUND, "1");
	assert_get(&s1, 1, "a", OVERLAY_FOUND, "x");
	assert_get(&s1, 2, "gone", OVERLAY_DELETED, NULL);
	assert_get(&s2, 0, "a", OVERLAY_FOUND, "2");
	assert_get(&s2, 1, "a", OVERLAY_DELETED, NULL);
	assert_get(&s2, 2, "gone", OVERLAY_FOUND, "back");
	/* a key of another database, a prefix, a longer key: absent */
	assert_get(&s2, 0, "gone", OVERLAY_ABSENT, NULL);
	assert_get(&s2, 0, "aa", OVERLAY_ABSENT, NULL);
	struct overlay_val v;
	assert_int_equal(overlay_get(&s2, 3, "a", 1, &v), -EINVAL);
	assert_int_equal(overlay_get(&s2, 0, "a", 0, &v), -EINVAL);
	assert_int_equal(overlay_get(&s2, 0, "a", OVERLAY_KEY_MAX + 1, &v),
			 -EINVAL);

	char buf[256];
	dump(&s1, 2, buf, sizeof(buf));
	assert_string_equal(buf, "gone-;");
	dump(&s0, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(overlay_unpin(&s0), 0);
	assert_int_equal(overlay_unpin(&s0), 0);  /* twice: harmless */
	overlay_unpin(&s1);
	overlay_unpin(&s2);
	overlay_free(ov);
}

/* A key twice in one batch: the later op wins, and only one version. */
static void test_key_twice_in_a_batch(void **state)
{
	(void)state;
	struct overlay *ov;
	assert_int_equal(overlay_new(1, 0, NULL, &ov), 0);
	struct overlay_op b1[] = {put(0, "k", "1"), del(0, "k"),
				  del(0, "j"), put(0, "j", "2"),
				  put(0, "j", "3")};
	assert_int_equal(overlay_publish(ov, 1, b1, 5, NULL), 0);
	struct overlay_snap s;
	overlay_pin(ov, &s);
	char buf[256];
	dump(&s, 0, buf, sizeof(buf));
	assert_string_equal(buf, "j=3;k-;");
	overlay_unpin(&s);
	/* after a checkpoint of version 1, nothing of it stays */
	size_t empty_plus_batch = overlay_bytes(ov);
	assert_int_equal(overlay_checkpoint_done(ov, 1), 0);
	assert_true(overlay_retire(ov) > 0);
	assert_true(overlay_bytes(ov) < empty_plus_batch);
	overlay_pin(ov, &s);
	dump(&s, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	overlay_unpin(&s);
	overlay_free(ov);
}

/* Hostile or out-of-order batches are refused whole: the earlier ops of
 * the batch are not published either. */
static void test_bad_batches_refused_whole(void **state)
{
	(void)state;
	struct overlay *ov;
	assert_int_equal(overlay_new(2, 5, NULL, &ov), 0);
	static char big[OVERLAY_KEY_MAX + 1];
	memset(big, 'k', sizeof(big));
	struct overlay_op ok = put(0, "fine", "v");
	struct overlay_op bad[] = {
		put(2, "k", "v"),                                   /* db */
		{.db = 0, .kind = OVERLAY_PUT, .key = "", .klen = 0},
		{.db = 0, .kind = OVERLAY_PUT, .key = big,
		 .klen = OVERLAY_KEY_MAX + 1},
		{.db = 0, .kind = OVERLAY_DEL, .key = NULL, .klen = 1},
		{.db = 0, .kind = OVERLAY_PUT, .key = "k", .klen = 1,
		 .val = "v", .vlen = OVERLAY_VAL_MAX + 1},
		{.db = 0, .kind = OVERLAY_PUT, .key = "k", .klen = 1,
		 .val = NULL, .vlen = 3},
		{.db = 0, .kind = 0, .key = "k", .klen = 1},
	};
	size_t before = overlay_bytes(ov);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct overlay_op b[] = {ok, bad[i]};
		assert_int_equal(overlay_publish(ov, 6, b, 2, NULL), -EINVAL);
		assert_int_equal(overlay_version(ov), 5);
		assert_int_equal(overlay_bytes(ov), before);
	}
	assert_int_equal(overlay_publish(ov, 6, NULL, 1, NULL), -EINVAL);
	/* versions must grow: not the floor, not the last one again */
	assert_int_equal(overlay_publish(ov, 5, &ok, 1, NULL), -EINVAL);
	assert_int_equal(overlay_publish(ov, 4, &ok, 1, NULL), -EINVAL);
	assert_int_equal(overlay_publish(ov, 6, &ok, 1, NULL), 0);
	assert_int_equal(overlay_publish(ov, 6, &ok, 1, NULL), -EINVAL);
	/* the longest key and an empty value are fine */
	struct overlay_op edge[] = {
		{.db = 1, .kind = OVERLAY_PUT, .key = big,
		 .klen = OVERLAY_KEY_MAX, .val = NULL, .vlen = 0},
	};
	assert_int_equal(overlay_publish(ov, 9, edge, 1, NULL), 0);
	/* an empty batch is a version with no ops */
	assert_int_equal(overlay_publish(ov, 10, NULL, 0, NULL), 0);
	struct overlay_snap s;
	overlay_pin(ov, &s);
	assert_int_equal(s.version, 10);
	struct overlay_val v = {"x", 1};
	assert_int_equal(overlay_get(&s, 1, big, OVERLAY_KEY_MAX, &v),
			 OVERLAY_FOUND);
	assert_int_equal(v.len, 0);
	assert_get(&s, 0, "fine", OVERLAY_FOUND, "v");
	assert_get(&s, 0, "k", OVERLAY_ABSENT, NULL);
	overlay_unpin(&s);
	overlay_free(ov);
}

/* A state summary: every entry of both databases at the newest version. */
static void dump_all(struct overlay *ov, char *out, size_t cap)
{
	struct overlay_snap s;
	overlay_pin(ov, &s);
	char a[1024], b[1024];
	dump(&s, 0, a, sizeof(a));
	dump(&s, 1, b, sizeof(b));
	int64_t c0, c1;
	assert_int_equal(overlay_count(&s, 0, &c0), 0);
	assert_int_equal(overlay_count(&s, 1, &c1), 0);
	snprintf(out, cap, "v%llu %s | %s | %lld %lld",
		 (unsigned long long)s.version, a, b, (long long)c0,
		 (long long)c1);
	overlay_unpin(&s);
}

/* Every allocation of a publish failing in turn: -ENOMEM, the overlay as
 * it was (entries, counts, bytes, version), and no memory kept; then the
 * same batch goes in. Also creation and checkpoint_done. */
static void test_every_allocation_failing(void **state)
{
	(void)state;
	struct talloc t;
	struct overlay_alloc a = talloc_of(&t);
	/* creation: each of its allocations failing */
	for (long f = 0;; f++) {
		struct overlay *ov = NULL;
		t = (struct talloc){.fail_at = f};
		int rc = overlay_new(4, 0, &a, &ov);
		if (rc == 0) {
			assert_true(f >= 4);
			overlay_free(ov);
			assert_int_equal(t.live, 0);
			break;
		}
		assert_int_equal(rc, -ENOMEM);
		assert_null(ov);
		assert_int_equal(t.live, 0);
	}

	t = (struct talloc){.fail_at = -1};
	struct overlay *ov;
	assert_int_equal(overlay_new(2, 0, &a, &ov), 0);
	/* a base state over many versions, past the first ring size */
	char key[16], val[16];
	uint64_t version = 0;
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%03d", i * 7 % 100);
		snprintf(val, sizeof(val), "v%d", i);
		struct overlay_op op = i % 5 == 4 ? del(i % 2, key)
						  : put(i % 2, key, val);
		int64_t d[2] = {i % 2 ? 0 : 1, i % 2 ? 1 : 0};
		assert_int_equal(overlay_publish(ov, ++version, &op, 1, d), 0);
	}
	char before[4096], after[4096];
	dump_all(ov, before, sizeof(before));
	/* new keys, existing keys, a key twice, both databases */
	struct overlay_op batch[] = {
		put(0, "k000", "new"), put(0, "zz", "1"), del(1, "k001"),
		put(1, "aa", "2"), del(0, "k007"), put(0, "zz", "3"),
		del(1, "nowhere"), put(1, "k001", "again"),
	};
	int64_t d[2] = {1, 1};
	size_t bytes = overlay_bytes(ov);
	long fails = 0;
	for (long f = 0;; f++) {
		t.calls = 0;
		t.fail_at = f;
		long live = t.live;
		int rc = overlay_publish(ov, version + 1, batch, 8, d);
		if (rc == 0)
			break;
		fails++;
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(t.live, live);
		assert_int_equal(overlay_bytes(ov), bytes);
		assert_int_equal(overlay_version(ov), version);
		dump_all(ov, after, sizeof(after));
		assert_string_equal(after, before);
	}
	assert_true(fails >= 8);
	t.fail_at = -1;
	dump_all(ov, after, sizeof(after));
	assert_string_not_equal(after, before);
	struct overlay_snap s;
	overlay_pin(ov, &s);
	assert_get(&s, 0, "zz", OVERLAY_FOUND, "3");
	assert_get(&s, 1, "k001", OVERLAY_FOUND, "again");
	assert_get(&s, 1, "nowhere", OVERLAY_DELETED, NULL);
	overlay_unpin(&s);

	/* checkpoint_done's allocation failing: the floor stays */
	t.calls = 0;
	t.fail_at = 0;
	assert_int_equal(overlay_checkpoint_done(ov, 50), -ENOMEM);
	assert_int_equal(overlay_floor(ov), 0);
	t.fail_at = -1;
	assert_int_equal(overlay_checkpoint_done(ov, 50), 0);
	assert_int_equal(overlay_floor(ov), 50);
	overlay_free(ov);
	assert_int_equal(t.live, 0);
}

/* ---- counts ---- */

static void test_counts_over_floor_and_version(void **state)
{
	(void)state;
	struct overlay *ov;
	assert_int_equal(overlay_new(2, 100, NULL, &ov), 0);
	struct overlay_snap s;
	int64_t c;
	overlay_pin(ov, &s);
	assert_int_equal(overlay_count(&s, 0, &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(overlay_count(&s, 2, &c), -EINVAL);
	overlay_unpin(&s);
	/* versions 101..200: db 0 +1 each, db 1 -1 on even ones */
	for (uint64_t v = 101; v <= 200; v++) {
		int64_t d[2] = {1, v % 2 ? 0 : -1};
		assert_int_equal(overlay_publish(ov, v, NULL, 0, d), 0);
	}
	overlay_pin(ov, &s);
	assert_int_equal(overlay_count(&s, 0, &c), 0);
	assert_int_equal(c, 100);
	assert_int_equal(overlay_count(&s, 1, &c), 0);
	assert_int_equal(c, -50);
	/* the LMDB txn turned out to hold checkpoint 150 */
	assert_int_equal(overlay_snap_rebase(&s, 150), 0);
	assert_int_equal(overlay_count(&s, 0, &c), 0);
	assert_int_equal(c, 50);
	assert_int_equal(overlay_count(&s, 1, &c), 0);
	assert_int_equal(c, -25);
	/* a checkpoint retires versions <= 150 only once this pin goes; its
	 * counts stay right across the retire */
	assert_int_equal(overlay_checkpoint_done(ov, 150), 0);
	overlay_retire(ov);
	assert_int_equal(overlay_count(&s, 0, &c), 0);
	assert_int_equal(c, 50);
	assert_int_equal(overlay_unpin(&s), 1);
	overlay_retire(ov);
	overlay_pin(ov, &s);
	assert_int_equal(s.floor, 150);
	assert_int_equal(overlay_count(&s, 0, &c), 0);
	assert_int_equal(c, 50);
	assert_int_equal(overlay_count(&s, 1, &c), 0);
	assert_int_equal(c, -25);
	overlay_unpin(&s);
	/* everything checkpointed: deltas of nothing */
	assert_int_equal(overlay_checkpoint_done(ov, 200), 0);
	overlay_retire(ov);
	overlay_pin(ov, &s);
	assert_int_equal(overlay_count(&s, 1, &c), 0);
	assert_int_equal(c, 0);
	overlay_unpin(&s);
	overlay_free(ov);
}

/* Pin, then a checkpoint begins and commits before the reader opens its
 * LMDB txn: the txn holds C > V, and rebase moves the snapshot to (C, C]. */
static void test_rebase_past_the_pin(void **state)
{
	(void)state;
	struct overlay *ov;
	assert_int_equal(overlay_new(1, 0, NULL, &ov), 0);
	struct overlay_op a = put(0, "k", "1"), b = put(0, "k", "2");
	assert_int_equal(overlay_publish(ov, 1, &a, 1, NULL), 0);
	struct overlay_snap s;
	overlay_pin(ov, &s);                                   /* (0, 1] */
	assert_int_equal(overlay_publish(ov, 2, &b, 1, NULL), 0);
	struct overlay_snap cp;
	assert_int_equal(overlay_checkpoint_begin(ov, 2, &cp), 0);
	assert_int_equal(overlay_checkpoint_done(ov, 2), 0);
	overlay_unpin(&cp);
	assert_int_equal(overlay_snap_rebase(&s, 3), -EINVAL); /* not published */
	assert_int_equal(overlay_snap_rebase(&s, 2), 0);
	assert_int_equal(s.floor, 2);
	assert_int_equal(s.version, 2);
	assert_get(&s, 0, "k", OVERLAY_ABSENT, NULL);          /* LMDB has 2 */
	assert_int_equal(overlay_snap_rebase(&s, 1), -EINVAL); /* below floor */
	overlay_unpin(&s);
	assert_int_equal(overlay_snap_rebase(&s, 2), -EINVAL); /* unpinned */
	overlay_free(ov);
}

/* What a snapshot sees of one database: nothing before any write, the
 * entries of its range only, nothing once a checkpoint took them and the
 * snapshot is rebased past them; a write published after the pin is not
 * its; past a few hidden entries it answers "maybe" (false), never a wrong
 * "empty". */
static void test_snap_db_empty(void **state)
{
	(void)state;
	struct overlay *ov;
	assert_int_equal(overlay_new(3, 0, NULL, &ov), 0);
	struct overlay_snap s;
	overlay_pin(ov, &s);
	assert_true(overlay_snap_db_empty(&s, 0));
	assert_false(overlay_snap_db_empty(&s, 3));   /* no such database */
	struct overlay_op a = put(0, "k", "1");
	assert_int_equal(overlay_publish(ov, 1, &a, 1, NULL), 0);
	assert_true(overlay_snap_db_empty(&s, 0));    /* newer than the pin */
	overlay_unpin(&s);
	overlay_pin(ov, &s);                              /* (0, 1] */
	assert_false(overlay_snap_db_empty(&s, 0));
	assert_true(overlay_snap_db_empty(&s, 1));
	overlay_unpin(&s);
	/* a checkpoint holds 1: a snapshot rebased onto it sees nothing */
	struct overlay_snap cp;
	assert_int_equal(overlay_checkpoint_begin(ov, 1, &cp), 0);
	assert_int_equal(overlay_checkpoint_done(ov, 1), 0);
	overlay_unpin(&cp);
	overlay_retire(ov);
	overlay_pin(ov, &s);
	assert_true(overlay_snap_db_empty(&s, 0));
	overlay_unpin(&s);
	/* twenty entries of database 2 newer than a pin: too many to look
	 * through, so "maybe"; then one a new pin sees at the far end */
	overlay_pin(ov, &s);                              /* (1, 1] */
	struct overlay_op late[20];
	char keys[20][4];
	for (unsigned i = 0; i < 20; i++) {
		snprintf(keys[i], sizeof(keys[i]), "a%02u", i);
		late[i] = put(2, keys[i], "x");
	}
	assert_int_equal(overlay_publish(ov, 2, late, 20, NULL), 0);
	assert_false(overlay_snap_db_empty(&s, 2));     /* hidden, but many */
	assert_true(overlay_snap_db_empty(&s, 1));
	overlay_unpin(&s);
	struct overlay_op z = put(2, "zz", "y");
	assert_int_equal(overlay_publish(ov, 3, &z, 1, NULL), 0);
	struct overlay_snap two;
	overlay_pin(ov, &two);                            /* (1, 3] */
	assert_false(overlay_snap_db_empty(&two, 2));
	overlay_unpin(&two);
	overlay_free(ov);
}

/* ---- the checkpointer ---- */

static void test_checkpoint_reads_newest_upto(void **state)
{
	(void)state;
	struct overlay *ov;
	assert_int_equal(overlay_new(2, 0, NULL, &ov), 0);
	struct overlay_op b1[] = {put(0, "b", "1"), put(0, "a", "1"),
				  put(1, "x", "1")};
	struct overlay_op b2[] = {del(0, "b"), put(0, "c", "2")};
	struct overlay_op b3[] = {put(0, "a", "3"), put(0, "b", "3"),
				  del(1, "x")};
	assert_int_equal(overlay_publish(ov, 1, b1, 3, NULL), 0);
	assert_int_equal(overlay_publish(ov, 2, b2, 2, NULL), 0);
	assert_int_equal(overlay_publish(ov, 3, b3, 3, NULL), 0);
	struct overlay_snap cp;
	assert_int_equal(overlay_checkpoint_begin(ov, 4, &cp), -EINVAL);
	assert_int_equal(overlay_checkpoint_begin(ov, 2, &cp), 0);
	char buf[256];
	dump(&cp, 0, buf, sizeof(buf));
	assert_string_equal(buf, "a=1;b-;c=2;");
	dump(&cp, 1, buf, sizeof(buf));
	assert_string_equal(buf, "x=1;");
	struct overlay_iter it;
	overlay_iter_init(&it, &cp, 2);
	assert_int_equal(overlay_iter_next(&it), -EINVAL);
	assert_int_equal(overlay_checkpoint_done(ov, 2), 0);
	overlay_unpin(&cp);
	/* done refuses a floor not above the current or past the newest */
	assert_int_equal(overlay_checkpoint_done(ov, 2), -EINVAL);
	assert_int_equal(overlay_checkpoint_done(ov, 4), -EINVAL);
	assert_int_equal(overlay_checkpoint_begin(ov, 1, &cp), -EINVAL);
	overlay_retire(ov);
	/* the next checkpoint sees only what came after 2 */
	assert_int_equal(overlay_checkpoint_begin(ov, 3, &cp), 0);
	assert_int_equal(cp.floor, 2);
	dump(&cp, 0, buf, sizeof(buf));
	assert_string_equal(buf, "a=3;b=3;");
	dump(&cp, 1, buf, sizeof(buf));
	assert_string_equal(buf, "x-;");
	overlay_unpin(&cp);
	overlay_free(ov);
}

/* ---- retire with pins held and released in every order ---- */

/*
 * Three readers pinned at floors 0, 10 and 20 (checkpoints between), each
 * reading a value only the overlay holds for it; released in each of the
 * 6 orders, with a retire after each release: nothing a remaining pin
 * sees is freed (its value still reads right; ASan would catch a use
 * after free), and once all are gone the overlay holds only what is above
 * the floor.
 */
static void test_retire_in_every_order(void **state)
{
	(void)state;
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					 {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	for (int o = 0; o < 6; o++) {
		struct talloc t;
		struct overlay_alloc a = talloc_of(&t);
		struct overlay *ov;
		assert_int_equal(overlay_new(1, 0, &a, &ov), 0);
		size_t empty = overlay_bytes(ov);
		struct overlay_snap s[3];
		char key[32], val[32];
		for (int r = 0; r < 3; r++) {
			for (int v = 1; v <= 10; v++) {
				uint64_t ver = (uint64_t)r * 10 + v;
				snprintf(val, sizeof(val), "%d", (int)ver);
				struct overlay_op ops[] = {put(0, "k", val),
							   put(0, "same", "x")};
				snprintf(key, sizeof(key), "r%d_%d", r, v);
				ops[1] = put(0, key, val);
				assert_int_equal(overlay_publish(ov, ver, ops,
								 2, NULL), 0);
			}
			overlay_pin(ov, &s[r]);
			assert_int_equal(s[r].floor, (uint64_t)r * 10);
			assert_int_equal(overlay_checkpoint_done(ov,
					 (uint64_t)r * 10 + 10), 0);
			/* pinned: nothing of its view can go */
			overlay_retire(ov);
		}
		size_t held = overlay_bytes(ov);
		bool gone[3] = {false, false, false};
		for (int i = 0; i < 3; i++) {
			int r = orders[o][i];
			int oldest = !gone[0] ? 0 : !gone[1] ? 1 : 2;
			int hint = overlay_unpin(&s[r]);
			gone[r] = true;
			/* every floor here is older than the current (30) */
			assert_int_equal(hint, 1);
			size_t freed = overlay_retire(ov);
			/* only releasing the oldest pin frees anything */
			if (r != oldest)
				assert_int_equal(freed, 0);
			else
				assert_true(freed > 0);
			for (int q = 0; q < 3; q++) {
				if (gone[q])
					continue;
				snprintf(val, sizeof(val), "%d", q * 10 + 10);
				assert_get(&s[q], 0, "k", OVERLAY_FOUND, val);
				snprintf(key, sizeof(key), "r%d_1", q);
				snprintf(val, sizeof(val), "%d", q * 10 + 1);
				assert_get(&s[q], 0, key, OVERLAY_FOUND, val);
			}
		}
		assert_true(overlay_bytes(ov) < held);
		/* only the ring of batch rows and the epoch are left */
		struct overlay_snap n;
		overlay_pin(ov, &n);
		char buf[64];
		dump(&n, 0, buf, sizeof(buf));
		assert_string_equal(buf, "");
		overlay_unpin(&n);
		assert_true(overlay_bytes(ov) >= empty);
		overlay_free(ov);
		assert_int_equal(t.live, 0);
	}
}

/* ---- the merged cursor against a model ---- */

#define MKEY 4

struct ent {
	unsigned char k[MKEY];
	size_t klen;
	char v[32];
};

/* A sorted array with a cursor: the base's vtable, and the model. */
struct arr {
	struct ent *e;
	size_t n;
	long pos;      /* -1: unpositioned */
};

static int ent_cmp(const void *ak, size_t al, const void *bk, size_t bl)
{
	int r = memcmp(ak, bk, al < bl ? al : bl);
	return r ? r : (al > bl) - (al < bl);
}

static int arr_seek(void *p, const void *key, size_t klen)
{
	struct arr *a = p;
	size_t i = 0;
	if (key)
		while (i < a->n && ent_cmp(a->e[i].k, a->e[i].klen, key, klen) < 0)
			i++;
	a->pos = i < a->n ? (long)i : -1;
	return a->pos < 0 ? -ENOENT : 0;
}

static int arr_seek_before(void *p, const void *key, size_t klen)
{
	struct arr *a = p;
	long i = (long)a->n - 1;
	if (key)
		while (i >= 0 && ent_cmp(a->e[i].k, a->e[i].klen, key, klen) >= 0)
			i--;
	a->pos = i;
	return a->pos < 0 ? -ENOENT : 0;
}

static int arr_next(void *p)
{
	struct arr *a = p;
	TCHECK(a->pos >= 0);  /* the merged cursor's promise */
	a->pos = a->pos + 1 < (long)a->n ? a->pos + 1 : -1;
	return a->pos < 0 ? -ENOENT : 0;
}

static int arr_prev(void *p)
{
	struct arr *a = p;
	TCHECK(a->pos >= 0);
	if (a->pos >= 0)
		a->pos--;
	return a->pos < 0 ? -ENOENT : 0;
}

static void arr_current(void *p, struct overlay_val *k, struct overlay_val *v)
{
	struct arr *a = p;
	TCHECK(a->pos >= 0);
	if (a->pos < 0) {
		*k = *v = (struct overlay_val){"", 0};
		return;
	}
	*k = (struct overlay_val){a->e[a->pos].k, a->e[a->pos].klen};
	*v = (struct overlay_val){a->e[a->pos].v, strlen(a->e[a->pos].v)};
}

static const struct overlay_base_ops arr_ops = {
	arr_seek, arr_seek_before, arr_next, arr_prev, arr_current,
};

/* Puts or deletes k in a sorted array of capacity cap. */
static void arr_apply(struct ent *e, size_t *n, const struct ent *k, bool del)
{
	size_t i = 0;
	while (i < *n && ent_cmp(e[i].k, e[i].klen, k->k, k->klen) < 0)
		i++;
	bool here = i < *n && ent_cmp(e[i].k, e[i].klen, k->k, k->klen) == 0;
	if (del) {
		if (here) {
			memmove(e + i, e + i + 1, (*n - i - 1) * sizeof(*e));
			(*n)--;
		}
		return;
	}
	if (!here) {
		memmove(e + i + 1, e + i, (*n - i) * sizeof(*e));
		(*n)++;
	}
	e[i] = *k;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* A random key of 1..3 bytes from {0x00, 0x01, 'a', 0xff}: prefixes,
 * zero bytes and high bytes, few enough for many collisions. */
static void rand_key(uint64_t *r, struct ent *k)
{
	static const unsigned char alpha[] = {0x00, 0x01, 'a', 0xff};
	k->klen = 1 + rng_next(r) % 3;
	for (size_t i = 0; i < k->klen; i++)
		k->k[i] = alpha[rng_next(r) % 4];
}

/* The number of keys the alphabet makes: 4 + 16 + 64. */
#define KEYSPACE 84

static void check_step(int got, const struct overlay_cursor *c, int want,
		       const struct arr *m)
{
	assert_int_equal(got, want);
	if (want != 0)
		return;
	const struct ent *e = &m->e[m->pos];
	assert_int_equal(c->key.len, e->klen);
	assert_memory_equal(c->key.data, e->k, e->klen);
	assert_int_equal(c->val.len, strlen(e->v));
	assert_memory_equal(c->val.data, e->v, c->val.len);
}

/*
 * One random world: a base (LMDB at the floor), batches 1..nb of puts and
 * deletes (tombstones over present and absent base keys), a checkpoint at
 * `floor` (the base then holds batches <= floor), a pin at `pinned`, more
 * batches after the pin (invisible). The model is the base with batches
 * (floor, pinned] applied; the merged cursor must match it on `steps`
 * random seeks, seek-befores, nexts and prevs.
 */
static void model_world(uint64_t seed, size_t base_n, int nb, int floor,
			int pinned, int steps)
{
	uint64_t r = seed;
	struct ent base[KEYSPACE], model[KEYSPACE];
	size_t bn = 0, mn = 0;
	for (size_t i = 0; i < base_n; i++) {
		struct ent k;
		rand_key(&r, &k);
		snprintf(k.v, sizeof(k.v), "b%u", (unsigned)i);
		arr_apply(base, &bn, &k, false);
	}
	struct overlay *ov;
	assert_int_equal(overlay_new(2, 0, NULL, &ov), 0);
	memcpy(model, base, bn * sizeof(*base));
	mn = bn;
	struct overlay_snap s = {0};
	if (pinned == 0)
		overlay_pin(ov, &s);
	for (int b = 1; b <= nb; b++) {
		struct overlay_op ops[8];
		struct ent ks[8];
		int nops = 1 + (int)(rng_next(&r) % 8);
		for (int i = 0; i < nops; i++) {
			rand_key(&r, &ks[i]);
			bool d = rng_next(&r) % 3 == 0;
			snprintf(ks[i].v, sizeof(ks[i].v), "o%d.%d", b, i);
			ops[i] = (struct overlay_op){
				.db = rng_next(&r) % 5 ? 0 : 1,
				.kind = d ? OVERLAY_DEL : OVERLAY_PUT,
				.key = ks[i].k, .klen = ks[i].klen,
				.val = ks[i].v, .vlen = strlen(ks[i].v)};
		}
		assert_int_equal(overlay_publish(ov, (uint64_t)b, ops,
						 (size_t)nops, NULL), 0);
		for (int i = 0; i < nops; i++) {
			if (ops[i].db != 0)
				continue;
			bool d = ops[i].kind == OVERLAY_DEL;
			if (b <= floor)
				arr_apply(base, &bn, &ks[i], d);
			if (b <= pinned)
				arr_apply(model, &mn, &ks[i], d);
		}
		if (b == floor)
			assert_int_equal(overlay_checkpoint_done(ov, (uint64_t)b),
					 0);
		if (b == pinned)
			overlay_pin(ov, &s);
	}
	assert_int_equal(s.floor, (uint64_t)floor);
	struct arr ba = {base, bn, -1}, ma = {model, mn, -1};
	struct overlay_cursor c;
	overlay_cursor_init(&c, &s, 0, &arr_ops, &ba);
	/* unpositioned at first */
	assert_int_equal(overlay_cursor_next(&c), -ENOENT);
	assert_int_equal(overlay_cursor_prev(&c), -ENOENT);
	for (int i = 0; i < steps; i++) {
		int op = (int)(rng_next(&r) % 10);
		struct ent k;
		rand_key(&r, &k);
		bool null = rng_next(&r) % 8 == 0;
		int got, want;
		switch (op) {
		case 0:
			got = overlay_cursor_seek(&c, null ? NULL : k.k, k.klen);
			want = arr_seek(&ma, null ? NULL : k.k, k.klen);
			break;
		case 1:
			got = overlay_cursor_seek_before(&c, null ? NULL : k.k,
							 k.klen);
			want = arr_seek_before(&ma, null ? NULL : k.k, k.klen);
			break;
		case 2: case 3: case 4: case 5:
			got = overlay_cursor_next(&c);
			want = ma.pos < 0 ? -ENOENT : arr_next(&ma);
			break;
		default:
			got = overlay_cursor_prev(&c);
			want = ma.pos < 0 ? -ENOENT : arr_prev(&ma);
			break;
		}
		check_step(got, &c, want, &ma);
	}
	/* a full walk each way */
	int rc = overlay_cursor_seek(&c, NULL, 0);
	for (size_t i = 0; i < mn; i++, rc = overlay_cursor_next(&c)) {
		ma.pos = (long)i;
		check_step(rc, &c, 0, &ma);
	}
	assert_int_equal(rc, -ENOENT);
	rc = overlay_cursor_seek_before(&c, NULL, 0);
	for (size_t i = mn; i-- > 0; rc = overlay_cursor_prev(&c)) {
		ma.pos = (long)i;
		check_step(rc, &c, 0, &ma);
	}
	assert_int_equal(rc, -ENOENT);
	/* the same world read by get: overlay first, then the base */
	for (int i = 0; i < 200; i++) {
		struct ent k;
		rand_key(&r, &k);
		struct overlay_val v;
		int g = overlay_get(&s, 0, k.k, k.klen, &v);
		assert_true(g >= 0);
		if (g == OVERLAY_ABSENT) {
			if (arr_seek(&ba, k.k, k.klen) == 0 &&
			    ent_cmp(base[ba.pos].k, base[ba.pos].klen, k.k,
				    k.klen) == 0) {
				v = (struct overlay_val){base[ba.pos].v,
							 strlen(base[ba.pos].v)};
				g = OVERLAY_FOUND;
			}
		}
		bool in = arr_seek(&ma, k.k, k.klen) == 0 &&
			  ent_cmp(model[ma.pos].k, model[ma.pos].klen, k.k,
				  k.klen) == 0;
		assert_int_equal(g == OVERLAY_FOUND, in);
		if (in) {
			assert_int_equal(v.len, strlen(model[ma.pos].v));
			assert_memory_equal(v.data, model[ma.pos].v, v.len);
		}
	}
	overlay_unpin(&s);
	overlay_free(ov);
	assert_int_equal(atomic_load(&failures), 0);
}

static void test_cursor_against_model(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		uint64_t r = seed * 0x2545f4914f6cdd1dull;
		int nb = (int)(rng_next(&r) % 30);
		int floor = nb ? (int)(rng_next(&r) % (nb + 1)) : 0;
		int pinned = nb ? floor + (int)(rng_next(&r) % (nb - floor + 1))
				: 0;
		size_t base_n = (size_t)(rng_next(&r) % 60);
		model_world(r, base_n, nb, floor, pinned, 3000);
	}
}

static void test_cursor_edge_worlds(void **state)
{
	(void)state;
	model_world(101, 0, 0, 0, 0, 200);      /* nothing anywhere */
	model_world(102, 0, 25, 0, 25, 3000);   /* empty base */
	model_world(103, 50, 0, 0, 0, 3000);    /* empty overlay */
	model_world(104, 50, 20, 20, 20, 3000); /* all checkpointed */
	model_world(105, 40, 20, 5, 12, 3000);  /* some before the floor,
						   some after the pin */
}

/* Tombstones everywhere: the overlay deletes every base key, and the
 * cursor finds nothing either way from anywhere. */
static void test_cursor_all_hidden(void **state)
{
	(void)state;
	struct ent base[3] = {{{'a'}, 1, "1"}, {{'b'}, 1, "2"},
			      {{'c'}, 1, "3"}};
	struct arr ba = {base, 3, -1};
	struct overlay *ov;
	assert_int_equal(overlay_new(1, 0, NULL, &ov), 0);
	struct overlay_op ops[] = {del(0, "a"), del(0, "b"), del(0, "c"),
				   del(0, "bb")};
	assert_int_equal(overlay_publish(ov, 1, ops, 4, NULL), 0);
	struct overlay_snap s;
	overlay_pin(ov, &s);
	struct overlay_cursor c;
	overlay_cursor_init(&c, &s, 0, &arr_ops, &ba);
	assert_int_equal(overlay_cursor_seek(&c, NULL, 0), -ENOENT);
	assert_int_equal(overlay_cursor_seek(&c, "b", 1), -ENOENT);
	assert_int_equal(overlay_cursor_seek_before(&c, NULL, 0), -ENOENT);
	assert_int_equal(overlay_cursor_seek_before(&c, "c", 1), -ENOENT);
	assert_int_equal(overlay_cursor_next(&c), -ENOENT);
	/* a bad database and a key over the limit */
	struct overlay_cursor bad;
	overlay_cursor_init(&bad, &s, 1, &arr_ops, &ba);
	assert_int_equal(overlay_cursor_seek(&bad, NULL, 0), -EINVAL);
	static char big[OVERLAY_KEY_MAX + 1];
	assert_int_equal(overlay_cursor_seek(&c, big, sizeof(big)), -EINVAL);
	overlay_unpin(&s);
	overlay_free(ov);
}

/* A base whose steps fail: the error comes back and the cursor is
 * unpositioned. */
static int failing_next(void *p)
{
	(void)p;
	return -EIO;
}

static void test_cursor_base_error(void **state)
{
	(void)state;
	struct ent base[2] = {{{'a'}, 1, "1"}, {{'b'}, 1, "2"}};
	struct arr ba = {base, 2, -1};
	struct overlay_base_ops ops = arr_ops;
	ops.next = failing_next;
	struct overlay *ov;
	assert_int_equal(overlay_new(1, 0, NULL, &ov), 0);
	struct overlay_op o = del(0, "a");  /* the tombstone steps the base */
	assert_int_equal(overlay_publish(ov, 1, &o, 1, NULL), 0);
	struct overlay_snap s;
	overlay_pin(ov, &s);
	struct overlay_cursor c;
	overlay_cursor_init(&c, &s, 0, &ops, &ba);
	assert_int_equal(overlay_cursor_seek(&c, NULL, 0), -EIO);
	assert_int_equal(overlay_cursor_next(&c), -ENOENT);
	assert_int_equal(overlay_cursor_seek(&c, "b", 1), 0);
	assert_int_equal(overlay_cursor_next(&c), -EIO);
	assert_int_equal(overlay_cursor_prev(&c), -ENOENT);
	overlay_unpin(&s);
	overlay_free(ov);
}

/* ---- threads ---- */

/*
 * A fake LMDB: immutable sorted snapshots, each at a checkpoint version,
 * swapped in by the checkpointer and reference counted by readers.
 */
#define PAIRS 16

struct fbase {
	struct ent e[2 * PAIRS];
	size_t n;
	uint64_t checkpoint;
	int refs;
};

struct world {
	struct overlay *ov;
	pthread_mutex_t mu;
	struct fbase *cur;
	atomic_int writing;
	atomic_long reads, checkpoints;
};

static struct fbase *base_get(struct world *w)
{
	pthread_mutex_lock(&w->mu);
	struct fbase *b = w->cur;
	b->refs++;
	pthread_mutex_unlock(&w->mu);
	return b;
}

static void base_put(struct world *w, struct fbase *b)
{
	pthread_mutex_lock(&w->mu);
	bool last = --b->refs == 0;
	pthread_mutex_unlock(&w->mu);
	if (last)
		free(b);
}

static void pair_key(struct ent *k, char side, int i)
{
	k->k[0] = (unsigned char)side;
	k->k[1] = (unsigned char)('A' + i);
	k->klen = 2;
}

static void *writer_main(void *p)
{
	struct world *w = p;
	bool present[PAIRS] = {false};
	uint64_t r = 77;
	for (uint64_t v = 1; v <= 4000; v++) {
		int i = (int)(rng_next(&r) % PAIRS);
		struct ent a, b;
		pair_key(&a, 'a', i);
		pair_key(&b, 'b', i);
		bool d = rng_next(&r) % 4 == 0;
		snprintf(a.v, sizeof(a.v), "%llu", (unsigned long long)v);
		struct overlay_op ops[2];
		for (int s = 0; s < 2; s++) {
			struct ent *k = s ? &b : &a;
			ops[s] = (struct overlay_op){
				.db = 0, .kind = d ? OVERLAY_DEL : OVERLAY_PUT,
				.key = k->k, .klen = k->klen, .val = a.v,
				.vlen = strlen(a.v)};
		}
		int64_t delta = d ? (present[i] ? -2 : 0)
				  : (present[i] ? 0 : 2);
		present[i] = !d;
		TCHECK(overlay_publish(w->ov, v, ops, 2, &delta) == 0);
		if (v % 64 == 0)
			sched_yield();
	}
	atomic_store(&w->writing, 0);
	return NULL;
}

/* One checkpoint: the overlay's newest entries up to its newest version
 * applied to a copy of the base, swapped in, then done and retired. */
static void checkpoint_once(struct world *w)
{
	uint64_t upto = overlay_version(w->ov);
	if (upto == overlay_floor(w->ov))
		return;
	struct overlay_snap cp;
	TCHECK(overlay_checkpoint_begin(w->ov, upto, &cp) == 0);
	struct fbase *old = base_get(w);
	struct fbase *nb = malloc(sizeof(*nb));
	TCHECK(nb != NULL);
	if (!nb)
		abort();
	/* entries and count are immutable once swapped in; refs are not */
	memcpy(nb->e, old->e, sizeof(nb->e));
	nb->n = old->n;
	base_put(w, old);
	struct overlay_iter it;
	overlay_iter_init(&it, &cp, 0);
	while (overlay_iter_next(&it) == 0) {
		struct ent k = {.klen = it.key.len};
		memcpy(k.k, it.key.data, it.key.len);
		memcpy(k.v, it.val.data, it.val.len);
		k.v[it.val.len] = 0;
		arr_apply(nb->e, &nb->n, &k, it.kind == OVERLAY_DEL);
	}
	nb->checkpoint = upto;
	nb->refs = 1;
	pthread_mutex_lock(&w->mu);  /* the "synced commit" */
	struct fbase *prev = w->cur;
	w->cur = nb;
	pthread_mutex_unlock(&w->mu);
	base_put(w, prev);
	TCHECK(overlay_checkpoint_done(w->ov, upto) == 0);
	overlay_unpin(&cp);
	overlay_retire(w->ov);
	atomic_fetch_add(&w->checkpoints, 1);
}

static void *checkpointer_main(void *p)
{
	struct world *w = p;
	while (atomic_load(&w->writing)) {
		checkpoint_once(w);
		sched_yield();
	}
	checkpoint_once(w);
	return NULL;
}

/* One read by the reader's order, checking the pairs and the count. */
static void read_once(struct world *w, bool backward)
{
	struct overlay_snap s;
	overlay_pin(w->ov, &s);
	struct fbase *b = base_get(w);
	TCHECK(overlay_snap_rebase(&s, b->checkpoint) == 0);
	struct arr ba = {b->e, b->n, -1};
	struct overlay_cursor c;
	overlay_cursor_init(&c, &s, 0, &arr_ops, &ba);
	char seen[2][PAIRS][16];
	memset(seen, 0, sizeof(seen));
	int64_t n = 0;
	int rc = backward ? overlay_cursor_seek_before(&c, NULL, 0)
			  : overlay_cursor_seek(&c, NULL, 0);
	for (; rc == 0; rc = backward ? overlay_cursor_prev(&c)
				      : overlay_cursor_next(&c)) {
		const unsigned char *k = c.key.data;
		int side = k[0] == 'b', i = k[1] - 'A';
		TCHECK(c.key.len == 2 && i >= 0 && i < PAIRS &&
		       c.val.len < 16);
		if (c.key.len == 2 && i >= 0 && i < PAIRS && c.val.len < 16)
			memcpy(seen[side][i], c.val.data, c.val.len);
		n++;
	}
	TCHECK(rc == -ENOENT);
	for (int i = 0; i < PAIRS; i++)
		TCHECK(strcmp(seen[0][i], seen[1][i]) == 0);
	int64_t delta = 0;
	TCHECK(overlay_count(&s, 0, &delta) == 0);
	TCHECK((int64_t)b->n + delta == n);
	base_put(w, b);
	overlay_unpin(&s);
	atomic_fetch_add(&w->reads, 1);
}

static void *reader_main(void *p)
{
	struct world *w = p;
	bool backward = false;
	do {
		read_once(w, backward);
		backward = !backward;
	} while (atomic_load(&w->writing));
	return NULL;
}

/*
 * A retire long enough to run in many slices (RETIRE_SLICE entries each),
 * while a writer thread publishes new keys in between the ones retired
 * and a reader walks the list: each slice finds its place again, so no
 * new key is lost, the order holds, and (under ASan) nothing freed is
 * read.
 */
#define SLICED_OLD 20000u   /* even keys, all retired */
#define SLICED_NEW 3000u    /* odd keys, published during the retire */

struct sliced {
	struct overlay *ov;
	atomic_int started, stop;
};

static void sliced_key(char *k, unsigned i)
{
	snprintf(k, 8, "k%06u", i % 1000000u);
}

static void *sliced_writer(void *p)
{
	struct sliced *w = p;
	atomic_store(&w->started, 1);
	for (unsigned b = 0; b < SLICED_NEW / 10; b++) {
		char keys[10][8];
		struct overlay_op ops[10];
		for (unsigned i = 0; i < 10; i++) {
			/* spread over the whole range of the old keys */
			unsigned j = (b * 10 + i) * (2 * SLICED_OLD / SLICED_NEW);
			sliced_key(keys[i], j | 1);
			ops[i] = put(0, keys[i], "new");
		}
		TCHECK(overlay_publish(w->ov, SLICED_OLD / 100 + 1 + b, ops,
				       10, NULL) == 0);
		sched_yield();
	}
	return NULL;
}

static void *sliced_reader(void *p)
{
	struct sliced *w = p;
	while (!atomic_load(&w->stop)) {
		struct overlay_snap s;
		overlay_pin(w->ov, &s);
		struct overlay_iter it;
		overlay_iter_init(&it, &s, 0);
		char last[8] = "";
		while (overlay_iter_next(&it) == 0) {
			TCHECK(it.key.len == 7);
			char k[8] = {0};
			memcpy(k, it.key.data, it.key.len < 7 ? it.key.len : 7);
			TCHECK(strcmp(last, k) < 0);
			memcpy(last, k, sizeof(k));
		}
		overlay_unpin(&s);
	}
	return NULL;
}

/* The keys `s` sees in `db`: each a new (odd) one, in strictly rising
 * order; how many. */
static unsigned sliced_new_keys(const struct overlay_snap *s, unsigned db)
{
	struct overlay_iter it;
	overlay_iter_init(&it, s, db);
	unsigned n = 0;
	char last[8] = "";
	while (overlay_iter_next(&it) == 0) {
		char k[8] = {0};
		assert_int_equal(it.key.len, 7);
		memcpy(k, it.key.data, 7);
		assert_true(strcmp(last, k) < 0);
		assert_true((k[6] - '0') % 2 == 1);
		memcpy(last, k, sizeof(k));
		n++;
	}
	return n;
}

static void test_retire_in_slices_beside_a_writer(void **state)
{
	(void)state;
	struct sliced w = {0};
	assert_int_equal(overlay_new(1, 0, NULL, &w.ov), 0);
	/* the old keys, 100 a batch, then checkpointed */
	for (unsigned b = 0; b < SLICED_OLD / 100; b++) {
		char keys[100][8];
		struct overlay_op ops[100];
		for (unsigned i = 0; i < 100; i++) {
			sliced_key(keys[i], 2 * (b * 100 + i));
			ops[i] = put(0, keys[i], "old");
		}
		assert_int_equal(overlay_publish(w.ov, b + 1, ops, 100, NULL),
				 0);
	}
	struct overlay_snap cp;
	assert_int_equal(overlay_checkpoint_begin(w.ov, SLICED_OLD / 100,
						  &cp), 0);
	assert_int_equal(overlay_checkpoint_done(w.ov, SLICED_OLD / 100), 0);
	overlay_unpin(&cp);
	pthread_t wr, rd;
	assert_int_equal(pthread_create(&rd, NULL, sliced_reader, &w), 0);
	assert_int_equal(pthread_create(&wr, NULL, sliced_writer, &w), 0);
	while (!atomic_load(&w.started))
		sched_yield();
	overlay_retire(w.ov);
	pthread_join(wr, NULL);
	atomic_store(&w.stop, 1);
	pthread_join(rd, NULL);
	assert_int_equal(atomic_load(&failures), 0);
	/* every new key is there, in order, and no old one */
	struct overlay_snap s;
	overlay_pin(w.ov, &s);
	assert_int_equal(sliced_new_keys(&s, 0), SLICED_NEW);
	overlay_unpin(&s);
	/* and the list is whole: every new key found by a seek too */
	for (unsigned i = 0; i < SLICED_NEW; i++) {
		char k[8];
		sliced_key(k, (i * (2 * SLICED_OLD / SLICED_NEW)) | 1);
		overlay_pin(w.ov, &s);
		assert_get(&s, 0, k, OVERLAY_FOUND, "new");
		overlay_unpin(&s);
	}
	overlay_retire(w.ov);
	overlay_free(w.ov);
}

/* The same, in steps on one thread: a publish of keys among the ones
 * being retired between every two slices, so each slice must find its
 * place again. Deterministic. */
static void test_retire_in_steps_between_publishes(void **state)
{
	(void)state;
	struct overlay *ov;
	assert_int_equal(overlay_new(2, 0, NULL, &ov), 0);
	uint64_t version = 0;
	for (unsigned b = 0; b < SLICED_OLD / 100; b++) {
		char keys[100][8];
		struct overlay_op ops[100];
		for (unsigned i = 0; i < 100; i++) {
			sliced_key(keys[i], 2 * (b * 100 + i));
			/* both databases: the pass crosses from one to the
			 * other */
			ops[i] = put(i % 2, keys[i], "old");
		}
		assert_int_equal(overlay_publish(ov, ++version, ops, 100, NULL),
				 0);
	}
	struct overlay_snap cp;
	assert_int_equal(overlay_checkpoint_begin(ov, version, &cp), 0);
	assert_int_equal(overlay_checkpoint_done(ov, version), 0);
	overlay_unpin(&cp);
	unsigned steps = 0, added = 0;
	bool done;
	do {
		done = overlay_retire_step(ov);
		steps++;
		/* ten odd keys over the whole range, in both databases */
		char keys[10][8];
		struct overlay_op ops[10];
		for (unsigned i = 0; i < 10; i++) {
			unsigned j = (i * 2 * SLICED_OLD / 10 + steps * 7) | 1;
			sliced_key(keys[i], j);
			ops[i] = put(i % 2, keys[i], "new");
		}
		assert_int_equal(overlay_publish(ov, ++version, ops, 10, NULL),
				 0);
		added += 10;
	} while (!done);
	assert_true(steps > SLICED_OLD / 2048);
	struct overlay_snap s;
	overlay_pin(ov, &s);
	assert_int_equal(sliced_new_keys(&s, 0) + sliced_new_keys(&s, 1),
			 added);
	overlay_unpin(&s);
	overlay_free(ov);
}

static void test_threads_see_consistent_snapshots(void **state)
{
	(void)state;
	struct world w = {0};
	pthread_mutex_init(&w.mu, NULL);
	assert_int_equal(overlay_new(1, 0, NULL, &w.ov), 0);
	size_t empty = overlay_bytes(w.ov);
	w.cur = calloc(1, sizeof(*w.cur));
	assert_non_null(w.cur);
	w.cur->refs = 1;
	atomic_store(&w.writing, 1);
	pthread_t wr, cp, rd[3];
	assert_int_equal(pthread_create(&cp, NULL, checkpointer_main, &w), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&rd[i], NULL, reader_main, &w),
				 0);
	assert_int_equal(pthread_create(&wr, NULL, writer_main, &w), 0);
	pthread_join(wr, NULL);
	pthread_join(cp, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(rd[i], NULL);
	assert_int_equal(atomic_load(&failures), 0);
	assert_true(atomic_load(&w.reads) >= 3);
	assert_true(atomic_load(&w.checkpoints) >= 1);
	/* all checkpointed, no pin left: the entries are all freed */
	assert_int_equal(overlay_floor(w.ov), 4000);
	overlay_retire(w.ov);
	struct overlay_snap s;
	overlay_pin(w.ov, &s);
	char buf[64];
	dump(&s, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	overlay_unpin(&s);
	assert_true(overlay_bytes(w.ov) >= empty);
	read_once(&w, false);  /* the base alone, after everything */
	assert_int_equal(atomic_load(&failures), 0);
	overlay_free(w.ov);
	base_put(&w, w.cur);
	pthread_mutex_destroy(&w.mu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_refuses_bad_sizes),
		cmocka_unit_test(test_batch_seen_whole_or_not),
		cmocka_unit_test(test_key_twice_in_a_batch),
		cmocka_unit_test(test_bad_batches_refused_whole),
		cmocka_unit_test(test_every_allocation_failing),
		cmocka_unit_test(test_counts_over_floor_and_version),
		cmocka_unit_test(test_rebase_past_the_pin),
		cmocka_unit_test(test_snap_db_empty),
		cmocka_unit_test(test_checkpoint_reads_newest_upto),
		cmocka_unit_test(test_retire_in_every_order),
		cmocka_unit_test(test_cursor_against_model),
		cmocka_unit_test(test_cursor_edge_worlds),
		cmocka_unit_test(test_cursor_all_hidden),
		cmocka_unit_test(test_cursor_base_error),
		cmocka_unit_test(test_retire_in_slices_beside_a_writer),
		cmocka_unit_test(test_retire_in_steps_between_publishes),
		cmocka_unit_test(test_threads_see_consistent_snapshots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
