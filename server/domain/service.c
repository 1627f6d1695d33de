#include "service.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "catalog.h"
#include "error_frame.h"
#include "feeds.h"
#include "history.h"
#include "ical.h"
#include "import.h"
#include "query.h"
#include "report.h"
#include "req.h"
#include "rights.h"
#include "rows.h"
#include "status.h"
#include "store.h"
#include "taskops.h"
#include "tasks.h"
#include "tokens.h"

enum service_kind service_kind_of(Clubcrm__Frame__BodyCase body)
{
	switch (body) {
	case CLUBCRM__FRAME__BODY_HELLO:
	case CLUBCRM__FRAME__BODY_LOGIN:
	case CLUBCRM__FRAME__BODY_LOGOUT:
	case CLUBCRM__FRAME__BODY_PING:
	/* Live views are the session layer's (server/session/subs.c over server/views/views.h):
	 * they hold state per connection, which this layer does not. */
	case CLUBCRM__FRAME__BODY_SUBSCRIBE:
	case CLUBCRM__FRAME__BODY_UNSUBSCRIBE:
		return SERVICE_SESSION;
	case CLUBCRM__FRAME__BODY_GET_TASK:
	case CLUBCRM__FRAME__BODY_LIST_TASKS:
	case CLUBCRM__FRAME__BODY_LIST_CUSTOMERS:
	case CLUBCRM__FRAME__BODY_GET_CATALOG:
	case CLUBCRM__FRAME__BODY_GET_CUSTOMER:
		return SERVICE_READ;
	case CLUBCRM__FRAME__BODY_GET_REPORT:
	case CLUBCRM__FRAME__BODY_EXPORT_AGENDA:
		return SERVICE_LONG_READ;
	case CLUBCRM__FRAME__BODY_CREATE_TASK:
	case CLUBCRM__FRAME__BODY_EDIT_TASK:
	case CLUBCRM__FRAME__BODY_COPY_TASK:
	case CLUBCRM__FRAME__BODY_FOLLOW_UP:
	case CLUBCRM__FRAME__BODY_CLOSE_TASK:
	case CLUBCRM__FRAME__BODY_CANCEL_TASK:
	case CLUBCRM__FRAME__BODY_TAKE_TASK:
	case CLUBCRM__FRAME__BODY_RELEASE_TASK:
	case CLUBCRM__FRAME__BODY_TAG_TASK:
	case CLUBCRM__FRAME__BODY_UNTAG_TASK:
	case CLUBCRM__FRAME__BODY_REASSIGN_TASKS:
	case CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER:
	case CLUBCRM__FRAME__BODY_UPSERT_TASK_TYPE:
	case CLUBCRM__FRAME__BODY_UPSERT_RESULT:
	case CLUBCRM__FRAME__BODY_UPSERT_TAG:
	case CLUBCRM__FRAME__BODY_UPSERT_OPERATOR:
	case CLUBCRM__FRAME__BODY_UPSERT_TEAM:
	case CLUBCRM__FRAME__BODY_UPDATE_SETTINGS:
	case CLUBCRM__FRAME__BODY_ROTATE_FEED:
	case CLUBCRM__FRAME__BODY_IMPORT_CUSTOMERS:
		return SERVICE_WRITE;
	default:
		return SERVICE_UNKNOWN;
	}
}

/* ------------------------------------------------------------ replies */

/* An Error frame in `a`; NULL when out of memory. */
static Clubcrm__Frame *error_reply(struct arena *a, uint64_t request_id,
				   unsigned code, const char *message,
				   Clubcrm__TaskRow *current)
{
	Clubcrm__Frame *f = arena_alloc(a, sizeof(*f));
	Clubcrm__Error *e = arena_alloc(a, sizeof(*e));
	if (!f || !e)
		return NULL;
	error_frame_init(f, e, request_id, code, message, current);
	return f;
}

/* Internal failures are not the client's fault and their details are
 * ours: a short, honest message. */
static unsigned internal_code(int rc, const char **msg)
{
	switch (rc) {
	case -ENOSPC:
		*msg = "the club's storage is full; try again";
		return STATUS_RESOURCE_EXHAUSTED;
	case TXN_DISK_FULL:
		*msg = "the server's disk is full: nothing was saved; tell "
		       "the club's administrator";
		return STATUS_RESOURCE_EXHAUSTED;
	case -ENOMEM:
		*msg = "the server is out of memory";
		return STATUS_RESOURCE_EXHAUSTED;
	case -EAGAIN:
		*msg = "the store is busy; try again";
		return STATUS_UNAVAILABLE;
	default:
		*msg = "internal error in the store";
		return STATUS_INTERNAL;
	}
}

/* The reply for a served request: its frame, a refusal or a failure,
 * in r's arena; NULL when out of memory. */
static Clubcrm__Frame *outcome(struct req *r, int rc, Clubcrm__Frame *reply)
{
	uint64_t id = reply->request_id;
	if (rc == 0)
		return reply;
	if (rc == REQ_REFUSED)
		return error_reply(r->a, id, r->code, r->msg, r->current);
	const char *msg = NULL;
	unsigned code = internal_code(rc, &msg);
	return error_reply(r->a, id, code, msg, NULL);
}

/* ------------------------------------------------------------ login */

static int find_login(struct txn *t, struct arena *a, const char *login,
		      Clubcrm__Operator **op, char **hash)
{
	struct txn_val v;
	int rc = txn_get(t, DB_BY_LOGIN, login, strlen(login), &v);
	if (rc)
		return rc;
	if (v.len != 8)
		return -EIO;
	uint64_t id = key_get_u64(v.data);
	rc = rows_operator(t, a, id, op);
	if (rc)
		return rc;
	uint8_t k[8];
	key_u64(k, id);
	rc = txn_get(t, DB_CREDENTIALS, k, sizeof(k), &v);
	if (rc)
		return rc;
	const char *p = v.data;
	if (!v.len || p[v.len - 1] != '\0')
		return -EIO;
	*hash = arena_strdup(a, p);
	return *hash ? 0 : -ENOMEM;
}

int service_login_grant(struct store *st, const char *login,
			const char *password, struct arena *a,
			struct service_login_grant *out)
{
	if (!login || !password || strlen(login) > 64 || strlen(password) > 1024)
		return STATUS_UNAUTHENTICATED;
	char folded[65];
	size_t n = strlen(login);
	for (size_t i = 0; i <= n; i++)
		folded[i] = (login[i] >= 'A' && login[i] <= 'Z')
				    ? (char)(login[i] - 'A' + 'a') : login[i];
	struct txn t;
	txn_begin(&t, st, NULL, false);
	Clubcrm__Operator *op = NULL;
	char *hash = NULL;
	int rc = find_login(&t, a, folded, &op, &hash);
	txn_abort(&t);
	if (rc == -ENOENT) {
		auth_verify_dummy(password);
		return STATUS_UNAUTHENTICATED;
	}
	if (rc)
		return STATUS_INTERNAL;
	/* Verify first, so an inactive operator costs the same time. */
	if (!auth_verify(hash, password) || !op->active)
		return STATUS_UNAUTHENTICATED;
	out->op = op;
	out->credential = hash;
	return 0;
}

int service_login(struct store *st, const char *login, const char *password,
		  struct arena *a, Clubcrm__Operator **out)
{
	struct service_login_grant g;
	int rc = service_login_grant(st, login, password, a, &g);
	if (rc == 0)
		*out = g.op;
	return rc;
}

int service_login_current(struct store *st,
			  const struct service_login_grant *g)
{
	struct arena a;
	arena_init(&a);
	struct txn t;
	txn_begin(&t, st, NULL, false);
	Clubcrm__Operator *op = NULL;
	int rc = rows_operator(&t, &a, g->op->id, &op);
	struct txn_val v = { 0 };
	if (!rc) {
		uint8_t k[8];
		key_u64(k, g->op->id);
		rc = txn_get(&t, DB_CREDENTIALS, k, sizeof(k), &v);
	}
	int ret = STATUS_UNAUTHENTICATED;
	if (rc && rc != -ENOENT)
		ret = STATUS_INTERNAL;
	else if (!rc && op->active && op->role == g->op->role &&
		 v.len == strlen(g->credential) + 1 &&
		 memcmp(v.data, g->credential, v.len) == 0)
		ret = 0;
	txn_abort(&t);
	arena_free(&a);
	return ret;
}

/* The login folded as by_login keys it; false when it does not fit. */
static bool fold_login(const char *login, char folded[65])
{
	size_t n = strlen(login);
	if (n > 64)
		return false;
	for (size_t i = 0; i <= n; i++)
		folded[i] = (login[i] >= 'A' && login[i] <= 'Z')
				    ? (char)(login[i] - 'A' + 'a') : login[i];
	return true;
}

int service_login_token(struct store *st, const char *login,
			const uint8_t *token, size_t len, int64_t now,
			struct arena *a, struct service_login_grant *out,
			int64_t *expires)
{
	char folded[65];
	if (!login || !token || !fold_login(login, folded))
		return STATUS_UNAUTHENTICATED;
	struct txn t;
	txn_begin(&t, st, NULL, false);
	Clubcrm__Operator *op = NULL;
	char *hash = NULL;
	int rc = find_login(&t, a, folded, &op, &hash);
	if (!rc)
		rc = tokens_check(&t, op->id, token, len, now, expires);
	txn_abort(&t);
	if (rc == -ENOENT)
		return STATUS_UNAUTHENTICATED;
	if (rc)
		return STATUS_INTERNAL;
	if (!op->active)
		return STATUS_UNAUTHENTICATED;
	out->op = op;
	out->credential = hash;
	return 0;
}

/* ------------------------------------------------------------ reads */

static int get_task(struct req *r, const Clubcrm__GetTask *in,
		    Clubcrm__TaskReply **out)
{
	Clubcrm__Task *task = NULL;
	int rc = tasks_load(r, in->id, &task);
	if (!rc)
		rc = tasks_reply(r, task, txn_revision(r->t), out);
	if (!rc && in->has_with_history && in->with_history)
		rc = history_fill(r, task->id, *out);
	return rc;
}

static int dispatch_read(struct req *r, const Clubcrm__Frame *req,
			 Clubcrm__Frame *f)
{
	switch (req->body_case) {
	case CLUBCRM__FRAME__BODY_GET_TASK:
		f->body_case = CLUBCRM__FRAME__BODY_TASK_REPLY;
		return get_task(r, req->get_task, &f->task_reply);
	case CLUBCRM__FRAME__BODY_LIST_TASKS:
		f->body_case = CLUBCRM__FRAME__BODY_TASK_PAGE;
		return query_list_tasks(r, req->list_tasks, &f->task_page);
	case CLUBCRM__FRAME__BODY_LIST_CUSTOMERS:
		f->body_case = CLUBCRM__FRAME__BODY_CUSTOMER_PAGE;
		return query_list_customers(r, req->list_customers,
					    &f->customer_page);
	case CLUBCRM__FRAME__BODY_GET_CATALOG:
		f->body_case = CLUBCRM__FRAME__BODY_CATALOG;
		return catalog_get(r, req->get_catalog, &f->catalog);
	case CLUBCRM__FRAME__BODY_GET_CUSTOMER:
		f->body_case = CLUBCRM__FRAME__BODY_CUSTOMER_REPLY;
		return catalog_get_customer(r, req->get_customer,
					    &f->customer_reply);
	case CLUBCRM__FRAME__BODY_GET_REPORT:
		f->body_case = CLUBCRM__FRAME__BODY_REPORT;
		return report_get(r, req->get_report, &f->report);
	case CLUBCRM__FRAME__BODY_EXPORT_AGENDA:
		f->body_case = CLUBCRM__FRAME__BODY_AGENDA_EXPORT;
		return ical_export(r, req->export_agenda, &f->agenda_export);
	default:
		return req_refuse(r, STATUS_UNIMPLEMENTED,
				  "not a read request");
	}
}

int service_read(struct store *st, const struct actor *who,
		 const Clubcrm__Frame *req, struct arena *a,
		 Clubcrm__Frame **out)
{
	struct txn t;
	struct req r;
	txn_begin(&t, st, NULL, false);
	req_init(&r, &t, a, who);
	Clubcrm__Frame *reply = arena_alloc(a, sizeof(*reply));
	int rc = -ENOMEM;
	if (reply) {
		clubcrm__frame__init(reply);
		reply->has_request_id = 1;
		reply->request_id = req->request_id;
		rc = t.ret ? t.ret : dispatch_read(&r, req, reply);
		reply = outcome(&r, rc, reply);
	}
	txn_abort(&t);
	*out = reply;
	return reply ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------ feeds */

/* The active operator whose feed `secret` is, in `t`. */
static int feed_operator(struct txn *t, struct arena *a, const char *secret,
			 size_t len, uint64_t *id)
{
	Clubcrm__Operator *op = NULL;
	int rc = t->ret ? t->ret : feeds_lookup(t, secret, len, id);
	if (!rc)
		rc = rows_operator(t, a, *id, &op);
	if (!rc && !op->active)
		rc = -ENOENT;
	return rc;
}

int service_feed_check(struct store *st, const char *secret, size_t len)
{
	struct arena a;
	arena_init(&a);
	struct txn t;
	txn_begin(&t, st, NULL, false);
	uint64_t id = 0;
	int rc = feed_operator(&t, &a, secret, len, &id);
	txn_abort(&t);
	arena_free(&a);
	return rc;
}

int service_feed(struct store *st, const char *secret, size_t len,
		 int64_t now, struct arena *a, char **ics, size_t *ics_len)
{
	struct txn t;
	txn_begin(&t, st, NULL, false);
	uint64_t id = 0;
	int rc = feed_operator(&t, a, secret, len, &id);
	int64_t from, to;
	ical_default_window(now, &from, &to);
	uint32_t events = 0;
	if (!rc)
		rc = ical_agenda(&t, a, id, from, to, ics, ics_len, &events);
	txn_abort(&t);
	return rc;
}

/* ------------------------------------------------------------ writes */

static int dispatch_task_write(struct req *r, const Clubcrm__Frame *req,
			       Clubcrm__Frame *f)
{
	f->body_case = CLUBCRM__FRAME__BODY_TASK_REPLY;
	Clubcrm__TaskReply **out = &f->task_reply;
	switch (req->body_case) {
	case CLUBCRM__FRAME__BODY_CREATE_TASK:
		return tasks_create_request(r, req->create_task, out);
	case CLUBCRM__FRAME__BODY_EDIT_TASK:
		return taskops_edit(r, req->edit_task, out);
	case CLUBCRM__FRAME__BODY_COPY_TASK:
		return taskops_copy(r, req->copy_task, out);
	case CLUBCRM__FRAME__BODY_FOLLOW_UP:
		return taskops_follow_up(r, req->follow_up, out);
	case CLUBCRM__FRAME__BODY_CLOSE_TASK:
		return taskops_close(r, req->close_task->id,
				     req->close_task->result_id,
				     req->close_task->note, false, out);
	case CLUBCRM__FRAME__BODY_CANCEL_TASK:
		return taskops_close(r, req->cancel_task->id,
				     req->cancel_task->result_id,
				     req->cancel_task->note, true, out);
	case CLUBCRM__FRAME__BODY_TAKE_TASK:
		return taskops_take(r, req->take_task->id, true, out);
	case CLUBCRM__FRAME__BODY_RELEASE_TASK:
		return taskops_take(r, req->release_task->id, false, out);
	case CLUBCRM__FRAME__BODY_TAG_TASK:
		return taskops_tag(r, req->tag_task->id, req->tag_task->tag_id,
				   true, out);
	case CLUBCRM__FRAME__BODY_UNTAG_TASK:
		return taskops_tag(r, req->untag_task->id,
				   req->untag_task->tag_id, false, out);
	default:
		return req_refuse(r, STATUS_UNIMPLEMENTED,
				  "not a write request");
	}
}

static int dispatch_write(struct req *r, const Clubcrm__Frame *req,
			  Clubcrm__Frame *f)
{
	switch (req->body_case) {
	case CLUBCRM__FRAME__BODY_REASSIGN_TASKS:
		f->body_case = CLUBCRM__FRAME__BODY_REASSIGN_REPLY;
		return taskops_reassign(r, req->reassign_tasks,
					&f->reassign_reply);
	case CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER:
		f->body_case = CLUBCRM__FRAME__BODY_CUSTOMER_REPLY;
		return catalog_upsert_customer(r, req->upsert_customer,
					       &f->customer_reply);
	case CLUBCRM__FRAME__BODY_UPSERT_TASK_TYPE:
		f->body_case = CLUBCRM__FRAME__BODY_CATALOG;
		return catalog_upsert_type(r, req->upsert_task_type,
					   &f->catalog);
	case CLUBCRM__FRAME__BODY_UPSERT_RESULT:
		f->body_case = CLUBCRM__FRAME__BODY_CATALOG;
		return catalog_upsert_result(r, req->upsert_result, &f->catalog);
	case CLUBCRM__FRAME__BODY_UPSERT_TAG:
		f->body_case = CLUBCRM__FRAME__BODY_CATALOG;
		return catalog_upsert_tag(r, req->upsert_tag, &f->catalog);
	case CLUBCRM__FRAME__BODY_UPSERT_OPERATOR:
		f->body_case = CLUBCRM__FRAME__BODY_CATALOG;
		return catalog_upsert_operator(r, req->upsert_operator,
					       &f->catalog);
	case CLUBCRM__FRAME__BODY_UPSERT_TEAM:
		f->body_case = CLUBCRM__FRAME__BODY_CATALOG;
		return catalog_upsert_team(r, req->upsert_team, &f->catalog);
	case CLUBCRM__FRAME__BODY_UPDATE_SETTINGS:
		f->body_case = CLUBCRM__FRAME__BODY_CATALOG;
		return catalog_update_settings(r, req->update_settings,
					       &f->catalog);
	case CLUBCRM__FRAME__BODY_ROTATE_FEED:
		f->body_case = CLUBCRM__FRAME__BODY_FEED_REPLY;
		return feeds_rotate(r, req->rotate_feed, &f->feed_reply);
	case CLUBCRM__FRAME__BODY_IMPORT_CUSTOMERS:
		f->body_case = CLUBCRM__FRAME__BODY_IMPORT_REPLY;
		return import_customers(r, req->import_customers,
					&f->import_reply);
	/* The server's own requests (login.c); clients' Login and Logout
	 * never reach the writer (service_kind_of: SERVICE_SESSION). */
	case CLUBCRM__FRAME__BODY_LOGIN:
		f->body_case = CLUBCRM__FRAME__BODY_LOGIN_OK;
		return tokens_login(r, req->login, &f->login_ok);
	case CLUBCRM__FRAME__BODY_LOGOUT:
		f->body_case = CLUBCRM__FRAME__BODY_LOGOUT;
		return tokens_logout(r, req->logout, &f->logout);
	default:
		return dispatch_task_write(r, req, f);
	}
}

/*
 * One op in its own nested transaction: a refusal or failure aborts only it.
 * Its rights are checked first, inside that transaction, against the stored
 * operator record: a revocation committed earlier (in an earlier batch or
 * earlier in this one) wins over the role the op was queued with.
 * Returns 0 (reply built, refused or not), or the error that fails the
 * whole batch (-ENOSPC when the map is full, -ENOMEM when no reply fits).
 */
static int run_op(struct store *st, struct txn *batch,
		  struct service_write_op *op)
{
	struct txn t;
	struct req r;
	struct actor who = op->who;
	Clubcrm__ChangeSet *cs = NULL;
	Clubcrm__Frame *reply = arena_alloc(op->mem, sizeof(*reply));
	if (!reply)
		return -ENOMEM;
	clubcrm__frame__init(reply);
	reply->has_request_id = 1;
	reply->request_id = op->req->request_id;
	txn_begin(&t, st, batch, true);
	req_init(&r, &t, op->mem, &who);
	int rc = t.ret ? t.ret : rights_check_write(&r, &who, op->req);
	if (!rc)
		rc = dispatch_write(&r, op->req, reply);
	if (!rc)
		rc = req_finish(&r, &cs);
	/* A full map fails the batch even when the op then refused. */
	if (t.ret == -ENOSPC)
		rc = -ENOSPC;
	if (!rc)
		rc = txn_commit(&t);  /* into the batch's transaction */
	else
		txn_abort(&t);
	if (rc == -ENOSPC)
		return rc;
	if (!rc) {
		op->revision = r.rev;
		op->changes = cs;
	}
	op->reply = outcome(&r, rc, reply);
	return op->reply ? 0 : -ENOMEM;
}

/* Clears what an earlier run filled; -ENOMEM when the op has no memory. */
static int reset_op(struct service_write_op *op)
{
	op->reply = NULL;
	op->changes = NULL;
	op->revision = 0;
	if (op->mem) {
		arena_reset(op->mem);
		return 0;
	}
	op->mem = malloc(sizeof(*op->mem));
	if (!op->mem)
		return -ENOMEM;
	arena_init(op->mem);
	return 0;
}

void service_write_op_free(struct service_write_op *op)
{
	if (op->mem) {
		arena_free(op->mem);
		free(op->mem);
	}
	op->mem = NULL;
	op->reply = NULL;
	op->changes = NULL;
}

static void fail_batch(struct service_write_op *ops, size_t n, int rc)
{
	const char *msg = NULL;
	unsigned code = internal_code(rc, &msg);
	for (size_t i = 0; i < n; i++) {
		struct service_write_op *op = &ops[i];
		/* Out of memory here leaves the reply NULL: the caller
		 * then has nothing to send but knows the batch failed. */
		if (reset_op(op) == 0)
			op->reply = error_reply(op->mem, op->req->request_id,
						code, msg, NULL);
	}
}

int service_write_batch(struct store *st, struct service_write_op *ops,
			size_t n)
{
	struct txn t;
	int rc = 0;
	/* A retried batch (after store_grow) starts from clean replies. */
	for (size_t i = 0; i < n && !rc; i++)
		rc = reset_op(&ops[i]);
	txn_begin(&t, st, NULL, true);
	if (!rc)
		rc = t.ret;
	for (size_t i = 0; !rc && i < n; i++)
		rc = run_op(st, &t, &ops[i]);
	if (rc) {
		t.ret = t.ret ? t.ret : rc;
		txn_abort(&t);
	} else {
		/* Durable once the writer's next commit or sync returned: the
		 * writer answers no op before (writer.c). */
		rc = txn_commit_deferred(&t);
	}
	if (rc == -EIO && store_disk_low(st))
		rc = TXN_DISK_FULL;
	if (rc)
		fail_batch(ops, n, rc);
	return rc;
}
