/*
 * Offline verification of a club's database (`clubcrmd check`; hot backups
 * are in backup.h). Check reads everything in one read
 * transaction: records decode and agree with their keys, references point at
 * existing records, every index entry matches its record and every record
 * has its index entries, the change log is contiguous up to the revision,
 * every task's chain through it (changelog.h) runs unbroken from its
 * mod_rev to its create_rev and holds every change of the task, and the id
 * counters are ahead of every id.
 */
#ifndef CLUBCRM_CHECK_H
#define CLUBCRM_CHECK_H

#include <stdio.h>

#include "store.h"

struct check_result {
	unsigned long problems;
	unsigned long tasks, customers, operators, changes;
	unsigned long long revision;
};

/*
 * Verifies the store, printing one line per problem to `out` (NULL: quiet).
 * 0 when the check ran (see res->problems), or a negative errno when the
 * store could not be read.
 */
int check_store(struct store *st, FILE *out, struct check_result *res);

/*
 * The journal as store_open_tool() found it (store.h): one line about it
 * to `out` (segments, records, those after the checkpoint: replayed, or
 * the running server's; where and why it ends: a torn tail after a crash
 * is normal), and a problem counted in res for damage (valid records after
 * its end: acknowledged writes lost, unless the checkpoint holds them), for
 * damaged segments an earlier replay kept aside (`damaged-*`, until a
 * person removes them), or for a journal that cannot be read.
 */
void check_journal(const struct store_tool_view *v, FILE *out,
		   struct check_result *res);

#endif
