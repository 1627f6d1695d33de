/*
 * The full-screen terminal clients: `clubcrm desk` (a reception terminal)
 * and `clubcrm console` (the manager's screen of urgent tasks).
 *
 * The command line parses the connection options and calls one of these
 * with them; argc/argv are the words after the command name (none are
 * accepted yet; "--help" prints the keys). Without a password the screen
 * opens on its login form (the login filled in when given, the password
 * hidden), and comes back to it when the server refuses the login. They
 * return a process exit code: 0 after the user quit, 1 when the server
 * refused a login given on the command line, 2 for a usage error or no
 * terminal.
 */
#ifndef CLUBCRM_TUI_H
#define CLUBCRM_TUI_H

struct tui_options {
	const char *server;         /* "HOST:PORT" or "unix:PATH" (required) */
	const char *user;           /* NULL: asked for on the login screen */
	const char *password;       /* NULL: asked for on the login screen */
	const char *terminal_name;  /* NULL: the host name */
};

int tui_desk_main(const struct tui_options *opts, int argc, char **argv);
int tui_console_main(const struct tui_options *opts, int argc, char **argv);

#endif
