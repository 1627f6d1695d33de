/*
 * clubcrm-store-bytes: where the bytes of a write go (issue 15).
 *
 * Runs the service's group commit (service_write_batch, as the writer
 * thread does) on a club in a temporary directory seeded with --tasks tasks,
 * and counts for each commit:
 *   - the pages the commit wrote, per LMDB tree: every page reachable from
 *     the new meta page that the previous snapshot did not reach (LMDB never
 *     writes a page in place, so these are exactly the pages it wrote),
 *     read from data.mdb itself (LMDB's on-disk layout, 64-bit);
 *   - the bytes the kernel says this process wrote (/proc/self/io
 *     write_bytes), which also counts the meta page and any page the walk
 *     cannot see;
 * and prints them per acknowledged write, per scenario (op x batch size),
 * with each tree's entries, depth, pages and mean key and value sizes.
 *
 *   clubcrm-store-bytes [--check] [--tasks N] [--commits N]
 *                       [--batches 1,16,32]
 *
 * --check (the ctest bench.store_bytes): fails unless the walk agrees with
 * what was done (see check_commit()).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "clubcrm.pb-c.h"
#include "service.h"
#include "store.h"

#define NOW INT64_C(1800000000)
#define MAX_TREES 32
#define PAGE 4096u

/* ------------------------------------------------------- the page walk */

/* LMDB 0.9's layout (mdb.c): page header 16 bytes, node header 8. */
#define P_BRANCH 0x01
#define P_LEAF 0x02
#define P_OVERFLOW 0x04
#define F_BIGDATA 0x01
#define F_SUBDATA 0x02
#define P_INVALID UINT64_MAX

struct tree {
	char name[32];
	uint64_t root;
	uint64_t pages, branch, leaf, overflow, entries, depth;
	uint64_t key_bytes, val_bytes;
	uint64_t written;  /* pages new in this snapshot */
	uint64_t sum_written;  /* over the scenario */
};

struct walk {
	int fd;
	const uint8_t *map;
	size_t map_len;
	uint8_t *seen, *prev;  /* one bit per page: this snapshot, the last */
	size_t bits;
	struct tree t[MAX_TREES];
	unsigned n;
	uint64_t last_pg, txnid;
};

static uint16_t u16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static int mark(struct walk *w, struct tree *t, uint64_t pg)
{
	if (pg / 8 >= w->bits / 8 || (pg + 1) * PAGE > w->map_len) {
		fprintf(stderr, "store-bytes: page %" PRIu64 " out of range\n",
			pg);
		return -1;
	}
	w->seen[pg / 8] |= (uint8_t)(1u << (pg % 8));
	t->pages++;
	if (!(w->prev[pg / 8] & (1u << (pg % 8))))
		t->written++;
	return 0;
}

static int walk_page(struct walk *w, struct tree *t, uint64_t pg,
		     unsigned level, bool is_main);

static int walk_node_data(struct walk *w, struct tree *t, const uint8_t *node,
			  bool is_main)
{
	uint16_t flags = u16(node + 4), ksize = u16(node + 6);
	uint32_t dsize = (uint32_t)u16(node) | (uint32_t)u16(node + 2) << 16;
	const uint8_t *data = node + 8 + ksize;
	t->entries++;
	t->key_bytes += ksize;
	t->val_bytes += dsize;
	if (flags & F_BIGDATA) {
		uint64_t opg = u64(data);
		/* The first page is checked in range before it is read. */
		if (mark(w, t, opg) < 0)
			return -1;
		t->overflow++;
		uint32_t n = u32(w->map + opg * PAGE + 12);
		for (uint32_t i = 1; i < n; i++) {
			if (mark(w, t, opg + i) < 0)
				return -1;
			t->overflow++;
		}
	}
	if (is_main && (flags & F_SUBDATA) && dsize == 48 &&
	    w->n < MAX_TREES) {
		struct tree *s = &w->t[w->n++];
		memset(s, 0, sizeof(*s));
		size_t k = ksize < sizeof(s->name) - 1 ? ksize
						       : sizeof(s->name) - 1;
		memcpy(s->name, node + 8, k);
		s->root = u64(data + 40);
	}
	return 0;
}

static int walk_page(struct walk *w, struct tree *t, uint64_t pg,
		     unsigned level, bool is_main)
{
	if (mark(w, t, pg) < 0)
		return -1;
	if (level > t->depth)
		t->depth = level;
	const uint8_t *p = w->map + pg * PAGE;
	uint16_t flags = u16(p + 10), lower = u16(p + 12);
	unsigned n = lower >= 16 ? (unsigned)(lower - 16) / 2 : 0;
	if (flags & P_BRANCH)
		t->branch++;
	else if (flags & P_LEAF)
		t->leaf++;
	else
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint16_t off = u16(p + 16 + 2 * i);
		if (off < 16 || off + 8u > PAGE)
			return -1;
		const uint8_t *node = p + off;
		if (flags & P_BRANCH) {
			uint64_t child = (uint64_t)u16(node) |
					 (uint64_t)u16(node + 2) << 16 |
					 (uint64_t)u16(node + 4) << 32;
			if (walk_page(w, t, child, level + 1, is_main) < 0)
				return -1;
		} else if (walk_node_data(w, t, node, is_main) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Walks the newest snapshot; `written` counts pages the last one lacked. */
static int walk_snapshot(struct walk *w)
{
	struct stat sb;
	if (fstat(w->fd, &sb) < 0)
		return -1;
	if ((size_t)sb.st_size > w->map_len) {
		if (w->map)
			munmap((void *)w->map, w->map_len);
		w->map_len = (size_t)sb.st_size;
		w->map = mmap(NULL, w->map_len, PROT_READ, MAP_SHARED, w->fd, 0);
		if (w->map == MAP_FAILED) {
			w->map = NULL;
			return -1;
		}
	}
	size_t need = w->map_len / PAGE / 8 + 1;
	if (need > w->bits / 8) {
		uint8_t *s = calloc(need * 2, 1), *p = calloc(need * 2, 1);
		if (!s || !p)
			return -1;
		if (w->prev)
			memcpy(p, w->prev, w->bits / 8);
		free(w->seen);
		free(w->prev);
		w->seen = s;
		w->prev = p;
		w->bits = need * 2 * 8;
	}
	/* The meta page with the larger txnid is the newest snapshot. */
	const uint8_t *m0 = w->map + 16, *m1 = w->map + PAGE + 16;
	const uint8_t *m = u64(m1 + 128) > u64(m0 + 128) ? m1 : m0;
	w->txnid = u64(m + 128);
	w->last_pg = u64(m + 120);
	memset(w->seen, 0, w->bits / 8);
	w->n = 2;
	memset(w->t, 0, 2 * sizeof(w->t[0]));
	strcpy(w->t[0].name, "(free list)");
	strcpy(w->t[1].name, "(main: tree roots)");
	w->t[0].root = u64(m + 24 + 40);
	w->t[1].root = u64(m + 24 + 48 + 40);
	for (unsigned i = 0; i < w->n; i++) {
		struct tree *t = &w->t[i];
		if (t->root != P_INVALID &&
		    walk_page(w, t, t->root, 1, i == 1) < 0)
			return -1;
	}
	uint8_t *x = w->prev;
	w->prev = w->seen;
	w->seen = x;
	return 0;
}

/* ------------------------------------------------------------ the club */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* CPU time of this process in ms: user (sys = 0) or system (sys = 1). */
static double cpu_ms(int sys)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	struct timeval tv = sys ? ru.ru_stime : ru.ru_utime;
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

static uint64_t write_bytes(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	uint64_t v = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "write_bytes: %" SCNu64, &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

struct club {
	struct store *st;
	struct arena a;
	uint64_t admin, op1, op2;
	uint64_t type_plain, type_urgent;
	uint64_t customers[200];
	unsigned n_customers;
	uint64_t *tasks;
	size_t n_tasks, cap_tasks;
	uint8_t *taken;
	uint64_t rng;
};

static uint64_t rnd(struct club *c)
{
	uint64_t x = c->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static struct actor actor(uint64_t id, bool admin)
{
	struct actor a = {.operator_id = id,
			  .role = admin ? CLUBCRM__ROLE__ROLE_ADMIN
					: CLUBCRM__ROLE__ROLE_OPERATOR,
			  .now = NOW,
			  .system = id == 0};
	return a;
}

/* One write as its own commit; the reply (in c->a) or NULL. */
static Clubcrm__Frame *write1(struct club *c, struct actor who,
			      Clubcrm__Frame *req)
{
	struct service_write_op op = {.who = who, .req = req};
	if (service_write_batch(c->st, &op, 1) != 0 || !op.reply) {
		service_write_op_free(&op);
		return NULL;
	}
	/* Copy the reply out of the op's arena through the wire format. */
	size_t len = clubcrm__frame__get_packed_size(op.reply);
	uint8_t *b = arena_alloc(&c->a, len ? len : 1);
	clubcrm__frame__pack(op.reply, b);
	service_write_op_free(&op);
	return clubcrm__frame__unpack(arena_pb(&c->a), len, b);
}

static uint64_t catalog_id(Clubcrm__Frame *r, int which)
{
	if (!r || r->body_case != CLUBCRM__FRAME__BODY_CATALOG)
		return 0;
	Clubcrm__Catalog *cr = r->catalog;
	switch (which) {
	case 0: return cr->n_operators ? cr->operators[0]->id : 0;
	case 1: return cr->n_task_types ? cr->task_types[0]->id : 0;
	default: return 0;
	}
}

static uint64_t mk_operator(struct club *c, const char *login, bool admin)
{
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	o.login = o.name = (char *)login;
	o.has_role = 1;
	o.role = admin ? CLUBCRM__ROLE__ROLE_ADMIN : CLUBCRM__ROLE__ROLE_OPERATOR;
	u.operator_ = &o;
	u.password = "measure-only";
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_OPERATOR;
	f.upsert_operator = &u;
	return catalog_id(write1(c, actor(0, true), &f), 0);
}

static uint64_t mk_type(struct club *c, const char *name, bool priority)
{
	Clubcrm__TaskType t = CLUBCRM__TASK_TYPE__INIT;
	Clubcrm__UpsertTaskType u = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	t.name = (char *)name;
	t.has_priority = 1;
	t.priority = priority;
	u.task_type = &t;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_TASK_TYPE;
	f.upsert_task_type = &u;
	return catalog_id(write1(c, actor(0, true), &f), 1);
}

static uint64_t mk_customer(struct club *c, unsigned i)
{
	char name[64];
	snprintf(name, sizeof(name), "Customer %u of the measure", i);
	Clubcrm__Customer cu = CLUBCRM__CUSTOMER__INIT;
	Clubcrm__UpsertCustomer u = CLUBCRM__UPSERT_CUSTOMER__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	cu.name = name;
	u.customer = &cu;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER;
	f.upsert_customer = &u;
	Clubcrm__Frame *r = write1(c, actor(0, true), &f);
	if (!r || r->body_case != CLUBCRM__FRAME__BODY_CUSTOMER_REPLY)
		return 0;
	return r->customer_reply->customer->id;
}

enum op { OP_CREATE, OP_TAKE, OP_MIX };
static const char *const op_name[] = {"create", "take/release", "mix"};

/* The request of one write: what clubcrm-bench sends, in the same mix
 * (create 30%, take or release 70% for "mix"). */
struct req {
	Clubcrm__Frame f;
	Clubcrm__CreateTask ct;
	Clubcrm__TakeTask take;
	Clubcrm__ReleaseTask rel;
	char desc[96];
	size_t slot;
	bool is_create, is_take;
};

static void build(struct club *c, enum op op, struct req *q, unsigned seq)
{
	uint64_t r = rnd(c);
	clubcrm__frame__init(&q->f);
	q->f.has_request_id = 1;
	q->f.request_id = seq;
	bool create = op == OP_CREATE || (op == OP_MIX && r % 100 < 30) ||
		      c->n_tasks == 0;
	q->is_create = create;
	if (create) {
		clubcrm__create_task__init(&q->ct);
		snprintf(q->desc, sizeof(q->desc),
			 "bench w%u #%u call back about renewal",
			 (unsigned)(r % 32), seq);
		q->ct.has_kind = q->ct.has_type_id = q->ct.has_customer_id =
			q->ct.has_planned_at = 1;
		q->ct.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
		q->ct.description = q->desc;
		q->ct.type_id = (r >> 7) & 1 ? c->type_urgent : c->type_plain;
		q->ct.customer_id = c->customers[(r >> 8) % c->n_customers];
		q->ct.planned_at = NOW + (int64_t)((r >> 20) % 86000);
		q->f.body_case = CLUBCRM__FRAME__BODY_CREATE_TASK;
		q->f.create_task = &q->ct;
		return;
	}
	q->slot = (size_t)((r >> 8) % c->n_tasks);
	uint64_t id = c->tasks[q->slot];
	q->is_take = !c->taken[q->slot];
	/* Flipped now: the same task twice in a batch is taken, released. */
	c->taken[q->slot] = q->is_take;
	if (q->is_take) {
		clubcrm__take_task__init(&q->take);
		q->take.has_id = 1;
		q->take.id = id;
		q->f.body_case = CLUBCRM__FRAME__BODY_TAKE_TASK;
		q->f.take_task = &q->take;
	} else {
		clubcrm__release_task__init(&q->rel);
		q->rel.has_id = 1;
		q->rel.id = id;
		q->f.body_case = CLUBCRM__FRAME__BODY_RELEASE_TASK;
		q->f.release_task = &q->rel;
	}
}

struct batch_out {
	unsigned ok;
	uint64_t changes_bytes;  /* the ChangeSets these writes logged */
};

/* One group commit of `n` writes. 0, or -1. */
static int batch(struct club *c, enum op op, unsigned n, struct batch_out *o)
{
	struct req *q = calloc(n, sizeof(*q));
	struct service_write_op *ops = calloc(n, sizeof(*ops));
	if (!q || !ops) {
		free(q);
		free(ops);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		build(c, op, &q[i], i);
		/* A task is taken and released by one operator (its slot's). */
		uint64_t who = q[i].is_create || !(q[i].slot & 1) ? c->op1
								  : c->op2;
		ops[i].who = actor(who, false);
		ops[i].req = &q[i].f;
	}
	int rc = service_write_batch(c->st, ops, n);
	memset(o, 0, sizeof(*o));
	for (unsigned i = 0; rc == 0 && i < n; i++) {
		Clubcrm__Frame *r = ops[i].reply;
		if (!ops[i].revision || !r ||
		    r->body_case == CLUBCRM__FRAME__BODY_ERROR)
			continue;  /* e.g. taken by the other operator */
		o->ok++;
		if (ops[i].changes)
			o->changes_bytes += clubcrm__change_set__get_packed_size(
				ops[i].changes);
		if (q[i].is_create) {
			if (c->n_tasks == c->cap_tasks) {
				size_t cap = c->cap_tasks ? c->cap_tasks * 2 : 1024;
				uint64_t *t = realloc(c->tasks, cap * sizeof(*t));
				uint8_t *k = realloc(c->taken, cap);
				if (!t || !k) {
					free(t ? t : c->tasks);
					rc = -1;
					break;
				}
				c->tasks = t;
				c->taken = k;
				c->cap_tasks = cap;
			}
			c->taken[c->n_tasks] = 0;
			c->tasks[c->n_tasks++] =
				r->task_reply->row->task->id;
		}
	}
	for (unsigned i = 0; i < n; i++)
		service_write_op_free(&ops[i]);
	free(q);
	free(ops);
	return rc ? -1 : 0;
}

/* -------------------------------------------------------------- report */

static void print_trees(const struct walk *w)
{
	printf("\n%-20s %9s %5s %7s %7s %7s %8s %8s\n", "tree", "entries",
	       "depth", "branch", "leaf", "overfl", "key B", "value B");
	for (unsigned i = 0; i < w->n; i++) {
		const struct tree *t = &w->t[i];
		if (!t->pages)
			continue;
		printf("%-20s %9" PRIu64 " %5" PRIu64 " %7" PRIu64 " %7" PRIu64
		       " %7" PRIu64 " %8.1f %8.1f\n",
		       t->name, t->entries, t->depth, t->branch, t->leaf,
		       t->overflow,
		       t->entries ? (double)t->key_bytes / (double)t->entries : 0,
		       t->entries ? (double)t->val_bytes / (double)t->entries : 0);
	}
}

static bool check_mode;

static const struct tree *tree_named(const struct walk *w, const char *name)
{
	for (unsigned i = 0; i < w->n; i++)
		if (!strcmp(w->t[i].name, name))
			return &w->t[i];
	return NULL;
}

/*
 * --check: what the walk found agrees with what was done. One commit is
 * one LMDB transaction; `tasks` holds every task created; a lone create
 * writes a page in each of the seven trees it changes, a take in its three
 * (a task's history is a chain in `changes` since issue 15: there is no
 * task_changes tree).
 */
static int check_commit(const struct club *c, const struct walk *w,
			uint64_t txnid_before, enum op op, unsigned n,
			const struct batch_out *o)
{
	static const char *const create_trees[] = {
		"meta", "tasks", "by_planned", "by_created", "by_customer",
		"by_operator_planned", "changes", NULL};
	static const char *const take_trees[] = {"meta", "tasks", "changes",
						 NULL};
	const struct tree *tasks = tree_named(w, "tasks");
	if (w->txnid != txnid_before + 1) {
		fprintf(stderr, "check: txnid %" PRIu64 " after %" PRIu64 "\n",
			w->txnid, txnid_before);
		return -1;
	}
	if (tree_named(w, "task_changes")) {
		fprintf(stderr, "check: a task_changes tree exists\n");
		return -1;
	}
	if (!tasks || tasks->entries != c->n_tasks) {
		fprintf(stderr, "check: the walk found %" PRIu64 " tasks, the "
			"club has %zu\n", tasks ? tasks->entries : 0,
			c->n_tasks);
		return -1;
	}
	if (op == OP_CREATE && o->ok != n) {
		fprintf(stderr, "check: %u of %u creates acknowledged\n", o->ok,
			n);
		return -1;
	}
	if (op == OP_MIX || o->ok == 0)
		return 0;
	for (const char *const *name = op == OP_CREATE ? create_trees
						       : take_trees;
	     *name; name++) {
		const struct tree *t = tree_named(w, *name);
		if (!t || t->written == 0 || t->written > t->pages) {
			fprintf(stderr, "check: %s: %" PRIu64 " pages written "
				"of %" PRIu64 "\n", *name,
				t ? t->written : 0, t ? t->pages : 0);
			return -1;
		}
	}
	return 0;
}

static int scenario(struct club *c, struct walk *w, enum op op, unsigned n,
		    unsigned commits)
{
	uint64_t sum[MAX_TREES] = {0}, writes = 0, changes = 0, pages = 0;
	unsigned touched = 0;
	char names[MAX_TREES][32];
	unsigned n_names = 0;
	double cpu = 0, sys = 0;
	uint64_t *ns = calloc(commits, sizeof(*ns));
	if (!ns || walk_snapshot(w) < 0) {
		free(ns);
		return -1;
	}
	uint64_t wb0 = write_bytes();
	for (unsigned k = 0; k < commits; k++) {
		struct batch_out o;
		uint64_t txnid = w->txnid;
		uint64_t t0 = now_ns();
		double u0 = cpu_ms(0), s0 = cpu_ms(1);
		int brc = batch(c, op, n, &o);
		ns[k] = now_ns() - t0;
		cpu += cpu_ms(0) - u0;
		sys += cpu_ms(1) - s0;
		if (brc < 0 || walk_snapshot(w) < 0 ||
		    (check_mode && check_commit(c, w, txnid, op, n, &o) < 0)) {
			free(ns);
			return -1;
		}
		writes += o.ok;
		changes += o.changes_bytes;
		for (unsigned i = 0; i < w->n; i++) {
			unsigned j;
			for (j = 0; j < n_names; j++)
				if (!strcmp(names[j], w->t[i].name))
					break;
			if (j == n_names && n_names < MAX_TREES)
				strcpy(names[n_names++], w->t[i].name);
			if (j < MAX_TREES) {
				sum[j] += w->t[i].written;
				pages += w->t[i].written;
				if (w->t[i].written)
					touched++;
			}
		}
	}
	uint64_t wb = write_bytes() - wb0;
	qsort(ns, commits, sizeof(*ns), cmp_u64);
	double p50 = (double)ns[commits / 2] / 1e6;
	free(ns);
	if (!writes)
		return -1;
	double pw = (double)writes;
	printf("\n%s, %u write(s) per commit, %u commits, %" PRIu64
	       " acknowledged\n", op_name[op], n, commits, writes);
	printf("  kernel: %.0f bytes written per write (%.1f KiB/commit); "
	       "walk: %.2f pages per write + 1 meta page per commit = "
	       "%.0f bytes per write\n",
	       (double)wb / pw, (double)wb / commits / 1024, (double)pages / pw,
	       ((double)pages + commits) * PAGE / pw);
	printf("  trees written per commit: %.1f; change log: %.0f bytes of "
	       "ChangeSet per write; a commit (ops, then the synced commit) "
	       "p50 %.2f ms, CPU user %.2f + system %.2f ms\n",
	       (double)touched / commits, (double)changes / pw, p50,
	       cpu / commits, sys / commits);
	printf("  pages per write:");
	for (unsigned j = 0; j < n_names; j++)
		if (sum[j])
			printf(" %s %.2f,", names[j], (double)sum[j] / pw);
	printf("\n");
	return 0;
}

static int parse_list(const char *s, unsigned *v, unsigned max)
{
	unsigned n = 0;
	while (*s && n < max) {
		char *end;
		unsigned long x = strtoul(s, &end, 10);
		if (end == s || x == 0 || x > 4096)
			return -1;
		v[n++] = (unsigned)x;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return n ? (int)n : -1;
}

int main(int argc, char **argv)
{
	unsigned n_tasks = 20000, commits = 40, batches[8] = {1, 16, 32};
	int n_batches = 3;
	int argi = 1;
	if (argc > 1 && !strcmp(argv[1], "--check")) {
		check_mode = true;
		argi = 2;
	}
	for (int i = argi; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--tasks"))
			n_tasks = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--commits"))
			commits = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--batches"))
			n_batches = parse_list(argv[i + 1], batches, 8);
		else
			n_batches = -1;
	}
	if ((argc - argi) % 2 || n_batches < 0 || commits == 0) {
		fprintf(stderr, "usage: clubcrm-store-bytes [--check] [--tasks N] "
				"[--commits N] [--batches 1,16,32]\n");
		return 2;
	}
	const char *tmp = getenv("TMPDIR");
	char dir[256], path[300];
	snprintf(dir, sizeof(dir), "%s/clubcrm-store-bytes-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	struct club c = {.rng = 0x9E3779B97F4A7C15ULL};
	struct walk w = {.fd = -1};
	arena_init(&c.a);
	int rc = store_open(dir, (size_t)1 << 30, &c.st);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (!rc)
		w.fd = open(path, O_RDONLY);
	if (rc || w.fd < 0) {
		fprintf(stderr, "store-bytes: cannot open a store in %s\n", dir);
		rc = 1;
		goto out;
	}
	c.admin = mk_operator(&c, "admin", true);
	c.op1 = mk_operator(&c, "ana", false);
	c.op2 = mk_operator(&c, "bea", false);
	c.type_plain = mk_type(&c, "Call", false);
	c.type_urgent = mk_type(&c, "Urgent", true);
	for (unsigned i = 0; i < 200; i++)
		if ((c.customers[c.n_customers] = mk_customer(&c, i)))
			c.n_customers++;
	if (!c.op1 || !c.op2 || !c.type_plain || !c.type_urgent ||
	    c.n_customers < 200) {
		fprintf(stderr, "store-bytes: the club was not created\n");
		rc = 1;
		goto out;
	}
	for (unsigned done = 0; done < n_tasks;) {
		struct batch_out o;
		unsigned n = n_tasks - done < 500 ? n_tasks - done : 500;
		if (batch(&c, OP_CREATE, n, &o) < 0 || o.ok != n) {
			fprintf(stderr, "store-bytes: seeding failed\n");
			rc = 1;
			goto out;
		}
		done += n;
	}
	printf("clubcrm-store-bytes: a club of %zu tasks, 200 customers, "
	       "in %s (LMDB, default sync)\n", c.n_tasks, dir);
	if (walk_snapshot(&w) < 0) {
		rc = 1;
		goto out;
	}
	print_trees(&w);
	for (int b = 0; b < n_batches && !rc; b++)
		for (int op = OP_CREATE; op <= OP_MIX && !rc; op++)
			if (scenario(&c, &w, (enum op)op, batches[b],
				     batches[b] == 1 ? commits * 4 : commits) < 0) {
				fprintf(stderr, "store-bytes: scenario failed\n");
				rc = 1;
			}
	if (!rc && walk_snapshot(&w) == 0)
		print_trees(&w);
out:
	if (c.st)
		store_close(c.st);
	if (w.map)
		munmap((void *)w.map, w.map_len);
	if (w.fd >= 0)
		close(w.fd);
	free(w.seen);
	free(w.prev);
	free(c.tasks);
	free(c.taken);
	arena_free(&c.a);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	unlink(path);
	rmdir(dir);
	return rc;
}
