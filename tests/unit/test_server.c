/*
 * server_start() when libuv refuses one of the server's own handles:
 * uv_signal_init() fails (linked with -Wl,--wrap=uv_signal_init), on the
 * first or the second signal. The start fails with libuv's error, the
 * handles opened before are closed again, and the loop closes
 * (uv_loop_close() == 0): nothing is left open or started half-made. And a
 * calendar feed asked for while the server stops is refused, not queued.
 */
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

/* A server with no listener on its own loop, made but not started. */
struct bare {
	uv_loop_t loop;
	struct config cfg;      /* the server keeps a pointer to it */
	struct server *srv;
};

static void bare_init(struct bare *b)
{
	config_defaults(&b->cfg);
	snprintf(b->cfg.listen, sizeof(b->cfg.listen), "none");
	snprintf(b->cfg.web_listen, sizeof(b->cfg.web_listen), "none");
	b->cfg.socket_path[0] = '\0';
	b->srv = malloc(sizeof(*b->srv));
	assert_non_null(b->srv);
	assert_int_equal(uv_loop_init(&b->loop), 0);
	assert_int_equal(server_init(b->srv, &b->loop, &b->cfg, g.st), 0);
}

/* Runs the loop to its end, then frees the server: the loop must close. */
static void bare_fini(struct bare *b)
{
	uv_run(&b->loop, UV_RUN_DEFAULT);
	server_fini(b->srv);
	free(b->srv);
	assert_int_equal(uv_loop_close(&b->loop), 0);
}

/* Starts a server with no listener; its start's result. The loop must
 * close afterwards. */
static int start_with(int inits_ok)
{
	struct bare b;
	bare_init(&b);
	signal_inits_ok = inits_ok;
	int ret = server_start(b.srv);
	signal_inits_ok = -1;
	if (ret == 0)
		server_stop(b.srv);
	bare_fini(&b);
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
	struct bare b;
	bare_init(&b);
	struct server *srv = b.srv;
	assert_int_equal(server_start(srv), 0);
	static const char secret[] = "Qf0iJVdVwVIrYXzfzAFVBW0_5y7MDJAhBDj0FnGTVtY";
	assert_non_null(srv->net.on_feed);
	assert_int_equal(srv->net.on_feed(srv, secret, strlen(secret), NULL),
			 -ENOENT);
	server_stop(srv);
	assert_int_equal(srv->net.on_feed(srv, secret, strlen(secret), NULL),
			 -EBUSY);
	assert_int_equal(reader_feeds(&srv->reader), 0);
	bare_fini(&b);
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
