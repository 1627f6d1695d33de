#include "tui_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "task_csv.h"
#include "timeutil.h"
#include "tui_app.h"

static const char *home(void)
{
	const char *h = getenv("HOME");
	return h && h[0] ? h : ".";
}

void tui_export_default_path(int64_t now, char *out, size_t size)
{
	char day[16];
	if (time_format_local(now, "%Y-%m-%d", day, sizeof(day)) == 0)
		snprintf(day, sizeof(day), "today");
	const char *h = home();
	snprintf(out, size, "%s%sclubcrm-tasks-%s.csv", h,
		 h[strlen(h) - 1] == '/' ? "" : "/", day);
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

/* Writes everything into the open temporary file; 0 or a negative errno. */
static int write_rows(int fd, const Clubcrm__TaskRow *const *rows, size_t n)
{
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int ret = -errno;
		close(fd);
		return ret;
	}
	task_csv_head(f, true);
	int ret = 0;
	for (size_t i = 0; i < n && !ret; i++)
		ret = task_csv_row(f, rows[i]);
	if (fflush(f) != 0 && !ret)
		ret = -errno;
	if (ferror(f) && !ret)
		ret = -EIO;
	if (fclose(f) != 0 && !ret)
		ret = -errno;
	return ret;
}

int tui_export_write(const char *path, const Clubcrm__TaskRow *const *rows,
		     size_t n, bool overwrite)
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
	int ret = write_rows(fd, rows, n);
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

/* ------------------------------------------------------------ the desk */

void tui_export_submit(struct tui_app *a)
{
	struct tui_field *fl = tui_form_field(&a->form, "File");
	char path[TUI_TEXT_MAX + 512];
	int ret = tui_export_expand(fl ? fl->text : "", path, sizeof(path));
	if (ret == -EINVAL) {
		tui_app_status(a, true, "give the file's name");
		return;
	}
	if (ret < 0) {
		tui_app_status(a, true, "the file's name is too long");
		return;
	}
	if (a->asof.on && a->asof.loading) {
		tui_app_status(a, true, "the past is still loading: export "
			       "it once it has come");
		return;
	}
	size_t n;
	const Clubcrm__TaskRow **rows = tui_desk_rows(a, &n);
	bool overwrite = !strcmp(a->export_confirm, path);
	ret = tui_export_write(path, rows, n, overwrite);
	free(rows);
	if (ret == -EEXIST) {
		snprintf(a->export_confirm, sizeof(a->export_confirm), "%s",
			 path);
		tui_app_status(a, true, "%s exists: save again to overwrite "
			       "it, or change the name", path);
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
			       "exported %zu rows as of revision %llu to %s%s",
			       n, (unsigned long long)a->asof.rev, path,
			       a->asof.incomplete ? " (incomplete: the list "
			       "on screen was not whole)" : "");
	else
		tui_app_status(a, false, "exported %zu rows to %s", n, path);
}
