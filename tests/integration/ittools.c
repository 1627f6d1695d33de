#include "ittools.h"

#include <string.h>

#include "status.h"

void it_frame(Clubcrm__Frame *f, Clubcrm__Frame__BodyCase body, void *msg)
{
	clubcrm__frame__init(f);
	f->body_case = body;
	/* Every body member of the oneof shares one pointer slot. */
	f->hello = msg;
}

static Clubcrm__Frame *get_catalog(struct client_sync *s)
{
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	if (client_sync_call(s, &req, &reply, &st) != STATUS_OK) {
		if (reply)
			clubcrm__frame__free_unpacked(reply, NULL);
		return NULL;
	}
	return reply;
}

uint64_t it_type_id(struct client_sync *s, const char *name)
{
	Clubcrm__Frame *f = get_catalog(s);
	uint64_t id = 0;
	for (size_t i = 0; f && i < f->catalog->n_task_types; i++)
		if (strcmp(f->catalog->task_types[i]->name, name) == 0)
			id = f->catalog->task_types[i]->id;
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return id;
}

uint64_t it_operator_id(struct client_sync *s, const char *login)
{
	Clubcrm__Frame *f = get_catalog(s);
	uint64_t id = 0;
	for (size_t i = 0; f && i < f->catalog->n_operators; i++)
		if (strcmp(f->catalog->operators[i]->login, login) == 0)
			id = f->catalog->operators[i]->id;
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return id;
}

uint64_t it_tag_id(struct client_sync *s, const char *name)
{
	Clubcrm__Frame *f = get_catalog(s);
	uint64_t id = 0;
	for (size_t i = 0; f && i < f->catalog->n_tags; i++)
		if (strcmp(f->catalog->tags[i]->name, name) == 0)
			id = f->catalog->tags[i]->id;
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return id;
}

uint64_t it_customer_id(struct client_sync *s, const char *name_part)
{
	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	lc.search = (char *)name_part;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_LIST_CUSTOMERS, &lc);
	uint64_t id = 0;
	if (client_sync_call(s, &req, &reply, &st) == STATUS_OK &&
	    reply->customer_page->n_customers == 1)
		id = reply->customer_page->customers[0]->id;
	if (reply)
		clubcrm__frame__free_unpacked(reply, NULL);
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

/* Copies one page's ids; keeps the next token in `token` (owned copy). */
static void take_page(const Clubcrm__TaskPage *p, uint64_t *ids, size_t max,
		      size_t *n, uint8_t *token, size_t *token_len)
{
	for (size_t i = 0; i < p->n_rows; i++) {
		if (*n < max && p->rows[i]->task)
			ids[*n] = p->rows[i]->task->id;
		(*n)++;
	}
	*token_len = 0;
	if (p->has_next_page_token && p->next_page_token.len <= 1024) {
		memcpy(token, p->next_page_token.data, p->next_page_token.len);
		*token_len = p->next_page_token.len;
	}
}

unsigned it_list_all(struct client_sync *s, Clubcrm__TaskFilter *filter,
		     uint32_t page_size, uint64_t *ids, size_t max, size_t *n,
		     unsigned *pages, uint64_t *revision)
{
	uint8_t token[1024];
	size_t token_len = 0;
	*n = 0;
	*pages = 0;
	do {
		Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
		lt.filter = filter;
		lt.has_page_size = page_size != 0;
		lt.page_size = page_size;
		lt.has_page_token = token_len > 0;
		lt.page_token.data = token;
		lt.page_token.len = token_len;
		Clubcrm__Frame req, *reply = NULL;
		struct client_status st;
		it_frame(&req, CLUBCRM__FRAME__BODY_LIST_TASKS, &lt);
		unsigned code = client_sync_call(s, &req, &reply, &st);
		if (code != STATUS_OK) {
			if (reply)
				clubcrm__frame__free_unpacked(reply, NULL);
			return code;
		}
		if (revision && *pages == 0)
			*revision = reply->task_page->revision;
		(*pages)++;
		take_page(reply->task_page, ids, max, n, token, &token_len);
		clubcrm__frame__free_unpacked(reply, NULL);
	} while (token_len > 0 && *pages < 1000);
	return STATUS_OK;
}
