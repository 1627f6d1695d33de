#include "textwidth.h"

#include <utf8proc.h>

int textwidth_char(const char *s, size_t *len)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n =
		utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
	if (n <= 0 || cp < 0x20 || cp == 0x7f) {
		*len = 1;
		return 1;
	}
	*len = (size_t)n;
	int w = utf8proc_charwidth(cp);
	return w < 0 ? 0 : w > 2 ? 2 : w;
}

size_t textwidth(const char *s, bool sgr)
{
	size_t w = 0;
	while (s && *s) {
		if (sgr && s[0] == '\033' && s[1] == '[') {
			s += 2;
			while (*s && (*s < 0x40 || *s > 0x7e))
				s++;
			if (*s)
				s++;
			continue;
		}
		size_t n;
		w += (size_t)textwidth_char(s, &n);
		s += n;
	}
	return w;
}
