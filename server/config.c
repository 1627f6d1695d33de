#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clubzone.h"
#include "errmsg.h"
#include "frame.h"
#include "hostport.h"
#include "longopt.h"

enum opt_type {
	OPT_STRING,   /* char array of `size` bytes */
	OPT_BOOL,
	OPT_UINT,     /* unsigned */
	OPT_U32,
	OPT_U64,
	OPT_LEVEL,    /* enum log_level */
};

/* One setting: its long name, where it goes, and its bounds. */
struct opt {
	const char *name;
	enum opt_type type;
	size_t offset;
	size_t size;          /* OPT_STRING: capacity including the NUL */
	uint64_t min, max;    /* integers */
};

#define STR(st, field, nm) \
	{ nm, OPT_STRING, offsetof(st, field), sizeof(((st *)0)->field), 0, 0 }
#define NUM(st, field, nm, ty, lo, hi) \
	{ nm, ty, offsetof(st, field), sizeof(((st *)0)->field), lo, hi }

static const struct opt daemon_opts[] = {
	STR(struct config, listen, "listen"),
	STR(struct config, socket_path, "socket"),
	STR(struct config, data_dir, "data"),
	{ "demo", OPT_BOOL, offsetof(struct config, demo), sizeof(bool), 0, 0 },
	NUM(struct config, max_connections, "max-connections", OPT_UINT, 1,
	    100000),
	NUM(struct config, log_level, "log-level", OPT_LEVEL, 0, 0),
	NUM(struct config, max_frame, "max-frame", OPT_U32, FRAME_MAX_PRELOGIN,
	    64u * 1024 * 1024),
	NUM(struct config, heartbeat_ms, "heartbeat-ms", OPT_U32, 100,
	    3600u * 1000),
	NUM(struct config, handshake_timeout_ms, "handshake-timeout-ms",
	    OPT_U32, 100, 600u * 1000),
	NUM(struct config, login_backoff_ms, "login-backoff-ms", OPT_U32, 1,
	    60u * 1000),
	NUM(struct config, login_backoff_max_ms, "login-backoff-max-ms",
	    OPT_U32, 1, 3600u * 1000),
	/* Under 4 GiB: one queued frame must fit a uv_buf_t length. */
	NUM(struct config, max_output, "max-output", OPT_U64, 64u * 1024,
	    (uint64_t)1 << 30),
	NUM(struct config, max_request_memory, "max-request-memory", OPT_U64,
	    64u * 1024, (uint64_t)1 << 30),
	NUM(struct config, max_conn_memory, "max-conn-memory", OPT_U64,
	    64u * 1024, (uint64_t)1 << 32),
	NUM(struct config, max_server_memory, "max-server-memory", OPT_U64,
	    64u * 1024, (uint64_t)1 << 40),
	NUM(struct config, map_size_mib, "map-size-mib", OPT_U64, 1,
	    (uint64_t)1 << 20),
	STR(struct config, tls_cert, "tls-cert"),
	STR(struct config, tls_key, "tls-key"),
	STR(struct config, web_listen, "web-listen"),
	STR(struct config, web_root, "web-root"),
	STR(struct config, web_public_url, "web-public-url"),
};

static const struct opt init_opts_table[] = {
	STR(struct init_opts, data_dir, "data"),
	STR(struct init_opts, admin, "admin"),
	STR(struct init_opts, name, "name"),
	STR(struct init_opts, club, "club"),
	STR(struct init_opts, time_zone, "time-zone"),
	NUM(struct init_opts, log_level, "log-level", OPT_LEVEL, 0, 0),
};

static const struct opt tool_opts_table[] = {
	STR(struct tool_opts, data_dir, "data"),
	STR(struct tool_opts, out, "out"),
	NUM(struct tool_opts, log_level, "log-level", OPT_LEVEL, 0, 0),
};

#define N_OPTS(t) (sizeof(t) / sizeof((t)[0]))

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "%s", CONFIG_DEFAULT_LISTEN);
	snprintf(c->data_dir, sizeof(c->data_dir), "%s", CONFIG_DEFAULT_DATA);
	snprintf(c->web_listen, sizeof(c->web_listen), "%s",
		 CONFIG_DEFAULT_WEB_LISTEN);
	c->max_connections = 1024;
	c->log_level = LOG_INFO;
	c->max_frame = FRAME_MAX_DEFAULT;
	c->heartbeat_ms = 15000;
	c->handshake_timeout_ms = 10000;
	c->login_backoff_ms = 1000;
	c->login_backoff_max_ms = 30000;
	c->max_output = 8u * 1024 * 1024;
	c->max_request_memory = 4u * 1024 * 1024;
	c->max_conn_memory = 16u * 1024 * 1024;
	c->max_server_memory = 32u * 1024 * 1024;
	c->map_size_mib = 64;
}

static const struct opt *find_opt(const struct opt *table, size_t n,
				  const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Decimal only: "0x10" or "1e3" in a config file is more likely a mistake. */
static int parse_u64(const char *v, uint64_t *out)
{
	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = n;
	return 0;
}

static int apply_number(void *base, const struct opt *o, const char *v,
			char *err, size_t errlen)
{
	uint64_t n;
	if (parse_u64(v, &n) < 0 || n < o->min || n > o->max) {
		errmsg_set(err, errlen,
			   "--%s: expected a number from %llu to %llu, "
			"got \"%s\"", o->name, (unsigned long long)o->min,
			(unsigned long long)o->max, v);
		return -EINVAL;
	}
	char *p = (char *)base + o->offset;
	switch (o->type) {
	case OPT_UINT:
		*(unsigned *)p = (unsigned)n;
		break;
	case OPT_U32:
		*(uint32_t *)p = (uint32_t)n;
		break;
	default:
		*(uint64_t *)p = n;
		break;
	}
	return 0;
}

static int apply_opt(void *base, const struct opt *o, const char *v,
		     char *err, size_t errlen)
{
	char *p = (char *)base + o->offset;
	switch (o->type) {
	case OPT_STRING:
		if (strlen(v) >= o->size) {
			errmsg_set(err, errlen,
				   "--%s: value longer than %zu bytes",
				o->name, o->size - 1);
			return -EINVAL;
		}
		memcpy(p, v, strlen(v) + 1);
		return 0;
	case OPT_BOOL:
		if (parse_bool(v, (bool *)p) < 0) {
			errmsg_set(err, errlen,
				   "--%s: expected true or false, got "
				"\"%s\"", o->name, v);
			return -EINVAL;
		}
		return 0;
	case OPT_LEVEL:
		if (log_level_parse(v, (enum log_level *)p) < 0) {
			errmsg_set(err, errlen,
				   "--%s: expected debug, info, warn "
				"or error, got \"%s\"", o->name, v);
			return -EINVAL;
		}
		return 0;
	default:
		return apply_number(base, o, v, err, errlen);
	}
}

int config_set(struct config *c, const char *name, const char *value,
	       char *err, size_t errlen)
{
	const struct opt *o = find_opt(daemon_opts, N_OPTS(daemon_opts), name);
	if (!o) {
		errmsg_set(err, errlen, "unknown setting \"%s\"", name);
		return -ENOENT;
	}
	return apply_opt(c, o, value, err, errlen);
}

struct ini_ctx {
	struct config *c;
	char *err;
	size_t errlen;
	int ret;
};

static int on_ini_entry(void *user, const char *section, const char *name,
		       const char *value)
{
	struct ini_ctx *ctx = user;
	/* Settings live outside any section, or in [clubcrmd]. */
	if (section[0] && strcmp(section, "clubcrmd") != 0) {
		errmsg_set(ctx->err, ctx->errlen, "unknown section [%s]", section);
		ctx->ret = -EINVAL;
		return 0;
	}
	int ret = config_set(ctx->c, name, value ? value : "", ctx->err,
			     ctx->errlen);
	if (ret < 0) {
		ctx->ret = -EINVAL;
		return 0;
	}
	return 1;
}

int config_load_file(struct config *c, const char *path, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		errmsg_set(err, errlen, "%s: %s", path, strerror(e));
		return e == ENOENT ? -ENOENT : -EINVAL;
	}
	char why[256] = "";
	struct ini_ctx ctx = { c, why, sizeof(why), 0 };
	int line = ini_parse_file(f, on_ini_entry, &ctx);
	fclose(f);
	if (line == 0)
		return 0;
	if (ctx.ret == 0)
		snprintf(why, sizeof(why), "syntax error");
	errmsg_set(err, errlen, "%s:%d: %s", path, line, why);
	return -EINVAL;
}

struct find_ctx {
	const struct opt *table;
	size_t n;
	const struct opt *found;
};

/* A boolean takes "--name" alone or "--name=false"; others a value. */
static int find_flag(void *arg, const char *name, size_t len)
{
	struct find_ctx *f = arg;
	for (size_t i = 0; i < f->n; i++) {
		const struct opt *o = &f->table[i];
		if (strlen(o->name) == len && !memcmp(o->name, name, len)) {
			f->found = o;
			return o->type == OPT_BOOL ? LONGOPT_OPTIONAL
						   : LONGOPT_REQUIRED;
		}
	}
	return -1;
}

/*
 * The shared flag loop: "--name VALUE", "--name=VALUE", booleans without a
 * value. Returns the index of the first argument it did not take (argc when
 * all were taken), 1 + argc for --help/--version, or -EINVAL.
 */
static int parse_flags(void *base, const struct opt *table, size_t n,
		       int argc, char **argv, char *err, size_t errlen)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0 ||
		    strcmp(arg, "--version") == 0)
			return argc + 1;
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			errmsg_set(err, errlen,
				   "unexpected argument \"%s\"", arg);
			return -EINVAL;
		}
		struct find_ctx f = {table, n, NULL};
		struct longopt_hit h;
		int rc = longopt_take(argc, argv, &i, find_flag, &f, &h);
		if (rc == -ENOENT) {
			errmsg_set(err, errlen, "unknown option \"--%.*s\"",
				(int)h.len, h.name);
			return -EINVAL;
		}
		if (rc == -ENODATA) {
			errmsg_set(err, errlen,
				   "--%.*s needs a value", (int)h.len,
				h.name);
			return -EINVAL;
		}
		const struct opt *o = f.found;
		const char *value = h.value ? h.value : "true";
		if (apply_opt(base, o, value, err, errlen) < 0)
			return -EINVAL;
	}
	return argc;
}

/* --config is a flag only: it names the file, it is not read from it. */
static int take_config_flag(struct config *c, int argc, char **argv,
			    char **rest, int *nrest, char *err, size_t errlen)
{
	*nrest = 0;
	rest[(*nrest)++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc) {
				errmsg_set(err, errlen,
					   "--config needs a value");
				return -EINVAL;
			}
			v = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			v = argv[i] + 9;
		} else {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		if (strlen(v) >= sizeof(c->config_file)) {
			errmsg_set(err, errlen, "--config: path too long");
			return -EINVAL;
		}
		snprintf(c->config_file, sizeof(c->config_file), "%s", v);
	}
	return 0;
}

int config_parse_args(struct config *c, int argc, char **argv, char *err,
		      size_t errlen)
{
	if (argc < 1)
		return 0;
	char **rest = calloc((size_t)argc, sizeof(*rest));
	if (!rest)
		return -ENOMEM;
	int nrest;
	int ret = take_config_flag(c, argc, argv, rest, &nrest, err, errlen);
	if (ret == 0)
		ret = parse_flags(c, daemon_opts, N_OPTS(daemon_opts), nrest,
				  rest, err, errlen);
	free(rest);
	if (ret < 0)
		return ret;
	return ret > nrest ? 1 : 0;
}

int config_from_args(struct config *c, int argc, char **argv, char *err,
		     size_t errlen)
{
	config_defaults(c);
	/* First only to learn --config: the file goes under the flags. */
	struct config probe;
	config_defaults(&probe);
	int ret = config_parse_args(&probe, argc, argv, err, errlen);
	if (ret != 0)
		return ret;
	if (probe.config_file[0]) {
		ret = config_load_file(c, probe.config_file, err, errlen);
		if (ret < 0)
			return -EINVAL;
	}
	return config_parse_args(c, argc, argv, err, errlen);
}

int config_parse_init(struct init_opts *o, int argc, char **argv, char *err,
		      size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->log_level = LOG_INFO;
	int ret = parse_flags(o, init_opts_table, N_OPTS(init_opts_table), argc,
			      argv, err, errlen);
	if (ret < 0)
		return ret;
	if (ret > argc)
		return 1;
	if (!o->data_dir[0] || !o->admin[0]) {
		errmsg_set(err, errlen,
			   "init needs --data DIR and --admin LOGIN");
		return -EINVAL;
	}
	if (!o->name[0])
		snprintf(o->name, sizeof(o->name), "%s", o->admin);
	if (!o->club[0])
		snprintf(o->club, sizeof(o->club), "Club");
	if (!o->time_zone[0])
		snprintf(o->time_zone, sizeof(o->time_zone), "UTC");
	struct clubzone *z = NULL;
	ret = clubzone_load(o->time_zone, &z);
	clubzone_free(z);
	if (ret < 0) {
		errmsg_set(err, errlen, "--time-zone '%s' %s", o->time_zone,
			clubzone_strerror(ret));
		return -EINVAL;
	}
	return 0;
}

int config_parse_tool(struct tool_opts *o, bool need_out, int argc,
		      char **argv, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->log_level = LOG_INFO;
	snprintf(o->data_dir, sizeof(o->data_dir), "%s", CONFIG_DEFAULT_DATA);
	int ret = parse_flags(o, tool_opts_table, N_OPTS(tool_opts_table),
			      argc, argv, err, errlen);
	if (ret < 0)
		return ret;
	if (ret > argc)
		return 1;
	if (need_out && !o->out[0]) {
		errmsg_set(err, errlen, "backup needs --out FILE");
		return -EINVAL;
	}
	if (!need_out && o->out[0]) {
		errmsg_set(err, errlen, "unknown option \"--out\"");
		return -EINVAL;
	}
	return 0;
}

int config_listen_addr(const char *text, struct sockaddr_storage *addr,
		       char *err, size_t errlen)
{
	struct hostport hp;
	if (hostport_parse(text, HOSTPORT_PORT0, &hp) < 0) {
		errmsg_set(err, errlen, "--listen: expected HOST:PORT (or "
			"[IPV6]:PORT), got \"%s\"", text);
		return -EINVAL;
	}
	char *host = hp.host;
	uint16_t port = hp.port;
	memset(addr, 0, sizeof(*addr));
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(hp.host), "127.0.0.1");
	struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return 0;
	}
	errmsg_set(err, errlen, "--listen: \"%s\" is not an IP address (names "
		"other than localhost are not resolved)", host);
	return -EINVAL;
}

bool config_addr_is_loopback(const struct sockaddr *addr)
{
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in4 = (const void *)addr;
		return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	}
	if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)addr;
		const uint8_t *b = in6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127;
	}
	return false;
}

/* --web-public-url: "" or http(s)://, printable ASCII, no trailing '/'
 * (clients append paths to it). */
static int check_public_url(const char *u, char *err, size_t errlen)
{
	if (!u[0])
		return 0;
	bool ok = strncmp(u, "https://", 8) == 0 ||
		  strncmp(u, "http://", 7) == 0;
	size_t len = strlen(u);
	for (size_t i = 0; ok && i < len; i++)
		ok = u[i] > ' ' && u[i] < 0x7f;
	if (ok && u[len - 1] == '/')
		ok = false;
	if (!ok)
		errmsg_set(err, errlen, "--web-public-url: expected http:// or "
			   "https:// and a host, without a trailing '/', got "
			   "\"%s\"", u);
	return ok ? 0 : -EINVAL;
}

int config_check(const struct config *c, char *err, size_t errlen)
{
	if (!c->tls_cert[0] != !c->tls_key[0]) {
		errmsg_set(err, errlen,
			   "TLS needs both --tls-cert and --tls-key");
		return -EINVAL;
	}
	if (c->max_request_memory < c->max_frame) {
		errmsg_set(err, errlen, "--max-request-memory (%llu) is below "
			"--max-frame (%u): a frame that fits could not be "
			"decoded", (unsigned long long)c->max_request_memory,
			c->max_frame);
		return -EINVAL;
	}
	if (c->max_conn_memory < c->max_request_memory ||
	    c->max_server_memory < c->max_conn_memory) {
		errmsg_set(err, errlen, "memory bounds out of order: need "
			"--max-request-memory <= --max-conn-memory <= "
			"--max-server-memory");
		return -EINVAL;
	}
	if (config_tcp_disabled(c) && config_web_disabled(c) &&
	    !c->socket_path[0]) {
		errmsg_set(err, errlen, "nothing to listen on: give --listen, "
			"--web-listen or --socket");
		return -EINVAL;
	}
	struct sockaddr_storage ss;
	if (!config_tcp_disabled(c)) {
		if (config_listen_addr(c->listen, &ss, err, errlen) < 0)
			return -EINVAL;
		if (!c->tls_cert[0] &&
		    !config_addr_is_loopback((struct sockaddr *)&ss)) {
			errmsg_set(err, errlen,
				   "refusing plain TCP on %s: not a loopback "
				"address; give --tls-cert and --tls-key (or "
				"listen on 127.0.0.1, or use --socket)",
				c->listen);
			return -EINVAL;
		}
	}
	if (!config_web_disabled(c)) {
		if (config_listen_addr(c->web_listen, &ss, err, errlen) < 0) {
			errmsg_set(err, errlen, "--web-listen: expected "
				"HOST:PORT (an IP address or localhost) or "
				"none, got \"%s\"", c->web_listen);
			return -EINVAL;
		}
		if (!c->tls_cert[0] &&
		    !config_addr_is_loopback((struct sockaddr *)&ss)) {
			errmsg_set(err, errlen,
				   "refusing plain HTTP on %s: not a loopback "
				"address; give --tls-cert and --tls-key (or "
				"--web-listen 127.0.0.1:PORT)", c->web_listen);
			return -EINVAL;
		}
	}
	return check_public_url(c->web_public_url, err, errlen);
}

bool config_tcp_disabled(const struct config *c)
{
	return c->listen[0] == '\0' || strcmp(c->listen, "none") == 0;
}

bool config_web_disabled(const struct config *c)
{
	return c->web_listen[0] == '\0' || strcmp(c->web_listen, "none") == 0;
}

#ifndef CLUBCRM_WEB_ROOT_INSTALLED
#define CLUBCRM_WEB_ROOT_INSTALLED "/usr/local/share/clubcrm/web"
#endif
#ifndef CLUBCRM_WEB_ROOT_BUILD
#define CLUBCRM_WEB_ROOT_BUILD "client/web/dist"
#endif

const char *config_web_root(const struct config *c)
{
	struct stat st;
	if (c->web_root[0])
		return c->web_root;
	if (stat(CLUBCRM_WEB_ROOT_INSTALLED, &st) == 0 && S_ISDIR(st.st_mode))
		return CLUBCRM_WEB_ROOT_INSTALLED;
	return CLUBCRM_WEB_ROOT_BUILD;
}

void config_usage(FILE *out)
{
	struct config d;
	config_defaults(&d);
	fprintf(out,
"usage: clubcrmd [options]\n"
"       clubcrmd init --data DIR --admin LOGIN [--name NAME] [--club NAME]\n"
"                     [--time-zone TZ]\n"
"       clubcrmd check [--data DIR]      verify the club's database\n"
"       clubcrmd backup [--data DIR] --out FILE   hot, compacted copy\n"
"\n"
"options (default in brackets):\n"
"  --listen HOST:PORT      TCP listener; plain TCP on loopback only, TLS\n"
"                          anywhere; port 0 binds an ephemeral port;\n"
"                          \"none\": no TCP [%s]\n"
"  --socket PATH           also listen on a unix socket [none]\n"
"  --data DIR              the club's LMDB environment [%s]\n"
"  --demo                  seed the demo club when the club is empty\n"
"  --config FILE           read settings from an INI file first\n"
"  --max-connections N     connections served at once [%u]\n"
"  --log-level LEVEL       debug, info, warn or error [%s]\n"
"  --max-frame BYTES       largest frame after login [%u]\n"
"  --heartbeat-ms MS       ping interval; 3 silent beats drop a peer [%u]\n"
"  --handshake-timeout-ms MS  preface, Hello and Login must fit [%u]\n"
"  --login-backoff-ms MS   a failed login is answered this late; after 3\n"
"                          failures of a login the delay doubles, and after\n"
"                          10 from one address its logins are refused for\n"
"                          twice the delay, doubling too [%u]\n"
"  --login-backoff-max-ms MS  cap of those doublings [%u]\n"
"  --max-output BYTES      queued output that drops a slow peer [%llu]\n"
"  --max-request-memory BYTES  memory one request may take once decoded\n"
"                          (more: RESOURCE_EXHAUSTED) [%llu]\n"
"  --max-conn-memory BYTES  decoded requests in flight on one connection;\n"
"                          past it the server stops reading it [%llu]\n"
"  --max-server-memory BYTES  the same for all connections together [%llu]\n"
"  --map-size-mib MIB      initial LMDB map size (grows when full) [%llu]\n"
"  --tls-cert FILE         TLS 1.3 on the TCP listener: PEM certificate\n"
"                          chain, leaf first [none]\n"
"  --tls-key FILE          its PEM private key [none]\n"
"  --web-listen HOST:PORT  the web desk: HTTP for its files and a WebSocket\n"
"                          on /ws; plain on loopback only, with TLS (the\n"
"                          same --tls-cert/--tls-key) anywhere; \"none\":\n"
"                          off [%s]\n"
"  --web-root DIR          the built web desk (index.html, assets/)\n"
"                          [%s if it exists,\n"
"                          else %s]\n"
"  --web-public-url URL    how people reach the web listener, e.g.\n"
"                          https://crm.example.org: the base of calendar-\n"
"                          feed URLs the clients show [the --web-listen\n"
"                          address when it names a host and a port]\n"
"  --help, --version\n"
"\n"
"The config file takes the long flag names as keys (`listen = 127.0.0.1:7411`)\n"
"outside any section or under [clubcrmd]; flags override it.\n"
"init reads the admin password from CLUBCRM_ADMIN_PASSWORD, or asks for it\n"
"twice on the terminal.\n",
		d.listen, d.data_dir, d.max_connections,
		log_level_name(d.log_level), d.max_frame, d.heartbeat_ms,
		d.handshake_timeout_ms, d.login_backoff_ms,
		d.login_backoff_max_ms, (unsigned long long)d.max_output,
		(unsigned long long)d.max_request_memory,
		(unsigned long long)d.max_conn_memory,
		(unsigned long long)d.max_server_memory,
		(unsigned long long)d.map_size_mib, d.web_listen,
		CLUBCRM_WEB_ROOT_INSTALLED, CLUBCRM_WEB_ROOT_BUILD);
}
