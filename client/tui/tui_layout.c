#include "tui_layout.h"

#include <stdio.h>
#include <string.h>

#include "tagcolour.h"
#include "timeutil.h"
#include "tui_text.h"

void tui_layout_buttons(struct tui_buttons *b, const char *const *labels,
			int n, int width)
{
	int x = 0;
	b->n = n > TUI_BUTTONS_MAX ? TUI_BUTTONS_MAX : n;
	for (int i = 0; i < b->n; i++) {
		int w = tui_text_width(labels[i]);
		if (x + w > width) {
			b->x0[i] = b->x1[i] = x;
			continue;
		}
		b->x0[i] = x;
		b->x1[i] = x + w;
		x += w + 1;
	}
}

int tui_layout_hit(const struct tui_buttons *b, int x)
{
	for (int i = 0; i < b->n; i++)
		if (x >= b->x0[i] && x < b->x1[i])
			return i;
	return -1;
}

const char *tui_layout_status_icon(Clubcrm__TaskStatus st)
{
	switch (st) {
	case CLUBCRM__TASK_STATUS__TASK_STATUS_DONE:
		return "\xe2\x9c\x94";  /* ✔ */
	case CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED:
		return "\xe2\x9c\x98";  /* ✘ */
	default:
		return "\xe2\x97\x8b";  /* ○ */
	}
}

char tui_layout_outcome_mark(Clubcrm__Outcome o)
{
	switch (o) {
	case CLUBCRM__OUTCOME__OUTCOME_POSITIVE:
		return '+';
	case CLUBCRM__OUTCOME__OUTCOME_NEGATIVE:
		return '-';
	case CLUBCRM__OUTCOME__OUTCOME_UNKNOWN:
		return '?';
	default:
		return ' ';
	}
}

/* Appends `s` fitted to `w` columns plus two spaces. */
static void col(char *out, size_t size, size_t *o, const char *s, int w)
{
	if (*o + 1 >= size)
		return;
	*o += tui_text_fit(s ? s : "", w, 1, out + *o, size - *o);
	if (*o + 3 < size) {
		out[(*o)++] = ' ';
		out[*o] = '\0';
	}
}

#define W_HEAD 7
#define W_WHEN 19
#define W_WHO 21
#define W_TYPE 12
#define W_CUST 20
#define W_TAGS TUI_ROW_TAGS_W
/* Each column is followed by one space. */
#define X_TAGS (W_HEAD + W_WHEN + 1 + W_WHO + 1 + W_TYPE + 1 + W_CUST + 1)

size_t tui_layout_task_header(int width, char *out, size_t size)
{
	char line[1024];
	snprintf(line, sizeof(line), "%-7s%-*s %-*s %-*s %-*s %-*s %s", "",
		 W_WHEN, "Planned (created)", W_WHO, "Operator (creator)",
		 W_TYPE, "Type", W_CUST, "Customer", W_TAGS, "Tags",
		 "Description");
	return tui_text_fit(line, width, 1, out, size);
}

/* The row's tags, ", " between. */
static void tag_list(const Clubcrm__TaskRow *r, char *out, size_t size)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < r->n_tag_names && o + 1 < size; i++) {
		int n = snprintf(out + o, size - o, "%s%s", i ? ", " : "",
				 r->tag_names[i] ? r->tag_names[i] : "?");
		if (n < 0 || (size_t)n >= size - o) {
			out[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
}

int tui_layout_tag_spans(const Clubcrm__TaskRow *r, int width,
			 struct tui_span *spans, int max)
{
	int n = 0, x = X_TAGS, end = X_TAGS + W_TAGS;
	if (end > width)
		end = width;
	for (size_t i = 0; i < r->n_tag_names && n < max && x < end; i++) {
		const char *name = r->tag_names[i] ? r->tag_names[i] : "?";
		int w = tui_text_width(name);
		if (x + w > end)
			w = end - x;
		spans[n].x = x;
		spans[n].w = w;
		spans[n].colour = i < r->n_tag_colours
					  ? tag_colour_basic(r->tag_colours[i]) : -1;
		n++;
		x += w + 2;  /* ", " */
	}
	return n;
}

size_t tui_layout_task_row(const Clubcrm__TaskRow *r, int width, char *out,
			   size_t size)
{
	const Clubcrm__Task *t = r->task;
	char line[1024], when[64], planned[32], created[16], who[160];
	size_t o = 0;
	line[0] = '\0';
	if (!t)
		return tui_text_fit("", width, 1, out, size);
	time_format_local(t->planned_at, "%d/%m %H:%M", planned, sizeof(planned));
	time_format_local(t->created_at, "%d/%m", created, sizeof(created));
	snprintf(when, sizeof(when), "%s (%s)", planned, created);
	snprintf(who, sizeof(who), "%s (%s)",
		 r->operator_name ? r->operator_name : "?",
		 r->creator_name ? r->creator_name : "?");
	char head[24];
	bool repeats = t->has_recurrence &&
		       t->recurrence != CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED;
	snprintf(head, sizeof(head), "%s %c%c%c%s ", tui_layout_status_icon(t->status),
		 tui_layout_outcome_mark(r->outcome), r->overdue ? '!' : ' ',
		 r->escalated ? '^' : (t->kind == CLUBCRM__TASK_KIND__TASK_KIND_NOTE ? 'n' : ' '),
		 repeats ? "\xe2\x86\xbb" : " ");  /* ↻ a repeating task */
	o = strlen(head);
	memcpy(line, head, o + 1);
	col(line, sizeof(line), &o, when, W_WHEN);
	col(line, sizeof(line), &o, who, W_WHO);
	col(line, sizeof(line), &o, r->type_name, W_TYPE);
	col(line, sizeof(line), &o, r->customer_name, W_CUST);
	char tags[512];
	tag_list(r, tags, sizeof(tags));
	col(line, sizeof(line), &o, tags, W_TAGS);
	/* Who took charge: yellow says so only for priority tasks. */
	if (t->taken_by && t->status == CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED &&
	    o + 1 < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o, "(taken by %s) ",
				      r->taken_by_name ? r->taken_by_name : "?");
	if (o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, "%s",
			 t->description ? t->description : "");
	return tui_text_fit(line, width, 1, out, size);
}

void tui_layout_duration(int64_t secs, char *out, size_t size)
{
	long long m = (long long)(secs / 60);
	if (m < 60)
		snprintf(out, size, "%lld min", m);
	else if (m < 24 * 60)
		snprintf(out, size, "%lld h %02lld min", m / 60, m % 60);
	else
		snprintf(out, size, "%lld d %lld h", m / (24 * 60), m / 60 % 24);
}

size_t tui_layout_urgent_row(const Clubcrm__TaskRow *r, int64_t now, int width,
			     char *out, size_t size)
{
	const Clubcrm__Task *t = r->task;
	char line[1024], planned[32] = "", since[32] = "", state[160];
	char type[64], cust[96], op[64];
	if (!t)
		return tui_text_fit("", width, 1, out, size);
	time_format_local(t->planned_at, "%d/%m %H:%M", planned, sizeof(planned));
	if (t->taken_by) {
		time_format_local(t->taken_at, "%H:%M", since, sizeof(since));
		snprintf(state, sizeof(state), "taken by %s since %s (%lld min)",
			 r->taken_by_name ? r->taken_by_name : "?", since,
			 (long long)((now - t->taken_at) / 60));
	} else {
		/* Since it was created: what escalation-minutes counts (the
		 * server's views_is_escalated), so an escalated task planned
		 * for later does not say "waiting 0 min". */
		char d[48];
		tui_layout_duration(now > t->created_at ? now - t->created_at : 0,
				    d, sizeof(d));
		snprintf(state, sizeof(state), "waiting %s", d);
	}
	tui_text_fit(r->type_name, 12, 1, type, sizeof(type));
	tui_text_fit(r->customer_name, 20, 1, cust, sizeof(cust));
	tui_text_fit(r->operator_name, 12, 1, op, sizeof(op));
	snprintf(line, sizeof(line), "%-9s %s  %s  %s  %s  %-40s %s",
		 r->escalated ? "ESCALATED" : "", planned, type, cust, op, state,
		 t->description ? t->description : "");
	return tui_text_fit(line, width, 1, out, size);
}
