/*
 * Long options, one reading for clubcrmd and the clubcrm command line:
 * "--name VALUE", "--name=VALUE" and "--name" alone for an option that
 * takes no value. Names match exactly (no abbreviations, unlike
 * getopt_long). The caller keeps its own option table and messages: it
 * tells what a name is through a lookup function.
 */
#ifndef CLUBCRM_LONGOPT_H
#define CLUBCRM_LONGOPT_H

#include <stddef.h>

enum longopt_arg {
	LONGOPT_NONE,      /* "--name" only */
	LONGOPT_REQUIRED,  /* "--name VALUE" or "--name=VALUE" */
	LONGOPT_OPTIONAL,  /* "--name" or "--name=VALUE", never the next word */
};

/*
 * Whether the `len` bytes at `name` (not 0-terminated) name an option:
 * its enum longopt_arg, or -1 when there is none so called. `ctx` is the
 * caller's, e.g. to remember which option it found.
 */
typedef int (*longopt_find_fn)(void *ctx, const char *name, size_t len);

struct longopt_hit {
	const char *name;  /* after "--", not 0-terminated */
	size_t len;
	const char *value; /* NULL when none was given */
};

/*
 * Takes the option at argv[*i], which starts with "--", advancing *i past
 * a value in the next word. 0; -ENOENT for a name `find` does not know,
 * -E2BIG for a value given to an option that takes none, -ENODATA for a
 * required value missing. hit->name and len are set in every case.
 */
int longopt_take(int argc, char **argv, int *i, longopt_find_fn find,
		 void *ctx, struct longopt_hit *hit);

#endif
