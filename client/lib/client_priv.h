/*
 * The inside of a client, shared by its three parts: client.c (life cycle,
 * requests, endings), client_connect.c (resolving, connecting, link
 * events) and client_proto.c (handshake, login, heartbeat, dispatch of the
 * frames received). Not for the library's users.
 */
#ifndef CLUBCRM_CLIENT_PRIV_H
#define CLUBCRM_CLIENT_PRIV_H

#include <netdb.h>

#include "arena.h"
#include "client.h"
#include "client_addr.h"
#include "client_link.h"
#include "client_reqtab.h"

/* The whole way from resolving to LoginOk; a failed login alone takes ~1 s. */
#define CLIENT_CONNECT_TIMEOUT_MS 10000u
/* Silent heartbeats after which the server counts as gone (as the server
 * does for its clients). */
#define CLIENT_MISSED_BEATS 3u
/* How long client_logout_close() waits for the server to end the session. */
#define CLIENT_LOGOUT_TIMEOUT_MS 2000u

struct client {
	uv_loop_t *loop;
	enum client_state state;
	struct client_addr addr;
	char *login, *password, *terminal;
	uint8_t *token;             /* resume token to log in with, or NULL */
	size_t token_len;
	/* TLS: on when use_tls; the context is made by client_connect(). */
	bool use_tls;
	char *ca_file, *server_name;
	struct tls_ctx *tls;
	Clubcrm__ClientKind kind;
	unsigned connect_timeout_ms;
	struct client_callbacks cbs;
	void *ud;
	/* Pushes are decoded into this (bump allocation, no malloc and free
	 * per field) and forgotten once their callback returned. */
	struct arena push_arena;
	bool push_arena_big;      /* holds a snapshot chunk's memory */

	/* Resolving: the request in flight, then the addresses to try. */
	uv_getaddrinfo_t gai;
	bool gai_busy;
	struct addrinfo *ai_list, *ai_next;
	int last_err;               /* of the last failed connect */

	struct client_link *link;   /* the current connection, or NULL */
	unsigned links_open;        /* links whose close callback is due */
	/* Before READY: the deadline of connect + handshake + login. In
	 * READY: the heartbeat watchdog (see heartbeat_tick). */
	uv_timer_t timer;
	bool timer_open;
	uint64_t last_rx_ms;        /* uv_now() of the last frame received */
	size_t rx_frame_bytes;      /* of the frame being handled, header too */
	uint64_t ping_nonce;

	struct client_reqtab reqs;
	uint64_t next_id;
	uint64_t login_id;
	Clubcrm__Frame *welcome;    /* the Welcome frame, owned */
	Clubcrm__Frame *login_ok;   /* the LoginOk frame, owned */
	uint32_t max_out;
	char goaway[CLIENT_MESSAGE_MAX];  /* reason of a GoAway received */
	bool got_goaway;
	/* client_logout_close(): Logout sent, the link kept open until the
	 * server ends the connection (or the timer fires). */
	bool logging_out;
};

/* client.c */
/* Encodes and queues a frame, checked against the server's limit. */
int client_send_frame(struct client *c, Clubcrm__Frame *f);
/* A fresh non-zero request id. */
uint64_t client_take_id(struct client *c);
/* Closes the current link, if any. */
void client_drop_link(struct client *c);
/* Frees the client once it is closing and nothing of it is in flight. */
void client_maybe_free(struct client *c);
/*
 * The connection is over (or never came to be): on_ready with the reason
 * before READY, pending requests failed and on_disconnect after it.
 */
void client_connection_ended(struct client *c, const struct client_status *st);
/* The same with "what: libuv's words for err". */
void client_ended_errno(struct client *c, unsigned code, const char *what,
			int err);

/* client_proto.c */
/* Preface and Hello, once connected. 0 or a negative errno. */
int client_send_hello(struct client *c);
/* One frame from the server (the link's on_frame). */
int client_on_frame(void *owner, const uint8_t *payload, size_t len);

#endif
