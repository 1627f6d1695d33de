#include "conn.h"
#include "subs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server.h"
#include "status.h"
#include "tls.h"

/* A peer that does not read its GoAway is closed after this long. */
#define CONN_LINGER_MS 2000
/* conn_send_copy() appends to the last queued buffer up to this size, and
 * starts a new one with at least CONN_COALESCE_MIN bytes of room. */
#define CONN_COALESCE_MAX (64u * 1024u)
#define CONN_COALESCE_MIN 2048u
/* What one connection may read in one loop pass (libuv would otherwise
 * read up to 32 buffers in a row from a busy peer, and decode them all
 * before anyone else is served). */
#define CONN_READ_PER_PASS SERVER_READ_BUF

static void on_handle_close(uv_handle_t *h)
{
	conn_unref(h->data);
}

static void outq_free(struct outq *q)
{
	for (size_t i = 0; i < q->n; i++)
		buf_free(&q->v[i]);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

static void conn_free(struct conn *c)
{
	session_fini(c);
	tls_session_free(c->tls);
	outq_free(&c->out);
	outq_free(&c->wr);
	free(c->iov);
	free(c);
}

void conn_ref(struct conn *c)
{
	c->refs++;
}

void conn_unref(struct conn *c)
{
	if (--c->refs == 0)
		conn_free(c);
}

static void describe_peer(struct conn *c, bool tcp)
{
	if (!tcp) {
		snprintf(c->peer, sizeof(c->peer), "unix");
		return;
	}
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	char ip[48] = "?";
	if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &len) != 0) {
		snprintf(c->peer, sizeof(c->peer), "?");
		return;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&ss;
		uv_ip6_name(a, ip, sizeof(ip));
		snprintf(c->peer, sizeof(c->peer), "[%s]:%u", ip,
			 ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)&ss;
		uv_ip4_name(a, ip, sizeof(ip));
		snprintf(c->peer, sizeof(c->peer), "%s:%u", ip,
			 ntohs(a->sin_port));
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct conn *c = h->data;
	struct server *srv = c->srv;
	/* libuv calls alloc, read and the read callback in one go on the
	 * loop thread, so one buffer serves every connection. */
	if (srv->read_buf_lent) {
		*b = uv_buf_init(NULL, 0);
		return;
	}
	srv->read_buf_lent = true;
	*b = uv_buf_init((char *)srv->read_buf, sizeof(srv->read_buf));
}

/*
 * TLS: the ciphertext goes into the session, and every byte of plaintext it
 * yields goes to the protocol at once (the session stashes what it cannot
 * take yet), so the TLS engine never holds unread data.
 */
static void tls_input(struct conn *c, const uint8_t *data, size_t len)
{
	struct server *srv = c->srv;
	int ret = tls_session_feed_cipher(c->tls, data, len);
	while (ret == 0 && !c->closing && !c->draining) {
		size_t got = 0;
		ret = tls_session_read(c->tls, srv->plain_buf,
				       sizeof(srv->plain_buf), &got);
		if (ret < 0 || got == 0)
			break;
		session_on_data(c, srv->plain_buf, got);
	}
	if (c->closing)
		return;
	if (ret < 0) {
		log_info("conn %llu (%s): TLS: %s", (unsigned long long)c->id,
			 c->peer, tls_session_error(c->tls));
		/* Its alert, if any, still goes out before the close. */
		conn_drain(c);
		return;
	}
	if (tls_session_peer_closed(c->tls))
		conn_drain(c);
	if (tls_session_pending_cipher(c->tls))
		server_mark_dirty(srv, c);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct conn *c = s->data;
	if (b->base == (char *)c->srv->read_buf)
		c->srv->read_buf_lent = false;
	if (nread == 0)
		return;
	if (nread == UV_EOF && !c->closing) {
		/* The peer sends no more but may still read: what it asked
		 * for is answered, then the connection closes. */
		c->reading = false;
		conn_drain(c);
		return;
	}
	if (nread < 0) {
		if (nread != UV_EOF)
			log_debug("conn %llu (%s): read: %s",
				  (unsigned long long)c->id, c->peer,
				  uv_strerror((int)nread));
		conn_close(c);
		return;
	}
	if (c->closing || c->draining)
		return;
	if (c->pass != c->srv->pass) {
		c->pass = c->srv->pass;
		c->pass_read = 0;
	}
	c->pass_read += (size_t)nread;
	if (c->tls)
		tls_input(c, (const uint8_t *)b->base, (size_t)nread);
	else
		session_on_data(c, (const uint8_t *)b->base, (size_t)nread);
	if (c->pass_read >= CONN_READ_PER_PASS && !c->closing &&
	    !c->pass_paused) {
		c->pass_paused = true;
		server_pause_reading(c->srv, c);
	}
	conn_update_reading(c);
}

void conn_pass_resume(struct conn *c)
{
	c->pass_paused = false;
	c->pass_read = 0;
	if (!c->closing)
		conn_update_reading(c);
}

static void on_timer(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (c->closing)
		return;
	if (c->draining) {
		if (uv_now(c->srv->loop) < c->linger_deadline_ms) {
			conn_arm_timer(c);
			return;
		}
		log_debug("conn %llu (%s): peer did not take its last frames",
			  (unsigned long long)c->id, c->peer);
		conn_close(c);
		return;
	}
	session_on_timer(c);
	conn_arm_timer(c);
}

void conn_arm_timer(struct conn *c)
{
	if (c->closing)
		return;
	uint64_t now = uv_now(c->srv->loop);
	uint64_t due = c->draining ? c->linger_deadline_ms
				   : session_next_deadline(c);
	/* Never 0: a timer re-armed for "now" from its own callback would
	 * run again in the same pass, before the loop time moves. */
	uv_timer_start(&c->timer, on_timer, due > now ? due - now : 1, 0);
}

static struct conn *conn_new(struct server *srv, bool tcp)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->srv = srv;
	c->id = ++srv->next_conn_id;
	int ret = tcp ? uv_tcp_init(srv->loop, &c->h.tcp)
		      : uv_pipe_init(srv->loop, &c->h.pipe, 0);
	if (ret < 0) {
		free(c);
		return NULL;
	}
	c->h.handle.data = c;
	c->refs = 1;
	ret = uv_timer_init(srv->loop, &c->timer);
	if (ret < 0) {
		uv_close(&c->h.handle, on_handle_close);
		return NULL;
	}
	c->timer.data = c;
	c->refs++;
	return c;
}

int conn_accept(struct server *srv, uv_stream_t *listener)
{
	bool tcp = listener->type == UV_TCP;
	struct conn *c = conn_new(srv, tcp);
	if (!c)
		return -ENOMEM;
	int ret = uv_accept(listener, &c->h.stream);
	if (ret < 0) {
		c->closing = true;
		uv_close(&c->h.handle, on_handle_close);
		uv_close((uv_handle_t *)&c->timer, on_handle_close);
		return ret;
	}
	if (tcp)
		uv_tcp_nodelay(&c->h.tcp, 1);
	describe_peer(c, tcp);
	server_conn_opened(srv, c);
	if (tcp && srv->tls) {
		char err[256] = "";
		ret = tls_session_new(srv->tls, &c->tls, err, sizeof(err));
		if (ret < 0) {
			log_warn("conn %llu (%s): TLS: %s",
				 (unsigned long long)c->id, c->peer, err);
			conn_close(c);
			return 0;
		}
	}
	if (srv->n_conns > srv->cfg->max_connections) {
		log_warn("conn %llu (%s): refused, %u connections already",
			 (unsigned long long)c->id, c->peer,
			 srv->cfg->max_connections);
		/* Over TLS there is no GoAway without a handshake. */
		if (c->tls)
			conn_close(c);
		else
			conn_goaway(c, STATUS_RESOURCE_EXHAUSTED,
				    "too many connections");
		return 0;
	}
	log_debug("conn %llu (%s): accepted", (unsigned long long)c->id,
		  c->peer);
	session_init(c);
	conn_update_reading(c);
	conn_arm_timer(c);
	return 0;
}

/*
 * The backpressure gauge: what is queued here, plus what libuv still holds
 * of the write in flight (the kernel took the rest). Counting the whole
 * in-flight write would punish a reader that keeps up with a big burst.
 */
size_t conn_output_bytes(const struct conn *c)
{
	size_t held = c->writing ? uv_stream_get_write_queue_size(&c->h.stream)
				 : 0;
	return c->out.bytes + held;
}

size_t conn_output_soft_limit(const struct conn *c)
{
	return (size_t)(c->srv->cfg->max_output / 4);
}

void conn_update_reading(struct conn *c)
{
	bool want = !c->closing && !c->draining && !c->pass_paused &&
		    session_wants_input(c) &&
		    conn_output_bytes(c) <= conn_output_soft_limit(c);
	if (want == c->reading)
		return;
	if (want) {
		int ret = uv_read_start(&c->h.stream, on_alloc, on_read);
		if (ret < 0) {
			log_warn("conn %llu (%s): read: %s",
				 (unsigned long long)c->id, c->peer,
				 uv_strerror(ret));
			conn_close(c);
			return;
		}
	} else {
		uv_read_stop(&c->h.stream);
	}
	c->reading = want;
}

static int over_bound(struct conn *c, size_t len)
{
	if (conn_output_bytes(c) + len <= c->srv->cfg->max_output)
		return 0;
	log_warn("conn %llu (%s, %s): dropped: output queue over %llu "
		 "bytes (the peer does not read)",
		 (unsigned long long)c->id, c->peer, c->sess.login,
		 (unsigned long long)c->srv->cfg->max_output);
	conn_abort(c);
	return -ENOBUFS;
}

static int outq_push(struct outq *q, struct buf *b)
{
	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 8;
		struct buf *v = realloc(q->v, ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		q->v = v;
		q->cap = ncap;
	}
	q->v[q->n++] = *b;
	q->bytes += b->len;
	memset(b, 0, sizeof(*b));
	return 0;
}

int conn_send_buf(struct conn *c, struct buf *b)
{
	if (b->len == 0) {
		buf_free(b);
		return 0;
	}
	if (c->closing) {
		buf_free(b);
		return -EPIPE;
	}
	if (over_bound(c, b->len) < 0) {
		buf_free(b);
		return -ENOBUFS;
	}
	if (outq_push(&c->out, b) < 0) {
		log_warn("conn %llu: out of memory queueing output",
			 (unsigned long long)c->id);
		buf_free(b);
		conn_close(c);
		return -ENOBUFS;
	}
	server_mark_dirty(c->srv, c);
	return 0;
}

int conn_send_copy(struct conn *c, const void *head, size_t head_len,
		   const void *body, size_t body_len)
{
	size_t len = head_len + body_len;
	if (len == 0)
		return 0;
	if (c->closing)
		return -EPIPE;
	if (over_bound(c, len) < 0)
		return -ENOBUFS;
	struct buf *tail = c->out.n ? &c->out.v[c->out.n - 1] : NULL;
	if (!tail || (tail->cap - tail->len < len &&
		      tail->len + len > CONN_COALESCE_MAX)) {
		struct buf fresh = {0};
		if (buf_reserve(&fresh, len > CONN_COALESCE_MIN
						? len
						: CONN_COALESCE_MIN) < 0 ||
		    outq_push(&c->out, &fresh) < 0) {
			buf_free(&fresh);
			tail = NULL;
		} else {
			tail = &c->out.v[c->out.n - 1];
		}
	}
	if (!tail || buf_reserve(tail, len) < 0) {
		log_warn("conn %llu: out of memory queueing output",
			 (unsigned long long)c->id);
		conn_close(c);
		return -ENOBUFS;
	}
	if (head_len)
		memcpy(tail->data + tail->len, head, head_len);
	if (body_len)
		memcpy(tail->data + tail->len + head_len, body, body_len);
	tail->len += len;
	c->out.bytes += len;
	server_mark_dirty(c->srv, c);
	return 0;
}

int conn_send_frame(struct conn *c, const Clubcrm__Frame *f)
{
	struct buf b = { 0 };
	int ret = frame_encode(f, &b);
	if (ret < 0) {
		buf_free(&b);
		return ret;
	}
	return conn_send_buf(c, &b);
}

static bool has_output(const struct conn *c)
{
	return c->out.n || (c->tls && tls_session_pending_cipher(c->tls));
}

/* Turns the queued frames into one buffer of TLS records. */
static int tls_encrypt_queue(struct conn *c)
{
	int ret = 0;
	for (size_t i = 0; i < c->out.n; i++) {
		if (ret == 0)
			ret = tls_session_write(c->tls, c->out.v[i].data,
						c->out.v[i].len);
		subs_buf_written(c->srv, &c->out.v[i]);
	}
	c->out.n = 0;
	c->out.bytes = 0;
	if (ret < 0) {
		log_info("conn %llu (%s): TLS: %s", (unsigned long long)c->id,
			 c->peer, tls_session_error(c->tls));
		return ret;
	}
	struct buf cipher = { 0 };
	ret = tls_session_take_cipher(c->tls, &cipher);
	if (ret == 0)
		ret = outq_push(&c->out, &cipher);
	buf_free(&cipher);
	return ret;
}

static void on_write(uv_write_t *req, int status)
{
	struct conn *c = req->data;
	for (size_t i = 0; i < c->wr.n; i++)
		subs_buf_written(c->srv, &c->wr.v[i]);
	c->wr.n = 0;
	c->wr.bytes = 0;
	c->writing = false;
	if (status < 0) {
		if (status != UV_ECANCELED)
			log_debug("conn %llu (%s): write: %s",
				  (unsigned long long)c->id, c->peer,
				  uv_strerror(status));
		conn_close(c);
		return;
	}
	if (has_output(c))
		server_mark_dirty(c->srv, c);
	conn_maybe_finish(c);
	if (!c->closing && !c->draining) {
		session_resume(c);
		subs_pump(c);
	}
}

void conn_flush(struct conn *c)
{
	if (c->closing || c->writing || !has_output(c)) {
		conn_maybe_finish(c);
		return;
	}
	if (c->tls && tls_encrypt_queue(c) < 0) {
		conn_close(c);
		return;
	}
	if (c->out.n == 0)
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
	c->write_req.data = c;
	int ret = uv_write(&c->write_req, &c->h.stream, c->iov,
			   (unsigned)c->wr.n, on_write);
	if (ret < 0) {
		log_debug("conn %llu (%s): write: %s",
			  (unsigned long long)c->id, c->peer, uv_strerror(ret));
		conn_close(c);
		return;
	}
	c->writing = true;
}

void conn_drain(struct conn *c)
{
	if (c->closing || c->draining)
		return;
	c->draining = true;
	c->linger_deadline_ms = uv_now(c->srv->loop) + CONN_LINGER_MS;
	conn_update_reading(c);
	conn_arm_timer(c);
	server_mark_dirty(c->srv, c);
}

void conn_goaway(struct conn *c, unsigned code, const char *reason)
{
	if (c->closing || c->draining)
		return;
	Clubcrm__GoAway ga = CLUBCRM__GO_AWAY__INIT;
	ga.has_code = true;
	ga.code = code;
	ga.reason = (char *)reason;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_GO_AWAY;
	f.go_away = &ga;
	log_debug("conn %llu (%s): GoAway %u: %s", (unsigned long long)c->id,
		  c->peer, code, reason);
	if (conn_send_frame(c, &f) < 0) {
		conn_close(c);
		return;
	}
	conn_drain(c);
}

void conn_maybe_finish(struct conn *c)
{
	if (!c->draining || c->closing)
		return;
	if (c->writing || has_output(c) || session_in_flight(c))
		return;
	/* TLS ends with close_notify, so the peer can tell our close from a
	 * cut connection; the close follows once it is written. */
	if (c->tls && !c->tls_bye && tls_session_handshake_done(c->tls)) {
		c->tls_bye = true;
		if (tls_session_close(c->tls) == 0 &&
		    tls_session_pending_cipher(c->tls)) {
			server_mark_dirty(c->srv, c);
			return;
		}
	}
	conn_close(c);
}

static void close_handles(struct conn *c, bool reset)
{
	if (c->closing)
		return;
	c->closing = true;
	c->draining = false;
	c->reading = false;
	log_debug("conn %llu (%s): %s", (unsigned long long)c->id, c->peer,
		  reset ? "reset" : "closed");
	server_conn_closed(c->srv, c);
	if (!reset || c->h.handle.type != UV_TCP ||
	    uv_tcp_close_reset(&c->h.tcp, on_handle_close) < 0)
		uv_close(&c->h.handle, on_handle_close);
	uv_close((uv_handle_t *)&c->timer, on_handle_close);
}

void conn_close(struct conn *c)
{
	close_handles(c, false);
}

void conn_abort(struct conn *c)
{
	close_handles(c, true);
}
