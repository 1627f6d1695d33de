/*
 * The form widget: a column of labelled fields (free text, hidden text, a pick list,
 * a set of check boxes) with a focus, edited by key events. Pure logic, no
 * curses: tui_draw.c paints them, the app builds and submits them. Nothing
 * typed is lost when the server refuses a submission: the form stays as is.
 */
#ifndef CLUBCRM_TUI_WIDGET_FORM_H
#define CLUBCRM_TUI_WIDGET_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key event: `code` is a curses KEY_* or an ASCII control code, or 0 for
 * typed text in `text` (one UTF-8 character). */
struct tui_key {
	int code;
	char text[8];
};

#define TUI_KEY_TAB 9
#define TUI_KEY_ENTER 10
#define TUI_KEY_ESC 27
#define TUI_KEY_CTRL(c) ((c) & 0x1f)

enum tui_field_kind {
	TUI_FIELD_TEXT,
	TUI_FIELD_SECRET,  /* shown as stars */
	TUI_FIELD_CHOICE,  /* one of the choices; typing searches them */
	TUI_FIELD_CHECKS,  /* any of the choices; space toggles */
};

#define TUI_NAME_MAX 96
struct tui_choice {
	uint64_t id;
	char name[TUI_NAME_MAX];
	bool on;  /* CHECKS */
};

#define TUI_TEXT_MAX 512
#define TUI_SEARCH_MAX 64
struct tui_field {
	char label[32];
	enum tui_field_kind kind;
	char text[TUI_TEXT_MAX];
	size_t pos;  /* byte offset of the text cursor */
	struct tui_choice *choices;
	size_t n_choices;
	size_t choice;  /* CHOICE: the chosen one; CHECKS: the highlighted one */
	char search[TUI_SEARCH_MAX];
	bool readonly;
};

#define TUI_FORM_FIELDS 14
struct tui_form {
	char title[96];
	struct tui_field f[TUI_FORM_FIELDS];
	int n;
	int focus;
};

enum tui_form_result {
	TUI_FORM_NONE,    /* the key was handled (or ignored) */
	TUI_FORM_SUBMIT,  /* Enter on the last field, or Ctrl-S / F10 */
	TUI_FORM_CANCEL,  /* Esc */
};

void tui_form_init(struct tui_form *f, const char *title);
void tui_form_free(struct tui_form *f);
/* Adds a field; NULL when the form is full. */
struct tui_field *tui_form_add(struct tui_form *f, const char *label,
			       enum tui_field_kind kind);
/* The field with that label, or NULL. */
struct tui_field *tui_form_field(struct tui_form *f, const char *label);
enum tui_form_result tui_form_key(struct tui_form *f, const struct tui_key *k);
/* Focuses the field at `index` (a mouse click); -ENOENT when out of range. */
int tui_form_focus(struct tui_form *f, int index);

void tui_field_set_text(struct tui_field *fl, const char *text);
/* Appends a choice. 0 or -ENOMEM. */
int tui_field_add_choice(struct tui_field *fl, uint64_t id, const char *name);
/* Chooses (CHOICE) or checks (CHECKS) the choice with that id. 0/-ENOENT. */
int tui_field_choose(struct tui_field *fl, uint64_t id);
/* CHOICE: the chosen id (0 when there are no choices). */
uint64_t tui_field_choice_id(const struct tui_field *fl);
/* CHECKS: the ids of the checked choices, at most `max`; their count. */
size_t tui_field_checked(const struct tui_field *fl, uint64_t *ids, size_t max);
/* Handles one key for a single field; true when it used the key. */
bool tui_field_key(struct tui_field *fl, const struct tui_key *k);

#endif
