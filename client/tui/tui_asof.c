#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_api.h"
#include "status.h"
#include "timeutil.h"
#include "tui_app.h"

/* ------------------------------------------------------------ pure parts */

int tui_asof_parse(const char *text, struct tui_asof_query *q, char *why,
		   size_t size)
{
	memset(q, 0, sizeof(*q));
	while (*text == ' ')
		text++;
	if (text[0] == 'r' || text[0] == 'R') {
		char *end = (char *)text;
		errno = 0;
		unsigned long long n = text[1] >= '0' && text[1] <= '9'
					       ? strtoull(text + 1, &end, 10) : 0;
		if (!n || errno || *end) {
			snprintf(why, size, "'%.40s' is not a revision (r1, "
				 "r2, ...)", text);
			return -1;
		}
		q->rev = n;
		return 0;
	}
	if (!text[0]) {
		snprintf(why, size, "give a moment (YYYY-MM-DD HH:MM) or a "
			 "revision (rN)");
		return -1;
	}
	int64_t t;
	char reason[160];
	if (tui_parse_when(text, true, 0, &t, reason, sizeof(reason)) < 0) {
		snprintf(why, size, "as of '%.40s': %s, or a revision (rN)",
			 text, reason);
		return -1;
	}
	q->has_at = true;
	q->at = t;
	return 0;
}

void tui_asof_title(const struct tui_asof *s, char *out, size_t size)
{
	char when[40] = "", rev[32] = "...";
	int64_t t = s->q.has_at ? s->q.at : s->rev_at;
	if (t && !time_format_local(t, "%Y-%m-%d %H:%M", when, sizeof(when)))
		when[0] = '\0';
	if (s->rev)
		snprintf(rev, sizeof(rev), "%" PRIu64, s->rev);
	else if (!s->q.has_at)
		snprintf(rev, sizeof(rev), "%" PRIu64, s->q.rev);
	snprintf(out, size, "AS OF %s%s(rev %s) read-only%s", when,
		 when[0] ? " " : "", rev,
		 s->loading ? ", loading" : s->incomplete ? ", incomplete" : "");
}

void tui_asof_clear(struct tui_asof *s)
{
	for (size_t i = 0; i < s->n_pages; i++)
		clubcrm__task_page__free_unpacked(s->pages[i], NULL);
	free(s->pages);
	free(s->rows);
	s->pages = NULL;
	s->rows = NULL;
	s->n_pages = s->n_rows = 0;
	s->rev = 0;
	s->rev_at = 0;
	s->incomplete = false;
}

int tui_asof_add_page(struct tui_asof *s, const Clubcrm__TaskPage *p)
{
	size_t n = p->n_rows;
	if (s->n_rows + n > TUI_ASOF_ROWS_MAX) {
		s->incomplete = true;
		return -1;
	}
	size_t len = clubcrm__task_page__get_packed_size(p);
	uint8_t *buf = malloc(len ? len : 1);
	Clubcrm__TaskPage **pages = realloc(s->pages, (s->n_pages + 1) *
					    sizeof(*pages));
	if (pages)
		s->pages = pages;
	const Clubcrm__TaskRow **rows = realloc(s->rows, (s->n_rows + n + 1) *
						sizeof(*rows));
	if (rows)
		s->rows = rows;
	if (!buf || !pages || !rows) {
		free(buf);
		s->incomplete = true;
		return -1;
	}
	clubcrm__task_page__pack(p, buf);
	Clubcrm__TaskPage *copy = clubcrm__task_page__unpack(NULL, len, buf);
	free(buf);
	if (!copy) {
		s->incomplete = true;
		return -1;
	}
	s->pages[s->n_pages++] = copy;
	for (size_t i = 0; i < copy->n_rows; i++)
		if (copy->rows[i]->task)  /* a row without its task is no row */
			s->rows[s->n_rows++] = copy->rows[i];
	return 0;
}

const Clubcrm__TaskRow *tui_asof_row(const struct tui_asof *s, uint64_t id)
{
	for (size_t i = 0; id && i < s->n_rows; i++)
		if (s->rows[i]->task->id == id)
			return s->rows[i];
	return NULL;
}

/* ------------------------------------------------------------ the desk */

bool tui_asof_screen(enum tui_screen s)
{
	return s == TUI_SCR_ALL || s == TUI_SCR_URGENT || s == TUI_SCR_PREP ||
	       s == TUI_SCR_OVERDUE || s == TUI_SCR_CUSTOMER;
}

struct asof_ticket {
	struct tui_app *a;
	unsigned seq;
	Clubcrm__ListTasks q;  /* the query, its token the next page's */
	Clubcrm__TaskFilter f;
	Clubcrm__TaskStatus status;
	uint64_t ids[4];
	char text[TUI_TEXT_MAX];
	uint8_t *token;
};

static void ticket_free(struct asof_ticket *t)
{
	free(t->token);
	free(t);
}

static void send_page(struct asof_ticket *t);

static void on_page(const struct clubcrm_answer *ans, void *arg)
{
	struct asof_ticket *t = arg;
	struct tui_app *a = t->a;
	struct tui_asof *s = &a->asof;
	if (a->closing || t->seq != s->seq || !s->on) {
		ticket_free(t);
		return;
	}
	a->dirty = true;
	if (ans->status != STATUS_OK) {
		bool first = s->n_pages == 0;
		tui_app_status(a, true, "as of: %s: %s", status_name(ans->status),
			       ans->message);
		s->loading = false;
		ticket_free(t);
		if (first)  /* refused (before the club, the future): live */
			tui_asof_leave(a, true);
		else
			s->incomplete = true;
		return;
	}
	const Clubcrm__TaskPage *p = ans->task_page;
	/* Every page of the same past: a revision that moved between pages
	 * would mix two boards. */
	if (s->n_pages && p->as_of_revision != s->rev) {
		tui_app_status(a, true, "as of: the pages came from revisions "
			       "%" PRIu64 " and %" PRIu64 ": ask again (h)",
			       s->rev, p->as_of_revision);
		s->loading = false;
		s->incomplete = true;
		ticket_free(t);
		return;
	}
	s->rev = p->as_of_revision;
	s->rev_at = p->as_of_revision_at;
	if (tui_asof_add_page(s, p) < 0) {
		tui_app_status(a, true, "as of: only the first %zu rows are "
			       "shown", s->n_rows);
		s->loading = false;
		ticket_free(t);
		return;
	}
	if (!p->has_next_page_token || !p->next_page_token.len) {
		s->loading = false;
		ticket_free(t);
		return;
	}
	uint8_t *tok = malloc(p->next_page_token.len);
	if (!tok) {
		s->loading = false;
		s->incomplete = true;
		ticket_free(t);
		return;
	}
	memcpy(tok, p->next_page_token.data, p->next_page_token.len);
	free(t->token);
	t->token = tok;
	t->q.has_page_token = true;
	t->q.page_token = (ProtobufCBinaryData){p->next_page_token.len, tok};
	send_page(t);
}

static void send_page(struct asof_ticket *t)
{
	struct tui_app *a = t->a;
	unsigned code = a->live ? clubcrm_tasks_list_async(a->live, &t->q,
							   on_page, t)
				: STATUS_UNAVAILABLE;
	if (code == STATUS_OK)
		return;
	tui_app_status(a, true, "as of: could not ask: %s", status_name(code));
	a->asof.loading = false;
	a->asof.incomplete = true;
	ticket_free(t);
}

/* The screen's filter, as its live view has it. */
static void screen_filter(struct tui_app *a, struct asof_ticket *t)
{
	Clubcrm__TaskFilter *f = &t->f;
	bool mine = !a->all && a->me;
	switch (a->screen) {
	case TUI_SCR_ALL:
		tui_forms_filter(&a->filter, f, &t->status, t->ids);
		mine = false;
		break;
	case TUI_SCR_URGENT:
		f->has_urgent = f->urgent = 1;
		break;
	case TUI_SCR_PREP:
		f->has_in_preparation = f->in_preparation = 1;
		break;
	case TUI_SCR_OVERDUE:
		f->has_overdue = f->overdue = 1;
		break;
	default:  /* the customer's profile */
		tui_forms_filter(&a->cfilter, f, &t->status, t->ids);
		f->has_customer_id = 1;
		f->customer_id = a->customer_id;
		mine = false;
	}
	if (f->text) {  /* the form's text may change while pages come */
		snprintf(t->text, sizeof(t->text), "%s", f->text);
		f->text = t->text;
	}
	if (mine) {
		t->ids[3] = a->me;
		f->operator_ids = &t->ids[3];
		f->n_operator_ids = 1;
	}
}

void tui_asof_query(struct tui_app *a)
{
	struct tui_asof *s = &a->asof;
	tui_asof_clear(s);
	s->seq++;
	s->loading = true;
	a->list.sel_id = 0;
	a->list.cursor = a->list.top = 0;
	a->dirty = true;
	struct asof_ticket *t = calloc(1, sizeof(*t));
	if (!t) {
		s->loading = false;
		tui_app_status(a, true, "out of memory");
		return;
	}
	t->a = a;
	t->seq = s->seq;
	clubcrm__list_tasks__init(&t->q);
	clubcrm__task_filter__init(&t->f);
	screen_filter(a, t);
	t->q.filter = &t->f;
	t->q.has_page_size = 1;
	t->q.page_size = TUI_ASOF_PAGE;
	if (s->q.has_at) {
		t->q.has_as_of = 1;
		t->q.as_of = s->q.at;
	} else {
		t->q.has_as_of_revision = 1;
		t->q.as_of_revision = s->q.rev;
	}
	send_page(t);
}

void tui_asof_enter(struct tui_app *a, const struct tui_asof_query *q)
{
	a->asof.on = true;
	a->asof.q = *q;
	/* The past does not change: the screen's live view is not needed. */
	tui_app_subscribe(a, &a->sub, NULL);
	tui_asof_query(a);
}

void tui_asof_leave(struct tui_app *a, bool show)
{
	struct tui_asof *s = &a->asof;
	s->on = s->loading = false;
	s->seq++;  /* pages still coming are dropped */
	tui_asof_clear(s);
	if (show)
		tui_desk_show(a, a->screen);
	a->dirty = true;
}
