/*
 * How the front ends write one change of a task's history:
 * "planned_at: 03/12/2026 10:30 -> 03/12/2026 11:00", "-" for no value.
 * One rule for the command line and the desk.
 */
#ifndef CLUBCRM_HISTORY_TEXT_H
#define CLUBCRM_HISTORY_TEXT_H

#include <stddef.h>

#include "clubcrm.pb-c.h"

/* Writes "field: old -> new" into out (cut to size); its length. Times in
 * the process time zone. Line breaks and tabs of texts become spaces. */
size_t history_text_change(const Clubcrm__FieldChange *c, char *out,
			   size_t size);

#endif
