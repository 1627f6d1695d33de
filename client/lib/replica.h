/*
 * A local replica of one live view: the rows of the subscription keyed by
 * task id, kept current by applying the server's snapshot chunks and deltas.
 * Plain data (no libuv): the connection layer (live.h) feeds it frames.
 *
 * Rules that make replays harmless: a row is applied only when its mod_rev is
 * at least the one held (time-driven updates such as "overdue" keep the
 * revision); a removal of an unknown id is ignored; a fresh snapshot (after a
 * reconnect that could not resume) replaces the rows at SnapshotDone, and the
 * rows it no longer has are reported removed, so the screen never flashes
 * empty.
 *
 * The revision only moves to what has been applied in full, since it is what
 * the next resume asks from: a resumed Subscribed names the server's current
 * revision, but the replayed rows come after it (in deltas carrying that same
 * revision, possibly several), and a link cut among them must not leave the
 * replica claiming what it never saw. So a resume records its target, and the
 * revision reaches it only when replica_resume_done() says the whole replay
 * arrived, or a live delta newer than the target proves it.
 */
#ifndef CLUBCRM_REPLICA_H
#define CLUBCRM_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"

enum replica_change {
	REPLICA_ADDED,
	REPLICA_CHANGED,
	REPLICA_REMOVED,
};

struct replica;

struct replica_callbacks {
	/* A row entered, changed or left (for REMOVED, `row` is the last
	 * version held, valid during the call only). */
	void (*on_row)(struct replica *r, enum replica_change what,
		       const Clubcrm__TaskRow *row, void *ud);
	/* Catalogue entries or customers changed (CATALOG views). */
	void (*on_catalog)(struct replica *r, void *ud);
	/* A snapshot completed, or a delta batch was applied: the view is
	 * consistent at replica_revision(). */
	void (*on_synced)(struct replica *r, void *ud);
};

struct replica_entry {
	Clubcrm__TaskRow *row;  /* owned: one block (taskrow.h) */
	uint64_t id;
	unsigned gen;           /* snapshot generation that last saw it */
};

struct replica_catalog {
	Clubcrm__TaskType **task_types;
	size_t n_task_types;
	Clubcrm__Result **results;
	size_t n_results;
	Clubcrm__Tag **tags;
	size_t n_tags;
	Clubcrm__Operator **operators;
	size_t n_operators;
	Clubcrm__Team **teams;
	size_t n_teams;
	Clubcrm__Customer **customers;
	size_t n_customers;
	Clubcrm__Settings *settings;
};

/* A row's place in an order (replica_sorted()'s cache). */
struct replica_item {
	uint64_t k1, k2;          /* ascending (k1, k2) is the order */
	const Clubcrm__TaskRow *row;
};

struct replica {
	uint32_t sub_id;
	uint64_t revision;       /* consistent up to here (0: not yet) */
	uint64_t resume_target;  /* a resume's revision not yet reached (0: none) */
	bool synced;             /* a snapshot or a resume completed */
	bool in_snapshot;
	unsigned gen;
	struct replica_entry *slots;  /* open addressing on id */
	size_t cap, count;
	struct replica_catalog cat;
	/* The last order replica_sorted() gave, kept while rows are only
	 * added (a snapshot arriving): the next call sorts just the added
	 * rows and merges them in. Any change or removal drops it. */
	struct replica_item *sorted;
	size_t n_sorted, cap_sorted;
	const Clubcrm__TaskRow **added;
	size_t n_added, cap_added;
	int sorted_order;         /* enum replica_order, -1: none */
	struct replica_callbacks cbs;
	void *ud;
};

void replica_init(struct replica *r, uint32_t sub_id,
		  const struct replica_callbacks *cbs, void *ud);
void replica_free(struct replica *r);

/* A Subscribed answer: resumed (deltas follow) or a snapshot follows. */
void replica_begin(struct replica *r, bool resumed, uint64_t revision);
/* Every frame of the replay a resumed answer announced has been applied
 * (the answer to a request sent after it came): the revision moves to the
 * resume's. */
void replica_resume_done(struct replica *r);
/* Applies one push meant for this subscription. 0 or -ENOMEM / -EINVAL. */
int replica_apply_chunk(struct replica *r, const Clubcrm__SnapshotChunk *c);
/* A snapshot chunk's rows decoded by taskrow_decode() (live.c's fast
 * path), taken: each is kept or freed. 0 or -ENOMEM / -EINVAL (the rows
 * after the one that failed are freed, not applied). */
int replica_apply_rows(struct replica *r, Clubcrm__TaskRow **rows, size_t n);
int replica_apply_done(struct replica *r, const Clubcrm__SnapshotDone *d);
int replica_apply_delta(struct replica *r, const Clubcrm__Delta *d);

/* The row held for a task, or NULL. */
const Clubcrm__TaskRow *replica_get(const struct replica *r, uint64_t id);
size_t replica_count(const struct replica *r);
uint64_t replica_revision(const struct replica *r);

/* Which order a listing uses. */
enum replica_order {
	REPLICA_BY_PLANNED,         /* planned time, then id */
	REPLICA_BY_CREATED_DESC,    /* newest first (customer profile) */
};
/*
 * The rows in order, into a malloc'd array of `replica_count()` pointers
 * (caller frees the array, not the rows). NULL when empty or out of memory.
 * The order is kept (24 bytes a row) for the next call: a front end
 * redrawing while a snapshot arrives sorts only the rows added since, and
 * one redrawing with nothing changed sorts nothing.
 */
const Clubcrm__TaskRow **replica_sorted(const struct replica *r,
					enum replica_order order);

#endif
