#include "tui_widget_form.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_text.h"

void tui_form_init(struct tui_form *f, const char *title)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->title, sizeof(f->title), "%s", title);
}

void tui_form_free(struct tui_form *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->f[i].choices);
	memset(f, 0, sizeof(*f));
}

struct tui_field *tui_form_add(struct tui_form *f, const char *label,
			       enum tui_field_kind kind)
{
	if (f->n >= TUI_FORM_FIELDS)
		return NULL;
	struct tui_field *fl = &f->f[f->n++];
	memset(fl, 0, sizeof(*fl));
	snprintf(fl->label, sizeof(fl->label), "%s", label);
	fl->kind = kind;
	return fl;
}

struct tui_field *tui_form_field(struct tui_form *f, const char *label)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->f[i].label, label))
			return &f->f[i];
	return NULL;
}

void tui_field_set_text(struct tui_field *fl, const char *text)
{
	tui_text_fit(text ? text : "", TUI_TEXT_MAX, 0, fl->text,
		     sizeof(fl->text));
	fl->pos = strlen(fl->text);
}

int tui_field_add_choice(struct tui_field *fl, uint64_t id, const char *name)
{
	struct tui_choice *c = realloc(fl->choices,
				       (fl->n_choices + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	fl->choices = c;
	c += fl->n_choices++;
	memset(c, 0, sizeof(*c));
	c->id = id;
	tui_text_fit(name ? name : "", TUI_NAME_MAX, 0, c->name, sizeof(c->name));
	return 0;
}

int tui_field_choose(struct tui_field *fl, uint64_t id)
{
	for (size_t i = 0; i < fl->n_choices; i++) {
		if (fl->choices[i].id != id)
			continue;
		if (fl->kind == TUI_FIELD_CHECKS)
			fl->choices[i].on = true;
		else
			fl->choice = i;
		return 0;
	}
	return -ENOENT;
}

uint64_t tui_field_choice_id(const struct tui_field *fl)
{
	return fl->n_choices ? fl->choices[fl->choice].id : 0;
}

size_t tui_field_checked(const struct tui_field *fl, uint64_t *ids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < fl->n_choices && n < max; i++)
		if (fl->choices[i].on && fl->choices[i].id)
			ids[n++] = fl->choices[i].id;
	return n;
}

static bool text_key(struct tui_field *fl, const struct tui_key *k)
{
	size_t len = strlen(fl->text);
	switch (k->code) {
	case 0: {
		size_t n = strlen(k->text);
		if (n == 0 || len + n >= sizeof(fl->text))
			return true;
		memmove(fl->text + fl->pos + n, fl->text + fl->pos,
			len - fl->pos + 1);
		memcpy(fl->text + fl->pos, k->text, n);
		fl->pos += n;
		return true;
	}
	case KEY_BACKSPACE:
	case 127:
	case 8: {
		if (fl->pos == 0)
			return true;
		size_t p = tui_text_prev(fl->text, fl->pos);
		memmove(fl->text + p, fl->text + fl->pos, len - fl->pos + 1);
		fl->pos = p;
		return true;
	}
	case KEY_DC:
		if (fl->pos < len) {
			size_t n = tui_text_charlen(fl->text + fl->pos);
			memmove(fl->text + fl->pos, fl->text + fl->pos + n,
				len - fl->pos - n + 1);
		}
		return true;
	case KEY_LEFT:
		fl->pos = tui_text_prev(fl->text, fl->pos);
		return true;
	case KEY_RIGHT:
		if (fl->pos < len)
			fl->pos += tui_text_charlen(fl->text + fl->pos);
		return true;
	case KEY_HOME:
	case TUI_KEY_CTRL('a'):
		fl->pos = 0;
		return true;
	case KEY_END:
	case TUI_KEY_CTRL('e'):
		fl->pos = len;
		return true;
	case TUI_KEY_CTRL('u'):
		fl->text[0] = '\0';
		fl->pos = 0;
		return true;
	}
	return false;
}

/* The first choice whose name contains the search text, from `from`. */
static long search(const struct tui_field *fl, const char *text)
{
	for (size_t i = 0; i < fl->n_choices; i++)
		if (tui_text_contains(fl->choices[i].name, text))
			return (long)i;
	return -1;
}

static bool choice_key(struct tui_field *fl, const struct tui_key *k)
{
	size_t n = fl->n_choices;
	size_t sl = strlen(fl->search);
	switch (k->code) {
	case 0: {
		if (fl->kind == TUI_FIELD_CHECKS && !strcmp(k->text, " ")) {
			if (n)
				fl->choices[fl->choice].on = !fl->choices[fl->choice].on;
			return true;
		}
		char s[TUI_SEARCH_MAX];
		size_t kl = strnlen(k->text, sizeof(k->text) - 1);
		if (sl + kl >= sizeof(s))
			return true;
		memcpy(s, fl->search, sl);
		memcpy(s + sl, k->text, kl);
		s[sl + kl] = '\0';
		long at = search(fl, s);
		if (at >= 0) {  /* a letter that matches nothing is dropped */
			memcpy(fl->search, s, sizeof(s));
			fl->choice = (size_t)at;
		}
		return true;
	}
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (sl) {
			fl->search[tui_text_prev(fl->search, sl)] = '\0';
			long at = search(fl, fl->search);
			if (at >= 0)
				fl->choice = (size_t)at;
		}
		return true;
	case KEY_LEFT:
		if (n)
			fl->choice = (fl->choice + n - 1) % n;
		fl->search[0] = '\0';
		return true;
	case KEY_RIGHT:
		if (n)
			fl->choice = (fl->choice + 1) % n;
		fl->search[0] = '\0';
		return true;
	}
	return false;
}

bool tui_field_key(struct tui_field *fl, const struct tui_key *k)
{
	if (fl->readonly)
		return false;
	if (fl->kind == TUI_FIELD_CHOICE || fl->kind == TUI_FIELD_CHECKS)
		return choice_key(fl, k);
	return text_key(fl, k);
}

int tui_form_focus(struct tui_form *f, int index)
{
	if (index < 0 || index >= f->n)
		return -ENOENT;
	f->focus = index;
	return 0;
}

static void move_focus(struct tui_form *f, int delta)
{
	if (f->n == 0)
		return;
	f->focus = (f->focus + delta + f->n) % f->n;
	f->f[f->focus].search[0] = '\0';
}

enum tui_form_result tui_form_key(struct tui_form *f, const struct tui_key *k)
{
	switch (k->code) {
	case TUI_KEY_ESC:
		return TUI_FORM_CANCEL;
	case TUI_KEY_CTRL('s'):
	case KEY_F(10):
		return TUI_FORM_SUBMIT;
	case TUI_KEY_ENTER:
	case 13:
	case KEY_ENTER:
		if (f->focus == f->n - 1)
			return TUI_FORM_SUBMIT;
		move_focus(f, 1);
		return TUI_FORM_NONE;
	case TUI_KEY_TAB:
	case KEY_DOWN:
		move_focus(f, 1);
		return TUI_FORM_NONE;
	case KEY_BTAB:
	case KEY_UP:
		move_focus(f, -1);
		return TUI_FORM_NONE;
	}
	if (f->n)
		tui_field_key(&f->f[f->focus], k);
	return TUI_FORM_NONE;
}
