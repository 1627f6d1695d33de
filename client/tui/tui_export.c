#include "tui_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client_api.h"
#include "customer_csv.h"
#include "idset.h"
#include "status.h"
#include "task_csv.h"
#include "textfold.h"
#include "timeutil.h"
#include "tui_app.h"

static const char *home(void)
{
	const char *h = getenv("HOME");
	return h && h[0] ? h : ".";
}

static void default_path(const char *what, int64_t now, char *out,
			 size_t size)
{
	char day[16];
	if (time_format_local(now, "%Y-%m-%d", day, sizeof(day)) == 0)
		snprintf(day, sizeof(day), "today");
	const char *h = home();
	snprintf(out, size, "%s%sclubcrm-%s-%s.csv", h,
		 h[strlen(h) - 1] == '/' ? "" : "/", what, day);
}

void tui_export_default_path(int64_t now, char *out, size_t size)
{
	default_path("tasks", now, out, size);
}

void tui_export_customers_path(int64_t now, char *out, size_t size)
{
	default_path("customers", now, out, size);
}

int tui_export_expand(const char *path, char *out, size_t size)
{
	if (!path || !path[0])
		return -EINVAL;
	int n = strncmp(path, "~/", 2) == 0
		? snprintf(out, size, "%s/%s", home(), path + 2)
		: snprintf(out, size, "%s", path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* What goes into the file: the task list's rows or the customers. */
struct export_body {
	const Clubcrm__TaskRow *const *rows;
	const Clubcrm__Customer *const *customers;
	Clubcrm__Operator *const *ops;
	size_t n, n_ops;
};

static int write_body(FILE *f, const struct export_body *b)
{
	if (b->customers) {
		customer_csv_head(f, true);
		for (size_t i = 0; i < b->n; i++)
			customer_csv_row(f, b->customers[i], b->ops, b->n_ops);
		return 0;
	}
	task_csv_head(f, true);
	int ret = 0;
	for (size_t i = 0; i < b->n && !ret; i++)
		ret = task_csv_row(f, b->rows[i]);
	return ret;
}

/* Writes everything into the open temporary file; 0 or a negative errno. */
static int write_file(int fd, const struct export_body *b)
{
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int ret = -errno;
		close(fd);
		return ret;
	}
	int ret = write_body(f, b);
	if (fflush(f) != 0 && !ret)
		ret = -errno;
	if (ferror(f) && !ret)
		ret = -EIO;
	if (fclose(f) != 0 && !ret)
		ret = -errno;
	return ret;
}

static int export_file(const char *path, const struct export_body *b,
		       bool overwrite)
{
	struct stat st;
	if (!overwrite && lstat(path, &st) == 0)
		return -EEXIST;
	char tmp[4096];
	int len = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (len < 0 || (size_t)len >= sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = mkstemp(tmp);  /* 0600 */
	if (fd < 0)
		return -errno;
	int ret = write_file(fd, b);
	/* Not replacing a file that came meanwhile, unless asked to. */
	if (!ret && !overwrite) {
		if (link(tmp, path) == 0)
			unlink(tmp);
		else if (errno == EEXIST)
			ret = -EEXIST;
		else if (rename(tmp, path) < 0)  /* no hard links there */
			ret = -errno;
	} else if (!ret && rename(tmp, path) < 0) {
		ret = -errno;
	}
	if (ret)
		unlink(tmp);
	return ret;
}

int tui_export_write(const char *path, const Clubcrm__TaskRow *const *rows,
		     size_t n, bool overwrite)
{
	struct export_body b = {.rows = rows, .n = n};
	return export_file(path, &b, overwrite);
}

int tui_export_write_customers(const char *path,
			       const Clubcrm__Customer *const *customers,
			       size_t n, Clubcrm__Operator *const *ops,
			       size_t n_ops, bool overwrite)
{
	static const Clubcrm__Customer *const none[1];
	struct export_body b = {.customers = customers ? customers : none,
				.n = n, .ops = ops, .n_ops = n_ops};
	return export_file(path, &b, overwrite);
}

/* ------------------------------------------------------------ customers */

/* A customer with its by-name key as the server's index has it
 * (index_name_key: the folded name, then the id). */
struct keyed_customer {
	const Clubcrm__Customer *c;
	unsigned char key[200];
	size_t len;
};

static int by_name_key(const void *pa, const void *pb)
{
	const struct keyed_customer *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int d = memcmp(a->key, b->key, n);
	if (d)
		return d;
	if (a->len != b->len)  /* the 0 after the name sorts first */
		return a->len < b->len ? -1 : 1;
	return a->c->id < b->c->id ? -1 : a->c->id > b->c->id;
}

const Clubcrm__Customer **tui_export_pick_customers(
	Clubcrm__Customer *const *all, size_t n_all, const struct idset *only,
	size_t *n)
{
	*n = 0;
	struct keyed_customer *k = malloc((n_all ? n_all : 1) * sizeof(*k));
	const Clubcrm__Customer **out = malloc((n_all ? n_all : 1) *
					       sizeof(*out));
	if (!k || !out) {
		free(k);
		free(out);
		return NULL;
	}
	size_t m = 0;
	for (size_t i = 0; i < n_all; i++) {
		const Clubcrm__Customer *c = all[i];
		if (!c || (c->has_active && !c->active) ||
		    (only && !idset_has(only, c->id)))
			continue;
		k[m].c = c;
		k[m].len = textfold_copy(c->name, k[m].key, sizeof(k[m].key));
		m++;
	}
	qsort(k, m, sizeof(*k), by_name_key);
	for (size_t i = 0; i < m; i++)
		out[i] = k[i].c;
	free(k);
	*n = m;
	return out;
}

/* ------------------------------------------------------------ the desk */

/* The form's File field as a path (~ expanded); < 0, said on the status
 * line, when it is empty or too long. Both exports' forms. */
static int form_path(struct tui_app *a, char *path, size_t size)
{
	struct tui_field *fl = tui_form_field(&a->form, "File");
	int ret = tui_export_expand(fl ? fl->text : "", path, size);
	if (ret == -EINVAL)
		tui_app_status(a, true, "give the file's name");
	else if (ret < 0)
		tui_app_status(a, true, "the file's name is too long");
	return ret < 0 ? ret : 0;
}

/* An existing file, kept until the save is repeated on the same name. */
static void said_exists(struct tui_app *a, const char *path)
{
	snprintf(a->export_confirm, sizeof(a->export_confirm), "%s", path);
	tui_app_status(a, true, "%s exists: save again to overwrite it, or "
		       "change the name", path);
}

void tui_export_submit(struct tui_app *a)
{
	char path[TUI_TEXT_MAX + 512];
	if (form_path(a, path, sizeof(path)) < 0)
		return;
	if (a->asof.on && a->asof.loading) {
		tui_app_status(a, true, "the past is still loading: export "
			       "it once it has come");
		return;
	}
	size_t n;
	const Clubcrm__TaskRow **rows = tui_desk_rows(a, &n);
	bool overwrite = !strcmp(a->export_confirm, path);
	int ret = tui_export_write(path, rows, n, overwrite);
	free(rows);
	if (ret == -EEXIST) {
		said_exists(a, path);
		return;
	}
	a->export_confirm[0] = '\0';
	if (ret < 0) {
		tui_app_status(a, true, "cannot write %s: %s", path,
			       strerror(-ret));
		return;
	}
	tui_forms_close(a);
	if (a->asof.on)
		tui_app_status(a, a->asof.incomplete,
			       "exported %zu %s as of revision %llu to %s%s",
			       n, n == 1 ? "row" : "rows",
			       (unsigned long long)a->asof.rev, path,
			       a->asof.incomplete ? " (incomplete: the list "
			       "on screen was not whole)" : "");
	else
		tui_app_status(a, false, "exported %zu %s to %s", n,
			       n == 1 ? "row" : "rows", path);
}

/* ------------------------------------------------------ the contacts */

/* A customer export under way: the tagged customers' ids gathered from
 * the tasks (and notes) having the tag, page by page, as `clubcrm customer
 * export --tag` gathers them; the file is written when the last page came. */
struct custexp_ticket {
	struct tui_app *a;
	unsigned seq;
	char path[TUI_TEXT_MAX + 512];
	char tag[TUI_TEXT_MAX];
	bool overwrite;
	Clubcrm__ListTasks q;
	Clubcrm__TaskFilter f;
	uint64_t tag_id;
	uint8_t *token;
	struct idset ids;
};

static void custexp_free(struct custexp_ticket *t)
{
	idset_free(&t->ids);
	free(t->token);
	free(t);
}

/* The export's end: the active customers (of `only` when not NULL) to the
 * file, or why not, in the status line. */
static void custexp_write(struct tui_app *a, const char *path,
			  const struct idset *only, const char *tag,
			  bool overwrite)
{
	const struct replica_catalog *cat = tui_cat(a);
	size_t n;
	const Clubcrm__Customer **cs = tui_export_pick_customers(
		cat ? cat->customers : NULL, cat ? cat->n_customers : 0, only,
		&n);
	if (!cs) {
		tui_app_status(a, true, "out of memory");
		return;
	}
	int ret = tui_export_write_customers(path, cs, n,
					     cat ? cat->operators : NULL,
					     cat ? cat->n_operators : 0,
					     overwrite);
	free(cs);
	if (ret == -EEXIST) {
		said_exists(a, path);
		return;
	}
	a->export_confirm[0] = '\0';
	if (ret < 0) {
		tui_app_status(a, true, "cannot write %s: %s", path,
			       strerror(-ret));
		return;
	}
	tui_forms_close(a);
	if (tag)
		tui_app_status(a, false, "exported %zu %s tagged %s "
			       "to %s", n, n == 1 ? "customer" : "customers",
			       tag, path);
	else
		tui_app_status(a, false, "exported %zu %s to %s", n,
			       n == 1 ? "customer" : "customers", path);
}

static void custexp_send(struct custexp_ticket *t);

static void custexp_page(const struct clubcrm_answer *ans, void *arg)
{
	struct custexp_ticket *t = arg;
	struct tui_app *a = t->a;
	if (a->closing || t->seq != a->custexp_seq ||
	    a->fkind != TUI_FK_CUSTOMERS_EXPORT) {
		custexp_free(t);  /* the form was left meanwhile */
		return;
	}
	a->dirty = true;
	if (ans->status != STATUS_OK) {
		a->custexp_busy = false;
		tui_app_status(a, true, "export: %s: %s",
			       status_name(ans->status), ans->message);
		custexp_free(t);
		return;
	}
	const Clubcrm__TaskPage *p = ans->task_page;
	for (size_t i = 0; i < p->n_rows; i++)
		if (p->rows[i] && p->rows[i]->task &&
		    idset_add(&t->ids, p->rows[i]->task->customer_id) < 0) {
			a->custexp_busy = false;
			tui_app_status(a, true, "out of memory");
			custexp_free(t);
			return;
		}
	if (p->has_next_page_token && p->next_page_token.len) {
		uint8_t *tok = malloc(p->next_page_token.len);
		if (!tok) {
			a->custexp_busy = false;
			tui_app_status(a, true, "out of memory");
			custexp_free(t);
			return;
		}
		memcpy(tok, p->next_page_token.data, p->next_page_token.len);
		free(t->token);
		t->token = tok;
		t->q.has_page_token = true;
		t->q.page_token = (ProtobufCBinaryData){p->next_page_token.len,
							tok};
		custexp_send(t);
		return;
	}
	a->custexp_busy = false;
	idset_sort(&t->ids);
	custexp_write(a, t->path, &t->ids, t->tag, t->overwrite);
	custexp_free(t);
}

static void custexp_send(struct custexp_ticket *t)
{
	struct tui_app *a = t->a;
	unsigned code = a->live ? clubcrm_tasks_list_async(a->live, &t->q,
							   custexp_page, t)
				: STATUS_UNAVAILABLE;
	if (code == STATUS_OK)
		return;
	a->custexp_busy = false;
	tui_app_status(a, true, "export: could not ask: %s",
		       status_name(code));
	custexp_free(t);
}

void tui_export_customers_submit(struct tui_app *a)
{
	if (a->custexp_busy) {
		tui_app_status(a, false, "the export is gathering the tagged "
			       "customers: wait, or Esc");
		return;
	}
	char path[TUI_TEXT_MAX + 512];
	if (form_path(a, path, sizeof(path)) < 0)
		return;
	/* The customers come from the catalogue: a half one is no export. */
	if (!a->cat || !live_sub_replica(a->cat)->synced) {
		tui_app_status(a, true, "the contacts are still loading: "
			       "export them once they have come");
		return;
	}
	bool overwrite = !strcmp(a->export_confirm, path);
	struct tui_field *tf = tui_form_field(&a->form, "Tag");
	uint64_t tag_id = tf ? tui_field_choice_id(tf) : 0;
	if (!tag_id) {
		custexp_write(a, path, NULL, NULL, overwrite);
		return;
	}
	/* Said before the tasks are read, said again after if it came. */
	struct stat st;
	if (!overwrite && lstat(path, &st) == 0) {
		said_exists(a, path);
		return;
	}
	struct custexp_ticket *t = calloc(1, sizeof(*t));
	if (!t) {
		tui_app_status(a, true, "out of memory");
		return;
	}
	t->a = a;
	t->seq = a->custexp_seq;
	t->overwrite = overwrite;
	snprintf(t->path, sizeof(t->path), "%s", path);
	snprintf(t->tag, sizeof(t->tag), "%s", tf->choices[tf->choice].name);
	t->tag_id = tag_id;
	clubcrm__list_tasks__init(&t->q);
	clubcrm__task_filter__init(&t->f);
	t->f.tag_ids = &t->tag_id;
	t->f.n_tag_ids = 1;
	t->q.filter = &t->f;
	t->q.has_page_size = true;
	t->q.page_size = TUI_ASOF_PAGE;
	a->custexp_busy = true;
	tui_app_status(a, false, "gathering the customers tagged %s...",
		       t->tag);
	custexp_send(t);
}
