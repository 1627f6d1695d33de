#include "cli_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "textwidth.h"

void cli_table_init(struct cli_table *t, size_t n_cols)
{
	memset(t, 0, sizeof(*t));
	t->n_cols = n_cols < CLI_TABLE_COLS ? n_cols : CLI_TABLE_COLS;
}

size_t cli_text_width(const char *s)
{
	return textwidth(s, true);
}

static int grow(struct cli_table *t)
{
	size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
	char **cells = realloc(t->cells, cap * t->n_cols * sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	t->cells = cells;
	const char **colours = realloc(t->colours, cap * sizeof(*colours));
	if (!colours)
		return -ENOMEM;
	t->colours = colours;
	t->cap_rows = cap;
	return 0;
}

int cli_table_add(struct cli_table *t, const char *const *cells,
		  const char *colour)
{
	if (t->n_rows == t->cap_rows && grow(t) < 0)
		return -ENOMEM;
	char **row = t->cells + t->n_rows * t->n_cols;
	for (size_t i = 0; i < t->n_cols; i++) {
		row[i] = strdup(cells[i] ? cells[i] : "");
		if (!row[i]) {
			while (i-- > 0)
				free(row[i]);
			return -ENOMEM;
		}
		size_t w = cli_text_width(row[i]);
		if (w > t->width[i])
			t->width[i] = w;
	}
	t->colours[t->n_rows++] = colour;
	return 0;
}

void cli_table_print(const struct cli_table *t, FILE *out, int use_colour)
{
	for (size_t r = 0; r < t->n_rows; r++) {
		char *const *row = t->cells + r * t->n_cols;
		const char *colour = use_colour ? t->colours[r] : NULL;
		if (colour)
			fprintf(out, "\033[%sm", colour);
		for (size_t i = 0; i < t->n_cols; i++) {
			fputs(row[i], out);
			if (i + 1 == t->n_cols)
				break;
			size_t pad = t->width[i] - cli_text_width(row[i]) + 2;
			fprintf(out, "%*s", (int)pad, "");
		}
		if (colour)
			fputs("\033[0m", out);
		fputc('\n', out);
	}
}

void cli_table_free(struct cli_table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->colours);
	memset(t, 0, sizeof(*t));
}
