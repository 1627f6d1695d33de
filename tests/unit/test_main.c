/*
 * The clubcrmd command line, run as a process on temporary directories
 * (no client connects): init, the empty-club refusal, listener checks, the
 * config file, one server per club directory, and a clean SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef CLUBCRMD_PATH
#error "CLUBCRMD_PATH must name the clubcrmd binary"
#endif

static char tmp[64];

static void path_in_tmp(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmp, name);
}

/* Starts clubcrmd with `args` (NULL-terminated), stderr into `log`. */
static pid_t spawn(const char *log, const char *password, char *const args[])
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 2) < 0)
		_exit(127);
	int devnull = open("/dev/null", O_RDWR);
	dup2(devnull, 0);
	dup2(devnull, 1);
	/* No terminal to ask a password on: init must use the variable. */
	setsid();
	if (password)
		setenv("CLUBCRM_ADMIN_PASSWORD", password, 1);
	else
		unsetenv("CLUBCRM_ADMIN_PASSWORD");
	char *argv[32] = { CLUBCRMD_PATH };
	for (int i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	execv(CLUBCRMD_PATH, argv);
	_exit(127);
}

static int wait_exit(pid_t pid)
{
	int status;
	for (int i = 0; i < 3000; i++) {  /* 30 s: Argon2id under ASan */
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status)
						 : 128 + WTERMSIG(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	fail_msg("clubcrmd did not exit");
	return -1;
}

static void read_log(const char *log, char *out, size_t size)
{
	out[0] = '\0';
	FILE *f = fopen(log, "r");
	if (!f)
		return;
	size_t n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
}

/* Runs to the end; returns the exit code, the log in `out`. */
static int run(const char *password, char *out, size_t size,
	       char *const args[])
{
	char log[96];
	path_in_tmp(log, sizeof(log), "run.log");
	int code = wait_exit(spawn(log, password, args));
	read_log(log, out, size);
	return code;
}

static void expect(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" not in:\n%s", needle, text);
}

static void wait_for_line(const char *log, const char *needle)
{
	char text[4096];
	for (int i = 0; i < 3000; i++) {
		read_log(log, text, sizeof(text));
		if (strstr(text, needle))
			return;
		usleep(10000);
	}
	fail_msg("\"%s\" never logged:\n%s", needle, text);
}

static int group_setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/clubcrmd-test-main-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_version_and_help(void **state)
{
	char out[4096];
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "--version", NULL }), 0);
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "--bogus", NULL }), 2);
	expect(out, "--bogus");
}

static void test_empty_club_is_refused(void **state)
{
	char out[4096], data[96];
	path_in_tmp(data, sizeof(data), "empty");
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "--data", data, "--listen",
					 "127.0.0.1:0", NULL }), 1);
	expect(out, "is empty");
	expect(out, "clubcrmd init");
	expect(out, "--demo");
}

static void test_plain_tcp_off_loopback_is_refused(void **state)
{
	char out[4096], data[96];
	path_in_tmp(data, sizeof(data), "club");
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "--data", data, "--listen",
					 "0.0.0.0:0", NULL }), 2);
	expect(out, "refusing plain TCP");
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "--data", data, "--listen", "none",
					 "--web-listen", "none", NULL }), 2);
	expect(out, "nothing to listen on");
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "--data", data, "--web-listen",
					 "0.0.0.0:0", NULL }), 2);
	expect(out, "refusing plain HTTP");
}

static void test_bad_config_file(void **state)
{
	char out[4096], conf[96];
	path_in_tmp(conf, sizeof(conf), "bad.conf");
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fputs("listen = 127.0.0.1:0\nlisten-on = everything\n", f);
	fclose(f);
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "--config", conf, NULL }), 2);
	expect(out, "bad.conf:2");
	expect(out, "listen-on");
}

static void test_init_then_serve_then_stop(void **state)
{
	char out[4096], data[96], sock[96], log[96];
	path_in_tmp(data, sizeof(data), "club");
	path_in_tmp(sock, sizeof(sock), "club.sock");
	path_in_tmp(log, sizeof(log), "serve.log");

	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "init", "--data", data, NULL }), 2);
	expect(out, "--admin");
	/* No variable and no terminal: no way to get a password. */
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "init", "--data", data, "--admin",
					 "maria", NULL }), 1);
	expect(out, "CLUBCRM_ADMIN_PASSWORD");
	assert_int_equal(run("secret-password", out, sizeof(out),
			     (char *[]){ "init", "--data", data, "--admin",
					 "maria", "--club", "Club Deportivo",
					 "--time-zone", "Europe/Madrid",
					 NULL }), 0);
	expect(out, "created club");
	assert_int_equal(run("secret-password", out, sizeof(out),
			     (char *[]){ "init", "--data", data, "--admin",
					 "pepe", NULL }), 1);
	expect(out, "already has operators");

	pid_t pid = spawn(log, NULL, (char *[]){ "--data", data, "--listen",
						 "none", "--socket", sock,
						 "--web-listen", "none",
						 NULL });
	char line[160];
	snprintf(line, sizeof(line), "clubcrmd: listening on unix:%s\n", sock);
	wait_for_line(log, line);
	wait_for_line(log, "Club Deportivo");
	struct stat st;
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);

	/* check and backup work next to the running server. */
	char backup[96], copy_dir[96], copy_db[128];
	path_in_tmp(backup, sizeof(backup), "backup.mdb");
	path_in_tmp(copy_dir, sizeof(copy_dir), "restored");
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "check", "--data", data, NULL }), 0);
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "backup", "--data", data, "--out",
					 backup, NULL }), 0);
	expect(out, "written to");
	/* Beside the server: its last checkpoint, read without waiting. */
	expect(out, "a server is running: the copy is its last checkpoint");
	assert_int_equal(mkdir(copy_dir, 0700), 0);
	snprintf(copy_db, sizeof(copy_db), "%s/data.mdb", copy_dir);
	assert_int_equal(rename(backup, copy_db), 0);
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "check", "--data", copy_dir, NULL }),
			 0);
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "backup", "--data", data, NULL }), 2);
	expect(out, "--out");

	/* A second server on the same club is refused. */
	assert_int_equal(run(NULL, out, sizeof(out),
			     (char *[]){ "--data", data, "--listen",
					 "127.0.0.1:0", NULL }), 1);
	expect(out, "another clubcrmd");

	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(wait_exit(pid), 0);
	read_log(log, out, sizeof(out));
	expect(out, "stopped");
	assert_int_equal(stat(sock, &st), -1);
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_and_help),
		cmocka_unit_test(test_empty_club_is_refused),
		cmocka_unit_test(test_plain_tcp_off_loopback_is_refused),
		cmocka_unit_test(test_bad_config_file),
		cmocka_unit_test(test_init_then_serve_then_stop),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
