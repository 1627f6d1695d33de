#include "client_addr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *text, char out[8])
{
	size_t n = strlen(text);
	if (n == 0 || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
	long v = strtol(text, NULL, 10);
	if (v < 1 || v > 65535)
		return -EINVAL;
	memcpy(out, text, n + 1);
	return 0;
}

static int parse_unix(const char *path, struct client_addr *out)
{
	size_t n = strlen(path);
	/* sun_path needs its terminating NUL too. */
	if (n == 0 || n >= sizeof(out->path))
		return -EINVAL;
	out->is_unix = true;
	memcpy(out->path, path, n + 1);
	return 0;
}

/* Splits "[v6]:port" or "host:port" at the last colon outside brackets. */
static int parse_inet(const char *text, struct client_addr *out)
{
	const char *host = text, *colon;
	size_t hlen;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		host = text + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			return -EINVAL;
		hlen = (size_t)(colon - text);
		/* An unbracketed IPv6 literal is ambiguous: refuse it. */
		if (memchr(text, ':', hlen))
			return -EINVAL;
	}
	if (hlen == 0 || hlen >= sizeof(out->host))
		return -EINVAL;
	for (size_t i = 0; i < hlen; i++)
		if (host[i] == ' ' || host[i] == '[' || host[i] == ']' ||
		    host[i] == '/')
			return -EINVAL;
	if (parse_port(colon + 1, out->port) < 0)
		return -EINVAL;
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	return 0;
}

int client_addr_parse(const char *text, struct client_addr *out)
{
	if (!text || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (strncmp(text, "tls:", 4) == 0) {
		out->tls = true;
		text += 4;
		/* A unix socket is local: the server has no TLS there. */
		if (strncmp(text, "unix:", 5) == 0)
			return -EINVAL;
		return parse_inet(text, out);
	}
	if (strncmp(text, "unix:", 5) == 0)
		return parse_unix(text + 5, out);
	return parse_inet(text, out);
}
