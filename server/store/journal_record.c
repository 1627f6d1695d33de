/*
 * The journal's record format (journal.h): encoding, checksums, and the
 * reader of one segment's bytes, which treats them as hostile.
 */
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "journal_impl.h"

#define MAGIC 0x4c4a4343u  /* "CCJL" */
#define VERSION 1u

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

void journal_rec_header(uint8_t *h, const struct journal_chain *c,
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

void journal_rec_sum(uint8_t sum[JOURNAL_SUM_LEN], const uint8_t *h,
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
bool journal_rec_revs_ok(const struct journal_chain *c, uint64_t first,
			 uint64_t last)
{
	return first <= last && (!c->have_prev || first >= c->last_rev);
}

void journal_rec_advance(struct journal_chain *c, uint64_t seq,
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
	if (!journal_rec_revs_ok(c, first_rev, last_rev) || len > UINT32_MAX)
		return -EINVAL;
	if (len > LONG_MAX - JOURNAL_RECORD_OVERHEAD ||
	    cap < journal_record_size(len))
		return -EMSGSIZE;
	uint64_t seq = c->next_seq ? c->next_seq : 1;
	journal_rec_header(out, c, seq, first_rev, last_rev, len);
	if (len)
		memcpy(out + JOURNAL_HEADER_LEN, payload, len);
	struct iovec v = {out + JOURNAL_HEADER_LEN, len};
	uint8_t *sum = out + JOURNAL_HEADER_LEN + len;
	journal_rec_sum(sum, out, &v, 1);
	journal_rec_advance(c, seq, last_rev, sum);
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
	journal_rec_sum(sum, p, &v, 1);
	if (sodium_memcmp(sum, p + JOURNAL_HEADER_LEN + len,
			  JOURNAL_SUM_LEN) != 0) {
		*why = "checksum mismatch";
		return 0;
	}
	return journal_record_size(len);
}

/* libsodium picks its fastest BLAKE2b at init; the hash needs no
 * randomness and works without it, so a failure changes nothing. */
static void hash_init(void)
{
	int rc = sodium_init();
	(void)rc;
}

int journal_scan(const uint8_t *seg, size_t len, struct journal_chain *c,
		 journal_record_fn cb, void *ctx, struct journal_end *end)
{
	hash_init();
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
		if (!journal_rec_revs_ok(c, r.first_rev, r.last_rev)) {
			end->why = "revisions go backwards";
			return 0;
		}
		if (cb) {
			int rc = cb(ctx, &r);
			if (rc)
				return rc;
		}
		journal_rec_advance(c, r.seq, r.last_rev, p + size - JOURNAL_SUM_LEN);
		end->records++;
		off += size;
	}
}

/* Whether a checksum-valid record newer than last_seq lies in seg from
 * offset `from` on (at any byte: its start is not known). With newest_rev,
 * every one is looked at and the largest last revision among them is kept
 * there (raised, never lowered). */
bool journal_rec_newer(const uint8_t *seg, size_t len, size_t from,
		       uint64_t last_seq, uint64_t *newest_rev)
{
	bool found = false;
	for (size_t off = from; off + JOURNAL_RECORD_OVERHEAD <= len; off++) {
		const uint8_t *p = seg + off;
		if (p[0] != (uint8_t)MAGIC || get32(p) != MAGIC)
			continue;
		const char *why;
		if (!record_check(p, len - off, &why) ||
		    get64(p + 16) <= last_seq)
			continue;
		found = true;
		if (!newest_rev)
			break;
		if (get64(p + 32) > *newest_rev)
			*newest_rev = get64(p + 32);
	}
	return found;
}
