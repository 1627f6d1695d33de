/*
 * What goes where on the screen, without a terminal: the quick buttons and
 * their click areas, and a task row as text in the product's convention
 * ("12/03 10:30 (10/03)  Valentina (Alicia)  Appointment  Arantxa ...").
 */
#ifndef CLUBCRM_TUI_LAYOUT_H
#define CLUBCRM_TUI_LAYOUT_H

#include <stddef.h>

#include "clubcrm.pb-c.h"

#define TUI_BUTTONS_MAX 12

struct tui_buttons {
	int n;
	int x0[TUI_BUTTONS_MAX], x1[TUI_BUTTONS_MAX];  /* [x0, x1) columns */
};

/* Places labels "[F1 All]" side by side from column 0, one space apart;
 * those past `width` get x0 == x1 (not shown, not clickable). */
void tui_layout_buttons(struct tui_buttons *b, const char *const *labels,
			int n, int width);
/* The button under column x, or -1. */
int tui_layout_hit(const struct tui_buttons *b, int x);

/* The status icon: planned, done, cancelled. */
const char *tui_layout_status_icon(Clubcrm__TaskStatus st);
/* The outcome mark: + positive, - negative, ? unknown, blank none. */
char tui_layout_outcome_mark(Clubcrm__Outcome o);

/* Column where the outcome mark sits in a task row. */
#define TUI_ROW_MARK_COL 2
/* Width of the tags column of a task row. */
#define TUI_ROW_TAGS_W 16

/* Where a tag is drawn in a task row: columns [x, x + w), and the basic
 * terminal colour of the tag (tag_colour_basic; -1: none). */
struct tui_span {
	int x, w;
	int colour;
};
/* The spans of the row's tags that show within the tags column and
 * `width`, at most `max`; their count. */
int tui_layout_tag_spans(const Clubcrm__TaskRow *r, int width,
			 struct tui_span *spans, int max);

/*
 * A task row cut or padded to `width` columns: icon, outcome mark, flags
 * (! overdue, ^ escalated or n a note, \u21bb a repeating task),
 * planned (created), operator (creator), type, customer, tags, then
 * "(taken by NAME)" for a planned task someone took, and the description.
 * Returns the bytes written.
 */
size_t tui_layout_task_row(const Clubcrm__TaskRow *r, int width, char *out,
			   size_t size);
/* The header line matching tui_layout_task_row. */
size_t tui_layout_task_header(int width, char *out, size_t size);

/* A waiting time: "35 min", "2 h 05 min", "3 d 4 h". */
void tui_layout_duration(int64_t secs, char *out, size_t size);
/*
 * A row of the manager's console at `now`: the flag (ESCALATED when nobody
 * took it in time), planned time, type, customer, responsible operator, and
 * "waiting DURATION" (since the task was created, as escalation counts) or
 * "taken by X since HH:MM (N min)", then the description.
 */
size_t tui_layout_urgent_row(const Clubcrm__TaskRow *r, int64_t now, int width,
			     char *out, size_t size);

#endif
