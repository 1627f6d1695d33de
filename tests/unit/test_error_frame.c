/* error_frame: the one builder of Error frames (server and its tests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error_frame.h"
#include "frame.h"
#include "status.h"

/* Encoded and decoded again, as a client gets it. */
static Clubcrm__Frame *round_trip(const Clubcrm__Frame *f)
{
	struct buf b = {0};
	assert_int_equal(frame_encode(f, &b), 0);
	Clubcrm__Frame *d = frame_decode(b.data + FRAME_HEADER_LEN,
					 b.len - FRAME_HEADER_LEN, NULL);
	buf_free(&b);
	assert_non_null(d);
	return d;
}

static void test_answers_the_request(void **state)
{
	(void)state;
	Clubcrm__Frame f;
	Clubcrm__Error e;
	error_frame_init(&f, &e, 42, STATUS_NOT_FOUND, "no such task", NULL);
	Clubcrm__Frame *d = round_trip(&f);
	assert_int_equal(d->body_case, CLUBCRM__FRAME__BODY_ERROR);
	assert_true(d->has_request_id);
	assert_int_equal(d->request_id, 42);
	assert_true(d->error->has_code);
	assert_int_equal(d->error->code, STATUS_NOT_FOUND);
	assert_string_equal(d->error->message, "no such task");
	assert_null(d->error->current);
	clubcrm__frame__free_unpacked(d, NULL);
}

/* No request (a push): no request id on the wire; no message: the code's
 * name, so that a client never shows an empty error. */
static void test_defaults(void **state)
{
	(void)state;
	Clubcrm__Frame f;
	Clubcrm__Error e;
	error_frame_init(&f, &e, 0, STATUS_UNAVAILABLE, NULL, NULL);
	Clubcrm__Frame *d = round_trip(&f);
	assert_false(d->has_request_id);
	assert_int_equal(d->error->code, STATUS_UNAVAILABLE);
	assert_string_equal(d->error->message, status_name(STATUS_UNAVAILABLE));
	clubcrm__frame__free_unpacked(d, NULL);
}

/* An edit conflict carries the current row. */
static void test_carries_the_current_row(void **state)
{
	(void)state;
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.has_id = 1;
	t.id = 7;
	Clubcrm__TaskRow row = CLUBCRM__TASK_ROW__INIT;
	row.task = &t;
	Clubcrm__Frame f;
	Clubcrm__Error e;
	error_frame_init(&f, &e, 3, STATUS_FAILED_PRECONDITION, "changed",
			 &row);
	Clubcrm__Frame *d = round_trip(&f);
	assert_non_null(d->error->current);
	assert_int_equal(d->error->current->task->id, 7);
	clubcrm__frame__free_unpacked(d, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_the_request),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_carries_the_current_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
