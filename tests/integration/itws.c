#include "itws.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"
#include "rawconn.h"
#include "timeutil.h"

#define ITWS_CONNECT_MS 10000
#define ITWS_SEND_MS 10000

struct itws {
	struct lws_context *ctx;
	struct lws *wsi;
	struct lws_protocols protocols[2];
	char host[64];
	struct buf in;          /* binary bytes received, not yet framed */
	unsigned texts;
	bool established, failed, closed;
	int close_code;
	/* The message being sent, after libwebsockets' headroom. */
	uint8_t *out;
	size_t out_len;
	bool out_text, out_pending;
};

static int itws_cb(struct lws *wsi, enum lws_callback_reasons reason,
		   void *user, void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct itws *c = ctx ? lws_context_user(ctx) : NULL;
	if (!c)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->established = true;
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "itws: connection failed: %.*s\n", (int)len,
			in ? (const char *)in : "?");
		c->failed = true;
		c->wsi = NULL;
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!lws_frame_is_binary(wsi))
			c->texts++;
		else if (buf_append(&c->in, in, len) < 0)
			return -1;
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (!c->out_pending)
			break;
		c->out_pending = false;
		if (lws_write(wsi, c->out + LWS_PRE, c->out_len,
			      c->out_text ? LWS_WRITE_TEXT
					  : LWS_WRITE_BINARY) <
		    (int)c->out_len)
			return -1;
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const uint8_t *p = in;
			c->close_code = p[0] << 8 | p[1];
		}
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		c->closed = true;
		c->wsi = NULL;
		break;
	default:
		break;
	}
	(void)user;
	return 0;
}

/* One round of service: waits up to `ms` for the socket, then lets
 * libwebsockets do what is due without blocking. */
static void service(struct itws *c, int ms)
{
	int fd = c->wsi ? lws_get_socket_fd(c->wsi) : -1;
	if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		(void)poll(&p, 1, ms);
	} else {
		usleep((useconds_t)ms * 1000);
	}
	lws_service(c->ctx, -1);
}

int itws_connect(struct itws **out, const struct itws_opts *o)
{
	*out = NULL;
	unsigned port;
	if (sscanf(o->address, "127.0.0.1:%u", &port) != 1 || port > 65535)
		return -1;
	struct itws *c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	snprintf(c->host, sizeof(c->host), "%s", o->address);
	c->protocols[0].name = "clubcrm.v1";
	c->protocols[0].callback = itws_cb;
	c->protocols[0].rx_buffer_size = 64 * 1024;
	lws_set_log_level(LLL_ERR, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = c->protocols;
	info.user = c;
	/* The Origin as given (else libwebsockets prefixes "http://"). */
	info.options = LWS_SERVER_OPTION_JUST_USE_RAW_ORIGIN;
	if (o->ca_file) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.client_ssl_ca_filepath = o->ca_file;
	}
	c->ctx = lws_create_context(&info);
	if (!c->ctx) {
		free(c);
		return -1;
	}
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = c->ctx;
	ci.address = "127.0.0.1";
	ci.port = (int)port;
	ci.path = "/ws";
	ci.host = c->host;
	ci.origin = o->origin;
	ci.protocol = "clubcrm.v1";
	ci.ssl_connection = o->ca_file ? LCCSCF_USE_SSL : 0;
	ci.pwsi = &c->wsi;
	if (!lws_client_connect_via_info(&ci)) {
		itws_free(c);
		return -1;
	}
	uint64_t end = time_mono_ms() + ITWS_CONNECT_MS;
	while (!c->established && !c->failed && !c->closed &&
	       time_mono_ms() < end)
		service(c, 10);
	if (!c->established) {
		itws_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void itws_free(struct itws *c)
{
	if (!c)
		return;
	if (c->ctx)
		lws_context_destroy(c->ctx);
	buf_free(&c->in);
	free(c->out);
	free(c);
}

int itws_send(struct itws *c, const void *data, size_t len, bool text)
{
	if (!c->wsi || c->closed)
		return -1;
	free(c->out);
	c->out = malloc(LWS_PRE + len + 1);
	if (!c->out)
		return -1;
	memcpy(c->out + LWS_PRE, data, len);
	c->out_len = len;
	c->out_text = text;
	c->out_pending = true;
	lws_callback_on_writable(c->wsi);
	uint64_t end = time_mono_ms() + ITWS_SEND_MS;
	while (c->out_pending && c->wsi && !c->closed && time_mono_ms() < end)
		service(c, 1);
	return c->out_pending ? -1 : 0;
}

int itws_send_chunked(struct itws *c, const void *data, size_t len,
		      size_t chunk)
{
	const uint8_t *p = data;
	for (size_t off = 0; off < len; off += chunk) {
		size_t k = len - off < chunk ? len - off : chunk;
		if (itws_send(c, p + off, k, false) < 0)
			return -1;
	}
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static size_t frame_ready(const struct itws *c)
{
	if (c->in.len < FRAME_HEADER_LEN)
		return 0;
	uint32_t len = be32(c->in.data);
	if (len == 0 || c->in.len - FRAME_HEADER_LEN < len)
		return 0;
	return len;
}

Clubcrm__Frame *itws_recv(struct itws *c, unsigned timeout_ms)
{
	uint64_t end = time_mono_ms() + timeout_ms;
	size_t len;
	while ((len = frame_ready(c)) == 0) {
		if (c->closed || !c->wsi || time_mono_ms() >= end)
			return NULL;
		service(c, 10);
	}
	Clubcrm__Frame *f = frame_decode(c->in.data + FRAME_HEADER_LEN, len,
					 NULL);
	buf_consume(&c->in, FRAME_HEADER_LEN + len);
	return f;
}

Clubcrm__Frame *itws_expect(struct itws *c, Clubcrm__Frame__BodyCase body,
			    unsigned timeout_ms)
{
	uint64_t end = time_mono_ms() + timeout_ms;
	for (;;) {
		uint64_t now = time_mono_ms();
		if (now >= end)
			return NULL;
		Clubcrm__Frame *f = itws_recv(c, (unsigned)(end - now));
		if (!f || f->body_case == body)
			return f;
		clubcrm__frame__free_unpacked(f, NULL);
	}
}

bool itws_login(struct itws *c, const char *login, const char *password)
{
	struct buf out = {0};
	raw_put_preface(&out);
	raw_put_hello(&out, 1);
	raw_put_login(&out, 2, login, password);
	int ret = itws_send(c, out.data, out.len, false);
	buf_free(&out);
	if (ret < 0)
		return false;
	Clubcrm__Frame *w = itws_recv(c, 10000);
	bool ok = w && w->body_case == CLUBCRM__FRAME__BODY_WELCOME;
	if (w)
		clubcrm__frame__free_unpacked(w, NULL);
	Clubcrm__Frame *l = ok ? itws_recv(c, 10000) : NULL;
	ok = l && l->body_case == CLUBCRM__FRAME__BODY_LOGIN_OK;
	if (l)
		clubcrm__frame__free_unpacked(l, NULL);
	return ok;
}

void itws_pause(struct itws *c, bool paused)
{
	if (c->wsi)
		lws_rx_flow_control(c->wsi, paused ? 0 : 1);
}

bool itws_wait_closed(struct itws *c, unsigned timeout_ms, int *code)
{
	uint64_t end = time_mono_ms() + timeout_ms;
	while (!c->closed && !c->failed && c->wsi && time_mono_ms() < end) {
		service(c, 10);
		c->in.len = 0;
	}
	if (code)
		*code = c->close_code;
	return c->closed || c->failed || !c->wsi;
}

unsigned itws_text_received(const struct itws *c)
{
	return c->texts;
}

/* ------------------------------------------------------------ raw HTTP */

int itws_http(const char *address, const char *head, struct buf *resp)
{
	struct rawconn rc;
	resp->len = 0;
	if (raw_connect(&rc, address) < 0)
		return -1;
	char req[4096];
	int n = snprintf(req, sizeof(req), "%s\r\nConnection: close\r\n\r\n",
			 head);
	if (n < 0 || (size_t)n >= sizeof(req) ||
	    raw_send(&rc, req, (size_t)n) < 0) {
		raw_close(&rc);
		return -1;
	}
	uint64_t end = time_mono_ms() + 10000;
	for (;;) {
		int64_t left = (int64_t)(end - time_mono_ms());
		struct pollfd p = {.fd = rc.fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		if (buf_reserve(resp, 16384) < 0)
			break;
		ssize_t got = recv(rc.fd, resp->data + resp->len, 16384, 0);
		if (got <= 0)
			break;
		resp->len += (size_t)got;
	}
	raw_close(&rc);
	if (buf_reserve(resp, 1) < 0)
		return -1;
	resp->data[resp->len] = '\0';
	unsigned status;
	if (sscanf((const char *)resp->data, "HTTP/1.%*u %u", &status) != 1)
		return -1;
	return (int)status;
}

bool itws_header(const char *resp, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	const char *end = strstr(resp, "\r\n\r\n");
	for (const char *p = strstr(resp, "\r\n"); p && (!end || p < end);
	     p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;
		if (strncasecmp(line, name, nl) != 0 || line[nl] != ':')
			continue;
		const char *v = line + nl + 1;
		while (*v == ' ')
			v++;
		const char *e = strstr(v, "\r\n");
		size_t len = e ? (size_t)(e - v) : strlen(v);
		if (len >= size)
			len = size - 1;
		memcpy(out, v, len);
		out[len] = '\0';
		return true;
	}
	return false;
}
