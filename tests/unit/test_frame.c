/* Frame codec: preface, reassembly and hostile lengths. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"

struct collected {
	int count;
	uint64_t ids[64];
	int stop_after;  /* return -ECANCELED after this many frames, 0: never */
};

static int collect(void *ctx, const uint8_t *payload, size_t len)
{
	struct collected *c = ctx;
	Clubcrm__Frame *f = frame_decode(payload, len, NULL);
	assert_non_null(f);
	assert_true(c->count < 64);
	c->ids[c->count++] = f->request_id;
	clubcrm__frame__free_unpacked(f, NULL);
	if (c->stop_after && c->count == c->stop_after)
		return -ECANCELED;
	return 0;
}

/* Encodes a Ping frame with the given request id and nonce. */
static void encode_ping(struct buf *out, uint64_t id, uint64_t nonce)
{
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	ping.has_nonce = 1;
	ping.nonce = nonce;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.request_id = id;
	f.has_request_id = 1;
	f.body_case = CLUBCRM__FRAME__BODY_PING;
	f.ping = &ping;
	assert_int_equal(frame_encode(&f, out), 0);
}

static void test_preface_roundtrip(void **state)
{
	(void)state;
	uint8_t p[FRAME_PREFACE_LEN];
	uint16_t major = 0, minor = 9;
	frame_preface_write(p);
	assert_int_equal(frame_preface_parse(p, &major, &minor), 0);
	assert_int_equal(major, FRAME_PROTOCOL_MAJOR);
	assert_int_equal(minor, FRAME_PROTOCOL_MINOR);
}

static void test_preface_bad_magic(void **state)
{
	(void)state;
	uint8_t p[FRAME_PREFACE_LEN];
	uint16_t major, minor;
	frame_preface_write(p);
	p[0] = 'X';
	assert_int_equal(frame_preface_parse(p, &major, &minor), -EPROTO);
	memcpy(p, "GET / HTTP/1.1", FRAME_PREFACE_LEN);
	assert_int_equal(frame_preface_parse(p, &major, &minor), -EPROTO);
}

static void test_one_frame(void **state)
{
	(void)state;
	struct buf b = {0};
	struct collected c = {0};
	struct frame_reader r;
	encode_ping(&b, 7, 42);
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, b.data, b.len, collect, &c), 0);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.ids[0], 7);
	assert_int_equal(frame_reader_pending(&r), 0);
	frame_reader_free(&r);
	buf_free(&b);
}

static void test_many_frames_one_read(void **state)
{
	(void)state;
	struct buf b = {0};
	struct collected c = {0};
	struct frame_reader r;
	for (uint64_t i = 1; i <= 50; i++)
		encode_ping(&b, i, i * 3);
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, b.data, b.len, collect, &c), 0);
	assert_int_equal(c.count, 50);
	for (int i = 0; i < 50; i++)
		assert_int_equal(c.ids[i], (uint64_t)i + 1);
	assert_int_equal(frame_reader_pending(&r), 0);
	frame_reader_free(&r);
	buf_free(&b);
}

/* Every split point, byte by byte and in uneven chunks. */
static void test_split_across_reads(void **state)
{
	(void)state;
	struct buf b = {0};
	for (uint64_t i = 1; i <= 5; i++)
		encode_ping(&b, i, UINT64_MAX - i);
	for (size_t chunk = 1; chunk <= b.len; chunk++) {
		struct collected c = {0};
		struct frame_reader r;
		frame_reader_init(&r, FRAME_MAX_PRELOGIN);
		for (size_t off = 0; off < b.len; off += chunk) {
			size_t n = b.len - off < chunk ? b.len - off : chunk;
			assert_int_equal(frame_reader_feed(&r, b.data + off, n,
							   collect, &c), 0);
		}
		assert_int_equal(c.count, 5);
		for (int i = 0; i < 5; i++)
			assert_int_equal(c.ids[i], (uint64_t)i + 1);
		assert_int_equal(frame_reader_pending(&r), 0);
		frame_reader_free(&r);
	}
	buf_free(&b);
}

static void test_truncated_frame_is_held(void **state)
{
	(void)state;
	struct buf b = {0};
	struct collected c = {0};
	struct frame_reader r;
	encode_ping(&b, 3, 3);
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, b.data, b.len - 1, collect, &c), 0);
	assert_int_equal(c.count, 0);
	assert_int_equal(frame_reader_pending(&r), b.len - 1);
	/* The peer goes away: freeing the reader releases the partial frame. */
	frame_reader_free(&r);
	assert_int_equal(frame_reader_pending(&r), 0);
	buf_free(&b);
}

static void test_zero_length_rejected(void **state)
{
	(void)state;
	const uint8_t zero[4] = {0, 0, 0, 0};
	struct collected c = {0};
	struct frame_reader r;
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, zero, sizeof(zero), collect, &c),
			 -EMSGSIZE);
	assert_int_equal(c.count, 0);
	frame_reader_free(&r);
}

static void test_over_limit_rejected_before_allocation(void **state)
{
	(void)state;
	/* 4 GiB - 1 announced: must be refused from the header alone. */
	const uint8_t huge[4] = {0xff, 0xff, 0xff, 0xff};
	const uint8_t just_over[4] = {0, 0, 0x20, 0x01};  /* 8193 */
	struct collected c = {0};
	struct frame_reader r;
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, huge, 4, collect, &c), -EMSGSIZE);
	frame_reader_free(&r);
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, just_over, 4, collect, &c),
			 -EMSGSIZE);
	frame_reader_free(&r);
	/* The same header split in two reads is caught as well. */
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, huge, 2, collect, &c), 0);
	assert_int_equal(frame_reader_feed(&r, huge + 2, 2, collect, &c),
			 -EMSGSIZE);
	frame_reader_free(&r);
	assert_int_equal(c.count, 0);
}

static void test_limit_raised_after_login(void **state)
{
	(void)state;
	const uint8_t big[4] = {0, 0x01, 0, 0};  /* 64 KiB */
	struct collected c = {0};
	struct frame_reader r;
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	r.max_frame = FRAME_MAX_DEFAULT;
	assert_int_equal(frame_reader_feed(&r, big, 4, collect, &c), 0);
	assert_int_equal(frame_reader_pending(&r), 4);
	frame_reader_free(&r);
}

static void test_good_frames_then_garbage(void **state)
{
	(void)state;
	struct buf b = {0};
	struct collected c = {0};
	struct frame_reader r;
	encode_ping(&b, 1, 1);
	encode_ping(&b, 2, 2);
	const uint8_t zero[4] = {0};
	assert_int_equal(buf_append(&b, zero, 4), 0);
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, b.data, b.len, collect, &c),
			 -EMSGSIZE);
	assert_int_equal(c.count, 2);
	frame_reader_free(&r);
	buf_free(&b);
}

static void test_callback_stops_feed(void **state)
{
	(void)state;
	struct buf b = {0};
	struct collected c = {.stop_after = 2};
	struct frame_reader r;
	for (uint64_t i = 1; i <= 4; i++)
		encode_ping(&b, i, i);
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, b.data, b.len, collect, &c),
			 -ECANCELED);
	assert_int_equal(c.count, 2);
	frame_reader_free(&r);
	buf_free(&b);
}

/*
 * A caller that stops the feed keeps the bytes after the frame that stopped
 * it: frame_reader_feed_some() says where that frame ended, also when it was
 * completed from the reader's own buffer (its start came in an earlier
 * feed), so the caller needs nothing of the reader's internals.
 */
static void test_feed_some_tells_what_was_used(void **state)
{
	(void)state;
	struct buf b = {0};
	encode_ping(&b, 1, 1);
	size_t one = b.len;
	for (uint64_t i = 2; i <= 4; i++)
		encode_ping(&b, i, i);
	struct frame_reader r;
	size_t used = 99;
	/* Stopped at the second frame, both whole in the buffer. */
	struct collected c = {.stop_after = 2};
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed_some(&r, b.data, b.len, collect, &c,
						&used), -ECANCELED);
	assert_int_equal(used, 2 * one);
	frame_reader_free(&r);
	/* The first frame split: 3 bytes, then the rest, stopped at it. */
	struct collected c2 = {.stop_after = 1};
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed_some(&r, b.data, 3, collect, &c2,
						&used), 0);
	assert_int_equal(used, 3);
	assert_int_equal(frame_reader_feed_some(&r, b.data + 3, b.len - 3,
						collect, &c2, &used),
			 -ECANCELED);
	assert_int_equal(used, one - 3);
	assert_int_equal(c2.count, 1);
	/* The rest fed again: frames 2 to 4, all used. */
	c2.stop_after = 0;
	assert_int_equal(frame_reader_feed_some(&r, b.data + one, b.len - one,
						collect, &c2, &used), 0);
	assert_int_equal(used, b.len - one);
	assert_int_equal(c2.count, 4);
	assert_int_equal(c2.ids[3], 4);
	frame_reader_free(&r);
	buf_free(&b);
}

/* The refused length is told, whether its prefix came whole or split. */
static void test_refused_length_told(void **state)
{
	(void)state;
	const uint8_t zero[4] = {0, 0, 0, 0};
	const uint8_t just_over[4] = {0, 0, 0x20, 0x01};  /* 8193 */
	struct collected c = {0};
	struct frame_reader r;
	size_t used;
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed_some(&r, just_over, 4, collect, &c,
						&used), -EMSGSIZE);
	assert_int_equal(frame_reader_refused_len(&r), 8193);
	frame_reader_free(&r);
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, just_over, 1, collect, &c), 0);
	assert_int_equal(frame_reader_feed(&r, just_over + 1, 3, collect, &c),
			 -EMSGSIZE);
	assert_int_equal(frame_reader_refused_len(&r), 8193);
	frame_reader_free(&r);
	frame_reader_init(&r, FRAME_MAX_PRELOGIN);
	assert_int_equal(frame_reader_feed(&r, zero, 4, collect, &c),
			 -EMSGSIZE);
	assert_int_equal(frame_reader_refused_len(&r), 0);
	frame_reader_free(&r);
}

static void test_garbage_payload_does_not_decode(void **state)
{
	(void)state;
	/* A field with wire type 7 (invalid) and a length running past the end. */
	const uint8_t bad1[] = {0x0f, 0x01};
	const uint8_t bad2[] = {0x52, 0x7f, 0x01};
	assert_null(frame_decode(bad1, sizeof(bad1), NULL));
	assert_null(frame_decode(bad2, sizeof(bad2), NULL));
	assert_null(frame_decode(bad1, 0, NULL));
}

#define CHUNK CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK

static void test_frame_built_in_place(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 5, 127, 128, 16383, 16384, 300000,
				       (2u << 20) - 1, 2u << 20, 3u << 20};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct buf body = {0}, want = {0}, got = {0};
		assert_int_equal(buf_append(&want, "earlier", 7), 0);
		assert_int_equal(buf_append(&got, "earlier", 7), 0);
		assert_int_equal(buf_reserve(&body, sizes[i] + 1), 0);
		for (size_t k = 0; k < sizes[i]; k++)
			body.data[k] = (uint8_t)(k * 31 + i);
		body.len = sizes[i];
		assert_int_equal(frame_push(&want, CHUNK,
						 &body), 0);
		size_t mark;
		assert_int_equal(frame_push_open(&got, CHUNK,
						      64, &mark), 0);
		assert_int_equal(mark, 7);
		assert_int_equal(frame_push_body(&got, CHUNK,
						      mark), 0);
		assert_int_equal(buf_append(&got, body.data, body.len), 0);
		assert_int_equal(frame_push_body(&got, CHUNK,
						      mark), sizes[i]);
		assert_int_equal(frame_push_close(&got, CHUNK,
						       mark), 0);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.data, want.data, want.len);
		buf_free(&body);
		buf_free(&want);
		buf_free(&got);
	}
	/* A hint past any size is refused before anything is written. */
	struct buf b = {0};
	size_t mark = 99;
	assert_int_equal(frame_push_open(&b, 1, SIZE_MAX, &mark),
			 -EMSGSIZE);
	assert_int_equal(b.len, 0);
	assert_int_equal(frame_push_open(&b, 1, SIZE_MAX / 2, &mark),
			 -ENOMEM);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

#undef CHUNK

/* The head alone is the front of frame_push()'s frame, whatever the body's
 * length takes. */
static void test_push_head(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 127, 128, 16384, 2u << 20};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct buf body = {0}, want = {0};
		assert_int_equal(buf_reserve(&body, sizes[i] + 1), 0);
		memset(body.data, 'x', sizes[i]);
		body.len = sizes[i];
		assert_int_equal(frame_push(&want, CLUBCRM__FRAME__BODY_DELTAS,
					    &body), 0);
		uint8_t head[FRAME_PUSH_HEAD_MAX];
		size_t hl = frame_push_head(CLUBCRM__FRAME__BODY_DELTAS,
					    body.len, head);
		assert_int_equal(hl + body.len, want.len);
		assert_memory_equal(head, want.data, hl);
		/* And it decodes as that push. */
		Clubcrm__Frame *f = frame_decode(want.data + FRAME_HEADER_LEN,
						 want.len - FRAME_HEADER_LEN,
						 NULL);
		if (sizes[i] == 0) {
			assert_non_null(f);
			assert_int_equal(f->body_case,
					 CLUBCRM__FRAME__BODY_DELTAS);
		}
		if (f)
			clubcrm__frame__free_unpacked(f, NULL);
		buf_free(&body);
		buf_free(&want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preface_roundtrip),
		cmocka_unit_test(test_preface_bad_magic),
		cmocka_unit_test(test_one_frame),
		cmocka_unit_test(test_many_frames_one_read),
		cmocka_unit_test(test_split_across_reads),
		cmocka_unit_test(test_truncated_frame_is_held),
		cmocka_unit_test(test_zero_length_rejected),
		cmocka_unit_test(test_over_limit_rejected_before_allocation),
		cmocka_unit_test(test_limit_raised_after_login),
		cmocka_unit_test(test_good_frames_then_garbage),
		cmocka_unit_test(test_callback_stops_feed),
		cmocka_unit_test(test_feed_some_tells_what_was_used),
		cmocka_unit_test(test_refused_length_told),
		cmocka_unit_test(test_garbage_payload_does_not_decode),
		cmocka_unit_test(test_frame_built_in_place),
		cmocka_unit_test(test_push_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
