#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "txn.h"
#include "store_lmdb.h"

int store_backup(struct store *st, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int rc = lmdb_error(mdb_env_copyfd2(store_env(st), fd, MDB_CP_COMPACT));
	/* The copy's file system is full, not the database's. */
	if (rc == CLUBCRM_EDISKFULL)
		rc = -ENOSPC;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc)
		unlink(path);
	return rc;
}
