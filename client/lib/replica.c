#include "replica.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "taskrow.h"

/* An owned copy of a catalogue message (the frame it came in is freed after
 * use); rows are blocks of their own (taskrow.h). */
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

static void order_drop(struct replica *r)
{
	r->sorted_order = -1;
	r->n_sorted = 0;
	r->n_added = 0;
}

/* A row entered: the kept order learns it at the next replica_sorted(). */
static void order_added(struct replica *r, const Clubcrm__TaskRow *row)
{
	if (r->sorted_order < 0)
		return;
	if (r->n_added == r->cap_added) {
		size_t cap = r->cap_added ? r->cap_added * 2 : 256;
		const Clubcrm__TaskRow **a =
			realloc(r->added, cap * sizeof(*a));
		if (!a) {
			order_drop(r);
			return;
		}
		r->added = a;
		r->cap_added = cap;
	}
	r->added[r->n_added++] = row;
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
	order_drop(r);
	taskrow_free(e->row);
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
	r->sorted_order = -1;
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
		taskrow_free(r->slots[i].row);
	free(r->slots);
	free(r->sorted);
	free(r->added);
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

/*
 * Inserts or replaces a row, taking `row` (one block, taskrow.h): it is
 * freed when what is held is newer. 0, -EINVAL (no task id: freed) or
 * -ENOMEM (freed).
 */
static int upsert_owned(struct replica *r, Clubcrm__TaskRow *row)
{
	if (!row->task || !row->task->id) {
		taskrow_free(row);
		return -EINVAL;
	}
	struct replica_entry *e = find(r, row->task->id);
	if (e) {
		e->gen = r->gen;
		if (mod_rev(row) < mod_rev(e->row)) {
			taskrow_free(row);
			return 0;
		}
		order_drop(r);
		taskrow_free(e->row);
		e->row = row;
		if (r->cbs.on_row)
			r->cbs.on_row(r, REPLICA_CHANGED, row, r->ud);
		return 0;
	}
	if (grow(r)) {
		taskrow_free(row);
		return -ENOMEM;
	}
	size_t i = slot_of(row->task->id, r->cap);
	while (r->slots[i].row)
		i = (i + 1) & (r->cap - 1);
	r->slots[i] = (struct replica_entry){
		.row = row, .id = row->task->id, .gen = r->gen};
	r->count++;
	order_added(r, row);
	if (r->cbs.on_row)
		r->cbs.on_row(r, REPLICA_ADDED, row, r->ud);
	return 0;
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
	Clubcrm__TaskRow *copy = taskrow_copy(in);
	if (!copy)
		return -ENOMEM;
	return upsert_owned(r, copy);
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

int replica_apply_rows(struct replica *r, Clubcrm__TaskRow **rows, size_t n)
{
	if (!r->in_snapshot)
		replica_begin(r, false, 0);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc) {
			taskrow_free(rows[i]);
			continue;
		}
		rc = upsert_owned(r, rows[i]);
	}
	return rc;
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

static struct replica_item item_of(const Clubcrm__TaskRow *row,
				   enum replica_order order)
{
	const Clubcrm__Task *t = row->task;
	const uint64_t sign = UINT64_C(1) << 63;
	if (order == REPLICA_BY_PLANNED)
		return (struct replica_item){(uint64_t)t->planned_at ^ sign, t->id,
					     row};
	/* Newest first, then the larger id first. */
	return (struct replica_item){~((uint64_t)t->created_at ^ sign), ~t->id,
				     row};
}

static bool item_before(const struct replica_item *a,
			const struct replica_item *b)
{
	return a->k1 != b->k1 ? a->k1 < b->k1 : a->k2 < b->k2;
}

/* Merges sorted a[0..na) and b[0..nb) into out (stable: a first). */
static void merge(const struct replica_item *a, size_t na,
		  const struct replica_item *b, size_t nb,
		  struct replica_item *out)
{
	size_t i = 0, j = 0, k = 0;
	while (i < na && j < nb)
		out[k++] = item_before(&b[j], &a[i]) ? b[j++] : a[i++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
}

/* Sorts v[0..n) (tmp: room for n): bottom-up merge sort, runs of 16 by
 * insertion first. Returns where the sorted items are (v or tmp). */
static struct replica_item *sort_items(struct replica_item *v,
				       struct replica_item *tmp, size_t n)
{
	for (size_t lo = 0; lo < n; lo += 16) {
		size_t hi = lo + 16 < n ? lo + 16 : n;
		for (size_t i = lo + 1; i < hi; i++) {
			struct replica_item x = v[i];
			size_t j = i;
			while (j > lo && item_before(&x, &v[j - 1])) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
	}
	struct replica_item *src = v, *dst = tmp;
	for (size_t w = 16; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			merge(src + lo, mid - lo, src + mid, hi - mid, dst + lo);
		}
		struct replica_item *t = src;
		src = dst;
		dst = t;
	}
	return src;
}

/* Makes r->sorted the whole replica in `order`. 0 or -ENOMEM. */
static int order_update(struct replica *r, enum replica_order order)
{
	bool whole = r->sorted_order != (int)order ||
		     r->n_sorted + r->n_added != r->count;
	size_t k = whole ? r->count : r->n_added;
	size_t need = whole ? r->count : r->n_sorted + k;
	/* New items and their sort's room, then the merge's target. */
	struct replica_item *fresh = malloc(2 * k * sizeof(*fresh));
	struct replica_item *out = malloc(need * sizeof(*out));
	if (!fresh || !out) {
		free(fresh);
		free(out);
		order_drop(r);
		return -ENOMEM;
	}
	size_t n = 0;
	if (whole) {
		for (size_t i = 0; i < r->cap; i++)
			if (r->slots[i].row)
				fresh[n++] = item_of(r->slots[i].row, order);
	} else {
		for (size_t i = 0; i < k; i++)
			fresh[n++] = item_of(r->added[i], order);
	}
	struct replica_item *s = sort_items(fresh, fresh + k, k);
	if (whole)
		memcpy(out, s, k * sizeof(*out));
	else
		merge(r->sorted, r->n_sorted, s, k, out);
	free(fresh);
	free(r->sorted);
	r->sorted = out;
	r->n_sorted = r->cap_sorted = need;
	r->n_added = 0;
	r->sorted_order = (int)order;
	return 0;
}

const Clubcrm__TaskRow **replica_sorted(const struct replica *cr,
					enum replica_order order)
{
	/* The kept order is a cache: the rows themselves stay untouched. */
	struct replica *r = (struct replica *)cr;
	if (!r->count)
		return NULL;
	if ((r->sorted_order != (int)order || r->n_added ||
	     r->n_sorted != r->count) &&
	    order_update(r, order) < 0)
		return NULL;
	const Clubcrm__TaskRow **rows = malloc(r->count * sizeof(*rows));
	if (!rows)
		return NULL;
	for (size_t i = 0; i < r->n_sorted; i++)
		rows[i] = r->sorted[i].row;
	return rows;
}
