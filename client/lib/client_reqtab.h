/*
 * Requests waiting for their reply, keyed by request id: a hash table with
 * chaining that grows with the number in flight (a benchmark client keeps
 * thousands; a terminal a handful).
 */
#ifndef CLUBCRM_CLIENT_REQTAB_H
#define CLUBCRM_CLIENT_REQTAB_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"

struct client_req {
	uint64_t id;
	client_reply_cb cb;
	void *arg;
	struct client_req *next;
};

struct client_reqtab {
	struct client_req **buckets;
	size_t n_buckets;  /* a power of two, or 0 before the first add */
	size_t count;
};

void client_reqtab_init(struct client_reqtab *t);
/* Adds a request (ids are unique; the caller guarantees it). 0 or -ENOMEM. */
int client_reqtab_add(struct client_reqtab *t, uint64_t id,
		      client_reply_cb cb, void *arg);
/*
 * Removes and returns the request with that id (NULL when there is none);
 * the caller frees it with free().
 */
struct client_req *client_reqtab_take(struct client_reqtab *t, uint64_t id);
/* Removes and returns any request (NULL when empty); free() it. */
struct client_req *client_reqtab_take_any(struct client_reqtab *t);
/* Frees the table; it must be empty (take_any until NULL first). */
void client_reqtab_free(struct client_reqtab *t);

#endif
