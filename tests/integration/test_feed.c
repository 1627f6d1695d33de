/*
 * Calendar feeds against the real server (the demo club, web listener on):
 * `clubcrm agenda feed --rotate` prints the URL (--web-public-url before
 * the path), GET over plain HTTP answers text/calendar that a second,
 * independent parser (Python's icalendar: ics_check.py) reads: the zone's
 * VTIMEZONE, stable UIDs, a cancelled task as CANCELLED, a description
 * with commas, semicolons, a newline and non-ASCII read back intact; HEAD;
 * POST refused; a rotated URL and a deactivated operator's are 404 like
 * any malformed secret, traversal or unknown one; many feeds asked for at
 * once (built off the loop: whole or 503), kept-alive connections, and
 * connections gone before their answer; feeds held for connections that
 * do not read count against the bound, a slow reader gets the whole feed,
 * a feed being sent at SIGTERM goes out whole; `agenda export --ics` read
 * by the same script, and its bad inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <cmocka.h>
#include <jansson.h>

#include "buf.h"
#include "harness.h"
#include "itcli.h"
#include "ittools.h"
#include "itws.h"
#include "rawconn.h"
#include "timeutil.h"

#ifndef CLUBCRM_CLI_PATH
#error "CMake passes CLUBCRM_CLI_PATH, the clubcrm binary under test"
#endif
#ifndef CLUBCRM_ICS_CHECK
#error "CMake passes CLUBCRM_ICS_CHECK (ics_check.py) and CLUBCRM_PYTHON"
#endif

#define OUT_MAX (512 * 1024)
#define PUBLIC "http://calendar.example"

static struct harness h;
static char out[OUT_MAX], err[OUT_MAX];
static struct itcli cli = {
	.path = CLUBCRM_CLI_PATH, .h = &h, .name = "feed", .user = "alicia",
	.password = HARNESS_PASSWORD, .out = out, .err = err, .cap = OUT_MAX,
};

#define run(...) itcli_run(&cli, __VA_ARGS__, (const char *)NULL)

static const char awkward[] = "Bring: towel, shoes; the form\n"
			      "then pay — año ñ 日本";

/* ics_check.py's reading of `text` (asserting it read it). */
static json_t *check_ics(const char *text, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/feed.ics", h.dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s'", CLUBCRM_PYTHON,
		 CLUBCRM_ICS_CHECK, path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	static char buf[OUT_MAX];
	size_t n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	int st = pclose(p);
	if (st != 0)
		fail_msg("ics_check.py refused the calendar (%d):\n%.*s", st,
			 (int)len, text);
	json_error_t e;
	json_t *v = json_loads(buf, 0, &e);
	if (!v)
		fail_msg("ics_check.py's output is not JSON: %s", e.text);
	return v;
}

/* The event of `uid`, or NULL. */
static json_t *event(json_t *cal, const char *uid)
{
	json_t *evs = json_object_get(cal, "events");
	for (size_t i = 0; i < json_array_size(evs); i++) {
		json_t *ev = json_array_get(evs, i);
		if (strcmp(json_string_value(json_object_get(ev, "uid")),
			   uid) == 0)
			return ev;
	}
	return NULL;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

/* GET (or another method) of `path` on the web listener; the status. */
static int http(const char *method, const char *path, struct buf *resp)
{
	char head[2400];
	snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: %s%s", method,
		 path, h.web_address,
		 strcmp(method, "POST") == 0 ? "\r\nContent-Length: 0" : "");
	return itws_http(h.web_address, head, resp);
}

static const char *body_of(const struct buf *resp)
{
	const char *b = strstr((const char *)resp->data, "\r\n\r\n");
	assert_non_null(b);
	return b + 4;
}

/* `agenda feed --rotate` as cli.user: the path of the URL it printed. */
static void rotate(char *path, size_t size)
{
	if (run("agenda", "feed", "--rotate") != 0)
		fail_msg("agenda feed --rotate: %s", err);
	size_t pl = strlen(PUBLIC "/feed/");
	assert_memory_equal(out, PUBLIC "/feed/", pl);
	char *nl = strchr(out, '\n');
	assert_non_null(nl);
	*nl = '\0';
	assert_int_equal(strlen(out), pl + 43 + 4);
	size_t n = strlen(out + strlen(PUBLIC));
	assert_true(n < size);
	memcpy(path, out + strlen(PUBLIC), n + 1);
	itcli_expect_err(&cli, "the old URL no longer works");
}

static long add_task(const char *desc, const char *at)
{
	if (run("task", "add", "--customer", "Lucía", "--type", "Call",
		"--desc", desc, "--at", at, "--json") != 0)
		fail_msg("task add: %s", err);
	json_t *v = itcli_json(&cli);
	long id = itcli_num(v, "id");
	json_decref(v);
	return id;
}

/* "YYYY-MM-DD 10:00", `days` from today. */
static void day_at(int days, char *out_, size_t size)
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out_, size, "%Y-%m-%d 10:00", &tm);
}

static void test_feed_over_http(void **state)
{
	(void)state;
	cli.user = "alicia";
	char at[32], at2[32];
	day_at(3, at, sizeof(at));
	day_at(4, at2, sizeof(at2));
	long kept = add_task(awkward, at);
	long gone = add_task("to be cancelled", at2);
	char id[24];
	snprintf(id, sizeof(id), "%ld", gone);
	assert_int_equal(run("task", "cancel", id), 0);

	char path[128];
	rotate(path, sizeof(path));
	struct buf resp = {0};
	assert_int_equal(http("GET", path, &resp), 200);
	char v[256];
	assert_true(itws_header((char *)resp.data, "content-type", v,
				sizeof(v)));
	assert_string_equal(v, "text/calendar; charset=utf-8");
	assert_true(itws_header((char *)resp.data, "cache-control", v,
				sizeof(v)));
	assert_non_null(strstr(v, "no-store"));
	assert_non_null(strstr(v, "private"));
	assert_true(itws_header((char *)resp.data, "x-content-type-options",
				v, sizeof(v)));
	const char *body = body_of(&resp);
	size_t blen = resp.len - (size_t)(body - (char *)resp.data);
	assert_true(itws_header((char *)resp.data, "content-length", v,
				sizeof(v)));
	assert_int_equal(strtoul(v, NULL, 10), blen);
	json_t *cal = check_ics(body, blen);
	assert_non_null(strstr(str(cal, "calname"), "Alicia"));
	json_t *tz = json_object_get(cal, "tzids");
	assert_int_equal(json_array_size(tz), 1);
	assert_string_equal(json_string_value(json_array_get(tz, 0)),
			    "Europe/Madrid");
	char uid[64];
	snprintf(uid, sizeof(uid), "%ld@club-deportivo-demo", kept);
	json_t *ev = event(cal, uid);
	assert_non_null(ev);
	assert_string_equal(str(ev, "tzid"), "Europe/Madrid");
	char want[256];
	snprintf(want, sizeof(want), "%s\nPhone: +34 600 555 666", awkward);
	assert_string_equal(str(ev, "description"), want);
	assert_string_equal(str(ev, "summary"),
			    "Call \xe2\x80\x94 Lucía Fernández");
	assert_string_equal(str(ev, "status"), "CONFIRMED");
	assert_string_equal(str(ev, "local_start") + 11, "10:00");
	/* Half an hour: the demo club's slot. */
	assert_int_equal(json_integer_value(json_object_get(ev, "end")) -
			 json_integer_value(json_object_get(ev, "start")),
			 30 * 60);
	snprintf(uid, sizeof(uid), "%ld@club-deportivo-demo", gone);
	ev = event(cal, uid);
	assert_non_null(ev);
	assert_string_equal(str(ev, "status"), "CANCELLED");
	assert_true(json_integer_value(json_object_get(ev, "sequence")) >= 1);
	json_decref(cal);

	/* Polled again, unchanged: the same bytes. */
	struct buf again = {0};
	assert_int_equal(http("GET", path, &again), 200);
	assert_string_equal(body_of(&again), body);
	/* HEAD: the headers, no body. */
	assert_int_equal(http("HEAD", path, &again), 200);
	assert_string_equal(body_of(&again), "");
	/* Read-only: POST is refused. */
	assert_int_equal(http("POST", path, &again), 405);
	assert_null(strstr((char *)again.data, "BEGIN:VCALENDAR"));
	buf_free(&again);
	buf_free(&resp);
	/* The secret is never logged. */
	assert_int_equal(harness_log_count(&h, path + 6), 0);
}

static void test_bad_secrets_are_404(void **state)
{
	(void)state;
	cli.user = "alicia";
	char path[128];
	rotate(path, sizeof(path));
	char secret[44];
	memcpy(secret, path + 6, 43);
	secret[43] = '\0';
	char bad[10][160];
	int n = 0;
	snprintf(bad[n++], 160, "/feed/%.42s.ics", secret);         /* short */
	snprintf(bad[n++], 160, "/feed/%sA.ics", secret);           /* long */
	snprintf(bad[n++], 160, "/feed/%s", secret);              /* no .ics */
	snprintf(bad[n++], 160, "/feed/%s.ics.ics", secret);
	snprintf(bad[n++], 160, "/feed/%.42s+.ics", secret);     /* not url */
	snprintf(bad[n++], 160, "/feed/%c%s.ics",               /* unknown */
		 secret[0] == 'A' ? 'B' : 'A', secret + 1);
	snprintf(bad[n++], 160, "/feed/../../../etc/passwd");
	snprintf(bad[n++], 160, "/feed/%%2e%%2e/%%2e%%2e/etc/passwd");
	snprintf(bad[n++], 160, "/feed/");
	snprintf(bad[n++], 160, "/feed/%s.ics%%00", secret);
	struct buf resp = {0};
	for (int i = 0; i < n; i++) {
		int st = http("GET", bad[i], &resp);
		if (st == 200 && strstr((char *)resp.data, "BEGIN:VCALENDAR"))
			fail_msg("%s gave a calendar", bad[i]);
		assert_null(strstr((char *)resp.data, "root:"));
		/* -1: libwebsockets dropped it unanswered (a NUL); 503: a
		 * traversal normalised out of /feed/ onto a build without
		 * the desk's files ("not built"). */
		if (st != 404 && st != 400 && st != 403 && st != 503 &&
		    st != -1)
			fail_msg("%s gave %d:\n%s", bad[i], st,
				 (char *)resp.data);
	}
	/* The real one still works. */
	assert_int_equal(http("GET", path, &resp), 200);
	buf_free(&resp);
}

/* `head`, then multi-byte characters, separators and commas (what an
 * iCalendar line must fold and escape) until `desc` (n bytes) is nearly
 * full, with room for a few more bytes. */
static void long_desc(char *desc, size_t n, const char *head)
{
	snprintf(desc, n, "%s", head);
	while (strlen(desc) + 24 < n)
		strcat(desc, "año ñ 日本; x, ");
}

/* A feed larger than one write (16 KiB pieces): every event arrives,
 * read back whole; the task of another operator is not in it. */
static void test_large_feed(void **state)
{
	(void)state;
	struct client_sync *s = NULL;
	struct client_status st;
	assert_int_equal(harness_login(&h, "maribel", &s, &st), 0);
	/* Multi-byte characters all along: folded lines must not cut one. */
	char desc[1200];
	long_desc(desc, sizeof(desc), "large feed, ");
	strcat(desc, "end");
	struct it_new_task t = {
		.desc = desc, .type_id = it_type_id(s, "Call"),
		.customer_id = it_customer_id(s, "Lucía"),
		.operator_id = it_operator_id(s, "maribel"),
	};
	enum { N = 80 };
	for (int i = 0; i < N; i++) {
		uint64_t id;
		t.planned_at = (int64_t)time(NULL) + 86400 + i * 3600;
		assert_int_equal(it_create_id(s, &t, &id, &st), 0);
	}
	client_sync_close(s);
	cli.user = "maribel";
	char path[128];
	rotate(path, sizeof(path));
	struct buf resp = {0};
	assert_int_equal(http("GET", path, &resp), 200);
	const char *body = body_of(&resp);
	size_t blen = resp.len - (size_t)(body - (char *)resp.data);
	assert_true(blen > 4 * 16384);
	json_t *cal = check_ics(body, blen);
	json_t *evs = json_object_get(cal, "events");
	size_t large = 0;
	for (size_t i = 0; i < json_array_size(evs); i++) {
		const char *d = str(json_array_get(evs, i), "description");
		if (strncmp(d, desc, strlen(desc)) == 0)
			large++;
	}
	assert_int_equal(large, N);
	json_decref(cal);
	buf_free(&resp);
}

static void test_rotation_and_deactivation(void **state)
{
	(void)state;
	cli.user = "deborah";
	char old[128], now[128];
	rotate(old, sizeof(old));
	struct buf resp = {0};
	assert_int_equal(http("GET", old, &resp), 200);
	rotate(now, sizeof(now));
	assert_string_not_equal(old, now);
	assert_int_equal(http("GET", old, &resp), 404);
	assert_null(strstr((char *)resp.data, "BEGIN:VCALENDAR"));
	assert_int_equal(http("GET", now, &resp), 200);

	/* --json: the id, the path and the full URL. */
	assert_int_equal(run("--json", "agenda", "feed", "--rotate"), 0);
	json_t *j = itcli_json(&cli);
	const char *jpath = itcli_str(j, "path");
	char jurl[200];
	snprintf(jurl, sizeof(jurl), PUBLIC "%s", jpath);
	assert_string_equal(itcli_str(j, "url"), jurl);
	assert_true(itcli_num(j, "operator_id") > 0);
	assert_int_equal(http("GET", now, &resp), 404);  /* rotated again */
	snprintf(now, sizeof(now), "%s", jpath);
	json_decref(j);
	assert_int_equal(http("GET", now, &resp), 200);

	/* Another operator's feed: only an admin. */
	cli.user = "alicia";
	assert_int_equal(run("agenda", "feed", "--rotate", "--operator",
			     "deborah"), 1);
	itcli_assert_refused(&cli, "PERMISSION_DENIED");
	assert_int_equal(http("GET", now, &resp), 200);  /* untouched */

	cli.user = "fermin";
	assert_int_equal(run("admin", "operator", "deactivate", "deborah"), 0);
	assert_int_equal(http("GET", now, &resp), 404);
	/* No new one for her (the CLI knows she is inactive; the server's
	 * own refusal is in unit.test_ical). */
	assert_int_equal(run("agenda", "feed", "--rotate", "--operator",
			     "deborah"), 1);
	itcli_expect_err(&cli, "inactive");
	buf_free(&resp);
}

static void test_agenda_export(void **state)
{
	(void)state;
	cli.user = "alicia";
	char at[32];
	day_at(5, at, sizeof(at));
	long id = add_task("exported, too; yes", at);
	assert_int_equal(run("agenda", "export", "--ics"), 0);
	json_t *cal = check_ics(out, strlen(out));
	char uid[64];
	snprintf(uid, sizeof(uid), "%ld@club-deportivo-demo", id);
	json_t *ev = event(cal, uid);
	assert_non_null(ev);
	assert_string_equal(str(ev, "description"),
			    "exported, too; yes\nPhone: +34 600 555 666");
	json_decref(cal);

	/* Someone else's, by name, over a range: only that range. */
	char from[16], to[16];
	snprintf(from, sizeof(from), "%.10s", at);
	snprintf(to, sizeof(to), "%.10s", at);
	assert_int_equal(run("agenda", "export", "--ics", "--operator",
			     "alicia", "--from", from, "--to", to), 0);
	cal = check_ics(out, strlen(out));
	assert_int_equal(json_array_size(json_object_get(cal, "events")), 1);
	assert_non_null(event(cal, uid));
	json_decref(cal);
	cli.user = "valentina";
	assert_int_equal(run("agenda", "export", "--ics", "--operator",
			     "alicia", "--from", from, "--to", to), 0);
	cal = check_ics(out, strlen(out));
	assert_non_null(event(cal, uid));
	json_decref(cal);

	/* 02:30 on 2027-10-31 comes twice in Madrid (the CLI takes the
	 * first, CEST): written in UTC, Python reads the instant meant. */
	cli.user = "alicia";
	long amb = add_task("autumn change", "2027-10-31 02:30");
	assert_int_equal(run("agenda", "export", "--ics", "--from",
			     "2027-10-30", "--to", "2027-10-31"), 0);
	cal = check_ics(out, strlen(out));
	snprintf(uid, sizeof(uid), "%ld@club-deportivo-demo", amb);
	ev = event(cal, uid);
	assert_non_null(ev);
	assert_int_equal(json_integer_value(json_object_get(ev, "start")),
			 1824942600);  /* 00:30 UTC */
	assert_true(json_is_null(json_object_get(ev, "tzid")));
	json_decref(cal);

	/* Bad inputs. */
	assert_int_equal(run("agenda", "export"), 2);
	itcli_expect_err(&cli, "--ics");
	assert_int_equal(run("agenda", "export", "--ics", "--from", "soon"),
			 2);
	assert_int_equal(run("agenda", "export", "--ics", "--from",
			     "2027-02-01", "--to", "2027-01-01"), 1);
	itcli_assert_refused(&cli, "INVALID_ARGUMENT");
	assert_int_equal(run("agenda", "export", "--ics", "--from",
			     "2026-01-01", "--to", "2028-01-01"), 1);
	itcli_expect_err(&cli, "400 days");
	assert_int_equal(run("agenda", "export", "--ics", "--operator",
			     "nobody-at-all"), 1);
}

/* Everything a connection sends until it closes (10 s at most): whether
 * it closed. */
static bool read_all(int fd, struct buf *resp)
{
	resp->len = 0;
	uint64_t end = time_mono_ms() + 10000;
	bool closed = false;
	for (;;) {
		int64_t left = (int64_t)(end - time_mono_ms());
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		assert_int_equal(buf_reserve(resp, 16384), 0);
		ssize_t got = recv(fd, resp->data + resp->len, 16384, 0);
		if (got <= 0) {
			closed = true;
			break;
		}
		resp->len += (size_t)got;
	}
	assert_int_equal(buf_reserve(resp, 1), 0);
	resp->data[resp->len] = '\0';
	return closed;
}

static void send_get(struct rawconn *c, const char *path, bool close)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: %s"
			 "\r\n\r\n", path, h.web_address,
			 close ? "close" : "keep-alive");
	assert_true(n > 0 && (size_t)n < sizeof(req));
	assert_int_equal(raw_send(c, req, (size_t)n), 0);
}

/*
 * Feeds are built off the loop, one at a time, at most 32 queued: many
 * asked for at once each get the whole calendar (the same bytes as one
 * asked alone) or 503 to come back later, never a dropped or a cut
 * answer; two asked one after the other on one kept-alive connection
 * both come whole; the server answers one alone afterwards.
 */
static void test_many_feeds_at_once(void **state)
{
	(void)state;
	cli.user = "alicia";
	char at[32];
	day_at(5, at, sizeof(at));
	add_task("many feeds at once", at);
	char path[128];
	rotate(path, sizeof(path));
	struct buf alone = {0}, resp = {0};
	assert_int_equal(http("GET", path, &alone), 200);
	const char *want = body_of(&alone);

	enum { N = 48 };
	static struct rawconn c[N];
	for (int i = 0; i < N; i++) {
		assert_int_equal(raw_connect(&c[i], h.web_address), 0);
		send_get(&c[i], path, true);
	}
	unsigned ok = 0, busy = 0;
	for (int i = 0; i < N; i++) {
		read_all(c[i].fd, &resp);
		raw_close(&c[i]);
		unsigned st = 0;
		assert_int_equal(sscanf((char *)resp.data, "HTTP/1.%*u %u",
					&st), 1);
		if (st == 503) {
			busy++;
			continue;
		}
		assert_int_equal(st, 200);
		assert_string_equal(body_of(&resp), want);
		ok++;
	}
	print_message("feeds at once: %u whole, %u busy\n", ok, busy);
	assert_int_equal(ok + busy, N);
	assert_true(ok >= 1);

	/* Kept alive: the second answer after the first, both whole. */
	struct rawconn k;
	assert_int_equal(raw_connect(&k, h.web_address), 0);
	send_get(&k, path, false);
	size_t blen = strlen(want);
	char cl[64];
	snprintf(cl, sizeof(cl), "%zu", blen);
	struct buf got = {0};
	uint64_t end = time_mono_ms() + 10000;
	for (int round = 0; round < 2; round++) {
		got.len = 0;
		const char *b = NULL;
		while (!b || got.len - (size_t)(b - (char *)got.data) < blen) {
			int64_t left = (int64_t)(end - time_mono_ms());
			struct pollfd p = {.fd = k.fd, .events = POLLIN};
			assert_true(left > 0 && poll(&p, 1, (int)left) == 1);
			assert_int_equal(buf_reserve(&got, 16385), 0);
			ssize_t n = recv(k.fd, got.data + got.len, 16384, 0);
			assert_true(n > 0);
			got.len += (size_t)n;
			got.data[got.len] = '\0';
			b = strstr((char *)got.data, "\r\n\r\n");
			if (b)
				b += 4;
		}
		char v[64];
		assert_true(itws_header((char *)got.data, "content-length", v,
					sizeof(v)));
		assert_string_equal(v, cl);
		assert_string_equal(b, want);
		if (round == 0)
			send_get(&k, path, false);
	}
	raw_close(&k);
	buf_free(&got);

	assert_int_equal(http("GET", path, &resp), 200);
	assert_string_equal(body_of(&resp), want);
	buf_free(&resp);
	buf_free(&alone);
}

/* Connections that go before their feed is built: the answer finds no
 * one and is dropped; the server goes on answering (ASan and valgrind
 * runs see nothing touched after it was freed). */
static void test_feed_closed_before_its_answer(void **state)
{
	(void)state;
	cli.user = "alicia";
	char path[128];
	rotate(path, sizeof(path));
	for (int i = 0; i < 24; i++) {
		struct rawconn c;
		assert_int_equal(raw_connect(&c, h.web_address), 0);
		send_get(&c, path, i % 2 == 0);
		raw_close(&c);
	}
	struct buf resp = {0};
	assert_int_equal(http("GET", path, &resp), 200);
	assert_non_null(strstr(body_of(&resp), "END:VCALENDAR"));
	buf_free(&resp);
}

/* The answers read on a connection, in order: each whole (a 200 of a GET
 * the feed `want`), but the last, which the server may have cut when it
 * closed. `head`: the first request was a HEAD. How many came. */
static unsigned check_answers(const struct buf *resp, const char *want,
			      bool head)
{
	const char *p = (const char *)resp->data;
	const char *end = p + resp->len;
	unsigned n = 0;
	for (; p < end; n++) {
		unsigned st = 0;
		assert_int_equal(sscanf(p, "HTTP/1.%*u %u", &st), 1);
		const char *b = strstr(p, "\r\n\r\n");
		assert_non_null(b);
		b += 4;
		char v[64];
		assert_true(itws_header(p, "content-length", v, sizeof(v)));
		size_t cl = strtoul(v, NULL, 10);
		if (head && n == 0) {
			assert_int_equal(st, 200);
			assert_int_equal(cl, strlen(want));
			p = b;
			continue;
		}
		size_t got = (size_t)(end - b) < cl ? (size_t)(end - b) : cl;
		if (st == 200) {
			assert_int_equal(cl, strlen(want));
			assert_memory_equal(b, want, got);
		}
		p = b + got;
		if (got < cl)
			assert_true(p == end);  /* cut: only the last */
	}
	return n;
}

/* A connection that asks again before its feed is answered or sent
 * (pipelined requests in one write: a HEAD, a GET, a GET of a missing
 * file; the last asks to close), for a small feed and a large one: what
 * comes is whole answers in order (the last may be cut), and the
 * connection closes; never an answer written into what libwebsockets
 * freed when it took the next request (ASan), nor a connection left
 * hanging. The server goes on answering. */
static void test_feed_pipelined(void **state)
{
	(void)state;
	static const char *const users[] = {"alicia", "maribel"};
	static const char *const forms[] = {
		"HEAD %1$s HTTP/1.1\r\nHost: %2$s\r\n\r\n"
		"GET %1$s HTTP/1.1\r\nHost: %2$s\r\nConnection: close"
		"\r\n\r\n",
		"GET %1$s HTTP/1.1\r\nHost: %2$s\r\n\r\n"
		"GET %1$s HTTP/1.1\r\nHost: %2$s\r\nConnection: close"
		"\r\n\r\n",
		"GET %1$s HTTP/1.1\r\nHost: %2$s\r\n\r\n"
		"GET /nothing-here HTTP/1.1\r\nHost: %2$s\r\n"
		"Connection: close\r\n\r\n",
	};
	struct buf resp = {0};
	for (int u = 0; u < 2; u++) {
		cli.user = users[u];
		char path[128];
		rotate(path, sizeof(path));
		assert_int_equal(http("GET", path, &resp), 200);
		char *want = strdup(body_of(&resp));
		assert_non_null(want);
		for (int round = 0; round < 6; round++) {
			char req[1024];
			int n = snprintf(req, sizeof(req), forms[round % 3],
					 path, h.web_address);
			assert_true(n > 0 && (size_t)n < sizeof(req));
			struct rawconn c;
			assert_int_equal(raw_connect(&c, h.web_address), 0);
			assert_int_equal(raw_send(&c, req, (size_t)n), 0);
			/* Never left hanging: the last request closes. */
			assert_true(read_all(c.fd, &resp));
			raw_close(&c);
			unsigned got = check_answers(&resp, want,
						     round % 3 == 0);
			print_message("%s, pipelined form %d: %u answer(s)\n",
				      users[u], round % 3, got);
		}
		/* Asked again as soon as the first answer starts, while its
		 * body may still be going out. */
		for (int round = 0; round < 4; round++) {
			struct rawconn c;
			assert_int_equal(raw_connect(&c, h.web_address), 0);
			send_get(&c, path, false);
			struct pollfd pf = {.fd = c.fd, .events = POLLIN};
			assert_int_equal(poll(&pf, 1, 10000), 1);
			char first[64];
			ssize_t n = recv(c.fd, first, sizeof(first), MSG_PEEK);
			assert_true(n > 0);
			send_get(&c, path, true);
			assert_true(read_all(c.fd, &resp));
			raw_close(&c);
			unsigned got = check_answers(&resp, want, false);
			assert_true(got >= 1);
			print_message("%s, asked again mid-answer: %u answer(s)"
				      "\n", users[u], got);
		}
		assert_int_equal(http("GET", path, &resp), 200);
		assert_string_equal(body_of(&resp), want);
		free(want);
	}
	buf_free(&resp);
}

/* A connection that reads slowly: a small receive buffer and small
 * segments, so that a feed of a few hundred KiB stays mostly in the
 * server until it is read. 0 or -1. */
static int slow_connect(struct rawconn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	unsigned port;
	if (sscanf(h.web_address, "127.0.0.1:%u", &port) != 1)
		return -1;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int small = 2048, mss = 536;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	c->fd = fd;
	return 0;
}

/* The status of the answer starting to arrive on `fd` (10 s at most);
 * its bytes are left unread. */
static unsigned peek_status(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 10000), 1);
	char first[32] = "";
	ssize_t n = recv(fd, first, sizeof(first) - 1, MSG_PEEK);
	assert_true(n > 0);
	first[n] = '\0';
	unsigned st = 0;
	assert_int_equal(sscanf(first, "HTTP/1.%*u %u", &st), 1);
	return st;
}

/*
 * Many connections ask for a large feed and never read it: the server
 * holds at most 32 feeds (waiting, being built, or built and not yet
 * sent), so a hostile client cannot make it hold a feed's text per
 * connection; past that, 503, and once those connections go, feeds are
 * served again.
 */
static void test_unread_feeds_are_bounded(void **state)
{
	(void)state;
	struct client_sync *s = NULL;
	struct client_status st;
	assert_int_equal(harness_login(&h, "maribel", &s, &st), 0);
	char desc[1200];
	long_desc(desc, sizeof(desc), "unread feeds, ");
	struct it_new_task t = {
		.desc = desc, .type_id = it_type_id(s, "Call"),
		.customer_id = it_customer_id(s, "Lucía"),
		.operator_id = it_operator_id(s, "maribel"),
	};
	for (int i = 0; i < 160; i++) {
		uint64_t id;
		t.planned_at = (int64_t)time(NULL) + 2 * 86400 + i * 3600;
		assert_int_equal(it_create_id(s, &t, &id, &st), 0);
	}
	client_sync_close(s);
	cli.user = "maribel";
	char path[128];
	rotate(path, sizeof(path));
	struct buf resp = {0};
	assert_int_equal(http("HEAD", path, &resp), 200);
	char v[64];
	assert_true(itws_header((char *)resp.data, "content-length", v,
				sizeof(v)));
	size_t blen = strtoul(v, NULL, 10);
	assert_true(blen > 256 * 1024);

	enum { N = 40 };
	static struct rawconn c[N];
	unsigned held = 0, busy = 0;
	for (int i = 0; i < N; i++) {
		assert_int_equal(slow_connect(&c[i]), 0);
		send_get(&c[i], path, false);
	}
	/* Every one answered (a 200 starting to arrive, or a 503): none is
	 * waiting or being built any more. */
	for (int i = 0; i < N; i++) {
		unsigned code = peek_status(c[i].fd);
		assert_true(code == 200 || code == 503);
		if (code == 200)
			held++;
		else
			busy++;
	}
	print_message("unread feeds: %u held, %u busy\n", held, busy);
	assert_true(held >= 1);
	assert_true(held <= 32);
	/* The 200s are not read: their feeds are still held, so one more is
	 * refused. */
	assert_int_equal(http("GET", path, &resp), 503);
	for (int i = 0; i < N; i++)
		raw_close(&c[i]);
	/* Gone: their feeds are freed and feeds are served again. */
	int code = 0;
	uint64_t end = time_mono_ms() + 10000;
	while ((code = http("GET", path, &resp)) == 503 &&
	       time_mono_ms() < end)
		usleep(20000);
	assert_int_equal(code, 200);
	assert_int_equal(strlen(body_of(&resp)), blen);
	buf_free(&resp);
}

/* Maribel's feed (over 256 KiB: one fetched whole first, its text
 * returned, to be freed) asked again on a slow connection `c`, which
 * closes after the answer. */
static char *slow_feed(struct rawconn *c)
{
	cli.user = "maribel";
	char path[128];
	rotate(path, sizeof(path));
	struct buf resp = {0};
	assert_int_equal(http("GET", path, &resp), 200);
	char *want = strdup(body_of(&resp));
	assert_non_null(want);
	assert_true(strlen(want) > 256 * 1024);
	buf_free(&resp);
	assert_int_equal(slow_connect(c), 0);
	send_get(c, path, true);
	return want;
}

/*
 * A calendar application on a slow link: it reads the feed steadily but
 * slowly, for longer than libwebsockets' 10 s timeout in all. It gets the
 * whole feed (a connection is dropped only once it stops reading).
 */
static void test_slow_reader_gets_the_whole_feed(void **state)
{
	(void)state;
	struct buf resp = {0};
	struct rawconn c;
	char *want = slow_feed(&c);
	uint64_t start = time_mono_ms();
	for (;;) {
		struct pollfd p = {.fd = c.fd, .events = POLLIN};
		assert_int_equal(poll(&p, 1, 15000), 1);
		assert_int_equal(buf_reserve(&resp, 6001), 0);
		ssize_t n = recv(c.fd, resp.data + resp.len, 6000, 0);
		if (n <= 0)
			break;
		resp.len += (size_t)n;
		usleep(100000);  /* about 25 KiB/s through the small buffer */
	}
	raw_close(&c);
	resp.data[resp.len] = '\0';
	print_message("slow reader: %zu bytes in %llu ms\n", resp.len,
		      (unsigned long long)(time_mono_ms() - start));
	unsigned st = 0;
	assert_int_equal(sscanf((char *)resp.data, "HTTP/1.%*u %u", &st), 1);
	assert_int_equal(st, 200);
	assert_string_equal(body_of(&resp), want);
	free(want);
	buf_free(&resp);
}

/*
 * SIGTERM while a feed is being sent (to a connection that reads slowly):
 * the answer goes out whole before the listener closes, rather than being
 * cut once the last session is gone; the server exits cleanly.
 */
static void test_feed_sent_whole_at_shutdown(void **state)
{
	(void)state;
	struct buf resp = {0};
	struct rawconn c;
	char *want = slow_feed(&c);
	assert_int_equal(peek_status(c.fd), 200);
	harness_terminate(&h);
	assert_true(read_all(c.fd, &resp));
	raw_close(&c);
	unsigned st = 0;
	assert_int_equal(sscanf((char *)resp.data, "HTTP/1.%*u %u", &st), 1);
	assert_int_equal(st, 200);
	assert_string_equal(body_of(&resp), want);
	assert_int_equal(harness_wait(&h, 20000), 0);
	assert_int_equal(harness_start(&h), 0);
	free(want);
	buf_free(&resp);
}

/* A server that knows no web address (here: no web listener at all):
 * the path alone, and what to put before it. */
static struct harness bare;

static void test_no_web_address(void **state)
{
	(void)state;
	assert_int_equal(harness_start(&bare), 0);
	cli.h = &bare;
	cli.user = "valentina";
	int rc = run("agenda", "feed", "--rotate");
	cli.h = &h;
	assert_int_equal(rc, 0);
	assert_memory_equal(out, "/feed/", 6);
	assert_int_equal(strlen(out), 6 + 43 + 4 + 1);  /* and a newline */
	itcli_expect_err(&cli, "--web-public-url");
}

int main(void)
{
	h.web = true;
	h.extra[0] = "--web-public-url";
	h.extra[1] = PUBLIC;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_over_http),
		cmocka_unit_test(test_bad_secrets_are_404),
		cmocka_unit_test(test_agenda_export),
		cmocka_unit_test(test_large_feed),
		cmocka_unit_test(test_rotation_and_deactivation),
		cmocka_unit_test(test_many_feeds_at_once),
		cmocka_unit_test(test_feed_closed_before_its_answer),
		cmocka_unit_test(test_feed_pipelined),
		cmocka_unit_test(test_unread_feeds_are_bounded),
		cmocka_unit_test(test_slow_reader_gets_the_whole_feed),
		cmocka_unit_test(test_feed_sent_whole_at_shutdown),
		cmocka_unit_test(test_no_web_address),
	};
	return harness_run_group(tests, &h, &bare);
}
