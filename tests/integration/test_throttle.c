/*
 * Failed logins slowed down (server/login_throttle.h), against the real
 * clubcrmd with short delays (--login-backoff-ms 200, capped at 1600 ms):
 * a login's failures are answered later and later; its right password from
 * another address still gets in; a login with ten failures from one address
 * is refused (UNAVAILABLE) from there for a while, then served again, while
 * another login from that same address (another desk of the club) gets in
 * at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "rawconn.h"
#include "status.h"
#include "timeutil.h"

#define BASE_MS 200u
#define CAP_MS 1600u

static struct harness h;

static int group_setup(void **state)
{
	h.extra[0] = "--login-backoff-ms";
	h.extra[1] = "200";
	h.extra[2] = "--login-backoff-max-ms";
	h.extra[3] = "1600";
	/* One connection fails logins for seconds (minutes under valgrind). */
	h.extra[4] = "--handshake-timeout-ms";
	h.extra[5] = "600000";
	return harness_start(&h);
}

static int group_teardown(void **state)
{
	harness_cleanup(&h);
	return 0;
}

/* Preface and Hello on a new connection from `src` (NULL: 127.0.0.1). */
static void open_from(struct rawconn *rc, const char *src)
{
	it_raw_open(rc, h.address, src);
}

/*
 * One Login on `rc`: its status (0 for LoginOk), the time its answer took
 * in *ms, the Error's message in why[96].
 */
static unsigned try_login(struct rawconn *rc, const char *login,
			  const char *password, uint64_t *ms, char *why)
{
	static uint64_t rid = 100;
	struct buf out = {0};
	raw_put_login(&out, ++rid, login, password);
	uint64_t t0 = time_mono_ms();
	assert_int_equal(raw_send(rc, out.data, out.len), 0);
	buf_free(&out);
	Clubcrm__Frame *f;
	/* Skips the server's pings (valgrind makes Argon2id slow). */
	while ((f = raw_recv(rc, 120000)) &&
	       f->body_case == CLUBCRM__FRAME__BODY_PING)
		clubcrm__frame__free_unpacked(f, NULL);
	*ms = time_mono_ms() - t0;
	assert_non_null(f);
	assert_int_equal(f->request_id, rid);
	unsigned code = STATUS_OK;
	why[0] = '\0';
	if (f->body_case == CLUBCRM__FRAME__BODY_ERROR) {
		code = f->error->code;
		snprintf(why, 96, "%s", f->error->message ? f->error->message
							  : "");
	} else {
		assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_LOGIN_OK);
	}
	clubcrm__frame__free_unpacked(f, NULL);
	return code;
}

static void test_throttle(void **state)
{
	struct rawconn bad, other;
	char why[96];
	uint64_t ms;
	open_from(&bad, NULL);
	/* Failures 1-3 wait the base delay, then it doubles: only lower
	 * bounds are asserted (a loaded machine answers later, never
	 * earlier). */
	const uint64_t least[] = {BASE_MS, BASE_MS, BASE_MS, 2 * BASE_MS,
				  4 * BASE_MS, 8 * BASE_MS};
	for (size_t i = 0; i < sizeof(least) / sizeof(least[0]); i++) {
		assert_int_equal(try_login(&bad, "alicia", "guess", &ms, why),
				 STATUS_UNAUTHENTICATED);
		assert_true(ms + 20 >= least[i]);
	}
	/* Meanwhile alicia herself, from another address: in, and her
	 * success forgets the failures of her login. */
	open_from(&other, "127.0.0.2");
	assert_int_equal(try_login(&other, "alicia", HARNESS_PASSWORD, &ms,
				   why), STATUS_OK);
	raw_close(&other);
	/* Four more failures of alicia from 127.0.0.1 (ten): her next
	 * login from there is refused unchecked, however right the
	 * password. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(try_login(&bad, "alicia", "guess", &ms, why),
				 STATUS_UNAUTHENTICATED);
	assert_int_equal(try_login(&bad, "alicia", HARNESS_PASSWORD, &ms, why),
			 STATUS_UNAVAILABLE);
	assert_non_null(strstr(why, "too many failed logins"));
	assert_non_null(strstr(why, "retry in"));
	/* Another desk behind the same address: deborah gets in at once,
	 * neither refused nor delayed by alicia's failures (the bound is
	 * the throttle's cap, far above an Argon2id check). */
	open_from(&other, NULL);
	assert_int_equal(try_login(&other, "deborah", HARNESS_PASSWORD, &ms,
				   why), STATUS_OK);
	assert_true(ms < CAP_MS);
	raw_close(&other);
	/* Refused, not dropped; and the block ends (within the cap). */
	unsigned code = STATUS_UNAVAILABLE;
	uint64_t until = time_mono_ms() + CAP_MS + 5000;
	while (code == STATUS_UNAVAILABLE && time_mono_ms() < until) {
		usleep(100 * 1000);
		code = try_login(&bad, "alicia", HARNESS_PASSWORD, &ms, why);
	}
	assert_int_equal(code, STATUS_OK);
	raw_close(&bad);
}

/* Many logins failing from one address block none of the others there. */
static void test_shared_address(void **state)
{
	struct rawconn bad, other;
	char why[96];
	uint64_t ms;
	open_from(&bad, "127.0.0.4");
	for (int i = 0; i < 12; i++) {
		char who[16];
		snprintf(who, sizeof(who), "nobody%d", i);
		assert_int_equal(try_login(&bad, who, "guess", &ms, why),
				 STATUS_UNAUTHENTICATED);
	}
	raw_close(&bad);
	open_from(&other, "127.0.0.4");
	assert_int_equal(try_login(&other, "valentina", HARNESS_PASSWORD, &ms,
				   why), STATUS_OK);
	raw_close(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_shared_address),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
