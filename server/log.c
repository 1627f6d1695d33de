#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Written once by main() before anything else runs; read-only afterwards. */
static enum log_level min_level = LOG_INFO;

static const char *const names[] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
};

void log_set_level(enum log_level level)
{
	min_level = level;
}

int log_level_parse(const char *text, enum log_level *out)
{
	if (!text)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcmp(text, "warning") == 0) {
		*out = LOG_WARN;
		return 0;
	}
	return -EINVAL;
}

const char *log_level_name(enum log_level level)
{
	if ((unsigned)level >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[level];
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level < min_level)
		return;
	/* One fprintf per line: stderr is unbuffered, and a single call keeps
	 * lines from the loop and the worker threads from interleaving. */
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "clubcrmd: %s: %s\n", log_level_name(level), line);
}
