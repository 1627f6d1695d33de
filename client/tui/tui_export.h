/*
 * The desk's exports. E on a task list: the task list on screen (all tasks with the
 * filter bar, urgent, in preparation, overdue, a customer's profile; live,
 * or as it stood with h) written to a CSV file in the form of `clubcrm
 * task export --bom` (task_csv.h: the same columns, quoting and times, by
 * the same code), in the list's order. The file's name is asked, with a
 * default in the home directory; a file that exists is overwritten only
 * when the save is confirmed (Ctrl-S or Enter again on the same name).
 * E in Contacts: the customers as `clubcrm customer export --bom [--tag T]`
 * writes them (customer_csv.h), every active one or those having the tag
 * on a task or note, in the server's order (by name), to a file named and
 * written by the same rules.
 */
#ifndef CLUBCRM_TUI_EXPORT_H
#define CLUBCRM_TUI_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"

struct idset;

/* "$HOME/clubcrm-tasks-2026-12-07.csv" (the club's day of `now`, as the
 * browser desk names its download); in the working directory without
 * HOME. */
void tui_export_default_path(int64_t now, char *out, size_t size);

/* "$HOME/clubcrm-customers-2026-12-07.csv", likewise. */
void tui_export_customers_path(int64_t now, char *out, size_t size);

/* `path` with a leading "~/" made the home directory. 0, -EINVAL for an
 * empty path, -ENAMETOOLONG when it does not fit. */
int tui_export_expand(const char *path, char *out, size_t size);

/*
 * Writes the header and the n rows to `path`, through a temporary file
 * beside it renamed over it at the end: a failed export leaves neither a
 * half file nor half of an earlier one. The file is readable by its owner
 * only (0600: customers' data). 0; -EEXIST when `path` exists and not
 * `overwrite` (nothing written); or a negative errno.
 */
int tui_export_write(const char *path, const Clubcrm__TaskRow *const *rows,
		     size_t n, bool overwrite);

/* The same for customers: their header and records, the consultants looked
 * up among the n_ops operators. */
int tui_export_write_customers(const char *path,
			       const Clubcrm__Customer *const *customers,
			       size_t n, Clubcrm__Operator *const *ops,
			       size_t n_ops, bool overwrite);

/*
 * The customers `customer export` lists, out of the catalog's n_all: the
 * active ones (an entry without the flag counts as active), only those in
 * `only` (a sorted idset) when it is not NULL, in the server's order (the
 * by-name index: the folded name, then the id). A malloc'd array of *n,
 * or NULL when out of memory.
 */
const Clubcrm__Customer **tui_export_pick_customers(
	Clubcrm__Customer *const *all, size_t n_all, const struct idset *only,
	size_t *n);

#endif
