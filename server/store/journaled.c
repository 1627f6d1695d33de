/*
 * The store with its journal (store.h, "The journal"; tests/bench/
 * README-performance.md, "A simpler pending layer"): the writer's batches
 * nest in one LMDB write transaction kept open across them; each batch is
 * acknowledged once its redo is in the journal (one append, one fdatasync)
 * and published in the overlay for the readers of other threads; a
 * checkpoint commits the long transaction (synced) about once a second,
 * with the last batch it holds in meta, then trims the journal.
 *
 * Crash safety: LMDB always holds a whole checkpoint (a synced commit); the
 * journal holds every acknowledged batch after it. Opening the store
 * replays those (journal_open stops at the first torn or damaged record:
 * its fdatasync never returned, nothing in it was acknowledged) in one
 * synced commit before anyone reads.
 */
#define _GNU_SOURCE
#include "store.h"
#include "store_lmdb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "overlay.h"
#include "redo.h"

/* meta's key for the last batch a checkpoint holds (not in the redo: it is
 * written by the checkpoint itself, read by readers from LMDB only). */
static const char checkpoint_key[] = "journal.checkpoint";

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t store_txn_checkpointed(MDB_txn *txn)
{
	MDB_env *env = mdb_txn_env(txn);
	struct store *st = mdb_env_get_userctx(env);
	MDB_val k = {sizeof(checkpoint_key) - 1, (void *)checkpoint_key}, v;
	if (!st || mdb_get(txn, st->dbi[DB_META], &k, &v) || v.mv_size != 8)
		return 0;
	return get_be64(v.mv_data);
}

void store_note_unpin(struct store *st, int retire)
{
	if (retire > 0)
		atomic_store(&st->retire_wanted, true);
}

/* Applies one batch's redo to `txn`: the store's own puts and deletes. */
static int apply_redo(struct store *st, MDB_txn *txn, const uint8_t *p,
		      size_t len)
{
	if (redo_validate(p, len, DB_COUNT, NULL) < 0)
		return -EIO;
	struct redo_reader rd;
	struct redo_op op;
	int rc;
	redo_reader_init(&rd, p, len, DB_COUNT);
	while ((rc = redo_next(&rd, &op)) == 1) {
		MDB_dbi dbi = st->dbi[op.db];
		MDB_val k = {op.klen, (void *)op.key};
		if (op.kind == REDO_PUT) {
			MDB_val v = {op.vlen, (void *)op.val};
			rc = mdb_put(txn, dbi, &k, &v, 0);
		} else if (op.kind == REDO_DEL) {
			rc = mdb_del(txn, dbi, &k, NULL);
			if (rc == MDB_NOTFOUND)
				rc = 0;
		} else {
			rc = mdb_drop(txn, dbi, 0);
		}
		if (rc)
			return lmdb_error(rc);
	}
	return rc < 0 ? -EIO : 0;
}

static int put_checkpoint(struct store *st, MDB_txn *txn, uint64_t version)
{
	uint8_t b[8];
	put_be64(b, version);
	MDB_val k = {sizeof(checkpoint_key) - 1, (void *)checkpoint_key};
	MDB_val v = {sizeof(b), b};
	return lmdb_error(mdb_put(txn, st->dbi[DB_META], &k, &v, 0));
}

/* ------------------------------------------------------------ replay */

struct replay {
	struct store *st;
	MDB_txn *txn;
	uint64_t last;
	size_t records;
};

static int replay_record(void *ctx, const struct journal_record *r)
{
	struct replay *rp = ctx;
	int rc = apply_redo(rp->st, rp->txn, r->payload, r->len);
	if (rc)
		return rc;
	rp->last = r->last_rev;
	rp->records++;
	return 0;
}

static void journal_dir(const char *dir, char *out, size_t n)
{
	snprintf(out, n, "%s/journal", dir);
}

/* The lock of whoever journals into this store; -EWOULDBLOCK when another
 * process (a running server) holds it. Without `create`, -ENOENT when the
 * file is missing (a tool run as another user must not make it). */
static int lock_file(const char *dir, bool create, int *fd_out)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/journal.lock", dir);
	int fd = open(path, O_CLOEXEC | (create ? O_RDWR | O_CREAT : O_RDONLY),
		      0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		return e == EWOULDBLOCK ? -EWOULDBLOCK : -e;
	}
	*fd_out = fd;
	return 0;
}

static int take_lock(const char *dir, int *fd_out)
{
	return lock_file(dir, true, fd_out);
}

/*
 * Replays into LMDB, in one synced commit, every batch the journal holds
 * after meta's checkpoint; then the journal is open in *jn (for a server to
 * append) or closed. 0 with no journal directory at all.
 */
static int replay_journal(struct store *st, const char *dir,
			  struct journal **jn, uint64_t *last)
{
	char jdir[PATH_MAX];
	journal_dir(dir, jdir, sizeof(jdir));
	*last = 0;
	if (!jn && access(jdir, F_OK) != 0)
		return 0;  /* never journalled */
	MDB_txn *txn;
	int rc = lmdb_error(mdb_txn_begin(st->env, NULL, 0, &txn));
	if (rc)
		return rc;
	uint64_t after = store_txn_checkpointed(txn);
	struct replay rp = {.st = st, .txn = txn, .last = after};
	struct journal *j = NULL;
	rc = journal_open(&j, jdir, STORE_JOURNAL_SEGMENT, after,
			  replay_record, &rp);
	if (rc == 0 && rp.records)
		rc = put_checkpoint(st, txn, rp.last);
	if (rc) {
		mdb_txn_abort(txn);
		journal_close(j);
		return rc;
	}
	rc = lmdb_error(mdb_txn_commit(txn));
	if (rc == 0 && rp.records) {
		store_note_commit(st);
		rc = store_sync(st);
	}
	if (rc == 0)
		rc = journal_trim(j, rp.last);
	if (rc == 0 && rp.records)
		fprintf(stderr, "clubcrm: %zu journalled batch(es) after the "
			"last checkpoint replayed\n", rp.records);
	if (j && journal_damaged(j))
		fprintf(stderr, "clubcrm: the journal of %s is damaged: valid "
			"records after a bad one were NOT replayed (acknowledged "
			"writes may be lost); the damaged segments are kept as "
			"%s/damaged-*\n", dir, jdir);
	if (rc || !jn)
		journal_close(j);
	else
		*jn = j;
	*last = rp.last;
	return rc;
}

/* How many times a replay may double the map before giving up. */
#define STORE_REPLAY_GROWS 8

/* The replay, the map grown (no transaction is open between tries) when
 * the batches since the checkpoint do not fit: a map that held them in the
 * server's long transaction may not hold them in the opener's. */
static int replay_with_room(struct store *st, const char *dir,
			    struct journal **jn, uint64_t *last)
{
	for (int grown = 0;; grown++) {
		int rc = replay_journal(st, dir, jn, last);
		if (rc != -ENOSPC || grown == STORE_REPLAY_GROWS ||
		    store_map_double(st))
			return rc;
	}
}

int store_journal_recover(struct store *st, const char *dir)
{
	char jdir[PATH_MAX];
	journal_dir(dir, jdir, sizeof(jdir));
	if (access(jdir, F_OK) != 0)
		return 0;  /* never journalled */
	int fd = -1;
	int rc = take_lock(dir, &fd);
	if (rc == -EWOULDBLOCK)
		return 0;  /* a server journals: LMDB's checkpoint is read */
	if (rc)
		return rc;
	uint64_t last;
	rc = replay_with_room(st, dir, NULL, &last);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------ the tools */

int store_journal_probe(const char *dir, int *lock_fd, bool *journal)
{
	char jdir[PATH_MAX];
	journal_dir(dir, jdir, sizeof(jdir));
	*lock_fd = -1;
	*journal = access(jdir, F_OK) == 0;
	int rc = lock_file(dir, false, lock_fd);
	if (rc == -ENOENT)
		return 0;  /* no server ever journalled here */
	if (rc == -EWOULDBLOCK)
		return 1;
	return rc;
}

uint64_t store_checkpointed(struct store *st)
{
	MDB_txn *txn;
	if (mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))
		return 0;
	uint64_t v = store_txn_checkpointed(txn);
	mdb_txn_abort(txn);
	return v;
}

/* Two readings of a journal say the same. */
static bool same_reading(int rc1, const struct journal_verify_result *a,
			 int rc2, const struct journal_verify_result *b)
{
	if (rc1 || rc2)
		return rc1 == rc2;
	return a->follows == b->follows && a->last_seq == b->last_seq &&
	       a->end.offset == b->end.offset &&
	       strcmp(a->end_segment, b->end_segment) == 0;
}

/* Readings of a served journal before its damage counts (the first that
 * finds none ends it). */
#define SURVEY_READINGS 4

void store_journal_survey(const char *dir, bool served, uint64_t after,
			  struct store_tool_view *v)
{
	char jdir[PATH_MAX];
	journal_dir(dir, jdir, sizeof(jdir));
	struct journal_verify_result prev;
	int prev_rc = 0;
	for (int i = 0; i < SURVEY_READINGS; i++) {
		v->verify_rc = journal_verify(jdir, after, &v->jv);
		if (!served || (v->verify_rc == 0 && !v->jv.follows))
			return;
		if (i > 0 && same_reading(prev_rc, &prev, v->verify_rc, &v->jv))
			return;
		prev = v->jv;
		prev_rc = v->verify_rc;
	}
}

int store_journal_replay(struct store *st, const char *dir, int lock_fd)
{
	if (lock_fd < 0)
		return store_journal_recover(st, dir);
	uint64_t last;
	return replay_with_room(st, dir, NULL, &last);
}

int store_journal_start(struct store *st, const char *dir)
{
	if (st->ov)
		return -EINVAL;
	int rc = take_lock(dir, &st->lock_fd);
	if (rc == -EWOULDBLOCK) {
		fprintf(stderr, "clubcrm: another process journals into %s\n",
			dir);
		return -EBUSY;
	}
	if (rc)
		return rc;
	uint64_t last;
	rc = replay_with_room(st, dir, &st->jn, &last);
	if (rc == 0) {
		st->checkpointed = last;
		st->version = last;
		atomic_store(&st->committed_txn, last);
		atomic_store(&st->durable_txn, last);
		rc = overlay_new(DB_COUNT, last, NULL, &st->ov);
	}
	if (rc) {
		journal_close(st->jn);
		st->jn = NULL;
		close(st->lock_fd);
		st->lock_fd = -1;
	}
	return rc;
}

/* ------------------------------------------------------------ the writer */

/* Refills a new long transaction with what the overlay holds beyond the
 * checkpoint (after it was lost to a failed commit). */
static int refill(struct store *st)
{
	struct overlay_snap cp;
	int rc = overlay_checkpoint_begin(st->ov, st->version, &cp);
	if (rc)
		return rc;
	for (unsigned db = 0; db < DB_COUNT && !rc; db++) {
		struct overlay_iter it;
		overlay_iter_init(&it, &cp, db);
		while (!rc && (rc = overlay_iter_next(&it)) == 0) {
			MDB_val k = {it.key.len, (void *)it.key.data};
			if (it.kind == OVERLAY_PUT) {
				MDB_val v = {it.val.len, (void *)it.val.data};
				rc = mdb_put(st->long_txn, st->dbi[db], &k, &v,
					     0);
			} else {
				rc = mdb_del(st->long_txn, st->dbi[db], &k,
					     NULL);
				if (rc == MDB_NOTFOUND)
					rc = 0;
			}
			rc = rc > 0 ? lmdb_error(rc) : rc;
		}
		if (rc == -ENOENT)
			rc = 0;
	}
	overlay_unpin(&cp);
	return rc;
}

int store_batch_parent(struct store *st, MDB_txn **parent)
{
	/* A checkpoint found the map full: the batch is refused as full, so
	 * that the writer grows the map (store_grow clears it) and runs it
	 * again. */
	if (st->grow_wanted)
		return -ENOSPC;
	if (!st->long_txn) {
		int rc = lmdb_error(mdb_txn_begin(st->env, NULL, 0,
						  &st->long_txn));
		if (rc) {
			st->long_txn = NULL;
			return rc;
		}
		st->long_began_ns = now_ns();
		if (st->rebuild) {
			rc = refill(st);
			if (rc) {
				mdb_txn_abort(st->long_txn);
				st->long_txn = NULL;
				return rc;
			}
			st->rebuild = false;
		}
	}
	for (int db = 0; db < DB_COUNT; db++) {
		MDB_stat ms;
		int rc = mdb_stat(st->long_txn, st->dbi[db], &ms);
		if (rc)
			return lmdb_error(rc);
		st->entries[db] = ms.ms_entries;
	}
	*parent = st->long_txn;
	return 0;
}

/* The long transaction is lost (a failed commit into it): the next batch
 * starts a new one, refilled from the overlay. */
static void lose_long(struct store *st)
{
	if (st->long_txn)
		mdb_txn_abort(st->long_txn);
	st->long_txn = NULL;
	st->rebuild = true;
}

/*
 * A journal that refused a batch may hold a torn record of it, and a batch
 * merged into the long transaction cannot be taken out of it: no write can
 * be acknowledged safely any more. The process stops (as the writer does on
 * a failed sync); the restart replays what the journal holds.
 */
static void stop_on(const char *what, int rc)
{
	fprintf(stderr, "clubcrmd: %s (%s): stopping, since no write can be "
		"acknowledged safely any more\n", what, strerror(-rc));
	abort();
}

int store_batch_commit(struct store *st, MDB_txn *batch,
		       const struct redo *redo)
{
	if (redo->err) {
		mdb_txn_abort(batch);
		return redo->err;
	}
	int64_t delta[DB_COUNT];
	for (int db = 0; db < DB_COUNT; db++) {
		MDB_stat ms;
		int rc = mdb_stat(batch, st->dbi[db], &ms);
		if (rc) {
			mdb_txn_abort(batch);
			return lmdb_error(rc);
		}
		delta[db] = (int64_t)ms.ms_entries - (int64_t)st->entries[db];
	}
	int rc = mdb_txn_commit(batch);
	if (rc) {
		/* LMDB may have marked the long transaction failed too. */
		lose_long(st);
		store_note_commit_failed(st);
		return lmdb_error(rc);
	}
	if (redo->b.len == 0)
		return 0;  /* nothing written: nothing to acknowledge */
	uint64_t version = st->version + 1;
	struct iovec iov = {redo->b.data, redo->b.len};
	rc = journal_append(st->jn, version, version, &iov, 1);
	if (rc == -EMSGSIZE || rc == -EINVAL || rc == CLUBCRM_EDISKFULL) {
		/* Refused, nothing of it counting, the journal usable (a full
		 * disk: writes resume once there is room): the batch goes
		 * from the long transaction with all since the checkpoint,
		 * refilled from the overlay by the next batch. */
		lose_long(st);
		return rc == -EMSGSIZE ? -E2BIG : rc;
	}
	if (rc)
		stop_on("the journal could not take a batch", rc);
	/* The overlay's ops point into the redo's bytes. */
	size_t n = redo->ops, i = 0;
	struct overlay_op *ops = calloc(n ? n : 1, sizeof(*ops));
	if (!ops)
		stop_on("no memory to publish a journalled batch", -ENOMEM);
	struct redo_reader rd;
	struct redo_op op;
	redo_reader_init(&rd, redo->b.data, redo->b.len, DB_COUNT);
	while (i < n && redo_next(&rd, &op) == 1) {
		ops[i++] = (struct overlay_op){
			.db = op.db,
			.kind = op.kind == REDO_PUT ? OVERLAY_PUT : OVERLAY_DEL,
			.key = op.key, .klen = op.klen,
			.val = op.val, .vlen = op.vlen};
	}
	rc = i == n ? overlay_publish(st->ov, version, ops, n, delta) : -EIO;
	free(ops);
	if (rc)
		stop_on("a journalled batch could not be published", rc);
	st->version = version;
	atomic_store(&st->committed_txn, version);
	atomic_store(&st->durable_txn, version);
	return 0;
}

bool store_checkpoint_wanted(uint64_t age_ns, size_t held)
{
	return held >= STORE_CHECKPOINT_BYTES ||
	       (age_ns >= STORE_CHECKPOINT_NS &&
		held >= STORE_CHECKPOINT_MIN_BYTES) ||
	       age_ns >= STORE_CHECKPOINT_MAX_NS;
}

bool store_checkpoint_due(struct store *st)
{
	if (!st->ov || !st->long_txn)
		return false;
	return store_checkpoint_wanted(now_ns() - st->long_began_ns,
				       overlay_bytes(st->ov));
}

bool store_checkpoint_pending(struct store *st)
{
	return st->ov && st->long_txn;
}

int store_checkpoint(struct store *st)
{
	if (!st->ov)
		return 0;
	if (atomic_exchange(&st->retire_wanted, false))
		st->retire_pending = true;
	if (!st->long_txn || st->version == st->checkpointed) {
		if (st->long_txn) {
			mdb_txn_abort(st->long_txn);  /* nothing in it */
			st->long_txn = NULL;
		}
		return 0;
	}
	uint64_t version = st->version;
	int rc = put_checkpoint(st, st->long_txn, version);
	if (rc) {
		lose_long(st);
		return rc;
	}
	rc = mdb_txn_commit(st->long_txn);
	st->long_txn = NULL;
	if (rc) {
		/* The journal and the overlay still hold it all. */
		st->rebuild = true;
		if (rc == MDB_MAP_FULL)
			st->grow_wanted = true;
		return lmdb_error(rc);
	}
	/* MDB_NOMETASYNC: the meta page made durable before the journal
	 * behind it goes. */
	rc = mdb_env_sync(st->env, 1);
	if (rc)
		stop_on("a checkpoint could not be synced", lmdb_error(rc));
	st->checkpointed = version;
	rc = overlay_checkpoint_done(st->ov, version);
	/* The versions it holds go in the writer's gaps (store_retire_step):
	 * done here, the walk was half the writer's pause. */
	if (rc == 0)
		st->retire_pending = true;
	int trc = journal_trim(st->jn, version);
	if (trc)
		fprintf(stderr, "clubcrm: the journal could not be trimmed "
			"(%s); it is again at the next checkpoint\n",
			strerror(-trc));
	return rc;
}

bool store_retire_step(struct store *st)
{
	if (!st->ov)
		return true;
	if (atomic_exchange(&st->retire_wanted, false))
		st->retire_pending = true;
	if (st->retire_pending)
		st->retire_pending = !overlay_retire_step(st->ov);
	return !st->retire_pending;
}

void store_journal_stop(struct store *st)
{
	if (!st->ov)
		return;
	if (st->long_txn && store_checkpoint(st))
		fprintf(stderr, "clubcrm: the last checkpoint failed: the "
			"journal is replayed at the next start\n");
	if (st->long_txn)
		mdb_txn_abort(st->long_txn);
	st->long_txn = NULL;
	journal_close(st->jn);
	st->jn = NULL;
	overlay_free(st->ov);
	st->ov = NULL;
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
}
