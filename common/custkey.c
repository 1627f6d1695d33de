#include "custkey.h"

#include <string.h>

#include "textfold.h"

static const char *trim(const char *s, size_t *n)
{
	while (*s == ' ' || *s == '\t')
		s++;
	*n = strlen(s);
	while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	return s;
}

size_t custkey_email(const char *email, char out[CUSTKEY_MAX])
{
	if (!email)
		return 0;
	size_t n;
	email = trim(email, &n);
	if (!n || n + 2 > CUSTKEY_MAX)
		return 0;
	out[0] = 'e';
	for (size_t i = 0; i < n; i++) {
		char c = email[i];
		out[i + 1] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[n + 1] = '\0';
	return n + 1;
}

size_t custkey_phone(const char *phone, char out[CUSTKEY_MAX])
{
	size_t n = 1;
	for (const char *p = phone; p && *p; p++) {
		if (*p < '0' || *p > '9')
			continue;
		if (n + 1 >= CUSTKEY_MAX)
			return 0;
		out[n++] = *p;
	}
	if (n == 1)
		return 0;
	out[0] = 'p';
	out[n] = '\0';
	return n;
}

size_t custkey_name(const char *name, char out[CUSTKEY_MAX])
{
	if (!name)
		return 0;
	size_t n;
	name = trim(name, &n);
	if (!n)
		return 0;
	/* Folded text is at most this long here; a longer name is cut at a
	 * character boundary, which still tells names apart well enough. */
	size_t len = textfold_copy(name, (unsigned char *)out + 1,
				   CUSTKEY_MAX - 2);
	/* textfold_copy reads to the terminator: the trailing blanks fold
	 * too; drop them. */
	while (len && out[len] == ' ')
		len--;
	if (!len)
		return 0;
	out[0] = 'n';
	out[len + 1] = '\0';
	return len + 1;
}
