/*
 * clubcrmd's settings: defaults, then an inih config file (--config FILE),
 * then the command-line flags over it. File keys are the long flag names
 * (`listen = 127.0.0.1:7411`, `max-connections = 200`), so there is one list
 * of settings for both.
 */
#ifndef CLUBCRMD_CONFIG_H
#define CLUBCRMD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "log.h"

#define CONFIG_DEFAULT_LISTEN "127.0.0.1:7411"
#define CONFIG_DEFAULT_WEB_LISTEN "127.0.0.1:7412"
#define CONFIG_DEFAULT_DATA "./clubcrm-data"
#define CONFIG_PATH_MAX 1024
/* sockaddr_un.sun_path holds 108 bytes on Linux, NUL included. */
#define CONFIG_SOCKET_MAX 108

struct config {
	char listen[256];                /* HOST:PORT; "" or "none": no TCP */
	char socket_path[CONFIG_SOCKET_MAX]; /* "": no unix socket */
	char data_dir[CONFIG_PATH_MAX];
	char config_file[CONFIG_PATH_MAX];
	bool demo;
	unsigned max_connections;
	enum log_level log_level;
	uint32_t max_frame;              /* after login; announced in Welcome */
	uint32_t heartbeat_ms;           /* announced in Welcome */
	uint32_t handshake_timeout_ms;   /* preface + Hello + Login */
	uint32_t login_backoff_ms;       /* delay of a failed login's answer */
	uint32_t login_backoff_max_ms;   /* cap of its doubling */
	uint64_t max_output;             /* queued output that drops a conn */
	/* Memory of decoded requests, in bytes: what decoding one request may
	 * take, what one connection's requests in flight may hold, and what
	 * all connections' may hold together (session.c). */
	uint64_t max_request_memory;
	uint64_t max_conn_memory;
	uint64_t max_server_memory;
	uint64_t map_size_mib;           /* initial LMDB map size */
	char tls_cert[CONFIG_PATH_MAX];  /* PEM chain: TLS 1.3 on TCP */
	char tls_key[CONFIG_PATH_MAX];   /* its PEM private key */
	/* The browser's listener (net/web.c): HTTP for the web desk's files
	 * and WebSockets on /ws; "" or "none": off. TLS as the TCP one. */
	char web_listen[256];
	char web_root[CONFIG_PATH_MAX];  /* "": the built-in default */
	/* How people reach the web listener, e.g. "https://crm.example.org"
	 * (Welcome.web_url: the base of calendar-feed URLs); "": unknown. */
	char web_public_url[256];
};

/* What `clubcrmd init` needs. */
struct init_opts {
	char data_dir[CONFIG_PATH_MAX];
	char admin[128];
	char name[256];
	char club[256];
	char time_zone[128];
	enum log_level log_level;
};

/* What `clubcrmd check` and `clubcrmd backup` need. */
struct tool_opts {
	char data_dir[CONFIG_PATH_MAX];
	char out[CONFIG_PATH_MAX];       /* backup: the file to write */
	enum log_level log_level;
};

void config_defaults(struct config *c);

/*
 * Applies one setting by its long name ("listen", "max-connections"...).
 * 0; -ENOENT for an unknown name; -EINVAL for a bad value. `err` says why.
 */
int config_set(struct config *c, const char *name, const char *value,
	       char *err, size_t errlen);

/* Reads an inih file over `c`. 0, or -EINVAL / -ENOENT with `err` set. */
int config_load_file(struct config *c, const char *path, char *err,
		     size_t errlen);

/*
 * Applies flags argv[1..argc-1] over `c` ("--name VALUE" or "--name=VALUE";
 * --demo takes no value). 0; 1 when --help or --version was asked for (the
 * caller prints and exits 0); -EINVAL with `err` set.
 */
int config_parse_args(struct config *c, int argc, char **argv, char *err,
		      size_t errlen);

/*
 * The daemon's whole configuration: defaults, the --config file if one is
 * named, then the flags. Same returns as config_parse_args().
 */
int config_from_args(struct config *c, int argc, char **argv, char *err,
		     size_t errlen);

/*
 * Parses `clubcrmd init` flags (argv[0] is "init"). --data and --admin are
 * required; --name defaults to the login, --club to "Club", --time-zone to
 * "UTC". 0, 1 for --help, or -EINVAL with `err` set.
 */
int config_parse_init(struct init_opts *o, int argc, char **argv, char *err,
		      size_t errlen);

/*
 * Parses `clubcrmd check` / `clubcrmd backup` flags (argv[0] is the
 * command): --data DIR (default ./clubcrm-data), and for backup --out FILE
 * (required when `need_out`). 0, 1 for --help, or -EINVAL with `err` set.
 */
int config_parse_tool(struct tool_opts *o, bool need_out, int argc,
		      char **argv, char *err, size_t errlen);

/*
 * Splits "HOST:PORT" ("[::1]:PORT" for IPv6) into a socket address. HOST
 * may be an IPv4/IPv6 literal or "localhost". 0, or -EINVAL with `err` set.
 */
int config_listen_addr(const char *text, struct sockaddr_storage *addr,
		       char *err, size_t errlen);

/* True for 127.0.0.0/8 and ::1 (and ::ffff:127.x.y.z). */
bool config_addr_is_loopback(const struct sockaddr *addr);

/*
 * Checks the settings that go together: TLS needs both tls-cert and
 * tls-key; TCP or web off loopback needs TLS; something must be listened
 * on.
 * 0, or -EINVAL with `err` set.
 */
int config_check(const struct config *c, char *err, size_t errlen);

/* True when the TCP listener is switched off ("" or "none"). */
bool config_tcp_disabled(const struct config *c);

/* True when the web listener is switched off ("" or "none"). */
bool config_web_disabled(const struct config *c);

/*
 * The web desk's directory: --web-root if given, else the installed one
 * if it exists, else the build tree's (both set by CMake).
 */
const char *config_web_root(const struct config *c);

void config_usage(FILE *out);

#endif
