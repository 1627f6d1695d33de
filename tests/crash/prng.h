/* The crash test's seeded PRNG (splitmix64): one seed replays a whole run. */
#ifndef CLUBCRM_CRASH_PRNG_H
#define CLUBCRM_CRASH_PRNG_H

#include <stdint.h>

static inline uint64_t prng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform enough in [lo, hi] for test timings. */
static inline uint64_t prng_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + prng_next(s) % (hi - lo + 1);
}

#endif
