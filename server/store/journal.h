/*
 * The journal: the durable sequential log of the writer's batches (issue
 * 15; tests/bench/README-performance.md, "How the journal design would be
 * built", step 1). A batch is acknowledged once its record is appended and
 * fdatasync returned; a checkpoint later applies the batches to LMDB in one
 * large synced commit and trims the journal behind it. Independent of LMDB:
 * the payload is opaque bytes here (redo.h encodes a batch's ops).
 *
 * Files. A directory (production: `journal/` beside data.mdb) of segments
 * of a fixed size (JOURNAL_SEGMENT_DEFAULT, a parameter so tests use small
 * ones), each named by the sequence number of its first record,
 * `%016llx.jnl`. Segments are written in full with zeros when created (not
 * fallocate: unwritten extents make every fdatasync write extent metadata
 * too) and synced with their directory before use; a trimmed segment is
 * recycled, renamed to `spare-N.jnl`, and renamed again to the next
 * segment's name when the log reaches it, so a full segment costs a rename
 * and a directory sync, never a new 64 MiB file, as long as a spare is
 * ready (journal_prepare; open and trim keep one).
 *
 * Record (little-endian), never spanning two segments:
 *   0  u32 magic "CCJL"         4  u16 format version (1)   6  u16 0
 *   8  u32 payload length      12  u32 0
 *  16  u64 sequence number (the previous record's + 1)
 *  24  u64 first revision      32  u64 last revision
 *  40  16 bytes: the previous record's checksum (zeros for the first ever)
 *  56  payload
 *  56+len 16 bytes: BLAKE2b-128 (libsodium crypto_generichash) of the
 *      header and the payload.
 * A record too big for the current segment's room goes to the next; one
 * bigger than a whole segment is refused (-EMSGSIZE): the payload limit is
 * journal_max_payload(segment size), 64 MiB - 72 bytes by default.
 *
 * Reading. A record is valid when its magic, version, zero fields,
 * lengths (checked against the bytes left before use), checksum, sequence
 * (exactly the previous + 1; the first of a segment: the segment's name),
 * link (the previous record's checksum) and revisions (first <= last, first
 * >= the previous record's last: a batch that makes no revision repeats the
 * last one) hold. The first invalid record ends the log: it is a torn tail
 * (its fdatasync never returned, so nothing in it was acknowledged); every
 * byte after it is ignored, segments after it are recycled at open, and
 * the next append overwrites from there (unless valid newer records lie
 * after it: see journal_damaged). Stale records of a recycled
 * segment have older sequence numbers and the wrong link, so they are never
 * taken for new ones; nor is a record forged inside a payload: its link
 * would have to be the checksum of a record not yet written (or of the
 * very record holding it).
 *
 * Threads: journal_append on the writer thread, journal_trim and
 * journal_prepare on another (the checkpoint's); they share only the lists
 * of segments and spares, under a mutex never held across a sync.
 */
#ifndef CLUBCRM_JOURNAL_H
#define CLUBCRM_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define JOURNAL_SEGMENT_DEFAULT (64u << 20)
#define JOURNAL_SEGMENT_MIN 4096u
#define JOURNAL_SEGMENT_MAX (1u << 30)
#define JOURNAL_HEADER_LEN 56u
#define JOURNAL_SUM_LEN 16u
#define JOURNAL_RECORD_OVERHEAD (JOURNAL_HEADER_LEN + JOURNAL_SUM_LEN)
/* The most payload iovecs one append takes. */
#define JOURNAL_IOV_MAX 64
/* Spares kept beyond that are deleted. */
#define JOURNAL_SPARES_MAX 2u

static inline size_t journal_max_payload(size_t segment_size)
{
	return segment_size - JOURNAL_RECORD_OVERHEAD;
}

static inline size_t journal_record_size(size_t payload_len)
{
	return JOURNAL_RECORD_OVERHEAD + payload_len;
}

struct journal;

/* A record being replayed; payload valid during the callback only. */
struct journal_record {
	uint64_t seq;
	uint64_t first_rev;
	uint64_t last_rev;
	const uint8_t *payload;
	size_t len;
};

/* 0 to go on; anything else stops the scan and is returned. */
typedef int (*journal_record_fn)(void *ctx, const struct journal_record *r);

/*
 * Opens (creating the directory when missing) the journal in `dir` with
 * segments of `segment_size` bytes (JOURNAL_SEGMENT_MIN..MAX, a multiple
 * of 4096; existing segments keep their size), and calls `cb` in order for
 * every valid record with last_rev > after_rev (the revision the store's
 * last checkpoint holds). Appends then continue after the last valid
 * record. 0 and *out, or:
 *   -EINVAL  a bad segment size;
 *   -EIO     the journal starts after after_rev + 1: the records between
 *            the checkpoint and it are missing;
 *   the callback's return; a negative errno of the file system.
 */
int journal_open(struct journal **out, const char *dir, size_t segment_size,
		 uint64_t after_rev, journal_record_fn cb, void *ctx);
void journal_close(struct journal *j);

/*
 * Appends one record (the payload is the iovecs, together at most
 * journal_max_payload() bytes) with one pwritev and one fdatasync, and
 * returns 0 only after the fdatasync returned: the batch is then durable.
 * first_rev <= last_rev, first_rev >= the last record's last_rev (or
 * after_rev at open), else -EINVAL. A payload larger than a segment can
 * hold: -EMSGSIZE. Both leave the journal usable.
 * A write the full disk refuses (ENOSPC, EDQUOT, EFBIG) returns
 * CLUBCRM_EDISKFULL and leaves the journal usable: nothing of the record
 * counts and the next append writes from the same place. Any other failure
 * of a write, and any of a sync, rename or new segment, fails the journal
 * for good: this and every later append returns the same error
 * (CLUBCRM_EDISKFULL for a new segment the disk has no room for; else a
 * negative errno). A failed fsync is never retried: the kernel may have
 * dropped the dirty pages and a second fsync would report success
 * (PostgreSQL's fsyncgate).
 */
int journal_append(struct journal *j, uint64_t first_rev, uint64_t last_rev,
		   const struct iovec *iov, int iovcnt);

/*
 * After a checkpoint's synced commit of everything up to upto_rev:
 * recycles the oldest segments all of whose records have last_rev <=
 * upto_rev (never the one being written), then makes sure a spare is
 * ready. 0 or a negative errno (the journal itself stays usable).
 */
int journal_trim(struct journal *j, uint64_t upto_rev);
/* Makes sure a zero-filled or recycled spare segment is ready, so that the
 * append that fills a segment does not create one. 0 or a negative errno. */
int journal_prepare(struct journal *j);

/*
 * Whether open found checksum-valid records newer than the end of the log
 * after it: not a torn tail but damage (a bad record in the middle). Those
 * records were not replayed, though they may have been acknowledged; the
 * segment where the log ended was copied, and the later ones renamed, to
 * `damaged-NAME` for a person to look at. The caller should say so loudly.
 */
bool journal_damaged(const struct journal *j);
/* 0, or the error that failed the journal for good. */
int journal_failed(const struct journal *j);
/* The last record's sequence number and last revision (0: none yet). On
 * the writer's thread (or with appends stopped). */
uint64_t journal_last_seq(const struct journal *j);
uint64_t journal_last_rev(const struct journal *j);
/* Segments holding the log (named), and spares ready. */
size_t journal_segments(struct journal *j);
size_t journal_spares(struct journal *j);

/* Tests only: the sync call (fdatasync), to make it fail. */
void journal_set_sync(struct journal *j, int (*sync)(int fd));

/*
 * The record format over memory: one segment's bytes. For open and verify,
 * and for the fuzzer.
 */
struct journal_chain {
	uint64_t next_seq;    /* the sequence wanted; 0: any (a lone segment) */
	uint64_t last_rev;
	bool have_prev;       /* prev_sum and last_rev hold a record's */
	uint8_t prev_sum[JOURNAL_SUM_LEN];
};

enum journal_stop {
	JOURNAL_STOP_FULL = 1,  /* no room for another header */
	JOURNAL_STOP_ZERO,      /* an all-zero header: never written */
	JOURNAL_STOP_STALE,     /* a valid record of an older sequence: a
				   recycled segment's */
	JOURNAL_STOP_BAD,       /* anything else: a torn tail (why says) */
};

struct journal_end {
	size_t offset;          /* where the next record goes */
	size_t records;         /* valid records read */
	enum journal_stop stop;
	const char *why;        /* for JOURNAL_STOP_BAD */
};

/*
 * Reads the records of one segment's bytes from offset 0, following and
 * updating the chain, calling cb (may be NULL) for each valid one; stops at
 * the first invalid one (*end says where and why). 0, or cb's return.
 */
int journal_scan(const uint8_t *seg, size_t len, struct journal_chain *c,
		 journal_record_fn cb, void *ctx, struct journal_end *end);
/*
 * Encodes one record following the chain (and advances it) into out:
 * its size, or -EMSGSIZE (cap too small), -EINVAL (revisions).
 */
long journal_encode(uint8_t *out, size_t cap, struct journal_chain *c,
		    uint64_t first_rev, uint64_t last_rev,
		    const void *payload, size_t len);

/* `clubcrmd check`: reads the journal without changing anything. */
struct journal_verify_result {
	size_t segments;        /* named segments */
	size_t spares;
	size_t damaged;         /* `damaged-*` files an open kept aside */
	size_t records;         /* valid records */
	uint64_t first_seq, last_seq;   /* 0: no record */
	uint64_t first_rev, last_rev;
	char end_segment[32];   /* the file where the log ends ("" none) */
	struct journal_end end; /* where and why it ends */
	/* A checksum-valid record newer than the end lies after it (in the
	 * rest of that segment or a later one): not a torn tail but damage
	 * that lost acknowledged records. */
	bool follows;
	uint64_t follows_rev;   /* the newest last_rev among those */
	/* Valid records with last_rev > after_rev (the store's checkpoint):
	 * what a replay would apply. */
	size_t after;
};
/* 0 and *res (a torn tail is not an error: res says), or a negative
 * errno (-ENOENT: no such directory). Read only; safe beside a writer
 * appending, though what it reads then may race with the appends and the
 * recycling of segments (store_open_tool reads twice). */
int journal_verify(const char *dir, uint64_t after_rev,
		   struct journal_verify_result *res);

#endif
