/*
 * Request helpers shared by the integration tests, over the synchronous
 * client: look names up, create, get and list tasks. Each returns the
 * status code of the call.
 */
#ifndef CLUBCRM_ITTOOLS_H
#define CLUBCRM_ITTOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "client_sync.h"
#include "rawconn.h"

/* Ids by name from GetCatalog / ListCustomers; 0 when not found. */
uint64_t it_type_id(struct client_sync *s, const char *name);
uint64_t it_operator_id(struct client_sync *s, const char *login);
uint64_t it_tag_id(struct client_sync *s, const char *name);
uint64_t it_customer_id(struct client_sync *s, const char *name_part);

/* A CreateTask with the usual fields; 0 fields are left unset. */
struct it_new_task {
	Clubcrm__TaskKind kind;  /* 0: TASK */
	const char *desc;
	uint64_t type_id, customer_id, operator_id, tag_id;
	int64_t planned_at;
	const uint8_t *key;      /* idempotency key, or NULL */
	size_t key_len;
};

/* CreateTask; on STATUS_OK *reply holds the TaskReply frame. */
unsigned it_create(struct client_sync *s, const struct it_new_task *t,
		   Clubcrm__Frame **reply, struct client_status *st);
/* The same, returning only the new id (0 on refusal) and the code. */
unsigned it_create_id(struct client_sync *s, const struct it_new_task *t,
		      uint64_t *id, struct client_status *st);
/* GetTask; on STATUS_OK *reply holds the TaskReply frame. */
unsigned it_get(struct client_sync *s, uint64_t id, Clubcrm__Frame **reply,
		struct client_status *st);

/*
 * ListTasks with `filter`, following page tokens with pages of page_size.
 * Fills ids[] (up to max, *n counts them, duplicates included) and *pages.
 * *revision gets the first page's revision when not NULL.
 */
unsigned it_list_all(struct client_sync *s, Clubcrm__TaskFilter *filter,
		     uint32_t page_size, uint64_t *ids, size_t max, size_t *n,
		     unsigned *pages, uint64_t *revision);

/* The request frame around a body (request id set by the library). */
void it_frame(Clubcrm__Frame *f, Clubcrm__Frame__BodyCase body, void *msg);

/*
 * UpsertOperator by `admin` on `login`: active (-1: unchanged), role (0:
 * unchanged), password (NULL: unchanged); a failed cmocka assertion
 * unless STATUS_OK. The catalogue lists active operators only, so the ids
 * looked up are kept (for the process) to reach deactivated ones.
 */
void it_upsert_operator(struct client_sync *admin, const char *login,
			int active, int role, const char *password);

/*
 * A raw connection to `address` from `src` (NULL: 127.0.0.1) past
 * preface, Hello and Welcome (cmocka assertions).
 */
void it_raw_open(struct rawconn *rc, const char *address, const char *src);

#endif
