/* Hot backups of a club's database (`clubcrmd backup`). */
#ifndef CLUBCRM_BACKUP_H
#define CLUBCRM_BACKUP_H

struct store;

/*
 * Writes a consistent copy of the environment to `path` (a new file) while
 * writers go on: LMDB's copy from one read transaction, compacted. Restore
 * by placing the file as data.mdb in an empty data directory. 0, or a
 * negative errno (store_err.h); a full file system of the copy is -ENOSPC.
 */
int store_backup(struct store *st, const char *path);

#endif
