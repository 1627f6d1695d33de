/*
 * The typed API (client_api.h) over the synchronous client, against a
 * scripted fake server: a stale edit answers with the conflicting row, a
 * reply of another kind is INTERNAL, a refusal keeps its code and text, a
 * create always carries an idempotency key (a customer added too: drawn or
 * the caller's; an edit none), and a pager follows the page
 * tokens to the last page (and refuses to go past it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "client_api.h"
#include "fake_server.h"
#include "status.h"

#include "frame_body.h"

/* The next frame, which must be a `body` request: its id, or 0. */
static uint64_t expect(struct fake_server *fs, Clubcrm__Frame__BodyCase body,
		       Clubcrm__Frame **out)
{
	Clubcrm__Frame *f = fake_recv(fs);
	if (!f || f->body_case != body) {
		fake_fail(fs, "not the request expected");
		if (f)
			clubcrm__frame__free_unpacked(f, NULL);
		return 0;
	}
	uint64_t rid = f->request_id;
	if (out)
		*out = f;
	else
		clubcrm__frame__free_unpacked(f, NULL);
	return rid;
}

static void send_reply(struct fake_server *fs, uint64_t rid,
		       Clubcrm__Frame *f)
{
	f->has_request_id = true;
	f->request_id = rid;
	fake_send(fs, f);
}

/* A stale edit's answer: FAILED_PRECONDITION with the task as it is now
 * (id 7, `mod_rev`, `description`). */
static void send_conflict(struct fake_server *fs, uint64_t rid,
			  uint64_t mod_rev, const char *description,
			  const char *message)
{
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.has_id = t.has_mod_rev = true;
	t.id = 7;
	t.mod_rev = mod_rev;
	t.description = (char *)description;
	Clubcrm__TaskRow row = CLUBCRM__TASK_ROW__INIT;
	row.task = &t;
	Clubcrm__Error e = CLUBCRM__ERROR__INIT;
	e.has_code = true;
	e.code = STATUS_FAILED_PRECONDITION;
	e.message = (char *)message;
	e.current = &row;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(ERROR);
	f.error = &e;
	send_reply(fs, rid, &f);
}

static void send_page(struct fake_server *fs, uint64_t rid, uint64_t task_id,
		      const char *token)
{
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.has_id = true;
	t.id = task_id;
	Clubcrm__TaskRow row = CLUBCRM__TASK_ROW__INIT, *rows[1] = {&row};
	row.task = &t;
	Clubcrm__TaskPage p = CLUBCRM__TASK_PAGE__INIT;
	p.n_rows = 1;
	p.rows = rows;
	if (token) {
		p.has_next_page_token = true;
		p.next_page_token = (ProtobufCBinaryData){strlen(token),
							  (uint8_t *)token};
	}
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(TASK_PAGE);
	f.task_page = &p;
	send_reply(fs, rid, &f);
}

static void script(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	/* A stale edit: FAILED_PRECONDITION with the row as it is now. */
	uint64_t rid = expect(fs, BODY(EDIT_TASK), NULL);
	send_conflict(fs, rid, 9, "theirs", "the task changed");

	/* A refusal without a row is not a conflict. */
	rid = expect(fs, BODY(FOLLOW_UP), NULL);
	fake_send_error(fs, rid, STATUS_FAILED_PRECONDITION, "concluded");

	/* A reply of another kind than the request's. */
	rid = expect(fs, BODY(GET_TASK), NULL);
	Clubcrm__Catalog cat = CLUBCRM__CATALOG__INIT;
	Clubcrm__Frame c = CLUBCRM__FRAME__INIT;
	c.body_case = BODY(CATALOG);
	c.catalog = &cat;
	send_reply(fs, rid, &c);

	/* A refusal keeps its code and text. */
	rid = expect(fs, BODY(TAKE_TASK), NULL);
	fake_send_error(fs, rid, STATUS_NOT_FOUND, "no task 5");

	/* A create without a key gets one. */
	Clubcrm__Frame *req = NULL;
	rid = expect(fs, BODY(CREATE_TASK), &req);
	if (req && (!req->create_task->has_idempotency_key ||
		    req->create_task->idempotency_key.len !=
			    CLIENT_IDEMPOTENCY_KEY_LEN))
		fake_fail(fs, "a create without its key");
	if (req)
		clubcrm__frame__free_unpacked(req, NULL);
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.has_id = true;
	t.id = 7;
	Clubcrm__TaskRow row = CLUBCRM__TASK_ROW__INIT;
	row.task = &t;
	Clubcrm__TaskReply tr = CLUBCRM__TASK_REPLY__INIT;
	tr.row = &row;
	Clubcrm__Frame r = CLUBCRM__FRAME__INIT;
	r.body_case = BODY(TASK_REPLY);
	r.task_reply = &tr;
	send_reply(fs, rid, &r);

	/* Two pages: the second asked for with the first's token. */
	rid = expect(fs, BODY(LIST_TASKS), &req);
	if (req && req->list_tasks->has_page_token)
		fake_fail(fs, "a first page asked with a token");
	if (req)
		clubcrm__frame__free_unpacked(req, NULL);
	send_page(fs, rid, 1, "next");
	rid = expect(fs, BODY(LIST_TASKS), &req);
	if (req && (!req->list_tasks->has_page_token ||
		    req->list_tasks->page_token.len != 4 ||
		    memcmp(req->list_tasks->page_token.data, "next", 4) != 0 ||
		    req->list_tasks->page_size != 1))
		fake_fail(fs, "the second page asked without the token");
	if (req)
		clubcrm__frame__free_unpacked(req, NULL);
	send_page(fs, rid, 2, NULL);
	fake_wait_eof(fs, 5000);
}

/* A synchronous connection to a fake server playing `play`. */
static struct client_sync *open_sync(struct fake_server *fs,
				     fake_script play)
{
	assert_int_equal(fake_start(fs, false, play, NULL), 0);
	struct client_sync_options o = {
		.address = fs->address, .login = "op", .password = "pw",
		.timeout_ms = 5000,
	};
	struct client_sync *s;
	struct client_status st;
	assert_int_equal(client_sync_open(&o, &s, &st), STATUS_OK);
	return s;
}

static void test_typed_calls(void **state)
{
	(void)state;
	struct fake_server fs;
	struct client_sync *s = open_sync(&fs, script);

	struct clubcrm_answer ans;
	Clubcrm__EditTask e = CLUBCRM__EDIT_TASK__INIT;
	e.has_id = e.has_base_mod_rev = true;
	e.id = 7;
	e.base_mod_rev = 3;
	e.description = "mine";
	assert_int_equal(clubcrm_task_edit(s, &e, &ans),
			 STATUS_FAILED_PRECONDITION);
	assert_string_equal(ans.message, "the task changed");
	assert_null(ans.task);
	assert_non_null(ans.conflict);
	assert_int_equal(ans.conflict->task->mod_rev, 9);
	assert_string_equal(ans.conflict->task->description, "theirs");
	clubcrm_answer_free(&ans);
	assert_null(ans.conflict);
	clubcrm_answer_free(&ans);  /* twice is harmless */

	Clubcrm__FollowUp u = CLUBCRM__FOLLOW_UP__INIT;
	u.has_id = true;
	u.id = 7;
	assert_int_equal(clubcrm_task_follow(s, &u, &ans),
			 STATUS_FAILED_PRECONDITION);
	assert_null(ans.conflict);
	clubcrm_answer_free(&ans);

	assert_int_equal(clubcrm_task_get(s, 7, false, &ans), STATUS_INTERNAL);
	assert_non_null(strstr(ans.message, "unexpected reply"));
	assert_null(ans.task);
	assert_null(ans.catalog);
	clubcrm_answer_free(&ans);

	assert_int_equal(clubcrm_task_take(s, 5, &ans), STATUS_NOT_FOUND);
	assert_string_equal(ans.message, "no task 5");
	clubcrm_answer_free(&ans);

	Clubcrm__CreateTask c = CLUBCRM__CREATE_TASK__INIT;
	c.description = "new";
	assert_int_equal(clubcrm_task_create(s, &c, &ans), STATUS_OK);
	assert_false(c.has_idempotency_key);  /* the caller's is untouched */
	assert_int_equal(ans.task->row->task->id, 7);
	clubcrm_answer_free(&ans);

	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	lt.has_page_size = true;
	lt.page_size = 1;
	struct clubcrm_pager p;
	struct clubcrm_answer pages[2];
	clubcrm_tasks_pager(&p, s, &lt);
	assert_int_equal(clubcrm_pager_next(&p, &pages[0]), STATUS_OK);
	assert_false(p.done);
	assert_int_equal(clubcrm_pager_next(&p, &pages[1]), STATUS_OK);
	assert_true(p.done);
	/* Both pages stay readable while kept. */
	assert_int_equal(pages[0].task_page->rows[0]->task->id, 1);
	assert_int_equal(pages[1].task_page->rows[0]->task->id, 2);
	assert_int_equal(clubcrm_pager_next(&p, &ans),
			 STATUS_FAILED_PRECONDITION);
	clubcrm_answer_free(&ans);
	clubcrm_answer_free(&pages[0]);
	clubcrm_answer_free(&pages[1]);
	clubcrm_pager_free(&p);

	client_sync_close(s);
	assert_true(fake_finish(&fs));
}

/* Answers an UpsertCustomer with customer `id`; *key gets the request's
 * key (len 0: none sent). */
static void customer_reply(struct fake_server *fs, uint64_t id, uint8_t *key,
			   size_t *key_len)
{
	Clubcrm__Frame *req = NULL;
	uint64_t rid = expect(fs, BODY(UPSERT_CUSTOMER), &req);
	*key_len = 0;
	if (!req)
		return;
	const Clubcrm__UpsertCustomer *u = req->upsert_customer;
	if (!u->customer)
		fake_fail(fs, "an upsert without its customer");
	if (u->has_idempotency_key && u->idempotency_key.len <= 64) {
		memcpy(key, u->idempotency_key.data, u->idempotency_key.len);
		*key_len = u->idempotency_key.len;
	}
	clubcrm__frame__free_unpacked(req, NULL);
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	c.has_id = true;
	c.id = id;
	Clubcrm__CustomerReply cr = CLUBCRM__CUSTOMER_REPLY__INIT;
	cr.customer = &c;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(CUSTOMER_REPLY);
	f.customer_reply = &cr;
	send_reply(fs, rid, &f);
}

static void script_customers(struct fake_server *fs)
{
	uint8_t a[64], b[64], c[64];
	size_t na, nb, nc;
	if (!fake_handshake(fs, true))
		return;
	/* Two adds without the caller's key: one drawn for each. */
	customer_reply(fs, 40, a, &na);
	customer_reply(fs, 41, b, &nb);
	if (na != CLIENT_IDEMPOTENCY_KEY_LEN || nb != CLIENT_IDEMPOTENCY_KEY_LEN)
		fake_fail(fs, "an add without a drawn key");
	else if (!memcmp(a, b, na))
		fake_fail(fs, "two adds drew the same key");
	/* The caller's key, as it is. */
	customer_reply(fs, 42, c, &nc);
	if (nc != 9 || memcmp(c, "script-42", 9))
		fake_fail(fs, "not the caller's key");
	/* An edit: no key, even when one is given. */
	customer_reply(fs, 40, c, &nc);
	if (nc)
		fake_fail(fs, "an edit with a key");
	fake_wait_eof(fs, 5000);
}

/* A customer added carries a key (drawn, or the caller's); an edit none. */
static void test_customer_keys(void **state)
{
	(void)state;
	struct fake_server fs;
	struct client_sync *s = open_sync(&fs, script_customers);
	struct clubcrm_answer ans;
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	c.name = "Pilar";
	assert_int_equal(clubcrm_customer_upsert(s, &c, NULL, 0, &ans),
			 STATUS_OK);
	assert_int_equal(ans.customer->customer->id, 40);
	clubcrm_answer_free(&ans);
	assert_int_equal(clubcrm_customer_upsert(s, &c, NULL, 0, &ans),
			 STATUS_OK);
	assert_int_equal(ans.customer->customer->id, 41);
	clubcrm_answer_free(&ans);
	assert_int_equal(clubcrm_customer_upsert(s, &c,
						 (const uint8_t *)"script-42",
						 9, &ans),
			 STATUS_OK);
	assert_int_equal(ans.customer->customer->id, 42);
	clubcrm_answer_free(&ans);
	c.has_id = true;
	c.id = 40;
	assert_int_equal(clubcrm_customer_upsert(s, &c,
						 (const uint8_t *)"script-42",
						 9, &ans),
			 STATUS_OK);
	assert_int_equal(ans.customer->customer->id, 40);
	clubcrm_answer_free(&ans);
	client_sync_close(s);
	assert_true(fake_finish(&fs));
}

/* A closed connection: the code of the failure, nothing to read. */
static void script_gone(struct fake_server *fs)
{
	if (fake_handshake(fs, true))
		expect(fs, BODY(TAKE_TASK), NULL);
	close(fs->fd);
	fs->fd = -1;
}

static void test_connection_gone(void **state)
{
	(void)state;
	struct fake_server fs;
	struct client_sync *s = open_sync(&fs, script_gone);
	struct clubcrm_answer ans;
	assert_int_equal(clubcrm_task_take(s, 5, &ans), STATUS_UNAVAILABLE);
	assert_null(ans.task);
	clubcrm_answer_free(&ans);
	assert_int_equal(clubcrm_catalog_get(s, false, &ans),
			 STATUS_UNAVAILABLE);
	assert_null(ans.catalog);
	clubcrm_answer_free(&ans);
	client_sync_close(s);
	assert_true(fake_finish(&fs));
}

/* ------------------------------------------------------------ async */

struct actx {
	uv_loop_t loop;
	struct live *l;
	unsigned early_status;     /* the answer sent before the connection */
	unsigned status;
	uint64_t conflict_rev;     /* 0: no conflict row */
	char message[CLIENT_MESSAGE_MAX];
	int answers;
	bool closed;
};

static void on_early(const struct clubcrm_answer *ans, void *arg)
{
	struct actx *x = arg;
	x->early_status = ans->status;
	assert_null(ans->task);
	x->answers++;
}

static void on_edited(const struct clubcrm_answer *ans, void *arg)
{
	struct actx *x = arg;
	x->status = ans->status;
	snprintf(x->message, sizeof(x->message), "%s", ans->message);
	x->conflict_rev = ans->conflict ? ans->conflict->task->mod_rev : 0;
	x->answers++;
	live_close(x->l);
}

static void on_live_state(struct live *l, enum live_state st,
			  const struct client_status *why, void *ud)
{
	(void)why;
	struct actx *x = ud;
	if (st != LIVE_READY)
		return;
	Clubcrm__EditTask e = CLUBCRM__EDIT_TASK__INIT;
	e.has_id = e.has_base_mod_rev = true;
	e.id = 7;
	e.base_mod_rev = 3;
	assert_int_equal(clubcrm_task_edit_async(l, &e, on_edited, x),
			 STATUS_OK);
}

static void on_live_closed(struct live *l, void *ud)
{
	(void)l;
	struct actx *x = ud;
	x->closed = true;
}

static void script_async(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	uint64_t rid = expect(fs, BODY(EDIT_TASK), NULL);
	send_conflict(fs, rid, 12, NULL, "changed meanwhile");
	/* The live connection logs out on close: the server ends it. */
	expect(fs, BODY(LOGOUT), NULL);
	close(fs->fd);
	fs->fd = -1;
}

/* The desk's way: a call before the connection is up is answered
 * UNAVAILABLE (later, from the loop); a stale edit over the live
 * connection answers with the conflicting row, as the synchronous one. */
static void test_async_conflict(void **state)
{
	(void)state;
	struct fake_server fs;
	assert_int_equal(fake_start(&fs, false, script_async, NULL), 0);
	struct actx x = {0};
	assert_int_equal(uv_loop_init(&x.loop), 0);
	struct client_config cfg = {
		.address = fs.address, .login = "op", .password = "pw",
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	const struct live_callbacks cbs = {
		.on_state = on_live_state, .on_closed = on_live_closed,
	};
	assert_int_equal(live_new(&x.loop, &cfg, &cbs, &x, &x.l), STATUS_OK);
	assert_int_equal(clubcrm_task_take_async(x.l, 5, on_early, &x),
			 STATUS_OK);
	assert_int_equal(x.answers, 0);  /* never from inside the call */
	assert_int_equal(live_start(x.l), STATUS_OK);
	uv_run(&x.loop, UV_RUN_DEFAULT);
	assert_true(x.closed);
	assert_int_equal(x.answers, 2);
	assert_int_equal(x.early_status, STATUS_UNAVAILABLE);
	assert_int_equal(x.status, STATUS_FAILED_PRECONDITION);
	assert_string_equal(x.message, "changed meanwhile");
	assert_int_equal(x.conflict_rev, 12);
	assert_int_equal(uv_loop_close(&x.loop), 0);
	assert_true(fake_finish(&fs));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_calls),
		cmocka_unit_test(test_connection_gone),
		cmocka_unit_test(test_customer_keys),
		cmocka_unit_test(test_async_conflict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
