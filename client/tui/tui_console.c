/*
 * The manager's console: everyone's urgent tasks, live (red ones waiting,
 * yellow ones with who took them and since when, escalated ones flagged),
 * counts per operator and team, and today's overdue tasks. Read-mostly:
 * take charge (t), reassign an operator's open tasks (r, admins only: the
 * server refuses others), info (Enter), this month's or week's report (R,
 * tui_report.c).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "tui_app.h"
#include "tui_grid.h"

/* Overdue tasks planned since the start of the club's today. */
static void subscribe_overdue(struct tui_app *a)
{
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_OVERDUE;
	f.has_planned_from = 1;
	f.planned_from = a->today;
	v.filter = &f;
	tui_app_subscribe(a, &a->sub2, &v);
}

void tui_console_start(struct tui_app *a)
{
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	a->screen = TUI_SCR_CONSOLE;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT;
	tui_app_subscribe(a, &a->sub, &v);
	tui_day_roll(clubzone_current(), time_now(), &a->today);
	subscribe_overdue(a);
	tui_console_hint(a);
}

void tui_console_hint(struct tui_app *a)
{
	tui_app_status(a, false, "Tab switch list  t take/release  %sEnter info  R report  q quit",
		       a->me_admin ? "r reassign  " : "");
}

void tui_console_tick(struct tui_app *a)
{
	if (a->screen == TUI_SCR_CONSOLE && a->sub2 &&
	    tui_day_roll(clubzone_current(), time_now(), &a->today))
		subscribe_overdue(a);
}

static void set_ids(struct tui_list *l, const Clubcrm__TaskRow **rows, size_t n)
{
	uint64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	if (!ids)
		return;
	for (size_t i = 0; i < n; i++)
		ids[i] = rows[i]->task->id;
	tui_list_set(l, ids, n);
	free(ids);
}

static void draw_urgent(struct tui_app *a, const Clubcrm__TaskRow **rows,
			size_t n, int y, int h)
{
	char line[2048];
	size_t waiting = 0, taken = 0, esc = 0;
	for (size_t i = 0; i < n; i++) {
		taken += rows[i]->task->taken_by != 0;
		waiting += rows[i]->task->taken_by == 0;
		esc += rows[i]->escalated;
	}
	snprintf(line, sizeof(line), "Urgent tasks of everyone: %zu waiting, %zu taken, %zu escalated",
		 waiting, taken, esc);
	tui_draw_text(y, 0, COLS, A_BOLD | (a->focus2 ? 0 : A_UNDERLINE), line);
	set_ids(&a->list, rows, n);
	tui_list_set_height(&a->list, h - 1);
	int64_t now = time_now();
	for (int i = 0; i + 1 < h && a->list.top + (size_t)i < n; i++) {
		size_t at = a->list.top + (size_t)i;
		const Clubcrm__TaskRow *r = rows[at];
		int attr = r->colour == CLUBCRM__COLOUR__COLOUR_RED ? COLOR_PAIR(1) :
			   r->colour == CLUBCRM__COLOUR__COLOUR_YELLOW ? COLOR_PAIR(2) : A_NORMAL;
		if (!a->focus2 && at == a->list.cursor)
			attr |= attr == A_NORMAL ? A_REVERSE : A_BOLD | A_UNDERLINE;
		if (r->escalated)
			attr |= A_BOLD;
		tui_layout_urgent_row(r, now, COLS, line, sizeof(line));
		tui_draw_text(y + 1 + i, 0, COLS, attr, line);
	}
	if (n == 0)
		tui_draw_text(y + 1, 2, COLS - 2, A_DIM, "(no urgent tasks)");
}

/* "Name 2/1" per operator (waiting/taken), then per team. */
static void draw_counts(struct tui_app *a, const Clubcrm__TaskRow **rows,
			size_t n, int y)
{
	const struct replica_catalog *c = tui_cat(a);
	char line[2048];
	size_t o = (size_t)snprintf(line, sizeof(line), "Per operator (waiting/taken):");
	for (size_t i = 0; c && i < c->n_operators && o < sizeof(line); i++) {
		const Clubcrm__Operator *op = c->operators[i];
		unsigned w = 0, t = 0;
		for (size_t j = 0; j < n; j++)
			if (rows[j]->task->operator_id == op->id) {
				w += rows[j]->task->taken_by == 0;
				t += rows[j]->task->taken_by != 0;
			}
		o += (size_t)snprintf(line + o, sizeof(line) - o, "  %s %u/%u",
				      op->name ? op->name : op->login, w, t);
	}
	tui_draw_text(y, 0, COLS, A_NORMAL, line);
	o = (size_t)snprintf(line, sizeof(line), "Per team (waiting/taken):");
	for (size_t i = 0; c && i < c->n_teams && o < sizeof(line); i++) {
		unsigned w = 0, t = 0;
		for (size_t j = 0; j < n; j++) {
			const Clubcrm__Operator *op = tui_cat_operator(a, rows[j]->task->operator_id);
			bool in = false;
			for (size_t k = 0; op && k < op->n_team_ids; k++)
				in |= op->team_ids[k] == c->teams[i]->id;
			if (in) {
				w += rows[j]->task->taken_by == 0;
				t += rows[j]->task->taken_by != 0;
			}
		}
		o += (size_t)snprintf(line + o, sizeof(line) - o, "  %s %u/%u",
				      c->teams[i]->name, w, t);
	}
	tui_draw_text(y + 1, 0, COLS, A_NORMAL, line);
}

void tui_console_draw(struct tui_app *a)
{
	if (a->report.shown) {
		tui_report_draw(a);
		return;
	}
	size_t n, n2;
	const Clubcrm__TaskRow **rows = tui_app_rows(a->sub, false, &n);
	const Clubcrm__TaskRow **rows2 = tui_app_rows(a->sub2, false, &n2);
	int avail = LINES - 3 - 1;
	int h1 = avail / 2, h2 = avail - h1 - 3;
	draw_urgent(a, rows, n, 1, h1);
	draw_counts(a, rows, n, 1 + h1);
	char title[128];
	snprintf(title, sizeof(title), "Overdue today: %zu", n2);
	tui_draw_text(3 + h1, 0, COLS, A_BOLD | (a->focus2 ? A_UNDERLINE : 0), title);
	set_ids(&a->list2, rows2, n2);
	tui_draw_task_list(a, &a->list2, rows2, n2, 4 + h1, h2, a->focus2);
	a->body_y = 2;
	free(rows);
	free(rows2);
}

static const Clubcrm__TaskRow *selected(struct tui_app *a)
{
	struct live_sub *s = a->focus2 ? a->sub2 : a->sub;
	struct tui_list *l = a->focus2 ? &a->list2 : &a->list;
	return s ? replica_get(live_sub_replica(s), tui_list_selected(l)) : NULL;
}

void tui_console_key(struct tui_app *a, const struct tui_key *k)
{
	if (a->report.shown) {
		tui_report_key(a, k);
		return;
	}
	struct tui_list *l = a->focus2 ? &a->list2 : &a->list;
	const Clubcrm__TaskRow *row = selected(a);
	switch (k->code) {
	case TUI_KEY_TAB:
		a->focus2 = !a->focus2;
		return;
	case KEY_UP:
		tui_list_move(l, -1);
		return;
	case KEY_DOWN:
		tui_list_move(l, 1);
		return;
	case KEY_PPAGE:
		tui_list_move(l, -l->height);
		return;
	case KEY_NPAGE:
		tui_list_move(l, l->height);
		return;
	case TUI_KEY_ENTER:
		if (row)
			tui_forms_open(a, TUI_FK_EDIT, row);
		return;
	}
	if (!strcmp(k->text, "q"))
		tui_app_quit(a);
	else if (!strcmp(k->text, "t") && row)
		tui_forms_take(a, row);
	else if (!strcmp(k->text, "r") && !a->me_admin)
		tui_app_status(a, true, "only admins may reassign an operator's open tasks");
	else if (!strcmp(k->text, "r"))
		tui_forms_open(a, TUI_FK_REASSIGN, row);
	else if (!strcmp(k->text, "i") && row)
		tui_forms_open(a, TUI_FK_EDIT, row);
	else if (!strcmp(k->text, "R"))
		tui_report_open(a);
}

void tui_console_mouse(struct tui_app *a, int y, int x, bool dbl)
{
	(void)x;
	if (a->report.shown)
		return;
	int avail = LINES - 3 - 1, h1 = avail / 2;
	if (y >= 2 && y < 1 + h1) {
		a->focus2 = 0;
		tui_list_click(&a->list, y - 2);
	} else if (y >= 5 + h1) {
		a->focus2 = 1;
		tui_list_click(&a->list2, y - 5 - h1);
	} else {
		return;
	}
	if (dbl && selected(a))
		tui_forms_open(a, TUI_FK_EDIT, selected(a));
}
