#include "req.h"

#include "changelog.h"
#include "status.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void req_init(struct req *r, struct txn *t, struct arena *a,
	      const struct actor *who)
{
	memset(r, 0, sizeof(*r));
	r->t = t;
	r->a = a;
	r->who = who;
}

int req_refuse(struct req *r, unsigned code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->code = code;
	r->msg = arena_strdup(r->a, msg);
	return REQ_REFUSED;
}

uint64_t req_revision(struct req *r)
{
	if (!r->rev)
		r->rev = txn_next_revision(r->t);
	return r->rev;
}

static int grow(struct req *r)
{
	if (r->n_events < r->cap_events)
		return 0;
	size_t cap = r->cap_events ? r->cap_events * 2 : 8;
	Clubcrm__Event **ev = arena_calloc(r->a, cap, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	if (r->n_events)
		memcpy(ev, r->events, r->n_events * sizeof(*ev));
	r->events = ev;
	r->cap_events = cap;
	return 0;
}

int req_event(struct req *r, Clubcrm__Event *ev)
{
	if (!req_revision(r))
		return r->t->ret ? r->t->ret : -EIO;
	int rc = grow(r);
	if (rc)
		return rc;
	r->events[r->n_events++] = ev;
	return 0;
}

int req_event_task(struct req *r, Clubcrm__Task *task, uint64_t prev)
{
	Clubcrm__Event *ev = arena_alloc(r->a, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	clubcrm__event__init(ev);
	ev->record_case = CLUBCRM__EVENT__RECORD_TASK;
	ev->task = task;
	/* Saved twice in one write: both events link to the change before
	 * this write, never to this revision itself (the chain links
	 * revisions; it must not loop). */
	if (prev && prev == r->rev) {
		prev = 0;
		for (size_t i = 0; i < r->n_events; i++)
			if (r->events[i]->record_case ==
				    CLUBCRM__EVENT__RECORD_TASK &&
			    r->events[i]->task->id == task->id)
				prev = r->events[i]->prev_revision;
	}
	ev->has_prev_revision = 1;
	ev->prev_revision = prev;
	return req_event(r, ev);
}

int req_finish(struct req *r, Clubcrm__ChangeSet **out)
{
	if (out)
		*out = NULL;
	if (!r->rev)
		return r->t->ret;
	Clubcrm__ChangeSet *cs = arena_alloc(r->a, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	clubcrm__change_set__init(cs);
	cs->has_revision = cs->has_at = cs->has_actor_id = 1;
	cs->revision = r->rev;
	cs->at = r->who->now;
	cs->actor_id = r->who->operator_id;
	cs->events = r->events;
	cs->n_events = r->n_events;
	cs->action = (char *)(r->action ? r->action : "write");
	changelog_append(r->t, cs);
	if (out)
		*out = cs;
	return r->t->ret;
}

int req_text(struct req *r, const char *s, size_t max, const char *field)
{
	switch (text_fault(s)) {
	case TEXT_CONTROL:
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "%s: control characters are not allowed "
				  "(only line breaks and tabs)", field);
	case TEXT_NOT_UTF8:
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "%s is not valid UTF-8 text", field);
	default:
		break;
	}
	if (text_chars(s) > max)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "%s is longer than %zu characters", field,
				  max);
	return 0;
}

int req_name(struct req *r, const char *in, size_t max, const char *field,
	     char **out)
{
	if (!in)
		return req_refuse(r, STATUS_INVALID_ARGUMENT, "%s is required", field);
	int rc = req_text(r, in, SIZE_MAX, field);
	if (rc)
		return rc;
	char *s = text_trim(r->a, in);
	if (!s)
		return -ENOMEM;
	if (!*s)
		return req_refuse(r, STATUS_INVALID_ARGUMENT, "%s is required", field);
	if ((rc = req_text(r, s, max, field)))
		return rc;
	*out = s;
	return 0;
}
