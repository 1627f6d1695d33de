/*
 * The crash test's offline verification, while the server is down: the
 * domain's check_store (records, references, indexes both ways, contiguous
 * change log, id counters) must find nothing, and every acknowledged create
 * must be there, created at the revision it was acknowledged at, with no
 * two acknowledgements sharing a task or a revision.
 */
#ifndef CLUBCRM_CRASH_VERIFY_H
#define CLUBCRM_CRASH_VERIFY_H

#include <stdint.h>

#include "check.h"
#include "ledger.h"

struct verify_stats {
	unsigned long problems;  /* check_store's, and duplicates */
	unsigned long lost;      /* acknowledged creates missing or altered */
	unsigned long checked;   /* acknowledged creates found intact */
	struct check_result res;
};

/*
 * Opens the club in `data_dir` (the server must be down), checks it and
 * looks every acknowledged entry of `l` up. 0 when it ran (see *out), or a
 * negative errno when the store could not be opened or read.
 */
int verify_store(const char *data_dir, const struct ledger *l,
		 struct verify_stats *out);

#endif
