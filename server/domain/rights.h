/*
 * Who may write what: the one place for the rights of write requests.
 *
 * A request is queued with the role its session had at login, but it runs
 * later, in a write transaction, possibly after an admin changed that role
 * or deactivated the operator (in an earlier batch, or earlier in the same
 * batch). So the role and the `active` flag are read again from the stored
 * operator record inside the transaction that runs the request: a
 * revocation committed before it always wins.
 */
#ifndef CLUBCRM_RIGHTS_H
#define CLUBCRM_RIGHTS_H

#include "clubcrm.pb-c.h"
#include "req.h"
#include "service.h"

/*
 * Checks `req` for the actor `who` (the actor r->who points to) inside r's
 * transaction: the operator must exist and be active, and `who->role` is
 * replaced by the stored role, which must allow the request (types, results,
 * tags, teams, operators, settings and bulk reassignment are for admins).
 * An in-process actor (who->system: club creation, the demo club) has no
 * record and keeps its role. 0, REQ_REFUSED (PERMISSION_DENIED) or a
 * negative errno from the store.
 */
int rights_check_write(struct req *r, struct actor *who,
		       const Clubcrm__Frame *req);

#endif
