#include "hostport.h"

#include <errno.h>
#include <string.h>

static int parse_port(const char *text, unsigned flags, uint16_t *out)
{
	size_t n = strlen(text);
	if (n == 0 || n > 5)
		return -EINVAL;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(text[i] - '0');
	}
	if (v > 65535 || (v == 0 && !(flags & HOSTPORT_PORT0)))
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int parse_unix(const char *path, struct hostport *out)
{
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(out->path))
		return -EINVAL;
	out->is_unix = true;
	memcpy(out->path, path, n + 1);
	return 0;
}

static bool host_char_ok(unsigned char c)
{
	return c > ' ' && c != 0x7f && c != '[' && c != ']' && c != '/';
}

/* Splits "[v6]:port" or "host:port"; an unbracketed IPv6 literal is
 * ambiguous and refused. */
static int parse_inet(const char *text, unsigned flags, struct hostport *out)
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
		colon = strchr(text, ':');
		if (!colon || strchr(colon + 1, ':'))
			return -EINVAL;
		hlen = (size_t)(colon - text);
	}
	if (hlen == 0 || hlen >= sizeof(out->host))
		return -EINVAL;
	for (size_t i = 0; i < hlen; i++)
		if (!host_char_ok((unsigned char)host[i]))
			return -EINVAL;
	if (parse_port(colon + 1, flags, &out->port) < 0)
		return -EINVAL;
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	return 0;
}

int hostport_parse(const char *text, unsigned flags, struct hostport *out)
{
	if (!text || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if ((flags & HOSTPORT_UNIX) && strncmp(text, "unix:", 5) == 0)
		return parse_unix(text + 5, out);
	return parse_inet(text, flags, out);
}
