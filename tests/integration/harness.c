#define _GNU_SOURCE  /* mkdtemp, nftw flags */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#ifndef CLUBCRMD_PATH
#error "CMake passes CLUBCRMD_PATH, the clubcrmd binary under test"
#endif

#define START_TIMEOUT_MS 15000u
#define STOP_TIMEOUT_MS 15000u
#define POLL_MS 5u
/* Words of HARNESS_WRAPPER at most. */
#define WRAPPER_MAX 16
/* Under a wrapper (valgrind: ~50x slower) every timeout is this much longer. */
#define WRAPPER_SLOWDOWN 20u

/*
 * HARNESS_WRAPPER, e.g. "valgrind --error-exitcode=99 --leak-check=full",
 * prefixes the server's command line (words split on spaces). The server is
 * then stopped with SIGTERM at cleanup, not killed, so that the wrapper can
 * report; a non-zero exit fails the test program (see wrapper_verdict).
 */
static const char *wrapper(void)
{
	const char *w = getenv("HARNESS_WRAPPER");
	return w && *w ? w : NULL;
}

static unsigned slow(unsigned ms)
{
	return wrapper() ? ms * WRAPPER_SLOWDOWN : ms;
}

static bool wrapper_failed;

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000u, (long)(ms % 1000u) * 1000000L};
	nanosleep(&ts, NULL);
}

void harness_dump_log(const struct harness *h)
{
	FILE *f = fopen(h->log, "r");
	if (!f)
		return;
	fprintf(stderr, "---- clubcrmd log (%s)\n", h->log);
	char line[512];
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fprintf(stderr, "----\n");
	fclose(f);
}

/*
 * A test that fails an assertion longjmps past its harness_cleanup(). So
 * that nothing outlives the test program anyway, every directory made here
 * is remembered (by value: the harness itself may be on a stack that is
 * gone by then) and removed at exit; the servers die with the program
 * through PR_SET_PDEATHSIG (see spawn).
 */
#define LEFT_MAX 16
unsigned harness_log_count(const struct harness *h, const char *needle)
{
	FILE *f = fopen(h->log, "r");
	if (!f)
		return 0;
	unsigned n = 0;
	char line[4096];
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

static char left_dirs[LEFT_MAX][128];

static void remove_tree(const char *dir);

static void remove_left_dirs(void)
{
	for (size_t i = 0; i < LEFT_MAX; i++)
		if (left_dirs[i][0])
			remove_tree(left_dirs[i]);
}

static void remember_dir(const char *dir, bool keep)
{
	static bool registered;
	if (!registered)
		registered = atexit(remove_left_dirs) == 0;
	for (size_t i = 0; i < LEFT_MAX; i++) {
		if (keep && !left_dirs[i][0]) {
			snprintf(left_dirs[i], sizeof(left_dirs[i]), "%s", dir);
			return;
		}
		if (!keep && strcmp(left_dirs[i], dir) == 0) {
			left_dirs[i][0] = '\0';
			return;
		}
	}
}

static int make_dir(struct harness *h)
{
	if (h->dir[0])
		return 0;
	snprintf(h->dir, sizeof(h->dir), "/tmp/clubcrm-it-XXXXXX");
	if (!mkdtemp(h->dir)) {
		perror("harness: mkdtemp");
		h->dir[0] = '\0';
		return -1;
	}
	remember_dir(h->dir, true);
	snprintf(h->data, sizeof(h->data), "%s/data", h->dir);
	snprintf(h->sock, sizeof(h->sock), "%s/sock", h->dir);
	snprintf(h->unix_address, sizeof(h->unix_address), "unix:%s", h->sock);
	return 0;
}

static pid_t spawn(struct harness *h)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* The server dies with the test program, however that ends (a failed
	 * assertion, a ctest timeout); if the parent is already gone, now. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(126);
	/* Child: stderr (and stdout) to the log, nothing from stdin. */
	int log = open(h->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int null = open("/dev/null", O_RDONLY);
	if (log < 0 || null < 0)
		_exit(127);
	dup2(null, STDIN_FILENO);
	dup2(log, STDOUT_FILENO);
	dup2(log, STDERR_FILENO);
	const char *argv[WRAPPER_MAX + 10 + HARNESS_EXTRA_MAX + 1] = {0};
	size_t n = 0;
	char words[1024] = "";
	if (wrapper()) {
		snprintf(words, sizeof(words), "%s", wrapper());
		char *save = NULL;
		for (char *w = strtok_r(words, " ", &save);
		     w && n < WRAPPER_MAX; w = strtok_r(NULL, " ", &save))
			argv[n++] = w;
	}
	const char *path = n ? CLUBCRMD_PATH : "clubcrmd";
	const char *own[] = {path, "--listen", "127.0.0.1:0", "--socket",
			     h->sock, "--data", h->data, "--demo",
			     "--web-listen", h->web ? "127.0.0.1:0" : "none"};
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		argv[n++] = own[i];
	for (size_t i = 0; i < HARNESS_EXTRA_MAX && h->extra[i]; i++)
		argv[n++] = h->extra[i];
	argv[n] = NULL;
	if (wrapper())
		execvp(argv[0], (char *const *)argv);
	else
		execv(CLUBCRMD_PATH, (char *const *)argv);
	_exit(127);
}

/* Looks for both "listening on" lines (and the web desk's when asked);
 * fills h->address (and h->web_address). True when seen. */
static bool scan_log(struct harness *h)
{
	FILE *f = fopen(h->log, "r");
	if (!f)
		return false;
	char line[512];
	bool tcp = false, unix_sock = false, web = !h->web;
	while (fgets(line, sizeof(line), f)) {
		unsigned wport;
		const char *w = strstr(line, "clubcrmd: web desk on ");
		if (w && (sscanf(w, "clubcrmd: web desk on http://127.0.0.1:%u/",
				 &wport) == 1 ||
			  sscanf(w, "clubcrmd: web desk on https://127.0.0.1:%u/",
				 &wport) == 1) &&
		    wport > 0 && wport < 65536) {
			snprintf(h->web_address, sizeof(h->web_address),
				 "127.0.0.1:%u", wport);
			web = true;
			continue;
		}
		const char *p = strstr(line, "clubcrmd: listening on ");
		if (!p)
			continue;
		p += strlen("clubcrmd: listening on ");
		if (strncmp(p, "unix:", 5) == 0) {
			unix_sock = true;
			continue;
		}
		unsigned port;
		if (sscanf(p, "127.0.0.1:%u", &port) == 1 && port > 0 &&
		    port < 65536) {
			snprintf(h->address, sizeof(h->address),
				 "127.0.0.1:%u", port);
			tcp = true;
		}
	}
	fclose(f);
	return tcp && unix_sock && web;
}

int harness_start(struct harness *h)
{
	if (h->pid > 0 || make_dir(h) < 0)
		return -1;
	h->runs++;
	snprintf(h->log, sizeof(h->log), "%s/clubcrmd.%u.log", h->dir, h->runs);
	h->address[0] = '\0';
	h->web_address[0] = '\0';
	h->pid = spawn(h);
	if (h->pid < 0) {
		perror("harness: fork");
		h->pid = 0;
		return -1;
	}
	for (unsigned waited = 0; waited < slow(START_TIMEOUT_MS);
	     waited += POLL_MS) {
		if (scan_log(h))
			return 0;
		int status;
		if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
			fprintf(stderr, "harness: clubcrmd exited at start "
					"(status %d)\n", status);
			h->pid = 0;
			harness_dump_log(h);
			return -1;
		}
		sleep_ms(POLL_MS);
	}
	fprintf(stderr, "harness: clubcrmd not listening after %u ms\n",
		slow(START_TIMEOUT_MS));
	harness_dump_log(h);
	harness_wait(h, 0);
	return -1;
}

void harness_terminate(struct harness *h)
{
	if (h->pid > 0)
		kill(h->pid, SIGTERM);
}

int harness_wait(struct harness *h, unsigned timeout_ms)
{
	if (h->pid <= 0)
		return -1;
	int status;
	for (unsigned waited = 0;; waited += POLL_MS) {
		pid_t got = waitpid(h->pid, &status, WNOHANG);
		if (got == h->pid)
			break;
		if (got < 0 && errno != EINTR) {
			h->pid = 0;
			return -1;
		}
		if (waited >= timeout_ms) {
			fprintf(stderr, "harness: clubcrmd did not stop, "
					"killing it\n");
			kill(h->pid, SIGKILL);
			waitpid(h->pid, &status, 0);
			h->pid = 0;
			harness_dump_log(h);
			return -1;
		}
		sleep_ms(POLL_MS);
	}
	h->pid = 0;
	if (!WIFEXITED(status)) {
		fprintf(stderr, "harness: clubcrmd died (status %d)\n", status);
		harness_dump_log(h);
		return -1;
	}
	if (WEXITSTATUS(status) != 0)
		harness_dump_log(h);
	return WEXITSTATUS(status);
}

int harness_stop(struct harness *h)
{
	harness_terminate(h);
	return harness_wait(h, slow(STOP_TIMEOUT_MS));
}

int harness_restart(struct harness *h)
{
	if (harness_stop(h) != 0)
		return -1;
	return harness_start(h);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* At exit: a wrapped server that did not exit 0 fails the program. */
static void wrapper_verdict(void)
{
	if (!wrapper_failed)
		return;
	fprintf(stderr, "harness: clubcrmd under HARNESS_WRAPPER did not exit "
			"cleanly (its log is above)\n");
	remove_left_dirs();
	_exit(1);
}

void harness_cleanup(struct harness *h)
{
	if (h->pid > 0 && wrapper()) {
		static bool registered;
		if (!registered)
			registered = atexit(wrapper_verdict) == 0;
		if (harness_stop(h) != 0)
			wrapper_failed = true;
	}
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		h->pid = 0;
	}
	if (h->dir[0]) {
		remove_tree(h->dir);
		remember_dir(h->dir, false);
	}
	h->dir[0] = '\0';
}

int harness_tls(struct harness *h)
{
	if (make_dir(h) < 0 || itcert_make(h->dir, &h->certs) < 0)
		return -1;
	size_t n = 0;
	while (n < HARNESS_EXTRA_MAX && h->extra[n])
		n++;
	if (n + 4 > HARNESS_EXTRA_MAX) {
		fprintf(stderr, "harness: no room for the TLS flags\n");
		return -1;
	}
	h->extra[n++] = "--tls-cert";
	h->extra[n++] = h->certs.cert;
	h->extra[n++] = "--tls-key";
	h->extra[n++] = h->certs.key;
	h->ca_file = h->certs.ca;
	return 0;
}

unsigned harness_login(const struct harness *h, const char *login,
		       struct client_sync **out, struct client_status *st)
{
	struct client_sync_options o = {
		.address = h->address,
		.login = login,
		.password = HARNESS_PASSWORD,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
		.terminal_name = "integration-test",
		/* Generous: a sanitized server on a busy 2-core machine
		 * takes seconds per Argon2id login. A passing test never
		 * waits for it. */
		.timeout_ms = slow(30000),
		.ca_file = h->ca_file,
	};
	return client_sync_open(&o, out, st);
}

/* The servers of the group being run (cmocka's group fixtures have no
 * argument of their own). */
static struct harness **group_servers;

static int group_setup(void **state)
{
	(void)state;
	return harness_start(group_servers[0]);
}

static int group_teardown(void **state)
{
	(void)state;
	for (struct harness **s = group_servers; *s; s++)
		harness_cleanup(*s);
	return 0;
}

int harness_group_tests(const char *name, const struct CMUnitTest *tests,
			size_t count, struct harness **servers)
{
	group_servers = servers;
	return _cmocka_run_group_tests(name, tests, count, group_setup,
				       group_teardown);
}
