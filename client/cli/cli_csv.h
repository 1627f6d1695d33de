/*
 * CSV output (RFC 4180) for the exports: fields separated by commas, each
 * record ended by CRLF; a field holding a comma, a double quote, CR or LF
 * is quoted, its quotes doubled; any other field, and every byte of UTF-8
 * text, is written as it is; NULL is an empty field. Writing only: reading
 * CSV is libcsv's job (customer import).
 */
#ifndef CLUBCRM_CLI_CSV_H
#define CLUBCRM_CLI_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Whether `s` must be quoted. */
bool cli_csv_needs_quotes(const char *s);
/* One field, preceded by a comma unless it is the record's first. */
void cli_csv_field(FILE *out, const char *s, bool first);
/* A whole record: the n fields and CRLF. */
void cli_csv_record(FILE *out, const char *const *fields, size_t n);

#endif
