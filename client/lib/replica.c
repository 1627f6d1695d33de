#include "replica.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* An owned copy of a message (the frame it came in is freed after use). */
static void *copy_msg(const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *tmp = malloc(len ? len : 1);
	if (!tmp)
		return NULL;
	protobuf_c_message_pack(m, tmp);
	void *copy = protobuf_c_message_unpack(m->descriptor, NULL, len, tmp);
	free(tmp);
	return copy;
}

static void free_msg(void *m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

static size_t slot_of(uint64_t id, size_t cap)
{
	id ^= id >> 33;
	id *= UINT64_C(0xff51afd7ed558ccd);
	id ^= id >> 33;
	return (size_t)id & (cap - 1);
}

static struct replica_entry *find(const struct replica *r, uint64_t id)
{
	if (!r->cap)
		return NULL;
	for (size_t i = slot_of(id, r->cap);; i = (i + 1) & (r->cap - 1)) {
		struct replica_entry *e = &r->slots[i];
		if (!e->row)
			return NULL;
		if (e->id == id)
			return e;
	}
}

static int grow(struct replica *r)
{
	if ((r->count + 1) * 4 <= r->cap * 3)
		return 0;
	size_t cap = r->cap ? r->cap * 2 : 64;
	struct replica_entry *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < r->cap; i++) {
		struct replica_entry *e = &r->slots[i];
		if (!e->row)
			continue;
		size_t j = slot_of(e->id, cap);
		while (slots[j].row)
			j = (j + 1) & (cap - 1);
		slots[j] = *e;
	}
	free(r->slots);
	r->slots = slots;
	r->cap = cap;
	return 0;
}

/* Removes an entry, shifting the probe chain back over the hole. */
static void erase(struct replica *r, struct replica_entry *e)
{
	size_t i = (size_t)(e - r->slots);
	free_msg(e->row);
	r->slots[i].row = NULL;
	r->count--;
	for (size_t j = (i + 1) & (r->cap - 1); r->slots[j].row;
	     j = (j + 1) & (r->cap - 1)) {
		size_t home = slot_of(r->slots[j].id, r->cap);
		/* Move back when the hole lies between home and j (cyclic). */
		bool between = i <= j ? (home <= i || home > j)
				      : (home <= i && home > j);
		if (between) {
			r->slots[i] = r->slots[j];
			r->slots[j].row = NULL;
			i = j;
		}
	}
}

void replica_init(struct replica *r, uint32_t sub_id,
		  const struct replica_callbacks *cbs, void *ud)
{
	memset(r, 0, sizeof(*r));
	r->sub_id = sub_id;
	if (cbs)
		r->cbs = *cbs;
	r->ud = ud;
}

#define FREE_LIST(arr, n)                          \
	do {                                       \
		for (size_t i_ = 0; i_ < (n); i_++) \
			free_msg((arr)[i_]);       \
		free(arr);                         \
		(arr) = NULL;                      \
		(n) = 0;                           \
	} while (0)

void replica_free(struct replica *r)
{
	for (size_t i = 0; i < r->cap; i++)
		free_msg(r->slots[i].row);
	free(r->slots);
	struct replica_catalog *c = &r->cat;
	FREE_LIST(c->task_types, c->n_task_types);
	FREE_LIST(c->results, c->n_results);
	FREE_LIST(c->tags, c->n_tags);
	FREE_LIST(c->operators, c->n_operators);
	FREE_LIST(c->teams, c->n_teams);
	FREE_LIST(c->customers, c->n_customers);
	free_msg(c->settings);
	memset(r, 0, sizeof(*r));
}

void replica_begin(struct replica *r, bool resumed, uint64_t revision)
{
	if (resumed) {
		/* The replay is still to come: the revision stays (see
		 * replica.h) until it has been applied. */
		r->in_snapshot = false;
		r->resume_target = revision > r->revision ? revision : 0;
		return;
	}
	r->resume_target = 0;
	r->in_snapshot = true;
	r->gen++;
}

void replica_resume_done(struct replica *r)
{
	if (r->resume_target > r->revision)
		r->revision = r->resume_target;
	r->resume_target = 0;
}

static uint64_t mod_rev(const Clubcrm__TaskRow *row)
{
	return row->task ? row->task->mod_rev : 0;
}

/* Inserts or replaces a row (copying it) unless what is held is newer. */
static int upsert(struct replica *r, const Clubcrm__TaskRow *in)
{
	if (!in->task || !in->task->id)
		return -EINVAL;
	struct replica_entry *e = find(r, in->task->id);
	if (e) {
		e->gen = r->gen;
		if (mod_rev(in) < mod_rev(e->row))
			return 0;
	}
	Clubcrm__TaskRow *copy = copy_msg(&in->base);
	if (!copy)
		return -ENOMEM;
	if (e) {
		free_msg(e->row);
		e->row = copy;
		if (r->cbs.on_row)
			r->cbs.on_row(r, REPLICA_CHANGED, copy, r->ud);
		return 0;
	}
	if (grow(r)) {
		free_msg(copy);
		return -ENOMEM;
	}
	size_t i = slot_of(copy->task->id, r->cap);
	while (r->slots[i].row)
		i = (i + 1) & (r->cap - 1);
	r->slots[i] = (struct replica_entry){
		.row = copy, .id = copy->task->id, .gen = r->gen};
	r->count++;
	if (r->cbs.on_row)
		r->cbs.on_row(r, REPLICA_ADDED, copy, r->ud);
	return 0;
}

static void remove_id(struct replica *r, uint64_t id)
{
	struct replica_entry *e = find(r, id);
	if (!e)
		return;
	if (r->cbs.on_row)
		r->cbs.on_row(r, REPLICA_REMOVED, e->row, r->ud);
	erase(r, e);
}

/* Upserts catalogue entries by id into an owned list. */
static int merge_list(void ***list, size_t *n, void *const *in, size_t n_in,
		      size_t id_offset)
{
	for (size_t i = 0; i < n_in; i++) {
		uint64_t id = *(const uint64_t *)((const char *)in[i] + id_offset);
		void *copy = copy_msg(in[i]);
		if (!copy)
			return -ENOMEM;
		size_t j = 0;
		while (j < *n &&
		       *(const uint64_t *)((const char *)(*list)[j] + id_offset) != id)
			j++;
		if (j < *n) {
			free_msg((*list)[j]);
			(*list)[j] = copy;
			continue;
		}
		void **grown = realloc(*list, (*n + 1) * sizeof(**list));
		if (!grown) {
			free_msg(copy);
			return -ENOMEM;
		}
		*list = grown;
		(*list)[(*n)++] = copy;
	}
	return 0;
}

#define MERGE(field, n_field, src, type)                                     \
	merge_list((void ***)&r->cat.field, &r->cat.n_field,                  \
		   (void *const *)(src)->field, (src)->n_field,               \
		   offsetof(type, id))

static int merge_catalog(struct replica *r, const Clubcrm__Catalog *c,
			 Clubcrm__Customer *const *customers, size_t n_customers)
{
	int rc = 0;
	if (c) {
		rc = MERGE(task_types, n_task_types, c, Clubcrm__TaskType);
		if (!rc)
			rc = MERGE(results, n_results, c, Clubcrm__Result);
		if (!rc)
			rc = MERGE(tags, n_tags, c, Clubcrm__Tag);
		if (!rc)
			rc = MERGE(operators, n_operators, c, Clubcrm__Operator);
		if (!rc)
			rc = MERGE(teams, n_teams, c, Clubcrm__Team);
		if (!rc && c->settings) {
			Clubcrm__Settings *s = copy_msg(&c->settings->base);
			if (!s)
				return -ENOMEM;
			free_msg(r->cat.settings);
			r->cat.settings = s;
		}
	}
	if (!rc && n_customers)
		rc = merge_list((void ***)&r->cat.customers, &r->cat.n_customers,
				(void *const *)customers, n_customers,
				offsetof(Clubcrm__Customer, id));
	if (!rc && r->cbs.on_catalog && (c || n_customers))
		r->cbs.on_catalog(r, r->ud);
	return rc;
}

int replica_apply_chunk(struct replica *r, const Clubcrm__SnapshotChunk *c)
{
	if (!r->in_snapshot)
		replica_begin(r, false, 0);  /* a snapshot the client did not expect */
	for (size_t i = 0; i < c->n_rows; i++) {
		int rc = upsert(r, c->rows[i]);
		if (rc)
			return rc;
	}
	if (c->catalog || c->n_customers)
		return merge_catalog(r, c->catalog, c->customers, c->n_customers);
	return 0;
}

int replica_apply_done(struct replica *r, const Clubcrm__SnapshotDone *d)
{
	/* Rows the new snapshot did not bring are gone. */
	for (size_t i = 0; i < r->cap;) {
		struct replica_entry *e = &r->slots[i];
		if (e->row && e->gen != r->gen) {
			if (r->cbs.on_row)
				r->cbs.on_row(r, REPLICA_REMOVED, e->row, r->ud);
			erase(r, e);
			continue;  /* the shift may have moved another entry here */
		}
		i++;
	}
	r->in_snapshot = false;
	r->synced = true;
	r->revision = d->revision;
	if (r->cbs.on_synced)
		r->cbs.on_synced(r, r->ud);
	return 0;
}

int replica_apply_delta(struct replica *r, const Clubcrm__Delta *d)
{
	for (size_t i = 0; i < d->n_upserts; i++) {
		int rc = upsert(r, d->upserts[i]);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < d->n_removed_ids; i++)
		remove_id(r, d->removed_ids[i]);
	if (d->catalog || d->n_customers) {
		int rc = merge_catalog(r, d->catalog, d->customers,
				       d->n_customers);
		if (rc)
			return rc;
	}
	if (r->resume_target && d->revision > r->resume_target)
		r->resume_target = 0;  /* live: the replay is behind us */
	if (!r->resume_target && d->revision > r->revision)
		r->revision = d->revision;
	r->synced = true;
	if (r->cbs.on_synced)
		r->cbs.on_synced(r, r->ud);
	return 0;
}

const Clubcrm__TaskRow *replica_get(const struct replica *r, uint64_t id)
{
	const struct replica_entry *e = find(r, id);
	return e ? e->row : NULL;
}

size_t replica_count(const struct replica *r)
{
	return r->count;
}

uint64_t replica_revision(const struct replica *r)
{
	return r->revision;
}

static int by_planned(const void *a, const void *b)
{
	const Clubcrm__Task *x = (*(const Clubcrm__TaskRow *const *)a)->task;
	const Clubcrm__Task *y = (*(const Clubcrm__TaskRow *const *)b)->task;
	if (x->planned_at != y->planned_at)
		return x->planned_at < y->planned_at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int by_created_desc(const void *a, const void *b)
{
	const Clubcrm__Task *x = (*(const Clubcrm__TaskRow *const *)a)->task;
	const Clubcrm__Task *y = (*(const Clubcrm__TaskRow *const *)b)->task;
	if (x->created_at != y->created_at)
		return x->created_at > y->created_at ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

const Clubcrm__TaskRow **replica_sorted(const struct replica *r,
					enum replica_order order)
{
	if (!r->count)
		return NULL;
	const Clubcrm__TaskRow **rows = malloc(r->count * sizeof(*rows));
	if (!rows)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->cap; i++)
		if (r->slots[i].row)
			rows[n++] = r->slots[i].row;
	qsort(rows, n, sizeof(*rows),
	      order == REPLICA_BY_PLANNED ? by_planned : by_created_desc);
	return rows;
}
