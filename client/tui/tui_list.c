#include "tui_list.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tui_list_init(struct tui_list *l)
{
	memset(l, 0, sizeof(*l));
	l->height = 1;
}

void tui_list_free(struct tui_list *l)
{
	free(l->ids);
	tui_list_init(l);
}

/* Keeps the cursor inside the visible window. */
static void scroll(struct tui_list *l)
{
	size_t h = l->height > 0 ? (size_t)l->height : 1;
	if (l->n == 0) {
		l->cursor = l->top = 0;
		return;
	}
	if (l->cursor >= l->n)
		l->cursor = l->n - 1;
	if (l->cursor < l->top)
		l->top = l->cursor;
	if (l->cursor >= l->top + h)
		l->top = l->cursor - h + 1;
	/* No empty space below the last row while rows are above. */
	if (l->top + h > l->n)
		l->top = l->n > h ? l->n - h : 0;
	l->sel_id = l->ids[l->cursor];
}

static long find(const struct tui_list *l, uint64_t id)
{
	for (size_t i = 0; id && i < l->n; i++)
		if (l->ids[i] == id)
			return (long)i;
	return -1;
}

int tui_list_set(struct tui_list *l, const uint64_t *ids, size_t n)
{
	if (n > l->cap) {
		size_t cap = n < 16 ? 16 : n * 2;
		uint64_t *p = realloc(l->ids, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->ids = p;
		l->cap = cap;
	}
	if (n)
		memcpy(l->ids, ids, n * sizeof(*ids));
	l->n = n;
	long at = find(l, l->sel_id);
	if (at >= 0) {
		/* Keep the row at the same height on screen too. */
		size_t off = l->cursor >= l->top ? l->cursor - l->top : 0;
		l->cursor = (size_t)at;
		l->top = l->cursor >= off ? l->cursor - off : 0;
	}
	scroll(l);
	return 0;
}

void tui_list_set_height(struct tui_list *l, int height)
{
	l->height = height > 0 ? height : 1;
	scroll(l);
}

void tui_list_move(struct tui_list *l, long delta)
{
	if (l->n == 0)
		return;
	long c = (long)l->cursor + delta;
	if (c < 0)
		c = 0;
	if (c >= (long)l->n)
		c = (long)l->n - 1;
	l->cursor = (size_t)c;
	scroll(l);
}

void tui_list_home(struct tui_list *l)
{
	tui_list_move(l, -(long)l->n);
}

void tui_list_end(struct tui_list *l)
{
	tui_list_move(l, (long)l->n);
}

int tui_list_click(struct tui_list *l, int row)
{
	if (row < 0 || row >= l->height || l->top + (size_t)row >= l->n)
		return -ENOENT;
	l->cursor = l->top + (size_t)row;
	scroll(l);
	return 0;
}

int tui_list_select(struct tui_list *l, uint64_t id)
{
	long at = find(l, id);
	if (at < 0)
		return -ENOENT;
	l->cursor = (size_t)at;
	scroll(l);
	return 0;
}

uint64_t tui_list_selected(const struct tui_list *l)
{
	return l->n ? l->ids[l->cursor] : 0;
}
