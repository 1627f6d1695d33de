#include "idset.h"

#include <errno.h>
#include <stdlib.h>

int idset_add(struct idset *s, uint64_t id)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		if (cap > SIZE_MAX / sizeof(*s->ids))
			return -ENOMEM;
		uint64_t *ids = realloc(s->ids, cap * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		s->ids = ids;
		s->cap = cap;
	}
	s->ids[s->n++] = id;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void idset_sort(struct idset *s)
{
	if (!s->n)
		return;
	qsort(s->ids, s->n, sizeof(*s->ids), cmp_u64);
	size_t w = 1;
	for (size_t i = 1; i < s->n; i++)
		if (s->ids[i] != s->ids[w - 1])
			s->ids[w++] = s->ids[i];
	s->n = w;
}

bool idset_has(const struct idset *s, uint64_t id)
{
	return s->n && bsearch(&id, s->ids, s->n, sizeof(id), cmp_u64);
}

void idset_free(struct idset *s)
{
	free(s->ids);
	*s = (struct idset){0};
}
