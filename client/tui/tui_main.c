/*
 * Entry points: asks for what the command line did not give (the login, and
 * the password without echo) on the plain terminal, then runs the screen.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tui.h"
#include "tui_app.h"

#define ANSWER_MAX 256

static int ask(const char *prompt, bool hidden, char *out, size_t size)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	if (hidden && tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	char *got = fgets(out, (int)size, stdin);
	if (hidden && tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	if (!got)
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static void usage(bool console)
{
	printf("clubcrm %s: the %s\n\n", console ? "console" : "desk",
	       console ? "manager's screen of urgent tasks" : "reception terminal");
	if (console) {
		printf("Keys: Tab switch list, arrows move, t take/release, "
		       "r reassign, Enter info, q quit\n");
		return;
	}
	printf("Keys: F1-F7 (or 1-7) quick buttons: all tasks, urgent, contacts, "
	       "in preparation,\n  overdue, agenda, operators' agendas. Arrows move, "
	       "Enter info (edit, history),\n  n new task, N new note, c copy, "
	       "f follow up, t take/release, x cancel, g tags,\n  p customer profile, "
	       "/ filter, a mine/everyone's, q quit. The mouse selects and opens.\n"
	       "In forms: Tab/arrows field, Left/Right choose, type to search, "
	       "Ctrl-S save, Esc cancel.\n");
}

static int run(const struct tui_options *opts, int argc, char **argv,
	       bool console)
{
	char user[ANSWER_MAX], password[ANSWER_MAX];
	struct tui_options o = *opts;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(console);
			return 0;
		}
		fprintf(stderr, "clubcrm: unexpected argument '%s'\n", argv[i]);
		return 2;
	}
	if (!o.server || !o.server[0]) {
		fprintf(stderr, "clubcrm: no server address\n");
		return 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "clubcrm: the %s needs a terminal\n",
			console ? "console" : "desk");
		return 2;
	}
	if (!o.user || !o.user[0]) {
		if (ask("Login: ", false, user, sizeof(user)) < 0)
			return 2;
		o.user = user;
	}
	if (!o.password) {
		if (ask("Password: ", true, password, sizeof(password)) < 0)
			return 2;
		o.password = password;
	}
	setlocale(LC_ALL, "");
	struct tui_app a;
	memset(&a, 0, sizeof(a));
	int rc = tui_app_run(&a, &o, console);
	memset(password, 0, sizeof(password));
	return rc;
}

int tui_desk_main(const struct tui_options *opts, int argc, char **argv)
{
	return run(opts, argc, argv, false);
}

int tui_console_main(const struct tui_options *opts, int argc, char **argv)
{
	return run(opts, argc, argv, true);
}
