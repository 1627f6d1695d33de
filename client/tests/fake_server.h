/*
 * A scripted stand-in for clubcrmd, for the client library's own tests: a
 * thread with blocking sockets that accepts one connection and runs a
 * script (a function) against it, so the tests can make the server do what
 * the real one rarely does (ping, push, answer out of order, send garbage).
 */
#ifndef CLUBCRM_FAKE_SERVER_H
#define CLUBCRM_FAKE_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"

struct fake_server;
typedef void (*fake_script)(struct fake_server *fs);

struct fake_server {
	int listen_fd;
	int fd;                /* the accepted connection, or -1 */
	char address[128];     /* what the client connects to */
	char path[108];        /* unix socket path, "" for TCP */
	fake_script script;
	void *arg;             /* for the script */
	uint32_t heartbeat_ms; /* announced in Welcome when not 0 */
	pthread_t thread;
	bool failed;           /* the script saw something unexpected */
	char why[256];
};

/*
 * Listens on a unix socket in /tmp (tcp false) or on 127.0.0.1:0 (tcp
 * true; the address then says "localhost:PORT" so that the client resolves
 * a name) and starts the thread. 0 or -1.
 */
int fake_start(struct fake_server *fs, bool tcp, fake_script script,
	       void *arg);
/* Joins the thread and closes everything. false when the script failed. */
bool fake_finish(struct fake_server *fs);

/* Script helpers; each marks fs->failed on a mismatch. */
/* Reads the preface and Hello, answers Welcome; then Login -> LoginOk. */
bool fake_handshake(struct fake_server *fs, bool login);
/* The next frame (NULL on EOF/garbage); free_unpacked it. */
Clubcrm__Frame *fake_recv(struct fake_server *fs);
void fake_send(struct fake_server *fs, const Clubcrm__Frame *f);
void fake_send_raw(struct fake_server *fs, const void *data, size_t len);
/* An Error reply. */
void fake_send_error(struct fake_server *fs, uint64_t rid, unsigned code,
		     const char *message);
/* A GoAway push. */
void fake_send_goaway(struct fake_server *fs, unsigned code,
		      const char *reason);
/* A whole snapshot of subscription `sub_id`: the one chunk `c` (its
 * sub_id set here), then SnapshotDone at `revision`. */
void fake_send_snapshot(struct fake_server *fs, uint32_t sub_id,
			Clubcrm__SnapshotChunk *c, uint64_t revision);
/* "Going away" (UNAVAILABLE, "bye"), then our end shut: the client is
 * expected to close its own within 5 s. */
void fake_say_bye(struct fake_server *fs);
/* Closes the current connection and accepts the client's next one. */
bool fake_accept(struct fake_server *fs);
/* The next frame, which must be a Login (NULL and failed otherwise). */
Clubcrm__Frame *fake_expect_login(struct fake_server *fs);
/* LoginOk to request `rid`, issuing `token` (NULL: none). */
void fake_send_login_ok(struct fake_server *fs, uint64_t rid,
			const char *login, const uint8_t *token,
			size_t token_len);
/* Reads (and drops) frames until the client's Logout or its EOF, then
 * closes the connection: the end of a script whose client closes. */
void fake_until_logout(struct fake_server *fs);
/* True when the client closed its end (EOF) within timeout_ms. */
bool fake_wait_eof(struct fake_server *fs, unsigned timeout_ms);
void fake_fail(struct fake_server *fs, const char *why);

#endif
