#include "textfold.h"

/* U+00C0..U+00FF (UTF-8 C3 80..C3 BF) to their base letters; '*' keeps the
 * character as it is (×, ÷, Þ, þ, ß). */
static const char latin1[65] =
	"aaaaaaaceeeeiiiidnooooo*ouuuuy**"
	"aaaaaaaceeeeiiiidnooooo*ouuuuy*y";

unsigned char textfold_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	if (!*p)
		return 0;
	if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf &&
	    latin1[p[1] - 0x80] != '*') {
		*s += 2;
		return (unsigned char)latin1[p[1] - 0x80];
	}
	*s += 1;
	return (p[0] >= 'A' && p[0] <= 'Z') ? (unsigned char)(p[0] - 'A' + 'a')
					    : p[0];
}

static bool folded_prefix(const char *hay, const char *needle)
{
	for (;;) {
		unsigned char n = textfold_next(&needle);
		if (!n)
			return true;
		if (textfold_next(&hay) != n)
			return false;
	}
}

bool textfold_contains(const char *hay, const char *needle)
{
	if (!needle || !*needle)
		return true;
	if (!hay)
		return false;
	/* Starts at every byte: a match cannot start inside a folded pair
	 * because continuation bytes never fold to ASCII. */
	for (const char *h = hay; *h; h++)
		if (folded_prefix(h, needle))
			return true;
	return false;
}

size_t textfold_copy(const char *in, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned char c;
	while (in && n < max && (c = textfold_next(&in)))
		out[n++] = c;
	return n;
}
