#include "client_reqtab.h"

#include <errno.h>
#include <stdlib.h>

#define MIN_BUCKETS 16u

/* Ids are sequential: a multiplicative hash spreads neighbours anyway. */
static size_t slot(uint64_t id, size_t n_buckets)
{
	return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & (n_buckets - 1);
}

void client_reqtab_init(struct client_reqtab *t)
{
	t->buckets = NULL;
	t->n_buckets = 0;
	t->count = 0;
}

static int grow(struct client_reqtab *t)
{
	size_t n = t->n_buckets ? t->n_buckets * 2 : MIN_BUCKETS;
	struct client_req **b = calloc(n, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_buckets; i++) {
		struct client_req *r = t->buckets[i];
		while (r) {
			struct client_req *next = r->next;
			size_t s = slot(r->id, n);
			r->next = b[s];
			b[s] = r;
			r = next;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->n_buckets = n;
	return 0;
}

int client_reqtab_add(struct client_reqtab *t, uint64_t id,
		      client_reply_cb cb, void *arg)
{
	/* Load factor at most 1: chains stay short. */
	if (t->count >= t->n_buckets && grow(t) < 0)
		return -ENOMEM;
	struct client_req *r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->id = id;
	r->cb = cb;
	r->arg = arg;
	size_t s = slot(id, t->n_buckets);
	r->next = t->buckets[s];
	t->buckets[s] = r;
	t->count++;
	return 0;
}

struct client_req *client_reqtab_take(struct client_reqtab *t, uint64_t id)
{
	if (t->count == 0)
		return NULL;
	struct client_req **pp = &t->buckets[slot(id, t->n_buckets)];
	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->id != id)
			continue;
		struct client_req *r = *pp;
		*pp = r->next;
		t->count--;
		r->next = NULL;
		return r;
	}
	return NULL;
}

struct client_req *client_reqtab_take_any(struct client_reqtab *t)
{
	for (size_t i = 0; t->count > 0 && i < t->n_buckets; i++) {
		struct client_req *r = t->buckets[i];
		if (!r)
			continue;
		t->buckets[i] = r->next;
		t->count--;
		r->next = NULL;
		return r;
	}
	return NULL;
}

void client_reqtab_free(struct client_reqtab *t)
{
	struct client_req *r;
	while ((r = client_reqtab_take_any(t)))
		free(r);
	free(t->buckets);
	client_reqtab_init(t);
}
