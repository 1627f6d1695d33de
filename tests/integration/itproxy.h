/*
 * A TCP proxy for integration tests, on the test's own libuv loop: the
 * terminals connect to it, it forwards to clubcrmd, and the test cuts the
 * links, keeps them down (new connections closed at once), or cuts each new
 * link right after the server's first resumed Subscribed answer (so that
 * the replay that follows never arrives). The target can change (a server
 * restarted on another port).
 */
#ifndef CLUBCRM_ITPROXY_H
#define CLUBCRM_ITPROXY_H

#include <stdbool.h>
#include <netinet/in.h>
#include <uv.h>

struct itproxy_link;

enum itproxy_mode {
	ITPROXY_UP,             /* forwards both ways */
	ITPROXY_DOWN,           /* accepts and closes at once */
	ITPROXY_CUT_RESUMED,    /* cuts a link right after a resumed answer */
};

struct itproxy {
	uv_loop_t *loop;
	uv_tcp_t listener;
	char address[64];      /* where the terminals connect */
	struct sockaddr_in target;
	enum itproxy_mode mode;  /* set by the test at any time */
	struct itproxy_link *links;
	unsigned cuts_after_resumed;  /* links cut in ITPROXY_CUT_RESUMED */
};

/* Listens on 127.0.0.1, port 0 (px->address), forwarding to `target`
 * ("HOST:PORT"). 0 or a negative errno. */
int itproxy_start(struct itproxy *px, uv_loop_t *loop, const char *target);
/* Where new links go from now on. 0 or a negative errno. */
int itproxy_target(struct itproxy *px, const char *address);
/* Cuts every link now (their handles close on the loop's next passes). */
void itproxy_cut(struct itproxy *px);
/* Cuts every link and closes the listener; run the loop until
 * px->links is NULL before closing it. */
void itproxy_close(struct itproxy *px);

#endif
