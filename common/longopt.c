#include "longopt.h"

#include <errno.h>
#include <string.h>

int longopt_take(int argc, char **argv, int *i, longopt_find_fn find,
		 void *ctx, struct longopt_hit *hit)
{
	const char *arg = argv[*i] + 2;
	const char *eq = strchr(arg, '=');
	hit->name = arg;
	hit->len = eq ? (size_t)(eq - arg) : strlen(arg);
	hit->value = eq ? eq + 1 : NULL;
	int kind = find(ctx, arg, hit->len);
	if (kind < 0)
		return -ENOENT;
	if (kind == LONGOPT_NONE && eq)
		return -E2BIG;
	if (kind != LONGOPT_REQUIRED || eq)
		return 0;
	if (*i + 1 >= argc)
		return -ENODATA;
	hit->value = argv[++*i];
	return 0;
}
