/*
 * A blocking WebSocket client for the web listener's tests, built on
 * libwebsockets' client API (its own context and poll loop in the test's
 * thread): it sends binary (or text) messages and collects the binary
 * messages' bytes, which are the protocol's frames. Plus one raw HTTP
 * request over a plain socket, for the tests that must see every header
 * (or send a path no client would).
 */
#ifndef CLUBCRM_ITWS_H
#define CLUBCRM_ITWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "clubcrm.pb-c.h"

struct itws;

struct itws_opts {
	const char *address;   /* "127.0.0.1:PORT" */
	const char *origin;    /* NULL: none sent */
	const char *ca_file;   /* wss:// verified against it; NULL: ws:// */
};

/* Connects and upgrades /ws (subprotocol clubcrm.v1), waiting up to 10 s.
 * 0 with *out set, or -1 (refused or failed). */
int itws_connect(struct itws **out, const struct itws_opts *o);
void itws_free(struct itws *c);

/* Sends one message and waits until libwebsockets wrote it. 0 or -1. */
int itws_send(struct itws *c, const void *data, size_t len, bool text);
/* Sends one binary message per `chunk` bytes. 0 or -1. */
int itws_send_chunked(struct itws *c, const void *data, size_t len,
		      size_t chunk);
/* The next frame from the received bytes, waiting up to timeout_ms; NULL
 * on timeout, close or a malformed frame. Free with
 * clubcrm__frame__free_unpacked(f, NULL). */
Clubcrm__Frame *itws_recv(struct itws *c, unsigned timeout_ms);
/* Waits for a frame with this body, dropping others. */
Clubcrm__Frame *itws_expect(struct itws *c, Clubcrm__Frame__BodyCase body,
			    unsigned timeout_ms);
/* Preface, Hello, Login as one message; true when Welcome and LoginOk
 * came. */
bool itws_login(struct itws *c, const char *login, const char *password);
/* Stops (or resumes) reading from the socket. */
void itws_pause(struct itws *c, bool paused);
/* Services the connection for up to timeout_ms, reading (dropping frames)
 * until the server closes it; true when it did. *code: the close code the
 * server sent (0 for none). */
bool itws_wait_closed(struct itws *c, unsigned timeout_ms, int *code);
/* Messages of each kind received so far. */
unsigned itws_text_received(const struct itws *c);

/*
 * One HTTP/1.1 request over a new plain socket to `address`: `head` is the
 * request line and headers without the final blank line ("GET / HTTP/1.1
 * \r\nHost: ..."), "Connection: close" is added. The whole answer goes to
 * *resp (NUL-terminated). The status code, or -1.
 */
int itws_http(const char *address, const char *head, struct buf *resp);
/* A header's value in an answer (case-insensitive name), copied into
 * `out`; false when absent. */
bool itws_header(const char *resp, const char *name, char *out, size_t size);

#endif
