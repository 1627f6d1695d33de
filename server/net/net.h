/*
 * The net layer of clubcrmd: connections over libuv streams (TCP, a unix
 * socket, TLS on TCP) as transports (transport.h), and the loop-pass work
 * they share: one read buffer for all, a read share per connection per
 * pass, and one write per connection per pass. It knows nothing of
 * sessions: a new connection is handed to `on_accept`, which becomes its
 * owner. Only the loop thread touches it. Errors: 0 or a negative errno.
 */
#ifndef CLUBCRMD_NET_H
#define CLUBCRMD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "transport.h"

#define NET_READ_BUF (64u * 1024u)

struct conn;
struct tls_ctx;

/* A new connection: the callee sets t->up and t->owner, or closes it. */
typedef void (*net_accept_cb)(void *ctx, struct transport *t);

/* A calendar feed request waiting for its answer (web.c owns it). */
struct net_feed;

/*
 * A calendar feed asked for on the web listener (web.c): the secret of
 * "/feed/<secret>.ics" as sent (unchecked). The callee answers `f` with
 * net_feed_answer(), at once or later on the loop thread, exactly once,
 * and returns 0; or returns without answering: -ENOENT for no such feed
 * (404: malformed, unknown, rotated or of a deactivated operator, all
 * alike), -EBUSY when too many feeds are being built (503, try again),
 * another negative errno when it cannot be read (500).
 */
typedef int (*net_feed_cb)(void *ctx, const char *secret, size_t len,
			   struct net_feed *f);

/*
 * The answer to a feed request: 0 and the iCalendar text in `body`
 * (malloc'ed: taken, also on failure), or a negative errno as above. When
 * the request's connection went meanwhile, it only frees.
 */
void net_feed_answer(struct net_feed *f, int rc, char *body, size_t len);

struct net {
	uv_loop_t *loop;
	struct tls_ctx *tls;       /* TLS on TCP connections, or NULL */
	size_t max_output;         /* each connection's output bound */
	net_accept_cb on_accept;
	void *ctx;
	net_feed_cb on_feed;       /* NULL: every feed is 404 */
	uv_tcp_t tcp;              /* listeners (listen.c) */
	uv_pipe_t pipe;
	bool tcp_open, pipe_open;
	bool listeners_closed;     /* no more accepts */
	char socket_path[108];     /* the unix socket, removed at close */
	uint64_t next_id;
	uint64_t pass;             /* loop passes (net_pass_begin) */
	struct conn *dirty;        /* connections with output to flush */
	struct conn *paused;       /* read their share of this pass */
	/* Writes that went out whole at once (conn.c, uv_try_write): their
	 * completion runs at the next pass, as a uv_write's would, from
	 * `done_idle` (which keeps the loop from blocking meanwhile). */
	struct conn *done;
	uv_idle_t done_idle;
	bool done_idle_init, done_idle_closed;
	/* One read buffer for every connection: libuv reads into it and the
	 * frame reader copies out only what an incomplete frame needs. */
	uint8_t read_buf[NET_READ_BUF];
	bool read_buf_lent;
	/* Where a TLS connection's decrypted bytes land before its owner
	 * takes them. */
	uint8_t plain_buf[NET_READ_BUF];
};

void net_init(struct net *n, uv_loop_t *loop, size_t max_output,
	      net_accept_cb on_accept, void *ctx);
/*
 * Listens on `addr` (`name` is how the logs call it) and prints the
 * "clubcrmd: listening on IP:PORT" line with the port bound. 0 or a
 * negative errno (logged; net_close_listeners() closes what was opened).
 */
int net_listen_tcp(struct net *n, const struct sockaddr *addr,
		   const char *name);
/* Listens on a unix socket at `path` (a stale file of a dead server is
 * removed, a live one refused), mode 0660; prints "listening on unix:". */
int net_listen_unix(struct net *n, const char *path);
/* Stops accepting: closes the listeners, removes the socket file. */
void net_close_listeners(struct net *n);
/* Accepts a pending connection of `listener` (a uv_tcp_t or uv_pipe_t
 * listening) and hands it to on_accept. 0 or a negative errno. */
int net_accept(struct net *n, uv_stream_t *listener);
/* A new loop pass: connections paused for their share read again. */
void net_pass_begin(struct net *n);
/* Writes every connection's queued output, one write each. */
void net_flush(struct net *n);
/* At shutdown: forgets the marks of the last pass (they hold references)
 * and closes the net's own handle. */
void net_forget(struct net *n);

#endif
