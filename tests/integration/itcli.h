/*
 * The clubcrm command line run as a child process by the integration
 * tests: its words, environment and stdin in, its exit code, stdout and
 * stderr out.
 */
#ifndef CLUBCRM_ITCLI_H
#define CLUBCRM_ITCLI_H

#include <stdarg.h>
#include <stddef.h>

#include <jansson.h>

#include "harness.h"

struct itcli {
	const char *path;       /* the clubcrm binary */
	struct harness *h;      /* CLUBCRM_SERVER; the files go in h->dir */
	const char *name;       /* file prefix: NAME.in, NAME.out, NAME.err */
	const char *user;       /* CLUBCRM_USER */
	const char *password;   /* CLUBCRM_PASSWORD, or NULL to unset it */
	const char *stdin_text; /* text on stdin, or NULL for /dev/null */
	char *out, *err;        /* stdout and stderr of the last run */
	size_t cap;             /* size of out and err */
};

/*
 * A CLI test file's shared state: the harness `h`, the stdout and stderr
 * buffers of `size` bytes, and `cli` running as `user` (password
 * HARNESS_PASSWORD), its files named `name`. CMake passes
 * CLUBCRM_CLI_PATH, the clubcrm binary under test, to every integration
 * test.
 */
#define ITCLI_STATE(name_, user_, size)                                       \
	static struct harness h;                                              \
	static char out[size], err[size];                                     \
	static struct itcli cli = {                                           \
		.path = CLUBCRM_CLI_PATH, .h = &h, .name = (name_),            \
		.user = (user_), .password = HARNESS_PASSWORD, .out = out,     \
		.err = err, .cap = (size),                                    \
	}

/*
 * Runs clubcrm with the words first, ... (NULL-terminated, at most 38) in
 * a new session without a terminal; returns its exit code (a failed
 * cmocka assertion when it did not exit).
 */
int itcli_run(struct itcli *c, const char *first, ...);
int itcli_vrun(struct itcli *c, const char *first, va_list ap);

/* The last run's stderr / stdout holds `text` (printed when it does not,
 * then a failed assertion). */
void itcli_expect_err(const struct itcli *c, const char *text);
void itcli_expect_out(const struct itcli *c, const char *text);
/* The last run was refused by the server with `code` ("clubcrm: CODE:"
 * on stderr), e.g. "PERMISSION_DENIED". */
void itcli_assert_refused(const struct itcli *c, const char *code);

/* The JSON value on stdout (assertion failure when it is not JSON). */
json_t *itcli_json(const struct itcli *c);
/* o[key] as a string / integer (assertion failure otherwise). */
const char *itcli_str(json_t *o, const char *key);
long itcli_num(json_t *o, const char *key);

#endif
