/*
 * The error convention, and OpenSSL's translator into it.
 *
 * One convention in clubcrm's C code below the front ends: a function
 * returns 0 for success or a NEGATIVE value of one family, a negative errno
 * (<errno.h>), plus, in the server's store, domain and views, the named
 * CLUBCRM_E* codes far outside errno's range (server/store/store_err.h).
 * Where a people-facing reason is worth keeping it goes into a caller's
 * buffer beside the code (errmsg.h), never instead of it. Each foreign
 * family is translated once, where it enters (the Knot Resolver manner):
 *   - errno: already the family (-errno);
 *   - LMDB: lmdb_error() in server/store, at every mdb_ call;
 *   - libuv: its UV_E* codes are negative errno on the platforms we run on;
 *   - OpenSSL: tls_error() below, at every failed SSL_ or ERR_ call
 *     (common/tls.c is the only code that calls OpenSSL's TLS functions);
 *   - the wire: the client library turns the family into a STATUS_* code
 *     (status.h) once, at its edge (client.h).
 * Nothing tells codes apart by their range or guesses their family.
 */
#ifndef CLUBCRM_TLS_ERR_H
#define CLUBCRM_TLS_ERR_H

#include <stddef.h>

/* For `ssl_error`: a call outside a session's I/O (a context's set-up,
 * loading files and keys), whose only account is OpenSSL's error queue. */
#define TLS_ERR_SETUP (-1)

/*
 * What OpenSSL said of a failed call, in the family, and why in `msg` (len
 * bytes; may be NULL). `ssl_error` is SSL_get_error()'s answer for the
 * call, or TLS_ERR_SETUP; `verify` is SSL_get_verify_result() while the
 * handshake is unfinished, else X509_V_OK (0). The thread's error queue is
 * read (its oldest entry is the root cause) and emptied, so that it cannot
 * leak into the next call on this thread.
 *
 *   0             SSL_ERROR_NONE: no error
 *   -EAGAIN       WANT_READ / WANT_WRITE: more ciphertext first (no failure)
 *   -ESHUTDOWN    ZERO_RETURN: the peer sent close_notify (no failure)
 *   -EKEYREJECTED we refused the peer's certificate (verify != X509_V_OK)
 *   -ENOMEM       OpenSSL ran out of memory
 *   -EINVAL       a set-up call was refused (file missing, not PEM, key not
 *                 matching): the system's words for a system error
 *   -EPROTO       any other failure of a session: bad or tampered records,
 *                 an alert from the peer, the stream cut mid-record
 */
int tls_error(int ssl_error, long verify, char *msg, size_t len);

#endif
