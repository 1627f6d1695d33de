/*
 * The protocol on one connection: preface, Hello/Welcome, Login (login.c),
 * heartbeat, and dispatch of requests by the Frame's oneof
 * case: reads on the loop thread, writes to the group-commit writer.
 */
#ifndef CLUBCRMD_SESSION_H
#define CLUBCRMD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "arena.h"
#include "buf.h"
#include "frame.h"
#include "service.h"
#include "subs.h"

struct conn;

/* Requests of one connection in the writer before it stops reading. */
#define SESSION_MAX_IN_FLIGHT 64
/* A silent peer is dropped after this many heartbeats. */
#define SESSION_MISSED_BEATS 3
/* Values one repeated field of a request may hold (the domain's own limits
 * are smaller); checked before the request runs. */
#define SESSION_MAX_VALUES 1000

/* A request in the writer: its id (answered once) and its decoded bytes. */
struct session_flight {
	uint64_t request_id;
	size_t bytes;
};

enum session_state {
	SESSION_PREFACE,    /* waiting for the 12-byte preface */
	SESSION_HANDSHAKE,  /* Hello, Login, Ping only */
	SESSION_READY,      /* logged in */
};

struct session {
	enum session_state state;
	uint8_t preface[FRAME_PREFACE_LEN];
	size_t preface_got;
	struct frame_reader reader;
	struct actor who;          /* valid in SESSION_READY */
	char login[64];            /* for the logs */

	bool login_running;        /* a login, or a logout's revocation */
	struct buf fail_reply;     /* delayed answer to a failed login */
	/* BLAKE2b of the resume token this session was issued or resumed
	 * with (login.c), revoked at Logout. */
	uint8_t token_hash[32];
	bool has_token;
	uint64_t fail_at_ms;

	unsigned in_flight;        /* requests in the writer */
	struct session_flight flight[SESSION_MAX_IN_FLIGHT];
	size_t mem_held;           /* decoded bytes of those requests */
	/* A frame that did not fit the memory left to decode it: decoded
	 * again once the connection's or the server's requests released
	 * more than `held_budget` (session.c, "memory"). */
	struct buf held_frame;
	size_t held_budget;
	struct conn_subs subs;     /* live views (subs.h) */
	/* Bytes read after a frame that paused the session (a login running,
	 * too many requests in flight, too much output): fed again on resume. */
	struct buf stash;

	uint64_t handshake_deadline_ms;
	uint64_t next_beat_ms;
	uint64_t last_rx_ms;
	uint64_t ping_nonce;

	/* Where the frame being handled ends in the bytes being fed. */
	const uint8_t *feed_data;
	size_t feed_len;
	const uint8_t *feed_end;
	size_t feed_hdr0, feed_got0;
	bool feed_partial0;
};

/* A new connection: starts the handshake deadline and the heartbeat. */
void session_init(struct conn *c);
void session_fini(struct conn *c);

/* Bytes from the peer (any split). May close the connection. */
void session_on_data(struct conn *c, const uint8_t *data, size_t len);
/* The connection's timer fired. */
void session_on_timer(struct conn *c);
/* Something that held the session back changed: feed stashed bytes, then
 * read again if nothing holds it back any more. */
void session_resume(struct conn *c);
/* Whether the connection may read more. */
bool session_wants_input(const struct conn *c);
/* Requests still in the writer for this connection. */
unsigned session_in_flight(const struct conn *c);
/* When the session next needs its timer (loop ms). */
uint64_t session_next_deadline(const struct conn *c);

/* Writer callback: the reply to one of this connection's writes, `wire`
 * being op->reply encoded (writer_hooks.done). */
void session_write_done(struct conn *c, struct service_write_op *op,
			struct buf *wire);

/*
 * Answers Logout with a GoAway (`code`, `reason`) echoing its request id,
 * then drains the connection: replies still in flight go out first.
 */
void session_send_logged_out(struct conn *c, uint64_t request_id,
			     unsigned code, const char *reason);

/* Sends an Error frame answering `request_id`. */
void session_send_error(struct conn *c, uint64_t request_id, unsigned code,
			const char *message);
/* Copies a peer-supplied name for the logs, printable ASCII only. */
void session_log_safe(char *out, size_t size, const char *in);

#endif
