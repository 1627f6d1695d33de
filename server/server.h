/*
 * The one server context of clubcrmd: listeners, connections, the shared
 * read buffer, the group-commit writer, signals and shutdown. Everything the
 * daemon changes at run time lives here (no other global mutable state), and
 * only the loop thread touches it.
 */
#ifndef CLUBCRMD_SERVER_H
#define CLUBCRMD_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "login_throttle.h"
#include "subs.h"
#include "writer.h"

#define SERVER_READ_BUF (64u * 1024u)
/* Period of the live views' clock. */
#define SERVER_CLOCK_MS 1000u

struct conn;
struct login_work;
struct tls_ctx;

struct server {
	uv_loop_t *loop;
	const struct config *cfg;
	struct store *store;
	struct writer writer;

	uv_tcp_t tcp;
	uv_pipe_t pipe;
	bool tcp_open, pipe_open;
	uv_signal_t sigint, sigterm;
	/* Runs once per loop pass, just before the loop may block: starts the
	 * next write batch and flushes every connection with queued output. */
	uv_prepare_t prepare;
	/* The clock of live views: overdue, reminders, escalation. */
	uv_timer_t clock;
	int64_t clock_at;          /* wall time the last tick covered */
	bool handles_open;

	/* One read buffer for every connection: libuv reads into it and the
	 * frame reader copies out only what an incomplete frame needs. */
	uint8_t read_buf[SERVER_READ_BUF];
	bool read_buf_lent;
	/* TLS on the TCP listener (NULL: plain), and where each connection's
	 * decrypted bytes land before the session takes them. */
	struct tls_ctx *tls;
	uint8_t plain_buf[SERVER_READ_BUF];

	struct conn *conns;        /* open connections (not yet closing) */
	unsigned n_conns;
	uint64_t next_conn_id;
	struct conn *dirty;        /* connections with output to flush */
	struct conn *paused;       /* read their share of this pass */
	uint64_t pass;             /* loop passes (on_prepare) */
	struct subs_fanout fanout; /* live views' scratch, commit to commit */
	struct subs_spare spare;   /* snapshot chunk buffers, for reuse */

	unsigned logins_running;   /* service_login() on the thread pool */
	struct login_work *parked; /* logins held while the writer grows */
	struct login_throttle throttle; /* recent failed logins */
	/* Decoded requests in flight on every connection (session.c), the
	 * connections waiting for that memory, and whether a big release
	 * should be handed back to the system at the next clock tick. */
	uint64_t mem_decoded;
	unsigned mem_waiters;
	uint64_t mem_freed;        /* decoded bytes freed since the last trim */

	bool stopping;
	bool goaway_sent;

	/* For Welcome: from the settings, when the domain has them. */
	char club_name[256];
	char time_zone[128];
};

/* Sets up the context (no handle yet). 0 or a negative errno. */
int server_init(struct server *srv, uv_loop_t *loop, const struct config *cfg,
		struct store *st);
/*
 * Binds the listeners, installs the signal handlers, and prints the
 * "clubcrmd: listening on ..." lines. 0, or a negative errno (every handle
 * opened so far is closed again; run the loop once to finish closing).
 */
int server_start(struct server *srv);
/*
 * Graceful stop (SIGINT/SIGTERM): stop accepting and reading, let queued
 * writes commit and their replies go out, GoAway to everyone, close every
 * handle. uv_run() returns when it is done. A second call closes every
 * connection at once.
 */
void server_stop(struct server *srv);
/* After uv_run() returned. */
void server_fini(struct server *srv);

/* Loop-pass flush: called by connections with new output. */
void server_mark_dirty(struct server *srv, struct conn *c);
/* Reading stopped until the next loop pass (conn.c). */
void server_pause_reading(struct server *srv, struct conn *c);
/* Connection bookkeeping (conn.c). */
void server_conn_opened(struct server *srv, struct conn *c);
void server_conn_closed(struct server *srv, struct conn *c);
/* Login bookkeeping (session.c): whether a login may start now. */
bool server_login_may_start(struct server *srv);
void server_login_park(struct server *srv, struct login_work *lw);
void server_login_finished(struct server *srv);
/* Reads the club name and time zone for Welcome from the settings. */
void server_refresh_club_info(struct server *srv);

#endif
