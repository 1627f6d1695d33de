/*
 * Snapshots and replays of live views. A snapshot reads every row of the view
 * from one read transaction (one revision), walking the index that bounds the
 * view best, in chunks so that the daemon can stream it as the connection
 * drains. A replay sends what changed after a revision the client holds.
 *
 * A view bounded by an index (a planned or created window, a customer, the
 * agenda, overdue tasks) is sent in the index's order. Its first chunk (a
 * screenful, the top of the board) looks its tasks up one by one. Then the
 * index is read a batch of entries at a time, the batch's task ids sorted,
 * their tasks read in id order through one cursor that steps forward
 * instead of descending the tree again when the next one is near, and the
 * rows sent in the index's order: a lookup per entry in index order is a
 * random descent of the tasks tree each, about four fifths of a
 * 100,000-task window's time (tests/bench/README-performance.md, "The
 * 100,000-task snapshot").
 */
#include "views_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cursor.h"
#include "req.h"
#include "wire.h"

enum snap_stage {
	SNAP_TASKS,      /* task rows */
	SNAP_CATALOG,    /* CATALOG view: the catalogue, then customers */
	SNAP_CUSTOMERS,
	SNAP_DONE,
};

struct view_snapshot {
	struct txn txn;
	struct txn_cursor cur;  /* open once cur.t is set */
	const Clubcrm__View *view;
	int64_t now;
	uint32_t escalation;
	uint64_t revision;
	enum snap_stage stage;
	enum store_db db;
	size_t id_off;          /* where the task id is in the key; 0: DB_TASKS */
	uint8_t start[8];       /* first key (prefix or range start) */
	size_t start_len;
	size_t prefix_len;      /* keys must start with start[0..prefix_len) */
	uint8_t end[8];         /* stop at the first key >= end (first 8 bytes) */
	bool has_end;
	bool positioned;
	bool text;              /* the view filters on text: whole tasks */
	/* After the first chunk of an index-bounded view: a batch of index
	 * entries, their records read in id order, sent in index order. */
	bool batch_tried;
	bool batched;           /* reading in batches */
	bool index_done;        /* the index's window is read to its end */
	struct txn_val *recs;   /* the batch's records, in index order (NULL
				   data: no record) */
	uint64_t *keys, *tmp;   /* task id << 16 | position in the batch */
	size_t n_recs, n_keys, next_rec, cap;
	uint64_t max_id;        /* the largest task id */
	struct txn_cursor tasks; /* open once tasks.t is set */
	bool tasks_at;          /* `tasks` stands on the 8-byte key tasks_id */
	uint64_t tasks_id;
	struct arena chunk;     /* memory of the chunk being built (reset, not
				   freed, between chunks) */
	bool big;               /* a chunk filled up: more come, full size */
	size_t chunk_bytes;     /* a chunk ends past this many bytes */
	struct rows_cache names; /* records the rows name, for the snapshot */
	struct rows_team_ctx team;
	struct task_filter_env env;
};

uint32_t views_escalation_minutes(struct txn *t, struct arena *a)
{
	Clubcrm__Settings *s;
	if (rows_settings(t, a, &s) || !s->has_escalation_minutes)
		return 0;
	return s->escalation_minutes;
}

int views_build_row(struct txn *t, struct arena *a, struct rows_cache *cache,
		    int64_t now, uint32_t escalation_minutes,
		    Clubcrm__Task *task, Clubcrm__TaskRow **out)
{
	int rc = rows_build_cached(t, a, cache, now, task, out);
	if (rc)
		return rc;
	(*out)->has_escalated = 1;
	(*out)->escalated = task_row_is_escalated(*out, escalation_minutes, now);
	return 0;
}

int views_batch_add(struct buf *batch, const struct buf *delta)
{
	return wire_bytes(batch, 1, delta->data, delta->len);
}

/* Slots of a snapshot's name cache (half of them filled at most). */
#define VIEWS_NAME_CACHE 8192u

/* Chooses the index that bounds the view best. */
static void plan_scan(struct view_snapshot *s)
{
	const Clubcrm__View *v = s->view;
	const Clubcrm__TaskFilter *f = v->filter;
	s->db = DB_TASKS;
	s->id_off = 0;
	switch (v->kind) {
	case CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG:
		s->stage = SNAP_CATALOG;
		return;
	case CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER:
		s->db = DB_BY_CUSTOMER;
		s->id_off = 16;
		key_u64(s->start, v->customer_id);
		s->start_len = s->prefix_len = 8;
		return;
	case CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA:
		s->db = DB_BY_PLANNED;
		s->id_off = 8;
		key_time(s->start, v->from);
		s->start_len = 8;
		key_time(s->end, v->to);
		s->has_end = true;
		return;
	case CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE:
		s->db = DB_BY_PLANNED;
		s->id_off = 8;
		key_time(s->end, s->now);
		s->has_end = true;
		return;
	default:
		break;
	}
	if (f && f->has_customer_id) {
		s->db = DB_BY_CUSTOMER;
		s->id_off = 16;
		key_u64(s->start, f->customer_id);
		s->start_len = s->prefix_len = 8;
	} else if (f && (f->has_planned_from || f->has_planned_to)) {
		s->db = DB_BY_PLANNED;
		s->id_off = 8;
		if (f->has_planned_from) {
			key_time(s->start, f->planned_from);
			s->start_len = 8;
		}
		if (f->has_planned_to) {
			key_time(s->end, f->planned_to);
			s->has_end = true;
		}
	} else if (f && (f->has_created_from || f->has_created_to)) {
		/* by_created has the same (time, id) keys as by_planned. */
		s->db = DB_BY_CREATED;
		s->id_off = 8;
		if (f->has_created_from) {
			key_time(s->start, f->created_from);
			s->start_len = 8;
		}
		if (f->has_created_to) {
			key_time(s->end, f->created_to);
			s->has_end = true;
		}
	}
}

int views_snapshot_begin(struct store *st, const Clubcrm__View *v, int64_t now,
			 struct view_snapshot **out)
{
	struct view_snapshot *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->view = v;
	s->now = now;
	s->text = v->filter && v->filter->text && *v->filter->text;
	s->chunk_bytes = VIEWS_CHUNK_BYTES;
	arena_init(&s->chunk);
	if (rows_cache_init(&s->names, VIEWS_NAME_CACHE) < 0) {
		free(s);
		return -ENOMEM;
	}
	txn_begin(&s->txn, st, NULL, false);
	if (s->txn.ret)
		goto fail;
	s->revision = txn_revision(&s->txn);
	s->escalation = views_escalation_minutes(&s->txn, &s->chunk);
	s->team = (struct rows_team_ctx){.t = &s->txn, .a = &s->chunk};
	s->env = (struct task_filter_env){
		.now = now, .in_team = rows_in_team, .team_ctx = &s->team};
	plan_scan(s);
	if (txn_cursor_open(&s->cur, &s->txn, s->db))
		goto fail;
	*out = s;
	return 0;
fail:;
	int ret = s->txn.ret ? s->txn.ret : -EIO;
	views_snapshot_end(s);
	return ret;
}

uint64_t views_snapshot_revision(const struct view_snapshot *s)
{
	return s->revision;
}

/* Below this a chunk would carry a handful of rows. */
#define VIEWS_CHUNK_MIN (4u * 1024u)

void views_snapshot_limit(struct view_snapshot *s, size_t bytes)
{
	if (bytes > VIEWS_CHUNK_BYTES)
		bytes = VIEWS_CHUNK_BYTES;
	if (bytes < VIEWS_CHUNK_MIN)
		bytes = VIEWS_CHUNK_MIN;
	s->chunk_bytes = bytes;
}

void views_snapshot_end(struct view_snapshot *s)
{
	if (!s)
		return;
	if (s->cur.t)
		txn_cursor_close(&s->cur);
	if (s->tasks.t)
		txn_cursor_close(&s->tasks);
	free(s->recs);
	free(s->keys);
	free(s->tmp);
	if (s->txn.txn)
		txn_abort(&s->txn);
	arena_free(&s->chunk);
	rows_cache_fini(&s->names);
	free(s);
}

/* The next index entry of the scan, or 1 at its end. */
static int next_entry(struct view_snapshot *s, struct txn_val *k,
		      struct txn_val *v)
{
	int rc;
	if (!s->positioned) {
		s->positioned = true;
		rc = txn_cursor_seek(&s->cur, s->start_len ? s->start : NULL,
				     s->start_len);
	} else {
		rc = txn_cursor_next(&s->cur);
	}
	if (rc == -ENOENT)
		return 1;
	if (rc)
		return rc;
	*k = s->cur.key;
	*v = s->cur.val;
	if (s->prefix_len && (k->len < s->prefix_len ||
			      memcmp(k->data, s->start, s->prefix_len)))
		return 1;
	if (s->has_end && k->len >= 8 && memcmp(k->data, s->end, 8) >= 0)
		return 1;
	return 0;
}

/* Index entries a batch holds at most (a position takes 16 bits): 1 MiB
 * of batch at most, for chunks of VIEWS_CHUNK_BYTES. Smaller chunks (a
 * connection with a small output bound) take smaller batches: an entry per
 * 8 bytes of chunk, the batch's memory and loop turn bounded with them. */
#define VIEWS_BATCH 32768u
/* Task ids at most: the sort keys are id << 16 | position. */
#define VIEWS_BATCH_MAX_ID (UINT64_C(1) << 47)
/* A task at most this many ids ahead is reached by stepping the cursor, a
 * farther one by a descent: a step costs a few percent of a descent, and a
 * leaf of the tasks tree holds about 40 tasks. */
#define VIEWS_BY_ID_STEP 48u

/* Opens the cursor over the tasks and starts reading in batches, unless
 * there is no task (nothing to look up) or ids are too big for the sort
 * keys: then entry by entry, as the first chunk. */
static int batch_begin(struct view_snapshot *s)
{
	s->batch_tried = true;
	int rc = txn_cursor_open(&s->tasks, &s->txn, DB_TASKS);
	if (rc)
		return rc;
	/* The largest id: no record lies beyond it. */
	rc = txn_cursor_seek_before(&s->tasks, NULL, 0);
	if (rc == -ENOENT || (rc == 0 && s->tasks.key.len < 8))
		return 0;
	if (rc)
		return rc;
	s->max_id = key_get_u64(s->tasks.key.data);
	s->batched = s->max_id < VIEWS_BATCH_MAX_ID;
	s->tasks_at = false;
	return 0;
}

/* Room for `n` entries in the batch's arrays, which never hold more than
 * a batch's `max` (n <= max). */
static int batch_room(struct view_snapshot *s, size_t n, size_t max)
{
	if (n <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 1024;
	while (cap < n)
		cap *= 2;
	if (cap > max)
		cap = max;
	struct txn_val *recs = realloc(s->recs, cap * sizeof(*recs));
	if (!recs)
		return -ENOMEM;
	s->recs = recs;
	uint64_t *keys = realloc(s->keys, cap * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	s->keys = keys;
	uint64_t *tmp = realloc(s->tmp, cap * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	s->tmp = tmp;
	s->cap = cap;
	return 0;
}

/* Sorts the batch's keys by task id (bits 16 and up), 11 bits a pass. */
static void sort_keys(struct view_snapshot *s)
{
	uint64_t *a = s->keys, *b = s->tmp;
	for (unsigned shift = 16; shift < 64 && (s->max_id >> (shift - 16));
	     shift += 11) {
		size_t count[2048] = {0};
		for (size_t i = 0; i < s->n_keys; i++)
			count[(a[i] >> shift) & 2047]++;
		size_t sum = 0;
		for (size_t d = 0; d < 2048; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < s->n_keys; i++)
			b[count[(a[i] >> shift) & 2047]++] = a[i];
		uint64_t *t = a;
		a = b;
		b = t;
	}
	s->keys = a;
	s->tmp = b;
}

/* Moves `tasks` to the first record at or after `id`: 0, 1 past the last
 * record, or an error. */
static int tasks_reach(struct view_snapshot *s, uint64_t id)
{
	int rc;
	if (s->tasks_at && s->tasks_id == id)
		return 0;  /* the same task twice in the index */
	if (s->tasks_at && s->tasks_id < id &&
	    id - s->tasks_id <= VIEWS_BY_ID_STEP) {
		do {
			rc = txn_cursor_next(&s->tasks);
			s->tasks_at = rc == 0 && s->tasks.key.len == 8;
			if (s->tasks_at)
				s->tasks_id = key_get_u64(s->tasks.key.data);
		} while (s->tasks_at && s->tasks_id < id);
		/* A damaged (not 8-byte) key on the way: a descent. */
		if (rc || s->tasks_at)
			return rc == -ENOENT ? 1 : rc;
	}
	uint8_t key[8];
	key_u64(key, id);
	rc = txn_cursor_seek(&s->tasks, key, sizeof(key));
	s->tasks_at = rc == 0 && s->tasks.key.len == 8;
	if (s->tasks_at)
		s->tasks_id = key_get_u64(s->tasks.key.data);
	return rc == -ENOENT ? 1 : rc;
}

/*
 * Reads the next batch of index entries and their records. 0, or an error:
 * -EIO for a damaged index key, as the walk entry by entry gives.
 */
static int batch_fill(struct view_snapshot *s)
{
	struct txn_val k, v;
	int rc = 0;
	s->n_recs = s->n_keys = s->next_rec = 0;
	size_t max = s->chunk_bytes / 8;
	if (max > VIEWS_BATCH)
		max = VIEWS_BATCH;
	while (s->n_recs < max && (rc = next_entry(s, &k, &v)) == 0) {
		if (k.len < s->id_off + 8)
			return -EIO;
		if ((rc = batch_room(s, s->n_recs + 1, max)))
			return rc;
		uint64_t id = key_get_u64((const uint8_t *)k.data + s->id_off);
		s->recs[s->n_recs] = (struct txn_val){0};
		if (id <= s->max_id)  /* else no record, as txn_get says */
			s->keys[s->n_keys++] = id << 16 | s->n_recs;
		s->n_recs++;
	}
	if (rc < 0)
		return rc;
	if (rc == 1)
		s->index_done = true;
	sort_keys(s);
	for (size_t i = 0; i < s->n_keys; i++) {
		uint64_t id = s->keys[i] >> 16;
		rc = tasks_reach(s, id);
		if (rc == 1)
			break;  /* past the last record: none of the rest */
		if (rc)
			return rc;
		if (s->tasks_at && s->tasks_id == id)
			s->recs[s->keys[i] & 0xffff] = s->tasks.val;
		/* else an index entry without record: `check` reports it. */
	}
	return 0;
}

/* Records ahead of the one sent whose bytes are fetched into the cache:
 * in index order they are scattered over the map, and reading each when
 * its row is built waited for memory. */
#define VIEWS_PREFETCH 16u

/* The next record of the batches, in the index's order; 1 at the end. */
static int next_batched(struct view_snapshot *s, struct txn_val *rec)
{
	for (;;) {
		while (s->next_rec < s->n_recs) {
			size_t ahead = s->next_rec + VIEWS_PREFETCH;
			if (ahead < s->n_recs && s->recs[ahead].data) {
				const char *p = s->recs[ahead].data;
				__builtin_prefetch(p);
				if (s->recs[ahead].len > 64)
					__builtin_prefetch(p + 64);
			}
			*rec = s->recs[s->next_rec++];
			if (rec->data)
				return 0;
		}
		if (s->index_done)
			return 1;
		int rc = batch_fill(s);
		if (rc)
			return rc;
	}
}

/*
 * The next task record of the scan, in the index's order: entry by entry
 * in the first chunk, in batches after it; 1 at its end. The bytes stay in
 * the read transaction's map, for encode_row().
 */
static int next_record(struct view_snapshot *s, struct txn_val *rec)
{
	struct txn_val k;
	int rc;
	if (s->db != DB_TASKS && s->big && !s->batch_tried) {
		rc = batch_begin(s);
		if (rc)
			return rc;
	}
	if (s->batched)
		return next_batched(s, rec);
	while ((rc = next_entry(s, &k, rec)) == 0) {
		if (s->db == DB_TASKS)
			return 0;
		if (k.len < s->id_off + 8)
			return -EIO;
		uint8_t id[8];
		memcpy(id, (const uint8_t *)k.data + s->id_off, 8);
		rc = txn_get(&s->txn, DB_TASKS, id, sizeof(id), rec);
		if (rc != -ENOENT)
			return rc;
		/* An index entry without record: `check` reports it. */
	}
	return rc;
}

/*
 * Appends a row as an element of SnapshotChunk.rows (field 2). Its task
 * (field 1, which protobuf-c encodes first) is the stored record's bytes as
 * they are: encoding the Task just decoded from them gives the same bytes,
 * and took a tenth of the snapshot's time. The rest is encoded by hand,
 * straight into the chunk: protobuf-c's sizing and packing took a third.
 */
static int encode_row(struct buf *out, const Clubcrm__TaskRow *row,
		      const struct txn_val *rec)
{
	return wire_task_row_append(out, 2, rec->data, rec->len, row);
}

/* One task record: its row appended to `out` if it is in the view. */
static int add_task(struct view_snapshot *s, const struct txn_val *rec,
		    struct buf *out)
{
	Clubcrm__Task *task;
	if (s->text) {
		/* The text is looked for in the description. */
		task = clubcrm__task__unpack(arena_pb(&s->chunk), rec->len,
					     rec->data);
		if (!task)
			return -EIO;
	} else {
		/* Only ids, times and states: strings unread (the record's
		 * bytes are what the row sends). */
		task = arena_alloc(&s->chunk, sizeof(*task));
		if (!task)
			return -ENOMEM;
		int rc = wire_task_scan(rec->data, rec->len, &s->chunk, task);
		if (rc)
			return rc;
	}
	/* Most of what a view asks is about the task alone: a task it rules
	 * out is not worth naming its people and catalogue entries. */
	if (!task_view_may_match(s->view, task, &s->env))
		return 0;
	Clubcrm__TaskRow *row;
	int rc = views_build_row(&s->txn, &s->chunk, &s->names, s->now,
				 s->escalation, task, &row);
	if (rc)
		return rc;
	if (!task_view_matches(s->view, row, &s->env))
		return 0;
	return encode_row(out, row, rec);
}

/*
 * Appends the next chunk's task rows to `out` (the chunk's body began at
 * `start`), each encoded as soon as it matched; 1 when the scan has more.
 * The first chunk is small (VIEWS_FIRST_CHUNK_BYTES), the next ones full.
 */
static int fill_tasks(struct view_snapshot *s, struct buf *out, size_t start)
{
	struct txn_val rec;
	int rc;
	size_t limit = s->chunk_bytes;
	if (!s->big && limit > VIEWS_FIRST_CHUNK_BYTES)
		limit = VIEWS_FIRST_CHUNK_BYTES;
	while ((rc = next_record(s, &rec)) == 0) {
		rc = add_task(s, &rec, out);
		/* The row is in `out` (or left out): nothing of it is needed
		 * now, and a chunk that looks at many tasks for a few rows
		 * must not keep them all until the snapshot ends. */
		arena_reset(&s->chunk);
		if (rc)
			return rc;
		if (out->len - start >= limit)
			return 1;
	}
	return rc == 1 ? 0 : rc;
}

static int fill_catalog(struct view_snapshot *s, Clubcrm__SnapshotChunk *c)
{
	struct actor who = {.now = s->now};
	struct req r;
	req_init(&r, &s->txn, &s->chunk, &who);
	Clubcrm__GetCatalog all = CLUBCRM__GET_CATALOG__INIT;
	all.has_include_inactive = all.include_inactive = 1;
	return catalog_get(&r, &all, &c->catalog);
}

static int fill_customers(struct view_snapshot *s, Clubcrm__SnapshotChunk *c)
{
	size_t cap = 0, bytes = 0;
	struct txn_val k, v;
	int rc;
	while ((rc = next_entry(s, &k, &v)) == 0) {
		Clubcrm__Customer *cu = clubcrm__customer__unpack(
			arena_pb(&s->chunk), v.len, v.data);
		if (!cu)
			return -EIO;
		if (c->n_customers == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			Clubcrm__Customer **arr =
				arena_calloc(&s->chunk, ncap, sizeof(*arr));
			if (!arr)
				return -ENOMEM;
			if (c->n_customers)
				memcpy(arr, c->customers,
				       c->n_customers * sizeof(*arr));
			c->customers = arr;
			cap = ncap;
		}
		c->customers[c->n_customers++] = cu;
		bytes += v.len + 6;
		if (bytes >= s->chunk_bytes)
			return 1;
	}
	return rc == 1 ? 0 : rc;
}

/* The customers scan reuses the cursor machinery on another database. */
static int start_customers(struct view_snapshot *s)
{
	txn_cursor_close(&s->cur);
	s->db = DB_CUSTOMERS;
	s->start_len = s->prefix_len = 0;
	s->has_end = false;
	s->positioned = false;
	return txn_cursor_open(&s->cur, &s->txn, s->db);
}

static int encode_chunk(uint32_t sub_id, Clubcrm__SnapshotChunk *c,
			struct buf *out)
{
	c->has_sub_id = 1;
	c->sub_id = sub_id;
	size_t len = clubcrm__snapshot_chunk__get_packed_size(c);
	int rc = buf_reserve(out, len);
	if (rc)
		return rc;
	out->len += clubcrm__snapshot_chunk__pack(c, out->data + out->len);
	return 0;
}

/*
 * The next chunk of task rows, built where it is sent from: each row is
 * encoded once, straight into the caller's buffer (after the room it left
 * for the frame's head), and never copied.
 */
static int tasks_chunk(struct view_snapshot *s, uint32_t sub_id,
		       struct buf *out)
{
	size_t start = out->len;
	int more = fill_tasks(s, out, start);
	if (more < 0) {
		out->len = start;
		return more;
	}
	if (more == 0)
		s->stage = SNAP_DONE;
	else
		s->big = true;
	/* Field order is free in protobuf: sub_id after the rows. */
	int rc = wire_uint(out, 1, sub_id);
	if (rc)
		out->len = start;
	return rc ? rc : more;
}

size_t views_snapshot_hint(const struct view_snapshot *s)
{
	/* Once the view is known to be big: room for a whole chunk and its
	 * last row, so it never grows. The first chunk starts small and grows
	 * as needed (see VIEWS_FIRST_CHUNK). */
	return s->big ? s->chunk_bytes + 4096 : VIEWS_FIRST_CHUNK;
}

int views_snapshot_next(struct view_snapshot *s, uint32_t sub_id,
			struct buf *out)
{
	if (s->stage == SNAP_DONE)
		return 0;
	arena_reset(&s->chunk);
	rows_cache_trim(&s->names);
	Clubcrm__SnapshotChunk c = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	int more;
	switch (s->stage) {
	case SNAP_TASKS:
		return tasks_chunk(s, sub_id, out);
	case SNAP_CATALOG:
		more = fill_catalog(s, &c);
		if (more == 0) {
			more = start_customers(s);
			s->stage = SNAP_CUSTOMERS;
			if (more == 0)
				more = 1;
		}
		break;
	default:
		more = fill_customers(s, &c);
		if (more == 0)
			s->stage = SNAP_DONE;
		break;
	}
	if (more < 0)
		return more;
	int rc = encode_chunk(sub_id, &c, out);
	if (rc)
		return rc;
	return s->stage == SNAP_DONE ? 0 : 1;
}
