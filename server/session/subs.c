#include "subs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "log.h"
#include "session.h"
#include "session_out.h"
#include "server.h"
#include "service.h"
#include "status.h"
#include "task_filter.h"
#include "timeutil.h"
#include "views.h"

static struct conn_subs *subs_of(struct session *c)
{
	return &c->subs;
}

static void send_subscribed(struct session *c, uint64_t request_id,
			    uint32_t sub_id, bool resumed, uint64_t revision)
{
	Clubcrm__Subscribed s = CLUBCRM__SUBSCRIBED__INIT;
	s.has_sub_id = s.has_resumed = s.has_revision = 1;
	s.sub_id = sub_id;
	s.resumed = resumed;
	s.revision = revision;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = request_id;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBED;
	f.subscribed = &s;
	session_send_frame(c, &f);
}

static struct sub *find_sub(struct conn_subs *cs, uint32_t id, struct sub ***link)
{
	for (struct sub **p = &cs->head; *p; p = &(*p)->next) {
		if ((*p)->id == id) {
			if (link)
				*link = p;
			return *p;
		}
	}
	return NULL;
}

void subs_spare_fini(struct subs_spare *sp)
{
	for (unsigned i = 0; i < sp->n; i++)
		buf_free(&sp->b[i]);
	sp->n = 0;
}

void subs_buf_written(struct server *srv, struct buf *b)
{
	struct subs_spare *sp = &srv->spare;
	/* A chunk's buffer (see tasks_chunk()), or near enough. */
	if (sp->snapshots && sp->n < SUBS_SPARE_BUFS &&
	    b->cap >= VIEWS_CHUNK_BYTES && b->cap <= 4 * VIEWS_CHUNK_BYTES) {
		b->len = 0;
		sp->b[sp->n++] = *b;
		memset(b, 0, sizeof(*b));
		return;
	}
	buf_free(b);
}

static void snapshot_started(struct session *c)
{
	subs_of(c)->snapshots++;
	c->srv->spare.snapshots++;
}

/* The last snapshot of the server ended: its buffers go. */
static void snapshot_ended(struct session *c)
{
	subs_of(c)->snapshots--;
	if (--c->srv->spare.snapshots == 0)
		subs_spare_fini(&c->srv->spare);
}

static void sub_free(struct session *c, struct sub *s)
{
	if (s->snap) {
		views_snapshot_end(s->snap);
		snapshot_ended(c);
	}
	if (s->done_waits)
		c->srv->fanout.done_waiting--;
	buf_free(&s->held);
	free(s->view_key);
	clubcrm__frame__free_unpacked(s->req, NULL);
	free(s);
}

static uint32_t hash_bytes(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;  /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The view, encoded, as the key that finds equal views at fan-out. */
static int set_view_key(struct sub *s)
{
	size_t len = clubcrm__view__get_packed_size(s->view);
	s->view_key = malloc(len ? len : 1);
	if (!s->view_key)
		return -ENOMEM;
	s->view_key_len = clubcrm__view__pack(s->view, s->view_key);
	s->view_hash = hash_bytes(s->view_key, s->view_key_len);
	return 0;
}

/* Checks a Subscribe; an error message, or NULL when it may go ahead. */
static const char *check_subscribe(struct conn_subs *cs,
				   const Clubcrm__Subscribe *in, unsigned *code)
{
	*code = STATUS_INVALID_ARGUMENT;
	if (!in || !in->has_sub_id || in->sub_id == 0)
		return "sub_id is required (non-zero)";
	const char *why = task_view_check(in->view);
	if (why)
		return why;
	if (find_sub(cs, in->sub_id, NULL)) {
		*code = STATUS_ALREADY_EXISTS;
		return "sub_id already in use on this connection";
	}
	if (cs->count >= SUBS_MAX_PER_CONN) {
		*code = STATUS_RESOURCE_EXHAUSTED;
		return "too many subscriptions on this connection (32)";
	}
	return NULL;
}

/* A replay's DeltaBatch, framed into the buffer of frames (ctx). */
static int frame_deltas(void *ctx, const struct buf *batch)
{
	return frame_push(ctx, CLUBCRM__FRAME__BODY_DELTAS, batch);
}

/* Answers from the change log; false when a snapshot must answer. */
static bool try_resume(struct session *c, struct sub *s, uint64_t request_id,
		       uint64_t since)
{
	struct buf frames = {0};
	uint64_t rev = 0;
	int64_t now = time_now();
	int rc = views_replay(c->srv->store, s->view, s->id, since, now,
			      frame_deltas, &frames, &rev);
	if (rc) {
		buf_free(&frames);
		if (rc != -ESTALE)
			log_warn("replay for conn %llu failed: %d",
				 (unsigned long long)c->t->id, rc);
		return false;
	}
	/* The replay goes out at once: past what the connection may queue it
	 * would drop the terminal, and again on every retry. A snapshot
	 * streams as the connection drains instead. */
	if (frames.len > session_output_soft_limit(c)) {
		buf_free(&frames);
		return false;
	}
	s->base_rev = rev;
	s->base_time = now;
	send_subscribed(c, request_id, s->id, true, rev);
	session_send_buf(c, &frames);
	return true;
}

void subs_subscribe(struct session *c, Clubcrm__Frame *req)
{
	struct conn_subs *cs = subs_of(c);
	const Clubcrm__Subscribe *in = req->subscribe;
	unsigned code;
	const char *err = check_subscribe(cs, in, &code);
	if (err) {
		session_send_error(c, req->request_id, code, err);
		clubcrm__frame__free_unpacked(req, NULL);
		return;
	}
	struct sub *s = calloc(1, sizeof(*s));
	if (!s) {
		session_send_error(c, req->request_id,
				   STATUS_RESOURCE_EXHAUSTED, "out of memory");
		clubcrm__frame__free_unpacked(req, NULL);
		return;
	}
	s->id = in->sub_id;
	s->req = req;
	s->view = in->view;
	if (set_view_key(s) < 0) {
		session_send_error(c, req->request_id,
				   STATUS_RESOURCE_EXHAUSTED, "out of memory");
		sub_free(c, s);
		return;
	}
	s->next = cs->head;
	cs->head = s;
	cs->count++;
	if (in->has_since_revision &&
	    try_resume(c, s, req->request_id, in->since_revision))
		return;
	s->base_time = time_now();
	int rc = views_snapshot_begin(c->srv->store, s->view, s->base_time,
				      &s->snap);
	if (rc) {
		cs->head = s->next;
		cs->count--;
		s->snap = NULL;
		sub_free(c, s);
		session_send_error(c, req->request_id, STATUS_UNAVAILABLE,
			   "cannot read the view now; try again");
		return;
	}
	snapshot_started(c);
	/* Chunks are built while the output is under the soft limit: one of
	 * at most that size never takes it past the bound. */
	views_snapshot_limit(s->snap, session_output_soft_limit(c));
	s->base_rev = views_snapshot_revision(s->snap);
	send_subscribed(c, req->request_id, s->id, false, s->base_rev);
	subs_pump(c);
}

void subs_unsubscribe(struct session *c, Clubcrm__Frame *req)
{
	struct conn_subs *cs = subs_of(c);
	const Clubcrm__Unsubscribe *in = req->unsubscribe;
	struct sub **link;
	struct sub *s = in && in->has_sub_id ? find_sub(cs, in->sub_id, &link)
					     : NULL;
	if (!s) {
		session_send_error(c, req->request_id, STATUS_NOT_FOUND,
			   "no such subscription on this connection");
	} else {
		*link = s->next;
		cs->count--;
		send_subscribed(c, req->request_id, s->id, false, s->base_rev);
		sub_free(c, s);
	}
	clubcrm__frame__free_unpacked(req, NULL);
}

/* The next chunk of the snapshot, framed in place: 1 more follow, 0 the
 * last, or -errno. */
static int snapshot_chunk(struct sub *s, struct buf *chunk)
{
	const unsigned field = CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK;
	size_t mark;
	int rc = frame_push_open(chunk, field, views_snapshot_hint(s->snap),
				 &mark);
	if (rc)
		return rc;
	int more = views_snapshot_next(s->snap, s->id, chunk);
	if (more >= 0 && frame_push_body(chunk, field, mark) == 0) {
		chunk->len = mark;  /* nothing more to send */
		return more;
	}
	if (more >= 0 && (rc = frame_push_close(chunk, field, mark)) == 0)
		return more;
	chunk->len = mark;
	return more < 0 ? more : rc;
}

/* SnapshotDone, then the deltas the snapshot held. */
static void send_done(struct session *c, struct sub *s)
{
	Clubcrm__SnapshotDone d = CLUBCRM__SNAPSHOT_DONE__INIT;
	d.has_sub_id = d.has_revision = 1;
	d.sub_id = s->id;
	d.revision = s->base_rev;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_DONE;
	f.snapshot_done = &d;
	struct buf out = {0};
	int rc = frame_encode(&f, &out);
	if (!rc && s->held.len)
		rc = frame_push(&out, CLUBCRM__FRAME__BODY_DELTAS, &s->held);
	buf_free(&s->held);
	if (rc) {
		buf_free(&out);
		session_close(c);
		return;
	}
	session_send_buf(c, &out);
}

/* The snapshot's rows are all sent: its SnapshotDone now, or once its
 * revision is durable. */
static void finish_snapshot(struct session *c, struct sub *s)
{
	views_snapshot_end(s->snap);
	s->snap = NULL;
	snapshot_ended(c);
	if (s->base_rev <= c->srv->writer.durable_revision) {
		send_done(c, s);
		return;
	}
	s->done_waits = true;
	c->srv->fanout.done_waiting++;
}

void subs_durable(struct server *srv, uint64_t rev)
{
	if (!srv->fanout.done_waiting)
		return;
	struct session *next;
	for (struct session *c = srv->sessions; c; c = next) {
		next = c->next;  /* send_done may close it */
		for (struct sub *s = subs_of(c)->head; s; s = s->next) {
			if (!s->done_waits || s->base_rev > rev)
				continue;
			s->done_waits = false;
			srv->fanout.done_waiting--;
			if (c->t->closing)
				break;
			send_done(c, s);
		}
	}
}

void subs_pump(struct session *c)
{
	struct conn_subs *cs = subs_of(c);
	for (struct sub *s = cs->head; s && cs->snapshots; s = s->next) {
		while (s->snap && !c->t->closing &&
		       session_output_bytes(c) < session_output_soft_limit(c)) {
			struct buf chunk = {0};
			struct subs_spare *sp = &c->srv->spare;
			if (sp->n)
				chunk = sp->b[--sp->n];
			int more = snapshot_chunk(s, &chunk);
			if (more < 0) {
				log_warn("snapshot for conn %llu failed: %d",
					 (unsigned long long)c->t->id, more);
				buf_free(&chunk);
				session_goaway(c, STATUS_INTERNAL,
					    "cannot read the view");
				return;
			}
			if (session_send_buf(c, &chunk) < 0)
				return;  /* dropped */
			if (more == 0)
				finish_snapshot(c, s);
			else
				/* Nothing on its way to the peer (else the
				 * flush waits for that write): this chunk
				 * goes now, and the peer reads it while the
				 * next ones are built. Filling the output
				 * bound before the loop pass's flush kept the
				 * peer waiting for the first 2 MiB. */
				session_flush(c);
		}
	}
}

void subs_fini(struct session *c)
{
	struct conn_subs *cs = subs_of(c);
	while (cs->head) {
		struct sub *s = cs->head;
		cs->head = s->next;
		sub_free(c, s);
	}
	cs->count = 0;
}

/* ------------------------------------------------------------ fan-out */

/* A distinct view among the subscriptions, and what it takes from the
 * commit being fanned out. */
struct subs_group {
	const uint8_t *key;
	size_t key_len;
	uint32_t hash;
	struct view_match m;
};

void subs_fanout_fini(struct subs_fanout *f)
{
	if (f->has_loaded)
		views_commit_free(&f->loaded);
	for (size_t i = 0; i < f->n_groups; i++)
		views_match_free(&f->groups[i].m);
	free(f->groups);
	for (size_t i = 0; i < SUBS_FRAME_CACHE; i++) {
		free(f->frames[i].parts);
		buf_free(&f->frames[i].body);
	}
	free(f->want.parts);
	free(f->sets);
	views_memo_free(f->memo);
	memset(f, 0, sizeof(*f));
}

/* Forgets the commit's groups and frames, keeping their memory. */
static void fanout_reset(struct subs_fanout *f)
{
	for (size_t i = 0; i < f->n_groups; i++)
		views_match_free(&f->groups[i].m);
	f->n_groups = 0;
	f->n_frames = f->next_frame = 0;
	/* A burst's frame may have been large: do not keep that forever. */
	for (size_t i = 0; i < SUBS_FRAME_CACHE; i++)
		if (f->frames[i].body.cap > SUBS_FRAME_KEEP)
			buf_free(&f->frames[i].body);
}

/* The group of the subscription's view (matched against the commit when
 * it is the first of its kind), or -ENOMEM. */
static int group_of(struct subs_fanout *f, struct view_commit *vc,
		    const struct sub *s)
{
	for (size_t i = 0; i < f->n_groups; i++) {
		const struct subs_group *g = &f->groups[i];
		if (g->hash == s->view_hash && g->key_len == s->view_key_len &&
		    !memcmp(g->key, s->view_key, g->key_len))
			return (int)i;
	}
	if (f->n_groups == f->cap_groups) {
		size_t cap = f->cap_groups ? f->cap_groups * 2 : 8;
		struct subs_group *arr = realloc(f->groups, cap * sizeof(*arr));
		if (!arr)
			return -ENOMEM;
		f->groups = arr;
		f->cap_groups = cap;
	}
	struct subs_group *g = &f->groups[f->n_groups];
	/* The key stays valid through the fan-out: a connection dropped on
	 * the way keeps its subscriptions until its handles' close callbacks
	 * (conn_free), after this loop pass. */
	*g = (struct subs_group){
		.key = s->view_key, .key_len = s->view_key_len, .hash = s->view_hash};
	int rc = views_match(vc, s->view, &g->m);
	if (rc)
		return rc;
	return (int)f->n_groups++;
}

static int add_part(struct subs_frame *fr, struct subs_part part)
{
	if (fr->n_parts == fr->cap_parts) {
		size_t cap = fr->cap_parts ? fr->cap_parts * 2 : 8;
		struct subs_part *arr = realloc(fr->parts, cap * sizeof(*arr));
		if (!arr)
			return -ENOMEM;
		fr->parts = arr;
		fr->cap_parts = cap;
	}
	fr->parts[fr->n_parts++] = part;
	return 0;
}

/*
 * The first revision of the commit the subscription does not have yet. The
 * clock's changes are rows as of its time: one whose rows were built at or
 * after it has them (one built within the tick's span gets them again).
 */
static uint32_t first_new_rev(const struct view_commit *vc,
			      const struct sub *s, bool clocked)
{
	if (clocked)
		return s->base_time >= vc->now ? (uint32_t)vc->n_revs : 0;
	uint32_t r = 0;
	while (r < vc->n_revs && vc->revs[r].revision <= s->base_rev)
		r++;
	return r;
}

/*
 * The connection's parts into f->want. A subscription still streaming its
 * snapshot gets its deltas held (in revision order) instead. 0, -ENOBUFS
 * when held deltas overflowed (the connection is closed), or -ENOMEM.
 */
static int collect_parts(struct server *srv, struct session *c,
			 struct view_commit *vc, bool clocked)
{
	struct subs_fanout *f = &srv->fanout;
	f->want.n_parts = 0;
	for (struct sub *s = subs_of(c)->head; s; s = s->next) {
		uint32_t from = first_new_rev(vc, s, clocked);
		if (from == vc->n_revs)
			continue;  /* already in its snapshot or replay */
		int g = group_of(f, vc, s);
		if (g < 0)
			return g;
		if (!s->snap && !s->done_waits) {
			int rc = add_part(&f->want, (struct subs_part){
				.sub_id = s->id, .group = (uint32_t)g,
				.from_rev = from});
			if (rc)
				return rc;
			continue;
		}
		for (size_t r = from; r < vc->n_revs; r++) {
			int rc = views_delta_append_rev(
				vc, &f->groups[g].m, r, s->id, &s->held);
			if (rc < 0)
				return rc;
		}
		if (s->held.len > srv->cfg->max_output) {
			log_warn("conn %llu: dropped: deltas held for a snapshot "
				 "it does not read",
				 (unsigned long long)c->t->id);
			session_abort(c);
			return -ENOBUFS;
		}
	}
	return 0;
}

static bool same_parts(const struct subs_frame *a, const struct subs_frame *b)
{
	return a->n_parts == b->n_parts &&
	       !memcmp(a->parts, b->parts, a->n_parts * sizeof(*a->parts));
}

/* Builds the DeltaBatch body for f->want into a frame of the cache. */
static struct subs_frame *build_frame(struct subs_fanout *f,
				      const struct view_commit *vc, int *rc)
{
	struct subs_frame *fr = &f->frames[f->next_frame];
	f->next_frame = (f->next_frame + 1) % SUBS_FRAME_CACHE;
	if (f->n_frames < SUBS_FRAME_CACHE)
		f->n_frames++;
	fr->n_parts = 0;
	fr->body.len = 0;
	*rc = 0;
	for (size_t i = 0; i < f->want.n_parts && !*rc; i++)
		*rc = add_part(fr, f->want.parts[i]);
	/* Revision-major: all of one revision's deltas, then the next's. */
	for (size_t r = 0; r < vc->n_revs && !*rc; r++) {
		for (size_t i = 0; i < fr->n_parts; i++) {
			const struct subs_part *p = &fr->parts[i];
			if (r < p->from_rev)
				continue;
			int arc = views_delta_append_rev(
				vc, &f->groups[p->group].m, r, p->sub_id,
				&fr->body);
			if (arc < 0) {
				*rc = arc;
				break;
			}
		}
	}
	if (*rc) {
		fr->n_parts = 0;  /* not reusable */
		fr->body.len = 0;
	}
	return fr;
}

/*
 * One connection's share of a commit: one frame for all its views. The
 * frame is built once for every connection with the same subscriptions and
 * copied once, into the connection's output.
 */
static void fan_out_conn(struct server *srv, struct session *c,
			 struct view_commit *vc, bool clocked)
{
	struct subs_fanout *f = &srv->fanout;
	int rc = collect_parts(srv, c, vc, clocked);
	if (rc == -ENOBUFS)
		return;
	if (!rc && !f->want.n_parts)
		return;
	struct subs_frame *fr = NULL;
	for (size_t i = 0; !rc && i < f->n_frames && !fr; i++)
		if (same_parts(&f->frames[i], &f->want))
			fr = &f->frames[i];
	if (!rc && !fr)
		fr = build_frame(f, vc, &rc);
	if (rc < 0) {
		session_goaway(c, STATUS_INTERNAL, "cannot build a live update");
		return;
	}
	if (!fr || !fr->body.len)
		return;
	uint8_t head[FRAME_PUSH_HEAD_MAX];
	size_t head_len = frame_push_head(CLUBCRM__FRAME__BODY_DELTAS,
					  fr->body.len, head);
	session_send_copy(c, head, head_len, fr->body.data, fr->body.len);
}

static bool anyone_subscribed(const struct server *srv)
{
	for (const struct session *c = srv->sessions; c; c = c->next)
		if (c->subs.count)
			return true;
	return false;
}

static void fan_out(struct server *srv, struct view_commit *vc, bool clocked)
{
	struct session *next;
	for (struct session *c = srv->sessions; c; c = next) {
		next = c->next;  /* a slow consumer may be dropped on the way */
		if (c->subs.count && !c->t->closing)
			fan_out_conn(srv, c, vc, clocked);
	}
	fanout_reset(&srv->fanout);
}

void subs_commit_load(struct server *srv, const struct service_write_op *ops,
		      size_t n)
{
	struct subs_fanout *f = &srv->fanout;
	if (f->has_loaded)
		subs_commit_send(srv);  /* never left over; but never twice */
	uint64_t last = 0;
	for (size_t i = 0; i < n; i++)
		if (ops[i].revision > last)
			last = ops[i].revision;
	if (!n)
		return;
	/* The time-driven changes up to now go before this commit's deltas:
	 * whoever gets revision `last` has the clock up to its commit. */
	subs_clock(srv, time_now());
	if (!anyone_subscribed(srv)) {
		/* Nothing to send; what later deltas start from moves on. */
		uint64_t rev;
		uint32_t minutes;
		if (views_live_state(srv->store, f->memo, &rev, &minutes) == 0)
			f->escalation = minutes;
		f->sent_rev = last;
		return;
	}
	if (f->cap_sets < n) {
		const Clubcrm__ChangeSet **sets =
			realloc(f->sets, n * sizeof(*sets));
		if (!sets) {
			log_error("live views: out of memory for a commit: "
				  "subscribers will catch up when they resume");
			return;
		}
		f->sets = sets;
		f->cap_sets = n;
	}
	for (size_t i = 0; i < n; i++)
		f->sets[i] = ops[i].changes;
	int rc = views_commit_load_batch(srv->store, f->memo, f->sets, n,
					 time_now(), &f->loaded);
	if (!rc && f->loaded.settings_changed)
		rc = views_commit_escalation(&f->loaded, f->escalation);
	if (rc) {
		log_error("live views: cannot load a commit (%d): subscribers "
			  "will catch up when they resume", rc);
		views_commit_free(&f->loaded);
		return;
	}
	f->escalation = f->loaded.escalation_minutes;
	f->loaded_rev = last;
	f->has_loaded = true;
}

void subs_commit_send(struct server *srv)
{
	struct subs_fanout *f = &srv->fanout;
	if (!f->has_loaded)
		return;
	f->has_loaded = false;
	if (f->loaded.n_revs)
		fan_out(srv, &f->loaded, false);
	views_commit_free(&f->loaded);
	f->sent_rev = f->loaded_rev;
}

static int reminder_frame(const Clubcrm__TaskRow *row, struct buf *out)
{
	Clubcrm__Reminder r = CLUBCRM__REMINDER__INIT;
	r.row = (Clubcrm__TaskRow *)row;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_REMINDER;
	f.reminder = &r;
	return frame_encode(&f, out);
}

static void remind(struct server *srv, const struct view_commit *vc)
{
	for (size_t i = 0; i < vc->n_due; i++) {
		const Clubcrm__TaskRow *row = vc->due[i];
		struct buf frame = {0};
		struct session *next;
		for (struct session *c = srv->sessions; c; c = next) {
			next = c->next;
			if (c->t->closing || c->state != SESSION_READY ||
			    c->who.operator_id != row->task->operator_id)
				continue;
			if (!frame.len && reminder_frame(row, &frame))
				break;
			session_send_copy(c, frame.data, frame.len, NULL, 0);
		}
		buf_free(&frame);
	}
}

int subs_start(struct server *srv)
{
	struct subs_fanout *f = &srv->fanout;
	if (!f->memo)
		f->memo = views_memo_new();
	if (!f->memo)
		return -ENOMEM;
	return views_live_state(srv->store, f->memo, &f->sent_rev,
				&f->escalation);
}

void subs_clock(struct server *srv, int64_t now)
{
	int64_t from = srv->clock_at;
	if (now <= from)
		return;
	srv->clock_at = now;
	if (!srv->sessions)
		return;
	struct view_commit vc;
	int rc = views_tick_load(srv->store, from, now, srv->fanout.sent_rev,
				 &vc);
	if (rc) {
		log_error("live views: clock update failed (%d)", rc);
	} else if (vc.n_changes) {
		fan_out(srv, &vc, true);
		remind(srv, &vc);
	}
	views_commit_free(&vc);
}

bool subs_store_quiet(const struct server *srv)
{
	for (const struct session *c = srv->sessions; c; c = c->next)
		if (c->subs.snapshots)
			return false;
	return true;
}

void subs_release_store(struct server *srv)
{
	struct session *next;
	for (struct session *c = srv->sessions; c; c = next) {
		next = c->next;
		if (!c->subs.snapshots)
			continue;
		subs_fini(c);
		session_goaway(c, STATUS_UNAVAILABLE,
			    "the server is growing its database; resubscribe");
	}
}
