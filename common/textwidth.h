/*
 * Display width of UTF-8 text on a terminal, the same answer in the
 * command line's tables and the desk's grid: columns by Unicode's East
 * Asian Width and general category (utf8proc_charwidth), so combining
 * marks take none and CJK and most emoji take two. Independent of the
 * process's locale. A byte that does not start a valid UTF-8 sequence
 * and an ASCII control character take one column each (front ends print
 * them as one replacement or space).
 */
#ifndef CLUBCRM_TEXTWIDTH_H
#define CLUBCRM_TEXTWIDTH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The columns (0..2) of the character at `s` (not at its terminating 0);
 * *len gets its length in bytes (1 for an invalid byte).
 */
int textwidth_char(const char *s, size_t *len);
/*
 * Columns of `s` (NULL: 0). With `sgr`, ANSI "ESC [ ... final byte"
 * sequences (colours) take no columns.
 */
size_t textwidth(const char *s, bool sgr);

#endif
