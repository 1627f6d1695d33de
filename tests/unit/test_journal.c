/*
 * The journal (server/store/journal.h), on real files in a temporary
 * directory with 64 KiB segments: round trips, torn tails cut at every
 * byte, bit flips, segments filled, recycled and trimmed, oversized
 * records, failed writes and syncs, hostile bytes; a redo list (redo.h,
 * tested in test_redo.c) carried through it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal.h"
#include "redo.h"
#include "store_err.h"

#define SEG (64u << 10)
#define MAXREC 512

/* --- fixture ---------------------------------------------------------- */

struct jfx {
	char dir[64];
	struct journal *j;
};

/* What a replay delivered. */
struct got {
	size_t n;
	uint64_t seq[MAXREC], first[MAXREC], last[MAXREC];
	size_t len[MAXREC];
	int stop_at;     /* >0: return -ECANCELED at this record */
};

/* A payload's bytes follow from its first revision and length. */
static void fill(uint8_t *p, size_t len, uint64_t rev)
{
	uint32_t x = (uint32_t)rev * 2654435761u + 7;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static int collect(void *ctx, const struct journal_record *r)
{
	struct got *g = ctx;
	assert_true(g->n < MAXREC);
	uint8_t *want = malloc(r->len + 1);
	fill(want, r->len, r->first_rev);
	assert_memory_equal(r->payload, want, r->len);
	free(want);
	g->seq[g->n] = r->seq;
	g->first[g->n] = r->first_rev;
	g->last[g->n] = r->last_rev;
	g->len[g->n] = r->len;
	g->n++;
	if (g->stop_at && (int)g->n == g->stop_at)
		return -ECANCELED;
	return 0;
}

static int setup(void **state)
{
	struct jfx *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/clubcrm-journal-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int teardown(void **state)
{
	struct jfx *f = *state;
	journal_close(f->j);
	rm_dir(f->dir);
	free(f);
	return 0;
}

static struct journal *jopen(struct jfx *f, uint64_t after, struct got *g)
{
	journal_close(f->j);
	f->j = NULL;
	if (g)
		memset(g, 0, sizeof(*g));
	assert_int_equal(journal_open(&f->j, f->dir, SEG, after,
				      g ? collect : NULL, g), 0);
	return f->j;
}

static int append_len(struct journal *j, uint64_t first, uint64_t last,
		      size_t len)
{
	uint8_t *p = malloc(len + 1);
	fill(p, len, first);
	/* Two iovecs when there is something to split. */
	struct iovec v[2] = {{p, len / 3}, {p + len / 3, len - len / 3}};
	int rc = journal_append(j, first, last, v, 2);
	free(p);
	return rc;
}

/* Record i (from 1) has revisions 2i-1..2i and a payload of plen(i). */
static size_t plen(uint64_t i)
{
	return (i * 37) % 300;
}

static void append_n(struct journal *j, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i <= to; i++)
		assert_int_equal(append_len(j, 2 * i - 1, 2 * i, plen(i)), 0);
}

static void assert_replay(const struct got *g, uint64_t from, uint64_t to)
{
	assert_int_equal(g->n, to >= from ? to - from + 1 : 0);
	for (uint64_t i = from; i <= to; i++) {
		size_t k = i - from;
		assert_int_equal(g->seq[k], i);
		assert_int_equal(g->first[k], 2 * i - 1);
		assert_int_equal(g->last[k], 2 * i);
		assert_int_equal(g->len[k], plen(i));
	}
}

static void path_of(const struct jfx *f, const char *name, char *out,
		    size_t n)
{
	snprintf(out, n, "%s/%s", f->dir, name);
}

static void seg_path(const struct jfx *f, uint64_t seq, char *out, size_t n)
{
	char name[32];
	snprintf(name, sizeof(name), "%016llx.jnl", (unsigned long long)seq);
	path_of(f, name, out, n);
}

/* The whole file, into a malloc'd buffer. */
static uint8_t *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	uint8_t *p = malloc((size_t)st.st_size);
	assert_int_equal(pread(fd, p, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

static void spill(const char *path, const uint8_t *p, size_t len)
{
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, p, len, 0), (ssize_t)len);
	close(fd);
}

static size_t count_files(const struct jfx *f, const char *prefix)
{
	DIR *d = opendir(f->dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* Offset of record k (from 1) in a segment whose first record is 1. */
static size_t rec_off(uint64_t k)
{
	size_t off = 0;
	for (uint64_t i = 1; i < k; i++)
		off += journal_record_size(plen(i));
	return off;
}

/* --- the journal ------------------------------------------------------ */

static void test_append_reopen_round_trip(void **state)
{
	struct jfx *f = *state;
	struct got g;
	struct journal *j = jopen(f, 0, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(journal_last_seq(j), 0);
	assert_int_equal(journal_spares(j), 1);
	append_n(j, 1, 40);
	assert_int_equal(journal_last_seq(j), 40);
	assert_int_equal(journal_last_rev(j), 80);
	assert_int_equal(journal_failed(j), 0);

	jopen(f, 0, &g);
	assert_replay(&g, 1, 40);
	assert_int_equal(journal_last_seq(f->j), 40);
	assert_int_equal(journal_last_rev(f->j), 80);

	/* Only the records after the checkpoint. */
	jopen(f, 50, &g);
	assert_replay(&g, 26, 40);
	/* An empty payload and no iovecs at all. */
	assert_int_equal(journal_append(f->j, 81, 81, NULL, 0), 0);
	jopen(f, 80, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.seq[0], 41);
	assert_int_equal(g.len[0], 0);

	/* A callback's error stops the open and comes back. */
	journal_close(f->j);
	f->j = NULL;
	memset(&g, 0, sizeof(g));
	g.stop_at = 3;
	struct journal *j2 = NULL;
	assert_int_equal(journal_open(&j2, f->dir, SEG, 0, collect, &g),
			 -ECANCELED);
	assert_null(j2);
	assert_int_equal(g.n, 3);
}

static void test_bad_arguments(void **state)
{
	struct jfx *f = *state;
	struct journal *j = NULL;
	assert_int_equal(journal_open(&j, f->dir, 1000, 0, NULL, NULL),
			 -EINVAL);
	assert_int_equal(journal_open(&j, f->dir, SEG + 1, 0, NULL, NULL),
			 -EINVAL);
	assert_int_equal(journal_open(&j, f->dir, (size_t)JOURNAL_SEGMENT_MAX
				      * 2, 0, NULL, NULL), -EINVAL);
	assert_int_equal(journal_open(&j, "/nonexistent/x/y", SEG, 0, NULL,
				      NULL), -ENOENT);
	assert_null(j);

	j = jopen(f, 10, NULL);
	/* Revisions: first <= last, not below the checkpoint or the last
	 * record; refused without harm. */
	assert_int_equal(append_len(j, 9, 12, 10), -EINVAL);
	assert_int_equal(append_len(j, 12, 11, 10), -EINVAL);
	assert_int_equal(append_len(j, 11, 12, 10), 0);
	assert_int_equal(append_len(j, 11, 11, 10), -EINVAL);
	/* A batch that makes no revision repeats the last one. */
	assert_int_equal(append_len(j, 12, 12, 10), 0);
	assert_int_equal(journal_append(j, 13, 13, NULL, 65), -EINVAL);
	assert_int_equal(journal_failed(j), 0);
	struct got g;
	jopen(f, 10, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.first[1], 12);
	assert_int_equal(g.last[1], 12);
}

/* The journal starts after the checkpoint: records are missing. */
static void test_gap_after_checkpoint(void **state)
{
	struct jfx *f = *state;
	struct journal *j = jopen(f, 19, NULL);
	assert_int_equal(append_len(j, 20, 21, 5), 0);
	journal_close(f->j);
	f->j = NULL;
	assert_int_equal(journal_open(&j, f->dir, SEG, 15, NULL, NULL), -EIO);
	assert_int_equal(journal_open(&j, f->dir, SEG, 18, NULL, NULL), -EIO);
	jopen(f, 19, NULL);
}

/* Six records appended and the journal closed: its first segment's path
 * and bytes (the caller frees them). */
static uint8_t *six_records(struct jfx *f, char *path, size_t n, size_t *len)
{
	append_n(jopen(f, 0, NULL), 1, 6);
	journal_close(f->j);
	f->j = NULL;
	seg_path(f, 1, path, n);
	return slurp(path, len);
}

/*
 * The last record cut at every byte (the rest zeros, as in a new segment,
 * or old bytes, as in a recycled one): the records before it come back,
 * it does not, and an append then overwrites it and stays.
 */
static void test_torn_tail_every_byte(void **state)
{
	struct jfx *f = *state;
	char path[512];
	size_t len;
	uint8_t *orig = six_records(f, path, sizeof(path), &len);
	uint8_t *torn = malloc(len);
	size_t start = rec_off(6), end = rec_off(7);
	for (int pattern = 0; pattern < 2; pattern++) {
		for (size_t cut = start; cut <= end; cut++) {
			memcpy(torn, orig, len);
			for (size_t i = cut; i < end; i++)
				torn[i] = pattern ? (uint8_t)(0xa5 ^ i) : 0;
			spill(path, torn, len);
			struct got g;
			jopen(f, 0, &g);
			assert_replay(&g, 1, cut == end ? 6 : 5);
			struct journal_verify_result vr;
			assert_int_equal(journal_verify(f->dir, 0, &vr), 0);
			assert_int_equal(vr.records, cut == end ? 6 : 5);
			assert_false(vr.follows);
			assert_int_equal(vr.end.offset, cut == end ? end : start);
			if (cut != end && (pattern || cut != start))
				assert_int_equal(vr.end.stop, JOURNAL_STOP_BAD);
			/* Append after recovery (not at every cut: each is a
			 * sync), then reopen. */
			if (cut % 17 && cut != start && cut != end - 1)
				continue;
			if (cut != end)
				append_n(f->j, 6, 7);
			else
				append_n(f->j, 7, 7);
			jopen(f, 0, &g);
			assert_replay(&g, 1, 7);
		}
	}
	spill(path, orig, len);
	free(orig);
	free(torn);
}

/* A flipped bit anywhere in the last record ends the log before it; in a
 * middle record, before that one, and the later ones are not replayed. */
static void test_bit_flips(void **state)
{
	struct jfx *f = *state;
	char path[512];
	size_t len;
	uint8_t *orig = six_records(f, path, sizeof(path), &len);
	for (uint64_t victim = 3; victim <= 6; victim += 3) {
		for (size_t i = rec_off(victim); i < rec_off(victim + 1); i++) {
			orig[i] ^= (uint8_t)(1u << (i % 8));
			spill(path, orig, len);
			orig[i] ^= (uint8_t)(1u << (i % 8));
			struct journal_verify_result vr;
			assert_int_equal(journal_verify(f->dir, 0, &vr), 0);
			assert_int_equal(vr.records, victim - 1);
			assert_int_equal(vr.end.stop, JOURNAL_STOP_BAD);
			assert_non_null(vr.end.why);
			/* Records after a damaged middle one: damage, not a
			 * torn tail. */
			assert_int_equal(vr.follows, victim < 6);
			struct got g;
			jopen(f, 0, &g);
			assert_replay(&g, 1, victim - 1);
			assert_int_equal(journal_damaged(f->j), victim < 6);
			assert_int_equal(count_files(f, "damaged-"), victim < 6);
			journal_close(f->j);
			f->j = NULL;
			char dmg[512];
			path_of(f, "damaged-0000000000000001.jnl", dmg,
				sizeof(dmg));
			unlink(dmg);
		}
	}
	spill(path, orig, len);
	free(orig);
	struct got g;
	jopen(f, 0, &g);
	assert_replay(&g, 1, 6);
}

/* Records that do not fit the segment's room go to the next one. */
static void test_record_crosses_into_next_segment(void **state)
{
	struct jfx *f = *state;
	struct journal *j = jopen(f, 0, NULL);
	size_t big = 20000;
	for (uint64_t i = 1; i <= 7; i++)
		assert_int_equal(append_len(j, i, i, big), 0);
	/* 3 records a segment: 7 make 3 segments. */
	assert_int_equal(journal_segments(j), 3);
	char path[512];
	seg_path(f, 4, path, sizeof(path));
	assert_int_equal(access(path, F_OK), 0);
	seg_path(f, 7, path, sizeof(path));
	assert_int_equal(access(path, F_OK), 0);
	/* A small one still fits behind the 7th. */
	assert_int_equal(append_len(j, 8, 8, 10), 0);
	assert_int_equal(journal_segments(j), 3);
	struct got g;
	jopen(f, 0, &g);
	assert_int_equal(g.n, 8);
	for (size_t k = 0; k < 8; k++) {
		assert_int_equal(g.seq[k], k + 1);
		assert_int_equal(g.len[k], k < 7 ? big : 10);
	}
	struct journal_verify_result vr;
	assert_int_equal(journal_verify(f->dir, 0, &vr), 0);
	assert_int_equal(vr.segments, 3);
	assert_int_equal(vr.records, 8);
	assert_int_equal(vr.first_seq, 1);
	assert_int_equal(vr.last_seq, 8);
	assert_int_equal(vr.first_rev, 1);
	assert_int_equal(vr.last_rev, 8);
	assert_int_equal(vr.end.stop, JOURNAL_STOP_ZERO);
	assert_false(vr.follows);
	assert_int_equal(vr.after, 8);
	/* The records after a checkpoint at revision 5, across segments. */
	assert_int_equal(journal_verify(f->dir, 5, &vr), 0);
	assert_int_equal(vr.records, 8);
	assert_int_equal(vr.after, 3);
	assert_int_equal(journal_verify(f->dir, 8, &vr), 0);
	assert_int_equal(vr.after, 0);

	/* Damage in the first segment: the later ones are kept aside, not
	 * recycled, and the log goes on from the damage. */
	journal_close(f->j);
	f->j = NULL;
	seg_path(f, 1, path, sizeof(path));
	size_t len;
	uint8_t *seg = slurp(path, &len);
	seg[journal_record_size(big) + 100] ^= 4;  /* in record 2 */
	spill(path, seg, len);
	free(seg);
	assert_int_equal(journal_verify(f->dir, 0, &vr), 0);
	assert_int_equal(vr.records, 1);
	assert_int_equal(vr.end.stop, JOURNAL_STOP_BAD);
	assert_string_equal(vr.end.why, "checksum mismatch");
	assert_true(vr.follows);
	assert_int_equal(vr.follows_rev, 8);  /* the newest cut off */
	jopen(f, 0, &g);
	assert_int_equal(g.n, 1);
	assert_true(journal_damaged(f->j));
	assert_int_equal(journal_segments(f->j), 1);
	assert_int_equal(count_files(f, "damaged-"), 3);
	assert_int_equal(count_files(f, "damaged-0000000000000004.jnl"), 1);
	assert_int_equal(append_len(f->j, 2, 2, 10), 0);
	jopen(f, 0, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.len[1], 10);
	assert_false(journal_damaged(f->j));
	assert_int_equal(journal_verify(f->dir, 0, &vr), 0);
	assert_false(vr.follows);
	assert_int_equal(vr.damaged, 3);  /* still kept for a person */
}

static void test_oversized_record(void **state)
{
	struct jfx *f = *state;
	struct journal *j = jopen(f, 0, NULL);
	assert_int_equal(append_len(j, 1, 1, 100), 0);
	size_t max = journal_max_payload(SEG);
	assert_int_equal(append_len(j, 2, 2, max + 1), -EMSGSIZE);
	assert_int_equal(journal_failed(j), 0);
	/* The largest fills a segment of its own. */
	assert_int_equal(append_len(j, 2, 2, max), 0);
	assert_int_equal(journal_segments(j), 2);
	assert_int_equal(append_len(j, 3, 3, 100), 0);
	assert_int_equal(journal_segments(j), 3);
	struct got g;
	jopen(f, 0, &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.len[1], max);
}

/*
 * Trim recycles the segments behind a checkpoint (never the one being
 * written); a recycled segment is the next one, its stale records of
 * older sequence numbers never replayed.
 */
static void test_trim_and_recycled_segments(void **state)
{
	struct jfx *f = *state;
	struct journal *j = jopen(f, 0, NULL);
	size_t big = 20000;
	for (uint64_t i = 1; i <= 10; i++)  /* segments 1, 4, 7, 10 */
		assert_int_equal(append_len(j, i, i, big), 0);
	assert_int_equal(journal_segments(j), 4);
	assert_int_equal(journal_spares(j), 0);

	/* Segment 1 holds revision 3: nothing to trim, but a spare made. */
	assert_int_equal(journal_trim(j, 2), 0);
	assert_int_equal(journal_segments(j), 4);
	assert_int_equal(journal_spares(j), 1);
	assert_int_equal(journal_trim(j, 5), 0);
	assert_int_equal(journal_segments(j), 3);
	assert_int_equal(journal_spares(j), 2);
	char path[512];
	seg_path(f, 1, path, sizeof(path));
	assert_int_equal(access(path, F_OK), -1);
	seg_path(f, 4, path, sizeof(path));
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(count_files(f, "spare-"), 2);
	/* Everything: the written segment stays; two spares at most. */
	assert_int_equal(journal_trim(j, 100), 0);
	assert_int_equal(journal_segments(j), 1);
	assert_int_equal(journal_spares(j), JOURNAL_SPARES_MAX);
	assert_int_equal(count_files(f, "spare-"), JOURNAL_SPARES_MAX);
	assert_int_equal(count_files(f, "0"), 1);

	/* The next segment is a recycled one (segment 1, the last spare
	 * made), full of stale records. Records a quarter of the old ones'
	 * size: 9 fill segment 10, and behind the 4th of the next lies
	 * its 2nd stale record. */
	size_t small = (journal_record_size(big)) / 4 - JOURNAL_RECORD_OVERHEAD;
	assert_int_equal(journal_record_size(small) * 4,
			 journal_record_size(big));
	for (uint64_t i = 11; i <= 23; i++)
		assert_int_equal(append_len(j, i, i, small), 0);
	assert_int_equal(journal_segments(j), 2);
	assert_int_equal(journal_spares(j), 1);
	struct got g;
	jopen(f, 9, &g);
	assert_int_equal(g.n, 14);
	for (size_t k = 0; k < g.n; k++)
		assert_int_equal(g.seq[k], k + 10);
	struct journal_verify_result vr;
	assert_int_equal(journal_verify(f->dir, 0, &vr), 0);
	assert_int_equal(vr.records, 14);
	assert_int_equal(vr.end.stop, JOURNAL_STOP_STALE);
	assert_int_equal(vr.end.offset, journal_record_size(big));
	assert_false(vr.follows);

	/* A crash between renaming a spare to the next name and writing
	 * its first record: the log ends before it, the segment is
	 * recycled again, and appends go on. */
	assert_int_equal(journal_trim(f->j, 20), 0);
	assert_int_equal(journal_segments(f->j), 1);
	assert_int_equal(journal_spares(f->j), 2);
	journal_close(f->j);
	f->j = NULL;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char spare[512] = "";
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "spare-", 6) == 0)
			path_of(f, e->d_name, spare, sizeof(spare));
	closedir(d);
	assert_true(spare[0]);
	seg_path(f, 24, path, sizeof(path));
	assert_int_equal(rename(spare, path), 0);
	jopen(f, 20, &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.seq[2], 23);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(journal_last_seq(f->j), 23);
	assert_int_equal(journal_spares(f->j), 2);
	for (uint64_t i = 24; i <= 60; i++)
		assert_int_equal(append_len(f->j, i, i, small), 0);
	jopen(f, 20, &g);
	assert_int_equal(g.n, 40);
	assert_int_equal(g.seq[39], 60);
	assert_int_equal(g.len[39], small);
}

/* A write the full disk cuts (the file size limit: EFBIG) refuses that
 * record only: nothing of it is replayed, and once the limit is lifted the
 * journal goes on from where the log ended. */
static void test_full_disk_refuses_one_record(void **state)
{
	struct jfx *f = *state;
	struct journal *j = jopen(f, 0, NULL);
	append_n(j, 1, 5);
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = rec_off(6) + 30;  /* cuts record 6 after 30 bytes */
	void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = append_len(j, 11, 12, plen(6));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_sig);
	assert_int_equal(rc, CLUBCRM_EDISKFULL);
	/* Not final: what it cut ends the log, and with room again the
	 * journal goes on from the same place. */
	assert_int_equal(journal_failed(j), 0);
	struct got g;
	append_n(j, 6, 6);
	append_n(j, 7, 7);
	jopen(f, 0, &g);
	assert_replay(&g, 1, 7);
}

static int syncs;
static int failing_sync(int fd)
{
	(void)fd;
	syncs++;
	errno = EIO;
	return -1;
}

static int counting_sync(int fd)
{
	syncs++;
	return fdatasync(fd);
}

/* A failed fdatasync is never retried: the kernel may have dropped the
 * pages it could not write, and a second one would succeed. */
static void test_failed_sync_is_final(void **state)
{
	struct jfx *f = *state;
	struct journal *j = jopen(f, 0, NULL);
	journal_set_sync(j, counting_sync);
	syncs = 0;
	append_n(j, 1, 3);
	assert_int_equal(syncs, 3);
	journal_set_sync(j, failing_sync);
	assert_int_equal(append_len(j, 7, 8, 10), -EIO);
	assert_int_equal(syncs, 4);
	journal_set_sync(j, counting_sync);
	assert_int_equal(append_len(j, 7, 8, 10), -EIO);
	assert_int_equal(append_len(j, 9, 10, 10), -EIO);
	assert_int_equal(syncs, 4);
	assert_int_equal(journal_failed(j), -EIO);
}

/*
 * Trims on another thread (the checkpoint's) while appends fill segments:
 * the lists they share stay whole, and every record after the last
 * checkpoint comes back.
 */
struct trimmer {
	struct journal *j;
	atomic_uint_fast64_t checkpoint;  /* what the "checkpoint" holds */
	atomic_bool stop;
	int errors;
	unsigned rounds;
};

static void *trim_loop(void *arg)
{
	struct trimmer *t = arg;
	do {
		if (journal_trim(t->j, atomic_load(&t->checkpoint)) != 0)
			t->errors++;
		t->rounds++;
	} while (!atomic_load(&t->stop));
	return NULL;
}

static void test_trim_while_appending(void **state)
{
	struct jfx *f = *state;
	struct trimmer t = {.j = jopen(f, 0, NULL)};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, trim_loop, &t), 0);
	for (uint64_t i = 1; i <= 150; i++) {
		assert_int_equal(append_len(t.j, i, i, 6000), 0);
		if (i % 10 == 0)
			atomic_store(&t.checkpoint, i - 5);
	}
	atomic_store(&t.stop, true);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(t.errors, 0);
	assert_true(t.rounds > 0);
	/* 10 records a segment: 15 segments made; after a last trim only
	 * the one written (records 141-150) is left. */
	assert_int_equal(journal_trim(t.j, 145), 0);
	assert_int_equal(journal_segments(t.j), 1);
	assert_true(journal_spares(t.j) <= JOURNAL_SPARES_MAX);
	assert_true(count_files(f, "spare-") <= JOURNAL_SPARES_MAX);
	struct got g;
	jopen(f, 145, &g);
	assert_int_equal(g.n, 5);
	assert_int_equal(g.seq[4], 150);
}

/* Without a spare ready, the append that fills a segment makes one. */
static void test_no_spare_ready(void **state)
{
	struct jfx *f = *state;
	struct journal *j = jopen(f, 0, NULL);
	for (uint64_t i = 1; i <= 9; i++)
		assert_int_equal(append_len(j, i, i, 20000), 0);
	assert_int_equal(journal_segments(j), 3);
	assert_int_equal(journal_spares(j), 0);
	assert_int_equal(journal_prepare(j), 0);
	assert_int_equal(journal_spares(j), 1);
	assert_int_equal(journal_prepare(j), 0);
	assert_int_equal(journal_spares(j), 1);
	/* Spares of another size are deleted at open. */
	journal_close(f->j);
	f->j = NULL;
	struct journal *j2;
	assert_int_equal(journal_open(&j2, f->dir, SEG * 2, 0, NULL, NULL), 0);
	assert_int_equal(journal_spares(j2), 1);
	/* The segments keep their size: the 10th record goes to a new
	 * segment of the new size, which then holds 6. */
	for (uint64_t i = 10; i <= 16; i++)
		assert_int_equal(append_len(j2, i, i, 20000), 0);
	assert_int_equal(journal_segments(j2), 5);
	journal_close(j2);
	struct got g;
	memset(&g, 0, sizeof(g));
	assert_int_equal(journal_open(&f->j, f->dir, SEG * 2, 0, collect, &g),
			 0);
	assert_int_equal(g.n, 16);
}

/* Files of other names are left alone; temporary spares deleted. */
static void test_directory_contents(void **state)
{
	struct jfx *f = *state;
	char p[512];
	path_of(f, "spare-7.tmp", p, sizeof(p));
	FILE *x = fopen(p, "w");
	fclose(x);
	path_of(f, "notes.txt", p, sizeof(p));
	x = fopen(p, "w");
	fclose(x);
	path_of(f, "00000000000000zz.jnl", p, sizeof(p));
	x = fopen(p, "w");
	fclose(x);
	struct journal *j = jopen(f, 0, NULL);
	append_n(j, 1, 2);
	assert_int_equal(count_files(f, "spare-7.tmp"), 0);
	assert_int_equal(count_files(f, "notes.txt"), 1);
	assert_int_equal(count_files(f, "00000000000000zz"), 1);
	struct got g;
	jopen(f, 0, &g);
	assert_replay(&g, 1, 2);
	/* A spare left behind with no segment at all is not trusted. */
	journal_close(f->j);
	f->j = NULL;
	seg_path(f, 1, p, sizeof(p));
	char sp[512];
	path_of(f, "spare-50.jnl", sp, sizeof(sp));
	assert_int_equal(rename(p, sp), 0);
	jopen(f, 0, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(count_files(f, "spare-50"), 0);
}

/* A first segment cut short (here: empty) is replaced by a whole one. */
static void test_short_first_segment(void **state)
{
	struct jfx *f = *state;
	char p[512];
	seg_path(f, 1, p, sizeof(p));
	FILE *x = fopen(p, "w");
	fclose(x);
	struct journal *j = jopen(f, 0, NULL);
	assert_int_equal(journal_segments(j), 1);
	append_n(j, 1, 3);
	assert_int_equal(journal_segments(j), 1);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, SEG);
	/* Trimming everything keeps the segment written. */
	assert_int_equal(journal_trim(j, 100), 0);
	assert_int_equal(journal_segments(j), 1);
	struct got g;
	jopen(f, 0, &g);
	assert_replay(&g, 1, 3);
}

static void test_verify(void **state)
{
	struct jfx *f = *state;
	struct journal_verify_result vr;
	char p[512];
	path_of(f, "none", p, sizeof(p));
	assert_int_equal(journal_verify(p, 0, &vr), -ENOENT);
	assert_int_equal(journal_verify(f->dir, 0, &vr), 0);
	assert_int_equal(vr.segments, 0);
	assert_int_equal(vr.records, 0);
	append_n(jopen(f, 0, NULL), 1, 4);
	assert_int_equal(journal_verify(f->dir, 0, &vr), 0);
	assert_int_equal(vr.segments, 1);
	assert_int_equal(vr.spares, 1);
	assert_int_equal(vr.records, 4);
	assert_int_equal(vr.first_seq, 1);
	assert_int_equal(vr.last_seq, 4);
	assert_int_equal(vr.first_rev, 1);
	assert_int_equal(vr.last_rev, 8);
	assert_string_equal(vr.end_segment, "0000000000000001.jnl");
	assert_int_equal(vr.end.offset, rec_off(5));
	assert_int_equal(vr.end.stop, JOURNAL_STOP_ZERO);
	assert_false(vr.follows);
}

/* --- the format over memory (also the fuzzer's entry) ------------------ */

static long enc(uint8_t *out, size_t cap, struct journal_chain *c,
		uint64_t first, uint64_t last, size_t len)
{
	uint8_t *p = malloc(len + 1);
	fill(p, len, first);
	long n = journal_encode(out, cap, c, first, last, p, len);
	free(p);
	return n;
}

static void test_hostile_records(void **state)
{
	(void)state;
	uint8_t seg[4096] = {0};
	struct journal_chain c = {.next_seq = 1};
	long a = enc(seg, sizeof(seg), &c, 5, 8, 40);
	assert_int_equal(a, journal_record_size(40));
	struct journal_chain after_a = c;
	/* B: linked to A but revisions backwards. */
	struct journal_chain cb = after_a;
	cb.last_rev = 0;
	long b = enc(seg + a, sizeof(seg) - (size_t)a, &cb, 3, 4, 10);
	assert_true(b > 0);
	struct journal_chain s = {.next_seq = 1};
	struct journal_end end;
	assert_int_equal(journal_scan(seg, sizeof(seg), &s, NULL, NULL, &end),
			 0);
	assert_int_equal(end.records, 1);
	assert_int_equal(end.stop, JOURNAL_STOP_BAD);
	assert_string_equal(end.why, "revisions go backwards");
	/* B: a gap in the sequence. */
	cb = after_a;
	cb.next_seq++;
	enc(seg + a, sizeof(seg) - (size_t)a, &cb, 9, 9, 10);
	s = (struct journal_chain){.next_seq = 1};
	journal_scan(seg, sizeof(seg), &s, NULL, NULL, &end);
	assert_int_equal(end.records, 1);
	assert_string_equal(end.why, "a gap in the sequence numbers");
	/* B: the right sequence, another link. */
	cb = after_a;
	cb.prev_sum[0] ^= 1;
	enc(seg + a, sizeof(seg) - (size_t)a, &cb, 9, 9, 10);
	s = (struct journal_chain){.next_seq = 1};
	journal_scan(seg, sizeof(seg), &s, NULL, NULL, &end);
	assert_int_equal(end.records, 1);
	assert_string_equal(end.why, "does not follow the previous record");
	/* B: an older sequence (a recycled segment's). */
	cb = (struct journal_chain){.next_seq = 1};
	enc(seg + a, sizeof(seg) - (size_t)a, &cb, 9, 9, 10);
	s = (struct journal_chain){.next_seq = 1};
	journal_scan(seg, sizeof(seg), &s, NULL, NULL, &end);
	assert_int_equal(end.records, 1);
	assert_int_equal(end.stop, JOURNAL_STOP_STALE);
	/* A length claiming more than the segment, up to 4 GiB. */
	uint32_t lens[] = {4096, 0x7fffffffu, 0xffffffffu,
			   4096 - 72 - (uint32_t)a + 1};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *h = seg + a;
		cb = after_a;
		enc(h, sizeof(seg) - (size_t)a, &cb, 9, 9, 10);
		for (int k = 0; k < 4; k++)
			h[8 + k] = (uint8_t)(lens[i] >> (8 * k));
		s = (struct journal_chain){.next_seq = 1};
		journal_scan(seg, sizeof(seg), &s, NULL, NULL, &end);
		assert_int_equal(end.records, 1);
		assert_string_equal(end.why,
				    "record longer than the rest of the segment");
	}
	/* Version, reserved bytes, magic. */
	size_t where[] = {4, 6, 12, 0};
	const char *why[] = {"unknown format version",
			     "reserved header bytes are not zero",
			     "reserved header bytes are not zero", "bad magic"};
	for (size_t i = 0; i < 4; i++) {
		cb = after_a;
		enc(seg + a, sizeof(seg) - (size_t)a, &cb, 9, 9, 10);
		seg[a + (long)where[i]] ^= 2;
		s = (struct journal_chain){.next_seq = 1};
		journal_scan(seg, sizeof(seg), &s, NULL, NULL, &end);
		assert_int_equal(end.records, 1);
		assert_string_equal(end.why, why[i]);
	}
	/* A segment too short for a header, or for a record. */
	s = (struct journal_chain){.next_seq = 1};
	journal_scan(seg, 10, &s, NULL, NULL, &end);
	assert_int_equal(end.stop, JOURNAL_STOP_FULL);
	s = (struct journal_chain){.next_seq = 1};
	journal_scan(seg, (size_t)a - 1, &s, NULL, NULL, &end);
	assert_int_equal(end.stop, JOURNAL_STOP_BAD);
	assert_int_equal(end.records, 0);
	/* The encoder refuses what it cannot hold. */
	c = (struct journal_chain){.next_seq = 1};
	assert_int_equal(enc(seg, 100, &c, 1, 1, 40), -EMSGSIZE);
	assert_int_equal(enc(seg, sizeof(seg), &c, 2, 1, 40), -EINVAL);
}

/* A redo list as a journal payload, end to end. */
static struct redo *seen_redo;
static int check_redo(void *ctx, const struct journal_record *r)
{
	(void)ctx;
	assert_int_equal(r->len, seen_redo->b.len);
	assert_memory_equal(r->payload, seen_redo->b.data, r->len);
	size_t n;
	assert_int_equal(redo_validate(r->payload, r->len, 20, &n), 0);
	assert_int_equal(n, seen_redo->ops);
	return 0;
}

static void test_redo_through_journal(void **state)
{
	struct jfx *f = *state;
	struct redo r = {0};
	redo_put(&r, 1, "key1", 4, "a task", 6);
	redo_del(&r, 12, "key2", 4);
	redo_drop(&r, 19);
	assert_int_equal(r.err, 0);
	struct journal *j = jopen(f, 0, NULL);
	struct iovec v = {r.b.data, r.b.len};
	assert_int_equal(journal_append(j, 1, 1, &v, 1), 0);
	journal_close(f->j);
	f->j = NULL;
	seen_redo = &r;
	assert_int_equal(journal_open(&f->j, f->dir, SEG, 0, check_redo, NULL),
			 0);
	redo_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_reopen_round_trip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gap_after_checkpoint,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_every_byte,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bit_flips, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_record_crosses_into_next_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trim_and_recycled_segments,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_refuses_one_record,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_sync_is_final,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_trim_while_appending,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_spare_ready, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_directory_contents, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_short_first_segment, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
		cmocka_unit_test(test_hostile_records),
		cmocka_unit_test_setup_teardown(test_redo_through_journal,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
