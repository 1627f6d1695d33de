/*
 * Long reads (service.h: SERVICE_LONG_READ, a report or a calendar over a
 * period) off the loop thread. Requests queue up on the loop thread; one at
 * a time runs on a libuv worker thread: service_read() in its own read
 * transaction, then the reply encoded and framed there. Back on the loop
 * thread, the reply goes to its owner. One at a time, so that long reads
 * never take the worker threads the writer's batches and the logins need.
 *
 * Calendar feeds asked for over HTTP (net.h: net_feed_cb) take the same
 * queue, after every long read of a session: built there, handed back as
 * text.
 *
 * Only the loop thread calls these functions. The worker touches nothing
 * but the store and the request it was handed.
 */
#ifndef CLUBCRMD_READER_H
#define CLUBCRMD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "buf.h"
#include "service.h"

struct reader_hooks {
	/*
	 * The reply to `req` is in `wire`, encoded and framed; empty when the
	 * read could not be served for want of memory (the callee answers
	 * with an error then). The callee may take wire's memory; the reader
	 * frees `req` and whatever is left of `wire` afterwards.
	 */
	void (*done)(void *ctx, void *owner, const Clubcrm__Frame *req,
		     struct buf *wire);
	/*
	 * The feed asked for by `owner`: 0 and its iCalendar text in `body`
	 * (malloc'ed; the callee takes it), or a negative errno: -ENOENT no
	 * such feed, -ECANCELED dropped unread at reader_fini(), another when
	 * it could not be built.
	 */
	void (*feed_done)(void *ctx, void *owner, int rc, char *body,
			  size_t len);
	/* Nothing is running now (a store grow may be waiting for that). */
	void (*idle)(void *ctx);
	/* True while no read may start (the writer waits to grow the map). */
	bool (*hold)(void *ctx);
	void *ctx;
};

struct reader_req {
	void *owner;
	Clubcrm__Frame *req;       /* a long read, or NULL for a feed */
	struct actor who;
	char *secret;              /* a feed's secret (malloc) */
	size_t secret_len;
	int64_t now;               /* a feed's time of asking */
};

struct reader {
	uv_loop_t *loop;
	struct store *store;
	struct reader_hooks hooks;
	struct reader_req *q;       /* a ring: q_head, q_len of q_cap */
	size_t q_head, q_len, q_cap;
	uv_work_t work;
	struct reader_req cur;      /* the one running */
	struct buf wire;            /* its reply */
	int feed_rc;                /* or a feed's outcome and text */
	char *feed;
	size_t feed_len;
	size_t feeds;               /* feeds queued or running */
	bool busy;
	uint64_t served;            /* statistics for the tests */
};

void reader_init(struct reader *r, uv_loop_t *loop, struct store *st,
		 const struct reader_hooks *hooks);
/* Frees what is queued (unanswered). The reader must not be running. */
void reader_fini(struct reader *r);
/*
 * Queues a read and starts it when none runs. Takes `req` (freed once
 * answered). 0, or -ENOMEM (then `req` is still the caller's).
 */
int reader_submit(struct reader *r, void *owner, Clubcrm__Frame *req,
		  const struct actor *who);
/*
 * Queues the calendar feed of `secret` (copied), answered through
 * hooks.feed_done. 0, or -ENOMEM (then nothing is queued).
 */
int reader_submit_feed(struct reader *r, void *owner, const char *secret,
		       size_t len, int64_t now);
/* Feeds queued or running. */
size_t reader_feeds(const struct reader *r);
/* Starts the next queued read if none runs and none is held. */
void reader_kick(struct reader *r);
/* Nothing queued, nothing running: no transaction of the reader is open. */
bool reader_idle(const struct reader *r);

#endif
