/*
 * A terminal that stops reading is dropped once its queued output passes
 * the bound (--max-output), instead of growing the server's memory; the
 * writer and the other terminals go on as if nothing happened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "harness.h"
#include "ittools.h"
#include "live.h"
#include "rawconn.h"
#include "status.h"
#include "timeutil.h"

#define WRITES_MAX 4000
#define DESC_LEN 3000

static bool log_says(const struct harness *h, const char *needle)
{
	FILE *f = fopen(h->log, "r");
	if (!f)
		return false;
	char line[1024];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* Logs in over a raw socket, subscribes to the board, then never reads. */
static void freeze_a_terminal(struct rawconn *rc, const struct harness *h)
{
	assert_int_equal(raw_connect(rc, h->address), 0);
	assert_true(raw_login(rc, "maribel", HARNESS_PASSWORD));
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	Clubcrm__Subscribe s = CLUBCRM__SUBSCRIBE__INIT;
	s.has_sub_id = 1;
	s.sub_id = 1;
	s.view = &v;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	it_frame(&f, CLUBCRM__FRAME__BODY_SUBSCRIBE, &s);
	f.has_request_id = 1;
	f.request_id = 50;
	struct buf out = {0};
	raw_put_frame(&out, &f);
	assert_int_equal(raw_send(rc, out.data, out.len), 0);
	buf_free(&out);
}

struct live_terminal {
	uv_loop_t loop;
	struct live *live;
	struct live_sub *board;
	bool closed;
};

static void on_closed(struct live *l, void *ud)
{
	(void)l;
	((struct live_terminal *)ud)->closed = true;
}

static void test_frozen_terminal_is_dropped_others_go_on(void **state)
{
	(void)state;
	struct harness h = {.extra = {"--max-output", "262144"}};
	assert_int_equal(harness_start(&h), 0);

	/* A healthy terminal on a loop of ours, pumped between writes. */
	struct live_terminal t = {0};
	assert_int_equal(uv_loop_init(&t.loop), 0);
	struct client_config cfg = {.address = h.address, .login = "alicia",
				    .password = HARNESS_PASSWORD};
	struct live_callbacks cbs = {.on_closed = on_closed};
	assert_int_equal(live_new(&t.loop, &cfg, &cbs, &t, &t.live), 0);
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	assert_int_equal(live_subscribe(t.live, &v, NULL, NULL, &t.board), 0);
	assert_int_equal(live_start(t.live), 0);

	struct rawconn frozen;
	freeze_a_terminal(&frozen, &h);

	struct client_sync *w;
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &w, &st), STATUS_OK);
	char *desc = malloc(DESC_LEN + 1);
	memset(desc, 'x', DESC_LEN);
	desc[DESC_LEN] = '\0';
	struct it_new_task nt = {
		.desc = desc, .type_id = it_type_id(w, "Call"),
		.customer_id = it_customer_id(w, "Manolo"),
		.planned_at = time_now() + 86400,
	};
	size_t before = 0;
	int writes = 0;
	while (writes < WRITES_MAX && !log_says(&h, "maribel): dropped")) {
		uint64_t id;
		for (int i = 0; i < 50; i++, writes++) {
			assert_int_equal(it_create_id(w, &nt, &id, &st), STATUS_OK);
			/* The healthy terminal reads as a real one would. */
			for (int j = 0; j < 4; j++)
				uv_run(&t.loop, UV_RUN_NOWAIT);
		}
		if (!before)
			before = replica_count(live_sub_replica(t.board));
	}
	assert_true(log_says(&h, "maribel): dropped"));
	assert_false(log_says(&h, "alicia): dropped"));
	/* The frozen terminal finds its connection closed when it reads. */
	bool closed = raw_wait_closed(&frozen, 10000, NULL);
	if (!closed)
		harness_dump_log(&h);
	assert_true(closed);
	raw_close(&frozen);

	/* The healthy terminal got every task, the writer every answer. */
	uint64_t end = time_mono_ms() + 10000;
	size_t want = before + (size_t)writes - 50;
	while (replica_count(live_sub_replica(t.board)) < want &&
	       time_mono_ms() < end) {
		uv_run(&t.loop, UV_RUN_NOWAIT);
		uv_sleep(1);
	}
	assert_true(replica_count(live_sub_replica(t.board)) >= want);

	free(desc);
	client_sync_close(w);
	live_close(t.live);
	while (!t.closed)
		uv_run(&t.loop, UV_RUN_ONCE);
	assert_int_equal(uv_loop_close(&t.loop), 0);
	harness_cleanup(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frozen_terminal_is_dropped_others_go_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
