/*
 * The browser's listener against the real clubcrmd: a WebSocket on /ws
 * carries the same protocol as TCP (login, a live view and its deltas,
 * any split of the bytes across messages), and the HTTP side serves the
 * desk's files with the security and cache headers and nothing outside
 * the desk's directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "itws.h"
#include "rawconn.h"
#include "status.h"
#include "timeutil.h"

#define INDEX_HTML "<!doctype html><title>clubcrm</title>" \
	"<script src=\"/assets/app-3FQ2X.js\"></script>"
#define ASSET_JS "console.log('desk');\n"

struct fixture {
	struct harness h;
	char root[64];            /* the desk's directory */
	char origin[96];          /* "http://127.0.0.1:PORT" */
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A desk of two files in a temporary directory. */
static void make_root(struct fixture *fx)
{
	snprintf(fx->root, sizeof(fx->root), "/tmp/clubcrm-webroot-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	char path[128];
	snprintf(path, sizeof(path), "%s/index.html", fx->root);
	write_file(path, INDEX_HTML);
	snprintf(path, sizeof(path), "%s/assets", fx->root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/assets/app-3FQ2X.js", fx->root);
	write_file(path, ASSET_JS);
}

static void remove_root(struct fixture *fx)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/assets/app-3FQ2X.js", fx->root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/assets", fx->root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/index.html", fx->root);
	unlink(path);
	rmdir(fx->root);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	make_root(fx);
	fx->h.web = true;
	fx->h.extra[0] = "--web-root";
	fx->h.extra[1] = fx->root;
	if (harness_start(&fx->h) < 0) {
		remove_root(fx);
		free(fx);
		return -1;
	}
	snprintf(fx->origin, sizeof(fx->origin), "http://%s",
		 fx->h.web_address);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int rc = harness_stop(&fx->h);
	harness_cleanup(&fx->h);
	remove_root(fx);
	free(fx);
	return rc == 0 ? 0 : -1;
}

static struct itws *ws_open(const struct fixture *fx)
{
	struct itws *c = NULL;
	struct itws_opts o = {.address = fx->h.web_address,
			      .origin = fx->origin};
	if (itws_connect(&c, &o) < 0)
		harness_dump_log(&fx->h);
	assert_non_null(c);
	return c;
}

static void subscribe_board(struct itws *c, uint64_t rid)
{
	struct buf out = {0};
	raw_put_board_subscribe(&out, rid);
	assert_int_equal(itws_send(c, out.data, out.len, false), 0);
	buf_free(&out);
}

/* ------------------------------------------------------------ WebSocket */

/* Login and a live board over /ws; a task written over TCP by another
 * operator arrives as a delta, with no request from the browser. */
static void test_ws_login_view_and_live_delta(void **state)
{
	struct fixture *fx = *state;
	struct itws *c = ws_open(fx);
	assert_true(itws_login(c, "alicia", HARNESS_PASSWORD));
	subscribe_board(c, 10);
	Clubcrm__Frame *f = itws_expect(c, CLUBCRM__FRAME__BODY_SNAPSHOT_DONE,
					10000);
	assert_non_null(f);
	clubcrm__frame__free_unpacked(f, NULL);

	struct client_sync *w;
	struct client_status st;
	assert_int_equal(harness_login(&fx->h, "fermin", &w, &st), STATUS_OK);
	struct it_new_task nt = {
		.desc = "call back about the web desk",
		.type_id = it_type_id(w, "Call"),
		.customer_id = it_customer_id(w, "Manolo"),
		.planned_at = time_now() + 3600,
	};
	uint64_t id = 0;
	assert_int_equal(it_create_id(w, &nt, &id, &st), STATUS_OK);
	f = itws_expect(c, CLUBCRM__FRAME__BODY_DELTAS, 10000);
	assert_non_null(f);
	clubcrm__frame__free_unpacked(f, NULL);
	client_sync_close(w);

	/* The log names the WebSocket's peer, and that it is the web one. */
	assert_true(harness_log_count(&fx->h, "web socket opened") >= 1);
	assert_true(harness_log_count(&fx->h, "alicia logged in") >= 1);
	itws_free(c);
}

/* The protocol's bytes may be split across messages any way: one byte per
 * message for the login, then two pings in one message, two pongs. */
static void test_ws_bytes_split_and_joined(void **state)
{
	struct fixture *fx = *state;
	struct itws *c = ws_open(fx);
	struct buf out = {0};
	raw_put_preface(&out);
	raw_put_hello(&out, 1);
	raw_put_login(&out, 2, "valentina", HARNESS_PASSWORD);
	assert_int_equal(itws_send_chunked(c, out.data, out.len, 1), 0);
	buf_free(&out);
	Clubcrm__Frame *f = itws_recv(c, 10000);
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_WELCOME);
	clubcrm__frame__free_unpacked(f, NULL);
	f = itws_recv(c, 10000);
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_LOGIN_OK);
	clubcrm__frame__free_unpacked(f, NULL);

	raw_put_ping(&out, 71);
	raw_put_ping(&out, 72);
	assert_int_equal(itws_send(c, out.data, out.len, false), 0);
	buf_free(&out);
	for (uint64_t rid = 71; rid <= 72; rid++) {
		f = itws_expect(c, CLUBCRM__FRAME__BODY_PONG, 10000);
		assert_non_null(f);
		assert_int_equal(f->request_id, rid);
		clubcrm__frame__free_unpacked(f, NULL);
	}
	itws_free(c);
}

/* A text message is not the protocol: that socket is closed with 1003;
 * others are served as before. */
static void test_ws_text_message_closes_only_that_socket(void **state)
{
	struct fixture *fx = *state;
	struct itws *good = ws_open(fx);
	assert_true(itws_login(good, "alicia", HARNESS_PASSWORD));
	struct itws *bad = ws_open(fx);
	assert_int_equal(itws_send(bad, "hello", 5, true), 0);
	int code = 0;
	assert_true(itws_wait_closed(bad, 10000, &code));
	assert_int_equal(code, 1003);
	itws_free(bad);

	/* Garbage bytes in a binary message: a bad preface, closed too. */
	bad = ws_open(fx);
	assert_int_equal(itws_send(bad, "GET / HTTP/1.1\r\n\r\n", 18, false),
			 0);
	assert_true(itws_wait_closed(bad, 10000, NULL));
	itws_free(bad);

	struct buf out = {0};
	raw_put_ping(&out, 9);
	assert_int_equal(itws_send(good, out.data, out.len, false), 0);
	buf_free(&out);
	Clubcrm__Frame *f = itws_expect(good, CLUBCRM__FRAME__BODY_PONG, 10000);
	assert_non_null(f);
	clubcrm__frame__free_unpacked(f, NULL);
	itws_free(good);
}

/* The upgrade: only from the desk's own Origin; none is refused too. */
static void test_ws_origin_is_checked(void **state)
{
	struct fixture *fx = *state;
	struct itws *c = NULL;
	struct itws_opts evil = {.address = fx->h.web_address,
				 .origin = "http://evil.example"};
	assert_int_equal(itws_connect(&c, &evil), -1);
	struct itws_opts none = {.address = fx->h.web_address};
	assert_int_equal(itws_connect(&c, &none), -1);

	char head[512];
	struct buf resp = {0};
	const char *origins[] = {"http://evil.example", "null",
				 "https://127.0.0.1", NULL};
	for (size_t i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		char origin_line[128] = "";
		if (origins[i])
			snprintf(origin_line, sizeof(origin_line),
				 "\r\nOrigin: %s", origins[i]);
		snprintf(head, sizeof(head),
			 "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket"
			 "\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13"
			 "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==%s",
			 fx->h.web_address, origin_line);
		assert_int_equal(itws_http(fx->h.web_address, head, &resp), 403);
	}
	/* A page whose name was rebound to 127.0.0.1 is not the desk. */
	snprintf(head, sizeof(head),
		 "GET /ws HTTP/1.1\r\nHost: evil.example:80\r\nUpgrade: "
		 "websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: "
		 "13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		 "Origin: http://evil.example:80");
	assert_int_equal(itws_http(fx->h.web_address, head, &resp), 403);
	buf_free(&resp);
	assert_true(harness_log_count(&fx->h, "WebSocket refused (403)") >= 5);
}

/* ------------------------------------------------------------ HTTP */

static void get(const struct fixture *fx, const char *method,
		const char *path, struct buf *resp, int want_status)
{
	char head[1024];
	snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: %s", method, path,
		 fx->h.web_address);
	int status = itws_http(fx->h.web_address, head, resp);
	if (status != want_status)
		fprintf(stderr, "%s %s: %d\n%s\n", method, path, status,
			resp->data ? (char *)resp->data : "");
	assert_int_equal(status, want_status);
}

static void assert_header(const struct buf *resp, const char *name,
			  const char *want)
{
	char value[512];
	assert_true(itws_header((const char *)resp->data, name, value,
				sizeof(value)));
	assert_string_equal(value, want);
}

static void assert_security_headers(const struct buf *resp)
{
	char csp[512];
	assert_true(itws_header((const char *)resp->data,
				"content-security-policy", csp, sizeof(csp)));
	assert_non_null(strstr(csp, "script-src 'self'"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_null(strstr(csp, "unsafe-inline"));
	assert_header(resp, "x-content-type-options", "nosniff");
	assert_header(resp, "referrer-policy", "no-referrer");
	assert_header(resp, "x-frame-options", "DENY");
}

static void test_http_index_and_assets(void **state)
{
	struct fixture *fx = *state;
	struct buf resp = {0};
	get(fx, "GET", "/", &resp, 200);
	assert_security_headers(&resp);
	assert_header(&resp, "cache-control", "no-cache");
	assert_header(&resp, "content-type", "text/html");
	assert_non_null(strstr((char *)resp.data, INDEX_HTML));

	get(fx, "GET", "/assets/app-3FQ2X.js", &resp, 200);
	assert_security_headers(&resp);
	assert_header(&resp, "cache-control",
		      "public, max-age=31536000, immutable");
	assert_non_null(strstr((char *)resp.data, ASSET_JS));

	get(fx, "HEAD", "/index.html", &resp, 200);
	assert_header(&resp, "cache-control", "no-cache");
	assert_null(strstr((char *)resp.data, "<title>"));

	/* Missing files, and no listing of a directory. */
	get(fx, "GET", "/assets/app-NOPE.js", &resp, 404);
	assert_security_headers(&resp);
	get(fx, "GET", "/assets/", &resp, 404);
	assert_null(strstr((char *)resp.data, "app-3FQ2X"));
	buf_free(&resp);
}

/* Nothing outside the desk's directory, however the path is written. */
static void test_http_no_path_traversal(void **state)
{
	struct fixture *fx = *state;
	const char *paths[] = {
		"/../etc/passwd", "/assets/../../etc/passwd",
		"/%2e%2e/etc/passwd", "/%2E%2E/%2E%2E/etc/passwd",
		"/..%2fetc%2fpasswd", "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
		"/assets/..%5c..%5cetc%5cpasswd", "//etc/passwd",
		"/%252e%252e/etc/passwd", "/./../etc/passwd",
	};
	struct buf resp = {0};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char head[512];
		snprintf(head, sizeof(head), "GET %s HTTP/1.1\r\nHost: %s",
			 paths[i], fx->h.web_address);
		int status = itws_http(fx->h.web_address, head, &resp);
		if (status == 200 || strstr((char *)resp.data, "root:"))
			fprintf(stderr, "%s gave %d:\n%s\n", paths[i], status,
				(char *)resp.data);
		assert_true(status != 200 || !strstr((char *)resp.data,
						     "root:"));
		assert_null(strstr((char *)resp.data, "root:"));
	}
	buf_free(&resp);
}

/* Only GET and HEAD. */
static void test_http_other_methods_refused(void **state)
{
	struct fixture *fx = *state;
	const char *methods[] = {"POST", "PUT", "DELETE", "OPTIONS"};
	struct buf resp = {0};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		char head[512];
		snprintf(head, sizeof(head), "%s / HTTP/1.1\r\nHost: %s\r\n"
			 "Content-Length: 0", methods[i], fx->h.web_address);
		int status = itws_http(fx->h.web_address, head, &resp);
		assert_int_equal(status, 405);
		assert_null(strstr((char *)resp.data, "<title>clubcrm"));
	}
	buf_free(&resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_ws_login_view_and_live_delta, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ws_bytes_split_and_joined, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ws_text_message_closes_only_that_socket, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_ws_origin_is_checked,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_index_and_assets,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_no_path_traversal,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_http_other_methods_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
