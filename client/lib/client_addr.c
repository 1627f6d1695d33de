#include "client_addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hostport.h"

/* The client's own rule on top: "tls:" before a TCP address. */
int client_addr_parse(const char *text, struct client_addr *out)
{
	if (!text || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	unsigned flags = HOSTPORT_UNIX;
	if (strncmp(text, "tls:", 4) == 0) {
		out->tls = true;
		text += 4;
		/* A unix socket is local: the server has no TLS there. */
		flags = 0;
	}
	struct hostport hp;
	if (hostport_parse(text, flags, &hp) < 0)
		return -EINVAL;
	out->is_unix = hp.is_unix;
	memcpy(out->host, hp.host, sizeof(out->host));
	memcpy(out->path, hp.path, sizeof(out->path));
	if (!hp.is_unix)
		snprintf(out->port, sizeof(out->port), "%u", hp.port);
	return 0;
}
