/* HOST:PORT parsing: one set of rules for the server and the clients. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "client_addr.h"
#include "config.h"
#include "hostport.h"

static void test_forms(void **state)
{
	(void)state;
	struct hostport hp;
	assert_int_equal(hostport_parse("127.0.0.1:7411", 0, &hp), 0);
	assert_false(hp.is_unix);
	assert_string_equal(hp.host, "127.0.0.1");
	assert_int_equal(hp.port, 7411);
	assert_int_equal(hostport_parse("[fe80::1]:65535", 0, &hp), 0);
	assert_string_equal(hp.host, "fe80::1");
	assert_int_equal(hp.port, 65535);
	assert_int_equal(hostport_parse("crm.example.org:07411", 0, &hp), 0);
	assert_int_equal(hp.port, 7411);
	assert_int_equal(hostport_parse("unix:/run/c.sock", HOSTPORT_UNIX,
					&hp), 0);
	assert_true(hp.is_unix);
	assert_string_equal(hp.path, "/run/c.sock");
	assert_int_equal(hostport_parse("localhost:0", HOSTPORT_PORT0, &hp), 0);
	assert_int_equal(hp.port, 0);
}

static void test_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "host", "host:", ":7411", "host:0", "host:65536",
		"host:12x", "host:123456", "host:-1", "host:+1", "host: 1",
		"::1:7411", "::1", "[::1]7411", "[::1:7411", "[]:1", "[::1]:",
		"a b:1", "a\tb:1", "a/b:1", "a]:1", "unix:/x", "host:1:2",
	};
	struct hostport hp;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hostport_parse(bad[i], 0, &hp), -EINVAL);
	assert_int_equal(hostport_parse("unix:", HOSTPORT_UNIX, &hp), -EINVAL);
	char text[400] = "unix:/";
	memset(text + 6, 'p', 120);
	text[126] = '\0';
	assert_int_equal(hostport_parse(text, HOSTPORT_UNIX, &hp), -EINVAL);
	memset(text, 'h', 300);
	strcpy(text + 300, ":1");
	assert_int_equal(hostport_parse(text, 0, &hp), -EINVAL);
	assert_int_equal(hostport_parse(NULL, 0, &hp), -EINVAL);
}

/* The server's --listen and the clients' --server agree on what an
 * address is (they had different rules: the server took "00000080" and
 * refused a 70-character name before looking at it). */
static void test_server_and_client_agree(void **state)
{
	(void)state;
	static const char *const text[] = {
		"127.0.0.1:7411", "[::1]:80", "127.0.0.1:000080",
		"127.0.0.1:65536", "::1:80", "[::1]80", "127.0.0.1:",
	};
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		struct sockaddr_storage ss;
		struct client_addr a;
		char err[128];
		int s = config_listen_addr(text[i], &ss, err, sizeof(err));
		int c = client_addr_parse(text[i], &a);
		assert_int_equal(s, c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_server_and_client_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
