/*
 * The LMDB environment of one club: named databases, revision, ids.
 * Layout in README ("Storage"). All integers in keys are big-endian so that
 * key order is numeric order.
 */
#ifndef CLUBCRM_STORE_H
#define CLUBCRM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal.h"

struct store;

/* Opens (creating when missing) the environment in directory `dir`. */
int store_open(const char *dir, size_t map_size, struct store **out);
/*
 * The tools' open (`clubcrmd check`, `clubcrmd backup`): never waits for a
 * running server, and says what it found (main.c prints it; check.h's
 * check_journal() counts the journal's damage as a problem).
 * - No server holds the journal (journal.lock): the journal is verified as
 *   found (before the replay, which would set damage aside), then it is
 *   store_open(): the replay of the journal after the last checkpoint, a
 *   migration of an older schema.
 * - A server holds it: nothing is written and nothing replayed, since the
 *   server owns the journal and its long write transaction holds LMDB's
 *   writer lock almost all the time: the databases are opened in a read
 *   transaction, and what the tools read is the server's last checkpoint
 *   (the journal is verified, its records after that checkpoint are the
 *   server's). A write transaction on this store then fails (-EROFS). A
 *   database the server has not made or an older schema (an older server
 *   runs): CLUBCRM_ESERVED.
 */
struct store_tool_view {
	bool served;          /* a running server holds the journal */
	bool journal;         /* the club has a journal directory */
	int verify_rc;        /* journal_verify's: 0 or a negative errno */
	struct journal_verify_result jv;  /* .after: the records after the
					     checkpoint (replayed, or the
					     server's) */
	uint64_t checkpoint;  /* the last batch LMDB held (journal numbers) */
};
int store_open_tool(const char *dir, size_t map_size, struct store **out,
		    struct store_tool_view *v);
void store_close(struct store *st);
/* The last committed revision (0 for a new club). */
uint64_t store_revision(struct store *st);
/* Doubles the map size. Only while no transaction of this process is open. */
int store_grow(struct store *st);
/*
 * Durability. Every commit writes its pages and waits for the disk to have
 * them (one fdatasync), then points the store at them (LMDB's meta page)
 * without waiting: LMDB's MDB_NOMETASYNC. That pointer is made durable by
 * the next commit's own wait, or by store_sync(). A crash at any moment
 * leaves a consistent store (the newest meta page whose pages are all on
 * disk: LMDB never reuses the pages of the last two commits); it may lose
 * the last commit that was neither followed by another nor synced, which
 * is why the writer acknowledges a batch only once store_durable_txn()
 * covers it. Under load one wait per commit instead of two.
 *
 * Commits are numbered by LMDB's transaction id; only the writer's thread
 * (one at a time, its work handed from the loop thread) calls these and
 * txn_commit_deferred().
 */
/* The id of the last commit that wrote something. */
uint64_t store_committed_txn(const struct store *st);
/* Every commit up to this id is durable. */
uint64_t store_durable_txn(const struct store *st);
/* Makes every commit durable (one fdatasync when one is pending). 0, or
 * the error of the sync: then nothing since the last durable commit may be
 * taken as durable. */
int store_sync(struct store *st);
/*
 * The journal (issue 15; journaled.c). A server journals: its writer's
 * batches nest in one LMDB write transaction kept open across them, each
 * acknowledged once appended to `journal/` and synced, and seen by other
 * threads' readers through an in-memory overlay until a checkpoint (that
 * transaction's synced commit, about once a second under load) holds it. Then the
 * commit numbers above are the journalled batches', durable as soon as
 * committed. Whoever opens the store replays what the journal holds after
 * the last checkpoint (store_open does, unless a running server holds the
 * journal: then LMDB's last checkpoint is what others read).
 */
#define STORE_JOURNAL_SEGMENT ((size_t)4 << 20)
/*
 * When a checkpoint is due (store_checkpoint_due): by what the overlay
 * holds, not by the clock. A checkpoint writes each page the batches since
 * the last one dirtied, once: the fewer checkpoints for the same writes, the
 * fewer bytes a write costs, and under a slow stream of writes a checkpoint
 * a second cost each write several KiB (issue 15). So: once the overlay
 * holds STORE_CHECKPOINT_BYTES (its memory bound); after STORE_CHECKPOINT_NS
 * once it holds STORE_CHECKPOINT_MIN_BYTES (the pause a checkpoint costs
 * the writer stays that of about a second at full speed); and at the latest
 * after STORE_CHECKPOINT_MAX_NS (how far LMDB, and so a backup taken next
 * to the running server, may lag the last acknowledged write). The writer
 * also checkpoints once writes pause (WRITER_IDLE_CHECKPOINT_MS).
 */
#define STORE_CHECKPOINT_NS (1000ull * 1000u * 1000u)
#define STORE_CHECKPOINT_MIN_BYTES ((size_t)8 << 20)
#define STORE_CHECKPOINT_MAX_NS (10ull * STORE_CHECKPOINT_NS)
#define STORE_CHECKPOINT_BYTES ((size_t)64 << 20)
/* At store_open: replays the journal of `dir` when no server holds it. */
int store_journal_recover(struct store *st, const char *dir);
/* The server: takes the journal of `dir` (-EBUSY: another process has
 * it). Then every top-level write transaction is the writer's and runs on
 * its one thread, as store_checkpoint() does. */
int store_journal_start(struct store *st, const char *dir);
/* The writer's thread: commits what the journal holds so far into LMDB
 * (synced) and trims the journal. 0, or an error (nothing is lost: the
 * journal still holds it). */
int store_checkpoint(struct store *st);
/* The writer's thread, between batches: one slice (a few tenths of a ms)
 * of freeing what a checkpoint, or a reader's unpin, let go of in the
 * overlay. True when nothing is left to free. */
bool store_retire_step(struct store *st);
/* True when a checkpoint is due (STORE_CHECKPOINT_*: what the overlay
 * holds, and how long). */
bool store_checkpoint_due(struct store *st);
/* The rule itself: a long transaction `age_ns` old whose overlay holds
 * `held` bytes. */
bool store_checkpoint_wanted(uint64_t age_ns, size_t held);
/* True when journalled writes wait for a checkpoint (any thread, while the
 * writer's thread runs nothing). */
bool store_checkpoint_pending(struct store *st);
/* At close (store_close calls it): the last checkpoint, on the writer's
 * thread if it was not done there, then the journal closed. */
void store_journal_stop(struct store *st);

/* How many top-level write commits failed inside LMDB (its page writes or
 * its wait for the disk): a failed wait may have lost the pages of the
 * commit before, which no later sync can then vouch for (writer.c). */
uint64_t store_commit_failures(const struct store *st);
/* How many store_sync() calls had to wait for the disk (statistics). */
uint64_t store_syncs(const struct store *st);
/* True when the file system holding the database has (almost) no room
 * left: a failed commit then failed for that (LMDB reports a short write
 * as EIO). */
bool store_disk_low(struct store *st);

#endif
