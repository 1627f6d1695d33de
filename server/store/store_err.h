/*
 * The error convention of the server's lower layers (store, domain, views).
 *
 * Every function returns 0 for success or a negative value of ONE family:
 *   - a negative errno (<errno.h>) for a system condition: -ENOMEM, -ENOENT
 *     (a key that is not there), -ENOSPC (the LMDB map is full: growing it
 *     helps), -EIO (a damaged store, or a record that does not decode),
 *     -EAGAIN (busy: try again), -EINVAL ...;
 *   - a named CLUBCRM_E* code for an application condition. These lie below
 *     -CLUBCRM_EBASE, far outside errno's range, so that no errno a system
 *     call or LMDB hands back can ever be taken for one of them.
 * Foreign error families are translated once, where they enter: LMDB's
 * codes (and the positive errno LMDB passes through) by lmdb_error() in the
 * store, at every mdb_ call; nothing else tells codes apart by their range.
 */
#ifndef CLUBCRM_STORE_ERR_H
#define CLUBCRM_STORE_ERR_H

#include <errno.h>

#define CLUBCRM_EBASE 100000

enum clubcrm_err {
	/* The request was refused; the reply (code, message) is in the
	 * struct req (req_refuse()). Not a failure of the server. */
	CLUBCRM_EREFUSED = -(CLUBCRM_EBASE + 1),
	/* The file system holding the database is full (ENOSPC, EDQUOT or
	 * EFBIG from a write): growing the map does not help. */
	CLUBCRM_EDISKFULL = -(CLUBCRM_EBASE + 2),
	/* A tool's open (store_open_tool) next to a running server found a
	 * database older than this build: only a write could migrate it,
	 * and the server holds the writes. */
	CLUBCRM_ESERVED = -(CLUBCRM_EBASE + 3),
};

/* A message for any value of the family (negative); never NULL. */
const char *store_strerror(int err);

#endif
