/*
 * One request being served inside a transaction: its memory, who asks, and
 * (for writes) the revision and change set it builds, or why it was refused.
 * Domain functions return 0, REQ_REFUSED (CLUBCRM_EREFUSED) after
 * req_refuse() (the reply is an Error with r->code and r->msg), or another
 * negative value of the family in store_err.h (internal).
 */
#ifndef CLUBCRM_REQ_H
#define CLUBCRM_REQ_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "clubcrm.pb-c.h"
#include "service.h"
#include "text.h"
#include "txn.h"

#define REQ_REFUSED CLUBCRM_EREFUSED

/*
 * The most bytes one reply message may take when it can grow with the club
 * (a report, a calendar): its frame must stay under the 1 MiB every client
 * accepts (FRAME_MAX_DEFAULT). Past it the request is refused with
 * RESOURCE_EXHAUSTED and what to ask instead, never sent cut short or
 * too big for the client (which would drop the connection).
 */
#define REQ_REPLY_MAX_BYTES (900u * 1024u)

struct req {
	struct txn *t;
	struct arena *a;
	const struct actor *who;
	uint64_t rev;              /* 0 until the first change */
	const char *action;        /* "create", "take", ... */
	Clubcrm__Event **events;
	size_t n_events, cap_events;
	unsigned code;             /* refusal status, 0 when none */
	const char *msg;
	Clubcrm__TaskRow *current; /* the record a stale edit lost against */
	bool closing_note;         /* creating the note of a close: it carries
				      the task's result, whatever it leads to */
};

void req_init(struct req *r, struct txn *t, struct arena *a,
	      const struct actor *who);
/* Records a refusal (formatted English message); returns REQ_REFUSED. */
int req_refuse(struct req *r, unsigned code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The revision of this write, allocated at the first change. 0 on error. */
uint64_t req_revision(struct req *r);
/* Adds an after-image to the change set (the message must live in r->a). */
int req_event(struct req *r, Clubcrm__Event *ev);
/* A task's after-image; prev: the task's mod_rev before this write (0 for
 * a new task), the link of its history chain (changelog.h). */
int req_event_task(struct req *r, Clubcrm__Task *task, uint64_t prev);
/* Writes the change set (when anything changed). 0 or negative errno. */
int req_finish(struct req *r, Clubcrm__ChangeSet **out);

/* Refuses text with control characters ("control characters are not
 * allowed"), invalid UTF-8, or more than `max` characters; 0 when fine. */
int req_text(struct req *r, const char *s, size_t max, const char *field);
/* A required name: trimmed, 1..max characters, valid. Refuses naming
 * `field`. */
int req_name(struct req *r, const char *in, size_t max, const char *field,
	     char **out);

#endif
