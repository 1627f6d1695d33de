#include "feeds.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "rows.h"
#include "status.h"
#include "tokens.h"

/* DB_FEEDS holds two kinds of keys, told apart by their length: a hash
 * (32 bytes) -> the operator's id (8), and an id (8) -> its hash (32). */

static bool secret_chars(const char *s, size_t len)
{
	if (len != FEEDS_SECRET_CHARS)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

int feeds_lookup(struct txn *t, const char *secret, size_t len,
		 uint64_t *op_id)
{
	uint8_t raw[FEEDS_SECRET_BYTES];
	size_t got = 0;
	if (!secret_chars(secret, len) ||
	    sodium_base642bin(raw, sizeof(raw), secret, len, NULL, &got,
			      NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    got != sizeof(raw))
		return -ENOENT;
	uint8_t hash[TOKENS_HASH_BYTES];
	tokens_hash(raw, sizeof(raw), hash);
	sodium_memzero(raw, sizeof(raw));
	struct txn_val v;
	int rc = txn_get(t, DB_FEEDS, hash, sizeof(hash), &v);
	if (rc)
		return rc;
	if (v.len != 8)
		return -ENOENT;
	uint64_t id = key_get_u64(v.data);
	/* The operator's own entry must name this hash: a pair half written
	 * by some older bug must not keep a rotated URL alive. */
	uint8_t k[8];
	key_u64(k, id);
	rc = txn_get(t, DB_FEEDS, k, sizeof(k), &v);
	if (rc)
		return rc;
	if (v.len != sizeof(hash) || sodium_memcmp(v.data, hash,
						   sizeof(hash)) != 0)
		return -ENOENT;
	*op_id = id;
	return 0;
}

void feeds_revoke(struct txn *t, uint64_t op_id)
{
	uint8_t k[8], hash[TOKENS_HASH_BYTES];
	key_u64(k, op_id);
	struct txn_val v;
	if (txn_get(t, DB_FEEDS, k, sizeof(k), &v) != 0)
		return;  /* none (or the txn's error, kept in t->ret) */
	bool whole = v.len == sizeof(hash);
	if (whole)
		memcpy(hash, v.data, sizeof(hash));
	txn_del(t, DB_FEEDS, k, sizeof(k));
	if (whole)
		txn_del(t, DB_FEEDS, hash, sizeof(hash));
}

int feeds_rotate(struct req *r, const Clubcrm__RotateFeed *in,
		 Clubcrm__FeedReply **out)
{
	uint64_t id = in->operator_id ? in->operator_id : r->who->operator_id;
	if (id != r->who->operator_id &&
	    r->who->role != CLUBCRM__ROLE__ROLE_ADMIN)
		return req_refuse(r, STATUS_PERMISSION_DENIED,
				  "only admins may make another operator's "
				  "calendar feed");
	Clubcrm__Operator *op = NULL;
	int rc = rows_operator(r->t, r->a, id, &op);
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "unknown operator %llu",
				  (unsigned long long)id);
	if (rc)
		return rc;
	if (!op->active)
		return req_refuse(r, STATUS_FAILED_PRECONDITION,
				  "operator %s is deactivated", op->login);
	feeds_revoke(r->t, id);

	uint8_t raw[FEEDS_SECRET_BYTES], hash[TOKENS_HASH_BYTES], k[8],
		idv[8];
	randombytes_buf(raw, sizeof(raw));
	tokens_hash(raw, sizeof(raw), hash);
	char secret[FEEDS_SECRET_CHARS + 1];
	sodium_bin2base64(secret, sizeof(secret), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	key_u64(k, id);
	key_u64(idv, id);
	txn_put(r->t, DB_FEEDS, hash, sizeof(hash), idv, sizeof(idv));
	txn_put(r->t, DB_FEEDS, k, sizeof(k), hash, sizeof(hash));
	if (r->t->ret)
		return r->t->ret;

	Clubcrm__FeedReply *fr = arena_alloc(r->a, sizeof(*fr));
	size_t plen = sizeof(FEEDS_PATH_PREFIX) + FEEDS_SECRET_CHARS +
		      sizeof(FEEDS_PATH_SUFFIX);
	char *path = arena_alloc(r->a, plen);
	if (!fr || !path)
		return -ENOMEM;
	clubcrm__feed_reply__init(fr);
	snprintf(path, plen, FEEDS_PATH_PREFIX "%s" FEEDS_PATH_SUFFIX, secret);
	sodium_memzero(secret, sizeof(secret));
	fr->has_operator_id = 1;
	fr->operator_id = id;
	fr->path = path;
	fr->has_revision = 1;
	fr->revision = txn_revision(r->t);
	*out = fr;
	return 0;
}
