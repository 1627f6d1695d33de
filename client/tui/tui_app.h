/*
 * The state shared by the desk's and the console's modules (private to
 * client/tui). One struct tui_app per process, on one libuv loop: stdin is
 * watched by a uv_poll_t, SIGWINCH by a uv_signal_t, and the screen is
 * redrawn at most once per loop pass (a uv_prepare_t checks `dirty`), so a
 * burst of deltas costs one redraw and an idle terminal costs nothing.
 */
#ifndef CLUBCRM_TUI_APP_H
#define CLUBCRM_TUI_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "live.h"
#include "tui.h"
#include "tui_report.h"
#include "tui_widget_form.h"
#include "tui_grid.h"
#include "tui_layout.h"
#include "tui_list.h"
#include "tui_asof.h"
#include "tui_export.h"
#include "tui_repeat.h"

enum tui_screen {
	TUI_SCR_ALL,
	TUI_SCR_URGENT,
	TUI_SCR_CONTACTS,
	TUI_SCR_PREP,
	TUI_SCR_OVERDUE,
	TUI_SCR_AGENDA,     /* my calendar, day or week */
	TUI_SCR_OPS,        /* operators' agendas */
	TUI_SCR_CUSTOMER,   /* one customer's profile */
	TUI_SCR_CONSOLE,
};

enum tui_form_kind {
	TUI_FK_NONE,
	TUI_FK_NEW_TASK,
	TUI_FK_NEW_NOTE,
	TUI_FK_EDIT,
	TUI_FK_COPY,
	TUI_FK_FOLLOW_UP,
	TUI_FK_CANCEL,
	TUI_FK_TAGS,
	TUI_FK_REASSIGN,
	TUI_FK_FILTER,      /* the board's filter bar, or the profile's dates */
	TUI_FK_CUSTOMER,    /* a new contact */
	TUI_FK_LOGIN,       /* the login screen, before any connection */
	TUI_FK_ASOF,        /* the board's past: a moment or a revision */
	TUI_FK_EXPORT,      /* the list to a CSV file */
	TUI_FK_IMPORT,      /* customers from a CSV file (admins) */
	TUI_FK_CUSTOMERS_EXPORT,  /* Contacts: the customers to a CSV file */
};

#define TUI_HISTORY_MAX 40
#define TUI_TAGS_MAX 32  /* tags per task, as the server allows */

struct tui_import;

struct tui_app {
	uv_loop_t loop;
	uv_poll_t input;
	uv_signal_t sigwinch, sigint, sigterm;
	uv_prepare_t redraw;
	uv_timer_t tick;
	struct live *live;
	enum live_state state;
	char state_msg[CLIENT_MESSAGE_MAX];
	bool console;
	bool curses_on, dirty, closing;
	/* The login screen: shown when no password was given, and again
	 * after a refused login; the connection starts when it is filled. */
	bool login_screen;
	struct tui_options opts;
	char login[TUI_TEXT_MAX];
	char password[TUI_TEXT_MAX];
	int exit_code;
	int rows, cols;

	uint64_t me;            /* logged-in operator (0 until ready) */
	char me_name[TUI_NAME_MAX];
	bool me_admin;          /* may reassign (the server decides; this
				   only hides what it would refuse) */
	char club[TUI_NAME_MAX];
	char tz[64];            /* the club's time zone, once known */

	struct live_sub *cat;   /* the catalogue and customers */
	struct live_sub *sub;   /* the screen's task view */
	struct live_sub *sub2;  /* console: today's overdue */
	int64_t today;          /* console: the club's day sub2 starts at */
	struct tui_report report;  /* console: the manager's figures (R) */

	enum tui_screen screen, back;
	bool all;               /* urgent/prep/overdue: everyone's, not mine */
	struct tui_list list, list2;
	int focus2;             /* console: the overdue list has the focus */
	struct tui_buttons buttons;
	int body_y;             /* first row of the list on screen */

	/* The board's filter bar and the profile's dates, kept between uses. */
	struct tui_form filter, cfilter;
	uint64_t customer_id;   /* profile */
	struct tui_asof asof;   /* the list as it stood, read-only */
	/* The export's file that exists and may be overwritten when saved
	 * again (E); "" for none. */
	char export_confirm[TUI_TEXT_MAX + 512];
	/* The customer export's form (opening it counts one more: an older
	 * export's pages are dropped) and whether its tagged customers are
	 * being gathered. */
	unsigned custexp_seq;
	bool custexp_busy;
	struct tui_import *import;  /* Contacts' import (tui_import.c) */

	/* Agendas: the day shown, week or day, the team/operator filter. */
	int64_t day;
	bool week;
	uint64_t team_id, op_filter;
	struct tui_grid grid;
	int acol, aslot;
	/* My agenda's calendar feed (F): asked to confirm, being made, and
	 * the new URL shown in the title line until Esc or the screen is
	 * left (a secret: not kept longer). */
	bool feed_confirm, feed_busy;
	char feed_url[320];

	/* The open form, with what it edits. */
	enum tui_form_kind fkind;
	struct tui_form form;
	unsigned form_seq;      /* replies for an older form are dropped */
	/* The open form's idempotency key: every save of it (a retry after
	 * a failure or a reconnect) creates one task or contact at most. */
	uint8_t form_key[CLIENT_IDEMPOTENCY_KEY_LEN];
	unsigned form_key_seq;  /* the form it is for */
	bool form_key_set;
	uint64_t task_id, base_mod_rev;
	struct tui_repeat_base rep_base;  /* the edited task's series */
	Clubcrm__TaskRow *conflict;  /* the server's version after a refusal */
	char history[TUI_HISTORY_MAX][160];
	int n_history;
	int form_y, form_x;     /* where the form's first field is drawn */

	char status[256];
	bool status_err;
	char reminder[256];
	uint64_t last_click_ms;
	int last_click_y, last_click_x;
};

/* ---- tui_app.c: the loop, the terminal and the connection */
int tui_app_run(struct tui_app *a, const struct tui_options *o, bool console);
void tui_app_quit(struct tui_app *a);
void tui_app_dirty(struct tui_app *a);
void tui_app_status(struct tui_app *a, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A replica's rows in display order (malloc'd), *n set; NULL when none. */
const Clubcrm__TaskRow **tui_app_rows(struct live_sub *s, bool newest_first,
				      size_t *n);
/* Subscribes `*slot` to `v` (dropping what it held). A status code. */
unsigned tui_app_subscribe(struct tui_app *a, struct live_sub **slot,
			   const Clubcrm__View *v);
/* Double click (or a second click on the same place) within 400 ms. */
bool tui_app_double_click(struct tui_app *a, int y, int x);

/* ---- tui_catalog.c: lookups in the catalogue replica */
const struct replica_catalog *tui_cat(struct tui_app *a);
const Clubcrm__Operator *tui_cat_operator(struct tui_app *a, uint64_t id);
const Clubcrm__Customer *tui_cat_customer(struct tui_app *a, uint64_t id);
/* Fills a pick list; `none` adds a first choice with id 0 named so. */
void tui_cat_fill_operators(struct tui_app *a, struct tui_field *f, const char *none);
void tui_cat_fill_types(struct tui_app *a, struct tui_field *f, const char *none);
void tui_cat_fill_results(struct tui_app *a, struct tui_field *f, const char *none);
void tui_cat_fill_tags(struct tui_app *a, struct tui_field *f, const char *none);
void tui_cat_fill_customers(struct tui_app *a, struct tui_field *f, const char *none);
/* Settings with defaults when the catalogue has not come yet. */
void tui_cat_slots(struct tui_app *a, uint32_t *slot, uint32_t *start, uint32_t *end);

/* ---- tui_draw.c: painting */
void tui_draw_init_colours(void);
void tui_draw(struct tui_app *a);
void tui_draw_task_list(struct tui_app *a, struct tui_list *l,
			const Clubcrm__TaskRow **rows, size_t n, int y, int h,
			bool focused);
void tui_draw_form(struct tui_app *a);
void tui_draw_text(int y, int x, int w, int attr, const char *s);

/* ---- tui_desk.c: the desk's screens */
void tui_desk_start(struct tui_app *a);
void tui_desk_show(struct tui_app *a, enum tui_screen s);
void tui_desk_key(struct tui_app *a, const struct tui_key *k);
void tui_desk_mouse(struct tui_app *a, int y, int x, bool dbl);
void tui_desk_draw(struct tui_app *a);
/* The row under the cursor of the current list (NULL: none). */
const Clubcrm__TaskRow *tui_desk_selected(struct tui_app *a);
/* The rows of the current task list in the order shown: the live view's,
 * or the past's kept rows (malloc'd; NULL and *n 0 when none). */
const Clubcrm__TaskRow **tui_desk_rows(struct tui_app *a, size_t *n);

/* ---- tui_export.c: the list to a CSV file (tui_export.h) */
/* The export form's save: writes the file, or says why not. */
void tui_export_submit(struct tui_app *a);
/* Contacts' export form's save: every active customer written at once, or
 * those having the tag once its tasks are read (ListTasks pages). */
void tui_export_customers_submit(struct tui_app *a);

/* ---- tui_asof.c: the past on the task lists */
/* The screens whose list can show the past. */
bool tui_asof_screen(enum tui_screen s);
/* Shows the current screen's list as of `q` (the live view dropped). */
void tui_asof_enter(struct tui_app *a, const struct tui_asof_query *q);
/* Asks again for the current screen (another screen, filter, mine/all). */
void tui_asof_query(struct tui_app *a);
/* Back to live; `show`: resubscribes the screen. */
void tui_asof_leave(struct tui_app *a, bool show);

/* ---- tui_agenda.c: the calendar and the operators' agendas */
void tui_agenda_subscribe(struct tui_app *a);
/* Puts the agenda's cursor on the current time's slot (today only). */
void tui_agenda_focus_now(struct tui_app *a);
void tui_agenda_draw(struct tui_app *a, int y, int h);
bool tui_agenda_key(struct tui_app *a, const struct tui_key *k);
void tui_agenda_mouse(struct tui_app *a, int y, int x, bool dbl);

/* ---- tui_forms.c: opening, submitting and answering forms */
void tui_forms_open(struct tui_app *a, enum tui_form_kind kind,
		    const Clubcrm__TaskRow *row);
/* A new task for an operator at a time (agenda slots). */
void tui_forms_new_at(struct tui_app *a, uint64_t operator_id, int64_t at);
void tui_forms_key(struct tui_app *a, const struct tui_key *k);
void tui_forms_mouse(struct tui_app *a, int y, int x);
void tui_forms_close(struct tui_app *a);
/* Checks every tag of `t` (NULL: none) in a Tags check-box field. */
void tui_forms_check_tags(struct tui_field *fl, const Clubcrm__Task *t);
/* 0, or -EINVAL with the message in `err` when a date field of a filter
 * form holds no valid date ("hola", "2026-02-30"): refused, not ignored. */
int tui_forms_filter_check(struct tui_form *f, char *err, size_t size);
/* Builds a filter from the board's or the profile's filter form. */
void tui_forms_filter(struct tui_form *f, Clubcrm__TaskFilter *tf,
		      Clubcrm__TaskStatus *status, uint64_t *ids);
void tui_forms_init_filters(struct tui_app *a);

/* ---- tui_submit.c: requests from forms, and their replies */
void tui_submit(struct tui_app *a);
/*
 * A time typed in a form, in the club's zone. `planned`: a task's planned
 * time, which needs a time of day. 0; 1 when a planned time is before
 * `now` (accepted, to be said); -1 with the reason in `why` (not a time,
 * a time the zone skips, no time of day).
 */
int tui_parse_when(const char *text, bool planned, int64_t now, int64_t *out,
		   char *why, size_t size);
/* Saves the info form's fields on top of revision `base`. */
void tui_submit_edit(struct tui_app *a, uint64_t base);
/* The info form's history lines from a GetTask reply: newest first, each
 * entry then its changes ("field: old -> new"), TUI_HISTORY_MAX at most. */
void tui_history_fill(struct tui_app *a, const Clubcrm__TaskReply *tr);
/* Asks for a task's history for the info form. */
void tui_submit_history(struct tui_app *a, uint64_t id);
/* Takes charge of a task, or releases it when it is mine. */
void tui_forms_take(struct tui_app *a, const Clubcrm__TaskRow *row);
/* The open form's idempotency key: the same for every save of this form,
 * a new one for the next form (a failed save keeps the form open). */
ProtobufCBinaryData tui_submit_form_key(struct tui_app *a);

/* ---- tui_import.c: customers from a CSV file, from Contacts */
/* Ctrl-S on the import form: reads the file and sends the dry run, or,
 * once checked, imports. */
void tui_import_submit(struct tui_app *a);
/* Lets the import go: freed now, or by the answer of its batch in flight
 * (`loop_ended`: no answer will come, freed now). */
void tui_import_free(struct tui_app *a, bool loop_ended);

/* ---- tui_console.c: the manager's screen */
void tui_console_start(struct tui_app *a);
/* The console's key hint, offering `r` to admins only. */
void tui_console_hint(struct tui_app *a);
void tui_console_draw(struct tui_app *a);
/* Follows the club's midnight: "Overdue today" moves to the new day. */
void tui_console_tick(struct tui_app *a);
void tui_console_key(struct tui_app *a, const struct tui_key *k);
void tui_console_mouse(struct tui_app *a, int y, int x, bool dbl);

#endif
