/*
 * Live views, the domain half (no libuv): snapshots read at one revision,
 * replay of the change log after a revision, and what one commit (or one
 * tick of the clock) changes in each view, as encoded message bodies
 * (SnapshotChunk, DeltaBatch) that the session frames (frame_push*() in
 * frame.h), in place where they were built.
 *
 * The daemon keeps the subscriptions; it calls these on the loop thread with
 * short read transactions (a snapshot keeps one open across loop passes, so
 * that a large view streams under the connection's output bound).
 */
#ifndef CLUBCRM_VIEWS_H
#define CLUBCRM_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "clubcrm.pb-c.h"

struct store;

/* A SnapshotChunk stays under this many bytes of rows. */
#define VIEWS_CHUNK_BYTES (256u * 1024u)
/* Room reserved for a snapshot's first chunk, which grows by doubling if
 * need be: most views are a screenful, and a few KiB reserved for each
 * terminal's snapshot left the heap fragmented (6 KiB more per idle
 * terminal with 500 of them at 16 KiB). */
#define VIEWS_FIRST_CHUNK 200u
/* A snapshot's first chunk stays under this many bytes of rows (a
 * screenful, about 100 board rows): the terminal shows rows while the rest
 * is built, instead of waiting for a whole VIEWS_CHUNK_BYTES. */
#define VIEWS_FIRST_CHUNK_BYTES (16u * 1024u)

/* ------------------------------------------------------------ snapshots */

struct view_snapshot;

/*
 * Starts a snapshot of view `v` (kept by the caller until the end) at the
 * store's current revision. 0 or a negative errno.
 */
int views_snapshot_begin(struct store *st, const Clubcrm__View *v, int64_t now,
			 struct view_snapshot **out);
uint64_t views_snapshot_revision(const struct view_snapshot *s);
/* Bounds its chunks to about `bytes` (VIEWS_CHUNK_BYTES at most, 4 KiB at
 * least; a single row bigger than that still goes, alone): a connection
 * whose output bound is small gets smaller chunks, never one it drops. */
void views_snapshot_limit(struct view_snapshot *s, size_t bytes);
/*
 * Appends the next SnapshotChunk for `sub_id`, encoded, to `out` (the body
 * of Frame.snapshot_chunk: the caller frames it, frame_push_open() before
 * and frame_push_close() after). 1 when more follow, 0 when this was the
 * last (the caller then sends SnapshotDone), or a negative errno (`out` as
 * it was).
 */
int views_snapshot_next(struct view_snapshot *s, uint32_t sub_id,
			struct buf *out);
/* How many bytes the next chunk is likely to take: what to reserve. */
size_t views_snapshot_hint(const struct view_snapshot *s);
/* Ends the snapshot's read transaction and frees it (NULL is fine). */
void views_snapshot_end(struct view_snapshot *s);

/* -------------------------------------------------------------- resume */

/* Takes one encoded DeltaBatch (Frame.deltas) to frame and send. 0 or
 * -errno, which stops the replay. */
typedef int (*views_emit_fn)(void *ctx, const struct buf *delta_batch);

/*
 * Emits DeltaBatch bodies with every row of view `v` changed after
 * revision `since`, and every open task whose overdue or escalated state
 * may have flipped since `since` was committed (rows now in the view as
 * upserts, the others as removals), and sets *revision to the revision
 * they bring the client to. -ESTALE when
 * a snapshot is the answer instead: `since` is ahead of the store, the
 * catalogue changed meanwhile (names or colours of many rows), the gap is
 * larger than a snapshot, or the change log does not say when `since` was
 * committed (revision 0). On any error, what was emitted is to be dropped.
 */
int views_replay(struct store *st, const Clubcrm__View *v, uint32_t sub_id,
		 uint64_t since, int64_t now, views_emit_fn emit, void *ctx,
		 uint64_t *revision);

/* ---------------------------------------------------------- live changes */

/* Catalogue changes that can move rows into or out of views. */
enum view_dep {
	VIEW_DEP_PRIORITY = 1,  /* a type's priority flag: urgent views */
	VIEW_DEP_TEXT = 2,      /* a customer's name: text searches */
	VIEW_DEP_TEAM = 4,      /* an operator's teams: team filters */
};

struct view_change {
	const Clubcrm__TaskRow *after;   /* the row now */
	const Clubcrm__TaskRow *before;  /* before the change; NULL when new or
					    when the catalogue changed it */
	bool catalogue;                  /* changed by a catalogue edit */
	uint8_t *bytes;                  /* `after`, encoded once */
	size_t len;
};

/* One revision of a loaded commit: its slice of view_commit.changes. */
struct view_rev {
	uint64_t revision;
	size_t first, n;                 /* changes[first .. first + n) */
	unsigned deps;                   /* enum view_dep bits that changed */
	struct buf catalog_bytes;        /* encoded Catalog of changed entries */
	struct buf customer_bytes;       /* Delta.customers elements, encoded */
};

/*
 * What a group commit (one LMDB transaction, one revision per write in it)
 * or a tick of the clock changed, revision by revision, read from one read
 * transaction. Rows are built and encoded once for every subscriber.
 */
struct view_commit {
	int64_t now;
	struct view_change *changes;     /* in revision order */
	size_t n_changes, cap_changes;
	struct view_rev *revs;           /* in revision order */
	size_t n_revs, cap_revs;
	bool settings_changed;           /* a Settings event among them */
	uint32_t escalation_minutes;     /* the rows' escalation time */
	const Clubcrm__TaskRow **due;    /* tasks that fell due (reminders) */
	size_t n_due;
	/* Private: the read transaction and memory behind the rows. */
	struct view_commit_priv *priv;
};

/*
 * The fan-out's memory of what task rows show of each catalogue entry, so
 * that a catalogue edit changing none of it (a password reset) re-sends no
 * row (views_memo.c). State of whoever runs a fan-out, one per store,
 * passed to every load and to views_live_state(); NULL where there is none
 * (then every catalogue edit re-sends its rows, which is always correct).
 * NULL when out of memory.
 */
struct views_memo;
struct views_memo *views_memo_new(void);
void views_memo_free(struct views_memo *m);

/*
 * Loads what the committed ChangeSets `sets[0..n)` (service_write_op.changes
 * of one batch, in revision order; NULL ones are skipped) changed. The rows
 * may point into the sets: they must outlive `vc`.
 * Keeps a read transaction open until views_commit_free(). 0 or -errno.
 */
int views_commit_load_batch(struct store *st, struct views_memo *memo,
			    const Clubcrm__ChangeSet *const *sets, size_t n,
			    int64_t now, struct view_commit *vc);
/* The same for one encoded ChangeSet (as the change log keeps them). */
int views_commit_load(struct store *st, struct views_memo *memo,
		      const uint8_t *changeset, size_t len, int64_t now,
		      struct view_commit *vc);
/*
 * Loads what the clock changed from time `from` to time `to`: tasks
 * falling due (overdue from now on, and a reminder to their operator) and
 * urgent tasks reaching the escalation time, rows as of `to`, as one
 * revision: `revision`, the last one whose deltas went out (0: the
 * store's). A Delta must never carry a revision whose own changes the
 * client has not had: it would resume from there and miss them.
 * Nothing changed: 0 and vc->n_changes == 0.
 */
int views_tick_load(struct store *st, int64_t from, int64_t to,
		    uint64_t revision, struct view_commit *vc);
/*
 * After loading a commit that changed the settings: when the escalation
 * time was `before` minutes (what subscribers' rows were built with), the
 * open urgent tasks nobody took whose escalated flag flips with the new
 * time become changes of the commit's last revision, so that live rows
 * follow the setting at once. 0 or -errno.
 */
int views_commit_escalation(struct view_commit *vc, uint32_t before);
void views_commit_free(struct view_commit *vc);

/*
 * Which changes of a loaded commit one view takes: computed once per
 * distinct view and commit, then shared by every subscription on that view.
 */
struct view_match {
	uint8_t *what;                   /* per change: enum view_take */
	bool catalog;                    /* a CATALOG view */
};
enum view_take { VIEW_TAKE_NONE, VIEW_TAKE_UPSERT, VIEW_TAKE_REMOVE };

/* 0 or -ENOMEM; free with views_match_free(). */
int views_match(struct view_commit *vc, const Clubcrm__View *v,
		struct view_match *m);
void views_match_free(struct view_match *m);
/*
 * Appends to `batch`, as one element of a DeltaBatch, the Delta of
 * subscription `sub_id` for revision vc->revs[rev] when the view (matched
 * in `m`) takes something from it. 1 appended, 0 nothing, or -errno.
 */
int views_delta_append_rev(const struct view_commit *vc,
			   const struct view_match *m, size_t rev,
			   uint32_t sub_id, struct buf *batch);
/*
 * Appends the Deltas of every revision of the commit that touches view `v`
 * (in revision order). The number appended, or -errno.
 */
int views_delta_append(struct view_commit *vc, const Clubcrm__View *v,
		       uint32_t sub_id, struct buf *batch);
/* The store's revision and escalation time, for the daemon's start (and
 * commits nobody watched); it also brings the fan-out's memory of what rows
 * show of each catalogue entry to that revision, so that an edit changing
 * none of it (a password reset) re-sends no row. */
int views_live_state(struct store *st, struct views_memo *memo,
		     uint64_t *revision, uint32_t *escalation_minutes);

#endif
