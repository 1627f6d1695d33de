#include "cli_csv.h"

#include <string.h>

bool cli_csv_needs_quotes(const char *s)
{
	return s && s[strcspn(s, ",\"\r\n")] != '\0';
}

void cli_csv_field(FILE *out, const char *s, bool first)
{
	if (!first)
		fputc(',', out);
	if (!s)
		return;
	if (!cli_csv_needs_quotes(s)) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void cli_csv_record(FILE *out, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cli_csv_field(out, fields[i], i == 0);
	fputs("\r\n", out);
}
