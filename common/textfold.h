/*
 * Text comparison for searches and name order: case-insensitive and
 * accent-insensitive in every script, by Unicode's rules (utf8proc):
 * "inaki" finds "Iñaki", "LUCIA" finds "Lucía", "strasse" finds "Straße",
 * "ΑΘΗΝΑ" finds "Αθήνα", "ЕЛЕНА" finds "Елена".
 *
 * A folded string is the input case-folded (UTF8PROC_CASEFOLD: full case
 * folding, so "ß" is "ss"), canonically decomposed (UTF8PROC_DECOMPOSE) and
 * stripped of its combining marks (UTF8PROC_STRIPMARK: accents, but also
 * the vowel signs of Indic scripts). It stays decomposed (not recomposed):
 * folding then works one character at a time, without allocating, so an
 * index key is built in place; Hangul syllables fold to their jamo, which
 * keeps their order. A byte that does not start a valid UTF-8 sequence
 * folds to U+FFFD, so hostile input folds too, and never to a 0 byte.
 *
 * The folded bytes order the by_customer_name index keys on disk: a change
 * here changes those keys, and needs a schema bump and a migration
 * (server/store/migrate.c).
 */
#ifndef CLUBCRM_TEXTFOLD_H
#define CLUBCRM_TEXTFOLD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Folds the 0-terminated `in` into a new 0-terminated string (free() it);
 * NULL when out of memory. NULL `in` folds as "".
 */
char *textfold_dup(const char *in);
/* Whether `needle` occurs in `hay` once both are folded ("" always does);
 * false when out of memory. */
bool textfold_contains(const char *hay, const char *needle);
/* Whether `a` and `b` fold to the same text (false for NULL). */
bool textfold_equal(const char *a, const char *b);
/*
 * Folds `in` into `out`: at most `max` bytes, cut at a character boundary,
 * no terminator. The length; 0 for NULL `in`.
 */
size_t textfold_copy(const char *in, unsigned char *out, size_t max);

#endif
