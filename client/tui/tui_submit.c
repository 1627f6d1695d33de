/*
 * Sending what the forms hold: each form kind becomes its request, each
 * reply comes back here. A reply for a form that was closed or replaced in
 * the meantime (its sequence number is old) only updates the status line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_api.h"
#include "history_text.h"
#include "status.h"
#include "timeutil.h"
#include "tui_app.h"

struct ticket {
	struct tui_app *a;
	unsigned seq;        /* 0: the reply does not concern the form */
	bool history;        /* a GetTask for the info form's history */
	bool past;           /* it plans a time in the past */
	const char *done;    /* what the status line says, with the task id */
};

int tui_parse_when(const char *text, bool planned, int64_t now, int64_t *out,
		   char *why, size_t size)
{
	bool timed;
	int rc = time_parse_datetime(text, out, &timed);
	if (rc == -EDOM) {
		snprintf(why, size, "%.40s does not exist in %s: the clocks go "
			 "forward over it", text,
			 clubzone_name(clubzone_current()));
		return -1;
	}
	if (rc < 0) {
		snprintf(why, size, "use YYYY-MM-DD HH:MM");
		return -1;
	}
	if (planned && !timed) {
		snprintf(why, size, "give a time (YYYY-MM-DD HH:MM)");
		return -1;
	}
	return planned && *out < now ? 1 : 0;
}

/* Set when the request being built plans a time in the past: its reply's
 * status line says so (the desk is single-threaded). */
static bool planned_past;

/*
 * A time field: empty is "not set"; a malformed one, or one the club's
 * zone skips, is an error; a planned time (`planned`) needs a time of day
 * and may be in the past, which the status line will mention.
 */
static int parse_time(struct tui_app *a, struct tui_field *fl, int64_t *out,
		      bool *has, bool planned)
{
	char why[160];
	*has = false;
	if (!fl || !fl->text[0])
		return 0;
	int rc = tui_parse_when(fl->text, planned, time_now(), out, why,
				sizeof(why));
	if (rc < 0) {
		tui_app_status(a, true, "%s: %s", fl->label, why);
		planned_past = false;  /* nothing is sent */
		return -1;
	}
	planned_past |= rc == 1;
	*has = true;
	return 0;
}


/* ------------------------------------------------------------ replies */

static void keep_conflict(struct tui_app *a, const Clubcrm__TaskRow *row)
{
	size_t n = clubcrm__task_row__get_packed_size(row);
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return;
	clubcrm__task_row__pack(row, buf);
	if (a->conflict)
		clubcrm__task_row__free_unpacked(a->conflict, NULL);
	a->conflict = clubcrm__task_row__unpack(NULL, n, buf);
	free(buf);
}

/*
 * The task changed under the form. An edit shows both versions and waits
 * for the user's choice; a follow-up is judged on the new version, so it
 * takes that version as its base and a second save applies it.
 */
static void stale(struct tui_app *a, const Clubcrm__TaskRow *current)
{
	if (a->fkind == TUI_FK_EDIT) {
		keep_conflict(a, current);
		return;
	}
	a->base_mod_rev = current->task->mod_rev;
	size_t n = strlen(a->status);
	snprintf(a->status + n, sizeof(a->status) - n,
		 " (the task changed meanwhile: Ctrl-S again to apply to it)");
}

void tui_history_fill(struct tui_app *a, const Clubcrm__TaskReply *tr)
{
	a->n_history = 0;
	/* Newest first: the last change is what the reader wants. Each entry:
	 * when, who, what; then "field: old -> new" per field changed. */
	for (size_t i = tr->n_history; i > 0 && a->n_history < TUI_HISTORY_MAX; i--) {
		const Clubcrm__HistoryEntry *h = tr->history[i - 1];
		char when[32] = "", fields[96] = "";
		size_t o = 0;
		time_format_local(h->at, "%d/%m %H:%M", when, sizeof(when));
		if (h->n_changes == 0)  /* an older server: the names only */
			for (size_t j = 0; j < h->n_changed_fields && o + 2 < sizeof(fields); j++)
				o += (size_t)snprintf(fields + o, sizeof(fields) - o, "%s%s",
						      j ? "," : "", h->changed_fields[j]);
		snprintf(a->history[a->n_history++], sizeof(a->history[0]),
			 "%s  %-10s %-10s %s", when, h->actor_login ? h->actor_login : "?",
			 h->action ? h->action : "", fields);
		for (size_t j = 0; j < h->n_changes && a->n_history < TUI_HISTORY_MAX; j++) {
			char *line = a->history[a->n_history++];
			memcpy(line, "    ", 5);
			history_text_change(h->changes[j], line + 4,
					    sizeof(a->history[0]) - 4);
		}
	}
}

static void on_reply(const struct clubcrm_answer *ans, void *arg)
{
	struct ticket *t = arg;
	struct tui_app *a = t->a;
	bool mine = t->seq && t->seq == a->form_seq && a->fkind != TUI_FK_NONE;
	if (a->closing)
		goto done;
	if (t->history) {
		if (mine && ans->status == STATUS_OK)
			tui_history_fill(a, ans->task);
		goto done;
	}
	if (ans->status != STATUS_OK) {
		tui_app_status(a, true, "%s: %s", status_name(ans->status),
			       ans->message);
		if (mine && ans->conflict)
			stale(a, ans->conflict);
		goto done;
	}
	if (ans->task && ans->task->row && ans->task->row->task)
		tui_app_status(a, false, "%s %llu%s", t->done ? t->done : "saved task",
			       (unsigned long long)ans->task->row->task->id,
			       t->past ? " (warning: planned in the past)" : "");
	else if (ans->reassign)
		tui_app_status(a, false, "%zu %s reassigned",
			       ans->reassign->n_task_ids,
			       ans->reassign->n_task_ids == 1 ? "task"
							      : "tasks");
	else
		tui_app_status(a, false, "saved");
	if (mine)
		tui_forms_close(a);
done:
	a->dirty = true;
	free(t);
}

ProtobufCBinaryData tui_submit_form_key(struct tui_app *a)
{
	if (!a->form_key_set || a->form_key_seq != a->form_seq) {
		if (client_idempotency_key(a->form_key) != STATUS_OK)
			return (ProtobufCBinaryData){0, NULL};
		a->form_key_seq = a->form_seq;
		a->form_key_set = true;
	}
	return (ProtobufCBinaryData){sizeof(a->form_key), a->form_key};
}

/* The ticket of a request about to go out (its reply comes to on_reply),
 * or NULL after saying why not. */
static struct ticket *ticket(struct tui_app *a, bool for_form, bool history,
			     const char *done)
{
	struct ticket *t = calloc(1, sizeof(*t));
	if (!t || !a->live) {
		free(t);
		tui_app_status(a, true, "out of memory");
		return NULL;
	}
	t->a = a;
	t->seq = for_form ? a->form_seq : 0;
	t->history = history;
	t->done = done;
	t->past = planned_past;
	planned_past = false;
	return t;
}

/* The outcome of queueing the request of `t`: when it could not go out,
 * its reply will not come. */
static void sent(struct tui_app *a, struct ticket *t, unsigned code)
{
	if (code == STATUS_OK)
		return;
	free(t);
	tui_app_status(a, true, "could not send: %s", status_name(code));
}


void tui_submit_history(struct tui_app *a, uint64_t id)
{
	struct ticket *t = ticket(a, true, true, NULL);
	if (t)
		sent(a, t, clubcrm_task_get_async(a->live, id, true, on_reply, t));
}


/* ------------------------------------------------------------ submitting */

static uint64_t pick(struct tui_app *a, const char *label)
{
	struct tui_field *fl = tui_form_field(&a->form, label);
	return fl ? tui_field_choice_id(fl) : 0;
}

static const char *text(struct tui_app *a, const char *label)
{
	struct tui_field *fl = tui_form_field(&a->form, label);
	return fl ? fl->text : "";
}

/* The series fields of the form into a request's; -1 after saying why
 * not in the status line. */
static int repeat_fields(struct tui_app *a, const struct tui_repeat_base *base,
			 protobuf_c_boolean *has_rec, Clubcrm__Recurrence *rec,
			 protobuf_c_boolean *has_until, int64_t *until,
			 protobuf_c_boolean *has_count, uint32_t *count)
{
	struct tui_repeat r;
	char why[200];
	if (tui_repeat_from_form(&a->form, base, &r, why, sizeof(why)) < 0) {
		tui_app_status(a, true, "%s", why);
		planned_past = false;  /* nothing is sent */
		return -1;
	}
	*has_rec = r.has_rec;
	*rec = r.rec;
	*has_until = r.has_until;
	*until = r.until;
	*has_count = r.has_count;
	*count = r.count;
	return 0;
}

/* A CreateTask from the task fields; `tag` holds the tag id. */
/* `tags`: room for TUI_TAGS_MAX ids. */
static int create_from_form(struct tui_app *a, Clubcrm__CreateTask *c,
			    uint64_t *tags, bool note)
{
	bool has;
	c->description = (char *)text(a, "Description");
	c->has_kind = 1;
	c->kind = note ? CLUBCRM__TASK_KIND__TASK_KIND_NOTE : CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	c->has_customer_id = c->has_type_id = 1;
	c->customer_id = pick(a, "Customer");
	c->type_id = pick(a, "Type");
	struct tui_field *when = tui_form_field(&a->form, note ? "When (empty=now)" : "Planned");
	if (parse_time(a, when, &c->planned_at, &has, !note) < 0)
		return -1;
	c->has_planned_at = has;
	c->operator_id = pick(a, "Operator");
	c->has_operator_id = c->operator_id != 0;
	struct tui_field *fl = tui_form_field(&a->form, "Tags");
	c->tag_ids = tags;
	c->n_tag_ids = fl ? tui_field_checked(fl, tags, TUI_TAGS_MAX) : 0;
	return repeat_fields(a, NULL, &c->has_recurrence, &c->recurrence,
			     &c->has_repeat_until, &c->repeat_until,
			     &c->has_repeat_count, &c->repeat_count);
}

void tui_submit_edit(struct tui_app *a, uint64_t base)
{
	Clubcrm__EditTask e = CLUBCRM__EDIT_TASK__INIT;
	bool has;
	e.has_id = e.has_base_mod_rev = 1;
	e.id = a->task_id;
	e.base_mod_rev = base;
	e.description = (char *)text(a, "Description");
	e.has_type_id = e.has_customer_id = e.has_operator_id = e.has_status = 1;
	e.type_id = pick(a, "Type");
	e.customer_id = pick(a, "Customer");
	e.operator_id = pick(a, "Operator");
	e.status = (Clubcrm__TaskStatus)pick(a, "Status");
	e.result_id = pick(a, "Result");
	e.has_result_id = e.result_id != 0;
	e.closing_note = (char *)text(a, "Closing note");
	struct tui_field *when = tui_form_field(&a->form, "Planned");
	bool planned = when != NULL;
	if (!when)
		when = tui_form_field(&a->form, "When (empty=now)");
	if (parse_time(a, when, &e.planned_at, &has, planned) < 0)
		return;
	e.has_planned_at = has;
	if (repeat_fields(a, &a->rep_base, &e.has_recurrence, &e.recurrence,
			  &e.has_repeat_until, &e.repeat_until,
			  &e.has_repeat_count, &e.repeat_count) < 0)
		return;
	struct ticket *t = ticket(a, true, false, NULL);
	if (t)
		sent(a, t, clubcrm_task_edit_async(a->live, &e, on_reply, t));
}

static void submit_follow_up(struct tui_app *a)
{
	Clubcrm__FollowUp u = CLUBCRM__FOLLOW_UP__INIT;
	Clubcrm__CreateTask next = CLUBCRM__CREATE_TASK__INIT;
	bool has;
	u.has_id = u.has_result_id = u.has_action = u.has_base_mod_rev = 1;
	u.id = a->task_id;
	u.base_mod_rev = a->base_mod_rev;
	u.result_id = pick(a, "Result");
	u.action = (Clubcrm__FollowUpAction)pick(a, "Then");
	u.note = (char *)text(a, "Note");
	if (text(a, "Next task")[0]) {
		next.description = (char *)text(a, "Next task");
		if (parse_time(a, tui_form_field(&a->form, "Next planned"),
			       &next.planned_at, &has, true) < 0)
			return;
		next.has_planned_at = has;
		next.operator_id = pick(a, "Next operator");
		next.has_operator_id = next.operator_id != 0;
		next.type_id = pick(a, "Next type");
		next.has_type_id = next.type_id != 0;
		u.next = &next;
	}
	struct ticket *t = ticket(a, true, false, NULL);
	if (t)
		sent(a, t, clubcrm_task_follow_async(a->live, &u, on_reply, t));
}

static void submit_tags(struct tui_app *a)
{
	struct tui_field *fl = tui_form_field(&a->form, "Tags");
	const Clubcrm__TaskRow *row = a->sub ? replica_get(live_sub_replica(a->sub), a->task_id) : NULL;
	for (size_t i = 0; fl && row && i < fl->n_choices; i++) {
		bool had = false;
		for (size_t j = 0; j < row->task->n_tag_ids; j++)
			had |= row->task->tag_ids[j] == fl->choices[i].id;
		if (had == fl->choices[i].on)
			continue;
		struct ticket *t = ticket(a, false, false, NULL);
		if (t)
			sent(a, t, clubcrm_task_tag_async(a->live, a->task_id,
							  fl->choices[i].id,
							  fl->choices[i].on,
							  on_reply, t));
	}
	tui_forms_close(a);
}

static void submit_filter(struct tui_app *a)
{
	char err[256];
	if (tui_forms_filter_check(&a->form, err, sizeof(err)) < 0) {
		tui_app_status(a, true, "%s", err);  /* the form stays open */
		return;
	}
	struct tui_form *dst = a->screen == TUI_SCR_ALL ? &a->filter : &a->cfilter;
	tui_form_free(dst);
	*dst = a->form;
	memset(&a->form, 0, sizeof(a->form));
	tui_forms_close(a);
	tui_desk_show(a, a->screen);
}

static void submit_asof(struct tui_app *a)
{
	struct tui_asof_query q;
	char why[256];
	if (tui_asof_parse(text(a, "As of"), &q, why, sizeof(why)) < 0) {
		tui_app_status(a, true, "%s", why);  /* the form stays open */
		return;
	}
	tui_forms_close(a);
	tui_app_status(a, false, "read-only: h or Esc goes back to live");
	tui_asof_enter(a, &q);
}

static void submit_simple(struct tui_app *a)
{
	Clubcrm__ReassignTasks r = CLUBCRM__REASSIGN_TASKS__INIT;
	Clubcrm__Customer cu = CLUBCRM__CUSTOMER__INIT;
	ProtobufCBinaryData key;
	struct ticket *t;
	bool has;
	switch (a->fkind) {
	case TUI_FK_CANCEL:
		if ((t = ticket(a, true, false, NULL)))
			sent(a, t, clubcrm_task_cancel_async(a->live, a->task_id,
							     pick(a, "Result"),
							     text(a, "Note"),
							     on_reply, t));
		return;
	case TUI_FK_REASSIGN:
		r.has_from_operator_id = r.has_to_operator_id = 1;
		r.from_operator_id = pick(a, "From");
		r.to_operator_id = pick(a, "To");
		if (parse_time(a, tui_form_field(&a->form, "Planned from"), &r.planned_from, &has, false) < 0)
			return;
		r.has_planned_from = has;
		if (parse_time(a, tui_form_field(&a->form, "Planned to"), &r.planned_to, &has, false) < 0)
			return;
		r.has_planned_to = has;
		if ((t = ticket(a, true, false, NULL)))
			sent(a, t, clubcrm_tasks_reassign_async(a->live, &r,
								on_reply, t));
		return;
	case TUI_FK_CUSTOMER:
		cu.name = (char *)text(a, "Name");
		cu.phone = (char *)text(a, "Phone");
		cu.email = (char *)text(a, "Email");
		cu.has_consultant_id = 1;
		cu.consultant_id = pick(a, "Consultant");
		/* The form's key, as for a new task: a save repeated after a
		 * failure or a cut adds the contact once. */
		key = tui_submit_form_key(a);
		if ((t = ticket(a, true, false, NULL)))
			sent(a, t, clubcrm_customer_upsert_async(
					   a->live, &cu, key.data, key.len,
					   on_reply, t));
		return;
	default:
		return;
	}
}

void tui_submit(struct tui_app *a)
{
	Clubcrm__CreateTask c = CLUBCRM__CREATE_TASK__INIT;
	uint64_t tags[TUI_TAGS_MAX];
	struct ticket *t;
	switch (a->fkind) {
	case TUI_FK_NEW_TASK:
	case TUI_FK_NEW_NOTE:
		if (create_from_form(a, &c, tags, a->fkind == TUI_FK_NEW_NOTE) < 0)
			return;
		/* The form's key: a create waits for the connection and goes
		 * again after a cut (live_request), and a save repeated after
		 * a failure carries it too: never a second task. */
		c.idempotency_key = tui_submit_form_key(a);
		c.has_idempotency_key = c.idempotency_key.len != 0;
		if ((t = ticket(a, true, false, NULL)))
			sent(a, t, clubcrm_task_create_async(a->live, &c,
							     on_reply, t));
		return;
	case TUI_FK_COPY:
		if (create_from_form(a, &c, tags, tui_form_field(&a->form, "Planned") == NULL) < 0)
			return;
		c.has_kind = 0;  /* the source's kind */
		if ((t = ticket(a, true, false, NULL)))
			sent(a, t, clubcrm_task_copy_async(a->live, a->task_id,
							   &c, on_reply, t));
		return;
	case TUI_FK_EDIT:
		tui_submit_edit(a, a->base_mod_rev);
		return;
	case TUI_FK_FOLLOW_UP:
		submit_follow_up(a);
		return;
	case TUI_FK_TAGS:
		submit_tags(a);
		return;
	case TUI_FK_FILTER:
		submit_filter(a);
		return;
	case TUI_FK_ASOF:
		submit_asof(a);
		return;
	case TUI_FK_EXPORT:
		tui_export_submit(a);
		return;
	case TUI_FK_CUSTOMERS_EXPORT:
		tui_export_customers_submit(a);
		return;
	case TUI_FK_IMPORT:
		tui_import_submit(a);
		return;
	default:
		submit_simple(a);
	}
}


void tui_forms_take(struct tui_app *a, const Clubcrm__TaskRow *row)
{
	bool release = row->task->taken_by && row->task->taken_by == a->me;
	struct ticket *t = ticket(a, false, false,
				  release ? "released task"
					  : "you took charge of task");
	if (!t)
		return;
	uint64_t id = row->task->id;
	sent(a, t, release ? clubcrm_task_release_async(a->live, id, on_reply, t)
			   : clubcrm_task_take_async(a->live, id, on_reply, t));
}
