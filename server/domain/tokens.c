#include "tokens.h"

#include <string.h>
#include <sodium.h>

#include "cursor.h"
#include "rows.h"
#include "status.h"

#define KEY_LEN (8u + TOKENS_HASH_BYTES)
/* Keys collected per pass of a cleanup (deleted after the cursor). */
#define SWEEP_BATCH 64u

uint32_t tokens_session_hours(const Clubcrm__Settings *s)
{
	if (!s || !s->has_session_hours || s->session_hours < TOKENS_HOURS_MIN ||
	    s->session_hours > TOKENS_HOURS_MAX)
		return TOKENS_HOURS_DEFAULT;
	return s->session_hours;
}

void tokens_hash(const uint8_t *token, size_t len,
		 uint8_t out[TOKENS_HASH_BYTES])
{
	crypto_generichash(out, TOKENS_HASH_BYTES, token, len, NULL, 0);
}

static void token_key(uint8_t key[KEY_LEN], uint64_t op_id,
		      const uint8_t hash[TOKENS_HASH_BYTES])
{
	key_u64(key, op_id);
	memcpy(key + 8, hash, TOKENS_HASH_BYTES);
}

static int64_t expiry_of(const struct txn_val *v)
{
	if (v->len != 8)
		return INT64_MIN;  /* unreadable: treated as expired */
	return (int64_t)(key_get_u64(v->data) ^ (UINT64_C(1) << 63));
}

/*
 * One pass over the tokens of `op_id`: collects (at most SWEEP_BATCH) those
 * to drop: all of them with `all`, else the expired ones and, when more
 * than `keep` live ones remain, the soonest to expire. Returns how many it
 * collected into `keys`, or -1 after a txn error.
 */
static int collect(struct txn *t, uint64_t op_id, bool all, int64_t now,
		   size_t keep, uint8_t keys[SWEEP_BATCH][KEY_LEN])
{
	uint8_t prefix[8];
	key_u64(prefix, op_id);
	size_t n = 0, live = 0;
	int64_t soonest = INT64_MAX;
	uint8_t soonest_key[KEY_LEN];
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, t, DB_RESUME_TOKENS);
	for (rc = rc ? rc : txn_cursor_seek(&c, prefix, sizeof(prefix));
	     rc == 0 && n < SWEEP_BATCH && c.key.len == KEY_LEN &&
	     memcmp(c.key.data, prefix, 8) == 0;
	     rc = txn_cursor_next(&c)) {
		int64_t exp = expiry_of(&c.val);
		if (all || exp <= now) {
			memcpy(keys[n++], c.key.data, KEY_LEN);
			continue;
		}
		live++;
		if (exp < soonest) {
			soonest = exp;
			memcpy(soonest_key, c.key.data, KEY_LEN);
		}
	}
	txn_cursor_close(&c);
	if (rc && rc != -ENOENT)
		return -1;  /* the txn's error */
	if (!all && live > keep && n < SWEEP_BATCH)
		memcpy(keys[n++], soonest_key, KEY_LEN);
	return (int)n;
}

/* Drops tokens of `op_id` (see collect()) until a pass finds none. */
static void sweep(struct txn *t, uint64_t op_id, bool all, int64_t now,
		  size_t keep)
{
	uint8_t keys[SWEEP_BATCH][KEY_LEN];
	int n;
	while (!t->ret && (n = collect(t, op_id, all, now, keep, keys)) > 0)
		for (int i = 0; i < n; i++)
			txn_del(t, DB_RESUME_TOKENS, keys[i], KEY_LEN);
}

int tokens_issue(struct txn *t, uint64_t op_id, int64_t now, int64_t expires,
		 uint8_t token[TOKENS_BYTES])
{
	/* Room for the new one within the cap. */
	sweep(t, op_id, false, now, TOKENS_PER_OPERATOR - 1);
	randombytes_buf(token, TOKENS_BYTES);
	uint8_t hash[TOKENS_HASH_BYTES], key[KEY_LEN], val[8];
	tokens_hash(token, TOKENS_BYTES, hash);
	token_key(key, op_id, hash);
	key_time(val, expires);
	txn_put(t, DB_RESUME_TOKENS, key, sizeof(key), val, sizeof(val));
	return t->ret;
}

/*
 * The token itself is never compared: its BLAKE2b hash is the key looked
 * up, so the time a lookup takes depends on the hash of what the client
 * sent, which tells nothing about any stored token.
 */
int tokens_check(struct txn *t, uint64_t op_id, const uint8_t *token,
		 size_t len, int64_t now, int64_t *expires)
{
	uint8_t hash[TOKENS_HASH_BYTES], key[KEY_LEN];
	tokens_hash(token, len, hash);
	token_key(key, op_id, hash);
	struct txn_val v;
	int rc = txn_get(t, DB_RESUME_TOKENS, key, sizeof(key), &v);
	if (rc)
		return rc;
	int64_t exp = expiry_of(&v);
	if (exp <= now)
		return -ENOENT;
	*expires = exp;
	return 0;
}

void tokens_revoke(struct txn *t, uint64_t op_id,
		   const uint8_t hash[TOKENS_HASH_BYTES])
{
	uint8_t key[KEY_LEN];
	token_key(key, op_id, hash);
	txn_del(t, DB_RESUME_TOKENS, key, sizeof(key));
}

void tokens_revoke_all(struct txn *t, uint64_t op_id)
{
	sweep(t, op_id, true, 0, 0);
}

/* Whether the operator is still what the password check granted. */
static int still_granted(struct req *r, const char *credential)
{
	Clubcrm__Operator *op = NULL;
	int rc = rows_operator(r->t, r->a, r->who->operator_id, &op);
	struct txn_val v = { 0 };
	if (!rc) {
		uint8_t k[8];
		key_u64(k, op->id);
		rc = txn_get(r->t, DB_CREDENTIALS, k, sizeof(k), &v);
	}
	if (rc && rc != -ENOENT)
		return rc;
	if (rc || !credential || !op->active || op->role != r->who->role ||
	    v.len != strlen(credential) + 1 ||
	    memcmp(v.data, credential, v.len) != 0)
		return req_refuse(r, STATUS_UNAUTHENTICATED,
				  "wrong login or password");
	return 0;
}

int tokens_login(struct req *r, const Clubcrm__Login *in,
		 Clubcrm__LoginOk **out)
{
	int rc = still_granted(r, in->password);
	if (rc)
		return rc;
	Clubcrm__Settings *set = NULL;
	rc = rows_settings(r->t, r->a, &set);
	if (rc && rc != -ENOENT)
		return rc;
	int64_t expires = r->who->now +
			  (int64_t)tokens_session_hours(set) * 3600;
	Clubcrm__LoginOk *ok = arena_alloc(r->a, sizeof(*ok));
	uint8_t *token = arena_alloc(r->a, TOKENS_BYTES);
	if (!ok || !token)
		return -ENOMEM;
	clubcrm__login_ok__init(ok);
	rc = tokens_issue(r->t, r->who->operator_id, r->who->now, expires,
			  token);
	if (rc)
		return rc;
	ok->has_resume_token = ok->has_resume_expires = 1;
	ok->resume_token.data = token;
	ok->resume_token.len = TOKENS_BYTES;
	ok->resume_expires = expires;
	*out = ok;
	return 0;
}

int tokens_logout(struct req *r, const Clubcrm__Logout *in,
		  Clubcrm__Logout **out)
{
	if (!in->has_resume_token_hash ||
	    in->resume_token_hash.len != TOKENS_HASH_BYTES)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "no resume token to revoke");
	tokens_revoke(r->t, r->who->operator_id, in->resume_token_hash.data);
	Clubcrm__Logout *lo = arena_alloc(r->a, sizeof(*lo));
	if (!lo)
		return -ENOMEM;
	clubcrm__logout__init(lo);
	*out = lo;
	return r->t->ret;
}
