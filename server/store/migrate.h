/*
 * Schema migrations: the steps that bring an environment written by an
 * older clubcrm to this build's schema, run at open in the one write
 * transaction that also records the new version. The store's own keys
 * that a step rebuilds come from index.h, built from common/ functions
 * only (the store knows keys, not the domain's rules).
 */
#ifndef CLUBCRM_MIGRATE_H
#define CLUBCRM_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "txn.h"

/*
 * Brings `t`'s environment from schema `from` to the current one; errors
 * are carried in t->ret. Steps:
 *   1 -> 2  names ordered accent-insensitively (Latin-1 folding);
 *   2 -> 3  names folded by Unicode's rules (utf8proc) in every script;
 *   3 -> 4  task_changes (task id | revision) replaced by the chain in the
 *           change log: every task event gets prev_revision from it, then
 *           the tree is deleted (changelog.h).
 * 1 -> 2 and 2 -> 3 rebuild by_customer_name from the customer records.
 */
void migrate_schema(struct txn *t, uint32_t from);

#endif
