/*
 * The listeners of the net layer: a TCP socket and a unix socket, whose
 * connections net_accept() hands to the owner. Which addresses may be
 * plain is the daemon's policy (server.c), not decided here.
 */
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define NET_BACKLOG 511

static void on_connection(uv_stream_t *listener, int status)
{
	struct net *n = listener->data;
	if (status < 0) {
		log_warn("accept: %s", uv_strerror(status));
		return;
	}
	if (n->listeners_closed)
		return;
	int ret = net_accept(n, listener);
	if (ret < 0)
		log_warn("accept: %s", ret == -ENOMEM ? "out of memory"
						       : uv_strerror(ret));
}

int net_listen_tcp(struct net *n, const struct sockaddr *addr,
		   const char *name)
{
	int ret = uv_tcp_init(n->loop, &n->tcp);
	if (ret < 0) {
		log_error("listen on %s: %s", name, uv_strerror(ret));
		return ret;
	}
	n->tcp.data = n;
	n->tcp_open = true;
	ret = uv_tcp_bind(&n->tcp, addr, 0);
	if (ret == 0)
		ret = uv_listen((uv_stream_t *)&n->tcp, NET_BACKLOG,
				on_connection);
	if (ret < 0) {
		log_error("listen on %s: %s", name, uv_strerror(ret));
		return ret;
	}
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	ret = uv_tcp_getsockname(&n->tcp, (struct sockaddr *)&ss, &len);
	if (ret < 0) {
		log_error("listen on %s: %s", name, uv_strerror(ret));
		return ret;
	}
	char ip[64];
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		if (uv_ip6_name(a, ip, sizeof(ip)) != 0)
			snprintf(ip, sizeof(ip), "?");
		fprintf(stderr, "clubcrmd: listening on [%s]:%u\n", ip,
			ntohs(a->sin6_port));
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		if (uv_ip4_name(a, ip, sizeof(ip)) != 0)
			snprintf(ip, sizeof(ip), "?");
		fprintf(stderr, "clubcrmd: listening on %s:%u\n", ip,
			ntohs(a->sin_port));
	}
	return 0;
}

/*
 * A socket file left by a server that died is removed; one that still
 * answers belongs to a running server and is left alone.
 */
static int clear_stale_socket(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	int alive = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	if (alive)
		return -EADDRINUSE;
	return unlink(path) < 0 ? -errno : 0;
}

int net_listen_unix(struct net *n, const char *path)
{
	if (strlen(path) >= sizeof(n->socket_path)) {
		log_error("socket %s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	int ret = clear_stale_socket(path);
	if (ret < 0) {
		log_error("socket %s: %s", path, ret == -EADDRINUSE
			  ? "another server is listening on it"
			  : strerror(-ret));
		return ret;
	}
	ret = uv_pipe_init(n->loop, &n->pipe, 0);
	if (ret < 0) {
		log_error("listen on unix:%s: %s", path, uv_strerror(ret));
		return ret;
	}
	n->pipe.data = n;
	n->pipe_open = true;
	snprintf(n->socket_path, sizeof(n->socket_path), "%s", path);
	ret = uv_pipe_bind(&n->pipe, path);
	if (ret == 0)
		ret = uv_listen((uv_stream_t *)&n->pipe, NET_BACKLOG,
				on_connection);
	if (ret < 0) {
		log_error("listen on unix:%s: %s", path, uv_strerror(ret));
		return ret;
	}
	/* Owner and group may connect (the deploy's clubcrm group), whatever
	 * the umask made of the socket file; others may not. */
	if (chmod(path, 0660) < 0)
		log_warn("chmod %s: %s", path, strerror(errno));
	fprintf(stderr, "clubcrmd: listening on unix:%s\n", path);
	return 0;
}

void net_close_listeners(struct net *n)
{
	n->listeners_closed = true;
	if (n->tcp_open)
		uv_close((uv_handle_t *)&n->tcp, NULL);
	if (n->pipe_open) {
		uv_close((uv_handle_t *)&n->pipe, NULL);
		unlink(n->socket_path);
	}
	n->tcp_open = n->pipe_open = false;
}
