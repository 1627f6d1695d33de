#include "server.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "login.h"
#include "session.h"
#include "session_out.h"
#include "status.h"
#include "store.h"
#include "subs.h"
#include "timeutil.h"
#include "tls.h"
#include "web.h"

/*
 * Blocks from this size up are mapped on their own, so freeing one gives
 * it back to the system at once (glibc would otherwise raise the threshold
 * to the largest block freed, up to 32 MiB, and keep those in the heap).
 * Not lower: every write op runs in a nested LMDB transaction, which
 * allocates a 2 MiB dirty list and a 1 MiB free-page list; mapped, they
 * cost each op two mmap and two munmap calls, their page faults and, for
 * each munmap, a TLB flush on every core running a thread of ours. Below
 * it, request frames (1 MiB at most) come from the heap and go back to the
 * system with the clock's trim (server_trim).
 */
#define SERVER_MMAP_THRESHOLD (4u * 1024u * 1024u)
/* Calendar feeds queued, being built, or built and not yet sent (held for
 * a connection that does not read) at once; past it, 503 (a calendar
 * application asks again later). */
#define SERVER_MAX_FEEDS 32u
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
	struct server *srv = ctx;
	subs_commit_send(srv);
	subs_durable(srv, srv->writer.durable_revision);
}

static bool hook_store_quiet(void *ctx)
{
	struct server *srv = ctx;
	if (srv->logins_running || srv->reader.busy)
		return false;
	/* Snapshots streaming to slow readers would hold the grow back
	 * indefinitely: those connections are asked to come back instead. */
	if (!subs_store_quiet(srv))
		subs_release_store(srv);
	return subs_store_quiet(srv);
}

static void server_maybe_finish(struct server *srv);
static void on_session_closed(struct server *srv);

/* ------------------------------------------------------------ feeds */

/*
 * The web listener's calendar feeds (net.h: net_feed_cb). What is not a
 * live feed is refused here, on the loop (a few lookups); a feed is built
 * on the reader's worker thread like the sessions' long reads (a year of
 * an operator's agenda held every terminal for tens of milliseconds), at
 * most SERVER_MAX_FEEDS at a time, queued, building or held unsent.
 */
static int on_feed(void *ctx, const char *secret, size_t len,
		   struct net_feed *f)
{
	struct server *srv = ctx;
	if (srv->stopping)
		return -EBUSY;  /* 503: a stream of feeds must not hold the
				   shutdown, which waits for the reader */
	int rc = service_feed_check(srv->store, secret, len);
	if (rc) {
		if (rc != -ENOENT)
			log_warn("feed: cannot read the store: %s",
				 strerror(-rc));
		return rc;
	}
	if (reader_feeds(&srv->reader) + web_feeds_held(srv->web) >=
	    SERVER_MAX_FEEDS)
		return -EBUSY;
	return reader_submit_feed(&srv->reader, f, secret, len, time_now());
}

static void hook_feed_done(void *ctx, void *owner, int rc, char *body,
			   size_t len)
{
	(void)ctx;
	if (rc && rc != -ENOENT && rc != -ECANCELED)
		log_warn("feed: cannot build the agenda: %s", strerror(-rc));
	net_feed_answer(owner, rc, body, len);
}

static void hook_idle(void *ctx)
{
	server_maybe_finish(ctx);
}

/* ------------------------------------------------------------ reader hooks */

static void hook_read_done(void *ctx, void *owner, const Clubcrm__Frame *req,
			   struct buf *wire)
{
	(void)ctx;
	session_long_read_done(owner, req, wire);
}

/* No long read runs: a grow the writer waits for may go now. */
static void hook_read_idle(void *ctx)
{
	struct server *srv = ctx;
	if (srv->writer.grow_wanted)
		writer_store_quiet(&srv->writer);
	server_maybe_finish(srv);
}

static bool hook_read_hold(void *ctx)
{
	return ((struct server *)ctx)->writer.grow_wanted;
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
	struct reader_hooks rh = {
		.done = hook_read_done,
		.feed_done = hook_feed_done,
		.idle = hook_read_idle,
		.hold = hook_read_hold,
		.ctx = srv,
	};
	reader_init(&srv->reader, loop, st, &rh);
	net_init(&srv->net, loop, (size_t)cfg->max_output, session_accept, srv);
	srv->net.on_feed = on_feed;
	srv->session_closed = on_session_closed;
	return login_throttle_init(&srv->throttle, cfg->login_backoff_ms,
				   cfg->login_backoff_max_ms, NULL);
}

void server_fini(struct server *srv)
{
	writer_fini(&srv->writer);
	reader_fini(&srv->reader);
	subs_fanout_fini(&srv->fanout);
	subs_spare_fini(&srv->spare);
	tls_ctx_free(srv->net.tls);
	srv->net.tls = NULL;
	web_free(srv->web);
	srv->web = NULL;
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

/*
 * Just before the loop may block: writes read during this pass go to the
 * writer as one batch (if it is free), and every connection with output
 * gets one uv_write carrying all of it.
 */
static void on_prepare(uv_prepare_t *p)
{
	struct server *srv = p->data;
	net_pass_begin(&srv->net);
	writer_kick(&srv->writer);
	reader_kick(&srv->reader);  /* held while the map grew */
	net_flush(&srv->net);
}

/* ------------------------------------------------------------ connections */

/* The last session closing lets a shutdown finish. */
static void on_session_closed(struct server *srv)
{
	server_maybe_finish(srv);
}

/* ------------------------------------------------------------ listeners */

/* Plain TCP only on loopback: anything else needs TLS. */
static int listen_tcp(struct server *srv)
{
	char err[256];
	struct sockaddr_storage ss;
	if (config_listen_addr(srv->cfg->listen, &ss, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -EINVAL;
	}
	if (!srv->net.tls && !config_addr_is_loopback((struct sockaddr *)&ss)) {
		log_error("refusing plain TCP on %s: not a loopback address "
			  "(give --tls-cert and --tls-key)", srv->cfg->listen);
		return -EPERM;
	}
	return net_listen_tcp(&srv->net, (struct sockaddr *)&ss,
			      srv->cfg->listen);
}

static void close_handles(struct server *srv)
{
	net_close_listeners(&srv->net);
	web_close(srv->web);
	if (!srv->handles_open)
		return;
	srv->handles_open = false;
	writer_close(&srv->writer);
	/* Marks left after the last pass would hold their connections. */
	net_forget(&srv->net);
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

/*
 * The server's own handles. Each init is checked: one that failed leaves
 * the ones opened before it closed again (close_handles() closes all four
 * only once all four were opened), so the loop can still be closed.
 */
static int init_base_handles(struct server *srv)
{
	uv_handle_t *opened[4];
	size_t n = 0;
	int ret = uv_timer_init(srv->loop, &srv->clock);
	if (ret == 0) {
		opened[n++] = (uv_handle_t *)&srv->clock;
		ret = uv_prepare_init(srv->loop, &srv->prepare);
	}
	if (ret == 0) {
		opened[n++] = (uv_handle_t *)&srv->prepare;
		ret = uv_signal_init(srv->loop, &srv->sigint);
	}
	if (ret == 0) {
		opened[n++] = (uv_handle_t *)&srv->sigint;
		ret = uv_signal_init(srv->loop, &srv->sigterm);
	}
	if (ret < 0) {
		log_error("cannot start: %s", uv_strerror(ret));
		while (n > 0)
			uv_close(opened[--n], NULL);
		return ret;
	}
	srv->clock.data = srv->prepare.data = srv;
	srv->sigint.data = srv->sigterm.data = srv;
	srv->handles_open = true;
	return 0;
}

static int start_base_handles(struct server *srv)
{
	srv->clock_at = time_now();
	int ret = subs_start(srv);
	if (ret < 0) {
		log_error("live views: cannot read the store: %s",
			  strerror(-ret));
		return ret;
	}
	ret = init_base_handles(srv);
	if (ret < 0)
		return ret;
	ret = uv_prepare_start(&srv->prepare, on_prepare);
	if (ret == 0)
		ret = uv_timer_start(&srv->clock, on_clock, SERVER_CLOCK_MS,
				     SERVER_CLOCK_MS);
	if (ret == 0)
		ret = uv_signal_start(&srv->sigint, on_signal, SIGINT);
	if (ret == 0)
		ret = uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
	if (ret < 0)
		log_error("cannot start: %s", uv_strerror(ret));
	return ret;
}

/* Where people reach the web listener (server.h: web_url). */
static void set_web_url(struct server *srv)
{
	const struct config *c = srv->cfg;
	srv->web_url[0] = '\0';
	if (c->web_public_url[0]) {
		snprintf(srv->web_url, sizeof(srv->web_url), "%s",
			 c->web_public_url);
		return;
	}
	struct sockaddr_storage ss;
	char err[128];
	if (config_web_disabled(c) ||
	    config_listen_addr(c->web_listen, &ss, err, sizeof(err)) < 0)
		return;
	bool any;
	uint16_t port;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&ss;
		any = IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
		port = a->sin6_port;
	} else {
		const struct sockaddr_in *a = (const void *)&ss;
		any = a->sin_addr.s_addr == htonl(INADDR_ANY);
		port = a->sin_port;
	}
	if (!any && port)
		snprintf(srv->web_url, sizeof(srv->web_url), "%s://%s",
			 c->tls_cert[0] ? "https" : "http", c->web_listen);
}

int server_start(struct server *srv)
{
	int ret = start_base_handles(srv);
	if (ret < 0)
		goto fail;
	ret = writer_start(&srv->writer);
	if (ret < 0) {
		log_error("writer: cannot start its thread: %s", strerror(-ret));
		goto fail;
	}
	server_refresh_club_info(srv);
	if (srv->cfg->tls_cert[0]) {
		char err[256] = "";
		ret = tls_ctx_new_server(&srv->net.tls, srv->cfg->tls_cert,
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
		ret = net_listen_unix(&srv->net, srv->cfg->socket_path);
		if (ret < 0)
			goto fail;
	}
	if (!config_web_disabled(srv->cfg)) {
		ret = web_start(&srv->web, &srv->net, srv->cfg);
		if (ret < 0)
			goto fail;
	}
	set_web_url(srv);
	if (srv->net.tls && !config_tcp_disabled(srv->cfg))
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
	if (!srv->stopping || !writer_idle(&srv->writer) ||
	    !reader_idle(&srv->reader))
		return;
	if (!srv->goaway_sent) {
		srv->goaway_sent = true;
		struct session *next;
		for (struct session *c = srv->sessions; c; c = next) {
			next = c->next;
			session_goaway(c, STATUS_UNAVAILABLE,
				       "server shutting down");
		}
	}
	if (srv->n_sessions == 0)
		close_handles(srv);
}

void server_stop(struct server *srv)
{
	struct session *next;
	if (srv->stopping) {
		log_warn("stopping now: closing every connection");
		for (struct session *c = srv->sessions; c; c = next) {
			next = c->next;
			session_close(c);
		}
		return;
	}
	srv->stopping = true;
	log_info("shutting down: %u connection(s), %zu write(s) queued",
		 srv->n_sessions, srv->writer.q_len + srv->writer.b_len);
	net_close_listeners(&srv->net);
	web_stop_accepting(srv->web);
	for (struct session *c = srv->sessions; c; c = next) {
		next = c->next;
		session_update_reading(c);
	}
	server_maybe_finish(srv);
}
