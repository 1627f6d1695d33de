/*
 * The protocol on one connection: preface, Hello/Welcome, Login (login.c),
 * heartbeat, and dispatch of requests by the Frame's oneof
 * case: reads on the loop thread, writes to the group-commit writer.
 *
 * A session owns its connection's transport (net/transport.h) and speaks
 * to it only through that interface: it sends whole frames, reads the
 * queued output for backpressure, and is called back with the bytes
 * received, a write done, its timer, the close. Lifetime is the
 * transport's: session_ref() takes a reference for work that will come
 * back (a login, a request in the writer), and the session is freed with
 * its transport. What it sends goes through session_out.h, the one
 * module of session/ below login.c and subs.c; they call back up into the
 * dispatcher only through the session's `resume` upcall.
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
#include "transport.h"

struct server;

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
	struct server *srv;
	struct transport *t;
	struct session *prev, *next;  /* server's open sessions */
	enum session_state state;
	uint8_t preface[FRAME_PREFACE_LEN];
	size_t preface_got;
	struct frame_reader reader;
	struct actor who;          /* valid in SESSION_READY */
	char login[64];            /* for the logs */

	bool login_running;        /* a login, or a logout's revocation */
	/* session_resume(), installed by session.c: how login.c, below the
	 * dispatcher, lets it read again once a login has finished. */
	void (*resume)(struct session *c);
	struct buf fail_reply;     /* delayed answer to a failed login */
	/* BLAKE2b of the resume token this session was issued or resumed
	 * with (login.c), revoked at Logout. */
	uint8_t token_hash[32];
	bool has_token;
	uint64_t fail_at_ms;

	unsigned in_flight;        /* requests in the writer */
	/* Their ids and bytes: allocated at the first write and grown by
	 * doubling up to SESSION_MAX_IN_FLIGHT, so a terminal that only
	 * watches holds none (1 KiB of 5 at 5,000 idle terminals). */
	struct session_flight *flight;
	unsigned flight_cap;
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
};

/*
 * A new connection (net's accept callback; `srv` is the server): becomes
 * its owner, then starts the handshake deadline and the heartbeat, or
 * refuses it when the server has --max-connections already.
 */
void session_accept(void *srv, struct transport *t);

/* Something that held the session back changed: feed stashed bytes, then
 * read again if nothing holds it back any more. */
void session_resume(struct session *c);

/* Writer callback: the reply to one of this connection's writes, `wire`
 * being op->reply encoded (writer_hooks.done). */
void session_write_done(struct session *c, struct service_write_op *op,
			struct buf *wire);
/* The reader's answer to a long read of `c` (reader.h). */
void session_long_read_done(struct session *c, const Clubcrm__Frame *req,
			    struct buf *wire);

/* The transport's controls, for the session's modules (transport.h). */
static inline void session_ref(struct session *c)
{
	c->t->ops->ref(c->t);
}
/* May free the session (with its transport). */
static inline void session_unref(struct session *c)
{
	c->t->ops->unref(c->t);
}
static inline void session_drain(struct session *c)
{
	transport_drain(c->t);
}
static inline void session_close(struct session *c)
{
	c->t->ops->close(c->t, false);
}
/* Closes with a reset: a peer that does not read. */
static inline void session_abort(struct session *c)
{
	c->t->ops->close(c->t, true);
}
static inline void session_flush(struct session *c)
{
	c->t->ops->flush(c->t);
}
static inline void session_maybe_finish(struct session *c)
{
	c->t->ops->maybe_finish(c->t);
}
static inline void session_update_reading(struct session *c)
{
	c->t->ops->update_reading(c->t);
}
static inline void session_arm_timer(struct session *c)
{
	c->t->ops->arm_timer(c->t);
}
static inline size_t session_output_bytes(const struct session *c)
{
	return transport_queued(c->t);
}
static inline size_t session_output_soft_limit(const struct session *c)
{
	return transport_soft_limit(c->t);
}

#endif
