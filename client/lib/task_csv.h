/*
 * The task export's columns and rows, as CSV (csv_writer.h): one column set for
 * `clubcrm task export` and the desk's export of its list (E), so a file
 * from either opens alike. Times in the club's zone ("2026-12-08 10:00"),
 * people by name (login when they have none), tags joined by ", ".
 */
#ifndef CLUBCRM_TASK_CSV_H
#define CLUBCRM_TASK_CSV_H

#include <stdbool.h>
#include <stdio.h>

#include "clubcrm.pb-c.h"

#define TASK_CSV_COLS 15

/* The column names, in order. */
extern const char *const task_csv_columns[TASK_CSV_COLS];

/* The header record, after the UTF-8 byte order mark when `bom` (for
 * spreadsheets that want one). */
void task_csv_head(FILE *out, bool bom);
/* One task's record. 0, or -ENOMEM (nothing written). */
int task_csv_row(FILE *out, const Clubcrm__TaskRow *r);

#endif
