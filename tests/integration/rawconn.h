/*
 * A raw, blocking socket to clubcrmd for the tests that must control every
 * byte: garbage, split frames, many frames in one write, unknown bodies.
 * Nothing here is the client library.
 */
#ifndef CLUBCRM_RAWCONN_H
#define CLUBCRM_RAWCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "clubcrm.pb-c.h"

struct rawconn {
	int fd;
	struct buf in;  /* received, not yet returned as frames */
};

/* Connects to "127.0.0.1:PORT" (TCP_NODELAY). 0 or -1. */
int raw_connect(struct rawconn *rc, const char *address);
/* The same from another loopback address (e.g. "127.0.0.2"): a second
 * peer address without a second machine. 0 or -1. */
int raw_connect_from(struct rawconn *rc, const char *address,
		     const char *source_ip);
void raw_close(struct rawconn *rc);

/* Writes all bytes. 0, or -1 (e.g. the server closed). */
int raw_send(struct rawconn *rc, const void *data, size_t len);
/* Writes the bytes one write() per `chunk` bytes. 0 or -1. */
int raw_send_chunked(struct rawconn *rc, const void *data, size_t len,
		     size_t chunk);
/* Appends the 12-byte preface to `out`. */
void raw_put_preface(struct buf *out);
/* Appends a frame (with its length) to `out`. */
void raw_put_frame(struct buf *out, const Clubcrm__Frame *f);
/* Appends a Subscribe to the whole board as sub_id 1 (request id `rid`). */
void raw_put_board_subscribe(struct buf *out, uint64_t rid);
/* Appends Hello (request id `rid`). */
void raw_put_hello(struct buf *out, uint64_t rid);
/* Appends Login (request id `rid`). */
void raw_put_login(struct buf *out, uint64_t rid, const char *login,
		   const char *password);

/* Appends Ping (request id `rid`, also its nonce; 0 is sent as is). */
void raw_put_ping(struct buf *out, uint64_t rid);

/*
 * The next frame, waiting up to timeout_ms; NULL on timeout, EOF or a
 * malformed frame. Free with clubcrm__frame__free_unpacked(f, NULL).
 */
Clubcrm__Frame *raw_recv(struct rawconn *rc, unsigned timeout_ms);

/*
 * Reads (dropping frames, counting GoAways in *goaways when not NULL) until
 * the server closes; true when it did within timeout_ms.
 */
bool raw_wait_closed(struct rawconn *rc, unsigned timeout_ms,
		     unsigned *goaways);

/* Preface, Hello, Login; true when Welcome and LoginOk came. */
bool raw_login(struct rawconn *rc, const char *login, const char *password);

#endif
