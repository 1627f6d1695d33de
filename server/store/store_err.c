#include "store_err.h"
#include "store_lmdb.h"

#include <string.h>

const char *store_strerror(int err)
{
	switch (err) {
	case CLUBCRM_EREFUSED:
		return "request refused";
	case CLUBCRM_EDISKFULL:
		return "the file system holding the database is full";
	case CLUBCRM_ESERVED:
		return "a running server holds the club and its database is "
		       "older than this build: stop the server, or run this "
		       "version's server once to migrate it";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

int lmdb_error(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		return -ENOSPC;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_BAD_VALSIZE:
		return -EINVAL;
	case MDB_READERS_FULL:
		return -EAGAIN;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
		return -EIO;
	case MDB_VERSION_MISMATCH:
		return -EPROTONOSUPPORT;
	case MDB_MAP_RESIZED:
		return -EAGAIN;
	case MDB_DBS_FULL:
		return -EMFILE;
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return CLUBCRM_EDISKFULL;
	default:
		/* LMDB passes system errors through as positive errno. */
		return rc > 0 ? -rc : -EIO;
	}
}
