/*
 * The console's report (tui_report.h): GetReport for this month (the
 * server's default period) or this week (Monday to Sunday, the club's
 * days), turned into text lines when the answer comes (it lives only in
 * the callback), drawn over the console.
 */
#include "tui_report.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_api.h"
#include "status.h"
#include "timeutil.h"
#include "tui_app.h"

struct report_ticket {
	struct tui_app *a;
	unsigned seq;
};

static void add(struct tui_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct tui_report *r, const char *fmt, ...)
{
	if (r->n >= TUI_REPORT_LINES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->lines[r->n++], TUI_REPORT_WIDTH, fmt, ap);
	va_end(ap);
}

static void times(const char *what, uint32_t n, bool has, int64_t med,
		  int64_t p90, char *out, size_t size)
{
	char m[48], p[48];
	if (!has) {
		snprintf(out, size, "%s %u", what, (unsigned)n);
		return;
	}
	tui_layout_duration(med, m, sizeof(m));
	tui_layout_duration(p90, p, sizeof(p));
	snprintf(out, size, "%s %u (median %s, p90 %s)", what, (unsigned)n, m, p);
}

/* The report as lines: four sections, the days four to a line. */
static void fill(struct tui_report *r, const Clubcrm__Report *rep)
{
	r->n = r->top = 0;
	add(r, "Report %s to %s (exclusive), %s, revision %llu",
	    rep->from_date, rep->to_date, rep->time_zone,
	    (unsigned long long)rep->revision);
	add(r, "%s", "");
	add(r, "%s", "Tasks per operator responsible and type: created / done / cancelled");
	for (size_t i = 0; i < rep->n_counts; i++) {
		const Clubcrm__ReportCount *c = rep->counts[i];
		add(r, "  %-20.20s %-16.16s %5u %5u %5u", c->operator_name,
		    c->type_name, (unsigned)c->created, (unsigned)c->done,
		    (unsigned)c->cancelled);
	}
	if (!rep->n_counts)
		add(r, "%s", "  (none)");
	add(r, "%s", "");
	add(r, "%s", "Follow-up outcomes per type: positive / negative / no answer");
	for (size_t i = 0; i < rep->n_outcomes; i++) {
		const Clubcrm__ReportOutcome *o = rep->outcomes[i];
		add(r, "  %-37.37s %5u %5u %5u", o->type_name,
		    (unsigned)o->positive, (unsigned)o->negative,
		    (unsigned)o->unknown);
	}
	if (!rep->n_outcomes)
		add(r, "%s", "  (none)");
	add(r, "%s", "");
	add(r, "%s", "Priority tasks: from creation to the first take, and to done");
	for (size_t i = 0; i < rep->n_response; i++) {
		const Clubcrm__ReportResponse *x = rep->response[i];
		char tk[120], dn[120];
		times("taken", x->taken, x->has_take_median, x->take_median,
		      x->take_p90, tk, sizeof(tk));
		times("done", x->done, x->has_done_median, x->done_median,
		      x->done_p90, dn, sizeof(dn));
		add(r, "  %-20.20s %s; %s",
		    x->type_id ? x->type_name : "all priority types", tk, dn);
	}
	add(r, "%s", "");
	add(r, "%s", "Overdue at the end of each day (today: now)");
	for (size_t i = 0; i < rep->n_overdue; i += 4) {
		char line[TUI_REPORT_WIDTH] = "";
		size_t o = 0;
		for (size_t j = i; j < i + 4 && j < rep->n_overdue; j++)
			o += (size_t)snprintf(line + o, sizeof(line) - o,
					      "  %s %4u", rep->overdue[j]->date,
					      (unsigned)rep->overdue[j]->overdue);
		add(r, "%s", line);
	}
}

static void on_report(const struct clubcrm_answer *ans, void *arg)
{
	struct report_ticket *t = arg;
	struct tui_app *a = t->a;
	struct tui_report *r = &a->report;
	if (t->seq == r->seq) {
		r->loading = false;
		if (ans->status == STATUS_OK)
			fill(r, ans->report);
		else
			tui_app_status(a, true, "report: %s", ans->message);
		tui_app_dirty(a);
	}
	free(t);
}

/* Asks for this month, or this week (Monday to Sunday, the club's). */
static void ask(struct tui_app *a)
{
	struct tui_report *r = &a->report;
	Clubcrm__GetReport q = CLUBCRM__GET_REPORT__INIT;
	char from[16], to[16];
	if (r->week) {
		int64_t now = time_now();
		struct clubzone_tm tm;
		if (clubzone_to_local(clubzone_current(), now, &tm) == 0) {
			int64_t mon = time_day_start(now, -((tm.wday + 6) % 7));
			time_format_local(mon, "%Y-%m-%d", from, sizeof(from));
			time_format_local(time_day_start(mon, 7), "%Y-%m-%d", to,
					  sizeof(to));
			q.from_date = from;
			q.to_date = to;
		}
	}
	struct report_ticket *t = malloc(sizeof(*t));
	if (!t)
		return;
	*t = (struct report_ticket){a, ++r->seq};
	unsigned code = a->live ? clubcrm_report_get_async(a->live, &q,
							   on_report, t)
				: STATUS_UNAVAILABLE;
	if (code != STATUS_OK) {
		free(t);
		tui_app_status(a, true, "report: could not ask: %s",
			       status_name(code));
		return;
	}
	r->loading = true;
	r->n = 0;
	add(r, "Counting %s…", r->week ? "this week" : "this month");
}

void tui_report_open(struct tui_app *a)
{
	a->report.shown = true;
	a->report.week = false;
	ask(a);
	tui_app_status(a, false, "Report: w this week  m this month  "
		       "arrows scroll  R/Esc back");
}

void tui_report_draw(struct tui_app *a)
{
	struct tui_report *r = &a->report;
	int h = LINES - 3;
	for (int i = 0; i < h; i++) {
		int at = r->top + i;
		tui_draw_text(1 + i, 0, COLS, at == 0 ? A_BOLD : A_NORMAL,
			      at < r->n ? r->lines[at] : "");
	}
	a->body_y = 1;
}

void tui_report_key(struct tui_app *a, const struct tui_key *k)
{
	struct tui_report *r = &a->report;
	int page = LINES - 4 > 1 ? LINES - 4 : 1;
	switch (k->code) {
	case TUI_KEY_ESC:
		r->shown = false;
		tui_console_hint(a);
		return;
	case KEY_UP:
		r->top -= r->top > 0;
		return;
	case KEY_DOWN:
		r->top += r->top + 1 < r->n;
		return;
	case KEY_PPAGE:
		r->top = r->top > page ? r->top - page : 0;
		return;
	case KEY_NPAGE:
		r->top = r->top + page < r->n ? r->top + page : r->top;
		return;
	}
	if (!strcmp(k->text, "R")) {
		r->shown = false;
		tui_console_hint(a);
	} else if (!strcmp(k->text, "w") || !strcmp(k->text, "m")) {
		r->week = k->text[0] == 'w';
		ask(a);
	} else if (!strcmp(k->text, "q")) {
		tui_app_quit(a);
	}
}
