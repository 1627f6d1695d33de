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
bool text_is_valid(const char *s);
/* Characters (code points) of valid UTF-8 text. */
size_t text_chars(const char *s);
/* Trimmed copy in the arena (NULL for NULL). */
char *text_trim(struct arena *a, const char *s);

#endif
