/* The client library's pure parts: address parsing, the request table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client_addr.h"
#include "client_reqtab.h"

static void test_addr_forms(void **state)
{
	struct client_addr a;
	assert_int_equal(client_addr_parse("127.0.0.1:7411", &a), 0);
	assert_false(a.is_unix);
	assert_string_equal(a.host, "127.0.0.1");
	assert_string_equal(a.port, "7411");
	assert_int_equal(client_addr_parse("crm.example.org:1", &a), 0);
	assert_string_equal(a.host, "crm.example.org");
	assert_int_equal(client_addr_parse("[::1]:65535", &a), 0);
	assert_string_equal(a.host, "::1");
	assert_string_equal(a.port, "65535");
	assert_int_equal(client_addr_parse("unix:/run/clubcrm.sock", &a), 0);
	assert_true(a.is_unix);
	assert_false(a.tls);
	assert_string_equal(a.path, "/run/clubcrm.sock");
	assert_int_equal(client_addr_parse("tls:crm.example.org:7411", &a), 0);
	assert_true(a.tls);
	assert_false(a.is_unix);
	assert_string_equal(a.host, "crm.example.org");
	assert_string_equal(a.port, "7411");
	assert_int_equal(client_addr_parse("tls:[::1]:7411", &a), 0);
	assert_true(a.tls);
	assert_string_equal(a.host, "::1");
	assert_int_equal(client_addr_parse("127.0.0.1:7411", &a), 0);
	assert_false(a.tls);
}

static void test_addr_rejects(void **state)
{
	static const char *const bad[] = {
		"", "host", "host:", ":7411", "host:0", "host:65536",
		"host:12x", "host:123456", "::1:7411", "[::1]7411", "[::1:7411",
		"unix:", "a b:1", "host:-1", "tls:", "tls:host",
		"tls:unix:/run/clubcrm.sock", "tls:tls:host:1",
	};
	struct client_addr a;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(client_addr_parse(bad[i], &a), -EINVAL);
	char path[200] = "unix:/";
	memset(path + 6, 'p', 150);
	path[156] = '\0';
	assert_int_equal(client_addr_parse(path, &a), -EINVAL);
	assert_int_equal(client_addr_parse(NULL, &a), -EINVAL);
}

static void cb(struct client *c, struct client_reply *r, void *arg)
{
}

static void test_reqtab_many(void **state)
{
	struct client_reqtab t;
	client_reqtab_init(&t);
	assert_null(client_reqtab_take(&t, 1));
	enum { N = 5000 };
	for (uint64_t id = 1; id <= N; id++)
		assert_int_equal(client_reqtab_add(&t, id, cb,
						   (void *)(uintptr_t)id), 0);
	assert_int_equal(t.count, N);
	/* Out of order, every one found once. */
	for (uint64_t id = N; id >= 1; id -= 2) {
		struct client_req *r = client_reqtab_take(&t, id);
		assert_non_null(r);
		assert_int_equal(r->id, id);
		assert_ptr_equal(r->arg, (void *)(uintptr_t)id);
		free(r);
		assert_null(client_reqtab_take(&t, id));
	}
	assert_int_equal(t.count, N / 2);
	size_t drained = 0;
	struct client_req *r;
	while ((r = client_reqtab_take_any(&t))) {
		assert_int_equal(r->id % 2, 1);
		free(r);
		drained++;
	}
	assert_int_equal(drained, N / 2);
	client_reqtab_free(&t);
}

static void test_reqtab_free_with_entries(void **state)
{
	struct client_reqtab t;
	client_reqtab_init(&t);
	for (uint64_t id = 1; id <= 40; id++)
		assert_int_equal(client_reqtab_add(&t, id, cb, NULL), 0);
	client_reqtab_free(&t);  /* frees the rest (cmocka checks leaks) */
	assert_int_equal(t.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_forms),
		cmocka_unit_test(test_addr_rejects),
		cmocka_unit_test(test_reqtab_many),
		cmocka_unit_test(test_reqtab_free_with_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
