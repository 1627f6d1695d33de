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
#include <uv.h>

#include "outq.h"
#include "transport.h"

/* A draining peer that does not take its last frames is closed after
 * this long. */
#define TRANSPORT_LINGER_MS 2000

/* What the shared code needs of a transport. */
struct transport_impl {
	/* Output was queued, or the connection drains: have the output
	 * written (now or at the pass's flush). */
	void (*kick)(struct transport *t);
	/* Whether the closes the shared code makes on a failure (out of
	 * memory, a timer error, a peer past its linger) are resets. */
	bool fail_reset;
	/* Said after the peer and tag in its log lines: "" or "web: ". */
	const char *log_kind;
};

/* Sets up the common part: ops, the shared code's `impl`, the output
 * queue `out` (the transport's), its loop, the log id, the output bound,
 * tag "-". */
void transport_init(struct transport *t, const struct transport_ops *ops,
		    const struct transport_impl *impl, struct outq *out,
		    uv_loop_t *loop, uint64_t id, size_t max_output);

/*
 * transport_send() and transport_send_copy() (transport.h, "Output
 * bound"), the same for every transport: queue on t->out and kick, or fail
 * with -EPIPE when closing, or drop the connection (reset, logged with the
 * tag) with -ENOBUFS when the queued bytes (ops->queued) would pass
 * max_output or memory runs out. transport_drain(): no more input; the
 * output is kicked and the timer set for the end of the linger
 * (TRANSPORT_LINGER_MS).
 */
/* (Re)arms the transport's `timer` (callback `cb`) for the owner's next
 * deadline, or for the linger's end while draining; never for 0 ms (a
 * timer re-armed for "now" from its callback would run again in the same
 * pass, before the loop time moves). A libuv error closes. */
void transport_arm_timer(struct transport *t, uv_timer_t *timer,
			 uv_timer_cb cb);
/* The timer ran: a draining peer past its linger is closed, else the
 * owner hears of its deadline; then re-armed. */
void transport_timer_fired(struct transport *t, uv_timer_t *timer,
			   uv_timer_cb cb);

/* The transport starts closing (it was not): sends fail from now on, it
 * drains no more, the close is logged and the owner told (on_closed).
 * Its handles are the caller's. */
void transport_set_closing(struct transport *t, bool reset);

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
