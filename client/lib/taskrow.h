/*
 * A TaskRow decoded by hand into one block of memory (issue 15: a 100,000-
 * task board to a terminal; tests/bench/README-performance.md). protobuf-c's
 * generic unpack walks the descriptors field by field and mallocs every
 * string; the replica then copied each row again (pack + unpack). Here a row
 * is read once into a scratch block on the stack (rows over 1 KiB: twice,
 * once to size the block and once to fill it) and lives in a single malloc
 * of its exact size: the TaskRow, its Task, the arrays and the strings,
 * freed with taskrow_free() (plain free()).
 *
 * The rows are the ones protobuf-c gives (tests/unit/test_taskrow.c holds
 * the two to each other on random rows and damaged ones, fails when Task or
 * TaskRow gains a field, and tests/fuzz/fuzz_taskrow.c compares them on
 * arbitrary bytes); unknown fields are skipped, not kept.
 */
#ifndef CLUBCRM_TASKROW_H
#define CLUBCRM_TASKROW_H

#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"

/*
 * Decodes the bytes of a TaskRow. 0 (*out set), -EIO (malformed: a varint
 * over 10 bytes or past the end, a length past the end, a field number 0,
 * a key of the wrong wire type for its field; *why says which), -EAGAIN
 * (what this decoder leaves to protobuf-c's reading: the task field
 * twice, groups, keys over 32 bits, a bool not sent as a varint) or
 * -ENOMEM. `why` may be NULL.
 */
int taskrow_decode(const uint8_t *p, size_t len, Clubcrm__TaskRow **out,
		   const char **why);
/* Any valid TaskRow: the hand decoder, or for -EAGAIN protobuf-c's unpack
 * packed again for it. 0, -EIO or -ENOMEM. */
int taskrow_decode_any(const uint8_t *p, size_t len, Clubcrm__TaskRow **out,
		       const char **why);
/* A copy of a decoded row (from protobuf-c or taskrow_decode) as one block;
 * NULL when out of memory. */
Clubcrm__TaskRow *taskrow_copy(const Clubcrm__TaskRow *row);
/* Frees a row from the functions above (NULL: nothing). */
void taskrow_free(Clubcrm__TaskRow *row);

#endif
