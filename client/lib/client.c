#include "client_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "frame.h"
#include "status.h"
#include "tls.h"

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
	if (c->login_ok) {
		Clubcrm__LoginOk *ok = c->login_ok->login_ok;
		if (ok->has_resume_token && ok->resume_token.data)
			explicit_bzero(ok->resume_token.data,
				       ok->resume_token.len);
		clubcrm__frame__free_unpacked(c->login_ok, NULL);
	}
	if (c->token) {
		explicit_bzero(c->token, c->token_len);
		free(c->token);
	}
	free(c->login);
	if (c->password) {
		/* Do not leave the password lying around in freed memory. */
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	free(c->terminal);
	free(c->ca_file);
	free(c->server_name);
	tls_ctx_free(c->tls);
	arena_free(&c->push_arena);
	free(c);
}

/* Frees the client once it is closing and nothing of it is in flight. */
void client_maybe_free(struct client *c)
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
	client_maybe_free(c);
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

void client_drop_link(struct client *c)
{
	if (!c->link)
		return;
	client_link_close(c->link);
	c->link = NULL;
}

/* The last step of closing: the link, the resolver and the timer go, and
 * the client is freed when their callbacks came. Once. */
static void close_handles(struct client *c)
{
	c->logging_out = false;
	client_drop_link(c);
	/* Cancelled or not, on_resolved still runs and frees the client. */
	if (c->gai_busy)
		uv_cancel((uv_req_t *)&c->gai);
	if (c->timer_open)
		uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}

/*
 * The connection is over (or never came to be). Before READY that is the
 * answer to client_connect(): on_ready with the reason. After it, pending
 * requests fail and on_disconnect tells the owner.
 */
void client_connection_ended(struct client *c, const struct client_status *st)
{
	enum client_state was = c->state;
	if (was == CLIENT_CLOSING && c->logging_out)
		close_handles(c);  /* the server ended the session */
	if (was == CLIENT_CLOSING || was == CLIENT_DISCONNECTED)
		return;
	client_drop_link(c);
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

void client_ended_errno(struct client *c, unsigned code, const char *what,
			int err)
{
	struct client_status st;
	client_status_set(&st, code, "%s: %s", what, uv_strerror(err));
	client_connection_ended(c, &st);
}

/* ---------------------------------------------------------------- sending */

int client_send_frame(struct client *c, Clubcrm__Frame *f)
{
	if (!c->link)
		return -ENOTCONN;
	size_t size = clubcrm__frame__get_packed_size(f);
	if (size == 0 || size > c->max_out)
		return -EMSGSIZE;
	return client_link_send(c->link, f);
}

uint64_t client_take_id(struct client *c)
{
	uint64_t id = c->next_id++;
	if (c->next_id == 0)
		c->next_id = 1;
	return id;
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

unsigned client_errno_status(int err)
{
	switch (err) {
	case 0:
		return STATUS_OK;
	case -ENOTCONN:
		return STATUS_UNAVAILABLE;
	case -EMSGSIZE:
		return STATUS_RESOURCE_EXHAUSTED;
	case -EINVAL:
		return STATUS_INVALID_ARGUMENT;
	case -ENOENT:
		return STATUS_NOT_FOUND;
	case -EALREADY:
		return STATUS_FAILED_PRECONDITION;
	default:
		return STATUS_INTERNAL;
	}
}

static int new_errno(uv_loop_t *loop, const struct client_config *cfg,
		     const struct client_callbacks *cbs, void *ud,
		     struct client **out)
{
	struct client *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	arena_init(&c->push_arena);
	int ret = client_addr_parse(cfg->address, &c->addr);
	if (ret < 0)
		goto fail;
	bool failed = false;
	c->login = dup_or_null(cfg->login, &failed);
	c->password = dup_or_null(cfg->password, &failed);
	c->terminal = dup_or_null(cfg->terminal_name, &failed);
	c->ca_file = dup_or_null(cfg->ca_file, &failed);
	c->server_name = dup_or_null(cfg->server_name, &failed);
	c->use_tls = !c->addr.is_unix && (c->addr.tls || cfg->ca_file);
	ret = -EINVAL;
	if (cfg->resume_token && (!cfg->resume_token_len ||
				  cfg->resume_token_len > CLIENT_RESUME_TOKEN_MAX))
		goto fail;
	if (cfg->resume_token) {
		c->token = malloc(cfg->resume_token_len);
		if (c->token) {
			memcpy(c->token, cfg->resume_token,
			       cfg->resume_token_len);
			c->token_len = cfg->resume_token_len;
		} else {
			failed = true;
		}
	}
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
	c->connect_timeout_ms = cfg->connect_timeout_ms
					? cfg->connect_timeout_ms
					: CLIENT_CONNECT_TIMEOUT_MS;
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

unsigned client_new(uv_loop_t *loop, const struct client_config *cfg,
		    const struct client_callbacks *cbs, void *ud,
		    struct client **out)
{
	return client_errno_status(new_errno(loop, cfg, cbs, ud, out));
}

static int request_errno(struct client *c, Clubcrm__Frame *req,
			 client_reply_cb cb, void *arg, uint64_t *id)
{
	if (c->state != CLIENT_READY)
		return -ENOTCONN;
	if (!cb)
		return -EINVAL;
	req->has_request_id = true;
	req->request_id = client_take_id(c);
	int ret = client_send_frame(c, req);
	if (ret < 0)
		return ret;
	if (c->state != CLIENT_READY)
		return -ENOTCONN;  /* the write failed at once: link lost */
	ret = client_reqtab_add(&c->reqs, req->request_id, cb, arg);
	if (ret < 0) {
		/* It went out, but nobody could take the answer: this
		 * connection's request ids are no longer trustworthy. */
		client_ended_errno(c, STATUS_INTERNAL, "request table", ret);
		return ret;
	}
	if (id)
		*id = req->request_id;
	return 0;
}

unsigned client_request(struct client *c, Clubcrm__Frame *req,
			client_reply_cb cb, void *arg, uint64_t *id)
{
	return client_errno_status(request_errno(c, req, cb, arg, id));
}

unsigned client_forget(struct client *c, uint64_t id)
{
	struct client_req *r = client_reqtab_take(&c->reqs, id);
	if (!r)
		return STATUS_NOT_FOUND;
	free(r);
	return STATUS_OK;
}

/* Marks the client closing and fails its pending requests. false when it
 * was closing already. */
static bool start_closing(struct client *c)
{
	if (!c || c->state == CLIENT_CLOSING)
		return false;
	c->state = CLIENT_CLOSING;
	struct client_status st;
	client_status_set(&st, STATUS_UNAVAILABLE, "client closed");
	fail_pending(c, &st);
	return true;
}

void client_close(struct client *c)
{
	if (start_closing(c))
		close_handles(c);
}

static void on_logout_timeout(uv_timer_t *t)
{
	struct client *c = t->data;
	if (c->logging_out)
		close_handles(c);
}

static int send_logout(struct client *c)
{
	Clubcrm__Logout lo = CLUBCRM__LOGOUT__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = client_take_id(c);
	f.body_case = CLUBCRM__FRAME__BODY_LOGOUT;
	f.logout = &lo;
	return client_send_frame(c, &f);
}

/*
 * The answer to Logout is the server's GoAway and close, which end the
 * link like any loss: client_connection_ended() then finishes the close.
 */
void client_logout_close(struct client *c)
{
	bool ready = c && c->state == CLIENT_READY && c->link;
	if (!start_closing(c))
		return;
	if (!ready || send_logout(c) < 0 || !c->link) {
		close_handles(c);
		return;
	}
	c->logging_out = true;
	uv_timer_start(&c->timer, on_logout_timeout, CLIENT_LOGOUT_TIMEOUT_MS,
		       0);
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

unsigned client_idempotency_key(uint8_t key[CLIENT_IDEMPOTENCY_KEY_LEN])
{
	ssize_t n = getrandom(key, CLIENT_IDEMPOTENCY_KEY_LEN, 0);
	if (n == (ssize_t)CLIENT_IDEMPOTENCY_KEY_LEN)
		return STATUS_OK;
	return STATUS_INTERNAL;
}

bool client_resume_token(const struct client *c, const uint8_t **token,
			 size_t *len, int64_t *expires)
{
	const Clubcrm__LoginOk *ok = c->login_ok ? c->login_ok->login_ok : NULL;
	if (!ok || !ok->has_resume_token || !ok->resume_token.len ||
	    ok->resume_token.len > CLIENT_RESUME_TOKEN_MAX)
		return false;
	*token = ok->resume_token.data;
	*len = ok->resume_token.len;
	*expires = ok->has_resume_expires ? ok->resume_expires : 0;
	return true;
}

bool client_login_sent(const struct client *c)
{
	return c->login_id != 0;
}

uint32_t client_max_frame(const struct client *c)
{
	return c->max_out;
}

unsigned client_pending(const struct client *c)
{
	return (unsigned)c->reqs.count;
}

size_t client_frame_bytes(const struct client *c)
{
	return c->rx_frame_bytes;
}

void client_yield_reading(struct client *c)
{
	if (c->link)
		client_link_yield(c->link);
}

void *client_userdata(const struct client *c)
{
	return c->ud;
}
