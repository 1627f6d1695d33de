/*
 * A connection over a libuv stream (TCP, a unix socket) as a transport
 * (transport.h): its handle and timer, writing its output queue (one
 * uv_write per pass), backpressure, and its close. TLS on TCP is a layer
 * between the stream and the owner (conn_tls.c). The rules every
 * transport shares (send and the output bound, drain, timer) are
 * transport.c's. What the bytes mean is its owner's.
 *
 * Lifetime: a connection is freed when its last reference goes: each open
 * handle holds one (so it is freed in the close callback of its last
 * handle), and so does every piece of work that will come back to it (its
 * owner's, and a pending flush or pause of the loop pass).
 */
#include "net.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn_tls.h"
#include "log.h"
#include "transport_impl.h"
#include "uvstream.h"

/* What one connection may read in one loop pass (libuv would otherwise
 * read up to 32 buffers in a row from a busy peer, and decode them all
 * before anyone else is served). */
#define CONN_READ_PER_PASS NET_READ_BUF

struct conn {
	struct transport base;     /* first: the transport is the conn */
	struct net *net;
	union uvstream h;
	uv_timer_t timer;
	struct conn_tls *tls;      /* the TLS layer on this stream, or NULL */
	unsigned refs;
	struct conn *dirty_next;   /* net's flush list */
	bool dirty;

	bool reading;
	/* Fairness: bytes read in the current loop pass; past
	 * CONN_READ_PER_PASS the connection waits for the next pass (on the
	 * net's `paused` list) so others, and their pings, get a turn. */
	size_t pass_read;
	uint64_t pass;
	bool pass_paused;
	struct conn *paused_next;
	struct conn *done_next;    /* net's list of writes done at once */

	struct outq out;           /* queued, not yet written (base.out) */
	struct outq wr;            /* in the uv_write in flight */
	uv_buf_t *iov;
	size_t iov_cap;
	uv_write_t write_req;
	bool writing;
};

static struct conn *conn_of(struct transport *t)
{
	return (struct conn *)t;
}

static unsigned long long cid(const struct conn *c)
{
	return (unsigned long long)c->base.id;
}

/* The transport's ops (transport.h) take the transport itself. */
static void conn_ref(struct transport *t);
static void conn_unref(struct transport *t);
static void conn_flush(struct transport *t);
static void conn_update_reading(struct transport *t);
static void conn_arm_timer(struct transport *t);
static void conn_maybe_finish(struct transport *t);
static void conn_shut(struct transport *t, bool reset);
static void conn_close(struct conn *c);

/* ------------------------------------------------------------ upcalls */

static void up_data(struct conn *c, const uint8_t *data, size_t len)
{
	if (c->base.up)
		c->base.up->on_data(c->base.owner, data, len);
}


/* ------------------------------------------------------------ loop pass */

static void mark_dirty(struct conn *c)
{
	struct net *n = c->net;
	if (c->dirty)
		return;
	c->dirty = true;
	conn_ref(&c->base);
	c->dirty_next = n->dirty;
	n->dirty = c;
}

/* Flushes (or, at shutdown, just drops) every connection marked dirty. */
static void drain_dirty(struct net *n, bool flush)
{
	while (n->dirty) {
		struct conn *c = n->dirty;
		n->dirty = c->dirty_next;
		c->dirty_next = NULL;
		c->dirty = false;
		if (flush)
			conn_flush(&c->base);
		conn_unref(&c->base);
	}
}

static void pause_reading(struct conn *c)
{
	struct net *n = c->net;
	conn_ref(&c->base);
	c->paused_next = n->paused;
	n->paused = c;
}

/* Connections that read their share of the last pass read again. */
static void resume_paused(struct net *n, bool resume)
{
	while (n->paused) {
		struct conn *c = n->paused;
		n->paused = c->paused_next;
		c->paused_next = NULL;
		c->pass_paused = false;
		if (resume) {
			c->pass_read = 0;
			if (!c->base.closing)
				conn_update_reading(&c->base);
		}
		conn_unref(&c->base);
	}
}

void net_init(struct net *n, uv_loop_t *loop, size_t max_output,
	      net_accept_cb on_accept, void *ctx)
{
	memset(n, 0, sizeof(*n));
	n->loop = loop;
	n->max_output = max_output;
	n->on_accept = on_accept;
	n->ctx = ctx;
}

void net_pass_begin(struct net *n)
{
	n->pass++;
	resume_paused(n, true);
}

void net_flush(struct net *n)
{
	drain_dirty(n, true);
}

static void write_finished(struct conn *c, int status);

/* The completions of writes that went out at once (net's `done`). */
static void run_done(struct net *n, bool complete)
{
	while (n->done) {
		struct conn *c = n->done;
		n->done = c->done_next;
		c->done_next = NULL;
		if (complete) {
			write_finished(c, 0);
		} else {
			outq_clear(&c->wr, transport_buf_done, &c->base);
			c->writing = false;
		}
		conn_unref(&c->base);
	}
}

static void on_done_idle(uv_idle_t *h)
{
	struct net *n = h->data;
	uv_idle_stop(h);
	run_done(n, true);
}

void net_forget(struct net *n)
{
	drain_dirty(n, false);
	resume_paused(n, false);
	run_done(n, false);
	if (n->done_idle_init && !n->done_idle_closed) {
		n->done_idle_closed = true;
		uv_close((uv_handle_t *)&n->done_idle, NULL);
	}
}

/* ------------------------------------------------------------ lifetime */

static void on_handle_close(uv_handle_t *h)
{
	struct conn *c = h->data;
	conn_unref(&c->base);
}

static void conn_free(struct conn *c)
{
	if (c->base.up)
		c->base.up->on_free(c->base.owner);
	conn_tls_free(c->tls);
	outq_free(&c->out);
	outq_free(&c->wr);
	free(c->iov);
	free(c);
}

static void conn_ref(struct transport *t)
{
	conn_of(t)->refs++;
}

static void conn_unref(struct transport *t)
{
	struct conn *c = conn_of(t);
	if (--c->refs == 0)
		conn_free(c);
}

static void describe_peer(struct conn *c, bool tcp)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	if (!tcp) {
		snprintf(c->base.peer, sizeof(c->base.peer), "unix");
		return;
	}
	if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &len) != 0)
		ss.ss_family = AF_UNSPEC;    /* named "?" */
	transport_name_peer(&c->base, &ss);
}

/* ------------------------------------------------------------ input */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct conn *c = h->data;
	struct net *n = c->net;
	(void)suggested;
	/* libuv calls alloc, read and the read callback in one go on the
	 * loop thread, so one buffer serves every connection. */
	if (n->read_buf_lent) {
		*b = uv_buf_init(NULL, 0);
		return;
	}
	n->read_buf_lent = true;
	*b = uv_buf_init((char *)n->read_buf, sizeof(n->read_buf));
}

/* TLS: the layer hands the plaintext up; the stream sends its answer. */
static void tls_input(struct conn *c, const uint8_t *data, size_t len)
{
	int ret = conn_tls_unwrap(c->tls, &c->base, data, len,
				  c->net->plain_buf, sizeof(c->net->plain_buf));
	if (c->base.closing)
		return;
	if (ret < 0 && ret != -ESHUTDOWN)
		log_info("conn %llu (%s): TLS: %s", cid(c), c->base.peer,
			 conn_tls_error(c->tls));
	/* A failure's alert, if any, still goes out before the close. */
	if (ret < 0) {
		transport_drain(&c->base);
		if (ret != -ESHUTDOWN)
			return;
	}
	if (conn_tls_pending(c->tls))
		mark_dirty(c);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct conn *c = s->data;
	if (b->base == (char *)c->net->read_buf)
		c->net->read_buf_lent = false;
	if (nread == 0)
		return;
	if (nread == UV_EOF && !c->base.closing) {
		/* The peer sends no more but may still read: what it asked
		 * for is answered, then the connection closes. */
		c->reading = false;
		transport_drain(&c->base);
		return;
	}
	if (nread < 0) {
		if (nread != UV_EOF)
			log_debug("conn %llu (%s): read: %s", cid(c),
				  c->base.peer, uv_strerror((int)nread));
		conn_close(c);
		return;
	}
	if (!transport_live(&c->base))
		return;
	if (c->pass != c->net->pass) {
		c->pass = c->net->pass;
		c->pass_read = 0;
	}
	c->pass_read += (size_t)nread;
	if (c->tls)
		tls_input(c, (const uint8_t *)b->base, (size_t)nread);
	else
		up_data(c, (const uint8_t *)b->base, (size_t)nread);
	if (c->pass_read >= CONN_READ_PER_PASS && !c->base.closing &&
	    !c->pass_paused) {
		c->pass_paused = true;
		pause_reading(c);
	}
	conn_update_reading(&c->base);
}

/*
 * The backpressure gauge: what is queued here, plus what libuv still holds
 * of the write in flight (the kernel took the rest). Counting the whole
 * in-flight write would punish a reader that keeps up with a big burst.
 */
static size_t conn_queued(const struct transport *t)
{
	const struct conn *c = (const struct conn *)t;
	size_t held = c->writing ? uv_stream_get_write_queue_size(&c->h.stream)
				 : 0;
	return c->out.bytes + held;
}

static void conn_update_reading(struct transport *t)
{
	struct conn *c = conn_of(t);
	bool want = transport_live(&c->base) && !c->pass_paused &&
		    transport_up_wants_input(&c->base) &&
		    conn_queued(&c->base) <= transport_soft_limit(&c->base);
	if (want == c->reading)
		return;
	if (want) {
		int ret = uv_read_start(&c->h.stream, on_alloc, on_read);
		if (ret < 0) {
			log_warn("conn %llu (%s): read: %s", cid(c),
				 c->base.peer, uv_strerror(ret));
			conn_close(c);
			return;
		}
	} else {
		/* Always 0 for a stream (libuv 1.x): nothing to handle. */
		(void)uv_read_stop(&c->h.stream);
	}
	c->reading = want;
}

/* ------------------------------------------------------------ timer */

static void on_timer(uv_timer_t *t)
{
	struct conn *c = t->data;
	transport_timer_fired(&c->base, &c->timer, on_timer);
}

static void conn_arm_timer(struct transport *t)
{
	transport_arm_timer(t, &conn_of(t)->timer, on_timer);
}

/* ------------------------------------------------------------ accept */

static const struct transport_ops conn_ops;
static const struct transport_impl conn_impl;

static struct conn *conn_new(struct net *n, bool tcp)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	transport_init(&c->base, &conn_ops, &conn_impl, &c->out, n->loop,
		       ++n->next_id, n->max_output);
	c->net = n;
	int ret = tcp ? uv_tcp_init(n->loop, &c->h.tcp)
		      : uv_pipe_init(n->loop, &c->h.pipe, 0);
	if (ret < 0) {
		free(c);
		return NULL;
	}
	c->h.handle.data = c;
	c->refs = 1;
	ret = uv_timer_init(n->loop, &c->timer);
	if (ret < 0) {
		c->base.closing = true;
		uv_close(&c->h.handle, on_handle_close);
		return NULL;
	}
	c->timer.data = c;
	c->refs++;
	return c;
}

int net_accept(struct net *n, uv_stream_t *listener)
{
	bool tcp = listener->type == UV_TCP;
	struct conn *c = conn_new(n, tcp);
	if (!c)
		return -ENOMEM;
	int ret = uv_accept(listener, &c->h.stream);
	if (ret < 0) {
		c->base.closing = true;
		uv_close(&c->h.handle, on_handle_close);
		uv_close((uv_handle_t *)&c->timer, on_handle_close);
		return ret;
	}
	if (tcp) {
		/* Only latency is lost if this fails: go on. */
		ret = uv_tcp_nodelay(&c->h.tcp, 1);
		if (ret < 0)
			log_debug("conn %llu: nodelay: %s", cid(c),
				  uv_strerror(ret));
	}
	describe_peer(c, tcp);
	if (tcp && n->tls) {
		char err[256] = "";
		ret = conn_tls_new(n->tls, &c->tls, err, sizeof(err));
		if (ret < 0) {
			log_warn("conn %llu (%s): TLS: %s", cid(c),
				 c->base.peer, err);
			conn_close(c);
			return 0;
		}
		c->base.tls = true;
	}
	n->on_accept(n->ctx, &c->base);
	/* Nobody took it (out of memory): it goes. */
	if (!c->base.up)
		conn_close(c);
	return 0;
}

/* ------------------------------------------------------------ output */

/* Queued output goes out at the loop pass's flush. */
static void kick(struct transport *t)
{
	mark_dirty(conn_of(t));
}

static bool has_output(const struct conn *c)
{
	return !outq_empty(&c->out) ||
	       (c->tls && conn_tls_pending(c->tls));
}

/* Turns the queued frames into one buffer of TLS records. */
static int tls_encrypt_queue(struct conn *c)
{
	int ret = conn_tls_wrap(c->tls, &c->base, &c->out);
	if (ret < 0)
		log_info("conn %llu (%s): TLS: %s", cid(c), c->base.peer,
			 conn_tls_error(c->tls));
	return ret;
}

static void on_write(uv_write_t *req, int status)
{
	write_finished(req->data, status);
}

/* The write in flight is over (uv_write's callback, or the pass after a
 * write that went out at once). */
static void write_finished(struct conn *c, int status)
{
	outq_clear(&c->wr, transport_buf_done, &c->base);
	c->writing = false;
	if (status < 0) {
		if (status != UV_ECANCELED)
			log_debug("conn %llu (%s): write: %s", cid(c),
				  c->base.peer, uv_strerror(status));
		conn_close(c);
		return;
	}
	if (has_output(c))
		mark_dirty(c);
	conn_maybe_finish(&c->base);
	if (transport_live(&c->base) && c->base.up)
		c->base.up->on_drained(c->base.owner);
}

/*
 * Most flushes fit the socket's buffer (a terminal's delta): written at
 * once with uv_try_write, they need no uv_write, whose completion makes
 * libuv 1.44 rewrite the socket's epoll entry (an epoll_ctl for every
 * write: as many syscalls as the writes themselves when a commit goes to
 * 500 terminals). The write still counts as in flight until its
 * completion runs at the next pass, as a uv_write's callback would.
 * Answers SIZE_MAX when nothing is left to uv_write (done, or closed),
 * else the first of c->iov to give uv_write (the one written partly
 * starts after its written bytes).
 */
static size_t try_write(struct conn *c)
{
	struct net *n = c->net;
	if (n->done_idle_closed)
		return 0;
	if (!n->done_idle_init) {
		if (uv_idle_init(n->loop, &n->done_idle) < 0)
			return 0;
		n->done_idle.data = n;
		n->done_idle_init = true;
	}
	int k = uv_try_write(&c->h.stream, c->iov, (unsigned)c->wr.n);
	if (k == UV_EAGAIN)
		return 0;
	if (k < 0) {
		log_debug("conn %llu (%s): write: %s", cid(c), c->base.peer,
			  uv_strerror(k));
		conn_close(c);
		return SIZE_MAX;
	}
	size_t left = (size_t)k;
	size_t i = 0;
	while (i < c->wr.n && left >= c->iov[i].len)
		left -= c->iov[i++].len;
	if (i < c->wr.n) {
		c->iov[i].base += left;
		c->iov[i].len -= left;
		return i;
	}
	c->writing = true;
	conn_ref(&c->base);
	c->done_next = n->done;
	n->done = c;
	uv_idle_start(&n->done_idle, on_done_idle);
	return SIZE_MAX;
}

/* Writes everything queued in one uv_write (the loop pass's flush). */
static void conn_flush(struct transport *t)
{
	struct conn *c = conn_of(t);
	if (c->base.closing || c->writing || !has_output(c)) {
		conn_maybe_finish(&c->base);
		return;
	}
	if (c->tls && tls_encrypt_queue(c) < 0) {
		conn_close(c);
		return;
	}
	if (outq_empty(&c->out))
		return;
	if (c->iov_cap < c->out.n) {
		uv_buf_t *iov = realloc(c->iov, c->out.n * sizeof(*iov));
		if (!iov) {
			conn_close(c);
			return;
		}
		c->iov = iov;
		c->iov_cap = c->out.n;
	}
	/* The queued frames become the write in flight; their memory stays
	 * untouched until on_write. The arrays swap so both are reused. */
	struct outq tmp = c->wr;
	c->wr = c->out;
	c->out = tmp;
	for (size_t i = 0; i < c->wr.n; i++)
		c->iov[i] = uv_buf_init((char *)c->wr.v[i].data,
					(unsigned)c->wr.v[i].len);
	size_t skip = try_write(c);
	if (skip == SIZE_MAX)
		return;  /* all of it went, or the connection closed */
	c->write_req.data = c;
	int ret = uv_write(&c->write_req, &c->h.stream, c->iov + skip,
			   (unsigned)(c->wr.n - skip), on_write);
	if (ret < 0) {
		log_debug("conn %llu (%s): write: %s", cid(c), c->base.peer,
			  uv_strerror(ret));
		conn_close(c);
		return;
	}
	c->writing = true;
}

/* ------------------------------------------------------------ close */

static void conn_maybe_finish(struct transport *t)
{
	struct conn *c = conn_of(t);
	if (!c->base.draining || c->base.closing)
		return;
	if (c->writing || has_output(c) || transport_up_busy(&c->base))
		return;
	/* TLS ends with close_notify, so the peer can tell our close from a
	 * cut connection; the close follows once it is written. */
	if (c->tls && conn_tls_bye(c->tls)) {
		mark_dirty(c);
		return;
	}
	conn_close(c);
}

/* `reset`: a TCP reset, for a peer dropped because it does not read,
 * whose unsent bytes would otherwise linger in the kernel. */
static void conn_shut(struct transport *t, bool reset)
{
	struct conn *c = conn_of(t);
	if (c->base.closing)
		return;
	c->reading = false;
	transport_set_closing(&c->base, reset);
	if (!reset || c->h.handle.type != UV_TCP ||
	    uv_tcp_close_reset(&c->h.tcp, on_handle_close) < 0)
		uv_close(&c->h.handle, on_handle_close);
	uv_close((uv_handle_t *)&c->timer, on_handle_close);
}

static void conn_close(struct conn *c)
{
	conn_shut(&c->base, false);
}

/* ------------------------------------------------------------ ops */

static const struct transport_ops conn_ops = {
	.queued = conn_queued,
	.flush = conn_flush,
	.close = conn_shut,
	.maybe_finish = conn_maybe_finish,
	.update_reading = conn_update_reading,
	.arm_timer = conn_arm_timer,
	.ref = conn_ref,
	.unref = conn_unref,
};

static const struct transport_impl conn_impl = {
	.kick = kick,
	.fail_reset = false,
	.log_kind = "",
};
