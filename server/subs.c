#include "subs.h"

#include <errno.h>
#include <stdlib.h>

#include "conn.h"
#include "frame.h"
#include "log.h"
#include "server.h"
#include "service.h"
#include "status.h"
#include "task_filter.h"
#include "timeutil.h"
#include "views.h"

static struct conn_subs *subs_of(struct conn *c)
{
	return &c->sess.subs;
}

static void send_error(struct conn *c, uint64_t request_id, unsigned code,
		       const char *msg)
{
	struct buf b = {0};
	if (service_error(&b, request_id, code, msg) == 0)
		conn_send_buf(c, &b);
	buf_free(&b);
}

static void send_subscribed(struct conn *c, uint64_t request_id,
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
	conn_send_frame(c, &f);
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

static void sub_free(struct conn_subs *cs, struct sub *s)
{
	if (s->snap) {
		views_snapshot_end(s->snap);
		cs->snapshots--;
	}
	buf_free(&s->held);
	clubcrm__frame__free_unpacked(s->req, NULL);
	free(s);
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

/* Answers from the change log; false when a snapshot must answer. */
static bool try_resume(struct conn *c, struct sub *s, uint64_t request_id,
		       uint64_t since)
{
	struct buf frames = {0};
	uint64_t rev = 0;
	int rc = views_replay(c->srv->store, s->view, s->id, since, time_now(),
			      &frames, &rev);
	if (rc) {
		buf_free(&frames);
		if (rc != -ESTALE)
			log_warn("replay for conn %llu failed: %d",
				 (unsigned long long)c->id, rc);
		return false;
	}
	s->base_rev = rev;
	send_subscribed(c, request_id, s->id, true, rev);
	conn_send_buf(c, &frames);
	return true;
}

void subs_subscribe(struct conn *c, Clubcrm__Frame *req)
{
	struct conn_subs *cs = subs_of(c);
	const Clubcrm__Subscribe *in = req->subscribe;
	unsigned code;
	const char *err = check_subscribe(cs, in, &code);
	if (err) {
		send_error(c, req->request_id, code, err);
		clubcrm__frame__free_unpacked(req, NULL);
		return;
	}
	struct sub *s = calloc(1, sizeof(*s));
	if (!s) {
		send_error(c, req->request_id, STATUS_RESOURCE_EXHAUSTED,
			   "out of memory");
		clubcrm__frame__free_unpacked(req, NULL);
		return;
	}
	s->id = in->sub_id;
	s->req = req;
	s->view = in->view;
	s->next = cs->head;
	cs->head = s;
	cs->count++;
	if (in->has_since_revision &&
	    try_resume(c, s, req->request_id, in->since_revision))
		return;
	int rc = views_snapshot_begin(c->srv->store, s->view, time_now(),
				      &s->snap);
	if (rc) {
		cs->head = s->next;
		cs->count--;
		s->snap = NULL;
		sub_free(cs, s);
		send_error(c, req->request_id, STATUS_UNAVAILABLE,
			   "cannot read the view now; try again");
		return;
	}
	cs->snapshots++;
	s->base_rev = views_snapshot_revision(s->snap);
	send_subscribed(c, req->request_id, s->id, false, s->base_rev);
	subs_pump(c);
}

void subs_unsubscribe(struct conn *c, Clubcrm__Frame *req)
{
	struct conn_subs *cs = subs_of(c);
	const Clubcrm__Unsubscribe *in = req->unsubscribe;
	struct sub **link;
	struct sub *s = in && in->has_sub_id ? find_sub(cs, in->sub_id, &link)
					     : NULL;
	if (!s) {
		send_error(c, req->request_id, STATUS_NOT_FOUND,
			   "no such subscription on this connection");
	} else {
		*link = s->next;
		cs->count--;
		send_subscribed(c, req->request_id, s->id, false, s->base_rev);
		sub_free(cs, s);
	}
	clubcrm__frame__free_unpacked(req, NULL);
}

/* The snapshot is complete: SnapshotDone, then the deltas it held. */
static void finish_snapshot(struct conn *c, struct sub *s)
{
	struct conn_subs *cs = subs_of(c);
	views_snapshot_end(s->snap);
	s->snap = NULL;
	cs->snapshots--;
	struct buf out = {0};
	int rc = views_snapshot_done(s->id, s->base_rev, &out);
	if (!rc && s->held.len)
		rc = views_batch_frame(&s->held, &out);
	buf_free(&s->held);
	if (rc) {
		buf_free(&out);
		conn_close(c);
		return;
	}
	conn_send_buf(c, &out);
}

void subs_pump(struct conn *c)
{
	struct conn_subs *cs = subs_of(c);
	for (struct sub *s = cs->head; s && cs->snapshots; s = s->next) {
		while (s->snap && !c->closing &&
		       conn_output_bytes(c) < conn_output_soft_limit(c)) {
			struct buf chunk = {0};
			int more = views_snapshot_next(s->snap, s->id, &chunk);
			if (more < 0) {
				log_warn("snapshot for conn %llu failed: %d",
					 (unsigned long long)c->id, more);
				buf_free(&chunk);
				conn_goaway(c, STATUS_INTERNAL,
					    "cannot read the view");
				return;
			}
			if (conn_send_buf(c, &chunk) < 0)
				return;  /* dropped */
			if (more == 0)
				finish_snapshot(c, s);
		}
	}
}

void subs_fini(struct conn *c)
{
	struct conn_subs *cs = subs_of(c);
	while (cs->head) {
		struct sub *s = cs->head;
		cs->head = s->next;
		sub_free(cs, s);
	}
	cs->count = 0;
}

/* One connection's share of a commit: one frame for all its views. */
static void fan_out_conn(struct conn *c, struct view_commit *vc, bool clocked)
{
	struct conn_subs *cs = subs_of(c);
	struct buf batch = {0};
	int rc = 0;
	for (struct sub *s = cs->head; s && rc >= 0; s = s->next) {
		if (!clocked && vc->revision <= s->base_rev)
			continue;  /* already in its snapshot or replay */
		rc = views_delta_append(vc, s->view, s->id,
					s->snap ? &s->held : &batch);
		if (rc >= 0 && s->snap &&
		    s->held.len > c->srv->cfg->max_output) {
			log_warn("conn %llu: dropped: deltas held for a snapshot "
				 "it does not read", (unsigned long long)c->id);
			conn_close(c);
			buf_free(&batch);
			return;
		}
	}
	struct buf frame = {0};
	if (rc >= 0 && batch.len)
		rc = views_batch_frame(&batch, &frame);
	buf_free(&batch);
	if (rc < 0) {
		buf_free(&frame);
		conn_goaway(c, STATUS_INTERNAL, "cannot build a live update");
		return;
	}
	conn_send_buf(c, &frame);
}

static bool anyone_subscribed(const struct server *srv)
{
	for (const struct conn *c = srv->conns; c; c = c->next)
		if (c->sess.subs.count)
			return true;
	return false;
}

static void fan_out(struct server *srv, struct view_commit *vc, bool clocked)
{
	struct conn *next;
	for (struct conn *c = srv->conns; c; c = next) {
		next = c->next;  /* a slow consumer may be dropped on the way */
		if (c->sess.subs.count && !c->closing)
			fan_out_conn(c, vc, clocked);
	}
}

void subs_on_commit(struct server *srv, const struct buf *changes)
{
	if (!changes->len || !anyone_subscribed(srv))
		return;
	struct view_commit vc;
	int rc = views_commit_load(srv->store, changes->data, changes->len,
				   time_now(), &vc);
	if (rc)
		log_error("live views: cannot load a commit (%d): subscribers "
			  "will catch up when they resume", rc);
	else
		fan_out(srv, &vc, false);
	views_commit_free(&vc);
}

static void remind(struct server *srv, const struct view_commit *vc)
{
	for (size_t i = 0; i < vc->n_due; i++) {
		const Clubcrm__TaskRow *row = vc->due[i];
		struct buf frame = {0};
		struct conn *next;
		for (struct conn *c = srv->conns; c; c = next) {
			next = c->next;
			if (c->closing || c->sess.state != SESSION_READY ||
			    c->sess.who.operator_id != row->task->operator_id)
				continue;
			if (!frame.len && views_reminder_frame(row, &frame))
				break;
			struct buf copy = {0};
			if (buf_append(&copy, frame.data, frame.len) == 0)
				conn_send_buf(c, &copy);
			buf_free(&copy);
		}
		buf_free(&frame);
	}
}

void subs_on_tick(struct server *srv, int64_t from, int64_t to)
{
	if (from >= to || !srv->conns)
		return;
	struct view_commit vc;
	int rc = views_tick_load(srv->store, from, to, &vc);
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
	for (const struct conn *c = srv->conns; c; c = c->next)
		if (c->sess.subs.snapshots)
			return false;
	return true;
}

void subs_release_store(struct server *srv)
{
	struct conn *next;
	for (struct conn *c = srv->conns; c; c = next) {
		next = c->next;
		if (!c->sess.subs.snapshots)
			continue;
		subs_fini(c);
		conn_goaway(c, STATUS_UNAVAILABLE,
			    "the server is growing its database; resubscribe");
	}
}
