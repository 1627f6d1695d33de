/*
 * Group commit. Write requests queue up on the loop thread; when no batch is
 * being committed, the queue (up to WRITER_MAX_BATCH ops) becomes the next
 * batch, run by service_write_batch() on the writer's own thread
 * (writer_thread.h): one LMDB write transaction and one commit for all of
 * them; on the same thread, the writer then encodes and frames each op's
 * reply message. Requests that
 * arrive while it commits accumulate for the batch after. Back on the loop
 * thread, the batch's changes are loaded for the live views, the next batch
 * starts at once (its commit waits on the disk while this thread fans the
 * changes out), then every op's reply goes to its owner (a connection).
 *
 * Nothing is fanned out or answered before it is durable (store.h,
 * "Durability"). A commit waits for its pages; the store's pointer to them
 * becomes durable with the next commit's wait. So when requests are queued
 * behind a batch, its replies wait for the next batch's commit (one disk
 * wait per batch under load); when none are, the worker syncs at once (a
 * lone write costs the two waits it always did), and also when the loop's
 * last fan-out took longer than a sync (many terminals: the fan-out then
 * overlaps the next commit, as it did before).
 *
 * Only the loop thread calls these functions. The writer's thread touches
 * nothing but the store and the batch it was handed.
 */
#ifndef CLUBCRMD_WRITER_H
#define CLUBCRMD_WRITER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "buf.h"
#include "service.h"
#include "writer_thread.h"

#define WRITER_MAX_BATCH 1024
/* After the last write, the journal's checkpoint (store.h) this much later. */
#define WRITER_IDLE_CHECKPOINT_MS 200

struct writer_hooks {
	/*
	 * The op's reply is ready (an Error frame if it was refused or the
	 * batch failed): op->reply, and `wire`, that message encoded and
	 * framed (empty when there was no memory for it). The callee may take
	 * wire's memory (leaving the buf empty); the writer frees whatever is
	 * left afterwards, and the op.
	 */
	void (*done)(void *ctx, void *owner, struct service_write_op *op,
		     struct buf *wire);
	/*
	 * Called once per committed batch, before the next batch starts (the
	 * store is still at this batch's last revision: read what the
	 * fan-out needs here), with its ops in revision order: a committed
	 * op has op->revision != 0 and op->changes its ChangeSet, a refused
	 * one neither. Both stay valid until after the fan_out hook.
	 */
	void (*committed)(void *ctx, const struct service_write_op *ops,
			  size_t n);
	/*
	 * Then, once the next batch is on its way and before this batch's
	 * replies go out: the live views' fan-out sends here.
	 */
	void (*fan_out)(void *ctx);
	/*
	 * True when no other thread of this process has a transaction open, so
	 * that store_grow() may run now. When false, the writer holds the
	 * failed batch until writer_store_quiet() is called.
	 */
	bool (*store_quiet)(void *ctx);
	/* The writer has nothing queued and nothing running. */
	void (*idle)(void *ctx);
	void *ctx;
};

struct writer {
	uv_loop_t *loop;
	struct store *store;
	struct writer_hooks hooks;
	uint64_t revision;        /* last committed revision */
	uint64_t durable_revision; /* last revision answered: durable */

	/* Queued, not yet in a batch (owners[i] goes with ops[i]). */
	struct service_write_op *q_ops;
	void **q_owners;
	size_t q_len, q_cap;
	atomic_size_t q_pending;  /* q_len, for the worker to read */

	/* The batch being committed, on the writer's own thread. */
	struct writer_thread thread;
	/* Once idle, the journal's checkpoint after a short while. */
	uv_timer_t idle_timer;
	bool timer_open;
	struct service_write_op *b_ops;
	void **b_owners;
	struct buf *b_wire;       /* b_ops[i].reply, encoded */
	size_t b_len, b_cap;
	uint64_t b_txn;           /* the store's commit that holds it */
	bool busy;                /* a batch is running or held for a grow */
	/* The batch just committed, answered while the next one runs; or
	 * held until the next one's commit made it durable. */
	struct service_write_op *d_ops;
	void **d_owners;
	struct buf *d_wire;
	size_t d_len, d_cap;
	uint64_t d_txn;
	size_t d_committed;       /* its ops that committed */
	bool held;                /* waiting to be durable */
	/* The loop's last answer_batch() (fan-out and replies), and the
	 * worker's last sync that waited: a batch is synced on its own when
	 * the first is longer (writer.c work_cb). */
	atomic_uint_fast64_t answer_ns;
	uint64_t sync_ns;
	/* (a sync of its own runs on the thread when no batch follows) */
	bool finishing;           /* in finish_batch(): the next batch's start
				   may not answer its ops from inside it */
	bool failed_start;        /* ...and it could not start */
	bool grow_wanted;         /* -ENOSPC: waiting for the store to be quiet */
	unsigned grows;           /* grows for the current batch */
	int result;               /* service_write_batch() of the last run */

	/* statistics for the logs and tests */
	uint64_t batches, committed_ops, grows_total;
};

void writer_init(struct writer *w, uv_loop_t *loop, struct store *st,
		 const struct writer_hooks *hooks);
/* Starts the writer's thread: 0, or a negative errno (then writer_close()
 * still, as after a start). */
int writer_start(struct writer *w);
/* Stops the writer's thread and closes its loop handle (the loop must run
 * once more before uv_loop_close()). The writer must be idle. */
void writer_close(struct writer *w);
/* Frees the queues. The writer must be idle and closed. */
void writer_fini(struct writer *w);

/*
 * Queues a write request. Takes ownership of `req` (freed with
 * clubcrm__frame__free_unpacked(req, NULL) once answered). 0, or -ENOMEM
 * (then `req` is still the caller's).
 */
int writer_submit(struct writer *w, void *owner, Clubcrm__Frame *req,
		  const struct actor *who);

/* Starts a batch if none is running and requests are queued. */
void writer_kick(struct writer *w);

/* The store became quiet: runs a grow the writer was waiting for. */
void writer_store_quiet(struct writer *w);

bool writer_idle(const struct writer *w);

#endif
