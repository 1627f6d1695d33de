#include "ledger.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ledger_add(struct ledger *l, uint32_t client, size_t *index)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct ledger_write *w = realloc(l->w, cap * sizeof(*w));
		if (!w)
			return -ENOMEM;
		l->w = w;
		l->cap = cap;
	}
	memset(&l->w[l->n], 0, sizeof(l->w[l->n]));
	l->w[l->n].client = client;
	l->w[l->n].state = LEDGER_SENT;
	*index = l->n++;
	return 0;
}

size_t ledger_key(const struct ledger *l, size_t i, char *out)
{
	int n = snprintf(out, LEDGER_KEY_MAX, "crash-%08x-%zu", l->seed, i);
	return n < 0 ? 0 : (size_t)n;
}

size_t ledger_count(const struct ledger *l, enum ledger_state s)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->w[i].state == s;
	return n;
}

void ledger_free(struct ledger *l)
{
	free(l->w);
	memset(l, 0, sizeof(*l));
}
