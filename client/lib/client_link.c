#include "client_link.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frame.h"

/* A client has one connection: a fixed read buffer is cheap enough. */
#define LINK_READ_BUF (64u * 1024u)

struct link_write {
	uv_write_t req;
	struct buf data;
	struct client_link *link;
};

struct client_link {
	union {
		uv_handle_t handle;
		uv_stream_t stream;
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	} h;
	uv_connect_t connect_req;
	const struct client_link_ops *ops;
	void *owner;
	struct frame_reader reader;
	uint8_t *read_buf;
	bool read_buf_lent;
	struct buf out;             /* queued while a write is in flight */
	struct link_write *writing; /* the write in flight, or NULL */
	bool connected;
	bool closing;
};

static void start_write(struct client_link *l);

static void on_close(uv_handle_t *h)
{
	struct client_link *l = h->data;
	if (l->ops)
		l->ops->on_closed(l->owner, l);
	frame_reader_free(&l->reader);
	buf_free(&l->out);
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
}

static void lost(struct client_link *l, int err)
{
	if (l->closing)
		return;
	l->ops->on_lost(l->owner, l, err);
}

static void on_write(uv_write_t *req, int status)
{
	struct link_write *w = req->data;
	struct client_link *l = w->link;
	buf_free(&w->data);
	free(w);
	l->writing = NULL;
	if (status < 0) {
		lost(l, status);
		return;
	}
	if (!l->closing && l->out.len > 0)
		start_write(l);
}

/* Hands everything queued to one uv_write; the buffer moves into it. */
static void start_write(struct client_link *l)
{
	if (l->writing || !l->connected || l->closing || l->out.len == 0)
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
		lost(l, ret);
		return;
	}
	l->writing = w;
}

int client_link_write(struct client_link *l, const void *data, size_t len)
{
	if (l->closing)
		return -EPIPE;
	int ret = buf_append(&l->out, data, len);
	if (ret < 0)
		return ret;
	start_write(l);
	return 0;
}

int client_link_send(struct client_link *l, const Clubcrm__Frame *f)
{
	if (l->closing)
		return -EPIPE;
	int ret = frame_encode(f, &l->out);
	if (ret < 0)
		return ret;
	start_write(l);
	return 0;
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

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct client_link *l = s->data;
	l->read_buf_lent = false;
	if (nread == 0 || l->closing)
		return;
	if (nread < 0) {
		uv_read_stop(s);
		lost(l, (int)nread);
		return;
	}
	int ret = frame_reader_feed(&l->reader, (const uint8_t *)b->base,
				    (size_t)nread, deliver, l);
	if (ret < 0 && !l->closing) {
		uv_read_stop(s);
		/* -EMSGSIZE / -ENOMEM from the reader; anything else came
		 * from the owner, which then closes the link itself. */
		if (ret == -EMSGSIZE || ret == -ENOMEM)
			lost(l, ret);
	}
}

static void on_connect(uv_connect_t *req, int status)
{
	struct client_link *l = req->data;
	if (l->closing)
		return;
	if (status == 0) {
		l->connected = true;
		status = uv_read_start(&l->h.stream, on_alloc, on_read);
	}
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
		     const char *path, uint32_t max_in,
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
	int ret = init_handle(loop, l, path != NULL);
	if (ret < 0) {
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

void client_link_set_max_in(struct client_link *l, uint32_t max_in)
{
	l->reader.max_frame = max_in;
}
