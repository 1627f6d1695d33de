/* What a client says and hears: handshake, login, heartbeat, dispatch. */
#include "client_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "status.h"

int client_send_hello(struct client *c)
{
	uint8_t preface[FRAME_PREFACE_LEN];
	frame_preface_write(preface);
	int ret = client_link_write(c->link, preface, sizeof(preface));
	if (ret < 0)
		return ret;
	char host[256] = "";
	const char *terminal = c->terminal;
	if (!terminal) {
		gethostname(host, sizeof(host) - 1);
		terminal = host;
	}
	Clubcrm__Hello hello = CLUBCRM__HELLO__INIT;
	hello.has_client_kind = true;
	hello.client_kind = c->kind;
	hello.terminal_name = (char *)terminal;
	hello.client_version = (char *)CLUBCRM_VERSION;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = client_take_id(c);
	f.body_case = CLUBCRM__FRAME__BODY_HELLO;
	f.hello = &hello;
	return client_send_frame(c, &f);
}

static int send_login(struct client *c)
{
	Clubcrm__Login login = CLUBCRM__LOGIN__INIT;
	login.login = c->login;
	if (c->token) {
		/* Instead of the password: the server checks it without
		 * hashing a password again. */
		login.has_resume_token = true;
		login.resume_token.data = c->token;
		login.resume_token.len = c->token_len;
	} else {
		login.password = c->password ? c->password : (char *)"";
	}
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	c->login_id = client_take_id(c);
	f.has_request_id = true;
	f.request_id = c->login_id;
	f.body_case = CLUBCRM__FRAME__BODY_LOGIN;
	f.login = &login;
	return client_send_frame(c, &f);
}

static void send_pong(struct client *c, const Clubcrm__Frame *ping)
{
	Clubcrm__Pong pong = CLUBCRM__PONG__INIT;
	pong.has_nonce = ping->ping->has_nonce;
	pong.nonce = ping->ping->nonce;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = ping->request_id != 0;
	f.request_id = ping->request_id;
	f.body_case = CLUBCRM__FRAME__BODY_PONG;
	f.pong = &pong;
	/* A failed pong shows up as a dead link soon enough. */
	client_send_frame(c, &f);
}

/* ---------------------------------------------------------------- receiving */

/*
 * A server that died without a FIN (power cut, cable pulled) would leave us
 * waiting for TCP's own timeout, which takes many minutes. Every heartbeat
 * (as announced in Welcome) without a frame from the server, we ping it;
 * after CLIENT_MISSED_BEATS silent beats the connection counts as lost, so
 * that pending requests fail and a reconnecting owner can start over.
 */
static void heartbeat_tick(uv_timer_t *t)
{
	struct client *c = t->data;
	uint64_t beat = client_welcome(c)->heartbeat_ms;
	uint64_t silent = uv_now(c->loop) - c->last_rx_ms;
	if (silent >= CLIENT_MISSED_BEATS * beat) {
		struct client_status st;
		client_status_set(&st, STATUS_UNAVAILABLE,
				  "no word from the server for %llu ms",
				  (unsigned long long)silent);
		client_connection_ended(c, &st);
		return;
	}
	if (silent < beat)
		return;
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	ping.has_nonce = true;
	ping.nonce = ++c->ping_nonce;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	/* The Pong echoes the id; no request waits for it, so it is dropped
	 * after counting as a sign of life. */
	f.has_request_id = true;
	f.request_id = client_take_id(c);
	f.body_case = CLUBCRM__FRAME__BODY_PING;
	f.ping = &ping;
	client_send_frame(c, &f);
}

static void become_ready(struct client *c)
{
	uv_timer_stop(&c->timer);
	const Clubcrm__Welcome *w = client_welcome(c);
	if (w && w->heartbeat_ms > 0)
		uv_timer_start(&c->timer, heartbeat_tick, w->heartbeat_ms,
			       w->heartbeat_ms);
	c->state = CLIENT_READY;
	struct client_status ok = {.code = STATUS_OK, .message = ""};
	if (c->cbs.on_ready)
		c->cbs.on_ready(c, &ok, c->ud);
}

static void refused(struct client *c, const Clubcrm__Frame *f,
		    const char *what)
{
	struct client_status st;
	if (f->body_case == CLUBCRM__FRAME__BODY_ERROR) {
		unsigned code = f->error->code ? f->error->code : STATUS_UNKNOWN;
		client_status_set(&st, code, "%s",
				  f->error->message ? f->error->message : "");
	} else {
		client_status_set(&st, STATUS_INTERNAL,
				  "unexpected %s answer from the server", what);
	}
	client_connection_ended(c, &st);
}

/* Takes `f` (kept as c->welcome) or frees it. */
static void on_handshake_frame(struct client *c, Clubcrm__Frame *f)
{
	if (f->body_case != CLUBCRM__FRAME__BODY_WELCOME) {
		refused(c, f, "handshake");
		clubcrm__frame__free_unpacked(f, NULL);
		return;
	}
	const Clubcrm__Welcome *w = f->welcome;
	if (w->protocol_major != FRAME_PROTOCOL_MAJOR) {
		struct client_status st;
		client_status_set(&st, STATUS_FAILED_PRECONDITION,
				  "server speaks protocol %u, we speak %u",
				  w->protocol_major, FRAME_PROTOCOL_MAJOR);
		clubcrm__frame__free_unpacked(f, NULL);
		client_connection_ended(c, &st);
		return;
	}
	if (c->welcome)
		clubcrm__frame__free_unpacked(c->welcome, NULL);
	c->welcome = f;
	if (!c->login) {
		become_ready(c);
		return;
	}
	c->state = CLIENT_LOGIN;
	int ret = send_login(c);
	if (ret < 0)
		client_ended_errno(c, STATUS_INTERNAL, "sending login", ret);
}

static uint32_t limit_after_login(const struct client *c)
{
	const Clubcrm__LoginOk *ok = c->login_ok->login_ok;
	if (ok->has_max_frame && ok->max_frame >= FRAME_MAX_PRELOGIN)
		return ok->max_frame;
	const Clubcrm__Welcome *w = c->welcome->welcome;
	if (w->has_max_frame && w->max_frame >= FRAME_MAX_PRELOGIN)
		return w->max_frame;
	return FRAME_MAX_DEFAULT;
}

/* Takes `f` (kept as c->login_ok) or frees it. */
static void on_login_frame(struct client *c, Clubcrm__Frame *f)
{
	if (f->request_id != c->login_id ||
	    f->body_case != CLUBCRM__FRAME__BODY_LOGIN_OK) {
		refused(c, f, "login");
		clubcrm__frame__free_unpacked(f, NULL);
		return;
	}
	if (c->login_ok)
		clubcrm__frame__free_unpacked(c->login_ok, NULL);
	c->login_ok = f;
	c->max_out = limit_after_login(c);
	/* The server's frames may be as large as the ones it accepts. */
	uint32_t max_in = c->max_out > FRAME_MAX_DEFAULT ? c->max_out
							 : FRAME_MAX_DEFAULT;
	client_link_set_max_in(c->link, max_in);
	become_ready(c);
}

static void on_reply_frame(struct client *c, Clubcrm__Frame *f)
{
	struct client_req *r = client_reqtab_take(&c->reqs, f->request_id);
	if (!r) {
		/* Forgotten by its owner, or a server bug: nobody wants it. */
		clubcrm__frame__free_unpacked(f, NULL);
		return;
	}
	struct client_reply reply = {.status = STATUS_OK, .message = "",
				     .frame = f};
	if (f->body_case == CLUBCRM__FRAME__BODY_ERROR) {
		reply.status = f->error->code ? f->error->code : STATUS_UNKNOWN;
		reply.message = f->error->message ? f->error->message : "";
	}
	client_reply_cb cb = r->cb;
	void *arg = r->arg;
	free(r);
	cb(c, &reply, arg);
	if (reply.frame)
		clubcrm__frame__free_unpacked(reply.frame, NULL);
}

static void on_goaway(struct client *c, const Clubcrm__GoAway *g)
{
	c->got_goaway = true;
	snprintf(c->goaway, sizeof(c->goaway), "%s",
		 g->reason ? g->reason : "no reason given");
	/* Closing (logging out): the owner asked for no more callbacks. */
	if (c->cbs.on_goaway && c->state != CLIENT_CLOSING)
		c->cbs.on_goaway(c, g->code, c->goaway, c->ud);
}

/*
 * A push decoded into the arena is done with. The memory is kept for the
 * next one, unless the frame was large: an idle terminal must not hold a
 * snapshot's worth of it. A snapshot chunk is always followed by another
 * chunk or by SnapshotDone (a small push, which frees it), so chunks keep
 * the memory from one to the next instead of faulting fresh pages in for
 * every one of them.
 */
static void forget_push(struct client *c, const Clubcrm__Frame *f,
			size_t len)
{
	bool big = len > 64u * 1024u;
	if (f && f->body_case == CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK) {
		arena_reset(&c->push_arena);
		c->push_arena_big = c->push_arena_big || big;
	} else if (big || c->push_arena_big) {
		arena_free(&c->push_arena);
		c->push_arena_big = false;
	} else {
		arena_reset(&c->push_arena);
	}
}

static void release(struct client *c, Clubcrm__Frame *f, bool push, size_t len)
{
	if (push)
		forget_push(c, f, len);
	else
		clubcrm__frame__free_unpacked(f, NULL);
}

int client_on_frame(void *owner, const uint8_t *payload, size_t len)
{
	struct client *c = owner;
	c->last_rx_ms = uv_now(c->loop);
	c->rx_frame_bytes = FRAME_HEADER_LEN + len;
	/* A push has no request_id, which protobuf-c would encode first. */
	bool push = c->state == CLIENT_READY && !(len && payload[0] == 0x08);
	if (push && c->cbs.on_raw_push &&
	    c->cbs.on_raw_push(c, payload, len, c->ud))
		return 0;
	Clubcrm__Frame *f = frame_decode(
		payload, len, push ? arena_pb(&c->push_arena) : NULL);
	if (f && push && f->request_id != 0) {
		forget_push(c, f, len);  /* fields out of order: decode it again */
		push = false;
		f = frame_decode(payload, len, NULL);
	}
	if (!f) {
		struct client_status st;
		client_status_set(&st, STATUS_INTERNAL,
				  "malformed frame from the server");
		client_connection_ended(c, &st);
		return -EPROTO;
	}
	switch (f->body_case) {
	case CLUBCRM__FRAME__BODY_PING:
		send_pong(c, f);
		release(c, f, push, len);
		return 0;
	case CLUBCRM__FRAME__BODY_PONG:
		/* Our heartbeat's answer: last_rx_ms is all it was for. A
		 * Ping sent with client_request() gets its Pong as a reply
		 * (a barrier: it comes after everything queued before it). */
		if (c->state == CLIENT_READY && f->request_id != 0)
			break;
		release(c, f, push, len);
		return 0;
	case CLUBCRM__FRAME__BODY_GO_AWAY:
		on_goaway(c, f->go_away);
		release(c, f, push, len);
		return 0;
	default:
		break;
	}
	if (c->state == CLIENT_HANDSHAKE)
		on_handshake_frame(c, f);
	else if (c->state == CLIENT_LOGIN)
		on_login_frame(c, f);
	else if (c->state != CLIENT_READY)
		clubcrm__frame__free_unpacked(f, NULL);
	else if (f->request_id != 0)
		on_reply_frame(c, f);
	else {
		if (c->cbs.on_push)
			c->cbs.on_push(c, f, c->ud);
		if (push)
			forget_push(c, f, len);
		else
			clubcrm__frame__free_unpacked(f, NULL);
	}
	return 0;
}
