/*
 * TLS end to end: clubcrmd with --tls-cert/--tls-key on its TCP listener
 * (certificates made in-process, itcert.c) and the real client library,
 * synchronous and live, and the clubcrm command line with --ca-file. A
 * certificate from another CA, for another name, or from no CA we were
 * given is refused before anything of ours is sent; a plain client is told
 * that the server wants TLS; the server goes on serving the others.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "harness.h"
#include "ittools.h"
#include "live.h"
#include "status.h"
#include "timeutil.h"

#ifndef CLUBCRM_CLI_PATH
#error "CMake passes CLUBCRM_CLI_PATH, the clubcrm binary under test"
#endif

#define WAIT_MS 10000u
#define OUT_MAX 4096

static struct harness h;

static int group_setup(void **state)
{
	(void)state;
	if (harness_tls(&h) < 0)
		return -1;
	return harness_start(&h);
}

static int group_teardown(void **state)
{
	(void)state;
	harness_cleanup(&h);
	return 0;
}

/* A logged-in (as fermin) connection with these TLS settings. */
static unsigned open_with(const char *address, const char *ca_file,
			  const char *server_name, struct client_sync **out,
			  struct client_status *st)
{
	struct client_sync_options o = {
		.address = address, .login = "fermin",
		.password = HARNESS_PASSWORD,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
		.timeout_ms = WAIT_MS,
		.ca_file = ca_file, .server_name = server_name,
	};
	*out = NULL;
	return client_sync_open(&o, out, st);
}

/* Refused: the code, nothing left open, and `why` in the message. */
static void assert_refused(const char *address, const char *ca_file,
			   const char *server_name, unsigned code,
			   const char *why)
{
	struct client_sync *s;
	struct client_status st;
	unsigned got = open_with(address, ca_file, server_name, &s, &st);
	if (got != code || !strstr(st.message, why))
		fprintf(stderr, "got %u \"%s\", want %u \"...%s...\"\n", got,
			st.message, code, why);
	assert_int_equal(got, code);
	assert_null(s);
	assert_non_null(strstr(st.message, why));
}

/* Still serving: a TLS login and a request. */
static void assert_serving(void)
{
	struct client_sync *s;
	struct client_status st;
	assert_int_equal(harness_login(&h, "alicia", &s, &st), STATUS_OK);
	assert_int_not_equal(it_type_id(s, "Call"), 0);
	client_sync_close(s);
}

/* Lines of the server's log that contain `what`. */
static unsigned log_count(const char *what)
{
	FILE *f = fopen(h.log, "r");
	assert_non_null(f);
	char line[512];
	unsigned n = 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, what))
			n++;
	fclose(f);
	return n;
}

/* Waits for the server to log at least `want` lines with `what`. */
static bool log_reaches(const char *what, unsigned want)
{
	for (uint64_t end = time_mono_ms() + WAIT_MS; time_mono_ms() < end;) {
		if (log_count(what) >= want)
			return true;
		uv_sleep(10);
	}
	return false;
}

/* ------------------------------------------------ a whole session */

struct terminal {
	struct live *live;
	struct live_sub *urgent;
	enum live_state state;
	bool closed;
};

static void on_state(struct live *l, enum live_state st,
		     const struct client_status *why, void *ud)
{
	(void)l;
	(void)why;
	((struct terminal *)ud)->state = st;
}

static void on_closed(struct live *l, void *ud)
{
	(void)l;
	((struct terminal *)ud)->closed = true;
}

static const struct live_callbacks live_cbs = {
	.on_state = on_state, .on_closed = on_closed};

struct wait_for {
	struct terminal *t;
	uint64_t id;     /* 0: the snapshot */
	bool closed;
};

static bool reached(const struct wait_for *w)
{
	if (w->closed)
		return w->t->closed;
	const struct replica *r = live_sub_replica(w->t->urgent);
	if (!w->id)
		return r->synced;
	return replica_get(r, w->id) != NULL;
}

static bool pump(uv_loop_t *loop, const struct wait_for *w)
{
	for (uint64_t end = time_mono_ms() + WAIT_MS; !reached(w);) {
		if (time_mono_ms() > end)
			return false;
		uv_run(loop, UV_RUN_NOWAIT);
		uv_sleep(1);
	}
	return true;
}

/*
 * Login, a task created and read back, and a live view (over its own TLS
 * connection) that receives the new task as a delta.
 */
static void test_session_over_tls(void **state)
{
	(void)state;
	uv_loop_t loop;
	assert_int_equal(uv_loop_init(&loop), 0);
	struct terminal t = {0};
	struct client_config cfg = {
		.address = h.address, .login = "alicia",
		.password = HARNESS_PASSWORD,
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
		.ca_file = h.certs.ca,
	};
	assert_int_equal(live_new(&loop, &cfg, &live_cbs, &t, &t.live), 0);
	Clubcrm__View urgent = CLUBCRM__VIEW__INIT;
	urgent.has_kind = 1;
	urgent.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT;
	assert_int_equal(live_subscribe(t.live, &urgent, NULL, NULL,
					&t.urgent), 0);
	assert_int_equal(live_start(t.live), 0);
	struct wait_for snapshot = {.t = &t};
	assert_true(pump(&loop, &snapshot));
	assert_int_equal(t.state, LIVE_READY);

	struct client_sync *s;
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &s, &st), STATUS_OK);
	const Clubcrm__Operator *op = client_operator(client_sync_client(s));
	assert_non_null(op);
	assert_string_equal(op->login, "fermin");
	struct it_new_task nt = {
		.desc = "Locker 12 does not lock (over TLS)",
		.type_id = it_type_id(s, "Objection"),
		.customer_id = it_customer_id(s, "Arantxa"),
		.planned_at = time_now() + 3600,
	};
	uint64_t id = 0;
	assert_int_equal(it_create_id(s, &nt, &id, &st), STATUS_OK);
	assert_int_not_equal(id, 0);
	Clubcrm__Frame *reply = NULL;
	assert_int_equal(it_get(s, id, &reply, &st), STATUS_OK);
	assert_string_equal(reply->task_reply->row->task->description, nt.desc);
	clubcrm__frame__free_unpacked(reply, NULL);
	client_sync_close(s);

	struct wait_for delta = {.t = &t, .id = id};
	assert_true(pump(&loop, &delta));

	live_close(t.live);
	struct wait_for gone = {.t = &t, .closed = true};
	assert_true(pump(&loop, &gone));
	uv_run(&loop, UV_RUN_NOWAIT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* The name check works for DNS names too (the certificate has localhost). */
static void test_dns_name(void **state)
{
	(void)state;
	char address[80];
	snprintf(address, sizeof(address), "localhost%s",
		 strrchr(h.address, ':'));
	struct client_sync *s;
	struct client_status st;
	assert_int_equal(open_with(address, h.certs.ca, NULL, &s, &st),
			 STATUS_OK);
	client_sync_close(s);
	/* ... and the name given overrides the address's. */
	assert_int_equal(open_with(h.address, h.certs.ca, "localhost", &s,
				   &st), STATUS_OK);
	client_sync_close(s);
}

/* ------------------------------------------------ refusals */

/*
 * A server certificate from a CA we were not given: refused, and before
 * anything of ours went out; our alert tells the server why.
 */
static void test_other_ca_refused(void **state)
{
	(void)state;
	unsigned logins = log_count("logged in");
	unsigned alerts = log_count("unknown ca");
	assert_refused(h.address, h.certs.other_ca, NULL, STATUS_UNAVAILABLE,
		       "certificate verify failed: unable to get local "
		       "issuer certificate");
	assert_true(log_reaches("unknown ca", alerts + 1));
	assert_int_equal(log_count("logged in"), logins);
	assert_serving();
}

/* No CA file but a tls: address: the system's trust store, which does not
 * know our test CA. */
static void test_system_store_refused(void **state)
{
	(void)state;
	char address[80];
	snprintf(address, sizeof(address), "tls:%s", h.address);
	assert_refused(address, NULL, NULL, STATUS_UNAVAILABLE,
		       "certificate verify failed");
}

static void test_wrong_name_refused(void **state)
{
	(void)state;
	assert_refused(h.address, h.certs.ca, "club.example",
		       STATUS_UNAVAILABLE,
		       "certificate verify failed: hostname mismatch");
	assert_refused(h.address, h.certs.ca, "127.0.0.2", STATUS_UNAVAILABLE,
		       "certificate verify failed: IP address mismatch");
	assert_serving();
}

/* A plain client on the TLS listener is told why; the others go on. */
static void test_plain_client_refused(void **state)
{
	(void)state;
	assert_refused(h.address, NULL, NULL, STATUS_UNAVAILABLE,
		       "if it speaks TLS, give a CA file");
	assert_serving();
}

static void test_missing_ca_file(void **state)
{
	(void)state;
	char path[300];
	snprintf(path, sizeof(path), "%s/no-such-ca.pem", h.dir);
	assert_refused(h.address, path, NULL, STATUS_INVALID_ARGUMENT,
		       "CA file");
	assert_refused(h.address, path, NULL, STATUS_INVALID_ARGUMENT,
		       "no-such-ca.pem: No such file or directory");
}

/* ------------------------------------------------ the command line */

/*
 * clubcrm with these words (NULL-terminated), CLUBCRM_CA_FILE set to `env_ca`
 * (NULL: unset); its exit code, stderr in `err`.
 */
static int run_cli(const char *env_ca, char *err, ...)
{
	char *argv[16];
	int argc = 0;
	argv[argc++] = (char *)"clubcrm";
	va_list ap;
	va_start(ap, err);
	const char *a;
	while ((a = va_arg(ap, const char *)) && argc < 15)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	char e[300];
	snprintf(e, sizeof(e), "%s/cli.err", h.dir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setsid();
		int null = open("/dev/null", O_RDWR);
		int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (null < 0 || fe < 0)
			_exit(126);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(fe, STDERR_FILENO);
		setenv("CLUBCRM_SERVER", h.address, 1);
		setenv("CLUBCRM_USER", "fermin", 1);
		setenv("CLUBCRM_PASSWORD", HARNESS_PASSWORD, 1);
		if (env_ca)
			setenv("CLUBCRM_CA_FILE", env_ca, 1);
		else
			unsetenv("CLUBCRM_CA_FILE");
		execv(CLUBCRM_CLI_PATH, argv);
		_exit(127);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	err[0] = '\0';
	FILE *f = fopen(e, "r");
	if (f) {
		size_t n = fread(err, 1, OUT_MAX - 1, f);
		err[n] = '\0';
		fclose(f);
	}
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_cli_ca_file(void **state)
{
	(void)state;
	char err[OUT_MAX];
	assert_int_equal(run_cli(NULL, err, "--ca-file", h.certs.ca,
				 "catalog", (const char *)NULL), 0);
	assert_int_equal(run_cli(h.certs.ca, err, "catalog",
				 (const char *)NULL), 0);
	/* The option after the command, as other global options may be. */
	assert_int_equal(run_cli(NULL, err, "catalog", "--ca-file",
				 h.certs.ca, (const char *)NULL), 0);
	/* The option wins over the environment. */
	assert_int_equal(run_cli(h.certs.ca, err, "--ca-file",
				 h.certs.other_ca, "catalog",
				 (const char *)NULL), 1);
	assert_non_null(strstr(err, "certificate verify failed"));
	assert_int_equal(run_cli(NULL, err, "catalog", (const char *)NULL), 1);
	assert_non_null(strstr(err, "--ca-file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_over_tls),
		cmocka_unit_test(test_dns_name),
		cmocka_unit_test(test_other_ca_refused),
		cmocka_unit_test(test_system_store_refused),
		cmocka_unit_test(test_wrong_name_refused),
		cmocka_unit_test(test_plain_client_refused),
		cmocka_unit_test(test_missing_ca_file),
		cmocka_unit_test(test_cli_ca_file),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
