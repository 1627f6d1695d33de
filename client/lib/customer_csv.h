/*
 * The customer export's columns and rows, as CSV (csv_writer.h): one column
 * set for `clubcrm customer export` and the desk's export of its contacts
 * (E in Contacts), so a file from either opens alike. The consultant by
 * name (login when they have none), the creation time in the club's zone.
 */
#ifndef CLUBCRM_CUSTOMER_CSV_H
#define CLUBCRM_CUSTOMER_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "clubcrm.pb-c.h"

#define CUSTOMER_CSV_COLS 6

/* The column names, in order. */
extern const char *const customer_csv_columns[CUSTOMER_CSV_COLS];

/* The header record, after the UTF-8 byte order mark when `bom`. */
void customer_csv_head(FILE *out, bool bom);
/* One customer's record; the consultant looked up among the n operators
 * (an unknown one is an empty field). */
void customer_csv_row(FILE *out, const Clubcrm__Customer *c,
		      Clubcrm__Operator *const *ops, size_t n_ops);

#endif
