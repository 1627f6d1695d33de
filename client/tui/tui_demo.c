/*
 * clubcrm-desk: runs the desk (or, with --console, the console) without the
 * clubcrm command line, for trying the screens and for the tmux tests.
 *   clubcrm-desk [--console] --server ADDR --user LOGIN [--password PW]
 * CLUBCRM_SERVER, CLUBCRM_USER and CLUBCRM_PASSWORD are used when the
 * options are absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

int main(int argc, char **argv)
{
	struct tui_options o = {
		.server = getenv("CLUBCRM_SERVER"),
		.user = getenv("CLUBCRM_USER"),
		.password = getenv("CLUBCRM_PASSWORD"),
	};
	int console = 0, i = 1;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--console"))
			console = 1;
		else if (!strcmp(argv[i], "--server") && i + 1 < argc)
			o.server = argv[++i];
		else if (!strcmp(argv[i], "--user") && i + 1 < argc)
			o.user = argv[++i];
		else if (!strcmp(argv[i], "--password") && i + 1 < argc)
			o.password = argv[++i];
		else
			break;
	}
	if (!o.server)
		o.server = "127.0.0.1:7411";
	return console ? tui_console_main(&o, argc - i, argv + i)
		       : tui_desk_main(&o, argc - i, argv + i);
}
