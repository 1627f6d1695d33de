#include "client_link.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frame.h"
#include "tls.h"
#include "uvstream.h"

/* A client has one connection: a fixed read buffer is cheap enough. */
#define LINK_READ_BUF (64u * 1024u)

struct link_write {
	uv_write_t req;
	struct buf data;
	struct client_link *link;
};

struct client_link {
	union uvstream h;
	uv_connect_t connect_req;
	uv_timer_t drain;           /* bounds reading after a write failed */
	uv_timer_t resume;          /* restarts reading after a yield */
	const struct client_link_ops *ops;
	void *owner;
	struct frame_reader reader;
	uint8_t *read_buf;
	bool read_buf_lent;
	struct buf out;             /* queued while a write is in flight */
	struct link_write *writing; /* the write in flight, or NULL */
	struct tls_session *tls;    /* NULL: plain */
	struct buf plain;           /* TLS: a frame before encryption */
	int write_err;              /* the failed write's error, or 0 */
	unsigned handles;           /* open libuv handles (stream, drain,
				       resume) */
	bool drain_open, resume_open;
	bool connected;
	bool reading;
	bool yielded;               /* reading stopped until `resume` */
	bool got_bytes;             /* something came from the peer */
	bool closing;
};

static void start_write(struct client_link *l);

static void on_close(uv_handle_t *h)
{
	struct client_link *l = h->data;
	if (--l->handles > 0)
		return;
	if (l->ops)
		l->ops->on_closed(l->owner, l);
	frame_reader_free(&l->reader);
	buf_free(&l->out);
	buf_free(&l->plain);
	tls_session_free(l->tls);
	free(l->read_buf);
	free(l);
}

void client_link_close(struct client_link *l)
{
	if (l->closing)
		return;
	l->closing = true;
	/* A write in flight is cancelled by uv_close and its callback frees
	 * its buffer before on_close runs. */
	uv_close(&l->h.handle, on_close);
	if (l->drain_open)
		uv_close((uv_handle_t *)&l->drain, on_close);
	if (l->resume_open)
		uv_close((uv_handle_t *)&l->resume, on_close);
}

static void lost(struct client_link *l, int err)
{
	if (l->closing)
		return;
	l->ops->on_lost(l->owner, l, err);
}

static void stop_reading(struct client_link *l)
{
	if (!l->reading)
		return;
	l->reading = false;
	uv_read_stop(&l->h.stream);
}

/* The end of the input, and so of the link. */
static void input_ended(struct client_link *l, int err)
{
	l->yielded = false;  /* no reading again */
	stop_reading(l);
	lost(l, err);
}

static void on_drain_timeout(uv_timer_t *t)
{
	struct client_link *l = t->data;
	input_ended(l, l->write_err);
}

/*
 * A write failed (EPIPE, ECONNRESET...): the connection is dead, but what
 * the server sent before it closed (a GoAway and its reason) may still be
 * waiting in our socket. Reading goes on to the end of the stream, bounded
 * by LINK_DRAIN_MS; nothing more is written.
 */
static void write_failed(struct client_link *l, int err)
{
	if (l->closing || l->write_err)
		return;
	l->write_err = err;
	buf_free(&l->out);
	if (!l->reading && !l->yielded) {
		lost(l, err);
		return;
	}
	int ret = uv_timer_init(l->h.handle.loop, &l->drain);
	if (ret == 0) {
		l->handles++;
		l->drain_open = true;
		l->drain.data = l;
		ret = uv_timer_start(&l->drain, on_drain_timeout,
				     LINK_DRAIN_MS, 0);
	}
	if (ret < 0)
		input_ended(l, err);
}

static void on_write(uv_write_t *req, int status)
{
	struct link_write *w = req->data;
	struct client_link *l = w->link;
	buf_free(&w->data);
	free(w);
	l->writing = NULL;
	if (status < 0) {
		write_failed(l, status);
		return;
	}
	if (!l->closing && l->out.len > 0)
		start_write(l);
}

/* Hands everything queued to one uv_write; the buffer moves into it. */
static void start_write(struct client_link *l)
{
	if (l->writing || !l->connected || l->closing || l->write_err ||
	    l->out.len == 0)
		return;
	struct link_write *w = calloc(1, sizeof(*w));
	if (!w) {
		lost(l, -ENOMEM);
		return;
	}
	w->data = l->out;
	w->link = l;
	w->req.data = w;
	memset(&l->out, 0, sizeof(l->out));
	uv_buf_t b = uv_buf_init((char *)w->data.data, (unsigned)w->data.len);
	int ret = uv_write(&w->req, &l->h.stream, &b, 1, on_write);
	if (ret < 0) {
		buf_free(&w->data);
		free(w);
		write_failed(l, ret);
		return;
	}
	l->writing = w;
}

/* Moves the TLS session's pending records to the output. 0 or -ENOMEM. */
static int take_cipher(struct client_link *l)
{
	if (!tls_session_pending_cipher(l->tls))
		return 0;
	if (l->write_err) {
		/* Nothing goes out any more: throw the records away. */
		struct buf drop = {0};
		int ret = tls_session_take_cipher(l->tls, &drop);
		buf_free(&drop);
		return ret;
	}
	return tls_session_take_cipher(l->tls, &l->out);
}

/* Plaintext to the peer, encrypted when the link has TLS. */
static int queue_plain(struct client_link *l, const void *data, size_t len)
{
	if (!l->tls)
		return l->write_err ? 0 : buf_append(&l->out, data, len);
	int ret = tls_session_write(l->tls, data, len);
	if (ret == 0)
		ret = take_cipher(l);
	return ret;
}

int client_link_write(struct client_link *l, const void *data, size_t len)
{
	if (l->closing)
		return -EPIPE;
	int ret = queue_plain(l, data, len);
	if (ret < 0)
		return ret;
	start_write(l);
	return 0;
}

int client_link_send(struct client_link *l, const Clubcrm__Frame *f)
{
	if (l->closing)
		return -EPIPE;
	int ret;
	if (l->tls) {
		l->plain.len = 0;
		ret = frame_encode(f, &l->plain);
		if (ret == 0)
			ret = queue_plain(l, l->plain.data, l->plain.len);
		/* Frames are small: the buffer stays for the next one,
		 * unless a big one grew it. */
		if (l->plain.cap > LINK_READ_BUF)
			buf_free(&l->plain);
	} else if (l->write_err) {
		ret = 0;
	} else {
		ret = frame_encode(f, &l->out);
	}
	if (ret < 0)
		return ret;
	start_write(l);
	return 0;
}

const char *client_link_tls_error(const struct client_link *l)
{
	return l->tls ? tls_session_error(l->tls) : "";
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct client_link *l = h->data;
	(void)suggested;
	if (!l->read_buf)
		l->read_buf = malloc(LINK_READ_BUF);
	if (!l->read_buf || l->read_buf_lent) {
		*b = uv_buf_init(NULL, 0);  /* libuv reports UV_ENOBUFS */
		return;
	}
	l->read_buf_lent = true;
	*b = uv_buf_init((char *)l->read_buf, LINK_READ_BUF);
}

static int deliver(void *ctx, const uint8_t *payload, size_t len)
{
	struct client_link *l = ctx;
	if (l->closing)
		return -ECANCELED;
	int ret = l->ops->on_frame(l->owner, payload, len);
	if (ret < 0)
		return ret;
	/* The owner may have closed us from inside on_frame. */
	return l->closing ? -ECANCELED : 0;
}

/* Plaintext from the peer into the frame reader. False: reading stopped. */
static bool feed_frames(struct client_link *l, const uint8_t *data,
			size_t len)
{
	int ret = frame_reader_feed(&l->reader, data, len, deliver, l);
	if (ret == 0 || l->closing)
		return ret == 0;
	stop_reading(l);
	/* -EMSGSIZE / -ENOMEM from the reader; anything else came from the
	 * owner, which then closes the link itself. */
	if (ret == -EMSGSIZE || ret == -ENOMEM)
		input_ended(l, ret);
	return false;
}

/*
 * A TLS failure: the session may have an alert for the server (why we
 * refused its certificate). It goes out if the socket takes it at once;
 * the owner closes the link right after on_lost.
 */
static void tls_failed(struct client_link *l, int err)
{
	struct buf alert = {0};
	if (!l->write_err && !l->writing &&
	    tls_session_take_cipher(l->tls, &alert) == 0 && alert.len > 0) {
		uv_buf_t b = uv_buf_init((char *)alert.data,
					 (unsigned)alert.len);
		(void)uv_try_write(&l->h.stream, &b, 1);
	}
	buf_free(&alert);
	input_ended(l, err);
}

/*
 * Ciphertext in, plaintext out to the frames. The read buffer is free once
 * the session has copied the ciphertext, so the plaintext goes there.
 */
static void tls_input(struct client_link *l, const uint8_t *data, size_t len)
{
	int ret = tls_session_feed_cipher(l->tls, data, len);
	while (ret == 0 && !l->closing) {
		size_t got = 0;
		ret = tls_session_read(l->tls, l->read_buf, LINK_READ_BUF, &got);
		if (ret < 0 || got == 0)
			break;
		if (!feed_frames(l, l->read_buf, got))
			return;
	}
	if (l->closing)
		return;
	if (ret < 0) {
		tls_failed(l, ret);
		return;
	}
	/* Handshake records, key updates: they go out at once. */
	if (take_cipher(l) < 0) {
		input_ended(l, -ENOMEM);
		return;
	}
	start_write(l);
	if (tls_session_peer_closed(l->tls))
		input_ended(l, UV_EOF);
}

/*
 * A TLS record where a frame should start: an alert (0x15) or handshake
 * (0x16) record of version 3.x. As a frame length that would be over
 * 350 MB, so no real frame is mistaken for it.
 */
static bool looks_like_tls(const uint8_t *p, size_t len)
{
	return len >= 2 && (p[0] == 0x15 || p[0] == 0x16) && p[1] == 0x03;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct client_link *l = s->data;
	l->read_buf_lent = false;
	if (nread == 0 || l->closing)
		return;
	if (nread < 0) {
		input_ended(l, (int)nread);
		return;
	}
	const uint8_t *data = (const uint8_t *)b->base;
	bool first = !l->got_bytes;
	l->got_bytes = true;
	if (l->tls) {
		tls_input(l, data, (size_t)nread);
		return;
	}
	if (first && looks_like_tls(data, (size_t)nread)) {
		input_ended(l, -EPROTONOSUPPORT);
		return;
	}
	feed_frames(l, data, (size_t)nread);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct client_link *l = req->data;
	if (l->closing)
		return;
	if (status == 0) {
		l->connected = true;
		status = uv_read_start(&l->h.stream, on_alloc, on_read);
		l->reading = status == 0;
	}
	/* The ClientHello has been waiting since the session was made. */
	if (status == 0 && l->tls && take_cipher(l) < 0)
		status = UV_ENOMEM;
	l->ops->on_connected(l->owner, l, status);
	if (status == 0)
		start_write(l);
}

static int init_handle(uv_loop_t *loop, struct client_link *l, bool is_unix)
{
	int ret = is_unix ? uv_pipe_init(loop, &l->h.pipe, 0)
			  : uv_tcp_init(loop, &l->h.tcp);
	if (ret < 0)
		return ret;
	l->handles = 1;
	l->h.handle.data = l;
	l->connect_req.data = l;
	return 0;
}

/*
 * libuv writes with write(2): a server that closed first would kill the
 * whole program with SIGPIPE instead of giving us EPIPE. Unless the program
 * chose a disposition of its own, SIGPIPE is ignored from the first link on.
 */
static void ignore_sigpipe(void)
{
	struct sigaction old;
	if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
	    !(old.sa_flags & SA_SIGINFO))
		signal(SIGPIPE, SIG_IGN);
}

int client_link_open(uv_loop_t *loop, const struct sockaddr *sa,
		     const char *path, struct tls_ctx *tls, uint32_t max_in,
		     const struct client_link_ops *ops, void *owner,
		     struct client_link **out)
{
	if ((sa == NULL) == (path == NULL))
		return -EINVAL;
	ignore_sigpipe();
	struct client_link *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ops = ops;
	l->owner = owner;
	frame_reader_init(&l->reader, max_in);
	int ret = 0;
	if (tls)
		ret = tls_session_new(tls, &l->tls, NULL, 0);
	if (ret == 0)
		ret = init_handle(loop, l, path != NULL);
	if (ret < 0) {
		tls_session_free(l->tls);
		free(l);
		return ret;
	}
	if (path) {
		uv_pipe_connect(&l->connect_req, &l->h.pipe, path, on_connect);
	} else {
		/* Small frames go out at once: requests are latency-bound. */
		uv_tcp_nodelay(&l->h.tcp, 1);
		ret = uv_tcp_connect(&l->connect_req, &l->h.tcp, sa, on_connect);
		if (ret < 0)
			goto fail;
	}
	*out = l;
	return 0;
fail:
	/* The handle is initialised: it must be closed, and the link frees
	 * itself in on_close without a word to the owner, who never had it. */
	l->ops = NULL;
	client_link_close(l);
	return ret;
}

/* The loop's next turn after a yield: reading again, before it waits. */
static void on_resume(uv_timer_t *t)
{
	struct client_link *l = t->data;
	if (!l->yielded || l->closing)
		return;
	l->yielded = false;
	int ret = uv_read_start(&l->h.stream, on_alloc, on_read);
	l->reading = ret == 0;
	if (ret < 0)
		input_ended(l, ret);
}

void client_link_yield(struct client_link *l)
{
	if (!l->reading || l->closing)
		return;
	if (!l->resume_open) {
		if (uv_timer_init(l->h.handle.loop, &l->resume) < 0)
			return;
		l->resume_open = true;
		l->handles++;
		l->resume.data = l;
	}
	if (uv_timer_start(&l->resume, on_resume, 0, 0) < 0)
		return;
	l->yielded = true;
	stop_reading(l);
}

void client_link_set_max_in(struct client_link *l, uint32_t max_in)
{
	l->reader.max_frame = max_in;
}
