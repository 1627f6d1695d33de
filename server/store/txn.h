/*
 * Inside the store: the named databases, a transaction wrapper that carries
 * its own error (Knot DNS style: begin, op, op, commit; return t.ret; every op
 * is a no-op once one failed), big-endian keys and protobuf records.
 * For the domain modules only; the daemon uses store.h and service.h.
 * LMDB itself is behind store_lmdb.h, which only server/store/ includes.
 */
#ifndef CLUBCRM_TXN_H
#define CLUBCRM_TXN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "arena.h"
#include "overlay.h"
#include "store_err.h"

struct store;
struct MDB_txn;
struct redo;

enum store_db {
	DB_META,
	DB_TASKS,          /* id -> Task */
	DB_CUSTOMERS,      /* id -> Customer */
	DB_OPERATORS,      /* id -> Operator */
	DB_CREDENTIALS,    /* operator id -> Argon2id hash string */
	DB_TEAMS,          /* id -> Team */
	DB_TASK_TYPES,     /* id -> TaskType */
	DB_RESULTS,        /* id -> Result */
	DB_TAGS,           /* id -> Tag */
	DB_SETTINGS,       /* "settings" -> Settings */
	DB_CHANGES,        /* revision -> ChangeSet */
	DB_IDEMPOTENCY,    /* operator id | key -> task id | revision */
	DB_BY_PLANNED,     /* planned | task id */
	DB_BY_CREATED,     /* created | task id */
	DB_BY_CUSTOMER,    /* customer | planned | task id */
	DB_BY_OPERATOR_PLANNED, /* operator | planned | task id */
	DB_BY_LOGIN,       /* login -> operator id */
	DB_BY_CUSTOMER_NAME, /* folded name | 0 | customer id */
	DB_RESUME_TOKENS,  /* operator id | BLAKE2b(token) -> expiry */
	DB_FEEDS,          /* BLAKE2b(feed secret) -> operator id, and
			      operator id -> BLAKE2b(its secret) */
	DB_COUNT
};

/* A value read from the store: points into the map, valid until the txn
 * ends or writes. */
struct txn_val {
	const void *data;
	size_t len;
};

struct txn {
	struct store *st;
	struct MDB_txn *txn;
	int ret;  /* 0, or the first error (store_err.h) */
	bool top_write;  /* a write txn of its own, not nested */
	/* With the journal (store.h): a write txn's puts and deletes, handed
	 * to its parent on commit; a read txn's view of the overlay. */
	struct txn *parent;
	struct redo *redo;
	struct overlay_snap snap;
};

/* The name the writer and the service know the full disk by. */
#define TXN_DISK_FULL CLUBCRM_EDISKFULL

/* parent: NULL, or a write txn to nest in (then `write` must be true). */
void txn_begin(struct txn *t, struct store *st, struct txn *parent,
	       bool write);
/*
 * Commits when t->ret is 0, aborts otherwise. Returns t->ret. A write
 * transaction of its own is durable on disk when this returns 0.
 */
int txn_commit(struct txn *t);
/*
 * The same, for the writer's batches: the commit is visible to readers and
 * its pages are on disk, but the store's pointer to them (LMDB's meta page)
 * is durable only once a later commit or store_sync() returned (see
 * store.h, "Durability"). For a nested transaction it is txn_commit().
 */
int txn_commit_deferred(struct txn *t);
void txn_abort(struct txn *t);

/*
 * Reads a value. 0, -ENOENT (not an error of the txn), or the txn's error.
 * The value points into the map: valid until the txn ends or writes.
 */
int txn_get(struct txn *t, enum store_db db, const void *key, size_t klen,
	    struct txn_val *val);
void txn_put(struct txn *t, enum store_db db, const void *key, size_t klen,
	     const void *data, size_t dlen);
/* Removes an index entry (records are never deleted). Missing is fine. */
void txn_del(struct txn *t, enum store_db db, const void *key, size_t klen);
/* Empties a database (migrations). */
void txn_drop(struct txn *t, enum store_db db);
/* The number of entries of a database: 0, or the txn's error. */
int txn_count(struct txn *t, enum store_db db, size_t *n);

/* Records: protobuf messages under a big-endian id. */
void txn_put_msg(struct txn *t, enum store_db db, const void *key, size_t klen,
		 const ProtobufCMessage *msg);
/*
 * Loads and unpacks a record into the arena. 0, -ENOENT, -EIO for a record
 * that does not decode (also set as the txn's error), or the txn's error.
 */
int txn_get_msg(struct txn *t, enum store_db db, const void *key, size_t klen,
		const ProtobufCMessageDescriptor *d, struct arena *a,
		void **out);
int txn_get_rec(struct txn *t, enum store_db db, uint64_t id,
		const ProtobufCMessageDescriptor *d, struct arena *a,
		void **out);
void txn_put_rec(struct txn *t, enum store_db db, uint64_t id,
		 const ProtobufCMessage *msg);

/* meta: the global revision and the id counter of a database. */
uint64_t txn_revision(struct txn *t);
/* Increments and stores the revision; returns it (0 after an error). */
uint64_t txn_next_revision(struct txn *t);
/* Allocates the next id of a database (1, 2, ...); 0 after an error. */
uint64_t txn_next_id(struct txn *t, enum store_db db);

/* Big-endian keys. Signed times are offset so that key order is time order. */
static inline void key_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline uint64_t key_get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline void key_time(uint8_t *p, int64_t t)
{
	key_u64(p, (uint64_t)t ^ (UINT64_C(1) << 63));
}

#endif
