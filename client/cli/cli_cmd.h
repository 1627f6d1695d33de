/*
 * The commands. Each gets the words after its name (for
 * "clubcrm task add --desc x": {"--desc", "x"}) and returns the exit code
 * (enum cli_exit).
 */
#ifndef CLUBCRM_CLI_CMD_H
#define CLUBCRM_CLI_CMD_H

#include "cli.h"

/* cli_cmd_create.c */
int cli_cmd_task_add(struct cli *cli, int argc, char **argv);
int cli_cmd_note_add(struct cli *cli, int argc, char **argv);
/* cli_cmd_list.c */
int cli_cmd_task_list(struct cli *cli, int argc, char **argv);
int cli_cmd_task_show(struct cli *cli, int argc, char **argv);
/* cli_cmd_export.c: CSV on stdout */
int cli_cmd_task_export(struct cli *cli, int argc, char **argv);
int cli_cmd_customer_export(struct cli *cli, int argc, char **argv);
/* cli_cmd_agenda.c: agenda export --ics, agenda feed [--rotate] */
int cli_cmd_agenda_export(struct cli *cli, int argc, char **argv);
int cli_cmd_agenda_feed(struct cli *cli, int argc, char **argv);
/* cli_cmd_ops.c */
int cli_cmd_task_take(struct cli *cli, int argc, char **argv);
int cli_cmd_task_release(struct cli *cli, int argc, char **argv);
int cli_cmd_task_close(struct cli *cli, int argc, char **argv);
int cli_cmd_task_cancel(struct cli *cli, int argc, char **argv);
int cli_cmd_task_tag(struct cli *cli, int argc, char **argv);
int cli_cmd_task_untag(struct cli *cli, int argc, char **argv);
/* cli_cmd_follow.c */
int cli_cmd_task_follow(struct cli *cli, int argc, char **argv);
/* cli_cmd_change.c */
int cli_cmd_task_edit(struct cli *cli, int argc, char **argv);
int cli_cmd_task_copy(struct cli *cli, int argc, char **argv);
int cli_cmd_task_reassign(struct cli *cli, int argc, char **argv);
/* cli_cmd_customer.c */
int cli_cmd_customer_add(struct cli *cli, int argc, char **argv);
int cli_cmd_customer_edit(struct cli *cli, int argc, char **argv);
int cli_cmd_customer_show(struct cli *cli, int argc, char **argv);
/* cli_cmd_import.c: customers from a CSV file */
int cli_cmd_customer_import(struct cli *cli, int argc, char **argv);
/* cli_cmd_info.c */
int cli_cmd_customer_list(struct cli *cli, int argc, char **argv);
int cli_cmd_catalog(struct cli *cli, int argc, char **argv);
/* cli_cmd_admin.c: admin type|result|tag|operator|team add|edit|deactivate,
 * and admin settings (handed to cli_cmd_settings.c) */
int cli_cmd_admin(struct cli *cli, int argc, char **argv);
/* cli_cmd_settings.c */
int cli_cmd_admin_settings(struct cli *cli, int argc, char **argv);
/* cli_cmd_report.c: report [created|outcomes|response|overdue] */
int cli_cmd_report(struct cli *cli, int argc, char **argv);
/* cli_cmd_watch.c */
int cli_cmd_watch(struct cli *cli, int argc, char **argv);
/* cli_cmd_desk.c: the full-screen clients of client/tui */
int cli_cmd_desk(struct cli *cli, int argc, char **argv);
int cli_cmd_console(struct cli *cli, int argc, char **argv);

#endif
