/*
 * The redo list of a batch (server/store/redo.h): round trips, and every
 * hostile decode (truncations at every byte, huge lengths, bad op kinds
 * and database numbers) refused with a reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redo.h"

/* Deterministic bytes from a seed. */
static void fill(uint8_t *p, size_t len, uint64_t seed)
{
	uint32_t x = (uint32_t)seed * 2654435761u + 7;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static void build_redo(struct redo *r)
{
	uint8_t key[REDO_KEY_MAX], val[3000];
	fill(key, sizeof(key), 1);
	fill(val, sizeof(val), 2);
	redo_put(r, 1, key, 8, val, 100);
	redo_put(r, 19, key, REDO_KEY_MAX, val, sizeof(val));
	redo_put(r, 0, key, 1, NULL, 0);
	redo_del(r, 12, key, 16);
	redo_drop(r, 4);
	redo_put(r, 2, "k", 1, "v", 1);
	assert_int_equal(r->err, 0);
	assert_int_equal(r->ops, 6);
}

static void test_redo_round_trip(void **state)
{
	(void)state;
	struct redo r = {0};
	build_redo(&r);
	size_t n;
	assert_int_equal(redo_validate(r.b.data, r.b.len, 20, &n), 0);
	assert_int_equal(n, 6);
	/* Decode, encode again: the same bytes. */
	struct redo again = {0};
	struct redo_reader rd;
	struct redo_op op;
	redo_reader_init(&rd, r.b.data, r.b.len, 20);
	enum redo_kind kinds[] = {REDO_PUT, REDO_PUT, REDO_PUT, REDO_DEL,
				  REDO_DROP, REDO_PUT};
	unsigned dbs[] = {1, 19, 0, 12, 4, 2};
	size_t k = 0;
	int rc;
	while ((rc = redo_next(&rd, &op)) == 1) {
		assert_int_equal(op.kind, kinds[k]);
		assert_int_equal(op.db, dbs[k]);
		if (op.kind == REDO_PUT)
			redo_put(&again, op.db, op.key, op.klen, op.val,
				 op.vlen);
		else if (op.kind == REDO_DEL)
			redo_del(&again, op.db, op.key, op.klen);
		else
			redo_drop(&again, op.db);
		k++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(k, 6);
	assert_int_equal(again.b.len, r.b.len);
	assert_memory_equal(again.b.data, r.b.data, r.b.len);
	/* The empty list. */
	assert_int_equal(redo_validate(NULL, 0, 20, &n), 0);
	assert_int_equal(n, 0);
	redo_reset(&r);
	assert_int_equal(r.b.len, 0);
	redo_drop(&r, 3);
	assert_int_equal(r.b.len, 2);
	redo_free(&r);
	redo_free(&again);
}

static void test_redo_hostile(void **state)
{
	(void)state;
	struct redo r = {0};
	build_redo(&r);
	/* Op boundaries: the only prefixes that decode. */
	size_t bounds[8], nb = 0;
	struct redo_reader rd;
	struct redo_op op;
	redo_reader_init(&rd, r.b.data, r.b.len, 20);
	bounds[nb++] = 0;
	while (redo_next(&rd, &op) == 1)
		bounds[nb++] = rd.off;
	assert_int_equal(nb, 7);
	for (size_t cut = 0; cut <= r.b.len; cut++) {
		/* A copy of exactly cut bytes, so that ASan sees any read
		 * past it. */
		uint8_t *p = malloc(cut + 1);
		memcpy(p, r.b.data, cut);
		bool boundary = false;
		for (size_t i = 0; i < nb; i++)
			boundary |= bounds[i] == cut;
		assert_int_equal(redo_validate(p, cut, 20, NULL),
				 boundary ? 0 : -EIO);
		free(p);
	}
	/* The database number against the caller's count. */
	assert_int_equal(redo_validate(r.b.data, r.b.len, 19, NULL), -EIO);
	redo_reader_init(&rd, r.b.data, r.b.len, 19);
	assert_int_equal(redo_next(&rd, &op), 1);
	assert_int_equal(redo_next(&rd, &op), -EIO);
	assert_string_equal(rd.why, "database number out of range");
	assert_int_equal(redo_next(&rd, &op), -EIO);  /* and stays so */

	struct {
		uint8_t b[16];
		size_t len;
		const char *why;
	} bad[] = {
		{{0, 0}, 2, "unknown op"},
		{{4, 0}, 2, "unknown op"},
		{{1, 0, 0, 0}, 4, "key length out of range"},
		{{2, 0, 0xff, 0xff, 1}, 5, "key length out of range"},
		{{2, 0, 0x00, 0x02, 1}, 5, "key length out of range"},
		{{2, 0, 3, 0, 1, 2}, 6, "key longer than the bytes left"},
		{{1, 0, 1, 0, 'k', 0xff, 0xff, 0xff, 0xff}, 9,
		 "value length out of range"},
		{{1, 0, 1, 0, 'k', 0x40, 0, 0, 0x40, 1}, 10,
		 "value length out of range"},
		{{1, 0, 1, 0, 'k', 5, 0, 0, 0, 1, 2}, 11,
		 "value longer than the bytes left"},
		{{1, 0, 1, 0, 'k', 0, 0}, 7, "value length cut short"},
		{{3}, 1, "op cut short"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		redo_reader_init(&rd, bad[i].b, bad[i].len, 20);
		assert_int_equal(redo_next(&rd, &op), -EIO);
		assert_string_equal(rd.why, bad[i].why);
	}
	/* The encoder refuses what the decoder would. */
	struct redo e = {0};
	redo_put(&e, 256, "k", 1, "v", 1);
	assert_int_equal(e.err, -EINVAL);
	redo_put(&e, 1, "k", 1, "v", 1);  /* after an error: nothing */
	assert_int_equal(e.b.len, 0);
	redo_reset(&e);
	redo_del(&e, 1, "k", 0);
	assert_int_equal(e.err, -EINVAL);
	redo_reset(&e);
	uint8_t key[REDO_KEY_MAX + 1] = {0};
	redo_del(&e, 1, key, sizeof(key));
	assert_int_equal(e.err, -EINVAL);
	redo_reset(&e);
	redo_put(&e, 1, key, 1, NULL, (size_t)REDO_VALUE_MAX + 1);
	assert_int_equal(e.err, -EINVAL);
	redo_free(&e);
	redo_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redo_round_trip),
		cmocka_unit_test(test_redo_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
