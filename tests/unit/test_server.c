/*
 * server_start() when libuv refuses one of the server's own handles:
 * uv_signal_init() fails (linked with -Wl,--wrap=uv_signal_init), on the
 * first or the second signal. The start fails with libuv's error, the
 * handles opened before are closed again, and the loop closes
 * (uv_loop_close() == 0): nothing is left open or started half-made. And a
 * calendar feed asked for while the server stops is refused, not queued.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "club_env.h"
#include "log.h"
#include "server.h"
#include "store.h"

int __real_uv_signal_init(uv_loop_t *loop, uv_signal_t *h);
int __wrap_uv_signal_init(uv_loop_t *loop, uv_signal_t *h);

/* Calls of uv_signal_init() left before it fails (-1: never fails). */
static int signal_inits_ok = -1;

int __wrap_uv_signal_init(uv_loop_t *loop, uv_signal_t *h)
{
	if (signal_inits_ok == 0)
		return UV_EMFILE;
	if (signal_inits_ok > 0)
		signal_inits_ok--;
	return __real_uv_signal_init(loop, h);
}

static struct {
	char dir[64];
	struct store *st;
} g;

static int group_setup(void **state)
{
	(void)state;
	log_set_level(LOG_ERROR);
	snprintf(g.dir, sizeof(g.dir), "/tmp/clubcrmd-test-server-XXXXXX");
	if (!mkdtemp(g.dir) || store_open(g.dir, 16u << 20, &g.st) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	store_close(g.st);
	club_env_rmdir(g.dir);
	return 0;
}

/* Starts a server with no listener; its start's result. The loop must
 * close afterwards. */
static int start_with(int inits_ok)
{
	uv_loop_t loop;
	struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.listen, sizeof(cfg.listen), "none");
	snprintf(cfg.web_listen, sizeof(cfg.web_listen), "none");
	cfg.socket_path[0] = '\0';
	struct server *srv = malloc(sizeof(*srv));
	assert_non_null(srv);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(server_init(srv, &loop, &cfg, g.st), 0);
	signal_inits_ok = inits_ok;
	int ret = server_start(srv);
	signal_inits_ok = -1;
	if (ret == 0)
		server_stop(srv);
	uv_run(&loop, UV_RUN_DEFAULT);
	server_fini(srv);
	free(srv);
	assert_int_equal(uv_loop_close(&loop), 0);
	return ret;
}

static void test_starts_and_stops(void **state)
{
	(void)state;
	assert_int_equal(start_with(-1), 0);
}

static void test_first_signal_refused(void **state)
{
	(void)state;
	assert_int_equal(start_with(0), UV_EMFILE);
}

static void test_second_signal_refused(void **state)
{
	(void)state;
	assert_int_equal(start_with(1), UV_EMFILE);
}

/* Once stopping, a calendar feed is refused at once (503) instead of
 * queued: the shutdown waits for the reader to be idle, so a steady stream
 * of feed requests would hold it. Before, the secret is looked up as ever
 * (this store has no club: no feed at all). */
static void test_no_feed_queued_while_stopping(void **state)
{
	(void)state;
	uv_loop_t loop;
	struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.listen, sizeof(cfg.listen), "none");
	snprintf(cfg.web_listen, sizeof(cfg.web_listen), "none");
	cfg.socket_path[0] = '\0';
	struct server *srv = malloc(sizeof(*srv));
	assert_non_null(srv);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(server_init(srv, &loop, &cfg, g.st), 0);
	assert_int_equal(server_start(srv), 0);
	static const char secret[] = "Qf0iJVdVwVIrYXzfzAFVBW0_5y7MDJAhBDj0FnGTVtY";
	assert_non_null(srv->net.on_feed);
	assert_int_equal(srv->net.on_feed(srv, secret, strlen(secret), NULL),
			 -ENOENT);
	server_stop(srv);
	assert_int_equal(srv->net.on_feed(srv, secret, strlen(secret), NULL),
			 -EBUSY);
	assert_int_equal(reader_feeds(&srv->reader), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	server_fini(srv);
	free(srv);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_and_stops),
		cmocka_unit_test(test_first_signal_refused),
		cmocka_unit_test(test_second_signal_refused),
		cmocka_unit_test(test_no_feed_queued_while_stopping),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
