/*
 * A text table: cells are copied in row by row, then printed with every
 * column as wide as its widest cell (in terminal columns, UTF-8 aware; the last
 * column is not padded). A row may carry an ANSI colour.
 */
#ifndef CLUBCRM_CLI_TABLE_H
#define CLUBCRM_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define CLI_TABLE_COLS 10

struct cli_table {
	size_t n_cols;
	size_t n_rows, cap_rows;
	char **cells;          /* n_rows * n_cols, owned */
	const char **colours;  /* per row: an ANSI SGR code ("31") or NULL */
	size_t width[CLI_TABLE_COLS];
};

void cli_table_init(struct cli_table *t, size_t n_cols);
/*
 * Adds a row of n_cols cells (NULL prints as empty). 0 or -ENOMEM. `colour`
 * must outlive the table (a literal).
 */
int cli_table_add(struct cli_table *t, const char *const *cells,
		  const char *colour);
/* Terminal columns of a UTF-8 string (textwidth.h); ANSI "ESC [ ...
 * letter" sequences (a cell's own colours) have no width. */
size_t cli_text_width(const char *s);
void cli_table_print(const struct cli_table *t, FILE *out, int use_colour);
void cli_table_free(struct cli_table *t);

#endif
