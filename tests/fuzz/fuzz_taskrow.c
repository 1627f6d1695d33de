/*
 * libFuzzer harness for the client's hand decoder of a TaskRow
 * (client/lib/taskrow.h), held to protobuf-c on the same bytes.
 *
 * Input: the bytes of one TaskRow as a server would send them inside a
 * snapshot chunk. protobuf-c refuses them: the hand decoder must not give a
 * row (and taskrow_decode_any() must say -EIO). protobuf-c takes them: the
 * hand decoder gives the same row (or leaves it to protobuf-c, -EAGAIN,
 * and taskrow_decode_any() then gives it), checked by packing both without
 * their unknown fields to the very same bytes. A copy packs the same too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taskrow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_taskrow: %s\n", what);
	abort();
}

/* Packed without unknown fields (malloc'd). */
static uint8_t *pack(Clubcrm__TaskRow *r, size_t *len)
{
	size_t nu = r->base.n_unknown_fields;
	size_t nt = r->task ? r->task->base.n_unknown_fields : 0;
	r->base.n_unknown_fields = 0;
	if (r->task)
		r->task->base.n_unknown_fields = 0;
	*len = clubcrm__task_row__get_packed_size(r);
	uint8_t *b = malloc(*len ? *len : 1);
	if (!b)
		fail("out of memory");
	if (clubcrm__task_row__pack(r, b) != *len)
		fail("packed size");
	r->base.n_unknown_fields = nu;
	if (r->task)
		r->task->base.n_unknown_fields = nt;
	return b;
}

static void same(Clubcrm__TaskRow *want, Clubcrm__TaskRow *got)
{
	size_t wl, gl;
	uint8_t *wb = pack(want, &wl);
	uint8_t *gb = pack(got, &gl);
	if (wl != gl || memcmp(wb, gb, wl) != 0)
		fail("a row other than protobuf-c's");
	free(wb);
	free(gb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Clubcrm__TaskRow *want = clubcrm__task_row__unpack(NULL, size, data);
	Clubcrm__TaskRow *got = NULL, *any = NULL;
	const char *why = NULL;
	int rc = taskrow_decode(data, size, &got, &why);
	int rc_any = taskrow_decode_any(data, size, &any, NULL);
	if (rc == -EIO && !why)
		fail("a refusal without a reason");
	if (!want) {
		if (rc == 0 || rc_any != -EIO)
			fail("a row protobuf-c refuses");
		return 0;
	}
	if (rc != 0 && rc != -EAGAIN)
		fail("a row protobuf-c takes refused");
	if (rc_any != 0)
		fail("taskrow_decode_any refused a row protobuf-c takes");
	if (got)
		same(want, got);
	same(want, any);
	Clubcrm__TaskRow *copy = taskrow_copy(any);
	if (!copy)
		fail("copy");
	same(want, copy);
	taskrow_free(copy);
	taskrow_free(got);
	taskrow_free(any);
	clubcrm__task_row__free_unpacked(want, NULL);
	return 0;
}
