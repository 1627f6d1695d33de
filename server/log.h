/*
 * Leveled logging to stderr for clubcrmd. The level is set once at start-up
 * (before the loop and any worker thread run) and only read afterwards.
 */
#ifndef CLUBCRMD_LOG_H
#define CLUBCRMD_LOG_H

enum log_level {
	LOG_DEBUG = 0,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

/* Also notices when stderr is systemd's journal (lines then carry their
 * priority as a "<N>" prefix). */
void log_set_level(enum log_level level);
/* "debug", "info", "warn" (or "warning"), "error". 0, or -EINVAL. */
int log_level_parse(const char *text, enum log_level *out);
const char *log_level_name(enum log_level level);
/* Writes one line "clubcrmd: LEVEL: message" when `level` is enabled. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
