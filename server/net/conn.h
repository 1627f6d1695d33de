/*
 * One client connection: its libuv stream and timer, the bounded output
 * queue, backpressure, and its close. The protocol is session.c's.
 *
 * Lifetime: a connection is freed when its last reference goes: each open
 * handle holds one (so it is freed in the close callback of its last
 * handle), and so does every piece of work that will come back to it (a
 * login on the thread pool, a request in the writer, a pending flush).
 */
#ifndef CLUBCRMD_CONN_H
#define CLUBCRMD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "buf.h"
#include "clubcrm.pb-c.h"
#include "session.h"

struct server;
struct tls_session;

/* Frames waiting for a write, or in the write in flight. */
struct outq {
	struct buf *v;
	size_t n, cap;
	size_t bytes;
};

struct conn {
	struct server *srv;
	uint64_t id;
	char peer[64];             /* for the logs */
	union {
		uv_handle_t handle;
		uv_stream_t stream;
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	} h;
	uv_timer_t timer;
	struct tls_session *tls;   /* TLS on this connection, or NULL */
	bool tls_bye;              /* close_notify queued */
	unsigned refs;
	struct conn *prev, *next;  /* server's open list */
	struct conn *dirty_next;   /* server's flush list */
	bool dirty;

	bool reading;
	/* Fairness: bytes read in the current loop pass; past
	 * CONN_READ_PER_PASS the connection waits for the next pass (on the
	 * server's `paused` list) so others, and their pings, get a turn. */
	size_t pass_read;
	uint64_t pass;
	bool pass_paused;
	struct conn *paused_next;
	bool draining;             /* no more input; close once flushed */
	bool closing;              /* handles are closing */
	uint64_t linger_deadline_ms;

	struct outq out;           /* queued, not yet written */
	struct outq wr;            /* in the uv_write in flight */
	uv_buf_t *iov;
	size_t iov_cap;
	uv_write_t write_req;
	bool writing;

	struct session sess;
};

/*
 * Accepts a pending connection of `listener` (a uv_tcp_t or uv_pipe_t
 * listening). 0 or a negative errno.
 */
int conn_accept(struct server *srv, uv_stream_t *listener);

void conn_ref(struct conn *c);
void conn_unref(struct conn *c);

/*
 * Queues encoded frames for the peer, taking the memory of `b` (left
 * empty). Over the output bound the connection is dropped. 0, -EPIPE when
 * the connection is closing, -ENOBUFS when it was dropped.
 */
int conn_send_buf(struct conn *c, struct buf *b);
/*
 * Queues a copy of `head` then `body` (together whole frames), appended to
 * the last queued buffer while that stays small, so that many small pushes
 * cost neither a buffer nor an iovec each. Same bound and results as
 * conn_send_buf().
 */
int conn_send_copy(struct conn *c, const void *head, size_t head_len,
		   const void *body, size_t body_len);
/* Encodes and queues one frame. */
int conn_send_frame(struct conn *c, const Clubcrm__Frame *f);
/* Sends GoAway{code, reason}, then closes once it is written. */
void conn_goaway(struct conn *c, unsigned code, const char *reason);
/* Stops input; closes once the output is written and no request is left. */
void conn_drain(struct conn *c);
/* Closes at once (queued output is dropped). */
void conn_close(struct conn *c);
/* Closes at once with a reset (TCP): for a peer dropped because it does not
 * read, whose unsent bytes would otherwise linger in the kernel. */
void conn_abort(struct conn *c);

/* Writes everything queued in one uv_write (the server's loop-pass flush). */
void conn_flush(struct conn *c);
/* Starts or stops reading as the session and the output allow. */
void conn_update_reading(struct conn *c);
/* (Re)arms the connection's timer for the session's next deadline. */
void conn_arm_timer(struct conn *c);
/* Bytes queued or being written. */
size_t conn_output_bytes(const struct conn *c);
/* Output over this stops reading until it drains. */
size_t conn_output_soft_limit(const struct conn *c);
/* A new loop pass: a connection paused for its share reads again. */
void conn_pass_resume(struct conn *c);
/* Closes when draining and everything is done. */
void conn_maybe_finish(struct conn *c);

#endif
