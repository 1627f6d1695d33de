#include "textfold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define FOLD_OPTIONS                                                      \
	(UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK)
/* Code points one character folds to, at most (utf8proc's longest full
 * decomposition with case folding is far shorter). */
#define FOLD_CP_MAX 32
/* UTF-8 bytes of one folded character, at most. */
#define FOLD_CHAR_MAX (FOLD_CP_MAX * 4)

/*
 * Folds the character at *s into `out` (FOLD_CHAR_MAX bytes), advancing *s
 * past it; the number of bytes written (0 for a stripped mark).
 */
static size_t fold_char(const char **s, uint8_t *out)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)*s;
	utf8proc_int32_t cp, dst[FOLD_CP_MAX];
	utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
	if (k <= 0) {
		k = 1;
		cp = 0xfffd;
	}
	*s += k;
	int bound = 0;
	utf8proc_ssize_t n = utf8proc_decompose_char(cp, dst, FOLD_CP_MAX,
						     FOLD_OPTIONS, &bound);
	if (n < 0 || n > FOLD_CP_MAX) {
		dst[0] = cp;
		n = 1;
	}
	size_t len = 0;
	for (utf8proc_ssize_t i = 0; i < n; i++)
		len += (size_t)utf8proc_encode_char(dst[i], out + len);
	return len;
}

/* Folds *in into `out` (NULL: only counts), at most `max` bytes, cut at a
 * character boundary, advancing *in past what it folded; the length. */
static size_t fold(const char **in, uint8_t *out, size_t max)
{
	uint8_t c[FOLD_CHAR_MAX];
	size_t n = 0;
	while (*in && **in) {
		const char *at = *in;
		size_t k = fold_char(in, c);
		if (k > max - n) {
			*in = at;
			break;
		}
		if (out)
			memcpy(out + n, c, k);
		n += k;
	}
	return n;
}

char *textfold_dup(const char *in)
{
	const char *p = in;
	size_t n = fold(&p, NULL, SIZE_MAX - 1);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	p = in;
	fold(&p, (uint8_t *)out, n);
	out[n] = 0;
	return out;
}

/* Short text folds into the caller's `stack` buffer, longer text into a
 * new one: searches run on every row of a listing. NULL when out of
 * memory; release with tmp_free(). */
static char *tmp_fold(const char *in, char *stack, size_t size)
{
	const char *p = in;
	size_t n = fold(&p, (uint8_t *)stack, size - 1);
	if (*p)
		return textfold_dup(in);
	stack[n] = 0;
	return stack;
}

static void tmp_free(char *s, const char *stack)
{
	if (s != stack)
		free(s);
}

bool textfold_contains(const char *hay, const char *needle)
{
	if (!needle || !*needle)
		return true;
	if (!hay)
		return false;
	char hs[512], ns[128];
	char *h = tmp_fold(hay, hs, sizeof(hs));
	char *n = tmp_fold(needle, ns, sizeof(ns));
	/* Folded text is valid UTF-8: a match never starts inside a
	 * character. */
	bool found = h && n && strstr(h, n);
	tmp_free(h, hs);
	tmp_free(n, ns);
	return found;
}

bool textfold_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	char as[256], bs[256];
	char *fa = tmp_fold(a, as, sizeof(as));
	char *fb = tmp_fold(b, bs, sizeof(bs));
	bool same = fa && fb && !strcmp(fa, fb);
	tmp_free(fa, as);
	tmp_free(fb, bs);
	return same;
}

size_t textfold_copy(const char *in, unsigned char *out, size_t max)
{
	return fold(&in, out, max);
}
