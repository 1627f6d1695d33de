/*
 * The two stories of the seed documents, step by step through the real
 * server and client library, each step asserting what the screens would
 * show: the rows with their two dates (planned, created) and two users
 * (responsible, creator), the status, the result and its outcome mark,
 * the colour, and the profile entries.
 *
 * 1. Deborah's appointment with Manolo for the annual subscription does not
 *    take place; she plans another; that one succeeds and she creates a
 *    quote task for Maribel. The summary shows the appointment with a
 *    positive result and the new task with its two dates.
 * 2. Alicia books Valentina to offer tennis lessons to Arantxa. The result
 *    is negative (Arantxa wants a discount): the task stays open and a
 *    quote task goes to Fermín. Arantxa accepts: the quote is closed with a
 *    note, which is also its own entry in Arantxa's profile.
 *
 * Both start from the demo club's own tasks (server --demo), as the seeds
 * tell them; the tasks planned here are on fixed days far ahead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "status.h"

/* 2031-06-07 09:00 UTC and the days after it. */
#define DAY0 INT64_C(1938589200)
#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)

#define PLANNED CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED
#define DONE CLUBCRM__TASK_STATUS__TASK_STATUS_DONE
#define CANCELLED CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED
#define NOTE CLUBCRM__TASK_KIND__TASK_KIND_NOTE
#define TASK CLUBCRM__TASK_KIND__TASK_KIND_TASK

struct world {
	struct harness h;
	struct client_sync *alicia, *valentina, *fermin, *deborah, *maribel;
	uint64_t appointment, quote, tennis;
	uint64_t positive, negative, cancelled;
	uint64_t manolo, arantxa;
	uint64_t id_deborah, id_maribel, id_valentina, id_fermin, id_alicia;
	int64_t started;  /* wall clock at setup: creation times are after */
};

static struct world w;

static struct client_sync *login(const char *who)
{
	struct client_sync *s = NULL;
	struct client_status st;
	if (harness_login(&w.h, who, &s, &st) != STATUS_OK)
		return NULL;
	return s;
}

/* The result's id by name, from the catalogue. */
static uint64_t result_id(struct client_sync *s, const char *name)
{
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	uint64_t id = 0;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	if (client_sync_call(s, &req, &reply, &st) != STATUS_OK) {
		if (reply)
			clubcrm__frame__free_unpacked(reply, NULL);
		return 0;
	}
	const Clubcrm__Catalog *c = reply->catalog;
	for (size_t i = 0; i < c->n_results; i++)
		if (strcmp(c->results[i]->name, name) == 0)
			id = c->results[i]->id;
	clubcrm__frame__free_unpacked(reply, NULL);
	return id;
}

static int group_setup(void **state)
{
	w.started = (int64_t)time(NULL);
	if (harness_start(&w.h) < 0)
		return -1;
	w.alicia = login("alicia");
	w.valentina = login("valentina");
	w.fermin = login("fermin");
	w.deborah = login("deborah");
	w.maribel = login("maribel");
	if (!w.alicia || !w.valentina || !w.fermin || !w.deborah || !w.maribel)
		return -1;
	w.appointment = it_type_id(w.alicia, "Appointment");
	w.quote = it_type_id(w.alicia, "Quote");
	w.tennis = it_tag_id(w.alicia, "Tennis");
	w.positive = result_id(w.alicia, "Positive");
	w.negative = result_id(w.alicia, "Negative");
	w.cancelled = result_id(w.alicia, "Cancelled");
	w.manolo = it_customer_id(w.alicia, "Manolo");
	w.arantxa = it_customer_id(w.alicia, "Arantxa");
	w.id_alicia = it_operator_id(w.alicia, "alicia");
	w.id_deborah = it_operator_id(w.alicia, "deborah");
	w.id_maribel = it_operator_id(w.alicia, "maribel");
	w.id_valentina = it_operator_id(w.alicia, "valentina");
	w.id_fermin = it_operator_id(w.alicia, "fermin");
	return w.appointment && w.quote && w.tennis && w.positive &&
			       w.negative && w.cancelled && w.manolo &&
			       w.arantxa && w.id_alicia && w.id_deborah &&
			       w.id_maribel && w.id_valentina && w.id_fermin
		       ? 0 : -1;
}

static int group_teardown(void **state)
{
	client_sync_close(w.alicia);
	client_sync_close(w.valentina);
	client_sync_close(w.fermin);
	client_sync_close(w.deborah);
	client_sync_close(w.maribel);
	harness_cleanup(&w.h);
	return 0;
}

/* ------------------------------------------------------------ screens */

/*
 * One page (at most 100 rows) of ListTasks: what a list screen shows. The
 * caller frees the frame.
 */
static Clubcrm__Frame *list(struct client_sync *s, Clubcrm__TaskFilter *f,
			    Clubcrm__TaskOrder order, bool descending)
{
	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	lt.filter = f;
	lt.has_order = lt.has_descending = lt.has_page_size = true;
	lt.order = order;
	lt.descending = descending;
	lt.page_size = 100;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_LIST_TASKS, &lt);
	assert_int_equal(client_sync_call(s, &req, &reply, &st), STATUS_OK);
	assert_int_equal(reply->body_case, CLUBCRM__FRAME__BODY_TASK_PAGE);
	assert_false(reply->task_page->has_next_page_token);
	return reply;
}

/* The row of task `id` in a page, or NULL. */
static const Clubcrm__TaskRow *row_in(const Clubcrm__Frame *page, uint64_t id)
{
	for (size_t i = 0; i < page->task_page->n_rows; i++)
		if (page->task_page->rows[i]->task->id == id)
			return page->task_page->rows[i];
	return NULL;
}

/* A reply's (TaskReply) row, checked. */
static const Clubcrm__TaskRow *row_of(const Clubcrm__Frame *f)
{
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_TASK_REPLY);
	assert_non_null(f->task_reply->row);
	assert_non_null(f->task_reply->row->task);
	return f->task_reply->row;
}

/* The row's two users: responsible (login) and creator (login). */
static void assert_users(const Clubcrm__TaskRow *r, const char *operator_,
			 const char *creator)
{
	assert_non_null(r->operator_login);
	assert_non_null(r->creator_login);
	assert_string_equal(r->operator_login, operator_);
	assert_string_equal(r->creator_login, creator);
}

/* The row's two dates: planned as given, created by the server just now. */
static void assert_dates(const Clubcrm__TaskRow *r, int64_t planned)
{
	assert_int_equal(r->task->planned_at, planned);
	assert_true(r->task->created_at >= w.started);
	assert_true(r->task->created_at <= (int64_t)time(NULL) + 1);
}

static void assert_result(const Clubcrm__TaskRow *r, const char *name,
			  Clubcrm__Outcome outcome, Clubcrm__TaskStatus status)
{
	assert_non_null(r->result_name);
	assert_string_equal(r->result_name, name);
	assert_int_equal(r->outcome, outcome);
	assert_int_equal(r->task->status, status);
}

/* The seeded task of this customer, type and creator, still planned. */
static uint64_t seeded(struct client_sync *s, uint64_t customer,
		       uint64_t type, uint64_t creator)
{
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	Clubcrm__TaskStatus planned = PLANNED;
	f.has_customer_id = true;
	f.customer_id = customer;
	f.n_type_ids = 1;
	f.type_ids = &type;
	f.n_creator_ids = 1;
	f.creator_ids = &creator;
	f.n_statuses = 1;
	f.statuses = &planned;
	Clubcrm__Frame *page = list(s, &f, CLUBCRM__TASK_ORDER__TASK_ORDER_PLANNED,
				    false);
	assert_int_equal(page->task_page->n_rows, 1);
	uint64_t id = page->task_page->rows[0]->task->id;
	clubcrm__frame__free_unpacked(page, NULL);
	return id;
}

/* FollowUp; on STATUS_OK *reply holds the TaskReply. */
static unsigned follow_up(struct client_sync *s, Clubcrm__FollowUp *fu,
			  Clubcrm__Frame **reply)
{
	Clubcrm__Frame req;
	struct client_status st;
	*reply = NULL;
	it_frame(&req, CLUBCRM__FRAME__BODY_FOLLOW_UP, fu);
	return client_sync_call(s, &req, reply, &st);
}

static Clubcrm__Frame *get(struct client_sync *s, uint64_t id)
{
	Clubcrm__Frame *reply = NULL;
	struct client_status st;
	assert_int_equal(it_get(s, id, &reply, &st), STATUS_OK);
	row_of(reply);
	return reply;
}

/* ------------------------------------------------------------ story 1 */

static void test_deborah_manolo_subscription(void **state)
{
	/* Deborah's board: her appointment with Manolo, hers twice. */
	uint64_t first = seeded(w.deborah, w.manolo, w.appointment,
				w.id_deborah);
	Clubcrm__Frame *f = get(w.deborah, first);
	const Clubcrm__TaskRow *r = row_of(f);
	assert_users(r, "deborah", "deborah");
	assert_string_equal(r->type_name, "Appointment");
	assert_non_null(strstr(r->customer_name, "Manolo"));
	assert_non_null(strstr(r->task->description, "subscription"));
	assert_int_equal(r->task->status, PLANNED);
	assert_int_equal(r->colour, CLUBCRM__COLOUR__COLOUR_NONE);
	clubcrm__frame__free_unpacked(f, NULL);

	/* It did not take place: result Cancelled, and she plans another in
	 * the same step (the result's status applies: Cancelled). */
	Clubcrm__CreateTask next = CLUBCRM__CREATE_TASK__INIT;
	next.description = (char *)"Appointment to sign up for the annual "
				   "subscription (second try)";
	next.has_planned_at = true;
	next.planned_at = DAY0;
	Clubcrm__FollowUp fu = CLUBCRM__FOLLOW_UP__INIT;
	fu.has_id = fu.has_result_id = true;
	fu.id = first;
	fu.result_id = w.cancelled;
	fu.next = &next;
	assert_int_equal(follow_up(w.deborah, &fu, &f), STATUS_OK);
	r = row_of(f);
	assert_result(r, "Cancelled", CLUBCRM__OUTCOME__OUTCOME_NEGATIVE,
		      CANCELLED);
	assert_int_equal(f->task_reply->n_created, 1);
	const Clubcrm__TaskRow *second_row = f->task_reply->created[0];
	uint64_t second = second_row->task->id;
	/* Same customer and type; the operator is Manolo's consultant. */
	assert_int_equal(second_row->task->follows_id, first);
	assert_int_equal(second_row->task->customer_id, w.manolo);
	assert_string_equal(second_row->type_name, "Appointment");
	assert_users(second_row, "deborah", "deborah");
	assert_dates(second_row, DAY0);
	assert_int_equal(second_row->task->status, PLANNED);
	clubcrm__frame__free_unpacked(f, NULL);

	/* The second appointment succeeds; she creates a quote for Maribel. */
	Clubcrm__CreateTask quote = CLUBCRM__CREATE_TASK__INIT;
	quote.description = (char *)"Quote for the annual subscription";
	quote.has_type_id = quote.has_operator_id = quote.has_planned_at = true;
	quote.type_id = w.quote;
	quote.operator_id = w.id_maribel;
	quote.planned_at = DAY0 + DAY + 2 * HOUR;
	fu = (Clubcrm__FollowUp)CLUBCRM__FOLLOW_UP__INIT;
	fu.has_id = fu.has_result_id = true;
	fu.id = second;
	fu.result_id = w.positive;
	fu.next = &quote;
	assert_int_equal(follow_up(w.deborah, &fu, &f), STATUS_OK);
	r = row_of(f);
	assert_result(r, "Positive", CLUBCRM__OUTCOME__OUTCOME_POSITIVE, DONE);
	assert_int_equal(f->task_reply->n_created, 1);
	uint64_t quote_id = f->task_reply->created[0]->task->id;
	clubcrm__frame__free_unpacked(f, NULL);

	/* The summary of Manolo's tasks, in creation order. */
	Clubcrm__TaskFilter mf = CLUBCRM__TASK_FILTER__INIT;
	mf.has_customer_id = true;
	mf.customer_id = w.manolo;
	Clubcrm__Frame *page = list(w.deborah, &mf,
				    CLUBCRM__TASK_ORDER__TASK_ORDER_CREATED,
				    false);
	const Clubcrm__TaskRow *a1 = row_in(page, first);
	const Clubcrm__TaskRow *a2 = row_in(page, second);
	const Clubcrm__TaskRow *q = row_in(page, quote_id);
	assert_non_null(a1);
	assert_non_null(a2);
	assert_non_null(q);
	assert_result(a1, "Cancelled", CLUBCRM__OUTCOME__OUTCOME_NEGATIVE,
		      CANCELLED);
	/* The appointment with a positive result (green mark), done. */
	assert_result(a2, "Positive", CLUBCRM__OUTCOME__OUTCOME_POSITIVE, DONE);
	assert_users(a2, "deborah", "deborah");
	assert_int_equal(a2->colour, CLUBCRM__COLOUR__COLOUR_NONE);
	/* The new task with its two dates and two users: planned for
	 * Maribel, created by Deborah just now. */
	assert_string_equal(q->type_name, "Quote");
	assert_users(q, "maribel", "deborah");
	assert_dates(q, DAY0 + DAY + 2 * HOUR);
	assert_int_equal(q->task->status, PLANNED);
	assert_int_equal(q->task->follows_id, second);
	assert_null(q->result_name);
	assert_false(q->overdue);
	/* Creation order: the quote is the last of the three. */
	size_t pos_a2 = 0, pos_q = 0;
	for (size_t i = 0; i < page->task_page->n_rows; i++) {
		uint64_t id = page->task_page->rows[i]->task->id;
		pos_a2 = id == second ? i : pos_a2;
		pos_q = id == quote_id ? i : pos_q;
	}
	assert_true(pos_a2 < pos_q);
	clubcrm__frame__free_unpacked(page, NULL);

	/* Maribel's board: the quote is hers, in preparation (nobody took
	 * charge of it yet). */
	Clubcrm__TaskFilter pf = CLUBCRM__TASK_FILTER__INIT;
	pf.n_operator_ids = 1;
	pf.operator_ids = &w.id_maribel;
	pf.has_in_preparation = pf.in_preparation = true;
	page = list(w.maribel, &pf, CLUBCRM__TASK_ORDER__TASK_ORDER_PLANNED,
		    false);
	q = row_in(page, quote_id);
	assert_non_null(q);
	assert_users(q, "maribel", "deborah");
	clubcrm__frame__free_unpacked(page, NULL);

	/* The audit trail of the first appointment: created, then followed
	 * up by Deborah. */
	Clubcrm__GetTask gt = CLUBCRM__GET_TASK__INIT;
	gt.has_id = gt.has_with_history = gt.with_history = true;
	gt.id = first;
	Clubcrm__Frame req;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_TASK, &gt);
	assert_int_equal(client_sync_call(w.deborah, &req, &f, &st), STATUS_OK);
	const Clubcrm__TaskReply *tr = f->task_reply;
	assert_true(tr->n_history >= 2);
	const Clubcrm__HistoryEntry *last = tr->history[tr->n_history - 1];
	assert_string_equal(last->actor_login, "deborah");
	assert_string_equal(last->action, "follow up");
	bool status_changed = false;
	for (size_t i = 0; i < last->n_changed_fields; i++)
		status_changed |= strcmp(last->changed_fields[i], "status") == 0;
	assert_true(status_changed);
	clubcrm__frame__free_unpacked(f, NULL);
}

/* ------------------------------------------------------------ story 2 */

static void test_alicia_valentina_arantxa_tennis(void **state)
{
	/* Alicia booked Valentina to offer tennis lessons to Arantxa. */
	uint64_t appt = seeded(w.valentina, w.arantxa, w.appointment,
			       w.id_alicia);
	Clubcrm__Frame *f = get(w.valentina, appt);
	const Clubcrm__TaskRow *r = row_of(f);
	assert_users(r, "valentina", "alicia");
	assert_non_null(strstr(r->task->description, "tennis"));
	assert_int_equal(r->n_tag_names, 1);
	assert_string_equal(r->tag_names[0], "Tennis");
	assert_int_equal(r->task->status, PLANNED);
	clubcrm__frame__free_unpacked(f, NULL);

	/* Negative result: Arantxa wants a discount Valentina cannot give.
	 * The task stays open, and a quote task goes to Fermín. */
	Clubcrm__CreateTask quote = CLUBCRM__CREATE_TASK__INIT;
	quote.description = (char *)"Quote for tennis lessons with a discount";
	quote.has_type_id = quote.has_operator_id = quote.has_planned_at = true;
	quote.type_id = w.quote;
	quote.operator_id = w.id_fermin;
	quote.planned_at = DAY0 + 3 * DAY;
	quote.n_tag_ids = 1;
	quote.tag_ids = &w.tennis;
	Clubcrm__FollowUp fu = CLUBCRM__FOLLOW_UP__INIT;
	fu.has_id = fu.has_result_id = fu.has_action = true;
	fu.id = appt;
	fu.result_id = w.negative;
	fu.action = CLUBCRM__FOLLOW_UP_ACTION__FOLLOW_UP_ACTION_KEEP_OPEN;
	fu.next = &quote;
	assert_int_equal(follow_up(w.valentina, &fu, &f), STATUS_OK);
	r = row_of(f);
	/* Still planned, with the red mark of a negative result. */
	assert_result(r, "Negative", CLUBCRM__OUTCOME__OUTCOME_NEGATIVE,
		      PLANNED);
	assert_int_equal(f->task_reply->n_created, 1);
	const Clubcrm__TaskRow *q = f->task_reply->created[0];
	uint64_t quote_id = q->task->id;
	assert_users(q, "fermin", "valentina");
	assert_dates(q, DAY0 + 3 * DAY);
	assert_int_equal(q->task->customer_id, w.arantxa);
	assert_int_equal(q->task->follows_id, appt);
	assert_string_equal(q->type_name, "Quote");
	clubcrm__frame__free_unpacked(f, NULL);

	/* Fermín's board shows the quote. */
	Clubcrm__TaskFilter ff = CLUBCRM__TASK_FILTER__INIT;
	ff.n_operator_ids = 1;
	ff.operator_ids = &w.id_fermin;
	Clubcrm__Frame *page = list(w.fermin, &ff,
				    CLUBCRM__TASK_ORDER__TASK_ORDER_PLANNED,
				    false);
	assert_non_null(row_in(page, quote_id));
	clubcrm__frame__free_unpacked(page, NULL);

	/* Arantxa accepts: Fermín closes the quote with a note. */
	const char *note = "Arantxa accepts the quote: 10 tennis lessons, "
			   "15% off";
	Clubcrm__CloseTask ct = CLUBCRM__CLOSE_TASK__INIT;
	ct.has_id = ct.has_result_id = true;
	ct.id = quote_id;
	ct.result_id = w.positive;
	ct.note = (char *)note;
	Clubcrm__Frame req;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_CLOSE_TASK, &ct);
	assert_int_equal(client_sync_call(w.fermin, &req, &f, &st), STATUS_OK);
	r = row_of(f);
	assert_result(r, "Positive", CLUBCRM__OUTCOME__OUTCOME_POSITIVE, DONE);
	assert_string_equal(r->task->closing_note, note);
	assert_int_equal(f->task_reply->n_created, 1);
	uint64_t note_id = f->task_reply->created[0]->task->id;
	clubcrm__frame__free_unpacked(f, NULL);

	/* Arantxa's profile, newest first: the note is its own entry, by
	 * Fermín, after the quote it closed; the appointment is still open
	 * with its negative result. */
	Clubcrm__TaskFilter af = CLUBCRM__TASK_FILTER__INIT;
	af.has_customer_id = true;
	af.customer_id = w.arantxa;
	page = list(w.alicia, &af, CLUBCRM__TASK_ORDER__TASK_ORDER_CREATED,
		    true);
	assert_true(page->task_page->n_rows >= 4);
	const Clubcrm__TaskRow *n = page->task_page->rows[0];
	assert_int_equal(n->task->id, note_id);
	assert_int_equal(n->task->kind, NOTE);
	assert_string_equal(n->task->description, note);
	assert_users(n, "fermin", "fermin");
	assert_int_equal(n->task->follows_id, quote_id);
	assert_true(n->task->planned_at >= w.started);
	const Clubcrm__TaskRow *qr = row_in(page, quote_id);
	assert_non_null(qr);
	assert_int_equal(qr->task->kind, TASK);
	assert_result(qr, "Positive", CLUBCRM__OUTCOME__OUTCOME_POSITIVE, DONE);
	assert_users(qr, "fermin", "valentina");
	assert_int_equal(qr->colour, CLUBCRM__COLOUR__COLOUR_NONE);
	const Clubcrm__TaskRow *ar = row_in(page, appt);
	assert_non_null(ar);
	assert_result(ar, "Negative", CLUBCRM__OUTCOME__OUTCOME_NEGATIVE,
		      PLANNED);
	assert_users(ar, "valentina", "alicia");
	clubcrm__frame__free_unpacked(page, NULL);

	/* Concluded: the quote can no longer be followed up. */
	fu = (Clubcrm__FollowUp)CLUBCRM__FOLLOW_UP__INIT;
	fu.has_id = fu.has_result_id = true;
	fu.id = quote_id;
	fu.result_id = w.positive;
	assert_int_equal(follow_up(w.fermin, &fu, &f),
			 STATUS_FAILED_PRECONDITION);
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deborah_manolo_subscription),
		cmocka_unit_test(test_alicia_valentina_arantxa_tennis),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
