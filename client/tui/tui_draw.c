/*
 * Painting: the title bar (with the connection state), the quick buttons,
 * task lists in their colours, the form box, the reminder and status lines.
 * Everything is drawn from the replicas on each pass; curses sends the
 * terminal only what changed.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "timeutil.h"
#include "tui_app.h"
#include "tui_text.h"

enum {
	PAIR_RED = 1, PAIR_YELLOW, PAIR_TITLE, PAIR_ALERT, PAIR_GOOD,
	PAIR_BAD, PAIR_GREY, PAIR_BUTTON, PAIR_FORM, PAIR_BUSY,
	PAIR_TAG0,  /* ... PAIR_TAG0 + 7: tags, by basic colour */
};

void tui_draw_init_colours(void)
{
	start_color();
	use_default_colors();
	init_pair(PAIR_RED, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_YELLOW, COLOR_BLACK, COLOR_YELLOW);
	init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_ALERT, COLOR_WHITE, COLOR_MAGENTA);
	init_pair(PAIR_GOOD, COLOR_GREEN, -1);
	init_pair(PAIR_BAD, COLOR_RED, -1);
	init_pair(PAIR_GREY, COLOR_WHITE, -1);
	init_pair(PAIR_BUTTON, COLOR_BLACK, COLOR_WHITE);
	init_pair(PAIR_FORM, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_BUSY, COLOR_CYAN, -1);
	for (short c = 0; c < 8; c++)  /* black shows as the terminal's grey */
		init_pair((short)(PAIR_TAG0 + c), c ? c : COLOR_WHITE, -1);
}

void tui_draw_text(int y, int x, int w, int attr, const char *s)
{
	char buf[2048];
	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	tui_text_fit(s, w, 1, buf, sizeof(buf));
	attrset(attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

static void draw_title(struct tui_app *a)
{
	char left[256], right[CLIENT_MESSAGE_MAX + 32];
	char clock[16] = "";
	time_format_local(time_now(), "%H:%M", clock, sizeof(clock));
	snprintf(left, sizeof(left), " clubcrm %s | %s | %s", a->console ? "console" : "desk",
		 a->club[0] ? a->club : "...", a->me_name[0] ? a->me_name : "...");
	/* Before the login, the club (and its time zone) is not known yet. */
	if (!a->live)
		snprintf(left, sizeof(left), " clubcrm %s | %s", a->console ? "console" : "desk",
			 a->opts.server ? a->opts.server : "");
	if (a->asof.on && !a->console) {
		char mark[160];
		tui_asof_title(&a->asof, mark, sizeof(mark));
		snprintf(right, sizeof(right), "%s ", mark);
	} else if (a->state == LIVE_READY)
		snprintf(right, sizeof(right), "live %s ", clock);
	else if (!a->live)
		snprintf(right, sizeof(right), "log in ");
	else if (a->state == LIVE_CONNECTING && !a->me)
		snprintf(right, sizeof(right), "connecting... ");
	else
		snprintf(right, sizeof(right), "RECONNECTING%s%s ",
			 a->state_msg[0] ? ": " : "", a->state_msg);
	tui_draw_text(0, 0, COLS, COLOR_PAIR(PAIR_TITLE), left);
	int rw = tui_text_width(right);
	/* The past's mark is what matters most while it shows. */
	if (rw > (a->asof.on ? COLS * 3 / 4 : COLS / 2))
		rw = a->asof.on ? COLS * 3 / 4 : COLS / 2;
	tui_draw_text(0, COLS - rw, rw,
		      a->asof.on && !a->console ? COLOR_PAIR(PAIR_ALERT) | A_BOLD :
		      a->state == LIVE_READY ? COLOR_PAIR(PAIR_TITLE) | A_BOLD
					     : COLOR_PAIR(PAIR_ALERT) | A_BOLD | A_BLINK,
		      right);
}

static void draw_bottom(struct tui_app *a)
{
	if (a->reminder[0])
		tui_draw_text(LINES - 2, 0, COLS, COLOR_PAIR(PAIR_YELLOW) | A_BOLD,
			      a->reminder);
	if (a->status[0])
		tui_draw_text(LINES - 1, 0, COLS,
			      a->status_err ? COLOR_PAIR(PAIR_RED) | A_BOLD : A_BOLD,
			      a->status);
}

void tui_draw(struct tui_app *a)
{
	curs_set(0);
	erase();
	draw_title(a);
	if (a->fkind == TUI_FK_LOGIN)
		;  /* nothing to show before the login */
	else if (a->console)
		tui_console_draw(a);
	else
		tui_desk_draw(a);
	draw_bottom(a);
	if (a->fkind != TUI_FK_NONE)
		tui_draw_form(a);
	refresh();
}

static int row_attr(const Clubcrm__TaskRow *r)
{
	switch (r->colour) {
	case CLUBCRM__COLOUR__COLOUR_RED:
		return COLOR_PAIR(PAIR_RED);
	case CLUBCRM__COLOUR__COLOUR_YELLOW:
		return COLOR_PAIR(PAIR_YELLOW);
	default:
		return A_NORMAL;
	}
}

static int mark_attr(Clubcrm__Outcome o)
{
	switch (o) {
	case CLUBCRM__OUTCOME__OUTCOME_POSITIVE:
		return COLOR_PAIR(PAIR_GOOD) | A_BOLD;
	case CLUBCRM__OUTCOME__OUTCOME_NEGATIVE:
		return COLOR_PAIR(PAIR_BAD) | A_BOLD;
	default:
		return COLOR_PAIR(PAIR_GREY) | A_DIM;
	}
}

void tui_draw_task_list(struct tui_app *a, struct tui_list *l,
			const Clubcrm__TaskRow **rows, size_t n, int y, int h,
			bool focused)
{
	char line[2048];
	(void)a;
	tui_layout_task_header(COLS, line, sizeof(line));
	tui_draw_text(y, 0, COLS, A_UNDERLINE, line);
	tui_list_set_height(l, h - 1);
	for (int i = 0; i + 1 < h && l->top + (size_t)i < n; i++) {
		const Clubcrm__TaskRow *r = rows[l->top + (size_t)i];
		bool cur = focused && l->top + (size_t)i == l->cursor;
		int attr = row_attr(r);
		/* The cursor keeps the row's colour readable: reverse on a plain
		 * row, bold and underline on a red or yellow one. */
		if (cur)
			attr |= attr == A_NORMAL ? A_REVERSE : A_BOLD | A_UNDERLINE;
		tui_layout_task_row(r, COLS, line, sizeof(line));
		tui_draw_text(y + 1 + i, 0, COLS, attr, line);
		/* Tags in their colours, on rows without a colour of their own. */
		struct tui_span sp[8];
		int ns = row_attr(r) == A_NORMAL && has_colors()
				 ? tui_layout_tag_spans(r, COLS, sp, 8) : 0;
		for (int j = 0; j < ns; j++)
			if (sp[j].colour >= 0)
				tui_draw_text(y + 1 + i, sp[j].x, sp[j].w,
					      COLOR_PAIR(PAIR_TAG0 + sp[j].colour) |
					      (cur ? A_REVERSE : 0),
					      r->tag_names[j] ? r->tag_names[j] : "?");
		char mark[2] = {tui_layout_outcome_mark(r->outcome), 0};
		if (mark[0] != ' ')
			tui_draw_text(y + 1 + i, TUI_ROW_MARK_COL, 1,
				      mark_attr(r->outcome) | (cur ? A_REVERSE : 0),
				      mark);
	}
	if (n == 0)
		tui_draw_text(y + 1, 2, COLS - 2, A_DIM, "(no tasks)");
}

/* ------------------------------------------------------------ forms */

static void field_value(const struct tui_field *f, bool focused, char *out,
			size_t size)
{
	switch (f->kind) {
	case TUI_FIELD_SECRET: {
		size_t n = strlen(f->text);
		n = n < size - 1 ? n : size - 1;
		memset(out, '*', n);
		out[n] = '\0';
		return;
	}
	case TUI_FIELD_CHOICE:
		snprintf(out, size, "< %s >%s%s", f->n_choices ?
			 f->choices[f->choice].name : "(none)",
			 focused && f->search[0] ? "  search: " : "",
			 focused ? f->search : "");
		return;
	case TUI_FIELD_CHECKS: {
		size_t o = 0;
		out[0] = '\0';
		for (size_t i = 0; i < f->n_choices && o + 4 < size; i++)
			o += (size_t)snprintf(out + o, size - o, "%s[%c] %s%s ",
					      focused && i == f->choice ? ">" : "",
					      f->choices[i].on ? 'x' : ' ',
					      f->choices[i].name,
					      focused && i == f->choice ? "<" : "");
		return;
	}
	default:
		snprintf(out, size, "%s", f->text);
	}
}

#define LABEL_W 16

static int form_extra_lines(struct tui_app *a)
{
	if (a->conflict)
		return 9;
	return a->n_history ? a->n_history + 2 : 0;
}

static void draw_conflict(struct tui_app *a, int y, int x, int w)
{
	const Clubcrm__TaskRow *c = a->conflict;
	const Clubcrm__Task *t = c->task;
	char line[512], when[32] = "";
	tui_draw_text(y++, x, w, COLOR_PAIR(PAIR_RED) | A_BOLD,
		      "Someone else changed this task. Theirs (now on the server):");
	if (!t)
		return;
	time_format_local(t->planned_at, "%Y-%m-%d %H:%M", when, sizeof(when));
	snprintf(line, sizeof(line), "  Description: %s", t->description ? t->description : "");
	tui_draw_text(y++, x, w, COLOR_PAIR(PAIR_FORM), line);
	snprintf(line, sizeof(line), "  Planned: %s   Type: %s", when, c->type_name ? c->type_name : "");
	tui_draw_text(y++, x, w, COLOR_PAIR(PAIR_FORM), line);
	snprintf(line, sizeof(line), "  Operator: %s   Customer: %s",
		 c->operator_name ? c->operator_name : "", c->customer_name ? c->customer_name : "");
	tui_draw_text(y++, x, w, COLOR_PAIR(PAIR_FORM), line);
	char at[32] = "";
	time_format_local(t->modified_at, "%H:%M:%S", at, sizeof(at));
	snprintf(line, sizeof(line), "  Status: %s   changed at %s (revision %llu)",
		 tui_layout_status_icon(t->status), at, (unsigned long long)t->mod_rev);
	tui_draw_text(y++, x, w, COLOR_PAIR(PAIR_FORM), line);
	tui_draw_text(y++, x, w, COLOR_PAIR(PAIR_FORM),
		      "Yours are the fields above.");
	tui_draw_text(y++, x, w, COLOR_PAIR(PAIR_FORM) | A_BOLD,
		      "Ctrl-R: save yours over theirs   Ctrl-T: take theirs   Esc: close");
}

void tui_draw_form(struct tui_app *a)
{
	struct tui_form *f = &a->form;
	int w = COLS - 4 < 100 ? COLS - 4 : 100;
	int h = f->n + 4 + form_extra_lines(a);
	if (h > LINES - 2)
		h = LINES - 2;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
	int attr = COLOR_PAIR(PAIR_FORM);
	for (int i = 0; i < h; i++)
		tui_draw_text(y0 + i, x0, w, attr, "");
	tui_draw_text(y0, x0 + 1, w - 2, attr | A_BOLD, f->title);
	a->form_y = y0 + 2;
	a->form_x = x0 + 1;
	int cy = -1, cx = -1;
	char val[1024];
	for (int i = 0; i < f->n && y0 + 2 + i < LINES - 1; i++) {
		const struct tui_field *fl = &f->f[i];
		bool foc = i == f->focus;
		tui_draw_text(y0 + 2 + i, x0 + 1, LABEL_W, attr, fl->label);
		field_value(fl, foc, val, sizeof(val));
		int vattr = foc ? (int)(attr | A_REVERSE) : fl->readonly ? (int)(attr | A_DIM) : attr;
		tui_draw_text(y0 + 2 + i, x0 + 1 + LABEL_W, w - LABEL_W - 2, vattr, val);
		if (foc && (fl->kind == TUI_FIELD_TEXT || fl->kind == TUI_FIELD_SECRET)) {
			char before[TUI_TEXT_MAX];
			memcpy(before, fl->text, fl->pos);
			before[fl->pos] = '\0';
			cy = y0 + 2 + i;
			cx = x0 + 1 + LABEL_W + (fl->kind == TUI_FIELD_SECRET ?
				(int)fl->pos : tui_text_width(before));
		}
	}
	int y = y0 + 3 + f->n;
	if (a->conflict) {
		draw_conflict(a, y, x0 + 1, w - 2);
	} else if (a->n_history) {
		tui_draw_text(y++, x0 + 1, w - 2, attr | A_UNDERLINE,
			      a->fkind == TUI_FK_IMPORT ? "The file" : "History");
		for (int i = 0; i < a->n_history && y < y0 + h; i++)
			tui_draw_text(y++, x0 + 1, w - 2, attr, a->history[i]);
	}
	tui_draw_text(y0 + h - 1, x0 + 1, w - 2, attr | A_DIM,
		      a->fkind == TUI_FK_LOGIN ?
		      "Tab: field  Enter: log in  Esc: quit" :
		      "Tab/arrows field  Left/Right choose  type to search  "
		      "Ctrl-S save  Esc cancel");
	if (cy >= 0 && cx < COLS) {
		move(cy, cx);
		curs_set(1);
	}
}
