/* A client's way to a connection: resolving, connecting, link events. */
#include "client_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "status.h"
#include "tls.h"

static void try_next_address(struct client *c);

/* ---------------------------------------------------------------- link events */

static void on_link_connected(void *owner, struct client_link *l, int status)
{
	struct client *c = owner;
	if (l != c->link)
		return;
	if (status < 0) {
		c->last_err = status;
		client_drop_link(c);
		try_next_address(c);
		return;
	}
	c->state = CLIENT_HANDSHAKE;
	int ret = client_send_hello(c);
	if (ret < 0)
		client_ended_errno(c, STATUS_INTERNAL, "sending hello", ret);
}

/*
 * A TLS listener given plain bytes closes without a word (OpenSSL sends no
 * alert for a record that is not TLS at all), so a plain client that loses
 * its connection before any Welcome says what the likely cause is.
 */
static bool maybe_wants_tls(const struct client *c, int err)
{
	if (err == -EPROTONOSUPPORT)
		return true;  /* we saw a TLS record */
	return !c->use_tls && !c->addr.is_unix && !c->got_goaway &&
	       c->state == CLIENT_HANDSHAKE &&
	       (err == UV_EOF || err == UV_ECONNRESET || err == UV_EPIPE);
}

static void on_link_lost(void *owner, struct client_link *l, int err)
{
	struct client *c = owner;
	if (l != c->link)
		return;
	struct client_status st;
	if (err == -EKEYREJECTED || err == -EPROTO)
		client_status_set(&st, STATUS_UNAVAILABLE, "TLS to %s:%s: %s",
				  c->addr.host, c->addr.port,
				  client_link_tls_error(l));
	else if (maybe_wants_tls(c, err))
		client_status_set(&st, STATUS_UNAVAILABLE,
				  "%s:%s closed the connection before its "
				  "Welcome%s: if it speaks TLS, give a CA file "
				  "(--ca-file) or a tls: address",
				  c->addr.host, c->addr.port,
				  err == -EPROTONOSUPPORT ?
					" with a TLS record" : "");
	else if (err == UV_EOF)
		client_status_set(&st, STATUS_UNAVAILABLE,
				  "connection closed by the server");
	else if (err == -EMSGSIZE)
		client_status_set(&st, STATUS_INTERNAL,
				  "frame over the limit from the server");
	else
		client_status_set(&st, STATUS_UNAVAILABLE, "connection lost: %s",
				  uv_strerror(err));
	client_connection_ended(c, &st);
}

static void on_link_closed(void *owner, struct client_link *l)
{
	struct client *c = owner;
	if (l == c->link)
		c->link = NULL;
	c->links_open--;
	client_maybe_free(c);
}

static const struct client_link_ops link_ops = {
	.on_connected = on_link_connected,
	.on_frame = client_on_frame,
	.on_lost = on_link_lost,
	.on_closed = on_link_closed,
};

/* ---------------------------------------------------------------- connecting */

static void open_link(struct client *c, const struct sockaddr *sa,
		      const char *path)
{
	c->state = CLIENT_CONNECTING;
	int ret = client_link_open(c->loop, sa, path, c->tls,
				   FRAME_MAX_DEFAULT, &link_ops, c, &c->link);
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
		client_ended_errno(c, STATUS_UNAVAILABLE, what,
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
		client_maybe_free(c);
		return;
	}
	if (status < 0) {
		struct client_status st;
		client_status_set(&st, STATUS_UNAVAILABLE, "resolve %s: %s",
				  c->addr.host, uv_strerror(status));
		client_connection_ended(c, &st);
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
	client_connection_ended(c, &st);
}

/*
 * The TLS context, made at connect time so that a reconnecting owner
 * (live.c) reads the CA file afresh on each attempt. False when it could
 * not be made (the connection has ended, with the reason).
 */
static bool setup_tls(struct client *c)
{
	if (!c->use_tls || c->tls)
		return true;
	char err[200] = "";
	const char *name = c->server_name ? c->server_name : c->addr.host;
	int ret = tls_ctx_new_client(&c->tls, c->ca_file, name, err,
				     sizeof(err));
	if (ret == 0)
		return true;
	struct client_status st;
	client_status_set(&st, ret == -ENOMEM ? STATUS_INTERNAL
					     : STATUS_INVALID_ARGUMENT,
			  "TLS: %s", err[0] ? err : strerror(-ret));
	client_connection_ended(c, &st);
	return false;
}

static int connect_errno(struct client *c)
{
	if (c->state != CLIENT_NEW)
		return -EALREADY;
	int ret = uv_timer_start(&c->timer, on_deadline,
				 c->connect_timeout_ms, 0);
	if (ret < 0)
		return ret;
	c->state = CLIENT_CONNECTING;
	if (!setup_tls(c))
		return 0;
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

unsigned client_connect(struct client *c)
{
	return client_errno_status(connect_errno(c));
}
