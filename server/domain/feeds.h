/*
 * Calendar feeds: each operator may have one secret URL on the web
 * listener, /feed/<secret>.ics, that a calendar application polls for
 * their agenda (ical.h). The secret is 32 random bytes written in
 * base64url (43 characters); only its BLAKE2b hash is stored (DB_FEEDS:
 * hash -> operator, and operator -> hash), so the URL is shown once, when
 * it is made, and whoever reads the database cannot read anyone's agenda
 * with what they read. A lookup is by the hash of what the client sent:
 * its time tells nothing about any stored secret.
 *
 * A feed has no expiry. It goes when it is rotated (the old URL stops in
 * the commit that makes the new one) and when the operator is deactivated;
 * every request checks again that the operator is active. A password
 * change keeps it: the URL is not a credential of the account (it reads
 * one agenda, nothing else), and rotating is the way to stop it.
 */
#ifndef CLUBCRM_FEEDS_H
#define CLUBCRM_FEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"
#include "req.h"
#include "txn.h"

#define FEEDS_SECRET_BYTES 32u
/* base64url without padding of 32 bytes. */
#define FEEDS_SECRET_CHARS 43u
#define FEEDS_PATH_PREFIX "/feed/"
#define FEEDS_PATH_SUFFIX ".ics"

/*
 * The operator whose feed `secret` (the text of the URL, without prefix
 * and suffix) is: 0 and *op_id, -ENOENT for anything else (a malformed
 * secret, an unknown or rotated one: all alike), or the txn's error.
 */
int feeds_lookup(struct txn *t, const char *secret, size_t len,
		 uint64_t *op_id);

/* Drops the feed of `op_id` (missing is fine). */
void feeds_revoke(struct txn *t, uint64_t op_id);

/*
 * RotateFeed: the caller's own feed, or (admins) anyone's; the operator
 * must be active. Replaces the stored secret by a new one and answers its
 * path (clients put the web listener's address, Welcome.web_url or the
 * page's own, before it).
 */
int feeds_rotate(struct req *r, const Clubcrm__RotateFeed *in,
		 Clubcrm__FeedReply **out);

#endif
