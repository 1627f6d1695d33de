/*
 * TLS 1.3 over memory buffers (OpenSSL memory BIOs), for every listener that
 * is not on loopback and for the clients that talk to one.
 *
 * The engine never touches a socket and knows nothing of libuv: the caller
 * moves bytes. After reading from the socket it hands the ciphertext to
 * tls_session_feed_cipher(), then pulls plaintext out with tls_session_read()
 * until it gets 0 bytes. Plaintext to send goes in with tls_session_write().
 * After any of these calls, ciphertext may be waiting to go out
 * (tls_session_pending_cipher()); the caller moves it into its write buffer
 * with tls_session_take_cipher() and sends it. The same loop carries the
 * handshake: a client session has its ClientHello pending from creation on.
 *
 * Only TLS 1.3 is spoken. A client context always verifies the server's
 * certificate against its CA file and the expected host name (or IP address);
 * there is no way to turn that off.
 *
 * Errors are negative errno values (the convention of tls_err.h; OpenSSL's
 * are translated by tls_error()), and the session keeps the reason text
 * (tls_session_error()):
 *   -EKEYREJECTED  we refused the peer's certificate (unknown CA, expired,
 *                  wrong host name...); the text says why
 *   -EPROTO        any other TLS failure: garbage or tampered records, the
 *                  peer sent an alert (it refused our certificate, or our
 *                  version), a handshake that breaks the rules
 *   -EPIPE         writing after our own tls_session_close()
 *   -ENOMEM        out of memory
 * A failed session stays failed (every later call returns the same error),
 * but may still have an alert pending for the peer: send it, then close.
 *
 * A context may be shared by sessions on several threads; one session is
 * used by one thread at a time. No global state is kept here beyond
 * OpenSSL's own initialisation.
 */
#ifndef CLUBCRM_TLS_H
#define CLUBCRM_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct tls_ctx;
struct tls_session;

/*
 * A server context from a PEM certificate chain (leaf first) and its PEM
 * private key. 0, or -EINVAL with the reason in `err` (file missing, not
 * PEM, key not matching the certificate...), or -ENOMEM.
 */
int tls_ctx_new_server(struct tls_ctx **out, const char *cert_file,
		       const char *key_file, char *err, size_t errlen);

/*
 * A client context that trusts the certificates of `ca_file` (PEM; NULL
 * means the system's default trust store) and accepts only a certificate
 * valid for `host`: a DNS name, or an IPv4/IPv6 address matched against the
 * certificate's IP SANs. 0, or -EINVAL with the reason in `err`, or -ENOMEM.
 */
int tls_ctx_new_client(struct tls_ctx **out, const char *ca_file,
		       const char *host, char *err, size_t errlen);

/* Sessions keep their own reference: a context may be freed before them. */
void tls_ctx_free(struct tls_ctx *ctx);

/*
 * A session on `ctx`, in the role of its context. 0, -ENOMEM, or -EINVAL
 * (OpenSSL refused the setup; the text is in `err`).
 */
int tls_session_new(struct tls_ctx *ctx, struct tls_session **out, char *err,
		    size_t errlen);
void tls_session_free(struct tls_session *s);

/*
 * Takes `len` bytes of ciphertext received from the peer and advances the
 * handshake. 0, or a negative error (see above).
 */
int tls_session_feed_cipher(struct tls_session *s, const void *data,
			    size_t len);

/*
 * Copies up to `cap` bytes of decrypted plaintext into `out`, *got says how
 * many. 0 with *got == 0 means nothing more until more ciphertext arrives,
 * or the peer closed the session (tls_session_peer_closed()). Negative on a
 * failure, e.g. a record that does not authenticate.
 */
int tls_session_read(struct tls_session *s, void *out, size_t cap,
		     size_t *got);

/*
 * Encrypts `len` bytes of plaintext. Before the handshake is complete the
 * bytes are kept and go out, in order, as soon as it is. 0, -EPIPE after
 * tls_session_close(), or the session's error.
 */
int tls_session_write(struct tls_session *s, const void *data, size_t len);

/*
 * Bytes received but not read out yet: ciphertext fed and not decrypted,
 * plus plaintext decrypted and not read. A caller that stops reading
 * plaintext (backpressure) should stop feeding too; this is its gauge.
 */
size_t tls_session_unread(const struct tls_session *s);

/* Ciphertext bytes waiting to be sent to the peer. */
size_t tls_session_pending_cipher(const struct tls_session *s);

/* Appends all pending ciphertext to `out`. 0, or -ENOMEM. */
int tls_session_take_cipher(struct tls_session *s, struct buf *out);

/*
 * Sends close_notify (pending as ciphertext): we write no more. The peer may
 * still send; tls_session_read() keeps working. 0, or a negative error.
 */
int tls_session_close(struct tls_session *s);

bool tls_session_handshake_done(const struct tls_session *s);
/* True once the peer's close_notify was read: it sends nothing more. */
bool tls_session_peer_closed(const struct tls_session *s);
/* Negotiated version ("TLSv1.3") once the handshake is done, else "". */
const char *tls_session_version(const struct tls_session *s);
/* Reason text of the session's failure, "" when there is none. */
const char *tls_session_error(const struct tls_session *s);

#endif
