#include "cli_format.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "cli_table.h"
#include "history_text.h"
#include "tagcolour.h"
#include "timeutil.h"
#include "task_words.h"

/* Descriptions in a list are cut to this many characters. */
#define LIST_DESC_MAX 60

#define SGR_RED "31"
#define SGR_YELLOW "33"

const char *cli_recurrence_name(Clubcrm__Recurrence r)
{
	switch (r) {
	case CLUBCRM__RECURRENCE__RECURRENCE_DAILY: return "daily";
	case CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY: return "weekly";
	case CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY: return "monthly";
	default: return NULL;
	}
}

const char *cli_colour_name(Clubcrm__Colour c)
{
	switch (c) {
	case CLUBCRM__COLOUR__COLOUR_RED: return "red";
	case CLUBCRM__COLOUR__COLOUR_YELLOW: return "yellow";
	default: return "none";
	}
}

const char *cli_role_name(Clubcrm__Role r)
{
	switch (r) {
	case CLUBCRM__ROLE__ROLE_ADMIN: return "admin";
	case CLUBCRM__ROLE__ROLE_OPERATOR: return "operator";
	default: return "-";
	}
}

static int year_of(int64_t t)
{
	struct clubzone_tm lt;
	return clubzone_to_local(clubzone_current(), t, &lt) ? -1 : lt.year;
}

/* "12/03 10:30" this year, "12/03/2025 10:30" another; no time: "12/03". */
static void fmt_when(int64_t t, bool with_time, char *out, size_t size)
{
	if (t == 0) {
		snprintf(out, size, "-");
		return;
	}
	bool this_year = year_of(t) == year_of(time_now());
	const char *fmt = this_year ? (with_time ? "%d/%m %H:%M" : "%d/%m")
				    : (with_time ? "%d/%m/%Y %H:%M" : "%d/%m/%Y");
	if (time_format_local(t, fmt, out, size) == 0)
		snprintf(out, size, "?");
}

static const char *person(const char *name, const char *login)
{
	if (name && *name)
		return name;
	if (login && *login)
		return login;
	return "?";
}

/* Copies at most `max` characters of one line of `s`, marking a cut. */
static void shorten(const char *s, size_t max, char *out, size_t size)
{
	size_t chars = 0, o = 0;
	for (; s && *s && o + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;
		bool lead = (ch & 0xC0) != 0x80;
		if (lead && chars == max)
			break;
		if (lead)
			chars++;
		out[o++] = (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : (char)ch;
	}
	if (s && *s) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* Whether the row's task is planned and someone took charge of it. */
static bool taken_open(const Clubcrm__TaskRow *r)
{
	return r->task && r->task->taken_by &&
	       r->task->status == CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
}

/* "!" red, "*" yellow (a priority task taken), "@login" who took it (any
 * planned task someone took), "late", "esc", "rep" a repeating task. */
static void marks_of(const Clubcrm__TaskRow *r, char *out, size_t size)
{
	char taker[96] = "";
	if (taken_open(r))
		snprintf(taker, sizeof(taker), "@%s ",
			 person(r->taken_by_login, r->taken_by_name));
	bool repeats = r->task && r->task->recurrence &&
		       r->task->status == CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
	snprintf(out, size, "%s%s%s%s%s",
		 r->colour == CLUBCRM__COLOUR__COLOUR_RED ? "! "
		 : r->colour == CLUBCRM__COLOUR__COLOUR_YELLOW ? "* " : "",
		 taker, r->overdue ? "late " : "", r->escalated ? "esc " : "",
		 repeats ? "rep " : "");
	size_t n = strlen(out);
	if (n > 0)
		out[n - 1] = '\0';  /* the trailing space */
}

static void status_of(const Clubcrm__TaskRow *r, char *out, size_t size)
{
	const Clubcrm__Task *t = r->task;
	const char *status = t->kind == CLUBCRM__TASK_KIND__TASK_KIND_NOTE
				     ? "note" : task_words_status(t->status);
	const char *mark = r->outcome == CLUBCRM__OUTCOME__OUTCOME_POSITIVE ? "+"
			   : r->outcome == CLUBCRM__OUTCOME__OUTCOME_NEGATIVE ? "-"
			   : "";
	if (r->result_name && *r->result_name)
		snprintf(out, size, "%s %s%s", status, mark, r->result_name);
	else
		snprintf(out, size, "%s", status);
}

static const char *row_colour(const Clubcrm__TaskRow *r)
{
	if (r->colour == CLUBCRM__COLOUR__COLOUR_RED)
		return SGR_RED;
	if (r->colour == CLUBCRM__COLOUR__COLOUR_YELLOW)
		return SGR_YELLOW;
	return NULL;
}

/* The row's tags, ", " between; on a terminal each in its colour, then
 * back to the row's own colour (`row_sgr`, NULL: the default). */
static void tags_of(const Clubcrm__TaskRow *r, bool colour, const char *row_sgr,
		    char *out, size_t size)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < r->n_tag_names && o + 1 < size; i++) {
		const char *name = r->tag_names[i] ? r->tag_names[i] : "?";
		int basic = colour && i < r->n_tag_colours
				    ? tag_colour_basic(r->tag_colours[i]) : -1;
		int n;
		if (basic >= 0)
			n = snprintf(out + o, size - o, "%s\033[%dm%s\033[%sm",
				     i ? ", " : "", basic ? 30 + basic : 90,
				     name, row_sgr ? row_sgr : "39");
		else
			n = snprintf(out + o, size - o, "%s%s", i ? ", " : "",
				     name);
		if (n < 0 || (size_t)n >= size - o) {
			out[o] = '\0';  /* no half a tag or half an escape */
			break;
		}
		o += (size_t)n;
	}
}

static void add_task_row(struct cli_table *tb, const Clubcrm__TaskRow *r,
			 bool colour)
{
	static const Clubcrm__Task empty = CLUBCRM__TASK__INIT;
	const Clubcrm__Task *t = r->task ? r->task : &empty;
	char id[24], marks[160], planned[24], created[24], when[64], who[160];
	char status[96], desc[LIST_DESC_MAX * 4 + 8], tags[1024];
	snprintf(id, sizeof(id), "%" PRIu64, t->id);
	marks_of(r, marks, sizeof(marks));
	fmt_when(t->planned_at, true, planned, sizeof(planned));
	fmt_when(t->created_at, false, created, sizeof(created));
	snprintf(when, sizeof(when), "%s (%s)", planned, created);
	snprintf(who, sizeof(who), "%s (%s)",
		 person(r->operator_name, r->operator_login),
		 person(r->creator_name, r->creator_login));
	status_of(r, status, sizeof(status));
	shorten(t->description, LIST_DESC_MAX, desc, sizeof(desc));
	tags_of(r, colour, row_colour(r), tags, sizeof(tags));
	const char *cells[] = {id, marks, when, who, r->type_name,
			       r->customer_name, status, tags, desc};
	cli_table_add(tb, cells, row_colour(r));
}

void cli_format_task_table(FILE *out, Clubcrm__TaskRow *const *rows,
			   size_t n, bool colour)
{
	struct cli_table tb;
	cli_table_init(&tb, 9);
	const char *head[] = {"ID", "", "PLANNED (CREATED)",
			      "OPERATOR (CREATOR)", "TYPE", "CUSTOMER",
			      "STATUS", "TAGS", "DESCRIPTION"};
	cli_table_add(&tb, head, NULL);
	for (size_t i = 0; i < n; i++)
		add_task_row(&tb, rows[i], colour);
	cli_table_print(&tb, out, colour);
	cli_table_free(&tb);
}

void cli_format_task_line(FILE *out, const char *prefix,
			  const Clubcrm__TaskRow *row, bool colour)
{
	struct cli_table tb;
	cli_table_init(&tb, 9);
	add_task_row(&tb, row, colour);
	fputs(prefix, out);
	cli_table_print(&tb, out, colour);
	cli_table_free(&tb);
}

static void print_tags(FILE *out, const Clubcrm__TaskRow *r)
{
	if (r->n_tag_names == 0)
		return;
	fprintf(out, "  %-14s", "Tags:");
	for (size_t i = 0; i < r->n_tag_names; i++)
		fprintf(out, "%s%s", i ? ", " : "", r->tag_names[i]);
	fputc('\n', out);
}

static void print_history(FILE *out, const Clubcrm__TaskReply *reply)
{
	if (reply->n_history == 0)
		return;
	fputs("History:\n", out);
	for (size_t i = 0; i < reply->n_history; i++) {
		const Clubcrm__HistoryEntry *h = reply->history[i];
		char when[32];
		fmt_when(h->at, true, when, sizeof(when));
		fprintf(out, "  %s  %s  %s", when,
			h->actor_login ? h->actor_login : "?",
			h->action ? h->action : "?");
		for (size_t j = 0; j < h->n_changed_fields; j++)
			fprintf(out, "%s%s", j ? ", " : "  [",
				h->changed_fields[j]);
		fputs(h->n_changed_fields ? "]\n" : "\n", out);
		/* What each field was and became. */
		for (size_t j = 0; j < h->n_changes; j++) {
			char line[2200];
			history_text_change(h->changes[j], line, sizeof(line));
			fprintf(out, "      %s\n", line);
		}
	}
}

/* "Repeats:      weekly, until 31/01/2027" (the last day included when
 * the end is a midnight) or "..., 3 occurrences left (this one
 * included)". */
static void print_repeat(FILE *out, const Clubcrm__Task *t)
{
	const char *name = cli_recurrence_name(t->recurrence);
	if (!name)
		return;
	char end[64] = "";
	if (t->repeat_until) {
		char when[32];
		struct clubzone_tm lt;
		bool midnight = clubzone_to_local(clubzone_current(),
						  t->repeat_until, &lt) == 0 &&
				lt.hour == 0 && lt.min == 0 && lt.sec == 0;
		if (midnight)
			time_format_local(t->repeat_until - 1, "%d/%m/%Y",
					  when, sizeof(when));
		else
			time_format_local(t->repeat_until, "before %d/%m/%Y %H:%M",
					  when, sizeof(when));
		snprintf(end, sizeof(end), ", until %s", when);
	} else if (t->repeat_count) {
		snprintf(end, sizeof(end), ", %u occurrence%s left (this one "
			 "included)", (unsigned)t->repeat_count,
			 t->repeat_count == 1 ? "" : "s");
	}
	fprintf(out, "  %-14s%s%s\n", "Repeats:", name, end);
}

void cli_format_task_detail(FILE *out, const Clubcrm__TaskReply *reply)
{
	const Clubcrm__TaskRow *r = reply->row;
	if (!r || !r->task)
		return;
	const Clubcrm__Task *t = r->task;
	char planned[32], created[32], marks[160], status[96];
	fmt_when(t->planned_at, true, planned, sizeof(planned));
	fmt_when(t->created_at, true, created, sizeof(created));
	marks_of(r, marks, sizeof(marks));
	status_of(r, status, sizeof(status));
	fprintf(out, "%s %" PRIu64 "%s%s\n",
		t->kind == CLUBCRM__TASK_KIND__TASK_KIND_NOTE ? "Note" : "Task",
		t->id, *marks ? "  " : "", marks);
	fprintf(out, "  %-14s%s\n", "Description:",
		t->description ? t->description : "");
	fprintf(out, "  %-14s%s (%" PRIu64 ")\n", "Customer:",
		r->customer_name ? r->customer_name : "?", t->customer_id);
	fprintf(out, "  %-14s%s%s\n", "Type:", r->type_name ? r->type_name : "?",
		r->priority ? " (priority)" : "");
	fprintf(out, "  %-14s%s\n", "Planned:", planned);
	fprintf(out, "  %-14s%s\n", "Operator:",
		person(r->operator_name, r->operator_login));
	fprintf(out, "  %-14s%s by %s\n", "Created:", created,
		person(r->creator_name, r->creator_login));
	fprintf(out, "  %-14s%s\n", "Status:", status);
	if (t->closing_note && *t->closing_note)
		fprintf(out, "  %-14s%s\n", "Closing note:", t->closing_note);
	print_tags(out, r);
	if (t->taken_by) {
		char since[32] = "";
		if (t->has_taken_at && t->taken_at)
			fmt_when(t->taken_at, true, since, sizeof(since));
		fprintf(out, "  %-14s%s%s%s\n", "Taken by:",
			person(r->taken_by_name, r->taken_by_login),
			*since ? " since " : "", since);
	}
	if (t->follows_id)
		fprintf(out, "  %-14s%" PRIu64 "\n", "Follows:", t->follows_id);
	print_repeat(out, t);
	print_history(out, reply);
}

static const char *operator_login(const Clubcrm__Catalog *cat, uint64_t id)
{
	for (size_t i = 0; cat && i < cat->n_operators; i++)
		if (cat->operators[i]->id == id)
			return cat->operators[i]->login;
	return NULL;
}

void cli_format_customers(FILE *out, Clubcrm__Customer *const *customers,
			  size_t n, const Clubcrm__Catalog *cat)
{
	struct cli_table tb;
	cli_table_init(&tb, 5);
	const char *head[] = {"ID", "NAME", "PHONE", "EMAIL", "CONSULTANT"};
	cli_table_add(&tb, head, NULL);
	for (size_t i = 0; i < n; i++) {
		const Clubcrm__Customer *c = customers[i];
		char id[24];
		snprintf(id, sizeof(id), "%" PRIu64, c->id);
		const char *consultant = operator_login(cat, c->consultant_id);
		const char *cells[] = {id, c->name, c->phone, c->email,
				       consultant ? consultant : "-"};
		cli_table_add(&tb, cells, NULL);
	}
	cli_table_print(&tb, out, 0);
	cli_table_free(&tb);
}

static void print_types(FILE *out, const Clubcrm__Catalog *cat)
{
	fputs("Task types:\n", out);
	for (size_t i = 0; i < cat->n_task_types; i++) {
		const Clubcrm__TaskType *t = cat->task_types[i];
		fprintf(out, "  %4" PRIu64 "  %s%s%s\n", t->id, t->name,
			t->priority ? "  (priority)" : "",
			t->has_active && !t->active ? "  (inactive)" : "");
	}
}

static void print_results(FILE *out, const Clubcrm__Catalog *cat)
{
	fputs("Results:\n", out);
	for (size_t i = 0; i < cat->n_results; i++) {
		const Clubcrm__Result *r = cat->results[i];
		fprintf(out, "  %4" PRIu64 "  %s  (%s, leads to %s)\n", r->id,
			r->name, task_words_outcome(r->outcome),
			r->leads_to ? task_words_status(r->leads_to) : "nothing");
	}
}

static void print_tags_teams(FILE *out, const Clubcrm__Catalog *cat)
{
	fputs("Tags:\n", out);
	for (size_t i = 0; i < cat->n_tags; i++)
		fprintf(out, "  %4" PRIu64 "  %s%s%s\n", cat->tags[i]->id,
			cat->tags[i]->name,
			cat->tags[i]->colour ? "  " : "",
			cat->tags[i]->colour ? cat->tags[i]->colour : "");
	fputs("Teams:\n", out);
	for (size_t i = 0; i < cat->n_teams; i++)
		fprintf(out, "  %4" PRIu64 "  %s\n", cat->teams[i]->id,
			cat->teams[i]->name);
}

static const char *team_name(const Clubcrm__Catalog *cat, uint64_t id)
{
	for (size_t i = 0; i < cat->n_teams; i++)
		if (cat->teams[i]->id == id)
			return cat->teams[i]->name;
	return "?";
}

static void print_operators(FILE *out, const Clubcrm__Catalog *cat)
{
	fputs("Operators:\n", out);
	for (size_t i = 0; i < cat->n_operators; i++) {
		const Clubcrm__Operator *o = cat->operators[i];
		fprintf(out, "  %4" PRIu64 "  %-12s %s  (%s", o->id,
			o->login ? o->login : "?", o->name ? o->name : "",
			cli_role_name(o->role));
		for (size_t j = 0; j < o->n_team_ids; j++)
			fprintf(out, "%s%s", j ? ", " : "; teams: ",
				team_name(cat, o->team_ids[j]));
		fputs(")\n", out);
	}
}

void cli_format_catalog(FILE *out, const Clubcrm__Catalog *cat)
{
	print_types(out, cat);
	print_results(out, cat);
	print_tags_teams(out, cat);
	print_operators(out, cat);
	const Clubcrm__Settings *s = cat->settings;
	if (s)
		fprintf(out, "Club: %s (time zone %s)\n",
			s->club_name ? s->club_name : "?",
			s->time_zone ? s->time_zone : "?");
}
