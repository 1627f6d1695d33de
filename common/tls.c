#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "errmsg.h"
#include "tls_err.h"

#define TLS_ERR_MAX 256
/*
 * A memory BIO keeps its largest size forever. Past this much, a drained
 * output BIO is swapped for a new one, so that a connection that once sent
 * a big snapshot does not hold the memory while idle.
 */
#define TLS_WBIO_KEEP (64u * 1024u)

struct tls_ctx {
	SSL_CTX *ssl_ctx;
	bool server;
	char *host;    /* client: the name the certificate must be valid for */
	bool host_ip;  /* client: `host` is an IP address, not a DNS name */
};

struct tls_session {
	SSL *ssl;
	BIO *rbio;           /* ciphertext from the peer, read by OpenSSL */
	BIO *wbio;           /* ciphertext for the peer, written by OpenSSL */
	struct buf early;    /* plaintext written before the handshake ended */
	int failed;          /* 0, or the negative error the session died of */
	bool handshake_done;
	bool closed_local;   /* we sent close_notify */
	bool peer_closed;    /* we read the peer's close_notify */
	char err[TLS_ERR_MAX];
};

/*
 * A set-up call failed: the family's code (tls_error()), and "what: why"
 * in `err`.
 */
static int setup_error(char *err, size_t errlen, const char *what)
{
	char why[TLS_ERR_MAX];
	int ret = tls_error(TLS_ERR_SETUP, X509_V_OK, why, sizeof(why));
	errmsg_set(err, errlen, "%s: %s", what, why);
	return ret;
}

static bool is_ip_address(const char *host)
{
	unsigned char addr[16];
	return inet_pton(AF_INET, host, addr) == 1 ||
	       inet_pton(AF_INET6, host, addr) == 1;
}

/* Settings shared by both roles: TLS 1.3 and nothing else, no resumption. */
static int ctx_common(SSL_CTX *c)
{
	if (SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) != 1)
		return -EINVAL;
	/* Sessions are never resumed: tickets would be bytes for nothing. */
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
	/* Idle connections give their record buffers back (~34 KiB each). */
	SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
	return 0;
}

static struct tls_ctx *ctx_alloc(const SSL_METHOD *method, bool server)
{
	struct tls_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->server = server;
	ctx->ssl_ctx = SSL_CTX_new(method);
	if (!ctx->ssl_ctx) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

int tls_ctx_new_server(struct tls_ctx **out, const char *cert_file,
		       const char *key_file, char *err, size_t errlen)
{
	char what[TLS_ERR_MAX];
	int ret;
	*out = NULL;
	ERR_clear_error();
	if (!cert_file || !key_file) {
		errmsg_set(err, errlen,
			   "a TLS server needs a certificate and a key");
		return -EINVAL;
	}
	struct tls_ctx *ctx = ctx_alloc(TLS_server_method(), true);
	if (!ctx) {
		errmsg_set(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (ctx_common(ctx->ssl_ctx) < 0) {
		ret = setup_error(err, errlen, "TLS 1.3 setup");
		goto fail;
	}
	/* No tickets at all in TLS 1.3 (SSL_OP_NO_TICKET still sends one). */
	SSL_CTX_set_num_tickets(ctx->ssl_ctx, 0);
	if (SSL_CTX_use_certificate_chain_file(ctx->ssl_ctx, cert_file) != 1) {
		snprintf(what, sizeof(what), "certificate %s", cert_file);
		ret = setup_error(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx->ssl_ctx, key_file,
					SSL_FILETYPE_PEM) != 1) {
		snprintf(what, sizeof(what), "private key %s", key_file);
		ret = setup_error(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx->ssl_ctx) != 1) {
		snprintf(what, sizeof(what), "private key %s does not match %s",
			 key_file, cert_file);
		ret = setup_error(err, errlen, what);
		goto fail;
	}
	*out = ctx;
	return 0;
fail:
	tls_ctx_free(ctx);
	return ret;
}

int tls_ctx_new_client(struct tls_ctx **out, const char *ca_file,
		       const char *host, char *err, size_t errlen)
{
	char what[TLS_ERR_MAX];
	int ret;
	*out = NULL;
	ERR_clear_error();
	if (!host || !*host) {
		errmsg_set(err, errlen,
			   "a TLS client needs the server's host name");
		return -EINVAL;
	}
	struct tls_ctx *ctx = ctx_alloc(TLS_client_method(), false);
	if (!ctx) {
		errmsg_set(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ctx->host = strdup(host);
	if (!ctx->host) {
		errmsg_set(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto fail;
	}
	ctx->host_ip = is_ip_address(host);
	if (ctx_common(ctx->ssl_ctx) < 0) {
		ret = setup_error(err, errlen, "TLS 1.3 setup");
		goto fail;
	}
	int ok = ca_file ?
		SSL_CTX_load_verify_locations(ctx->ssl_ctx, ca_file, NULL) :
		SSL_CTX_set_default_verify_paths(ctx->ssl_ctx);
	if (ok != 1) {
		snprintf(what, sizeof(what), "CA file %s",
			 ca_file ? ca_file : "(system default)");
		ret = setup_error(err, errlen, what);
		goto fail;
	}
	SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER, NULL);
	*out = ctx;
	return 0;
fail:
	tls_ctx_free(ctx);
	return ret;
}

void tls_ctx_free(struct tls_ctx *ctx)
{
	if (!ctx)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx->host);
	free(ctx);
}

/*
 * The name check is part of certificate verification (a mismatch fails the
 * handshake with X509_V_ERR_HOSTNAME_MISMATCH). DNS names also go out as
 * SNI; IP addresses may not (RFC 6066).
 */
static int session_set_host(SSL *ssl, const struct tls_ctx *ctx)
{
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
	if (ctx->host_ip)
		return X509_VERIFY_PARAM_set1_ip_asc(param, ctx->host) == 1 ?
			0 : -EINVAL;
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (SSL_set1_host(ssl, ctx->host) != 1)
		return -EINVAL;
	if (SSL_set_tlsext_host_name(ssl, ctx->host) != 1)
		return -EINVAL;
	return 0;
}

static int session_fail(struct tls_session *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int session_fail(struct tls_session *s, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	s->failed = code;
	return code;
}

/*
 * Turns the result of an SSL_* call that did not succeed into our error
 * (tls_error()). Wanting more ciphertext, and the peer's close_notify, are
 * not failures.
 */
static int session_check(struct tls_session *s, int rc, const char *what)
{
	char why[TLS_ERR_MAX];
	long verify = s->handshake_done ? X509_V_OK
					: SSL_get_verify_result(s->ssl);
	int ret = tls_error(SSL_get_error(s->ssl, rc), verify, why,
			    sizeof(why));
	switch (ret) {
	case 0:
	case -EAGAIN:
		return 0;
	case -ESHUTDOWN:
		s->peer_closed = true;
		return 0;
	case -EKEYREJECTED:
		return session_fail(s, ret, "%s", why);
	default:
		return session_fail(s, ret, "TLS %s: %s", what, why);
	}
}

int tls_session_new(struct tls_ctx *ctx, struct tls_session **out, char *err,
		    size_t errlen)
{
	char what[TLS_ERR_MAX];
	*out = NULL;
	ERR_clear_error();
	struct tls_session *s = calloc(1, sizeof(*s));
	if (!s) {
		errmsg_set(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->ssl = SSL_new(ctx->ssl_ctx);
	s->rbio = BIO_new(BIO_s_mem());
	s->wbio = BIO_new(BIO_s_mem());
	if (!s->ssl || !s->rbio || !s->wbio) {
		BIO_free(s->rbio);
		BIO_free(s->wbio);
		s->rbio = s->wbio = NULL;
		errmsg_set(err, errlen, "out of memory");
		tls_session_free(s);
		return -ENOMEM;
	}
	/* An empty read BIO means "later", never end of file. */
	BIO_set_mem_eof_return(s->rbio, -1);
	SSL_set_bio(s->ssl, s->rbio, s->wbio);  /* the SSL owns both now */
	if (ctx->server) {
		SSL_set_accept_state(s->ssl);
		*out = s;
		return 0;
	}
	SSL_set_connect_state(s->ssl);
	if (session_set_host(s->ssl, ctx) < 0) {
		snprintf(what, sizeof(what), "TLS host name %s", ctx->host);
		int ret = setup_error(err, errlen, what);
		tls_session_free(s);
		return ret;
	}
	/* Queue the ClientHello, so that the caller has something to send. */
	int rc = SSL_do_handshake(s->ssl);
	if (rc != 1 && session_check(s, rc, "handshake") < 0) {
		errmsg_set(err, errlen, "%s", s->err);
		tls_session_free(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

void tls_session_free(struct tls_session *s)
{
	if (!s)
		return;
	SSL_free(s->ssl);  /* frees both BIOs */
	buf_free(&s->early);
	free(s);
}

/* Encrypts everything in one go: a memory BIO always takes all of it. */
static int session_encrypt(struct tls_session *s, const void *data,
			   size_t len)
{
	const unsigned char *p = data;
	while (len > 0) {
		size_t done = 0;
		ERR_clear_error();
		int rc = SSL_write_ex(s->ssl, p, len, &done);
		if (rc != 1) {
			int ret = session_check(s, rc, "write");
			if (ret < 0)
				return ret;
			/* Never expected with memory BIOs and TLS 1.3. */
			return session_fail(s, -EPROTO,
					    "TLS write: could not proceed");
		}
		p += done;
		len -= done;
	}
	return 0;
}

static int session_handshake(struct tls_session *s)
{
	ERR_clear_error();
	int rc = SSL_do_handshake(s->ssl);
	if (rc != 1)
		return session_check(s, rc, "handshake");
	s->handshake_done = true;
	if (s->early.len == 0)
		return 0;
	int ret = session_encrypt(s, s->early.data, s->early.len);
	buf_free(&s->early);
	return ret;
}

int tls_session_feed_cipher(struct tls_session *s, const void *data,
			    size_t len)
{
	if (s->failed)
		return s->failed;
	if (len > 0) {
		size_t written = 0;
		if (BIO_write_ex(s->rbio, data, len, &written) != 1 ||
		    written != len)
			return session_fail(s, -ENOMEM,
					    "TLS: out of memory for input");
	}
	if (s->handshake_done)
		return 0;
	return session_handshake(s);
}

int tls_session_read(struct tls_session *s, void *out, size_t cap,
		     size_t *got)
{
	*got = 0;
	if (s->failed)
		return s->failed;
	if (!s->handshake_done || s->peer_closed || cap == 0)
		return 0;
	ERR_clear_error();
	int rc = SSL_read_ex(s->ssl, out, cap, got);
	if (rc == 1)
		return 0;
	*got = 0;
	return session_check(s, rc, "read");
}

int tls_session_write(struct tls_session *s, const void *data, size_t len)
{
	if (s->failed)
		return s->failed;
	if (s->closed_local)
		return -EPIPE;
	if (len == 0)
		return 0;
	if (!s->handshake_done)
		return buf_append(&s->early, data, len);
	return session_encrypt(s, data, len);
}

size_t tls_session_unread(const struct tls_session *s)
{
	return BIO_ctrl_pending(s->rbio) + (size_t)SSL_pending(s->ssl);
}

size_t tls_session_pending_cipher(const struct tls_session *s)
{
	return BIO_ctrl_pending(s->wbio);
}

/* Swaps a drained, oversized output BIO for a fresh one (see above). */
static int session_shrink_wbio(struct tls_session *s)
{
	BUF_MEM *mem = NULL;
	BIO_get_mem_ptr(s->wbio, &mem);
	if (!mem || mem->max <= TLS_WBIO_KEEP || BIO_ctrl_pending(s->wbio) > 0)
		return 0;
	BIO *fresh = BIO_new(BIO_s_mem());
	if (!fresh)
		return 0;  /* keep the big one: it still works */
	SSL_set0_wbio(s->ssl, fresh);  /* frees the old one */
	s->wbio = fresh;
	return 0;
}

int tls_session_take_cipher(struct tls_session *s, struct buf *out)
{
	size_t pending = BIO_ctrl_pending(s->wbio);
	if (pending == 0)
		return 0;
	int ret = buf_reserve(out, pending);
	if (ret < 0)
		return ret;
	size_t got = 0;
	if (BIO_read_ex(s->wbio, out->data + out->len, pending, &got) != 1)
		return -EIO;  /* cannot happen: the bytes are there */
	out->len += got;
	return session_shrink_wbio(s);
}

int tls_session_close(struct tls_session *s)
{
	if (s->failed)
		return s->failed;
	if (s->closed_local)
		return 0;
	s->closed_local = true;
	/*
	 * Before the handshake there is no session to close: an alert now
	 * would confuse the peer. The caller just drops the connection.
	 */
	if (!s->handshake_done)
		return 0;
	ERR_clear_error();
	int rc = SSL_shutdown(s->ssl);
	if (rc >= 0)
		return 0;  /* 0: sent ours; 1: both sides are done */
	return session_check(s, rc, "close");
}

bool tls_session_handshake_done(const struct tls_session *s)
{
	return s->handshake_done;
}

bool tls_session_peer_closed(const struct tls_session *s)
{
	return s->peer_closed;
}

const char *tls_session_version(const struct tls_session *s)
{
	return s->handshake_done ? SSL_get_version(s->ssl) : "";
}

const char *tls_session_error(const struct tls_session *s)
{
	return s->err;
}
