/* Checks on hostile text and its trimming, for the domain's requests. */
#ifndef CLUBCRM_TEXT_H
#define CLUBCRM_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* Valid UTF-8 (strict: no overlongs, no surrogates), no control
 * characters but \n \t. */
enum text_fault { TEXT_OK, TEXT_CONTROL, TEXT_NOT_UTF8 };
enum text_fault text_fault(const char *s);
/* Whether `n` bytes hold a control character of any kind: C0 (tab and
 * newline included), DEL, or C1 in UTF-8. The rule for logins and
 * passwords, which nobody types such characters into. */
bool text_has_control(const void *s, size_t n);
bool text_is_valid(const char *s);
/* Characters (code points) of valid UTF-8 text. */
size_t text_chars(const char *s);
/* Trimmed copy in the arena (NULL for NULL). */
char *text_trim(struct arena *a, const char *s);

#endif
