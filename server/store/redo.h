/*
 * The redo of a writer batch: the list of puts, deletes and drops it made,
 * in order, as bytes for the journal (journal.h). Replaying the list over
 * the store as it was before the batch gives the store after it, with no
 * domain code: the ops are the store's own (txn_put, txn_del, txn_drop).
 *
 * Format (little-endian), one op after the other, nothing before or after:
 *   PUT:  u8 1 | u8 db | u16 key length | key | u32 value length | value
 *   DEL:  u8 2 | u8 db | u16 key length | key
 *   DROP: u8 3 | u8 db
 * A key is 1..REDO_KEY_MAX bytes (LMDB's default key limit); a value
 * 0..REDO_VALUE_MAX. The encoding is canonical: decoding and encoding
 * again gives the same bytes.
 *
 * The decoder treats its input as hostile: every length is checked against
 * the bytes left before it is used, and the database number against the
 * caller's count. Validate a whole payload (redo_validate) before applying
 * any of it, so that a bad one is refused whole, not half applied.
 */
#ifndef CLUBCRM_REDO_H
#define CLUBCRM_REDO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define REDO_KEY_MAX 511u
#define REDO_VALUE_MAX (1u << 30)

enum redo_kind {
	REDO_PUT = 1,
	REDO_DEL = 2,
	REDO_DROP = 3,
};

/*
 * The encoder carries its own error (Knot DNS style): op, op, op, then look
 * at r->err once. An op after an error does nothing.
 */
struct redo {
	struct buf b;   /* the encoded ops */
	size_t ops;
	int err;        /* 0, -EINVAL (a bad db, key or value length),
			   -ENOMEM */
};

void redo_put(struct redo *r, unsigned db, const void *key, size_t klen,
	      const void *val, size_t vlen);
void redo_del(struct redo *r, unsigned db, const void *key, size_t klen);
void redo_drop(struct redo *r, unsigned db);
/* Empties the list (keeps the memory) and clears the error. */
void redo_reset(struct redo *r);
void redo_free(struct redo *r);

/* One decoded op; key and val point into the decoded bytes. */
struct redo_op {
	enum redo_kind kind;
	unsigned db;
	const uint8_t *key;   /* NULL for DROP */
	size_t klen;
	const uint8_t *val;   /* PUT only */
	size_t vlen;
};

struct redo_reader {
	const uint8_t *p;
	size_t len;
	size_t off;
	unsigned n_dbs;       /* a db number must be below it */
	const char *why;      /* after -EIO: what is wrong */
};

void redo_reader_init(struct redo_reader *rd, const void *data, size_t len,
		      unsigned n_dbs);
/* 1 and *op: the next op; 0: the end; -EIO: bad bytes (rd->why says
 * what, rd->off where), and every later call returns -EIO too. */
int redo_next(struct redo_reader *rd, struct redo_op *op);
/* Walks the whole list: 0 (*n_ops set when not NULL) or -EIO. */
int redo_validate(const void *data, size_t len, unsigned n_dbs,
		  size_t *n_ops);

#endif
