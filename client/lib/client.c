#include "client.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_addr.h"
#include "client_link.h"
#include "client_reqtab.h"
#include "frame.h"
#include "status.h"

/* The whole way from resolving to LoginOk; a failed login alone takes ~1 s. */
#define CLIENT_CONNECT_TIMEOUT_MS 10000u
/* Silent heartbeats after which the server counts as gone (as the server
 * does for its clients). */
#define CLIENT_MISSED_BEATS 3u

struct client {
	uv_loop_t *loop;
	enum client_state state;
	struct client_addr addr;
	char *login, *password, *terminal;
	Clubcrm__ClientKind kind;
	struct client_callbacks cbs;
	void *ud;

	/* Resolving: the request in flight, then the addresses to try. */
	uv_getaddrinfo_t gai;
	bool gai_busy;
	struct addrinfo *ai_list, *ai_next;
	int last_err;               /* of the last failed connect */

	struct client_link *link;   /* the current connection, or NULL */
	unsigned links_open;        /* links whose close callback is due */
	/* Before READY: the deadline of connect + handshake + login. In
	 * READY: the heartbeat watchdog (see heartbeat_tick). */
	uv_timer_t timer;
	bool timer_open;
	uint64_t last_rx_ms;        /* uv_now() of the last frame received */
	uint64_t ping_nonce;

	struct client_reqtab reqs;
	uint64_t next_id;
	uint64_t login_id;
	Clubcrm__Frame *welcome;    /* the Welcome frame, owned */
	Clubcrm__Frame *login_ok;   /* the LoginOk frame, owned */
	uint32_t max_out;
	char goaway[CLIENT_MESSAGE_MAX];  /* reason of a GoAway received */
	bool got_goaway;
};

static void try_next_address(struct client *c);

void client_status_set(struct client_status *st, unsigned code,
		       const char *fmt, ...)
{
	st->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
}

const char *client_state_name(enum client_state s)
{
	static const char *const names[] = {
		[CLIENT_NEW] = "new",
		[CLIENT_RESOLVING] = "resolving",
		[CLIENT_CONNECTING] = "connecting",
		[CLIENT_HANDSHAKE] = "handshake",
		[CLIENT_LOGIN] = "login",
		[CLIENT_READY] = "ready",
		[CLIENT_DISCONNECTED] = "disconnected",
		[CLIENT_CLOSING] = "closing",
	};
	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[s];
}

/* ---------------------------------------------------------------- freeing */

static void client_free(struct client *c)
{
	client_reqtab_free(&c->reqs);
	if (c->ai_list)
		uv_freeaddrinfo(c->ai_list);
	if (c->welcome)
		clubcrm__frame__free_unpacked(c->welcome, NULL);
	if (c->login_ok)
		clubcrm__frame__free_unpacked(c->login_ok, NULL);
	free(c->login);
	if (c->password) {
		/* Do not leave the password lying around in freed memory. */
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	free(c->terminal);
	free(c);
}

/* Frees the client once it is closing and nothing of it is in flight. */
static void maybe_free(struct client *c)
{
	if (c->state != CLIENT_CLOSING || c->gai_busy || c->links_open > 0 ||
	    c->timer_open)
		return;
	if (c->cbs.on_closed)
		c->cbs.on_closed(c, c->ud);
	client_free(c);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct client *c = h->data;
	c->timer_open = false;
	maybe_free(c);
}

/* ---------------------------------------------------------------- endings */

/* Completes every pending request with `st` (UNAVAILABLE). */
static void fail_pending(struct client *c, const struct client_status *st)
{
	struct client_req *r;
	while ((r = client_reqtab_take_any(&c->reqs))) {
		struct client_reply reply = {
			.status = st->code, .message = st->message,
			.frame = NULL,
		};
		client_reply_cb cb = r->cb;
		void *arg = r->arg;
		free(r);
		cb(c, &reply, arg);
	}
}

static void drop_link(struct client *c)
{
	if (!c->link)
		return;
	client_link_close(c->link);
	c->link = NULL;
}

/*
 * The connection is over (or never came to be). Before READY that is the
 * answer to client_connect(): on_ready with the reason. After it, pending
 * requests fail and on_disconnect tells the owner.
 */
static void connection_ended(struct client *c, const struct client_status *st)
{
	enum client_state was = c->state;
	if (was == CLIENT_CLOSING || was == CLIENT_DISCONNECTED)
		return;
	drop_link(c);
	uv_timer_stop(&c->timer);
	c->state = CLIENT_DISCONNECTED;
	struct client_status gone = *st;
	if (c->got_goaway && st->code == STATUS_UNAVAILABLE)
		client_status_set(&gone, STATUS_UNAVAILABLE,
				  "server going away: %s", c->goaway);
	fail_pending(c, &gone);
	if (c->state != CLIENT_DISCONNECTED)
		return;  /* a callback closed the client */
	if (was == CLIENT_READY) {
		if (c->cbs.on_disconnect)
			c->cbs.on_disconnect(c, &gone, c->ud);
	} else if (c->cbs.on_ready) {
		c->cbs.on_ready(c, &gone, c->ud);
	}
}

static void ended_errno(struct client *c, unsigned code, const char *what,
			int err)
{
	struct client_status st;
	client_status_set(&st, code, "%s: %s", what, uv_strerror(err));
	connection_ended(c, &st);
}

/* ---------------------------------------------------------------- sending */

static int send_frame(struct client *c, Clubcrm__Frame *f)
{
	if (!c->link)
		return -ENOTCONN;
	size_t size = clubcrm__frame__get_packed_size(f);
	if (size == 0 || size > c->max_out)
		return -EMSGSIZE;
	return client_link_send(c->link, f);
}

static uint64_t take_id(struct client *c)
{
	uint64_t id = c->next_id++;
	if (c->next_id == 0)
		c->next_id = 1;
	return id;
}

static int send_hello(struct client *c)
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
	f.request_id = take_id(c);
	f.body_case = CLUBCRM__FRAME__BODY_HELLO;
	f.hello = &hello;
	return send_frame(c, &f);
}

static int send_login(struct client *c)
{
	Clubcrm__Login login = CLUBCRM__LOGIN__INIT;
	login.login = c->login;
	login.password = c->password ? c->password : (char *)"";
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	c->login_id = take_id(c);
	f.has_request_id = true;
	f.request_id = c->login_id;
	f.body_case = CLUBCRM__FRAME__BODY_LOGIN;
	f.login = &login;
	return send_frame(c, &f);
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
	send_frame(c, &f);
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
		connection_ended(c, &st);
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
	f.request_id = take_id(c);
	f.body_case = CLUBCRM__FRAME__BODY_PING;
	f.ping = &ping;
	send_frame(c, &f);
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
	connection_ended(c, &st);
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
		connection_ended(c, &st);
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
		ended_errno(c, STATUS_INTERNAL, "sending login", ret);
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
	if (c->cbs.on_goaway)
		c->cbs.on_goaway(c, g->code, c->goaway, c->ud);
}

static int on_frame(void *owner, const uint8_t *payload, size_t len)
{
	struct client *c = owner;
	c->last_rx_ms = uv_now(c->loop);
	Clubcrm__Frame *f = frame_decode(payload, len, NULL);
	if (!f) {
		struct client_status st;
		client_status_set(&st, STATUS_INTERNAL,
				  "malformed frame from the server");
		connection_ended(c, &st);
		return -EPROTO;
	}
	switch (f->body_case) {
	case CLUBCRM__FRAME__BODY_PING:
		send_pong(c, f);
		clubcrm__frame__free_unpacked(f, NULL);
		return 0;
	case CLUBCRM__FRAME__BODY_PONG:
		/* Our heartbeat's answer: last_rx_ms is all it was for. */
		clubcrm__frame__free_unpacked(f, NULL);
		return 0;
	case CLUBCRM__FRAME__BODY_GO_AWAY:
		on_goaway(c, f->go_away);
		clubcrm__frame__free_unpacked(f, NULL);
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
		clubcrm__frame__free_unpacked(f, NULL);
	}
	return 0;
}

/* ---------------------------------------------------------------- link events */

static void on_link_connected(void *owner, struct client_link *l, int status)
{
	struct client *c = owner;
	if (l != c->link)
		return;
	if (status < 0) {
		c->last_err = status;
		drop_link(c);
		try_next_address(c);
		return;
	}
	c->state = CLIENT_HANDSHAKE;
	int ret = send_hello(c);
	if (ret < 0)
		ended_errno(c, STATUS_INTERNAL, "sending hello", ret);
}

static void on_link_lost(void *owner, struct client_link *l, int err)
{
	struct client *c = owner;
	if (l != c->link)
		return;
	struct client_status st;
	if (err == UV_EOF)
		client_status_set(&st, STATUS_UNAVAILABLE,
				  "connection closed by the server");
	else if (err == -EMSGSIZE)
		client_status_set(&st, STATUS_INTERNAL,
				  "frame over the limit from the server");
	else
		client_status_set(&st, STATUS_UNAVAILABLE, "connection lost: %s",
				  uv_strerror(err));
	connection_ended(c, &st);
}

static void on_link_closed(void *owner, struct client_link *l)
{
	struct client *c = owner;
	if (l == c->link)
		c->link = NULL;
	c->links_open--;
	maybe_free(c);
}

static const struct client_link_ops link_ops = {
	.on_connected = on_link_connected,
	.on_frame = on_frame,
	.on_lost = on_link_lost,
	.on_closed = on_link_closed,
};

/* ---------------------------------------------------------------- connecting */

static void open_link(struct client *c, const struct sockaddr *sa,
		      const char *path)
{
	c->state = CLIENT_CONNECTING;
	int ret = client_link_open(c->loop, sa, path, FRAME_MAX_DEFAULT,
				   &link_ops, c, &c->link);
	if (ret < 0) {
		c->link = NULL;
		c->last_err = ret;
		try_next_address(c);
		return;
	}
	c->links_open++;
}

/* Tries the next resolved address, or gives up with the last error. */
static void try_next_address(struct client *c)
{
	if (c->state == CLIENT_CLOSING)
		return;
	struct addrinfo *ai = c->ai_next;
	while (ai && ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
		ai = ai->ai_next;
	if (!ai) {
		char what[300];
		if (c->addr.is_unix)
			snprintf(what, sizeof(what), "connect to unix:%s",
				 c->addr.path);
		else
			snprintf(what, sizeof(what), "connect to %s:%s",
				 c->addr.host, c->addr.port);
		ended_errno(c, STATUS_UNAVAILABLE, what,
			    c->last_err ? c->last_err : UV_EADDRNOTAVAIL);
		return;
	}
	c->ai_next = ai->ai_next;
	open_link(c, ai->ai_addr, NULL);
}

static void on_resolved(uv_getaddrinfo_t *req, int status,
			struct addrinfo *res)
{
	struct client *c = req->data;
	c->gai_busy = false;
	if (c->state == CLIENT_CLOSING) {
		if (res)
			uv_freeaddrinfo(res);
		maybe_free(c);
		return;
	}
	if (status < 0) {
		struct client_status st;
		client_status_set(&st, STATUS_UNAVAILABLE, "resolve %s: %s",
				  c->addr.host, uv_strerror(status));
		connection_ended(c, &st);
		return;
	}
	c->ai_list = c->ai_next = res;
	try_next_address(c);
}

static void on_deadline(uv_timer_t *t)
{
	struct client *c = t->data;
	struct client_status st;
	client_status_set(&st, STATUS_DEADLINE_EXCEEDED,
			  "no answer from the server while %s",
			  client_state_name(c->state));
	connection_ended(c, &st);
}

int client_connect(struct client *c)
{
	if (c->state != CLIENT_NEW)
		return -EALREADY;
	int ret = uv_timer_start(&c->timer, on_deadline,
				 CLIENT_CONNECT_TIMEOUT_MS, 0);
	if (ret < 0)
		return ret;
	if (c->addr.is_unix) {
		open_link(c, NULL, c->addr.path);
		return 0;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM};
	c->gai.data = c;
	ret = uv_getaddrinfo(c->loop, &c->gai, on_resolved, c->addr.host,
			     c->addr.port, &hints);
	if (ret < 0) {
		uv_timer_stop(&c->timer);
		return ret;
	}
	c->gai_busy = true;
	c->state = CLIENT_RESOLVING;
	return 0;
}

/* ---------------------------------------------------------------- public */

static char *dup_or_null(const char *s, bool *failed)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

int client_new(uv_loop_t *loop, const struct client_config *cfg,
	       const struct client_callbacks *cbs, void *ud,
	       struct client **out)
{
	struct client *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	int ret = client_addr_parse(cfg->address, &c->addr);
	if (ret < 0)
		goto fail;
	bool failed = false;
	c->login = dup_or_null(cfg->login, &failed);
	c->password = dup_or_null(cfg->password, &failed);
	c->terminal = dup_or_null(cfg->terminal_name, &failed);
	ret = -ENOMEM;
	if (failed)
		goto fail;
	ret = uv_timer_init(loop, &c->timer);
	if (ret < 0)
		goto fail;
	c->timer.data = c;
	c->timer_open = true;
	c->loop = loop;
	c->kind = cfg->kind ? cfg->kind : CLUBCRM__CLIENT_KIND__CLIENT_KIND_CLI;
	if (cbs)
		c->cbs = *cbs;
	c->ud = ud;
	c->next_id = 1;
	c->max_out = FRAME_MAX_PRELOGIN;
	client_reqtab_init(&c->reqs);
	*out = c;
	return 0;
fail:
	client_free(c);
	return ret;
}

int client_request(struct client *c, Clubcrm__Frame *req, client_reply_cb cb,
		   void *arg, uint64_t *id)
{
	if (c->state != CLIENT_READY)
		return -ENOTCONN;
	if (!cb)
		return -EINVAL;
	req->has_request_id = true;
	req->request_id = take_id(c);
	int ret = send_frame(c, req);
	if (ret < 0)
		return ret;
	if (c->state != CLIENT_READY)
		return -ENOTCONN;  /* the write failed at once: link lost */
	ret = client_reqtab_add(&c->reqs, req->request_id, cb, arg);
	if (ret < 0) {
		/* It went out, but nobody could take the answer: this
		 * connection's request ids are no longer trustworthy. */
		ended_errno(c, STATUS_INTERNAL, "request table", ret);
		return ret;
	}
	if (id)
		*id = req->request_id;
	return 0;
}

int client_forget(struct client *c, uint64_t id)
{
	struct client_req *r = client_reqtab_take(&c->reqs, id);
	if (!r)
		return -ENOENT;
	free(r);
	return 0;
}

void client_close(struct client *c)
{
	if (!c || c->state == CLIENT_CLOSING)
		return;
	c->state = CLIENT_CLOSING;
	struct client_status st;
	client_status_set(&st, STATUS_UNAVAILABLE, "client closed");
	fail_pending(c, &st);
	drop_link(c);
	/* Cancelled or not, on_resolved still runs and frees the client. */
	if (c->gai_busy)
		uv_cancel((uv_req_t *)&c->gai);
	if (c->timer_open)
		uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}

enum client_state client_get_state(const struct client *c)
{
	return c->state;
}

const Clubcrm__Welcome *client_welcome(const struct client *c)
{
	return c->welcome ? c->welcome->welcome : NULL;
}

const Clubcrm__Operator *client_operator(const struct client *c)
{
	return c->login_ok ? c->login_ok->login_ok->operator_ : NULL;
}

uint32_t client_max_frame(const struct client *c)
{
	return c->max_out;
}

unsigned client_pending(const struct client *c)
{
	return (unsigned)c->reqs.count;
}

void *client_userdata(const struct client *c)
{
	return c->ud;
}
