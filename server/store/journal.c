/*
 * The journal of writer batches (journal.h): appends, segments and their
 * recycling, open and close. The record format is in journal_record.c,
 * the directory and its scan in journal_dir.c.
 */
#include "journal_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_err.h"

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
	pthread_mutex_lock(&j->mu);
	*id = j->next_spare++;
	pthread_mutex_unlock(&j->mu);
	char tmp[48], name[48];
	journal_spare_name(tmp, sizeof(tmp), *id, true);
	journal_spare_name(name, sizeof(name), *id, false);
	int fd = openat(j->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0600);
	if (fd < 0)
		return err_of(errno);
	int rc = journal_write_all(fd, NULL, 0, j->seg_size);
	if (rc)
		rc = err_of(-rc);
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
	int rc = journal_push_u64(&j->spares, &j->n_spares, &j->cap_spares, id);
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
		journal_seg_name(from, sizeof(from), seqs[i]);
		pthread_mutex_lock(&j->mu);
		bool keep = j->n_spares < JOURNAL_SPARES_MAX;
		uint64_t id = j->next_spare++;
		pthread_mutex_unlock(&j->mu);
		journal_spare_name(to, sizeof(to), id, false);
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
	journal_spare_name(from, sizeof(from), id, false);
	journal_seg_name(to, sizeof(to), seq);
	if (renameat(j->dirfd, from, j->dirfd, to) < 0)
		return err_of(errno);
	rc = sync_dir(j);
	if (rc)
		return rc;
	int fd = openat(j->dirfd, to, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return err_of(errno);
	/* The zeros (or a recycled segment's records) are on disk: out of
	 * the page cache with them, or the appends would dirty the large
	 * folios the zero-fill left, and the kernel write back (and charge)
	 * a whole folio for every few hundred bytes appended. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
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
	journal_rec_header(h, &j->chain, seq, first_rev, last_rev, len);
	journal_rec_sum(sum, h, iov, iovcnt);
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
		/* A full disk refuses the record before any of it is synced:
		 * nothing before it was touched and nothing of it counts (the
		 * log ends before it whatever it left), so the next append
		 * writes from the same place once there is room. Only this
		 * one: any other error may have cost written pages. */
		if (w < 0 && err_of(errno) == CLUBCRM_EDISKFULL)
			return CLUBCRM_EDISKFULL;
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
	journal_rec_advance(&j->chain, seq, last_rev, sum);
	j->floor_rev = last_rev;
	pthread_mutex_lock(&j->mu);
	j->segs[j->n_segs - 1].last_rev = last_rev;
	j->segs[j->n_segs - 1].has_records = true;
	pthread_mutex_unlock(&j->mu);
	return 0;
}

/* --- open and close --------------------------------------------------- */

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
static int adopt_spares(struct journal *j, const struct journal_listing *l)
{
	for (size_t i = 0; i < l->n_tmps; i++) {
		char name[48];
		journal_spare_name(name, sizeof(name), l->tmps[i], true);
		unlinkat(j->dirfd, name, 0);
		if (l->tmps[i] >= j->next_spare)
			j->next_spare = l->tmps[i] + 1;
	}
	for (size_t i = 0; i < l->n_spares; i++) {
		uint64_t id = l->spares[i];
		if (id >= j->next_spare)
			j->next_spare = id + 1;
		char name[48];
		journal_spare_name(name, sizeof(name), id, false);
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
		int rc = journal_push_u64(&j->spares, &j->n_spares, &j->cap_spares, id);
		if (rc)
			return rc;
	}
	return 0;
}

static int open_scanned(struct journal *j, const struct journal_listing *l,
			const struct journal_dirscan *s, uint64_t after_rev)
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
	int rc = journal_records_follow(j->dirfd, l, s, &follows, NULL);
	if (rc)
		return rc;
	if (follows) {
		j->damaged = true;
		rc = journal_keep_damaged(j->dirfd, l, s->end_idx, s->end.offset);
	} else if (l->n_segs > s->scanned) {
		rc = recycle(j, l->segs + s->scanned, l->n_segs - s->scanned);
	}
	if (rc)
		return rc;
	char name[32];
	journal_seg_name(name, sizeof(name), l->segs[s->end_idx]);
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
	j->dirfd = journal_open_dir(dir, true);
	if (j->dirfd < 0) {
		int rc = j->dirfd;
		journal_close(j);
		return rc;
	}
	struct journal_listing l;
	int rc = journal_list_dir(j->dirfd, &l);
	if (rc) {
		journal_close(j);
		return rc;
	}
	struct journal_replay rp = {.cb = cb, .ctx = ctx, .after_rev = after_rev};
	struct journal_dirscan s;
	rc = journal_scan_dir(j->dirfd, &l, journal_replay_one, &rp, &s);
	if (rc == 0)
		rc = adopt_spares(j, &l);
	if (rc == 0)
		rc = open_scanned(j, &l, &s, after_rev);
	journal_dirscan_free(&s);
	journal_listing_free(&l);
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
