#include "history_text.h"

#include <stdio.h>
#include <string.h>

#include "timeutil.h"

static void value(const char *text, protobuf_c_boolean has_time, int64_t t,
		  char *out, size_t size)
{
	if (has_time) {
		if (time_format_local(t, "%d/%m/%Y %H:%M", out, size) == 0)
			snprintf(out, size, "?");
		return;
	}
	snprintf(out, size, "%s", text && *text ? text : "-");
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

size_t history_text_change(const Clubcrm__FieldChange *c, char *out,
			   size_t size)
{
	char old[1024], new_[1024];
	if (!size)
		return 0;
	value(c->old_value, c->has_old_time, c->old_time, old, sizeof(old));
	value(c->new_value, c->has_new_time, c->new_time, new_, sizeof(new_));
	int n = snprintf(out, size, "%s: %s -> %s", c->field ? c->field : "?",
			 old, new_);
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)n < size ? (size_t)n : size - 1;
}
