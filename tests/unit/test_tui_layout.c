/* Screen layout without a terminal: the quick buttons' click areas, task
 * rows in the product's convention, console rows and the agenda grid. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timeutil.h"
#include "tui_grid.h"
#include "tui_layout.h"
#include "tui_text.h"

/* 2026-03-12 10:30 UTC */
#define T_PLANNED 1773311400
/* 2026-03-10 09:00 UTC */
#define T_CREATED 1773133200

static int setup(void **state)
{
	(void)state;
	time_set_zone("UTC");
	return 0;
}

static void test_buttons(void **state)
{
	(void)state;
	const char *labels[] = {"[F1 All]", "[F2 Urgent]", "[F3 Contacts]"};
	struct tui_buttons b;
	tui_layout_buttons(&b, labels, 3, 80);
	assert_int_equal(b.x0[0], 0);
	assert_int_equal(b.x1[0], 8);
	assert_int_equal(b.x0[1], 9);
	assert_int_equal(tui_layout_hit(&b, 3), 0);
	assert_int_equal(tui_layout_hit(&b, 8), -1);  /* the gap */
	assert_int_equal(tui_layout_hit(&b, 10), 1);
	assert_int_equal(tui_layout_hit(&b, 79), -1);
	tui_layout_buttons(&b, labels, 3, 20);  /* the third does not fit */
	assert_int_equal(b.x0[2], b.x1[2]);
	assert_int_equal(tui_layout_hit(&b, b.x0[2]), -1);
}

static Clubcrm__TaskRow *row(Clubcrm__TaskRow *r, Clubcrm__Task *t)
{
	clubcrm__task_row__init(r);
	clubcrm__task__init(t);
	t->id = 12;
	t->planned_at = T_PLANNED;
	t->created_at = T_CREATED;
	t->status = CLUBCRM__TASK_STATUS__TASK_STATUS_DONE;
	t->description = "Offer tennis lessons";
	r->task = t;
	r->operator_name = "Valentina";
	r->creator_name = "Alicia";
	r->type_name = "Appointment";
	r->customer_name = "Arantxa Etxeberria";
	r->outcome = CLUBCRM__OUTCOME__OUTCOME_POSITIVE;
	return r;
}

static void test_task_row(void **state)
{
	(void)state;
	Clubcrm__TaskRow r;
	Clubcrm__Task t;
	char out[512], head[512];
	row(&r, &t);
	tui_layout_task_row(&r, 120, out, sizeof(out));
	assert_int_equal(tui_text_width(out), 120);
	assert_memory_equal(out, "\xe2\x9c\x94 +", 5);  /* done, positive */
	assert_non_null(strstr(out, "12/03 10:30 (10/03)"));
	assert_non_null(strstr(out, "Valentina (Alicia)"));
	assert_non_null(strstr(out, "Offer tennis lessons"));
	/* The header's columns line up with the row's. */
	tui_layout_task_header(120, head, sizeof(head));
	const char *p = strstr(out, "Valentina");
	const char *q = strstr(head, "Operator");
	char pre[512];
	memcpy(pre, out, (size_t)(p - out));
	pre[p - out] = '\0';
	assert_int_equal(tui_text_width(pre), (int)(q - head));
	/* Narrow screens cut; nothing runs past the width. */
	tui_layout_task_row(&r, 30, out, sizeof(out));
	assert_int_equal(tui_text_width(out), 30);
	/* Planned, overdue, no outcome. */
	t.status = CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
	r.outcome = CLUBCRM__OUTCOME__OUTCOME_UNSPECIFIED;
	r.overdue = 1;
	tui_layout_task_row(&r, 60, out, sizeof(out));
	assert_memory_equal(out, "\xe2\x97\x8b  !", 6);
	/* Issue 11 #14: an ordinary task someone took has no colour; its row
	 * names the taker. */
	assert_null(strstr(out, "taken by"));
	t.taken_by = 3;
	r.taken_by_name = "Deborah";
	tui_layout_task_row(&r, 150, out, sizeof(out));
	assert_non_null(strstr(out, "(taken by Deborah) Offer tennis lessons"));
	t.status = CLUBCRM__TASK_STATUS__TASK_STATUS_DONE;  /* concluded: not */
	tui_layout_task_row(&r, 150, out, sizeof(out));
	assert_null(strstr(out, "taken by"));
	t.status = CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
	t.taken_by = 0;
	assert_int_equal(tui_layout_outcome_mark(CLUBCRM__OUTCOME__OUTCOME_NEGATIVE), '-');
	assert_int_equal(tui_layout_outcome_mark(CLUBCRM__OUTCOME__OUTCOME_UNKNOWN), '?');
	assert_string_equal(tui_layout_status_icon(CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED),
			    "\xe2\x9c\x98");
}

static void test_urgent_row(void **state)
{
	(void)state;
	Clubcrm__TaskRow r;
	Clubcrm__Task t;
	char out[512];
	row(&r, &t);
	t.status = CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED;
	tui_layout_urgent_row(&r, T_CREATED + 35 * 60, 150, out, sizeof(out));
	assert_non_null(strstr(out, "waiting 35 min"));
	/* Issue 11 #16: escalated while planned for later, it has waited
	 * since it was created (it said "waiting 0 min"). */
	r.escalated = 1;
	tui_layout_urgent_row(&r, T_CREATED + 45 * 60, 150, out, sizeof(out));
	assert_memory_equal(out, "ESCALATED", 9);
	assert_non_null(strstr(out, "waiting 45 min"));
	tui_layout_urgent_row(&r, T_PLANNED + 35 * 60, 150, out, sizeof(out));
	assert_non_null(strstr(out, "waiting 2 d 2 h"));
	tui_layout_urgent_row(&r, T_CREATED - 60, 150, out, sizeof(out));
	assert_non_null(strstr(out, "waiting 0 min"));  /* a clock behind */
	char d[32];
	tui_layout_duration(125 * 60, d, sizeof(d));
	assert_string_equal(d, "2 h 05 min");
	t.taken_by = 3;
	t.taken_at = T_PLANNED + 600;
	r.taken_by_name = "Valentina";
	tui_layout_urgent_row(&r, T_PLANNED + 35 * 60, 150, out, sizeof(out));
	assert_memory_equal(out, "ESCALATED", 9);
	assert_non_null(strstr(out, "taken by Valentina since 10:40 (25 min)"));
}

/* Issue 11 #15: the desk's rows show the tags in a column, each drawn in
 * its colour over the spans the layout gives. */
static void test_task_row_tags(void **state)
{
	(void)state;
	Clubcrm__TaskRow r;
	Clubcrm__Task t;
	char out[512], head[512];
	row(&r, &t);
	char *names[] = {"VIP", "Tennis", "Marketing"};
	char *colours[] = {"gold", "", "#2020d0"};
	r.tag_names = names;
	r.n_tag_names = 3;
	r.tag_colours = colours;
	r.n_tag_colours = 3;
	tui_layout_task_row(&r, 160, out, sizeof(out));
	tui_layout_task_header(160, head, sizeof(head));
	const char *p = strstr(out, "VIP, Tennis, Mar");
	assert_non_null(p);
	const char *q = strstr(head, "Tags");
	assert_non_null(q);
	char pre[512];
	memcpy(pre, out, (size_t)(p - out));
	pre[p - out] = '\0';
	int x = tui_text_width(pre);
	assert_int_equal(x, (int)(q - head));
	/* The description still lines up with its header. */
	memcpy(pre, out, (size_t)(strstr(out, "Offer") - out));
	pre[strstr(out, "Offer") - out] = '\0';
	assert_int_equal(tui_text_width(pre),
			 (int)(strstr(head, "Description") - head));
	struct tui_span sp[8];
	int n = tui_layout_tag_spans(&r, 160, sp, 8);
	assert_int_equal(n, 3);
	assert_int_equal(sp[0].x, x);
	assert_int_equal(sp[0].w, 3);
	assert_int_equal(sp[0].colour, 3);   /* gold: yellow */
	assert_int_equal(sp[1].x, x + 5);
	assert_int_equal(sp[1].colour, -1);  /* none */
	assert_int_equal(sp[2].x, x + 13);
	assert_int_equal(sp[2].w, TUI_ROW_TAGS_W - 13);  /* cut at the column */
	assert_int_equal(sp[2].colour, 4);   /* blue */
	/* A narrow screen cuts the spans too. */
	n = tui_layout_tag_spans(&r, x + 2, sp, 8);
	assert_int_equal(n, 1);
	assert_int_equal(sp[0].w, 2);
}

static void test_grid(void **state)
{
	(void)state;
	struct tui_grid g;
	int64_t day = tui_day_start(T_PLANNED);
	assert_int_equal(day, T_PLANNED - 10 * 3600 - 1800);
	tui_grid_init(&g, 30, 8 * 60, 21 * 60);
	assert_int_equal(g.n_slots, 26);
	tui_grid_add_col(&g, 1, day);
	tui_grid_add_col(&g, 2, day);
	assert_int_equal(tui_grid_cell_time(&g, 1, 5), day + 8 * 3600 + 5 * 1800);
	int c = -1, s = -1;
	assert_int_equal(tui_grid_locate(&g, 2, T_PLANNED + 60, &c, &s), 0);
	assert_int_equal(c, 1);
	assert_int_equal(s, 5);
	assert_int_equal(tui_grid_locate(&g, 3, T_PLANNED, &c, &s), -ENOENT);
	assert_int_equal(tui_grid_locate(&g, 1, day + 7 * 3600, &c, &s), -ENOENT);
	assert_int_equal(tui_grid_locate(&g, 1, day + 21 * 3600, &c, &s), -ENOENT);
	int64_t from, to;
	tui_grid_range(&g, &from, &to);
	assert_int_equal(from, day + 8 * 3600);
	assert_int_equal(to, day + 21 * 3600);
	/* Nonsense settings fall back to something drawable. */
	tui_grid_init(&g, 0, 30 * 60, 10);
	assert_int_equal(g.slot_min, 30);
	assert_int_equal(g.start_min, 0);
	assert_int_equal(g.n_slots, 1);
	tui_grid_init(&g, 30, 10 * 60, 5 * 60);  /* closes before it opens */
	assert_int_equal(g.n_slots, 28);
}

static void test_days_across_dst(void **state)
{
	(void)state;
	time_set_zone("Europe/Madrid");
	int64_t sat;  /* 2026-03-28, the day before the clocks go forward */
	assert_int_equal(time_parse_local("2026-03-28 15:00", &sat), 0);
	int64_t d0 = tui_day_start(sat);
	int64_t d1 = tui_day_add(d0, 1), d2 = tui_day_add(d0, 2);
	assert_int_equal(d1 - d0, 86400);
	assert_int_equal(d2 - d1, 23 * 3600);  /* Sunday is 23 hours long */
	assert_int_equal(tui_day_add(d2, -2), d0);
	/* The agenda's slots are wall-clock times on the 23-hour day too:
	 * 08:00 CEST is 06:00 UTC, and a task at 10:00 is in the 10:00 slot;
	 * the day's grid ends at the next day's midnight. */
	struct tui_grid g;
	tui_grid_init(&g, 30, 8 * 60, 24 * 60);
	tui_grid_add_col(&g, 1, d1);
	int64_t eight;
	assert_int_equal(time_parse_local("2026-03-29 08:00", &eight), 0);
	assert_int_equal(tui_grid_cell_time(&g, 0, 0), eight);
	assert_int_equal(tui_grid_cell_time(&g, 0, 4), eight + 2 * 3600);
	int c = -1, s = -1;
	assert_int_equal(tui_grid_locate(&g, 1, eight + 2 * 3600, &c, &s), 0);
	assert_int_equal(s, 4);
	int64_t from, to;
	tui_grid_range(&g, &from, &to);
	assert_int_equal(from, eight);
	assert_int_equal(to, d2);
	assert_int_equal(time_minute_of_day(eight), 8 * 60);
	time_set_zone("UTC");
}

/*
 * The console's "Overdue today" starts at the club's midnight, whatever
 * the machine's zone (UTC here, Madrid's or Sydney's club), and moves on
 * when the club's day does: a clock is injected.
 */
static void test_today_rolls_at_club_midnight(void **state)
{
	(void)state;
	const struct clubzone *madrid = clubzone_get("Europe/Madrid", NULL);
	const struct clubzone *sydney = clubzone_get("Australia/Sydney", NULL);
	assert_non_null(madrid);
	assert_non_null(sydney);
	int64_t dec7 = 1796598000, dec8 = 1796684400;  /* Madrid midnights */
	int64_t today = 0;
	assert_true(tui_day_roll(madrid, dec8 - 1, &today));
	assert_int_equal(today, dec7);
	assert_false(tui_day_roll(madrid, dec7, &today));
	assert_false(tui_day_roll(madrid, dec8 - 1, &today));
	assert_true(tui_day_roll(madrid, dec8, &today));
	assert_int_equal(today, dec8);
	/* the machine's (UTC) midnight, an hour later, changes nothing */
	assert_false(tui_day_roll(madrid, dec8 + 3600, &today));
	/* a 23-hour day: 2027-03-28 ends at 22:00 UTC */
	assert_true(tui_day_roll(madrid, 1806188400 + 3600, &today));
	assert_int_equal(today, 1806188400);
	assert_false(tui_day_roll(madrid, 1806271200 - 1, &today));
	assert_true(tui_day_roll(madrid, 1806271200, &today));
	/* a southern club: Sydney's 2026-12-09 starts 2026-12-08 13:00 UTC */
	today = 0;
	assert_true(tui_day_roll(sydney, 1796734800 - 1, &today));
	assert_int_equal(today, 1796648400);
	assert_true(tui_day_roll(sydney, 1796734800, &today));
	assert_int_equal(today, 1796734800);
	/* the club's zone changes: the same instant is another day */
	assert_true(tui_day_roll(madrid, 1796734800, &today));
	assert_int_equal(today, dec8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buttons),
		cmocka_unit_test(test_task_row),
		cmocka_unit_test(test_urgent_row),
		cmocka_unit_test(test_task_row_tags),
		cmocka_unit_test(test_grid),
		cmocka_unit_test(test_days_across_dst),
		cmocka_unit_test(test_today_rolls_at_club_midnight),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
