/*
 * Network addresses as people write them, one set of rules for the server's
 * --listen and the clients' --server: "HOST:PORT" (a name or an IPv4
 * address; no ':' in HOST), "[IPV6]:PORT", and "unix:PATH" where the caller
 * allows it. PORT is 1 to 5 decimal digits, 1..65535 (0 too where the
 * caller allows it: bind an ephemeral port). HOST is not empty, shorter than
 * HOSTPORT_HOST_MAX, and holds no space, control character, '[', ']' or
 * '/'. Nothing is resolved here.
 */
#ifndef CLUBCRM_HOSTPORT_H
#define CLUBCRM_HOSTPORT_H

#include <stdbool.h>
#include <stdint.h>

#define HOSTPORT_HOST_MAX 256
#define HOSTPORT_PATH_MAX 108  /* sun_path, its terminating 0 included */

enum {
	HOSTPORT_UNIX = 1 << 0,   /* "unix:PATH" is an address */
	HOSTPORT_PORT0 = 1 << 1,  /* port 0 is one */
};

struct hostport {
	bool is_unix;
	char host[HOSTPORT_HOST_MAX];  /* without an IPv6 literal's brackets */
	uint16_t port;
	char path[HOSTPORT_PATH_MAX];  /* the unix socket's path */
};

/* 0, or -EINVAL when `text` is none of the forms `flags` allow. */
int hostport_parse(const char *text, unsigned flags, struct hostport *out);

#endif
