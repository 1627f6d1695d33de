/*
 * LMDB inside the store: only the .c files of server/store/ (and the
 * store's own tests) include this header; everything else goes through
 * txn.h and cursor.h, which do not declare a single mdb_ function.
 */
#ifndef CLUBCRM_STORE_LMDB_H
#define CLUBCRM_STORE_LMDB_H

#include <stdatomic.h>

#include <lmdb.h>

#include "txn.h"

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
};

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
