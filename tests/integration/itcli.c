#include "itcli.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define ITCLI_ARGS 40

static void slurp(const char *path, char *buf, size_t cap)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void child(const struct itcli *c, char **argv, const char *in,
		  const char *o, const char *e)
{
	/* No controlling terminal: nothing can be asked interactively. */
	setsid();
	int fi = open(in, O_RDONLY);
	int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fi < 0 || fo < 0 || fe < 0)
		_exit(126);
	dup2(fi, STDIN_FILENO);
	dup2(fo, STDOUT_FILENO);
	dup2(fe, STDERR_FILENO);
	setenv("CLUBCRM_SERVER", c->h->address, 1);
	setenv("CLUBCRM_USER", c->user, 1);
	if (c->password)
		setenv("CLUBCRM_PASSWORD", c->password, 1);
	else
		unsetenv("CLUBCRM_PASSWORD");
	unsetenv("CLUBCRM_NEW_PASSWORD");
	execv(c->path, argv);
	_exit(127);
}

int itcli_vrun(struct itcli *c, const char *first, va_list ap)
{
	char *argv[ITCLI_ARGS];
	int argc = 0;
	argv[argc++] = (char *)"clubcrm";
	for (const char *a = first; a && argc < ITCLI_ARGS - 1;
	     a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	char in[256], o[256], e[256];
	snprintf(in, sizeof(in), "%s/%s.in", c->h->dir, c->name);
	snprintf(o, sizeof(o), "%s/%s.out", c->h->dir, c->name);
	snprintf(e, sizeof(e), "%s/%s.err", c->h->dir, c->name);
	if (c->stdin_text) {
		FILE *f = fopen(in, "w");
		assert_non_null(f);
		fputs(c->stdin_text, f);
		fclose(f);
	} else {
		snprintf(in, sizeof(in), "/dev/null");
	}
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(c, argv, in, o, e);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	slurp(o, c->out, c->cap);
	slurp(e, c->err, c->cap);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

int itcli_run(struct itcli *c, const char *first, ...)
{
	va_list ap;
	va_start(ap, first);
	int rc = itcli_vrun(c, first, ap);
	va_end(ap);
	return rc;
}

void itcli_expect_err(const struct itcli *c, const char *text)
{
	if (!strstr(c->err, text))
		fprintf(stderr, "stderr: %s\n", c->err);
	assert_non_null(strstr(c->err, text));
}

void itcli_expect_out(const struct itcli *c, const char *text)
{
	if (!strstr(c->out, text))
		fprintf(stderr, "stdout: %s\n", c->out);
	assert_non_null(strstr(c->out, text));
}

void itcli_assert_refused(const struct itcli *c, const char *code)
{
	char want[64];
	snprintf(want, sizeof(want), "clubcrm: %s:", code);
	itcli_expect_err(c, want);
}

json_t *itcli_json(const struct itcli *c)
{
	json_error_t je;
	json_t *v = json_loads(c->out, 0, &je);
	if (!v)
		fprintf(stderr, "not JSON (%s): %s\nstderr: %s\n", je.text,
			c->out, c->err);
	assert_non_null(v);
	return v;
}

const char *itcli_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	assert_non_null(s);
	return s;
}

long itcli_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	assert_true(json_is_integer(v));
	return (long)json_integer_value(v);
}
