/* The change history of one task: its chain through the change log. */
#ifndef CLUBCRM_HISTORY_H
#define CLUBCRM_HISTORY_H

#include <stdint.h>

#include "clubcrm.pb-c.h"
#include "req.h"

/* Fills reply->history, oldest first: who, when, action, changed fields. */
int history_fill(struct req *r, uint64_t task_id, Clubcrm__TaskReply *reply);

#endif
