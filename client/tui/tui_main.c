/*
 * Entry points: checks the arguments and the terminal, then runs the screen
 * (which asks for the login and the password itself when they are missing).
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tui.h"
#include "tui_app.h"

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
	setlocale(LC_ALL, "");
	struct tui_app a;
	memset(&a, 0, sizeof(a));
	return tui_app_run(&a, &o, console);
}

int tui_desk_main(const struct tui_options *opts, int argc, char **argv)
{
	return run(opts, argc, argv, false);
}

int tui_console_main(const struct tui_options *opts, int argc, char **argv)
{
	return run(opts, argc, argv, true);
}
