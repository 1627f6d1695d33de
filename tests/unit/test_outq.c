/*
 * The transports' output queue (server/net/outq.c) on its own: pushes
 * that take a buffer's memory and grow the array, the byte count through
 * push, append, take and clear, appends coalesced into the last buffer up
 * to OUTQ_COALESCE_MAX, takes in pieces across buffers, the room taken
 * buffers leave at the front reused before the array grows, and every
 * buffer handed back exactly once (ASan checks the frees).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "outq.h"

/* The done callback's record: what came back, in order. */
struct done {
	unsigned calls;
	struct buf got;         /* the returned buffers' bytes, concatenated */
};

static void on_done(void *ctx, struct buf *b)
{
	struct done *d = ctx;
	d->calls++;
	assert_int_equal(buf_append(&d->got, b->data, b->len), 0);
	buf_free(b);
}

/* A buffer of `len` bytes, each (first + i) & 0xff. */
static struct buf filled(size_t len, unsigned first)
{
	struct buf b = {0};
	assert_int_equal(buf_reserve(&b, len), 0);
	for (size_t i = 0; i < len; i++)
		b.data[i] = (uint8_t)(first + i);
	b.len = len;
	return b;
}

static void test_push_grows_and_counts(void **state)
{
	(void)state;
	struct outq q = {0};
	assert_true(outq_empty(&q));
	size_t total = 0;
	for (unsigned i = 0; i < 20; i++) {
		struct buf b = filled(10 + i, i);
		assert_int_equal(outq_push(&q, &b), 0);
		/* The queue took the memory. */
		assert_null(b.data);
		assert_int_equal(b.len, 0);
		total += 10 + i;
		assert_int_equal(q.bytes, total);
		assert_int_equal(q.n, i + 1);
	}
	assert_false(outq_empty(&q));
	/* 8, doubled twice. */
	assert_int_equal(q.cap, 32);
	for (unsigned i = 0; i < 20; i++) {
		assert_int_equal(q.v[i].len, 10 + i);
		assert_int_equal(q.v[i].data[0], (uint8_t)i);
	}
	outq_free(&q);
	assert_null(q.v);
	assert_int_equal(q.n, 0);
	assert_int_equal(q.bytes, 0);
	/* Reusable after the free. */
	struct buf b = filled(3, 0);
	assert_int_equal(outq_push(&q, &b), 0);
	assert_int_equal(q.bytes, 3);
	outq_free(&q);
}

static void test_append_coalesces(void **state)
{
	(void)state;
	struct outq q = {0};
	/* Small pieces share one buffer of at least OUTQ_COALESCE_MIN. */
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(outq_append(&q, "ab", 2, "cde", 3), 0);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.bytes, 500);
	assert_int_equal(q.v[0].len, 500);
	assert_true(q.v[0].cap >= OUTQ_COALESCE_MIN);
	assert_memory_equal(q.v[0].data, "abcdeabcde", 10);
	/* Head or body alone. */
	assert_int_equal(outq_append(&q, "xy", 2, NULL, 0), 0);
	assert_int_equal(outq_append(&q, NULL, 0, "z", 1), 0);
	assert_int_equal(q.n, 1);
	assert_memory_equal(q.v[0].data + 500, "xyz", 3);
	assert_int_equal(q.bytes, 503);

	/* A piece that would take the last buffer past OUTQ_COALESCE_MAX
	 * (and does not fit its room) starts a new one of its size. */
	size_t big = OUTQ_COALESCE_MAX;
	uint8_t *body = malloc(big);
	assert_non_null(body);
	memset(body, 0x5a, big);
	assert_int_equal(outq_append(&q, "h", 1, body, big - 1), 0);
	assert_int_equal(q.n, 2);
	assert_int_equal(q.v[1].len, big);
	assert_int_equal(q.v[1].data[0], 'h');
	assert_int_equal(q.v[1].data[big - 1], 0x5a);
	assert_int_equal(q.bytes, 503 + big);
	/* That one is full: the next small piece goes to a third. */
	assert_int_equal(outq_append(&q, "q", 1, NULL, 0), 0);
	assert_int_equal(q.n, 3);
	assert_int_equal(q.v[2].len, 1);
	free(body);

	/* A pushed buffer is the tail afterwards: appends go after it. */
	struct buf b = filled(4, 1);
	assert_int_equal(outq_push(&q, &b), 0);
	assert_int_equal(outq_append(&q, "!", 1, NULL, 0), 0);
	assert_int_equal(q.n, 4);
	assert_int_equal(q.v[3].len, 5);
	assert_int_equal(q.v[3].data[4], '!');
	assert_int_equal(q.bytes, 503 + big + 1 + 5);
	outq_free(&q);
}

static void test_take_in_pieces(void **state)
{
	(void)state;
	struct outq q = {0};
	struct done d = {0};
	struct buf expect = {0};
	for (unsigned i = 0; i < 3; i++) {
		struct buf b = filled(100, 50 * i);
		assert_int_equal(buf_append(&expect, b.data, b.len), 0);
		assert_int_equal(outq_push(&q, &b), 0);
	}
	uint8_t out[300];
	/* 70 of the first: nothing handed back yet. */
	assert_int_equal(outq_take(&q, out, 70, on_done, &d), 70);
	assert_int_equal(d.calls, 0);
	assert_int_equal(q.bytes, 230);
	assert_int_equal(q.head, 0);
	assert_int_equal(q.off, 70);
	/* Across the first two: the first comes back. */
	assert_int_equal(outq_take(&q, out + 70, 100, on_done, &d), 100);
	assert_int_equal(d.calls, 1);
	assert_int_equal(q.head, 1);
	assert_int_equal(q.off, 70);
	assert_int_equal(q.bytes, 130);
	/* More room than is queued: all of it, every buffer back, and the
	 * queue starts over at the front. */
	assert_int_equal(outq_take(&q, out + 170, 1000, on_done, &d), 130);
	assert_int_equal(d.calls, 3);
	assert_true(outq_empty(&q));
	assert_int_equal(q.head, 0);
	assert_int_equal(q.n, 0);
	assert_int_equal(q.off, 0);
	assert_int_equal(q.bytes, 0);
	assert_memory_equal(out, expect.data, 300);
	assert_memory_equal(d.got.data, expect.data, 300);
	/* Nothing queued: nothing taken. */
	assert_int_equal(outq_take(&q, out, sizeof(out), on_done, &d), 0);
	assert_int_equal(d.calls, 3);
	outq_free(&q);
	buf_free(&d.got);
	buf_free(&expect);
}

static void test_front_room_reused(void **state)
{
	(void)state;
	struct outq q = {0};
	struct done d = {0};
	for (unsigned i = 0; i < 8; i++) {
		struct buf b = filled(1, i);
		assert_int_equal(outq_push(&q, &b), 0);
	}
	assert_int_equal(q.cap, 8);
	uint8_t out[3];
	assert_int_equal(outq_take(&q, out, 3, on_done, &d), 3);
	assert_int_equal(q.head, 3);
	/* Full at the back, room at the front: moved down, not grown. */
	struct buf b = filled(1, 8);
	assert_int_equal(outq_push(&q, &b), 0);
	assert_int_equal(q.cap, 8);
	assert_int_equal(q.head, 0);
	assert_int_equal(q.n, 6);
	assert_int_equal(q.bytes, 6);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(q.v[i].data[0], 3 + i);
	/* Appends go to the (moved) tail, which has room. */
	assert_int_equal(outq_append(&q, "x", 1, NULL, 0), 0);
	assert_int_equal(q.n, 6);
	assert_int_equal(q.v[5].len, 2);
	assert_int_equal(q.v[5].data[1], 'x');
	assert_int_equal(q.bytes, 7);
	outq_free(&q);
	buf_free(&d.got);
}

static void test_clear_hands_back_all(void **state)
{
	(void)state;
	struct outq q = {0};
	struct done d = {0};
	for (unsigned i = 0; i < 4; i++) {
		struct buf b = filled(10, 10 * i);
		assert_int_equal(outq_push(&q, &b), 0);
	}
	uint8_t out[15];
	assert_int_equal(outq_take(&q, out, 15, on_done, &d), 15);
	assert_int_equal(d.calls, 1);
	/* The partly taken one comes back whole, with the rest. */
	outq_clear(&q, on_done, &d);
	assert_int_equal(d.calls, 4);
	assert_int_equal(d.got.len, 40);
	assert_true(outq_empty(&q));
	assert_int_equal(q.bytes, 0);
	assert_int_equal(q.off, 0);
	/* The array is kept for reuse. */
	assert_non_null(q.v);
	assert_int_equal(q.cap, 8);
	struct buf b = filled(2, 0);
	assert_int_equal(outq_push(&q, &b), 0);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.bytes, 2);
	/* Clearing an empty queue hands back nothing. */
	outq_clear(&q, on_done, &d);
	assert_int_equal(d.calls, 5);
	outq_clear(&q, on_done, &d);
	assert_int_equal(d.calls, 5);
	outq_free(&q);
	buf_free(&d.got);
}

static void test_free_after_take(void **state)
{
	(void)state;
	struct outq q = {0};
	struct done d = {0};
	for (unsigned i = 0; i < 5; i++) {
		struct buf b = filled(8, i);
		assert_int_equal(outq_push(&q, &b), 0);
	}
	uint8_t out[20];
	assert_int_equal(outq_take(&q, out, 20, on_done, &d), 20);
	assert_int_equal(d.calls, 2);
	/* Frees only what is still queued (those handed back are the
	 * callee's): ASan tells a double free or a leak. */
	outq_free(&q);
	assert_null(q.v);
	assert_int_equal(q.head, 0);
	assert_int_equal(q.n, 0);
	assert_int_equal(q.cap, 0);
	assert_int_equal(q.bytes, 0);
	buf_free(&d.got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_grows_and_counts),
		cmocka_unit_test(test_append_coalesces),
		cmocka_unit_test(test_take_in_pieces),
		cmocka_unit_test(test_front_room_reused),
		cmocka_unit_test(test_clear_hands_back_all),
		cmocka_unit_test(test_free_after_take),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
