#include "tls_err.h"

#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "errmsg.h"

/*
 * The reason text of the oldest entry of the queue, which is the root
 * cause; later entries are consequences. A failed system call (a file that
 * is not there) carries its errno, which says it better than
 * "error:80000002:system library::...". The queue is emptied.
 */
static int queue_error(int fallback, char *msg, size_t len)
{
	unsigned long e = ERR_get_error();
	ERR_clear_error();
	if (e == 0) {
		errmsg_set(msg, len, "unknown TLS error");
		return fallback;
	}
	if (ERR_SYSTEM_ERROR(e)) {
		errmsg_set(msg, len, "%s", strerror(ERR_GET_REASON(e)));
		return fallback;
	}
	if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE) {
		errmsg_set(msg, len, "out of memory");
		return -ENOMEM;
	}
	const char *reason = ERR_reason_error_string(e);
	if (reason)
		errmsg_set(msg, len, "%s", reason);
	else if (msg && len)
		ERR_error_string_n(e, msg, len);
	return fallback;
}

int tls_error(int ssl_error, long verify, char *msg, size_t len)
{
	errmsg_set(msg, len, "%s", "");
	switch (ssl_error) {
	case SSL_ERROR_NONE:
		ERR_clear_error();
		return 0;
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		ERR_clear_error();
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		errmsg_set(msg, len, "the peer closed the session");
		return -ESHUTDOWN;
	case TLS_ERR_SETUP:
		return queue_error(-EINVAL, msg, len);
	default:
		break;
	}
	if (verify != X509_V_OK) {
		ERR_clear_error();
		errmsg_set(msg, len, "certificate verify failed: %s",
			   X509_verify_cert_error_string(verify));
		return -EKEYREJECTED;
	}
	if (ssl_error == SSL_ERROR_SSL)
		return queue_error(-EPROTO, msg, len);
	/* SSL_ERROR_SYSCALL with memory BIOs: the records stopped halfway. */
	ERR_clear_error();
	errmsg_set(msg, len, "unexpected end of stream");
	return -EPROTO;
}
