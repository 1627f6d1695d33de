/*
 * The secondary indexes: their key builders and their maintenance. An index
 * entry is a key with an empty value (by_login maps to the operator id);
 * records are never deleted, index entries move with their record.
 */
#ifndef CLUBCRM_INDEX_H
#define CLUBCRM_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "txn.h"

/* Folded name bytes in a by_customer_name key at most (its key: folded
 * name, 0, customer id). */
#define INDEX_NAME_KEY_MAX 200u

/* The by_customer_name key of customer `id` named `name` into `k`, which
 * holds INDEX_NAME_KEY_MAX + 9 bytes: the name folded by textfold_copy()
 * (case, accents and script do not disturb the order), 0, the id
 * big-endian. Returns its length. */
size_t index_name_key(const char *name, uint64_t id, uint8_t *k);
/* Moves customer `id`'s name entry from `old_name` (NULL: a new customer)
 * to `name`. Errors are the txn's. */
void index_customer_name(struct txn *t, uint64_t id, const char *old_name,
			 const char *name);
/* Rebuilds by_customer_name from the customer records (migrations). */
void index_rebuild_customer_names(struct txn *t);

/* Moves operator `id`'s login entry from `old_login` (NULL: none yet) to
 * `login`. Errors are the txn's. */
void index_login(struct txn *t, uint64_t id, const char *old_login,
		 const char *login);
/* The operator id of a login: 0, -ENOENT, or the txn's error. A damaged
 * entry (not 8 bytes) gives id 0, which no operator has: the login is held,
 * by nobody valid. */
int index_login_get(struct txn *t, const char *login, uint64_t *id);

/* A task's entries in by_planned, by_created, by_customer and
 * by_operator_planned; `old` is the stored record (NULL for a new task).
 * Only the entries whose key changed are rewritten. */
struct index_task_keys {
	int64_t planned_at, created_at;
	uint64_t id, customer_id, operator_id;
};
void index_task(struct txn *t, const struct index_task_keys *old,
		const struct index_task_keys *task);

#endif
