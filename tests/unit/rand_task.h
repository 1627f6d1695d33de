/*
 * Random tasks for the codec tests (test_wire.c, test_taskrow.c): a
 * deterministic xorshift, so that every run draws the same tasks. A test
 * file sets the seed and what its strings hold before drawing.
 */
#ifndef CLUBCRM_TEST_RAND_TASK_H
#define CLUBCRM_TEST_RAND_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "clubcrm.pb-c.h"

static uint64_t rnd_state = 0x2545F4914F6CDD1Dull;
static unsigned rnd_long_one_in = 3;  /* a string of 100-399 bytes 1 in N */
static bool rnd_high_bytes;           /* strings with 0xc3 bytes in them */

static inline uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Small, multi-byte and full-width values. */
static inline uint64_t rnd_value(void)
{
	switch (rnd() % 4) {
	case 0:
		return rnd() % 128;
	case 1:
		return rnd() % 100000;
	case 2:
		return rnd();
	default:
		return (uint64_t)-(int64_t)(rnd() % 1000);
	}
}

/* NULL one time in four. */
static inline char *rnd_str(struct arena *a)
{
	if (rnd() % 4 == 0)
		return NULL;
	size_t n = rnd() % rnd_long_one_in == 0 ? 100 + rnd() % 300
						: rnd() % 20;
	char *s = arena_alloc(a, n + 1);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(rnd_high_bytes && rnd() % 7 == 0
				      ? 0xc3 : 'a' + rnd() % 26);
	s[n] = 0;
	return s;
}

static inline char **rnd_strs(struct arena *a, size_t *n)
{
	*n = rnd() % 4;
	char **v = arena_calloc(a, *n + 1, sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < *n; i++) {
		v[i] = rnd_str(a);
		if (!v[i])
			v[i] = (char *)"";
	}
	return v;
}

/* Every field present or not, at random. */
static inline Clubcrm__Task rnd_task(struct arena *a)
{
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
#define F(f) if (rnd() % 3) { t.has_##f = 1; t.f = rnd_value(); }
	F(id) F(type_id) F(planned_at) F(operator_id) F(customer_id)
	F(creator_id) F(created_at) F(result_id) F(follows_id) F(taken_by)
	F(taken_at) F(create_rev) F(mod_rev) F(modified_at) F(modified_by)
	F(concluded_at) F(repeat_until) F(repeat_anchor)
#undef F
	t.has_kind = rnd() % 2;
	t.kind = (Clubcrm__TaskKind)(rnd() % 4);
	t.has_status = rnd() % 2;
	t.status = (Clubcrm__TaskStatus)(rnd() % 6);
	t.has_recurrence = rnd() % 2;
	t.recurrence = (Clubcrm__Recurrence)(rnd() % 5);
	t.has_repeat_count = rnd() % 2;
	t.repeat_count = (uint32_t)rnd();
	t.description = rnd_str(a);
	t.closing_note = rnd_str(a);
	t.n_tag_ids = rnd() % 5;
	t.tag_ids = arena_calloc(a, t.n_tag_ids + 1, sizeof(uint64_t));
	for (size_t i = 0; i < t.n_tag_ids; i++)
		t.tag_ids[i] = rnd_value();
	return t;
}

#endif
