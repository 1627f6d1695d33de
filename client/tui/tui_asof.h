/*
 * The past on the desk's board: `h` asks for a moment ("YYYY-MM-DD HH:MM"
 * in the club's zone) or a revision ("rN"), and the screen's list (all
 * tasks with the filter bar, urgent, in preparation, overdue, a customer's
 * profile) shows the tasks as they stood then: ListTasks with as_of or
 * as_of_revision, every page of the same query and checked to come from
 * the same revision, read-only. `h` or Esc goes back to live.
 */
#ifndef CLUBCRM_TUI_ASOF_H
#define CLUBCRM_TUI_ASOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"

#define TUI_ASOF_PAGE 500          /* rows per page (the server's most) */
#define TUI_ASOF_ROWS_MAX 20000    /* rows kept; more are left out, said */

/* What was asked: a moment (has_at) or a revision. */
struct tui_asof_query {
	bool has_at;
	int64_t at;
	uint64_t rev;
};

struct tui_asof {
	bool on;                   /* the board shows the past */
	bool loading;              /* pages still coming */
	bool incomplete;           /* a page failed or the rows were capped */
	struct tui_asof_query q;
	uint64_t rev;              /* answered: the revision rebuilt */
	int64_t rev_at;            /* and its commit time */
	unsigned seq;              /* replies to an older query are dropped */
	Clubcrm__TaskPage **pages; /* owned copies */
	size_t n_pages;
	const Clubcrm__TaskRow **rows;  /* into pages, in the server's order */
	size_t n_rows;
};

/*
 * The prompt's text: "rN" (N >= 1) or a moment with a time of day in the
 * club's zone (a time the zone skips refused). 0, or -1 with the reason in
 * `why`. A moment in the future is the server's to refuse (OUT_OF_RANGE).
 */
int tui_asof_parse(const char *text, struct tui_asof_query *q, char *why,
		   size_t size);

/* The title bar's mark: "AS OF 2026-12-06 10:00 (rev 1234) read-only";
 * the revision's commit time when a revision was asked; "(rev ...)" until
 * the first page came. */
void tui_asof_title(const struct tui_asof *s, char *out, size_t size);

/* Drops the rows kept (the mode stays as it is). */
void tui_asof_clear(struct tui_asof *s);

/* Keeps a copy of a page's rows; -1 when out of memory or over
 * TUI_ASOF_ROWS_MAX (then `incomplete` is set). */
int tui_asof_add_page(struct tui_asof *s, const Clubcrm__TaskPage *p);

/* The row of task `id` among those kept, or NULL. */
const Clubcrm__TaskRow *tui_asof_row(const struct tui_asof *s, uint64_t id);

#endif
