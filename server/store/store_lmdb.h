/*
 * LMDB inside the store: only the .c files of server/store/ (and the
 * store's own tests) include this header; everything else goes through
 * txn.h and cursor.h, which do not declare a single mdb_ function.
 */
#ifndef CLUBCRM_STORE_LMDB_H
#define CLUBCRM_STORE_LMDB_H

#include <stdatomic.h>

#include <lmdb.h>

#include "overlay.h"
#include "store.h"
#include "txn.h"

struct journal;
struct redo;

/*
 * The environment of one club. store.c opens and closes it; the modules
 * below store.c (txn.c, cursor.c) read the handles here rather than call
 * back up into store.c, so that store.c -> migrate.c -> index.c ->
 * cursor.c -> txn.c is a chain and not a circle.
 */
struct store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	size_t map_size;
	/* Durability (store.h): LMDB's txn id of the last commit that wrote,
	 * the last known durable, and the syncs that waited. Written by the
	 * writer's thread only; read from any (the loop answers by them). */
	_Atomic uint64_t committed_txn, durable_txn, syncs;
	_Atomic uint64_t commit_failures;  /* top-level commits LMDB failed */
	/*
	 * The journal (store.h, "The journal"; journaled.c): NULL unless the
	 * server started it. Then the writer's thread keeps long_txn open
	 * across batches, each batch nested in it, journalled and published
	 * in the overlay; readers on other threads see the overlay over
	 * LMDB's last checkpoint. Only the writer's thread touches the
	 * fields below `ov` (ov itself is read by every reader).
	 */
	struct overlay *ov;
	struct journal *jn;
	MDB_txn *long_txn;      /* open since long_began_ns, or NULL */
	uint64_t long_began_ns;
	uint64_t version;       /* the last batch journalled */
	uint64_t checkpointed;  /* the last batch LMDB holds */
	bool rebuild;           /* long_txn was lost: refill it first */
	bool grow_wanted;       /* a checkpoint found the map full */
	size_t entries[DB_COUNT];  /* long_txn's, when the batch began */
	_Atomic bool retire_wanted;  /* an unpin let versions go */
	bool retire_pending;    /* store_retire_step() has slices to do */
	int lock_fd;            /* journal.lock, held while journalling */
	/* Opened by a tool next to a running server (store_open_tool):
	 * read transactions only. */
	bool reader;
};

/*
 * journaled.c, for store_open_tool (store.c). Whether a server journals
 * into `dir`: 1 when another process holds journal.lock; 0 when none does
 * (the lock then taken into *lock_fd, -1 when the club has no such file:
 * it never journalled); or a negative errno. *journal: `journal/` exists.
 */
int store_journal_probe(const char *dir, int *lock_fd, bool *journal);
/* The last batch a checkpoint put in LMDB (0: none). */
uint64_t store_checkpointed(struct store *st);
/* journal_verify of `dir`'s journal into v->jv and v->verify_rc. Next to
 * a server (`served`) damage or an error is read again: the server appends
 * and recycles segments while it is read, so what counts is what two
 * readings agree on. */
void store_journal_survey(const char *dir, bool served, uint64_t after,
			  struct store_tool_view *v);
/* store_journal_recover, journal.lock held by the caller (lock_fd >= 0)
 * or taken here (-1). */
int store_journal_replay(struct store *st, const char *dir, int lock_fd);

/* journaled.c, for txn.c: the parent of the writer's batch (the long
 * transaction, begun or refilled as needed), and the batch's commit into it
 * (journalled, published, durable when 0 is returned). */
int store_batch_parent(struct store *st, MDB_txn **parent);
int store_batch_commit(struct store *st, MDB_txn *batch,
		       const struct redo *redo);
/* Doubles the map (mapsize.c): no transaction of this process may be
 * open. 0, -ENOSPC past the largest size, or LMDB's error. */
int store_map_double(struct store *st);
/* A read transaction's floor: the last batch its LMDB snapshot holds. */
uint64_t store_txn_checkpointed(MDB_txn *txn);
/* The txn ended its pin and versions may go now. */
void store_note_unpin(struct store *st, int retire);

/* After a commit returned 0 (txn.c): its fdatasync made the commit
 * before it durable. */
void store_note_commit(struct store *st);
/* After a top-level write commit failed in LMDB (txn.c). */
void store_note_commit_failed(struct store *st);

static inline MDB_env *store_env(struct store *st)
{
	return st->env;
}

static inline MDB_dbi store_dbi(struct store *st, enum store_db db)
{
	return st->dbi[db];
}

static inline MDB_dbi txn_dbi(struct txn *t, enum store_db db)
{
	return store_dbi(t->st, db);
}

/*
 * The one translator of LMDB's codes into the store's family (store_err.h),
 * used at every mdb_ call. A full map is -ENOSPC (growing the map helps); a
 * full file system (ENOSPC, EDQUOT or EFBIG from a write) is
 * CLUBCRM_EDISKFULL, which growing does not help; MDB_NOTFOUND is -ENOENT;
 * damage is -EIO; the positive errno LMDB passes through becomes its
 * negative.
 */
int lmdb_error(int rc);

#endif
