/*
 * The typed API (client_api.h): each operation fills a request (the frame
 * and its message, on the caller's stack) once, then goes out through the
 * synchronous client or the live connection; the reply frame becomes a
 * typed answer in one place (answer_fill), the edit conflict included.
 */
#include "client_api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#include "frame_body.h"

/* A request being built: the frame, the storage of its message, and the
 * kind of reply it expects. Everything is encoded before it goes out of
 * scope (client_request() and live_create() copy). */
struct api_req {
	Clubcrm__Frame f;
	Clubcrm__Frame__BodyCase expect;
	uint8_t key[CLIENT_IDEMPOTENCY_KEY_LEN];
	union {
		Clubcrm__CreateTask create;
		Clubcrm__GetTask get_task;
		Clubcrm__CopyTask copy;
		Clubcrm__CloseTask close;
		Clubcrm__CancelTask cancel;
		Clubcrm__TakeTask take;
		Clubcrm__ReleaseTask release;
		Clubcrm__TagTask tag;
		Clubcrm__UntagTask untag;
		Clubcrm__GetCustomer get_customer;
		Clubcrm__UpsertCustomer upsert_customer;
		Clubcrm__GetCatalog get_catalog;
		Clubcrm__UpsertTaskType upsert_type;
		Clubcrm__UpsertResult upsert_result;
		Clubcrm__UpsertTag upsert_tag;
		Clubcrm__UpsertTeam upsert_team;
		Clubcrm__UpsertOperator upsert_operator;
		Clubcrm__UpdateSettings update_settings;
		Clubcrm__ExportAgenda export_agenda;
		Clubcrm__RotateFeed rotate_feed;
	} m;  /* also sized for the messages req_wrap() builds */
};

/* Puts `msg` in the frame's body `body` (the oneof member of that number). */
static void req_set(struct api_req *r, Clubcrm__Frame__BodyCase body,
		    const void *msg, Clubcrm__Frame__BodyCase expect)
{
	clubcrm__frame__init(&r->f);
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field(&clubcrm__frame__descriptor,
							(unsigned)body);
	*(const void **)((char *)&r->f + fd->offset) = msg;
	r->f.body_case = body;
	r->expect = expect;
}

/*
 * A request whose message carries only the entity `e` in its field 1
 * (UpsertResult's result, UpsertTag's tag, ...): the message, described by
 * `d`, is built in r->m.
 */
static void req_wrap(struct api_req *r, Clubcrm__Frame__BodyCase body,
		     const ProtobufCMessageDescriptor *d, const void *e,
		     Clubcrm__Frame__BodyCase expect)
{
	protobuf_c_message_init(d, &r->m);
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field(d, 1);
	*(const void **)((char *)&r->m + fd->offset) = e;
	req_set(r, body, &r->m, expect);
}

/* ------------------------------------------------------------ answers */

static void answer_fill(struct clubcrm_answer *ans, unsigned status,
			const char *message, const Clubcrm__Frame *f,
			Clubcrm__Frame__BodyCase expect)
{
	memset(ans, 0, sizeof(*ans));
	ans->status = status;
	snprintf(ans->message, sizeof(ans->message), "%s",
		 message ? message : "");
	if (status != STATUS_OK) {
		if (status == STATUS_FAILED_PRECONDITION && f &&
		    f->body_case == BODY(ERROR) && f->error->current &&
		    f->error->current->task)
			ans->conflict = f->error->current;
		return;
	}
	if (!f || f->body_case != expect) {
		ans->status = STATUS_INTERNAL;
		snprintf(ans->message, sizeof(ans->message),
			 "unexpected reply (body %d) from the server",
			 f ? (int)f->body_case : 0);
		return;
	}
	switch (expect) {
	case BODY(TASK_REPLY):
		ans->task = f->task_reply;
		break;
	case BODY(TASK_PAGE):
		ans->task_page = f->task_page;
		break;
	case BODY(CUSTOMER_PAGE):
		ans->customer_page = f->customer_page;
		break;
	case BODY(CUSTOMER_REPLY):
		ans->customer = f->customer_reply;
		break;
	case BODY(CATALOG):
		ans->catalog = f->catalog;
		break;
	case BODY(REASSIGN_REPLY):
		ans->reassign = f->reassign_reply;
		break;
	case BODY(REPORT):
		ans->report = f->report;
		break;
	case BODY(AGENDA_EXPORT):
		ans->agenda_export = f->agenda_export;
		break;
	case BODY(FEED_REPLY):
		ans->feed = f->feed_reply;
		break;
	case BODY(IMPORT_REPLY):
		ans->import = f->import_reply;
		break;
	default:
		break;
	}
}

void clubcrm_answer_free(struct clubcrm_answer *ans)
{
	if (ans->held_)
		clubcrm__frame__free_unpacked(ans->held_, NULL);
	memset(ans, 0, sizeof(*ans));
}

static unsigned api_sync(struct client_sync *s, struct api_req *r,
			 struct clubcrm_answer *ans)
{
	struct client_status st;
	Clubcrm__Frame *f = NULL;
	unsigned code = client_sync_call(s, &r->f, &f, &st);
	answer_fill(ans, code, st.message, f, r->expect);
	ans->held_ = f;
	return ans->status;
}

struct api_ticket {
	clubcrm_answer_cb cb;
	void *arg;
	Clubcrm__Frame__BodyCase expect;
};

static void on_async_reply(struct client *c, struct client_reply *r,
			   void *arg)
{
	(void)c;
	struct api_ticket *t = arg;
	struct clubcrm_answer ans;
	answer_fill(&ans, r->status, r->message, r->frame, t->expect);
	t->cb(&ans, t->arg);
	free(t);
}

static unsigned api_async(struct live *l, struct api_req *r,
			  clubcrm_answer_cb cb, void *arg)
{
	struct api_ticket *t = malloc(sizeof(*t));
	if (!t)
		return STATUS_INTERNAL;
	*t = (struct api_ticket){cb, arg, r->expect};
	/* A create (a task, a customer added) goes to live_create()
	 * there: keyed and repeated. */
	unsigned code = live_request(l, &r->f, on_async_reply, t);
	if (code != STATUS_OK)
		free(t);
	return code;
}

/* Each operation once: `build` fills the request `r` from the parameters;
 * the synchronous and the asynchronous function share it. */
#define API_SYNC(name, build, ...)                                          \
	unsigned clubcrm_##name(struct client_sync *s, __VA_ARGS__,         \
				struct clubcrm_answer *ans)                 \
	{                                                                   \
		struct api_req r;                                           \
		build;                                                      \
		return api_sync(s, &r, ans);                                \
	}
#define API_ASYNC(name, build, ...)                                         \
	unsigned clubcrm_##name##_async(struct live *l, __VA_ARGS__,        \
					clubcrm_answer_cb cb, void *arg)    \
	{                                                                   \
		struct api_req r;                                           \
		build;                                                      \
		return api_async(l, &r, cb, arg);                           \
	}
#define API_BOTH(name, build, ...)                                          \
	API_SYNC(name, build, __VA_ARGS__)                                  \
	API_ASYNC(name, build, __VA_ARGS__)

/* ------------------------------------------------------------ builders */

static void b_get_task(struct api_req *r, uint64_t id, bool history)
{
	clubcrm__get_task__init(&r->m.get_task);
	r->m.get_task.has_id = true;
	r->m.get_task.id = id;
	r->m.get_task.has_with_history = r->m.get_task.with_history = history;
	req_set(r, BODY(GET_TASK), &r->m.get_task, BODY(TASK_REPLY));
}

/* A create carries a key, so that a repeat never makes a second task: the
 * caller's, or one drawn here (without one when no randomness is to be
 * had, as the server allows). */
static void b_create(struct api_req *r, const Clubcrm__CreateTask *c)
{
	r->m.create = *c;
	if ((!c->has_idempotency_key || c->idempotency_key.len == 0) &&
	    client_idempotency_key(r->key) == STATUS_OK) {
		r->m.create.has_idempotency_key = true;
		r->m.create.idempotency_key =
			(ProtobufCBinaryData){sizeof(r->key), r->key};
	}
	req_set(r, BODY(CREATE_TASK), &r->m.create, BODY(TASK_REPLY));
}

static void b_copy(struct api_req *r, uint64_t id,
		   const Clubcrm__CreateTask *overrides)
{
	clubcrm__copy_task__init(&r->m.copy);
	r->m.copy.has_id = true;
	r->m.copy.id = id;
	r->m.copy.overrides = (Clubcrm__CreateTask *)overrides;
	req_set(r, BODY(COPY_TASK), &r->m.copy, BODY(TASK_REPLY));
}

static void b_close(struct api_req *r, uint64_t id, uint64_t result_id,
		    const char *note)
{
	clubcrm__close_task__init(&r->m.close);
	r->m.close.has_id = true;
	r->m.close.id = id;
	r->m.close.has_result_id = result_id != 0;
	r->m.close.result_id = result_id;
	r->m.close.note = (char *)note;
	req_set(r, BODY(CLOSE_TASK), &r->m.close, BODY(TASK_REPLY));
}

static void b_cancel(struct api_req *r, uint64_t id, uint64_t result_id,
		     const char *note)
{
	clubcrm__cancel_task__init(&r->m.cancel);
	r->m.cancel.has_id = true;
	r->m.cancel.id = id;
	r->m.cancel.has_result_id = result_id != 0;
	r->m.cancel.result_id = result_id;
	r->m.cancel.note = (char *)note;
	req_set(r, BODY(CANCEL_TASK), &r->m.cancel, BODY(TASK_REPLY));
}

static void b_take(struct api_req *r, uint64_t id)
{
	clubcrm__take_task__init(&r->m.take);
	r->m.take.has_id = true;
	r->m.take.id = id;
	req_set(r, BODY(TAKE_TASK), &r->m.take, BODY(TASK_REPLY));
}

static void b_release(struct api_req *r, uint64_t id)
{
	clubcrm__release_task__init(&r->m.release);
	r->m.release.has_id = true;
	r->m.release.id = id;
	req_set(r, BODY(RELEASE_TASK), &r->m.release, BODY(TASK_REPLY));
}

static void b_tag(struct api_req *r, uint64_t id, uint64_t tag_id, bool on)
{
	if (on) {
		clubcrm__tag_task__init(&r->m.tag);
		r->m.tag.has_id = r->m.tag.has_tag_id = true;
		r->m.tag.id = id;
		r->m.tag.tag_id = tag_id;
		req_set(r, BODY(TAG_TASK), &r->m.tag, BODY(TASK_REPLY));
		return;
	}
	clubcrm__untag_task__init(&r->m.untag);
	r->m.untag.has_id = r->m.untag.has_tag_id = true;
	r->m.untag.id = id;
	r->m.untag.tag_id = tag_id;
	req_set(r, BODY(UNTAG_TASK), &r->m.untag, BODY(TASK_REPLY));
}

/* An add (no id) carries a key as a create does: the caller's, or one
 * drawn here (none when no randomness is to be had, as the server
 * allows). The server ignores a key on an edit: none is sent. */
static void b_upsert_customer(struct api_req *r, const Clubcrm__Customer *c,
			      const uint8_t *key, size_t key_len)
{
	Clubcrm__UpsertCustomer *u = &r->m.upsert_customer;
	clubcrm__upsert_customer__init(u);
	u->customer = (Clubcrm__Customer *)c;
	if (c && !c->id) {
		if (key && key_len) {
			u->has_idempotency_key = true;
			u->idempotency_key =
				(ProtobufCBinaryData){key_len, (uint8_t *)key};
		} else if (client_idempotency_key(r->key) == STATUS_OK) {
			u->has_idempotency_key = true;
			u->idempotency_key =
				(ProtobufCBinaryData){sizeof(r->key), r->key};
		}
	}
	req_set(r, BODY(UPSERT_CUSTOMER), u, BODY(CUSTOMER_REPLY));
}

/* ------------------------------------------------------------ operations */

API_BOTH(task_get, b_get_task(&r, id, with_history), uint64_t id,
	 bool with_history)
API_BOTH(task_create, b_create(&r, c),
	 const Clubcrm__CreateTask *c)
API_BOTH(task_edit, req_set(&r, BODY(EDIT_TASK), e, BODY(TASK_REPLY)),
	 const Clubcrm__EditTask *e)
API_BOTH(task_copy, b_copy(&r, id, overrides), uint64_t id,
	 const Clubcrm__CreateTask *overrides)
API_BOTH(task_follow, req_set(&r, BODY(FOLLOW_UP), u, BODY(TASK_REPLY)),
	 const Clubcrm__FollowUp *u)
API_SYNC(task_close, b_close(&r, id, result_id, note), uint64_t id,
	 uint64_t result_id, const char *note)
API_BOTH(task_cancel, b_cancel(&r, id, result_id, note), uint64_t id,
	 uint64_t result_id, const char *note)
/* One page of a list, for the desk's past boards (the pager is the
 * synchronous way). */
API_ASYNC(tasks_list, req_set(&r, BODY(LIST_TASKS), q, BODY(TASK_PAGE)),
	  const Clubcrm__ListTasks *q)
API_BOTH(report_get, req_set(&r, BODY(GET_REPORT), q, BODY(REPORT)),
	 const Clubcrm__GetReport *q)
API_BOTH(task_take, b_take(&r, id), uint64_t id)
API_BOTH(task_release, b_release(&r, id), uint64_t id)
API_BOTH(task_tag, b_tag(&r, id, tag_id, on), uint64_t id, uint64_t tag_id,
	 bool on)
API_BOTH(tasks_reassign,
	 req_set(&r, BODY(REASSIGN_TASKS), re, BODY(REASSIGN_REPLY)),
	 const Clubcrm__ReassignTasks *re)
API_BOTH(customer_upsert, b_upsert_customer(&r, c, key, key_len),
	 const Clubcrm__Customer *c, const uint8_t *key, size_t key_len)
API_BOTH(customers_import,
	 req_set(&r, BODY(IMPORT_CUSTOMERS), im, BODY(IMPORT_REPLY)),
	 const Clubcrm__ImportCustomers *im)

unsigned clubcrm_customer_get(struct client_sync *s, uint64_t id,
			      struct clubcrm_answer *ans)
{
	struct api_req r;
	clubcrm__get_customer__init(&r.m.get_customer);
	r.m.get_customer.has_id = true;
	r.m.get_customer.id = id;
	req_set(&r, BODY(GET_CUSTOMER), &r.m.get_customer, BODY(CUSTOMER_REPLY));
	return api_sync(s, &r, ans);
}

unsigned clubcrm_agenda_export(struct client_sync *s, uint64_t operator_id,
			       int64_t from, int64_t to,
			       struct clubcrm_answer *ans)
{
	struct api_req r;
	Clubcrm__ExportAgenda *e = &r.m.export_agenda;
	clubcrm__export_agenda__init(e);
	e->has_operator_id = operator_id != 0;
	e->operator_id = operator_id;
	e->has_from = from != 0;
	e->from = from;
	e->has_to = to != 0;
	e->to = to;
	req_set(&r, BODY(EXPORT_AGENDA), e, BODY(AGENDA_EXPORT));
	return api_sync(s, &r, ans);
}

static void feed_req(struct api_req *r, uint64_t operator_id)
{
	clubcrm__rotate_feed__init(&r->m.rotate_feed);
	r->m.rotate_feed.has_operator_id = operator_id != 0;
	r->m.rotate_feed.operator_id = operator_id;
	req_set(r, BODY(ROTATE_FEED), &r->m.rotate_feed, BODY(FEED_REPLY));
}

unsigned clubcrm_feed_rotate(struct client_sync *s, uint64_t operator_id,
			     struct clubcrm_answer *ans)
{
	struct api_req r;
	feed_req(&r, operator_id);
	return api_sync(s, &r, ans);
}

unsigned clubcrm_feed_rotate_async(struct live *l, uint64_t operator_id,
				   clubcrm_answer_cb cb, void *arg)
{
	struct api_req r;
	feed_req(&r, operator_id);
	return api_async(l, &r, cb, arg);
}

unsigned clubcrm_catalog_get(struct client_sync *s, bool include_inactive,
			     struct clubcrm_answer *ans)
{
	struct api_req r;
	clubcrm__get_catalog__init(&r.m.get_catalog);
	/* As before: the field is sent only when asked for. */
	r.m.get_catalog.has_include_inactive = include_inactive;
	r.m.get_catalog.include_inactive = include_inactive;
	req_set(&r, BODY(GET_CATALOG), &r.m.get_catalog, BODY(CATALOG));
	return api_sync(s, &r, ans);
}

unsigned clubcrm_task_type_upsert(struct client_sync *s,
				  const Clubcrm__TaskType *t,
				  bool replace_follow_ons,
				  struct clubcrm_answer *ans)
{
	struct api_req r;
	clubcrm__upsert_task_type__init(&r.m.upsert_type);
	r.m.upsert_type.task_type = (Clubcrm__TaskType *)t;
	r.m.upsert_type.has_replace_follow_ons = replace_follow_ons;
	r.m.upsert_type.replace_follow_ons = replace_follow_ons;
	req_set(&r, BODY(UPSERT_TASK_TYPE), &r.m.upsert_type, BODY(CATALOG));
	return api_sync(s, &r, ans);
}

API_SYNC(result_upsert,
	 req_wrap(&r, BODY(UPSERT_RESULT),
		  &clubcrm__upsert_result__descriptor, e,
		  BODY(CATALOG)),
	 const Clubcrm__Result *e)

API_SYNC(tag_upsert,
	 req_wrap(&r, BODY(UPSERT_TAG),
		  &clubcrm__upsert_tag__descriptor, e,
		  BODY(CATALOG)),
	 const Clubcrm__Tag *e)

API_SYNC(team_upsert,
	 req_wrap(&r, BODY(UPSERT_TEAM),
		  &clubcrm__upsert_team__descriptor, e,
		  BODY(CATALOG)),
	 const Clubcrm__Team *e)

unsigned clubcrm_operator_upsert(struct client_sync *s,
				 const Clubcrm__Operator *o,
				 const char *password, bool replace_teams,
				 struct clubcrm_answer *ans)
{
	struct api_req r;
	clubcrm__upsert_operator__init(&r.m.upsert_operator);
	r.m.upsert_operator.operator_ = (Clubcrm__Operator *)o;
	r.m.upsert_operator.password = (char *)password;
	r.m.upsert_operator.has_replace_teams = replace_teams;
	r.m.upsert_operator.replace_teams = replace_teams;
	req_set(&r, BODY(UPSERT_OPERATOR), &r.m.upsert_operator, BODY(CATALOG));
	return api_sync(s, &r, ans);
}

API_SYNC(settings_update,
	 req_wrap(&r, BODY(UPDATE_SETTINGS),
		  &clubcrm__update_settings__descriptor, e,
		  BODY(CATALOG)),
	 const Clubcrm__Settings *e)

/* ------------------------------------------------------------ pagers */

void clubcrm_tasks_pager(struct clubcrm_pager *p, struct client_sync *s,
			 const Clubcrm__ListTasks *q)
{
	memset(p, 0, sizeof(*p));
	p->s = s;
	p->tasks = *q;
}

void clubcrm_customers_pager(struct clubcrm_pager *p, struct client_sync *s,
			     const Clubcrm__ListCustomers *q)
{
	memset(p, 0, sizeof(*p));
	p->s = s;
	p->customers = true;
	p->list_customers = *q;
}

/* Keeps the next page's token (the reply's is freed with its answer). */
static unsigned keep_token(struct clubcrm_pager *p, bool has,
			   ProtobufCBinaryData t, struct clubcrm_answer *ans)
{
	free(p->token);
	p->token = NULL;
	p->token_len = 0;
	if (!has || t.len == 0) {
		p->done = true;
		return STATUS_OK;
	}
	p->token = malloc(t.len);
	if (!p->token) {
		clubcrm_answer_free(ans);
		ans->status = STATUS_INTERNAL;
		snprintf(ans->message, sizeof(ans->message), "out of memory");
		return STATUS_INTERNAL;
	}
	memcpy(p->token, t.data, t.len);
	p->token_len = t.len;
	return STATUS_OK;
}

unsigned clubcrm_pager_next(struct clubcrm_pager *p,
			    struct clubcrm_answer *ans)
{
	if (p->done) {
		memset(ans, 0, sizeof(*ans));
		ans->status = STATUS_FAILED_PRECONDITION;
		snprintf(ans->message, sizeof(ans->message),
			 "the last page came already");
		return ans->status;
	}
	ProtobufCBinaryData token = {p->token_len, p->token};
	struct api_req r;
	if (p->customers) {
		p->list_customers.has_page_token = token.len > 0;
		p->list_customers.page_token = token;
		req_set(&r, BODY(LIST_CUSTOMERS), &p->list_customers,
			BODY(CUSTOMER_PAGE));
	} else {
		p->tasks.has_page_token = token.len > 0;
		p->tasks.page_token = token;
		req_set(&r, BODY(LIST_TASKS), &p->tasks, BODY(TASK_PAGE));
	}
	unsigned code = api_sync(p->s, &r, ans);
	if (code != STATUS_OK)
		return code;
	p->pages++;
	if (p->customers)
		return keep_token(p, ans->customer_page->has_next_page_token,
				  ans->customer_page->next_page_token, ans);
	return keep_token(p, ans->task_page->has_next_page_token,
			  ans->task_page->next_page_token, ans);
}

void clubcrm_pager_free(struct clubcrm_pager *p)
{
	free(p->token);
	p->token = NULL;
	p->token_len = 0;
}
