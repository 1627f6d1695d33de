#include "rawconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "timeutil.h"

int raw_connect(struct rawconn *rc, const char *address)
{
	return raw_connect_from(rc, address, NULL);
}

int raw_connect_from(struct rawconn *rc, const char *address,
		     const char *source_ip)
{
	memset(rc, 0, sizeof(*rc));
	rc->fd = -1;
	unsigned port;
	if (sscanf(address, "127.0.0.1:%u", &port) != 1 || port > 65535)
		return -1;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct sockaddr_in src = {.sin_family = AF_INET};
	if (source_ip &&
	    (inet_pton(AF_INET, source_ip, &src.sin_addr) != 1 ||
	     bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)) {
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	rc->fd = fd;
	return 0;
}

void raw_close(struct rawconn *rc)
{
	if (rc->fd >= 0)
		close(rc->fd);
	rc->fd = -1;
	buf_free(&rc->in);
}

int raw_send(struct rawconn *rc, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) {
		ssize_t n = send(rc->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int raw_send_chunked(struct rawconn *rc, const void *data, size_t len,
		     size_t chunk)
{
	const uint8_t *p = data;
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		if (raw_send(rc, p + off, n) < 0)
			return -1;
	}
	return 0;
}

void raw_put_preface(struct buf *out)
{
	uint8_t preface[FRAME_PREFACE_LEN];
	frame_preface_write(preface);
	buf_append(out, preface, sizeof(preface));
}

void raw_put_frame(struct buf *out, const Clubcrm__Frame *f)
{
	frame_encode(f, out);
}

void raw_put_board_subscribe(struct buf *out, uint64_t rid)
{
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = true;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	Clubcrm__Subscribe s = CLUBCRM__SUBSCRIBE__INIT;
	s.has_sub_id = true;
	s.sub_id = 1;
	s.view = &v;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBE;
	f.subscribe = &s;
	frame_encode(&f, out);
}

void raw_put_hello(struct buf *out, uint64_t rid)
{
	Clubcrm__Hello hello = CLUBCRM__HELLO__INIT;
	hello.terminal_name = (char *)"raw";
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_HELLO;
	f.hello = &hello;
	raw_put_frame(out, &f);
}

void raw_put_login(struct buf *out, uint64_t rid, const char *login,
		   const char *password)
{
	Clubcrm__Login l = CLUBCRM__LOGIN__INIT;
	l.login = (char *)login;
	l.password = (char *)password;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_LOGIN;
	f.login = &l;
	raw_put_frame(out, &f);
}

/* Reads what is there, waiting up to `ms`. >0 bytes, 0 EOF, -1 timeout. */
static int fill(struct rawconn *rc, int ms)
{
	struct pollfd p = {.fd = rc->fd, .events = POLLIN};
	int ret = poll(&p, 1, ms < 0 ? 0 : ms);
	if (ret <= 0)
		return -1;
	if (buf_reserve(&rc->in, 64 * 1024) < 0)
		return -1;
	ssize_t n = recv(rc->fd, rc->in.data + rc->in.len, 64 * 1024, 0);
	if (n < 0)
		return errno == EINTR ? 1 : 0;  /* a reset counts as closed */
	rc->in.len += (size_t)n;
	return (int)n;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* A whole frame at the front of rc->in: its payload length, else 0. */
static size_t frame_ready(const struct rawconn *rc)
{
	if (rc->in.len < FRAME_HEADER_LEN)
		return 0;
	uint32_t len = be32(rc->in.data);
	if (len == 0 || rc->in.len - FRAME_HEADER_LEN < len)
		return 0;
	return len;
}

Clubcrm__Frame *raw_recv(struct rawconn *rc, unsigned timeout_ms)
{
	uint64_t deadline = time_mono_ms() + timeout_ms;
	size_t len;
	while ((len = frame_ready(rc)) == 0) {
		int64_t left = (int64_t)(deadline - time_mono_ms());
		if (left <= 0 || fill(rc, (int)left) <= 0)
			return NULL;
	}
	Clubcrm__Frame *f = frame_decode(rc->in.data + FRAME_HEADER_LEN, len,
					 NULL);
	buf_consume(&rc->in, FRAME_HEADER_LEN + len);
	return f;
}

bool raw_wait_closed(struct rawconn *rc, unsigned timeout_ms,
		     unsigned *goaways)
{
	uint64_t deadline = time_mono_ms() + timeout_ms;
	for (;;) {
		size_t len;
		while ((len = frame_ready(rc)) > 0) {
			Clubcrm__Frame *f = frame_decode(
				rc->in.data + FRAME_HEADER_LEN, len, NULL);
			if (f && f->body_case == CLUBCRM__FRAME__BODY_GO_AWAY &&
			    goaways)
				(*goaways)++;
			if (f)
				clubcrm__frame__free_unpacked(f, NULL);
			buf_consume(&rc->in, FRAME_HEADER_LEN + len);
		}
		int64_t left = (int64_t)(deadline - time_mono_ms());
		if (left <= 0)
			return false;
		int n = fill(rc, (int)left);
		if (n == 0)
			return true;
		if (n < 0)
			return false;
	}
}

static bool expect(struct rawconn *rc, Clubcrm__Frame__BodyCase body)
{
	Clubcrm__Frame *f = raw_recv(rc, 10000);
	bool ok = f && f->body_case == body;
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return ok;
}

bool raw_login(struct rawconn *rc, const char *login, const char *password)
{
	struct buf out = {0};
	raw_put_preface(&out);
	raw_put_hello(&out, 1);
	raw_put_login(&out, 2, login, password);
	bool ok = raw_send(rc, out.data, out.len) == 0 &&
		  expect(rc, CLUBCRM__FRAME__BODY_WELCOME) &&
		  expect(rc, CLUBCRM__FRAME__BODY_LOGIN_OK);
	buf_free(&out);
	return ok;
}

void raw_put_ping(struct buf *out, uint64_t rid)
{
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	ping.has_nonce = true;
	ping.nonce = rid;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = rid != 0;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_PING;
	f.ping = &ping;
	raw_put_frame(out, &f);
}
