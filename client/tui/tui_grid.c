#include "tui_grid.h"

#include <errno.h>
#include <string.h>

#include "timeutil.h"

/* Local days are the club's (clubzone.h), never the machine's. */
int64_t tui_day_start(int64_t t)
{
	return time_day_start(t, 0);
}

int64_t tui_day_add(int64_t day, int days)
{
	return time_day_start(day, days);
}

bool tui_day_roll(const struct clubzone *z, int64_t now, int64_t *today)
{
	int64_t day = clubzone_day_start(z, now, 0);
	if (day == *today)
		return false;
	*today = day;
	return true;
}

void tui_grid_init(struct tui_grid *g, uint32_t slot_min, uint32_t start_min,
		   uint32_t end_min)
{
	memset(g, 0, sizeof(*g));
	if (slot_min == 0 || slot_min > 24 * 60)
		slot_min = 30;
	if (start_min >= 24 * 60)
		start_min = 0;
	if (end_min <= start_min || end_min > 24 * 60)
		end_min = 24 * 60;
	g->slot_min = slot_min;
	g->start_min = start_min;
	g->n_slots = (int)((end_min - start_min + slot_min - 1) / slot_min);
}

int tui_grid_add_col(struct tui_grid *g, uint64_t operator_id, int64_t day)
{
	if (g->n_cols >= TUI_GRID_COLS)
		return -ENOSPC;
	g->cols[g->n_cols].operator_id = operator_id;
	g->cols[g->n_cols].day = day;
	g->n_cols++;
	return 0;
}

/* Slots are wall-clock times: 08:00 is 08:00 on a 23-hour day too. */
int64_t tui_grid_cell_time(const struct tui_grid *g, int col, int slot)
{
	return time_day_minute(g->cols[col].day,
			       (int)(g->start_min + (uint32_t)slot * g->slot_min));
}

int tui_grid_locate(const struct tui_grid *g, uint64_t operator_id,
		    int64_t planned_at, int *col, int *slot)
{
	for (int c = 0; c < g->n_cols; c++) {
		if (g->cols[c].operator_id != operator_id)
			continue;
		if (time_day_start(planned_at, 0) != g->cols[c].day)
			continue;
		int64_t off = time_minute_of_day(planned_at) - (int64_t)g->start_min;
		if (off < 0)
			continue;
		int64_t s = off / g->slot_min;
		if (s >= g->n_slots)
			continue;
		*col = c;
		*slot = (int)s;
		return 0;
	}
	return -ENOENT;
}

void tui_grid_range(const struct tui_grid *g, int64_t *from, int64_t *to)
{
	*from = *to = 0;
	for (int c = 0; c < g->n_cols; c++) {
		int64_t a = tui_grid_cell_time(g, c, 0);
		int64_t b = tui_grid_cell_time(g, c, g->n_slots);
		if (c == 0 || a < *from)
			*from = a;
		if (c == 0 || b > *to)
			*to = b;
	}
}
