#include "tui_repeat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

static const char *const rec_names[] = {"none", "weekly", "monthly", "daily"};
/* The pick list's order, as a receptionist reads it. */
static const Clubcrm__Recurrence rec_order[] = {
	CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED,
	CLUBCRM__RECURRENCE__RECURRENCE_DAILY,
	CLUBCRM__RECURRENCE__RECURRENCE_WEEKLY,
	CLUBCRM__RECURRENCE__RECURRENCE_MONTHLY,
};

#define L_REPEATS "Repeats"
#define L_UNTIL "Repeat until"
#define L_TIMES "Repeat times"

bool tui_repeat_on(const Clubcrm__Task *t)
{
	return t && t->has_recurrence &&
	       t->recurrence != CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED;
}

void tui_repeat_base_of(const Clubcrm__Task *t, struct tui_repeat_base *b)
{
	memset(b, 0, sizeof(*b));
	if (!tui_repeat_on(t))
		return;
	b->rec = t->recurrence;
	b->until = t->has_repeat_until ? t->repeat_until : 0;
	b->count = t->has_repeat_count ? t->repeat_count : 0;
}

/* The end as typed: a midnight is the day before it (the whole day
 * included, as a bare date is read back), else the moment. */
static void until_text(int64_t until, char *out, size_t size)
{
	out[0] = '\0';
	if (!until)
		return;
	int64_t day = time_day_start(until, 0);
	if (day == until)
		time_format_local(time_day_start(until - 1, 0), "%Y-%m-%d", out, size);
	else
		time_format_local(until, "%Y-%m-%d %H:%M", out, size);
}

static void count_text(uint32_t count, char *out, size_t size)
{
	out[0] = '\0';
	if (count)
		snprintf(out, size, "%u", count);
}

int tui_repeat_add_fields(struct tui_form *f, const struct tui_repeat_base *b)
{
	struct tui_field *rep = tui_form_add(f, L_REPEATS, TUI_FIELD_CHOICE);
	struct tui_field *until = tui_form_add(f, L_UNTIL, TUI_FIELD_TEXT);
	struct tui_field *times = tui_form_add(f, L_TIMES, TUI_FIELD_TEXT);
	if (!rep || !until || !times)
		return -ENOSPC;
	for (size_t i = 0; i < sizeof(rec_order) / sizeof(rec_order[0]); i++)
		if (tui_field_add_choice(rep, rec_order[i],
					 rec_names[rec_order[i]]) < 0)
			return -ENOMEM;
	char text[40];
	if (b) {
		tui_field_choose(rep, b->rec);
		until_text(b->until, text, sizeof(text));
		tui_field_set_text(until, text);
		count_text(b->count, text, sizeof(text));
		tui_field_set_text(times, text);
	}
	return 0;
}

static int parse_until(const char *text, int64_t *out, char *why, size_t size)
{
	int64_t t;
	bool timed;
	int rc = time_parse_datetime(text, &t, &timed);
	if (rc == -EDOM) {
		snprintf(why, size, L_UNTIL ": %.40s does not exist here: the "
			 "clocks go forward over it", text);
		return -1;
	}
	if (rc < 0) {
		snprintf(why, size, L_UNTIL ": '%.40s' is not a date "
			 "(YYYY-MM-DD or YYYY-MM-DD HH:MM)", text);
		return -1;
	}
	/* A bare date includes its whole day (by the calendar). */
	*out = timed ? t : time_day_start(t, 1);
	return 0;
}

static int parse_count(const char *text, uint32_t *out, char *why, size_t size)
{
	char *end = (char *)text;
	errno = 0;
	unsigned long n = text[0] >= '0' && text[0] <= '9'
				  ? strtoul(text, &end, 10) : 0;
	if (!n || errno || *end || n > TUI_REPEAT_COUNT_MAX) {
		snprintf(why, size, L_TIMES ": '%.20s' is not a number of "
			 "times (1..%d)", text, TUI_REPEAT_COUNT_MAX);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

int tui_repeat_from_form(struct tui_form *f, const struct tui_repeat_base *base,
			 struct tui_repeat *out, char *why, size_t size)
{
	memset(out, 0, sizeof(*out));
	struct tui_field *rep = tui_form_field(f, L_REPEATS);
	struct tui_field *until = tui_form_field(f, L_UNTIL);
	struct tui_field *times = tui_form_field(f, L_TIMES);
	if (!rep || !until || !times)
		return 0;
	Clubcrm__Recurrence rec = (Clubcrm__Recurrence)tui_field_choice_id(rep);
	/* In an edit, an end shown as it was is not a change. */
	char was_until[40] = "", was_times[16] = "";
	if (base) {
		until_text(base->until, was_until, sizeof(was_until));
		count_text(base->count, was_times, sizeof(was_times));
	}
	bool until_new = strcmp(until->text, was_until) != 0;
	bool times_new = strcmp(times->text, was_times) != 0;
	if (until->text[0] && times->text[0]) {
		snprintf(why, size, L_UNTIL " and " L_TIMES " exclude each "
			 "other: empty one of them");
		return -1;
	}
	if (rec == CLUBCRM__RECURRENCE__RECURRENCE_UNSPECIFIED) {
		/* Stopping a series drops its end with it. */
		if ((until->text[0] && (!base || !base->rec || until_new)) ||
		    (times->text[0] && (!base || !base->rec || times_new))) {
			snprintf(why, size, "%s needs Repeats (daily, weekly or "
				 "monthly)", until->text[0] ? L_UNTIL : L_TIMES);
			return -1;
		}
		if (base && base->rec) {
			out->has_rec = true;
			out->rec = rec;
		}
		return 0;
	}
	int64_t u = 0;
	uint32_t n = 0;
	if (until->text[0] && parse_until(until->text, &u, why, size) < 0)
		return -1;
	if (times->text[0] && parse_count(times->text, &n, why, size) < 0)
		return -1;
	if (!base) {
		out->has_rec = true;
		out->rec = rec;
		out->has_until = u != 0;
		out->until = u;
		out->has_count = n != 0;
		out->count = n;
		return 0;
	}
	out->has_rec = rec != base->rec;
	out->rec = rec;
	/* An end emptied is cleared (0); one typed anew replaces it. */
	out->has_until = until_new && u != base->until;
	out->until = u;
	out->has_count = times_new && n != base->count;
	out->count = n;
	return 0;
}
