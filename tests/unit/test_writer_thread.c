/*
 * The writer's own thread (server/writer_thread.c): every job runs on one
 * and the same thread, never the loop's, one at a time, its `after` on the
 * loop thread once it ran; the loop is kept alive only while a job is in
 * flight; a job in flight at close still runs (its `after` does not); and
 * closing is safe before a start, after a failed one, and twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "writer_thread.h"

#define JOBS 200

struct fx {
	uv_loop_t loop;
	struct writer_thread t;
	uv_thread_t loop_thread;
	uv_thread_t job_thread;   /* the thread of the first job */
	unsigned ran, afters, other_threads, on_loop_thread;
	unsigned busy_refusals;
	unsigned chain;            /* jobs still to queue from `after` */
	uv_sem_t *gate;            /* a job waits on it when set */
};

static void job(void *arg)
{
	struct fx *f = arg;
	uv_thread_t self = uv_thread_self();
	if (f->ran == 0)
		f->job_thread = self;
	else if (!uv_thread_equal(&self, &f->job_thread))
		f->other_threads++;
	if (uv_thread_equal(&self, &f->loop_thread))
		f->on_loop_thread++;
	if (f->gate)
		uv_sem_wait(f->gate);
	f->ran++;
}

static void after(void *arg)
{
	struct fx *f = arg;
	uv_thread_t self = uv_thread_self();
	assert_true(uv_thread_equal(&self, &f->loop_thread));
	assert_int_equal(f->afters + 1, f->ran);  /* after its own job */
	f->afters++;
	assert_false(writer_thread_busy(&f->t));
	if (f->chain > 0) {
		f->chain--;
		assert_int_equal(writer_thread_queue(&f->t, job, after, f), 0);
		/* One at a time. */
		if (writer_thread_queue(&f->t, job, after, f) == -EBUSY)
			f->busy_refusals++;
	}
}

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->loop_thread = uv_thread_self();
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_int_equal(writer_thread_start(&f->t, &f->loop), 0);
}

static void fx_fini(struct fx *f)
{
	writer_thread_close(&f->t);
	writer_thread_close(&f->t);  /* twice is harmless */
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f->loop), 0);
}

/* A chain of jobs, each queued from the one before's `after`: all on one
 * thread that is not the loop's, answered in order, and the loop returns
 * by itself once the last `after` ran. */
static void test_jobs_on_one_thread(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.chain = JOBS - 1;
	assert_int_equal(writer_thread_queue(&f.t, job, after, &f), 0);
	assert_true(writer_thread_busy(&f.t));
	assert_int_equal(writer_thread_queue(&f.t, job, after, &f), -EBUSY);
	uv_run(&f.loop, UV_RUN_DEFAULT);
	assert_int_equal(f.ran, JOBS);
	assert_int_equal(f.afters, JOBS);
	assert_int_equal(f.other_threads, 0);
	assert_int_equal(f.on_loop_thread, 0);
	assert_int_equal(f.busy_refusals, JOBS - 1);
	assert_false(writer_thread_busy(&f.t));
	fx_fini(&f);
}

/* Idle, the thread's handle does not keep the loop running. */
static void test_idle_loop_returns(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	assert_int_equal(uv_run(&f.loop, UV_RUN_DEFAULT), 0);
	fx_fini(&f);
}

/* A job in flight when the thread is closed still runs to its end (the
 * writer's batch is never cut in the middle); its `after` is not called,
 * and nothing more is taken. */
static void test_close_with_a_job_in_flight(void **state)
{
	(void)state;
	struct fx f;
	uv_sem_t gate;
	assert_int_equal(uv_sem_init(&gate, 0), 0);
	fx_init(&f);
	f.gate = &gate;
	assert_int_equal(writer_thread_queue(&f.t, job, after, &f), 0);
	uv_sem_post(&gate);  /* the job may finish while close waits */
	writer_thread_close(&f.t);
	assert_int_equal(f.ran, 1);
	assert_int_equal(writer_thread_queue(&f.t, job, after, &f),
			 -ESHUTDOWN);
	uv_run(&f.loop, UV_RUN_DEFAULT);
	assert_int_equal(f.afters, 0);
	assert_int_equal(uv_loop_close(&f.loop), 0);
	uv_sem_destroy(&gate);
}

/* Closing a thread that never started, or one that is already closed,
 * does nothing; queueing on it is refused. */
static void test_close_without_start(void **state)
{
	(void)state;
	struct writer_thread t;
	memset(&t, 0, sizeof(t));
	writer_thread_close(&t);
	assert_int_equal(writer_thread_queue(&t, job, after, NULL),
			 -ESHUTDOWN);
	assert_false(writer_thread_busy(&t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_on_one_thread),
		cmocka_unit_test(test_idle_loop_returns),
		cmocka_unit_test(test_close_with_a_job_in_flight),
		cmocka_unit_test(test_close_without_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
