#include "taskrow.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Where each field of Task and TaskRow goes. The tables are indexed by
 * field number; test_taskrow fails when either message gains a field, so
 * that a new field cannot be dropped here unnoticed.
 */
enum fkind { F_NONE, F_NUM, F_BOOL, F_STR, F_STRS, F_IDS, F_TASK };
enum { A_TAG_NAMES, A_TAG_COLOURS, A_TAG_IDS, A_COUNT };

struct fdesc {
	unsigned char kind;
	unsigned char width;  /* F_NUM: bytes of the value (4 or 8) */
	unsigned char arr;    /* F_STRS, F_IDS: which array */
	unsigned short has;   /* offset of has_X (F_NUM, F_BOOL) */
	unsigned short off;   /* offset of the value or pointer */
};

#define MEMBER_SIZE(T, f) sizeof(((T *)0)->f)
#define NUM(T, f) {F_NUM, MEMBER_SIZE(T, f), 0, offsetof(T, has_##f), offsetof(T, f)}
#define BOOLF(T, f) {F_BOOL, MEMBER_SIZE(T, f), 0, offsetof(T, has_##f), offsetof(T, f)}
#define STR(T, f) {F_STR, 0, 0, 0, offsetof(T, f)}

#define TASK_FIELDS 25u
#define ROW_FIELDS 17u

static const struct fdesc task_tab[TASK_FIELDS + 1] = {
	[1] = NUM(Clubcrm__Task, id),
	[2] = NUM(Clubcrm__Task, kind),
	[3] = STR(Clubcrm__Task, description),
	[4] = NUM(Clubcrm__Task, type_id),
	[5] = {F_IDS, 8, A_TAG_IDS, 0, 0},
	[6] = NUM(Clubcrm__Task, planned_at),
	[7] = NUM(Clubcrm__Task, operator_id),
	[8] = NUM(Clubcrm__Task, customer_id),
	[9] = NUM(Clubcrm__Task, creator_id),
	[10] = NUM(Clubcrm__Task, created_at),
	[11] = NUM(Clubcrm__Task, status),
	[12] = NUM(Clubcrm__Task, result_id),
	[13] = STR(Clubcrm__Task, closing_note),
	[14] = NUM(Clubcrm__Task, follows_id),
	[15] = NUM(Clubcrm__Task, taken_by),
	[16] = NUM(Clubcrm__Task, taken_at),
	[17] = NUM(Clubcrm__Task, create_rev),
	[18] = NUM(Clubcrm__Task, mod_rev),
	[19] = NUM(Clubcrm__Task, modified_at),
	[20] = NUM(Clubcrm__Task, modified_by),
	[21] = NUM(Clubcrm__Task, concluded_at),
	[22] = NUM(Clubcrm__Task, recurrence),
	[23] = NUM(Clubcrm__Task, repeat_until),
	[24] = NUM(Clubcrm__Task, repeat_count),
	[25] = NUM(Clubcrm__Task, repeat_anchor),
};

static const struct fdesc row_tab[ROW_FIELDS + 1] = {
	[1] = {F_TASK, 0, 0, 0, 0},
	[2] = STR(Clubcrm__TaskRow, type_name),
	[3] = STR(Clubcrm__TaskRow, customer_name),
	[4] = STR(Clubcrm__TaskRow, operator_login),
	[5] = STR(Clubcrm__TaskRow, operator_name),
	[6] = STR(Clubcrm__TaskRow, creator_login),
	[7] = STR(Clubcrm__TaskRow, creator_name),
	[8] = STR(Clubcrm__TaskRow, result_name),
	[9] = NUM(Clubcrm__TaskRow, outcome),
	[10] = NUM(Clubcrm__TaskRow, colour),
	[11] = BOOLF(Clubcrm__TaskRow, overdue),
	[12] = BOOLF(Clubcrm__TaskRow, priority),
	[13] = {F_STRS, 0, A_TAG_NAMES, 0, 0},
	[14] = STR(Clubcrm__TaskRow, taken_by_login),
	[15] = STR(Clubcrm__TaskRow, taken_by_name),
	[16] = BOOLF(Clubcrm__TaskRow, escalated),
	[17] = {F_STRS, 0, A_TAG_COLOURS, 0, 0},
};

_Static_assert(sizeof(protobuf_c_boolean) == 4, "has_ flags of 4 bytes");
_Static_assert(sizeof(Clubcrm__TaskRow) % 8 == 0 && sizeof(Clubcrm__Task) % 8 == 0,
	       "the block's parts stay aligned");

#define WT_VARINT 0u
#define WT_I64 1u
#define WT_LEN 2u
#define WT_SGROUP 3u
#define WT_EGROUP 4u
#define WT_I32 5u

struct rd {
	const uint8_t *p, *end;
	const char *why;
};

/* Pass 1 counts (fill false), pass 2 fills the block. */
struct blk {
	bool fill;
	bool has_task;
	unsigned tasks_seen;  /* in this pass */
	size_t n[A_COUNT];
	size_t chars;
	/* pass 2 */
	Clubcrm__Task *task;
	void *arr[A_COUNT];
	size_t at[A_COUNT];
	char *cp;
};

static int bad(struct rd *r, const char *why)
{
	r->why = why;
	return -EIO;
}

static inline int varint(struct rd *r, uint64_t *v)
{
	const uint8_t *p = r->p;
	if (p < r->end && *p < 0x80) {
		*v = *p;
		r->p = p + 1;
		return 0;
	}
	uint64_t x = 0;
	for (unsigned i = 0; i < 10; i++) {
		if (p == r->end)
			return bad(r, "a varint runs past the end");
		uint8_t b = *p++;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			r->p = p;
			return 0;
		}
	}
	return bad(r, "a varint over 10 bytes");
}

/* A varint checked and passed over, its value not needed (the sizing
 * pass). */
static inline int skip_varint(struct rd *r)
{
	const uint8_t *p = r->p;
	size_t left = (size_t)(r->end - p);
	size_t max = left < 10 ? left : 10;
	for (size_t i = 0; i < max; i++) {
		if (!(p[i] & 0x80)) {
			r->p = p + i + 1;
			return 0;
		}
	}
	return bad(r, max == 10 ? "a varint over 10 bytes"
				: "a varint runs past the end");
}

/* A field's key, as protobuf-c reads one: at most 5 bytes, a first byte
 * naming field 0 refused. */
static inline int key_of(struct rd *r, unsigned *field, unsigned *wt)
{
	const uint8_t *p = r->p;
	if (!(*p & 0xf8))
		return bad(r, "a key of field number 0");
	if (*p < 0x80) {  /* fields 1-15: one byte */
		*field = *p >> 3;
		*wt = *p & 7u;
		r->p = p + 1;
		return 0;
	}
	uint64_t x = 0;
	for (unsigned i = 0; i < 5; i++) {
		if (p == r->end)
			return bad(r, "a key runs past the end");
		uint8_t b = *p++;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			if (x >> 32 || !(x >> 3))
				return -EAGAIN;  /* protobuf-c's reading decides */
			*field = (unsigned)(x >> 3);
			*wt = (unsigned)(x & 7);
			r->p = p;
			return 0;
		}
	}
	return bad(r, "a key over 5 bytes");
}

/* A length-delimited field's bytes (protobuf-c reads at most 5 bytes of
 * length). */
static int len_bytes(struct rd *r, const uint8_t **s, size_t *n)
{
	uint64_t len;
	const uint8_t *start = r->p;
	int rc = varint(r, &len);
	if (rc)
		return rc;
	if (r->p - start > 5)
		return bad(r, "a length over 5 bytes");
	if (len > (uint64_t)(r->end - r->p))
		return bad(r, "a length past the end");
	*s = r->p;
	*n = (size_t)len;
	r->p += len;
	return 0;
}

static int skip(struct rd *r, unsigned wt)
{
	uint64_t v;
	const uint8_t *s;
	size_t n;
	switch (wt) {
	case WT_VARINT:
		return varint(r, &v);
	case WT_I64:
	case WT_I32:
		n = wt == WT_I64 ? 8 : 4;
		if ((size_t)(r->end - r->p) < n)
			return bad(r, "a fixed-size field past the end");
		r->p += n;
		return 0;
	case WT_LEN:
		return len_bytes(r, &s, &n);
	case WT_SGROUP:
	case WT_EGROUP:
		return -EAGAIN;  /* groups: protobuf-c's reading decides */
	default:
		return bad(r, "a key of an unknown wire type");
	}
}

static void store_num(void *msg, const struct fdesc *d, uint64_t v)
{
	char *base = msg;
	protobuf_c_boolean yes = 1;
	memcpy(base + d->has, &yes, sizeof(yes));
	if (d->kind == F_BOOL) {
		protobuf_c_boolean b = v != 0;
		memcpy(base + d->off, &b, sizeof(b));
	} else if (d->width == 8) {
		memcpy(base + d->off, &v, 8);
	} else {
		uint32_t w = (uint32_t)v;
		memcpy(base + d->off, &w, 4);
	}
}

static char *put_chars(struct blk *b, const uint8_t *s, size_t n)
{
	char *out = b->cp;
	memcpy(out, s, n);
	out[n] = '\0';
	b->cp += n + 1;
	return out;
}

static int walk(struct rd *r, const struct fdesc *tab, unsigned n_tab,
		void *msg, struct blk *b)
{
	while (r->p < r->end) {
		unsigned field, wt;
		int rc = key_of(r, &field, &wt);
		if (rc)
			return rc;
		const struct fdesc *d = field <= n_tab ? &tab[field] : NULL;
		if (!d || d->kind == F_NONE) {
			rc = skip(r, wt);
			if (rc)
				return rc;
			continue;
		}
		uint64_t v;
		const uint8_t *s;
		size_t n;
		switch (d->kind) {
		case F_NUM:
		case F_BOOL:
			/* protobuf-c reads a bool of any wire type (its bytes
			 * not all zero): its reading decides (fuzz_taskrow). */
			if (wt != WT_VARINT && d->kind == F_BOOL)
				return -EAGAIN;
			if (wt != WT_VARINT)
				return bad(r, "a number field of the wrong wire type");
			if (!b->fill) {
				if ((rc = skip_varint(r)))
					return rc;
				break;
			}
			if ((rc = varint(r, &v)))
				return rc;
			store_num(msg, d, v);
			break;
		case F_IDS:
			if (wt == WT_VARINT) {
				if (!b->fill) {
					if ((rc = skip_varint(r)))
						return rc;
					b->n[d->arr]++;
					break;
				}
				if ((rc = varint(r, &v)))
					return rc;
				((uint64_t *)b->arr[d->arr])[b->at[d->arr]++] = v;
				break;
			}
			if (wt != WT_LEN)
				return bad(r, "a repeated number of the wrong wire type");
			if ((rc = len_bytes(r, &s, &n)))
				return rc;
			struct rd in = {s, s + n, NULL};
			while (in.p < in.end) {
				if (!b->fill) {
					if ((rc = skip_varint(&in))) {
						r->why = in.why;
						return rc;
					}
					b->n[d->arr]++;
					continue;
				}
				if ((rc = varint(&in, &v))) {
					r->why = in.why;
					return rc;
				}
				((uint64_t *)b->arr[d->arr])[b->at[d->arr]++] = v;
			}
			break;
		case F_STR:
		case F_STRS:
			if (wt != WT_LEN)
				return bad(r, "a string of the wrong wire type");
			if ((rc = len_bytes(r, &s, &n)))
				return rc;
			if (!b->fill) {
				b->chars += n + 1;
				if (d->kind == F_STRS)
					b->n[d->arr]++;
			} else if (d->kind == F_STR) {
				char *str = put_chars(b, s, n);
				memcpy((char *)msg + d->off, &str, sizeof(str));
			} else {
				((char **)b->arr[d->arr])[b->at[d->arr]++] =
					put_chars(b, s, n);
			}
			break;
		case F_TASK:
			if (wt != WT_LEN)
				return bad(r, "a task of the wrong wire type");
			if ((rc = len_bytes(r, &s, &n)))
				return rc;
			if (++b->tasks_seen > 1)
				return -EAGAIN;  /* merged by protobuf-c */
			b->has_task = true;
			struct rd t = {s, s + n, NULL};
			rc = walk(&t, task_tab, TASK_FIELDS, b->task, b);
			if (rc) {
				r->why = t.why;
				return rc;
			}
			break;
		}
	}
	return 0;
}

/*
 * Rows up to this many bytes (all of a board's, bar long descriptions) are
 * decoded in one pass into a scratch block on the stack whose regions are
 * bounded by the input (an id takes at least a byte, a repeated string two,
 * a string's characters one each), then copied into a block of their exact
 * size; longer ones are sized by a first pass.
 */
#define SCRATCH_ROW_MAX 1024u
#define SCRATCH_WORDS                                                     \
	((sizeof(Clubcrm__TaskRow) + sizeof(Clubcrm__Task) +               \
	  SCRATCH_ROW_MAX * 8u + 2u * (SCRATCH_ROW_MAX / 2u + 1u) * 8u +   \
	  SCRATCH_ROW_MAX + SCRATCH_ROW_MAX / 2u + 1u) / 8u + 1u)

/* Moves a pointer into the scratch chars to the same place in the block. */
static char *moved(char *s, const char *from, char *to)
{
	return s ? to + (s - from) : NULL;
}

static void move_strings(void *msg, const struct fdesc *tab, unsigned n_tab,
			 const char *from, char *to)
{
	for (unsigned f = 1; f <= n_tab; f++) {
		if (tab[f].kind != F_STR)
			continue;
		char *str;
		memcpy(&str, (char *)msg + tab[f].off, sizeof(str));
		str = moved(str, from, to);
		memcpy((char *)msg + tab[f].off, &str, sizeof(str));
	}
}

static int decode_one_pass(const uint8_t *p, size_t len,
			   Clubcrm__TaskRow **out, const char **why)
{
	uint64_t scratch[SCRATCH_WORDS];
	char *at = (char *)scratch;
	Clubcrm__TaskRow *row = (Clubcrm__TaskRow *)at;
	clubcrm__task_row__init(row);
	at += sizeof(*row);
	struct blk b = {.fill = true};
	b.task = (Clubcrm__Task *)at;
	clubcrm__task__init(b.task);
	at += sizeof(*b.task);
	b.arr[A_TAG_IDS] = at;
	at += len * sizeof(uint64_t);
	b.arr[A_TAG_NAMES] = at;
	at += (len / 2 + 1) * sizeof(char *);
	b.arr[A_TAG_COLOURS] = at;
	at += (len / 2 + 1) * sizeof(char *);
	char *chars = at;
	b.cp = chars;
	struct rd r = {p, p + len, NULL};
	int rc = walk(&r, row_tab, ROW_FIELDS, row, &b);
	if (rc) {
		if (why)
			*why = rc == -EAGAIN ? "left to protobuf-c" : r.why;
		return rc;
	}
	size_t n_ids = b.at[A_TAG_IDS], n_names = b.at[A_TAG_NAMES];
	size_t n_cols = b.at[A_TAG_COLOURS], n_chars = (size_t)(b.cp - chars);
	size_t size = sizeof(*row) + (b.has_task ? sizeof(*b.task) : 0) +
		      n_ids * sizeof(uint64_t) +
		      (n_names + n_cols) * sizeof(char *) + n_chars;
	char *blk = malloc(size);
	if (!blk) {
		if (why)
			*why = "out of memory";
		return -ENOMEM;
	}
	Clubcrm__TaskRow *nrow = (Clubcrm__TaskRow *)blk;
	char *to = blk + sizeof(*row);
	Clubcrm__Task *ntask = NULL;
	if (b.has_task) {
		ntask = (Clubcrm__Task *)to;
		to += sizeof(*ntask);
	}
	uint64_t *ids = (uint64_t *)to;
	to += n_ids * sizeof(uint64_t);
	char **names = (char **)to;
	to += n_names * sizeof(char *);
	char **cols = (char **)to;
	to += n_cols * sizeof(char *);
	char *nchars = to;
	memcpy(nrow, row, sizeof(*row));
	memcpy(nchars, chars, n_chars);
	move_strings(nrow, row_tab, ROW_FIELDS, chars, nchars);
	nrow->task = ntask;
	nrow->n_tag_names = n_names;
	nrow->tag_names = n_names ? names : NULL;
	for (size_t i = 0; i < n_names; i++)
		names[i] = moved(((char **)b.arr[A_TAG_NAMES])[i], chars, nchars);
	nrow->n_tag_colours = n_cols;
	nrow->tag_colours = n_cols ? cols : NULL;
	for (size_t i = 0; i < n_cols; i++)
		cols[i] = moved(((char **)b.arr[A_TAG_COLOURS])[i], chars, nchars);
	if (ntask) {
		memcpy(ntask, b.task, sizeof(*ntask));
		move_strings(ntask, task_tab, TASK_FIELDS, chars, nchars);
		ntask->n_tag_ids = n_ids;
		ntask->tag_ids = n_ids ? ids : NULL;
		if (n_ids)
			memcpy(ids, b.arr[A_TAG_IDS], n_ids * sizeof(uint64_t));
	}
	*out = nrow;
	return 0;
}

int taskrow_decode(const uint8_t *p, size_t len, Clubcrm__TaskRow **out,
		   const char **why)
{
	if (len <= SCRATCH_ROW_MAX)
		return decode_one_pass(p, len, out, why);
	struct blk b = {.fill = false};
	struct rd r = {p, p + len, NULL};
	int rc = walk(&r, row_tab, ROW_FIELDS, NULL, &b);
	if (rc) {
		if (why)
			*why = rc == -EAGAIN ? "left to protobuf-c" : r.why;
		return rc;
	}
	size_t size = sizeof(Clubcrm__TaskRow) +
		      (b.has_task ? sizeof(Clubcrm__Task) : 0) +
		      b.n[A_TAG_IDS] * sizeof(uint64_t) +
		      (b.n[A_TAG_NAMES] + b.n[A_TAG_COLOURS]) * sizeof(char *) +
		      b.chars;
	char *blk = malloc(size);
	if (!blk) {
		if (why)
			*why = "out of memory";
		return -ENOMEM;
	}
	Clubcrm__TaskRow *row = (Clubcrm__TaskRow *)blk;
	clubcrm__task_row__init(row);
	char *at = blk + sizeof(*row);
	if (b.has_task) {
		b.task = (Clubcrm__Task *)at;
		clubcrm__task__init(b.task);
		at += sizeof(*b.task);
		row->task = b.task;
	}
	b.arr[A_TAG_IDS] = at;
	at += b.n[A_TAG_IDS] * sizeof(uint64_t);
	b.arr[A_TAG_NAMES] = at;
	at += b.n[A_TAG_NAMES] * sizeof(char *);
	b.arr[A_TAG_COLOURS] = at;
	at += b.n[A_TAG_COLOURS] * sizeof(char *);
	b.cp = at;
	b.fill = true;
	b.tasks_seen = 0;
	r = (struct rd){p, p + len, NULL};
	rc = walk(&r, row_tab, ROW_FIELDS, row, &b);
	if (rc) {  /* the same bytes passed the first time */
		free(blk);
		if (why)
			*why = "the row changed while decoded";
		return -EIO;
	}
	if (b.has_task && b.n[A_TAG_IDS]) {
		b.task->n_tag_ids = b.n[A_TAG_IDS];
		b.task->tag_ids = b.arr[A_TAG_IDS];
	}
	if (b.n[A_TAG_NAMES]) {
		row->n_tag_names = b.n[A_TAG_NAMES];
		row->tag_names = b.arr[A_TAG_NAMES];
	}
	if (b.n[A_TAG_COLOURS]) {
		row->n_tag_colours = b.n[A_TAG_COLOURS];
		row->tag_colours = b.arr[A_TAG_COLOURS];
	}
	*out = row;
	return 0;
}

/* protobuf-c's row, packed without its unknown fields, decoded by hand. */
static int repack(Clubcrm__TaskRow *m, Clubcrm__TaskRow **out,
		  const char **why)
{
	size_t nu_row = m->base.n_unknown_fields;
	size_t nu_task = m->task ? m->task->base.n_unknown_fields : 0;
	m->base.n_unknown_fields = 0;
	if (m->task)
		m->task->base.n_unknown_fields = 0;
	size_t len = clubcrm__task_row__get_packed_size(m);
	uint8_t *tmp = malloc(len ? len : 1);
	int rc = -ENOMEM;
	if (tmp) {
		clubcrm__task_row__pack(m, tmp);
		rc = taskrow_decode(tmp, len, out, why);
		free(tmp);
	} else if (why) {
		*why = "out of memory";
	}
	m->base.n_unknown_fields = nu_row;
	if (m->task)
		m->task->base.n_unknown_fields = nu_task;
	if (rc == -EAGAIN) {  /* protobuf-c's own output: cannot happen */
		if (why)
			*why = "protobuf-c's encoding of the row not decoded";
		rc = -EIO;
	}
	return rc;
}

int taskrow_decode_any(const uint8_t *p, size_t len, Clubcrm__TaskRow **out,
		       const char **why)
{
	int rc = taskrow_decode(p, len, out, why);
	if (rc != -EAGAIN)
		return rc;
	Clubcrm__TaskRow *m = clubcrm__task_row__unpack(NULL, len, p);
	if (!m) {
		if (why)
			*why = "a malformed row (protobuf-c)";
		return -EIO;
	}
	rc = repack(m, out, why);
	clubcrm__task_row__free_unpacked(m, NULL);
	return rc;
}

Clubcrm__TaskRow *taskrow_copy(const Clubcrm__TaskRow *row)
{
	size_t len = clubcrm__task_row__get_packed_size(row);
	uint8_t *tmp = malloc(len ? len : 1);
	if (!tmp)
		return NULL;
	clubcrm__task_row__pack(row, tmp);
	Clubcrm__TaskRow *copy = NULL;
	if (taskrow_decode_any(tmp, len, &copy, NULL))
		copy = NULL;
	free(tmp);
	return copy;
}

void taskrow_free(Clubcrm__TaskRow *row)
{
	free(row);
}
