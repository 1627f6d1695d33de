/*
 * A connection to clubcrmd that stays up for a terminal's whole day: it
 * reconnects by itself with backoff after a server restart or a network cut,
 * logs in again, and resumes every subscription from the revision its replica
 * holds (the server replays what was missed, or sends a fresh snapshot), so
 * nothing is lost or applied twice.
 *
 * Each connection attempt is its own struct client (client.h); this layer
 * owns the subscriptions and their replicas across attempts. Loop thread only.
 */
#ifndef CLUBCRM_LIVE_H
#define CLUBCRM_LIVE_H

#include <stdint.h>
#include <uv.h>

#include "client.h"
#include "replica.h"

enum live_state {
	LIVE_CONNECTING,   /* an attempt is under way */
	LIVE_READY,        /* logged in; subscriptions resumed or resuming */
	LIVE_WAITING,      /* disconnected; the next attempt is scheduled */
	LIVE_FAILED,       /* login refused: retrying would not help */
	LIVE_CLOSED,
};

/*
 * Backoff between attempts. The bound doubles after every failed attempt,
 * from the first to the last, and falls back to the first once logged in;
 * each wait is drawn in [bound/2, bound], so that the terminals a restart
 * cut at the same moment do not all come back in the same millisecond. The
 * last bound keeps a terminal at most a second behind a server that is
 * back (the login then resumes with a token: no password hashing).
 */
#define LIVE_BACKOFF_FIRST_MS 50u
#define LIVE_BACKOFF_MAX_MS 1000u

/* A random source: 32 random bits per call. */
typedef uint32_t (*live_random_fn)(void *ud);

struct live_backoff {
	unsigned bound_ms;
	live_random_fn random;   /* NULL: a built-in generator */
	void *random_ud;
	uint64_t seed;           /* the built-in generator's state */
};

void live_backoff_init(struct live_backoff *b, live_random_fn random,
		       void *random_ud);
/* The wait before the next attempt; the bound then grows. */
unsigned live_backoff_next(struct live_backoff *b);
/* Back to the first bound (a connection came up). */
void live_backoff_reset(struct live_backoff *b);

struct live;
struct live_sub;

struct live_callbacks {
	/* The connection state changed; `why` says why it is not READY. */
	void (*on_state)(struct live *l, enum live_state st,
			 const struct client_status *why, void *ud);
	/* One of the operator's own tasks fell due. */
	void (*on_reminder)(struct live *l, const Clubcrm__TaskRow *row,
			    void *ud);
	/* A subscription was refused by the server (bad view, limits). */
	void (*on_sub_error)(struct live *l, struct live_sub *s,
			     const struct client_status *why, void *ud);
	/* Last call before the live connection is freed. */
	void (*on_closed)(struct live *l, void *ud);
};

/* Strings of `cfg` are copied. STATUS_OK, INVALID_ARGUMENT (no address)
 * or INTERNAL (no memory, the loop refused). Errors: client.h. */
unsigned live_new(uv_loop_t *loop, const struct client_config *cfg,
		  const struct live_callbacks *cbs, void *ud, struct live **out);
/* Starts the first attempt. STATUS_OK. */
unsigned live_start(struct live *l);
enum live_state live_get_state(const struct live *l);
const char *live_state_name(enum live_state st);
/* The current connection (READY) or NULL. */
struct client *live_client(struct live *l);

/*
 * Subscribes to a view (copied). The replica fills with the snapshot and
 * stays current; its callbacks tell what changed. Works in any state: the
 * subscription starts when the connection is ready. STATUS_OK or
 * INTERNAL (no memory).
 */
unsigned live_subscribe(struct live *l, const Clubcrm__View *view,
			const struct replica_callbacks *cbs, void *ud,
			struct live_sub **out);
struct replica *live_sub_replica(struct live_sub *s);
/* Ends a subscription and frees its replica. */
void live_unsubscribe(struct live *l, struct live_sub *s);

/*
 * A request on the current connection; when there is none, `cb` is called
 * (later, from the loop) with UNAVAILABLE "reconnecting". A create (a
 * CreateTask, an UpsertCustomer adding a customer) goes to live_create()
 * instead: it waits for the connection and is repeated with its key. STATUS_OK or why it could not be queued (client_request(),
 * INTERNAL for no memory).
 */
unsigned live_request(struct live *l, Clubcrm__Frame *req, client_reply_cb cb,
		      void *arg);

/*
 * A create (a CreateTask frame, or an UpsertCustomer whose customer has no
 * id) that survives the connection: it carries an idempotency key (one is
 * drawn when `req` has none), and when the connection is down, or goes
 * before the answer came, the very same request (same key) goes out again
 * on the next connection, until LIVE_CREATE_RETRY_MS after this call. The
 * server answers a repeat with the first result, so a retry never makes a
 * second task or customer. `cb` is called exactly once, later: with the
 * answer, or UNAVAILABLE when the time ran out or the live connection was
 * closed. STATUS_OK, INVALID_ARGUMENT (not a create, or closed) or
 * INTERNAL (no memory, no randomness).
 */
#define LIVE_CREATE_RETRY_MS 30000u
unsigned live_create(struct live *l, Clubcrm__Frame *req, client_reply_cb cb,
		     void *arg);
/* Tests: how long live_create() keeps trying (ms). */
void live_set_create_retry_ms(struct live *l, unsigned ms);

/* Tests: draw the backoff's jitter from `random` (deterministic waits). */
void live_set_random(struct live *l, live_random_fn random, void *ud);
/* The wait before the attempt scheduled last (in ms). */
unsigned live_retry_delay_ms(const struct live *l);

/* Closes everything, logging out a session that is up (client_logout_close);
 * on_closed follows once the handles are closed. */
void live_close(struct live *l);

#endif
