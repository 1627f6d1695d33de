/* Passwords: Argon2id (libsodium crypto_pwhash_str, interactive limits). */
#ifndef CLUBCRM_AUTH_H
#define CLUBCRM_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include <sodium.h>

#define AUTH_HASH_MAX crypto_pwhash_STRBYTES

/* Initialises libsodium once (thread-safe). 0 or -EIO. */
int auth_init(void);
/* Hashes a password into `out` (AUTH_HASH_MAX bytes). 0, -ENOMEM or -EIO. */
int auth_hash(const char *password, char out[AUTH_HASH_MAX]);
/* Constant-time check of a password against a stored hash. */
bool auth_verify(const char *hash, const char *password);
/* Spends the time of one verification, for unknown logins. */
void auth_verify_dummy(const char *password);

#endif
