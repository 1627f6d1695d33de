/*
 * The web listener under the daemon's rules: TLS off loopback (and wss://
 * with the daemon's certificate), the connection limit shared with TCP,
 * the output bound that drops a browser that stops reading, a desk that
 * was never built, and a shutdown with WebSockets open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "itws.h"
#include "rawconn.h"
#include "status.h"
#include "timeutil.h"

#define WRITES_MAX 4000
#define DESC_LEN 3000

static struct itws *ws_open_as(const struct harness *h, const char *scheme,
			       const char *ca_file)
{
	char origin[96];
	snprintf(origin, sizeof(origin), "%s://%s", scheme, h->web_address);
	struct itws_opts o = {.address = h->web_address, .origin = origin,
			      .ca_file = ca_file};
	struct itws *c = NULL;
	if (itws_connect(&c, &o) < 0)
		harness_dump_log(h);
	assert_non_null(c);
	return c;
}

static struct itws *ws_open(const struct harness *h)
{
	return ws_open_as(h, "http", NULL);
}

static void ping(struct itws *c, uint64_t rid)
{
	struct buf out = {0};
	raw_put_ping(&out, rid);
	assert_int_equal(itws_send(c, out.data, out.len, false), 0);
	buf_free(&out);
	Clubcrm__Frame *f = itws_expect(c, CLUBCRM__FRAME__BODY_PONG, 10000);
	assert_non_null(f);
	assert_int_equal(f->request_id, rid);
	clubcrm__frame__free_unpacked(f, NULL);
}

/* The server still serves: a new WebSocket logs in as `login` and is
 * answered. */
static void still_serves(const struct harness *h, const char *login,
			 uint64_t rid)
{
	struct itws *c = ws_open(h);
	assert_true(itws_login(c, login, HARNESS_PASSWORD));
	ping(c, rid);
	itws_free(c);
}

/* Plain HTTP off loopback: clubcrmd refuses to start, and says why. */
static void test_plain_http_off_loopback_refused(void **state)
{
	(void)state;
	struct harness h = {.extra = {"--web-listen", "0.0.0.0:0"}};
	fprintf(stderr, "(the refusal below is expected)\n");
	assert_int_equal(harness_start(&h), -1);
	assert_int_equal(harness_log_count(&h, "refusing plain HTTP"), 1);
	harness_cleanup(&h);
}

/* The web port taken by someone else: a clear refusal, exit 1. */
static void test_web_port_in_use_refused(void **state)
{
	(void)state;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	socklen_t len = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	char addr[32];
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(sa.sin_port));
	/* .web: the harness waits for the web line, which never comes;
	 * the flag after its own wins. */
	struct harness h = {.web = true, .extra = {"--web-listen", addr}};
	fprintf(stderr, "(the refusal below is expected)\n");
	assert_int_equal(harness_start(&h), -1);
	assert_int_equal(harness_log_count(&h, "Address already in use"), 1);
	harness_cleanup(&h);
	close(fd);
}

/* wss:// with the daemon's certificate, verified against the test CA;
 * Origin then is https://. */
static void test_wss_with_the_daemon_certificate(void **state)
{
	(void)state;
	struct harness h = {.web = true};
	assert_int_equal(harness_tls(&h), 0);
	assert_int_equal(harness_start(&h), 0);
	assert_int_equal(harness_log_count(&h, "web desk on https://"), 1);
	struct itws *c = ws_open_as(&h, "https", h.certs.ca);
	assert_true(itws_login(c, "alicia", HARNESS_PASSWORD));
	ping(c, 5);
	itws_free(c);

	/* http:// is not this desk's origin any more. */
	char origin[96];
	snprintf(origin, sizeof(origin), "http://%s", h.web_address);
	struct itws_opts o = {.address = h.web_address, .origin = origin,
			      .ca_file = h.certs.ca};
	assert_int_equal(itws_connect(&c, &o), -1);
	/* A client that trusts another CA does not get through. */
	struct itws_opts other = {.address = h.web_address,
				  .origin = origin,
				  .ca_file = h.certs.other_ca};
	assert_int_equal(itws_connect(&c, &other), -1);
	/* Plain HTTP to the TLS port is not served. */
	struct buf resp = {0};
	char head[256];
	snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: %s",
		 h.web_address);
	assert_int_equal(itws_http(h.web_address, head, &resp), -1);
	buf_free(&resp);
	assert_int_equal(harness_stop(&h), 0);
	harness_cleanup(&h);
}

/* No desk built: "/" says so (503), the WebSocket still works. */
static void test_missing_web_root(void **state)
{
	(void)state;
	struct harness h = {.web = true,
			    .extra = {"--web-root", "/nonexistent/desk"}};
	assert_int_equal(harness_start(&h), 0);
	assert_int_equal(harness_log_count(&h, "no web desk in "
					   "/nonexistent/desk"), 1);
	struct buf resp = {0};
	char head[256];
	snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: %s",
		 h.web_address);
	assert_int_equal(itws_http(h.web_address, head, &resp), 503);
	assert_non_null(strstr((char *)resp.data, "web desk is not built"));
	char value[256];
	assert_true(itws_header((char *)resp.data, "x-content-type-options",
				value, sizeof(value)));
	buf_free(&resp);

	still_serves(&h, "valentina", 3);
	assert_int_equal(harness_stop(&h), 0);
	harness_cleanup(&h);
}

/* WebSockets count against --max-connections with TCP ones: one too many
 * is told why (GoAway) and closed; the others go on. */
static void test_connection_limit_counts_websockets(void **state)
{
	(void)state;
	struct harness h = {.web = true, .extra = {"--max-connections", "2"}};
	assert_int_equal(harness_start(&h), 0);
	struct itws *a = ws_open(&h);
	assert_true(itws_login(a, "alicia", HARNESS_PASSWORD));
	struct rawconn tcp;
	assert_int_equal(raw_connect(&tcp, h.address), 0);
	assert_true(raw_login(&tcp, "valentina", HARNESS_PASSWORD));

	struct itws *extra = ws_open(&h);
	Clubcrm__Frame *f = itws_expect(extra, CLUBCRM__FRAME__BODY_GO_AWAY,
					10000);
	assert_non_null(f);
	assert_int_equal(f->go_away->code, STATUS_RESOURCE_EXHAUSTED);
	clubcrm__frame__free_unpacked(f, NULL);
	assert_true(itws_wait_closed(extra, 10000, NULL));
	itws_free(extra);
	assert_int_equal(harness_log_count(&h, "refused, 2 connections"), 1);

	ping(a, 4);
	itws_free(a);
	raw_close(&tcp);
	assert_int_equal(harness_stop(&h), 0);
	harness_cleanup(&h);
}

static bool log_says(const struct harness *h, const char *needle)
{
	return harness_log_count(h, needle) > 0;
}

/* A browser logged in as `login`, its board subscribed and shown, then no
 * longer reading. */
static struct itws *frozen_board(const struct harness *h, const char *login)
{
	struct itws *c = ws_open(h);
	assert_true(itws_login(c, login, HARNESS_PASSWORD));
	struct buf out = {0};
	raw_put_board_subscribe(&out, 50);
	assert_int_equal(itws_send(c, out.data, out.len, false), 0);
	buf_free(&out);
	Clubcrm__Frame *f = itws_expect(c, CLUBCRM__FRAME__BODY_SNAPSHOT_DONE,
					10000);
	assert_non_null(f);
	clubcrm__frame__free_unpacked(f, NULL);
	itws_pause(c, true);
	return c;
}

/* A task with a description of DESC_LEN bytes (written into `desc`,
 * DESC_LEN + 1 bytes): a big delta on every board. */
static struct it_new_task big_task(struct client_sync *w, char *desc)
{
	memset(desc, 'x', DESC_LEN);
	desc[DESC_LEN] = '\0';
	return (struct it_new_task){
		.desc = desc, .type_id = it_type_id(w, "Call"),
		.customer_id = it_customer_id(w, "Manolo"),
		.planned_at = time_now() + 86400,
	};
}

/* A browser that stops reading while deltas pour in is dropped at the
 * output bound, like a terminal; the writer and other browsers go on. */
static void test_frozen_browser_is_dropped(void **state)
{
	(void)state;
	struct harness h = {.web = true, .extra = {"--max-output", "262144"}};
	assert_int_equal(harness_start(&h), 0);
	struct itws *healthy = ws_open(&h);
	assert_true(itws_login(healthy, "alicia", HARNESS_PASSWORD));
	struct itws *frozen = frozen_board(&h, "maribel");
	struct client_sync *w;
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &w, &st), STATUS_OK);
	char desc[DESC_LEN + 1];
	struct it_new_task nt = big_task(w, desc);
	int writes = 0;
	while (writes < WRITES_MAX && !log_says(&h, "maribel): web: dropped")) {
		uint64_t id;
		for (int i = 0; i < 50; i++, writes++)
			assert_int_equal(it_create_id(w, &nt, &id, &st),
					 STATUS_OK);
		/* The healthy browser reads along. */
		ping(healthy, 100 + (uint64_t)writes);
	}
	if (!log_says(&h, "maribel): web: dropped"))
		harness_dump_log(&h);
	assert_true(log_says(&h, "maribel): web: dropped"));
	assert_false(log_says(&h, "alicia): web: dropped"));
	itws_pause(frozen, false);
	assert_true(itws_wait_closed(frozen, 10000, NULL));
	itws_free(frozen);

	/* Served as before: the writer, and the other browser. */
	uint64_t id;
	assert_int_equal(it_create_id(w, &nt, &id, &st), STATUS_OK);
	ping(healthy, 9);
	itws_free(healthy);
	client_sync_close(w);
	assert_int_equal(harness_stop(&h), 0);
	harness_cleanup(&h);
}

/* The owner's timer runs over a WebSocket: no login within the handshake
 * time is told so (GoAway DEADLINE_EXCEEDED) and closed. And a browser
 * gone while its login is still being checked: the session outlives the
 * socket until the check returns, then goes; others are served. */
static void test_timer_and_lifetime(void **state)
{
	(void)state;
	struct harness h = {.web = true,
			    .extra = {"--handshake-timeout-ms", "500"}};
	assert_int_equal(harness_start(&h), 0);
	struct itws *idle = ws_open(&h);
	Clubcrm__Frame *f = itws_expect(idle, CLUBCRM__FRAME__BODY_GO_AWAY,
					10000);
	assert_non_null(f);
	assert_int_equal(f->go_away->code, STATUS_DEADLINE_EXCEEDED);
	clubcrm__frame__free_unpacked(f, NULL);
	assert_true(itws_wait_closed(idle, 10000, NULL));
	itws_free(idle);
	assert_int_equal(harness_stop(&h), 0);
	harness_cleanup(&h);

	struct harness h2 = {.web = true};
	assert_int_equal(harness_start(&h2), 0);
	for (int i = 0; i < 5; i++) {
		struct itws *gone = ws_open(&h2);
		struct buf out = {0};
		raw_put_preface(&out);
		raw_put_hello(&out, 1);
		raw_put_login(&out, 2, "deborah", HARNESS_PASSWORD);
		assert_int_equal(itws_send(gone, out.data, out.len, false), 0);
		buf_free(&out);
		itws_free(gone);   /* at once: the login is still running */
	}
	still_serves(&h2, "alicia", 8);
	assert_int_equal(harness_stop(&h2), 0);
	harness_cleanup(&h2);
}

/* SIGTERM with WebSockets open: each gets GoAway and a close, and the
 * daemon exits 0 with every handle closed (libwebsockets' included). */
static void test_sigterm_with_websockets_open(void **state)
{
	(void)state;
	struct harness h = {.web = true};
	assert_int_equal(harness_start(&h), 0);
	struct itws *a = ws_open(&h);
	assert_true(itws_login(a, "alicia", HARNESS_PASSWORD));
	struct itws *b = ws_open(&h);   /* not even logged in */
	harness_terminate(&h);
	Clubcrm__Frame *f = itws_expect(a, CLUBCRM__FRAME__BODY_GO_AWAY,
					10000);
	assert_non_null(f);
	assert_int_equal(f->go_away->code, STATUS_UNAVAILABLE);
	clubcrm__frame__free_unpacked(f, NULL);
	int code = 0;
	assert_true(itws_wait_closed(a, 10000, &code));
	if (code != 1000)
		harness_dump_log(&h);
	assert_int_equal(code, 1000);
	assert_true(itws_wait_closed(b, 10000, NULL));
	assert_int_equal(harness_wait(&h, 20000), 0);
	assert_int_equal(harness_log_count(&h, "info: stopped"), 1);
	assert_int_equal(harness_log_count(&h, "not fully closed"), 0);
	assert_int_equal(harness_log_count(&h, "left open"), 0);
	itws_free(a);
	itws_free(b);
	harness_cleanup(&h);
}

/* SIGTERM while a browser has stopped reading with megabytes still queued
 * for it: the shutdown does not wait for it (the drain's linger bounds it)
 * and the daemon exits 0 with everything closed. */
static void test_sigterm_with_a_browser_not_reading(void **state)
{
	(void)state;
	struct harness h = {.web = true};
	assert_int_equal(harness_start(&h), 0);
	struct itws *frozen = frozen_board(&h, "maribel");
	struct client_sync *w;
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &w, &st), STATUS_OK);
	char desc[DESC_LEN + 1];
	struct it_new_task nt = big_task(w, desc);
	/* About 3 MB of deltas: far more than the sockets hold, far less
	 * than the output bound that would drop the browser. */
	for (int i = 0; i < 1000; i++) {
		uint64_t id;
		assert_int_equal(it_create_id(w, &nt, &id, &st), STATUS_OK);
	}
	assert_false(log_says(&h, "maribel): web: dropped"));

	harness_terminate(&h);
	int rc = harness_wait(&h, 30000);
	if (rc != 0)
		harness_dump_log(&h);
	assert_int_equal(rc, 0);
	assert_int_equal(harness_log_count(&h, "info: stopped"), 1);
	assert_int_equal(harness_log_count(&h, "left open"), 0);
	client_sync_close(w);
	itws_free(frozen);
	harness_cleanup(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_http_off_loopback_refused),
		cmocka_unit_test(test_web_port_in_use_refused),
		cmocka_unit_test(test_wss_with_the_daemon_certificate),
		cmocka_unit_test(test_missing_web_root),
		cmocka_unit_test(test_connection_limit_counts_websockets),
		cmocka_unit_test(test_frozen_browser_is_dropped),
		cmocka_unit_test(test_timer_and_lifetime),
		cmocka_unit_test(test_sigterm_with_websockets_open),
		cmocka_unit_test(test_sigterm_with_a_browser_not_reading),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
