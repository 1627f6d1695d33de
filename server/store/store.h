/*
 * The LMDB environment of one club: named databases, revision, ids.
 * Layout in README ("Storage"). All integers in keys are big-endian so that
 * key order is numeric order.
 */
#ifndef CLUBCRM_STORE_H
#define CLUBCRM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Opens (creating when missing) the environment in directory `dir`. */
int store_open(const char *dir, size_t map_size, struct store **out);
void store_close(struct store *st);
/* The last committed revision (0 for a new club). */
uint64_t store_revision(struct store *st);
/* Doubles the map size. Only while no transaction of this process is open. */
int store_grow(struct store *st);
/* True when the file system holding the database has (almost) no room
 * left: a failed commit then failed for that (LMDB reports a short write
 * as EIO). */
bool store_disk_low(struct store *st);

#endif
