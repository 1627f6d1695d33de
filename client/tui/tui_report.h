/*
 * The console's report (key R): this month's or this week's figures from
 * the server (GetReport), as text lines drawn over the console until R or
 * Esc; w and m switch the period, the arrows scroll.
 */
#ifndef CLUBCRM_TUI_REPORT_H
#define CLUBCRM_TUI_REPORT_H

#include <stdbool.h>

#define TUI_REPORT_LINES 160
#define TUI_REPORT_WIDTH 200

struct tui_report {
	bool shown, week, loading;
	unsigned seq;           /* answers to an older ask are dropped */
	char lines[TUI_REPORT_LINES][TUI_REPORT_WIDTH];
	int n, top;
};

struct tui_app;
struct tui_key;

/* Opens the report (this month) and asks for it. */
void tui_report_open(struct tui_app *a);
void tui_report_draw(struct tui_app *a);
/* A key while the report is shown. */
void tui_report_key(struct tui_app *a, const struct tui_key *k);

#endif
