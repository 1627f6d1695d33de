/* clubcrmd settings: defaults, flags, the inih file and their order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "config.h"
#include "frame.h"

#define ARGV(...) ((char *[]){ "clubcrmd", __VA_ARGS__ })
#define ARGC(...) ((int)(sizeof((char *[]){ "clubcrmd", __VA_ARGS__ }) / \
			 sizeof(char *)))

/* Writes `text` to a fresh temporary file; its path goes in `path`. */
static void write_temp(char *path, size_t size, const char *text)
{
	snprintf(path, size, "/tmp/clubcrmd-test-config-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
}

static void test_defaults(void **state)
{
	struct config c;
	config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:7411");
	assert_string_equal(c.data_dir, "./clubcrm-data");
	assert_string_equal(c.socket_path, "");
	assert_false(c.demo);
	assert_int_equal(c.log_level, LOG_INFO);
	assert_int_equal(c.max_frame, FRAME_MAX_DEFAULT);
	assert_int_equal(c.max_output, 8u * 1024 * 1024);
	assert_int_equal(c.handshake_timeout_ms, 10000);
	assert_int_equal(c.login_backoff_ms, 1000);
	assert_int_equal(c.login_backoff_max_ms, 30000);
	assert_false(config_tcp_disabled(&c));
}

static void test_flags(void **state)
{
	struct config c;
	char err[256];
	char **argv = ARGV("--listen", "127.0.0.1:0", "--data=/tmp/x",
			   "--demo", "--socket", "/tmp/s.sock",
			   "--max-connections", "5", "--log-level=debug",
			   "--heartbeat-ms", "250", "--login-backoff-ms=50",
			   "--login-backoff-max-ms", "400");
	int argc = ARGC("--listen", "127.0.0.1:0", "--data=/tmp/x", "--demo",
			"--socket", "/tmp/s.sock", "--max-connections", "5",
			"--log-level=debug", "--heartbeat-ms", "250",
			"--login-backoff-ms=50", "--login-backoff-max-ms",
			"400");
	assert_int_equal(config_from_args(&c, argc, argv, err, sizeof(err)),
			 0);
	assert_string_equal(c.listen, "127.0.0.1:0");
	assert_string_equal(c.data_dir, "/tmp/x");
	assert_string_equal(c.socket_path, "/tmp/s.sock");
	assert_true(c.demo);
	assert_int_equal(c.max_connections, 5);
	assert_int_equal(c.log_level, LOG_DEBUG);
	assert_int_equal(c.heartbeat_ms, 250);
	assert_int_equal(c.login_backoff_ms, 50);
	assert_int_equal(c.login_backoff_max_ms, 400);
}

static void expect_flag_error(char **argv, int argc, const char *needle)
{
	struct config c;
	char err[256] = "";
	assert_int_equal(config_from_args(&c, argc, argv, err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_flag_errors(void **state)
{
	expect_flag_error(ARGV("--nope"), ARGC("--nope"), "--nope");
	expect_flag_error(ARGV("--listen"), ARGC("--listen"), "needs a value");
	expect_flag_error(ARGV("--max-connections", "many"),
			  ARGC("--max-connections", "many"), "many");
	expect_flag_error(ARGV("--max-connections", "0"),
			  ARGC("--max-connections", "0"), "from 1");
	expect_flag_error(ARGV("--max-connections", "-3"),
			  ARGC("--max-connections", "-3"), "-3");
	expect_flag_error(ARGV("--max-frame", "100"),
			  ARGC("--max-frame", "100"), "--max-frame");
	expect_flag_error(ARGV("--log-level", "loud"),
			  ARGC("--log-level", "loud"), "loud");
	expect_flag_error(ARGV("--demo=maybe"), ARGC("--demo=maybe"), "maybe");
	expect_flag_error(ARGV("stray"), ARGC("stray"), "stray");
	expect_flag_error(ARGV("--config"), ARGC("--config"), "--config");
}

static void test_long_string_refused(void **state)
{
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char **argv = ARGV("--socket", big);
	expect_flag_error(argv, 3, "longer than");
}

static void test_help(void **state)
{
	struct config c;
	char err[64];
	assert_int_equal(config_from_args(&c, ARGC("--help"), ARGV("--help"),
					  err, sizeof(err)), 1);
	assert_int_equal(config_from_args(&c, ARGC("-h"), ARGV("-h"), err,
					  sizeof(err)), 1);
}

static void test_file_then_flags(void **state)
{
	char path[64], err[256];
	write_temp(path, sizeof(path),
		   "; comment\n"
		   "listen = 127.0.0.2:9000\n"
		   "data = /var/lib/clubcrm\n"
		   "max-connections = 500\n"
		   "demo = yes\n"
		   "[clubcrmd]\n"
		   "log-level = warn\n");
	char cfgflag[80];
	snprintf(cfgflag, sizeof(cfgflag), "--config=%s", path);
	struct config c;
	/* The flag given before --config still wins over the file. */
	char **argv = ARGV("--data", "/tmp/mine", cfgflag);
	assert_int_equal(config_from_args(&c, 4, argv, err, sizeof(err)), 0);
	assert_string_equal(c.listen, "127.0.0.2:9000");
	assert_string_equal(c.data_dir, "/tmp/mine");
	assert_int_equal(c.max_connections, 500);
	assert_true(c.demo);
	assert_int_equal(c.log_level, LOG_WARN);
	assert_string_equal(c.config_file, path);
	unlink(path);
}

static void test_file_errors(void **state)
{
	char path[64], err[256];
	struct config c;
	config_defaults(&c);
	write_temp(path, sizeof(path), "listen = 127.0.0.1:1\nbogus = 1\n");
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, ":2:"));
	assert_non_null(strstr(err, "bogus"));
	unlink(path);

	write_temp(path, sizeof(path), "[other]\nlisten = 127.0.0.1:1\n");
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "[other]"));
	unlink(path);

	write_temp(path, sizeof(path), "max-frame = lots\n");
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "lots"));
	unlink(path);

	assert_int_equal(config_load_file(&c, "/nonexistent/clubcrmd.conf",
					  err, sizeof(err)), -ENOENT);
	char **argv = ARGV("--config", "/nonexistent/clubcrmd.conf");
	assert_int_equal(config_from_args(&c, 3, argv, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "/nonexistent/clubcrmd.conf"));
}

static void test_config_key_not_in_file(void **state)
{
	char path[64], err[256];
	struct config c;
	config_defaults(&c);
	write_temp(path, sizeof(path), "config = /etc/other.conf\n");
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)),
			 -EINVAL);
	unlink(path);
}

static void test_listen_addr(void **state)
{
	struct sockaddr_storage ss;
	char err[256];
	assert_int_equal(config_listen_addr("127.0.0.1:7411", &ss, err,
					    sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 7411);
	assert_true(config_addr_is_loopback((struct sockaddr *)&ss));

	assert_int_equal(config_listen_addr("localhost:0", &ss, err,
					    sizeof(err)), 0);
	assert_true(config_addr_is_loopback((struct sockaddr *)&ss));

	assert_int_equal(config_listen_addr("[::1]:80", &ss, err,
					    sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(config_addr_is_loopback((struct sockaddr *)&ss));

	assert_int_equal(config_listen_addr("0.0.0.0:7411", &ss, err,
					    sizeof(err)), 0);
	assert_false(config_addr_is_loopback((struct sockaddr *)&ss));
	assert_int_equal(config_listen_addr("192.168.1.10:7411", &ss, err,
					    sizeof(err)), 0);
	assert_false(config_addr_is_loopback((struct sockaddr *)&ss));
	assert_int_equal(config_listen_addr("[::]:7411", &ss, err,
					    sizeof(err)), 0);
	assert_false(config_addr_is_loopback((struct sockaddr *)&ss));

	const char *bad[] = { "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
			      ":7411", "::1:80", "[::1]80", "example.com:80",
			      "127.0.0.1:7x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(config_listen_addr(bad[i], &ss, err,
						    sizeof(err)), -EINVAL);
}

static void test_tcp_disabled(void **state)
{
	struct config c;
	char err[64];
	char **argv = ARGV("--listen", "none", "--socket", "/tmp/x.sock");
	assert_int_equal(config_from_args(&c, 5, argv, err, sizeof(err)), 0);
	assert_true(config_tcp_disabled(&c));
}

/* The memory bounds: defaults, flags, and their order checked. */
static void test_memory_bounds(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_defaults(&c);
	assert_int_equal(c.max_request_memory, 4u * 1024 * 1024);
	assert_int_equal(c.max_conn_memory, 16u * 1024 * 1024);
	assert_int_equal(c.max_server_memory, 32u * 1024 * 1024);
	char **argv = ARGV("--max-request-memory", "65536",
			   "--max-conn-memory=131072",
			   "--max-server-memory", "262144");
	assert_int_equal(config_from_args(&c, 6, argv, err, sizeof(err)), 0);
	assert_int_equal(c.max_request_memory, 65536);
	assert_int_equal(c.max_conn_memory, 131072);
	assert_int_equal(c.max_server_memory, 262144);
	/* One request's memory must hold at least a whole frame. */
	assert_int_equal(config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--max-frame"));
	c.max_frame = 65536;
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);
	c.max_conn_memory = 1024u * 1024;  /* over the server's */
	assert_int_equal(config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "memory bounds"));
	c.max_conn_memory = 32768;         /* under one request's */
	assert_int_equal(config_check(&c, err, sizeof(err)), -EINVAL);
	char **bad = ARGV("--max-request-memory", "100");
	assert_int_equal(config_from_args(&c, 3, bad, err, sizeof(err)),
			 -EINVAL);
}

/* --web-public-url: http(s)://, printable, no trailing '/'. */
static void test_web_public_url(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_defaults(&c);
	assert_string_equal(c.web_public_url, "");
	char **argv = ARGV("--web-public-url", "https://crm.example.org:7412");
	assert_int_equal(config_from_args(&c, 3, argv, err, sizeof(err)), 0);
	assert_string_equal(c.web_public_url, "https://crm.example.org:7412");
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);
	const char *bad[] = {
		"crm.example.org", "ftp://crm.example.org", "https://crm/",
		"http://a b", "https://crm\x01", "javascript:alert(1)",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(c.web_public_url, sizeof(c.web_public_url), "%s",
			 bad[i]);
		assert_int_equal(config_check(&c, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "--web-public-url"));
	}
	assert_int_equal(config_set(&c, "web-public-url", "http://127.0.0.1:7412",
				    err, sizeof(err)), 0);
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);
}

static void test_check(void **state)
{
	struct config c;
	char err[256];
	config_defaults(&c);
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);

	snprintf(c.listen, sizeof(c.listen), "0.0.0.0:7411");
	assert_int_equal(config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "refusing plain TCP"));
	char **argv = ARGV("--listen", "0.0.0.0:7411", "--tls-cert", "a.pem",
			   "--tls-key", "a.key");
	assert_int_equal(config_from_args(&c, 7, argv, err, sizeof(err)), 0);
	assert_string_equal(c.tls_cert, "a.pem");
	assert_string_equal(c.tls_key, "a.key");
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);

	c.tls_key[0] = '\0';
	assert_int_equal(config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "both"));

	config_defaults(&c);
	snprintf(c.listen, sizeof(c.listen), "none");
	snprintf(c.web_listen, sizeof(c.web_listen), "none");
	assert_int_equal(config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nothing to listen on"));
	snprintf(c.socket_path, sizeof(c.socket_path), "/tmp/x.sock");
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);

	/* The web listener alone is something to listen on; off loopback
	 * it needs TLS like the TCP one. */
	config_defaults(&c);
	snprintf(c.listen, sizeof(c.listen), "none");
	assert_string_equal(c.web_listen, "127.0.0.1:7412");
	assert_false(config_web_disabled(&c));
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);
	snprintf(c.web_listen, sizeof(c.web_listen), "0.0.0.0:7412");
	assert_int_equal(config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "refusing plain HTTP"));
	snprintf(c.tls_cert, sizeof(c.tls_cert), "a.pem");
	snprintf(c.tls_key, sizeof(c.tls_key), "a.key");
	assert_int_equal(config_check(&c, err, sizeof(err)), 0);
	snprintf(c.web_listen, sizeof(c.web_listen), "web.example:443");
	assert_int_equal(config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--web-listen"));
	c.web_listen[0] = '\0';
	assert_true(config_web_disabled(&c));

	/* Both are settings like the others (flags and file keys). */
	config_defaults(&c);
	assert_int_equal(config_set(&c, "web-listen", "none", err,
				    sizeof(err)), 0);
	assert_true(config_web_disabled(&c));
	assert_int_equal(config_set(&c, "web-root", "/srv/desk", err,
				    sizeof(err)), 0);
	assert_string_equal(config_web_root(&c), "/srv/desk");
	c.web_root[0] = '\0';
	assert_non_null(strstr(config_web_root(&c), "web"));
}

static void test_init(void **state)
{
	struct init_opts o;
	char err[256];
	char *argv[] = { "init", "--data", "/tmp/club", "--admin", "maria",
			 "--club", "Club Deportivo", "--time-zone",
			 "Europe/Madrid" };
	assert_int_equal(config_parse_init(&o, 9, argv, err, sizeof(err)), 0);
	assert_string_equal(o.data_dir, "/tmp/club");
	assert_string_equal(o.admin, "maria");
	assert_string_equal(o.name, "maria");
	assert_string_equal(o.club, "Club Deportivo");
	assert_string_equal(o.time_zone, "Europe/Madrid");

	char *missing[] = { "init", "--data", "/tmp/club" };
	assert_int_equal(config_parse_init(&o, 3, missing, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "--admin"));

	char *wrong[] = { "init", "--listen", "127.0.0.1:1" };
	assert_int_equal(config_parse_init(&o, 3, wrong, err, sizeof(err)),
			 -EINVAL);

	/* Only a zone the system's tzdata knows, spelt exactly. */
	char *mars[] = { "init", "--data", "/tmp/club", "--admin", "maria",
			 "--time-zone", "Mars/Olympus" };
	assert_int_equal(config_parse_init(&o, 7, mars, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "'Mars/Olympus' is not a time zone"));
	char *lower[] = { "init", "--data", "/tmp/club", "--admin", "maria",
			  "--time-zone", "europe/madrid" };
	assert_int_equal(config_parse_init(&o, 7, lower, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "case-sensitive"));
	char *help[] = { "init", "--help" };
	assert_int_equal(config_parse_init(&o, 2, help, err, sizeof(err)), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_flag_errors),
		cmocka_unit_test(test_long_string_refused),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_file_then_flags),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_config_key_not_in_file),
		cmocka_unit_test(test_listen_addr),
		cmocka_unit_test(test_tcp_disabled),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_web_public_url),
		cmocka_unit_test(test_memory_bounds),
		cmocka_unit_test(test_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
