/*
 * Human-readable output, following the product's convention for task rows:
 *   12/03 10:30 (10/03)  Valentina (Alicia)  Appointment  Arantxa  desc...
 * (the date in parentheses is the creation date, the user in parentheses
 * the creator), with the id first and the status, result and marks: "!" a
 * priority task nobody took charge of (red), "*" one taken (yellow),
 * "@login" who took charge of a planned task (any type), "late" overdue,
 * "esc" escalated, "rep" a planned task that repeats. On a terminal the
 * row is coloured too.
 * Times are in the process time zone (the club's, set at login).
 */
#ifndef CLUBCRM_CLI_FORMAT_H
#define CLUBCRM_CLI_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "clubcrm.pb-c.h"

void cli_format_task_table(FILE *out, Clubcrm__TaskRow *const *rows,
			   size_t n, bool colour);
/* One row without a header, after `prefix` (for live changes). */
void cli_format_task_line(FILE *out, const char *prefix,
			  const Clubcrm__TaskRow *row, bool colour);
void cli_format_task_detail(FILE *out, const Clubcrm__TaskReply *reply);
/* Consultants are named from the catalogue's operators (may be NULL). */
void cli_format_customers(FILE *out, Clubcrm__Customer *const *customers,
			  size_t n, const Clubcrm__Catalog *cat);
void cli_format_catalog(FILE *out, const Clubcrm__Catalog *cat);

/* Lower-case names of the enums, shared with the JSON output. */
const char *cli_colour_name(Clubcrm__Colour c);
/* "daily", "weekly", "monthly"; NULL for a task that does not repeat. */
const char *cli_recurrence_name(Clubcrm__Recurrence r);
const char *cli_role_name(Clubcrm__Role r);

#endif
