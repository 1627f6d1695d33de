#include "server.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"
#include "login.h"
#include "session.h"
#include "status.h"
#include "store.h"
#include "subs.h"
#include "timeutil.h"
#include "tls.h"

#define SERVER_BACKLOG 511
/* Blocks from this size up are mapped on their own, so freeing one gives
 * it back to the system at once (glibc would otherwise raise the threshold
 * to the largest block freed, up to 32 MiB, and keep those in the heap). */
#define SERVER_MMAP_THRESHOLD (256u * 1024u)
/* Decoded request bytes freed since the last trim that make the next clock
 * tick hand the heap's free pages back to the system. */
#define SERVER_TRIM_AFTER (8u * 1024u * 1024u)
/* ...or this much once no decoded request is held any more. */
#define SERVER_TRIM_IDLE (1024u * 1024u)

/* ------------------------------------------------------------ writer hooks */

static void hook_done(void *ctx, void *owner, struct service_write_op *op,
		      struct buf *wire)
{
	/* Clients' Login and Logout never reach the writer: these are the
	 * server's own (resume tokens, login.c). */
	Clubcrm__Frame__BodyCase body = op->req->body_case;
	if (body == CLUBCRM__FRAME__BODY_LOGIN ||
	    body == CLUBCRM__FRAME__BODY_LOGOUT)
		login_write_done(owner, op, wire);
	else
		session_write_done(owner, op, wire);
}

static bool changes_touch_settings(const Clubcrm__ChangeSet *cs)
{
	for (size_t i = 0; cs && i < cs->n_events; i++)
		if (cs->events[i]->record_case ==
		    CLUBCRM__EVENT__RECORD_SETTINGS)
			return true;
	return false;
}

/*
 * Every committed batch passes here, in commit order, before the next batch
 * starts and before its replies go out. Live views load the batch's rows
 * here (the store is at its revision) and fan out in hook_fan_out: one
 * delta frame per subscribed connection per batch.
 */
static void hook_committed(void *ctx, const struct service_write_op *ops,
			   size_t n)
{
	struct server *srv = ctx;
	for (size_t i = 0; i < n; i++) {
		if (changes_touch_settings(ops[i].changes))
			server_refresh_club_info(srv);
		login_on_commit(srv, &ops[i]);
	}
	subs_commit_load(srv, ops, n);
}

static void hook_fan_out(void *ctx)
{
	subs_commit_send(ctx);
}

static bool hook_store_quiet(void *ctx)
{
	struct server *srv = ctx;
	if (srv->logins_running)
		return false;
	/* Snapshots streaming to slow readers would hold the grow back
	 * indefinitely: those connections are asked to come back instead. */
	if (!subs_store_quiet(srv))
		subs_release_store(srv);
	return subs_store_quiet(srv);
}

static void server_maybe_finish(struct server *srv);

static void hook_idle(void *ctx)
{
	server_maybe_finish(ctx);
}

int server_init(struct server *srv, uv_loop_t *loop, const struct config *cfg,
		struct store *st)
{
	memset(srv, 0, sizeof(*srv));
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, SERVER_MMAP_THRESHOLD);
#endif
	srv->loop = loop;
	srv->cfg = cfg;
	srv->store = st;
	struct writer_hooks hooks = {
		.done = hook_done,
		.committed = hook_committed,
		.fan_out = hook_fan_out,
		.store_quiet = hook_store_quiet,
		.idle = hook_idle,
		.ctx = srv,
	};
	writer_init(&srv->writer, loop, st, &hooks);
	return login_throttle_init(&srv->throttle, cfg->login_backoff_ms,
				   cfg->login_backoff_max_ms, NULL);
}

void server_fini(struct server *srv)
{
	writer_fini(&srv->writer);
	subs_fanout_fini(&srv->fanout);
	subs_spare_fini(&srv->spare);
	tls_ctx_free(srv->tls);
	srv->tls = NULL;
}

/* ------------------------------------------------------------ club info */

static void copy_str(char *dst, size_t size, const char *src)
{
	if (src)
		snprintf(dst, size, "%s", src);
}

/*
 * Welcome carries the club's name and time zone. They are settings, read
 * like any client would: a GetCatalog on behalf of the server itself.
 */
void server_refresh_club_info(struct server *srv)
{
	Clubcrm__GetCatalog gc = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req = CLUBCRM__FRAME__INIT;
	req.has_request_id = true;
	req.request_id = 1;
	req.body_case = CLUBCRM__FRAME__BODY_GET_CATALOG;
	req.get_catalog = &gc;
	struct actor who = {.role = CLUBCRM__ROLE__ROLE_ADMIN, .now = time_now(),
			    .system = true};
	struct arena a;
	arena_init(&a);
	Clubcrm__Frame *f;
	if (service_read(srv->store, &who, &req, &a, &f) == 0 &&
	    f->body_case == CLUBCRM__FRAME__BODY_CATALOG &&
	    f->catalog->settings) {
		const Clubcrm__Settings *st = f->catalog->settings;
		copy_str(srv->club_name, sizeof(srv->club_name),
			 st->club_name);
		copy_str(srv->time_zone, sizeof(srv->time_zone),
			 st->time_zone);
	}
	arena_free(&a);
}

/* ------------------------------------------------------------ loop pass */

void server_mark_dirty(struct server *srv, struct conn *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	conn_ref(c);
	c->dirty_next = srv->dirty;
	srv->dirty = c;
}

/*
 * Just before the loop may block: writes read during this pass go to the
 * writer as one batch (if it is free), and every connection with output
 * gets one uv_write carrying all of it.
 */
/* Flushes (or, at shutdown, just drops) every connection marked dirty. */
static void drain_dirty(struct server *srv, bool flush)
{
	while (srv->dirty) {
		struct conn *c = srv->dirty;
		srv->dirty = c->dirty_next;
		c->dirty_next = NULL;
		c->dirty = false;
		if (flush)
			conn_flush(c);
		conn_unref(c);
	}
}

void server_pause_reading(struct server *srv, struct conn *c)
{
	conn_ref(c);
	c->paused_next = srv->paused;
	srv->paused = c;
}

/* Connections that read their share of the last pass read again. */
static void resume_paused(struct server *srv, bool resume)
{
	while (srv->paused) {
		struct conn *c = srv->paused;
		srv->paused = c->paused_next;
		c->paused_next = NULL;
		if (resume)
			conn_pass_resume(c);
		else
			c->pass_paused = false;
		conn_unref(c);
	}
}

static void on_prepare(uv_prepare_t *p)
{
	struct server *srv = p->data;
	srv->pass++;
	resume_paused(srv, true);
	writer_kick(&srv->writer);
	drain_dirty(srv, true);
}

/* ------------------------------------------------------------ connections */

void server_conn_opened(struct server *srv, struct conn *c)
{
	c->prev = NULL;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->n_conns++;
}

void server_conn_closed(struct server *srv, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (srv->conns == c)
		srv->conns = c->next;
	else
		return;  /* never was in the list */
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	srv->n_conns--;
	server_maybe_finish(srv);
}

static void on_connection(uv_stream_t *listener, int status)
{
	struct server *srv = listener->data;
	if (status < 0) {
		log_warn("accept: %s", uv_strerror(status));
		return;
	}
	if (srv->stopping)
		return;
	int ret = conn_accept(srv, listener);
	if (ret < 0)
		log_warn("accept: %s", ret == -ENOMEM ? "out of memory"
						       : uv_strerror(ret));
}

/* ------------------------------------------------------------ logins */

bool server_login_may_start(struct server *srv)
{
	return !srv->writer.grow_wanted;
}

void server_login_park(struct server *srv, struct login_work *lw)
{
	lw->next = srv->parked;
	srv->parked = lw;
}

void server_login_finished(struct server *srv)
{
	if (srv->logins_running > 0 || !srv->writer.grow_wanted)
		return;
	writer_store_quiet(&srv->writer);
	while (srv->parked && !srv->writer.grow_wanted) {
		struct login_work *lw = srv->parked;
		srv->parked = lw->next;
		login_unpark(lw);
	}
}

/* ------------------------------------------------------------ listeners */

static int listen_tcp(struct server *srv)
{
	char err[256];
	struct sockaddr_storage ss;
	if (config_listen_addr(srv->cfg->listen, &ss, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -EINVAL;
	}
	if (!srv->tls && !config_addr_is_loopback((struct sockaddr *)&ss)) {
		log_error("refusing plain TCP on %s: not a loopback address "
			  "(give --tls-cert and --tls-key)", srv->cfg->listen);
		return -EPERM;
	}
	int ret = uv_tcp_init(srv->loop, &srv->tcp);
	if (ret < 0)
		return ret;
	srv->tcp.data = srv;
	srv->tcp_open = true;
	ret = uv_tcp_bind(&srv->tcp, (struct sockaddr *)&ss, 0);
	if (ret == 0)
		ret = uv_listen((uv_stream_t *)&srv->tcp, SERVER_BACKLOG,
				on_connection);
	if (ret < 0) {
		log_error("listen on %s: %s", srv->cfg->listen,
			  uv_strerror(ret));
		return ret;
	}
	int len = sizeof(ss);
	ret = uv_tcp_getsockname(&srv->tcp, (struct sockaddr *)&ss, &len);
	if (ret < 0)
		return ret;
	char ip[64];
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		uv_ip6_name(a, ip, sizeof(ip));
		fprintf(stderr, "clubcrmd: listening on [%s]:%u\n", ip,
			ntohs(a->sin6_port));
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		uv_ip4_name(a, ip, sizeof(ip));
		fprintf(stderr, "clubcrmd: listening on %s:%u\n", ip,
			ntohs(a->sin_port));
	}
	return 0;
}

/*
 * A socket file left by a server that died is removed; one that still
 * answers belongs to a running server and is left alone.
 */
static int clear_stale_socket(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	int alive = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	if (alive)
		return -EADDRINUSE;
	return unlink(path) < 0 ? -errno : 0;
}

static int listen_unix(struct server *srv)
{
	const char *path = srv->cfg->socket_path;
	int ret = clear_stale_socket(path);
	if (ret < 0) {
		log_error("socket %s: %s", path, ret == -EADDRINUSE
			  ? "another server is listening on it"
			  : strerror(-ret));
		return ret;
	}
	ret = uv_pipe_init(srv->loop, &srv->pipe, 0);
	if (ret < 0)
		return ret;
	srv->pipe.data = srv;
	srv->pipe_open = true;
	ret = uv_pipe_bind(&srv->pipe, path);
	if (ret == 0)
		ret = uv_listen((uv_stream_t *)&srv->pipe, SERVER_BACKLOG,
				on_connection);
	if (ret < 0) {
		log_error("listen on unix:%s: %s", path, uv_strerror(ret));
		return ret;
	}
	/* Owner and group may connect (the deploy's clubcrm group), whatever
	 * the umask made of the socket file; others may not. */
	if (chmod(path, 0660) < 0)
		log_warn("chmod %s: %s", path, strerror(errno));
	fprintf(stderr, "clubcrmd: listening on unix:%s\n", path);
	return 0;
}

static void close_listeners(struct server *srv)
{
	if (srv->tcp_open)
		uv_close((uv_handle_t *)&srv->tcp, NULL);
	if (srv->pipe_open) {
		uv_close((uv_handle_t *)&srv->pipe, NULL);
		unlink(srv->cfg->socket_path);
	}
	srv->tcp_open = srv->pipe_open = false;
}

static void close_handles(struct server *srv)
{
	close_listeners(srv);
	if (!srv->handles_open)
		return;
	srv->handles_open = false;
	/* Marks left after the last pass would hold their connections. */
	drain_dirty(srv, false);
	resume_paused(srv, false);
	uv_close((uv_handle_t *)&srv->prepare, NULL);
	uv_close((uv_handle_t *)&srv->clock, NULL);
	uv_close((uv_handle_t *)&srv->sigint, NULL);
	uv_close((uv_handle_t *)&srv->sigterm, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;
	log_info("signal %d (%s)", signum, strsignal(signum));
	server_stop(srv);
}

/*
 * After a burst of big requests was released, the free pages in the middle
 * of the heap go back to the system (glibc keeps them otherwise): at most
 * once a clock tick, so a steady stream of requests does not pay for it.
 */
static void server_trim(struct server *srv)
{
	if (srv->mem_freed < SERVER_TRIM_AFTER &&
	    (srv->mem_freed < SERVER_TRIM_IDLE || srv->mem_decoded))
		return;
	srv->mem_freed = 0;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/*
 * Once a second: tasks that fell due since the last tick become overdue on
 * every view and remind their operator; urgent tasks nobody took within the
 * escalation time are flagged. Each commit runs the clock too (subs.c).
 */
static void on_clock(uv_timer_t *t)
{
	struct server *srv = t->data;
	int64_t now = time_now();
	if (srv->stopping)
		return;
	subs_clock(srv, now);
	server_trim(srv);
}

static int start_base_handles(struct server *srv)
{
	uv_timer_init(srv->loop, &srv->clock);
	srv->clock.data = srv;
	srv->clock_at = time_now();
	int ret = subs_start(srv);
	if (ret < 0) {
		log_error("live views: cannot read the store: %s",
			  strerror(-ret));
		return ret;
	}
	uv_prepare_init(srv->loop, &srv->prepare);
	uv_signal_init(srv->loop, &srv->sigint);
	uv_signal_init(srv->loop, &srv->sigterm);
	srv->prepare.data = srv->sigint.data = srv->sigterm.data = srv;
	srv->handles_open = true;
	ret = uv_prepare_start(&srv->prepare, on_prepare);
	if (ret == 0)
		ret = uv_timer_start(&srv->clock, on_clock, SERVER_CLOCK_MS,
				     SERVER_CLOCK_MS);
	if (ret == 0)
		ret = uv_signal_start(&srv->sigint, on_signal, SIGINT);
	if (ret == 0)
		ret = uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
	return ret;
}

int server_start(struct server *srv)
{
	int ret = start_base_handles(srv);
	if (ret < 0)
		goto fail;
	server_refresh_club_info(srv);
	if (srv->cfg->tls_cert[0]) {
		char err[256] = "";
		ret = tls_ctx_new_server(&srv->tls, srv->cfg->tls_cert,
					 srv->cfg->tls_key, err, sizeof(err));
		if (ret < 0) {
			log_error("TLS: %s", err[0] ? err : strerror(-ret));
			goto fail;
		}
	}
	if (!config_tcp_disabled(srv->cfg)) {
		ret = listen_tcp(srv);
		if (ret < 0)
			goto fail;
	}
	if (srv->cfg->socket_path[0]) {
		ret = listen_unix(srv);
		if (ret < 0)
			goto fail;
	}
	if (srv->tls && !config_tcp_disabled(srv->cfg))
		log_info("TLS 1.3 on %s", srv->cfg->listen);
	log_info("serving %s (revision %llu)%s%s", srv->cfg->data_dir,
		 (unsigned long long)srv->writer.revision,
		 srv->club_name[0] ? ", club " : "", srv->club_name);
	return 0;
fail:
	close_handles(srv);
	return ret;
}

/* ------------------------------------------------------------ shutdown */

/*
 * Shutdown goes in steps, each started from here when the previous one is
 * done: input stops (server_stop); the writer drains what was queued and
 * its replies are queued; then every connection gets GoAway and closes once
 * it is written; when the last is closed, the server's own handles close and
 * uv_run() returns.
 */
static void server_maybe_finish(struct server *srv)
{
	if (!srv->stopping || !writer_idle(&srv->writer))
		return;
	if (!srv->goaway_sent) {
		srv->goaway_sent = true;
		struct conn *next;
		for (struct conn *c = srv->conns; c; c = next) {
			next = c->next;
			conn_goaway(c, STATUS_UNAVAILABLE,
				    "server shutting down");
		}
	}
	if (srv->n_conns == 0)
		close_handles(srv);
}

void server_stop(struct server *srv)
{
	struct conn *next;
	if (srv->stopping) {
		log_warn("stopping now: closing every connection");
		for (struct conn *c = srv->conns; c; c = next) {
			next = c->next;
			conn_close(c);
		}
		return;
	}
	srv->stopping = true;
	log_info("shutting down: %u connection(s), %zu write(s) queued",
		 srv->n_conns, srv->writer.q_len + srv->writer.b_len);
	close_listeners(srv);
	for (struct conn *c = srv->conns; c; c = next) {
		next = c->next;
		conn_update_reading(c);
	}
	server_maybe_finish(srv);
}
