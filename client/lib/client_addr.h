/*
 * Server addresses as users write them: "HOST:PORT" (a name or an IPv4
 * address), "[IPV6]:PORT", or "unix:PATH", by common/hostport.h's rules
 * (port 1..65535). A TCP address may start with
 * "tls:" ("tls:HOST:PORT"): the connection must then be TLS, even without a
 * CA file of our own (the system's trust store is used).
 */
#ifndef CLUBCRM_CLIENT_ADDR_H
#define CLUBCRM_CLIENT_ADDR_H

#include <stdbool.h>

#include "hostport.h"

#define CLIENT_ADDR_DEFAULT "127.0.0.1:7411"

struct client_addr {
	bool is_unix;
	bool tls;         /* written with "tls:" */
	char host[HOSTPORT_HOST_MAX];  /* without an IPv6 literal's brackets */
	char port[8];                  /* decimal, 1..65535 */
	char path[HOSTPORT_PATH_MAX];  /* unix socket path */
};

/* 0, or -EINVAL when `text` is not one of the forms above. */
int client_addr_parse(const char *text, struct client_addr *out);

#endif
