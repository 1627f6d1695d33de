#include "login.h"
#include "login_seam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session.h"
#include "session_out.h"
#include "server.h"
#include "service.h"
#include "status.h"
#include "timeutil.h"
#include "text.h"
#include "tokens.h"

/* Longest login and password a Login may carry. */
#define LOGIN_ID_MAX 128
#define LOGIN_PASSWORD_MAX 1024

static unsigned long long cid(const struct session *c)
{
	return (unsigned long long)c->t->id;
}

/*
 * The peer's address without its port, for the throttle; NULL for a unix
 * socket (local users, whom file permissions already sort) or an unknown
 * peer. `out` holds sizeof(c->t->peer).
 */
static const char *peer_addr(const struct session *c, char *out)
{
	memcpy(out, c->t->peer, sizeof(c->t->peer));
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
	if (lw->token) {
		explicit_bzero(lw->token, lw->token_len);
		free(lw->token);
	}
	free(lw->login);
	arena_free(&lw->arena);
	free(lw);
}

static void login_work_cb(uv_work_t *req)
{
	struct login_work *lw = req->data;
	lw->status = service_login_grant(lw->sess->srv->store, lw->login,
					 lw->password, &lw->arena, &lw->grant);
	explicit_bzero(lw->password, strlen(lw->password));
}

/*
 * `issued`: the LoginOk of the writer, carrying a new token; NULL for a
 * login by token (the same token and expiry are given back) or when no
 * token could be stored (none given: the next login asks the password).
 */
static void login_ok(struct session *c, struct login_work *lw,
		     const Clubcrm__LoginOk *issued)
{
	struct session *s = c;
	const struct config *cfg = c->srv->cfg;
	const Clubcrm__Operator *op = lw->grant.op;
	s->state = SESSION_READY;
	s->who.operator_id = op->id;
	s->who.role = op->role;
	session_log_safe(s->login, sizeof(s->login), op->login ? op->login
							       : lw->login);
	/* The transport's logs name who is on it. */
	snprintf(c->t->tag, sizeof(c->t->tag), "%s", s->login);
	s->reader.max_frame = cfg->max_frame;
	log_info("conn %llu (%s): %s logged in%s", cid(c), c->t->peer, s->login,
		 lw->token ? " by resume token" : "");
	char addr[sizeof(c->t->peer)];
	/* A token proves the desk, not the password: failures stay. */
	if (!lw->token)
		login_throttle_succeeded(&c->srv->throttle, lw->login,
					 peer_addr(c, addr));

	Clubcrm__LoginOk ok = CLUBCRM__LOGIN_OK__INIT;
	ok.operator_ = lw->grant.op;
	ok.has_max_frame = true;
	ok.max_frame = cfg->max_frame;
	if (issued && issued->has_resume_token &&
	    issued->resume_token.len == TOKENS_BYTES) {
		ok.has_resume_token = ok.has_resume_expires = true;
		ok.resume_token = issued->resume_token;
		ok.resume_expires = issued->resume_expires;
	} else if (lw->token) {
		ok.has_resume_token = ok.has_resume_expires = true;
		ok.resume_token.data = lw->token;
		ok.resume_token.len = lw->token_len;
		ok.resume_expires = lw->token_expires;
	}
	s->has_token = ok.has_resume_token;
	if (s->has_token)
		tokens_hash(ok.resume_token.data, ok.resume_token.len,
			    s->token_hash);
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = lw->request_id;
	f.body_case = CLUBCRM__FRAME__BODY_LOGIN_OK;
	f.login_ok = &ok;
	session_send_frame(c, &f);
}

/*
 * The Error is kept in the session and sent by its timer: guessing
 * passwords costs a second a try on every connection, and more once the
 * login has failed a few times (login_throttle.h).
 */
static void login_failed(struct session *c, struct login_work *lw)
{
	struct session *s = c;
	char who[LOGIN_ID_MAX + 1];
	session_log_safe(who, sizeof(who), lw->login);
	bool unauth = lw->status == STATUS_UNAUTHENTICATED;
	if (unauth)
		log_info("conn %llu (%s): failed login for \"%s\"", cid(c),
			 c->t->peer, who);
	else
		log_error("conn %llu (%s): login of \"%s\" failed: %d", cid(c),
			  c->t->peer, who, lw->status);
	s->fail_reply.len = 0;
	if (session_encode_error(&s->fail_reply, lw->request_id,
				 unauth ? STATUS_UNAUTHENTICATED
					: STATUS_INTERNAL,
				 unauth ? "wrong login or password"
					: "login failed: internal error") < 0) {
		session_close(c);
		return;
	}
	struct login_throttle *t = &c->srv->throttle;
	uint64_t delay = t->base_ms;
	if (unauth) {
		char addr[sizeof(c->t->peer)];
		delay = login_throttle_failed(t, lw->login, peer_addr(c, addr),
					      uv_now(c->srv->loop));
	}
	s->fail_at_ms = lw->started_ms + delay;
	session_arm_timer(c);
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
	if (login_seam_checked)
		login_seam_checked(srv, lw->login);
	int rc = service_login_current(srv->store, &lw->grant);
	if (rc == STATUS_UNAUTHENTICATED)
		log_info("conn %llu (%s): login checked against an operator "
			 "record changed since", cid(lw->sess),
			 lw->sess->t->peer);
	lw->status = rc;
}

/* Answers the login (see login_ok() for `issued`) and ends its work. */
static void login_finish(struct login_work *lw, const Clubcrm__LoginOk *issued)
{
	struct session *c = lw->sess;
	c->login_running = false;
	bool live = transport_live(c->t);
	if (live && lw->status == 0)
		login_ok(c, lw, issued);
	else if (live)
		login_failed(c, lw);
	login_work_free(lw);
	if (transport_live(c->t))
		c->resume(c);  /* up to the dispatcher */
	session_maybe_finish(c);
	session_unref(c);
}

/*
 * A password login that held: the writer stores its resume token, durably,
 * in the next group commit (checking the operator again inside that
 * transaction), and login_write_done() answers. 0, or -ENOMEM (then the
 * login is answered without a token).
 */
static int login_issue(struct login_work *lw)
{
	const Clubcrm__Operator *op = lw->grant.op;
	Clubcrm__Frame *f = calloc(1, sizeof(*f));
	Clubcrm__Login *l = calloc(1, sizeof(*l));
	char *login = strdup(lw->login);
	char *credential = strdup(lw->grant.credential);
	if (!f || !l || !login || !credential) {
		free(f);
		free(l);
		free(login);
		free(credential);
		return -ENOMEM;
	}
	clubcrm__frame__init(f);
	clubcrm__login__init(l);
	l->login = login;
	l->password = credential;
	f->has_request_id = true;
	f->request_id = lw->request_id;
	f->body_case = CLUBCRM__FRAME__BODY_LOGIN;
	f->login = l;
	struct actor who = {
		.operator_id = op->id, .role = op->role, .now = time_now(),
	};
	struct server *srv = lw->sess->srv;
	if (writer_submit(&srv->writer, lw, f, &who) < 0) {
		clubcrm__frame__free_unpacked(f, NULL);
		return -ENOMEM;
	}
	if (login_seam_token_queued)
		login_seam_token_queued(srv, lw->login);
	return 0;
}

/*
 * Logins and map grows: a grow waits until no password check runs (they
 * read the store on the thread pool); logins that arrive meanwhile are
 * parked, and started once the grow is done.
 */
static void login_unpark(struct login_work *lw);

static bool logins_may_start(struct server *srv)
{
	return !srv->writer.grow_wanted;
}

static void logins_park(struct server *srv, struct login_work *lw)
{
	lw->next = srv->parked;
	srv->parked = lw;
}

static void logins_finished(struct server *srv)
{
	if (srv->logins_running > 0 || !srv->writer.grow_wanted)
		return;
	writer_store_quiet(&srv->writer);
	while (srv->parked && !srv->writer.grow_wanted) {
		struct login_work *lw = srv->parked;
		srv->parked = lw->next;
		login_unpark(lw);
	}
}

static void login_after_cb(uv_work_t *req, int status)
{
	struct login_work *lw = req->data;
	struct session *c = lw->sess;
	struct server *srv = c->srv;
	srv->logins_running--;
	if (status == UV_ECANCELED)
		lw->status = STATUS_INTERNAL;
	bool live = transport_live(c->t);
	bool granted = lw->status == 0 && lw->grant.op && lw->grant.op->id;
	if (live && granted)
		login_recheck(srv, lw);
	logins_finished(srv);
	if (live && granted && lw->status == 0) {
		if (login_issue(lw) == 0)
			return;  /* answered by login_write_done() */
		log_warn("conn %llu (%s): out of memory for a resume token",
			 cid(c), c->t->peer);
	}
	login_finish(lw, NULL);
}

/*
 * The writer stored (or refused) the token of a password login. Whatever
 * it answered, the grant is read once more here, on the loop thread, where
 * the session then starts at once: an admin's change committed since
 * login_recheck() (which login_on_commit() could not apply to a session
 * that did not exist yet) refuses the login, whichever check of the
 * writer's caught it or not. Only a grant that still holds gets in,
 * without a token when none could be stored (disk full, say).
 */
static void issue_done(struct login_work *lw, const struct service_write_op *op)
{
	struct session *c = lw->sess;
	const Clubcrm__Frame *f = op->reply;
	const Clubcrm__LoginOk *issued = NULL;
	if (f && f->body_case == CLUBCRM__FRAME__BODY_LOGIN_OK)
		issued = f->login_ok;
	if (transport_live(c->t))
		lw->status = service_login_current(c->srv->store, &lw->grant);
	if (lw->status == STATUS_UNAUTHENTICATED) {
		log_info("conn %llu (%s): login checked against an operator "
			 "record changed since", cid(c), c->t->peer);
	} else if (lw->status == 0 && !issued) {
		log_warn("conn %llu (%s): no resume token stored: %s", cid(c),
			 c->t->peer,
			 f && f->body_case == CLUBCRM__FRAME__BODY_ERROR &&
					 f->error->message
				 ? f->error->message
				 : "no reply");
	}
	login_finish(lw, lw->status == 0 ? issued : NULL);
	/* The token was in the reply: wipe it. */
	if (issued && issued->resume_token.data)
		explicit_bzero(issued->resume_token.data,
			       issued->resume_token.len);
}

/* The writer revoked (or failed to revoke) the session's token. */
static void logout_done(struct session *c, const struct service_write_op *op)
{
	c->login_running = false;
	/* Not when a GoAway (deactivated meanwhile, say) came first. */
	if (transport_live(c->t)) {
		bool ok = op->reply &&
			  op->reply->body_case == CLUBCRM__FRAME__BODY_LOGOUT;
		if (!ok)
			log_error("conn %llu (%s): %s: resume token not revoked",
				  cid(c), c->t->peer, c->login);
		c->has_token = !ok;
		session_send_logged_out(c, op->req->request_id,
			ok ? STATUS_OK : STATUS_UNAVAILABLE,
			ok ? "logged out" : "logged out, but the resume "
			"token could not be revoked: it expires on its own");
	}
	session_maybe_finish(c);
	session_unref(c);
}

void login_write_done(void *owner, struct service_write_op *op,
		      struct buf *wire)
{
	if (op->req->body_case == CLUBCRM__FRAME__BODY_LOGIN)
		issue_done(owner, op);
	else
		logout_done(owner, op);
	/* The token lived in the reply's bytes too. */
	if (wire->data)
		explicit_bzero(wire->data, wire->len);
}

void login_logout(struct session *c, uint64_t request_id)
{
	struct session *s = c;
	if (!s->has_token || s->state != SESSION_READY) {
		session_send_logged_out(c, request_id, STATUS_OK, "logged out");
		return;
	}
	Clubcrm__Frame *f = calloc(1, sizeof(*f));
	Clubcrm__Logout *l = calloc(1, sizeof(*l));
	uint8_t *hash = malloc(sizeof(s->token_hash));
	if (f && l && hash) {
		clubcrm__frame__init(f);
		clubcrm__logout__init(l);
		memcpy(hash, s->token_hash, sizeof(s->token_hash));
		l->has_resume_token_hash = true;
		l->resume_token_hash.data = hash;
		l->resume_token_hash.len = sizeof(s->token_hash);
		f->has_request_id = true;
		f->request_id = request_id;
		f->body_case = CLUBCRM__FRAME__BODY_LOGOUT;
		f->logout = l;
		struct actor who = s->who;
		who.now = time_now();
		if (writer_submit(&c->srv->writer, c, f, &who) == 0) {
			/* No more frames until it is answered. */
			s->login_running = true;
			session_ref(c);
			return;
		}
		clubcrm__frame__free_unpacked(f, NULL);
	} else {
		free(f);
		free(l);
		free(hash);
	}
	session_send_logged_out(c, request_id, STATUS_UNAVAILABLE,
				"logged out, but the resume token could not be "
				"revoked: it expires on its own");
}

static void login_start(struct login_work *lw)
{
	struct server *srv = lw->sess->srv;
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
		return !text_has_control(v, n);
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
	for (struct session *c = srv->sessions, *next; c; c = next) {
		next = c->next;
		struct session *s = c;
		if (s->state != SESSION_READY || s->who.operator_id != o->id ||
		    !transport_live(c->t))
			continue;
		const char *reason = why;
		if (!reason && s->who.role != o->role)
			reason = "role changed: log in again";
		if (!reason)
			continue;
		log_info("conn %llu (%s): %s: session ended: %s", cid(c),
			 c->t->peer, s->login, reason);
		session_goaway(c, STATUS_UNAUTHENTICATED, reason);
	}
}

void login_on_commit(struct server *srv, const struct service_write_op *op)
{
	const Clubcrm__Frame *req = op->req;
	const Clubcrm__ChangeSet *cs = op->changes;
	if (!op->revision || !req || !cs ||
	    req->body_case != CLUBCRM__FRAME__BODY_UPSERT_OPERATOR)
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
}

/* Starts a login that was parked while the writer grew the map. */
static void login_unpark(struct login_work *lw)
{
	struct session *c = lw->sess;
	if (transport_live(c->t)) {
		login_start(lw);
		return;
	}
	c->login_running = false;
	login_work_free(lw);
	session_unref(c);
}

/*
 * A resume token is checked at once, on the loop thread: a hash lookup in a
 * read transaction, no Argon2id (tokens.h). The session starts here, so any
 * later commit that revokes the operator finds it (login_on_commit()).
 *
 * A refusal is answered at once and is no strike against the login: 32
 * random bytes cannot be guessed, so slowing them down protects nothing,
 * while a desk whose token expired or was dropped (an operator keeps
 * TOKENS_PER_OPERATOR) must fall back to its password without waiting.
 */
static void login_by_token(struct login_work *lw)
{
	struct session *c = lw->sess;
	lw->status = service_login_token(c->srv->store, lw->login, lw->token,
					 lw->token_len, time_now(), &lw->arena,
					 &lw->grant, &lw->token_expires);
	if (lw->status == 0 && !(lw->grant.op && lw->grant.op->id))
		lw->status = STATUS_INTERNAL;
	if (lw->status == 0) {
		login_ok(c, lw, NULL);
	} else if (lw->status == STATUS_UNAUTHENTICATED) {
		char who[LOGIN_ID_MAX + 1];
		session_log_safe(who, sizeof(who), lw->login);
		log_info("conn %llu (%s): resume token refused for \"%s\"",
			 cid(c), c->t->peer, who);
		session_send_error(c, lw->request_id, STATUS_UNAUTHENTICATED,
			   "resume token refused: log in with the password");
	} else {
		login_failed(c, lw);
	}
	login_work_free(lw);
}

/*
 * A login with too many recent failures from this address is refused before
 * the check: no Argon2id time for it, and no answer about the password.
 * Other logins from the same address go on (login_throttle.h).
 */
static bool refused_by_throttle(struct session *c, uint64_t request_id,
				const char *login)
{
	char addr[sizeof(c->t->peer)];
	uint64_t wait = login_throttle_wait(&c->srv->throttle, login,
					    peer_addr(c, addr),
					    uv_now(c->srv->loop));
	if (!wait)
		return false;
	char who[LOGIN_ID_MAX + 1];
	session_log_safe(who, sizeof(who), login);
	log_warn("conn %llu (%s): login of \"%s\" refused: too many failed "
		 "logins of it from this address", cid(c), c->t->peer, who);
	char why[96];
	snprintf(why, sizeof(why), "too many failed logins from this "
		 "address, retry in %llu s",
		 (unsigned long long)((wait + 999) / 1000));
	session_send_error(c, request_id, STATUS_UNAVAILABLE, why);
	return true;
}

void login_request(struct session *c, const Clubcrm__Frame *f,
		   const uint8_t *raw, size_t raw_len)
{
	struct session *s = c;
	const Clubcrm__Login *l = f->login;
	if (s->state == SESSION_READY) {
		session_send_error(c, f->request_id, STATUS_FAILED_PRECONDITION,
			   "already logged in");
		return;
	}
	if (!login_raw_clean(raw, raw_len)) {
		char who[LOGIN_ID_MAX + 1];
		session_log_safe(who, sizeof(who), l->login);
		log_info("conn %llu (%s): login refused: control characters "
			 "in the login or password of \"%s\"", cid(c), c->t->peer,
			 who);
		session_send_error(c, f->request_id, STATUS_INVALID_ARGUMENT,
			   "login and password may not hold control "
			   "characters");
		return;
	}
	/* Exactly one of a password and a resume token. */
	bool by_token = l->has_resume_token;
	if (!l->login || !l->login[0] || strlen(l->login) > LOGIN_ID_MAX ||
	    by_token == (l->password != NULL) ||
	    (l->password && strlen(l->password) > LOGIN_PASSWORD_MAX) ||
	    (by_token && l->resume_token.len > LOGIN_PASSWORD_MAX)) {
		session_send_error(c, f->request_id, STATUS_INVALID_ARGUMENT,
			   "Login needs a login and either a password or a "
			   "resume token");
		return;
	}
	/* A token proves the desk: wrong passwords typed for this login
	 * elsewhere at the same address do not hold it back. */
	if (!by_token && refused_by_throttle(c, f->request_id, l->login))
		return;
	struct login_work *lw = calloc(1, sizeof(*lw));
	if (lw) {
		lw->login = strdup(l->login);
		if (by_token) {
			lw->token_len = l->resume_token.len;
			lw->token = malloc(lw->token_len + 1);
			if (lw->token && lw->token_len)
				memcpy(lw->token, l->resume_token.data,
				       lw->token_len);
		} else {
			lw->password = strdup(l->password);
		}
	}
	if (!lw || !lw->login || (!lw->password && !lw->token)) {
		if (lw)
			login_work_free(lw);
		session_send_error(c, f->request_id, STATUS_RESOURCE_EXHAUSTED,
			   "out of memory");
		return;
	}
	lw->req.data = lw;
	lw->sess = c;
	lw->request_id = f->request_id;
	lw->started_ms = uv_now(c->srv->loop);
	arena_init(&lw->arena);
	if (by_token) {
		login_by_token(lw);
		return;
	}
	session_ref(c);
	s->login_running = true;
	if (logins_may_start(c->srv))
		login_start(lw);
	else
		logins_park(c->srv, lw);
}
