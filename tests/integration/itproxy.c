/* The integration tests' TCP proxy (itproxy.h). */
#include "itproxy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clubcrm.pb-c.h"
#include "frame.h"

struct itproxy_link {
	struct itproxy_link *next;
	struct itproxy *px;
	uv_tcp_t down;         /* the terminal's side */
	uv_tcp_t up;           /* the server's side */
	uv_connect_t connect;
	struct frame_reader from_server;
	int open_handles;
	bool closing;
	bool cut_resumed;      /* accepted in ITPROXY_CUT_RESUMED: parses */
	bool cut_after_write;  /* the resumed answer is on its way */
};

struct write_req {
	uv_write_t req;
	struct itproxy_link *l;
	bool cut;
	uint8_t data[];
};

static void link_closed(uv_handle_t *h)
{
	struct itproxy_link *l = h->data;
	if (--l->open_handles)
		return;
	struct itproxy *px = l->px;
	for (struct itproxy_link **p = &px->links; *p; p = &(*p)->next)
		if (*p == l) {
			*p = l->next;
			break;
		}
	frame_reader_free(&l->from_server);
	free(l);
}

static void link_close(struct itproxy_link *l)
{
	if (l->closing)
		return;
	l->closing = true;
	uv_close((uv_handle_t *)&l->down, link_closed);
	uv_close((uv_handle_t *)&l->up, link_closed);
}

static void on_written(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;
	if (status < 0 || w->cut)
		link_close(w->l);
	free(w);
}

static int link_send(struct itproxy_link *l, uv_tcp_t *to,
		     const uint8_t *head, size_t head_len, const uint8_t *data,
		     size_t len, bool cut)
{
	struct write_req *w = malloc(sizeof(*w) + head_len + len);
	if (!w)
		return -ENOMEM;
	w->l = l;
	w->cut = cut;
	if (head_len)
		memcpy(w->data, head, head_len);
	memcpy(w->data + head_len, data, len);
	uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)(head_len + len));
	int rc = uv_write(&w->req, (uv_stream_t *)to, &b, 1, on_written);
	if (rc < 0) {
		free(w);
		link_close(l);
	}
	return rc;
}

static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
	(void)h;
	buf->base = malloc(size);
	buf->len = buf->base ? size : 0;
}

/* A frame from the server, forwarded whole; after a resumed answer the
 * link is cut (what follows, the replay, never arrives). */
static int on_server_frame(void *ctx, const uint8_t *payload, size_t len)
{
	struct itproxy_link *l = ctx;
	Clubcrm__Frame *f = clubcrm__frame__unpack(NULL, len, payload);
	bool resumed = f && f->body_case == CLUBCRM__FRAME__BODY_SUBSCRIBED &&
		       f->subscribed->resumed;
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	uint8_t head[FRAME_HEADER_LEN] = {
		(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
		(uint8_t)len};
	if (link_send(l, &l->down, head, sizeof(head), payload, len, resumed))
		return -EIO;
	if (resumed) {
		l->cut_after_write = true;
		l->px->cuts_after_resumed++;
		return -ECONNRESET;
	}
	return 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct itproxy_link *l = s->data;
	if (n < 0) {
		link_close(l);
	} else if (n > 0 && !l->closing && !l->cut_after_write) {
		if (s == (uv_stream_t *)&l->down)
			link_send(l, &l->up, NULL, 0, (uint8_t *)buf->base,
				  (size_t)n, false);
		else if (!l->cut_resumed)
			link_send(l, &l->down, NULL, 0, (uint8_t *)buf->base,
				  (size_t)n, false);
		else
			frame_reader_feed(&l->from_server,
					  (uint8_t *)buf->base, (size_t)n,
					  on_server_frame, l);
	}
	free(buf->base);
}

static void on_up_connected(uv_connect_t *req, int status)
{
	struct itproxy_link *l = req->data;
	if (l->closing)
		return;
	if (status < 0) {
		link_close(l);
		return;
	}
	uv_read_start((uv_stream_t *)&l->down, on_alloc, on_read);
	uv_read_start((uv_stream_t *)&l->up, on_alloc, on_read);
}

static void on_accept(uv_stream_t *server, int status)
{
	struct itproxy *px = server->data;
	if (status < 0)
		return;
	struct itproxy_link *l = calloc(1, sizeof(*l));
	if (!l)
		return;  /* the connection waits in the backlog */
	l->px = px;
	frame_reader_init(&l->from_server, 64u << 20);
	uv_tcp_init(px->loop, &l->down);
	uv_tcp_init(px->loop, &l->up);
	l->down.data = l->up.data = l->connect.data = l;
	l->open_handles = 2;
	l->cut_resumed = px->mode == ITPROXY_CUT_RESUMED;
	l->next = px->links;
	px->links = l;
	if (uv_accept(server, (uv_stream_t *)&l->down) < 0 ||
	    px->mode == ITPROXY_DOWN) {
		link_close(l);
		return;
	}
	if (uv_tcp_connect(&l->connect, &l->up,
			   (const struct sockaddr *)&px->target,
			   on_up_connected) < 0)
		link_close(l);
}

int itproxy_target(struct itproxy *px, const char *address)
{
	char host[64];
	snprintf(host, sizeof(host), "%s", address);
	char *colon = strrchr(host, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	return uv_ip4_addr(host, atoi(colon + 1), &px->target);
}

int itproxy_start(struct itproxy *px, uv_loop_t *loop, const char *target)
{
	memset(px, 0, sizeof(*px));
	px->loop = loop;
	int rc = itproxy_target(px, target);
	if (rc < 0)
		return rc;
	uv_tcp_init(loop, &px->listener);
	px->listener.data = px;
	struct sockaddr_in any, me;
	int len = sizeof(me);
	uv_ip4_addr("127.0.0.1", 0, &any);
	rc = uv_tcp_bind(&px->listener, (const struct sockaddr *)&any, 0);
	if (!rc)
		rc = uv_listen((uv_stream_t *)&px->listener, 64, on_accept);
	if (!rc)
		rc = uv_tcp_getsockname(&px->listener, (struct sockaddr *)&me,
					&len);
	if (rc < 0) {
		uv_close((uv_handle_t *)&px->listener, NULL);
		return rc;
	}
	snprintf(px->address, sizeof(px->address), "127.0.0.1:%u",
		 (unsigned)ntohs(me.sin_port));
	return 0;
}

void itproxy_close(struct itproxy *px)
{
	itproxy_cut(px);
	uv_close((uv_handle_t *)&px->listener, NULL);
}

void itproxy_cut(struct itproxy *px)
{
	for (struct itproxy_link *l = px->links; l; l = l->next)
		link_close(l);
}
