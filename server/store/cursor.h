/*
 * The one cursor over a database of the store. It carries the txn's error
 * like every txn op: a failed step sets t->ret and every later call returns
 * it. Steps return 0 (c->key and c->val hold the entry), -ENOENT past either
 * end (not an error of the txn), or the txn's error.
 *
 *	struct txn_cursor c;
 *	int rc = txn_cursor_open(&c, t, DB_TASKS);
 *	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0;
 *	     rc = txn_cursor_next(&c))
 *		use(c.key, c.val);
 *	txn_cursor_close(&c);
 *	return rc == -ENOENT ? 0 : rc;
 */
#ifndef CLUBCRM_CURSOR_H
#define CLUBCRM_CURSOR_H

#include "txn.h"

struct MDB_cursor;
struct cursor_merge;

struct txn_cursor {
	struct txn *t;
	struct MDB_cursor *c;
	struct txn_val key, val;
	struct cursor_merge *m;  /* with the journal: LMDB's and the
				    overlay's entries merged (cursor.c) */
};

/* 0 or the txn's error; closing is always safe afterwards. */
int txn_cursor_open(struct txn_cursor *c, struct txn *t, enum store_db db);
void txn_cursor_close(struct txn_cursor *c);
/* The first entry at or after `key` (NULL: the first entry). */
int txn_cursor_seek(struct txn_cursor *c, const void *key, size_t klen);
/* The last entry before `key` (NULL: the last entry). */
int txn_cursor_seek_before(struct txn_cursor *c, const void *key, size_t klen);
int txn_cursor_next(struct txn_cursor *c);
int txn_cursor_prev(struct txn_cursor *c);
/*
 * Unpacks the current value into the arena: 0, or -EIO for a value that
 * does not decode, which is also set as the txn's error (the store is
 * damaged, or memory ran out).
 */
int txn_cursor_msg(struct txn_cursor *c, const ProtobufCMessageDescriptor *d,
		   struct arena *a, void **out);

#endif
