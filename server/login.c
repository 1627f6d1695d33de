#include "login.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "log.h"
#include "server.h"
#include "service.h"
#include "status.h"

/* Longest login and password a Login may carry. */
#define LOGIN_ID_MAX 128
#define LOGIN_PASSWORD_MAX 1024

static unsigned long long cid(const struct conn *c)
{
	return (unsigned long long)c->id;
}

/*
 * The peer's address without its port, for the throttle; NULL for a unix
 * socket (local users, whom file permissions already sort) or an unknown
 * peer. `out` holds sizeof(c->peer).
 */
static const char *peer_addr(const struct conn *c, char *out)
{
	memcpy(out, c->peer, sizeof(c->peer));
	char *colon = strrchr(out, ':');
	if (!colon || colon == out)
		return NULL;
	*colon = '\0';
	return out;
}

static void login_work_free(struct login_work *lw)
{
	if (lw->password) {
		explicit_bzero(lw->password, strlen(lw->password));
		free(lw->password);
	}
	free(lw->login);
	arena_free(&lw->arena);
	free(lw);
}

static void login_work_cb(uv_work_t *req)
{
	struct login_work *lw = req->data;
	lw->status = service_login_grant(lw->conn->srv->store, lw->login,
					 lw->password, &lw->arena, &lw->grant);
	explicit_bzero(lw->password, strlen(lw->password));
}

static void login_ok(struct conn *c, struct login_work *lw)
{
	struct session *s = &c->sess;
	const struct config *cfg = c->srv->cfg;
	const Clubcrm__Operator *op = lw->grant.op;
	s->state = SESSION_READY;
	s->who.operator_id = op->id;
	s->who.role = op->role;
	session_log_safe(s->login, sizeof(s->login), op->login ? op->login
							       : lw->login);
	s->reader.max_frame = cfg->max_frame;
	log_info("conn %llu (%s): %s logged in", cid(c), c->peer, s->login);
	char addr[sizeof(c->peer)];
	login_throttle_succeeded(&c->srv->throttle, lw->login,
				 peer_addr(c, addr));

	Clubcrm__LoginOk ok = CLUBCRM__LOGIN_OK__INIT;
	ok.operator_ = lw->grant.op;
	ok.has_max_frame = true;
	ok.max_frame = cfg->max_frame;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = lw->request_id;
	f.body_case = CLUBCRM__FRAME__BODY_LOGIN_OK;
	f.login_ok = &ok;
	conn_send_frame(c, &f);
}

/*
 * The Error is kept in the session and sent by its timer: guessing
 * passwords costs a second a try on every connection, and more once the
 * login has failed a few times (login_throttle.h).
 */
static void login_failed(struct conn *c, struct login_work *lw)
{
	struct session *s = &c->sess;
	char who[LOGIN_ID_MAX + 1];
	session_log_safe(who, sizeof(who), lw->login);
	bool unauth = lw->status == STATUS_UNAUTHENTICATED;
	if (unauth)
		log_info("conn %llu (%s): failed login for \"%s\"", cid(c),
			 c->peer, who);
	else
		log_error("conn %llu (%s): login of \"%s\" failed: %d", cid(c),
			  c->peer, who, lw->status);
	Clubcrm__Error e = CLUBCRM__ERROR__INIT;
	e.has_code = true;
	e.code = unauth ? STATUS_UNAUTHENTICATED : STATUS_INTERNAL;
	e.message = unauth ? "wrong login or password"
			   : "login failed: internal error";
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = lw->request_id;
	f.body_case = CLUBCRM__FRAME__BODY_ERROR;
	f.error = &e;
	s->fail_reply.len = 0;
	if (frame_encode(&f, &s->fail_reply) < 0) {
		conn_close(c);
		return;
	}
	struct login_throttle *t = &c->srv->throttle;
	uint64_t delay = t->base_ms;
	if (unauth) {
		char addr[sizeof(c->peer)];
		delay = login_throttle_failed(t, lw->login, peer_addr(c, addr),
					      uv_now(c->srv->loop));
	}
	s->fail_at_ms = lw->started_ms + delay;
	conn_arm_timer(c);
}

/*
 * The check read the operator on the thread pool; an admin may have
 * deactivated them, reset their password or changed their role since.
 * login_on_commit() ends only sessions that exist, so a login that got in
 * after that commit would outlive it: the grant is read again here, on the
 * loop thread, where every commit is either visible already or still to be
 * followed by login_on_commit() once the session exists. A grant that no
 * longer holds gets the same answer as a deactivated operator.
 */
static void login_recheck(struct server *srv, struct login_work *lw)
{
	if (srv->test_login_checked)
		srv->test_login_checked(srv, lw->login);
	int rc = service_login_current(srv->store, &lw->grant);
	if (rc == STATUS_UNAUTHENTICATED)
		log_info("conn %llu (%s): login checked against an operator "
			 "record changed since", cid(lw->conn), lw->conn->peer);
	lw->status = rc;
}

static void login_after_cb(uv_work_t *req, int status)
{
	struct login_work *lw = req->data;
	struct conn *c = lw->conn;
	struct server *srv = c->srv;
	srv->logins_running--;
	c->sess.login_running = false;
	if (status == UV_ECANCELED)
		lw->status = STATUS_INTERNAL;
	bool live = !c->closing && !c->draining;
	bool granted = lw->status == 0 && lw->grant.op && lw->grant.op->id;
	if (live && granted)
		login_recheck(srv, lw);
	if (live && granted && lw->status == 0)
		login_ok(c, lw);
	else if (live)
		login_failed(c, lw);
	login_work_free(lw);
	server_login_finished(srv);
	if (!c->closing && !c->draining)
		session_resume(c);
	conn_maybe_finish(c);
	conn_unref(c);
}

static void login_start(struct login_work *lw)
{
	struct server *srv = lw->conn->srv;
	srv->logins_running++;
	int ret = uv_queue_work(srv->loop, &lw->req, login_work_cb,
				login_after_cb);
	if (ret < 0) {
		lw->status = STATUS_INTERNAL;
		login_after_cb(&lw->req, 0);
	}
}

/* ------------------------------------------------------------ raw check */

/* A varint at *p, before `end`. 0, or -1 when cut short or too long. */
static int raw_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* Whether `n` bytes hold a control character: C0, DEL, or C1 in UTF-8. */
static bool has_control(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return true;
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0x9f)
			return true;
	}
	return false;
}

/*
 * Calls `check` on every length-delimited field of the message in
 * [p, end); false when the bytes do not parse or `check` says so.
 */
static bool raw_fields(const uint8_t *p, const uint8_t *end,
		       bool (*check)(unsigned field, const uint8_t *v,
				     size_t n))
{
	while (p < end) {
		uint64_t tag, v;
		if (raw_varint(&p, end, &tag) < 0 || (tag >> 3) == 0 ||
		    (tag >> 3) > UINT32_MAX)
			return false;
		switch (tag & 7) {
		case 0:
			if (raw_varint(&p, end, &v) < 0)
				return false;
			break;
		case 1:
		case 5:
			if ((size_t)(end - p) < ((tag & 7) == 1 ? 8u : 4u))
				return false;
			p += (tag & 7) == 1 ? 8 : 4;
			break;
		case 2:
			if (raw_varint(&p, end, &v) < 0 ||
			    v > (uint64_t)(end - p))
				return false;
			if (!check((unsigned)(tag >> 3), p, (size_t)v))
				return false;
			p += v;
			break;
		default:
			return false;  /* groups: not in our protocol */
		}
	}
	return true;
}

static unsigned field_id(const ProtobufCMessageDescriptor *d, const char *name)
{
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field_by_name(d, name);
	return fd ? fd->id : 0;
}

/* Inside a Login: its login and password hold no control character. */
static bool login_field_ok(unsigned field, const uint8_t *v, size_t n)
{
	const ProtobufCMessageDescriptor *d = &clubcrm__login__descriptor;
	if (field == field_id(d, "login") || field == field_id(d, "password"))
		return !has_control(v, n);
	return true;
}

/* Inside the Frame: every Login it carries (a repeated one is merged). */
static bool frame_field_ok(unsigned field, const uint8_t *v, size_t n)
{
	if (field != field_id(&clubcrm__frame__descriptor, "login"))
		return true;
	return raw_fields(v, v + n, login_field_ok);
}

/*
 * protobuf-c hands strings over NUL-terminated: "demo\0anything" arrives as
 * "demo", and the password check would see only that. So the login and the
 * password are checked on the frame's own bytes, every occurrence of them,
 * before anything trusts the decoded strings.
 */
static bool login_raw_clean(const uint8_t *raw, size_t len)
{
	return raw_fields(raw, raw + len, frame_field_ok);
}

/* ------------------------------------------------------------ revocation */

/* Ends the sessions of `o` that `why` applies to: all of them, or only
 * those holding another role when `why` is NULL. */
static void end_sessions(struct server *srv, const Clubcrm__Operator *o,
			 const char *why)
{
	for (struct conn *c = srv->conns, *next; c; c = next) {
		next = c->next;
		struct session *s = &c->sess;
		if (s->state != SESSION_READY || s->who.operator_id != o->id ||
		    c->closing || c->draining)
			continue;
		const char *reason = why;
		if (!reason && s->who.role != o->role)
			reason = "role changed: log in again";
		if (!reason)
			continue;
		log_info("conn %llu (%s): %s: session ended: %s", cid(c),
			 c->peer, s->login, reason);
		conn_goaway(c, STATUS_UNAUTHENTICATED, reason);
	}
}

void login_on_commit(struct server *srv, const struct service_write_op *op)
{
	const Clubcrm__Frame *req = op->req;
	if (!op->revision || !req || op->changes.len == 0 ||
	    req->body_case != CLUBCRM__FRAME__BODY_UPSERT_OPERATOR)
		return;
	Clubcrm__ChangeSet *cs = clubcrm__change_set__unpack(
		NULL, op->changes.len, op->changes.data);
	if (!cs)
		return;
	/* Someone changing their own password keeps their sessions. */
	bool new_password = req->upsert_operator->password != NULL;
	for (size_t i = 0; i < cs->n_events; i++) {
		const Clubcrm__Operator *o = cs->events[i]->operator_;
		if (cs->events[i]->record_case !=
		    CLUBCRM__EVENT__RECORD_OPERATOR || !o)
			continue;
		const char *why = NULL;
		if (!o->active)
			why = "operator deactivated";
		else if (new_password && o->id != op->who.operator_id)
			why = "password reset by an admin: log in again";
		end_sessions(srv, o, why);
	}
	clubcrm__change_set__free_unpacked(cs, NULL);
}

void login_unpark(struct login_work *lw)
{
	struct conn *c = lw->conn;
	if (!c->closing && !c->draining) {
		login_start(lw);
		return;
	}
	c->sess.login_running = false;
	login_work_free(lw);
	conn_unref(c);
}

/*
 * A login with too many recent failures from this address is refused before
 * the check: no Argon2id time for it, and no answer about the password.
 * Other logins from the same address go on (login_throttle.h).
 */
static bool refused_by_throttle(struct conn *c, uint64_t request_id,
				const char *login)
{
	char addr[sizeof(c->peer)];
	uint64_t wait = login_throttle_wait(&c->srv->throttle, login,
					    peer_addr(c, addr),
					    uv_now(c->srv->loop));
	if (!wait)
		return false;
	char who[LOGIN_ID_MAX + 1];
	session_log_safe(who, sizeof(who), login);
	log_warn("conn %llu (%s): login of \"%s\" refused: too many failed "
		 "logins of it from this address", cid(c), c->peer, who);
	char why[96];
	snprintf(why, sizeof(why), "too many failed logins from this "
		 "address, retry in %llu s",
		 (unsigned long long)((wait + 999) / 1000));
	session_send_error(c, request_id, STATUS_UNAVAILABLE, why);
	return true;
}

void login_request(struct conn *c, const Clubcrm__Frame *f,
		   const uint8_t *raw, size_t raw_len)
{
	struct session *s = &c->sess;
	const Clubcrm__Login *l = f->login;
	if (s->state == SESSION_READY) {
		session_send_error(c, f->request_id, STATUS_FAILED_PRECONDITION,
			   "already logged in");
		return;
	}
	if (!login_raw_clean(raw, raw_len)) {
		session_send_error(c, f->request_id, STATUS_INVALID_ARGUMENT,
			   "login and password may not hold control "
			   "characters");
		return;
	}
	if (!l->login || !l->login[0] || !l->password ||
	    strlen(l->login) > LOGIN_ID_MAX ||
	    strlen(l->password) > LOGIN_PASSWORD_MAX) {
		session_send_error(c, f->request_id, STATUS_INVALID_ARGUMENT,
			   "Login needs a login and a password");
		return;
	}
	if (refused_by_throttle(c, f->request_id, l->login))
		return;
	struct login_work *lw = calloc(1, sizeof(*lw));
	if (lw) {
		lw->login = strdup(l->login);
		lw->password = strdup(l->password);
	}
	if (!lw || !lw->login || !lw->password) {
		if (lw)
			login_work_free(lw);
		session_send_error(c, f->request_id, STATUS_RESOURCE_EXHAUSTED,
			   "out of memory");
		return;
	}
	lw->req.data = lw;
	lw->conn = c;
	lw->request_id = f->request_id;
	lw->started_ms = uv_now(c->srv->loop);
	arena_init(&lw->arena);
	conn_ref(c);
	s->login_running = true;
	if (server_login_may_start(c->srv))
		login_start(lw);
	else
		server_login_park(c->srv, lw);
}
