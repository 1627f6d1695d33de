/*
 * LMDB inside the store: only the .c files of server/store/ (and the
 * store's own tests) include this header; everything else goes through
 * txn.h and cursor.h, which do not declare a single mdb_ function.
 */
#ifndef CLUBCRM_STORE_LMDB_H
#define CLUBCRM_STORE_LMDB_H

#include <lmdb.h>

#include "txn.h"

/* Accessors of store.c for the wrapper. */
MDB_env *store_env(struct store *st);
MDB_dbi store_dbi(struct store *st, enum store_db db);
MDB_dbi txn_dbi(struct txn *t, enum store_db db);

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
