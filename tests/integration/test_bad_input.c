/*
 * Bad requests get the right code with a message, and nothing is written:
 * the global revision does not move and no task appears.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "status.h"

#define AT INT64_C(1962694800)  /* 2032-03-12 09:00 UTC */

static struct harness h;
static struct client_sync *s;
static uint64_t call_type, manolo;

static int group_setup(void **state)
{
	struct client_status st;
	if (harness_start(&h) < 0)
		return -1;
	if (harness_login(&h, "deborah", &s, &st) != STATUS_OK)
		return -1;
	call_type = it_type_id(s, "Call");
	manolo = it_customer_id(s, "Manolo");
	return call_type && manolo ? 0 : -1;
}

static int group_teardown(void **state)
{
	client_sync_close(s);
	harness_cleanup(&h);
	return 0;
}

/* The revision and the number of Manolo's tasks: what a write changes. */
static void snapshot(uint64_t *revision, size_t *count)
{
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_customer_id = true;
	f.customer_id = manolo;
	uint64_t ids[256];
	unsigned pages;
	assert_int_equal(it_list_all(s, &f, 500, ids, 256, count, &pages,
				     revision), STATUS_OK);
}

/* Sends `t`, expects `code` and a message; nothing may be written. */
static void refused(const struct it_new_task *t, unsigned code)
{
	uint64_t rev0, rev1;
	size_t n0, n1;
	snapshot(&rev0, &n0);
	Clubcrm__Frame *reply = NULL;
	struct client_status st;
	assert_int_equal(it_create(s, t, &reply, &st), code);
	assert_true(strlen(st.message) > 0);
	if (reply)
		clubcrm__frame__free_unpacked(reply, NULL);
	snapshot(&rev1, &n1);
	assert_int_equal(rev0, rev1);
	assert_int_equal(n0, n1);
}

static struct it_new_task good(void)
{
	return (struct it_new_task){.desc = "fine", .type_id = call_type,
				    .customer_id = manolo, .planned_at = AT};
}

static void test_unknown_customer(void **state)
{
	struct it_new_task t = good();
	t.customer_id = 424242;
	refused(&t, STATUS_NOT_FOUND);
}

static void test_unknown_type(void **state)
{
	struct it_new_task t = good();
	t.type_id = 424242;
	refused(&t, STATUS_NOT_FOUND);
}

static void test_unknown_tag_and_operator(void **state)
{
	struct it_new_task t = good();
	t.tag_id = 424242;
	refused(&t, STATUS_NOT_FOUND);
	t = good();
	t.operator_id = 424242;
	refused(&t, STATUS_NOT_FOUND);
}

static void test_missing_fields(void **state)
{
	struct it_new_task t = good();
	t.desc = "";
	refused(&t, STATUS_INVALID_ARGUMENT);
	t.desc = NULL;
	refused(&t, STATUS_INVALID_ARGUMENT);
	t = good();
	t.type_id = 0;
	refused(&t, STATUS_INVALID_ARGUMENT);
	t = good();
	t.customer_id = 0;
	refused(&t, STATUS_INVALID_ARGUMENT);
}

static void test_bad_enum_and_time(void **state)
{
	struct it_new_task t = good();
	t.kind = (Clubcrm__TaskKind)77;
	refused(&t, STATUS_INVALID_ARGUMENT);
	t = good();
	t.planned_at = INT64_C(-5000000000);
	refused(&t, STATUS_INVALID_ARGUMENT);
}

/* Over the description limit but well inside a frame. */
static void test_oversized_description(void **state)
{
	char *desc = malloc(20001);
	assert_non_null(desc);
	memset(desc, 'x', 20000);
	desc[20000] = '\0';
	struct it_new_task t = good();
	t.desc = desc;
	refused(&t, STATUS_INVALID_ARGUMENT);
	free(desc);
}

/*
 * Over the server's frame limit: the library refuses to send it (the server
 * would drop the connection), and the connection goes on serving.
 */
static void test_oversized_frame(void **state)
{
	size_t len = client_max_frame(client_sync_client(s)) + 16;
	char *desc = malloc(len + 1);
	assert_non_null(desc);
	memset(desc, 'y', len);
	desc[len] = '\0';
	struct it_new_task t = good();
	t.desc = desc;
	refused(&t, STATUS_RESOURCE_EXHAUSTED);
	free(desc);
	assert_int_equal(client_get_state(client_sync_client(s)), CLIENT_READY);
}

/* After all that, a good one still goes through. */
static void test_good_after_bad(void **state)
{
	uint64_t rev0, rev1, id;
	size_t n0, n1;
	struct client_status st;
	snapshot(&rev0, &n0);
	struct it_new_task t = good();
	assert_int_equal(it_create_id(s, &t, &id, &st), STATUS_OK);
	snapshot(&rev1, &n1);
	assert_true(rev1 > rev0);
	assert_int_equal(n1, n0 + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_customer),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_unknown_tag_and_operator),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_bad_enum_and_time),
		cmocka_unit_test(test_oversized_description),
		cmocka_unit_test(test_oversized_frame),
		cmocka_unit_test(test_good_after_bad),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
