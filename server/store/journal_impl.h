/*
 * Inside the journal (journal.h), shared by its three files: the record
 * format (journal_record.c), the directory and its scan (journal_dir.c),
 * and appends, segments and spares (journal.c). Nothing else includes it.
 */
#ifndef CLUBCRM_JOURNAL_IMPL_H
#define CLUBCRM_JOURNAL_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "journal.h"

/* --- the record format (journal_record.c) --- */

/* Writes a record's header, linked to the chain's last record. */
void journal_rec_header(uint8_t *h, const struct journal_chain *c,
			uint64_t seq, uint64_t first_rev, uint64_t last_rev,
			size_t len);
/* BLAKE2b-128 of a header and the payload's iovecs. */
void journal_rec_sum(uint8_t sum[JOURNAL_SUM_LEN], const uint8_t *h,
		     const struct iovec *iov, int iovcnt);
/* Whether a record may follow the chain with these revisions. */
bool journal_rec_revs_ok(const struct journal_chain *c, uint64_t first,
			 uint64_t last);
/* The chain after a record. */
void journal_rec_advance(struct journal_chain *c, uint64_t seq,
			 uint64_t last_rev, const uint8_t *sum);
/* Whether a checksum-valid record newer than last_seq lies in seg from
 * offset `from` on (at any byte: its start is not known). With newest_rev,
 * all are looked at, the largest last revision among them kept there
 * (raised, never lowered). */
bool journal_rec_newer(const uint8_t *seg, size_t len, size_t from,
		       uint64_t last_seq, uint64_t *newest_rev);

/* --- the directory (journal_dir.c) --- */

void journal_seg_name(char *out, size_t n, uint64_t seq);
void journal_spare_name(char *out, size_t n, uint64_t id, bool tmp);
/* Appends to a growable array of u64. 0 or -ENOMEM. */
int journal_push_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x);
/* Writes bytes off..end of the file: from[off..end), or zeros when from is
 * NULL; short writes go on. 0 or a negative errno. */
int journal_write_all(int fd, const uint8_t *from, size_t off, size_t end);

/* The directory's segments (sorted), spares and leftover temporary files. */
struct journal_listing {
	uint64_t *segs, *spares, *tmps;
	size_t n_segs, n_spares, n_tmps;
	size_t cap_segs, cap_spares, cap_tmps;
	size_t n_damaged;  /* `damaged-*` files kept for a person */
};

int journal_list_dir(int dirfd, struct journal_listing *l);
void journal_listing_free(struct journal_listing *l);

/* A file of the directory mapped read-only (len 0: empty, map NULL). */
struct journal_map {
	const uint8_t *map;
	size_t len;
};

int journal_map_file(int dirfd, const char *name, struct journal_map *m);
void journal_unmap_file(struct journal_map *m);

/*
 * The log over a directory's segments: the first segment's records from
 * its name on, then each next segment named by the next sequence number
 * while it adds records. Per segment scanned: its last revision and
 * whether it holds records.
 */
struct journal_dirscan {
	size_t end_idx;        /* the segment where the log ends */
	size_t scanned;        /* segments holding the log (0 or end_idx+1) */
	struct journal_end end;
	struct journal_chain chain;
	uint64_t first_seq, first_rev;
	size_t records;
	uint64_t *last_revs;   /* per segment of the log */
	bool *has_records;
};

int journal_scan_dir(int dirfd, const struct journal_listing *l,
		     journal_record_fn cb, void *ctx,
		     struct journal_dirscan *s);
void journal_dirscan_free(struct journal_dirscan *s);
/* Whether a checksum-valid record newer than the log's end lies after it:
 * in the rest of the segment where it ends, or in a later segment. With
 * newest_rev (0 on entry), the largest last revision of those records. */
int journal_records_follow(int dirfd, const struct journal_listing *l,
			   const struct journal_dirscan *s, bool *follows,
			   uint64_t *newest_rev);
/*
 * Keeps damaged segments for a person to look at: `damaged-NAME`, the
 * segment where the log ends copied, the later ones renamed; then zeros
 * the end segment's tail from end_off, so that its old records are not
 * found again after the next appends, and syncs the directory.
 */
int journal_keep_damaged(int dirfd, const struct journal_listing *l,
			 size_t end_idx, size_t end_off);

/* The scan's callback at open and verify: checks that the log starts at
 * most one revision after the checkpoint, passes on the records after it. */
struct journal_replay {
	journal_record_fn cb;
	void *ctx;
	uint64_t after_rev;
	bool first_seen;
	uint64_t first_rev;  /* the first record's */
};

int journal_replay_one(void *ctx, const struct journal_record *r);
/* The journal's directory (created, and its entry synced, with create). */
int journal_open_dir(const char *dir, bool create);

#endif
