/*
 * Shared by the live-view unit tests (test_views.c, test_views_clock.c):
 * a demo club in a temporary store, writes that keep their change sets,
 * snapshots and replays applied to id lists.
 */
#ifndef CLUBCRM_VIEWS_FIXTURE_H
#define CLUBCRM_VIEWS_FIXTURE_H

#include "domain_fixture.h"

#include "task_filter.h"
#include "views.h"
#include "wire.h"

#define PLANNED CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED

struct vfx {
	struct fx *fx;
	struct club c;
	struct views_memo *memo;   /* the fan-out's, as a server keeps it */
};

static int setup(void **state)
{
	struct vfx *v = calloc(1, sizeof(*v));
	v->fx = fx_open(64u << 20);
	fx_club(v->fx, &v->c);
	v->memo = views_memo_new();
	assert_non_null(v->memo);
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	struct vfx *v = *state;
	fx_close(v->fx);
	views_memo_free(v->memo);
	free(v);
	return 0;
}

static Clubcrm__View view_of(Clubcrm__ViewKind kind)
{
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = kind;
	return v;
}

#define VIEW(k) view_of(CLUBCRM__VIEW_KIND__VIEW_KIND_##k)

/* One write as its own batch, keeping its encoded change set. */
static Clubcrm__Frame *write_keep(struct fx *fx, struct actor who,
				  Clubcrm__Frame *req, struct buf *changes)
{
	struct service_write_op op = {.who = who, .req = req};
	req->has_request_id = 1;
	req->request_id = 9;
	assert_int_equal(service_write_batch(fx->st, &op, 1), 0);
	Clubcrm__Frame *f = fx_reply(fx, &op);
	fx_changes(&op, changes);
	service_write_op_free(&op);
	return f;
}

static uint64_t create_keep(struct vfx *v, uint64_t type, int64_t planned,
			    struct buf *changes)
{
	Clubcrm__CreateTask t = fx_new_task(&v->c, "Call back", planned);
	t.type_id = type;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(CREATE_TASK);
	f.create_task = &t;
	Clubcrm__Frame *r = write_keep(v->fx, fx_actor(v->c.ana, 1), &f, changes);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
	return r->task_reply->row->task->id;
}

static void take_keep(struct vfx *v, uint64_t id, uint64_t who,
		      struct buf *changes)
{
	Clubcrm__TakeTask t = CLUBCRM__TAKE_TASK__INIT;
	t.has_id = 1;
	t.id = id;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(TAKE_TASK);
	f.take_task = &t;
	Clubcrm__Frame *r = write_keep(v->fx, fx_actor(who, 0), &f, changes);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
}

static void close_keep(struct vfx *v, uint64_t id, struct buf *changes)
{
	Clubcrm__CloseTask t = CLUBCRM__CLOSE_TASK__INIT;
	t.has_id = t.has_result_id = 1;
	t.id = id;
	t.result_id = v->c.positive;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(CLOSE_TASK);
	f.close_task = &t;
	Clubcrm__Frame *r = write_keep(v->fx, fx_actor(v->c.ana, 1), &f, changes);
	assert_int_equal(r->body_case, BODY(TASK_REPLY));
}

/* The next snapshot chunk, framed as the session does. */
static int snap_next(struct view_snapshot *s, uint32_t sub_id, struct buf *b)
{
	size_t mark;
	assert_int_equal(frame_push_open(b, BODY(SNAPSHOT_CHUNK),
					 views_snapshot_hint(s), &mark), 0);
	int more = views_snapshot_next(s, sub_id, b);
	if (more >= 0)
		assert_int_equal(frame_push_close(b, BODY(SNAPSHOT_CHUNK), mark),
				 0);
	else
		b->len = mark;
	return more;
}

/* A replay's DeltaBatch, framed as the session does. */
static int emit_deltas(void *ctx, const struct buf *batch)
{
	return frame_push(ctx, BODY(DELTAS), batch);
}

static Clubcrm__Delta *decode_batch(struct fx *fx, struct buf *batch)
{
	struct buf frame = {0};
	assert_int_equal(frame_push(&frame, BODY(DELTAS), batch), 0);
	Clubcrm__Frame *f = fx_decode(fx, &frame);
	buf_free(&frame);
	assert_int_equal(f->body_case, BODY(DELTAS));
	assert_int_equal(f->deltas->n_deltas, 1);
	return f->deltas->deltas[0];
}

/* The Delta a view gets from a commit, or NULL when it gets none. */
static Clubcrm__Delta *delta_of(struct fx *fx, struct view_commit *vc,
				const Clubcrm__View *view)
{
	struct buf batch = {0};
	int rc = views_delta_append(vc, view, 5, &batch);
	assert_true(rc >= 0);
	Clubcrm__Delta *d = rc ? decode_batch(fx, &batch) : NULL;
	buf_free(&batch);
	if (d)
		assert_int_equal(d->sub_id, 5);
	return d;
}

/* As the fan-out loads a commit, with v's memory of the catalogue. */
static Clubcrm__Delta *commit_delta(struct vfx *v, struct buf *changes,
				    const Clubcrm__View *view)
{
	struct view_commit vc;
	assert_int_equal(views_commit_load(v->fx->st, v->memo, changes->data,
					   changes->len, FX_NOW, &vc), 0);
	Clubcrm__Delta *d = delta_of(v->fx, &vc, view);
	views_commit_free(&vc);
	return d;
}

struct idlist {
	uint64_t ids[256];
	size_t n;
};

static bool idlist_has(const struct idlist *l, uint64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ids[i] == id)
			return true;
	return false;
}

static void idlist_remove(struct idlist *l, uint64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ids[i] == id)
			l->ids[i] = l->ids[--l->n];
}

/* Reads a whole snapshot; returns its revision. */
static uint64_t snapshot(struct fx *fx, const Clubcrm__View *view, int64_t now,
			 struct idlist *out, Clubcrm__SnapshotChunk **first)
{
	struct view_snapshot *s;
	assert_int_equal(views_snapshot_begin(fx->st, view, now, &s), 0);
	uint64_t rev = views_snapshot_revision(s);
	out->n = 0;
	int more;
	do {
		struct buf b = {0};
		more = snap_next(s, 3, &b);
		assert_true(more >= 0);
		Clubcrm__Frame *f = fx_decode(fx, &b);
		buf_free(&b);
		assert_int_equal(f->body_case, BODY(SNAPSHOT_CHUNK));
		assert_int_equal(f->snapshot_chunk->sub_id, 3);
		if (first && !*first)
			*first = f->snapshot_chunk;
		for (size_t i = 0; i < f->snapshot_chunk->n_rows; i++)
			out->ids[out->n++] = f->snapshot_chunk->rows[i]->task->id;
	} while (more == 1);
	views_snapshot_end(s);
	return rev;
}

/* Applies a replay at time `now` to the ids held; the last row sent for
 * `watch` (if any) into *row. The bytes of the replay. */
static size_t replay_at(struct fx *fx, const Clubcrm__View *view,
			uint64_t since, int64_t now, struct idlist *held,
			uint64_t watch, const Clubcrm__TaskRow **row)
{
	struct buf out = {0};
	uint64_t rev = 0;
	assert_int_equal(views_replay(fx->st, view, 4, since, now, emit_deltas,
				      &out, &rev), 0);
	assert_true(rev >= since);
	size_t off = 0;
	while (off < out.len) {
		uint32_t len = (uint32_t)out.data[off] << 24 |
			       (uint32_t)out.data[off + 1] << 16 |
			       (uint32_t)out.data[off + 2] << 8 | out.data[off + 3];
		Clubcrm__Frame *f = frame_decode(out.data + off + 4, len,
						 arena_pb(&fx->a));
		assert_non_null(f);
		assert_int_equal(f->body_case, BODY(DELTAS));
		for (size_t i = 0; i < f->deltas->n_deltas; i++) {
			Clubcrm__Delta *d = f->deltas->deltas[i];
			for (size_t j = 0; j < d->n_upserts; j++) {
				uint64_t id = d->upserts[j]->task->id;
				if (!idlist_has(held, id))
					held->ids[held->n++] = id;
				if (row && id == watch)
					*row = d->upserts[j];
			}
			for (size_t j = 0; j < d->n_removed_ids; j++)
				idlist_remove(held, d->removed_ids[j]);
		}
		off += 4 + len;
	}
	size_t bytes = out.len;
	buf_free(&out);
	return bytes;
}

static void replay_into(struct fx *fx, const Clubcrm__View *view,
			uint64_t since, struct idlist *held)
{
	replay_at(fx, view, since, FX_NOW, held, 0, NULL);
}

static void assert_same_ids(const struct idlist *a, const struct idlist *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_true(idlist_has(b, a->ids[i]));
}

#endif
