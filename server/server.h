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
#include "net.h"
#include "subs.h"
#include "reader.h"
#include "writer.h"

/* Period of the live views' clock. */
#define SERVER_CLOCK_MS 1000u

struct login_work;
struct session;
struct web;

struct server {
	uv_loop_t *loop;
	const struct config *cfg;
	struct store *store;
	struct writer writer;
	struct reader reader;      /* long reads, one at a time */

	uv_signal_t sigint, sigterm;
	/* Runs once per loop pass, just before the loop may block: starts the
	 * next write batch and flushes every connection with queued output. */
	uv_prepare_t prepare;
	/* The clock of live views: overdue, reminders, escalation. */
	uv_timer_t clock;
	int64_t clock_at;          /* wall time the last tick covered */
	bool handles_open;

	/* Connections and their transports (TLS context included). */
	struct net net;
	struct web *web;           /* the browser's listener, or NULL */
	struct session *sessions;  /* open sessions (not yet closing) */
	unsigned n_sessions;
	/* Called by session/ when a session closed (server_init sets it):
	 * the daemon's shutdown may go on. An upcall, so that session/ does
	 * not call back into server.c. */
	void (*session_closed)(struct server *srv);
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
	/* For Welcome.web_url: --web-public-url, else the web listener's
	 * address when it names one host and port (not 0.0.0.0, not :0). */
	char web_url[300];
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

/* Reads the club name and time zone for Welcome from the settings. */
void server_refresh_club_info(struct server *srv);

#endif
