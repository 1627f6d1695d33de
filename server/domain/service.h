/*
 * The request layer between the network and the domain: turns a decoded
 * request Frame into a reply Frame *message* inside an LMDB transaction.
 * No bytes and no libuv here: whoever sends the reply encodes and frames it
 * (the writer on its worker thread, the session on the loop thread), and
 * decides when and on which thread these run.
 */
#ifndef CLUBCRM_SERVICE_H
#define CLUBCRM_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "clubcrm.pb-c.h"

struct store;

/*
 * Who is asking, and when (the server's clock at dispatch). A session's
 * role is what it had at login: a write checks it again from the stored
 * operator record (rights.h). `system` is for in-process writes only (club
 * creation, the demo club): no operator record, the role taken as given.
 */
struct actor {
	uint64_t operator_id;
	Clubcrm__Role role;
	int64_t now;
	bool system;
};

enum service_kind {
	SERVICE_UNKNOWN = 0,  /* not a request this server serves: UNIMPLEMENTED */
	SERVICE_SESSION,      /* Hello, Login, Logout, Ping: the session layer's */
	SERVICE_READ,         /* served on the loop thread from a read txn */
	SERVICE_LONG_READ,    /* a read over a period (reports, calendars) that
				 may scan many changes: served from a read txn
				 on a worker thread, one at a time */
	SERVICE_WRITE,        /* goes through the group commit */
};

/* What kind of request a frame body is. Responses and pushes are UNKNOWN. */
enum service_kind service_kind_of(Clubcrm__Frame__BodyCase body);

/*
 * Checks a login and password (constant time, Argon2id). 0 and the operator,
 * allocated in `a`; or STATUS_UNAUTHENTICATED (unknown login, wrong password
 * or inactive operator, all alike to the caller) or STATUS_INTERNAL.
 */
int service_login(struct store *st, const char *login, const char *password,
		  struct arena *a, Clubcrm__Operator **out);

/* What a login was checked against: the operator record and the stored
 * credential (its Argon2id hash, salted afresh on every change) as read. */
struct service_login_grant {
	Clubcrm__Operator *op;
	const char *credential;
};

/* service_login(), keeping what it checked against in `out` (in `a`). */
int service_login_grant(struct store *st, const char *login,
			const char *password, struct arena *a,
			struct service_login_grant *out);

/*
 * Checks a login and a resume token (tokens.h) at `now`: a hash lookup, no
 * Argon2id. 0, the operator and credential in `out` (in `a`) and the
 * token's expiry; or STATUS_UNAUTHENTICATED (unknown login, a token not of
 * this login, expired or revoked, an inactive operator: all alike) or
 * STATUS_INTERNAL.
 */
int service_login_token(struct store *st, const char *login,
			const uint8_t *token, size_t len, int64_t now,
			struct arena *a, struct service_login_grant *out,
			int64_t *expires);

/*
 * Whether a login checked earlier still holds, from a fresh read: the
 * operator is still active, with the same role and the same credential.
 * The password check runs on another thread, so an admin may deactivate the
 * operator, reset their password or change their role meanwhile; such a
 * login must not start a session. 0, STATUS_UNAUTHENTICATED (no longer
 * holds) or STATUS_INTERNAL.
 */
int service_login_current(struct store *st,
			  const struct service_login_grant *g);

/*
 * Serves a read request from one read transaction. 0 and in *reply, in `a`,
 * the reply or an Error frame echoing req->request_id; or -ENOMEM when not
 * even the Error could be built.
 */
int service_read(struct store *st, const struct actor *who,
		 const Clubcrm__Frame *req, struct arena *a,
		 Clubcrm__Frame **reply);

/*
 * The calendar feed of the secret in a feed URL (feeds.h), from one read
 * transaction at `now`: 0 and the iCalendar text in `a` (ical.h); -ENOENT
 * for a malformed, unknown or rotated secret or a deactivated operator,
 * all alike; another negative errno when the store fails.
 */
int service_feed(struct store *st, const char *secret, size_t len,
		 int64_t now, struct arena *a, char **ics, size_t *ics_len);
/*
 * Whether the secret names a live feed, as service_feed() would find it
 * (0 or the same errors), without building it: a few lookups, for the
 * loop thread to refuse what is not a feed before queueing a build.
 */
int service_feed_check(struct store *st, const char *secret, size_t len);

/* One write request of a batch. */
struct service_write_op {
	struct actor who;
	const Clubcrm__Frame *req;  /* decoded request, owned by the caller */
	/* Filled by service_write_batch(), in `mem`, until
	 * service_write_op_free(): */
	Clubcrm__Frame *reply;      /* the reply or an Error frame; NULL when
				       not even that could be built */
	uint64_t revision;          /* revision committed for it, 0 if refused */
	Clubcrm__ChangeSet *changes;  /* what it committed (NULL if none) */
	struct arena *mem;
};

/*
 * Group commit, run on the writer thread. One LMDB write transaction for all
 * ops, each op in its own nested transaction with its own revision (an op that
 * is refused leaves no trace and gets an Error reply), then one commit, made
 * durable by the next one or store_sync() (store.h, "Durability": the
 * writer answers nothing before). Returns 0 when the batch committed. On failure nothing was written and every
 * op's reply is an Error frame: -ENOSPC when the map is full (the caller grows
 * it with store_grow() while no transaction is active, then retries the batch),
 * another negative errno otherwise (replies say UNAVAILABLE / INTERNAL).
 * A retried op starts afresh; each op is freed with service_write_op_free().
 */
int service_write_batch(struct store *st, struct service_write_op *ops,
			size_t n);

/* Frees what service_write_batch() filled in `op` (fine when it did not). */
void service_write_op_free(struct service_write_op *op);

#endif
