/*
 * CSV output (RFC 4180) for the exports (csv_writer.h: csv.h is libcsv's,
 * the reader): fields separated by commas, each record ended by CRLF; a
 * field holding a comma, a double quote, CR or LF is quoted, its quotes
 * doubled; any other field, and every byte of UTF-8 text, is written as it
 * is; NULL is an empty field. A field a spreadsheet would run as a formula
 * (csvw_is_formula) is written after an apostrophe, so it opens as text.
 * Writing only: reading CSV is libcsv's job
 * (customer import). One writer for the command line's exports and the
 * desk's (task_csv.h).
 */
#ifndef CLUBCRM_CSV_WRITER_H
#define CLUBCRM_CSV_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* For spreadsheets that want to be told the file is UTF-8. */
#define CSV_UTF8_BOM "\xEF\xBB\xBF"

/*
 * Whether a spreadsheet would take `s` for a formula: it starts with =, @,
 * a tab or CR, or with + or - followed by anything but a number or a phone
 * number (digits, spaces and . , ( ) / -). "+34 600 123 456" and "-5" are
 * data; "=1+2", "@SUM(A1)" and "-2+3+cmd|..." are not.
 */
bool csvw_is_formula(const char *s);
/* Whether `s` must be quoted. */
bool csvw_needs_quotes(const char *s);
/* One field, preceded by a comma unless it is the record's first. */
void csvw_field(FILE *out, const char *s, bool first);
/* A whole record: the n fields and CRLF. */
void csvw_record(FILE *out, const char *const *fields, size_t n);

/* What the exports write for a time: "2026-12-08 10:00" in the club's
 * zone; "" for none (0). */
void csvw_time(int64_t t, char *out, size_t size);
/* And for a person: the name, or the login when there is none. */
const char *csvw_person(const char *name, const char *login);

#endif
