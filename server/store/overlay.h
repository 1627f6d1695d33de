/*
 * The overlay: journalled writes that readers see over their LMDB snapshot
 * until a checkpoint has applied them to LMDB (tests/bench/
 * README-performance.md, "How the journal design would be built", step 2).
 * It knows nothing of LMDB: keys and values are byte strings, databases are
 * indexes 0..ndb-1 (the store's enum store_db), versions are the writer's
 * batch numbers (u64, strictly increasing).
 *
 * Per database, an ordered map (a skip list; key order is LMDB's default:
 * memcmp over the shorter length, then the shorter key first) of key ->
 * versions, newest first, each a value or a tombstone. Per version, a count
 * delta per database (a put that inserted +1, a delete that removed -1).
 *
 * Three roles:
 *   - the writer (one thread) publishes one batch at a time at its version:
 *     all of it at once or, after a failure, nothing of it;
 *   - readers (any thread) pin a snapshot {floor, version} and see the
 *     versions in (floor, version]; what is at or below floor is in LMDB;
 *   - the checkpointer (one thread) reads the newest entry of every key up
 *     to a version, applies it to LMDB in one synced commit, then raises the
 *     floor; versions at or below the floor are freed once no pin with an
 *     older floor remains.
 *
 * The order a reader follows, so that a checkpoint racing it can make it
 * neither miss nor double-see a write:
 *   1. overlay_pin(ov, &s)          s = {floor F, version V}
 *   2. open the LMDB read txn       it holds checkpoint C >= F: the
 *                                   checkpointer commits C before
 *                                   overlay_checkpoint_done() raises the
 *                                   floor to C
 *   3. read C (meta's checkpointed version, committed with the checkpoint)
 *      from that txn and call overlay_snap_rebase(&s, C): the snapshot
 *      becomes (C, max(V, C)]. C > V happens when a checkpoint began and
 *      committed between steps 1 and 2: LMDB then holds versions the pin
 *      did not, and the reader sees the state at C, overlay none of it
 *   4. overlay_get / overlay_cursor_* / overlay_count over that txn
 *   5. end the LMDB txn, then overlay_unpin(&s)
 * Step 3 is required: without it an entry in (F, C] would count twice,
 * and with C > V the reader would mix two states. Pinning after opening the
 * LMDB txn would be wrong: the floor could pass C in between, and the
 * versions in (C, floor] would be neither in the snapshot nor in the txn.
 *
 * The checkpointer's order:
 *   1. overlay_checkpoint_begin(ov, Vc, &cp)   Vc <= overlay_version(ov)
 *   2. for each database: overlay_iter over cp; put each value and delete
 *      each tombstone's key in one LMDB write txn, with meta's checkpointed
 *      version = Vc; a synced commit
 *   3. overlay_checkpoint_done(ov, Vc), then overlay_unpin(&cp)
 *      (a failed commit: overlay_unpin(&cp) alone; nothing changed)
 *   4. overlay_retire(ov) now and on every later tick, or when an unpin
 *      said the last pin of an older floor ended
 *
 * Drops (a whole database emptied) are not in the overlay: they happen only
 * in schema migrations, which checkpoint first (overlay_version(ov) ==
 * overlay_floor(ov) and overlay_retire() done), then drop in LMDB directly.
 *
 * Threads: one pthread rwlock. overlay_get, overlay_count and each cursor
 * or iterator step take it shared for that call only (never between calls);
 * overlay_publish, overlay_checkpoint_done and overlay_retire take it
 * exclusively (retire a slice of entries at a time, letting readers and a
 * publish in between). overlay_pin takes it shared; overlay_unpin takes no lock.
 * The lock prefers a waiting writer (glibc), so no thread may take it
 * twice: a cursor's base steps run under it and must not call the overlay.
 * Between steps a cursor keeps a pointer only to an entry its snapshot sees,
 * which no retire can free while the snapshot is pinned.
 *
 * Errors: 0 or a negative errno (store_err.h's family): -EINVAL for a bad
 * argument (a size over its limit, a version out of order, an unknown
 * database), -ENOMEM when memory ran out (nothing changed), -ENOENT past
 * either end of a cursor.
 */
#ifndef CLUBCRM_OVERLAY_H
#define CLUBCRM_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* LMDB's own limits: keys of 1..511 bytes (its default MDB_MAXKEYSIZE);
 * a value of up to 1 GiB (far above any record; a frame is 1 MiB). */
#define OVERLAY_KEY_MAX 511
#define OVERLAY_VAL_MAX ((size_t)1 << 30)
#define OVERLAY_DB_MAX 64

struct overlay;
struct overlay_epoch;

/* Where the overlay's memory comes from (tests fail allocations on
 * purpose); NULL in overlay_new() is malloc and free. */
struct overlay_alloc {
	void *(*malloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p);
	void *ctx;
};

/* Bytes: a key or a value; valid until the snapshot that gave it is
 * unpinned (overlay) or as long as the base says (base cursor). */
struct overlay_val {
	const void *data;
	size_t len;
};

enum overlay_op_kind {
	OVERLAY_PUT = 1,
	OVERLAY_DEL = 2,     /* a tombstone: the key is gone */
};

struct overlay_op {
	unsigned db;
	enum overlay_op_kind kind;
	const void *key;
	size_t klen;
	const void *val;     /* OVERLAY_PUT only */
	size_t vlen;
};

/*
 * A new, empty overlay of `ndb` databases (1..OVERLAY_DB_MAX) whose floor
 * and newest version are `floor`: LMDB's checkpointed version at open.
 * 0, -EINVAL or -ENOMEM.
 */
int overlay_new(unsigned ndb, uint64_t floor, const struct overlay_alloc *a,
		struct overlay **out);
/* Frees everything; no pin may remain. NULL is fine. */
void overlay_free(struct overlay *ov);

/*
 * Adds one batch at `version` (> overlay_version(ov)): ops in order (a key
 * twice in one batch: the later op wins), and per database the batch's
 * count delta (count_deltas[ndb], NULL: all 0). A reader pinned before
 * sees none of it, one pinned after sees all of it. On any error nothing
 * of the batch is published and the newest version stays. The writer
 * thread only. 0, -EINVAL or -ENOMEM.
 */
int overlay_publish(struct overlay *ov, uint64_t version,
		    const struct overlay_op *ops, size_t n,
		    const int64_t *count_deltas);

/* The newest published version, and the floor new pins get. */
uint64_t overlay_version(struct overlay *ov);
uint64_t overlay_floor(struct overlay *ov);
/* Bytes held (entries, keys, values, per-version counts), freed ones not
 * counted: the writer waits for a checkpoint above its bound. Any thread. */
size_t overlay_bytes(struct overlay *ov);

/* A reader's view: the versions in (floor, version]. */
struct overlay_snap {
	struct overlay *ov;
	struct overlay_epoch *epoch;  /* the pin's reference; NULL: unpinned */
	uint64_t floor, version;
};

/* Pins the current floor and newest version. Never fails. */
void overlay_pin(struct overlay *ov, struct overlay_snap *s);
/*
 * True when the snapshot can see nothing of database `db` in the overlay
 * (none of its entries holds a version in (floor, version]; false also when
 * that would take more than a few entries to tell): a cursor over it may
 * then read LMDB alone. What is published later is newer than the
 * snapshot, and what the snapshot sees is not retired while it is pinned.
 */
bool overlay_snap_db_empty(const struct overlay_snap *s, unsigned db);
/*
 * Moves the snapshot onto the checkpoint its LMDB txn holds (reader's
 * order, step 3): floor = checkpointed, version = max(version,
 * checkpointed). 0, or -EINVAL unless floor <= checkpointed <=
 * overlay_version().
 */
int overlay_snap_rebase(struct overlay_snap *s, uint64_t checkpointed);
/*
 * Ends the pin (any thread, no lock; twice is harmless). Returns 1 when it
 * ended the last pin of a floor older than the current one, so that an
 * overlay_retire() would free something now; else 0.
 */
int overlay_unpin(struct overlay_snap *s);

enum overlay_found {
	OVERLAY_ABSENT = 0,  /* not in the overlay: ask LMDB */
	OVERLAY_FOUND = 1,   /* *val holds the value */
	OVERLAY_DELETED = 2, /* a tombstone: not there, whatever LMDB says */
};

/* The key's newest entry the snapshot sees: an enum overlay_found, or
 * -EINVAL (unknown database, bad key length). */
int overlay_get(const struct overlay_snap *s, unsigned db, const void *key,
		size_t klen, struct overlay_val *val);
/* Sum of the count deltas of the versions in (floor, version] in `db`:
 * the reader's count is LMDB's count plus this. 0 or -EINVAL. */
int overlay_count(const struct overlay_snap *s, unsigned db, int64_t *delta);

/*
 * The checkpointer's side (order above). begin pins `cp` at (floor,
 * upto]: floor <= upto <= overlay_version(ov); done raises the floor to
 * upto for new pins (upto > floor; -EINVAL otherwise; -ENOMEM leaves the
 * floor as it was). retire frees every version at or below the oldest
 * floor still pinned (or the floor, with no pin) and returns the bytes
 * freed.
 */
int overlay_checkpoint_begin(struct overlay *ov, uint64_t upto,
			     struct overlay_snap *cp);
int overlay_checkpoint_done(struct overlay *ov, uint64_t upto);
size_t overlay_retire(struct overlay *ov);
/* The same, a slice of entries at a time (what overlay_retire does, the
 * lock let go between slices): true once the pass is done. The
 * checkpointer's thread, publishes allowed between two steps. */
bool overlay_retire_step(struct overlay *ov);

/*
 * Every key of one database a snapshot sees, in key order, with its newest
 * entry: the checkpointer's reading (and a check's).
 *
 *	struct overlay_iter it;
 *	overlay_iter_init(&it, &cp, db);
 *	while ((rc = overlay_iter_next(&it)) == 0)
 *		it.kind == OVERLAY_PUT ? put(it.key, it.val) : del(it.key);
 *	// rc == -ENOENT at the end
 */
struct overlay_iter {
	const struct overlay_snap *s;
	unsigned db;
	void *node;                   /* the last entry returned */
	int started;
	struct overlay_val key, val;
	enum overlay_op_kind kind;
};
void overlay_iter_init(struct overlay_iter *it, const struct overlay_snap *s,
		       unsigned db);
int overlay_iter_next(struct overlay_iter *it);

/*
 * The cursor that readers use: a base cursor (LMDB's, for the store) merged
 * with the overlay in key order. On equal keys the overlay wins; a
 * tombstone hides the base's entry. The base is a small vtable whose steps
 * return 0 (current() then gives its entry), -ENOENT past either end, or a
 * negative errno (returned as is; the merged cursor is then unpositioned).
 * The merged cursor calls next/prev only on a positioned base, and the
 * steps under the overlay's lock (so they must not call the overlay). The
 * cursor keeps a pointer to its snapshot: use it only while that is pinned.
 */
struct overlay_base_ops {
	/* The first entry >= key (NULL: the first entry). */
	int (*seek)(void *base, const void *key, size_t klen);
	/* The last entry < key (NULL: the last entry). */
	int (*seek_before)(void *base, const void *key, size_t klen);
	int (*next)(void *base);
	int (*prev)(void *base);
	void (*current)(void *base, struct overlay_val *key,
			struct overlay_val *val);
};

/*
 * Steps return 0 (key and val hold the entry), -ENOENT past either end,
 * after which the cursor is unpositioned (next and prev return -ENOENT
 * until a seek), -EINVAL (unknown database, a key over OVERLAY_KEY_MAX)
 * or the base's error. Directions may change at any step.
 */
struct overlay_cursor {
	const struct overlay_snap *s;
	unsigned db;
	const struct overlay_base_ops *bops;
	void *base;
	/* Where each side is: the base positioned (bok) at bkey, the overlay
	 * at the visible entry `on` (NULL: none that way). In direction +1
	 * both are at the first entry >= the current key, in -1 at the last
	 * <= it; `at` says which of them is at the current key. */
	int dir, positioned, bok, at;
	struct overlay_val bkey, bval;
	void *on;
	struct overlay_val key, val;
	unsigned char kbuf[OVERLAY_KEY_MAX];
};

void overlay_cursor_init(struct overlay_cursor *c, const struct overlay_snap *s,
			 unsigned db, const struct overlay_base_ops *bops,
			 void *base);
int overlay_cursor_seek(struct overlay_cursor *c, const void *key, size_t klen);
int overlay_cursor_seek_before(struct overlay_cursor *c, const void *key,
			       size_t klen);
int overlay_cursor_next(struct overlay_cursor *c);
int overlay_cursor_prev(struct overlay_cursor *c);

#endif
