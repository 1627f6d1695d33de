/*
 * Text comparison for searches and name order, as a Spanish reception desk
 * expects: case-insensitive and accent-insensitive for Latin letters
 * ("inaki" finds "Iñaki", "LUCIA" finds "Lucía"). Other characters compare
 * byte by byte.
 */
#ifndef CLUBCRM_TEXTFOLD_H
#define CLUBCRM_TEXTFOLD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The next folded byte of *s, advancing *s past what it consumed (a whole
 * accented letter, or one byte); 0 at the end of the string.
 */
unsigned char textfold_next(const char **s);
/* Whether `needle` occurs in `hay` once both are folded ("" always does). */
bool textfold_contains(const char *hay, const char *needle);
/* Folds `in` into `out` (at most `max` bytes, no terminator); the length. */
size_t textfold_copy(const char *in, unsigned char *out, size_t max);

#endif
