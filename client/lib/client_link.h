/*
 * One connection attempt of a client: the libuv stream (TCP or unix socket),
 * its connect, the frame reader on its input and a write queue on its
 * output. It knows frames as bytes only; the client (client.c) decides what
 * they mean. A link is freed in its handle's close callback, after telling
 * its owner through on_closed.
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
	 * The stream ended: UV_EOF, a negative libuv error, -EMSGSIZE for a
	 * frame length over the limit, or -ENOMEM. Not called once the owner
	 * asked for client_link_close().
	 */
	void (*on_lost)(void *owner, struct client_link *l, int err);
	/* The handle is closed; the link is freed right after this returns. */
	void (*on_closed)(void *owner, struct client_link *l);
};

/*
 * Starts a TCP connect to `sa` or a unix-socket connect to `path` (exactly
 * one of them non-NULL). Frames over `max_in` bytes from the peer end the
 * link. 0 or a negative errno; on success on_connected will be called.
 */
int client_link_open(uv_loop_t *loop, const struct sockaddr *sa,
		     const char *path, uint32_t max_in,
		     const struct client_link_ops *ops, void *owner,
		     struct client_link **out);

/* Changes the largest frame accepted from the peer. */
void client_link_set_max_in(struct client_link *l, uint32_t max_in);

/* Queues raw bytes (the preface). 0, -ENOMEM, or -EPIPE once closing. */
int client_link_write(struct client_link *l, const void *data, size_t len);

/* Encodes and queues one frame. 0, -ENOMEM, -EMSGSIZE or -EPIPE. */
int client_link_send(struct client_link *l, const Clubcrm__Frame *f);

/* Closes the link (idempotent). Queued output not yet written is dropped. */
void client_link_close(struct client_link *l);

#endif
