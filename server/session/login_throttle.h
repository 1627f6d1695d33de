/*
 * Failed logins, remembered per login and per (login, peer address), in a
 * table of fixed size (an attacker cannot grow it), to slow password
 * guessing. Every failure is answered after the base delay (1 s), and:
 *
 * - per login, from any address: after LOGIN_THROTTLE_LOGIN_AFTER failures,
 *   each further failure is answered later, the delay doubling up to the
 *   cap. A right password is never delayed nor refused, so whoever guesses
 *   at a login from elsewhere cannot lock its owner out.
 * - per (login, address): after LOGIN_THROTTLE_PAIR_AFTER failures, that
 *   login is refused from that address without being checked until a
 *   backoff passes after the last failure was answered (twice the base
 *   delay, doubling up to the cap). Never per address alone: all
 *   the desks of a club sit behind one address, and one login's wrong
 *   passwords must not delay another login's right one from there.
 *
 * A success forgets the failures of the login and of its pair with the
 * address it came from. An entry is forgotten
 * LOGIN_THROTTLE_FORGET_MS after its last failure, or evicted, least
 * recently failed first, when its set of the table is full. Keys are
 * SipHash values under a random key, so nobody can aim at one set.
 *
 * Plain data, no libuv: the caller passes the time (tests inject a clock).
 */
#ifndef CLUBCRMD_LOGIN_THROTTLE_H
#define CLUBCRMD_LOGIN_THROTTLE_H

#include <stdint.h>

#define LOGIN_THROTTLE_SETS 256u
#define LOGIN_THROTTLE_WAYS 8u
#define LOGIN_THROTTLE_LOGIN_AFTER 3u
#define LOGIN_THROTTLE_PAIR_AFTER 10u
#define LOGIN_THROTTLE_FORGET_MS (15u * 60u * 1000u)
#define LOGIN_THROTTLE_KEY_BYTES 16u

struct login_throttle_entry {
	uint64_t key;      /* 0: free */
	uint64_t last_ms;  /* last failure */
	uint32_t fails;
	uint32_t answer_ms; /* a pair's: its last failure's answer delay */
};

struct login_throttle {
	uint32_t base_ms;  /* the delay of every failure */
	uint32_t max_ms;   /* cap of the doubling */
	unsigned char hash_key[LOGIN_THROTTLE_KEY_BYTES];
	struct login_throttle_entry e[LOGIN_THROTTLE_SETS][LOGIN_THROTTLE_WAYS];
};

/* `hash_key` (LOGIN_THROTTLE_KEY_BYTES) or NULL for a random one. 0, or
 * -EIO when libsodium cannot start. */
int login_throttle_init(struct login_throttle *t, uint32_t base_ms,
			uint32_t max_ms, const unsigned char *hash_key);

/*
 * Milliseconds `login` must still wait before a login of it from `addr` is
 * checked; 0: go ahead. `addr` NULL (a unix socket: local users) is never
 * blocked.
 */
uint64_t login_throttle_wait(const struct login_throttle *t, const char *login,
			     const char *addr, uint64_t now_ms);

/* Records a failure; returns how long after its arrival to answer it. */
uint64_t login_throttle_failed(struct login_throttle *t, const char *login,
			       const char *addr, uint64_t now_ms);

/* Forgets the failures of `login`, and of `login` from `addr`. */
void login_throttle_succeeded(struct login_throttle *t, const char *login,
			      const char *addr);

/* For tests: the set a login (`addr` NULL) or a (login, address) pair
 * falls in. */
unsigned login_throttle_set_of(const struct login_throttle *t,
			       const char *login, const char *addr);

#endif
