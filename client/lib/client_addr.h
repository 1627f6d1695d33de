/*
 * Server addresses as users write them: "HOST:PORT" (a name or an IPv4
 * address), "[IPV6]:PORT", or "unix:PATH". A TCP address may start with
 * "tls:" ("tls:HOST:PORT"): the connection must then be TLS, even without a
 * CA file of our own (the system's trust store is used).
 */
#ifndef CLUBCRM_CLIENT_ADDR_H
#define CLUBCRM_CLIENT_ADDR_H

#include <stdbool.h>

#define CLIENT_ADDR_DEFAULT "127.0.0.1:7411"

struct client_addr {
	bool is_unix;
	bool tls;         /* written with "tls:" */
	char host[256];   /* without the brackets of an IPv6 literal */
	char port[8];     /* decimal, 1..65535 */
	char path[108];   /* unix socket path (sun_path size) */
};

/* 0, or -EINVAL when `text` is not one of the forms above. */
int client_addr_parse(const char *text, struct client_addr *out);

#endif
