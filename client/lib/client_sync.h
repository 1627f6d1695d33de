/*
 * Synchronous use of the client library, for the command line and the
 * tests: a private libuv loop that runs until the awaited answer came (or a
 * time limit passed). Functions return a status code (common/status.h):
 * STATUS_OK, or the failure's code with its message in *st.
 */
#ifndef CLUBCRM_CLIENT_SYNC_H
#define CLUBCRM_CLIENT_SYNC_H

#include <stdbool.h>

#include "client.h"

#define CLIENT_SYNC_TIMEOUT_MS 30000u

struct client_sync;

struct client_sync_options {
	const char *address;        /* see client_config */
	const char *login;          /* NULL: handshake only, no login */
	const char *password;
	Clubcrm__ClientKind kind;   /* 0: CLI */
	const char *terminal_name;
	unsigned timeout_ms;        /* per call, the open's connect and login
				       included; 0: CLIENT_SYNC_TIMEOUT_MS
				       (and the library's 10 s to log in) */
	const char *ca_file;        /* TLS: see client_config */
	const char *server_name;
};

/*
 * Connects, does the handshake and logs in. STATUS_OK and *out, or the code
 * (UNAVAILABLE when the server cannot be reached, UNAUTHENTICATED for a bad
 * login, ...) with *out NULL and everything freed.
 */
unsigned client_sync_open(const struct client_sync_options *o,
			  struct client_sync **out, struct client_status *st);

/*
 * Sends `req` (its request_id is set here) and waits for the reply.
 * STATUS_OK with *reply the answer; or the failure's code, with *reply the
 * Error frame when the server sent one (e.g. for Error.current), else NULL.
 * The caller frees a non-NULL *reply with clubcrm__frame__free_unpacked(r,
 * NULL). A reply late past the time limit is DEADLINE_EXCEEDED (and is
 * dropped when it comes).
 */
unsigned client_sync_call(struct client_sync *s, Clubcrm__Frame *req,
			  Clubcrm__Frame **reply, struct client_status *st);

/*
 * Runs the loop until the connection ends or `timeout_ms` passes.
 * STATUS_OK when it ended (*st then says why), DEADLINE_EXCEEDED when not.
 */
unsigned client_sync_wait_end(struct client_sync *s, unsigned timeout_ms,
			      struct client_status *st);

/* True when a GoAway came; its code in *code (may be NULL). */
bool client_sync_got_goaway(const struct client_sync *s, unsigned *code);

/* The underlying client (for its Welcome, operator, state). */
struct client *client_sync_client(struct client_sync *s);

/* Closes the connection and frees everything. NULL is fine. */
void client_sync_close(struct client_sync *s);

/* The same after ending the session with Logout (client_logout_close():
 * waits for the server's answer, 2 s at most). NULL is fine. */
void client_sync_logout_close(struct client_sync *s);

#endif
