/*
 * A WebSocket as a transport (transport.h): its output queue written as
 * binary messages when libwebsockets says the socket can take one; read
 * backpressure by lws_rx_flow_control(); its close. The rules every
 * transport shares (send and the output bound, drain, timer) are
 * transport.c's. What the bytes mean is the owner's, exactly as for a TCP
 * connection (conn.c).
 *
 * Lifetime: the wsi belongs to libwebsockets and dies at its close
 * callback; the transport is freed when its last reference goes: one for
 * the wsi (dropped at web_conn_detach), one for its timer handle (dropped
 * in the timer's close callback), and whatever its owner holds.
 *
 * Closing: a reset (the output bound) has libwebsockets kill the socket
 * at the next pass. A polite close (a drained connection, the owner's
 * close) sets the close code and, from the connection's own timer, outside
 * any libwebsockets callback, asks libwebsockets to close: it sends the
 * close frame and waits a little for the peer's answer. (Returning -1 from
 * the writeable callback would drop the close frame in 4.1.)
 */
#include "web_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "transport_impl.h"


struct web_conn {
	struct transport base;     /* first: the transport is the conn */
	struct web *web;
	struct lws *wsi;           /* NULL once libwebsockets closed it */
	uv_timer_t timer;
	unsigned refs;
	bool rx_on;                /* libwebsockets reads for us */
	bool timer_open;
	bool kill_pending;         /* the timer closes the wsi politely */
	/* Queued, not yet handed to lws_write (base.out). */
	struct outq out;
};

static unsigned long long wid(const struct web_conn *c)
{
	return (unsigned long long)c->base.id;
}

static struct web_conn *wc_of(struct transport *t)
{
	return (struct web_conn *)t;
}

static void wc_shut(struct web_conn *c, bool reset);
static void wc_close(struct web_conn *c, bool reset, uint16_t code);
/* The transport's ops (transport.h) take the transport itself. */
static void wc_arm_timer(struct transport *t);
static void wc_update_reading(struct transport *t);

/* ------------------------------------------------------------ lifetime */

static void wc_free(struct web_conn *c)
{
	if (c->base.up)
		c->base.up->on_free(c->base.owner);
	outq_free(&c->out);
	c->web->conns--;
	free(c);
}

static void wc_ref(struct transport *t)
{
	wc_of(t)->refs++;
}

static void wc_unref(struct transport *t)
{
	struct web_conn *c = wc_of(t);
	if (--c->refs == 0)
		wc_free(c);
}

static void on_timer_close(uv_handle_t *h)
{
	struct web_conn *c = h->data;
	wc_unref(&c->base);
}

static void wc_timer_release(struct web_conn *c)
{
	if (!c->timer_open)
		return;
	c->timer_open = false;
	c->kill_pending = false;
	uv_close((uv_handle_t *)&c->timer, on_timer_close);
}

/* The remote address, as conn.c writes it, so logs and the login
 * throttle see one peer whatever transport it uses. */
static void describe_peer(struct web_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = lws_get_socket_fd(c->wsi);
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		ss.ss_family = AF_UNSPEC;    /* named "?" */
	transport_name_peer(&c->base, &ss);
}

static const struct transport_ops web_conn_ops;
static const struct transport_impl web_conn_impl;

int web_conn_open(struct web *w, struct lws *wsi, struct web_pss *pss)
{
	struct net *n = w->net;
	if (!w->accepting)
		return -1;
	struct web_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		log_warn("web: out of memory for a WebSocket");
		return -1;
	}
	transport_init(&c->base, &web_conn_ops, &web_conn_impl, &c->out,
		       n->loop, ++n->next_id, n->max_output);
	c->web = w;
	c->wsi = wsi;
	c->rx_on = true;
	if (uv_timer_init(n->loop, &c->timer) < 0) {
		free(c);
		return -1;
	}
	c->timer.data = c;
	c->timer_open = true;
	c->refs = 2;               /* the wsi and the timer handle */
	w->conns++;
	w->sockets++;
	pss->wc = c;
	describe_peer(c);
	log_info("conn %llu (%s): web socket opened", wid(c), c->base.peer);
	n->on_accept(n->ctx, &c->base);
	if (!c->base.up) {
		/* Nobody took it (out of memory): it goes. */
		wc_shut(c, true);
		wc_timer_release(c);
		return -1;
	}
	return 0;
}

void web_conn_detach(struct web_pss *pss)
{
	struct web_conn *c = pss->wc;
	if (!c)
		return;
	pss->wc = NULL;
	c->wsi = NULL;
	c->web->sockets--;
	log_debug("conn %llu (%s): web socket gone", wid(c), c->base.peer);
	wc_shut(c, false);
	wc_timer_release(c);
	wc_unref(&c->base);
}

/* ------------------------------------------------------------ input */

int web_conn_receive(struct web_pss *pss, struct lws *wsi, const void *in,
		     size_t len)
{
	struct web_conn *c = pss->wc;
	if (!c)
		return -1;
	if (c->base.closing)
		return c->kill_pending ? 0 : -1;
	if (!lws_frame_is_binary(wsi)) {
		/* The protocol is bytes: a text message is not it. */
		log_info("conn %llu (%s): web: text message, closing", wid(c),
			 c->base.peer);
		lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
				 (unsigned char *)"binary only", 11);
		wc_shut(c, false);
		wc_timer_release(c);
		return -1;
	}
	if (c->base.draining || len == 0)
		return 0;
	/* What the owner cannot take yet it stashes (as for TLS), then says
	 * so through wants_input: reading stops below. */
	c->base.up->on_data(c->base.owner, in, len);
	if (c->base.closing)
		return c->kill_pending ? 0 : -1;
	wc_update_reading(&c->base);
	return 0;
}

/*
 * The gauge: what is queued here. libwebsockets holds at most one message
 * beyond it (the rest of a partial write), and asks for no more until
 * that is out.
 */
static size_t wc_queued(const struct transport *t)
{
	return ((const struct web_conn *)t)->out.bytes;
}

static void wc_update_reading(struct transport *t)
{
	struct web_conn *c = wc_of(t);
	if (!c->wsi || c->base.closing)
		return;
	bool want = transport_live(&c->base) &&
		    transport_up_wants_input(&c->base) &&
		    wc_queued(&c->base) <= transport_soft_limit(&c->base);
	if (want == c->rx_on)
		return;
	c->rx_on = want;
	/* Bytes libwebsockets already read wait in its buffer until then. */
	if (lws_rx_flow_control(c->wsi, want ? 1 : 0) < 0)
		wc_close(c, true, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION);
}

/* ------------------------------------------------------------ timer */

static void on_timer(uv_timer_t *t)
{
	struct web_conn *c = t->data;
	if (c->kill_pending) {
		/* Outside any callback: libwebsockets sends the close frame
		 * and closes (the peer's answer or its timeout). */
		struct lws *wsi = c->wsi;
		wc_timer_release(c);
		if (wsi)
			lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK,
					LWS_TO_KILL_SYNC);
		return;
	}
	transport_timer_fired(&c->base, &c->timer, on_timer);
}

static void wc_arm_timer(struct transport *t)
{
	transport_arm_timer(t, &wc_of(t)->timer, on_timer);
}

/* ------------------------------------------------------------ output */

static void want_write(struct web_conn *c)
{
	if (c->wsi)
		lws_callback_on_writable(c->wsi);
}

/* Queued output goes when libwebsockets says the socket takes it. */
static void kick(struct transport *t)
{
	want_write(wc_of(t));
}

int web_conn_writeable(struct web_pss *pss, struct lws *wsi)
{
	struct web_conn *c = pss->wc;
	if (!c)
		return -1;
	if (c->base.closing)
		return c->kill_pending ? 0 : -1;
	if (outq_empty(&c->out)) {
		/* Everything, the last message included, is out: a draining
		 * connection ends here, with its close frame. */
		if (c->base.draining && !transport_up_busy(&c->base)) {
			log_debug("conn %llu (%s): web: drained, closing",
				  wid(c), c->base.peer);
			wc_close(c, false, LWS_CLOSE_STATUS_NORMAL);
			return 0;
		}
		return 0;
	}
	uint8_t *p = c->web->wbuf + LWS_PRE;
	size_t len = outq_take(&c->out, p, WEB_WRITE_CHUNK, transport_buf_done,
			       &c->base);
	int n = lws_write(wsi, p, len, LWS_WRITE_BINARY);
	if (n < (int)len) {
		log_debug("conn %llu (%s): web: write failed", wid(c),
			  c->base.peer);
		wc_shut(c, false);
		wc_timer_release(c);
		return -1;
	}
	if (!outq_empty(&c->out) || c->base.draining)
		lws_callback_on_writable(wsi);
	if (transport_live(&c->base) && c->base.up) {
		c->base.up->on_drained(c->base.owner);
		if (c->base.closing)
			return -1;
	}
	wc_update_reading(&c->base);
	return 0;
}

/* ------------------------------------------------------------ close */

static void wc_maybe_finish(struct transport *t)
{
	struct web_conn *c = wc_of(t);
	if (!c->base.draining || c->base.closing)
		return;
	if (!outq_empty(&c->out) || transport_up_busy(&c->base))
		return;
	want_write(c);
}

/*
 * The connection is closing: the owner hears of it now, queued output is
 * dropped, the timer stops. What happens to the wsi (and the timer handle)
 * is the caller's.
 */
static void wc_shut(struct web_conn *c, bool reset)
{
	if (c->base.closing)
		return;
	transport_set_closing(&c->base, reset);
	outq_clear(&c->out, transport_buf_done, &c->base);
	if (c->timer_open)
		uv_timer_stop(&c->timer);
}

/*
 * Closes; callable from anywhere, the wsi's own callbacks included (its
 * owner may close from inside on_data): `reset` has libwebsockets kill the
 * socket at the next pass (a peer that does not read gets no close frame);
 * otherwise the close frame with `code` goes first, from the timer.
 */
static void wc_close(struct web_conn *c, bool reset, uint16_t code)
{
	if (c->base.closing)
		return;
	wc_shut(c, reset);
	if (!c->wsi || reset || !c->timer_open ||
	    uv_timer_start(&c->timer, on_timer, 0, 0) < 0) {
		wc_timer_release(c);
		if (c->wsi)
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK,
					LWS_TO_KILL_ASYNC);
		return;
	}
	lws_close_reason(c->wsi, (enum lws_close_status)code, NULL, 0);
	c->kill_pending = true;
}

/* ------------------------------------------------------------ ops */

/* Output goes when libwebsockets says the socket takes it; a send already
 * asked for that. */
static void wc_flush(struct transport *t)
{
	struct web_conn *c = wc_of(t);
	if (!c->base.closing && !outq_empty(&c->out))
		want_write(c);
}

static void wc_close_op(struct transport *t, bool reset)
{
	wc_close(wc_of(t), reset, LWS_CLOSE_STATUS_NORMAL);
}

static const struct transport_ops web_conn_ops = {
	.queued = wc_queued,
	.flush = wc_flush,
	.close = wc_close_op,
	.maybe_finish = wc_maybe_finish,
	.update_reading = wc_update_reading,
	.arm_timer = wc_arm_timer,
	.ref = wc_ref,
	.unref = wc_unref,
};

static const struct transport_impl web_conn_impl = {
	.kick = kick,
	.fail_reset = true,
	.log_kind = "web: ",
};
