/*
 * `clubcrm watch`: the snapshot, then a line per change, across a server
 * restart (over the unix socket, whose path survives the restart).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "status.h"
#include "timeutil.h"

#define WAIT_MS 10000u

struct watcher {
	pid_t pid;
	int fd;            /* its stdout, non-blocking */
	char text[65536];  /* everything it printed */
	size_t len;
};

/* `clubcrm --json watch board [FLAG VALUE]` as deborah (NULLs: no filter). */
static void watch_start(struct watcher *w, const struct harness *h,
			const char *filter1, const char *filter2)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	w->pid = fork();
	assert_true(w->pid >= 0);
	if (w->pid == 0) {
		setsid();
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		setenv("CLUBCRM_SERVER", h->unix_address, 1);
		setenv("CLUBCRM_USER", "deborah", 1);
		setenv("CLUBCRM_PASSWORD", HARNESS_PASSWORD, 1);
		execl(CLUBCRM_CLI_PATH, "clubcrm", "--json", "watch", "board",
		      filter1, filter2, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	w->fd = p[0];
	fcntl(w->fd, F_SETFL, O_NONBLOCK);
	w->len = 0;
	w->text[0] = '\0';
}

/* Reads what the watcher printed until `needle` shows up (or time is up). */
static bool watch_until(struct watcher *w, const char *needle)
{
	uint64_t end = time_mono_ms() + WAIT_MS;
	while (!strstr(w->text, needle)) {
		if (time_mono_ms() > end)
			return false;
		ssize_t n = read(w->fd, w->text + w->len,
				 sizeof(w->text) - 1 - w->len);
		if (n > 0) {
			w->len += (size_t)n;
			w->text[w->len] = '\0';
		} else {
			usleep(5000);
		}
	}
	return true;
}

static int watch_stop(struct watcher *w)
{
	kill(w->pid, SIGINT);
	int status = 0;
	waitpid(w->pid, &status, 0);
	close(w->fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static uint64_t create_typed(struct client_sync *s, const char *type,
			     const char *desc)
{
	struct it_new_task t = {
		.desc = desc,
		.type_id = it_type_id(s, type),
		.customer_id = it_customer_id(s, "Manolo"),
		.planned_at = time_now() + 86400,
	};
	uint64_t id = 0;
	struct client_status st;
	assert_int_equal(it_create_id(s, &t, &id, &st), STATUS_OK);
	return id;
}

static uint64_t create(struct client_sync *s, const char *desc)
{
	return create_typed(s, "Call", desc);
}

static void test_watch_follows_changes_across_a_restart(void **state)
{
	(void)state;
	struct harness h = {0};
	assert_int_equal(harness_start(&h), 0);
	struct watcher w;
	watch_start(&w, &h, NULL, NULL);
	assert_true(watch_until(&w, "\"event\":\"synced\""));

	struct client_sync *s;
	struct client_status st;
	assert_int_equal(harness_login(&h, "alicia", &s, &st), STATUS_OK);
	create(s, "Ask about the squash league");
	assert_true(watch_until(&w, "Ask about the squash league"));
	assert_non_null(strstr(w.text, "\"event\":\"added\""));
	client_sync_close(s);

	assert_int_equal(harness_restart(&h), 0);
	assert_int_equal(harness_login(&h, "alicia", &s, &st), STATUS_OK);
	create(s, "Written while the watcher was away");
	assert_true(watch_until(&w, "Written while the watcher was away"));
	client_sync_close(s);

	/* Ctrl-C ends the watcher's session with Logout before it exits. */
	assert_int_equal(harness_log_count(&h, ": deborah logged out"), 0);
	assert_int_equal(watch_stop(&w), 0);
	assert_int_equal(harness_log_count(&h, ": deborah logged out"), 1);
	harness_cleanup(&h);
}

/* Any filter of `task list` narrows a watched view. */
static void test_watch_with_a_list_filter(void **state)
{
	(void)state;
	struct harness h = {0};
	assert_int_equal(harness_start(&h), 0);
	struct watcher w;
	watch_start(&w, &h, "--type", "quote");
	assert_true(watch_until(&w, "\"event\":\"synced\""));
	struct client_sync *s;
	struct client_status st;
	assert_int_equal(harness_login(&h, "alicia", &s, &st), STATUS_OK);
	create(s, "A call the quote board must not show");
	create_typed(s, "Quote", "Quote for the padel school");
	assert_true(watch_until(&w, "Quote for the padel school"));
	assert_null(strstr(w.text, "A call the quote board must not show"));
	assert_null(strstr(w.text, "\"type\":\"Call\""));
	client_sync_close(s);
	assert_int_equal(watch_stop(&w), 0);
	harness_cleanup(&h);
}

static void test_watch_refuses_unknown_views(void **state)
{
	(void)state;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		execl(CLUBCRM_CLI_PATH, "clubcrm", "watch", "everything",
		      (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_follows_changes_across_a_restart),
		cmocka_unit_test(test_watch_with_a_list_filter),
		cmocka_unit_test(test_watch_refuses_unknown_views),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
