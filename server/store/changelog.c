#include "changelog.h"

void changelog_append(struct txn *t, const Clubcrm__ChangeSet *cs,
		      const uint64_t *task_ids, size_t n_task_ids)
{
	txn_put_rec(t, DB_CHANGES, cs->revision, &cs->base);
	for (size_t i = 0; i < n_task_ids; i++) {
		uint8_t k[16];
		key_u64(k, task_ids[i]);
		key_u64(k + 8, cs->revision);
		txn_put(t, DB_TASK_CHANGES, k, sizeof(k), "", 0);
	}
}
