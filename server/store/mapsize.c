/*
 * The map's size: doubled when it is full (store_grow, and a replay of the
 * journal that does not fit). A module of its own so that store.c and
 * journaled.c both call down into it.
 */
#include "store_lmdb.h"

#include <errno.h>
#include <stdint.h>

int store_map_double(struct store *st)
{
	if (st->map_size > SIZE_MAX / 2)
		return -ENOSPC;
	size_t size = st->map_size * 2;
	int rc = mdb_env_set_mapsize(st->env, size);
	if (rc)
		return lmdb_error(rc);
	st->map_size = size;
	st->grow_wanted = false;
	return 0;
}
