/*
 * The overlay (overlay.h): per database a skip list of keys, each with its
 * versions newest first; per published batch a row of cumulative count
 * deltas; pins counted per floor (an epoch) so that retire knows the oldest
 * floor a reader still stands on.
 *
 * Why a skip list: O(log n) insert and seek, ordered next for free, and a
 * back pointer on level 0 gives prev; retire walks level 0 once and unlinks
 * with the last kept node of every level, no search per removal.
 */
/* glibc's rwlock prefers readers by default: with readers on several
 * threads stepping cursors back to back, the writer's publish could wait
 * for ever. Its writer-preferring kind is a GNU extension. */
#define _GNU_SOURCE
#include <sched.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "overlay.h"
#include "store_err.h"

#define LEVELS 20

struct ov_ver {
	struct ov_ver *older;
	uint64_t version;
	size_t vlen;
	bool tomb;
	unsigned char val[];
};

struct ov_node {
	struct ov_ver *vers;        /* newest first; never empty when linked */
	struct ov_node *back;       /* level 0's predecessor (the head first) */
	uint16_t klen;
	uint8_t height;
	struct ov_node *next[];     /* height pointers, then the key's bytes */
};

struct overlay_epoch {
	struct overlay_epoch *newer;
	uint64_t floor;
	atomic_long refs;
};

struct overlay {
	pthread_rwlock_t lock;
	struct overlay_alloc a;
	unsigned ndb;
	_Atomic uint64_t version, floor;
	atomic_size_t bytes;
	uint64_t rng;
	struct ov_node **heads;
	/* Epochs oldest first; `cur` is the one new pins take. */
	struct overlay_epoch *oldest;
	struct overlay_epoch *_Atomic cur;
	/* Batches still held, in version order: a ring of `cap` rows, `len`
	 * from `start`; row i's cumulative deltas are cum[i * ndb ...]. The
	 * retired ones' sum is in base_cum. */
	uint64_t *bver;
	int64_t *bcum;
	size_t start, len, cap;
	int64_t *base_cum;
	/* A retire pass under way (retire_slice): its floor, the database
	 * and the entry it goes on from (NULL: the database's first). */
	bool retiring;
	uint64_t retire_x;
	unsigned retire_db;
	struct ov_node *retire_at;
};

static void *sys_malloc(void *ctx, size_t size)
{
	(void)ctx;
	return malloc(size);
}

static void sys_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void *ov_alloc(struct overlay *ov, size_t size)
{
	void *p = ov->a.malloc(ov->a.ctx, size);
	if (p)
		atomic_fetch_add(&ov->bytes, size);
	return p;
}

static void ov_release(struct overlay *ov, void *p, size_t size)
{
	if (!p)
		return;
	ov->a.free(ov->a.ctx, p);
	atomic_fetch_sub(&ov->bytes, size);
}

/* LMDB's default order: memcmp over the shorter length, then shorter first. */
static int keycmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);
	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

static const unsigned char *nkey(const struct ov_node *n)
{
	return (const unsigned char *)(n->next + n->height);
}

static size_t node_size(unsigned height, size_t klen)
{
	return sizeof(struct ov_node) + height * sizeof(struct ov_node *) + klen;
}

static int ncmp(const struct ov_node *n, const void *key, size_t klen)
{
	return keycmp(nkey(n), n->klen, key, klen);
}

/* The first node >= key on level 0 (NULL: none); upd[l] gets the last node
 * < key on every level when upd is given. */
static struct ov_node *find_ge(struct ov_node *head, const void *key,
			       size_t klen, struct ov_node **upd)
{
	struct ov_node *x = head;
	for (int l = LEVELS - 1; l >= 0; l--) {
		while (x->next[l] && ncmp(x->next[l], key, klen) < 0)
			x = x->next[l];
		if (upd)
			upd[l] = x;
	}
	return x->next[0];
}

/* The last node < key (key NULL: the last node), or the head. */
static struct ov_node *find_lt(struct ov_node *head, const void *key,
			       size_t klen)
{
	struct ov_node *x = head;
	for (int l = LEVELS - 1; l >= 0; l--)
		while (x->next[l] && (!key || ncmp(x->next[l], key, klen) < 0))
			x = x->next[l];
	return x;
}

/* The newest version in (floor, version], or NULL. */
static const struct ov_ver *visible(const struct ov_node *n, uint64_t floor,
				    uint64_t version)
{
	const struct ov_ver *v = n->vers;
	while (v && v->version > version)
		v = v->older;
	return v && v->version > floor ? v : NULL;
}

static const struct ov_ver *snap_visible(const struct overlay_snap *s,
					 const struct ov_node *n)
{
	return visible(n, s->floor, s->version);
}

/* From n on (itself included), the first node the snapshot sees. */
static struct ov_node *vis_fwd(const struct overlay_snap *s, struct ov_node *n)
{
	while (n && !snap_visible(s, n))
		n = n->next[0];
	return n;
}

/* From n back (itself included), the first node the snapshot sees. */
static struct ov_node *vis_back(const struct overlay_snap *s,
				struct ov_node *head, struct ov_node *n)
{
	while (n != head && !snap_visible(s, n))
		n = n->back;
	return n == head ? NULL : n;
}

/* ---- creation ---- */

/* No thread ever holds the lock twice, so a waiting writer may go first. */
static int init_lock(pthread_rwlock_t *lock)
{
	pthread_rwlockattr_t attr;
	if (pthread_rwlockattr_init(&attr) != 0)
		return -ENOMEM;
#ifdef __GLIBC__
	pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
	int rc = pthread_rwlock_init(lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	return rc ? -ENOMEM : 0;
}

int overlay_new(unsigned ndb, uint64_t floor, const struct overlay_alloc *a,
		struct overlay **out)
{
	*out = NULL;
	if (ndb == 0 || ndb > OVERLAY_DB_MAX)
		return -EINVAL;
	struct overlay_alloc al = a ? *a
				    : (struct overlay_alloc){sys_malloc, sys_free,
							     NULL};
	struct overlay *ov = al.malloc(al.ctx, sizeof(*ov));
	if (!ov)
		return -ENOMEM;
	memset(ov, 0, sizeof(*ov));
	ov->a = al;
	ov->ndb = ndb;
	atomic_init(&ov->version, floor);
	atomic_init(&ov->floor, floor);
	atomic_init(&ov->bytes, sizeof(*ov));
	ov->rng = 0x9e3779b97f4a7c15ull;
	ov->heads = ov_alloc(ov, ndb * sizeof(*ov->heads));
	ov->base_cum = ov_alloc(ov, ndb * sizeof(*ov->base_cum));
	ov->oldest = ov_alloc(ov, sizeof(*ov->oldest));
	bool ok = ov->heads && ov->base_cum && ov->oldest;
	if (ov->heads)
		memset(ov->heads, 0, ndb * sizeof(*ov->heads));
	for (unsigned i = 0; ok && i < ndb; i++) {
		ov->heads[i] = ov_alloc(ov, node_size(LEVELS, 0));
		if (!(ok = ov->heads[i] != NULL))
			break;
		memset(ov->heads[i], 0, node_size(LEVELS, 0));
		ov->heads[i]->height = LEVELS;
	}
	if (ok && init_lock(&ov->lock) != 0)
		ok = false;
	if (!ok) {
		if (ov->heads)
			for (unsigned i = 0; i < ndb; i++)
				ov_release(ov, ov->heads[i],
					   node_size(LEVELS, 0));
		ov_release(ov, ov->heads, ndb * sizeof(*ov->heads));
		ov_release(ov, ov->base_cum, ndb * sizeof(*ov->base_cum));
		ov_release(ov, ov->oldest, sizeof(*ov->oldest));
		al.free(al.ctx, ov);
		return -ENOMEM;
	}
	memset(ov->base_cum, 0, ndb * sizeof(*ov->base_cum));
	ov->oldest->newer = NULL;
	ov->oldest->floor = floor;
	atomic_init(&ov->oldest->refs, 0);
	atomic_init(&ov->cur, ov->oldest);
	*out = ov;
	return 0;
}

static void free_vers(struct overlay *ov, struct ov_ver *v)
{
	while (v) {
		struct ov_ver *older = v->older;
		ov_release(ov, v, sizeof(*v) + v->vlen);
		v = older;
	}
}

static void free_node(struct overlay *ov, struct ov_node *n)
{
	free_vers(ov, n->vers);
	ov_release(ov, n, node_size(n->height, n->klen));
}

void overlay_free(struct overlay *ov)
{
	if (!ov)
		return;
	for (unsigned i = 0; i < ov->ndb; i++) {
		struct ov_node *n = ov->heads[i]->next[0];
		while (n) {
			struct ov_node *next = n->next[0];
			free_node(ov, n);
			n = next;
		}
		ov_release(ov, ov->heads[i], node_size(LEVELS, 0));
	}
	ov_release(ov, ov->heads, ov->ndb * sizeof(*ov->heads));
	ov_release(ov, ov->base_cum, ov->ndb * sizeof(*ov->base_cum));
	ov_release(ov, ov->bver, ov->cap * sizeof(*ov->bver));
	ov_release(ov, ov->bcum, ov->cap * ov->ndb * sizeof(*ov->bcum));
	while (ov->oldest) {
		struct overlay_epoch *e = ov->oldest;
		ov->oldest = e->newer;
		ov_release(ov, e, sizeof(*e));
	}
	pthread_rwlock_destroy(&ov->lock);
	ov->a.free(ov->a.ctx, ov);
}

uint64_t overlay_version(struct overlay *ov)
{
	return atomic_load(&ov->version);
}

uint64_t overlay_floor(struct overlay *ov)
{
	return atomic_load(&ov->floor);
}

size_t overlay_bytes(struct overlay *ov)
{
	return atomic_load(&ov->bytes);
}

/* ---- the writer ---- */

static unsigned random_height(struct overlay *ov)
{
	/* xorshift64; a level more with probability 1/4 */
	uint64_t x = ov->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	ov->rng = x;
	unsigned h = 1;
	while (h < LEVELS && (x & 3) == 0) {
		h++;
		x >>= 2;
	}
	return h;
}

static int check_op(const struct overlay *ov, const struct overlay_op *op)
{
	if (op->db >= ov->ndb || !op->key || op->klen == 0 ||
	    op->klen > OVERLAY_KEY_MAX)
		return -EINVAL;
	if (op->kind == OVERLAY_DEL)
		return 0;
	if (op->kind != OVERLAY_PUT || op->vlen > OVERLAY_VAL_MAX ||
	    (op->vlen && !op->val))
		return -EINVAL;
	return 0;
}

/* Room for one more batch row; the ring is copied into larger arrays. */
static int batch_room(struct overlay *ov)
{
	if (ov->len < ov->cap)
		return 0;
	size_t cap = ov->cap ? ov->cap * 2 : 64;
	uint64_t *ver = ov_alloc(ov, cap * sizeof(*ver));
	int64_t *cum = ov_alloc(ov, cap * ov->ndb * sizeof(*cum));
	if (!ver || !cum) {
		ov_release(ov, ver, cap * sizeof(*ver));
		ov_release(ov, cum, cap * ov->ndb * sizeof(*cum));
		return -ENOMEM;
	}
	for (size_t i = 0; i < ov->len; i++) {
		size_t from = (ov->start + i) % ov->cap;
		ver[i] = ov->bver[from];
		memcpy(cum + i * ov->ndb, ov->bcum + from * ov->ndb,
		       ov->ndb * sizeof(*cum));
	}
	ov_release(ov, ov->bver, ov->cap * sizeof(*ov->bver));
	ov_release(ov, ov->bcum, ov->cap * ov->ndb * sizeof(*ov->bcum));
	ov->bver = ver;
	ov->bcum = cum;
	ov->cap = cap;
	ov->start = 0;
	return 0;
}

static const int64_t *batch_cum(const struct overlay *ov, size_t i)
{
	return ov->bcum + ((ov->start + i) % ov->cap) * ov->ndb;
}

/* One op at `version`; -ENOMEM leaves its key as it was. */
static int apply(struct overlay *ov, uint64_t version,
		 const struct overlay_op *op)
{
	struct ov_node *head = ov->heads[op->db];
	struct ov_node *upd[LEVELS];
	struct ov_node *n = find_ge(head, op->key, op->klen, upd);
	size_t vlen = op->kind == OVERLAY_PUT ? op->vlen : 0;
	struct ov_ver *v = ov_alloc(ov, sizeof(*v) + vlen);
	if (!v)
		return -ENOMEM;
	v->version = version;
	v->vlen = vlen;
	v->tomb = op->kind == OVERLAY_DEL;
	if (vlen)
		memcpy(v->val, op->val, vlen);
	if (n && ncmp(n, op->key, op->klen) == 0) {
		struct ov_ver *old = n->vers;
		if (old->version == version) {  /* the same key earlier in the batch */
			v->older = old->older;
			ov_release(ov, old, sizeof(*old) + old->vlen);
		} else {
			v->older = old;
		}
		n->vers = v;
		return 0;
	}
	unsigned h = random_height(ov);
	n = ov_alloc(ov, node_size(h, op->klen));
	if (!n) {
		ov_release(ov, v, sizeof(*v) + vlen);
		return -ENOMEM;
	}
	v->older = NULL;
	n->vers = v;
	n->klen = (uint16_t)op->klen;
	n->height = (uint8_t)h;
	memcpy((unsigned char *)(n->next + h), op->key, op->klen);
	n->back = upd[0];
	if (upd[0]->next[0])
		upd[0]->next[0]->back = n;
	for (unsigned l = 0; l < h; l++) {
		n->next[l] = upd[l]->next[l];
		upd[l]->next[l] = n;
	}
	return 0;
}

static void unlink_node(struct ov_node *n, struct ov_node **upd)
{
	for (unsigned l = 0; l < n->height; l++)
		upd[l]->next[l] = n->next[l];
	if (n->next[0])
		n->next[0]->back = n->back;
}

/* Takes back ops[0..n) at `version` (a failed publish). */
static void rollback(struct overlay *ov, uint64_t version,
		     const struct overlay_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ov_node *upd[LEVELS];
		struct ov_node *x = find_ge(ov->heads[ops[i].db], ops[i].key,
					    ops[i].klen, upd);
		if (!x || ncmp(x, ops[i].key, ops[i].klen) != 0 ||
		    x->vers->version != version)
			continue;  /* a key twice: taken back already */
		struct ov_ver *v = x->vers;
		x->vers = v->older;
		ov_release(ov, v, sizeof(*v) + v->vlen);
		if (!x->vers) {
			unlink_node(x, upd);
			free_node(ov, x);
		}
	}
}

int overlay_publish(struct overlay *ov, uint64_t version,
		    const struct overlay_op *ops, size_t n,
		    const int64_t *count_deltas)
{
	if (version <= atomic_load(&ov->version) || (n && !ops))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (check_op(ov, &ops[i]))
			return -EINVAL;
	pthread_rwlock_wrlock(&ov->lock);
	int rc = batch_room(ov);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = apply(ov, version, &ops[i]);
		if (rc)
			rollback(ov, version, ops, i);
	}
	if (rc == 0) {
		size_t row = (ov->start + ov->len) % ov->cap;
		const int64_t *prev = ov->len ? batch_cum(ov, ov->len - 1)
					      : ov->base_cum;
		for (unsigned d = 0; d < ov->ndb; d++)
			ov->bcum[row * ov->ndb + d] =
				prev[d] + (count_deltas ? count_deltas[d] : 0);
		ov->bver[row] = version;
		ov->len++;
		atomic_store(&ov->version, version);
	}
	pthread_rwlock_unlock(&ov->lock);
	return rc;
}

/* ---- readers ---- */

/* Under the lock (shared or not). */
static void pin_at(struct overlay *ov, struct overlay_snap *s,
		   uint64_t version)
{
	struct overlay_epoch *e = atomic_load(&ov->cur);
	atomic_fetch_add(&e->refs, 1);
	s->ov = ov;
	s->epoch = e;
	s->floor = e->floor;
	s->version = version;
}

void overlay_pin(struct overlay *ov, struct overlay_snap *s)
{
	pthread_rwlock_rdlock(&ov->lock);
	pin_at(ov, s, atomic_load(&ov->version));
	pthread_rwlock_unlock(&ov->lock);
}

int overlay_snap_rebase(struct overlay_snap *s, uint64_t checkpointed)
{
	if (!s->epoch || checkpointed < s->floor ||
	    checkpointed > atomic_load(&s->ov->version))
		return -EINVAL;
	s->floor = checkpointed;
	if (s->version < checkpointed)
		s->version = checkpointed;
	return 0;
}

int overlay_unpin(struct overlay_snap *s)
{
	struct overlay_epoch *e = s->epoch;
	if (!e)
		return 0;
	s->epoch = NULL;
	/* Read before the decrement: once it reaches 0 a retire may free e. */
	struct overlay_epoch *cur = atomic_load(&s->ov->cur);
	long left = atomic_fetch_sub(&e->refs, 1) - 1;
	return left == 0 && e != cur;
}

int overlay_get(const struct overlay_snap *s, unsigned db, const void *key,
		size_t klen, struct overlay_val *val)
{
	struct overlay *ov = s->ov;
	if (db >= ov->ndb || !key || klen == 0 || klen > OVERLAY_KEY_MAX)
		return -EINVAL;
	pthread_rwlock_rdlock(&ov->lock);
	struct ov_node *n = find_ge(ov->heads[db], key, klen, NULL);
	const struct ov_ver *v = NULL;
	if (n && ncmp(n, key, klen) == 0)
		v = snap_visible(s, n);
	int rc = OVERLAY_ABSENT;
	if (v && v->tomb) {
		rc = OVERLAY_DELETED;
	} else if (v) {
		*val = (struct overlay_val){v->val, v->vlen};
		rc = OVERLAY_FOUND;
	}
	pthread_rwlock_unlock(&ov->lock);
	return rc;
}

/* The cumulative delta of db at the last batch <= version; under the lock. */
static int64_t cum_at(const struct overlay *ov, unsigned db, uint64_t version)
{
	size_t lo = 0, hi = ov->len;  /* rows [0, lo) are <= version */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ov->bver[(ov->start + mid) % ov->cap] <= version)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? batch_cum(ov, lo - 1)[db] : ov->base_cum[db];
}

int overlay_count(const struct overlay_snap *s, unsigned db, int64_t *delta)
{
	struct overlay *ov = s->ov;
	if (db >= ov->ndb)
		return -EINVAL;
	pthread_rwlock_rdlock(&ov->lock);
	*delta = cum_at(ov, db, s->version) - cum_at(ov, db, s->floor);
	pthread_rwlock_unlock(&ov->lock);
	return 0;
}

/* ---- the checkpointer ---- */

int overlay_checkpoint_begin(struct overlay *ov, uint64_t upto,
			     struct overlay_snap *cp)
{
	int rc = -EINVAL;
	pthread_rwlock_rdlock(&ov->lock);
	if (upto >= atomic_load(&ov->floor) &&
	    upto <= atomic_load(&ov->version)) {
		pin_at(ov, cp, upto);
		rc = 0;
	}
	pthread_rwlock_unlock(&ov->lock);
	return rc;
}

int overlay_checkpoint_done(struct overlay *ov, uint64_t upto)
{
	struct overlay_epoch *e = ov_alloc(ov, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->newer = NULL;
	e->floor = upto;
	atomic_init(&e->refs, 0);
	pthread_rwlock_wrlock(&ov->lock);
	struct overlay_epoch *cur = atomic_load(&ov->cur);
	if (upto <= cur->floor || upto > atomic_load(&ov->version)) {
		pthread_rwlock_unlock(&ov->lock);
		ov_release(ov, e, sizeof(*e));
		return -EINVAL;
	}
	cur->newer = e;
	atomic_store(&ov->cur, e);
	atomic_store(&ov->floor, upto);
	pthread_rwlock_unlock(&ov->lock);
	return 0;
}

/* Entries a retire looks at under one hold of the lock: readers (the loop
 * among them) wait for one slice at most, not for a walk over the whole
 * overlay (about 20 ms for a second of writes at full speed). */
#define RETIRE_SLICE 2048

/* A retire's first slice: the epochs no pin holds any more go, and the
 * pass drops what is at or below the oldest floor left. */
static void retire_begin(struct overlay *ov)
{
	/* No pin can join an epoch but the current one (pins hold the lock
	 * shared), so an older epoch at 0 refs stays there: free it. */
	struct overlay_epoch *cur = atomic_load(&ov->cur);
	while (ov->oldest != cur && atomic_load(&ov->oldest->refs) == 0) {
		struct overlay_epoch *e = ov->oldest;
		ov->oldest = e->newer;
		ov_release(ov, e, sizeof(*e));
	}
	ov->retire_x = ov->oldest->floor;
	ov->retire_db = 0;
	ov->retire_at = NULL;
	ov->retiring = true;
}

/*
 * One slice of the retire pass, the lock held: drops every version <= the
 * pass's floor of up to RETIRE_SLICE entries; entries left empty go. True
 * when the pass is done. Between slices readers read and a writer may
 * publish (never removing an entry it did not add in that same publish),
 * so the entries before the one to go on from are found again.
 */
static bool retire_slice(struct overlay *ov)
{
	if (!ov->retiring)
		retire_begin(ov);
	uint64_t x = ov->retire_x;
	unsigned budget = RETIRE_SLICE;
	for (; ov->retire_db < ov->ndb; ov->retire_db++) {
		struct ov_node *head = ov->heads[ov->retire_db];
		struct ov_node *upd[LEVELS], *n;
		if (ov->retire_at) {
			n = find_ge(head, nkey(ov->retire_at),
				    ov->retire_at->klen, upd);
		} else {
			for (unsigned l = 0; l < LEVELS; l++)
				upd[l] = head;
			n = head->next[0];
		}
		for (; n; budget--) {
			if (budget == 0) {
				ov->retire_at = n;
				return false;
			}
			struct ov_node *next = n->next[0];
			struct ov_ver **pp = &n->vers;
			while (*pp && (*pp)->version > x)
				pp = &(*pp)->older;
			free_vers(ov, *pp);
			*pp = NULL;
			if (!n->vers) {
				unlink_node(n, upd);
				ov_release(ov, n, node_size(n->height, n->klen));
			} else {
				for (unsigned l = 0; l < n->height; l++)
					upd[l] = n;
			}
			n = next;
		}
		ov->retire_at = NULL;
	}
	while (ov->len && ov->bver[ov->start] <= x) {
		memcpy(ov->base_cum, batch_cum(ov, 0),
		       ov->ndb * sizeof(*ov->base_cum));
		ov->start = (ov->start + 1) % ov->cap;
		ov->len--;
	}
	ov->retiring = false;
	return true;
}

bool overlay_retire_step(struct overlay *ov)
{
	pthread_rwlock_wrlock(&ov->lock);
	bool done = retire_slice(ov);
	pthread_rwlock_unlock(&ov->lock);
	return done;
}

size_t overlay_retire(struct overlay *ov)
{
	size_t before = atomic_load(&ov->bytes);
	while (!overlay_retire_step(ov))
		sched_yield();  /* the readers waiting go first */
	return before - atomic_load(&ov->bytes);
}

bool overlay_snap_db_empty(const struct overlay_snap *s, unsigned db)
{
	struct overlay *ov = s->ov;
	if (db >= ov->ndb)
		return false;
	/* A few entries looked at, not the whole list: past them the
	 * answer is "maybe", and the merge is always right. */
	unsigned left = 8;
	pthread_rwlock_rdlock(&ov->lock);
	struct ov_node *n = ov->heads[db]->next[0];
	while (n && left-- && !snap_visible(s, n))
		n = n->next[0];
	pthread_rwlock_unlock(&ov->lock);
	return n == NULL;
}

/* ---- iteration ---- */

void overlay_iter_init(struct overlay_iter *it, const struct overlay_snap *s,
		       unsigned db)
{
	*it = (struct overlay_iter){.s = s, .db = db};
}

int overlay_iter_next(struct overlay_iter *it)
{
	struct overlay *ov = it->s->ov;
	if (it->db >= ov->ndb)
		return -EINVAL;
	pthread_rwlock_rdlock(&ov->lock);
	struct ov_node *last = it->node, *n = NULL;
	if (!it->started)
		n = vis_fwd(it->s, ov->heads[it->db]->next[0]);
	else if (last)
		n = vis_fwd(it->s, last->next[0]);
	it->started = 1;
	it->node = n;
	int rc = -ENOENT;
	if (n) {
		const struct ov_ver *v = snap_visible(it->s, n);
		it->key = (struct overlay_val){nkey(n), n->klen};
		it->val = (struct overlay_val){v->val, v->vlen};
		it->kind = v->tomb ? OVERLAY_DEL : OVERLAY_PUT;
		rc = 0;
	}
	pthread_rwlock_unlock(&ov->lock);
	return rc;
}

/* ---- the merged cursor ---- */

enum { AT_BASE = 1, AT_OV = 2 };

void overlay_cursor_init(struct overlay_cursor *c, const struct overlay_snap *s,
			 unsigned db, const struct overlay_base_ops *bops,
			 void *base)
{
	memset(c, 0, offsetof(struct overlay_cursor, kbuf));
	c->s = s;
	c->db = db;
	c->bops = bops;
	c->base = base;
}

/* After a base step: 0 with bok saying whether it has an entry, or the
 * base's error. */
static int base_took(struct overlay_cursor *c, int rc)
{
	c->bok = rc == 0;
	if (rc == 0) {
		c->bops->current(c->base, &c->bkey, &c->bval);
		return 0;
	}
	return rc == -ENOENT ? 0 : rc;
}

static struct ov_node *cur_node(const struct overlay_cursor *c)
{
	return c->on;
}

static struct ov_node *db_head(const struct overlay_cursor *c)
{
	return c->s->ov->heads[c->db];
}

static void ov_step(struct overlay_cursor *c, int dir)
{
	struct ov_node *n = cur_node(c);
	c->on = dir > 0 ? vis_fwd(c->s, n->next[0])
			: vis_back(c->s, db_head(c), n->back);
}

static int base_step(struct overlay_cursor *c, int dir)
{
	return base_took(c, dir > 0 ? c->bops->next(c->base)
				    : c->bops->prev(c->base));
}

/*
 * Both sides stand at their first entry in the direction (>= or <= the
 * last key): the current entry is the nearer one, the overlay's on equal
 * keys; a tombstone is stepped over with the base's entry it hides.
 */
static int resolve(struct overlay_cursor *c)
{
	for (;;) {
		if (!c->bok && !c->on) {
			c->positioned = 0;
			return -ENOENT;
		}
		struct ov_node *n = cur_node(c);
		int order;
		if (!c->bok)
			order = 1;
		else if (!n)
			order = -1;
		else
			order = keycmp(c->bkey.data, c->bkey.len, nkey(n),
				       n->klen) * c->dir;
		if (order < 0) {
			c->at = AT_BASE;
			c->key = c->bkey;
			c->val = c->bval;
			c->positioned = 1;
			return 0;
		}
		const struct ov_ver *v = snap_visible(c->s, n);
		if (v->tomb) {
			if (order == 0) {
				int rc = base_step(c, c->dir);
				if (rc) {
					c->positioned = 0;
					return rc;
				}
			}
			ov_step(c, c->dir);
			continue;
		}
		c->at = AT_OV | (order == 0 ? AT_BASE : 0);
		c->key = (struct overlay_val){nkey(n), n->klen};
		c->val = (struct overlay_val){v->val, v->vlen};
		c->positioned = 1;
		return 0;
	}
}

static int check_cursor(const struct overlay_cursor *c, const void *key,
			size_t klen)
{
	if (c->db >= c->s->ov->ndb || (key && klen > OVERLAY_KEY_MAX))
		return -EINVAL;
	return 0;
}

/* Sets the sides at the first entries >= key (forward, after: > key) or
 * < key (backward), then resolves. The lock is held. */
static int place(struct overlay_cursor *c, int dir, const void *key,
		 size_t klen, bool after)
{
	c->dir = dir;
	c->positioned = 0;
	struct ov_node *head = db_head(c);
	int rc;
	if (dir > 0) {
		rc = base_took(c, c->bops->seek(c->base, key, klen));
		if (rc == 0 && after && c->bok &&
		    keycmp(c->bkey.data, c->bkey.len, key, klen) == 0)
			rc = base_step(c, 1);
		struct ov_node *n = key ? find_ge(head, key, klen, NULL)
					: head->next[0];
		if (after && n && ncmp(n, key, klen) == 0)
			n = n->next[0];
		c->on = vis_fwd(c->s, n);
	} else {
		rc = base_took(c, c->bops->seek_before(c->base, key, klen));
		c->on = vis_back(c->s, head, find_lt(head, key, klen));
	}
	return rc ? rc : resolve(c);
}

int overlay_cursor_seek(struct overlay_cursor *c, const void *key, size_t klen)
{
	int rc = check_cursor(c, key, klen);
	if (rc)
		return rc;
	pthread_rwlock_rdlock(&c->s->ov->lock);
	rc = place(c, 1, key, klen, false);
	pthread_rwlock_unlock(&c->s->ov->lock);
	return rc;
}

int overlay_cursor_seek_before(struct overlay_cursor *c, const void *key,
			       size_t klen)
{
	int rc = check_cursor(c, key, klen);
	if (rc)
		return rc;
	pthread_rwlock_rdlock(&c->s->ov->lock);
	rc = place(c, -1, key, klen, false);
	pthread_rwlock_unlock(&c->s->ov->lock);
	return rc;
}

static int step(struct overlay_cursor *c, int dir)
{
	if (!c->positioned)
		return -ENOENT;
	int rc = check_cursor(c, NULL, 0);
	if (rc)
		return rc;
	if (c->dir != dir && c->key.len > OVERLAY_KEY_MAX)
		return -EINVAL;  /* a base key longer than LMDB allows */
	pthread_rwlock_rdlock(&c->s->ov->lock);
	if (c->dir == dir) {
		if (c->at & AT_BASE)
			rc = base_step(c, dir);
		if (rc == 0 && (c->at & AT_OV))
			ov_step(c, dir);
		rc = rc ? rc : resolve(c);
	} else {
		/* Turning: both sides sought again from the current key,
		 * copied first (the base's bytes move with it). */
		size_t klen = c->key.len;
		memcpy(c->kbuf, c->key.data, klen);
		rc = place(c, dir, c->kbuf, klen, true);
	}
	if (rc && rc != -ENOENT)
		c->positioned = 0;
	pthread_rwlock_unlock(&c->s->ov->lock);
	return rc;
}

int overlay_cursor_next(struct overlay_cursor *c)
{
	return step(c, 1);
}

int overlay_cursor_prev(struct overlay_cursor *c)
{
	return step(c, -1);
}
