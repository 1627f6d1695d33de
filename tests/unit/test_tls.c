/*
 * The TLS engine, a client session and a server session talking to each
 * other entirely in memory. The certificates are made at run time in a
 * temporary directory, so nothing secret or expiring is committed.
 *
 * With CLUBCRM_MAKE_TEST_CA set to deploy/make-test-ca.sh, the certificates
 * come from that script instead, which tests the script too.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "tls.h"
#include "tls_err.h"

static char dir[64];
static char ca_pem[256], other_ca_pem[256], cert_pem[256], key_pem[256],
	other_key_pem[256];

/* ---- certificates ---------------------------------------------------- */

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(cert, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* A certificate for `key`, signed by issuer (self-signed when NULL). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
		       EVP_PKEY *issuer_key, long serial, bool ca)
{
	X509 *cert = X509_new();
	assert_non_null(cert);
	assert_int_equal(X509_set_version(cert, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(cert), -3600));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(cert), 86400));
	assert_int_equal(X509_set_pubkey(cert, key), 1);
	X509_NAME *name = X509_get_subject_name(cert);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		(const unsigned char *)cn, -1, -1, 0), 1);
	X509 *signer = issuer ? issuer : cert;
	assert_int_equal(X509_set_issuer_name(cert,
		X509_get_subject_name(signer)), 1);
	if (ca) {
		add_ext(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(cert, signer, NID_key_usage,
			"critical,keyCertSign,cRLSign");
		add_ext(cert, signer, NID_subject_key_identifier, "hash");
	} else {
		add_ext(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(cert, signer, NID_key_usage,
			"critical,digitalSignature");
		add_ext(cert, signer, NID_ext_key_usage, "serverAuth");
		add_ext(cert, signer, NID_subject_alt_name,
			"DNS:localhost,DNS:clubcrm.test,IP:127.0.0.1");
		add_ext(cert, signer, NID_authority_key_identifier,
			"keyid:always");
	}
	assert_true(X509_sign(cert, issuer_key ? issuer_key : key,
			      EVP_sha256()) > 0);
	return cert;
}

static void write_cert(const char *path, X509 *cert)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, cert), 1);
	assert_int_equal(fclose(f), 0);
}

static void write_key(const char *path, EVP_PKEY *key)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL,
					      NULL), 1);
	assert_int_equal(fclose(f), 0);
}

static void make_files_with_api(void)
{
	EVP_PKEY *ca_key = EVP_EC_gen("P-256");
	EVP_PKEY *other_key = EVP_EC_gen("P-256");
	EVP_PKEY *key = EVP_EC_gen("P-256");
	assert_true(ca_key && other_key && key);
	X509 *ca = make_cert(ca_key, "clubcrm test CA", NULL, NULL, 1, true);
	X509 *other = make_cert(other_key, "some other CA", NULL, NULL, 2,
				true);
	X509 *cert = make_cert(key, "localhost", ca, ca_key, 3, false);
	write_cert(ca_pem, ca);
	write_cert(other_ca_pem, other);
	write_cert(cert_pem, cert);
	write_key(key_pem, key);
	write_key(other_key_pem, other_key);
	X509_free(ca);
	X509_free(other);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(key);
}

static void run_script(const char *script, const char *out, const char *name)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 1);
		execl(script, script, out, name, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The script's layout: ca.pem, server.pem, server.key in its directory. */
static void make_files_with_script(const char *script)
{
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/other", dir);
	run_script(script, dir, "clubcrm.test");
	run_script(script, sub, "clubcrm.test");
	snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", dir);
	snprintf(cert_pem, sizeof(cert_pem), "%s/server.pem", dir);
	snprintf(key_pem, sizeof(key_pem), "%s/server.key", dir);
	snprintf(other_ca_pem, sizeof(other_ca_pem), "%s/ca.pem", sub);
	snprintf(other_key_pem, sizeof(other_key_pem), "%s/server.key", sub);
}

static int setup_files(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/clubcrm-tls-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	const char *script = getenv("CLUBCRM_MAKE_TEST_CA");
	if (script && *script) {
		make_files_with_script(script);
		return 0;
	}
	snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", dir);
	snprintf(other_ca_pem, sizeof(other_ca_pem), "%s/other-ca.pem", dir);
	snprintf(cert_pem, sizeof(cert_pem), "%s/server.pem", dir);
	snprintf(key_pem, sizeof(key_pem), "%s/server.key", dir);
	snprintf(other_key_pem, sizeof(other_key_pem), "%s/other.key", dir);
	make_files_with_api();
	return 0;
}

static int teardown_files(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- a client and a server in memory --------------------------------- */

struct pair {
	struct tls_ctx *sctx, *cctx;
	struct tls_session *server, *client;
	int server_ret, client_ret;  /* last error seen on each side */
};

static void pair_open(struct pair *p, const char *ca, const char *host)
{
	char err[256] = "";
	memset(p, 0, sizeof(*p));
	int ret = tls_ctx_new_server(&p->sctx, cert_pem, key_pem, err,
				     sizeof(err));
	if (ret < 0)
		fail_msg("server ctx: %s", err);
	ret = tls_ctx_new_client(&p->cctx, ca, host, err, sizeof(err));
	if (ret < 0)
		fail_msg("client ctx: %s", err);
	assert_int_equal(tls_session_new(p->sctx, &p->server, err,
					 sizeof(err)), 0);
	assert_int_equal(tls_session_new(p->cctx, &p->client, err,
					 sizeof(err)), 0);
	/* Sessions hold their own reference to the context. */
	tls_ctx_free(p->sctx);
	tls_ctx_free(p->cctx);
	p->sctx = p->cctx = NULL;
}

static void pair_close(struct pair *p)
{
	tls_session_free(p->server);
	tls_session_free(p->client);
}

/* A small deterministic generator, so that every run splits the same way. */
static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/*
 * Moves the pending ciphertext of `from` to `to` in pieces of 1..max_piece
 * bytes, as a socket would deliver it. 0, or `to`'s error.
 */
static int move_cipher(struct tls_session *from, struct tls_session *to,
		       size_t max_piece)
{
	struct buf wire = {0};
	assert_int_equal(tls_session_take_cipher(from, &wire), 0);
	assert_int_equal(tls_session_pending_cipher(from), 0);
	int ret = 0;
	for (size_t off = 0; off < wire.len && ret == 0;) {
		size_t n = 1 + rng() % max_piece;
		if (n > wire.len - off)
			n = wire.len - off;
		ret = tls_session_feed_cipher(to, wire.data + off, n);
		off += n;
	}
	buf_free(&wire);
	return ret;
}

/* Appends all plaintext `s` has to `out`. */
static int drain_plain(struct tls_session *s, struct buf *out)
{
	for (;;) {
		uint8_t tmp[3000];
		size_t got = 0;
		int ret = tls_session_read(s, tmp, sizeof(tmp), &got);
		if (ret < 0)
			return ret;
		if (got == 0)
			return 0;
		assert_int_equal(buf_append(out, tmp, got), 0);
	}
}

/* Runs the exchange until neither side has anything to send. */
static void pump(struct pair *p, struct buf *to_server, struct buf *to_client,
		 size_t max_piece)
{
	struct buf sink = {0};
	for (int i = 0; i < 10000; i++) {
		if (tls_session_pending_cipher(p->client) == 0 &&
		    tls_session_pending_cipher(p->server) == 0)
			break;
		if (!p->server_ret) {
			p->server_ret = move_cipher(p->client, p->server,
						    max_piece);
		} else {
			assert_int_equal(tls_session_take_cipher(p->client,
								 &sink), 0);
		}
		if (!p->server_ret)
			p->server_ret = drain_plain(p->server,
				to_server ? to_server : &sink);
		if (!p->client_ret) {
			p->client_ret = move_cipher(p->server, p->client,
						    max_piece);
		} else {
			assert_int_equal(tls_session_take_cipher(p->server,
								 &sink), 0);
		}
		if (!p->client_ret)
			p->client_ret = drain_plain(p->client,
				to_client ? to_client : &sink);
	}
	buf_free(&sink);
}

static void handshake(struct pair *p)
{
	pump(p, NULL, NULL, 4096);
	if (p->client_ret || p->server_ret)
		fail_msg("handshake: client %d (%s), server %d (%s)",
			 p->client_ret, tls_session_error(p->client),
			 p->server_ret, tls_session_error(p->server));
	assert_true(tls_session_handshake_done(p->client));
	assert_true(tls_session_handshake_done(p->server));
}

/* ---- tests ----------------------------------------------------------- */

static void test_handshake(void **state)
{
	struct pair p;
	pair_open(&p, ca_pem, "clubcrm.test");
	assert_false(tls_session_handshake_done(p.client));
	assert_string_equal(tls_session_version(p.client), "");
	/* The client speaks first: its hello is pending from the start. */
	assert_true(tls_session_pending_cipher(p.client) > 0);
	assert_int_equal(tls_session_pending_cipher(p.server), 0);
	handshake(&p);
	assert_string_equal(tls_session_version(p.client), "TLSv1.3");
	assert_string_equal(tls_session_version(p.server), "TLSv1.3");
	assert_string_equal(tls_session_error(p.client), "");
	pair_close(&p);
}

static void test_handshake_byte_by_byte(void **state)
{
	struct pair p;
	pair_open(&p, ca_pem, "clubcrm.test");
	pump(&p, NULL, NULL, 1);
	assert_int_equal(p.client_ret, 0);
	assert_int_equal(p.server_ret, 0);
	assert_true(tls_session_handshake_done(p.client));
	assert_true(tls_session_handshake_done(p.server));
	pair_close(&p);
}

static void test_ip_address_host(void **state)
{
	struct pair p;
	pair_open(&p, ca_pem, "127.0.0.1");
	handshake(&p);
	pair_close(&p);
}

static void test_data_both_ways(void **state)
{
	struct pair p;
	struct buf at_server = {0}, at_client = {0};
	pair_open(&p, ca_pem, "clubcrm.test");
	/* Written before the handshake: kept, then sent in order. */
	assert_int_equal(tls_session_write(p.client, "CLUBCRM\n", 8), 0);
	assert_int_equal(tls_session_write(p.client, "hello", 5), 0);
	pump(&p, &at_server, &at_client, 4096);
	assert_int_equal(p.client_ret, 0);
	assert_int_equal(p.server_ret, 0);
	assert_int_equal(at_server.len, 13);
	assert_memory_equal(at_server.data, "CLUBCRM\nhello", 13);

	/* Fed but not read: counted as unread until read out. */
	assert_int_equal(tls_session_write(p.client, "unread", 6), 0);
	assert_int_equal(move_cipher(p.client, p.server, 4096), 0);
	assert_true(tls_session_unread(p.server) >= 6);
	assert_int_equal(drain_plain(p.server, &at_server), 0);
	assert_int_equal(tls_session_unread(p.server), 0);
	at_server.len -= 6;

	assert_int_equal(tls_session_write(p.server, "welcome", 7), 0);
	assert_int_equal(tls_session_write(p.client, "ping", 4), 0);
	pump(&p, &at_server, &at_client, 100);
	assert_int_equal(at_client.len, 7);
	assert_memory_equal(at_client.data, "welcome", 7);
	assert_int_equal(at_server.len, 17);
	assert_memory_equal(at_server.data + 13, "ping", 4);
	buf_free(&at_server);
	buf_free(&at_client);
	pair_close(&p);
}

/* 1 MiB each way, written in uneven pieces and carried in uneven reads. */
static void test_one_mib_in_pieces(void **state)
{
	enum { SIZE = 1024 * 1024 };
	struct pair p;
	struct buf at_server = {0}, at_client = {0};
	uint8_t *msg = malloc(SIZE);
	assert_non_null(msg);
	for (size_t i = 0; i < SIZE; i++)
		msg[i] = (uint8_t)(rng() & 0xff);
	pair_open(&p, ca_pem, "clubcrm.test");
	handshake(&p);
	for (size_t off = 0; off < SIZE;) {
		size_t n = 1 + rng() % 20000;
		if (n > SIZE - off)
			n = SIZE - off;
		assert_int_equal(tls_session_write(p.client, msg + off, n), 0);
		assert_int_equal(tls_session_write(p.server, msg + off, n), 0);
		off += n;
		if (rng() % 4 == 0)
			pump(&p, &at_server, &at_client, 65536);
	}
	pump(&p, &at_server, &at_client, 65536);
	assert_int_equal(p.client_ret, 0);
	assert_int_equal(p.server_ret, 0);
	assert_int_equal(at_server.len, SIZE);
	assert_int_equal(at_client.len, SIZE);
	assert_memory_equal(at_server.data, msg, SIZE);
	assert_memory_equal(at_client.data, msg, SIZE);
	/* Still talking after the big buffers were given back. */
	assert_int_equal(tls_session_write(p.client, "after", 5), 0);
	assert_int_equal(tls_session_write(p.server, "AFTER", 5), 0);
	pump(&p, &at_server, &at_client, 65536);
	assert_int_equal(at_server.len, SIZE + 5);
	assert_int_equal(at_client.len, SIZE + 5);
	assert_memory_equal(at_server.data + SIZE, "after", 5);
	assert_memory_equal(at_client.data + SIZE, "AFTER", 5);
	free(msg);
	buf_free(&at_server);
	buf_free(&at_client);
	pair_close(&p);
}

/* The server's certificate is not from the CA the client trusts. */
static void test_wrong_ca_refused(void **state)
{
	struct pair p;
	struct buf at_server = {0};
	pair_open(&p, other_ca_pem, "clubcrm.test");
	assert_int_equal(tls_session_write(p.client, "secret", 6), 0);
	pump(&p, &at_server, NULL, 4096);
	assert_int_equal(p.client_ret, -EKEYREJECTED);
	assert_non_null(strstr(tls_session_error(p.client),
			       "certificate verify failed"));
	assert_non_null(strstr(tls_session_error(p.client),
			       "local issuer certificate"));
	assert_false(tls_session_handshake_done(p.client));
	/* The client's alert tells the server why. */
	assert_int_equal(p.server_ret, -EPROTO);
	assert_non_null(strstr(tls_session_error(p.server), "unknown ca"));
	assert_int_equal(at_server.len, 0);  /* nothing leaked */
	/* Failed stays failed. */
	assert_int_equal(tls_session_write(p.client, "x", 1), -EKEYREJECTED);
	assert_int_equal(tls_session_feed_cipher(p.client, "x", 1),
			 -EKEYREJECTED);
	buf_free(&at_server);
	pair_close(&p);
}

static void test_wrong_host_refused(void **state)
{
	const char *hosts[] = {"evil.example", "127.0.0.2", "test",
			       "x.clubcrm.test"};
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct pair p;
		pair_open(&p, ca_pem, hosts[i]);
		pump(&p, NULL, NULL, 4096);
		assert_int_equal(p.client_ret, -EKEYREJECTED);
		if (!strstr(tls_session_error(p.client), "mismatch"))
			fail_msg("%s: %s", hosts[i],
				 tls_session_error(p.client));
		assert_int_equal(p.server_ret, -EPROTO);
		pair_close(&p);
	}
}

/* No CA file: the system's trust store, which does not know our CA. */
static void test_system_store_refuses_test_ca(void **state)
{
	char err[256];
	struct tls_ctx *sctx, *cctx;
	struct pair p;
	memset(&p, 0, sizeof(p));
	assert_int_equal(tls_ctx_new_server(&sctx, cert_pem, key_pem, err,
					    sizeof(err)), 0);
	assert_int_equal(tls_ctx_new_client(&cctx, NULL, "clubcrm.test", err,
					    sizeof(err)), 0);
	assert_int_equal(tls_session_new(sctx, &p.server, err, sizeof(err)), 0);
	assert_int_equal(tls_session_new(cctx, &p.client, err, sizeof(err)), 0);
	pump(&p, NULL, NULL, 4096);
	assert_int_equal(p.client_ret, -EKEYREJECTED);
	pair_close(&p);
	tls_ctx_free(sctx);
	tls_ctx_free(cctx);
}

static void test_garbage_before_handshake(void **state)
{
	struct pair p;
	pair_open(&p, ca_pem, "clubcrm.test");
	uint8_t junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rng();
	/* Not even a TLS record header. */
	int ret = tls_session_feed_cipher(p.server, "GET / HTTP/1.1\r\n\r\n", 18);
	assert_int_equal(ret, -EPROTO);
	assert_true(strlen(tls_session_error(p.server)) > 0);
	assert_int_equal(tls_session_feed_cipher(p.server, junk, sizeof(junk)),
			 -EPROTO);
	/* A plausible record header followed by junk, at the client. */
	junk[0] = 0x16;
	junk[1] = 0x03;
	junk[2] = 0x03;
	junk[3] = 0x00;
	junk[4] = 0x40;
	assert_int_equal(tls_session_feed_cipher(p.client, junk, sizeof(junk)),
			 -EPROTO);
	pair_close(&p);
}

/* A record changed on the wire does not authenticate: an error, no data. */
static void test_tampered_record(void **state)
{
	struct pair p;
	pair_open(&p, ca_pem, "clubcrm.test");
	handshake(&p);
	assert_int_equal(tls_session_write(p.client, "take task 7", 11), 0);
	struct buf wire = {0};
	assert_int_equal(tls_session_take_cipher(p.client, &wire), 0);
	assert_true(wire.len > 11);
	wire.data[wire.len - 3] ^= 0x01;
	assert_int_equal(tls_session_feed_cipher(p.server, wire.data,
						 wire.len), 0);
	uint8_t out[64];
	size_t got = 99;
	assert_int_equal(tls_session_read(p.server, out, sizeof(out), &got),
			 -EPROTO);
	assert_int_equal(got, 0);
	assert_non_null(strstr(tls_session_error(p.server), "bad record mac"));
	/* The server has an alert for the client. */
	assert_true(tls_session_pending_cipher(p.server) > 0);
	buf_free(&wire);
	pair_close(&p);
}

/* Random bytes after a good handshake: errors, never a crash. */
static void test_garbage_after_handshake(void **state)
{
	for (int round = 0; round < 50; round++) {
		struct pair p;
		pair_open(&p, ca_pem, "clubcrm.test");
		handshake(&p);
		uint8_t junk[512];
		size_t n = 1 + rng() % sizeof(junk);
		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)rng();
		if (round % 2)
			junk[0] = 0x17;  /* looks like application data */
		int ret = tls_session_feed_cipher(p.client, junk, n);
		struct buf out = {0};
		if (ret == 0)
			ret = drain_plain(p.client, &out);
		/* Either an error, or a record still incomplete. */
		assert_true(ret == 0 || ret == -EPROTO);
		assert_int_equal(out.len, 0);
		buf_free(&out);
		pair_close(&p);
	}
}

static void test_close_notify(void **state)
{
	struct pair p;
	struct buf at_server = {0}, at_client = {0};
	pair_open(&p, ca_pem, "clubcrm.test");
	handshake(&p);
	assert_int_equal(tls_session_write(p.client, "bye", 3), 0);
	assert_int_equal(tls_session_close(p.client), 0);
	assert_int_equal(tls_session_close(p.client), 0);  /* idempotent */
	assert_int_equal(tls_session_write(p.client, "more", 4), -EPIPE);
	pump(&p, &at_server, &at_client, 4096);
	assert_int_equal(p.server_ret, 0);
	assert_memory_equal(at_server.data, "bye", 3);
	assert_true(tls_session_peer_closed(p.server));
	assert_false(tls_session_peer_closed(p.client));
	/* Half-closed: the server may still answer, then closes too. */
	assert_int_equal(tls_session_write(p.server, "ok", 2), 0);
	assert_int_equal(tls_session_close(p.server), 0);
	pump(&p, &at_server, &at_client, 4096);
	assert_int_equal(p.client_ret, 0);
	assert_int_equal(at_client.len, 2);
	assert_memory_equal(at_client.data, "ok", 2);
	assert_true(tls_session_peer_closed(p.client));
	size_t got = 1;
	uint8_t tmp[8];
	assert_int_equal(tls_session_read(p.client, tmp, sizeof(tmp), &got), 0);
	assert_int_equal(got, 0);
	buf_free(&at_server);
	buf_free(&at_client);
	pair_close(&p);
}

/* A peer limited to TLS 1.2 is refused: we speak 1.3 only. */
static void test_tls12_client_refused(void **state)
{
	char err[256];
	struct tls_ctx *sctx;
	struct tls_session *server;
	assert_int_equal(tls_ctx_new_server(&sctx, cert_pem, key_pem, err,
					    sizeof(err)), 0);
	assert_int_equal(tls_session_new(sctx, &server, err, sizeof(err)), 0);
	SSL_CTX *old = SSL_CTX_new(TLS_client_method());
	assert_non_null(old);
	assert_int_equal(SSL_CTX_set_max_proto_version(old, TLS1_2_VERSION), 1);
	SSL *ssl = SSL_new(old);
	BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(rbio, -1);
	SSL_set_bio(ssl, rbio, wbio);
	SSL_set_connect_state(ssl);
	assert_int_equal(SSL_do_handshake(ssl), -1);
	char hello[4096];
	int n = BIO_read(wbio, hello, sizeof(hello));
	assert_true(n > 0);
	assert_int_equal(tls_session_feed_cipher(server, hello, (size_t)n),
			 -EPROTO);
	assert_non_null(strstr(tls_session_error(server), "protocol"));
	SSL_free(ssl);
	SSL_CTX_free(old);
	tls_session_free(server);
	tls_ctx_free(sctx);
}

static void test_ctx_errors(void **state)
{
	char err[256];
	struct tls_ctx *ctx = (struct tls_ctx *)1;
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/missing.pem", dir);

	assert_int_equal(tls_ctx_new_server(&ctx, missing, key_pem, err,
					    sizeof(err)), -EINVAL);
	assert_null(ctx);
	assert_non_null(strstr(err, "missing.pem"));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_int_equal(tls_ctx_new_server(&ctx, cert_pem, missing, err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "private key"));
	/* A key that is not the certificate's. */
	assert_int_equal(tls_ctx_new_server(&ctx, cert_pem, other_key_pem, err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mismatch"));
	/* A key file given as the certificate. */
	assert_int_equal(tls_ctx_new_server(&ctx, key_pem, key_pem, err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(tls_ctx_new_server(&ctx, NULL, key_pem, err,
					    sizeof(err)), -EINVAL);

	assert_int_equal(tls_ctx_new_client(&ctx, missing, "localhost", err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "CA file"));
	/* The system's words, not OpenSSL's code for them. */
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_null(strstr(err, "error:"));
	assert_int_equal(tls_ctx_new_client(&ctx, ca_pem, "", err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(tls_ctx_new_client(&ctx, ca_pem, NULL, NULL, 0),
			 -EINVAL);
	assert_null(ctx);
}

/* ---- the translator of OpenSSL's errors ------------------------------ */

static void test_tls_error_not_failures(void **state)
{
	(void)state;
	char msg[128];
	ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER);
	assert_int_equal(tls_error(SSL_ERROR_NONE, X509_V_OK, msg,
				   sizeof(msg)), 0);
	assert_int_equal(ERR_peek_error(), 0);  /* the queue is emptied */
	assert_int_equal(tls_error(SSL_ERROR_WANT_READ, X509_V_OK, msg,
				   sizeof(msg)), -EAGAIN);
	assert_int_equal(tls_error(SSL_ERROR_WANT_WRITE, X509_V_OK, NULL, 0),
			 -EAGAIN);
	assert_int_equal(tls_error(SSL_ERROR_ZERO_RETURN, X509_V_OK, msg,
				   sizeof(msg)), -ESHUTDOWN);
	assert_non_null(strstr(msg, "closed"));
	/* Wanting more input is no failure, even with a verify error. */
	assert_int_equal(tls_error(SSL_ERROR_WANT_READ,
				   X509_V_ERR_CERT_HAS_EXPIRED, msg,
				   sizeof(msg)), -EAGAIN);
}

static void test_tls_error_failures(void **state)
{
	(void)state;
	char msg[128];
	/* The oldest entry is the root cause; all of them go. */
	ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER);
	ERR_raise(ERR_LIB_SSL, SSL_R_UNEXPECTED_MESSAGE);
	assert_int_equal(tls_error(SSL_ERROR_SSL, X509_V_OK, msg, sizeof(msg)),
			 -EPROTO);
	assert_string_equal(msg, "wrong version number");
	assert_int_equal(ERR_peek_error(), 0);
	/* A refused certificate wins over the queue's account of it. */
	ERR_raise(ERR_LIB_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED);
	assert_int_equal(tls_error(SSL_ERROR_SSL, X509_V_ERR_CERT_HAS_EXPIRED,
				   msg, sizeof(msg)), -EKEYREJECTED);
	assert_non_null(strstr(msg, "certificate verify failed"));
	assert_non_null(strstr(msg, "expired"));
	assert_int_equal(ERR_peek_error(), 0);
	/* Memory BIOs: a syscall error is a stream cut mid-record. */
	assert_int_equal(tls_error(SSL_ERROR_SYSCALL, X509_V_OK, msg,
				   sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "end of stream"));
	/* Out of memory is said so, in set-up and in a session. */
	ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
	assert_int_equal(tls_error(SSL_ERROR_SSL, X509_V_OK, msg, sizeof(msg)),
			 -ENOMEM);
	ERR_raise(ERR_LIB_PEM, ERR_R_MALLOC_FAILURE);
	assert_int_equal(tls_error(TLS_ERR_SETUP, X509_V_OK, NULL, 0),
			 -ENOMEM);
	/* Set-up: refused, in the system's words for a system error. */
	ERR_raise(ERR_LIB_SYS, ENOENT);
	assert_int_equal(tls_error(TLS_ERR_SETUP, X509_V_OK, msg, sizeof(msg)),
			 -EINVAL);
	assert_string_equal(msg, strerror(ENOENT));
	ERR_raise(ERR_LIB_SSL, SSL_R_NO_CERTIFICATE_ASSIGNED);
	assert_int_equal(tls_error(TLS_ERR_SETUP, X509_V_OK, msg, sizeof(msg)),
			 -EINVAL);
	assert_string_equal(msg, "no certificate assigned");
	/* An empty queue still gives a code and a reason. */
	assert_int_equal(tls_error(TLS_ERR_SETUP, X509_V_OK, msg, sizeof(msg)),
			 -EINVAL);
	assert_true(msg[0] != '\0');
	assert_int_equal(tls_error(SSL_ERROR_SSL, X509_V_OK, msg, sizeof(msg)),
			 -EPROTO);
	/* A tiny buffer is cut, not overrun. */
	char tiny[4] = "xyz";
	ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER);
	assert_int_equal(tls_error(SSL_ERROR_SSL, X509_V_OK, tiny, 3), -EPROTO);
	assert_string_equal(tiny, "wr");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_handshake_byte_by_byte),
		cmocka_unit_test(test_ip_address_host),
		cmocka_unit_test(test_data_both_ways),
		cmocka_unit_test(test_one_mib_in_pieces),
		cmocka_unit_test(test_wrong_ca_refused),
		cmocka_unit_test(test_wrong_host_refused),
		cmocka_unit_test(test_system_store_refuses_test_ca),
		cmocka_unit_test(test_garbage_before_handshake),
		cmocka_unit_test(test_tampered_record),
		cmocka_unit_test(test_garbage_after_handshake),
		cmocka_unit_test(test_close_notify),
		cmocka_unit_test(test_tls12_client_refused),
		cmocka_unit_test(test_ctx_errors),
		cmocka_unit_test(test_tls_error_not_failures),
		cmocka_unit_test(test_tls_error_failures),
	};
	return cmocka_run_group_tests(tests, setup_files, teardown_files);
}
