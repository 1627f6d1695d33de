/* Shared by the views_*.c files only. */
#ifndef CLUBCRM_VIEWS_PRIV_H
#define CLUBCRM_VIEWS_PRIV_H

#include "rows.h"
#include "task_filter.h"
#include "txn.h"
#include "views.h"

/* Changes replayed at most; beyond, a snapshot is cheaper for everyone. */
#define VIEWS_REPLAY_MAX_REVISIONS 20000u
/* A resume looks at time-driven flips from this many seconds before the
 * client's revision was committed: a wall clock stepped back a little
 * must not hide a flip (the extra rows are re-sent, which is harmless). */
#define VIEWS_RESUME_SLACK 5

/* The club's escalation time in minutes (0: escalation off). */
uint32_t views_escalation_minutes(struct txn *t, struct arena *a);

/* rows_build, plus what only live views show (the escalation flag). */
int views_build_row(struct txn *t, struct arena *a, struct rows_cache *cache,
		    int64_t now, uint32_t escalation_minutes,
		    Clubcrm__Task *task, Clubcrm__TaskRow **out);

/* The fan-out's memory of what rows show of each catalogue entry
 * (views_memo.c; `m` NULL: no memory, every edit re-sends its rows). Sync
 * brings it to t's revision: the daemon's start, and commits the fan-out
 * did not load; 0 or -errno (then it is forgotten). */
int views_memo_sync(struct views_memo *m, struct store *st, struct txn *t);
/* Around loading ChangeSet `rev` in `t` (rc: how the load went). */
void views_memo_begin(struct views_memo *m, struct store *st, struct txn *t,
		      uint64_t rev);
void views_memo_end(struct views_memo *m, struct txn *t, uint64_t rev, int rc);
/* After a batch whose last change set was `last`: remembers again if the
 * memory had to forget and `t` is at `last`. */
void views_memo_resume(struct views_memo *m, struct store *st, struct txn *t,
		       uint64_t last, int rc);
/* Whether rows showing the entry of `ev` still show the same (and
 * remembers its new image). */
bool views_memo_shown_same(struct views_memo *m, const Clubcrm__Event *ev);

/* Appends one Delta as an element of a DeltaBatch (field 1). */
int views_batch_add(struct buf *batch, const struct buf *delta);

#endif
