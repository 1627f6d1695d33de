/*
 * The words the front ends write for a task's kind, status and a result's
 * outcome ("note", "cancelled", "positive"): in the command line's tables
 * and in the exports of the command line and the desk, one set of words.
 */
#ifndef CLUBCRM_TASK_WORDS_H
#define CLUBCRM_TASK_WORDS_H

#include "clubcrm.pb-c.h"

/* "planned", "done", "cancelled"; "-" for anything else. */
const char *task_words_status(Clubcrm__TaskStatus s);
/* "note" or "task". */
const char *task_words_kind(Clubcrm__TaskKind k);
/* "positive", "negative", "unknown"; "-" for anything else. */
const char *task_words_outcome(Clubcrm__Outcome o);

#endif
