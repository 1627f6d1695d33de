/*
 * Snapshots of views bounded by an index (issue 15): after its first chunk
 * a planned or created window, a customer, the agenda or the overdue view
 * reads its index in batches and their tasks in id order
 * (views_snapshot.c). These tests hold it to the rows the walk entry by
 * entry gave: the same rows in the index's order, none twice, index
 * entries without record skipped, a damaged index key an error, wherever
 * in the window and in a batch they are, with ids close together and far
 * apart, in small chunks (small batches) and full ones.
 */
#include "views_fixture.h"

#include "index.h"
#include "txn.h"

#include <malloc.h>
#if defined(__SANITIZE_ADDRESS__)
/* ASan's (its header is not installed everywhere). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

/* Tasks of the club: some far apart in id inside the windows, a dense run,
 * a sparse stretch, and many outside. */
enum { N = 3000 };
#define WIN_FROM (FX_NOW - 43200)
#define WIN_TO (FX_NOW + 43200)

struct sfx {
	struct vfx v;
	uint64_t ids[N];
	Clubcrm__TaskRow *rows[N];  /* as created (before any damage) */
};

static bool in_window(size_t k)
{
	return k % 97 == 0 || (k >= 1000 && k < 1800) ||
	       (k >= 2000 && k % 3 == 0);
}

static int64_t planned_of(size_t k)
{
	int64_t spread = (int64_t)(k * 7919 % 86400);
	if (in_window(k))
		return WIN_FROM + spread;  /* not in id order */
	return k % 2 ? WIN_TO + spread : WIN_FROM - 86400 + spread;
}

static void create_all(struct sfx *x)
{
	enum { BATCH = 100 };
	struct vfx *v = &x->v;
	char desc[BATCH][64];
	for (size_t done = 0; done < N; done += BATCH) {
		struct service_write_op ops[BATCH];
		Clubcrm__Frame reqs[BATCH];
		Clubcrm__CreateTask cts[BATCH];
		for (size_t i = 0; i < BATCH; i++) {
			size_t k = done + i;
			snprintf(desc[i], sizeof(desc[i]), "Task %zu%s", k,
				 k % 4 ? "" : ": about the renewal");
			cts[i] = fx_new_task(&v->c, desc[i], planned_of(k));
			cts[i].type_id = k % 3 ? v->c.call : v->c.urgent;
			cts[i].customer_id = k % 5 ? v->c.arantxa : v->c.manolo;
			reqs[i] = (Clubcrm__Frame)CLUBCRM__FRAME__INIT;
			reqs[i].has_request_id = 1;
			reqs[i].request_id = k + 1;
			reqs[i].body_case = BODY(CREATE_TASK);
			reqs[i].create_task = &cts[i];
			ops[i] = (struct service_write_op){
				.who = fx_actor(v->c.ana, 1), .req = &reqs[i]};
		}
		assert_int_equal(service_write_batch(v->fx->st, ops, BATCH), 0);
		for (size_t i = 0; i < BATCH; i++) {
			Clubcrm__Frame *r = ops[i].reply;
			assert_int_equal(r->body_case, BODY(TASK_REPLY));
			x->ids[done + i] = r->task_reply->row->task->id;
			service_write_op_free(&ops[i]);
		}
	}
	/* Some taken, so that a filter on the state has work. */
	struct buf ch = {0};
	for (size_t k = 0; k < N; k += 13) {
		take_keep(v, x->ids[k], v->c.bea, &ch);
		buf_free(&ch);
	}
	for (size_t k = 0; k < N; k++)
		x->rows[k] = fx_get(v->fx, x->ids[k], 0, NULL);
}

static int setup_club(void **state)
{
	struct sfx *x = calloc(1, sizeof(*x));
	x->v.fx = fx_open(64u << 20);
	fx_club(x->v.fx, &x->v.c);
	x->v.memo = views_memo_new();
	assert_non_null(x->v.memo);
	create_all(x);
	*state = x;
	return 0;
}

static int teardown_club(void **state)
{
	struct sfx *x = *state;
	fx_close(x->v.fx);
	views_memo_free(x->v.memo);
	free(x);
	return 0;
}

/* The index a view walks, as views_snapshot.c plans it. */
enum order { BY_PLANNED, BY_CREATED, BY_CUSTOMER };

/* A row's key in that index: the order the snapshot must keep. */
static void index_key(enum order o, const Clubcrm__Task *t, uint8_t k[24])
{
	struct index_task_keys tk = {
		.planned_at = t->planned_at, .created_at = t->created_at,
		.id = t->id, .customer_id = t->customer_id,
		.operator_id = t->operator_id};
	struct index_task_entries e;
	index_task_entries(&tk, &e);
	memset(k, 0, 24);
	if (o == BY_PLANNED)
		memcpy(k, e.planned, 16);
	else if (o == BY_CREATED)
		memcpy(k, e.created, 16);
	else
		memcpy(k, e.customer, 24);
}

static int by_key_order;
static int cmp_rows(const void *a, const void *b)
{
	uint8_t ka[24], kb[24];
	index_key(by_key_order, (*(Clubcrm__TaskRow *const *)a)->task, ka);
	index_key(by_key_order, (*(Clubcrm__TaskRow *const *)b)->task, kb);
	return memcmp(ka, kb, 24);
}

struct result {
	uint8_t seen[N];     /* times each task was sent */
	size_t rows, first_rows;
	int chunks;
	uint64_t order[N];   /* the ids sent, in order */
};

static size_t index_of(const struct sfx *x, uint64_t id)
{
	for (size_t k = 0; k < N; k++)
		if (x->ids[k] == id)
			return k;
	fail_msg("task %llu is not one of the club's",
		 (unsigned long long)id);
	return N;
}

/*
 * A whole snapshot with chunks of about `limit` bytes (0: the server's).
 * Returns 0, or the first error of views_snapshot_next().
 */
static int take(struct sfx *x, const Clubcrm__View *view, size_t limit,
		struct result *r)
{
	memset(r, 0, sizeof(*r));
	struct view_snapshot *s;
	assert_int_equal(views_snapshot_begin(x->v.fx->st, view, FX_NOW, &s),
			 0);
	if (limit)
		views_snapshot_limit(s, limit);
	int more;
	do {
		struct buf b = {0};
		more = snap_next(s, 3, &b);
		if (more < 0) {
			buf_free(&b);
			break;
		}
		Clubcrm__Frame *f = fx_decode(x->v.fx, &b);
		buf_free(&b);
		assert_int_equal(f->body_case, BODY(SNAPSHOT_CHUNK));
		const Clubcrm__SnapshotChunk *c = f->snapshot_chunk;
		for (size_t i = 0; i < c->n_rows; i++) {
			size_t k = index_of(x, c->rows[i]->task->id);
			r->seen[k]++;
			if (r->chunks == 0)
				r->first_rows++;
			if (r->rows + i < N)
				r->order[r->rows + i] = x->ids[k];
		}
		r->rows += c->n_rows;
		r->chunks++;
	} while (more == 1);
	views_snapshot_end(s);
	return more < 0 ? more : 0;
}

/*
 * The snapshot holds each task of the view once, and no other (`gone`:
 * tasks it must not hold whatever the filter says; may be NULL), in the
 * order of the index the view walks.
 */
static void check_view(struct sfx *x, const Clubcrm__View *view,
		       enum order o, size_t limit, const bool *gone,
		       int min_chunks)
{
	static struct result r;
	assert_int_equal(take(x, view, limit, &r), 0);
	struct task_filter_env env = {.now = FX_NOW};
	static Clubcrm__TaskRow *want[N];
	size_t n = 0;
	for (size_t k = 0; k < N; k++) {
		bool in = task_view_matches(view, x->rows[k], &env) &&
			  !(gone && gone[k]);
		if (r.seen[k] != (in ? 1 : 0))
			fail_msg("task %llu (#%zu): in the view %d, sent %d "
				 "times (chunks of %zu)",
				 (unsigned long long)x->ids[k], k, in,
				 r.seen[k], limit);
		if (in)
			want[n++] = x->rows[k];
	}
	assert_int_equal(r.rows, n);
	assert_true(r.chunks >= min_chunks);
	by_key_order = o;
	qsort(want, n, sizeof(*want), cmp_rows);
	assert_true(r.first_rows > 0 || n == 0);
	for (size_t i = 0; i < n; i++)
		if (want[i]->task->id != r.order[i])
			fail_msg("row %zu (the first chunk has %zu): task %llu, "
				 "the index's order has %llu", i, r.first_rows,
				 (unsigned long long)r.order[i],
				 (unsigned long long)want[i]->task->id);
}

static Clubcrm__View planned_board(Clubcrm__TaskFilter *f, bool from,
				   bool to)
{
	*f = (Clubcrm__TaskFilter)CLUBCRM__TASK_FILTER__INIT;
	f->has_planned_from = from;
	f->planned_from = WIN_FROM;
	f->has_planned_to = to;
	f->planned_to = WIN_TO;
	Clubcrm__View v = VIEW(BOARD);
	v.filter = f;
	return v;
}

/* Every kind of view bounded by an index, in small and full chunks. */
static void test_windows_same_rows(void **state)
{
	struct sfx *x = *state;
	Clubcrm__TaskFilter fw, ff, ft, text, taken, created, cust;
	Clubcrm__View views[11];
	enum order orders[11];
	int min_chunks[11];
	size_t nv = 0;
	/* A planned window, open at either end. */
	views[nv] = planned_board(&fw, true, true);
	orders[nv] = BY_PLANNED;
	min_chunks[nv++] = 8;
	views[nv] = planned_board(&ff, true, false);
	orders[nv] = BY_PLANNED;
	min_chunks[nv++] = 8;
	views[nv] = planned_board(&ft, false, true);
	orders[nv] = BY_PLANNED;
	min_chunks[nv++] = 8;
	/* With a text filter (whole tasks) and a state filter. */
	views[nv] = planned_board(&text, true, true);
	text.text = (char *)"renewal";
	orders[nv] = BY_PLANNED;
	min_chunks[nv++] = 2;
	views[nv] = planned_board(&taken, true, true);
	taken.has_taken = taken.taken = 1;
	orders[nv] = BY_PLANNED;
	min_chunks[nv++] = 1;
	/* A created window: every task, by_created. */
	created = (Clubcrm__TaskFilter)CLUBCRM__TASK_FILTER__INIT;
	created.has_created_from = 1;
	created.created_from = FX_NOW - 1;
	views[nv] = VIEW(BOARD);
	views[nv].filter = &created;
	orders[nv] = BY_CREATED;
	min_chunks[nv++] = 8;
	/* A customer: the view and the board's filter. */
	views[nv] = VIEW(CUSTOMER);
	views[nv].has_customer_id = 1;
	views[nv].customer_id = x->v.c.manolo;
	orders[nv] = BY_CUSTOMER;
	min_chunks[nv++] = 4;
	cust = (Clubcrm__TaskFilter)CLUBCRM__TASK_FILTER__INIT;
	cust.has_customer_id = 1;
	cust.customer_id = x->v.c.arantxa;
	views[nv] = VIEW(BOARD);
	views[nv].filter = &cust;
	orders[nv] = BY_CUSTOMER;
	min_chunks[nv++] = 8;
	/* The agenda of the window, and the overdue tasks. */
	views[nv] = VIEW(AGENDA);
	views[nv].has_from = views[nv].has_to = 1;
	views[nv].from = WIN_FROM;
	views[nv].to = WIN_TO;
	orders[nv] = BY_PLANNED;
	min_chunks[nv++] = 8;
	views[nv] = VIEW(OVERDUE);
	orders[nv] = BY_PLANNED;
	min_chunks[nv++] = 8;
	/* The whole board (no index) as before. */
	views[nv] = VIEW(BOARD);
	orders[nv] = BY_CREATED;  /* id order: created all at FX_NOW */
	min_chunks[nv++] = 8;
	for (size_t i = 0; i < nv; i++) {
		check_view(x, &views[i], orders[i], 4096, NULL, min_chunks[i]);
		check_view(x, &views[i], orders[i], 0, NULL, 1);
	}
}

static void txn_del_task(struct txn *t, uint64_t id)
{
	uint8_t k[8];
	key_u64(k, id);
	txn_del(t, DB_TASKS, k, sizeof(k));
}

/*
 * Index entries without record (a record removed behind the domain's back,
 * ids beyond the last task) are skipped wherever they are in the window,
 * and a task missing from the index the view walks is not in it, as in the
 * walk in index order.
 */
static void test_entries_without_record(void **state)
{
	struct sfx *x = *state;
	static bool gone[N], unplanned[N];
	memset(gone, 0, sizeof(gone));
	memset(unplanned, 0, sizeof(unplanned));
	struct txn t;
	txn_begin(&t, x->v.fx->st, NULL, true);
	/* Records gone: far apart (in the sparse tasks), in the dense run,
	 * at the window's first and last planned times. */
	size_t first = 0, last = 0;
	for (size_t k = 0; k < N; k++) {
		if (!in_window(k))
			continue;
		if (planned_of(k) < planned_of(first) || !in_window(first))
			first = k;
		if (planned_of(k) > planned_of(last) || !in_window(last))
			last = k;
	}
	size_t victims[] = {97, 97 * 5, 1001, 1002, 1500, 2001, 2997, first,
			    last};
	for (size_t i = 0; i < sizeof(victims) / sizeof(victims[0]); i++) {
		assert_true(in_window(victims[i]));
		txn_del_task(&t, x->ids[victims[i]]);
		gone[victims[i]] = true;
	}
	/* Entries for ids no task has: in the head, the middle, the end. */
	uint64_t max = x->ids[N - 1];
	int64_t at[] = {WIN_FROM, FX_NOW, WIN_TO - 1};
	for (size_t i = 0; i < 3; i++) {
		uint8_t k[24];
		key_time(k, at[i]);
		key_u64(k + 8, max + 1 + i * 1000);
		txn_put(&t, DB_BY_PLANNED, k, 16, "", 0);
		key_u64(k, x->v.c.manolo);
		key_time(k + 8, at[i]);
		key_u64(k + 16, max + 7 + i);
		txn_put(&t, DB_BY_CUSTOMER, k, 24, "", 0);
	}
	/* Tasks without their by_planned entry: a board window of planned
	 * times does not hold them, a customer still does. */
	size_t unindexed[] = {1200, 2100, 97 * 11};
	for (size_t i = 0; i < 3; i++) {
		size_t k = unindexed[i];
		assert_true(in_window(k) && !gone[k]);
		struct index_task_keys tk = {
			.planned_at = x->rows[k]->task->planned_at,
			.created_at = x->rows[k]->task->created_at,
			.id = x->ids[k],
			.customer_id = x->rows[k]->task->customer_id,
			.operator_id = x->rows[k]->task->operator_id};
		struct index_task_entries e;
		index_task_entries(&tk, &e);
		txn_del(&t, DB_BY_PLANNED, e.planned, sizeof(e.planned));
		unplanned[k] = true;
	}
	assert_int_equal(txn_commit(&t), 0);

	static bool both[N];
	for (size_t k = 0; k < N; k++)
		both[k] = gone[k] || unplanned[k];
	Clubcrm__TaskFilter f;
	Clubcrm__View planned = planned_board(&f, true, true);
	Clubcrm__View manolo = VIEW(CUSTOMER);
	manolo.has_customer_id = 1;
	manolo.customer_id = x->v.c.manolo;
	Clubcrm__View agenda = VIEW(AGENDA);
	agenda.has_from = agenda.has_to = 1;
	agenda.from = WIN_FROM;
	agenda.to = WIN_TO;
	for (int big = 0; big < 2; big++) {
		size_t limit = big ? 0 : 4096;
		check_view(x, &planned, BY_PLANNED, limit, both, 1);
		check_view(x, &agenda, BY_PLANNED, limit, both, 1);
		check_view(x, &manolo, BY_CUSTOMER, limit, gone, 1);
	}
}

/* A by_planned (or by_customer) key too short to hold a task id. */
static size_t damaged_key(struct sfx *x, enum store_db db, int64_t planned,
			  uint8_t k[20])
{
	memset(k, 0, 20);
	if (db != DB_BY_CUSTOMER) {
		key_time(k, planned);
		return 12;
	}
	key_u64(k, x->v.c.manolo);
	key_time(k + 8, planned);
	return 20;
}

static void put_damaged(struct sfx *x, enum store_db db, int64_t planned)
{
	uint8_t k[20];
	size_t len = damaged_key(x, db, planned, k);
	struct txn t;
	txn_begin(&t, x->v.fx->st, NULL, true);
	txn_put(&t, db, k, len, "", 0);
	assert_int_equal(txn_commit(&t), 0);
}

static void del_damaged(struct sfx *x, enum store_db db, int64_t planned)
{
	uint8_t k[20];
	size_t len = damaged_key(x, db, planned, k);
	struct txn t;
	txn_begin(&t, x->v.fx->st, NULL, true);
	size_t before, after;
	assert_int_equal(txn_count(&t, db, &before), 0);
	txn_del(&t, db, k, len);
	assert_int_equal(txn_count(&t, db, &after), 0);
	assert_int_equal(after + 1, before);
	assert_int_equal(txn_commit(&t), 0);
}

/* A damaged index key fails the snapshot (-EIO) whether it comes in the
 * first chunk or in the rest of the window; removed, all is well again. */
static void test_damaged_index_key(void **state)
{
	struct sfx *x = *state;
	static struct result r;
	Clubcrm__TaskFilter f;
	Clubcrm__View planned = planned_board(&f, true, true);
	Clubcrm__View manolo = VIEW(CUSTOMER);
	manolo.has_customer_id = 1;
	manolo.customer_id = x->v.c.manolo;
	int64_t at[] = {WIN_FROM, FX_NOW, WIN_TO - 1};
	for (size_t i = 0; i < 3; i++) {
		for (int big = 0; big < 2; big++) {
			size_t limit = big ? 0 : 4096;
			put_damaged(x, DB_BY_PLANNED, at[i]);
			assert_int_equal(take(x, &planned, limit, &r), -EIO);
			/* In the head: nothing was sent. */
			if (i == 0)
				assert_int_equal(r.chunks, 0);
			del_damaged(x, DB_BY_PLANNED, at[i]);
			check_view(x, &planned, BY_PLANNED, limit, NULL, 1);

			put_damaged(x, DB_BY_CUSTOMER, at[i] - 86400);
			assert_int_equal(take(x, &manolo, limit, &r), -EIO);
			del_damaged(x, DB_BY_CUSTOMER, at[i] - 86400);
			check_view(x, &manolo, BY_CUSTOMER, limit, NULL, 1);
		}
	}
}

/* Moves task k's record from key `from` to key `to`, and its by_planned
 * entry with it (the record's bytes, and so the task's id, unchanged). */
static void move_task(struct sfx *x, size_t k, uint64_t from, uint64_t to)
{
	struct txn t;
	txn_begin(&t, x->v.fx->st, NULL, true);
	uint8_t key[16];
	key_u64(key, from);
	struct txn_val v;
	assert_int_equal(txn_get(&t, DB_TASKS, key, 8, &v), 0);
	uint8_t *copy = malloc(v.len);
	assert_non_null(copy);
	memcpy(copy, v.data, v.len);
	size_t len = v.len;
	txn_del_task(&t, from);
	key_u64(key, to);
	txn_put(&t, DB_TASKS, key, 8, copy, len);
	free(copy);
	key_time(key, x->rows[k]->task->planned_at);
	key_u64(key + 8, from);
	txn_del(&t, DB_BY_PLANNED, key, 16);
	key_u64(key + 8, to);
	txn_put(&t, DB_BY_PLANNED, key, 16, "", 0);
	assert_int_equal(txn_commit(&t), 0);
}

/*
 * Task ids near the top of the id space: the largest the batches' sort
 * keys hold (2^47 - 1, every pass of the sort), the first they do not
 * (2^47: the window read entry by entry), the last ids of all; with index
 * entries of ids no record has above them. The same rows in the index's
 * order each time, in small chunks and full ones.
 */
static void test_ids_at_the_top(void **state)
{
	struct sfx *x = *state;
	const uint64_t top[] = {(UINT64_C(1) << 47) - 1, UINT64_C(1) << 47,
				UINT64_MAX - 1};
	/* In the dense run, one far out, and the window's head. */
	const size_t moved[] = {1500, 2001, 97};
	uint64_t at[3];
	for (size_t i = 0; i < 3; i++) {
		assert_true(in_window(moved[i]));
		at[i] = x->ids[moved[i]];
	}
	struct txn t;
	txn_begin(&t, x->v.fx->st, NULL, true);
	uint8_t key[16];
	key_time(key, FX_NOW);
	key_u64(key + 8, UINT64_MAX);
	txn_put(&t, DB_BY_PLANNED, key, 16, "", 0);
	key_time(key, WIN_FROM + 1);
	key_u64(key + 8, (UINT64_C(1) << 47) + 5);
	txn_put(&t, DB_BY_PLANNED, key, 16, "", 0);
	assert_int_equal(txn_commit(&t), 0);
	Clubcrm__TaskFilter f;
	Clubcrm__View planned = planned_board(&f, true, true);
	Clubcrm__View agenda = VIEW(AGENDA);
	agenda.has_from = agenda.has_to = 1;
	agenda.from = WIN_FROM;
	agenda.to = WIN_TO;
	for (size_t j = 0; j < 3; j++) {
		for (size_t i = 0; i < 3; i++) {
			uint64_t to = top[j] - i;
			move_task(x, moved[i], at[i], to);
			at[i] = to;
		}
		for (int big = 0; big < 2; big++) {
			size_t limit = big ? 0 : 4096;
			check_view(x, &planned, BY_PLANNED, limit, NULL, 1);
			check_view(x, &agenda, BY_PLANNED, limit, NULL, 1);
		}
	}
}

/* Bytes malloc holds now (under ASan, its allocator's count). */
static size_t heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/*
 * What a snapshot in progress holds while it waits for its connection to
 * drain does not grow with the tasks its chunk looked at and left out:
 * a filter that keeps one task in 52 read about a thousand tasks (each
 * decoded, text filter) to fill a first chunk of twenty rows, and all of
 * them stayed in the chunk's arena until the snapshot ended.
 */
static void test_memory_of_rows_left_out(void **state)
{
	struct sfx *x = *state;
	Clubcrm__TaskFilter f = CLUBCRM__TASK_FILTER__INIT;
	f.text = (char *)"renewal";
	f.has_taken = f.taken = 1;
	Clubcrm__View board = VIEW(BOARD);
	board.filter = &f;
	Clubcrm__TaskFilter wf;
	Clubcrm__View window = planned_board(&wf, false, true);
	wf.text = (char *)"renewal";
	Clubcrm__View views[] = {board, window};
	for (size_t i = 0; i < 2; i++) {
		struct view_snapshot *s;
		assert_int_equal(views_snapshot_begin(x->v.fx->st, &views[i],
						      FX_NOW, &s), 0);
		views_snapshot_limit(s, 4096);
		size_t before = heap_in_use(), rows = 0;
		int more, chunks = 0;
		do {
			struct buf b = {0};
			more = snap_next(s, 3, &b);
			assert_true(more >= 0);
			/* Decoded into an arena of its own, freed at once. */
			struct arena a;
			arena_init(&a);
			assert_true(b.len > FRAME_HEADER_LEN);
			Clubcrm__Frame *f2 = frame_decode(
				b.data + FRAME_HEADER_LEN, b.len - FRAME_HEADER_LEN,
				arena_pb(&a));
			assert_non_null(f2);
			rows += f2->snapshot_chunk->n_rows;
			arena_free(&a);
			buf_free(&b);
			chunks++;
			size_t now = heap_in_use();
			/* Its rows are sent: what stays is the window's batch
			 * (README Limits: an entry of 32 bytes per 8 bytes of
			 * the chunk, 512 for chunks of 4 KiB), the names and a
			 * row's worth of arena, not a chunk's tasks. The batch
			 * once grew in powers of two from 1,024 entries: twice
			 * that here. */
			size_t held = (i == 1 ? 4096 / 8 * 32 : 0) + 12 * 1024;
			if (more == 1 && now > before + held)
				fail_msg("view %zu, chunk %d: %zu bytes held",
					 i, chunks, now - before);
		} while (more == 1);
		views_snapshot_end(s);
		assert_true(chunks >= 2);
		assert_true(rows > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_windows_same_rows,
						setup_club, teardown_club),
		cmocka_unit_test_setup_teardown(test_entries_without_record,
						setup_club, teardown_club),
		cmocka_unit_test_setup_teardown(test_damaged_index_key,
						setup_club, teardown_club),
		cmocka_unit_test_setup_teardown(test_ids_at_the_top,
						setup_club, teardown_club),
		cmocka_unit_test_setup_teardown(test_memory_of_rows_left_out,
						setup_club, teardown_club),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
