/*
 * server/log.c: one line per message with its level; under systemd's
 * journal (JOURNAL_STREAM naming stderr) each line starts with "<N>".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "log.h"

static char path[] = "/tmp/clubcrm-test-log-XXXXXX";
static int saved_stderr = -1;

/* Sends stderr to a fresh temporary file; capture_end() reads it back. */
static void capture_start(void)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(fileno(stderr));
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fd, fileno(stderr)) >= 0);
	close(fd);
}

static char *capture_end(void)
{
	fflush(stderr);
	static char text[4096];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink(path);
	memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	/* cmocka reports on the test's own stderr again. */
	assert_true(dup2(saved_stderr, fileno(stderr)) >= 0);
	close(saved_stderr);
	return text;
}

static void test_plain_lines_and_levels(void **state)
{
	(void)state;
	unsetenv("JOURNAL_STREAM");
	capture_start();
	log_set_level(LOG_INFO);
	log_debug("hidden %d", 1);
	log_info("shown %d", 2);
	log_error("broken");
	assert_string_equal(capture_end(),
			    "clubcrmd: info: shown 2\nclubcrmd: error: broken\n");
}

static void test_journal_priorities(void **state)
{
	(void)state;
	capture_start();
	struct stat st;
	assert_int_equal(fstat(fileno(stderr), &st), 0);
	char js[64];
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	log_set_level(LOG_DEBUG);
	log_debug("d");
	log_warn("w");
	log_error("e");
	assert_string_equal(capture_end(), "<7>clubcrmd: debug: d\n"
					   "<4>clubcrmd: warn: w\n"
					   "<3>clubcrmd: error: e\n");
	unsetenv("JOURNAL_STREAM");
}

static void test_other_stream_is_not_the_journal(void **state)
{
	(void)state;
	setenv("JOURNAL_STREAM", "1:2", 1);
	capture_start();
	log_set_level(LOG_INFO);
	log_warn("w");
	assert_string_equal(capture_end(), "clubcrmd: warn: w\n");
	unsetenv("JOURNAL_STREAM");
}

static void test_level_names(void **state)
{
	(void)state;
	enum log_level l;
	assert_int_equal(log_level_parse("warning", &l), 0);
	assert_int_equal(l, LOG_WARN);
	assert_int_equal(log_level_parse("loud", &l), -EINVAL);
	assert_string_equal(log_level_name(LOG_ERROR), "error");
	assert_string_equal(log_level_name((enum log_level)9), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_lines_and_levels),
		cmocka_unit_test(test_journal_priorities),
		cmocka_unit_test(test_other_stream_is_not_the_journal),
		cmocka_unit_test(test_level_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
