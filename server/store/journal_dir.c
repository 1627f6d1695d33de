/*
 * The journal's directory (journal.h): segment and spare names, the
 * listing, the scan of the log across segments (open and verify), damage
 * kept aside, and journal_verify.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal_impl.h"

void journal_seg_name(char *out, size_t n, uint64_t seq)
{
	snprintf(out, n, "%016" PRIx64 ".jnl", seq);
}

void journal_spare_name(char *out, size_t n, uint64_t id, bool tmp)
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

int journal_write_all(int fd, const uint8_t *from, size_t off, size_t end)
{
	static const uint8_t zeros[64 * 1024];
	while (off < end) {
		size_t n = end - off;
		if (!from && n > sizeof(zeros))
			n = sizeof(zeros);
		ssize_t w = pwrite(fd, from ? from + off : zeros, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += (size_t)w;
	}
	return 0;
}

int journal_push_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
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


void journal_listing_free(struct journal_listing *l)
{
	free(l->segs);
	free(l->spares);
	free(l->tmps);
}

int journal_list_dir(int dirfd, struct journal_listing *l)
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
			rc = journal_push_u64(&l->segs, &l->n_segs, &l->cap_segs, x);
		else if (parse_spare_name(e->d_name, &x, &tmp))
			rc = tmp ? journal_push_u64(&l->tmps, &l->n_tmps, &l->cap_tmps, x)
				 : journal_push_u64(&l->spares, &l->n_spares,
					    &l->cap_spares, x);
		else if (strncmp(e->d_name, "damaged-", 8) == 0)
			l->n_damaged++;
	}
	if (rc == 0 && errno)
		rc = -errno;
	closedir(d);
	if (rc) {
		journal_listing_free(l);
		return rc;
	}
	if (l->n_segs)
		qsort(l->segs, l->n_segs, sizeof(uint64_t), cmp_u64);
	if (l->n_spares)
		qsort(l->spares, l->n_spares, sizeof(uint64_t), cmp_u64);
	return 0;
}


int journal_map_file(int dirfd, const char *name, struct journal_map *m)
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

void journal_unmap_file(struct journal_map *m)
{
	if (m->map)
		munmap((void *)m->map, m->len);
	m->map = NULL;
}

/* The named segment of sequence `seq`, mapped. */
static int map_segment(int dirfd, uint64_t seq, struct journal_map *m)
{
	char name[32];
	journal_seg_name(name, sizeof(name), seq);
	return journal_map_file(dirfd, name, m);
}

/*
 * The log over a directory's segments (journal_impl.h): the first
 * segment's records from its name on, then each next segment named by the
 * next sequence number while it adds records.
 */
int journal_scan_dir(int dirfd, const struct journal_listing *l,
		     journal_record_fn cb, void *ctx,
		     struct journal_dirscan *s)
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
		struct journal_map m;
		int rc = map_segment(dirfd, l->segs[i], &m);
		if (rc)
			return rc;
		struct journal_chain c = s->chain;
		struct journal_end end;
		rc = journal_scan(m.map, m.len, &c, cb, ctx, &end);
		journal_unmap_file(&m);
		if (rc)
			return rc;
		if (i > 0 && end.records == 0)
			break;  /* named, never written: after the end */
		if (end.records && !s->records)
			s->first_seq = l->segs[i];
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

void journal_dirscan_free(struct journal_dirscan *s)
{
	free(s->last_revs);
	free(s->has_records);
}

/* Records after the end: journal_impl.h. */
int journal_records_follow(int dirfd, const struct journal_listing *l,
			   const struct journal_dirscan *s, bool *follows,
			   uint64_t *newest_rev)
{
	*follows = false;
	uint64_t last = s->chain.next_seq - 1;
	for (size_t i = s->end_idx; i < l->n_segs && (newest_rev || !*follows);
	     i++) {
		struct journal_map m;
		int rc = map_segment(dirfd, l->segs[i], &m);
		if (rc)
			return rc;
		if (journal_rec_newer(m.map, m.len,
				      i == s->end_idx ? s->end.offset + 1 : 0,
				      last, newest_rev))
			*follows = true;
		journal_unmap_file(&m);
	}
	return 0;
}

/*
 * Keeps damaged segments for a person to look at: `damaged-NAME`, the
 * segment where the log ends copied, the later ones renamed; then zeros
 * the end segment's tail, so that its old records are not found again
 * after the next appends, and syncs the directory.
 */
int journal_keep_damaged(int dirfd, const struct journal_listing *l,
			 size_t end_idx, size_t end_off)
{
	char name[32], to[48];
	journal_seg_name(name, sizeof(name), l->segs[end_idx]);
	snprintf(to, sizeof(to), "damaged-%s", name);
	struct journal_map m;
	int rc = journal_map_file(dirfd, name, &m);
	if (rc)
		return rc;
	int fd = openat(dirfd, to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0600);
	if (fd < 0)
		rc = -errno;
	if (rc == 0)
		rc = journal_write_all(fd, m.map, 0, m.len);
	if (fd >= 0) {
		if (rc == 0 && fsync(fd) < 0)
			rc = -errno;
		close(fd);
	}
	journal_unmap_file(&m);
	fd = rc ? -1 : openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (rc == 0 && fd < 0)
		rc = -errno;
	if (rc == 0)
		rc = journal_write_all(fd, NULL, end_off, m.len);
	if (fd >= 0) {
		if (rc == 0 && fdatasync(fd) < 0)
			rc = -errno;
		close(fd);
	}
	for (size_t i = end_idx + 1; rc == 0 && i < l->n_segs; i++) {
		journal_seg_name(name, sizeof(name), l->segs[i]);
		snprintf(to, sizeof(to), "damaged-%s", name);
		if (renameat(dirfd, name, dirfd, to) < 0)
			rc = -errno;
	}
	if (rc == 0 && fsync(dirfd) < 0)
		rc = -errno;
	return rc;
}

int journal_replay_one(void *ctx, const struct journal_record *r)
{
	struct journal_replay *rp = ctx;
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

int journal_open_dir(const char *dir, bool create)
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

/* journal_verify's reading: the replay's checks, and a count of the
 * records after the checkpoint. */
struct verify_count {
	struct journal_replay rp;
	uint64_t after_rev;
	size_t after;
};

static int verify_one(void *ctx, const struct journal_record *r)
{
	struct verify_count *vc = ctx;
	if (r->last_rev > vc->after_rev)
		vc->after++;
	return journal_replay_one(&vc->rp, r);
}

int journal_verify(const char *dir, uint64_t after_rev,
		   struct journal_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	if (sodium_init() < 0)
		return -EIO;
	int dirfd = journal_open_dir(dir, false);
	if (dirfd < 0)
		return dirfd;
	struct journal_listing l;
	int rc = journal_list_dir(dirfd, &l);
	if (rc) {
		close(dirfd);
		return rc;
	}
	struct verify_count vc = {.rp = {.after_rev = UINT64_MAX},
				  .after_rev = after_rev};
	struct journal_dirscan s;
	rc = journal_scan_dir(dirfd, &l, verify_one, &vc, &s);
	res->segments = l.n_segs;
	res->spares = l.n_spares;
	res->damaged = l.n_damaged;
	if (rc == 0 && l.n_segs > 0) {
		res->records = s.records;
		res->end = s.end;
		if (s.records) {
			res->first_seq = s.first_seq;
			res->last_seq = s.chain.next_seq - 1;
			res->last_rev = s.chain.last_rev;
			res->first_rev = vc.rp.first_rev;
			res->after = vc.after;
		}
		journal_seg_name(res->end_segment, sizeof(res->end_segment),
			 l.segs[s.end_idx]);
		rc = journal_records_follow(dirfd, &l, &s, &res->follows,
					    &res->follows_rev);
	}
	journal_dirscan_free(&s);
	journal_listing_free(&l);
	close(dirfd);
	return rc;
}
