/* The snapshot's hand-written protobuf (server/views/wire.c) against
 * protobuf-c: the same bytes for a row, the same fields for a task, and the
 * same records refused. */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "clubcrm.pb-c.h"
#include "wire.h"

#include "rand_task.h"

/* A field added to either message must be added by hand in wire.c. */
static void test_fields_are_the_ones_wire_knows(void **state)
{
	(void)state;
	assert_int_equal(clubcrm__task_row__descriptor.n_fields, 17);
	assert_int_equal(clubcrm__task__descriptor.n_fields, 25);
}

/* A row appended after what the buffer holds, against protobuf-c packing
 * the whole row as an element of field 2; rows of under 128 bytes, of a
 * few hundred and of over 16 KiB (the length's room moved both ways). */
static void test_row_same_bytes_as_protobuf_c(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	char *huge = malloc(20001);
	assert_non_null(huge);
	memset(huge, 'h', 20000);
	huge[20000] = 0;
	unsigned small = 0, big = 0;
	for (int round = 0; round < 3000; round++) {
		arena_reset(&a);
		Clubcrm__Task t = rnd_task(&a);
		if (round % 3 == 0)  /* short rows */
			t.description = t.closing_note = NULL;
		size_t tlen = clubcrm__task__get_packed_size(&t);
		uint8_t *tb = arena_alloc(&a, tlen + 1);
		clubcrm__task__pack(&t, tb);

		Clubcrm__TaskRow r = CLUBCRM__TASK_ROW__INIT;
		r.task = &t;
		bool short_row = round % 3 == 0;
		r.type_name = short_row ? NULL : rnd_str(&a);
		r.customer_name = short_row ? NULL : rnd_str(&a);
		r.operator_login = rnd_str(&a);
		r.operator_name = short_row ? NULL : rnd_str(&a);
		r.creator_login = short_row ? NULL : rnd_str(&a);
		r.creator_name = short_row ? NULL : rnd_str(&a);
		r.result_name = round % 50 == 1 ? huge : rnd_str(&a);
		r.has_outcome = rnd() % 2;
		r.outcome = (Clubcrm__Outcome)(rnd() % 4);
		r.has_colour = rnd() % 2;
		r.colour = (Clubcrm__Colour)(rnd() % 4);
		r.has_overdue = rnd() % 2;
		r.overdue = rnd() % 2;
		r.has_priority = rnd() % 2;
		r.priority = rnd() % 2;
		r.tag_names = rnd_strs(&a, &r.n_tag_names);
		r.taken_by_login = short_row ? NULL : rnd_str(&a);
		r.taken_by_name = short_row ? NULL : rnd_str(&a);
		r.has_escalated = rnd() % 2;
		r.escalated = rnd() % 2;
		r.tag_colours = rnd_strs(&a, &r.n_tag_colours);
		if (short_row)
			r.n_tag_names = r.n_tag_colours = 0;

		size_t rlen = clubcrm__task_row__get_packed_size(&r);
		uint8_t *rb = malloc(rlen + 1);
		assert_non_null(rb);
		assert_int_equal(clubcrm__task_row__pack(&r, rb), rlen);
		struct buf want = {0}, got = {0};
		size_t before = rnd() % 40;
		for (size_t i = 0; i < before; i++) {
			assert_int_equal(buf_append(&want, "x", 1), 0);
			assert_int_equal(buf_append(&got, "x", 1), 0);
		}
		assert_int_equal(wire_bytes(&want, 2, rb, rlen), 0);
		assert_int_equal(wire_task_row_append(&got, 2, tb, tlen, &r), 0);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.data, want.data, want.len);
		small += rlen < 128;
		big += rlen >= 16384;
		free(rb);
		buf_free(&want);
		buf_free(&got);
	}
	assert_true(small > 0 && big > 0);
	free(huge);
	arena_free(&a);
}

/* Every field but the strings, as protobuf-c decoded them. */
static void assert_same_task(const Clubcrm__Task *want,
			     const Clubcrm__Task *got)
{
#define F(f) assert_int_equal(got->has_##f, want->has_##f); \
	if (want->has_##f) assert_true(got->f == want->f);
	F(id) F(kind) F(type_id) F(planned_at) F(operator_id) F(customer_id)
	F(creator_id) F(created_at) F(status) F(result_id) F(follows_id)
	F(taken_by) F(taken_at) F(create_rev) F(mod_rev) F(modified_at)
	F(modified_by) F(concluded_at) F(recurrence) F(repeat_until)
	F(repeat_count) F(repeat_anchor)
#undef F
	assert_int_equal(got->n_tag_ids, want->n_tag_ids);
	for (size_t i = 0; i < want->n_tag_ids; i++)
		assert_true(got->tag_ids[i] == want->tag_ids[i]);
	assert_null(got->description);
	assert_null(got->closing_note);
}

/* Scans `p` both ways: both refuse it, or both give the same fields. */
static void check_both(struct arena *a, const uint8_t *p, size_t len)
{
	Clubcrm__Task *want = clubcrm__task__unpack(arena_pb(a), len, p);
	Clubcrm__Task got;
	int rc = wire_task_scan(p, len, a, &got);
	if (!want) {
		assert_int_equal(rc, -EIO);
		return;
	}
	assert_int_equal(rc, 0);
	assert_same_task(want, &got);
}

static void test_task_scan_same_fields_as_protobuf_c(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	for (int round = 0; round < 3000; round++) {
		arena_reset(&a);
		Clubcrm__Task t = rnd_task(&a);
		size_t len = clubcrm__task__get_packed_size(&t);
		uint8_t *p = arena_alloc(&a, len + 1);
		clubcrm__task__pack(&t, p);
		Clubcrm__Task got;
		assert_int_equal(wire_task_scan(p, len, &a, &got), 0);
		assert_same_task(&t, &got);
		check_both(&a, p, len);
	}
	arena_free(&a);
}

/* Packed tag ids, fields it does not know (of every wire type) and a field
 * given twice (the last wins), as another writer may encode them. */
static void test_task_scan_other_encodings(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	static const uint8_t rec[] = {
		0x08, 0x07,                   /* id 7 */
		0x2a, 0x04, 0x03, 0x96, 0x01, 0x05, /* tag_ids [3, 150, 5] */
		0x28, 0x09,                   /* tag_ids 9 */
		0xf0, 0x01, 0x2a,             /* field 30 varint */
		0xf9, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, /* field 31 fixed64 */
		0x82, 0x02, 0x02, 'h', 'i',   /* field 32 bytes */
		0x8d, 0x02, 1, 2, 3, 4,       /* field 33 fixed32 */
		0x1a, 0x02, 'x', 'y',         /* description */
		0x78, 0x05,                   /* taken_by 5 */
		0x78, 0x06,                   /* taken_by 6 */
	};
	Clubcrm__Task got;
	assert_int_equal(wire_task_scan(rec, sizeof(rec), &a, &got), 0);
	assert_true(got.id == 7 && got.taken_by == 6);
	assert_int_equal(got.n_tag_ids, 4);
	assert_true(got.tag_ids[0] == 3 && got.tag_ids[1] == 150 &&
		    got.tag_ids[2] == 5 && got.tag_ids[3] == 9);
	check_both(&a, rec, sizeof(rec));
	/* An empty packed run of tag ids (valid protobuf; protobuf-c reads it
	 * as no element). */
	static const uint8_t empty[] = {0x08, 0x07, 0x2a, 0x00, 0x78, 0x05};
	assert_int_equal(wire_task_scan(empty, sizeof(empty), &a, &got), 0);
	assert_true(got.id == 7 && got.taken_by == 5);
	assert_int_equal(got.n_tag_ids, 0);
	check_both(&a, empty, sizeof(empty));
	arena_free(&a);
}

/* Damaged records: cut anywhere, a byte changed anywhere, known fields of
 * the wrong wire type, groups, field 0, an overlong varint. */
static void test_task_scan_refuses_what_protobuf_c_refuses(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	for (int round = 0; round < 300; round++) {
		arena_reset(&a);
		Clubcrm__Task t = rnd_task(&a);
		size_t len = clubcrm__task__get_packed_size(&t);
		uint8_t *p = arena_alloc(&a, len + 1);
		clubcrm__task__pack(&t, p);
		for (size_t cut = 0; cut < len; cut++)
			check_both(&a, p, cut);
		uint8_t *q = arena_alloc(&a, len + 1);
		for (int k = 0; k < 20 && len; k++) {
			memcpy(q, p, len);
			q[rnd() % len] = (uint8_t)rnd();
			check_both(&a, q, len);
		}
	}
	static const uint8_t bad[][12] = {
		{0x08},                                   /* no value */
		{0x09, 1, 2, 3, 4, 5, 6, 7, 8},           /* id as fixed64 */
		{0x1d, 1, 2, 3, 4},                       /* description fixed32 */
		{0x18, 0x01},                             /* description varint */
		{0x2d, 1, 2, 3, 4},                       /* tag_ids fixed32 */
		{0x2a, 0x05, 0x01},                       /* packed run cut */
		{0x2a, 0x01, 0x80},                       /* packed varint cut */
		{0xf3, 0x01},                             /* group start */
		{0x00, 0x01},                             /* field 0 */
		{0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
		 0x80, 0x01},                             /* 11-byte varint */
		{0xf8, 0xde, 0x80, 0xfd, 0xc4, 0x00, 0x10}, /* 6-byte key */
	};
	static const size_t lens[] = {1, 9, 5, 2, 5, 3, 3, 2, 2, 12, 7};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		Clubcrm__Task got;
		assert_int_equal(wire_task_scan(bad[i], lens[i], &a, &got),
				 -EIO);
		check_both(&a, bad[i], lens[i]);
	}
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_are_the_ones_wire_knows),
		cmocka_unit_test(test_row_same_bytes_as_protobuf_c),
		cmocka_unit_test(test_task_scan_same_fields_as_protobuf_c),
		cmocka_unit_test(test_task_scan_other_encodings),
		cmocka_unit_test(test_task_scan_refuses_what_protobuf_c_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
