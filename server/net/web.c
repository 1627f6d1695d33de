/*
 * The browser's listener (web.h): one libwebsockets context with one vhost
 * on the daemon's libuv loop (LWS_SERVER_OPTION_LIBUV + foreign_loops). It
 * parses HTTP and WebSockets; this file only decides: which requests are
 * answered (GET and HEAD), which upgrades are taken (/ws from the desk's
 * own Origin), which headers every answer carries, and what a missing file
 * or a missing desk looks like; and it answers the calendar feeds
 * (/feed/<secret>.ics) with what net->on_feed gives. WebSockets themselves
 * are web_conn.c.
 */
#include "web.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "web_int.h"

/* At shutdown, closing WebSockets get this long to send their close
 * frames, and calendar feeds answered to be sent, before the listener
 * goes. */
#define WEB_CLOSE_GRACE_MS 2000
#define WEB_CLOSE_POLL_MS 10

/* Hashed bundles never change under their name: a year, immutable. */
#define WEB_ASSET_MAX_AGE 31536000u
#define WEB_CACHE_ASSETS "public, max-age=31536000, immutable"
/* Everything else (index.html names the bundles): always revalidated. */
#define WEB_CACHE_OTHER "no-cache"
/* A feed: never stored (a rotated URL must stop at once), nor shared. */
#define WEB_CACHE_FEED "private, no-store, max-age=0"
#define WEB_FEED_PREFIX "/feed/"
#define WEB_FEED_SUFFIX ".ics"
/* A feed goes out in pieces of this size. */
#define WEB_FEED_CHUNK (16u * 1024u)
/* A feed being sent to a connection that takes no piece for this long is
 * dropped (its text is held until then); one that reads, however slowly,
 * gets it whole. */
#define WEB_FEED_STALL_S 10

/* No inline script or style, nothing from elsewhere, not framed. */
#define WEB_CSP "default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; " \
	"base-uri 'none'; form-action 'self'"

static const struct lws_protocol_vhost_options mime_wasm = {
	NULL, NULL, ".wasm", "application/wasm"
};
static const struct lws_protocol_vhost_options mime_manifest = {
	&mime_wasm, NULL, ".webmanifest", "application/manifest+json"
};
static const struct lws_protocol_vhost_options mime_mjs = {
	&mime_manifest, NULL, ".mjs", "text/javascript"
};
static const struct lws_protocol_vhost_options mime_map = {
	&mime_mjs, NULL, ".map", "application/json"
};

/* ------------------------------------------------------------ logging */

/* libwebsockets' own lines, into ours: its errors and warnings as
 * warnings, its notices as debug. */
static void lws_log_line(int level, const char *line)
{
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (level & (LLL_ERR | LLL_WARN))
		log_warn("web: lws: %.*s", (int)len, line);
	else
		log_debug("web: lws: %.*s", (int)len, line);
}

/* ------------------------------------------------------------ requests */

/* The peer's address for a log line ("?" when unknown). */
static void peer_ip(struct lws *wsi, char *out, size_t size)
{
	if (!lws_get_peer_simple(wsi, out, size))
		snprintf(out, size, "?");
}

/* Only GET and HEAD: anything else is answered 405 and the connection
 * closes. */
static int filter_method(struct lws *wsi)
{
	char *uri = NULL;
	int len = 0;
	int m = lws_http_get_uri_and_method(wsi, &uri, &len);
	if (m == LWSHUMETH_GET || m == LWSHUMETH_HEAD)
		return 0;
	char ip[64];
	peer_ip(wsi, ip, sizeof(ip));
	log_info("web: %s: method refused", ip);
	(void)lws_return_http_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
				     NULL);
	return 1;
}

/* "localhost", 127.0.0.0/8 or ::1, with or without a port. */
static bool host_is_loopback(const char *host)
{
	char name[256];
	const char *end;
	if (host[0] == '[') {
		host++;
		end = strchr(host, ']');
		if (!end)
			return false;
	} else {
		end = strchr(host, ':');
		if (!end)
			end = host + strlen(host);
	}
	size_t len = (size_t)(end - host);
	if (len == 0 || len >= sizeof(name))
		return false;
	memcpy(name, host, len);
	name[len] = '\0';
	if (strcasecmp(name, "localhost") == 0)
		return true;
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, name, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, name, &a6) == 1 &&
	       IN6_IS_ADDR_LOOPBACK(&a6);
}

/*
 * The desk's own page only: Origin must be this listener's scheme and the
 * Host the request names. On plain HTTP (loopback only), the Host must be
 * a loopback name too, so a page whose name was rebound to 127.0.0.1 is
 * not "the desk" (with TLS, the certificate settles the name).
 */
static const char *origin_refusal(const struct web *w, struct lws *wsi)
{
	char origin[300], host[256];
	if (lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) <= 0)
		return "no Origin";
	if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0)
		return "no Host";
	const char *scheme = w->tls ? "https://" : "http://";
	size_t sl = strlen(scheme);
	if (strncasecmp(origin, scheme, sl) != 0 ||
	    strcasecmp(origin + sl, host) != 0)
		return "Origin is not the desk's";
	if (!w->tls && !host_is_loopback(host))
		return "Host is not a loopback name";
	return NULL;
}

/* The upgrade: only "websocket", only on /ws, only from the desk, and not
 * once the server is stopping. >0: refused (answered), 0: taken. */
static int confirm_upgrade(struct web *w, struct lws *wsi, const char *up)
{
	char uri[64] = "";
	unsigned code = 0;
	const char *why = NULL;
	if (!up || strcasecmp(up, "websocket") != 0) {
		code = HTTP_STATUS_FORBIDDEN;
		why = "not a WebSocket upgrade";
	} else if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
		   strcmp(uri, "/ws") != 0) {
		code = HTTP_STATUS_NOT_FOUND;
		why = "not /ws";
	} else if ((why = origin_refusal(w, wsi)) != NULL) {
		code = HTTP_STATUS_FORBIDDEN;
	} else if (!w->accepting) {
		code = HTTP_STATUS_SERVICE_UNAVAILABLE;
		why = "shutting down";
	}
	if (!code)
		return 0;
	char ip[64];
	peer_ip(wsi, ip, sizeof(ip));
	log_info("web: %s: WebSocket refused (%u): %s", ip, code, why);
	if (lws_return_http_status(wsi, code, NULL))
		return -1;
	return 1;
}

/* Cache-Control of a file about to be served (libwebsockets then adds
 * none of its own). */
static int add_cache_header(struct lws *wsi, struct lws_process_html_args *a)
{
	char uri[1024] = "";
	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 &&
	    lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_HEAD_URI) <= 0)
		uri[0] = '\0';
	const char *cc = strncmp(uri, "/assets/", 8) == 0 ? WEB_CACHE_ASSETS
							 : WEB_CACHE_OTHER;
	unsigned char *p = (unsigned char *)a->p;
	unsigned char *end = p + a->max_len;
	if (lws_add_http_header_by_name(wsi, (const unsigned char *)
					"cache-control:",
					(const unsigned char *)cc,
					(int)strlen(cc), &p, end))
		return -1;
	a->p = (char *)p;
	return 0;
}

/* No such file, or no desk at all. */
static int answer_missing(struct web *w, struct lws *wsi)
{
	unsigned code = HTTP_STATUS_NOT_FOUND;
	const char *body = "<h1>Not found</h1>";
	if (!w->has_root) {
		code = HTTP_STATUS_SERVICE_UNAVAILABLE;
		body = "<h1>The web desk is not built</h1>"
		       "<p>This clubcrmd has no web desk files. Build the "
		       "project (client/web) or start clubcrmd with "
		       "--web-root DIR. The WebSocket on /ws works.</p>";
	}
	if (lws_return_http_status(wsi, code, body))
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ------------------------------------------------------------ feeds */

/*
 * A feed is built off the loop (the server's reader thread): the request
 * waits for its answer in a net_feed, which outlives the connection should
 * that close first (then the answer only frees).
 */
struct net_feed {
	struct lws *wsi;           /* NULL once the connection went */
	struct web_pss *pss;
	bool head;
};

static void feed_free(struct web *w, struct web_pss *pss)
{
	if (!pss)
		return;
	if (pss->feed)
		w->feeds_held--;
	free(pss->feed);
	pss->feed = NULL;
	pss->feed_len = pss->feed_off = 0;
	pss->feed_ready = false;
}

/* The connection is going: a feed still being built answers to no one. */
static void feed_detach(struct web *w, struct web_pss *pss)
{
	if (!pss)
		return;
	if (pss->feed_wait) {
		pss->feed_wait->wsi = NULL;
		pss->feed_wait = NULL;
	}
	feed_free(w, pss);
}

static int feed_status(struct lws *wsi, unsigned code)
{
	if (lws_return_http_status(wsi, code, NULL))
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static unsigned feed_refusal(int rc)
{
	switch (rc) {
	case -ENOENT:
		return HTTP_STATUS_NOT_FOUND;
	case -EBUSY:
		return HTTP_STATUS_SERVICE_UNAVAILABLE;
	default:
		return HTTP_STATUS_INTERNAL_SERVER_ERROR;
	}
}

static int feed_refuse(struct lws *wsi, int rc)
{
	char ip[64];
	peer_ip(wsi, ip, sizeof(ip));
	log_info("web: %s: calendar feed refused (%s)", ip,
		 rc == -ENOENT ? "not found" :
		 rc == -EBUSY ? "too many being built" : strerror(-rc));
	return feed_status(wsi, feed_refusal(rc));
}

/*
 * GET or HEAD /feed/<secret>.ics: asks net->on_feed, whose answer comes
 * back through net_feed_answer() (200 text/calendar), or refuses at once:
 * 404 for any secret that is not a live feed (never saying why), 503 when
 * too many are being built. The secret is never logged.
 */
static int answer_feed(struct web *w, struct lws *wsi, struct web_pss *pss,
		       const char *uri, bool head)
{
	const char *secret = uri + strlen(WEB_FEED_PREFIX);
	size_t len = strlen(secret), sl = strlen(WEB_FEED_SUFFIX);
	if (len <= sl || strcmp(secret + len - sl, WEB_FEED_SUFFIX) != 0 ||
	    !w->net->on_feed)
		return feed_refuse(wsi, -ENOENT);
	if (pss->feed_wait || pss->feed_ready || pss->feed)
		return -1;  /* one transaction at a time: not from lws */
	struct net_feed *f = calloc(1, sizeof(*f));
	if (!f)
		return feed_refuse(wsi, -ENOMEM);
	*f = (struct net_feed){.wsi = wsi, .pss = pss, .head = head};
	pss->feed_wait = f;
	int rc = w->net->on_feed(w->net->ctx, secret, len - sl, f);
	if (rc == 0)
		return 0;  /* answered now or later: net_feed_answer() */
	pss->feed_wait = NULL;
	free(f);
	return feed_refuse(wsi, rc);
}

void net_feed_answer(struct net_feed *f, int rc, char *body, size_t len)
{
	if (!f->wsi) {
		free(body);
		free(f);
		return;
	}
	struct web_pss *pss = f->pss;
	pss->feed_wait = NULL;
	pss->feed_ready = true;
	pss->feed_head = f->head;
	pss->feed_rc = rc;
	pss->feed = rc == 0 ? body : NULL;
	pss->feed_len = rc == 0 ? len : 0;
	pss->feed_off = 0;
	if (pss->feed) {
		struct web *w = lws_context_user(lws_get_context(f->wsi));
		w->feeds_held++;
	}
	if (rc != 0)
		free(body);
	lws_callback_on_writable(f->wsi);
	free(f);
}

/* The answer arrived: its status and headers, then the body in pieces. */
static int feed_headers(struct web *w, struct lws *wsi, struct web_pss *pss)
{
	pss->feed_ready = false;
	if (pss->feed_rc) {
		feed_free(w, pss);
		return feed_refuse(wsi, pss->feed_rc);
	}
	char ip[64];
	peer_ip(wsi, ip, sizeof(ip));
	log_debug("web: %s: calendar feed, %zu bytes", ip, pss->feed_len);
	uint8_t *start = w->wbuf + LWS_PRE, *p = start;
	uint8_t *end = w->wbuf + sizeof(w->wbuf) - 1;
	static const char cc[] = WEB_CACHE_FEED;
	static const char cd[] = "inline; filename=\"agenda.ics\"";
	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK,
					"text/calendar; charset=utf-8",
					pss->feed_len, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)
					"cache-control:",
					(const unsigned char *)cc,
					(int)strlen(cc), &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)
					"content-disposition:",
					(const unsigned char *)cd,
					(int)strlen(cd), &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end)) {
		feed_free(w, pss);
		return -1;
	}
	if (pss->feed_head || pss->feed_len == 0) {
		feed_free(w, pss);
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, WEB_FEED_STALL_S);
	lws_callback_on_writable(wsi);
	return 0;
}

/* The next piece of a feed; the last one ends the transaction. */
static int feed_writeable(struct web *w, struct lws *wsi,
			  struct web_pss *pss)
{
	size_t n = pss->feed_len - pss->feed_off;
	if (n > WEB_FEED_CHUNK)
		n = WEB_FEED_CHUNK;
	bool last = pss->feed_off + n == pss->feed_len;
	memcpy(w->wbuf + LWS_PRE, pss->feed + pss->feed_off, n);
	if (lws_write(wsi, w->wbuf + LWS_PRE, n,
		      last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
		return -1;
	pss->feed_off += n;
	if (!last) {
		/* Progress: the whole transaction may take longer than
		 * libwebsockets' own timeout. */
		lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT,
				WEB_FEED_STALL_S);
		lws_callback_on_writable(wsi);
		return 0;
	}
	feed_free(w, pss);
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* A plain HTTP request no file mount took: a feed, a missing file, or no
 * desk at all. */
static int answer_http(struct web *w, struct lws *wsi, struct web_pss *pss)
{
	char uri[256] = "";
	bool head = false;
	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0) {
		head = lws_hdr_copy(wsi, uri, sizeof(uri),
				    WSI_TOKEN_HEAD_URI) > 0;
		if (!head)
			uri[0] = '\0';
	}
	if (strncmp(uri, WEB_FEED_PREFIX, strlen(WEB_FEED_PREFIX)) == 0)
		return pss ? answer_feed(w, wsi, pss, uri, head)
			   : feed_status(wsi, HTTP_STATUS_NOT_FOUND);
	return answer_missing(w, wsi);
}

static int web_callback(struct lws *wsi, enum lws_callback_reasons reason,
			void *user, void *in, size_t len)
{
	struct web *w = lws_context_user(lws_get_context(wsi));
	struct web_pss *pss = user;
	switch (reason) {
	case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
		/* A request read while a feed is still unanswered or being
		 * sent (pipelined): libwebsockets would free `pss` under the
		 * answer to take it. The connection closes instead. */
		if (pss && (pss->feed_wait || pss->feed_ready || pss->feed))
			return -1;
		return filter_method(wsi);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		/* `pss` is freed after this: nothing may point at it. */
		feed_detach(w, pss);
		break;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return confirm_upgrade(w, wsi, in);
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* Again, on every path to a WebSocket: refused, it closes. */
		return origin_refusal(w, wsi) || !w->accepting ? -1 : 0;
	case LWS_CALLBACK_ADD_HEADERS:
		return add_cache_header(wsi, in);
	case LWS_CALLBACK_HTTP:
		return answer_http(w, wsi, pss);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (pss && pss->feed_ready)
			return feed_headers(w, wsi, pss);
		if (pss && pss->feed)
			return feed_writeable(w, wsi, pss);
		if (pss && pss->feed_wait)
			return 0;  /* its answer is not there yet */
		break;  /* not ours: libwebsockets' own */
	case LWS_CALLBACK_CLOSED_HTTP:
		feed_detach(w, pss);
		break;  /* and libwebsockets' own cleanup */
	case LWS_CALLBACK_ESTABLISHED:
		return pss ? web_conn_open(w, wsi, pss) : -1;
	case LWS_CALLBACK_RECEIVE:
		return pss ? web_conn_receive(pss, wsi, in, len) : -1;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return pss ? web_conn_writeable(pss, wsi) : -1;
	case LWS_CALLBACK_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:
		if (pss) {
			web_conn_detach(pss);
			feed_detach(w, pss);
		}
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* ------------------------------------------------------------ setup */

static void set_header(struct lws_protocol_vhost_options *h,
		       const struct lws_protocol_vhost_options *next,
		       const char *name, const char *value)
{
	h->next = next;
	h->options = NULL;
	h->name = name;
	h->value = value;
}

static void setup_tables(struct web *w)
{
	w->protocols[0].name = WEB_SUBPROTOCOL;
	w->protocols[0].callback = web_callback;
	w->protocols[0].per_session_data_size = sizeof(struct web_pss);
	w->protocols[0].rx_buffer_size = NET_READ_BUF;
	/* protocols[1] stays zero: the end of the list. */

	struct lws_protocol_vhost_options *h = w->headers;
	set_header(&h[0], &h[1], "content-security-policy:", WEB_CSP);
	set_header(&h[1], &h[2], "x-content-type-options:", "nosniff");
	set_header(&h[2], &h[3], "referrer-policy:", "no-referrer");
	set_header(&h[3], w->tls ? &h[4] : NULL, "x-frame-options:", "DENY");
	set_header(&h[4], NULL, "strict-transport-security:",
		   "max-age=15768000");

	struct lws_http_mount *a = &w->mount_assets, *r = &w->mount_root;
	struct lws_http_mount *f = &w->mount_feed;
	/* Feeds are answered by web_callback (answer_feed), desk or not. */
	f->mountpoint = "/feed";
	f->mountpoint_len = 5;
	f->origin = WEB_SUBPROTOCOL;
	f->origin_protocol = LWSMPRO_CALLBACK;
	f->mount_next = w->has_root ? r : NULL;
	a->mountpoint = "/assets";
	a->mountpoint_len = 7;
	a->origin = w->assets;
	a->origin_protocol = LWSMPRO_FILE;
	a->protocol = WEB_SUBPROTOCOL;   /* for ADD_HEADERS */
	a->extra_mimetypes = &mime_map;
	/* What a 304 says (it skips ADD_HEADERS). */
	a->cache_max_age = WEB_ASSET_MAX_AGE;
	a->cache_reusable = 1;
	a->cache_intermediaries = 1;
	r->mount_next = a;
	r->mountpoint = "/";
	r->mountpoint_len = 1;
	r->origin = w->root;
	r->def = "index.html";
	r->origin_protocol = LWSMPRO_FILE;
	r->protocol = WEB_SUBPROTOCOL;
	r->extra_mimetypes = &mime_map;
}

/* Whether `root` holds a desk; a warning otherwise (not fatal). */
static bool check_root(const char *root)
{
	char index[CONFIG_PATH_MAX + 16];
	struct stat st;
	snprintf(index, sizeof(index), "%s/index.html", root);
	if (stat(index, &st) == 0 && S_ISREG(st.st_mode))
		return true;
	log_warn("web: no web desk in %s (no index.html): \"/\" says it is "
		 "not built; build client/web or give --web-root", root);
	return false;
}

static void on_destroy_timer_closed(uv_handle_t *h)
{
	(void)h;
}

/*
 * libwebsockets 4.1 unloads its libuv plugin when a context fails to
 * start, while the handles it opened on our loop are still closing: their
 * close callbacks would then jump into unmapped code. Kept loaded, the
 * failure is only an error message.
 */
static void pin_uv_plugin(void)
{
	static bool pinned;
	if (pinned)
		return;
	pinned = true;
	void *h = dlopen(LWS_INSTALL_LIBDIR "/libwebsockets-evlib_uv.so",
			 RTLD_NOW | RTLD_NODELETE);
	if (!h) {
		log_warn("web: %s (install libwebsockets-evlib-uv)", dlerror());
		return;
	}
	dlclose(h);  /* stays mapped: RTLD_NODELETE */
}

/*
 * Whether the address can be bound, asked before libwebsockets is: an
 * address in use is the usual failure, and a clear message is better
 * than libwebsockets' half-started context.
 */
static int check_bind(const struct sockaddr_storage *ss, const char *text)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in);
	int ret = bind(fd, (const struct sockaddr *)ss, len) < 0 ? -errno : 0;
	close(fd);
	if (ret < 0)
		log_error("web: cannot listen on %s: %s", text, strerror(-ret));
	return ret;
}

int web_start(struct web **out, struct net *n, const struct config *cfg)
{
	*out = NULL;
	char err[256] = "";
	struct sockaddr_storage ss;
	if (config_listen_addr(cfg->web_listen, &ss, err, sizeof(err)) < 0) {
		log_error("--web-listen: %s", err);
		return -EINVAL;
	}
	bool tls = cfg->tls_cert[0] != '\0';
	if (!tls && !config_addr_is_loopback((struct sockaddr *)&ss)) {
		log_error("refusing plain HTTP on %s: not a loopback address "
			  "(give --tls-cert and --tls-key)", cfg->web_listen);
		return -EPERM;
	}
	int ret = check_bind(&ss, cfg->web_listen);
	if (ret < 0)
		return ret;
	struct web *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->net = n;
	w->tls = tls;
	w->accepting = true;
	const char *root = config_web_root(cfg);
	snprintf(w->root, sizeof(w->root), "%s", root);
	snprintf(w->assets, sizeof(w->assets), "%s/assets", w->root);
	w->has_root = check_root(w->root);
	setup_tables(w);
	ret = uv_timer_init(n->loop, &w->destroy);
	if (ret < 0) {
		log_error("web: %s", uv_strerror(ret));
		free(w);
		return ret;
	}
	w->destroy.data = w;

	char host[64] = "";
	uint16_t port;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&ss;
		(void)uv_ip6_name(a, host, sizeof(host));
		port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const void *)&ss;
		(void)uv_ip4_name(a, host, sizeof(host));
		port = ntohs(a->sin_port);
	}

	lws_set_log_level(LLL_ERR | LLL_WARN | LLL_NOTICE, lws_log_line);
	pin_uv_plugin();
	void *loops[1] = { n->loop };
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBUV |
		       LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
	if (ss.ss_family == AF_INET)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	info.foreign_loops = loops;
	info.pcontext = &w->ctx;
	info.user = w;
	info.vhost_name = "clubcrm";
	info.iface = host;
	info.port = port;
	info.protocols = w->protocols;
	info.mounts = &w->mount_feed;
	info.headers = w->headers;
	info.server_string = "clubcrmd";
	info.pt_serv_buf_size = 32 * 1024;
	info.timeout_secs = 10;
	if (tls) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cfg->tls_cert;
		info.ssl_private_key_filepath = cfg->tls_key;
		/* HTTP/1.1 only: the upgrade's checks are on its path (a
		 * WebSocket over HTTP/2 would not pass them). */
		info.alpn = "http/1.1";
		/* TLS 1.2 and 1.3 only. */
		info.ssl_options_set = SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 |
				       SSL_OP_NO_TLSv1_1;
	}
	w->ctx = lws_create_context(&info);
	if (!w->ctx) {
		/* libwebsockets 4.1 frees a context that failed to start while
		 * its handles on our loop are still closing; their close
		 * callbacks would use it. Nothing was served yet: stop here
		 * rather than run the loop into that (check_bind() and the
		 * TLS files loaded first leave only rare causes). */
		log_error("web: cannot listen on %s%s (see the lines above); "
			  "exiting", cfg->web_listen, tls ? " with TLS" : "");
		exit(1);
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(w->ctx, "clubcrm");
	int bound = vh ? lws_get_vhost_listen_port(vh) : -1;
	if (bound <= 0) {
		log_error("web: cannot listen on %s", cfg->web_listen);
		*out = w;
		web_close(w);
		return -EADDRNOTAVAIL;
	}
	fprintf(stderr, "clubcrmd: web desk on %s://%s%s%s:%d/\n",
		tls ? "https" : "http", ss.ss_family == AF_INET6 ? "[" : "",
		host, ss.ss_family == AF_INET6 ? "]" : "", bound);
	if (tls)
		log_info("web: TLS 1.2+ on %s", cfg->web_listen);
	*out = w;
	return 0;
}

size_t web_feeds_held(const struct web *w)
{
	return w ? w->feeds_held : 0;
}

void web_stop_accepting(struct web *w)
{
	if (w)
		w->accepting = false;
}

/*
 * From the loop, outside any libwebsockets callback: once the WebSockets
 * that were closing got their close frames out and the calendar feeds
 * answered got sent (or after a grace time), the context goes; connections
 * left are closed (their close callbacks run now) and its handles close as
 * the loop goes on.
 */
static void on_destroy(uv_timer_t *t)
{
	struct web *w = t->data;
	if ((w->sockets || w->feeds_held) &&
	    uv_now(w->net->loop) < w->close_deadline_ms &&
	    uv_timer_start(&w->destroy, on_destroy, WEB_CLOSE_POLL_MS, 0) == 0)
		return;
	log_debug("web: closing the listener (%u socket(s) still open)",
		  w->sockets);
	uv_close((uv_handle_t *)&w->destroy, on_destroy_timer_closed);
	if (w->ctx)
		lws_context_destroy(w->ctx);
}

void web_close(struct web *w)
{
	if (!w || w->closing)
		return;
	w->closing = true;
	w->accepting = false;
	w->close_deadline_ms = uv_now(w->net->loop) + WEB_CLOSE_GRACE_MS;
	int ret = uv_timer_start(&w->destroy, on_destroy, 0, 0);
	if (ret < 0) {
		/* Cannot happen for an initialized timer; destroy here then. */
		log_warn("web: %s", uv_strerror(ret));
		on_destroy(&w->destroy);
	}
}

void web_free(struct web *w)
{
	if (!w)
		return;
	/* With a foreign loop, libwebsockets 4.1 finishes its destroy only
	 * when called again once its handles are closed (the loop ran): the
	 * second phase frees the vhost, the third the context (and sets
	 * w->ctx to NULL through info.pcontext). Neither needs the loop. */
	for (int i = 0; i < 3 && w->ctx && w->closing; i++)
		lws_context_destroy(w->ctx);
	if (w->ctx || w->conns) {
		/* The loop did not finish closing it: better leaked than
		 * freed under libwebsockets' feet. */
		log_warn("web: listener not fully closed at exit");
		return;
	}
	free(w);
}
