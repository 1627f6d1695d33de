#include "tui_text.h"

#include <string.h>

#include "textfold.h"
#include "textwidth.h"

size_t tui_text_charlen(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
		 : (c & 0xf8) == 0xf0 ? 4 : 1;
	/* A truncated sequence counts as one byte, so the caller never runs
	 * past the terminating NUL. */
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

size_t tui_text_prev(const char *s, size_t pos)
{
	if (pos == 0)
		return 0;
	size_t p = pos - 1;
	while (p > 0 && ((unsigned char)s[p] & 0xc0) == 0x80 && pos - p < 4)
		p--;
	return p;
}

int tui_text_width(const char *s)
{
	return (int)textwidth(s, false);
}

size_t tui_text_fit(const char *s, int width, int pad, char *out, size_t size)
{
	size_t o = 0;
	int w = 0;
	if (size == 0)
		return 0;
	for (size_t i = 0; s && s[i];) {
		size_t n;
		int cw = textwidth_char(s + i, &n);
		if (w + cw > width || o + n >= size)
			break;
		/* Control characters from the wire would move the cursor. */
		if (n == 1 && (unsigned char)s[i] < 0x20)
			out[o] = ' ';
		else
			memcpy(out + o, s + i, n);
		o += n;
		w += cw;
		i += n;
	}
	while (pad && w < width && o + 1 < size) {
		out[o++] = ' ';
		w++;
	}
	out[o] = '\0';
	return o;
}

int tui_text_contains(const char *hay, const char *needle)
{
	if (!needle || !*needle)
		return 1;
	return hay && textfold_contains(hay, needle);
}
