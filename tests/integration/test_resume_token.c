/*
 * Resume tokens against the real clubcrmd (server/domain/tokens.h): a
 * password login's LoginOk carries a token, a Login with it instead of the
 * password gets in without Argon2id, also after a restart; forged, cut,
 * another login's, logged-out, and revoked (deactivation, password reset,
 * role change) tokens are refused like a wrong password and count as
 * failures for the throttle; session_hours sets the expiry and is checked,
 * also through `clubcrm admin settings session-hours N`.
 * Expiry itself is in tests/unit/test_login_tokens.c (a clock argument).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "ittools.h"
#include "rawconn.h"
#include "status.h"
#include "timeutil.h"

#define TOKEN_BYTES 32

static struct harness h;
static struct client_sync *admin;

static int group_setup(void **state)
{
	/* Refused tokens are answered after the base delay: short here. */
	h.extra[0] = "--login-backoff-ms";
	h.extra[1] = "100";
	h.extra[2] = "--login-backoff-max-ms";
	h.extra[3] = "400";
	struct client_status st;
	if (harness_start(&h) ||
	    harness_login(&h, "fermin", &admin, &st) != STATUS_OK)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	if (admin)
		client_sync_close(admin);
	harness_cleanup(&h);
	return 0;
}

/* A connection from `src` (NULL: 127.0.0.1) past Hello. */
static void open_from(struct rawconn *rc, const char *src)
{
	it_raw_open(rc, h.address, src);
}

/* The next frame that is not a Ping. */
static Clubcrm__Frame *next_frame(struct rawconn *rc)
{
	Clubcrm__Frame *f;
	while ((f = raw_recv(rc, 30000)) &&
	       f->body_case == CLUBCRM__FRAME__BODY_PING)
		clubcrm__frame__free_unpacked(f, NULL);
	assert_non_null(f);
	return f;
}

/*
 * One Login on `rc` with a password and/or a token: its status (0 for
 * LoginOk, whose frame goes to *ok when not NULL) and its time in *ms.
 */
static unsigned login_on(struct rawconn *rc, const char *login,
			 const char *password, const uint8_t *token,
			 size_t token_len, Clubcrm__Frame **ok, uint64_t *ms)
{
	static uint64_t rid = 100;
	Clubcrm__Login l = CLUBCRM__LOGIN__INIT;
	l.login = (char *)login;
	l.password = (char *)password;
	l.has_resume_token = token != NULL;
	l.resume_token.data = (uint8_t *)token;
	l.resume_token.len = token_len;
	Clubcrm__Frame req = CLUBCRM__FRAME__INIT;
	req.has_request_id = true;
	req.request_id = ++rid;
	req.body_case = CLUBCRM__FRAME__BODY_LOGIN;
	req.login = &l;
	struct buf out = {0};
	raw_put_frame(&out, &req);
	uint64_t t0 = time_mono_ms();
	assert_int_equal(raw_send(rc, out.data, out.len), 0);
	buf_free(&out);
	Clubcrm__Frame *f = next_frame(rc);
	if (ms)
		*ms = time_mono_ms() - t0;
	assert_int_equal(f->request_id, rid);
	unsigned code = STATUS_OK;
	if (f->body_case == CLUBCRM__FRAME__BODY_ERROR) {
		code = f->error->code;
	} else {
		assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_LOGIN_OK);
		if (ok) {
			*ok = f;
			return code;
		}
	}
	clubcrm__frame__free_unpacked(f, NULL);
	return code;
}

/* A token login from a new connection from `src`: its status. */
static unsigned token_login(const char *src, const char *login,
			    const uint8_t *token, size_t len)
{
	struct rawconn rc;
	open_from(&rc, src);
	unsigned code = login_on(&rc, login, NULL, token, len, NULL, NULL);
	raw_close(&rc);
	return code;
}

/* A password login of `login` on a new connection (left open in *rc when
 * not NULL): its token and expiry. */
static void get_token(const char *login, struct rawconn *keep,
		      uint8_t token[TOKEN_BYTES], int64_t *expires)
{
	struct rawconn rc;
	open_from(&rc, NULL);
	Clubcrm__Frame *f = NULL;
	assert_int_equal(login_on(&rc, login, HARNESS_PASSWORD, NULL, 0, &f,
				  NULL), STATUS_OK);
	Clubcrm__LoginOk *ok = f->login_ok;
	assert_true(ok->has_resume_token);
	assert_int_equal(ok->resume_token.len, TOKEN_BYTES);
	assert_true(ok->has_resume_expires);
	memcpy(token, ok->resume_token.data, TOKEN_BYTES);
	if (expires)
		*expires = ok->resume_expires;
	clubcrm__frame__free_unpacked(f, NULL);
	if (keep)
		*keep = rc;
	else
		raw_close(&rc);
}

/* UpsertOperator by the admin: active (-1 unchanged), role (0 unchanged),
 * password (NULL unchanged). */
static void upsert(const char *login, int active, int role,
		   const char *password)
{
	it_upsert_operator(admin, login, active, role, password);
}

/* UpdateSettings { session_hours }: its status. */
static unsigned set_session_hours(uint32_t hours)
{
	Clubcrm__Settings set = CLUBCRM__SETTINGS__INIT;
	set.has_session_hours = true;
	set.session_hours = hours;
	Clubcrm__UpdateSettings u = CLUBCRM__UPDATE_SETTINGS__INIT;
	u.settings = &set;
	Clubcrm__Frame req, *reply = NULL;
	struct client_status st;
	it_frame(&req, CLUBCRM__FRAME__BODY_UPDATE_SETTINGS, &u);
	unsigned code = client_sync_call(admin, &req, &reply, &st);
	if (code == STATUS_OK) {
		assert_int_equal(reply->catalog->settings->session_hours,
				 hours);
	}
	if (reply)
		clubcrm__frame__free_unpacked(reply, NULL);
	return code;
}

/*
 * The token of a password login opens a session on another connection: the
 * same token and expiry come back, the session is served, and the log says
 * it went by token (no Argon2id). Ten of them take less than the time ten
 * password checks would on an idle machine, with a wide margin.
 */
static void test_token_login(void **state)
{
	uint8_t token[TOKEN_BYTES];
	int64_t expires, now = time_now();
	get_token("alicia", NULL, token, &expires);
	/* The default: twelve hours. */
	assert_in_range(expires, now + 12 * 3600 - 60, now + 12 * 3600 + 60);
	unsigned before = harness_log_count(&h, "alicia logged in by resume "
					       "token");
	struct rawconn rc;
	open_from(&rc, NULL);
	Clubcrm__Frame *f = NULL;
	uint64_t ms;
	assert_int_equal(login_on(&rc, "alicia", NULL, token, TOKEN_BYTES, &f,
				  &ms), STATUS_OK);
	assert_true(f->login_ok->has_resume_token);
	assert_memory_equal(f->login_ok->resume_token.data, token,
			    TOKEN_BYTES);
	assert_int_equal(f->login_ok->resume_expires, expires);
	assert_string_equal(f->login_ok->operator_->login, "alicia");
	clubcrm__frame__free_unpacked(f, NULL);
	/* Served like any session. */
	Clubcrm__GetCatalog get = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame req;
	it_frame(&req, CLUBCRM__FRAME__BODY_GET_CATALOG, &get);
	req.has_request_id = true;
	req.request_id = 9;
	struct buf out = {0};
	raw_put_frame(&out, &req);
	assert_int_equal(raw_send(&rc, out.data, out.len), 0);
	buf_free(&out);
	f = next_frame(&rc);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_CATALOG);
	clubcrm__frame__free_unpacked(f, NULL);
	raw_close(&rc);
	/* The case of the login does not matter, as for passwords. */
	assert_int_equal(token_login(NULL, "ALICIA", token, TOKEN_BYTES),
			 STATUS_OK);
	uint64_t t0 = time_mono_ms();
	for (int i = 0; i < 10; i++)
		assert_int_equal(token_login(NULL, "alicia", token,
					     TOKEN_BYTES), STATUS_OK);
	assert_true(time_mono_ms() - t0 < 10 * 1000);
	assert_int_equal(harness_log_count(&h, "alicia logged in by resume "
					      "token"), before + 12);
}

/* After a restart (what the tokens are for): the token still opens. */
static void test_token_after_restart(void **state)
{
	uint8_t token[TOKEN_BYTES];
	get_token("valentina", NULL, token, NULL);
	client_sync_close(admin);
	admin = NULL;
	assert_int_equal(harness_restart(&h), 0);
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &admin, &st), STATUS_OK);
	assert_int_equal(token_login(NULL, "valentina", token, TOKEN_BYTES),
			 STATUS_OK);
}

/*
 * Refused like a wrong password: a forged token, a cut one, one of another
 * login, an unknown login. Both a password and a token, or neither: a
 * malformed Login.
 */
static void test_token_refused(void **state)
{
	uint8_t token[TOKEN_BYTES], forged[TOKEN_BYTES];
	get_token("deborah", NULL, token, NULL);
	memcpy(forged, token, TOKEN_BYTES);
	forged[7] ^= 0x01;
	const char *src = "127.0.0.6";
	assert_int_equal(token_login(src, "deborah", forged, TOKEN_BYTES),
			 STATUS_UNAUTHENTICATED);
	assert_int_equal(token_login(src, "deborah", token, TOKEN_BYTES - 1),
			 STATUS_UNAUTHENTICATED);
	assert_int_equal(token_login(src, "deborah", token, 0),
			 STATUS_UNAUTHENTICATED);
	assert_int_equal(token_login(src, "alicia", token, TOKEN_BYTES),
			 STATUS_UNAUTHENTICATED);
	assert_int_equal(token_login(src, "nobody", token, TOKEN_BYTES),
			 STATUS_UNAUTHENTICATED);
	struct rawconn rc;
	open_from(&rc, src);
	assert_int_equal(login_on(&rc, "deborah", HARNESS_PASSWORD, token,
				  TOKEN_BYTES, NULL, NULL),
			 STATUS_INVALID_ARGUMENT);
	assert_int_equal(login_on(&rc, "deborah", NULL, NULL, 0, NULL, NULL),
			 STATUS_INVALID_ARGUMENT);
	raw_close(&rc);
	/* The right one still opens. */
	assert_int_equal(token_login(src, "deborah", token, TOKEN_BYTES),
			 STATUS_OK);
}

/*
 * A refused token is answered at once and is no strike against the login:
 * 32 random bytes cannot be guessed, and a desk whose token expired or was
 * dropped must fall back to its password without waiting (a restart of
 * 200 desks took 11.9 s when each such refusal cost the failed-login delay
 * and a strike). A valid token still opens where wrong passwords blocked
 * the login: it proves the desk.
 */
static void test_token_refusal_not_throttled(void **state)
{
	(void)state;
	uint8_t token[TOKEN_BYTES], forged[TOKEN_BYTES] = {0};
	get_token("valentina", NULL, token, NULL);
	const char *src = "127.0.0.7";
	struct rawconn rc;
	open_from(&rc, src);
	for (int i = 0; i < 12; i++) {
		uint64_t ms = 0;
		forged[0] = (uint8_t)i;
		assert_int_equal(login_on(&rc, "valentina", NULL, forged,
					  TOKEN_BYTES, NULL, &ms),
				 STATUS_UNAUTHENTICATED);
		/* The failed-login delay is 100 ms here, growing to 400. */
		assert_true(ms < 90);
	}
	/* No strike: the password from there is not held back. */
	uint64_t ms = 0;
	assert_int_equal(login_on(&rc, "valentina", HARNESS_PASSWORD, NULL, 0,
				  NULL, &ms), STATUS_OK);
	raw_close(&rc);
	/* Ten wrong passwords block the login from there; its token opens. */
	for (int i = 0; i < 10; i++) {
		open_from(&rc, src);
		assert_int_equal(login_on(&rc, "valentina", "wrong", NULL, 0,
					  NULL, NULL), STATUS_UNAUTHENTICATED);
		raw_close(&rc);
	}
	open_from(&rc, src);
	assert_int_equal(login_on(&rc, "valentina", HARNESS_PASSWORD, NULL, 0,
				  NULL, NULL), STATUS_UNAVAILABLE);
	raw_close(&rc);
	assert_int_equal(token_login(src, "valentina", token, TOKEN_BYTES),
			 STATUS_OK);
}

/* Logout revokes the session's token, durably before its GoAway. */
static void test_token_logout(void **state)
{
	uint8_t token[TOKEN_BYTES], other[TOKEN_BYTES];
	struct rawconn rc;
	get_token("maribel", &rc, token, NULL);
	get_token("maribel", NULL, other, NULL);
	Clubcrm__Logout lo = CLUBCRM__LOGOUT__INIT;
	Clubcrm__Frame req = CLUBCRM__FRAME__INIT;
	req.has_request_id = true;
	req.request_id = 42;
	req.body_case = CLUBCRM__FRAME__BODY_LOGOUT;
	req.logout = &lo;
	struct buf out = {0};
	raw_put_frame(&out, &req);
	assert_int_equal(raw_send(&rc, out.data, out.len), 0);
	buf_free(&out);
	Clubcrm__Frame *f = next_frame(&rc);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_GO_AWAY);
	assert_int_equal(f->request_id, 42);
	assert_int_equal(f->go_away->code, STATUS_OK);
	assert_string_equal(f->go_away->reason, "logged out");
	clubcrm__frame__free_unpacked(f, NULL);
	assert_true(raw_wait_closed(&rc, 10000, NULL));
	raw_close(&rc);
	assert_int_equal(token_login("127.0.0.9", "maribel", token,
				     TOKEN_BYTES), STATUS_UNAUTHENTICATED);
	/* Her other session's token is not that one. */
	assert_int_equal(token_login("127.0.0.9", "maribel", other,
				     TOKEN_BYTES), STATUS_OK);
	/* A session resumed by token revokes it at Logout too. */
	open_from(&rc, "127.0.0.9");
	assert_int_equal(login_on(&rc, "maribel", NULL, other, TOKEN_BYTES,
				  NULL, NULL), STATUS_OK);
	raw_put_frame(&out, &req);
	assert_int_equal(raw_send(&rc, out.data, out.len), 0);
	buf_free(&out);
	f = next_frame(&rc);
	assert_int_equal(f->body_case, CLUBCRM__FRAME__BODY_GO_AWAY);
	assert_int_equal(f->go_away->code, STATUS_OK);
	clubcrm__frame__free_unpacked(f, NULL);
	raw_close(&rc);
	assert_int_equal(token_login("127.0.0.9", "maribel", other,
				     TOKEN_BYTES), STATUS_UNAUTHENTICATED);
}

/* An admin's password reset, role change or deactivation revokes every
 * token of that operator; another operator's stay. */
static void test_token_revoked_by_admin(void **state)
{
	uint8_t t1[TOKEN_BYTES], t2[TOKEN_BYTES], kept[TOKEN_BYTES];
	const char *src = "127.0.0.10";
	get_token("alicia", NULL, t1, NULL);
	get_token("alicia", NULL, t2, NULL);
	get_token("deborah", NULL, kept, NULL);
	upsert("alicia", -1, 0, HARNESS_PASSWORD);  /* a reset, same words */
	assert_int_equal(token_login(src, "alicia", t1, TOKEN_BYTES),
			 STATUS_UNAUTHENTICATED);
	assert_int_equal(token_login(src, "alicia", t2, TOKEN_BYTES),
			 STATUS_UNAUTHENTICATED);
	assert_int_equal(token_login(src, "deborah", kept, TOKEN_BYTES),
			 STATUS_OK);

	get_token("alicia", NULL, t1, NULL);
	upsert("alicia", -1, CLUBCRM__ROLE__ROLE_ADMIN, NULL);
	assert_int_equal(token_login(src, "alicia", t1, TOKEN_BYTES),
			 STATUS_UNAUTHENTICATED);
	upsert("alicia", -1, CLUBCRM__ROLE__ROLE_OPERATOR, NULL);

	get_token("alicia", NULL, t1, NULL);
	upsert("alicia", 0, 0, NULL);
	upsert("alicia", 1, 0, NULL);  /* back, but the token stays dead */
	assert_int_equal(token_login(src, "alicia", t1, TOKEN_BYTES),
			 STATUS_UNAUTHENTICATED);
}

/* session_hours: 1 to 72, and new tokens expire that much later. */
static void test_session_hours(void **state)
{
	assert_int_equal(set_session_hours(0), STATUS_INVALID_ARGUMENT);
	assert_int_equal(set_session_hours(73), STATUS_INVALID_ARGUMENT);
	assert_int_equal(set_session_hours(100000), STATUS_INVALID_ARGUMENT);
	assert_int_equal(set_session_hours(72), STATUS_OK);
	assert_int_equal(set_session_hours(1), STATUS_OK);
	uint8_t token[TOKEN_BYTES];
	int64_t expires, now = time_now();
	get_token("valentina", NULL, token, &expires);
	assert_in_range(expires, now + 3600 - 60, now + 3600 + 60);
	assert_int_equal(set_session_hours(12), STATUS_OK);
}

/* `clubcrm --user fermin admin settings session-hours HOURS`: its exit
 * code, stdout+stderr in out[4096]. */
static int cli_session_hours(const char *hours, char *out)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/cli.out", h.dir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_RDONLY);
		if (fd < 0 || null < 0)
			_exit(126);
		dup2(null, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		setenv("CLUBCRM_SERVER", h.address, 1);
		setenv("CLUBCRM_USER", "fermin", 1);
		setenv("CLUBCRM_PASSWORD", HARNESS_PASSWORD, 1);
		execl(CLUBCRM_CLI_PATH, "clubcrm", "admin", "settings",
		      "session-hours", hours, (char *)NULL);
		_exit(127);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (f) {
		size_t n = fread(out, 1, 4095, f);
		out[n] = '\0';
		fclose(f);
	}
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_cli_session_hours(void **state)
{
	char out[4096];
	assert_int_equal(cli_session_hours("24", out), 0);
	assert_non_null(strstr(out, "session-hours        24"));
	assert_int_equal(cli_session_hours("0", out), 1);
	assert_non_null(strstr(out, "session_hours must be 1 to 72"));
	assert_int_equal(cli_session_hours("73", out), 1);
	assert_int_equal(cli_session_hours("many", out), 2);
	assert_int_equal(cli_session_hours("12", out), 0);
	assert_non_null(strstr(out, "session-hours        12"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_login),
		cmocka_unit_test(test_token_after_restart),
		cmocka_unit_test(test_token_refused),
		cmocka_unit_test(test_token_refusal_not_throttled),
		cmocka_unit_test(test_token_logout),
		cmocka_unit_test(test_token_revoked_by_admin),
		cmocka_unit_test(test_session_hours),
		cmocka_unit_test(test_cli_session_hours),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
