/*
 * The password prompt, on a pseudo-terminal: echo off while reading, the
 * terminal put back, over-long lines and the end of input refused.
 */
#include <errno.h>
#include <pthread.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "passprompt.h"

struct pty {
	int master, slave;
	FILE *tty;
	const char *input;  /* typed once echo is off */
	size_t input_len;
	pthread_t typist;
};

/* Types `input` once the prompt turned echo off: input sent earlier would
 * be flushed by the prompt's own TCSAFLUSH. */
static void *type(void *arg)
{
	struct pty *p = arg;
	struct timespec ms = {0, 1000000};
	for (int i = 0; i < 20000; i++) {  /* 20 s at most */
		struct termios t;
		if (tcgetattr(p->slave, &t) == 0 && !(t.c_lflag & ECHO))
			break;
		nanosleep(&ms, NULL);
	}
	if (write(p->master, p->input, p->input_len) < 0)
		return NULL;
	return NULL;
}

static void pty_open(struct pty *p, const char *input, size_t len)
{
	assert_int_equal(openpty(&p->master, &p->slave, NULL, NULL, NULL), 0);
	p->tty = fdopen(dup(p->slave), "r+");
	assert_non_null(p->tty);
	p->input = input;
	p->input_len = len;
	assert_int_equal(pthread_create(&p->typist, NULL, type, p), 0);
}

/* What the terminal showed (prompt and echo), into buf. */
static void pty_close(struct pty *p, char *shown, size_t size)
{
	pthread_join(p->typist, NULL);
	struct termios t;
	assert_int_equal(tcgetattr(p->slave, &t), 0);
	assert_true(t.c_lflag & ECHO);  /* put back */
	fclose(p->tty);
	close(p->slave);
	ssize_t n = read(p->master, shown, size - 1);
	shown[n > 0 ? n : 0] = '\0';
	close(p->master);
}

static void test_reads_without_echo(void **state)
{
	(void)state;
	struct pty p;
	char out[64], shown[256];
	pty_open(&p, "s3cret pw\n", 10);
	assert_int_equal(passprompt_read(p.tty, "Password: ", out, sizeof(out)),
			 0);
	assert_string_equal(out, "s3cret pw");
	pty_close(&p, shown, sizeof(shown));
	assert_non_null(strstr(shown, "Password: "));
	assert_null(strstr(shown, "s3cret"));
}

static void test_too_long(void **state)
{
	(void)state;
	struct pty p;
	char out[8], shown[256];
	pty_open(&p, "0123456789abcdef\n", 17);
	assert_int_equal(passprompt_read(p.tty, "pw: ", out, sizeof(out)),
			 -EMSGSIZE);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);
	pty_close(&p, shown, sizeof(shown));
}

static void test_end_of_input(void **state)
{
	(void)state;
	struct pty p;
	char out[8], shown[256];
	pty_open(&p, "\x04", 1);  /* ^D on an empty line */
	assert_int_equal(passprompt_read(p.tty, "pw: ", out, sizeof(out)),
			 -EIO);
	pty_close(&p, shown, sizeof(shown));
}

static void test_not_a_terminal(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	FILE *f = fdopen(fds[0], "r");
	char out[8];
	assert_int_equal(passprompt_read(f, "pw: ", out, sizeof(out)),
			 -ENOTTY);
	assert_int_equal(passprompt_read(f, "pw: ", out, 1), -EINVAL);
	fclose(f);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_without_echo),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_end_of_input),
		cmocka_unit_test(test_not_a_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
