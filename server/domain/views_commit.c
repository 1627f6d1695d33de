/*
 * What one commit, or one tick of the clock, changes in live views. Rows are
 * built and encoded once; each subscription's Delta is then assembled from
 * those bytes (upserts) and ids (removals), without re-encoding.
 *
 * A row is upserted into a view when it matches now; it is removed when it
 * matched before the change and does not now. "Before" is the task's previous
 * image from the change log. When a catalogue edit changed rows (a type made
 * priority, a customer renamed), the previous row is not rebuilt; instead
 * views whose membership depends on what changed (urgent views on priority,
 * text searches on names, team filters on teams) get removals for affected
 * rows that no longer match.
 */
#include "views_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "wire.h"

struct view_commit_priv {
	struct txn txn;
	struct arena arena;
	struct rows_team_ctx team;
	struct task_filter_env env;
	uint32_t escalation;
	/* Catalogue entries changed by the commit, for the affected rows. */
	uint64_t *types, *operators, *results, *tags;
	size_t n_types, n_operators, n_results, n_tags;
	Clubcrm__Catalog catalog;
	bool catalog_changed;
};

static int priv_open(struct store *st, struct view_commit *vc, int64_t now)
{
	memset(vc, 0, sizeof(*vc));
	struct view_commit_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	vc->priv = p;
	vc->now = now;
	arena_init(&p->arena);
	clubcrm__catalog__init(&p->catalog);
	txn_begin(&p->txn, st, NULL, false);
	if (p->txn.ret)
		return p->txn.ret;
	p->escalation = views_escalation_minutes(&p->txn, &p->arena);
	p->team = (struct rows_team_ctx){.t = &p->txn, .a = &p->arena};
	p->env = (struct task_filter_env){
		.now = now, .in_team = rows_in_team, .team_ctx = &p->team};
	vc->revision = txn_revision(&p->txn);
	return 0;
}

void views_commit_free(struct view_commit *vc)
{
	struct view_commit_priv *p = vc->priv;
	free(vc->changes);
	free(vc->due);
	buf_free(&vc->catalog_bytes);
	buf_free(&vc->customer_bytes);
	if (p) {
		txn_abort(&p->txn);
		arena_free(&p->arena);
		free(p);
	}
	memset(vc, 0, sizeof(*vc));
}

static struct view_change *find_change(struct view_commit *vc, uint64_t id)
{
	for (size_t i = 0; i < vc->n_changes; i++)
		if (vc->changes[i].after->task->id == id)
			return &vc->changes[i];
	return NULL;
}

static int encode_row(struct arena *a, const Clubcrm__TaskRow *row,
		      uint8_t **bytes, size_t *len)
{
	*len = clubcrm__task_row__get_packed_size(row);
	*bytes = arena_alloc(a, *len);
	if (!*bytes)
		return -ENOMEM;
	clubcrm__task_row__pack(row, *bytes);
	return 0;
}

/* Records a changed row; a later change of the same task replaces `after`. */
static int add_change(struct view_commit *vc, const Clubcrm__TaskRow *before,
		      const Clubcrm__TaskRow *after, bool catalogue)
{
	struct view_commit_priv *p = vc->priv;
	struct view_change *ch = find_change(vc, after->task->id);
	if (!ch) {
		if (vc->n_changes == vc->cap_changes) {
			size_t cap = vc->cap_changes ? vc->cap_changes * 2 : 16;
			struct view_change *arr =
				realloc(vc->changes, cap * sizeof(*arr));
			if (!arr)
				return -ENOMEM;
			vc->changes = arr;
			vc->cap_changes = cap;
		}
		ch = &vc->changes[vc->n_changes++];
		memset(ch, 0, sizeof(*ch));
		ch->before = before;
		ch->catalogue = catalogue;
	}
	ch->after = after;
	return encode_row(&p->arena, after, &ch->bytes, &ch->len);
}

/* The task as it was before revision `rev`, from the change log; NULL when
 * the task is new in `rev`. */
static int task_before(struct view_commit_priv *p, uint64_t id, uint64_t rev,
		       Clubcrm__Task **out)
{
	*out = NULL;
	MDB_cursor *c;
	int rc = mdb_cursor_open(p->txn.txn, txn_dbi(&p->txn, DB_TASK_CHANGES),
				 &c);
	if (rc)
		return txn_lmdb_error(rc);
	uint8_t key[16];
	key_u64(key, id);
	key_u64(key + 8, rev);
	MDB_val k = {.mv_size = sizeof(key), .mv_data = key}, v;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc == 0 || rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(c, &k, &v, rc ? MDB_LAST : MDB_PREV);
	uint64_t prev = 0;
	if (rc == 0 && k.mv_size == 16 && key_get_u64(k.mv_data) == id)
		prev = key_get_u64((const uint8_t *)k.mv_data + 8);
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return txn_lmdb_error(rc);
	if (!prev || prev >= rev)
		return 0;
	Clubcrm__ChangeSet *cs;
	rc = txn_get_rec(&p->txn, DB_CHANGES, prev,
			 &clubcrm__change_set__descriptor, &p->arena,
			 (void **)&cs);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	for (size_t i = cs->n_events; i-- > 0;) {
		const Clubcrm__Event *ev = cs->events[i];
		if (ev->record_case == CLUBCRM__EVENT__RECORD_TASK &&
		    ev->task->id == id) {
			*out = ev->task;
			return 0;
		}
	}
	return 0;
}

static int on_task_event(struct view_commit *vc, Clubcrm__Task *after_task,
			 uint64_t rev)
{
	struct view_commit_priv *p = vc->priv;
	Clubcrm__Task *before_task;
	Clubcrm__TaskRow *before = NULL, *after;
	int rc = task_before(p, after_task->id, rev, &before_task);
	if (!rc && before_task)
		rc = views_build_row(&p->txn, &p->arena, vc->now, p->escalation,
				     before_task, &before);
	if (!rc)
		rc = views_build_row(&p->txn, &p->arena, vc->now, p->escalation,
				     after_task, &after);
	if (rc)
		return rc;
	return add_change(vc, before, after, false);  /* keeps the first before */
}

static int add_id(struct arena *a, uint64_t **arr, size_t *n, uint64_t id)
{
	uint64_t *next = arena_alloc(a, (*n + 1) * sizeof(*next));
	if (!next)
		return -ENOMEM;
	if (*n)
		memcpy(next, *arr, *n * sizeof(*next));
	next[(*n)++] = id;
	*arr = next;
	return 0;
}

/* Appends a message pointer to a catalogue list kept in the arena. */
static int add_entry(struct arena *a, void ***arr, size_t *n, void *entry)
{
	void **next = arena_alloc(a, (*n + 1) * sizeof(*next));
	if (!next)
		return -ENOMEM;
	if (*n)
		memcpy(next, *arr, *n * sizeof(*next));
	next[(*n)++] = entry;
	*arr = next;
	return 0;
}

/* A changed customer, as an element of Delta.customers (field 6). */
static int add_customer(struct view_commit *vc, const Clubcrm__Customer *cu)
{
	size_t len = clubcrm__customer__get_packed_size(cu);
	uint8_t *b = arena_alloc(&vc->priv->arena, len ? len : 1);
	if (!b)
		return -ENOMEM;
	clubcrm__customer__pack(cu, b);
	return wire_bytes(&vc->customer_bytes, 6, b, len);
}

static int on_catalogue_event(struct view_commit *vc, const Clubcrm__Event *ev)
{
	struct view_commit_priv *p = vc->priv;
	Clubcrm__Catalog *c = &p->catalog;
	struct arena *a = &p->arena;
	p->catalog_changed = true;
	switch (ev->record_case) {
	case CLUBCRM__EVENT__RECORD_CUSTOMER:
		vc->deps |= VIEW_DEP_TEXT;
		return add_customer(vc, ev->customer);
	case CLUBCRM__EVENT__RECORD_TASK_TYPE:
		vc->deps |= VIEW_DEP_PRIORITY;
		if (add_id(a, &p->types, &p->n_types, ev->task_type->id))
			return -ENOMEM;
		return add_entry(a, (void ***)&c->task_types, &c->n_task_types,
				 ev->task_type);
	case CLUBCRM__EVENT__RECORD_OPERATOR:
		vc->deps |= VIEW_DEP_TEAM;
		if (add_id(a, &p->operators, &p->n_operators, ev->operator_->id))
			return -ENOMEM;
		return add_entry(a, (void ***)&c->operators, &c->n_operators,
				 ev->operator_);
	case CLUBCRM__EVENT__RECORD_RESULT:
		if (add_id(a, &p->results, &p->n_results, ev->result->id))
			return -ENOMEM;
		return add_entry(a, (void ***)&c->results, &c->n_results,
				 ev->result);
	case CLUBCRM__EVENT__RECORD_TAG:
		if (add_id(a, &p->tags, &p->n_tags, ev->tag->id))
			return -ENOMEM;
		return add_entry(a, (void ***)&c->tags, &c->n_tags, ev->tag);
	case CLUBCRM__EVENT__RECORD_TEAM:
		return add_entry(a, (void ***)&c->teams, &c->n_teams, ev->team);
	case CLUBCRM__EVENT__RECORD_SETTINGS:
		c->settings = ev->settings;
		return 0;
	default:
		return 0;
	}
}

static bool has_id(const uint64_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static bool task_refers(const struct view_commit_priv *p,
			const Clubcrm__Task *t)
{
	if (has_id(p->types, p->n_types, t->type_id) ||
	    has_id(p->results, p->n_results, t->result_id))
		return true;
	if (has_id(p->operators, p->n_operators, t->operator_id) ||
	    has_id(p->operators, p->n_operators, t->creator_id) ||
	    has_id(p->operators, p->n_operators, t->taken_by))
		return true;
	for (size_t i = 0; i < t->n_tag_ids; i++)
		if (has_id(p->tags, p->n_tags, t->tag_ids[i]))
			return true;
	return false;
}

static int add_affected(struct view_commit *vc, Clubcrm__Task *task)
{
	struct view_commit_priv *p = vc->priv;
	if (find_change(vc, task->id))
		return 0;
	Clubcrm__TaskRow *row;
	int rc = views_build_row(&p->txn, &p->arena, vc->now, p->escalation,
				 task, &row);
	return rc ? rc : add_change(vc, NULL, row, true);
}

/* Rows of the customers changed by the commit, from by_customer. */
static int affected_by_customer(struct view_commit *vc, uint64_t customer)
{
	struct view_commit_priv *p = vc->priv;
	MDB_cursor *c;
	int rc = mdb_cursor_open(p->txn.txn, txn_dbi(&p->txn, DB_BY_CUSTOMER),
				 &c);
	if (rc)
		return txn_lmdb_error(rc);
	uint8_t key[8];
	key_u64(key, customer);
	MDB_val k = {.mv_size = 8, .mv_data = key}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 24 || memcmp(k.mv_data, key, 8))
			break;
		Clubcrm__Task *task;
		int lrc = rows_task(&p->txn, &p->arena,
				    key_get_u64((const uint8_t *)k.mv_data + 16),
				    &task);
		if (lrc == -ENOENT)
			continue;
		if (!lrc)
			lrc = add_affected(vc, task);
		if (lrc) {
			mdb_cursor_close(c);
			return lrc;
		}
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : txn_lmdb_error(rc);
}

/*
 * Rows referring to changed types, operators, results or tags. No index
 * covers all of them (creator, taker, tags), and such edits are rare admin
 * actions: one pass over the tasks per commit.
 */
static int affected_by_catalogue(struct view_commit *vc)
{
	struct view_commit_priv *p = vc->priv;
	if (!p->n_types && !p->n_operators && !p->n_results && !p->n_tags)
		return 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(p->txn.txn, txn_dbi(&p->txn, DB_TASKS), &c);
	if (rc)
		return txn_lmdb_error(rc);
	MDB_val k, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Clubcrm__Task *task = clubcrm__task__unpack(
			arena_pb(&p->arena), v.mv_size, v.mv_data);
		if (!task) {
			rc = MDB_CORRUPTED;
			break;
		}
		if (!task_refers(p, task))
			continue;
		int arc = add_affected(vc, task);
		if (arc) {
			mdb_cursor_close(c);
			return arc;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : txn_lmdb_error(rc);
}

static int encode_catalog(struct view_commit *vc)
{
	struct view_commit_priv *p = vc->priv;
	Clubcrm__Catalog *c = &p->catalog;
	if (!c->n_task_types && !c->n_results && !c->n_tags && !c->n_operators &&
	    !c->n_teams && !c->settings)
		return 0;
	c->has_revision = 1;
	c->revision = vc->revision;
	size_t len = clubcrm__catalog__get_packed_size(c);
	int rc = buf_reserve(&vc->catalog_bytes, len);
	if (rc)
		return rc;
	vc->catalog_bytes.len = clubcrm__catalog__pack(c, vc->catalog_bytes.data);
	return 0;
}

int views_commit_load(struct store *st, const uint8_t *changeset, size_t len,
		      int64_t now, struct view_commit *vc)
{
	int rc = priv_open(st, vc, now);
	if (rc)
		return rc;
	struct view_commit_priv *p = vc->priv;
	Clubcrm__ChangeSet *cs =
		clubcrm__change_set__unpack(arena_pb(&p->arena), len, changeset);
	if (!cs)
		return -EIO;
	vc->revision = cs->revision;
	for (size_t i = 0; i < cs->n_events && !rc; i++) {
		Clubcrm__Event *ev = cs->events[i];
		if (ev->record_case == CLUBCRM__EVENT__RECORD_TASK)
			rc = on_task_event(vc, ev->task, cs->revision);
		else
			rc = on_catalogue_event(vc, ev);
	}
	for (size_t i = 0; i < cs->n_events && !rc; i++)
		if (cs->events[i]->record_case == CLUBCRM__EVENT__RECORD_CUSTOMER)
			rc = affected_by_customer(vc, cs->events[i]->customer->id);
	if (!rc)
		rc = affected_by_catalogue(vc);
	if (!rc)
		rc = encode_catalog(vc);
	return rc;
}

static int add_due(struct view_commit *vc, const Clubcrm__TaskRow *row)
{
	const Clubcrm__TaskRow **due =
		realloc(vc->due, (vc->n_due + 1) * sizeof(*due));
	if (!due)
		return -ENOMEM;
	due[vc->n_due++] = row;
	vc->due = due;
	return 0;
}

/* Scans [from, to) of a time index, calling `fn` with each task. */
static int scan_time(struct view_commit *vc, enum store_db db, int64_t from,
		     int64_t to,
		     int (*fn)(struct view_commit *, Clubcrm__Task *, int64_t),
		     int64_t arg)
{
	struct view_commit_priv *p = vc->priv;
	MDB_cursor *c;
	int rc = mdb_cursor_open(p->txn.txn, txn_dbi(&p->txn, db), &c);
	if (rc)
		return txn_lmdb_error(rc);
	uint8_t start[8], end[8];
	key_time(start, from);
	key_time(end, to);
	MDB_val k = {.mv_size = 8, .mv_data = start}, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 16 || memcmp(k.mv_data, end, 8) >= 0)
			break;
		Clubcrm__Task *task;
		int lrc = rows_task(&p->txn, &p->arena,
				    key_get_u64((const uint8_t *)k.mv_data + 8),
				    &task);
		if (lrc == -ENOENT)
			continue;
		if (!lrc)
			lrc = fn(vc, task, arg);
		if (lrc) {
			mdb_cursor_close(c);
			return lrc;
		}
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : txn_lmdb_error(rc);
}

static bool planned_task(const Clubcrm__Task *t)
{
	return t->kind == CLUBCRM__TASK_KIND__TASK_KIND_TASK &&
	       t->status == CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
}

/* A task whose planned time came in this tick: it is overdue from now on. */
static int on_due(struct view_commit *vc, Clubcrm__Task *task, int64_t from)
{
	struct view_commit_priv *p = vc->priv;
	if (!planned_task(task))
		return 0;
	Clubcrm__TaskRow *before, *after;
	int rc = views_build_row(&p->txn, &p->arena, from, p->escalation, task,
				 &before);
	if (!rc)
		rc = views_build_row(&p->txn, &p->arena, vc->now, p->escalation,
				     task, &after);
	if (!rc)
		rc = add_change(vc, before, after, false);
	return rc ? rc : add_due(vc, after);
}

/* An urgent task created `escalation` minutes ago that nobody took. */
static int on_escalation(struct view_commit *vc, Clubcrm__Task *task,
			 int64_t unused)
{
	(void)unused;
	struct view_commit_priv *p = vc->priv;
	if (!planned_task(task) || task->taken_by || find_change(vc, task->id))
		return 0;
	Clubcrm__TaskRow *after;
	int rc = views_build_row(&p->txn, &p->arena, vc->now, p->escalation,
				 task, &after);
	if (rc || !after->escalated)
		return rc;
	Clubcrm__TaskRow *before = arena_alloc(&p->arena, sizeof(*before));
	if (!before)
		return -ENOMEM;
	*before = *after;
	before->escalated = 0;
	return add_change(vc, before, after, false);
}

int views_tick_load(struct store *st, int64_t from, int64_t to,
		    struct view_commit *vc)
{
	int rc = priv_open(st, vc, to);
	if (rc || from >= to)
		return rc;
	struct view_commit_priv *p = vc->priv;
	rc = scan_time(vc, DB_BY_PLANNED, from, to, on_due, from);
	if (!rc && p->escalation) {
		int64_t wait = (int64_t)p->escalation * 60;
		rc = scan_time(vc, DB_BY_CREATED, from - wait, to - wait,
			       on_escalation, 0);
	}
	return rc;
}

/* Catalogue changes the view's membership depends on. */
static unsigned view_deps(const Clubcrm__View *v)
{
	unsigned deps = 0;
	const Clubcrm__TaskFilter *f = v->filter;
	if (v->kind == CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT ||
	    (f && f->has_urgent))
		deps |= VIEW_DEP_PRIORITY;
	if (f && f->text && *f->text)
		deps |= VIEW_DEP_TEXT;
	if (v->has_team_id || (f && f->has_team_id))
		deps |= VIEW_DEP_TEAM;
	return deps;
}

static int task_delta(struct view_commit *vc, const Clubcrm__View *v,
		      struct buf *delta, bool *any)
{
	struct view_commit_priv *p = vc->priv;
	unsigned deps = vc->deps & view_deps(v);
	int rc = 0;
	for (size_t i = 0; i < vc->n_changes && !rc; i++) {
		const struct view_change *ch = &vc->changes[i];
		bool now_in = task_view_matches(v, ch->after, &p->env);
		bool was_in = ch->before
			? task_view_matches(v, ch->before, &p->env)
			: ch->catalogue && deps;
		if (now_in)
			rc = wire_bytes(delta, 3, ch->bytes, ch->len);
		else if (was_in)
			rc = wire_uint(delta, 4, ch->after->task->id);
		else
			continue;
		*any = true;
	}
	return rc;
}

static int catalog_delta(struct view_commit *vc, struct buf *delta, bool *any)
{
	int rc = 0;
	if (vc->catalog_bytes.len) {
		rc = wire_bytes(delta, 5, vc->catalog_bytes.data,
				vc->catalog_bytes.len);
		*any = true;
	}
	if (!rc && vc->customer_bytes.len) {
		rc = buf_append(delta, vc->customer_bytes.data,
				vc->customer_bytes.len);
		*any = true;
	}
	return rc;
}

int views_delta_append(struct view_commit *vc, const Clubcrm__View *v,
		       uint32_t sub_id, struct buf *batch)
{
	struct buf delta = {0};
	bool any = false;
	int rc = wire_uint(&delta, 1, sub_id);
	if (!rc)
		rc = wire_uint(&delta, 2, vc->revision);
	if (!rc && v->kind == CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG)
		rc = catalog_delta(vc, &delta, &any);
	else if (!rc)
		rc = task_delta(vc, v, &delta, &any);
	if (!rc && any)
		rc = views_batch_add(batch, &delta);
	buf_free(&delta);
	return rc ? rc : any;
}

int views_batch_frame(const struct buf *batch, struct buf *out)
{
	return wire_push_frame(out, CLUBCRM__FRAME__BODY_DELTAS, batch);
}

int views_reminder_frame(const Clubcrm__TaskRow *row, struct buf *out)
{
	Clubcrm__Reminder r = CLUBCRM__REMINDER__INIT;
	r.row = (Clubcrm__TaskRow *)row;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_REMINDER;
	f.reminder = &r;
	return frame_encode(&f, out);
}
