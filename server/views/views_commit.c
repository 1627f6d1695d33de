/*
 * What one commit, or one tick of the clock, changes in live views. Rows are
 * built and encoded once; each subscription's Delta is then assembled from
 * those bytes (upserts) and ids (removals), without re-encoding.
 *
 * A row is upserted into a view when it matches now; it is removed when it
 * matched before the change and does not now. "Before" is the task's previous
 * image from the change log. When a catalogue edit changed rows (a type made
 * priority, a customer renamed; an edit that changes nothing rows show, such
 * as a password reset, changes none: see views_memo.c), the previous row
 * is not rebuilt; instead
 * views whose membership depends on what changed (urgent views on priority,
 * text searches on names, team filters on teams) get removals for affected
 * rows that no longer match.
 */
#include "views_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changelog.h"
#include "cursor.h"
#include "wire.h"

struct view_commit_priv {
	struct txn txn;
	struct arena arena;
	struct rows_team_ctx team;
	struct task_filter_env env;
	uint32_t escalation;
	struct rows_cache cache;  /* names for the rows of the whole batch */
	/* Catalogue entries changed by the revision being loaded, for the
	 * affected rows. */
	uint64_t *types, *operators, *results, *tags, *customers;
	size_t n_types, n_operators, n_results, n_tags, n_customers;
	Clubcrm__Catalog catalog;
	bool catalog_changed;
	struct views_memo *memo;  /* the loader's, or NULL */
};

static int priv_open(struct store *st, struct views_memo *memo,
		     struct view_commit *vc, int64_t now)
{
	memset(vc, 0, sizeof(*vc));
	struct view_commit_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	vc->priv = p;
	vc->now = now;
	p->memo = memo;
	arena_init(&p->arena);
	clubcrm__catalog__init(&p->catalog);
	if (rows_cache_init(&p->cache, 256) < 0)
		return -ENOMEM;
	txn_begin(&p->txn, st, NULL, false);
	if (p->txn.ret)
		return p->txn.ret;
	p->escalation = views_escalation_minutes(&p->txn, &p->arena);
	vc->escalation_minutes = p->escalation;
	p->team = (struct rows_team_ctx){.t = &p->txn, .a = &p->arena};
	p->env = (struct task_filter_env){
		.now = now, .in_team = rows_in_team, .team_ctx = &p->team};
	return 0;
}

/* Starts the slice of changes of the next revision. */
static int begin_rev(struct view_commit *vc, uint64_t revision)
{
	struct view_commit_priv *p = vc->priv;
	if (vc->n_revs == vc->cap_revs) {
		size_t cap = vc->cap_revs ? vc->cap_revs * 2 : 8;
		struct view_rev *arr = realloc(vc->revs, cap * sizeof(*arr));
		if (!arr)
			return -ENOMEM;
		vc->revs = arr;
		vc->cap_revs = cap;
	}
	struct view_rev *r = &vc->revs[vc->n_revs++];
	memset(r, 0, sizeof(*r));
	r->revision = revision;
	r->first = vc->n_changes;
	p->types = p->operators = p->results = p->tags = p->customers = NULL;
	p->n_types = p->n_operators = p->n_results = p->n_tags = 0;
	p->n_customers = 0;
	clubcrm__catalog__init(&p->catalog);
	p->catalog_changed = false;
	return 0;
}

static struct view_rev *cur_rev(struct view_commit *vc)
{
	return &vc->revs[vc->n_revs - 1];
}

void views_commit_free(struct view_commit *vc)
{
	struct view_commit_priv *p = vc->priv;
	free(vc->changes);
	free(vc->due);
	for (size_t i = 0; i < vc->n_revs; i++) {
		buf_free(&vc->revs[i].catalog_bytes);
		buf_free(&vc->revs[i].customer_bytes);
	}
	free(vc->revs);
	if (p) {
		txn_abort(&p->txn);
		rows_cache_fini(&p->cache);
		arena_free(&p->arena);
		free(p);
	}
	memset(vc, 0, sizeof(*vc));
}

/* The change of task `id` in the revision being loaded, if any. */
static struct view_change *find_change(struct view_commit *vc, uint64_t id)
{
	for (size_t i = cur_rev(vc)->first; i < vc->n_changes; i++)
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
		cur_rev(vc)->n++;
		memset(ch, 0, sizeof(*ch));
		ch->before = before;
		ch->catalogue = catalogue;
	}
	ch->after = after;
	return encode_row(&p->arena, after, &ch->bytes, &ch->len);
}

/* The task as it was before this event: the after-image of its previous
 * change (the event's link in the chain, changelog.h); NULL when the task
 * is new here. */
static int task_before(struct view_commit_priv *p, const Clubcrm__Event *ev,
		       Clubcrm__Task **out)
{
	*out = NULL;
	if (!ev->has_prev_revision)
		return -EIO;  /* every task event has one since schema 4 */
	if (!ev->prev_revision)
		return 0;
	struct changelog_walk w;
	changelog_walk_init(&w, &p->txn, &p->arena, ev->task->id,
			    ev->prev_revision, 0);
	int rc = changelog_walk_next(&w);
	if (!rc)
		*out = w.task;
	return rc;
}

static int on_task_event(struct view_commit *vc, const Clubcrm__Event *ev)
{
	struct view_commit_priv *p = vc->priv;
	Clubcrm__Task *after_task = ev->task;
	Clubcrm__Task *before_task;
	Clubcrm__TaskRow *before = NULL, *after;
	int rc = task_before(p, ev, &before_task);
	if (!rc && before_task)
		rc = views_build_row(&p->txn, &p->arena, &p->cache,
				     vc->now, p->escalation,
				     before_task, &before);
	if (!rc)
		rc = views_build_row(&p->txn, &p->arena, &p->cache,
				     vc->now, p->escalation,
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
	return wire_bytes(&cur_rev(vc)->customer_bytes, 6, b, len);
}

static int on_catalogue_event(struct view_commit *vc, const Clubcrm__Event *ev)
{
	struct view_commit_priv *p = vc->priv;
	Clubcrm__Catalog *c = &p->catalog;
	struct arena *a = &p->arena;
	bool same = views_memo_shown_same(p->memo, ev);
	p->catalog_changed = true;
	switch (ev->record_case) {
	case CLUBCRM__EVENT__RECORD_CUSTOMER:
		if (!same) {
			cur_rev(vc)->deps |= VIEW_DEP_TEXT;
			if (add_id(a, &p->customers, &p->n_customers,
				   ev->customer->id))
				return -ENOMEM;
		}
		return add_customer(vc, ev->customer);
	case CLUBCRM__EVENT__RECORD_TASK_TYPE:
		if (!same)
			cur_rev(vc)->deps |= VIEW_DEP_PRIORITY;
		if (!same && add_id(a, &p->types, &p->n_types, ev->task_type->id))
			return -ENOMEM;
		return add_entry(a, (void ***)&c->task_types, &c->n_task_types,
				 ev->task_type);
	case CLUBCRM__EVENT__RECORD_OPERATOR:
		if (!same)
			cur_rev(vc)->deps |= VIEW_DEP_TEAM;
		if (!same &&
		    add_id(a, &p->operators, &p->n_operators, ev->operator_->id))
			return -ENOMEM;
		return add_entry(a, (void ***)&c->operators, &c->n_operators,
				 ev->operator_);
	case CLUBCRM__EVENT__RECORD_RESULT:
		if (!same && add_id(a, &p->results, &p->n_results, ev->result->id))
			return -ENOMEM;
		return add_entry(a, (void ***)&c->results, &c->n_results,
				 ev->result);
	case CLUBCRM__EVENT__RECORD_TAG:
		if (!same && add_id(a, &p->tags, &p->n_tags, ev->tag->id))
			return -ENOMEM;
		return add_entry(a, (void ***)&c->tags, &c->n_tags, ev->tag);
	case CLUBCRM__EVENT__RECORD_TEAM:
		return add_entry(a, (void ***)&c->teams, &c->n_teams, ev->team);
	case CLUBCRM__EVENT__RECORD_SETTINGS:
		vc->settings_changed = true;
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
	int rc = views_build_row(&p->txn, &p->arena, &p->cache,
				 vc->now, p->escalation, task, &row);
	return rc ? rc : add_change(vc, NULL, row, true);
}

typedef int (*scan_fn)(struct view_commit *vc, Clubcrm__Task *task,
		       int64_t arg);

/*
 * Calls `fn` with the task of each entry of index `db` whose key is
 * `key_len` bytes, starts with 8 bytes in [lo, hi) and ends with the task
 * id; a task missing from `tasks` is passed over.
 */
static int scan_index(struct view_commit *vc, enum store_db db,
		      const uint8_t lo[8], const uint8_t hi[8], size_t key_len,
		      scan_fn fn, int64_t arg)
{
	struct view_commit_priv *p = vc->priv;
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, &p->txn, db);
	for (rc = rc ? rc : txn_cursor_seek(&c, lo, 8); rc == 0;
	     rc = txn_cursor_next(&c)) {
		if (c.key.len != key_len || memcmp(c.key.data, hi, 8) >= 0)
			break;
		Clubcrm__Task *task;
		int lrc = rows_task(&p->txn, &p->arena,
				    key_get_u64((const uint8_t *)c.key.data +
						key_len - 8),
				    &task);
		if (lrc == -ENOENT)
			continue;
		if (!lrc)
			lrc = fn(vc, task, arg);
		if (lrc) {
			txn_cursor_close(&c);
			return lrc;
		}
	}
	txn_cursor_close(&c);
	return rc == 0 || rc == -ENOENT ? 0 : rc;
}

static int affected_one(struct view_commit *vc, Clubcrm__Task *task,
			int64_t arg)
{
	(void)arg;
	return add_affected(vc, task);
}

/* Calls `fn` with every task record, in id order. */
static int scan_tasks(struct view_commit *vc, scan_fn fn, int64_t arg)
{
	struct view_commit_priv *p = vc->priv;
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, &p->txn, DB_TASKS);
	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0;
	     rc = txn_cursor_next(&c)) {
		Clubcrm__Task *task;
		rc = txn_cursor_msg(&c, &clubcrm__task__descriptor, &p->arena,
				    (void **)&task);
		if (rc)
			break;
		int frc = fn(vc, task, arg);
		if (frc) {
			txn_cursor_close(&c);
			return frc;
		}
	}
	txn_cursor_close(&c);
	return rc == -ENOENT ? 0 : rc;
}

/* Rows of the customers changed by the commit, from by_customer (its key:
 * customer id, planned time, task id). Ids stay far below UINT64_MAX. */
static int affected_by_customer(struct view_commit *vc, uint64_t customer)
{
	uint8_t lo[8], hi[8];
	key_u64(lo, customer);
	key_u64(hi, customer + 1);
	return scan_index(vc, DB_BY_CUSTOMER, lo, hi, 24, affected_one, 0);
}

/*
 * Rows referring to changed types, operators, results or tags. No index
 * covers all of them (creator, taker, tags), and such edits are rare admin
 * actions: one pass over the tasks per commit.
 */
static int affected_if_refers(struct view_commit *vc, Clubcrm__Task *task,
			      int64_t arg)
{
	(void)arg;
	return task_refers(vc->priv, task) ? add_affected(vc, task) : 0;
}

static int affected_by_catalogue(struct view_commit *vc)
{
	struct view_commit_priv *p = vc->priv;
	if (!p->n_types && !p->n_operators && !p->n_results && !p->n_tags)
		return 0;
	return scan_tasks(vc, affected_if_refers, 0);
}

static int encode_catalog(struct view_commit *vc)
{
	struct view_commit_priv *p = vc->priv;
	Clubcrm__Catalog *c = &p->catalog;
	if (!c->n_task_types && !c->n_results && !c->n_tags && !c->n_operators &&
	    !c->n_teams && !c->settings)
		return 0;
	struct view_rev *r = cur_rev(vc);
	c->has_revision = 1;
	c->revision = r->revision;
	size_t len = clubcrm__catalog__get_packed_size(c);
	int rc = buf_reserve(&r->catalog_bytes, len);
	if (rc)
		return rc;
	r->catalog_bytes.len = clubcrm__catalog__pack(c, r->catalog_bytes.data);
	return 0;
}

/* Loads one ChangeSet as the next revision. */
static int load_changeset(struct view_commit *vc, const Clubcrm__ChangeSet *cs)
{
	int rc = begin_rev(vc, cs->revision);
	for (size_t i = 0; i < cs->n_events && !rc; i++) {
		Clubcrm__Event *ev = cs->events[i];
		if (ev->record_case == CLUBCRM__EVENT__RECORD_TASK)
			rc = on_task_event(vc, ev);
		else
			rc = on_catalogue_event(vc, ev);
	}
	struct view_commit_priv *p = vc->priv;
	for (size_t i = 0; i < p->n_customers && !rc; i++)
		rc = affected_by_customer(vc, p->customers[i]);
	if (!rc)
		rc = affected_by_catalogue(vc);
	if (!rc)
		rc = encode_catalog(vc);
	return rc;
}

/* load_changeset() with the memory of what rows showed (views_memo.c). */
static int load_remembered(struct store *st, struct view_commit *vc,
			   const Clubcrm__ChangeSet *cs)
{
	struct view_commit_priv *p = vc->priv;
	views_memo_begin(p->memo, st, &p->txn, cs->revision);
	int rc = load_changeset(vc, cs);
	views_memo_end(p->memo, &p->txn, cs->revision, rc);
	return rc;
}

int views_commit_load_batch(struct store *st, struct views_memo *memo,
			    const Clubcrm__ChangeSet *const *sets, size_t n,
			    int64_t now, struct view_commit *vc)
{
	int rc = priv_open(st, memo, vc, now);
	uint64_t last = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (sets[i]) {
			rc = load_remembered(st, vc, sets[i]);
			last = sets[i]->revision;
		}
	if (vc->priv)
		views_memo_resume(memo, st, &vc->priv->txn, last, rc);
	return rc;
}

int views_commit_load(struct store *st, struct views_memo *memo,
		      const uint8_t *changeset, size_t len, int64_t now,
		      struct view_commit *vc)
{
	int rc = priv_open(st, memo, vc, now);
	if (rc || !len)
		return rc;
	Clubcrm__ChangeSet *cs = clubcrm__change_set__unpack(
		arena_pb(&vc->priv->arena), len, changeset);
	if (!cs)
		return -EIO;
	rc = load_remembered(st, vc, cs);
	views_memo_resume(memo, st, &vc->priv->txn, cs->revision, rc);
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
		     int64_t to, scan_fn fn, int64_t arg)
{
	uint8_t start[8], end[8];
	key_time(start, from);
	key_time(end, to);
	return scan_index(vc, db, start, end, 16, fn, arg);
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
	int rc = views_build_row(&p->txn, &p->arena, &p->cache,
				 from, p->escalation, task, &before);
	if (!rc)
		rc = views_build_row(&p->txn, &p->arena, &p->cache,
				     vc->now, p->escalation,
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
	int rc = views_build_row(&p->txn, &p->arena, &p->cache,
				 vc->now, p->escalation, task, &after);
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
		    uint64_t revision, struct view_commit *vc)
{
	int rc = priv_open(st, NULL, vc, to);
	if (!rc)
		rc = begin_rev(vc, revision ? revision
					    : txn_revision(&vc->priv->txn));
	if (rc || from >= to)
		return rc;
	struct view_commit_priv *p = vc->priv;
	rc = scan_time(vc, DB_BY_PLANNED, from, to, on_due, from);
	if (!rc && p->escalation) {
		/* Escalated once created + wait <= now: the flips in
		 * (from, to], so that the rows are those of time `to`. */
		int64_t wait = (int64_t)p->escalation * 60;
		rc = scan_time(vc, DB_BY_CREATED, from - wait + 1,
			       to - wait + 1, on_escalation, 0);
	}
	return rc;
}

static bool changed_in_batch(const struct view_commit *vc, uint64_t id)
{
	for (size_t i = 0; i < vc->n_changes; i++)
		if (vc->changes[i].after->task->id == id)
			return true;
	return false;
}

/* An open urgent row whose escalated flag flips from `before` minutes to
 * the commit's setting: a change (its image before, with the old flag). */
static int escalation_flip(struct view_commit *vc, Clubcrm__Task *task,
			   int64_t before)
{
	struct view_commit_priv *p = vc->priv;
	if (!planned_task(task) || task->taken_by ||
	    changed_in_batch(vc, task->id))
		return 0;
	Clubcrm__TaskRow *after, *was;
	int rc = views_build_row(&p->txn, &p->arena, &p->cache, vc->now,
				 p->escalation, task, &after);
	if (rc)
		return rc;
	if (after->escalated ==
	    task_row_is_escalated(after, (uint32_t)before, vc->now))
		return 0;
	was = arena_alloc(&p->arena, sizeof(*was));
	if (!was)
		return -ENOMEM;
	*was = *after;
	was->escalated = !after->escalated;
	return add_change(vc, was, after, false);
}

int views_commit_escalation(struct view_commit *vc, uint32_t before)
{
	struct view_commit_priv *p = vc->priv;
	if (!p || !vc->n_revs || before == p->escalation)
		return 0;
	return scan_tasks(vc, escalation_flip, before);
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

int views_match(struct view_commit *vc, const Clubcrm__View *v,
		struct view_match *m)
{
	struct view_commit_priv *p = vc->priv;
	memset(m, 0, sizeof(*m));
	if (v->kind == CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG) {
		m->catalog = true;
		return 0;
	}
	if (!vc->n_changes)
		return 0;
	m->what = malloc(vc->n_changes);
	if (!m->what)
		return -ENOMEM;
	unsigned vdeps = view_deps(v);
	for (size_t r = 0; r < vc->n_revs; r++) {
		const struct view_rev *rv = &vc->revs[r];
		unsigned deps = rv->deps & vdeps;
		for (size_t i = rv->first; i < rv->first + rv->n; i++) {
			const struct view_change *ch = &vc->changes[i];
			bool now_in = task_view_matches(v, ch->after, &p->env);
			bool was_in =
				!now_in &&
				(ch->before
					 ? task_view_matches(v, ch->before,
							     &p->env)
					 : ch->catalogue && deps);
			m->what[i] = now_in   ? VIEW_TAKE_UPSERT
				     : was_in ? VIEW_TAKE_REMOVE
					      : VIEW_TAKE_NONE;
		}
	}
	return 0;
}

void views_match_free(struct view_match *m)
{
	free(m->what);
	memset(m, 0, sizeof(*m));
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Bytes of a length-delimited field (one-byte tag) carrying `n` bytes. */
static size_t field_len(size_t n)
{
	return 1 + varint_len(n) + n;
}

/* The size of revision `r`'s Delta for the view (0: it takes nothing). */
static size_t delta_size(const struct view_commit *vc,
			 const struct view_match *m, const struct view_rev *r,
			 uint32_t sub_id)
{
	size_t body = 0;
	if (m->catalog) {
		if (r->catalog_bytes.len)
			body += field_len(r->catalog_bytes.len);
		body += r->customer_bytes.len;
	} else {
		for (size_t i = r->first; i < r->first + r->n; i++) {
			const struct view_change *ch = &vc->changes[i];
			if (m->what[i] == VIEW_TAKE_UPSERT)
				body += field_len(ch->len);
			else if (m->what[i] == VIEW_TAKE_REMOVE)
				body += 1 + varint_len(ch->after->task->id);
		}
	}
	if (!body)
		return 0;
	return 1 + varint_len(sub_id) + 1 + varint_len(r->revision) + body;
}

int views_delta_append_rev(const struct view_commit *vc,
			   const struct view_match *m, size_t rev,
			   uint32_t sub_id, struct buf *batch)
{
	const struct view_rev *r = &vc->revs[rev];
	size_t size = delta_size(vc, m, r, sub_id);
	if (!size)
		return 0;
	/* Written in place: the room is reserved, so no append reallocates. */
	int rc = buf_reserve(batch, field_len(size));
	if (!rc)
		rc = wire_tag(batch, 1, WIRE_LEN);
	if (!rc)
		rc = wire_varint(batch, size);
	if (!rc)
		rc = wire_uint(batch, 1, sub_id);
	if (!rc)
		rc = wire_uint(batch, 2, r->revision);
	if (rc)
		return rc;
	if (m->catalog) {
		if (r->catalog_bytes.len)
			wire_bytes(batch, 5, r->catalog_bytes.data,
				   r->catalog_bytes.len);
		buf_append(batch, r->customer_bytes.data, r->customer_bytes.len);
		return 1;
	}
	for (size_t i = r->first; i < r->first + r->n; i++) {
		const struct view_change *ch = &vc->changes[i];
		if (m->what[i] == VIEW_TAKE_UPSERT)
			wire_bytes(batch, 3, ch->bytes, ch->len);
		else if (m->what[i] == VIEW_TAKE_REMOVE)
			wire_uint(batch, 4, ch->after->task->id);
	}
	return 1;
}

int views_delta_append(struct view_commit *vc, const Clubcrm__View *v,
		       uint32_t sub_id, struct buf *batch)
{
	struct view_match m;
	int rc = views_match(vc, v, &m);
	int n = 0;
	for (size_t r = 0; r < vc->n_revs && rc >= 0; r++) {
		rc = views_delta_append_rev(vc, &m, r, sub_id, batch);
		n += rc > 0;
	}
	views_match_free(&m);
	return rc < 0 ? rc : n;
}
