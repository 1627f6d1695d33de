/*
 * Resume tokens: a LoginOk after a password check issues 32 random bytes; a
 * later Login of the same operator may give them instead of the password
 * (a reconnect after a restart costs a hash lookup, not an Argon2id check).
 *
 * Only BLAKE2b(token) is stored, under the operator's id, with the expiry
 * (now + the club's session_hours): whoever reads the database cannot log
 * in with what they read, and a token is only ever found for the operator
 * it was issued to. A token goes on Logout of its session, and all of an
 * operator's go on deactivation, a role change or a password change. An
 * operator keeps at most TOKENS_PER_OPERATOR; issuing drops that
 * operator's expired ones, then the soonest to expire beyond the cap.
 */
#ifndef CLUBCRM_TOKENS_H
#define CLUBCRM_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"
#include "req.h"
#include "txn.h"

#define TOKENS_BYTES 32u
#define TOKENS_HASH_BYTES 32u
#define TOKENS_PER_OPERATOR 256u
#define TOKENS_HOURS_DEFAULT 12u
#define TOKENS_HOURS_MIN 1u
#define TOKENS_HOURS_MAX 72u

/* How long a token lives, in hours: the setting, or the default. */
uint32_t tokens_session_hours(const Clubcrm__Settings *s);

/* BLAKE2b-256 of a token (any length: a wrong one just matches nothing). */
void tokens_hash(const uint8_t *token, size_t len,
		 uint8_t out[TOKENS_HASH_BYTES]);

/*
 * Stores a new random token of `op_id`, expiring at `expires`, into
 * `token`; drops the operator's expired tokens and those beyond the cap.
 * 0 or the txn's error.
 */
int tokens_issue(struct txn *t, uint64_t op_id, int64_t now, int64_t expires,
		 uint8_t token[TOKENS_BYTES]);

/*
 * Whether `token` is a live token of `op_id` at `now`: 0 and its expiry,
 * -ENOENT (unknown, another operator's, or expired), or the txn's error.
 */
int tokens_check(struct txn *t, uint64_t op_id, const uint8_t *token,
		 size_t len, int64_t now, int64_t *expires);

/* Revokes one token of `op_id` by its hash. Missing is fine. */
void tokens_revoke(struct txn *t, uint64_t op_id,
		   const uint8_t hash[TOKENS_HASH_BYTES]);

/* Revokes every token of `op_id`. */
void tokens_revoke_all(struct txn *t, uint64_t op_id);

/*
 * The writer's side of a login (a Login request the server itself queues
 * once a password was checked): the operator must still be active, with
 * the role in r->who and the credential in->password (the Argon2id hash
 * string the check matched: never a client's password); then a token is
 * issued into a LoginOk. UNAUTHENTICATED when the operator changed since.
 */
int tokens_login(struct req *r, const Clubcrm__Login *in,
		 Clubcrm__LoginOk **out);

/* The writer's side of a Logout: revokes in->resume_token_hash. */
int tokens_logout(struct req *r, const Clubcrm__Logout *in,
		  Clubcrm__Logout **out);

#endif
