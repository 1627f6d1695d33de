/*
 * Messages for people about what went wrong, written into a caller's
 * buffer next to a negative error code (config and TLS setup return both).
 */
#ifndef CLUBCRM_ERRMSG_H
#define CLUBCRM_ERRMSG_H

#include <stddef.h>

/* snprintf into `err` (errlen bytes); nothing when err is NULL or 0 long. */
void errmsg_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
