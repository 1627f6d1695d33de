#include "writer_thread.h"

#include <errno.h>
#include <string.h>

static void thread_main(void *arg)
{
	struct writer_thread *t = arg;
	uv_mutex_lock(&t->mu);
	for (;;) {
		while (!t->queued && !t->stopping)
			uv_cond_wait(&t->wake, &t->mu);
		if (!t->queued)
			break;  /* stopping, nothing left to run */
		t->queued = false;
		void (*work)(void *) = t->work;
		void *arg2 = t->arg;
		uv_mutex_unlock(&t->mu);
		work(arg2);
		uv_mutex_lock(&t->mu);
		t->finished = true;
		/* Under mu: the loop closes the handle only after taking mu
		 * with stopping set, and the thread is joined before that
		 * handle's memory can go. */
		if (!t->stopping)
			uv_async_send(&t->done);
	}
	uv_mutex_unlock(&t->mu);
}

/* On the loop thread: the job ran. */
static void on_done(uv_async_t *h)
{
	struct writer_thread *t = h->data;
	uv_mutex_lock(&t->mu);
	bool finished = t->finished;
	t->finished = false;
	uv_mutex_unlock(&t->mu);
	if (!finished)
		return;  /* a wake-up coalesced with an earlier one */
	t->in_flight = false;
	uv_unref((uv_handle_t *)&t->done);
	t->after(t->arg);  /* may queue the next job */
}

int writer_thread_start(struct writer_thread *t, uv_loop_t *loop)
{
	memset(t, 0, sizeof(*t));
	t->loop = loop;
	int ret = uv_mutex_init(&t->mu);
	if (ret)
		return ret;
	ret = uv_cond_init(&t->wake);
	if (ret)
		goto fail_mutex;
	ret = uv_async_init(loop, &t->done, on_done);
	if (ret)
		goto fail_cond;
	t->done.data = t;
	t->open = true;
	uv_unref((uv_handle_t *)&t->done);
	ret = uv_thread_create(&t->tid, thread_main, t);
	if (ret) {
		/* The handle is open: the caller's close path takes it. */
		return ret;
	}
	t->started = true;
	return 0;
fail_cond:
	uv_cond_destroy(&t->wake);
fail_mutex:
	uv_mutex_destroy(&t->mu);
	return ret;
}

int writer_thread_queue(struct writer_thread *t, void (*work)(void *),
			void (*after)(void *), void *arg)
{
	if (!t->started || t->stopping)
		return -ESHUTDOWN;
	if (t->in_flight)
		return -EBUSY;
	t->in_flight = true;
	t->after = after;
	uv_ref((uv_handle_t *)&t->done);
	uv_mutex_lock(&t->mu);
	t->work = work;
	t->arg = arg;
	t->queued = true;
	uv_cond_signal(&t->wake);
	uv_mutex_unlock(&t->mu);
	return 0;
}

bool writer_thread_busy(const struct writer_thread *t)
{
	return t->in_flight;
}

void writer_thread_close(struct writer_thread *t)
{
	if (!t->open)
		return;
	uv_mutex_lock(&t->mu);
	t->stopping = true;
	uv_cond_signal(&t->wake);
	uv_mutex_unlock(&t->mu);
	if (t->started) {
		uv_thread_join(&t->tid);
		t->started = false;
	}
	t->open = false;
	uv_close((uv_handle_t *)&t->done, NULL);
	uv_cond_destroy(&t->wake);
	uv_mutex_destroy(&t->mu);
}
