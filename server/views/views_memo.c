/*
 * The fan-out's memory of what task rows show of each catalogue entry, so
 * that a catalogue edit re-sends only the rows whose display changes.
 */
#include "views_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

/*
 * What rows showed of each catalogue entry, as last sent: a fingerprint of
 * the fields rows.c puts into a TaskRow (a type's name and priority flag, a
 * result's name and outcome, a tag's name and colour, an operator's login,
 * name and teams, which team filters match on; a customer's name). An edit
 * whose new image has the same fingerprint (a password reset, a phone
 * number, a type's follow-ons) re-sends no row: the protocol promises each
 * change once. An entry not remembered (first edit since the start, or
 * after commits the fan-out did not load) re-sends its rows, as is always
 * correct.
 *
 * The state of whoever runs a fan-out (the server's, struct subs_fanout),
 * passed to every load: two servers in one process keep two. Used by one
 * thread at a time, like the fan-out; one store at a time. It is valid
 * only for the revision after the last one loaded, in the same store: the
 * change log's bytes at that revision are hashed to tell another store (or
 * a history the fan-out skipped) from the one remembered.
 */
enum memo_kind { MEMO_TYPE = 1, MEMO_RESULT, MEMO_TAG, MEMO_OPERATOR,
		 MEMO_CUSTOMER };

struct memo_slot {
	uint64_t id;
	uint64_t fp;
	uint8_t kind;  /* enum memo_kind; 0: a free slot */
};

struct views_memo {
	struct store *st;
	bool valid;     /* what follows is the store's state at `rev` */
	uint64_t rev;   /* the last revision remembered */
	uint64_t tag;   /* hash of the change log's bytes at `rev` */
	struct memo_slot *slots;
	size_t n, cap;
};

struct views_memo *views_memo_new(void)
{
	return calloc(1, sizeof(struct views_memo));
}

void views_memo_free(struct views_memo *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const uint8_t *b = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return h;
}

static uint64_t fp_u64(uint64_t h, uint64_t v)
{
	uint8_t b[8];
	key_u64(b, v);
	return fnv(h, b, sizeof(b));
}

/* A string with its length, so that ("ab", "c") differs from ("a", "bc"). */
static uint64_t fp_str(uint64_t h, const char *s)
{
	size_t len = s ? strlen(s) + 1 : 0;
	h = fp_u64(h, len);
	return s ? fnv(h, s, len) : h;
}

#define FP_INIT UINT64_C(0xcbf29ce484222325)

static void memo_forget(struct views_memo *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static size_t memo_hash(uint8_t kind, uint64_t id, size_t cap)
{
	uint64_t h = (id ^ ((uint64_t)kind << 58)) * UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(h >> 32) & (cap - 1);
}

static int memo_grow(struct views_memo *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct memo_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].kind)
			continue;
		size_t j = memo_hash(m->slots[i].kind, m->slots[i].id, cap);
		while (slots[j].kind)
			j = (j + 1) & (cap - 1);
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

/* True when rows showed entry (kind, id) as `fp` already; remembers `fp`.
 * Without a valid memory (or memory for it), false: rows go again. */
static bool memo_same(struct views_memo *m, enum memo_kind kind, uint64_t id,
		      uint64_t fp)
{
	if (!m || !m->valid)
		return false;
	if (m->n * 2 >= m->cap && memo_grow(m)) {
		memo_forget(m);
		return false;
	}
	size_t i = memo_hash((uint8_t)kind, id, m->cap);
	for (; m->slots[i].kind; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].kind == kind && m->slots[i].id == id) {
			bool same = m->slots[i].fp == fp;
			m->slots[i].fp = fp;
			return same;
		}
	}
	m->slots[i] =
		(struct memo_slot){.id = id, .fp = fp, .kind = (uint8_t)kind};
	m->n++;
	return false;
}

/* Hash of the change log's bytes at `rev` (1: none there), 0 on error. */
static uint64_t changelog_tag(struct txn *t, uint64_t rev)
{
	uint8_t key[8];
	struct txn_val v;
	key_u64(key, rev);
	int rc = txn_get(t, DB_CHANGES, key, sizeof(key), &v);
	if (rc)
		return rc == -ENOENT ? 1 : 0;
	return fnv(fp_u64(FP_INIT, v.len), v.data, v.len) | 2;
}

/* The memory holds store `st` at m->rev, which `t` has reached. */
static bool memo_holds(struct views_memo *m, struct store *st, struct txn *t)
{
	return m->valid && m->st == st && m->rev <= txn_revision(t) &&
	       changelog_tag(t, m->rev) == m->tag;
}

/* Remembers what rows show of every catalogue entry at t's revision: a
 * pass over the catalogue, at the start and after a gap. */
static int memo_prime(struct views_memo *m, struct store *st, struct txn *t)
{
	static const struct {
		enum store_db db;
		const ProtobufCMessageDescriptor *d;
		Clubcrm__Event__RecordCase rc;
	} dbs[] = {
		{DB_TASK_TYPES, &clubcrm__task_type__descriptor,
		 CLUBCRM__EVENT__RECORD_TASK_TYPE},
		{DB_RESULTS, &clubcrm__result__descriptor,
		 CLUBCRM__EVENT__RECORD_RESULT},
		{DB_TAGS, &clubcrm__tag__descriptor, CLUBCRM__EVENT__RECORD_TAG},
		{DB_OPERATORS, &clubcrm__operator__descriptor,
		 CLUBCRM__EVENT__RECORD_OPERATOR},
		{DB_CUSTOMERS, &clubcrm__customer__descriptor,
		 CLUBCRM__EVENT__RECORD_CUSTOMER},
	};
	memo_forget(m);
	m->st = st;
	m->valid = true;
	struct arena a;
	arena_init(&a);
	int rc = 0;
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]) && !rc; i++) {
		struct txn_cursor c;
		rc = txn_cursor_open(&c, t, dbs[i].db);
		for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0;
		     rc = txn_cursor_next(&c)) {
			Clubcrm__Event ev = CLUBCRM__EVENT__INIT;
			ev.record_case = dbs[i].rc;
			rc = txn_cursor_msg(&c, dbs[i].d, &a, (void **)&ev.task);
			if (rc)
				break;
			views_memo_shown_same(m, &ev);
			arena_reset(&a);
		}
		txn_cursor_close(&c);
		rc = rc == -ENOENT ? 0 : rc;
	}
	arena_free(&a);
	m->rev = txn_revision(t);
	m->tag = changelog_tag(t, m->rev);
	if (rc || !m->tag || !m->valid) {
		memo_forget(m);
		return rc ? rc : -ENOMEM;
	}
	return 0;
}

/* Change sets the memory skipped, read from the change log up to `upto`
 * (a few: each commit nobody watched). -E2BIG when a pass is cheaper. */
static int memo_advance(struct views_memo *m, struct txn *t, uint64_t upto)
{
	if (upto - m->rev > 1000)
		return -E2BIG;
	struct arena a;
	arena_init(&a);
	int rc = 0;
	for (uint64_t r = m->rev + 1; r <= upto && !rc; r++) {
		Clubcrm__ChangeSet *cs;
		rc = txn_get_rec(t, DB_CHANGES, r,
				 &clubcrm__change_set__descriptor, &a,
				 (void **)&cs);
		for (size_t i = 0; !rc && i < cs->n_events; i++)
			if (cs->events[i]->record_case !=
			    CLUBCRM__EVENT__RECORD_TASK)
				views_memo_shown_same(m, cs->events[i]);
		if (rc == -ENOENT)
			rc = 0;
		arena_reset(&a);
	}
	arena_free(&a);
	if (!rc && m->valid) {
		m->rev = upto;
		m->tag = changelog_tag(t, upto);
	}
	return rc ? rc : m->valid && m->tag ? 0 : -ENOMEM;
}

int views_memo_sync(struct views_memo *m, struct store *st, struct txn *t)
{
	if (!m)
		return 0;
	uint64_t rev = txn_revision(t);
	if (memo_holds(m, st, t) && (m->rev == rev || !memo_advance(m, t, rev)))
		return 0;
	return memo_prime(m, st, t);
}

/* Before loading ChangeSet `rev`: the memory must hold the state right
 * before it, or it is forgotten (the rows then go again). */
void views_memo_begin(struct views_memo *m, struct store *st, struct txn *t,
		      uint64_t rev)
{
	if (!m)
		return;
	if (memo_holds(m, st, t) && m->rev < rev &&
	    (m->rev + 1 == rev || !memo_advance(m, t, rev - 1)))
		return;
	memo_forget(m);
}

/* After loading ChangeSet `rev` (rc: how it went). */
void views_memo_end(struct views_memo *m, struct txn *t, uint64_t rev, int rc)
{
	if (!m || !m->valid)
		return;
	m->rev = rev;
	m->tag = rc ? 0 : changelog_tag(t, rev);
	if (!m->tag)
		memo_forget(m);
}

/* Whether rows showing the entry of event `ev` still show the same. */
bool views_memo_shown_same(struct views_memo *m, const Clubcrm__Event *ev)
{
	uint64_t h = FP_INIT;
	switch (ev->record_case) {
	case CLUBCRM__EVENT__RECORD_CUSTOMER:
		h = fp_str(h, ev->customer->name);
		return memo_same(m, MEMO_CUSTOMER, ev->customer->id, h);
	case CLUBCRM__EVENT__RECORD_TASK_TYPE:
		h = fp_str(h, ev->task_type->name);
		h = fp_u64(h, ev->task_type->priority);
		return memo_same(m, MEMO_TYPE, ev->task_type->id, h);
	case CLUBCRM__EVENT__RECORD_OPERATOR:
		h = fp_str(h, ev->operator_->login);
		h = fp_str(h, ev->operator_->name);
		h = fp_u64(h, ev->operator_->n_team_ids);
		for (size_t i = 0; i < ev->operator_->n_team_ids; i++)
			h = fp_u64(h, ev->operator_->team_ids[i]);
		return memo_same(m, MEMO_OPERATOR, ev->operator_->id, h);
	case CLUBCRM__EVENT__RECORD_RESULT:
		h = fp_str(h, ev->result->name);
		h = fp_u64(h, ev->result->outcome);
		return memo_same(m, MEMO_RESULT, ev->result->id, h);
	case CLUBCRM__EVENT__RECORD_TAG:
		h = fp_str(h, ev->tag->name);
		h = fp_str(h, ev->tag->colour);
		return memo_same(m, MEMO_TAG, ev->tag->id, h);
	default:
		return false;
	}
}

/* After a load that had to forget: remembers again when the read
 * transaction is at the last revision loaded (a later one would make the
 * next commit look unchanged). */
void views_memo_resume(struct views_memo *m, struct store *st, struct txn *t,
		       uint64_t last, int rc)
{
	if (m && !rc && !m->valid && last && txn_revision(t) == last)
		memo_prime(m, st, t);
}

/* Here, beside the memo it brings up to date. */
int views_live_state(struct store *st, struct views_memo *memo,
		     uint64_t *revision,
		     uint32_t *escalation_minutes)
{
	struct txn t;
	struct arena a;
	arena_init(&a);
	txn_begin(&t, st, NULL, false);
	int rc = t.ret;
	if (!rc) {
		*revision = txn_revision(&t);
		*escalation_minutes = views_escalation_minutes(&t, &a);
		/* No error of its own: without it, rows simply go again. */
		views_memo_sync(memo, st, &t);
	}
	if (t.txn)
		txn_abort(&t);
	arena_free(&a);
	return rc;
}
