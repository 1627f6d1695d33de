#include "reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "frame.h"
#include "log.h"

void reader_init(struct reader *r, uv_loop_t *loop, struct store *st,
		 const struct reader_hooks *hooks)
{
	memset(r, 0, sizeof(*r));
	r->loop = loop;
	r->store = st;
	r->hooks = *hooks;
	r->work.data = r;
}

void reader_fini(struct reader *r)
{
	for (size_t i = 0; i < r->q_len; i++) {
		struct reader_req *q = &r->q[(r->q_head + i) % r->q_cap];
		if (q->req) {
			clubcrm__frame__free_unpacked(q->req, NULL);
			continue;
		}
		free(q->secret);
		r->hooks.feed_done(r->hooks.ctx, q->owner, -ECANCELED, NULL, 0);
	}
	free(r->q);
	buf_free(&r->wire);
	free(r->feed);
	memset(r, 0, sizeof(*r));
}

bool reader_idle(const struct reader *r)
{
	return !r->busy && r->q_len == 0;
}

/* A feed's text, copied out of the arena it was built in. */
static void build_feed(struct reader *r, struct arena *a)
{
	char *ics = NULL;
	size_t n = 0;
	r->feed = NULL;
	r->feed_len = 0;
	r->feed_rc = service_feed(r->store, r->cur.secret, r->cur.secret_len,
				  r->cur.now, a, &ics, &n);
	if (r->feed_rc)
		return;
	r->feed = malloc(n ? n : 1);
	if (!r->feed) {
		r->feed_rc = -ENOMEM;
		return;
	}
	memcpy(r->feed, ics, n);
	r->feed_len = n;
}

/* The read and its reply's bytes, on a worker thread. A reply that does
 * not fit in memory leaves `wire` empty. */
static void work_cb(uv_work_t *req)
{
	struct reader *r = req->data;
	struct arena a;
	arena_init(&a);
	Clubcrm__Frame *reply = NULL;
	r->wire.len = 0;
	if (!r->cur.req)
		build_feed(r, &a);
	else if (service_read(r->store, &r->cur.who, r->cur.req, &a,
			      &reply) < 0 ||
		 frame_encode(reply, &r->wire) < 0)
		r->wire.len = 0;
	arena_free(&a);
}

static void after_work_cb(uv_work_t *req, int status);

/*
 * Out of the queue, the next to run: the oldest long read of a session if
 * any, else the oldest feed. A desk's report never waits behind feeds,
 * which anyone holding one feed URL can queue up to the server's bound.
 */
static struct reader_req take_next(struct reader *r)
{
	size_t pick = 0;
	for (size_t i = 0; i < r->q_len; i++)
		if (r->q[(r->q_head + i) % r->q_cap].req) {
			pick = i;
			break;
		}
	struct reader_req next = r->q[(r->q_head + pick) % r->q_cap];
	for (size_t i = pick; i > 0; i--)  /* the ones before it, one on */
		r->q[(r->q_head + i) % r->q_cap] =
			r->q[(r->q_head + i - 1) % r->q_cap];
	r->q_head = (r->q_head + 1) % r->q_cap;
	r->q_len--;
	return next;
}

void reader_kick(struct reader *r)
{
	if (r->busy || r->q_len == 0 ||
	    (r->hooks.hold && r->hooks.hold(r->hooks.ctx)))
		return;
	r->cur = take_next(r);
	r->busy = true;
	if (uv_queue_work(r->loop, &r->work, work_cb, after_work_cb) == 0)
		return;
	/* Only fails on bad arguments: answered (with an error) rather than
	 * left hanging. */
	log_error("reader: uv_queue_work failed");
	r->wire.len = 0;
	r->feed_rc = -EIO;
	after_work_cb(&r->work, UV_EINVAL);
}

static void after_work_cb(uv_work_t *req, int status)
{
	struct reader *r = req->data;
	if (status < 0)
		r->wire.len = 0;
	struct reader_req done = r->cur;
	r->cur = (struct reader_req){0};
	r->busy = false;
	r->served++;
	if (done.req) {
		r->hooks.done(r->hooks.ctx, done.owner, done.req, &r->wire);
		clubcrm__frame__free_unpacked(done.req, NULL);
		buf_free(&r->wire);
	} else {
		int rc = status < 0 && r->feed_rc == 0 ? -EIO : r->feed_rc;
		char *body = rc ? NULL : r->feed;
		if (rc)
			free(r->feed);
		r->feed = NULL;
		r->feeds--;
		free(done.secret);
		r->hooks.feed_done(r->hooks.ctx, done.owner, rc, body,
				   rc ? 0 : r->feed_len);
	}
	reader_kick(r);
	if (!r->busy && r->hooks.idle)
		r->hooks.idle(r->hooks.ctx);
}

/* Room for one more in the queue. 0 or -ENOMEM. */
static int queue_room(struct reader *r)
{
	if (r->q_len == r->q_cap) {
		size_t cap = r->q_cap ? 2 * r->q_cap : 8;
		struct reader_req *q = malloc(cap * sizeof(*q));
		if (!q)
			return -ENOMEM;
		for (size_t i = 0; i < r->q_len; i++)
			q[i] = r->q[(r->q_head + i) % r->q_cap];
		free(r->q);
		r->q = q;
		r->q_cap = cap;
		r->q_head = 0;
	}
	return 0;
}

int reader_submit(struct reader *r, void *owner, Clubcrm__Frame *req,
		  const struct actor *who)
{
	if (queue_room(r) < 0)
		return -ENOMEM;
	r->q[(r->q_head + r->q_len) % r->q_cap] =
		(struct reader_req){.owner = owner, .req = req, .who = *who};
	r->q_len++;
	reader_kick(r);
	return 0;
}

int reader_submit_feed(struct reader *r, void *owner, const char *secret,
		       size_t len, int64_t now)
{
	char *copy = malloc(len + 1);
	if (!copy || queue_room(r) < 0) {
		free(copy);
		return -ENOMEM;
	}
	memcpy(copy, secret, len);
	copy[len] = '\0';
	r->q[(r->q_head + r->q_len) % r->q_cap] = (struct reader_req){
		.owner = owner, .secret = copy, .secret_len = len, .now = now};
	r->q_len++;
	r->feeds++;
	reader_kick(r);
	return 0;
}

size_t reader_feeds(const struct reader *r)
{
	return r->feeds;
}
