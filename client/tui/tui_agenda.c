/*
 * The agendas. "Agenda" is the operator's own calendar (a day or a week of
 * slots); "Operators" puts one column per operator over one day, filtered
 * by team or operator. Selecting a busy cell opens its task, an empty one a
 * new task for that operator and time; the customer's name then appears in
 * the cell when the server's delta arrives. On my agenda, F (twice: the
 * old URL stops) makes a new secret calendar-feed URL and shows it in the
 * title line (README "Calendar feeds").
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_api.h"
#include "status.h"
#include "timeutil.h"
#include "tui_app.h"
#include "tui_text.h"

#define TIME_W 6

static bool in_team(const Clubcrm__Operator *o, uint64_t team)
{
	for (size_t i = 0; i < o->n_team_ids; i++)
		if (o->team_ids[i] == team)
			return true;
	return false;
}

/*
 * Opening hours widened, slot by slot, to the tasks planned outside them: a
 * 07:00 call before an 08:00 opening must not vanish from the agenda.
 */
static void widen_hours(struct tui_app *a, uint32_t slot, uint32_t *start,
			uint32_t *end)
{
	size_t n;
	const Clubcrm__TaskRow **rows = tui_app_rows(a->sub, false, &n);
	if (slot == 0 || slot > 24 * 60)
		return;  /* tui_grid_init falls back; nothing to align with */
	for (size_t i = 0; i < n; i++) {
		int64_t t = rows[i]->task->planned_at;
		int64_t m = time_minute_of_day(t);
		if (m < 0 || m >= 24 * 60)
			continue;
		while (*start >= slot && m < *start)
			*start -= slot;
		while (*end < 24 * 60 && m >= *end)
			*end += slot;
	}
	if (*end > 24 * 60)
		*end = 24 * 60;
	free(rows);
}

/* The columns, from the screen, the day and the filters. */
static void build_grid(struct tui_app *a)
{
	uint32_t slot, start, end;
	tui_cat_slots(a, &slot, &start, &end);
	if (end > start && start < 24 * 60)
		widen_hours(a, slot, &start, &end);
	/* The cursor stays on its time of day when the first row moves. */
	uint32_t old_start = a->grid.start_min, old_slot = a->grid.slot_min;
	tui_grid_init(&a->grid, slot, start, end);
	if (old_slot == a->grid.slot_min && old_slot) {
		long shift = ((long)old_start - (long)a->grid.start_min) / (long)old_slot;
		a->aslot = a->aslot + shift < 0 ? 0 : a->aslot + (int)shift;
	}
	if (a->screen == TUI_SCR_AGENDA) {
		for (int d = 0; d < (a->week ? 7 : 1); d++)
			tui_grid_add_col(&a->grid, a->me, tui_day_add(a->day, d));
	} else {
		const struct replica_catalog *c = tui_cat(a);
		for (size_t i = 0; c && i < c->n_operators; i++) {
			const Clubcrm__Operator *o = c->operators[i];
			if ((o->has_active && !o->active) ||
			    (a->op_filter && o->id != a->op_filter) ||
			    (a->team_id && !in_team(o, a->team_id)))
				continue;
			tui_grid_add_col(&a->grid, o->id, a->day);
		}
	}
	if (a->acol >= a->grid.n_cols)
		a->acol = a->grid.n_cols ? a->grid.n_cols - 1 : 0;
	if (a->aslot >= a->grid.n_slots)
		a->aslot = a->grid.n_slots ? a->grid.n_slots - 1 : 0;
}

void tui_agenda_subscribe(struct tui_app *a)
{
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	uint64_t me = a->me;
	v.has_kind = v.has_from = v.has_to = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA;
	v.from = a->day;
	v.to = tui_day_add(a->day, a->screen == TUI_SCR_AGENDA && a->week ? 7 : 1);
	if (a->screen == TUI_SCR_AGENDA) {
		v.operator_ids = &me;
		v.n_operator_ids = 1;
	} else if (a->op_filter) {
		v.operator_ids = &a->op_filter;
		v.n_operator_ids = 1;
	} else if (a->team_id) {
		v.has_team_id = 1;
		v.team_id = a->team_id;
	}
	tui_app_subscribe(a, &a->sub, &v);
}

void tui_agenda_focus_now(struct tui_app *a)
{
	/* Entering an agenda: a feed URL shown before is not shown again. */
	a->feed_confirm = false;
	a->feed_url[0] = '\0';
	uint32_t slot, start, end;
	int64_t now = time_now();
	tui_cat_slots(a, &slot, &start, &end);
	tui_grid_init(&a->grid, slot, start, end);
	a->acol = 0;
	a->aslot = 0;
	if (a->day != tui_day_start(now))
		return;
	int64_t off = time_minute_of_day(now) - (int64_t)a->grid.start_min;
	if (off > 0)
		a->aslot = (int)(off / a->grid.slot_min);
	if (a->aslot >= a->grid.n_slots)
		a->aslot = a->grid.n_slots - 1;
}

struct cell {
	const Clubcrm__TaskRow *first;
	int count;
};

static struct cell *cells_of(struct tui_app *a)
{
	struct tui_grid *g = &a->grid;
	size_t n = (size_t)(g->n_cols * g->n_slots);
	struct cell *cells = calloc(n ? n : 1, sizeof(*cells));
	size_t nrows;
	const Clubcrm__TaskRow **rows = tui_app_rows(a->sub, false, &nrows);
	for (size_t i = 0; cells && i < nrows; i++) {
		int c, s;
		const Clubcrm__Task *t = rows[i]->task;
		if (tui_grid_locate(g, t->operator_id, t->planned_at, &c, &s) < 0)
			continue;
		struct cell *ce = &cells[c * g->n_slots + s];
		if (!ce->first)
			ce->first = rows[i];
		ce->count++;
	}
	free(rows);  /* the rows themselves live in the replica */
	return cells;
}

static int col_width(const struct tui_app *a)
{
	int w = a->grid.n_cols ? (COLS - TIME_W) / a->grid.n_cols : COLS;
	return w < 12 ? 12 : w;
}

static void draw_header(struct tui_app *a, int y, int cw)
{
	char buf[128], title[160], day[32];
	time_format_local(a->day, "%a %d/%m/%Y", day, sizeof(day));
	if (a->screen == TUI_SCR_AGENDA)
		snprintf(title, sizeof(title), "My agenda from %s (%s)  [ ] day  w day/week  h today  Enter open/new  F calendar feed",
			 day, a->week ? "week" : "day");
	else
		snprintf(title, sizeof(title), "Operators' agendas %s  team: %s  operator: %s  [ ] day  h today  T team  o operator",
			 day, a->team_id ? "one" : "all", a->op_filter ? "one" : "all");
	/* A new calendar-feed URL takes the title line while it is shown. */
	if (a->screen == TUI_SCR_AGENDA && a->feed_url[0])
		tui_draw_text(y - 1, 0, COLS, A_BOLD, a->feed_url);
	else
		tui_draw_text(y - 1, 0, COLS, A_DIM, title);
	tui_draw_text(y, 0, TIME_W, A_UNDERLINE, "");
	for (int c = 0; c < a->grid.n_cols && TIME_W + c * cw < COLS; c++) {
		if (a->screen == TUI_SCR_AGENDA) {
			time_format_local(a->grid.cols[c].day, "%a %d/%m", buf, sizeof(buf));
		} else {
			const Clubcrm__Operator *o = tui_cat_operator(a, a->grid.cols[c].operator_id);
			snprintf(buf, sizeof(buf), "%s", o && o->name ? o->name : "?");
		}
		tui_draw_text(y, TIME_W + c * cw, cw, A_UNDERLINE | A_BOLD, buf);
	}
}

static int cell_attr(const struct cell *ce, bool cur)
{
	int attr = A_NORMAL;
	if (ce->first && ce->first->colour == CLUBCRM__COLOUR__COLOUR_RED)
		attr = COLOR_PAIR(1);
	else if (ce->first && ce->first->colour == CLUBCRM__COLOUR__COLOUR_YELLOW)
		attr = COLOR_PAIR(2);
	else if (ce->first)
		attr = A_BOLD;
	return cur ? (int)(attr | A_REVERSE) : attr;
}

static int top_slot(const struct tui_app *a, int rows)
{
	int top = a->aslot - rows + 1;
	return top < 0 ? 0 : top;
}

void tui_agenda_draw(struct tui_app *a, int y, int h)
{
	build_grid(a);
	if (a->screen == TUI_SCR_AGENDA && !a->me) {
		tui_draw_text(y + 1, 2, COLS - 2, A_DIM, "(waiting for the login)");
		return;
	}
	int cw = col_width(a);
	draw_header(a, y, cw);
	struct cell *cells = cells_of(a);
	if (!cells)
		return;
	int rows = h - 1, top = top_slot(a, rows);
	a->body_y = y + 1;
	for (int r = 0; r < rows && top + r < a->grid.n_slots; r++) {
		int s = top + r;
		char t[16], text[256];
		time_format_local(tui_grid_cell_time(&a->grid, 0, s), "%H:%M", t, sizeof(t));
		tui_draw_text(y + 1 + r, 0, TIME_W, A_DIM, t);
		for (int c = 0; c < a->grid.n_cols && TIME_W + c * cw < COLS; c++) {
			const struct cell *ce = &cells[c * a->grid.n_slots + s];
			bool cur = c == a->acol && s == a->aslot;
			if (ce->first)
				snprintf(text, sizeof(text), "%s%s",
					 ce->first->customer_name ? ce->first->customer_name : "?",
					 ce->count > 1 ? " +" : "");
			else
				snprintf(text, sizeof(text), "%s", cur ? "  (new)" : "  .");
			tui_draw_text(y + 1 + r, TIME_W + c * cw, cw - 1, cell_attr(ce, cur), text);
		}
	}
	free(cells);
}

static void open_cell(struct tui_app *a)
{
	/* The grid of the day shown now: `]` then Enter typed before a redraw
	 * would otherwise book the slot of the day before. */
	build_grid(a);
	if (a->acol >= a->grid.n_cols || a->aslot >= a->grid.n_slots)
		return;
	struct cell *cells = cells_of(a);
	if (!cells)
		return;
	const struct cell *ce = &cells[a->acol * a->grid.n_slots + a->aslot];
	if (ce->first)
		tui_forms_open(a, TUI_FK_EDIT, ce->first);
	else
		tui_forms_new_at(a, a->grid.cols[a->acol].operator_id,
				 tui_grid_cell_time(&a->grid, a->acol, a->aslot));
	free(cells);
}

/* Cycles `*id` through the catalogue's teams or operators, then "all". */
static void cycle(uint64_t *id, const uint64_t *ids, size_t n)
{
	size_t i = 0;
	while (i < n && ids[i] != *id)
		i++;
	*id = i < n ? (i + 1 < n ? ids[i + 1] : 0) : (n ? ids[0] : 0);
}

static void cycle_filter(struct tui_app *a, bool team)
{
	const struct replica_catalog *c = tui_cat(a);
	size_t n = c ? (team ? c->n_teams : c->n_operators) : 0;
	uint64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	if (!ids)
		return;
	for (size_t i = 0; i < n; i++)
		ids[i] = team ? c->teams[i]->id : c->operators[i]->id;
	cycle(team ? &a->team_id : &a->op_filter, ids, n);
	free(ids);
	if (team)
		a->op_filter = 0;
	else
		a->team_id = 0;
	tui_agenda_subscribe(a);
}

static void change_day(struct tui_app *a, int64_t day)
{
	a->day = day;
	tui_agenda_subscribe(a);
}

static void on_feed(const struct clubcrm_answer *ans, void *arg)
{
	struct tui_app *a = arg;
	a->feed_busy = false;
	tui_app_dirty(a);
	if (ans->status != STATUS_OK) {
		tui_app_status(a, true, "calendar feed: %s: %s",
			       status_name(ans->status), ans->message);
		return;
	}
	const Clubcrm__Welcome *w = client_welcome(live_client(a->live));
	const char *base = w && w->web_url ? w->web_url : "";
	snprintf(a->feed_url, sizeof(a->feed_url),
		 "Calendar feed (secret; shown once, Esc hides it): %s%s%s",
		 base, ans->feed->path ? ans->feed->path : "",
		 base[0] ? "" : "  (after the web desk's address)");
	tui_app_status(a, false, "a new calendar feed URL: the old one no "
		       "longer works");
}

/*
 * F on my agenda: first a question (the old URL stops at once), then, on
 * a second F, RotateFeed. Any other key is "no" (and does nothing else).
 * true when the key was taken.
 */
static bool feed_key(struct tui_app *a, const struct tui_key *k)
{
	bool f = k->code == 0 && !strcmp(k->text, "F");
	if (a->feed_confirm) {
		a->feed_confirm = false;
		if (!f) {
			tui_app_status(a, false, "no new calendar feed URL");
			return true;
		}
		if (a->feed_busy)
			return true;
		unsigned rc = clubcrm_feed_rotate_async(a->live, 0, on_feed, a);
		if (rc != STATUS_OK) {
			tui_app_status(a, true, "calendar feed: %s",
				       status_name(rc));
			return true;
		}
		a->feed_busy = true;
		tui_app_status(a, false, "making a new calendar feed URL...");
		return true;
	}
	if (k->code == TUI_KEY_ESC && a->feed_url[0]) {
		a->feed_url[0] = '\0';
		return true;
	}
	if (!f)
		return false;
	a->feed_confirm = true;
	tui_app_status(a, false, "F again: a new secret URL of this agenda "
		       "for your calendar (the old one stops at once); any "
		       "other key: no");
	return true;
}

bool tui_agenda_key(struct tui_app *a, const struct tui_key *k)
{
	if (a->screen == TUI_SCR_AGENDA && feed_key(a, k))
		return true;
	int step = a->screen == TUI_SCR_AGENDA && a->week ? 7 : 1;
	switch (k->code) {
	case KEY_UP:
		a->aslot = a->aslot > 0 ? a->aslot - 1 : 0;
		return true;
	case KEY_DOWN:
		a->aslot = a->aslot + 1 < a->grid.n_slots ? a->aslot + 1 : a->aslot;
		return true;
	case KEY_LEFT:
		a->acol = a->acol > 0 ? a->acol - 1 : 0;
		return true;
	case KEY_RIGHT:
		a->acol = a->acol + 1 < a->grid.n_cols ? a->acol + 1 : a->acol;
		return true;
	case TUI_KEY_ENTER:
		open_cell(a);
		return true;
	case 0:
		break;
	default:
		return false;
	}
	if (!strcmp(k->text, "["))
		change_day(a, tui_day_add(a->day, -step));
	else if (!strcmp(k->text, "]"))
		change_day(a, tui_day_add(a->day, step));
	else if (!strcmp(k->text, "h"))
		change_day(a, tui_day_start(time_now()));
	else if (!strcmp(k->text, "w") && a->screen == TUI_SCR_AGENDA) {
		a->week = !a->week;
		tui_agenda_subscribe(a);
	} else if (!strcmp(k->text, "T") && a->screen == TUI_SCR_OPS)
		cycle_filter(a, true);
	else if (!strcmp(k->text, "o") && a->screen == TUI_SCR_OPS)
		cycle_filter(a, false);
	else
		return false;
	return true;
}

void tui_agenda_mouse(struct tui_app *a, int y, int x, bool dbl)
{
	int cw = col_width(a);
	int r = y - a->body_y;
	if (r < 0 || x < TIME_W)
		return;
	int c = (x - TIME_W) / cw;
	int s = top_slot(a, LINES - 2 - 3 - 1) + r;
	if (c >= a->grid.n_cols || s >= a->grid.n_slots)
		return;
	a->acol = c;
	a->aslot = s;
	if (dbl)
		open_cell(a);
}
