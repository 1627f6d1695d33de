#include "auth.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

/*
 * Argon2id at libsodium's interactive cost (~100 ms, 64 MiB). The fuzzing
 * build (CLUBCRM_FUZZ) takes the minimum instead: a harness that sets
 * passwords would otherwise spend its time hashing, not exploring.
 */
#ifdef CLUBCRM_FUZZ_BUILD
#define AUTH_OPSLIMIT crypto_pwhash_OPSLIMIT_MIN
#define AUTH_MEMLIMIT crypto_pwhash_MEMLIMIT_MIN
#else
#define AUTH_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define AUTH_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE
#endif

static pthread_once_t auth_once = PTHREAD_ONCE_INIT;
static int auth_ready = -EIO;
/* A hash of a random password: an unknown login is verified against it so
 * it costs what a known one does and the timing does not reveal logins. */
static char dummy_hash[AUTH_HASH_MAX];

static void auth_setup(void)
{
	if (sodium_init() < 0)
		return;
	char pw[33];
	unsigned char rnd[16];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (crypto_pwhash_str(dummy_hash, pw, strlen(pw),
			      AUTH_OPSLIMIT, AUTH_MEMLIMIT) != 0)
		return;
	auth_ready = 0;
}

int auth_init(void)
{
	pthread_once(&auth_once, auth_setup);
	return auth_ready;
}

int auth_hash(const char *password, char out[AUTH_HASH_MAX])
{
	int rc = auth_init();
	if (rc)
		return rc;
	/* Fails only when the memory limit cannot be allocated. */
	if (crypto_pwhash_str(out, password, strlen(password),
			      AUTH_OPSLIMIT, AUTH_MEMLIMIT) != 0)
		return -ENOMEM;
	return 0;
}

bool auth_verify(const char *hash, const char *password)
{
	if (auth_init())
		return false;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_verify_dummy(const char *password)
{
	if (auth_init())
		return;
	/* The answer is ignored: only the time spent matters. */
	if (crypto_pwhash_str_verify(dummy_hash, password, strlen(password)))
		return;
}
