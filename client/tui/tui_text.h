/*
 * UTF-8 text on a terminal grid: display widths and cutting a string to a
 * number of columns. Names here are Spanish (Fermín, Iñaki), so byte counts
 * are not columns. Pure functions, no curses.
 */
#ifndef CLUBCRM_TUI_TEXT_H
#define CLUBCRM_TUI_TEXT_H

#include <stddef.h>

/* Columns `s` takes (invalid bytes count one column each). */
int tui_text_width(const char *s);

/*
 * Copies the longest prefix of `s` that fits in `width` columns into `out`
 * (NUL-terminated, never more than size - 1 bytes), padded with spaces to
 * exactly `width` columns when `pad` is set. Returns the bytes written.
 */
size_t tui_text_fit(const char *s, int width, int pad, char *out, size_t size);

/* Byte length of the UTF-8 character starting at s (1 for invalid bytes). */
size_t tui_text_charlen(const char *s);

/* Byte offset of the character before offset `pos` in `s`. */
size_t tui_text_prev(const char *s, size_t pos);

/* Substring test ignoring case and accents ("lucia" finds "Lucía"). */
int tui_text_contains(const char *hay, const char *needle);

#endif
