/*
 * libFuzzer harness for the journal's reader (server/store/journal.h) over
 * one segment's bytes, and for the redo decoder (redo.h).
 *
 * Input: byte 0 picks the mode (bit 0: the segment's first record must be
 * sequence 1 with no link, else any; bits 1-5: the number of databases the
 * redo decoder allows), the rest is the segment. Every record the reader
 * takes lies inside the segment and is re-encoded, after the first, to the
 * very same bytes (the format is canonical: nothing unchecked rides along);
 * its payload, when it is a valid redo list, decodes and encodes again to
 * the same bytes. The rest of the input is also fed to the redo decoder
 * as it stands.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "redo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_journal: %s\n", what);
	abort();
}

/* Decodes a redo list, and when it is valid, encodes it again. */
static void redo_check(const uint8_t *p, size_t len, unsigned n_dbs)
{
	struct redo_reader rd;
	struct redo_op op;
	struct redo again = {0};
	size_t ops = 0;
	int rc;
	redo_reader_init(&rd, p, len, n_dbs);
	while ((rc = redo_next(&rd, &op)) == 1) {
		if (op.db >= n_dbs || rd.off > len)
			fail("an op out of bounds");
		if (op.kind == REDO_PUT)
			redo_put(&again, op.db, op.key, op.klen, op.val, op.vlen);
		else if (op.kind == REDO_DEL)
			redo_del(&again, op.db, op.key, op.klen);
		else
			redo_drop(&again, op.db);
		ops++;
	}
	size_t n = 0;
	int v = redo_validate(p, len, n_dbs, &n);
	if (rc == 0) {
		if (again.err || again.ops != ops || again.b.len != len ||
		    (len && memcmp(again.b.data, p, len) != 0))
			fail("a redo list does not encode to its own bytes");
		if (v != 0 || n != ops)
			fail("redo_validate disagrees with redo_next");
	} else if (rc != -EIO || !rd.why || v != -EIO) {
		fail("a bad redo list without -EIO and a reason");
	}
	redo_free(&again);
}

struct seen {
	const uint8_t *seg;
	size_t len;
	size_t records;
	unsigned n_dbs;
	struct journal_chain before;  /* the chain before this record */
	uint8_t *scratch;
};

static int on_record(void *ctx, const struct journal_record *r)
{
	struct seen *s = ctx;
	size_t size = journal_record_size(r->len);
	const uint8_t *start = r->payload - JOURNAL_HEADER_LEN;
	if (start < s->seg || r->len > s->len ||
	    (size_t)(start - s->seg) > s->len - size)
		fail("a record outside the segment");
	if (r->first_rev > r->last_rev)
		fail("revisions backwards");
	if (s->before.have_prev) {
		struct journal_chain c = s->before;
		long n = journal_encode(s->scratch, s->len, &c, r->first_rev,
					r->last_rev, r->payload, r->len);
		if (n != (long)size || memcmp(s->scratch, start, size) != 0 ||
		    c.next_seq != r->seq + 1)
			fail("a record does not encode to its own bytes");
	}
	/* What the scan will have after this record (journal_scan updates
	 * its chain after the callback). */
	s->before.next_seq = r->seq + 1;
	s->before.last_rev = r->last_rev;
	s->before.have_prev = true;
	memcpy(s->before.prev_sum, start + size - JOURNAL_SUM_LEN,
	       JOURNAL_SUM_LEN);
	redo_check(r->payload, r->len, s->n_dbs);
	s->records++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned mode = data[0];
	const uint8_t *seg = data + 1;
	size_t len = size - 1;
	struct journal_chain c = {.next_seq = (mode & 1) ? 1 : 0};
	struct seen s = {
		.seg = seg, .len = len, .n_dbs = ((mode >> 1) & 31) + 1,
		.before = c, .scratch = malloc(len + 1),
	};
	if (!s.scratch)
		return 0;
	struct journal_end end;
	if (journal_scan(seg, len, &c, on_record, &s, &end) != 0)
		fail("journal_scan failed without a callback error");
	if (end.records != s.records || end.offset > len)
		fail("the end does not match the records");
	if (end.stop < JOURNAL_STOP_FULL || end.stop > JOURNAL_STOP_BAD ||
	    (end.stop == JOURNAL_STOP_BAD && !end.why))
		fail("an end without a reason");
	if (s.records && (c.next_seq != s.before.next_seq ||
			  c.last_rev != s.before.last_rev ||
			  memcmp(c.prev_sum, s.before.prev_sum,
				 JOURNAL_SUM_LEN) != 0))
		fail("the chain after the scan is not the last record's");
	free(s.scratch);
	redo_check(seg, len, s.n_dbs);
	return 0;
}
