/*
 * Repeating tasks in the desk's forms: the fields Repeats (none, daily,
 * weekly, monthly), Repeat until (a date: its whole day included; or
 * "YYYY-MM-DD HH:MM": no occurrence from then on) and Repeat times (the
 * occurrences, this one included), and the request fields they make. The
 * two ends exclude each other, as the CLI's --until and --count do. Pure
 * logic on a form, without a terminal or a connection.
 */
#ifndef CLUBCRM_TUI_REPEAT_H
#define CLUBCRM_TUI_REPEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"
#include "tui_widget_form.h"

#define TUI_REPEAT_COUNT_MAX 1000  /* the server's limit */

/* A series as a task holds it (the base an edit is compared with). */
struct tui_repeat_base {
	Clubcrm__Recurrence rec;
	int64_t until;
	uint32_t count;
};

/* The request's fields: has_ set for what is to be sent. */
struct tui_repeat {
	bool has_rec, has_until, has_count;
	Clubcrm__Recurrence rec;
	int64_t until;
	uint32_t count;
};

/* The base of task `t` (NULL: a task that does not repeat). */
void tui_repeat_base_of(const Clubcrm__Task *t, struct tui_repeat_base *b);

/* Appends the three fields, showing `b` (NULL: none). 0, or -ENOSPC when
 * the form is full. */
int tui_repeat_add_fields(struct tui_form *f, const struct tui_repeat_base *b);

/*
 * The request fields from the form. A new task (`base` NULL) sends the
 * series when Repeats is not none; an edit sends only what differs from
 * `base` ("none" stops the series; an end emptied is cleared, 0). 0; -1
 * with the reason in `why` (both ends, an end without Repeats, a date
 * that is none, a count outside 1..1000). A form without the fields sends
 * nothing.
 */
int tui_repeat_from_form(struct tui_form *f, const struct tui_repeat_base *base,
			 struct tui_repeat *out, char *why, size_t size);

/* "rep" when the task repeats: the board's mark is "\u21bb" (↻). */
bool tui_repeat_on(const Clubcrm__Task *t);

#endif
