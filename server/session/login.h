/*
 * Login of a session: the password check (Argon2id, ~100 ms) runs on libuv's
 * thread pool so the loop never waits for it, then the writer stores a
 * resume token (tokens.h) that LoginOk carries; a Login with that token
 * instead of a password is a hash lookup on the loop thread. A failed login
 * is answered only --login-backoff-ms after it arrived, or later after repeated failures
 * (login_throttle.h), from the connection's timer, not a sleep, and the
 * session takes no other frame meanwhile. A login with too many recent
 * failures from one address is refused (UNAVAILABLE) from there without a
 * check; other logins from that address are not.
 */
#ifndef CLUBCRMD_LOGIN_H
#define CLUBCRMD_LOGIN_H

#include <stdint.h>
#include <uv.h>

#include "arena.h"
#include "clubcrm.pb-c.h"
#include "service.h"

struct session;

/* A login being checked (holds a reference on its connection). */
struct login_work {
	uv_work_t req;
	struct login_work *next;  /* server's parked list */
	struct session *sess;
	uint64_t request_id;
	uint64_t started_ms;
	char *login;
	char *password;           /* or a resume token (tokens.h): */
	uint8_t *token;
	size_t token_len;
	int64_t token_expires;    /* the token's, once it was checked */
	struct arena arena;       /* the grant's records */
	struct service_login_grant grant;  /* what the check read */
	int status;
};

/*
 * Handles a Login frame, decoded from the `raw_len` bytes at `raw`: refuses
 * a second login or a malformed one (a control character, NUL included, in
 * the login or password: seen in `raw`), else starts the check (or parks
 * it while the writer grows the map).
 */
void login_request(struct session *c, const Clubcrm__Frame *f,
		   const uint8_t *raw, size_t raw_len);

/*
 * Handles Logout: the session's resume token is revoked through the writer
 * (durably, before the answer), then the GoAway "logged out" answers it.
 */
void login_logout(struct session *c, uint64_t request_id);

struct service_write_op;
/*
 * Writer callback for the server's own Login (the token issued after a
 * password check: `owner` is the login_work) and Logout (the revocation:
 * `owner` is the conn) requests.
 */
struct buf;
void login_write_done(void *owner, struct service_write_op *op,
		      struct buf *wire);

struct server;
struct service_write_op;
/*
 * After a commit: the sessions of an operator who was deactivated, whose
 * role changed or whose password an admin reset end with a GoAway saying
 * why (a login is checked once; this keeps it true afterwards).
 */
void login_on_commit(struct server *srv, const struct service_write_op *op);

#endif
