/*
 * The raw probe (bench_probe.h): plain sockets and epoll, no client
 * library, no libuv. Set-up (logins) is blocking on the caller's thread;
 * then each reader thread owns a slice of the sockets. A thread's mutex
 * guards its delivery table and the writes to its sockets (the caller
 * sends subscriptions while the thread answers pings).
 */
#define _GNU_SOURCE
#include "bench_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"

static const char *const logins[] = {"alicia", "valentina", "fermin",
				     "deborah", "maribel"};
#define N_LOGINS (sizeof(logins) / sizeof(logins[0]))

/* Request ids: logins and subscriptions below PING_RID, our pings at it
 * (their Pongs are ignored). */
#define RID_HELLO 1u
#define RID_LOGIN 2u
#define RID_SUB 3u
#define PING_RID (1u << 30)
#define SUB_BOARD 1u
#define SUB_URGENT 2u
/* Larger than any frame the server sends after login (--max-frame is at
 * most 64 MiB; a delta is far smaller). */
#define PROBE_MAX_FRAME (64u * 1024 * 1024)
/* Set-up waits on one socket this long at most. */
#define SETUP_TIMEOUT_MS 120000
/* Idle sockets get a Ping this often during set-up (the server drops a
 * peer silent for three 15 s heartbeats). */
#define KEEPALIVE_NS (10ull * 1000000000ull)

struct probe_sock {
	int fd;
	bool live, subscribed;
	uint8_t hdr[FRAME_HEADER_LEN];
	unsigned hdr_n;
	uint32_t len;             /* of the frame being read, once hdr_n = 4 */
	uint8_t *buf;
	size_t have, cap;
	uint64_t first_ns;        /* when its first bytes came */
	uint64_t last_rev;        /* last revision counted */
};

struct probe_thread {
	struct bench_probe *p;
	pthread_t th;
	bool started;
	clockid_t clk;            /* its CPU-time clock */
	bool has_clk;
	int ep;                   /* its sockets: those with index i,
				   * i % n_t its own (round robin, as the
				   * bench's terminals are on its shards) */
	pthread_mutex_t mu;
	struct bench_deliv deliv;
};

struct bench_probe {
	struct probe_sock *s;
	unsigned n, cap;          /* logged in / room for */
	struct probe_thread *t;
	unsigned n_t, want_t;     /* running / asked for */
	bool started;             /* the reader threads run */
	struct sockaddr_in sa;
	uint64_t ping_at;         /* keep-alive during set-up */
	atomic_bool stop;
	bool recording;           /* under each thread's mutex */
	uint64_t base_rev;
	atomic_int pending;       /* replies and SnapshotDones to come */
	atomic_uint refused;
	uint64_t next_rid;
	/* A login's resume token, per operator: the later logins use it (a
	 * token login costs no Argon2id hash, so thousands take seconds). */
	uint8_t token[N_LOGINS][64];
	size_t token_len[N_LOGINS];
};

/* ------------------------------------------------------------ frames out */

/* Writes one frame whole (a small one: the socket's buffer takes it at
 * once, but a full one is waited for). 0 or -1. */
static int send_frame(int fd, const Clubcrm__Frame *f)
{
	uint8_t stack[1024];
	size_t len = clubcrm__frame__get_packed_size(f);
	if (len + FRAME_HEADER_LEN > sizeof(stack))
		return -1;
	stack[0] = (uint8_t)(len >> 24);
	stack[1] = (uint8_t)(len >> 16);
	stack[2] = (uint8_t)(len >> 8);
	stack[3] = (uint8_t)len;
	clubcrm__frame__pack(f, stack + FRAME_HEADER_LEN);
	size_t off = 0, total = len + FRAME_HEADER_LEN;
	while (off < total) {
		ssize_t k = send(fd, stack + off, total - off, MSG_NOSIGNAL);
		if (k > 0) {
			off += (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			if (poll(&pfd, 1, 5000) <= 0)
				return -1;
			continue;
		}
		return -1;
	}
	return 0;
}

static int send_ping(int fd, uint64_t rid)
{
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_PING;
	f.ping = &ping;
	return send_frame(fd, &f);
}

static int send_pong(int fd, const Clubcrm__Frame *ping)
{
	Clubcrm__Pong pong = CLUBCRM__PONG__INIT;
	pong.has_nonce = ping->ping->has_nonce;
	pong.nonce = ping->ping->nonce;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = ping->has_request_id;
	f.request_id = ping->request_id;
	f.body_case = CLUBCRM__FRAME__BODY_PONG;
	f.pong = &pong;
	return send_frame(fd, &f);
}

static int send_subscribe(int fd, uint64_t rid, uint32_t sub_id,
			  Clubcrm__ViewKind kind, int64_t from, int64_t to)
{
	Clubcrm__TaskFilter filter = CLUBCRM__TASK_FILTER__INIT;
	filter.has_planned_from = 1;
	filter.planned_from = from;
	filter.has_planned_to = 1;
	filter.planned_to = to;
	Clubcrm__View view = CLUBCRM__VIEW__INIT;
	view.has_kind = 1;
	view.kind = kind;
	view.filter = &filter;
	Clubcrm__Subscribe sub = CLUBCRM__SUBSCRIBE__INIT;
	sub.has_sub_id = 1;
	sub.sub_id = sub_id;
	sub.view = &view;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBE;
	f.subscribe = &sub;
	return send_frame(fd, &f);
}

static int send_unsubscribe(int fd, uint64_t rid, uint32_t sub_id)
{
	Clubcrm__Unsubscribe u = CLUBCRM__UNSUBSCRIBE__INIT;
	u.has_sub_id = 1;
	u.sub_id = sub_id;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_UNSUBSCRIBE;
	f.unsubscribe = &u;
	return send_frame(fd, &f);
}

/* ------------------------------------------------------------ the walk */

static int varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 64 && *pos < len; shift += 7) {
		uint8_t b = p[(*pos)++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* Skips the value of a field of wire type `wt`. */
static int skip(const uint8_t *p, size_t len, size_t *pos, unsigned wt)
{
	uint64_t v;
	switch (wt) {
	case 0:
		return varint(p, len, pos, &v);
	case 1:
		v = 8;
		break;
	case 2:
		if (varint(p, len, pos, &v) < 0)
			return -1;
		break;
	case 5:
		v = 4;
		break;
	default:
		return -1;
	}
	if (v > len - *pos)
		return -1;
	*pos += (size_t)v;
	return 0;
}

int bench_walk_deltas(const uint8_t *p, size_t len,
		      void (*rev_cb)(void *, uint64_t), void *ud)
{
	size_t pos = 0;
	uint64_t key;
	int is_batch = 0;
	while (pos < len) {
		if (varint(p, len, &pos, &key) < 0)
			return -1;
		unsigned field = (unsigned)(key >> 3), wt = key & 7;
		if (field != 204 || wt != 2) {
			if (skip(p, len, &pos, wt) < 0)
				return -1;
			continue;
		}
		uint64_t blen;
		if (varint(p, len, &pos, &blen) < 0 || blen > len - pos)
			return -1;
		is_batch = 1;
		size_t bend = pos + (size_t)blen;
		while (pos < bend) {
			if (varint(p, bend, &pos, &key) < 0)
				return -1;
			if ((key >> 3) != 1 || (key & 7) != 2) {
				if (skip(p, bend, &pos, key & 7) < 0)
					return -1;
				continue;
			}
			uint64_t dlen;
			if (varint(p, bend, &pos, &dlen) < 0 ||
			    dlen > bend - pos)
				return -1;
			size_t dend = pos + (size_t)dlen;
			while (pos < dend) {
				if (varint(p, dend, &pos, &key) < 0)
					return -1;
				if ((key >> 3) == 2 && (key & 7) == 0) {
					uint64_t rev;
					if (varint(p, dend, &pos, &rev) < 0)
						return -1;
					rev_cb(ud, rev);
				} else if (skip(p, dend, &pos, key & 7) < 0) {
					return -1;
				}
			}
		}
	}
	return is_batch;
}

/* ------------------------------------------------------------ frames in */

struct seen_ctx {
	struct probe_thread *t;
	struct probe_sock *s;
};

static void rev_seen(void *ud, uint64_t rev)
{
	struct seen_ctx *c = ud;
	struct bench_probe *p = c->t->p;
	if (rev == c->s->last_rev)
		return;
	c->s->last_rev = rev;
	if (p->recording && rev > p->base_rev)
		bench_deliv_seen(&c->t->deliv, rev - p->base_rev,
				 c->s->first_ns);
}

/* A whole frame on a reader thread (its mutex held). -1: drop the
 * socket. */
static int on_frame(struct probe_thread *t, struct probe_sock *s,
		    const uint8_t *p, size_t len)
{
	struct seen_ctx ctx = {t, s};
	int batch = bench_walk_deltas(p, len, rev_seen, &ctx);
	if (batch != 0)
		return batch < 0 ? -1 : 0;
	/* Not a delta: rare, decoded whole. */
	Clubcrm__Frame *f = clubcrm__frame__unpack(NULL, len, p);
	if (!f)
		return -1;
	int rc = 0;
	uint64_t rid = f->has_request_id ? f->request_id : 0;
	switch (f->body_case) {
	case CLUBCRM__FRAME__BODY_PING:
		rc = send_pong(s->fd, f);
		break;
	case CLUBCRM__FRAME__BODY_SNAPSHOT_DONE:
		atomic_fetch_sub(&t->p->pending, 1);
		break;
	case CLUBCRM__FRAME__BODY_GO_AWAY:
		rc = -1;
		break;
	case CLUBCRM__FRAME__BODY_ERROR:
		if (rid >= RID_SUB && rid < PING_RID) {
			atomic_fetch_add(&t->p->refused, 1);
			/* A refused Subscribe sends no snapshot either. */
			atomic_fetch_sub(&t->p->pending, 1);
		}
		break;
	case CLUBCRM__FRAME__BODY_SUBSCRIBED:
		if (rid >= RID_SUB && rid < PING_RID)
			atomic_fetch_sub(&t->p->pending, 1);
		break;
	default:
		break;
	}
	clubcrm__frame__free_unpacked(f, NULL);
	return rc;
}

/*
 * Bytes that came at `now` for socket `s`: frame boundaries, and a frame's
 * first bytes timed. -1 on a framing error.
 */
static int on_bytes(struct probe_thread *t, struct probe_sock *s,
		    const uint8_t *d, size_t n, uint64_t now)
{
	while (n) {
		if (s->hdr_n < FRAME_HEADER_LEN) {
			if (s->hdr_n == 0)
				s->first_ns = now;
			s->hdr[s->hdr_n++] = *d++;
			n--;
			if (s->hdr_n < FRAME_HEADER_LEN)
				continue;
			s->len = (uint32_t)s->hdr[0] << 24 |
				 (uint32_t)s->hdr[1] << 16 |
				 (uint32_t)s->hdr[2] << 8 | s->hdr[3];
			if (s->len == 0 || s->len > PROBE_MAX_FRAME)
				return -1;
			if (s->len > s->cap) {
				uint8_t *b = realloc(s->buf, s->len);
				if (!b)
					return -1;
				s->buf = b;
				s->cap = s->len;
			}
			s->have = 0;
			continue;
		}
		size_t k = s->len - s->have;
		if (k > n)
			k = n;
		memcpy(s->buf + s->have, d, k);
		s->have += k;
		d += k;
		n -= k;
		if (s->have == s->len) {
			s->hdr_n = 0;
			if (on_frame(t, s, s->buf, s->len) < 0)
				return -1;
		}
	}
	return 0;
}

static void drop(struct probe_thread *t, struct probe_sock *s)
{
	epoll_ctl(t->ep, EPOLL_CTL_DEL, s->fd, NULL);
	s->live = false;
}

static void *reader(void *arg)
{
	struct probe_thread *t = arg;
	struct bench_probe *p = t->p;
	static _Thread_local uint8_t in[65536];
	struct epoll_event ev[64];
	while (!atomic_load(&p->stop)) {
		int k = epoll_wait(t->ep, ev, 64, 50);
		if (k <= 0)
			continue;
		pthread_mutex_lock(&t->mu);
		for (int i = 0; i < k; i++) {
			struct probe_sock *s = &p->s[ev[i].data.u32];
			while (s->live) {
				/* read(2), not recv(2): the bench's rchar
				 * counts what it read from the server (bench.h,
				 * file_bytes). */
				ssize_t r = read(s->fd, in, sizeof(in));
				uint64_t now = bench_now_ns();
				if (r > 0) {
					if (on_bytes(t, s, in, (size_t)r,
						     now) < 0)
						drop(t, s);
					continue;
				}
				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0 && (errno == EAGAIN ||
					      errno == EWOULDBLOCK))
					break;
				drop(t, s);    /* closed or failed */
			}
		}
		pthread_mutex_unlock(&t->mu);
	}
	return NULL;
}

/* ------------------------------------------------------------ set-up */

/* Reads one whole frame, blocking (SO_RCVTIMEO bounds it). */
static Clubcrm__Frame *read_frame(int fd)
{
	uint8_t hdr[FRAME_HEADER_LEN];
	size_t got = 0;
	while (got < sizeof(hdr)) {
		ssize_t r = read(fd, hdr + got, sizeof(hdr) - got);
		if (r <= 0 && !(r < 0 && errno == EINTR))
			return NULL;
		if (r > 0)
			got += (size_t)r;
	}
	uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
		       (uint32_t)hdr[2] << 8 | hdr[3];
	if (len == 0 || len > FRAME_MAX_DEFAULT)
		return NULL;
	uint8_t *b = malloc(len);
	if (!b)
		return NULL;
	got = 0;
	while (got < len) {
		ssize_t r = read(fd, b + got, len - got);
		if (r <= 0 && !(r < 0 && errno == EINTR)) {
			free(b);
			return NULL;
		}
		if (r > 0)
			got += (size_t)r;
	}
	Clubcrm__Frame *f = clubcrm__frame__unpack(NULL, len, b);
	free(b);
	return f;
}

static int parse_address(const char *address, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(address, ':');
	if (!colon || (size_t)(colon - address) >= sizeof(host))
		return -1;
	memcpy(host, address, (size_t)(colon - address));
	host[colon - address] = '\0';
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* Connects socket i and sends the preface, Hello and Login. */
static int start_login(struct bench_probe *p, struct probe_sock *s,
		       const struct sockaddr_in *sa, unsigned i)
{
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = SETUP_TIMEOUT_MS / 1000};
	int one = 1;
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		return -1;
	uint8_t preface[FRAME_PREFACE_LEN];
	frame_preface_write(preface);
	if (send(s->fd, preface, sizeof(preface), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(preface))
		return -1;
	char name[32];
	snprintf(name, sizeof(name), "bench-probe-%u", i);
	Clubcrm__Hello hello = CLUBCRM__HELLO__INIT;
	hello.has_client_kind = 1;
	hello.client_kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_BENCH;
	hello.terminal_name = name;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = RID_HELLO;
	f.body_case = CLUBCRM__FRAME__BODY_HELLO;
	f.hello = &hello;
	if (send_frame(s->fd, &f) < 0)
		return -1;
	Clubcrm__Login login = CLUBCRM__LOGIN__INIT;
	login.login = (char *)logins[i % N_LOGINS];
	if (p->token_len[i % N_LOGINS]) {
		login.has_resume_token = 1;
		login.resume_token.data = p->token[i % N_LOGINS];
		login.resume_token.len = p->token_len[i % N_LOGINS];
	} else {
		login.password = "demo";
	}
	f.request_id = RID_LOGIN;
	f.body_case = CLUBCRM__FRAME__BODY_LOGIN;
	f.login = &login;
	return send_frame(s->fd, &f);
}

/* Reads socket s until its LoginOk. 0, or -1 with `err`. */
static int finish_login(struct bench_probe *p, struct probe_sock *s,
			unsigned i, char *err, size_t errlen)
{
	for (;;) {
		Clubcrm__Frame *f = read_frame(s->fd);
		if (!f) {
			snprintf(err, errlen, "probe: login: connection lost");
			return -1;
		}
		int done = 0;
		if (f->body_case == CLUBCRM__FRAME__BODY_LOGIN_OK) {
			const Clubcrm__LoginOk *ok = f->login_ok;
			size_t k = i % N_LOGINS;
			if (!p->token_len[k] && ok->has_resume_token &&
			    ok->resume_token.len <= sizeof(p->token[k])) {
				memcpy(p->token[k], ok->resume_token.data,
				       ok->resume_token.len);
				p->token_len[k] = ok->resume_token.len;
			}
			done = 1;
		} else if (f->body_case == CLUBCRM__FRAME__BODY_ERROR) {
			snprintf(err, errlen, "probe: login: %s",
				 f->error->message ? f->error->message : "?");
			done = -1;
		} else if (f->body_case == CLUBCRM__FRAME__BODY_PING &&
			   send_pong(s->fd, f) < 0) {
			done = -1;
		}
		clubcrm__frame__free_unpacked(f, NULL);
		if (done)
			return done > 0 ? 0 : -1;
	}
}

/* Sockets [p->n, to) logged in, `parallel` at a time; p->n follows. */
static int logins_upto(struct bench_probe *p, unsigned to, unsigned parallel,
		       char *err, size_t errlen)
{
	for (unsigned i = p->n; i < to; i += parallel) {
		unsigned end = i + parallel < to ? i + parallel : to;
		for (unsigned k = i; k < end; k++)
			if (start_login(p, &p->s[k], &p->sa, k) < 0) {
				snprintf(err, errlen, "probe: connect %u: %s",
					 k, strerror(errno));
				return -1;
			}
		for (unsigned k = i; k < end; k++) {
			if (finish_login(p, &p->s[k], k, err, errlen) < 0)
				return -1;
			p->s[k].live = true;
			p->n = k + 1;
		}
		/* The ones logged in wait silently for the rest: a Ping
		 * keeps them (their Pongs are skipped later). */
		if (bench_now_ns() >= p->ping_at) {
			for (unsigned k = 0; k < end; k++)
				send_ping(p->s[k].fd, PING_RID + k);
			p->ping_at = bench_now_ns() + KEEPALIVE_NS;
		}
	}
	return 0;
}

static int start_threads(struct bench_probe *p, char *err, size_t errlen)
{
	p->n_t = p->want_t < p->n ? p->want_t : p->n;
	for (unsigned i = 0; i < p->n_t; i++) {
		struct probe_thread *t = &p->t[i];
		t->p = p;
		t->ep = epoll_create1(EPOLL_CLOEXEC);
		pthread_mutex_init(&t->mu, NULL);
		if (t->ep < 0) {
			snprintf(err, errlen, "probe: epoll: %s",
				 strerror(errno));
			return -1;
		}
		for (unsigned k = i; k < p->n; k += p->n_t) {
			struct probe_sock *s = &p->s[k];
			/* Non-blocking from now on. */
			int fl = fcntl(s->fd, F_GETFL);
			if (fl < 0 ||
			    fcntl(s->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
				snprintf(err, errlen, "probe: fcntl: %s",
					 strerror(errno));
				return -1;
			}
			struct epoll_event ev = {.events = EPOLLIN,
						 .data.u32 = k};
			if (epoll_ctl(t->ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
				snprintf(err, errlen, "probe: epoll_ctl: %s",
					 strerror(errno));
				return -1;
			}
		}
		if (pthread_create(&t->th, NULL, reader, t) != 0) {
			snprintf(err, errlen, "probe: thread failed");
			return -1;
		}
		t->started = true;
		t->has_clk = pthread_getcpuclockid(t->th, &t->clk) == 0;
	}
	return 0;
}

/* ------------------------------------------------------------ the API */

int bench_probe_new(const char *address, unsigned cap, unsigned threads,
		    struct bench_probe **out, char *err, size_t errlen)
{
	*out = NULL;
	struct sockaddr_in sa;
	if (parse_address(address, &sa) < 0) {
		snprintf(err, errlen, "probe: %s is not IPv4 HOST:PORT",
			 address);
		return -1;
	}
	if (cap == 0 || threads == 0) {
		snprintf(err, errlen, "probe: no sockets or no threads");
		return -1;
	}
	struct bench_probe *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	p->sa = sa;
	p->cap = cap;
	p->want_t = threads;
	p->s = calloc(cap, sizeof(*p->s));
	p->t = calloc(threads, sizeof(*p->t));
	p->next_rid = RID_SUB;
	p->ping_at = bench_now_ns() + KEEPALIVE_NS;
	if (!p->s || !p->t) {
		bench_probe_close(p);
		return -1;
	}
	for (unsigned i = 0; i < cap; i++)
		p->s[i].fd = -1;
	for (unsigned i = 0; i < threads; i++)
		p->t[i].ep = -1;
	*out = p;
	return 0;
}

int bench_probe_add(struct bench_probe *p, unsigned k, unsigned parallel,
		    char *err, size_t errlen)
{
	if (p->started || k > p->cap - p->n) {
		snprintf(err, errlen, "probe: %u more sockets: %s", k,
			 p->started ? "the readers run already"
				    : "more than opened for");
		return -1;
	}
	return logins_upto(p, p->n + k, parallel ? parallel : 1, err,
			   errlen);
}

int bench_probe_start(struct bench_probe *p, char *err, size_t errlen)
{
	if (p->started || p->n == 0) {
		snprintf(err, errlen, "probe: %s", p->started
				? "started twice" : "no socket to read");
		return -1;
	}
	p->started = true;
	return start_threads(p, err, errlen);
}

int bench_probe_open(const char *address, unsigned n, unsigned threads,
		     unsigned parallel, struct bench_probe **out, char *err,
		     size_t errlen)
{
	struct bench_probe *p;
	if (bench_probe_new(address, n, threads, &p, err, errlen) < 0)
		return -1;
	if (bench_probe_add(p, n, parallel, err, errlen) < 0 ||
	    bench_probe_start(p, err, errlen) < 0) {
		bench_probe_close(p);
		return -1;
	}
	*out = p;
	return 0;
}

static struct probe_thread *thread_of(struct bench_probe *p, unsigned i)
{
	return &p->t[i % p->n_t];
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int bench_probe_subscribe(struct bench_probe *p, unsigned n, int64_t from,
			  int64_t to, unsigned timeout_ms)
{
	if (!p->started)
		return -1;
	atomic_store(&p->refused, 0);
	for (unsigned i = 0; i < p->n; i++) {
		struct probe_sock *s = &p->s[i];
		struct probe_thread *t = thread_of(p, i);
		pthread_mutex_lock(&t->mu);
		int rc = 0;
		if (s->live && s->subscribed) {
			/* Each Unsubscribe is answered once. */
			atomic_fetch_add(&p->pending, 2);
			rc = send_unsubscribe(s->fd, p->next_rid++, SUB_BOARD);
			if (rc == 0)
				rc = send_unsubscribe(s->fd, p->next_rid++,
						      SUB_URGENT);
			s->subscribed = false;
		}
		if (rc == 0 && s->live && i < n) {
			/* Subscribed, then the snapshot's SnapshotDone. */
			atomic_fetch_add(&p->pending, 4);
			rc = send_subscribe(s->fd, p->next_rid++, SUB_BOARD,
					    CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD,
					    from, to);
			if (rc == 0)
				rc = send_subscribe(
					s->fd, p->next_rid++, SUB_URGENT,
					CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT,
					from, to);
			s->subscribed = true;
		}
		pthread_mutex_unlock(&t->mu);
		if (rc < 0 || p->next_rid >= PING_RID)
			return -1;
	}
	for (unsigned waited = 0; atomic_load(&p->pending) > 0 &&
				  !atomic_load(&p->refused); waited += 10) {
		if (waited >= timeout_ms) {
			fprintf(stderr, "bench: probe: %d subscription "
					"answers missing\n",
				atomic_load(&p->pending));
			atomic_store(&p->pending, 0);
			return -1;
		}
		sleep_ms(10);
	}
	if (atomic_load(&p->refused)) {
		atomic_store(&p->pending, 0);
		fprintf(stderr, "bench: probe: %u subscriptions refused\n",
			atomic_load(&p->refused));
		return -1;
	}
	return 0;
}

void bench_probe_record(struct bench_probe *p, uint64_t base_rev)
{
	for (unsigned k = 0; k < p->n_t; k++)
		pthread_mutex_lock(&p->t[k].mu);
	p->base_rev = base_rev;
	p->recording = true;
	for (unsigned k = 0; k < p->n_t; k++) {
		bench_deliv_reset(&p->t[k].deliv);
		pthread_mutex_unlock(&p->t[k].mu);
	}
}

unsigned bench_probe_collect(struct bench_probe *p, struct bench_deliv *d)
{
	for (unsigned k = 0; k < p->n_t; k++)
		pthread_mutex_lock(&p->t[k].mu);
	p->recording = false;
	unsigned live = 0;
	for (unsigned i = 0; i < p->n; i++)
		live += p->s[i].live && p->s[i].subscribed;
	for (unsigned k = 0; k < p->n_t; k++) {
		bench_deliv_merge(d, &p->t[k].deliv);
		pthread_mutex_unlock(&p->t[k].mu);
	}
	return live;
}

uint64_t bench_probe_cpu_ns(struct bench_probe *p)
{
	uint64_t sum = 0;
	struct timespec ts;
	for (unsigned k = 0; p && k < p->n_t; k++)
		if (p->t[k].started && p->t[k].has_clk &&
		    clock_gettime(p->t[k].clk, &ts) == 0)
			sum += (uint64_t)ts.tv_sec * 1000000000ull +
			       (uint64_t)ts.tv_nsec;
	return sum;
}

void bench_probe_close(struct bench_probe *p)
{
	if (!p)
		return;
	atomic_store(&p->stop, true);
	for (unsigned k = 0; p->t && k < p->n_t; k++) {
		struct probe_thread *t = &p->t[k];
		if (t->started)
			pthread_join(t->th, NULL);
		if (t->ep >= 0) {
			close(t->ep);
			pthread_mutex_destroy(&t->mu);
		}
		bench_deliv_free(&t->deliv);
	}
	for (unsigned i = 0; p->s && i < p->cap; i++) {
		if (p->s[i].fd >= 0)
			close(p->s[i].fd);
		free(p->s[i].buf);
	}
	free(p->s);
	free(p->t);
	free(p);
}
