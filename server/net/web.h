/*
 * The browser's listener: libwebsockets on the daemon's own libuv loop
 * serves the web desk's static files over HTTP and upgrades `/ws` to a
 * WebSocket whose binary messages carry exactly the protocol's bytes (the
 * preface, then length-prefixed frames, split across messages any way). A
 * WebSocket is a transport (transport.h) handed to the net's on_accept like
 * a TCP connection, so sessions cannot tell the two apart.
 *
 * Rules it enforces: plain HTTP on loopback only (the daemon's config
 * check; TLS with the daemon's certificate otherwise); the upgrade only on
 * /ws and only from the desk's own Origin; only GET and HEAD; security
 * headers on every answer; hashed assets cached for a year, the rest not.
 * Only the loop thread touches it. Errors: 0 or a negative errno.
 */
#ifndef CLUBCRMD_WEB_H
#define CLUBCRMD_WEB_H

#include "config.h"
#include "net.h"

/* The WebSocket subprotocol the desk asks for (also accepted: none). */
#define WEB_SUBPROTOCOL "clubcrm.v1"

struct web;

/*
 * Listens on cfg->web_listen, serving config_web_root(cfg) (a missing desk
 * is a warning: "/" then says it is not built, /ws still works), with TLS
 * when cfg has a certificate. New WebSockets go to n->on_accept. Prints
 * "clubcrmd: web desk on http://HOST:PORT/" with the port bound. 0 and
 * *out set, or a negative errno (logged; nothing is left open).
 */
int web_start(struct web **out, struct net *n, const struct config *cfg);

/* Calendar feeds answered whose text is still held, waiting to be sent
 * to a connection (one that does not read holds its feed). NULL: 0. */
size_t web_feeds_held(const struct web *w);

/* Refuses new WebSockets from now on (503); files are still served. */
void web_stop_accepting(struct web *w);

/*
 * Closes the listener and every connection on it. The work is done from
 * the loop (never inside a libwebsockets callback); its handles are closed
 * once the loop has run. Safe to call twice, or with NULL.
 */
void web_close(struct web *w);

/* After uv_run() returned: frees what is left. NULL is fine. */
void web_free(struct web *w);

#endif
