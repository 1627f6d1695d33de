/*
 * The desk: quick buttons (all tasks with the filter bar, urgent, contacts,
 * in preparation, overdue, the agenda, the operators' agendas), the task
 * summary under them, and the customer profile. Each screen is one live
 * subscription; switching screens swaps it.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "tui_app.h"
#include "tui_text.h"

static const char *const button_labels[] = {
	"[F1 All tasks]", "[F2 Urgent]", "[F3 Contacts]", "[F4 In preparation]",
	"[F5 Overdue]", "[F6 Agenda]", "[F7 Operators]",
};
static const enum tui_screen button_screens[] = {
	TUI_SCR_ALL, TUI_SCR_URGENT, TUI_SCR_CONTACTS, TUI_SCR_PREP,
	TUI_SCR_OVERDUE, TUI_SCR_AGENDA, TUI_SCR_OPS,
};
#define N_BUTTONS 7

#define BODY_Y 3

#define EXPORT_LISTS_ONLY "E (export) is for the task lists: F1, F2, F4, " \
			  "F5, a customer's profile, and F3 Contacts (the " \
			  "customers)"
#define ASOF_LISTS_ONLY "h (the past) is for the task lists: F1, F2, F4, " \
			"F5 and a customer's profile"

static void subscribe_tasks(struct tui_app *a, Clubcrm__ViewKind kind,
			    bool mine)
{
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	Clubcrm__TaskStatus status;
	uint64_t ids[3], me = a->me;
	v.has_kind = 1;
	v.kind = kind;
	v.filter = &f;
	if (kind == CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD)
		tui_forms_filter(&a->filter, &f, &status, ids);
	if (kind == CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER) {
		tui_forms_filter(&a->cfilter, &f, &status, ids);
		v.has_customer_id = 1;
		v.customer_id = a->customer_id;
	}
	if (mine && me) {
		f.operator_ids = &me;
		f.n_operator_ids = 1;
	}
	tui_app_subscribe(a, &a->sub, &v);
}

void tui_desk_show(struct tui_app *a, enum tui_screen s)
{
	if (s != TUI_SCR_CUSTOMER && a->screen != TUI_SCR_CUSTOMER)
		a->back = s;
	else if (s == TUI_SCR_CUSTOMER && a->screen != TUI_SCR_CUSTOMER)
		a->back = a->screen;
	a->screen = s;
	a->list.sel_id = 0;
	a->list.cursor = a->list.top = 0;
	/* In the past, another list (or filter) is asked for at the same
	 * moment; a screen without a past goes back to live. */
	if (a->asof.on && tui_asof_screen(s)) {
		tui_app_subscribe(a, &a->sub, NULL);
		tui_asof_query(a);
		return;
	}
	if (a->asof.on)
		tui_asof_leave(a, false);
	switch (s) {
	case TUI_SCR_ALL:
		subscribe_tasks(a, CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD, false);
		break;
	case TUI_SCR_URGENT:
		subscribe_tasks(a, CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT, !a->all);
		break;
	case TUI_SCR_PREP:
		subscribe_tasks(a, CLUBCRM__VIEW_KIND__VIEW_KIND_IN_PREPARATION, !a->all);
		break;
	case TUI_SCR_OVERDUE:
		subscribe_tasks(a, CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE, !a->all);
		break;
	case TUI_SCR_CUSTOMER:
		subscribe_tasks(a, CLUBCRM__VIEW_KIND__VIEW_KIND_CUSTOMER, false);
		break;
	case TUI_SCR_AGENDA:
	case TUI_SCR_OPS:
		tui_agenda_focus_now(a);
		tui_agenda_subscribe(a);
		break;
	default:
		tui_app_subscribe(a, &a->sub, NULL);
	}
	a->dirty = true;
}

void tui_desk_start(struct tui_app *a)
{
	tui_desk_show(a, TUI_SCR_ALL);
	tui_app_status(a, false, "n new task  N note  Enter info  c copy  f follow up  "
		       "t take/release  x cancel  g tags  p profile  / filter  q quit");
}

static bool is_list_screen(const struct tui_app *a)
{
	return a->screen != TUI_SCR_CONTACTS && a->screen != TUI_SCR_AGENDA &&
	       a->screen != TUI_SCR_OPS;
}

const Clubcrm__TaskRow *tui_desk_selected(struct tui_app *a)
{
	if (a->asof.on)
		return tui_asof_row(&a->asof, tui_list_selected(&a->list));
	if (!a->sub || !is_list_screen(a))
		return NULL;
	return replica_get(live_sub_replica(a->sub), tui_list_selected(&a->list));
}

/* ------------------------------------------------------------ contacts */

static void contacts_ids(struct tui_app *a)
{
	const struct replica_catalog *c = tui_cat(a);
	size_t n = c ? c->n_customers : 0;
	uint64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	if (!ids)
		return;
	for (size_t i = 0; i < n; i++)
		ids[i] = c->customers[i]->id;
	tui_list_set(&a->list, ids, n);
	free(ids);
}

static void draw_contacts(struct tui_app *a, int y, int h)
{
	char line[1024];
	contacts_ids(a);
	snprintf(line, sizeof(line), "  %-28s %-18s %-28s %s", "Name", "Phone",
		 "Email", "Consultant");
	tui_draw_text(y, 0, COLS, A_UNDERLINE, line);
	tui_list_set_height(&a->list, h - 1);
	for (int i = 0; i + 1 < h && a->list.top + (size_t)i < a->list.n; i++) {
		size_t at = a->list.top + (size_t)i;
		const Clubcrm__Customer *cu = tui_cat_customer(a, a->list.ids[at]);
		if (!cu)
			continue;
		const Clubcrm__Operator *op = tui_cat_operator(a, cu->consultant_id);
		char name[128], phone[64], email[128];
		tui_text_fit(cu->name, 28, 1, name, sizeof(name));
		tui_text_fit(cu->phone, 18, 1, phone, sizeof(phone));
		tui_text_fit(cu->email, 28, 1, email, sizeof(email));
		snprintf(line, sizeof(line), "  %s %s %s %s", name, phone, email,
			 op && op->name ? op->name : "");
		tui_draw_text(y + 1 + i, 0, COLS,
			      at == a->list.cursor ? A_REVERSE : A_NORMAL, line);
	}
}

/* ------------------------------------------------------------ drawing */

static void context_line(struct tui_app *a, char *out, size_t size)
{
	const char *who = a->all || !a->me ? "everyone's" : "mine";
	const Clubcrm__Customer *cu;
	struct tui_field *fl;
	switch (a->screen) {
	case TUI_SCR_ALL: {
		size_t o = (size_t)snprintf(out, size, "All tasks  (/ filter)");
		for (int i = 0; i < a->filter.n && o < size; i++) {
			fl = &a->filter.f[i];
			const char *v = fl->kind == TUI_FIELD_CHOICE ?
				(tui_field_choice_id(fl) ? fl->choices[fl->choice].name : "")
				: fl->text;
			if (v[0])
				o += (size_t)snprintf(out + o, size - o, "  %s: %s",
						      fl->label, v);
		}
		return;
	}
	case TUI_SCR_URGENT:
		snprintf(out, size, "Urgent activities: %s  (a: mine/everyone's)", who);
		return;
	case TUI_SCR_PREP:
		snprintf(out, size, "In preparation (nobody took charge): %s  (a: mine/everyone's)", who);
		return;
	case TUI_SCR_OVERDUE:
		snprintf(out, size, "Overdue: %s  (a: mine/everyone's)", who);
		return;
	case TUI_SCR_CONTACTS:
		snprintf(out, size, "Contacts  (Enter/p: profile  n: new task  C: new contact  "
			 "E: export)");
		return;
	case TUI_SCR_CUSTOMER:
		cu = tui_cat_customer(a, a->customer_id);
		snprintf(out, size, "Customer profile: %s  %s  (newest first; / dates; Esc back)",
			 cu && cu->name ? cu->name : "?", cu && cu->phone ? cu->phone : "");
		return;
	default:
		out[0] = '\0';
	}
}

const Clubcrm__TaskRow **tui_desk_rows(struct tui_app *a, size_t *n)
{
	if (!a->asof.on)
		return tui_app_rows(a->sub, a->screen == TUI_SCR_CUSTOMER, n);
	/* The rows kept, in the server's order. */
	*n = a->asof.n_rows;
	const Clubcrm__TaskRow **rows = malloc((*n ? *n : 1) * sizeof(*rows));
	if (!rows)
		*n = 0;
	else if (*n)
		memcpy(rows, a->asof.rows, *n * sizeof(*rows));
	return rows;
}

void tui_desk_draw(struct tui_app *a)
{
	tui_layout_buttons(&a->buttons, button_labels, N_BUTTONS, COLS);
	for (int i = 0; i < N_BUTTONS; i++) {
		bool on = button_screens[i] == a->screen;
		int w = a->buttons.x1[i] - a->buttons.x0[i];
		tui_draw_text(1, a->buttons.x0[i], w, on ? A_REVERSE | A_BOLD : A_BOLD,
			      button_labels[i]);
	}
	char ctx[512];
	context_line(a, ctx, sizeof(ctx));
	tui_draw_text(2, 0, COLS, A_DIM, ctx);
	int h = LINES - 2 - BODY_Y;
	a->body_y = BODY_Y + 1;
	if (a->screen == TUI_SCR_CONTACTS) {
		draw_contacts(a, BODY_Y, h);
		return;
	}
	if (a->screen == TUI_SCR_AGENDA || a->screen == TUI_SCR_OPS) {
		tui_agenda_draw(a, BODY_Y, h);
		return;
	}
	size_t n;
	const Clubcrm__TaskRow **rows = tui_desk_rows(a, &n);
	uint64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	if (ids) {
		for (size_t i = 0; i < n; i++)
			ids[i] = rows[i]->task->id;
		tui_list_set(&a->list, ids, n);
		free(ids);
	}
	tui_draw_task_list(a, &a->list, rows, n, BODY_Y, h, true);
	free(rows);
}

/* ------------------------------------------------------------ input */

static bool list_key(struct tui_list *l, int code)
{
	switch (code) {
	case KEY_UP:
		tui_list_move(l, -1);
		return true;
	case KEY_DOWN:
		tui_list_move(l, 1);
		return true;
	case KEY_PPAGE:
		tui_list_move(l, -l->height);
		return true;
	case KEY_NPAGE:
		tui_list_move(l, l->height);
		return true;
	case KEY_HOME:
		tui_list_home(l);
		return true;
	case KEY_END:
		tui_list_end(l);
		return true;
	}
	return false;
}

static void open_profile(struct tui_app *a, uint64_t customer_id)
{
	if (!customer_id)
		return;
	a->customer_id = customer_id;
	tui_desk_show(a, TUI_SCR_CUSTOMER);
}

static void contacts_key(struct tui_app *a, const struct tui_key *k)
{
	uint64_t id = tui_list_selected(&a->list);
	if (k->code == TUI_KEY_ENTER || !strcmp(k->text, "p"))
		open_profile(a, id);
	else if (!strcmp(k->text, "n"))
		tui_forms_open(a, TUI_FK_NEW_TASK, NULL);
	else if (!strcmp(k->text, "N"))
		tui_forms_open(a, TUI_FK_NEW_NOTE, NULL);
	else if (!strcmp(k->text, "C"))
		tui_forms_open(a, TUI_FK_CUSTOMER, NULL);
	else if (!strcmp(k->text, "I") && !a->me_admin)
		tui_app_status(a, true, "only admins may import customers");
	else if (!strcmp(k->text, "I"))
		tui_forms_open(a, TUI_FK_IMPORT, NULL);
	else if (!strcmp(k->text, "h"))
		tui_app_status(a, true, ASOF_LISTS_ONLY);
	else if (!strcmp(k->text, "E"))
		tui_forms_open(a, TUI_FK_CUSTOMERS_EXPORT, NULL);
}

/*
 * Following up, cancelling and taking charge are for planned tasks: said at
 * once, rather than after a form the server would refuse. True when refused.
 */
static bool open_task_only(struct tui_app *a, const Clubcrm__TaskRow *row,
			   char key)
{
	const char *what = key == 'f' ? "followed up" : key == 'x' ? "cancelled"
			 : key == 't' ? "taken" : NULL;
	if (!what)
		return false;
	if (row->task->kind == CLUBCRM__TASK_KIND__TASK_KIND_NOTE) {
		tui_app_status(a, true, "a note cannot be %s", what);
		return true;
	}
	if (row->task->status != CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED) {
		tui_app_status(a, true, "task %llu is %s: it cannot be %s",
			       (unsigned long long)row->task->id,
			       row->task->status == CLUBCRM__TASK_STATUS__TASK_STATUS_DONE
			       ? "done" : "cancelled", what);
		return true;
	}
	return false;
}

/*
 * The past is read-only: the keys that would write (new task or note,
 * info, copy, follow up, cancel, tags, take) are refused with a word. True
 * when `k` was one of them.
 */
static bool asof_refuse(struct tui_app *a, const struct tui_key *k)
{
	static const char *const writes[] = {"n", "N", "i", "c", "f", "x", "g",
					     "t"};
	bool write = a->asof.on && k->code == TUI_KEY_ENTER;
	for (size_t i = 0; a->asof.on && i < sizeof(writes) / sizeof(writes[0]); i++)
		write |= !strcmp(k->text, writes[i]);
	if (!write)
		return false;
	char title[160];
	tui_asof_title(&a->asof, title, sizeof(title));
	tui_app_status(a, true, "read-only: %s (h or Esc: back to live)",
		       title);
	return true;
}

/* Row commands: the same letters on every task list. */
static bool row_key(struct tui_app *a, const struct tui_key *k)
{
	if (asof_refuse(a, k))
		return true;
	const Clubcrm__TaskRow *row = tui_desk_selected(a);
	static const struct {
		const char *key;
		enum tui_form_kind kind;
	} forms[] = {
		{"i", TUI_FK_EDIT}, {"c", TUI_FK_COPY}, {"f", TUI_FK_FOLLOW_UP},
		{"x", TUI_FK_CANCEL}, {"g", TUI_FK_TAGS},
	};
	if (k->code == TUI_KEY_ENTER && row) {
		tui_forms_open(a, TUI_FK_EDIT, row);
		return true;
	}
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (strcmp(k->text, forms[i].key))
			continue;
		if (!row)
			tui_app_status(a, true, "no task selected");
		else if (!open_task_only(a, row, k->text[0]))
			tui_forms_open(a, forms[i].kind, row);
		return true;
	}
	if (!strcmp(k->text, "t") || !strcmp(k->text, "p")) {
		if (!row)
			tui_app_status(a, true, "no task selected");
		else if (k->text[0] == 't' && open_task_only(a, row, 't'))
			;
		else if (k->text[0] == 't')
			tui_forms_take(a, row);
		else
			open_profile(a, row->task->customer_id);
		return true;
	}
	return false;
}

static bool screen_key(struct tui_app *a, const struct tui_key *k)
{
	for (int i = 0; i < N_BUTTONS; i++)
		if (k->code == KEY_F(i + 1) ||
		    (k->code == 0 && k->text[0] == '1' + i && !k->text[1])) {
			tui_desk_show(a, button_screens[i]);
			return true;
		}
	return false;
}

void tui_desk_key(struct tui_app *a, const struct tui_key *k)
{
	if (!strcmp(k->text, "q")) {
		tui_app_quit(a);
		return;
	}
	if (screen_key(a, k))
		return;
	if ((a->screen == TUI_SCR_AGENDA || a->screen == TUI_SCR_OPS) &&
	    tui_agenda_key(a, k))
		return;
	if (a->screen == TUI_SCR_CONTACTS) {
		if (!list_key(&a->list, k->code))
			contacts_key(a, k);
		return;
	}
	if (a->asof.on && (!strcmp(k->text, "h") || k->code == TUI_KEY_ESC)) {
		tui_asof_leave(a, true);
		tui_app_status(a, false, "live again");
		return;
	}
	if (list_key(&a->list, k->code) || row_key(a, k))
		return;
	if (!strcmp(k->text, "E")) {
		if (tui_asof_screen(a->screen))
			tui_forms_open(a, TUI_FK_EXPORT, NULL);
		else
			tui_app_status(a, true, EXPORT_LISTS_ONLY);
	} else if (!strcmp(k->text, "h")) {
		if (tui_asof_screen(a->screen))
			tui_forms_open(a, TUI_FK_ASOF, NULL);
		else
			tui_app_status(a, true, ASOF_LISTS_ONLY);
	} else if (!strcmp(k->text, "n")) {
		tui_forms_open(a, TUI_FK_NEW_TASK, NULL);
	} else if (!strcmp(k->text, "N")) {
		tui_forms_open(a, TUI_FK_NEW_NOTE, NULL);
	} else if (!strcmp(k->text, "/") &&
		   (a->screen == TUI_SCR_ALL || a->screen == TUI_SCR_CUSTOMER)) {
		tui_forms_open(a, TUI_FK_FILTER, NULL);
	} else if (!strcmp(k->text, "a")) {
		a->all = !a->all;
		tui_desk_show(a, a->screen);
	} else if ((k->code == TUI_KEY_ESC || k->code == KEY_BACKSPACE) &&
		   a->screen == TUI_SCR_CUSTOMER) {
		tui_desk_show(a, a->back);
	}
}

void tui_desk_mouse(struct tui_app *a, int y, int x, bool dbl)
{
	if (y == 1) {
		int b = tui_layout_hit(&a->buttons, x);
		if (b >= 0)
			tui_desk_show(a, button_screens[b]);
		return;
	}
	if (a->screen == TUI_SCR_AGENDA || a->screen == TUI_SCR_OPS) {
		tui_agenda_mouse(a, y, x, dbl);
		return;
	}
	if (tui_list_click(&a->list, y - a->body_y) < 0 || !dbl)
		return;
	struct tui_key enter = {.code = TUI_KEY_ENTER};
	if (a->screen == TUI_SCR_CONTACTS)
		contacts_key(a, &enter);
	else
		row_key(a, &enter);
}
