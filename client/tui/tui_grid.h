/*
 * The agenda grid: columns (an operator on a day) by rows of time slots
 * within opening hours. The desk's calendar uses one operator over one or
 * seven days; the operators' agendas use one day over many operators. Pure
 * arithmetic on Unix seconds, local days in the club's zone (timeutil.h).
 */
#ifndef CLUBCRM_TUI_GRID_H
#define CLUBCRM_TUI_GRID_H

#include <stdbool.h>
#include <stdint.h>

#include "clubzone.h"

#define TUI_GRID_COLS 32

struct tui_grid_col {
	uint64_t operator_id;
	int64_t day;  /* local midnight */
};

struct tui_grid {
	uint32_t slot_min;   /* slot length, minutes (> 0) */
	uint32_t start_min;  /* opening, minutes after midnight */
	int n_slots;
	struct tui_grid_col cols[TUI_GRID_COLS];
	int n_cols;
};

/* Local midnight of the day holding t (its first instant). */
int64_t tui_day_start(int64_t t);
/* Local midnight `days` days after the day of t (DST-safe). */
int64_t tui_day_add(int64_t day, int days);

/*
 * What "today" means on screen: the club's day holding `now` in zone z.
 * True when that is not the day *today holds (the club's midnight passed,
 * or the zone changed); *today is then that day's first instant.
 */
bool tui_day_roll(const struct clubzone *z, int64_t now, int64_t *today);

/* Slots from opening to closing (fixes nonsense settings). */
void tui_grid_init(struct tui_grid *g, uint32_t slot_min, uint32_t start_min,
		   uint32_t end_min);
/* Adds a column; -ENOSPC when full. */
int tui_grid_add_col(struct tui_grid *g, uint64_t operator_id, int64_t day);
/* Start of a cell. */
int64_t tui_grid_cell_time(const struct tui_grid *g, int col, int slot);
/* The cell a task falls in. 0, or -ENOENT when outside the grid. */
int tui_grid_locate(const struct tui_grid *g, uint64_t operator_id,
		    int64_t planned_at, int *col, int *slot);
/* The planned range the grid covers, for the subscription. */
void tui_grid_range(const struct tui_grid *g, int64_t *from, int64_t *to);

#endif
