/*
 * The transport interface: what session/ sees of a connection, whatever
 * carries its bytes (TCP, a unix socket, TLS over either: conn.c; the
 * browser's WebSocket: web_conn.c). A transport moves whole frames'
 * bytes, bounds its queued output, and tells its owner (the session) what
 * happened through a small table of callbacks; it knows nothing of the
 * protocol.
 *
 *   owner --ops-->  transport:  queued, flush, close, maybe_finish,
 *                               update_reading, arm_timer, ref/unref
 *   owner ---->     transport.c: send, send_copy, drain (the same rules for
 *                               every transport, over the ops above)
 *   transport --up--> owner:    on_data, on_drained, on_timer, next_deadline,
 *                               wants_input, busy, on_closed, on_free,
 *                               buf_written
 *
 * Errors: 0 or a negative errno. Lifetime: a transport is freed when its
 * last reference goes (its open handles hold one each; its owner takes one
 * for every piece of work that will come back to it); on_free then tells
 * the owner, which frees its part. After on_closed the owner sends nothing
 * more (sends fail with -EPIPE) but may still hold references.
 *
 * Output bound: a send that would take the queued bytes past `max_output`
 * drops the connection (reset, logged with `tag`) and fails with -ENOBUFS,
 * so every transport enforces the slow-consumer rule the same way: both
 * send ops are transport.c's (transport_impl.h), over the transport's
 * output queue (outq.h).
 */
#ifndef CLUBCRMD_TRANSPORT_H
#define CLUBCRMD_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct transport;
struct transport_impl;
struct outq;
struct uv_loop_s;

/* What a transport does; called by its owner on the loop thread. */
struct transport_ops {
	/* Bytes queued or being written: the backpressure gauge. */
	size_t (*queued)(const struct transport *t);
	/* Writes what is queued now, unless a write is in flight. */
	void (*flush)(struct transport *t);
	/* Closes at once, dropping queued output; `reset`: with a TCP reset
	 * (for a peer that does not read). */
	void (*close)(struct transport *t, bool reset);
	/* Closes if draining and nothing is left to do. */
	void (*maybe_finish)(struct transport *t);
	/* Starts or stops reading as the owner and the output allow. */
	void (*update_reading)(struct transport *t);
	/* (Re)arms the timer for the owner's next deadline. */
	void (*arm_timer)(struct transport *t);
	void (*ref)(struct transport *t);
	void (*unref)(struct transport *t);
};

/* What the owner is told; called by the transport on the loop thread. */
struct transport_upcalls {
	/* Bytes from the peer (any split). */
	void (*on_data)(void *owner, const uint8_t *data, size_t len);
	/* A write completed: output has room again. */
	void (*on_drained)(void *owner);
	/* The owner's deadline passed. */
	void (*on_timer)(void *owner);
	/* When the owner next needs on_timer (loop ms). */
	uint64_t (*next_deadline)(void *owner);
	/* Whether the owner takes more input now. */
	bool (*wants_input)(void *owner);
	/* Whether work of the owner is still running (a drain waits). */
	bool (*busy)(void *owner);
	/* The connection is closing: nothing more goes out. */
	void (*on_closed)(void *owner);
	/* The last reference went: the owner frees its part. */
	void (*on_free)(void *owner);
	/* The transport is done with an output buffer (written or dropped);
	 * the owner may keep it for reuse. Empty afterwards. */
	void (*buf_written)(void *owner, struct buf *b);
};

struct transport {
	const struct transport_ops *ops;
	const struct transport_upcalls *up;   /* NULL until owned */
	void *owner;
	uint64_t id;               /* for the logs */
	char peer[64];             /* the peer's address, for the logs */
	char tag[64];              /* who is on it, set by the owner */
	bool tls;                  /* encrypted: nothing goes out before the
				      peer's handshake */
	bool closing;              /* closing or closed: sends fail */
	bool draining;             /* no more input; closes once flushed */
	size_t max_output;         /* the output bound */
	/* The transport's own: its side of the shared send (transport.c)
	 * and its output queue. Not the owner's business. */
	const struct transport_impl *impl;
	struct outq *out;
	struct uv_loop_s *loop;
	uint64_t linger_deadline_ms; /* draining: closes by then */
};

/* Queues whole frames, taking the memory of `b` (left empty). 0, -EPIPE
 * when closing, -ENOBUFS when the connection was dropped. */
int transport_send(struct transport *t, struct buf *b);
/* Queues a copy of `head` then `body` (together whole frames). */
int transport_send_copy(struct transport *t, const void *head,
			size_t head_len, const void *body, size_t body_len);
/* Stops input; closes once the output is written and the owner is no
 * longer busy (or after a linger time). */
void transport_drain(struct transport *t);

static inline size_t transport_queued(const struct transport *t)
{
	return t->ops->queued(t);
}

/* Output over this stops reading until it drains. */
static inline size_t transport_soft_limit(const struct transport *t)
{
	return t->max_output / 4;
}

/* Neither closing nor draining: input is taken, output goes out. */
static inline bool transport_live(const struct transport *t)
{
	return !t->closing && !t->draining;
}

#endif
