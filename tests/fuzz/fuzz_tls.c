/*
 * libFuzzer harness for the TLS engine (common/tls.h) facing a hostile
 * peer, which is the first code any stranger on the network reaches.
 *
 * Input: bit 0 of byte 0 picks the side under test (0: our server, the rest
 * is what a client sends; 1: our client, the rest is what the server sends
 * back to its ClientHello); byte 1 seeds how the bytes are split into reads
 * and what the application does between reads (read, write, close). The
 * engine must answer with a clear error, never a crash, a leak or undefined
 * behaviour, and the handshake must never complete: nobody without the
 * keys can finish one, so a completion would be an authentication bypass.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testcert.h"
#include "tls.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tls_ctx *server_ctx, *client_ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct testcert tc;
	char err[256];
	if (testcert_make(&tc) < 0)
		abort();
	if (tls_ctx_new_server(&server_ctx, tc.cert, tc.key, err,
			       sizeof(err)) < 0 ||
	    tls_ctx_new_client(&client_ctx, tc.ca, "localhost", err,
			       sizeof(err)) < 0)
		abort();
	/* Loaded into the contexts: nothing needs to stay on disk. */
	testcert_remove(&tc);
	return 0;
}

static uint32_t next(uint32_t *rng)
{
	*rng = *rng * 1103515245u + 12345u;
	return *rng >> 16;
}

/* After a failure, every call keeps returning the same error. */
static void check_failed(struct tls_session *s, int ret)
{
	if (ret != -EPROTO && ret != -EKEYREJECTED)
		abort();
	if (tls_session_error(s)[0] == '\0')
		abort();
	size_t got = 1;
	uint8_t tmp[16];
	if (tls_session_feed_cipher(s, "\x17", 1) != ret ||
	    tls_session_read(s, tmp, sizeof(tmp), &got) != ret || got != 0 ||
	    tls_session_write(s, "x", 1) != ret)
		abort();
}

/* One step of the application between two reads from the socket. */
static int app_step(struct tls_session *s, uint32_t *rng, struct buf *out)
{
	uint8_t tmp[512];
	size_t got = 0;
	int ret = 0;
	switch (next(rng) % 8) {
	case 0:
		ret = tls_session_write(s, "CLUBCRM\n\0\1\0\0", 12);
		if (ret == -EPIPE)
			ret = 0;  /* we closed earlier: refused, as it should */
		break;
	case 1:
		ret = tls_session_close(s);
		if (ret == 0 && tls_session_write(s, "x", 1) != -EPIPE)
			abort();
		break;
	default:
		ret = tls_session_read(s, tmp, sizeof(tmp), &got);
		if (got != 0)
			abort();  /* plaintext without a handshake */
		break;
	}
	if (tls_session_take_cipher(s, out) < 0)
		abort();
	out->len = 0;
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	bool client = data[0] & 1;
	uint32_t rng = data[1] * 2654435761u + 1;
	const uint8_t *stream = data + 2;
	size_t len = size - 2;

	struct tls_session *s;
	char err[256];
	if (tls_session_new(client ? client_ctx : server_ctx, &s, err,
			    sizeof(err)) < 0)
		abort();
	struct buf out = {0};
	if (tls_session_take_cipher(s, &out) < 0)  /* our ClientHello */
		abort();
	out.len = 0;

	int ret = 0;
	for (size_t off = 0; off < len && ret == 0;) {
		uint32_t r = next(&rng);
		size_t n = r % ((r >> 14) ? 2048 : 16) + 1;
		if (n > len - off)
			n = len - off;
		ret = tls_session_feed_cipher(s, stream + off, n);
		off += n;
		if (ret == 0)
			ret = app_step(s, &rng, &out);
	}
	if (tls_session_handshake_done(s))
		abort();
	if (ret < 0)
		check_failed(s, ret);
	buf_free(&out);
	tls_session_free(s);
	return 0;
}
