/*
 * Names to ids, on the client side, so that users type "Arantxa" and
 * "Appointment" rather than numbers. A number is taken as an id as it is
 * (the server checks it). A name matches exactly (ignoring ASCII case), or
 * else as the only entry containing it; no match or several are refused
 * with the candidates listed. The server validates every id again.
 * Each returns CLI_OK, or CLI_REFUSED after printing why.
 */
#ifndef CLUBCRM_CLI_RESOLVE_H
#define CLUBCRM_CLI_RESOLVE_H

#include <stdint.h>

#include "cli.h"

int cli_resolve_customer(struct cli *cli, const char *text, uint64_t *id);
int cli_resolve_type(struct cli *cli, const char *text, uint64_t *id);
int cli_resolve_result(struct cli *cli, const char *text, uint64_t *id);
int cli_resolve_tag(struct cli *cli, const char *text, uint64_t *id);
int cli_resolve_team(struct cli *cli, const char *text, uint64_t *id);
/* By login or by name. */
int cli_resolve_operator(struct cli *cli, const char *text, uint64_t *id);

#endif
