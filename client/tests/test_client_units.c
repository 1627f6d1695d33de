/* The client library's pure parts: address parsing, the request table,
 * snapshot chunks read by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client_addr.h"
#include "client_reqtab.h"
#include "snapshot_chunk.h"
#include "taskrow.h"

static void test_addr_forms(void **state)
{
	struct client_addr a;
	assert_int_equal(client_addr_parse("127.0.0.1:7411", &a), 0);
	assert_false(a.is_unix);
	assert_string_equal(a.host, "127.0.0.1");
	assert_string_equal(a.port, "7411");
	assert_int_equal(client_addr_parse("crm.example.org:1", &a), 0);
	assert_string_equal(a.host, "crm.example.org");
	assert_int_equal(client_addr_parse("[::1]:65535", &a), 0);
	assert_string_equal(a.host, "::1");
	assert_string_equal(a.port, "65535");
	assert_int_equal(client_addr_parse("unix:/run/clubcrm.sock", &a), 0);
	assert_true(a.is_unix);
	assert_false(a.tls);
	assert_string_equal(a.path, "/run/clubcrm.sock");
	assert_int_equal(client_addr_parse("tls:crm.example.org:7411", &a), 0);
	assert_true(a.tls);
	assert_false(a.is_unix);
	assert_string_equal(a.host, "crm.example.org");
	assert_string_equal(a.port, "7411");
	assert_int_equal(client_addr_parse("tls:[::1]:7411", &a), 0);
	assert_true(a.tls);
	assert_string_equal(a.host, "::1");
	assert_int_equal(client_addr_parse("127.0.0.1:7411", &a), 0);
	assert_false(a.tls);
}

static void test_addr_rejects(void **state)
{
	static const char *const bad[] = {
		"", "host", "host:", ":7411", "host:0", "host:65536",
		"host:12x", "host:123456", "::1:7411", "[::1]7411", "[::1:7411",
		"unix:", "a b:1", "host:-1", "tls:", "tls:host",
		"tls:unix:/run/clubcrm.sock", "tls:tls:host:1",
	};
	struct client_addr a;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(client_addr_parse(bad[i], &a), -EINVAL);
	char path[200] = "unix:/";
	memset(path + 6, 'p', 150);
	path[156] = '\0';
	assert_int_equal(client_addr_parse(path, &a), -EINVAL);
	assert_int_equal(client_addr_parse(NULL, &a), -EINVAL);
}

static void cb(struct client *c, struct client_reply *r, void *arg)
{
}

static void test_reqtab_many(void **state)
{
	struct client_reqtab t;
	client_reqtab_init(&t);
	assert_null(client_reqtab_take(&t, 1));
	enum { N = 5000 };
	for (uint64_t id = 1; id <= N; id++)
		assert_int_equal(client_reqtab_add(&t, id, cb,
						   (void *)(uintptr_t)id), 0);
	assert_int_equal(t.count, N);
	/* Out of order, every one found once. */
	for (uint64_t id = N; id >= 1; id -= 2) {
		struct client_req *r = client_reqtab_take(&t, id);
		assert_non_null(r);
		assert_int_equal(r->id, id);
		assert_ptr_equal(r->arg, (void *)(uintptr_t)id);
		free(r);
		assert_null(client_reqtab_take(&t, id));
	}
	assert_int_equal(t.count, N / 2);
	size_t drained = 0;
	struct client_req *r;
	while ((r = client_reqtab_take_any(&t))) {
		assert_int_equal(r->id % 2, 1);
		free(r);
		drained++;
	}
	assert_int_equal(drained, N / 2);
	client_reqtab_free(&t);
}

static void test_reqtab_free_with_entries(void **state)
{
	struct client_reqtab t;
	client_reqtab_init(&t);
	for (uint64_t id = 1; id <= 40; id++)
		assert_int_equal(client_reqtab_add(&t, id, cb, NULL), 0);
	client_reqtab_free(&t);  /* frees the rest (cmocka checks leaks) */
	assert_int_equal(t.count, 0);
}

/* A Frame holding a SnapshotChunk for sub 3 with rows of tasks 11 and 12
 * (and whatever `extra` sets), packed into buf; its length. */
static size_t chunk_frame(uint8_t *buf, size_t size, bool catalog,
			  bool request_id)
{
	Clubcrm__Task t[2] = {CLUBCRM__TASK__INIT, CLUBCRM__TASK__INIT};
	Clubcrm__TaskRow r[2] = {CLUBCRM__TASK_ROW__INIT, CLUBCRM__TASK_ROW__INIT};
	Clubcrm__TaskRow *rows[2] = {&r[0], &r[1]};
	for (int i = 0; i < 2; i++) {
		t[i].has_id = true;
		t[i].id = 11 + (uint64_t)i;
		t[i].description = "call back";
		r[i].task = &t[i];
		r[i].customer_name = "Arantxa";
	}
	Clubcrm__Catalog cat = CLUBCRM__CATALOG__INIT;
	Clubcrm__SnapshotChunk ch = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	ch.has_sub_id = true;
	ch.sub_id = 3;
	ch.rows = rows;
	ch.n_rows = 2;
	if (catalog)
		ch.catalog = &cat;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = request_id;
	f.request_id = 9;
	f.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK;
	f.snapshot_chunk = &ch;
	size_t n = clubcrm__frame__get_packed_size(&f);
	assert_true(n <= size);
	return clubcrm__frame__pack(&f, buf);
}

/* The plain shape is taken whole; any other shape, or a row that does not
 * decode, is left to protobuf-c (nothing kept). */
static void test_snapshot_chunk_shapes(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t n = chunk_frame(buf, sizeof(buf), false, false);
	struct snapshot_chunk ch;
	assert_true(snapshot_chunk_parse(buf, n, &ch));
	assert_int_equal(ch.sub_id, 3);
	assert_int_equal(ch.n_rows, 2);
	Clubcrm__TaskRow *rows[2];
	assert_true(snapshot_chunk_rows(&ch, rows));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rows[i]->task->id, 11 + i);
		assert_string_equal(rows[i]->customer_name, "Arantxa");
		assert_string_equal(rows[i]->task->description, "call back");
		taskrow_free(rows[i]);
	}
	/* Cut short anywhere, or one byte more: not this shape. */
	for (size_t cut = 0; cut < n; cut++)
		assert_false(snapshot_chunk_parse(buf, cut, &ch));
	buf[n] = 0;
	assert_false(snapshot_chunk_parse(buf, n + 1, &ch));
	/* A catalogue in the chunk, a request id in the frame: not taken. */
	n = chunk_frame(buf, sizeof(buf), true, false);
	assert_false(snapshot_chunk_parse(buf, n, &ch));
	n = chunk_frame(buf, sizeof(buf), false, true);
	assert_false(snapshot_chunk_parse(buf, n, &ch));
	/* A row whose string runs past its end: parsed (the chunk's shape
	 * holds), but no row is kept. */
	n = chunk_frame(buf, sizeof(buf), false, false);
	static const uint8_t bad[] = {0x12, 0x03, 0x12, 0x05, 'a'};
	memcpy(buf + n, bad, sizeof(bad));
	n += sizeof(bad);
	/* The frame's length of its chunk field grows by the bad row's
	 * bytes (one length byte: the chunk is under 128 bytes). */
	uint8_t frame[600];
	size_t hdr = 3, chunk_len = n - hdr;
	assert_int_equal(buf[2], chunk_len - sizeof(bad));
	assert_true(chunk_len < 0x80);
	memcpy(frame, buf, n);
	frame[2] = (uint8_t)chunk_len;
	assert_true(snapshot_chunk_parse(frame, hdr + chunk_len, &ch));
	assert_int_equal(ch.n_rows, 3);
	Clubcrm__TaskRow *three[3] = {NULL, NULL, NULL};
	assert_false(snapshot_chunk_rows(&ch, three));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_forms),
		cmocka_unit_test(test_addr_rejects),
		cmocka_unit_test(test_reqtab_many),
		cmocka_unit_test(test_reqtab_free_with_entries),
		cmocka_unit_test(test_snapshot_chunk_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
