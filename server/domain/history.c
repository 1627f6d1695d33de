#include "history.h"

#include <stdio.h>
#include <string.h>

#include "changelog.h"
#include "rows.h"

#define MAX_FIELDS 16

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_tags(const Clubcrm__Task *a, const Clubcrm__Task *b)
{
	return a->n_tag_ids == b->n_tag_ids &&
	       (!a->n_tag_ids ||
		memcmp(a->tag_ids, b->tag_ids, a->n_tag_ids * 8) == 0);
}

/* Texts in a history are cut to this many characters. */
#define VALUE_MAX 200

/* `text` cut to VALUE_MAX characters ("..." marks a cut); NULL for NULL. */
static char *cut(struct req *r, const char *text)
{
	if (!text)
		return NULL;
	size_t chars = 0, i = 0;
	for (; text[i]; i++) {
		bool lead = ((unsigned char)text[i] & 0xc0) != 0x80;
		if (lead && chars == VALUE_MAX)
			break;
		chars += lead;
	}
	char *out = arena_alloc(r->a, i + 4);
	if (!out)
		return NULL;
	memcpy(out, text, i);
	strcpy(out + i, text[i] ? "..." : "");
	return out;
}

static const char *status_name(Clubcrm__TaskStatus st)
{
	switch (st) {
	case CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED: return "planned";
	case CLUBCRM__TASK_STATUS__TASK_STATUS_DONE: return "done";
	case CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED: return "cancelled";
	default: return NULL;
	}
}

static const char *recurrence_name(Clubcrm__Recurrence rec)
{
	switch (rec) {
	case CLUBCRM__RECURRENCE__RECURRENCE_DAILY: return "daily";
	case CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY: return "weekly";
	case CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY: return "monthly";
	default: return NULL;
	}
}

/* "#id" for a reference that no longer resolves. */
static char *ref_id(struct req *r, uint64_t id)
{
	char b[32];
	snprintf(b, sizeof(b), "#%llu", (unsigned long long)id);
	return arena_strdup(r->a, b);
}

enum ref { REF_TYPE, REF_OPERATOR, REF_CUSTOMER, REF_RESULT, REF_TAG };

/* The name of a referenced record as the screens show it; NULL for 0. */
static int ref_name(struct req *r, enum ref kind, uint64_t id, char **out)
{
	*out = NULL;
	if (!id)
		return 0;
	int rc;
	const char *name = NULL;
	switch (kind) {
	case REF_TYPE: {
		Clubcrm__TaskType *m = NULL;
		if (!(rc = rows_type(r->t, r->a, id, &m)))
			name = m->name;
		break;
	}
	case REF_OPERATOR: {
		Clubcrm__Operator *m = NULL;
		if (!(rc = rows_operator(r->t, r->a, id, &m)))
			name = m->name && *m->name ? m->name : m->login;
		break;
	}
	case REF_CUSTOMER: {
		Clubcrm__Customer *m = NULL;
		if (!(rc = rows_customer(r->t, r->a, id, &m)))
			name = m->name;
		break;
	}
	case REF_RESULT: {
		Clubcrm__Result *m = NULL;
		if (!(rc = rows_result(r->t, r->a, id, &m)))
			name = m->name;
		break;
	}
	default: {
		Clubcrm__Tag *m = NULL;
		if (!(rc = rows_tag(r->t, r->a, id, &m)))
			name = m->name;
		break;
	}
	}
	if (rc && rc != -ENOENT)
		return rc;
	*out = name ? (char *)name : ref_id(r, id);
	return *out ? 0 : -ENOMEM;
}

/* The task's tags by name, joined by ", "; NULL when none. */
static int tag_names(struct req *r, const Clubcrm__Task *t, char **out)
{
	*out = NULL;
	size_t len = 0;
	char *names[64];
	size_t n = t->n_tag_ids < 64 ? t->n_tag_ids : 64;
	for (size_t i = 0; i < n; i++) {
		int rc = ref_name(r, REF_TAG, t->tag_ids[i], &names[i]);
		if (rc)
			return rc;
		len += strlen(names[i]) + 2;
	}
	if (!n)
		return 0;
	char *s = arena_alloc(r->a, len + 1);
	if (!s)
		return -ENOMEM;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, names[i]);
	}
	*out = s;
	return 0;
}

static int add_change(struct req *r, Clubcrm__HistoryEntry *e,
		      const char *field, char *old_value, char *new_value)
{
	Clubcrm__FieldChange *c = arena_alloc(r->a, sizeof(*c));
	if (!c)
		return -ENOMEM;
	clubcrm__field_change__init(c);
	c->field = (char *)field;
	c->old_value = old_value;
	c->new_value = new_value;
	e->changed_fields[e->n_changed_fields] = (char *)field;
	e->changes[e->n_changed_fields++] = c;
	e->n_changes = e->n_changed_fields;
	return 0;
}

static int change_ref(struct req *r, Clubcrm__HistoryEntry *e,
		      const char *field, enum ref kind, uint64_t a, uint64_t b)
{
	if (a == b)
		return 0;
	char *o = NULL, *n = NULL;
	int rc = ref_name(r, kind, a, &o);
	if (!rc)
		rc = ref_name(r, kind, b, &n);
	return rc ? rc : add_change(r, e, field, o, n);
}

static int change_text(struct req *r, Clubcrm__HistoryEntry *e,
		       const char *field, const char *a, const char *b)
{
	if (same_str(a, b))
		return 0;
	char *o = cut(r, a), *n = cut(r, b);
	if ((a && !o) || (b && !n))
		return -ENOMEM;
	return add_change(r, e, field, o, n);
}

/* The end of a series: until (a time), count (occurrences left). */
static int change_series_end(struct req *r, Clubcrm__HistoryEntry *e,
			     const Clubcrm__Task *p, const Clubcrm__Task *cur)
{
	int rc = 0;
	if (p->repeat_until != cur->repeat_until &&
	    !(rc = add_change(r, e, "repeat_until", NULL, NULL))) {
		Clubcrm__FieldChange *c = e->changes[e->n_changes - 1];
		c->has_old_time = p->repeat_until != 0;
		c->old_time = p->repeat_until;
		c->has_new_time = cur->repeat_until != 0;
		c->new_time = cur->repeat_until;
	}
	if (!rc && p->repeat_count != cur->repeat_count) {
		char o[16], n[16];
		snprintf(o, sizeof(o), "%u", (unsigned)p->repeat_count);
		snprintf(n, sizeof(n), "%u", (unsigned)cur->repeat_count);
		char *os = p->repeat_count ? arena_strdup(r->a, o) : NULL;
		char *ns = cur->repeat_count ? arena_strdup(r->a, n) : NULL;
		if ((p->repeat_count && !os) || (cur->repeat_count && !ns))
			return -ENOMEM;
		rc = add_change(r, e, "repeat_count", os, ns);
	}
	return rc;
}

/* The fields a change touched (every set field for a create), each with its
 * value before and after. */
static int diff(struct req *r, const Clubcrm__Task *prev,
		const Clubcrm__Task *cur, Clubcrm__HistoryEntry *e)
{
	static const Clubcrm__Task empty = CLUBCRM__TASK__INIT;
	const Clubcrm__Task *p = prev ? prev : &empty;
	e->changed_fields = arena_calloc(r->a, MAX_FIELDS, sizeof(char *));
	e->changes = arena_calloc(r->a, MAX_FIELDS, sizeof(*e->changes));
	if (!e->changed_fields || !e->changes)
		return -ENOMEM;
	int rc = change_text(r, e, "description", p->description,
			     cur->description);
	if (!rc)
		rc = change_ref(r, e, "type", REF_TYPE, p->type_id, cur->type_id);
	if (!rc && !same_tags(p, cur)) {
		char *o = NULL, *n = NULL;
		rc = tag_names(r, p, &o);
		if (!rc)
			rc = tag_names(r, cur, &n);
		if (!rc)
			rc = add_change(r, e, "tags", o, n);
	}
	if (!rc && p->planned_at != cur->planned_at &&
	    !(rc = add_change(r, e, "planned_at", NULL, NULL))) {
		Clubcrm__FieldChange *c = e->changes[e->n_changes - 1];
		c->has_old_time = prev != NULL;
		c->old_time = p->planned_at;
		c->has_new_time = 1;
		c->new_time = cur->planned_at;
	}
	if (!rc)
		rc = change_ref(r, e, "operator", REF_OPERATOR, p->operator_id,
				cur->operator_id);
	if (!rc)
		rc = change_ref(r, e, "customer", REF_CUSTOMER, p->customer_id,
				cur->customer_id);
	if (!rc && p->status != cur->status)
		rc = add_change(r, e, "status", (char *)status_name(p->status),
				(char *)status_name(cur->status));
	if (!rc)
		rc = change_ref(r, e, "result", REF_RESULT, p->result_id,
				cur->result_id);
	if (!rc)
		rc = change_text(r, e, "closing_note", p->closing_note,
				 cur->closing_note);
	if (!rc && p->follows_id != cur->follows_id)
		rc = add_change(r, e, "follows",
				p->follows_id ? ref_id(r, p->follows_id) : NULL,
				cur->follows_id ? ref_id(r, cur->follows_id)
						: NULL);
	if (!rc)
		rc = change_ref(r, e, "taken_by", REF_OPERATOR, p->taken_by,
				cur->taken_by);
	if (!rc && p->recurrence != cur->recurrence)
		rc = add_change(r, e, "recurrence",
				(char *)recurrence_name(p->recurrence),
				(char *)recurrence_name(cur->recurrence));
	if (!rc)
		rc = change_series_end(r, e, p, cur);
	return rc;
}

static int entry_of(struct req *r, const Clubcrm__ChangeSet *cs,
		    Clubcrm__Task *after, const Clubcrm__Task *prev,
		    Clubcrm__HistoryEntry **out)
{
	uint64_t rev = cs->revision;
	int rc;
	Clubcrm__HistoryEntry *e = arena_alloc(r->a, sizeof(*e));
	if (!e)
		return -ENOMEM;
	clubcrm__history_entry__init(e);
	e->has_revision = e->has_at = e->has_actor_id = 1;
	e->revision = rev;
	e->at = cs->at;
	e->actor_id = cs->actor_id;
	e->action = cs->action;
	e->after = after;
	Clubcrm__Operator *op = NULL;
	rc = rows_operator(r->t, r->a, cs->actor_id, &op);
	if (rc == 0)
		e->actor_login = op->login;
	else if (rc != -ENOENT)
		return rc;
	rc = diff(r, prev, after, e);
	if (!rc)
		*out = e;
	return rc;
}

static int push(struct req *r, Clubcrm__TaskReply *rep, size_t *cap,
		Clubcrm__HistoryEntry *e)
{
	if (rep->n_history == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		Clubcrm__HistoryEntry **h =
			arena_calloc(r->a, ncap, sizeof(*h));
		if (!h)
			return -ENOMEM;
		if (rep->n_history)
			memcpy(h, rep->history, rep->n_history * sizeof(*h));
		rep->history = h;
		*cap = ncap;
	}
	rep->history[rep->n_history++] = e;
	return 0;
}

int history_fill(struct req *r, uint64_t task_id, Clubcrm__TaskReply *reply)
{
	Clubcrm__Task *task = NULL;
	int rc = txn_get_rec(r->t, DB_TASKS, task_id,
			     &clubcrm__task__descriptor, r->a, (void **)&task);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	/* The chain runs newest to oldest; the history is told oldest
	 * first, each entry against the one before. */
	struct changelog_walk w;
	changelog_walk_task(&w, r->t, r->a, task);
	size_t n = 0, cap = 0;
	Clubcrm__ChangeSet **sets = NULL;
	Clubcrm__Task **afters = NULL;
	while ((rc = changelog_walk_next(&w)) == 0) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			Clubcrm__ChangeSet **s2 =
				arena_calloc(r->a, ncap, sizeof(*s2));
			Clubcrm__Task **a2 =
				arena_calloc(r->a, ncap, sizeof(*a2));
			if (!s2 || !a2)
				return -ENOMEM;
			if (n) {
				memcpy(s2, sets, n * sizeof(*s2));
				memcpy(a2, afters, n * sizeof(*a2));
			}
			sets = s2;
			afters = a2;
			cap = ncap;
		}
		sets[n] = w.cs;
		afters[n++] = w.task;
	}
	if (rc != -ENOENT)
		return rc;
	const Clubcrm__Task *prev = NULL;
	size_t hcap = 0;
	while (n-- > 0) {
		Clubcrm__HistoryEntry *e = NULL;
		rc = entry_of(r, sets[n], afters[n], prev, &e);
		if (!rc)
			rc = push(r, reply, &hcap, e);
		if (rc)
			return rc;
		prev = e->after;
	}
	return 0;
}
