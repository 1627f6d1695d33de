/*
 * The net layer on its own, under a fake owner instead of a session: what
 * a second transport's owner (the browser's WebSocket next) relies on.
 * A real unix socket on a loop run here step by step: bytes up to the
 * owner, a reply down, the output bound dropping a peer that does not
 * read (on_closed once, on_free once), a drain waiting for the owner's
 * work, the peer's EOF, and a connection nobody takes closed. Every test
 * closes its handles and checks uv_loop_close() == 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "net.h"

struct owner {
	struct transport *t;
	struct buf got;
	bool take;          /* on_accept takes the transport */
	bool busy;
	bool echo;          /* answers each read with "pong" */
	unsigned closed, freed, drained;
};

static struct {
	char dir[64];
	char path[96];
	uv_loop_t loop;
	uv_pipe_t listener;
	struct net net;
	struct owner o;
} g;

static void up_data(void *owner, const uint8_t *data, size_t len)
{
	struct owner *o = owner;
	assert_int_equal(buf_append(&o->got, data, len), 0);
	if (o->echo) {
		struct buf b = {0};
		assert_int_equal(buf_append(&b, "pong", 4), 0);
		assert_int_equal(transport_send(o->t, &b), 0);
	}
}

static void up_drained(void *owner)
{
	((struct owner *)owner)->drained++;
}

static void up_timer(void *owner)
{
	(void)owner;
}

static uint64_t up_next_deadline(void *owner)
{
	(void)owner;
	return uv_now(&g.loop) + 60000;
}

static bool up_wants_input(void *owner)
{
	(void)owner;
	return true;
}

static bool up_busy(void *owner)
{
	return ((struct owner *)owner)->busy;
}

static void up_closed(void *owner)
{
	((struct owner *)owner)->closed++;
}

static void up_free(void *owner)
{
	struct owner *o = owner;
	o->freed++;
	o->t = NULL;
}

static void up_buf_written(void *owner, struct buf *b)
{
	(void)owner;
	buf_free(b);
}

static const struct transport_upcalls upcalls = {
	.on_data = up_data,
	.on_drained = up_drained,
	.on_timer = up_timer,
	.next_deadline = up_next_deadline,
	.wants_input = up_wants_input,
	.busy = up_busy,
	.on_closed = up_closed,
	.on_free = up_free,
	.buf_written = up_buf_written,
};

static void on_accept(void *ctx, struct transport *t)
{
	struct owner *o = ctx;
	if (!o->take)
		return;
	o->t = t;
	t->owner = o;
	t->up = &upcalls;
	t->ops->update_reading(t);
	t->ops->arm_timer(t);
}

static void on_connection(uv_stream_t *listener, int status)
{
	assert_int_equal(status, 0);
	assert_int_equal(net_accept(&g.net, listener), 0);
}

/* One loop pass as the server runs it: I/O, then the pass's flush. */
static void pass(void)
{
	uv_run(&g.loop, UV_RUN_NOWAIT);
	net_pass_begin(&g.net);
	net_flush(&g.net);
}

/* Passes until `cond` holds (bounded: a failure, not a hang). */
#define PASS_UNTIL(cond)                                                \
	do {                                                            \
		for (int i_ = 0; i_ < 2000 && !(cond); i_++) {          \
			pass();                                         \
			usleep(1000);                                   \
		}                                                       \
		assert_true(cond);                                      \
	} while (0)

static int setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	log_set_level(LOG_ERROR);
	snprintf(g.dir, sizeof(g.dir), "/tmp/clubcrmd-test-net-XXXXXX");
	if (!mkdtemp(g.dir))
		return -1;
	snprintf(g.path, sizeof(g.path), "%s/sock", g.dir);
	if (uv_loop_init(&g.loop) < 0 ||
	    uv_pipe_init(&g.loop, &g.listener, 0) < 0 ||
	    uv_pipe_bind(&g.listener, g.path) < 0 ||
	    uv_listen((uv_stream_t *)&g.listener, 16, on_connection) < 0)
		return -1;
	net_init(&g.net, &g.loop, 4096, on_accept, &g.o);
	g.o.take = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (g.o.t)
		g.o.t->ops->close(g.o.t, false);
	uv_close((uv_handle_t *)&g.listener, NULL);
	for (int i = 0; i < 100 && uv_loop_alive(&g.loop); i++)
		pass();
	net_forget(&g.net);
	uv_run(&g.loop, UV_RUN_NOWAIT);
	int closed = uv_loop_close(&g.loop);
	buf_free(&g.o.got);
	unlink(g.path);
	rmdir(g.dir);
	return closed == 0 ? 0 : -1;
}

static int peer_connect(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", g.path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Reads what the peer got within the passes (nonblocking). */
static size_t peer_read(int fd, char *out, size_t size)
{
	size_t got = 0;
	for (int i = 0; i < 2000 && got < size; i++) {
		pass();
		ssize_t n = recv(fd, out + got, size - got, MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0)
			break;
		else
			usleep(1000);
	}
	return got;
}

/* Whether the peer sees its connection end within the passes. */
static bool peer_eof(int fd)
{
	char c;
	for (int i = 0; i < 2000; i++) {
		pass();
		ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
		if (n == 0)
			return true;
		if (n > 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return false;
		usleep(1000);
	}
	return false;
}

static void test_bytes_up_reply_down(void **state)
{
	(void)state;
	g.o.echo = true;
	int fd = peer_connect();
	PASS_UNTIL(g.o.t != NULL);
	assert_string_equal(g.o.t->peer, "unix");
	assert_true(g.o.t->id > 0);
	assert_int_equal(send(fd, "ping", 4, 0), 4);
	PASS_UNTIL(g.o.got.len == 4);
	assert_memory_equal(g.o.got.data, "ping", 4);
	char reply[4];
	assert_int_equal(peer_read(fd, reply, 4), 4);
	assert_memory_equal(reply, "pong", 4);
	PASS_UNTIL(g.o.drained >= 1);
	assert_int_equal(transport_queued(g.o.t), 0);
	close(fd);
	/* The peer's EOF: the transport drains, then closes and frees. */
	PASS_UNTIL(g.o.freed == 1);
	assert_int_equal(g.o.closed, 1);
}

/* A send past max_output drops the connection: -ENOBUFS, closed once,
 * freed once, later sends refused with -EPIPE before the free. */
static void test_output_bound_drops(void **state)
{
	(void)state;
	int fd = peer_connect();
	PASS_UNTIL(g.o.t != NULL);
	struct transport *t = g.o.t;
	t->ops->ref(t);  /* keep it to see the later send refused */
	uint8_t chunk[2000];
	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(transport_send_copy(t, chunk, sizeof(chunk), NULL, 0),
			 0);
	assert_int_equal(transport_send_copy(t, chunk, sizeof(chunk), NULL, 0),
			 0);
	assert_int_equal(transport_queued(t), 4000);
	assert_int_equal(g.o.closed, 0);
	assert_int_equal(transport_send_copy(t, chunk, sizeof(chunk), NULL, 0),
			 -ENOBUFS);
	assert_int_equal(g.o.closed, 1);
	assert_true(t->closing);
	struct buf b = {0};
	assert_int_equal(buf_append(&b, "late", 4), 0);
	assert_int_equal(transport_send(t, &b), -EPIPE);
	assert_int_equal(b.len, 0);
	for (int i = 0; i < 20; i++)
		pass();
	assert_int_equal(g.o.freed, 0);
	t->ops->unref(t);
	PASS_UNTIL(g.o.freed == 1);
	assert_int_equal(g.o.closed, 1);
	close(fd);
}

/* A drain waits for the owner's work, then the output, then closes. */
static void test_drain_waits_for_owner(void **state)
{
	(void)state;
	int fd = peer_connect();
	PASS_UNTIL(g.o.t != NULL);
	struct transport *t = g.o.t;
	g.o.busy = true;
	struct buf b = {0};
	assert_int_equal(buf_append(&b, "bye", 3), 0);
	assert_int_equal(transport_send(t, &b), 0);
	transport_drain(t);
	assert_true(t->draining);
	char got[3];
	assert_int_equal(peer_read(fd, got, 3), 3);
	assert_memory_equal(got, "bye", 3);
	for (int i = 0; i < 20; i++)
		pass();
	assert_int_equal(g.o.closed, 0);
	g.o.busy = false;
	t->ops->maybe_finish(t);
	assert_int_equal(g.o.closed, 1);
	PASS_UNTIL(g.o.freed == 1);
	/* The peer sees the end. */
	assert_true(peer_eof(fd));
	close(fd);
}

/* A connection nobody takes is closed: the peer sees EOF. */
static void test_not_taken_closed(void **state)
{
	(void)state;
	g.o.take = false;
	int fd = peer_connect();
	assert_true(peer_eof(fd));
	assert_int_equal(g.o.closed, 0);
	assert_int_equal(g.o.freed, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bytes_up_reply_down,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_bound_drops,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_drain_waits_for_owner,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_taken_closed,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
