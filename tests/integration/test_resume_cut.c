/*
 * A terminal whose link is cut right after the server's Subscribed(resumed)
 * answer, before any replayed row arrived, must still get every row it
 * missed: the real clubcrmd, a live terminal (client/lib/live.h) and, in
 * between, a proxy thread that forwards the bytes and can cut the link now,
 * or just after the next resumed Subscribed frame.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "frame.h"
#include "harness.h"
#include "ittools.h"
#include "live.h"
#include "status.h"
#include "timeutil.h"

#define WAIT_MS 10000u

struct proxy {
	int listen_fd;
	char path[108];
	char address[128];
	const char *upstream;       /* the server's unix socket */
	pthread_t thread;
	atomic_bool stop;
	atomic_bool cut_now;
	atomic_bool cut_after_resumed;
	atomic_int cuts;            /* links cut so far */
};

static bool write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Server to client: whole frames only, so that a cut can fall right after
 * one. True when the link is to be cut (after what was forwarded).
 */
static bool forward_frames(struct proxy *p, int cfd, uint8_t *buf,
			   size_t *len, bool *ok)
{
	size_t off = 0;
	bool cut = false;
	while (!cut && *len - off >= FRAME_HEADER_LEN) {
		const uint8_t *h = buf + off;
		size_t flen = (size_t)h[0] << 24 | (size_t)h[1] << 16 |
			      (size_t)h[2] << 8 | h[3];
		if (*len - off < FRAME_HEADER_LEN + flen)
			break;
		if (atomic_load(&p->cut_after_resumed)) {
			Clubcrm__Frame *f = frame_decode(h + FRAME_HEADER_LEN,
							 flen, NULL);
			if (f && f->body_case == CLUBCRM__FRAME__BODY_SUBSCRIBED &&
			    f->subscribed->resumed) {
				atomic_store(&p->cut_after_resumed, false);
				cut = true;
			}
			if (f)
				clubcrm__frame__free_unpacked(f, NULL);
		}
		*ok = *ok && write_all(cfd, h, FRAME_HEADER_LEN + flen);
		off += FRAME_HEADER_LEN + flen;
	}
	memmove(buf, buf + off, *len - off);
	*len -= off;
	return cut;
}

static void serve_one(struct proxy *p, int cfd)
{
	int sfd = connect_unix(p->upstream);
	size_t cap = 2 * FRAME_MAX_DEFAULT + 64 * 1024, len = 0;
	uint8_t *buf = malloc(cap);
	uint8_t tmp[16384];
	bool ok = sfd >= 0 && buf;
	while (ok && !atomic_load(&p->stop)) {
		if (atomic_exchange(&p->cut_now, false)) {
			atomic_fetch_add(&p->cuts, 1);
			break;
		}
		struct pollfd pfd[2] = {{.fd = cfd, .events = POLLIN},
					{.fd = sfd, .events = POLLIN}};
		if (poll(pfd, 2, 20) <= 0)
			continue;
		if (pfd[0].revents) {
			ssize_t n = read(cfd, tmp, sizeof(tmp));
			ok = n > 0 && write_all(sfd, tmp, (size_t)n);
		}
		if (ok && pfd[1].revents) {
			ssize_t n = read(sfd, buf + len, cap - len);
			ok = n > 0;
			if (ok) {
				len += (size_t)n;
				if (forward_frames(p, cfd, buf, &len, &ok)) {
					atomic_fetch_add(&p->cuts, 1);
					break;
				}
				ok = ok && len < cap;
			}
		}
	}
	free(buf);
	if (sfd >= 0)
		close(sfd);
	close(cfd);
}

static void *proxy_run(void *arg)
{
	struct proxy *p = arg;
	while (!atomic_load(&p->stop)) {
		struct pollfd pfd = {.fd = p->listen_fd, .events = POLLIN};
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		int cfd = accept(p->listen_fd, NULL, NULL);
		if (cfd >= 0)
			serve_one(p, cfd);
	}
	return NULL;
}

static int proxy_start(struct proxy *p, const char *upstream)
{
	memset(p, 0, sizeof(*p));
	p->upstream = upstream;
	snprintf(p->path, sizeof(p->path), "/tmp/clubcrm-proxy-%d.sock",
		 (int)getpid());
	unlink(p->path);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p->path);
	p->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->listen_fd < 0 ||
	    bind(p->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(p->listen_fd, 8) < 0)
		return -1;
	snprintf(p->address, sizeof(p->address), "unix:%s", p->path);
	return pthread_create(&p->thread, NULL, proxy_run, p) ? -1 : 0;
}

static void proxy_stop(struct proxy *p)
{
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	close(p->listen_fd);
	unlink(p->path);
}

/* ---------------------------------------------------------------- test */

struct world {
	struct harness h;
	struct proxy proxy;
	uv_loop_t loop;
	struct live *live;
	struct live_sub *board;
	bool closed;
	uint64_t ids[3];
};

static void on_closed(struct live *l, void *ud)
{
	(void)l;
	((struct world *)ud)->closed = true;
}

static const struct live_callbacks live_cbs = {.on_closed = on_closed};

static bool pump_until(struct world *w, bool (*done)(struct world *))
{
	uint64_t end = time_mono_ms() + WAIT_MS;
	while (!done(w)) {
		if (time_mono_ms() > end)
			return false;
		uv_run(&w->loop, UV_RUN_NOWAIT);
		uv_sleep(1);
	}
	return true;
}

static bool synced(struct world *w)
{
	return live_get_state(w->live) == LIVE_READY &&
	       live_sub_replica(w->board)->synced;
}

static bool cut_twice(struct world *w)
{
	return atomic_load(&w->proxy.cuts) >= 2;
}

static bool has_all(struct world *w)
{
	const struct replica *r = live_sub_replica(w->board);
	for (int i = 0; i < 3; i++)
		if (!replica_get(r, w->ids[i]))
			return false;
	return true;
}

static bool closed(struct world *w)
{
	return w->closed;
}

static void test_cut_right_after_resumed_answer(void **state)
{
	(void)state;
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	assert_int_equal(uv_loop_init(&w->loop), 0);
	assert_int_equal(harness_start(&w->h), 0);
	assert_int_equal(proxy_start(&w->proxy, w->h.sock), 0);
	struct client_config cfg = {
		.address = w->proxy.address, .login = "alicia",
		.password = HARNESS_PASSWORD,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	assert_int_equal(live_new(&w->loop, &cfg, &live_cbs, w, &w->live), 0);
	Clubcrm__View board = CLUBCRM__VIEW__INIT;
	board.has_kind = 1;
	board.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD;
	assert_int_equal(live_subscribe(w->live, &board, NULL, NULL,
					&w->board), 0);
	assert_int_equal(live_start(w->live), 0);
	assert_true(pump_until(w, synced));

	/* The link goes while the terminal's loop does not run; the resume
	 * that follows is cut again right after its Subscribed, before any
	 * replayed row. Meanwhile others write. */
	atomic_store(&w->proxy.cut_after_resumed, true);
	atomic_store(&w->proxy.cut_now, true);
	uint64_t end = time_mono_ms() + WAIT_MS;
	while (atomic_load(&w->proxy.cuts) < 1 && time_mono_ms() < end)
		uv_sleep(1);
	assert_int_equal(atomic_load(&w->proxy.cuts), 1);
	struct client_sync *writer;
	struct client_status st;
	assert_int_equal(harness_login(&w->h, "fermin", &writer, &st),
			 STATUS_OK);
	for (int i = 0; i < 3; i++) {
		struct it_new_task t = {
			.desc = "written while the terminal was away",
			.type_id = it_type_id(writer, "Call"),
			.customer_id = it_customer_id(writer, "Arantxa"),
			.planned_at = time_now() + 3600 * (i + 1),
		};
		assert_int_equal(it_create_id(writer, &t, &w->ids[i], &st),
				 STATUS_OK);
	}
	client_sync_close(writer);
	assert_false(has_all(w));

	assert_true(pump_until(w, cut_twice));
	/* The third link resumes from what the replica really holds. */
	assert_true(pump_until(w, has_all));
	assert_true(pump_until(w, synced));

	live_close(w->live);
	assert_true(pump_until(w, closed));
	proxy_stop(&w->proxy);
	harness_cleanup(&w->h);
	uv_run(&w->loop, UV_RUN_NOWAIT);
	assert_int_equal(uv_loop_close(&w->loop), 0);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_right_after_resumed_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
