/*
 * clubcrm: the command line. Global options and the environment, then one
 * command from the table below; everything else lives in its own module
 * (cli_args, cli_session, cli_resolve, cli_format, cli_json, cli_cmd_*).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_cmd.h"
#include "client_addr.h"

static const char usage_text[] =
	"usage: clubcrm [--server [tls:]HOST:PORT|unix:PATH] [--user LOGIN] "
	"[--ca-file PEM]\n"
	"               [--json] COMMAND ...\n"
	"\n"
	"commands:\n"
	"  task add --customer NAME|ID --type NAME --at \"YYYY-MM-DD HH:MM\"\n"
	"           [--operator LOGIN] [--tag NAME]... --desc TEXT "
	"[--status planned|done|cancelled]\n"
	"           [--idempotency-key K] [--repeat daily|weekly|monthly "
	"[--until DATE | --count N]]\n"
	"  note add --customer NAME|ID --type NAME [--at \"YYYY-MM-DD HH:MM\"]\n"
	"           [--operator LOGIN] [--tag NAME]... --desc TEXT "
	"[--result NAME]\n"
	"           [--idempotency-key K]\n"
	"  task list [--from DATE] [--to DATE] [--customer NAME|ID] "
	"[--operator LOGIN]...\n"
	"            [--created-from DATE] [--created-to DATE] "
	"[--creator LOGIN]... [--team NAME]\n"
	"            [--type NAME]... [--tag NAME]... [--status S]... "
	"[--result NAME]...\n"
	"            [--taken|--not-taken] [--urgent] [--in-preparation|--prep] "
	"[--overdue]\n"
	"            [--text|--search TEXT] [--kind task|note] "
	"[--order planned|created] "
	"[--descending]\n"
	"            [--page-size N] [--all]\n"
	"            [--as-of \"YYYY-MM-DD HH:MM\" | --as-of-revision N]  "
	"the board as it was\n"
	"            (read-only, in creation order; any filter above "
	"applies)\n"
	"  task export [--format csv] [any task list filter] [--as-of ...|"
	"--as-of-revision N]\n"
	"           [--bom] [--page-size N]   CSV on stdout, one snapshot, "
	"page by page\n"
	"  task show ID [--history]  details; with the change history\n"
	"  task take ID | task release ID\n"
	"  task close ID [--result NAME] [--note TEXT]\n"
	"  task cancel ID [--result NAME] [--note TEXT]\n"
	"  task tag ID TAG | task untag ID TAG\n"
	"  task follow ID --result NAME [--close | --note TEXT | --keep-open]\n"
	"           [--next-type NAME] [--next-at \"YYYY-MM-DD HH:MM\"] "
	"[--next-operator LOGIN]\n"
	"           [--next-desc TEXT]   (no --close/--note/--keep-open: the "
	"result decides;\n"
	"           a next task needs --next-at and --next-desc)\n"
	"  task edit ID [--desc TEXT] [--type NAME] [--at \"YYYY-MM-DD HH:MM\"] "
	"[--operator LOGIN]\n"
	"           [--customer NAME|ID] [--status S] [--result NAME] "
	"[--closing-note TEXT]\n"
	"           [--tag NAME... (replaces the tags) | --no-tags] "
	"[--base-rev N]\n"
	"           [--repeat daily|weekly|monthly|none] [--until DATE | "
	"--count N]\n"
	"  task copy ID [--desc TEXT] [--type NAME] [--at \"YYYY-MM-DD HH:MM\"] "
	"[--operator LOGIN]\n"
	"           [--customer NAME|ID] [--status S] [--tag NAME]...\n"
	"  task reassign --from LOGIN --to LOGIN [--from-date DATE] "
	"[--to-date DATE]\n"
	"  customer list [--search TEXT]\n"
	"  customer add --name NAME [--phone P] [--email E] "
	"[--consultant LOGIN]\n"
	"           [--idempotency-key K]\n"
	"  customer edit NAME|ID [--name NAME] [--phone P] [--email E] "
	"[--consultant LOGIN]\n"
	"           [--active|--inactive]\n"
	"  customer export [--format csv] [--tag NAME]... [--bom]  CSV: "
	"customers (with\n"
	"           --tag: those having a task or note with the tag)\n"
	"  customer import FILE.csv [--dry-run] [--map COLUMN=FIELD,...] "
	"[--skip-bad]\n"
	"           [--encoding utf-8|windows-1252] [--verbose]  (admins; "
	"UTF-16 with its\n"
	"           byte-order mark, as Excel's Unicode Text, is read as "
	"such)\n"
	"  customer show NAME|ID  the profile: details, tasks and notes "
	"newest first\n"
	"  agenda export --ics [--operator NAME|ID] [--from DATE --to DATE]\n"
	"           an agenda as iCalendar on stdout (default: 30 days back to "
	"180 ahead)\n"
	"  agenda feed [--rotate] [--operator NAME|ID]  a new secret "
	"calendar-feed URL\n"
	"           (the old one stops at once)\n"
	"  catalog                 task types, results, tags, operators, teams\n"
	"  admin KIND add --name N [OPTIONS]    (KIND: type, result, tag, "
	"team, operator)\n"
	"  admin KIND edit NAME|ID [OPTIONS]    (--activate: an inactive one, "
	"by its id)\n"
	"  admin KIND deactivate NAME|ID\n"
	"    type:     [--name N] [--priority|--no-priority]\n"
	"              [--follow-on TYPE:DELAY[:OUTCOME]]... [--no-follow-ons]"
	"  (DELAY: N, Nm, Nh, Nd)\n"
	"    result:   [--name N] [--outcome positive|negative|unknown]\n"
	"              [--leads-to done|cancelled|none]\n"
	"    tag:      [--name N] [--colour C]\n"
	"    team:     [--name N]\n"
	"    operator: [--login L] [--name N] [--role admin|operator] "
	"[--team NAME]...\n"
	"              [--no-teams] [--password-stdin]  (add needs --login "
	"too, and a\n"
	"              password: --password-stdin or CLUBCRM_NEW_PASSWORD)\n"
	"  admin settings [KEY VALUE]...  show or change: club-name, "
	"default-status,\n"
	"           default-task-result, default-note-result, slot-minutes, "
	"day-start,\n"
	"           day-end, time-zone, escalation-minutes, session-hours,\n"
	"           language\n"
	"  report [created|outcomes|response|overdue] [--from DATE] "
	"[--to DATE] [--team NAME]\n"
	"         [--format table|csv|json]  the manager's figures (default: "
	"this month;\n"
	"         csv: one section); an operator sees their own tasks\n"
	"  watch board|urgent|prep|overdue|agenda|customer NAME|ID "
	"[any task list filter]\n"
	"        [--all] [--once]\n"
	"                          a live view: the snapshot, then every change\n"
	"  desk                    the reception desk (full screen; desk --help: "
	"the keys)\n"
	"  console                 the manager's console of urgent tasks "
	"(full screen)\n"
	"  help                    this text (also COMMAND --help)\n"
	"\n"
	"DATE: YYYY-MM-DD (a --to date includes its whole day) or "
	"\"YYYY-MM-DD HH:MM\";\n"
	"S: planned, done or cancelled. NAME|ID: a number is an id; a name "
	"may be\n"
	"any unique part of it, in any case and without accents (an operator also\n"
	"by login).\n"
	"\n"
	"environment: CLUBCRM_SERVER (default " CLIENT_ADDR_DEFAULT "), "
	"CLUBCRM_USER,\n"
	"  CLUBCRM_PASSWORD (else asked on the terminal), CLUBCRM_NEW_PASSWORD "
	"(admin\n"
	"  operator), CLUBCRM_CA_FILE, NO_COLOR. Times are in the club's time "
	"zone.\n"
	"TLS: --ca-file PEM (or a tls: address, which trusts the system's CAs) "
	"connects\n"
	"  over TLS 1.3 and accepts only a server certificate from those CAs, "
	"valid for HOST.\n"
	"exit status: 0 done, 1 refused (reason on stderr), 2 usage error.\n";

struct command {
	const char *name, *sub;  /* sub NULL: a one-word command */
	int (*run)(struct cli *cli, int argc, char **argv);
};

static const struct command commands[] = {
	{"task", "add", cli_cmd_task_add},
	{"task", "list", cli_cmd_task_list},
	{"task", "show", cli_cmd_task_show},
	{"task", "export", cli_cmd_task_export},
	{"task", "take", cli_cmd_task_take},
	{"task", "release", cli_cmd_task_release},
	{"task", "close", cli_cmd_task_close},
	{"task", "cancel", cli_cmd_task_cancel},
	{"task", "tag", cli_cmd_task_tag},
	{"task", "untag", cli_cmd_task_untag},
	{"task", "follow", cli_cmd_task_follow},
	{"task", "edit", cli_cmd_task_edit},
	{"task", "copy", cli_cmd_task_copy},
	{"task", "reassign", cli_cmd_task_reassign},
	{"note", "add", cli_cmd_note_add},
	{"customer", "list", cli_cmd_customer_list},
	{"customer", "add", cli_cmd_customer_add},
	{"customer", "edit", cli_cmd_customer_edit},
	{"customer", "show", cli_cmd_customer_show},
	{"customer", "export", cli_cmd_customer_export},
	{"agenda", "export", cli_cmd_agenda_export},
	{"agenda", "feed", cli_cmd_agenda_feed},
	{"customer", "import", cli_cmd_customer_import},
	{"catalog", NULL, cli_cmd_catalog},
	{"admin", NULL, cli_cmd_admin},
	{"report", NULL, cli_cmd_report},
	{"watch", NULL, cli_cmd_watch},
	{"desk", NULL, cli_cmd_desk},
	{"console", NULL, cli_cmd_console},
};

void cli_print_usage(bool to_stderr)
{
	fputs(usage_text, to_stderr ? stderr : stdout);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("clubcrm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nclubcrm: 'clubcrm help' lists every command and its options\n",
	      stderr);
	return CLI_USAGE;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

/*
 * Global options up to the command word; *first gets its index. -1 for
 * --help.
 */
static int parse_global(struct cli *cli, int argc, char **argv, int *first)
{
	bool help = false;
	const struct cli_opt opts[] = {
		{"help", CLI_OPT_FLAG, &help},
		{0},
	};
	/* The command is the first word that is neither an option nor the
	 * value of --server or --user given as the next word. */
	int end = 1;
	for (; end < argc; end++) {
		const char *a = argv[end];
		if (a[0] != '-')
			break;
		if ((strcmp(a, "--server") == 0 || strcmp(a, "--user") == 0 ||
		     strcmp(a, "--ca-file") == 0) && end + 1 < argc)
			end++;
	}
	const char *pos[1];
	size_t n_pos;
	int rc = cli_args_parse(cli, end - 1, argv + 1, opts, pos, 0, &n_pos);
	if (rc != CLI_OK)
		return rc;
	if (help)
		return -1;
	*first = end;
	return CLI_OK;
}

static const struct command *find_command(int argc, char **argv, int *used)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];
		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (!c->sub) {
			*used = 1;
			return c;
		}
		if (argc > 1 && strcmp(argv[1], c->sub) == 0) {
			*used = 2;
			return c;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli cli = {
		.server = env_or("CLUBCRM_SERVER", CLIENT_ADDR_DEFAULT),
		.user = env_or("CLUBCRM_USER", NULL),
		.ca_file = env_or("CLUBCRM_CA_FILE", NULL),
		.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
	};
	int first;
	int rc = parse_global(&cli, argc, argv, &first);
	if (rc < 0 || (rc == CLI_OK && first < argc &&
		       (strcmp(argv[first], "help") == 0))) {
		cli_print_usage(false);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if (first >= argc) {
		fputs("clubcrm: no command given\n\n", stderr);
		cli_print_usage(true);
		return CLI_USAGE;
	}
	int used;
	const struct command *cmd = find_command(argc - first, argv + first,
						 &used);
	if (!cmd)
		return cli_usage_error("unknown command '%s%s%s'", argv[first],
				       first + 1 < argc ? " " : "",
				       first + 1 < argc ? argv[first + 1] : "");
	rc = cmd->run(&cli, argc - first - used, argv + first + used);
	cli_disconnect(&cli);
	return rc == CLI_HELP ? CLI_OK : rc;
}
