/* Creating a club: an empty one with its first admin, or the demo club. */
#ifndef CLUBCRM_CLUB_H
#define CLUBCRM_CLUB_H

#include <stdbool.h>

struct store;

/* True when the club has no operator yet. */
bool club_is_empty(struct store *st);

/*
 * Creates an empty club: settings with their defaults (default status
 * Planned, 30-minute slots, 08:00-22:00, time zone `time_zone`) and the first
 * admin. -EEXIST when the club already has operators.
 */
int club_init(struct store *st, const char *club_name, const char *time_zone,
	      const char *admin_login, const char *admin_name,
	      const char *admin_password);

/*
 * Seeds the demo club when the environment is empty (0 and nothing done when
 * it is not): operators alicia, valentina, fermin (admin), deborah, maribel
 * (password "demo"), teams, customers, task types, results, tags, tasks.
 */
int club_seed_demo(struct store *st);

#endif
