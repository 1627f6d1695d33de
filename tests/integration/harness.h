/*
 * Runs the real clubcrmd for the integration tests: on port 0 (and a unix
 * socket) over a temporary data directory with --demo, ready when its
 * "listening on" lines are in its log; stopped with SIGTERM and waited for.
 * A restart reuses the data directory (the port changes). Everything, the
 * directory included, goes away in harness_cleanup().
 */
#ifndef CLUBCRM_HARNESS_H
#define CLUBCRM_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "client_sync.h"
#include "itcert.h"

#define HARNESS_PASSWORD "demo"
#define HARNESS_EXTRA_MAX 8

struct harness {
	char dir[128];          /* temporary root */
	char data[192];         /* the LMDB environment */
	char sock[192];         /* unix socket path */
	char log[192];          /* stderr of the current run */
	char address[64];       /* "127.0.0.1:PORT" of the current run */
	char unix_address[200]; /* "unix:PATH" */
	pid_t pid;              /* 0 when not running */
	/* More clubcrmd flags for a test (NULL-terminated when shorter). */
	const char *extra[HARNESS_EXTRA_MAX];
	unsigned runs;
	/* harness_tls(): the certificates, and the CA harness_login trusts
	 * (NULL: plain TCP). */
	struct itcert certs;
	const char *ca_file;
	/* Set before the start: the web listener on an ephemeral loopback
	 * port (its "web desk on" line fills web_address, "127.0.0.1:PORT").
	 * Off otherwise (--web-listen none). */
	bool web;
	char web_address[64];
};

/*
 * TLS on the TCP listener from the next start on: makes the directory and
 * the certificates in it (itcert.h), adds --tls-cert/--tls-key to `extra`,
 * and has harness_login() verify the server against certs.ca. The unix
 * socket stays plain. 0, or -1 after printing why.
 */
int harness_tls(struct harness *h);

/*
 * Starts the server (the first call creates the directory). 0, or -1 after
 * printing why (with the server's log).
 */
int harness_start(struct harness *h);

/* Sends SIGTERM without waiting. */
void harness_terminate(struct harness *h);

/*
 * Waits up to timeout_ms for the server to exit (SIGKILL after that). Its
 * exit status, or -1 when it had to be killed or died by a signal.
 */
int harness_wait(struct harness *h, unsigned timeout_ms);

/* harness_terminate + harness_wait: the server's exit status, or -1. */
int harness_stop(struct harness *h);

/* Stop then start on the same data directory. 0 or -1. */
int harness_restart(struct harness *h);

/* Kills a running server and removes the directory. */
void harness_cleanup(struct harness *h);

/* A client logged in as `login` (password "demo") over TCP (TLS after
 * harness_tls()). */
unsigned harness_login(const struct harness *h, const char *login,
		       struct client_sync **out, struct client_status *st);

/* Lines of the current run's log holding `needle`. */
unsigned harness_log_count(const struct harness *h, const char *needle);

/* Prints the current run's log to stderr (for failures). */
void harness_dump_log(const struct harness *h);

struct CMUnitTest;

/*
 * Runs a cmocka group whose tests share one server: the first harness is
 * started before the first test (the group fails when it does not start)
 * and every harness given is cleaned up after the last test, e.g.
 *   return harness_run_group(tests, &h);
 *   return harness_run_group(tests, &h, &tight);   (tight started by a test)
 */
#define harness_run_group(tests, ...)                                        \
	harness_group_tests(#tests, tests, sizeof(tests) / sizeof((tests)[0]), \
			    (struct harness *[]){__VA_ARGS__, NULL})
int harness_group_tests(const char *name, const struct CMUnitTest *tests,
			size_t count, struct harness **servers);

#endif
