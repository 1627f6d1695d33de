/*
 * Login against an operator record that changes while the password check
 * runs: the real server (on a unix socket, its loop on a second thread)
 * with its test seam (login_seam.h), which runs on the loop thread after
 * the check returned and before the login is granted. The seam makes the
 * admin's change right there, so the race is hit every time, without sleeps.
 * Deactivated, password reset or role changed meanwhile: the login is
 * refused like a deactivated operator's; another change lets it in. The
 * same once the check held and its resume token is queued for the writer
 * (login_seam_token_queued): the change commits first, and the login is refused
 * with no token stored.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client_sync.h"
#include "club_env.h"
#include "club.h"
#include "log.h"
#include "login_seam.h"
#include "server.h"
#include "service.h"
#include "status.h"
#include "store.h"
#include "store_lmdb.h"

/* An admin change of an operator: active (-1: unchanged), role (0:
 * unchanged), password and name (NULL: unchanged). */
struct change {
	const char *login;
	uint64_t id;     /* filled by resolve() */
	int active;
	Clubcrm__Role role;
	const char *password;
	const char *name;
};

static struct {
	char dir[64];
	char address[128];
	struct store *st;
	struct config cfg;
	uv_loop_t loop;
	uv_async_t stop;
	struct server *srv;
	pthread_t thread;
	struct actor admin;
	/* The hook's change, made when `hook.login` logs in (once), and the
	 * outcome of that write (no cmocka asserts on the loop thread). Set
	 * before the login is sent and read after the server received it,
	 * read back after the reply came: the socket orders the threads. */
	struct change hook;
	unsigned hook_calls;
	int hook_rc;
	/* The same, made when the login's token was queued. */
	struct change queued;
	int queued_rc;
} g;

/* The demo operators' ids, read at setup (service_login() refuses an
 * inactive operator, so not later). */
static const char *const logins[] = { "fermin", "maribel", "alicia",
				      "deborah" };
static uint64_t ids[4];

static uint64_t operator_id(const char *login)
{
	for (size_t i = 0; i < 4; i++)
		if (strcmp(logins[i], login) == 0)
			return ids[i];
	fail_msg("no id for %s", login);
	return 0;
}

static int read_ids(void)
{
	for (size_t i = 0; i < 4; i++) {
		struct arena a;
		arena_init(&a);
		Clubcrm__Operator *op = NULL;
		int rc = service_login(g.st, logins[i], "demo", &a, &op);
		ids[i] = rc == 0 ? op->id : 0;
		arena_free(&a);
		if (!ids[i])
			return -1;
	}
	return 0;
}

/*
 * Writes `ch` (resolved) as the admin, straight into the store: the writer
 * is idle, these tests send no other write. 0 when it committed.
 */
static int write_change(const struct change *ch)
{
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	o.has_id = true;
	o.id = ch->id;
	o.has_active = ch->active >= 0;
	o.active = ch->active > 0;
	o.has_role = ch->role != 0;
	o.role = ch->role;
	o.name = (char *)ch->name;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &o;
	u.password = (char *)ch->password;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = 1;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_OPERATOR;
	f.upsert_operator = &u;
	struct service_write_op op = { .who = g.admin, .req = &f };
	int rc = service_write_batch(g.st, &op, 1);
	if (rc == 0 && op.revision == 0)
		rc = -1;  /* refused */
	service_write_op_free(&op);
	return rc;
}

static void apply(struct change ch)
{
	ch.id = operator_id(ch.login);
	assert_int_equal(write_change(&ch), 0);
}

/* On the loop thread, between the password check and the grant: defines
 * login.c's weak seam. */
void login_seam_checked(struct server *srv, const char *login)
{
	g.hook_calls++;
	if (!g.hook.login || strcmp(g.hook.login, login) != 0)
		return;
	g.hook_rc = write_change(&g.hook);
	g.hook.login = NULL;
}

/* On the loop thread, between the token's queueing and its batch: the
 * writer is not running, so the store may be written from here. */
void login_seam_token_queued(struct server *srv, const char *login)
{
	if (!g.queued.login || strcmp(g.queued.login, login) != 0)
		return;
	g.queued_rc = write_change(&g.queued);
	g.queued.login = NULL;
}

static void on_stop(uv_async_t *a)
{
	server_stop(g.srv);
	uv_close((uv_handle_t *)a, NULL);
}

static void *run_loop(void *arg)
{
	uv_run(&g.loop, UV_RUN_DEFAULT);
	return arg;
}

static int group_setup(void **state)
{
	log_set_level(LOG_WARN);
	snprintf(g.dir, sizeof(g.dir), "/tmp/clubcrmd-test-login-XXXXXX");
	if (!mkdtemp(g.dir) || store_open(g.dir, 64u << 20, &g.st) < 0 ||
	    club_seed_demo(g.st) < 0 || read_ids() < 0)
		return -1;
	g.admin.operator_id = operator_id("fermin");
	g.admin.role = CLUBCRM__ROLE__ROLE_ADMIN;
	g.admin.now = 1700000000;
	config_defaults(&g.cfg);
	snprintf(g.cfg.listen, sizeof(g.cfg.listen), "none");
	snprintf(g.cfg.web_listen, sizeof(g.cfg.web_listen), "none");
	snprintf(g.cfg.socket_path, sizeof(g.cfg.socket_path), "%s/sock",
		 g.dir);
	snprintf(g.address, sizeof(g.address), "unix:%s", g.cfg.socket_path);
	g.cfg.login_backoff_ms = 1;  /* refusals answered at once */
	g.srv = malloc(sizeof(*g.srv));
	if (!g.srv || uv_loop_init(&g.loop) < 0 ||
	    server_init(g.srv, &g.loop, &g.cfg, g.st) < 0)
		return -1;
	if (uv_async_init(&g.loop, &g.stop, on_stop) < 0 ||
	    server_start(g.srv) < 0 ||
	    pthread_create(&g.thread, NULL, run_loop, NULL) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	uv_async_send(&g.stop);
	pthread_join(g.thread, NULL);
	server_fini(g.srv);
	free(g.srv);
	int closed = uv_loop_close(&g.loop);
	store_close(g.st);
	club_env_rmdir(g.dir);
	return closed == 0 ? 0 : -1;
}

static unsigned login_status(const char *login)
{
	struct client_sync_options o = {
		.address = g.address, .login = login, .password = "demo",
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
	};
	struct client_sync *s = NULL;
	struct client_status st;
	unsigned code = client_sync_open(&o, &s, &st);
	client_sync_close(s);
	return code;
}

/* Logs in as ch->login with `ch` made during the check: the status. */
static unsigned login_while(struct change ch)
{
	unsigned before = g.hook_calls;
	ch.id = operator_id(ch.login);
	g.hook_rc = -1;
	g.hook = ch;
	unsigned code = login_status(ch.login);
	/* The change was made, from the hook. */
	assert_null(g.hook.login);
	assert_int_equal(g.hook_rc, 0);
	assert_int_equal(g.hook_calls, before + 1);
	return code;
}

static void test_unchanged(void **state)
{
	unsigned before = g.hook_calls;
	assert_int_equal(login_status("valentina"), STATUS_OK);
	assert_int_equal(g.hook_calls, before + 1);
}

static void test_deactivated_during_check(void **state)
{
	struct change off = { "maribel", 0, 0, 0, NULL, NULL };
	assert_int_equal(login_while(off), STATUS_UNAUTHENTICATED);
	struct change on = { "maribel", 0, 1, 0, NULL, NULL };
	apply(on);
	assert_int_equal(login_status("maribel"), STATUS_OK);
}

/* Reset to the same text: the credential still changed (a new salt), as
 * the sessions it ends would see it. */
static void test_password_reset_during_check(void **state)
{
	struct change reset = { "alicia", 0, -1, 0, "demo", NULL };
	assert_int_equal(login_while(reset), STATUS_UNAUTHENTICATED);
	assert_int_equal(login_status("alicia"), STATUS_OK);
}

static void test_role_changed_during_check(void **state)
{
	struct change admin = { "deborah", 0, -1, CLUBCRM__ROLE__ROLE_ADMIN,
				NULL, NULL };
	assert_int_equal(login_while(admin), STATUS_UNAUTHENTICATED);
	struct change back = { "deborah", 0, -1, CLUBCRM__ROLE__ROLE_OPERATOR,
			       NULL, NULL };
	apply(back);
	assert_int_equal(login_status("deborah"), STATUS_OK);
}

/* Another change of the operator does not touch the login. */
static void test_renamed_during_check(void **state)
{
	struct change rename = { "deborah", 0, -1, 0, NULL, "Débora" };
	assert_int_equal(login_while(rename), STATUS_OK);
}

/* Logs in as ch->login with `ch` made once its token was queued. */
static unsigned login_while_queued(struct change ch)
{
	ch.id = operator_id(ch.login);
	g.queued_rc = -1;
	g.queued = ch;
	unsigned code = login_status(ch.login);
	assert_null(g.queued.login);
	assert_int_equal(g.queued_rc, 0);
	return code;
}

/* Resume tokens stored for an operator (all of them: only hashes). */
static size_t tokens_stored(uint64_t op_id)
{
	size_t n = 0;
	/* Without the tokens, only the database's entries can be counted. */
	struct txn t;
	txn_begin(&t, g.st, NULL, false);
	MDB_cursor *c;
	assert_int_equal(mdb_cursor_open(t.txn, txn_dbi(&t, DB_RESUME_TOKENS),
					 &c), 0);
	MDB_val k, v;
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if (k.mv_size >= 8 && key_get_u64(k.mv_data) == op_id)
			n++;
	mdb_cursor_close(c);
	txn_abort(&t);
	return n;
}

static void test_deactivated_while_token_queued(void **state)
{
	struct change off = { "maribel", 0, 0, 0, NULL, NULL };
	assert_int_equal(login_while_queued(off), STATUS_UNAUTHENTICATED);
	assert_int_equal(tokens_stored(operator_id("maribel")), 0);
	struct change on = { "maribel", 0, 1, 0, NULL, NULL };
	apply(on);
	assert_int_equal(login_status("maribel"), STATUS_OK);
	assert_int_equal(tokens_stored(operator_id("maribel")), 1);
}

static void test_password_reset_while_token_queued(void **state)
{
	struct change reset = { "alicia", 0, -1, 0, "demo", NULL };
	assert_int_equal(login_while_queued(reset), STATUS_UNAUTHENTICATED);
	assert_int_equal(login_status("alicia"), STATUS_OK);
}

static void test_role_changed_while_token_queued(void **state)
{
	struct change admin = { "deborah", 0, -1, CLUBCRM__ROLE__ROLE_ADMIN,
				NULL, NULL };
	assert_int_equal(login_while_queued(admin), STATUS_UNAUTHENTICATED);
	struct change back = { "deborah", 0, -1, CLUBCRM__ROLE__ROLE_OPERATOR,
			       NULL, NULL };
	apply(back);
	assert_int_equal(login_status("deborah"), STATUS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged),
		cmocka_unit_test(test_deactivated_during_check),
		cmocka_unit_test(test_password_reset_during_check),
		cmocka_unit_test(test_role_changed_during_check),
		cmocka_unit_test(test_renamed_during_check),
		cmocka_unit_test(test_deactivated_while_token_queued),
		cmocka_unit_test(test_password_reset_while_token_queued),
		cmocka_unit_test(test_role_changed_while_token_queued),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
