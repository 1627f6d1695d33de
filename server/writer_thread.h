/*
 * The writer's own thread: runs one job at a time off the loop thread, then
 * its `after` on the loop thread, as uv_queue_work() does, but always on the
 * same thread. The store ties a write transaction to the thread that
 * began it, and the writer is to keep one open across batches
 * (tests/bench/README-performance.md, "A simpler pending layer"): the
 * libuv pool runs each job on whichever of its threads is free.
 *
 * The loop thread calls every function here; the job runs on the thread
 * and touches only what it was handed. The handle that brings `after` back
 * keeps the loop alive only while a job is queued or running.
 */
#ifndef CLUBCRMD_WRITER_THREAD_H
#define CLUBCRMD_WRITER_THREAD_H

#include <stdbool.h>

#include <uv.h>

struct writer_thread {
	uv_loop_t *loop;
	uv_thread_t tid;
	uv_mutex_t mu;
	uv_cond_t wake;
	uv_async_t done;          /* the job ran: `after` on the loop */
	void (*work)(void *arg);  /* the job, under mu until taken */
	void (*after)(void *arg);
	void *arg;
	bool queued;              /* handed over, not yet taken */
	bool finished;            /* ran, `after` not yet called */
	bool in_flight;           /* queued, running or finished */
	bool stopping;
	bool started;             /* the thread runs: join it */
	bool open;                /* the handle is open: close it */
};

/* Starts the thread. 0, or a negative errno (nothing is left to close). */
int writer_thread_start(struct writer_thread *t, uv_loop_t *loop);
/*
 * Runs work(arg) on the thread, then after(arg) on the loop thread.
 * One job at a time: -EBUSY while one is in flight, -ESHUTDOWN once
 * closing; else 0.
 */
int writer_thread_queue(struct writer_thread *t, void (*work)(void *),
			void (*after)(void *), void *arg);
bool writer_thread_busy(const struct writer_thread *t);
/*
 * Stops the thread (after the job in flight ran; its `after` is not
 * called) and closes the handle: the loop must run once more before
 * uv_loop_close(). Safe on a thread that did not start, and twice.
 */
void writer_thread_close(struct writer_thread *t);

#endif
