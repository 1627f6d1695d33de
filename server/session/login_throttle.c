#include "login_throttle.h"

#include <errno.h>
#include <string.h>
#include <sodium.h>

/* Longest login hashed (logins are at most 128 bytes). */
#define NAME_MAX_BYTES 160u

int login_throttle_init(struct login_throttle *t, uint32_t base_ms,
			uint32_t max_ms, const unsigned char *hash_key)
{
	memset(t, 0, sizeof(*t));
	t->base_ms = base_ms;
	t->max_ms = max_ms > base_ms ? max_ms : base_ms;
	if (sodium_init() < 0)
		return -EIO;
	if (hash_key)
		memcpy(t->hash_key, hash_key, sizeof(t->hash_key));
	else
		randombytes_buf(t->hash_key, sizeof(t->hash_key));
	return 0;
}

/* Longest address hashed (a peer's text, IPv6 included, is shorter). */
#define ADDR_MAX_BYTES 64u

/*
 * A login ('L', the login) or a (login, address) pair ('P', the address's
 * length, the address, the login). A login is hashed ASCII-folded, as
 * service_login() finds it. Never 0.
 */
static uint64_t key_of(const struct login_throttle *t, const char *login,
		       const char *addr)
{
	unsigned char in[2 + ADDR_MAX_BYTES + NAME_MAX_BYTES];
	size_t n = 0;
	in[n++] = addr ? 'P' : 'L';
	if (addr) {
		size_t len = strnlen(addr, ADDR_MAX_BYTES);
		in[n++] = (unsigned char)len;
		memcpy(in + n, addr, len);
		n += len;
	}
	for (const char *p = login; *p && n < sizeof(in); p++) {
		char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		in[n++] = (unsigned char)ch;
	}
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, in, n, t->hash_key);
	uint64_t k;
	memcpy(&k, h, sizeof(k));
	return k ? k : 1;
}

unsigned login_throttle_set_of(const struct login_throttle *t,
			       const char *login, const char *addr)
{
	return (unsigned)(key_of(t, login, addr) % LOGIN_THROTTLE_SETS);
}

static int live(const struct login_throttle_entry *e, uint64_t now)
{
	return e->key && now - e->last_ms < LOGIN_THROTTLE_FORGET_MS;
}

/* The entry of `key`; with `any_age`, even one past LOGIN_THROTTLE_FORGET_MS. */
static struct login_throttle_entry *
find(const struct login_throttle *t, uint64_t key, uint64_t now, int any_age)
{
	struct login_throttle_entry *set =
		(struct login_throttle_entry *)t->e[key % LOGIN_THROTTLE_SETS];
	for (unsigned i = 0; i < LOGIN_THROTTLE_WAYS; i++)
		if (set[i].key == key && (any_age || live(&set[i], now)))
			return &set[i];
	return NULL;
}

/* The entry of `key`: found, else a free or forgotten one, else the least
 * recently failed of its set (evicted). */
static struct login_throttle_entry *
slot(struct login_throttle *t, uint64_t key, uint64_t now)
{
	struct login_throttle_entry *e = find(t, key, now, 1);
	if (e) {
		if (!live(e, now))
			e->fails = e->answer_ms = 0;
		return e;
	}
	struct login_throttle_entry *set = t->e[key % LOGIN_THROTTLE_SETS];
	e = &set[0];
	for (unsigned i = 0; i < LOGIN_THROTTLE_WAYS; i++) {
		if (!live(&set[i], now)) {
			e = &set[i];
			break;
		}
		if (set[i].last_ms < e->last_ms)
			e = &set[i];
	}
	e->key = key;
	e->fails = e->answer_ms = 0;
	return e;
}

/* 0 below `after` failures, then base << (fails - after + shift), capped. */
static uint64_t backoff(const struct login_throttle *t, uint32_t fails,
			uint32_t after, uint32_t shift)
{
	if (fails < after)
		return 0;
	shift += fails - after;
	if (shift >= 32)
		return t->max_ms;
	uint64_t d = (uint64_t)t->base_ms << shift;
	return d < t->max_ms ? d : t->max_ms;
}

uint64_t login_throttle_wait(const struct login_throttle *t, const char *login,
			     const char *addr, uint64_t now_ms)
{
	if (!addr)
		return 0;
	const struct login_throttle_entry *e =
		find(t, key_of(t, login, addr), now_ms, 0);
	if (!e)
		return 0;
	/* Counted from the answer to the last failure (which the login's own
	 * delay may hold back longer than the block): even one connection
	 * waiting for its answers meets it. Twice the base delay at first. */
	uint64_t block = backoff(t, e->fails, LOGIN_THROTTLE_PAIR_AFTER, 1);
	if (!block)
		return 0;
	uint64_t until = e->last_ms + e->answer_ms + block;
	return until > now_ms ? until - now_ms : 0;
}

static void count(struct login_throttle_entry *e, uint64_t now)
{
	if (e->fails < UINT32_MAX)
		e->fails++;
	e->last_ms = now;
}

uint64_t login_throttle_failed(struct login_throttle *t, const char *login,
			       const char *addr, uint64_t now_ms)
{
	struct login_throttle_entry *e = slot(t, key_of(t, login, NULL), now_ms);
	count(e, now_ms);
	/* Failures 1 to LOGIN_AFTER wait the base delay; then it doubles. */
	uint64_t d = backoff(t, e->fails, LOGIN_THROTTLE_LOGIN_AFTER, 0);
	if (d < t->base_ms)
		d = t->base_ms;
	if (addr) {
		struct login_throttle_entry *p =
			slot(t, key_of(t, login, addr), now_ms);
		count(p, now_ms);
		p->answer_ms = (uint32_t)d;  /* at most max_ms */
	}
	return d;
}

static void forget(struct login_throttle *t, uint64_t key)
{
	struct login_throttle_entry *e = find(t, key, 0, 1);
	if (e)
		memset(e, 0, sizeof(*e));
}

void login_throttle_succeeded(struct login_throttle *t, const char *login,
			      const char *addr)
{
	forget(t, key_of(t, login, NULL));
	if (addr)
		forget(t, key_of(t, login, addr));
}
