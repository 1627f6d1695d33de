/*
 * A set of ids (tasks, customers) gathered in any order, then sorted once
 * and looked up: what the server's resume and the command line's export
 * by tag both collect.
 */
#ifndef CLUBCRM_IDSET_H
#define CLUBCRM_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idset {
	uint64_t *ids;
	size_t n, cap;
};

/* Appends an id (duplicates allowed until idset_sort). 0 or -ENOMEM. */
int idset_add(struct idset *s, uint64_t id);

/* Sorts the ids ascending, each once. */
void idset_sort(struct idset *s);

/* Whether the sorted set holds `id`. */
bool idset_has(const struct idset *s, uint64_t id);

/* Frees the ids; the set is empty again. */
void idset_free(struct idset *s);

#endif
