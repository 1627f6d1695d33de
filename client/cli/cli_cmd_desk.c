/*
 * desk, console: the full-screen clients (client/tui) on the command line's
 * connection options. The password comes from CLUBCRM_PASSWORD; without it
 * the screen asks for the login and the password itself (hidden).
 */
#include <stdlib.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "tui.h"

static int run(struct cli *cli, int argc, char **argv, bool console)
{
	bool help = false;
	const struct cli_opt opts[] = {
		{"help", CLI_OPT_FLAG, &help},
		{0},
	};
	size_t n_pos;
	int rc = cli_args_parse(cli, argc, argv, opts, NULL, 0, &n_pos);
	if (rc != CLI_OK)
		return rc;
	struct tui_options o = {
		.server = cli->server,
		.user = cli->user,
		.password = getenv("CLUBCRM_PASSWORD"),
	};
	char *help_argv[] = {"--help", NULL};
	int n = help ? 1 : 0;
	return console ? tui_console_main(&o, n, help_argv)
		       : tui_desk_main(&o, n, help_argv);
}

int cli_cmd_desk(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, false);
}

int cli_cmd_console(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, true);
}
