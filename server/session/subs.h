/*
 * Live-view subscriptions of the daemon (the domain half is
 * server/views/views.h). Per connection: its subscriptions, each streaming
 * its snapshot as the connection's output drains, then live. Per commit and
 * per tick of the clock: one DeltaBatch frame per subscribed connection.
 *
 * Ordering: a subscription answered from a snapshot (or a replay) at
 * revision R ignores commits <= R, and holds the deltas of later commits
 * until its snapshot is complete, so a client sees each change once, in
 * revision order, after the rows it changes.
 */
#ifndef CLUBCRMD_SUBS_H
#define CLUBCRMD_SUBS_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "clubcrm.pb-c.h"
#include "views.h"

struct session;
struct server;
struct service_write_op;
struct view_snapshot;

/* Subscriptions one connection may hold. */
#define SUBS_MAX_PER_CONN 32u

struct sub {
	struct sub *next;
	uint32_t id;
	Clubcrm__Frame *req;          /* the Subscribe frame; owns the view */
	const Clubcrm__View *view;
	uint8_t *view_key;            /* the view encoded: equal views, equal */
	size_t view_key_len;          /* keys (they share one match per commit) */
	uint32_t view_hash;
	uint64_t base_rev;            /* commits up to here are in what was sent */
	int64_t base_time;            /* the clock up to here too: its rows were
					 built at this time */
	struct view_snapshot *snap;   /* while the snapshot streams */
	bool done_waits;              /* sent; SnapshotDone waits for base_rev
					 to be durable (subs_durable()) */
	struct buf held;              /* Delta elements waiting for the snapshot */
};

/* The subscriptions of one connection (in its session). */
struct conn_subs {
	struct sub *head;
	unsigned count;
	unsigned snapshots;           /* of them, streaming a snapshot */
};

/*
 * Output buffers of snapshot chunks, handed back once written and reused
 * for the next chunk: a chunk built in fresh memory faults in all of its
 * pages (4,000 page faults for a 100k-task board), and page faults are
 * dear on these VMs. Kept only while some connection streams a snapshot,
 * SUBS_SPARE_BUFS at most.
 */
#define SUBS_SPARE_BUFS 12u
struct subs_spare {
	struct buf b[SUBS_SPARE_BUFS];
	unsigned n;
	unsigned snapshots;           /* streaming, on every connection */
};

/* A connection is done with an output buffer (written, or dropped): kept
 * for a snapshot chunk, or freed. Empty afterwards either way. */
void subs_buf_written(struct server *srv, struct buf *b);
/* Frees the buffers kept. */
void subs_spare_fini(struct subs_spare *sp);

/* Connections with the same subscriptions get the same frame: kept built. */
#define SUBS_FRAME_CACHE 4u
/* A frame buffer larger than this is freed after its commit. */
#define SUBS_FRAME_KEEP (256u * 1024u)

/* One subscription's part of a connection's frame: which view (group) and
 * from which revision of the commit on (the earlier ones it already has). */
struct subs_part {
	uint32_t sub_id;
	uint32_t group;
	uint32_t from_rev;
};

/* A built DeltaBatch body, and the parts (subscriptions) it was built for. */
struct subs_frame {
	struct subs_part *parts;
	size_t n_parts, cap_parts;
	struct buf body;
};

/*
 * Fan-out state of the server, reused from commit to commit: the distinct
 * views of this commit with what each takes from it, the frames built for
 * this commit (shared by connections with the same subscriptions) and
 * scratch arrays. Only the loop thread touches it.
 */
struct subs_fanout {
	struct subs_group *groups;
	size_t n_groups, cap_groups;
	struct subs_frame frames[SUBS_FRAME_CACHE];
	size_t n_frames, next_frame;
	struct subs_frame want;       /* the parts of the connection at hand */
	const Clubcrm__ChangeSet **sets;
	size_t cap_sets;
	struct view_commit loaded;    /* by subs_commit_load, for the send */
	bool has_loaded;
	uint64_t loaded_rev;          /* the last revision of the batch */
	uint64_t sent_rev;            /* the last revision fanned out: what the
					 clock's deltas carry */
	uint32_t escalation;          /* minutes the live rows were built with */
	unsigned done_waiting;        /* subscriptions whose done_waits */
	struct views_memo *memo;      /* what rows show of the catalogue */
};
void subs_fanout_fini(struct subs_fanout *f);

/*
 * Subscribe: takes `req` (freed when the subscription ends). Answers
 * Subscribed, then streams the snapshot or the replay. A bad view, a used
 * sub_id or too many subscriptions get an Error and change nothing.
 */
void subs_subscribe(struct session *c, Clubcrm__Frame *req);
/* Unsubscribe: answers Subscribed{sub_id} or NOT_FOUND; takes `req`. */
void subs_unsubscribe(struct session *c, Clubcrm__Frame *req);
/* Streams snapshot chunks while the connection's output has room. */
/*
 * Revision `rev` is durable (the writer answered its batch): snapshots
 * waiting for it get their SnapshotDone. A snapshot read at a commit not
 * yet durable keeps its SnapshotDone (its revision: where the terminal
 * resumes from) until then, so that no terminal resumes from a revision a
 * crash could still take back.
 */
void subs_durable(struct server *srv, uint64_t rev);
void subs_pump(struct session *c);
/* Ends every subscription of a closing connection. */
void subs_fini(struct session *c);

/*
 * A batch of writes committed (one LMDB transaction, one revision each, in
 * revision order; ops[i].changes is NULL for a refused op). Load reads
 * its changes and the rows they touch while the store is at its revision
 * (before the next batch may commit); send then gives each subscribed
 * connection one DeltaBatch frame with every change of the batch its
 * subscriptions take, in revision order.
 */
void subs_commit_load(struct server *srv, const struct service_write_op *ops,
		      size_t n);
void subs_commit_send(struct server *srv);
/* Reads what the fan-out starts from (the store's revision and escalation
 * time) before the first commit. 0 or -errno. */
int subs_start(struct server *srv);
/*
 * The clock, from srv->clock_at to `now`: overdue, reminders and
 * escalations. Runs once a second and before each commit's deltas go out,
 * so that a subscriber holding revision R has every time-driven change up
 * to R's commit at least (what a resume relies on: views_replay()).
 */
void subs_clock(struct server *srv, int64_t now);
/* Snapshots hold read transactions: none may be open for a map grow. */
bool subs_store_quiet(const struct server *srv);
/* A map grow waits: connections streaming a snapshot are asked to come
 * back (GoAway UNAVAILABLE; they resume by revision). */
void subs_release_store(struct server *srv);

#endif
