#include "ittools.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "client_api.h"
#include "status.h"

void it_frame(Clubcrm__Frame *f, Clubcrm__Frame__BodyCase body, void *msg)
{
	clubcrm__frame__init(f);
	f->body_case = body;
	/* Every body member of the oneof shares one pointer slot. */
	f->hello = msg;
}

enum cat_list { CAT_TYPES, CAT_OPERATORS, CAT_TAGS };

/* The id of the catalogue's entry of `which` named `name`, or 0. */
static uint64_t catalog_find(struct client_sync *s, enum cat_list which,
			     const char *name)
{
	struct clubcrm_answer a;
	uint64_t id = 0;
	if (clubcrm_catalog_get(s, false, &a) != STATUS_OK) {
		clubcrm_answer_free(&a);
		return 0;
	}
	const Clubcrm__Catalog *c = a.catalog;
	if (which == CAT_TYPES)
		for (size_t i = 0; i < c->n_task_types; i++)
			if (strcmp(c->task_types[i]->name, name) == 0)
				id = c->task_types[i]->id;
	if (which == CAT_OPERATORS)
		for (size_t i = 0; i < c->n_operators; i++)
			if (strcmp(c->operators[i]->login, name) == 0)
				id = c->operators[i]->id;
	if (which == CAT_TAGS)
		for (size_t i = 0; i < c->n_tags; i++)
			if (strcmp(c->tags[i]->name, name) == 0)
				id = c->tags[i]->id;
	clubcrm_answer_free(&a);
	return id;
}

uint64_t it_type_id(struct client_sync *s, const char *name)
{
	return catalog_find(s, CAT_TYPES, name);
}

uint64_t it_operator_id(struct client_sync *s, const char *login)
{
	return catalog_find(s, CAT_OPERATORS, login);
}

uint64_t it_tag_id(struct client_sync *s, const char *name)
{
	return catalog_find(s, CAT_TAGS, name);
}

uint64_t it_customer_id(struct client_sync *s, const char *name_part)
{
	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	lc.search = (char *)name_part;
	struct clubcrm_pager p;
	struct clubcrm_answer ans;
	clubcrm_customers_pager(&p, s, &lc);
	uint64_t id = 0;
	if (clubcrm_pager_next(&p, &ans) == STATUS_OK &&
	    ans.customer_page->n_customers == 1)
		id = ans.customer_page->customers[0]->id;
	clubcrm_answer_free(&ans);
	clubcrm_pager_free(&p);
	return id;
}

unsigned it_create(struct client_sync *s, const struct it_new_task *t,
		   Clubcrm__Frame **reply, struct client_status *st)
{
	Clubcrm__CreateTask ct = CLUBCRM__CREATE_TASK__INIT;
	ct.has_kind = true;
	ct.kind = t->kind ? t->kind : CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	ct.description = (char *)t->desc;
	ct.has_type_id = t->type_id != 0;
	ct.type_id = t->type_id;
	ct.has_customer_id = t->customer_id != 0;
	ct.customer_id = t->customer_id;
	ct.has_operator_id = t->operator_id != 0;
	ct.operator_id = t->operator_id;
	ct.has_planned_at = t->planned_at != 0;
	ct.planned_at = t->planned_at;
	uint64_t tag = t->tag_id;
	ct.n_tag_ids = tag ? 1 : 0;
	ct.tag_ids = &tag;
	if (t->key) {
		ct.has_idempotency_key = true;
		ct.idempotency_key.data = (uint8_t *)t->key;
		ct.idempotency_key.len = t->key_len;
	}
	Clubcrm__Frame req;
	it_frame(&req, CLUBCRM__FRAME__BODY_CREATE_TASK, &ct);
	return client_sync_call(s, &req, reply, st);
}

unsigned it_create_id(struct client_sync *s, const struct it_new_task *t,
		      uint64_t *id, struct client_status *st)
{
	Clubcrm__Frame *reply = NULL;
	unsigned code = it_create(s, t, &reply, st);
	*id = 0;
	if (code == STATUS_OK && reply->body_case ==
	    CLUBCRM__FRAME__BODY_TASK_REPLY && reply->task_reply->row &&
	    reply->task_reply->row->task)
		*id = reply->task_reply->row->task->id;
	if (reply)
		clubcrm__frame__free_unpacked(reply, NULL);
	return code;
}

unsigned it_get(struct client_sync *s, uint64_t id, Clubcrm__Frame **reply,
		struct client_status *st)
{
	Clubcrm__GetTask get = CLUBCRM__GET_TASK__INIT;
	get.has_id = true;
	get.id = id;
	Clubcrm__Frame req;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_TASK, &get);
	return client_sync_call(s, &req, reply, st);
}

unsigned it_list_all(struct client_sync *s, Clubcrm__TaskFilter *filter,
		     uint32_t page_size, uint64_t *ids, size_t max, size_t *n,
		     unsigned *pages, uint64_t *revision)
{
	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	lt.filter = filter;
	lt.has_page_size = page_size != 0;
	lt.page_size = page_size;
	struct clubcrm_pager p;
	clubcrm_tasks_pager(&p, s, &lt);
	*n = 0;
	*pages = 0;
	unsigned code = STATUS_OK;
	while (!p.done && *pages < 1000) {
		struct clubcrm_answer ans;
		code = clubcrm_pager_next(&p, &ans);
		if (code != STATUS_OK) {
			clubcrm_answer_free(&ans);
			break;
		}
		const Clubcrm__TaskPage *page = ans.task_page;
		if (revision && *pages == 0)
			*revision = page->revision;
		(*pages)++;
		for (size_t i = 0; i < page->n_rows; i++) {
			if (*n < max && page->rows[i]->task)
				ids[*n] = page->rows[i]->task->id;
			(*n)++;
		}
		clubcrm_answer_free(&ans);
	}
	clubcrm_pager_free(&p);
	return code;
}

void it_upsert_operator(struct client_sync *admin, const char *login,
			int active, int role, const char *password)
{
	static struct {
		char login[32];
		uint64_t id;
	} seen[16];
	Clubcrm__Operator op = CLUBCRM__OPERATOR__INIT;
	for (size_t i = 0; i < 16 && !op.id; i++)
		if (strcmp(seen[i].login, login) == 0)
			op.id = seen[i].id;
	for (size_t i = 0; i < 16 && !op.id; i++) {
		if (seen[i].login[0])
			continue;
		snprintf(seen[i].login, sizeof(seen[i].login), "%s", login);
		op.id = seen[i].id = it_operator_id(admin, login);
	}
	assert_true(op.id != 0);
	op.has_id = true;
	op.has_active = active >= 0;
	op.active = active > 0;
	op.has_role = role != 0;
	op.role = (Clubcrm__Role)role;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &op;
	u.password = (char *)password;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_UPSERT_OPERATOR, &u);
	assert_int_equal(client_sync_call(admin, &req, &reply, &st),
			 STATUS_OK);
	clubcrm__frame__free_unpacked(reply, NULL);
}

void it_raw_open(struct rawconn *rc, const char *address, const char *src)
{
	assert_int_equal(raw_connect_from(rc, address, src), 0);
	struct buf out = {0};
	raw_put_preface(&out);
	raw_put_hello(&out, 1);
	assert_int_equal(raw_send(rc, out.data, out.len), 0);
	buf_free(&out);
	Clubcrm__Frame *f = raw_recv(rc, 10000);
	assert_non_null(f);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_WELCOME);
	clubcrm__frame__free_unpacked(f, NULL);
}
