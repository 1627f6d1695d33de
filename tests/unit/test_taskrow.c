/* The client's hand decoder of a TaskRow (client/lib/taskrow.c) against
 * protobuf-c: the same rows for random ones and for other encodings of the
 * same fields, and the same bytes refused, with a reason. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "clubcrm.pb-c.h"
#include "taskrow.h"

#include "rand_task.h"

static Clubcrm__TaskRow *rnd_row(struct arena *a)
{
	Clubcrm__Task *t = arena_alloc(a, sizeof(*t));
	assert_non_null(t);
	*t = rnd_task(a);

	Clubcrm__TaskRow *r = arena_alloc(a, sizeof(*r));
	assert_non_null(r);
	clubcrm__task_row__init(r);
	r->task = rnd() % 10 ? t : NULL;
	r->type_name = rnd_str(a);
	r->customer_name = rnd_str(a);
	r->operator_login = rnd_str(a);
	r->operator_name = rnd_str(a);
	r->creator_login = rnd_str(a);
	r->creator_name = rnd_str(a);
	r->result_name = rnd_str(a);
	r->has_outcome = rnd() % 2;
	r->outcome = (Clubcrm__Outcome)(rnd() % 4);
	r->has_colour = rnd() % 2;
	r->colour = (Clubcrm__Colour)(rnd() % 4);
	r->has_overdue = rnd() % 2;
	r->overdue = rnd() % 2;
	r->has_priority = rnd() % 2;
	r->priority = rnd() % 2;
	r->tag_names = rnd_strs(a, &r->n_tag_names);
	r->taken_by_login = rnd_str(a);
	r->taken_by_name = rnd_str(a);
	r->has_escalated = rnd() % 2;
	r->escalated = rnd() % 2;
	r->tag_colours = rnd_strs(a, &r->n_tag_colours);
	return r;
}

/* A row packed by protobuf-c (malloc'd), unknown fields left out. */
static uint8_t *pack(Clubcrm__TaskRow *r, size_t *len)
{
	size_t nu = r->base.n_unknown_fields;
	size_t nt = r->task ? r->task->base.n_unknown_fields : 0;
	r->base.n_unknown_fields = 0;
	if (r->task)
		r->task->base.n_unknown_fields = 0;
	*len = clubcrm__task_row__get_packed_size(r);
	uint8_t *b = malloc(*len + 1);
	assert_non_null(b);
	assert_int_equal(clubcrm__task_row__pack(r, b), *len);
	r->base.n_unknown_fields = nu;
	if (r->task)
		r->task->base.n_unknown_fields = nt;
	return b;
}

/* Both decoders on `p`: both refuse it, or both give the same row. The
 * hand decoder may leave it to protobuf-c (-EAGAIN), never refuse what
 * protobuf-c takes. Returns taskrow_decode()'s answer. */
static int check_both(const uint8_t *p, size_t len)
{
	Clubcrm__TaskRow *want = clubcrm__task_row__unpack(NULL, len, p);
	Clubcrm__TaskRow *got = NULL;
	const char *why = NULL;
	int rc = taskrow_decode(p, len, &got, &why);
	if (!want) {
		assert_int_not_equal(rc, 0);
		if (rc == -EIO)
			assert_non_null(why);
		assert_int_equal(taskrow_decode_any(p, len, &got, &why), -EIO);
		assert_non_null(why);
		return rc;
	}
	if (rc == -EAGAIN)
		assert_int_equal(taskrow_decode_any(p, len, &got, &why), 0);
	else
		assert_int_equal(rc, 0);
	size_t wl, gl;
	uint8_t *wb = pack(want, &wl);
	uint8_t *gb = pack(got, &gl);
	assert_int_equal(gl, wl);
	assert_memory_equal(gb, wb, wl);
	free(wb);
	free(gb);
	clubcrm__task_row__free_unpacked(want, NULL);
	taskrow_free(got);
	return rc;
}

/* A field added to either message must be added by hand in taskrow.c. */
static void test_fields_are_the_ones_taskrow_knows(void **state)
{
	(void)state;
	assert_int_equal(clubcrm__task_row__descriptor.n_fields, 17);
	assert_int_equal(clubcrm__task__descriptor.n_fields, 25);
}

/* Random rows: decoded to the very fields protobuf-c packed, every string,
 * array and flag (the decoded row packs to the same bytes). */
static void test_same_rows_as_protobuf_c(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	for (int round = 0; round < 3000; round++) {
		arena_reset(&a);
		Clubcrm__TaskRow *r = rnd_row(&a);
		size_t len;
		uint8_t *b = pack(r, &len);
		Clubcrm__TaskRow *got = NULL;
		assert_int_equal(taskrow_decode(b, len, &got, NULL), 0);
		size_t gl;
		uint8_t *gb = pack(got, &gl);
		assert_int_equal(gl, len);
		assert_memory_equal(gb, b, len);
		/* Strings present stay present, empty ones too. */
		assert_true((got->type_name == NULL) == (r->type_name == NULL));
		if (r->task && r->task->description)
			assert_string_equal(got->task->description,
					    r->task->description);
		assert_int_equal(got->n_tag_names, r->n_tag_names);
		/* A copy of the decoded row, and of protobuf-c's. */
		Clubcrm__TaskRow *copy = taskrow_copy(got);
		assert_non_null(copy);
		size_t cl;
		uint8_t *cb = pack(copy, &cl);
		assert_int_equal(cl, len);
		assert_memory_equal(cb, b, len);
		check_both(b, len);
		free(cb);
		free(gb);
		free(b);
		taskrow_free(copy);
		taskrow_free(got);
	}
	arena_free(&a);
}

/* Valid encodings protobuf-c does not write: unknown fields of every wire
 * type (skipped), tag_ids unpacked or mixed, a string twice (the last
 * wins), varints longer than needed, the task twice (merged: left to
 * protobuf-c), an empty row. */
static void test_other_encodings(void **state)
{
	(void)state;
	static const uint8_t empty[1];
	assert_int_equal(check_both(empty, 0), 0);
	/* Unknown fields in the row (99 varint, 98 fixed64, 97 bytes, 96
	 * fixed32) and in the task (30 varint, 31 bytes). */
	const uint8_t unknown[] = {
		0x98, 0x06, 0x05,                               /* 99: 5 */
		0x91, 0x06, 1, 2, 3, 4, 5, 6, 7, 8,             /* 98: fixed64 */
		0x8a, 0x06, 0x02, 'h', 'i',                     /* 97: "hi" */
		0x85, 0x06, 1, 2, 3, 4,                         /* 96: fixed32 */
		0x0a, 0x0a,                                     /* task */
		0x08, 0x07,                                     /* id 7 */
		0xf0, 0x01, 0x01,                               /* 30: 1 */
		0xfa, 0x01, 0x02, 'x', 'y',                     /* 31: "xy" */
		0x12, 0x01, 'T',                                /* type_name */
	};
	assert_int_equal(check_both(unknown, sizeof(unknown)), 0);
	/* tag_ids unpacked, then packed, then unpacked again. */
	const uint8_t tags[] = {
		0x0a, 0x0c,
		0x28, 0x01,                   /* 5: 1 */
		0x2a, 0x04, 0x02, 0x83, 0x01, 0x04,  /* 5: [2, 131, 4] */
		0x28, 0x05,                   /* 5: 5 */
		0x08, 0x09,                   /* id 9 */
	};
	assert_int_equal(check_both(tags, sizeof(tags)), 0);
	Clubcrm__TaskRow *row = NULL;
	assert_int_equal(taskrow_decode(tags, sizeof(tags), &row, NULL), 0);
	assert_int_equal(row->task->n_tag_ids, 5);
	assert_true(row->task->tag_ids[2] == 131);
	taskrow_free(row);
	/* A string and a number twice: the last wins; long varints. */
	const uint8_t twice[] = {
		0x12, 0x01, 'a', 0x12, 0x02, 'b', 'c',
		0x48, 0x81, 0x80, 0x80, 0x00,             /* outcome 1, 4 bytes */
		0x58, 0x80, 0x00,                         /* overdue 0, 2 bytes */
		0x60, 0x80, 0x01,                         /* priority 128: true */
		0x0a, 0x0b, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0x01,                         /* id 2^64-1 */
	};
	assert_int_equal(check_both(twice, sizeof(twice)), 0);
	assert_int_equal(taskrow_decode(twice, sizeof(twice), &row, NULL), 0);
	assert_string_equal(row->type_name, "bc");
	assert_true(row->task->id == UINT64_MAX);
	assert_true(row->priority == 1 && row->has_overdue && !row->overdue);
	taskrow_free(row);
	/* The task twice: protobuf-c merges the two. */
	const uint8_t merged[] = {0x0a, 0x02, 0x08, 0x03, 0x0a, 0x02, 0x30, 0x04};
	assert_int_equal(check_both(merged, sizeof(merged)), -EAGAIN);
	assert_int_equal(taskrow_decode_any(merged, sizeof(merged), &row, NULL),
			 0);
	assert_true(row->task->id == 3 && row->task->planned_at == 4);
	taskrow_free(row);
	/* An enum value this build does not know is kept as protobuf-c
	 * keeps it. */
	const uint8_t odd_enum[] = {0x50, 0x63};
	assert_int_equal(check_both(odd_enum, sizeof(odd_enum)), 0);
	/* protobuf-c takes a bool of any wire type (found by fuzz_taskrow):
	 * left to it. */
	const uint8_t bool_i64[] = {0x59, 0, 0, 0, 0, 0, 0, 0, 1};
	assert_int_equal(check_both(bool_i64, sizeof(bool_i64)), -EAGAIN);
	assert_int_equal(taskrow_decode_any(bool_i64, sizeof(bool_i64), &row,
					    NULL), 0);
	assert_true(row->has_overdue && row->overdue);
	taskrow_free(row);
}

static void refused(const uint8_t *p, size_t len, const char *why_part)
{
	Clubcrm__TaskRow *row = NULL;
	const char *why = NULL;
	assert_int_equal(taskrow_decode(p, len, &row, &why), -EIO);
	assert_null(row);
	assert_non_null(why);
	assert_non_null(strstr(why, why_part));
	assert_null(clubcrm__task_row__unpack(NULL, len, p));
	check_both(p, len);
}

/* Hostile bytes: refused with a reason, as protobuf-c refuses them. */
static void test_refuses_hostile_rows(void **state)
{
	(void)state;
	const uint8_t long_varint[] = {0x48, 0xff, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	refused(long_varint, sizeof(long_varint), "over 10 bytes");
	const uint8_t cut_varint[] = {0x48, 0xff};
	refused(cut_varint, sizeof(cut_varint), "past the end");
	const uint8_t past_end[] = {0x12, 0x05, 'a', 'b'};
	refused(past_end, sizeof(past_end), "past the end");
	const uint8_t nested_past[] = {0x0a, 0x04, 0x1a, 0x09, 'a', 'b'};
	refused(nested_past, sizeof(nested_past), "past the end");
	const uint8_t field0[] = {0x02, 0x00};
	refused(field0, sizeof(field0), "field number 0");
	const uint8_t wire7[] = {0x0f};
	refused(wire7, sizeof(wire7), "wire type");
	const uint8_t wrong_wt[] = {0x12 ^ 0x02, 0x01};  /* type_name varint */
	refused(wrong_wt, sizeof(wrong_wt), "wrong wire type");
	const uint8_t task_varint[] = {0x08, 0x01};  /* task as a varint */
	refused(task_varint, sizeof(task_varint), "wrong wire type");
	const uint8_t long_len[] = {0x12, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00};
	refused(long_len, sizeof(long_len), "over 5 bytes");
	const uint8_t long_key[] = {0xc8, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01};
	refused(long_key, sizeof(long_key), "over 5 bytes");
	const uint8_t packed_cut[] = {0x0a, 0x04, 0x2a, 0x02, 0x01, 0x81};
	refused(packed_cut, sizeof(packed_cut), "past the end");
	const uint8_t fixed_cut[] = {0x91, 0x06, 1, 2, 3};
	refused(fixed_cut, sizeof(fixed_cut), "past the end");
}

/* Random rows cut anywhere and damaged byte by byte: never a row protobuf-c
 * would not give, never a refusal of one it gives. */
static void test_damaged_rows_as_protobuf_c(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	unsigned ok = 0, no = 0;
	for (int round = 0; round < 300; round++) {
		arena_reset(&a);
		Clubcrm__TaskRow *r = rnd_row(&a);
		size_t len;
		uint8_t *b = pack(r, &len);
		for (size_t cut = 0; cut < len; cut += 1 + len / 40)
			check_both(b, cut) == 0 ? ok++ : no++;
		for (int k = 0; k < 20 && len; k++) {
			size_t at = rnd() % len;
			uint8_t was = b[at];
			b[at] = (uint8_t)rnd();
			check_both(b, len) == 0 ? ok++ : no++;
			b[at] = was;
		}
		free(b);
	}
	assert_true(ok > 0 && no > 0);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_are_the_ones_taskrow_knows),
		cmocka_unit_test(test_same_rows_as_protobuf_c),
		cmocka_unit_test(test_other_encodings),
		cmocka_unit_test(test_refuses_hostile_rows),
		cmocka_unit_test(test_damaged_rows_as_protobuf_c),
	};
	/* Its own draws: longer strings rarer than test_wire's, and bytes
	 * that are not UTF-8 (the decoder passes them through). */
	rnd_state = 0x9E3779B97F4A7C15ull;
	rnd_long_one_in = 5;
	rnd_high_bytes = true;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
