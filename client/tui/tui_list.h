/*
 * A scrolling list with a cursor, over row ids. When the rows change (a
 * delta from the server), the cursor stays on the same id, so a row being
 * read never slides away; when that row left, the cursor keeps its place
 * (clamped). Pure logic, no curses: the views draw rows top..top+height.
 */
#ifndef CLUBCRM_TUI_LIST_H
#define CLUBCRM_TUI_LIST_H

#include <stddef.h>
#include <stdint.h>

struct tui_list {
	uint64_t *ids;
	size_t n, cap;
	size_t cursor;    /* index, meaningful when n > 0 */
	size_t top;       /* first visible index */
	uint64_t sel_id;  /* id under the cursor (0: none yet) */
	int height;       /* visible rows */
};

void tui_list_init(struct tui_list *l);
void tui_list_free(struct tui_list *l);
/* Replaces the ids (copied). 0 or -ENOMEM (then the list is unchanged). */
int tui_list_set(struct tui_list *l, const uint64_t *ids, size_t n);
void tui_list_set_height(struct tui_list *l, int height);
/* Moves the cursor by delta rows (clamped). */
void tui_list_move(struct tui_list *l, long delta);
void tui_list_home(struct tui_list *l);
void tui_list_end(struct tui_list *l);
/* A click on visible row `row` (0 = top). 0, or -ENOENT below the rows. */
int tui_list_click(struct tui_list *l, int row);
/* Puts the cursor on `id` if present. 0 or -ENOENT. */
int tui_list_select(struct tui_list *l, uint64_t id);
/* The id under the cursor, 0 when empty. */
uint64_t tui_list_selected(const struct tui_list *l);

#endif
