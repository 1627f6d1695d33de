/*
 * Tasks and notes through the real server and client library: create and
 * read back (GetTask, ListTasks by planned range and by customer, paged), a
 * note, an idempotent retry, and everything again after a restart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "status.h"
#include "timeutil.h"

/* A day nobody else plans anything on: 2032-03-12 09:00 UTC. */
#define DAY0 INT64_C(1962694800)
#define HOUR INT64_C(3600)

struct world {
	struct harness h;
	struct client_sync *alicia;
	uint64_t appointment, call, jorge, arantxa, valentina, vip;
	uint64_t first;          /* the task of test_create_and_get */
	uint64_t range_ids[3];   /* planned on DAY0 */
	uint64_t note;
	uint64_t jorge_ids[3];
};

static struct world w;

static int group_setup(void **state)
{
	struct client_status st;
	if (harness_start(&w.h) < 0)
		return -1;
	if (harness_login(&w.h, "alicia", &w.alicia, &st) != STATUS_OK)
		return -1;
	w.appointment = it_type_id(w.alicia, "Appointment");
	w.call = it_type_id(w.alicia, "Call");
	w.vip = it_tag_id(w.alicia, "VIP");
	w.valentina = it_operator_id(w.alicia, "valentina");
	w.arantxa = it_customer_id(w.alicia, "Arantxa");
	w.jorge = it_customer_id(w.alicia, "Jorge");
	if (!w.appointment || !w.call || !w.vip || !w.valentina ||
	    !w.arantxa || !w.jorge)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	client_sync_close(w.alicia);
	harness_cleanup(&w.h);
	return 0;
}

static const Clubcrm__TaskRow *row_of(const Clubcrm__Frame *f)
{
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_TASK_REPLY);
	assert_non_null(f->task_reply->row);
	assert_non_null(f->task_reply->row->task);
	return f->task_reply->row;
}

static void test_create_and_get(void **state)
{
	struct it_new_task t = {
		.desc = "Offer tennis lessons", .type_id = w.appointment,
		.customer_id = w.arantxa, .tag_id = w.vip,
		.planned_at = DAY0 - 24 * HOUR,
	};
	Clubcrm__Frame *reply;
	struct client_status st;
	assert_int_equal(it_create(w.alicia, &t, &reply, &st), STATUS_OK);
	const Clubcrm__TaskRow *r = row_of(reply);
	w.first = r->task->id;
	assert_true(w.first > 0);
	assert_true(reply->task_reply->revision > 0);
	const Clubcrm__Operator *me = client_operator(client_sync_client(w.alicia));
	assert_int_equal(r->task->creator_id, me->id);
	/* No operator given: the customer's consultant. */
	assert_int_equal(r->task->operator_id, w.valentina);
	assert_int_equal(r->task->status, CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED);
	clubcrm__frame__free_unpacked(reply, NULL);

	assert_int_equal(it_get(w.alicia, w.first, &reply, &st), STATUS_OK);
	r = row_of(reply);
	assert_int_equal(r->task->id, w.first);
	assert_string_equal(r->task->description, "Offer tennis lessons");
	assert_int_equal(r->task->customer_id, w.arantxa);
	assert_int_equal(r->task->type_id, w.appointment);
	assert_int_equal(r->task->planned_at, DAY0 - 24 * HOUR);
	assert_int_equal(r->task->kind, CLUBCRM__TASK_KIND__TASK_KIND_TASK);
	assert_string_equal(r->type_name, "Appointment");
	assert_string_equal(r->operator_login, "valentina");
	assert_string_equal(r->creator_login, "alicia");
	assert_int_equal(r->n_tag_names, 1);
	assert_string_equal(r->tag_names[0], "VIP");
	assert_true(r->task->created_at > 0);
	clubcrm__frame__free_unpacked(reply, NULL);

	assert_int_equal(it_get(w.alicia, 987654321, &reply, &st),
			 STATUS_NOT_FOUND);
	if (reply)
		clubcrm__frame__free_unpacked(reply, NULL);
}

static void planned_on_day0(Clubcrm__TaskFilter *f)
{
	f->has_planned_from = f->has_planned_to = true;
	f->planned_from = DAY0;
	f->planned_to = DAY0 + 24 * HOUR;
}

static void test_list_by_planned_range(void **state)
{
	struct client_status st;
	/* Created out of order: the list comes back by planned time. */
	const int64_t at[3] = {DAY0 + 5 * HOUR, DAY0 + 1 * HOUR, DAY0 + 3 * HOUR};
	for (int i = 0; i < 3; i++) {
		struct it_new_task t = {
			.desc = "range", .type_id = w.call,
			.customer_id = w.arantxa, .planned_at = at[i],
		};
		assert_int_equal(it_create_id(w.alicia, &t, &w.range_ids[i], &st),
				 STATUS_OK);
	}
	/* One just outside the range: the upper bound is exclusive. */
	struct it_new_task out = {.desc = "outside", .type_id = w.call,
				  .customer_id = w.arantxa,
				  .planned_at = DAY0 + 24 * HOUR};
	uint64_t out_id;
	assert_int_equal(it_create_id(w.alicia, &out, &out_id, &st), STATUS_OK);

	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	planned_on_day0(&f);
	uint64_t ids[8];
	size_t n;
	unsigned pages;
	assert_int_equal(it_list_all(w.alicia, &f, 2, ids, 8, &n, &pages, NULL),
			 STATUS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(pages, 2);
	assert_int_equal(ids[0], w.range_ids[1]);
	assert_int_equal(ids[1], w.range_ids[2]);
	assert_int_equal(ids[2], w.range_ids[0]);
}

static void test_list_by_customer_paged(void **state)
{
	struct client_status st;
	for (int i = 0; i < 3; i++) {
		struct it_new_task t = {
			.desc = "for Jorge", .type_id = w.call,
			.customer_id = w.jorge,
			.planned_at = DAY0 + 48 * HOUR + i * HOUR,
		};
		assert_int_equal(it_create_id(w.alicia, &t, &w.jorge_ids[i], &st),
				 STATUS_OK);
	}
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_customer_id = true;
	f.customer_id = w.jorge;
	uint64_t ids[64];
	size_t n;
	unsigned pages;
	assert_int_equal(it_list_all(w.alicia, &f, 1, ids, 64, &n, &pages, NULL),
			 STATUS_OK);
	assert_true(n >= 3 && n < 64);
	assert_true(pages >= n);  /* one row a page (a last empty one allowed) */
	/* Every page new rows: no row twice, and ours among them. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			assert_true(ids[i] != ids[j]);
	for (int k = 0; k < 3; k++) {
		bool found = false;
		for (size_t i = 0; i < n; i++)
			found = found || ids[i] == w.jorge_ids[k];
		assert_true(found);
	}
	/* Nothing of another customer. */
	for (size_t i = 0; i < n; i++) {
		Clubcrm__Frame *reply;
		assert_int_equal(it_get(w.alicia, ids[i], &reply, &st), STATUS_OK);
		assert_int_equal(row_of(reply)->task->customer_id, w.jorge);
		clubcrm__frame__free_unpacked(reply, NULL);
	}
}

static void test_create_note(void **state)
{
	struct client_status st;
	int64_t before = time_now();
	struct it_new_task t = {
		.kind = CLUBCRM__TASK_KIND__TASK_KIND_NOTE,
		.desc = "Wants a discount", .type_id = w.call,
		.customer_id = w.arantxa,
	};
	assert_int_equal(it_create_id(w.alicia, &t, &w.note, &st), STATUS_OK);
	Clubcrm__Frame *reply;
	assert_int_equal(it_get(w.alicia, w.note, &reply, &st), STATUS_OK);
	const Clubcrm__TaskRow *r = row_of(reply);
	assert_int_equal(r->task->kind, CLUBCRM__TASK_KIND__TASK_KIND_NOTE);
	/* A note without a time is planned now. */
	assert_true(r->task->planned_at >= before - 5);
	assert_true(r->task->planned_at <= time_now() + 5);
	clubcrm__frame__free_unpacked(reply, NULL);
}

static void test_idempotent_retry(void **state)
{
	struct client_status st;
	static const uint8_t key[] = "retry-key-0123456789";
	struct it_new_task t = {
		.desc = "only once", .type_id = w.call, .customer_id = w.jorge,
		.planned_at = DAY0 + 72 * HOUR, .key = key,
		.key_len = sizeof(key) - 1,
	};
	uint64_t a, b;
	assert_int_equal(it_create_id(w.alicia, &t, &a, &st), STATUS_OK);
	assert_int_equal(it_create_id(w.alicia, &t, &b, &st), STATUS_OK);
	assert_true(a > 0);
	assert_int_equal(a, b);
	/* And on the list only once. */
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.has_planned_from = f.has_planned_to = true;
	f.planned_from = DAY0 + 72 * HOUR;
	f.planned_to = DAY0 + 73 * HOUR;
	uint64_t ids[4];
	size_t n;
	unsigned pages;
	assert_int_equal(it_list_all(w.alicia, &f, 0, ids, 4, &n, &pages, NULL),
			 STATUS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], a);
}

/* Everything above, read back by a new connection after a restart. */
static void test_restart_reads_back(void **state)
{
	struct client_status st;
	client_sync_close(w.alicia);
	w.alicia = NULL;
	assert_int_equal(harness_restart(&w.h), 0);
	assert_int_equal(harness_login(&w.h, "alicia", &w.alicia, &st), STATUS_OK);

	Clubcrm__Frame *reply;
	assert_int_equal(it_get(w.alicia, w.first, &reply, &st), STATUS_OK);
	assert_string_equal(row_of(reply)->task->description,
			    "Offer tennis lessons");
	assert_string_equal(row_of(reply)->tag_names[0], "VIP");
	clubcrm__frame__free_unpacked(reply, NULL);
	assert_int_equal(it_get(w.alicia, w.note, &reply, &st), STATUS_OK);
	assert_int_equal(row_of(reply)->task->kind,
			 CLUBCRM__TASK_KIND__TASK_KIND_NOTE);
	clubcrm__frame__free_unpacked(reply, NULL);

	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	planned_on_day0(&f);
	uint64_t ids[8];
	size_t n;
	unsigned pages;
	assert_int_equal(it_list_all(w.alicia, &f, 0, ids, 8, &n, &pages, NULL),
			 STATUS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], w.range_ids[1]);
	assert_int_equal(ids[2], w.range_ids[0]);

	/* New ids never reuse old ones. */
	struct it_new_task t = {.desc = "after restart", .type_id = w.call,
				.customer_id = w.jorge, .planned_at = DAY0};
	uint64_t id;
	assert_int_equal(it_create_id(w.alicia, &t, &id, &st), STATUS_OK);
	assert_true(id > w.note && id > w.jorge_ids[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_get),
		cmocka_unit_test(test_list_by_planned_range),
		cmocka_unit_test(test_list_by_customer_paged),
		cmocka_unit_test(test_create_note),
		cmocka_unit_test(test_idempotent_retry),
		cmocka_unit_test(test_restart_reads_back),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
