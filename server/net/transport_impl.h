/*
 * For the transports themselves (conn.c, web_conn.c), not their owners:
 * the rules every transport follows written once (transport.c), so that
 * a send, the output bound and a finished buffer mean the same on TCP and
 * on a WebSocket. Each transport keeps its own write and close mechanics
 * and tells the shared code of them through a struct transport_impl.
 */
#ifndef CLUBCRMD_TRANSPORT_IMPL_H
#define CLUBCRMD_TRANSPORT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "outq.h"
#include "transport.h"

/* What the shared send needs of a transport. */
struct transport_impl {
	/* Output was queued: have it written (now or at the pass's flush). */
	void (*kick)(struct transport *t);
	/* Out of memory for output: whether the close is a reset. */
	bool oom_reset;
	/* Said after the peer and tag in its log lines: "" or "web: ". */
	const char *log_kind;
};

/* Sets up the common part: ops, the shared send's `impl`, the output
 * queue `out` (the transport's), the log id, the output bound, tag "-". */
void transport_init(struct transport *t, const struct transport_ops *ops,
		    const struct transport_impl *impl, struct outq *out,
		    uint64_t id, size_t max_output);

/* The send ops of every transport (transport.h, "Output bound"): queue on
 * t->out and kick, or fail with -EPIPE when closing, or drop the
 * connection (reset, logged with the tag) with -ENOBUFS when the queued
 * bytes (ops->queued) would pass max_output or memory runs out. */
int transport_queue_buf(struct transport *t, struct buf *b);
int transport_queue_copy(struct transport *t, const void *head,
			 size_t head_len, const void *body, size_t body_len);

/* The transport (a struct transport *) is done with `b`: back to the
 * owner for reuse, or freed when it has none (an outq_done_fn). */
void transport_buf_done(void *transport, struct buf *b);

/* The owner's answers, false while it has none. */
bool transport_up_wants_input(const struct transport *t);
bool transport_up_busy(const struct transport *t);

/* Writes the peer's address into t->peer, as every transport writes it
 * ("1.2.3.4:5", "[::1]:5", "?"), so logs and the login throttle see one
 * peer whatever transport it uses. */
void transport_name_peer(struct transport *t,
			 const struct sockaddr_storage *ss);

#endif
