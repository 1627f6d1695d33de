#include "fake_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "status.h"
#include <unistd.h>

#include "buf.h"
#include "frame.h"

#define IO_TIMEOUT_MS 5000

void fake_fail(struct fake_server *fs, const char *why)
{
	if (!fs->failed)
		snprintf(fs->why, sizeof(fs->why), "%s", why);
	fs->failed = true;
}

/* Reads exactly len bytes, waiting at most IO_TIMEOUT_MS each time. */
static bool read_full(struct fake_server *fs, void *out, size_t len)
{
	uint8_t *p = out;
	while (len > 0) {
		struct pollfd pfd = {.fd = fs->fd, .events = POLLIN};
		if (poll(&pfd, 1, IO_TIMEOUT_MS) <= 0)
			return false;
		ssize_t n = read(fs->fd, p, len);
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

void fake_send_raw(struct fake_server *fs, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) {
		ssize_t n = send(fs->fd, p, len, MSG_NOSIGNAL);
		if (n <= 0) {
			fake_fail(fs, "send failed");
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

void fake_send(struct fake_server *fs, const Clubcrm__Frame *f)
{
	struct buf b = {0};
	if (frame_encode(f, &b) < 0)
		fake_fail(fs, "encode failed");
	else
		fake_send_raw(fs, b.data, b.len);
	buf_free(&b);
}

void fake_send_error(struct fake_server *fs, uint64_t rid, unsigned code,
		     const char *message)
{
	Clubcrm__Error e = CLUBCRM__ERROR__INIT;
	e.has_code = true;
	e.code = code;
	e.message = (char *)message;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = rid != 0;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_ERROR;
	f.error = &e;
	fake_send(fs, &f);
}

void fake_send_goaway(struct fake_server *fs, unsigned code,
		      const char *reason)
{
	Clubcrm__GoAway g = CLUBCRM__GO_AWAY__INIT;
	g.has_code = true;
	g.code = code;
	g.reason = (char *)reason;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_GO_AWAY;
	f.go_away = &g;
	fake_send(fs, &f);
}

void fake_send_snapshot(struct fake_server *fs, uint32_t sub_id,
			Clubcrm__SnapshotChunk *c, uint64_t revision)
{
	c->has_sub_id = true;
	c->sub_id = sub_id;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK;
	f.snapshot_chunk = c;
	fake_send(fs, &f);
	Clubcrm__SnapshotDone d = CLUBCRM__SNAPSHOT_DONE__INIT;
	d.has_sub_id = d.has_revision = true;
	d.sub_id = sub_id;
	d.revision = revision;
	Clubcrm__Frame g = CLUBCRM__FRAME__INIT;
	g.body_case = CLUBCRM__FRAME__BODY_SNAPSHOT_DONE;
	g.snapshot_done = &d;
	fake_send(fs, &g);
}

void fake_until_logout(struct fake_server *fs)
{
	Clubcrm__Frame *f;
	while ((f = fake_recv(fs))) {
		bool out = f->body_case == CLUBCRM__FRAME__BODY_LOGOUT;
		clubcrm__frame__free_unpacked(f, NULL);
		if (out)
			break;
	}
	close(fs->fd);
	fs->fd = -1;
}

void fake_say_bye(struct fake_server *fs)
{
	fake_send_goaway(fs, STATUS_UNAVAILABLE, "bye");
	shutdown(fs->fd, SHUT_WR);
	fake_wait_eof(fs, 5000);
}

Clubcrm__Frame *fake_recv(struct fake_server *fs)
{
	uint8_t hdr[4];
	if (!read_full(fs, hdr, sizeof(hdr)))
		return NULL;
	uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
		       (uint32_t)hdr[2] << 8 | hdr[3];
	if (len == 0 || len > FRAME_MAX_DEFAULT)
		return NULL;
	uint8_t *payload = malloc(len);
	if (!payload || !read_full(fs, payload, len)) {
		free(payload);
		return NULL;
	}
	Clubcrm__Frame *f = frame_decode(payload, len, NULL);
	free(payload);
	return f;
}

static Clubcrm__Frame *expect(struct fake_server *fs,
			      Clubcrm__Frame__BodyCase body)
{
	Clubcrm__Frame *f = fake_recv(fs);
	if (f && f->body_case == body && f->request_id != 0)
		return f;
	fake_fail(fs, "unexpected frame in the handshake");
	if (f)
		clubcrm__frame__free_unpacked(f, NULL);
	return NULL;
}

static void send_welcome(struct fake_server *fs, uint64_t rid)
{
	Clubcrm__Welcome w = CLUBCRM__WELCOME__INIT;
	w.has_protocol_major = w.has_protocol_minor = true;
	w.protocol_major = FRAME_PROTOCOL_MAJOR;
	w.has_max_frame = true;
	w.max_frame = 64 * 1024;
	w.time_zone = (char *)"Europe/Madrid";
	w.has_heartbeat_ms = fs->heartbeat_ms != 0;
	w.heartbeat_ms = fs->heartbeat_ms;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_WELCOME;
	f.welcome = &w;
	fake_send(fs, &f);
}

void fake_send_login_ok(struct fake_server *fs, uint64_t rid,
			const char *login, const uint8_t *token,
			size_t token_len)
{
	Clubcrm__Operator op = CLUBCRM__OPERATOR__INIT;
	op.has_id = true;
	op.id = 1;
	op.login = (char *)login;
	Clubcrm__LoginOk ok = CLUBCRM__LOGIN_OK__INIT;
	ok.operator_ = &op;
	ok.has_max_frame = true;
	ok.max_frame = 64 * 1024;
	if (token) {
		ok.has_resume_token = ok.has_resume_expires = true;
		ok.resume_token.data = (uint8_t *)token;
		ok.resume_token.len = token_len;
		ok.resume_expires = INT64_C(4102444800);  /* 2100 */
	}
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_LOGIN_OK;
	f.login_ok = &ok;
	fake_send(fs, &f);
}

bool fake_handshake(struct fake_server *fs, bool login)
{
	uint8_t preface[FRAME_PREFACE_LEN];
	uint16_t major, minor;
	if (!read_full(fs, preface, sizeof(preface)) ||
	    frame_preface_parse(preface, &major, &minor) < 0) {
		fake_fail(fs, "bad preface");
		return false;
	}
	Clubcrm__Frame *f = expect(fs, CLUBCRM__FRAME__BODY_HELLO);
	if (!f)
		return false;
	send_welcome(fs, f->request_id);
	clubcrm__frame__free_unpacked(f, NULL);
	if (!login)
		return true;
	f = expect(fs, CLUBCRM__FRAME__BODY_LOGIN);
	if (!f)
		return false;
	fake_send_login_ok(fs, f->request_id, f->login->login, NULL, 0);
	clubcrm__frame__free_unpacked(f, NULL);
	return true;
}

Clubcrm__Frame *fake_expect_login(struct fake_server *fs)
{
	return expect(fs, CLUBCRM__FRAME__BODY_LOGIN);
}

bool fake_accept(struct fake_server *fs)
{
	if (fs->fd >= 0)
		close(fs->fd);
	fs->fd = -1;
	struct pollfd pfd = {.fd = fs->listen_fd, .events = POLLIN};
	if (poll(&pfd, 1, IO_TIMEOUT_MS) <= 0) {
		fake_fail(fs, "no next connection came");
		return false;
	}
	fs->fd = accept(fs->listen_fd, NULL, NULL);
	if (fs->fd < 0) {
		fake_fail(fs, "accept failed");
		return false;
	}
	return true;
}

bool fake_wait_eof(struct fake_server *fs, unsigned timeout_ms)
{
	uint8_t junk[512];
	for (;;) {
		struct pollfd pfd = {.fd = fs->fd, .events = POLLIN};
		if (poll(&pfd, 1, (int)timeout_ms) <= 0)
			return false;
		ssize_t n = read(fs->fd, junk, sizeof(junk));
		if (n <= 0)
			return true;
	}
}

static void *run(void *arg)
{
	struct fake_server *fs = arg;
	struct pollfd pfd = {.fd = fs->listen_fd, .events = POLLIN};
	if (poll(&pfd, 1, IO_TIMEOUT_MS) <= 0) {
		fake_fail(fs, "no connection came");
		return NULL;
	}
	fs->fd = accept(fs->listen_fd, NULL, NULL);
	if (fs->fd < 0) {
		fake_fail(fs, "accept failed");
		return NULL;
	}
	fs->script(fs);
	return NULL;
}

static int listen_unix(struct fake_server *fs)
{
	snprintf(fs->path, sizeof(fs->path), "/tmp/clubcrm-fake-%d-%p.sock",
		 (int)getpid(), (void *)fs);
	unlink(fs->path);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fs->path);
	fs->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fs->listen_fd < 0 ||
	    bind(fs->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	snprintf(fs->address, sizeof(fs->address), "unix:%s", fs->path);
	return 0;
}

static int listen_tcp(struct fake_server *fs)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	fs->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fs->listen_fd < 0 ||
	    bind(fs->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fs->listen_fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	snprintf(fs->address, sizeof(fs->address), "localhost:%u",
		 (unsigned)ntohs(sa.sin_port));
	return 0;
}

int fake_start(struct fake_server *fs, bool tcp, fake_script script,
	       void *arg)
{
	memset(fs, 0, sizeof(*fs));
	fs->fd = -1;
	fs->script = script;
	fs->arg = arg;
	int ret = tcp ? listen_tcp(fs) : listen_unix(fs);
	if (ret < 0 || listen(fs->listen_fd, 4) < 0)
		goto fail;
	if (pthread_create(&fs->thread, NULL, run, fs) != 0)
		goto fail;
	return 0;
fail:
	if (fs->listen_fd >= 0)
		close(fs->listen_fd);
	if (fs->path[0])
		unlink(fs->path);
	return -1;
}

bool fake_finish(struct fake_server *fs)
{
	pthread_join(fs->thread, NULL);
	if (fs->fd >= 0)
		close(fs->fd);
	close(fs->listen_fd);
	if (fs->path[0])
		unlink(fs->path);
	if (fs->failed)
		fprintf(stderr, "fake server: %s\n", fs->why);
	return !fs->failed;
}
