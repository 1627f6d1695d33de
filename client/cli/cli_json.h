/*
 * JSON output (--json) for scripts: one object or array on stdout. Times
 * are ISO 8601 in the club's zone with the offset ("2026-03-12T10:30:00+0100")
 * plus the Unix seconds beside them ("planned_at_unix").
 */
#ifndef CLUBCRM_CLI_JSON_H
#define CLUBCRM_CLI_JSON_H

#include <jansson.h>

#include "clubcrm.pb-c.h"

json_t *cli_json_task_row(const Clubcrm__TaskRow *r);
/* The row plus "revision", "created" (rows the same commit created) when
 * any, and "history" when asked for. */
json_t *cli_json_task_reply(const Clubcrm__TaskReply *reply);
json_t *cli_json_customer(const Clubcrm__Customer *c);
json_t *cli_json_catalog(const Clubcrm__Catalog *cat);
/* Prints `v` (indented) and a newline to stdout, then releases it. 0 or -1. */
int cli_json_print(json_t *v);

#endif
