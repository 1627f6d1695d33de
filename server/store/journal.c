/*
 * The journal of writer batches (journal.h): the record format, the scan
 * of segments at open and verify, appends, segments and their recycling.
 */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_err.h"

#define MAGIC 0x4c4a4343u  /* "CCJL" */
#define VERSION 1u

/* A named segment of the log, oldest first; the last one is written. */
struct jseg {
	uint64_t seq;        /* its name: its first record's sequence */
	uint64_t last_rev;   /* its newest record's */
	bool has_records;
};

struct journal {
	int dirfd;
	size_t seg_size;
	int (*sync)(int fd);
	atomic_int failed;

	pthread_mutex_t mu;  /* the two lists below and next_spare */
	struct jseg *segs;
	size_t n_segs, cap_segs;
	uint64_t *spares;    /* spare-N.jnl */
	size_t n_spares, cap_spares;
	uint64_t next_spare;

	/* The writer's own. */
	int fd;              /* the segment written, -1: none yet */
	size_t seg_len;      /* its size */
	size_t off;          /* where the next record goes */
	struct journal_chain chain;
	uint64_t floor_rev;  /* first_rev may not be below it */
	bool damaged;        /* records were lost at open (journal.h) */
};

/* --- the record format ------------------------------------------------ */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void header_encode(uint8_t *h, const struct journal_chain *c,
			  uint64_t seq, uint64_t first_rev, uint64_t last_rev,
			  size_t len)
{
	memset(h, 0, JOURNAL_HEADER_LEN);
	put32(h, MAGIC);
	h[4] = (uint8_t)VERSION;
	h[5] = (uint8_t)(VERSION >> 8);
	put32(h + 8, (uint32_t)len);
	put64(h + 16, seq);
	put64(h + 24, first_rev);
	put64(h + 32, last_rev);
	if (c->have_prev)
		memcpy(h + 40, c->prev_sum, JOURNAL_SUM_LEN);
}

static void checksum(uint8_t sum[JOURNAL_SUM_LEN], const uint8_t *h,
		     const struct iovec *iov, int iovcnt)
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, JOURNAL_SUM_LEN);
	crypto_generichash_update(&st, h, JOURNAL_HEADER_LEN);
	for (int i = 0; i < iovcnt; i++)
		if (iov[i].iov_len)
			crypto_generichash_update(&st, iov[i].iov_base,
						  iov[i].iov_len);
	crypto_generichash_final(&st, sum, JOURNAL_SUM_LEN);
}

/* Whether a record may follow the chain with these revisions. */
static bool revs_follow(const struct journal_chain *c, uint64_t first,
			uint64_t last)
{
	return first <= last && (!c->have_prev || first >= c->last_rev);
}

static void chain_advance(struct journal_chain *c, uint64_t seq,
			  uint64_t last_rev, const uint8_t *sum)
{
	c->next_seq = seq + 1;
	c->last_rev = last_rev;
	c->have_prev = true;
	memcpy(c->prev_sum, sum, JOURNAL_SUM_LEN);
}

long journal_encode(uint8_t *out, size_t cap, struct journal_chain *c,
		    uint64_t first_rev, uint64_t last_rev,
		    const void *payload, size_t len)
{
	if (!revs_follow(c, first_rev, last_rev) || len > UINT32_MAX)
		return -EINVAL;
	if (len > LONG_MAX - JOURNAL_RECORD_OVERHEAD ||
	    cap < journal_record_size(len))
		return -EMSGSIZE;
	uint64_t seq = c->next_seq ? c->next_seq : 1;
	header_encode(out, c, seq, first_rev, last_rev, len);
	if (len)
		memcpy(out + JOURNAL_HEADER_LEN, payload, len);
	struct iovec v = {out + JOURNAL_HEADER_LEN, len};
	uint8_t *sum = out + JOURNAL_HEADER_LEN + len;
	checksum(sum, out, &v, 1);
	chain_advance(c, seq, last_rev, sum);
	return (long)journal_record_size(len);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * The record at p (avail bytes to the segment's end), checked alone: its
 * magic, version, zero fields, length and checksum. Its size, or 0 with
 * *why.
 */
static size_t record_check(const uint8_t *p, size_t avail, const char **why)
{
	if (get32(p) != MAGIC) {
		*why = "bad magic";
		return 0;
	}
	if ((p[4] | p[5] << 8) != VERSION) {
		*why = "unknown format version";
		return 0;
	}
	if (p[6] || p[7] || get32(p + 12)) {
		*why = "reserved header bytes are not zero";
		return 0;
	}
	size_t len = get32(p + 8);
	if (avail < JOURNAL_RECORD_OVERHEAD ||
	    len > avail - JOURNAL_RECORD_OVERHEAD) {
		*why = "record longer than the rest of the segment";
		return 0;
	}
	uint8_t sum[JOURNAL_SUM_LEN];
	struct iovec v = {(void *)(p + JOURNAL_HEADER_LEN), len};
	checksum(sum, p, &v, 1);
	if (sodium_memcmp(sum, p + JOURNAL_HEADER_LEN + len,
			  JOURNAL_SUM_LEN) != 0) {
		*why = "checksum mismatch";
		return 0;
	}
	return journal_record_size(len);
}

int journal_scan(const uint8_t *seg, size_t len, struct journal_chain *c,
		 journal_record_fn cb, void *ctx, struct journal_end *end)
{
	if (sodium_init() < 0)
		abort();
	memset(end, 0, sizeof(*end));
	size_t off = 0;
	for (;;) {
		end->offset = off;
		size_t avail = len - off;
		if (avail < JOURNAL_HEADER_LEN) {
			end->stop = JOURNAL_STOP_FULL;
			return 0;
		}
		const uint8_t *p = seg + off;
		if (all_zero(p, JOURNAL_HEADER_LEN)) {
			end->stop = JOURNAL_STOP_ZERO;
			return 0;
		}
		end->stop = JOURNAL_STOP_BAD;
		size_t size = record_check(p, avail, &end->why);
		if (!size)
			return 0;
		struct journal_record r = {
			.seq = get64(p + 16),
			.first_rev = get64(p + 24),
			.last_rev = get64(p + 32),
			.payload = p + JOURNAL_HEADER_LEN,
			.len = size - JOURNAL_RECORD_OVERHEAD,
		};
		if (c->next_seq && r.seq < c->next_seq) {
			end->stop = JOURNAL_STOP_STALE;
			end->why = "an older sequence number (a recycled "
				   "segment's record)";
			return 0;
		}
		if (c->next_seq && r.seq != c->next_seq) {
			end->why = "a gap in the sequence numbers";
			return 0;
		}
		if (r.seq == 0 || r.seq == UINT64_MAX) {
			end->why = "sequence number out of range";
			return 0;
		}
		if (c->have_prev ?
		    memcmp(p + 40, c->prev_sum, JOURNAL_SUM_LEN) != 0 :
		    (c->next_seq == 1 && !all_zero(p + 40, JOURNAL_SUM_LEN))) {
			end->why = "does not follow the previous record";
			return 0;
		}
		if (!revs_follow(c, r.first_rev, r.last_rev)) {
			end->why = "revisions go backwards";
			return 0;
		}
		if (cb) {
			int rc = cb(ctx, &r);
			if (rc)
				return rc;
		}
		chain_advance(c, r.seq, r.last_rev, p + size - JOURNAL_SUM_LEN);
		end->records++;
		off += size;
	}
}

/* --- the directory ---------------------------------------------------- */

static void seg_name(char *out, size_t n, uint64_t seq)
{
	snprintf(out, n, "%016" PRIx64 ".jnl", seq);
}

static void spare_name(char *out, size_t n, uint64_t id, bool tmp)
{
	snprintf(out, n, "spare-%" PRIu64 ".%s", id, tmp ? "tmp" : "jnl");
}

/* Exactly 16 lowercase hex digits (not all zero) and ".jnl". */
static bool parse_seg_name(const char *s, uint64_t *seq)
{
	uint64_t v = 0;
	for (int i = 0; i < 16; i++) {
		char ch = s[i];
		int d = ch >= '0' && ch <= '9' ? ch - '0' :
			ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (strcmp(s + 16, ".jnl") != 0 || v == 0)
		return false;
	*seq = v;
	return true;
}

/* "spare-N.jnl" or, with tmp, "spare-N.tmp" (N decimal, no leading 0). */
static bool parse_spare_name(const char *s, uint64_t *id, bool *tmp)
{
	if (strncmp(s, "spare-", 6) != 0 || s[6] < '0' || s[6] > '9' ||
	    (s[6] == '0' && s[7] != '.'))
		return false;
	uint64_t v = 0;
	const char *p = s + 6;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (strcmp(p, ".jnl") == 0)
		*tmp = false;
	else if (strcmp(p, ".tmp") == 0)
		*tmp = true;
	else
		return false;
	*id = v;
	return true;
}

static int push_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		uint64_t *p = realloc(*v, c * sizeof(**v));
		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The directory's segments (sorted), spares and leftover temporary files. */
struct listing {
	uint64_t *segs, *spares, *tmps;
	size_t n_segs, n_spares, n_tmps;
	size_t cap_segs, cap_spares, cap_tmps;
};

static void listing_free(struct listing *l)
{
	free(l->segs);
	free(l->spares);
	free(l->tmps);
}

static int list_dir(int dirfd, struct listing *l)
{
	memset(l, 0, sizeof(*l));
	int fd = dup(dirfd);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = -errno;
		close(fd);
		return e;
	}
	rewinddir(d);
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (errno = 0, e = readdir(d))) {
		uint64_t x;
		bool tmp;
		if (parse_seg_name(e->d_name, &x))
			rc = push_u64(&l->segs, &l->n_segs, &l->cap_segs, x);
		else if (parse_spare_name(e->d_name, &x, &tmp))
			rc = tmp ? push_u64(&l->tmps, &l->n_tmps, &l->cap_tmps, x)
				 : push_u64(&l->spares, &l->n_spares,
					    &l->cap_spares, x);
	}
	if (rc == 0 && errno)
		rc = -errno;
	closedir(d);
	if (rc) {
		listing_free(l);
		return rc;
	}
	if (l->n_segs)
		qsort(l->segs, l->n_segs, sizeof(uint64_t), cmp_u64);
	if (l->n_spares)
		qsort(l->spares, l->n_spares, sizeof(uint64_t), cmp_u64);
	return 0;
}

/* A file of the directory mapped read-only (len 0: empty, map NULL). */
struct mapped {
	const uint8_t *map;
	size_t len;
};

static int map_file(int dirfd, const char *name, struct mapped *m)
{
	m->map = NULL;
	m->len = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (st.st_size > (off_t)JOURNAL_SEGMENT_MAX) {
		close(fd);
		return -EFBIG;
	}
	if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			       fd, 0);
		if (p == MAP_FAILED) {
			int e = -errno;
			close(fd);
			return e;
		}
		m->map = p;
		m->len = (size_t)st.st_size;
	}
	close(fd);
	return 0;
}

static void unmap_file(struct mapped *m)
{
	if (m->map)
		munmap((void *)m->map, m->len);
	m->map = NULL;
}

/*
 * The log over a directory's segments: the first segment's records from
 * its name on, then each next segment named by the next sequence number
 * while it adds records. Per segment scanned: its last revision and
 * whether it holds records.
 */
struct dirscan {
	size_t end_idx;        /* the segment where the log ends */
	size_t scanned;        /* segments holding the log (0 or end_idx+1) */
	struct journal_end end;
	struct journal_chain chain;
	uint64_t first_seq, first_rev;
	size_t records;
	uint64_t *last_revs;   /* per segment of the log */
	bool *has_records;
};

static int scan_dir(int dirfd, const struct listing *l, journal_record_fn cb,
		    void *ctx, struct dirscan *s)
{
	memset(s, 0, sizeof(*s));
	if (l->n_segs == 0)
		return 0;
	s->last_revs = calloc(l->n_segs, sizeof(*s->last_revs));
	s->has_records = calloc(l->n_segs, sizeof(*s->has_records));
	if (!s->last_revs || !s->has_records)
		return -ENOMEM;
	s->chain.next_seq = l->segs[0];
	s->scanned = 1;
	for (size_t i = 0; i < l->n_segs; i++) {
		if (i > 0 && l->segs[i] != s->chain.next_seq)
			break;
		char name[32];
		seg_name(name, sizeof(name), l->segs[i]);
		struct mapped m;
		int rc = map_file(dirfd, name, &m);
		if (rc)
			return rc;
		struct journal_chain c = s->chain;
		struct journal_end end;
		rc = journal_scan(m.map, m.len, &c, cb, ctx, &end);
		unmap_file(&m);
		if (rc)
			return rc;
		if (i > 0 && end.records == 0)
			break;  /* named, never written: after the end */
		if (end.records && !s->records) {
			s->first_seq = l->segs[i];
		}
		s->chain = c;
		s->end = end;
		s->end_idx = i;
		s->scanned = i + 1;
		s->records += end.records;
		s->has_records[i] = end.records > 0;
		s->last_revs[i] = c.last_rev;
	}
	return 0;
}

static void dirscan_free(struct dirscan *s)
{
	free(s->last_revs);
	free(s->has_records);
}

/* --- segments and spares ---------------------------------------------- */

static int err_of(int e)
{
	if (e == ENOSPC || e == EDQUOT || e == EFBIG)
		return CLUBCRM_EDISKFULL;
	return e ? -e : -EIO;
}

static int sync_dir(struct journal *j)
{
	return fsync(j->dirfd) < 0 ? err_of(errno) : 0;
}

/*
 * A new spare: spare-N.tmp written in full with zeros and synced, renamed
 * to spare-N.jnl, the directory synced. The lock is not held.
 */
static int create_spare(struct journal *j, uint64_t *id)
{
	static const uint8_t zeros[64 * 1024];
	pthread_mutex_lock(&j->mu);
	*id = j->next_spare++;
	pthread_mutex_unlock(&j->mu);
	char tmp[48], name[48];
	spare_name(tmp, sizeof(tmp), *id, true);
	spare_name(name, sizeof(name), *id, false);
	int fd = openat(j->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0600);
	if (fd < 0)
		return err_of(errno);
	int rc = 0;
	for (size_t off = 0; rc == 0 && off < j->seg_size;) {
		size_t n = j->seg_size - off;
		if (n > sizeof(zeros))
			n = sizeof(zeros);
		ssize_t w = pwrite(fd, zeros, n, (off_t)off);
		if (w <= 0)
			rc = err_of(w < 0 ? errno : EIO);
		else
			off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = err_of(errno);
	close(fd);
	if (rc == 0 && renameat(j->dirfd, tmp, j->dirfd, name) < 0)
		rc = err_of(errno);
	if (rc == 0)
		rc = sync_dir(j);
	if (rc)
		unlinkat(j->dirfd, tmp, 0);
	return rc;
}

static int add_spare(struct journal *j, uint64_t id)
{
	pthread_mutex_lock(&j->mu);
	int rc = push_u64(&j->spares, &j->n_spares, &j->cap_spares, id);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int journal_prepare(struct journal *j)
{
	pthread_mutex_lock(&j->mu);
	size_t n = j->n_spares;
	pthread_mutex_unlock(&j->mu);
	if (n > 0)
		return 0;
	uint64_t id;
	int rc = create_spare(j, &id);
	return rc ? rc : add_spare(j, id);
}

/*
 * Turns named segments, oldest first, into spares (up to
 * JOURNAL_SPARES_MAX, deleting the rest). The caller took them off
 * j->segs. The directory is synced after each one: a crash then leaves the
 * named segments a contiguous run, never an older one back before a gap
 * (the scan would end the log at the gap).
 */
static int recycle(struct journal *j, const uint64_t *seqs, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char from[32], to[48];
		seg_name(from, sizeof(from), seqs[i]);
		pthread_mutex_lock(&j->mu);
		bool keep = j->n_spares < JOURNAL_SPARES_MAX;
		uint64_t id = j->next_spare++;
		pthread_mutex_unlock(&j->mu);
		spare_name(to, sizeof(to), id, false);
		if (!keep)
			rc = unlinkat(j->dirfd, from, 0) < 0 ? -errno : 0;
		else if (renameat(j->dirfd, from, j->dirfd, to) < 0)
			rc = -errno;
		else
			rc = add_spare(j, id);
		if (rc == 0)
			rc = sync_dir(j);
	}
	return rc;
}

int journal_trim(struct journal *j, uint64_t upto_rev)
{
	pthread_mutex_lock(&j->mu);
	size_t n = 0;
	while (n + 1 < j->n_segs && j->segs[n].last_rev <= upto_rev)
		n++;
	uint64_t *seqs = n ? malloc(n * sizeof(*seqs)) : NULL;
	if (n && !seqs) {
		pthread_mutex_unlock(&j->mu);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		seqs[i] = j->segs[i].seq;
	memmove(j->segs, j->segs + n, (j->n_segs - n) * sizeof(*j->segs));
	j->n_segs -= n;
	pthread_mutex_unlock(&j->mu);
	int rc = n ? recycle(j, seqs, n) : 0;
	free(seqs);
	int p = journal_prepare(j);
	return rc ? rc : p;
}

/* Makes the next segment, named seq, the one written: a spare renamed (or,
 * when none is ready, a new one). */
static int next_segment(struct journal *j, uint64_t seq)
{
	pthread_mutex_lock(&j->mu);
	bool have = j->n_spares > 0;
	uint64_t id = have ? j->spares[--j->n_spares] : 0;
	if (j->n_segs == j->cap_segs) {
		size_t c = j->cap_segs ? j->cap_segs * 2 : 8;
		struct jseg *p = realloc(j->segs, c * sizeof(*p));
		if (!p) {
			if (have)
				j->n_spares++;
			pthread_mutex_unlock(&j->mu);
			return -ENOMEM;
		}
		j->segs = p;
		j->cap_segs = c;
	}
	pthread_mutex_unlock(&j->mu);
	int rc = have ? 0 : create_spare(j, &id);
	if (rc)
		return rc;
	char from[48], to[32];
	spare_name(from, sizeof(from), id, false);
	seg_name(to, sizeof(to), seq);
	if (renameat(j->dirfd, from, j->dirfd, to) < 0)
		return err_of(errno);
	rc = sync_dir(j);
	if (rc)
		return rc;
	int fd = openat(j->dirfd, to, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return err_of(errno);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		rc = err_of(errno);
		close(fd);
		return rc;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = fd;
	j->seg_len = (size_t)st.st_size;
	j->off = 0;
	pthread_mutex_lock(&j->mu);
	/* A segment without records (too small for this record: another
	 * size, or cut short) had this very name: the rename replaced it. */
	if (j->n_segs && !j->segs[j->n_segs - 1].has_records)
		j->n_segs--;
	j->segs[j->n_segs++] = (struct jseg){.seq = seq};
	pthread_mutex_unlock(&j->mu);
	return 0;
}

/* --- appends ---------------------------------------------------------- */

static int fail(struct journal *j, int err)
{
	int none = 0;
	atomic_compare_exchange_strong(&j->failed, &none, err);
	return atomic_load(&j->failed);
}

int journal_append(struct journal *j, uint64_t first_rev, uint64_t last_rev,
		   const struct iovec *iov, int iovcnt)
{
	int f = atomic_load(&j->failed);
	if (f)
		return f;
	if (iovcnt < 0 || iovcnt > JOURNAL_IOV_MAX || (iovcnt && !iov) ||
	    first_rev > last_rev || first_rev < j->floor_rev)
		return -EINVAL;
	size_t len = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > JOURNAL_SEGMENT_MAX - len)
			return -EMSGSIZE;
		len += iov[i].iov_len;
	}
	size_t size = journal_record_size(len);
	if (size > j->seg_size)
		return -EMSGSIZE;
	uint64_t seq = j->chain.next_seq;
	if (j->fd < 0 || size > j->seg_len - j->off) {
		int rc = next_segment(j, seq);
		if (rc)
			return fail(j, rc);
		if (size > j->seg_len)
			return fail(j, -EIO);  /* a spare of another size */
	}
	uint8_t h[JOURNAL_HEADER_LEN], sum[JOURNAL_SUM_LEN];
	header_encode(h, &j->chain, seq, first_rev, last_rev, len);
	checksum(sum, h, iov, iovcnt);
	struct iovec v[JOURNAL_IOV_MAX + 2];
	int n = 0;
	v[n++] = (struct iovec){h, sizeof(h)};
	for (int i = 0; i < iovcnt; i++)
		if (iov[i].iov_len)
			v[n++] = iov[i];
	v[n++] = (struct iovec){sum, sizeof(sum)};
	/* pwritev may write less (a signal, a file size limit): go on from
	 * where it stopped; only an error ends it. */
	size_t done = 0;
	struct iovec *cur = v;
	while (done < size) {
		ssize_t w = pwritev(j->fd, cur, n - (int)(cur - v),
				    (off_t)(j->off + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return fail(j, err_of(w < 0 ? errno : EIO));
		done += (size_t)w;
		while (w > 0 && (size_t)w >= cur->iov_len) {
			w -= (ssize_t)cur->iov_len;
			cur++;
		}
		if (w > 0) {
			cur->iov_base = (uint8_t *)cur->iov_base + w;
			cur->iov_len -= (size_t)w;
		}
	}
	if (j->sync(j->fd) < 0)
		return fail(j, err_of(errno));
	j->off += size;
	chain_advance(&j->chain, seq, last_rev, sum);
	j->floor_rev = last_rev;
	pthread_mutex_lock(&j->mu);
	j->segs[j->n_segs - 1].last_rev = last_rev;
	j->segs[j->n_segs - 1].has_records = true;
	pthread_mutex_unlock(&j->mu);
	return 0;
}

/* --- open, close, verify ---------------------------------------------- */

/* Whether a checksum-valid record newer than last_seq lies in seg from
 * offset `from` on (at any byte: its start is not known). */
static bool newer_after(const uint8_t *seg, size_t len, size_t from,
			uint64_t last_seq)
{
	for (size_t off = from; off + JOURNAL_RECORD_OVERHEAD <= len; off++) {
		const uint8_t *p = seg + off;
		if (p[0] != (uint8_t)MAGIC || get32(p) != MAGIC)
			continue;
		const char *why;
		if (record_check(p, len - off, &why) &&
		    get64(p + 16) > last_seq)
			return true;
	}
	return false;
}

/* Whether such a record lies after the end of the scanned log: in the rest
 * of the segment where it ends, or in a later segment. */
static int records_follow(int dirfd, const struct listing *l,
			  const struct dirscan *s, bool *follows)
{
	*follows = false;
	uint64_t last = s->chain.next_seq - 1;
	for (size_t i = s->end_idx; i < l->n_segs && !*follows; i++) {
		char name[32];
		seg_name(name, sizeof(name), l->segs[i]);
		struct mapped m;
		int rc = map_file(dirfd, name, &m);
		if (rc)
			return rc;
		*follows = newer_after(m.map, m.len,
				       i == s->end_idx ? s->end.offset + 1 : 0,
				       last);
		unmap_file(&m);
	}
	return 0;
}

/*
 * Keeps damaged segments for a person to look at: `damaged-NAME`, the
 * segment where the log ends copied, the later ones renamed; then zeros
 * the end segment's tail, so that its old records are not found again
 * after the next appends, and syncs the directory.
 */
static int keep_damaged(int dirfd, const struct listing *l, size_t end_idx,
			size_t end_off)
{
	char name[32], to[48];
	seg_name(name, sizeof(name), l->segs[end_idx]);
	snprintf(to, sizeof(to), "damaged-%s", name);
	struct mapped m;
	int rc = map_file(dirfd, name, &m);
	if (rc)
		return rc;
	int fd = openat(dirfd, to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0600);
	if (fd < 0)
		rc = -errno;
	for (size_t off = 0; rc == 0 && off < m.len;) {
		ssize_t w = pwrite(fd, m.map + off, m.len - off, (off_t)off);
		if (w <= 0)
			rc = w < 0 ? -errno : -EIO;
		else
			off += (size_t)w;
	}
	if (fd >= 0) {
		if (rc == 0 && fsync(fd) < 0)
			rc = -errno;
		close(fd);
	}
	unmap_file(&m);
	fd = rc ? -1 : openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (rc == 0 && fd < 0)
		rc = -errno;
	for (size_t off = end_off; rc == 0 && off < m.len;) {
		static const uint8_t zeros[64 * 1024];
		size_t n = m.len - off < sizeof(zeros) ? m.len - off
						       : sizeof(zeros);
		ssize_t w = pwrite(fd, zeros, n, (off_t)off);
		if (w <= 0)
			rc = w < 0 ? -errno : -EIO;
		else
			off += (size_t)w;
	}
	if (fd >= 0) {
		if (rc == 0 && fdatasync(fd) < 0)
			rc = -errno;
		close(fd);
	}
	for (size_t i = end_idx + 1; rc == 0 && i < l->n_segs; i++) {
		seg_name(name, sizeof(name), l->segs[i]);
		snprintf(to, sizeof(to), "damaged-%s", name);
		if (renameat(dirfd, name, dirfd, to) < 0)
			rc = -errno;
	}
	if (rc == 0 && fsync(dirfd) < 0)
		rc = -errno;
	return rc;
}


struct replay {
	journal_record_fn cb;
	void *ctx;
	uint64_t after_rev;
	bool first_seen;
	uint64_t first_rev;  /* the first record's */
};

static int replay_one(void *ctx, const struct journal_record *r)
{
	struct replay *rp = ctx;
	if (!rp->first_seen) {
		rp->first_seen = true;
		rp->first_rev = r->first_rev;
		if (rp->after_rev < UINT64_MAX &&
		    r->first_rev > rp->after_rev + 1)
			return -EIO;
	}
	if (r->last_rev <= rp->after_rev || !rp->cb)
		return 0;
	return rp->cb(rp->ctx, r);
}

static int open_dir(const char *dir, bool create)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : -errno;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* The new directory's entry in its parent. */
	char *parent = strdup(dir);
	if (!parent)
		return -ENOMEM;
	char *slash = strrchr(parent, '/');
	const char *p = !slash ? "." : slash == parent ? "/" : parent;
	if (slash && slash != parent)
		*slash = '\0';
	int pfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = pfd < 0 || fsync(pfd) < 0 ? -errno : 0;
	if (pfd >= 0)
		close(pfd);
	free(parent);
	if (rc)
		return rc;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	pthread_mutex_destroy(&j->mu);
	free(j->segs);
	free(j->spares);
	free(j);
}

/* Spares of another size than the journal's are of no use: deleted. */
static int adopt_spares(struct journal *j, const struct listing *l)
{
	for (size_t i = 0; i < l->n_tmps; i++) {
		char name[48];
		spare_name(name, sizeof(name), l->tmps[i], true);
		unlinkat(j->dirfd, name, 0);
		if (l->tmps[i] >= j->next_spare)
			j->next_spare = l->tmps[i] + 1;
	}
	for (size_t i = 0; i < l->n_spares; i++) {
		uint64_t id = l->spares[i];
		if (id >= j->next_spare)
			j->next_spare = id + 1;
		char name[48];
		spare_name(name, sizeof(name), id, false);
		struct stat st;
		if (fstatat(j->dirfd, name, &st, 0) < 0)
			return -errno;
		/* Without a named segment nothing says how old a spare's
		 * records are: not used either. */
		if ((size_t)st.st_size != j->seg_size || l->n_segs == 0 ||
		    j->n_spares >= JOURNAL_SPARES_MAX) {
			if (unlinkat(j->dirfd, name, 0) < 0)
				return -errno;
			continue;
		}
		int rc = push_u64(&j->spares, &j->n_spares, &j->cap_spares, id);
		if (rc)
			return rc;
	}
	return 0;
}

static int open_scanned(struct journal *j, const struct listing *l,
			const struct dirscan *s, uint64_t after_rev)
{
	j->chain = s->chain;
	if (l->n_segs == 0) {
		j->chain.next_seq = 1;
		j->floor_rev = after_rev;
		return 0;
	}
	/* The segments of the log stay named; those after its end are
	 * recycled. */
	j->segs = calloc(s->scanned, sizeof(*j->segs));
	if (!j->segs)
		return -ENOMEM;
	j->cap_segs = s->scanned;
	for (size_t i = 0; i < s->scanned; i++)
		j->segs[j->n_segs++] = (struct jseg){
			.seq = l->segs[i],
			.last_rev = s->last_revs[i],
			.has_records = s->has_records[i],
		};
	bool follows;
	int rc = records_follow(j->dirfd, l, s, &follows);
	if (rc)
		return rc;
	if (follows) {
		j->damaged = true;
		rc = keep_damaged(j->dirfd, l, s->end_idx, s->end.offset);
	} else if (l->n_segs > s->scanned) {
		rc = recycle(j, l->segs + s->scanned, l->n_segs - s->scanned);
	}
	if (rc)
		return rc;
	char name[32];
	seg_name(name, sizeof(name), l->segs[s->end_idx]);
	j->fd = openat(j->dirfd, name, O_RDWR | O_CLOEXEC);
	if (j->fd < 0)
		return -errno;
	struct stat st;
	if (fstat(j->fd, &st) < 0)
		return -errno;
	j->seg_len = (size_t)st.st_size;
	j->off = s->end.offset;
	j->floor_rev = j->chain.have_prev && j->chain.last_rev > after_rev ?
		       j->chain.last_rev : after_rev;
	return 0;
}

int journal_open(struct journal **out, const char *dir, size_t segment_size,
		 uint64_t after_rev, journal_record_fn cb, void *ctx)
{
	*out = NULL;
	if (segment_size < JOURNAL_SEGMENT_MIN ||
	    segment_size > JOURNAL_SEGMENT_MAX || segment_size % 4096)
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	struct journal *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	pthread_mutex_init(&j->mu, NULL);
	j->fd = -1;
	j->seg_size = segment_size;
	j->sync = fdatasync;
	j->dirfd = open_dir(dir, true);
	if (j->dirfd < 0) {
		int rc = j->dirfd;
		journal_close(j);
		return rc;
	}
	struct listing l;
	int rc = list_dir(j->dirfd, &l);
	if (rc) {
		journal_close(j);
		return rc;
	}
	struct replay rp = {.cb = cb, .ctx = ctx, .after_rev = after_rev};
	struct dirscan s;
	rc = scan_dir(j->dirfd, &l, replay_one, &rp, &s);
	if (rc == 0)
		rc = adopt_spares(j, &l);
	if (rc == 0)
		rc = open_scanned(j, &l, &s, after_rev);
	dirscan_free(&s);
	listing_free(&l);
	/* A new journal's first segment, so that the first append does not
	 * take the spare made next. */
	if (rc == 0 && j->fd < 0)
		rc = next_segment(j, j->chain.next_seq);
	if (rc == 0)
		rc = journal_prepare(j);
	if (rc) {
		journal_close(j);
		return rc;
	}
	*out = j;
	return 0;
}

int journal_verify(const char *dir, struct journal_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	if (sodium_init() < 0)
		return -EIO;
	int dirfd = open_dir(dir, false);
	if (dirfd < 0)
		return dirfd;
	struct listing l;
	int rc = list_dir(dirfd, &l);
	if (rc) {
		close(dirfd);
		return rc;
	}
	struct replay rp = {.after_rev = UINT64_MAX};
	struct dirscan s;
	rc = scan_dir(dirfd, &l, replay_one, &rp, &s);
	res->segments = l.n_segs;
	res->spares = l.n_spares;
	if (rc == 0 && l.n_segs > 0) {
		res->records = s.records;
		res->end = s.end;
		if (s.records) {
			res->first_seq = s.first_seq;
			res->last_seq = s.chain.next_seq - 1;
			res->last_rev = s.chain.last_rev;
			res->first_rev = rp.first_rev;
		}
		seg_name(res->end_segment, sizeof(res->end_segment),
			 l.segs[s.end_idx]);
		rc = records_follow(dirfd, &l, &s, &res->follows);
	}
	dirscan_free(&s);
	listing_free(&l);
	close(dirfd);
	return rc;
}

/* --- small accessors -------------------------------------------------- */

int journal_failed(const struct journal *j)
{
	return atomic_load(&((struct journal *)j)->failed);
}

uint64_t journal_last_seq(const struct journal *j)
{
	return j->chain.have_prev ? j->chain.next_seq - 1 : 0;
}

uint64_t journal_last_rev(const struct journal *j)
{
	return j->chain.have_prev ? j->chain.last_rev : 0;
}

size_t journal_segments(struct journal *j)
{
	pthread_mutex_lock(&j->mu);
	size_t n = j->n_segs;
	pthread_mutex_unlock(&j->mu);
	return n;
}

size_t journal_spares(struct journal *j)
{
	pthread_mutex_lock(&j->mu);
	size_t n = j->n_spares;
	pthread_mutex_unlock(&j->mu);
	return n;
}

bool journal_damaged(const struct journal *j)
{
	return j->damaged;
}

void journal_set_sync(struct journal *j, int (*sync)(int fd))
{
	j->sync = sync;
}
