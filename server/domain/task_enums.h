/*
 * Short names of the task enums, for the task rule files (tasks.c,
 * taskops.c, taskops_conclude.c) only: not for a public header, where such
 * short names would clash with those of the files including it.
 */
#ifndef CLUBCRM_TASK_ENUMS_H
#define CLUBCRM_TASK_ENUMS_H

#include "clubcrm.pb-c.h"

#define PLANNED CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED
#define DONE CLUBCRM__TASK_STATUS__TASK_STATUS_DONE
#define CANCELLED CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED
#define UNSPEC CLUBCRM__TASK_STATUS__TASK_STATUS_UNSPECIFIED
#define KIND_TASK CLUBCRM__TASK_KIND__TASK_KIND_TASK
#define KIND_NOTE CLUBCRM__TASK_KIND__TASK_KIND_NOTE

#endif
