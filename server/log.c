#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Written once by main() before anything else runs; read-only afterwards. */
static enum log_level min_level = LOG_INFO;
static bool to_journal;

/* syslog(3) priorities, as journald reads them from a "<N>" line prefix. */
static const char *const journal_prefix[] = {
	[LOG_DEBUG] = "<7>",
	[LOG_INFO] = "<6>",
	[LOG_WARN] = "<4>",
	[LOG_ERROR] = "<3>",
};

static const char *const names[] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
};

/*
 * Under systemd, stderr is the journal when JOURNAL_STREAM names its device
 * and inode; then each line starts with its priority, so that
 * `journalctl -p warning` filters clubcrmd's own levels.
 */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(fileno(stderr), &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void log_set_level(enum log_level level)
{
	min_level = level;
	to_journal = stderr_is_journal();
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
	fprintf(stderr, "%sclubcrmd: %s: %s\n",
		to_journal ? journal_prefix[level] : "", log_level_name(level),
		line);
}
