/*
 * Inside the web listener: what web.c (the libwebsockets context, HTTP and
 * the upgrade) and web_conn.c (a WebSocket as a transport) share.
 */
#ifndef CLUBCRMD_WEB_INT_H
#define CLUBCRMD_WEB_INT_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "net.h"

/* One WebSocket message carries at most this much of the output. */
#define WEB_WRITE_CHUNK (64u * 1024u)

struct web_conn;

struct web {
	struct net *net;           /* loop, ids, output bound, on_accept */
	struct lws_context *ctx;   /* NULL once libwebsockets destroyed it */
	uv_timer_t destroy;        /* runs lws_context_destroy off-callback */
	bool tls;
	bool accepting;            /* new WebSockets are taken */
	bool closing;              /* web_close() was called */
	bool has_root;             /* the desk's index.html is there */
	unsigned conns;            /* web_conn not yet freed */
	unsigned sockets;          /* of those, with their wsi still open */
	size_t feeds_held;         /* feeds' texts answered, not yet sent */
	uint64_t close_deadline_ms; /* web_close() waits for them until */
	char root[CONFIG_PATH_MAX];
	char assets[CONFIG_PATH_MAX + 8];
	/* libwebsockets keeps pointers to these for the context's life. */
	struct lws_protocols protocols[2];
	struct lws_http_mount mount_root, mount_assets, mount_feed;
	struct lws_protocol_vhost_options headers[5];
	/* One message being written, after libwebsockets' headroom. */
	uint8_t wbuf[LWS_PRE + WEB_WRITE_CHUNK];
};

/* What libwebsockets keeps per connection (HTTP or WebSocket). */
struct web_pss {
	struct web_conn *wc;       /* a WebSocket's transport, or NULL */
	/* A calendar feed: asked for and not answered yet (its answer
	 * arrives from net_feed_answer), then answered and being sent. */
	struct net_feed *feed_wait;
	bool feed_ready;           /* answered: headers go at the next write */
	bool feed_head;            /* HEAD: headers only */
	int feed_rc;               /* the answer: 0 or a negative errno */
	char *feed;                /* its iCalendar text (malloc) */
	size_t feed_len, feed_off;
};

/* A WebSocket is established: makes its transport and hands it to the
 * owner. 0, or -1 to close the connection. */
int web_conn_open(struct web *w, struct lws *wsi, struct web_pss *pss);
/* Its binary message bytes (any split). 0, or -1 to close. */
int web_conn_receive(struct web_pss *pss, struct lws *wsi, const void *in,
		     size_t len);
/* libwebsockets lets it write. 0, or -1 to close. */
int web_conn_writeable(struct web_pss *pss, struct lws *wsi);
/* The WebSocket is gone (closed or destroyed): the transport lives on
 * until its last reference. */
void web_conn_detach(struct web_pss *pss);

#endif
