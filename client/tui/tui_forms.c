/*
 * The forms of the desk and the console: new task or note, info (edit, with
 * the history), copy, follow up, cancel, tags, reassign, a new contact and
 * the filters. Pick lists come from the catalogue replica. A refused
 * submission leaves the form as typed with the server's message in the
 * status line; an edit refused because the task changed meanwhile shows the
 * server's version and lets the user save over it or take it.
 */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "timeutil.h"
#include "tui_app.h"


static const char *const status_names[] = {"Planned", "Done", "Cancelled"};

static void fmt_time(int64_t t, char *out, size_t size)
{
	out[0] = '\0';
	if (t)
		time_format_local(t, "%Y-%m-%d %H:%M", out, size);
}

void tui_forms_close(struct tui_app *a)
{
	tui_form_free(&a->form);
	a->fkind = TUI_FK_NONE;
	a->form_seq++;
	if (a->conflict)
		clubcrm__task_row__free_unpacked(a->conflict, NULL);
	a->conflict = NULL;
	a->n_history = 0;
	a->dirty = true;
}

/* ------------------------------------------------------------ building */

static struct tui_field *add(struct tui_app *a, const char *label,
			     enum tui_field_kind kind, const char *text)
{
	struct tui_field *fl = tui_form_add(&a->form, label, kind);
	if (fl && text)
		tui_field_set_text(fl, text);
	return fl;
}

static void add_status(struct tui_field *fl, bool any)
{
	if (any)
		tui_field_add_choice(fl, 0, "(any)");
	for (int i = 0; i < 3; i++)
		tui_field_add_choice(fl, (uint64_t)i + 1, status_names[i]);
}

void tui_forms_check_tags(struct tui_field *fl, const Clubcrm__Task *t)
{
	for (size_t i = 0; t && i < t->n_tag_ids; i++)
		tui_field_choose(fl, t->tag_ids[i]);
}

/* The task fields of new, copy and info forms, from `row` when given. */
static void task_fields(struct tui_app *a, const Clubcrm__TaskRow *row,
			bool note, bool edit)
{
	const Clubcrm__Task *t = row ? row->task : NULL;
	char when[32] = "";
	if (t)
		fmt_time(t->planned_at, when, sizeof(when));
	else if (!note)
		fmt_time(time_now() - time_now() % 3600 + 3600, when, sizeof(when));
	add(a, "Description", TUI_FIELD_TEXT, t ? t->description : "");
	struct tui_field *fl = add(a, "Customer", TUI_FIELD_CHOICE, NULL);
	tui_cat_fill_customers(a, fl, NULL);
	uint64_t cust = t ? t->customer_id : 0;
	if (!cust && (a->screen == TUI_SCR_CUSTOMER))
		cust = a->customer_id;
	if (!cust && a->screen == TUI_SCR_CONTACTS)
		cust = tui_list_selected(&a->list);
	tui_field_choose(fl, cust);
	fl = add(a, "Type", TUI_FIELD_CHOICE, NULL);
	tui_cat_fill_types(a, fl, NULL);
	if (t)
		tui_field_choose(fl, t->type_id);
	add(a, note ? "When (empty=now)" : "Planned", TUI_FIELD_TEXT, when);
	fl = add(a, "Operator", TUI_FIELD_CHOICE, NULL);
	tui_cat_fill_operators(a, fl, edit ? NULL : "(the consultant)");
	if (t)
		tui_field_choose(fl, t->operator_id);
	if (!edit) {
		/* Every tag of the task copied, not only its first. */
		fl = add(a, "Tags", TUI_FIELD_CHECKS, NULL);
		tui_cat_fill_tags(a, fl, NULL);
		tui_forms_check_tags(fl, t);
		if (!note && !row)
			tui_repeat_add_fields(&a->form, NULL);
		return;
	}
	fl = add(a, "Status", TUI_FIELD_CHOICE, NULL);
	add_status(fl, false);
	tui_field_choose(fl, t ? (uint64_t)t->status : 1);
	fl = add(a, "Result", TUI_FIELD_CHOICE, NULL);
	tui_cat_fill_results(a, fl, "(none)");
	if (t)
		tui_field_choose(fl, t->result_id);
	add(a, "Closing note", TUI_FIELD_TEXT, t ? t->closing_note : "");
	/* Notes do not repeat. */
	if (!note)
		tui_repeat_add_fields(&a->form, &a->rep_base);
}

static void follow_up_fields(struct tui_app *a)
{
	static const char *const actions[] = {
		"as the result says", "close", "close with note", "keep open"};
	struct tui_field *fl = add(a, "Result", TUI_FIELD_CHOICE, NULL);
	tui_cat_fill_results(a, fl, NULL);
	fl = add(a, "Then", TUI_FIELD_CHOICE, NULL);
	for (int i = 0; i < 4; i++)
		tui_field_add_choice(fl, (uint64_t)i, actions[i]);
	add(a, "Note", TUI_FIELD_TEXT, "");
	add(a, "Next task", TUI_FIELD_TEXT, "");
	add(a, "Next planned", TUI_FIELD_TEXT, "");
	fl = add(a, "Next operator", TUI_FIELD_CHOICE, NULL);
	tui_cat_fill_operators(a, fl, "(the consultant)");
	fl = add(a, "Next type", TUI_FIELD_CHOICE, NULL);
	tui_cat_fill_types(a, fl, "(same type)");
}

static void tags_fields(struct tui_app *a, const Clubcrm__TaskRow *row)
{
	struct tui_field *fl = add(a, "Tags", TUI_FIELD_CHECKS, NULL);
	tui_cat_fill_tags(a, fl, NULL);
	for (size_t i = 0; i < row->task->n_tag_ids; i++)
		tui_field_choose(fl, row->task->tag_ids[i]);
}

/* Fields of a filter form, keeping the values of the previous one. */
static void filter_fields(struct tui_app *a, struct tui_form *old, bool board)
{
	static const char *const dates[] = {
		"Created from", "Created to", "Planned from", "Planned to"};
	for (int i = 0; i < 4; i++) {
		struct tui_field *p = tui_form_field(old, dates[i]);
		add(a, dates[i], TUI_FIELD_TEXT, p ? p->text : "");
	}
	if (!board)
		return;
	static const char *const picks[] = {"Operator", "Type", "Tag", "Status", "Customer"};
	for (int i = 0; i < 5; i++) {
		struct tui_field *fl = add(a, picks[i], TUI_FIELD_CHOICE, NULL);
		switch (i) {
		case 0: tui_cat_fill_operators(a, fl, "(any)"); break;
		case 1: tui_cat_fill_types(a, fl, "(any)"); break;
		case 2: tui_cat_fill_tags(a, fl, "(any)"); break;
		case 3: add_status(fl, true); break;
		default: tui_cat_fill_customers(a, fl, "(any)");
		}
		struct tui_field *p = tui_form_field(old, picks[i]);
		if (p)
			tui_field_choose(fl, tui_field_choice_id(p));
	}
	struct tui_field *p = tui_form_field(old, "Text");
	add(a, "Text", TUI_FIELD_TEXT, p ? p->text : "");
}

void tui_forms_init_filters(struct tui_app *a)
{
	tui_form_init(&a->filter, "Filter");
	tui_form_init(&a->cfilter, "Dates");
}

int tui_forms_filter_check(struct tui_form *f, char *err, size_t size)
{
	static const char *const dates[] = {
		"Created from", "Created to", "Planned from", "Planned to"};
	for (int i = 0; i < 4; i++) {
		struct tui_field *fl = tui_form_field(f, dates[i]);
		int64_t t;
		if (fl && fl->text[0] && time_parse_local(fl->text, &t) < 0) {
			snprintf(err, size, "%s: '%s' is not a date (use "
				 "YYYY-MM-DD or YYYY-MM-DD HH:MM)", dates[i],
				 fl->text);
			return -EINVAL;
		}
	}
	return 0;
}

void tui_forms_filter(struct tui_form *f, Clubcrm__TaskFilter *tf,
		      Clubcrm__TaskStatus *status, uint64_t *ids)
{
	struct {
		const char *label;
		protobuf_c_boolean *has;
		int64_t *val;
	} dates[] = {
		{"Created from", &tf->has_created_from, &tf->created_from},
		{"Created to", &tf->has_created_to, &tf->created_to},
		{"Planned from", &tf->has_planned_from, &tf->planned_from},
		{"Planned to", &tf->has_planned_to, &tf->planned_to},
	};
	for (size_t i = 0; i < 4; i++) {
		struct tui_field *fl = tui_form_field(f, dates[i].label);
		if (fl && fl->text[0] && time_parse_local(fl->text, dates[i].val) == 0)
			*dates[i].has = 1;
	}
	/* "to" dates are inclusive on screen: the whole day. */
	if (tf->has_created_to)
		tf->created_to = tui_day_add(tf->created_to, 1);
	if (tf->has_planned_to)
		tf->planned_to = tui_day_add(tf->planned_to, 1);
	struct tui_field *fl;
	if ((fl = tui_form_field(f, "Operator")) && (ids[0] = tui_field_choice_id(fl))) {
		tf->operator_ids = &ids[0];
		tf->n_operator_ids = 1;
	}
	if ((fl = tui_form_field(f, "Type")) && (ids[1] = tui_field_choice_id(fl))) {
		tf->type_ids = &ids[1];
		tf->n_type_ids = 1;
	}
	if ((fl = tui_form_field(f, "Tag")) && (ids[2] = tui_field_choice_id(fl))) {
		tf->tag_ids = &ids[2];
		tf->n_tag_ids = 1;
	}
	if ((fl = tui_form_field(f, "Status")) && tui_field_choice_id(fl)) {
		*status = (Clubcrm__TaskStatus)tui_field_choice_id(fl);
		tf->statuses = status;
		tf->n_statuses = 1;
	}
	if ((fl = tui_form_field(f, "Customer")) && tui_field_choice_id(fl)) {
		tf->has_customer_id = 1;
		tf->customer_id = tui_field_choice_id(fl);
	}
	if ((fl = tui_form_field(f, "Text")) && fl->text[0])
		tf->text = fl->text;
}

static const char *form_title(enum tui_form_kind kind)
{
	switch (kind) {
	case TUI_FK_NEW_TASK: return "New task";
	case TUI_FK_NEW_NOTE: return "New note";
	case TUI_FK_EDIT: return "Task info";
	case TUI_FK_COPY: return "Copy task";
	case TUI_FK_FOLLOW_UP: return "Follow up";
	case TUI_FK_CANCEL: return "Cancel task";
	case TUI_FK_TAGS: return "Tags (space toggles)";
	case TUI_FK_REASSIGN: return "Reassign open tasks";
	case TUI_FK_FILTER: return "Filter";
	case TUI_FK_CUSTOMER: return "New contact";
	case TUI_FK_IMPORT: return "Import customers from a CSV file: Ctrl-S "
				   "checks it, Ctrl-S again imports";
	case TUI_FK_ASOF: return "The board as it stood at YYYY-MM-DD HH:MM, "
				 "or after revision rN (read-only)";
	case TUI_FK_EXPORT: return "The list to a CSV file, as `clubcrm task "
				   "export --bom` writes it";
	case TUI_FK_CUSTOMERS_EXPORT: return "Customers to a CSV file, as "
		"`clubcrm customer export --bom [--tag T]` writes them";
	default: return "";
	}
}

void tui_forms_open(struct tui_app *a, enum tui_form_kind kind,
		    const Clubcrm__TaskRow *row)
{
	tui_forms_close(a);
	/* An error of an earlier action is not this form's. */
	if (a->status_err) {
		a->status[0] = '\0';
		a->status_err = false;
	}
	a->fkind = kind;
	a->task_id = row && row->task ? row->task->id : 0;
	a->base_mod_rev = row && row->task ? row->task->mod_rev : 0;
	tui_repeat_base_of(row ? row->task : NULL, &a->rep_base);
	char title[96];
	snprintf(title, sizeof(title), "%s%s%s", form_title(kind), row ? ": " : "",
		 row && row->task && row->task->description ? row->task->description : "");
	tui_form_init(&a->form, title);
	bool note = row && row->task->kind == CLUBCRM__TASK_KIND__TASK_KIND_NOTE;
	switch (kind) {
	case TUI_FK_NEW_TASK:
	case TUI_FK_NEW_NOTE:
		task_fields(a, NULL, kind == TUI_FK_NEW_NOTE, false);
		break;
	case TUI_FK_COPY:
		task_fields(a, row, note, false);
		break;
	case TUI_FK_EDIT:
		task_fields(a, row, note, true);
		tui_submit_history(a, a->task_id);
		break;
	case TUI_FK_FOLLOW_UP:
		follow_up_fields(a);
		break;
	case TUI_FK_CANCEL: {
		struct tui_field *fl = add(a, "Result", TUI_FIELD_CHOICE, NULL);
		tui_cat_fill_results(a, fl, "(none)");
		add(a, "Note", TUI_FIELD_TEXT, "");
		break;
	}
	case TUI_FK_TAGS:
		tags_fields(a, row);
		break;
	case TUI_FK_REASSIGN: {
		struct tui_field *fl = add(a, "From", TUI_FIELD_CHOICE, NULL);
		tui_cat_fill_operators(a, fl, NULL);
		if (row)
			tui_field_choose(fl, row->task->operator_id);
		fl = add(a, "To", TUI_FIELD_CHOICE, NULL);
		tui_cat_fill_operators(a, fl, NULL);
		add(a, "Planned from", TUI_FIELD_TEXT, "");
		add(a, "Planned to", TUI_FIELD_TEXT, "");
		break;
	}
	case TUI_FK_FILTER:
		filter_fields(a, a->screen == TUI_SCR_ALL ? &a->filter : &a->cfilter,
			      a->screen == TUI_SCR_ALL);
		break;
	case TUI_FK_ASOF: {
		char now[32];
		fmt_time(time_now() - time_now() % 60, now, sizeof(now));
		add(a, "As of", TUI_FIELD_TEXT, now);  /* Enter shows it */
		break;
	}
	case TUI_FK_EXPORT: {
		char path[TUI_TEXT_MAX];
		tui_export_default_path(time_now(), path, sizeof(path));
		add(a, "File", TUI_FIELD_TEXT, path);  /* Enter writes it */
		a->export_confirm[0] = '\0';
		break;
	}
	case TUI_FK_CUSTOMERS_EXPORT: {
		char path[TUI_TEXT_MAX];
		tui_export_customers_path(time_now(), path, sizeof(path));
		add(a, "File", TUI_FIELD_TEXT, path);
		struct tui_field *fl = add(a, "Tag", TUI_FIELD_CHOICE, NULL);
		if (fl)
			tui_cat_fill_tags(a, fl, "(every customer)");
		a->export_confirm[0] = '\0';
		a->custexp_seq++;
		a->custexp_busy = false;
		break;
	}
	case TUI_FK_CUSTOMER: {
		add(a, "Name", TUI_FIELD_TEXT, "");
		add(a, "Phone", TUI_FIELD_TEXT, "");
		add(a, "Email", TUI_FIELD_TEXT, "");
		struct tui_field *fl = add(a, "Consultant", TUI_FIELD_CHOICE, NULL);
		tui_cat_fill_operators(a, fl, NULL);
		tui_field_choose(fl, a->me);
		break;
	}
	case TUI_FK_IMPORT: {
		add(a, "File", TUI_FIELD_TEXT, "");
		struct tui_field *fl = add(a, "Bad rows", TUI_FIELD_CHOICE, NULL);
		tui_field_add_choice(fl, 0, "stop: import nothing");
		tui_field_add_choice(fl, 1, "skip them, import the others");
		break;
	}
	default:
		a->fkind = TUI_FK_NONE;
	}
	a->dirty = true;
}

void tui_forms_new_at(struct tui_app *a, uint64_t operator_id, int64_t at)
{
	char when[32];
	tui_forms_open(a, TUI_FK_NEW_TASK, NULL);
	fmt_time(at, when, sizeof(when));
	tui_field_set_text(tui_form_field(&a->form, "Planned"), when);
	tui_field_choose(tui_form_field(&a->form, "Operator"), operator_id);
}

/* After a refused edit: save ours over theirs, or take theirs. */
static bool conflict_key(struct tui_app *a, const struct tui_key *k)
{
	if (a->fkind != TUI_FK_EDIT || !a->conflict || !a->conflict->task)
		return false;
	if (k->code == TUI_KEY_CTRL('r')) {
		a->base_mod_rev = a->conflict->task->mod_rev;
		clubcrm__task_row__free_unpacked(a->conflict, NULL);
		a->conflict = NULL;
		tui_submit_edit(a, a->base_mod_rev);
		return true;
	}
	if (k->code == TUI_KEY_CTRL('t')) {
		Clubcrm__TaskRow *theirs = a->conflict;
		a->conflict = NULL;
		tui_forms_open(a, TUI_FK_EDIT, theirs);
		clubcrm__task_row__free_unpacked(theirs, NULL);
		return true;
	}
	return false;
}

void tui_forms_key(struct tui_app *a, const struct tui_key *k)
{
	if (conflict_key(a, k))
		return;
	switch (tui_form_key(&a->form, k)) {
	case TUI_FORM_CANCEL:
		tui_forms_close(a);
		a->status[0] = '\0';
		a->status_err = false;
		break;
	case TUI_FORM_SUBMIT:
		a->status_err = false;
		tui_submit(a);
		break;
	default:
		break;
	}
}

void tui_forms_mouse(struct tui_app *a, int y, int x)
{
	(void)x;
	tui_form_focus(&a->form, y - a->form_y);
}
