#include "verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frame.h"
#include "service.h"
#include "status.h"
#include "store.h"

/* The same map size as `clubcrmd check`: LMDB takes the larger of this and
 * the size the server grew the file to. */
#define VERIFY_MAP_SIZE (64u << 20)

/* GetTask as the server itself would serve it (admin, operator 0). */
static int get_task(struct store *st, uint64_t id, Clubcrm__Frame **out)
{
	Clubcrm__GetTask get = CLUBCRM__GET_TASK__INIT;
	get.has_id = true;
	get.id = id;
	Clubcrm__Frame req = CLUBCRM__FRAME__INIT;
	req.has_request_id = true;
	req.request_id = 1;
	req.body_case = CLUBCRM__FRAME__BODY_GET_TASK;
	req.get_task = &get;
	struct actor who = {.role = CLUBCRM__ROLE__ROLE_ADMIN, .system = true};
	struct arena a;
	arena_init(&a);
	struct buf b = { 0 };
	*out = NULL;
	Clubcrm__Frame *reply;
	int ret = service_read(st, &who, &req, &a, &reply);
	/* A copy that outlives the arena, as a client would decode it. */
	if (ret == 0 && frame_encode(reply, &b) == 0)
		*out = frame_decode(b.data + FRAME_HEADER_LEN,
				    b.len - FRAME_HEADER_LEN, NULL);
	arena_free(&a);
	buf_free(&b);
	if (ret == 0 && !*out)
		ret = -EIO;
	return ret;
}

/* One acknowledged create: present, and created at its revision. */
static int check_write(struct store *st, const struct ledger *l, size_t i,
		       struct verify_stats *out)
{
	const struct ledger_write *w = &l->w[i];
	Clubcrm__Frame *f;
	int ret = get_task(st, w->id, &f);
	if (ret < 0)
		return ret;
	const Clubcrm__Task *t = NULL;
	if (f->body_case == CLUBCRM__FRAME__BODY_TASK_REPLY &&
	    f->task_reply->row)
		t = f->task_reply->row->task;
	bool intact = t && t->id == w->id && t->create_rev == w->revision &&
		      t->mod_rev >= w->revision &&
		      w->revision <= out->res.revision;
	if (intact) {
		out->checked++;
	} else {
		out->lost++;
		fprintf(stderr, "crash: acknowledged create %zu (task %llu, "
			"revision %llu) %s\n", i,
			(unsigned long long)w->id,
			(unsigned long long)w->revision,
			t ? "changed" : "is missing");
	}
	clubcrm__frame__free_unpacked(f, NULL);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorted copies of the acknowledged ids and revisions: each appears once. */
static int check_unique(const struct ledger *l, struct verify_stats *out)
{
	size_t n = 0;
	uint64_t *ids = malloc((l->n + 1) * sizeof(*ids));
	uint64_t *revs = malloc((l->n + 1) * sizeof(*revs));
	if (!ids || !revs) {
		free(ids);
		free(revs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (l->w[i].state != LEDGER_ACKED)
			continue;
		ids[n] = l->w[i].id;
		revs[n++] = l->w[i].revision;
	}
	qsort(ids, n, sizeof(*ids), cmp_u64);
	qsort(revs, n, sizeof(*revs), cmp_u64);
	for (size_t i = 1; i < n; i++) {
		if (ids[i] == ids[i - 1]) {
			fprintf(stderr, "crash: two keys acknowledged as task "
				"%llu\n", (unsigned long long)ids[i]);
			out->problems++;
		}
		if (revs[i] == revs[i - 1]) {
			fprintf(stderr, "crash: two creates acknowledged at "
				"revision %llu\n", (unsigned long long)revs[i]);
			out->problems++;
		}
	}
	free(ids);
	free(revs);
	return 0;
}

int verify_store(const char *data_dir, const struct ledger *l,
		 struct verify_stats *out)
{
	memset(out, 0, sizeof(*out));
	struct store *st = NULL;
	/* As `clubcrmd check` opens it: the journal verified as the kill
	 * left it, then replayed. */
	struct store_tool_view view;
	int ret = store_open_tool(data_dir, VERIFY_MAP_SIZE, &st, &view);
	if (ret < 0)
		return ret;
	ret = check_store(st, stderr, &out->res);
	if (ret < 0)
		goto done;
	/* A torn tail is what a kill leaves; anything else in the journal is
	 * a problem, told with its line (quiet otherwise: a line a kill). */
	struct check_result jres = {0};
	check_journal(&view, NULL, &jres);
	if (jres.problems)
		check_journal(&view, stderr, &out->res);
	out->problems = out->res.problems;
	for (size_t i = 0; i < l->n && ret == 0; i++)
		if (l->w[i].state == LEDGER_ACKED)
			ret = check_write(st, l, i, out);
	if (ret == 0)
		ret = check_unique(l, out);
done:
	store_close(st);
	return ret;
}
