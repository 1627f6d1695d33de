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
	for (size_t i = 0; i < r->q_len; i++)
		clubcrm__frame__free_unpacked(
			r->q[(r->q_head + i) % r->q_cap].req, NULL);
	free(r->q);
	buf_free(&r->wire);
	memset(r, 0, sizeof(*r));
}

bool reader_idle(const struct reader *r)
{
	return !r->busy && r->q_len == 0;
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
	if (service_read(r->store, &r->cur.who, r->cur.req, &a, &reply) < 0 ||
	    frame_encode(reply, &r->wire) < 0)
		r->wire.len = 0;
	arena_free(&a);
}

static void after_work_cb(uv_work_t *req, int status);

void reader_kick(struct reader *r)
{
	if (r->busy || r->q_len == 0 ||
	    (r->hooks.hold && r->hooks.hold(r->hooks.ctx)))
		return;
	r->cur = r->q[r->q_head];
	r->q_head = (r->q_head + 1) % r->q_cap;
	r->q_len--;
	r->busy = true;
	if (uv_queue_work(r->loop, &r->work, work_cb, after_work_cb) == 0)
		return;
	/* Only fails on bad arguments: answered (with an error) rather than
	 * left hanging. */
	log_error("reader: uv_queue_work failed");
	r->wire.len = 0;
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
	r->hooks.done(r->hooks.ctx, done.owner, done.req, &r->wire);
	clubcrm__frame__free_unpacked(done.req, NULL);
	buf_free(&r->wire);
	reader_kick(r);
	if (!r->busy && r->hooks.idle)
		r->hooks.idle(r->hooks.ctx);
}

int reader_submit(struct reader *r, void *owner, Clubcrm__Frame *req,
		  const struct actor *who)
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
	r->q[(r->q_head + r->q_len) % r->q_cap] =
		(struct reader_req){.owner = owner, .req = req, .who = *who};
	r->q_len++;
	reader_kick(r);
	return 0;
}
