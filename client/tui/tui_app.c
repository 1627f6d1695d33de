/*
 * The loop and the terminal: curses set up for wide characters and the
 * mouse, stdin read when the loop says it is readable, the screen redrawn
 * once per loop pass when something changed, and the live connection whose
 * state shows in the title bar.
 */
#include "tui_app.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "status.h"
#include "timeutil.h"

void tui_app_dirty(struct tui_app *a)
{
	a->dirty = true;
}

void tui_app_status(struct tui_app *a, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_err = error;
	a->dirty = true;
}

static int cmp_created_desc(const void *x, const void *y)
{
	const Clubcrm__TaskRow *p = *(const Clubcrm__TaskRow *const *)x;
	const Clubcrm__TaskRow *q = *(const Clubcrm__TaskRow *const *)y;
	if (p->task->created_at != q->task->created_at)
		return p->task->created_at > q->task->created_at ? -1 : 1;
	return p->task->id > q->task->id ? -1 : p->task->id < q->task->id;
}

const Clubcrm__TaskRow **tui_app_rows(struct live_sub *s, bool newest_first,
				      size_t *n)
{
	*n = 0;
	if (!s)
		return NULL;
	struct replica *r = live_sub_replica(s);
	const Clubcrm__TaskRow **rows = replica_sorted(r, REPLICA_BY_PLANNED);
	if (!rows)
		return NULL;
	*n = replica_count(r);
	/* Rows without a task would crash the views: the server never sends
	 * them, but the wire is not trusted. */
	size_t k = 0;
	for (size_t i = 0; i < *n; i++)
		if (rows[i]->task)
			rows[k++] = rows[i];
	*n = k;
	if (newest_first)
		qsort(rows, k, sizeof(*rows), cmp_created_desc);
	return rows;
}

/*
 * The club's time zone decides where days start on screen. It comes with
 * Welcome and the settings, after the first day was chosen in the process
 * zone: the day is moved to the same date's local midnight.
 */
static void set_zone(struct tui_app *a, const char *tz)
{
	if (!tz || !tz[0] || !strcmp(tz, a->tz))
		return;
	snprintf(a->tz, sizeof(a->tz), "%s", tz);
	if (time_set_zone(tz) < 0)
		tui_app_status(a, true, "the club's time zone %s is unknown to "
			       "this machine's tzdata: times are %s", a->tz,
			       clubzone_name(clubzone_current()));
	tui_console_tick(a);
	int64_t day = tui_day_start(a->day + 12 * 3600);
	if (day == a->day)
		return;
	a->day = day;
	if (a->screen == TUI_SCR_AGENDA || a->screen == TUI_SCR_OPS) {
		tui_agenda_focus_now(a);
		tui_agenda_subscribe(a);
	}
}

static void on_row(struct replica *r, enum replica_change what,
		   const Clubcrm__TaskRow *row, void *ud)
{
	(void)r;
	(void)what;
	(void)row;
	tui_app_dirty(ud);
}

static void on_catalog(struct replica *r, void *ud)
{
	(void)r;
	struct tui_app *a = ud;
	const struct replica_catalog *c = tui_cat(a);
	if (c && c->settings && c->settings->club_name)
		snprintf(a->club, sizeof(a->club), "%s", c->settings->club_name);
	if (c && c->settings)
		set_zone(a, c->settings->time_zone);
	tui_app_dirty(a);
}

static void on_synced(struct replica *r, void *ud)
{
	(void)r;
	tui_app_dirty(ud);
}

static const struct replica_callbacks replica_cbs = {
	.on_row = on_row, .on_catalog = on_catalog, .on_synced = on_synced};

unsigned tui_app_subscribe(struct tui_app *a, struct live_sub **slot,
			   const Clubcrm__View *v)
{
	if (*slot) {
		live_unsubscribe(a->live, *slot);
		*slot = NULL;
	}
	if (!v)
		return STATUS_OK;
	if (!a->live)  /* not connected yet (or a test without a server) */
		return STATUS_UNAVAILABLE;
	unsigned rc = live_subscribe(a->live, v, &replica_cbs, a, slot);
	if (rc != STATUS_OK)
		tui_app_status(a, true, "could not subscribe: %s",
			       status_name(rc));
	a->dirty = true;
	return rc;
}

bool tui_app_double_click(struct tui_app *a, int y, int x)
{
	uint64_t now = time_mono_ms();
	bool dbl = now - a->last_click_ms < 400 && y == a->last_click_y &&
		   x == a->last_click_x;
	a->last_click_ms = dbl ? 0 : now;
	a->last_click_y = y;
	a->last_click_x = x;
	return dbl;
}

/* ------------------------------------------------------------ connection */

static void login_again(struct tui_app *a);

static void on_state(struct live *l, enum live_state st,
		     const struct client_status *why, void *ud)
{
	struct tui_app *a = ud;
	a->state = st;
	snprintf(a->state_msg, sizeof(a->state_msg), "%s",
		 why && why->message[0] ? why->message : "");
	if (st == LIVE_READY) {
		const Clubcrm__Operator *op = client_operator(live_client(l));
		const Clubcrm__Welcome *w = client_welcome(live_client(l));
		if (op) {
			a->me = op->id;
			a->me_admin = op->role == CLUBCRM__ROLE__ROLE_ADMIN;
			snprintf(a->me_name, sizeof(a->me_name), "%s",
				 op->name ? op->name : op->login ? op->login : "?");
		}
		if (w && w->club_name && !a->club[0])
			snprintf(a->club, sizeof(a->club), "%s", w->club_name);
		if (w)
			set_zone(a, w->time_zone);
		if (a->console && a->screen == TUI_SCR_CONSOLE &&
		    a->fkind == TUI_FK_NONE && !a->status_err)
			tui_console_hint(a);
	}
	if (st == LIVE_FAILED && a->login_screen) {
		tui_app_status(a, true, "login refused: %s", a->state_msg);
		login_again(a);
	} else if (st == LIVE_FAILED) {
		a->exit_code = 1;
		tui_app_status(a, true, "login refused: %s", a->state_msg);
		tui_app_quit(a);
	}
	a->dirty = true;
}

static void on_reminder(struct live *l, const Clubcrm__TaskRow *row, void *ud)
{
	(void)l;
	struct tui_app *a = ud;
	char when[32] = "";
	if (!row || !row->task)
		return;
	time_format_local(row->task->planned_at, "%H:%M", when, sizeof(when));
	snprintf(a->reminder, sizeof(a->reminder), "Due now: %s %s %s - %s",
		 when, row->type_name ? row->type_name : "",
		 row->customer_name ? row->customer_name : "",
		 row->task->description ? row->task->description : "");
	beep();
	a->dirty = true;
}

static void on_sub_error(struct live *l, struct live_sub *s,
			 const struct client_status *why, void *ud)
{
	(void)l;
	(void)s;
	tui_app_status(ud, true, "view refused: %s: %s", status_name(why->code),
		       why->message);
}

static void on_live_closed(struct live *l, void *ud)
{
	(void)l;
	(void)ud;
}

static const struct live_callbacks live_cbs = {
	.on_state = on_state, .on_reminder = on_reminder,
	.on_sub_error = on_sub_error, .on_closed = on_live_closed};

/* ------------------------------------------------------------ login */

static unsigned live_start_app(struct tui_app *a, const struct tui_options *o);

/* The login form, the login filled in when known (the password then). */
static void login_open(struct tui_app *a)
{
	tui_forms_close(a);
	tui_form_init(&a->form, a->console ? "clubcrm console: log in"
					   : "clubcrm desk: log in");
	struct tui_field *user = tui_form_add(&a->form, "Login", TUI_FIELD_TEXT);
	tui_form_add(&a->form, "Password", TUI_FIELD_SECRET);
	if (user && a->login[0]) {
		tui_field_set_text(user, a->login);
		a->form.focus = 1;
	}
	a->fkind = TUI_FK_LOGIN;
	a->dirty = true;
}

/* After a refused login: the connection goes, the form comes back. */
static void login_again(struct tui_app *a)
{
	live_close(a->live);
	a->live = NULL;
	a->cat = a->sub = a->sub2 = NULL;
	a->state = LIVE_CONNECTING;
	a->me = 0;
	a->me_admin = false;
	a->me_name[0] = '\0';
	login_open(a);
}

static void login_submit(struct tui_app *a)
{
	const struct tui_field *user = tui_form_field(&a->form, "Login");
	struct tui_field *pw = tui_form_field(&a->form, "Password");
	if (!user || !pw || !user->text[0]) {
		tui_app_status(a, true, "the login is empty");
		return;
	}
	snprintf(a->login, sizeof(a->login), "%s", user->text);
	snprintf(a->password, sizeof(a->password), "%s", pw->text);
	explicit_bzero(pw->text, sizeof(pw->text));
	tui_forms_close(a);
	a->status[0] = '\0';
	a->status_err = false;
	struct tui_options o = a->opts;
	o.user = a->login;
	o.password = a->password;
	unsigned rc = live_start_app(a, &o);
	explicit_bzero(a->password, sizeof(a->password));
	if (rc != STATUS_OK) {
		tui_app_status(a, true, "%s: %s", o.server, status_name(rc));
		a->exit_code = 2;
		tui_app_quit(a);
		return;
	}
	if (a->console)
		tui_console_start(a);
	else
		tui_desk_start(a);
}

static void login_key(struct tui_app *a, const struct tui_key *k)
{
	switch (tui_form_key(&a->form, k)) {
	case TUI_FORM_CANCEL:
		tui_app_quit(a);
		break;
	case TUI_FORM_SUBMIT:
		login_submit(a);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ terminal */

static void key_from_curses(struct tui_app *a, int rc, wint_t ch)
{
	struct tui_key k = {0};
	if (rc == KEY_CODE_YES) {
		if (ch == KEY_MOUSE) {
			MEVENT ev;
			if (getmouse(&ev) != OK)
				return;
			if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED |
					 BUTTON1_DOUBLE_CLICKED)) {
				bool dbl = (ev.bstate & BUTTON1_DOUBLE_CLICKED) ||
					   tui_app_double_click(a, ev.y, ev.x);
				if (a->fkind != TUI_FK_NONE)
					tui_forms_mouse(a, ev.y, ev.x);
				else if (a->console)
					tui_console_mouse(a, ev.y, ev.x, dbl);
				else
					tui_desk_mouse(a, ev.y, ev.x, dbl);
			} else if (ev.bstate & BUTTON4_PRESSED) {
				k.code = KEY_UP;
				goto dispatch;
			} else if (ev.bstate & BUTTON5_PRESSED) {
				k.code = KEY_DOWN;
				goto dispatch;
			}
			a->dirty = true;
			return;
		}
		if (ch == KEY_RESIZE) {
			a->dirty = true;
			return;
		}
		k.code = (int)ch;
	} else if (ch < 0x20 || ch == 0x7f) {
		k.code = (int)ch == '\r' ? TUI_KEY_ENTER : (int)ch;
	} else {
		mbstate_t ps;
		memset(&ps, 0, sizeof(ps));
		size_t n = wcrtomb(k.text, (wchar_t)ch, &ps);
		if (n == (size_t)-1 || n >= sizeof(k.text))
			return;
		k.text[n] = '\0';
	}
dispatch:
	if (k.code == TUI_KEY_CTRL('c')) {
		tui_app_quit(a);
		return;
	}
	/* A new key hides an old message, unless it is an error. */
	if (a->fkind == TUI_FK_NONE) {
		a->status[0] = '\0';
		a->status_err = false;
	}
	if (a->fkind == TUI_FK_LOGIN)
		login_key(a, &k);
	else if (a->fkind != TUI_FK_NONE)
		tui_forms_key(a, &k);
	else if (a->console)
		tui_console_key(a, &k);
	else
		tui_desk_key(a, &k);
	a->dirty = true;
}

static void on_input(uv_poll_t *h, int status, int events)
{
	struct tui_app *a = h->data;
	(void)events;
	if (status < 0) {
		tui_app_quit(a);
		return;
	}
	for (int i = 0; i < 256 && !a->closing; i++) {
		wint_t ch;
		int rc = get_wch(&ch);
		if (rc == ERR)
			break;
		key_from_curses(a, rc, ch);
	}
}

static void on_winch(uv_signal_t *h, int signum)
{
	(void)signum;
	struct tui_app *a = h->data;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clear();
	a->dirty = true;
}

static void on_quit_signal(uv_signal_t *h, int signum)
{
	(void)signum;
	tui_app_quit(h->data);
}

static void on_prepare(uv_prepare_t *h)
{
	struct tui_app *a = h->data;
	if (!a->dirty || !a->curses_on || a->closing)
		return;
	a->dirty = false;
	tui_draw(a);
}

static void on_tick(uv_timer_t *h)
{
	/* Durations ("waiting 12 min"), the clock and today move on their
	 * own. */
	tui_console_tick(h->data);
	tui_app_dirty(h->data);
}

void tui_app_quit(struct tui_app *a)
{
	if (a->closing)
		return;
	a->closing = true;
	if (a->live)
		live_close(a->live);
	a->live = NULL;
	a->cat = a->sub = a->sub2 = NULL;
	uv_close((uv_handle_t *)&a->input, NULL);
	uv_close((uv_handle_t *)&a->sigwinch, NULL);
	uv_close((uv_handle_t *)&a->sigint, NULL);
	uv_close((uv_handle_t *)&a->sigterm, NULL);
	uv_close((uv_handle_t *)&a->redraw, NULL);
	uv_close((uv_handle_t *)&a->tick, NULL);
}

static void curses_start(struct tui_app *a)
{
	initscr();
	/* raw, not cbreak: Ctrl-S saves a form instead of stopping the
	 * terminal's output (flow control); Ctrl-C arrives as a key. */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED |
		  BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	if (has_colors())
		tui_draw_init_colours();
	a->curses_on = true;
}

/* Closes the handles set up before one failed to be; the loop runs their
 * close callbacks, so that it can be closed. */
static void handles_undo(uv_loop_t *loop, uv_handle_t **h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uv_close(h[i], NULL);
	uv_run(loop, UV_RUN_DEFAULT);
}

/* 0, or the libuv error of the handle that could not be set up (nothing
 * is left open then). */
static int handles_start(struct tui_app *a)
{
	uv_handle_t *open[5];
	size_t n = 0;
	int rc = uv_poll_init(&a->loop, &a->input, STDIN_FILENO);
	if (rc < 0)
		return rc;
	open[n++] = (uv_handle_t *)&a->input;
	uv_signal_t *sigs[] = {&a->sigwinch, &a->sigint, &a->sigterm};
	for (size_t i = 0; i < 3; i++) {
		if ((rc = uv_signal_init(&a->loop, sigs[i])) < 0)
			goto fail;
		open[n++] = (uv_handle_t *)sigs[i];
	}
	if ((rc = uv_prepare_init(&a->loop, &a->redraw)) < 0)
		goto fail;
	open[n++] = (uv_handle_t *)&a->redraw;
	if ((rc = uv_timer_init(&a->loop, &a->tick)) < 0)
		goto fail;
	a->input.data = a;
	a->sigwinch.data = a->sigint.data = a->sigterm.data = a;
	a->redraw.data = a->tick.data = a;
	uv_poll_start(&a->input, UV_READABLE, on_input);
	uv_signal_start(&a->sigwinch, on_winch, SIGWINCH);
	uv_signal_start(&a->sigint, on_quit_signal, SIGINT);
	uv_signal_start(&a->sigterm, on_quit_signal, SIGTERM);
	uv_prepare_start(&a->redraw, on_prepare);
	uv_timer_start(&a->tick, on_tick, 10000, 10000);
	return 0;
fail:
	handles_undo(&a->loop, open, n);
	return rc;
}

static unsigned live_start_app(struct tui_app *a, const struct tui_options *o)
{
	struct client_config cfg = {
		.address = o->server, .login = o->user, .password = o->password,
		.kind = a->console ? CLUBCRM__CLIENT_KIND__CLIENT_KIND_CONSOLE
				   : CLUBCRM__CLIENT_KIND__CLIENT_KIND_DESK,
		.terminal_name = o->terminal_name, .ca_file = o->ca_file};
	unsigned rc = live_new(&a->loop, &cfg, &live_cbs, a, &a->live);
	if (rc != STATUS_OK)
		return rc;
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG;
	rc = tui_app_subscribe(a, &a->cat, &v);
	if (rc != STATUS_OK)
		return rc;
	return live_start(a->live);
}

int tui_app_run(struct tui_app *a, const struct tui_options *o, bool console)
{
	a->console = console;
	a->state = LIVE_CONNECTING;
	a->day = tui_day_start(time_now());
	tui_list_init(&a->list);
	tui_list_init(&a->list2);
	int rc = uv_loop_init(&a->loop);
	if (rc < 0)
		return 2;
	rc = handles_start(a);
	if (rc < 0) {
		fprintf(stderr, "clubcrm: %s: %s\n",
			rc == UV_ENOTTY || rc == UV_EBADF || rc == UV_EPERM ?
			"stdin is not a terminal" : "event loop",
			uv_strerror(rc));
		uv_loop_close(&a->loop);
		return 2;
	}
	a->opts = *o;
	a->login_screen = !o->user || !o->user[0] || !o->password;
	if (o->user)
		snprintf(a->login, sizeof(a->login), "%s", o->user);
	unsigned started = a->login_screen ? STATUS_OK : live_start_app(a, o);
	if (started != STATUS_OK) {
		fprintf(stderr, "clubcrm: %s: %s\n", o->server,
			status_name(started));
		a->exit_code = 2;
		tui_app_quit(a);
	} else {
		curses_start(a);
		tui_forms_init_filters(a);
		if (a->login_screen)
			login_open(a);
		else if (console)
			tui_console_start(a);
		else
			tui_desk_start(a);
		a->dirty = true;
	}
	uv_run(&a->loop, UV_RUN_DEFAULT);
	if (a->curses_on)
		endwin();
	if (a->exit_code && a->status[0])
		fprintf(stderr, "clubcrm: %s\n", a->status);
	tui_forms_close(a);
	tui_import_free(a, true);
	tui_form_free(&a->filter);
	tui_form_free(&a->cfilter);
	tui_asof_clear(&a->asof);
	tui_list_free(&a->list);
	tui_list_free(&a->list2);
	uv_loop_close(&a->loop);
	return a->exit_code;
}
