/*
 * Reading a customer file for `customer import` (and the desk): CSV as real
 * exports write it, read with libcsv one record at a time. What it copes
 * with: a UTF-8 byte-order mark; UTF-16 with its byte-order mark (FF FE
 * little-endian, as Excel's "Unicode Text" writes it, tab-separated, or
 * FE FF big-endian), decoded to UTF-8 a piece at a time, the mark winning
 * over `windows1252`; CRLF or LF line ends, quoted fields with
 * the separator, quotes or line breaks inside, `,` `;` or tab as the
 * separator (the one the header line uses most, outside quotes: Spanish
 * Excel writes `;`), blank lines. What it refuses, with the line number
 * (of the decoded text): bytes that are not UTF-8 (unless the file is
 * declared Windows-1252, then converted), UTF-16 with a lone surrogate or
 * an odd number of bytes, a NUL byte (UTF-16 without its mark, a binary
 * file), a line
 * or a record longer than IMPORT_CSV_LINE_MAX (read in
 * bounded pieces, never whole), a quoted field left open at the end, more
 * than IMPORT_CSV_COLUMNS_MAX columns.
 *
 * Columns map to customer fields by their header, in English or Spanish,
 * ignoring case, accents, spaces and punctuation ("Teléfono", "E-mail",
 * "Correo electrónico", "Consultor/a"...), or as `--map COLUMN=FIELD,...`
 * says (COLUMN a header or a 1-based column number), which wins.
 */
#ifndef CLUBCRM_IMPORT_CSV_H
#define CLUBCRM_IMPORT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define IMPORT_CSV_LINE_MAX (1024u * 1024u)
#define IMPORT_CSV_COLUMNS_MAX 256u

enum import_field {
	IMPORT_F_IGNORE,
	IMPORT_F_NAME,
	IMPORT_F_SURNAME,     /* appended to the name after a space */
	IMPORT_F_PHONE,
	IMPORT_F_EMAIL,
	IMPORT_F_CONSULTANT,
	IMPORT_F_COUNT
};

struct import_csv_opts {
	const char *map;   /* "COLUMN=FIELD,..." or NULL */
	bool windows1252;  /* the file's bytes are Windows-1252, not UTF-8 */
};

/* One data row; its strings live until the next call. */
struct import_csv_row {
	unsigned line;                     /* where the record starts */
	const char *name, *phone, *email, *consultant;  /* NULL: empty */
	const char *bad;                   /* why the row is unusable, or NULL */
};

struct import_csv;

/* Reads the header and maps the columns. 0, or -1 with the reason in err
 * (an empty file, no name column, a --map error, a read error...). */
int import_csv_open(struct import_csv **out, FILE *in,
		    const struct import_csv_opts *o, char *err, size_t errlen);
/* The next data row: 1, 0 at the end, or -1 with the reason in err (the
 * file cannot be read on: encoding, length, an open quote). */
int import_csv_next(struct import_csv *c, struct import_csv_row *row,
		    char *err, size_t errlen);
void import_csv_close(struct import_csv *c);

/* The separator found: ',', ';' or '\t'. */
char import_csv_delim(const struct import_csv *c);
size_t import_csv_columns(const struct import_csv *c);
/* Column i's header (as written) and the field it maps to. */
const char *import_csv_column(const struct import_csv *c, size_t i,
			      enum import_field *field);
/* The field's name as --map takes it ("name", "phone"...). */
const char *import_field_name(enum import_field f);

/*
 * Rows of one file that are the same person (common/custkey.h's rule: the
 * same e-mail, the same phone, or without either the same name). The server
 * checks a batch against the club and itself; this checks the whole file.
 */
struct import_seen;

struct import_seen *import_seen_new(void);
void import_seen_free(struct import_seen *s);
/* 0 when the row is new to the file (its keys are then remembered), 1
 * when an earlier row has one of its keys (*line is that row's line,
 * *what "e-mail", "phone" or "name"), -1 out of memory. */
int import_seen_check(struct import_seen *s, const struct import_csv_row *r,
		      unsigned *line, const char **what);

#endif
