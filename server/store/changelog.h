/*
 * The change log: revision -> ChangeSet (the after-images of one write),
 * and task id | revision -> empty, the revisions that changed a task.
 */
#ifndef CLUBCRM_CHANGELOG_H
#define CLUBCRM_CHANGELOG_H

#include "clubcrm.pb-c.h"
#include "txn.h"

/* Writes the change set of revision cs->revision and its task entries.
 * Errors are the txn's. */
void changelog_append(struct txn *t, const Clubcrm__ChangeSet *cs,
		      const uint64_t *task_ids, size_t n_task_ids);

#endif
