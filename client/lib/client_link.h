/*
 * One connection attempt of a client: the libuv stream (TCP or unix socket),
 * its connect, the frame reader on its input and a write queue on its
 * output, with an optional TLS session (common/tls.h) between the stream and
 * the frames. It knows frames as bytes only; the client (client.c) decides
 * what they mean. A link is freed in the close callback of its last handle,
 * after telling its owner through on_closed.
 *
 * A failed write does not end the link at once: the server may have said
 * why in a GoAway just before closing, and that frame is still in our
 * socket. Reading goes on until the end of the stream (or LINK_DRAIN_MS),
 * so that the GoAway is delivered before on_lost; what is sent meanwhile is
 * dropped.
 */
#ifndef CLUBCRM_CLIENT_LINK_H
#define CLUBCRM_CLIENT_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "clubcrm.pb-c.h"

struct client_link;

struct client_link_ops {
	/* The connect finished: 0, or a negative libuv error. */
	void (*on_connected)(void *owner, struct client_link *l, int status);
	/*
	 * One complete frame payload (valid during the call). A negative
	 * return stops reading from this link; the owner closes it.
	 */
	int (*on_frame)(void *owner, const uint8_t *payload, size_t len);
	/*
	 * The stream ended: UV_EOF (also for a TLS close_notify), a negative
	 * libuv error, -EMSGSIZE for a frame length over the limit, -ENOMEM,
	 * -EKEYREJECTED (we refused the server's certificate) or -EPROTO (any
	 * other TLS failure; client_link_tls_error() says why for both), or
	 * -EPROTONOSUPPORT (a plain link got a TLS record: the server wants
	 * TLS). Not called once the owner asked for client_link_close().
	 */
	void (*on_lost)(void *owner, struct client_link *l, int err);
	/* The handle is closed; the link is freed right after this returns. */
	void (*on_closed)(void *owner, struct client_link *l);
};

/* After a write failed, how long reading may go on for a GoAway. */
#define LINK_DRAIN_MS 1000u

struct tls_ctx;

/*
 * Starts a TCP connect to `sa` or a unix-socket connect to `path` (exactly
 * one of them non-NULL). With `tls` (a client context), the stream carries
 * a TLS session: the handshake starts once connected, and bytes written
 * before it completes go out after it. Frames over `max_in` bytes from the
 * peer end the link. 0 or a negative errno; on success on_connected will be
 * called.
 */
int client_link_open(uv_loop_t *loop, const struct sockaddr *sa,
		     const char *path, struct tls_ctx *tls, uint32_t max_in,
		     const struct client_link_ops *ops, void *owner,
		     struct client_link **out);

/* Why the TLS session failed ("certificate verify failed: ..."), or "". */
const char *client_link_tls_error(const struct client_link *l);

/*
 * Stops reading until the loop's next turn (a 0 ms timer starts it again,
 * before that turn waits for input): what the owner made of the frames so
 * far can be drawn first. libuv reads up to 32 times 64 KiB in one turn,
 * so a board's snapshot could be decoded 2 MiB at a time before the
 * screen's first draw. The frames left in the current read are still
 * handed over. Nothing once the input ended or the link closes.
 */
void client_link_yield(struct client_link *l);

/* Changes the largest frame accepted from the peer. */
void client_link_set_max_in(struct client_link *l, uint32_t max_in);

/* Queues raw bytes (the preface). 0, -ENOMEM, or -EPIPE once closing. */
int client_link_write(struct client_link *l, const void *data, size_t len);

/* Encodes and queues one frame. 0, -ENOMEM, -EMSGSIZE or -EPIPE. */
int client_link_send(struct client_link *l, const Clubcrm__Frame *f);

/* Closes the link (idempotent). Queued output not yet written is dropped. */
void client_link_close(struct client_link *l);

#endif
