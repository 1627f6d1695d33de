/*
 * TLS as a layer of a stream connection (conn.c): the handshake, the
 * ciphertext in and out through the TLS engine's memory BIOs (common/tls.h),
 * and the close_notify at the end. The stream below moves bytes and knows
 * nothing of TLS beyond "the layer may have bytes to send"; the owner above
 * sees plaintext only, as on a plain connection.
 *
 * Only the loop thread uses it. Errors: 0 or a negative errno (tls_err.h),
 * with the reason in conn_tls_error().
 */
#ifndef CLUBCRMD_CONN_TLS_H
#define CLUBCRMD_CONN_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outq.h"
#include "transport.h"

struct conn_tls;
struct tls_ctx;

/* A server-side layer on `ctx`. 0, or a negative error with the reason in
 * `err`. */
int conn_tls_new(struct tls_ctx *ctx, struct conn_tls **out, char *err,
		 size_t errlen);
void conn_tls_free(struct conn_tls *l);

/*
 * Ciphertext read from the peer: advances the handshake, and every byte of
 * plaintext it yields goes at once to t's owner (through `plain`, `cap`
 * bytes of scratch), while the transport is live; so the engine never holds
 * unread data. 0; -ESHUTDOWN once the peer's close_notify was read (it
 * sends no more); or the session's error, with its alert, if any, pending
 * for the peer. After any answer ciphertext may be pending.
 */
int conn_tls_unwrap(struct conn_tls *l, struct transport *t,
		    const uint8_t *data, size_t len, uint8_t *plain,
		    size_t cap);

/*
 * Turns the frames queued on `out` into one buffer of TLS records on `out`
 * (the frames go back through transport_buf_done), with anything the
 * handshake left pending. 0, or a negative error.
 */
int conn_tls_wrap(struct conn_tls *l, struct transport *t, struct outq *out);

/* Ciphertext waiting to be sent (the handshake's, an alert, a close). */
bool conn_tls_pending(const struct conn_tls *l);

/*
 * The connection ends: once, after a completed handshake, queues our
 * close_notify so the peer can tell our close from a cut connection. True
 * when there is now ciphertext to write before closing.
 */
bool conn_tls_bye(struct conn_tls *l);

/* Why the layer failed, "" when it has not. */
const char *conn_tls_error(const struct conn_tls *l);

#endif
