#include "csv_writer.h"

#include <string.h>

#include "timeutil.h"

bool csvw_is_formula(const char *s)
{
	if (!s || !*s)
		return false;
	if (strchr("=@\t\r", *s))
		return true;
	if (*s != '+' && *s != '-')
		return false;
	return s[1 + strspn(s + 1, "0123456789 .,()/-")] != '\0';
}

bool csvw_needs_quotes(const char *s)
{
	return s && s[strcspn(s, ",\"\r\n")] != '\0';
}

void csvw_field(FILE *out, const char *s, bool first)
{
	if (!first)
		fputc(',', out);
	if (!s)
		return;
	const char *defuse = csvw_is_formula(s) ? "'" : "";
	if (!csvw_needs_quotes(s)) {
		fputs(defuse, out);
		fputs(s, out);
		return;
	}
	fputc('"', out);
	fputs(defuse, out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void csvw_record(FILE *out, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csvw_field(out, fields[i], i == 0);
	fputs("\r\n", out);
}

void csvw_time(int64_t t, char *out, size_t size)
{
	out[0] = '\0';
	if (t && time_format_local(t, "%Y-%m-%d %H:%M", out, size) == 0)
		out[0] = '\0';
}

const char *csvw_person(const char *name, const char *login)
{
	return name && *name ? name : login;
}
