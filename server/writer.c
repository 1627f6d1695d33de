#include "writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "log.h"
#include "store.h"
#include "txn.h"

/* A batch that still finds the map full after this many doublings fails. */
#define WRITER_MAX_GROWS 8

void writer_init(struct writer *w, uv_loop_t *loop, struct store *st,
		 const struct writer_hooks *hooks)
{
	memset(w, 0, sizeof(*w));
	w->loop = loop;
	w->store = st;
	w->hooks = *hooks;
	atomic_init(&w->q_pending, 0);
	atomic_init(&w->answer_ns, 0);
	w->revision = store_revision(st);
	w->durable_revision = w->revision;  /* store_open synced it */
}

int writer_start(struct writer *w)
{
	int rc = uv_timer_init(w->loop, &w->idle_timer);
	if (rc)
		return rc;
	w->idle_timer.data = w;
	w->timer_open = true;
	uv_unref((uv_handle_t *)&w->idle_timer);
	return writer_thread_start(&w->thread, w->loop);
}

static void last_checkpoint(void *arg)
{
	struct writer *w = arg;
	int rc = store_checkpoint(w->store);
	if (rc)
		log_warn("writer: the last checkpoint failed (%s); the journal "
			 "is replayed at the next start", strerror(-rc));
}

static void no_after(void *arg)
{
	(void)arg;
}

void writer_close(struct writer *w)
{
	if (w->timer_open) {
		uv_close((uv_handle_t *)&w->idle_timer, NULL);
		w->timer_open = false;
	}
	/* On the writer's thread, which began the journal's transaction:
	 * the close runs the job queued before it stops. */
	if (!writer_thread_busy(&w->thread))
		(void)writer_thread_queue(&w->thread, last_checkpoint, no_after,
					  w);
	writer_thread_close(&w->thread);
}

void writer_fini(struct writer *w)
{
	writer_thread_close(&w->thread);  /* when writer_close() was not */
	for (size_t i = 0; i < w->q_len; i++)
		clubcrm__frame__free_unpacked((Clubcrm__Frame *)w->q_ops[i].req,
					      NULL);
	free(w->q_ops);
	free(w->q_owners);
	free(w->b_ops);
	free(w->b_owners);
	free(w->b_wire);
	free(w->d_ops);
	free(w->d_owners);
	free(w->d_wire);
	memset(w, 0, sizeof(*w));
}

bool writer_idle(const struct writer *w)
{
	return !w->busy && w->q_len == 0 && !w->held;
}

/* `wire` is NULL for the queue, whose ops have no reply yet. */
static int grow_arrays(struct service_write_op **ops, void ***owners,
		       struct buf **wire, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	struct service_write_op *o = realloc(*ops, ncap * sizeof(*o));
	if (!o)
		return -ENOMEM;
	*ops = o;
	void **ow = realloc(*owners, ncap * sizeof(*ow));
	if (!ow)
		return -ENOMEM;
	*owners = ow;
	if (wire) {
		struct buf *wb = realloc(*wire, ncap * sizeof(*wb));
		if (!wb)
			return -ENOMEM;
		*wire = wb;
	}
	*cap = ncap;
	return 0;
}

int writer_submit(struct writer *w, void *owner, Clubcrm__Frame *req,
		  const struct actor *who)
{
	if (grow_arrays(&w->q_ops, &w->q_owners, NULL, &w->q_cap,
			w->q_len + 1) < 0)
		return -ENOMEM;
	struct service_write_op *op = &w->q_ops[w->q_len];
	memset(op, 0, sizeof(*op));
	op->who = *who;
	op->req = req;
	w->q_owners[w->q_len] = owner;
	w->q_len++;
	atomic_store(&w->q_pending, w->q_len);
	return 0;
}

/*
 * A sync that fails leaves the last commits in doubt: the kernel may have
 * dropped the pages it could not write, and a later sync can report
 * success over them. Nothing may be acknowledged after that, so the
 * process stops (PostgreSQL does the same); a restart reads what the disk
 * has.
 */
static void sync_or_stop(struct store *st)
{
	int ret = store_sync(st);
	if (ret == 0)
		return;
	log_error("writer: the disk did not confirm a sync (%s): stopping, "
		  "since no write can be acknowledged safely any more",
		  strerror(-ret));
	abort();
}

/*
 * The batch's commit failed inside LMDB while a commit before it was not
 * yet durable (a batch held). The failure may have been its wait for the
 * disk, and the pages that failed to reach it the held batch's pointer:
 * the kernel reports such an error once, so the sync that follows would
 * succeed over the lost page and the held batch be answered as durable.
 * The process stops, as on any failed sync. Not for a full map or a
 * failed allocation (LMDB found them before writing anything) nor a full
 * disk (a page write came short before any wait, so the sync that follows
 * reports any lost page).
 */
static void failed_commit_or_stop(struct writer *w, bool pending,
				  uint64_t failures)
{
	if (!pending || store_commit_failures(w->store) == failures ||
	    w->result == -ENOSPC || w->result == -ENOMEM ||
	    w->result == TXN_DISK_FULL)
		return;
	log_error("writer: a commit failed (%s) while the one before it was "
		  "not yet durable: stopping, since that one can no longer be "
		  "acknowledged safely", strerror(-w->result));
	abort();
}

/*
 * The overlay's versions a checkpoint let go of are freed a slice at a
 * time (store_retire_step) in the writer's gaps: one slice after each
 * batch, more while no request waits. Freed inside the checkpoint, they
 * were half of the writer's pause (10-19 ms of 17-26 at 15,000 writes/s).
 */
static void retire_in_gaps(struct writer *w)
{
	do {
		if (store_retire_step(w->store))
			return;
	} while (atomic_load(&w->q_pending) == 0);
}

/*
 * The batch, then its replies encoded and framed on this same worker
 * thread (the loop thread only hands the bytes out). A reply that does not
 * fit in memory stays empty: its owner then gets nothing to send.
 *
 * The commit made the batch before durable (store.h). This batch is made
 * durable now unless requests are queued, whose batch's commit will do it:
 * also when it failed or wrote nothing (then no commit waited for the
 * disk, and the batch before may be waiting). And when the loop's last
 * fan-out and replies took longer than a sync: then this batch answered
 * while the next one commits (a wait more, overlapped with the loop's
 * work) beats holding it until that commit (the loop's work after it).
 */
static void work_cb(void *arg)
{
	struct writer *w = arg;
	uint64_t before = store_committed_txn(w->store);
	bool pending = store_durable_txn(w->store) < before;
	uint64_t failures = store_commit_failures(w->store);
	w->result = service_write_batch(w->store, w->b_ops, w->b_len);
	failed_commit_or_stop(w, pending, failures);
	/* The journal's long transaction is committed before the loop grows
	 * a full map (no transaction may be open then). A checkpoint that
	 * fails loses nothing: the journal holds every batch since the last
	 * one. (The one due every second runs as a job of its own: see
	 * writer_kick.) */
	if (w->result == -ENOSPC) {
		int crc = store_checkpoint(w->store);
		if (crc)
			log_warn("writer: a checkpoint failed (%s); the journal "
				 "keeps every write", strerror(-crc));
	}
	uint64_t after = store_committed_txn(w->store);
	if (w->result != 0 || after == before ||
	    atomic_load(&w->q_pending) == 0 ||
	    atomic_load(&w->answer_ns) > w->sync_ns) {
		uint64_t syncs = store_syncs(w->store), t0 = uv_hrtime();
		sync_or_stop(w->store);
		if (store_syncs(w->store) != syncs)
			w->sync_ns = uv_hrtime() - t0;
	}
	w->b_txn = after;
	for (size_t i = 0; i < w->b_len; i++) {
		struct buf *b = &w->b_wire[i];
		b->len = 0;
		if (w->b_ops[i].reply &&
		    frame_encode(w->b_ops[i].reply, b) < 0)
			b->len = 0;
	}
	retire_in_gaps(w);
}

static void after_work_cb(void *arg);

static void run_batch(struct writer *w)
{
	int ret = writer_thread_queue(&w->thread, work_cb, after_work_cb, w);
	if (ret == 0)
		return;
	/* Only when the thread did not start or is stopping; answer every
	 * op rather than hang. */
	log_error("writer: its thread cannot take the batch: %s",
		  strerror(-ret));
	w->result = -EIO;
	if (w->finishing)
		w->failed_start = true;  /* finish_batch() answers it after */
	else
		after_work_cb(w);
}

/* Moves up to WRITER_MAX_BATCH queued ops into the batch arrays. */
static int take_batch(struct writer *w)
{
	size_t n = w->q_len < WRITER_MAX_BATCH ? w->q_len : WRITER_MAX_BATCH;
	if (grow_arrays(&w->b_ops, &w->b_owners, &w->b_wire, &w->b_cap,
			n) < 0)
		return -ENOMEM;
	memcpy(w->b_ops, w->q_ops, n * sizeof(*w->b_ops));
	memcpy(w->b_owners, w->q_owners, n * sizeof(*w->b_owners));
	memset(w->b_wire, 0, n * sizeof(*w->b_wire));
	w->b_len = n;
	w->q_len -= n;
	atomic_store(&w->q_pending, w->q_len);
	memmove(w->q_ops, w->q_ops + n, w->q_len * sizeof(*w->q_ops));
	memmove(w->q_owners, w->q_owners + n, w->q_len * sizeof(*w->q_owners));
	return 0;
}

static void run_checkpoint(struct writer *w);

void writer_kick(struct writer *w)
{
	if (w->busy)
		return;
	/* A checkpoint due goes first, while the loop answers the batch just
	 * done: its replies do not wait for it, the next batch does. */
	if (store_checkpoint_due(w->store)) {
		run_checkpoint(w);
		if (w->busy)
			return;
	}
	if (w->q_len == 0)
		return;
	if (take_batch(w) < 0) {
		/* Nothing moved; the next kick tries again. */
		log_warn("writer: out of memory for a batch of %zu", w->q_len);
		return;
	}
	w->busy = true;
	w->grows = 0;
	w->batches++;
	run_batch(w);
}

static void reset_batch_results(struct writer *w)
{
	/* service_write_batch() starts each op afresh; the bytes too. */
	for (size_t i = 0; i < w->b_len; i++)
		w->b_wire[i].len = 0;
}

/* The committed batch becomes the answered one, leaving the batch arrays
 * free for the next. */
static void swap_batches(struct writer *w)
{
	struct service_write_op *ops = w->d_ops;
	void **owners = w->d_owners;
	struct buf *wire = w->d_wire;
	size_t cap = w->d_cap;
	w->d_ops = w->b_ops;
	w->d_owners = w->b_owners;
	w->d_wire = w->b_wire;
	w->d_cap = w->b_cap;
	w->d_len = w->b_len;
	w->d_txn = w->b_txn;
	w->b_ops = ops;
	w->b_owners = owners;
	w->b_wire = wire;
	w->b_cap = cap;
	w->b_len = 0;
}

/* The answered batch's fan-out and replies, then it is freed; how long
 * that took is what the worker weighs a sync against. */
static void answer_batch(struct writer *w)
{
	uint64_t t0 = uv_hrtime();
	for (size_t i = 0; i < w->d_len; i++)
		if (w->d_ops[i].revision > w->durable_revision)
			w->durable_revision = w->d_ops[i].revision;
	if (w->d_committed && w->hooks.fan_out)
		w->hooks.fan_out(w->hooks.ctx);
	for (size_t i = 0; i < w->d_len; i++) {
		struct service_write_op *op = &w->d_ops[i];
		w->hooks.done(w->hooks.ctx, w->d_owners[i], op,
			      &w->d_wire[i]);
		buf_free(&w->d_wire[i]);
		service_write_op_free(op);
		clubcrm__frame__free_unpacked((Clubcrm__Frame *)op->req, NULL);
	}
	w->d_len = 0;
	w->d_committed = 0;
	atomic_store(&w->answer_ns, uv_hrtime() - t0);
}

/*
 * The held batch is durable now (the next batch's commit or a sync
 * returned): answered. Only while no batch runs, so that reading the
 * store's durability races with nothing.
 */
static void release_held(struct writer *w)
{
	if (!w->held)
		return;
	/* Every path that ends a run syncs when its commit did not wait for
	 * the disk; this is the guard should one not have. */
	if (store_durable_txn(w->store) < w->d_txn) {
		log_warn("writer: a batch was still not durable; syncing");
		sync_or_stop(w->store);
	}
	w->held = false;
	bool was = w->finishing;
	w->finishing = true;
	answer_batch(w);
	w->finishing = was;
}

/*
 * The journal's long transaction is committed by the writer's thread only
 * (writer_thread.h). Under load every batch checks whether one is due; when
 * the writes stop, this timer does it shortly after, so that the last
 * writes reach LMDB: what `clubcrmd check` and a backup next to the server
 * read (they open LMDB's last checkpoint and never wait for the server).
 */
static void idle_checkpoint_cb(void *arg)
{
	struct writer *w = arg;
	uint64_t t0 = uv_hrtime();
	int rc = store_checkpoint(w->store);
	if (rc)
		log_warn("writer: a checkpoint failed (%s); the journal keeps "
			 "every write", strerror(-rc));
	log_debug("writer: checkpoint in %.1f ms",
		  (double)(uv_hrtime() - t0) / 1e6);
	retire_in_gaps(w);
}

static void went_idle(struct writer *w);

static void after_idle_checkpoint(void *arg)
{
	struct writer *w = arg;
	w->busy = false;
	writer_kick(w);
	went_idle(w);
}

static void run_checkpoint(struct writer *w)
{
	w->busy = true;
	if (writer_thread_queue(&w->thread, idle_checkpoint_cb,
				after_idle_checkpoint, w) < 0)
		w->busy = false;
}

static void on_idle_timer(uv_timer_t *h)
{
	struct writer *w = h->data;
	if (!writer_idle(w) || !store_checkpoint_pending(w->store))
		return;
	run_checkpoint(w);
}

static void went_idle(struct writer *w)
{
	if (!writer_idle(w))
		return;
	if (w->timer_open && store_checkpoint_pending(w->store) &&
	    !uv_is_active((uv_handle_t *)&w->idle_timer))
		uv_timer_start(&w->idle_timer, on_idle_timer,
			       WRITER_IDLE_CHECKPOINT_MS, 0);
	if (w->hooks.idle)
		w->hooks.idle(w->hooks.ctx);
}

static void sync_work_cb(void *arg)
{
	struct writer *w = arg;
	sync_or_stop(w->store);
}

static void after_sync_cb(void *arg);

/* No batch follows the held one: a sync of its own. */
static void run_sync(struct writer *w)
{
	w->busy = true;
	if (writer_thread_queue(&w->thread, sync_work_cb, after_sync_cb,
				w) == 0)
		return;
	after_sync_cb(w);  /* synced there instead */
}

/*
 * Loads the batch's changes for the live views while the store is at its
 * revision, starts the next batch, then fans out and hands out the replies
 * (the next commit's disk wait overlaps with that work) if the batch is
 * durable; otherwise they wait for the next batch's commit.
 */
static void finish_batch(struct writer *w)
{
	release_held(w);
	size_t committed = 0;
	for (size_t i = 0; i < w->b_len; i++) {
		struct service_write_op *op = &w->b_ops[i];
		if (op->revision == 0)
			continue;
		if (op->revision > w->revision)
			w->revision = op->revision;
		committed++;
	}
	w->committed_ops += committed;
	if (committed && w->hooks.committed)
		w->hooks.committed(w->hooks.ctx, w->b_ops, w->b_len);
	/* Read before the next batch runs: it moves the durability. */
	bool durable = store_durable_txn(w->store) >= w->b_txn;
	swap_batches(w);
	w->d_committed = committed;
	w->busy = false;
	w->finishing = true;
	writer_kick(w);
	if (durable)
		answer_batch(w);
	else
		w->held = true;
	w->finishing = false;
	if (w->failed_start) {
		w->failed_start = false;
		after_work_cb(w);
		return;
	}
	writer_kick(w);
	if (w->held && !w->busy) {
		run_sync(w);
		return;
	}
	went_idle(w);
}

/*
 * The map is full. Grows it and reruns the same batch (nothing of it was
 * written). store_grow() needs every transaction of the process closed:
 * the writer's just ended and the loop thread holds none between
 * callbacks, but a login on the thread pool may be reading. Then wait.
 * Returns true when the batch was rerun or is held.
 */
static bool grow_and_rerun(struct writer *w)
{
	if (w->grows >= WRITER_MAX_GROWS) {
		log_error("writer: map still full after %u grows; batch of %zu "
			  "refused", w->grows, w->b_len);
		return false;
	}
	if (w->hooks.store_quiet && !w->hooks.store_quiet(w->hooks.ctx)) {
		w->grow_wanted = true;
		return true;
	}
	int ret = store_grow(w->store);
	if (ret < 0) {
		log_error("writer: the map is full and cannot grow: %s",
			  strerror(-ret));
		return false;
	}
	w->grows++;
	w->grows_total++;
	log_info("writer: the LMDB map was full and grew; rerunning a batch "
		 "of %zu", w->b_len);
	reset_batch_results(w);
	run_batch(w);
	return true;
}

static void after_work_cb(void *arg)
{
	struct writer *w = arg;
	/* The run made the batch before durable, whatever its outcome. */
	release_held(w);
	if (w->result == -ENOSPC && grow_and_rerun(w))
		return;
	if (w->result == TXN_DISK_FULL)
		log_error("writer: the disk holding the database is full: a "
			  "batch of %zu refused, nothing of it written; writes "
			  "resume once there is room", w->b_len);
	else if (w->result < 0 && w->result != -ENOSPC)
		log_error("writer: batch of %zu failed: %s", w->b_len,
			  strerror(-w->result));
	else if (w->result == 0)
		log_debug("writer: batch of %zu committed", w->b_len);
	finish_batch(w);
}

void writer_store_quiet(struct writer *w)
{
	if (!w->grow_wanted)
		return;
	w->grow_wanted = false;
	if (!grow_and_rerun(w))
		finish_batch(w);
}

/* The held batch's own sync ran on a worker (or, when it could not be
 * queued, runs here). */
static void after_sync_cb(void *arg)
{
	struct writer *w = arg;
	sync_or_stop(w->store);  /* nothing left to do when the worker did */
	w->busy = false;
	release_held(w);
	writer_kick(w);
	went_idle(w);
}
