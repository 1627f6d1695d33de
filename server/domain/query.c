#include "query.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "asof.h"
#include "clubzone.h"
#include "cursor.h"
#include "index.h"
#include "rows.h"
#include "status.h"
#include "tasks.h"
#include "task_filter.h"
#include "migrate.h"
#include "textfold.h"

#define KEY_MAX 24

/* A range [lo, hi) of fixed-length keys in one index. */
struct scan {
	enum store_db db;
	size_t len;
	uint8_t lo[KEY_MAX];
	uint8_t hi[KEY_MAX];
	bool desc;
};

struct page {
	size_t size;        /* rows wanted */
	size_t n;           /* rows found */
	void **items;
	uint8_t last[INDEX_NAME_KEY_MAX + 9];  /* last key examined */
	size_t last_len;
	bool more;          /* entries remain after `last` */
	size_t bytes;       /* the rows' encoded size so far */
};

/* No more rows for this page: as many as asked for, the entries examined
 * or the bytes of the rows have reached their bound. */
static bool page_full(const struct page *pg, size_t seen)
{
	return pg->n == pg->size || seen == QUERY_SCAN_BUDGET ||
	       pg->bytes >= QUERY_PAGE_BYTES;
}

static void bound(uint8_t *k, const uint8_t *prefix, size_t plen, bool has,
		  int64_t t, bool upper)
{
	if (plen)
		memcpy(k, prefix, plen);
	if (has) {
		key_time(k + plen, t);
		memset(k + plen + 8, 0, 8);
	} else {
		memset(k + plen, upper ? 0xff : 0x00, 16);
	}
}

/* A list of the past: the revision rebuilt, the creation bound and the
 * moment the rows are judged at. */
struct past {
	bool on;
	uint64_t rev;
	int64_t bound;     /* inclusive: nothing created later existed */
	int64_t judged;    /* overdue, escalation */
	int64_t rev_at;    /* commit time of rev */
};

static void plan_tasks(const Clubcrm__ListTasks *in, const struct past *past,
		       struct scan *s)
{
	const Clubcrm__TaskFilter *f = in->filter;
	static const Clubcrm__TaskFilter none = CLUBCRM__TASK_FILTER__INIT;
	if (!f)
		f = &none;
	uint8_t prefix[8];
	size_t plen = 0;
	bool hf = f->has_planned_from, ht = f->has_planned_to;
	int64_t from = f->planned_from, to = f->planned_to;
	s->desc = in->has_descending && in->descending;
	if (past->on) {
		/* Creation times never change: the one index valid for the
		 * past. Only tasks created by then existed then. */
		s->db = DB_BY_CREATED;
		hf = f->has_created_from, from = f->created_from;
		ht = 1;
		/* the bound is inclusive; the key bound is exclusive. */
		if (f->has_created_to && f->created_to <= past->bound)
			to = f->created_to;
		else
			to = past->bound == INT64_MAX ? INT64_MAX
						      : past->bound + 1;
	} else if (in->has_order &&
		   in->order == CLUBCRM__TASK_ORDER__TASK_ORDER_CREATED) {
		s->db = DB_BY_CREATED;
		hf = f->has_created_from, ht = f->has_created_to;
		from = f->created_from, to = f->created_to;
	} else if (f->has_customer_id) {
		s->db = DB_BY_CUSTOMER;
		key_u64(prefix, f->customer_id);
		plen = 8;
	} else if (f->n_operator_ids == 1) {
		s->db = DB_BY_OPERATOR_PLANNED;
		key_u64(prefix, f->operator_ids[0]);
		plen = 8;
	} else {
		s->db = DB_BY_PLANNED;
	}
	s->len = plen + 16;
	bound(s->lo, prefix, plen, hf, from, false);
	bound(s->hi, prefix, plen, ht, to, true);
}

/* The smallest key after k (same length); false when k is the last one. */
static bool key_next(uint8_t *k, size_t len)
{
	for (size_t i = len; i-- > 0;)
		if (++k[i] != 0)
			return true;
	return false;
}

/* Narrows the range to what comes after the token's key. */
static int apply_token(struct req *r, const ProtobufCBinaryData *tok,
		       struct scan *s)
{
	const uint8_t *p = tok->data;
	if (tok->len != s->len + 1 || p[0] != (uint8_t)s->db ||
	    memcmp(p + 1, s->lo, s->len) < 0 || memcmp(p + 1, s->hi, s->len) > 0)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "page_token does not belong to this query");
	if (s->desc) {
		memcpy(s->hi, p + 1, s->len);
		return 0;
	}
	memcpy(s->lo, p + 1, s->len);
	if (!key_next(s->lo, s->len))
		memcpy(s->lo, s->hi, s->len);  /* nothing after the last key */
	return 0;
}

typedef int (*visit_fn)(struct req *r, void *ctx,
			const struct txn_val *key, struct page *pg);

static bool in_scan(const struct scan *s, const struct txn_val *k)
{
	if (k->len != s->len)
		return false;
	return memcmp(k->data, s->lo, s->len) >= 0 &&
	       memcmp(k->data, s->hi, s->len) < 0;
}

/* Walks the range, calling `visit` per entry, until the page is full, the
 * range ends or the budget is spent. */
static int scan_run(struct req *r, const struct scan *s, struct page *pg,
		    visit_fn visit, void *ctx)
{
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, r->t, s->db);
	if (!rc)
		rc = s->desc ? txn_cursor_seek_before(&c, s->hi, s->len)
			     : txn_cursor_seek(&c, s->lo, s->len);
	size_t seen = 0;
	while (rc == 0 && in_scan(s, &c.key)) {
		if (page_full(pg, seen)) {
			pg->more = true;
			break;
		}
		seen++;
		memcpy(pg->last, c.key.data, c.key.len);
		pg->last_len = c.key.len;
		int vrc = visit(r, ctx, &c.key, pg);
		if (vrc) {
			txn_cursor_close(&c);
			return vrc;
		}
		rc = s->desc ? txn_cursor_prev(&c) : txn_cursor_next(&c);
	}
	txn_cursor_close(&c);
	return rc == -ENOENT ? 0 : rc;
}

static int page_init(struct req *r, struct page *pg, uint32_t want,
		     bool has_want)
{
	memset(pg, 0, sizeof(*pg));
	pg->size = has_want && want ? want : QUERY_PAGE_DEFAULT;
	if (pg->size > QUERY_PAGE_MAX)
		pg->size = QUERY_PAGE_MAX;
	pg->items = arena_calloc(r->a, pg->size, sizeof(void *));
	return pg->items ? 0 : -ENOMEM;
}

static int page_token(struct req *r, const struct page *pg, uint8_t tag,
		      ProtobufCBinaryData *tok, protobuf_c_boolean *has)
{
	if (!pg->more)
		return 0;
	uint8_t *p = arena_alloc(r->a, pg->last_len + 1);
	if (!p)
		return -ENOMEM;
	p[0] = tag;
	memcpy(p + 1, pg->last, pg->last_len);
	tok->data = p;
	tok->len = pg->last_len + 1;
	*has = 1;
	return 0;
}

/* ------------------------------------------------------------ tasks */

struct task_ctx {
	const Clubcrm__TaskFilter *filter;
	int64_t now;          /* the moment the rows are judged at */
	uint64_t as_of_rev;   /* 0: today's records */
	bool as_of;
	/* The criteria a bare task answers (no names, no priority, no team):
	 * checked first, so most rejected entries cost one record read. */
	Clubcrm__TaskFilter quick;
	struct task_filter_env env;
	struct rows_team_ctx team;
	uint32_t escalation;  /* minutes, 0: never */
};

static int visit_task(struct req *r, void *ctx, const struct txn_val *key,
		      struct page *pg)
{
	struct task_ctx *tc = ctx;
	uint64_t id = key_get_u64((const uint8_t *)key->data +
				  key->len - 8);
	Clubcrm__Task *task = NULL;
	Clubcrm__TaskRow *row = NULL;
	int rc;
	if (tc->as_of) {
		rc = asof_task(r->t, r->a, id, tc->as_of_rev, &task);
		if (rc == -ENOENT)
			return 0;  /* created in the same second, later */
	} else {
		rc = rows_task(r->t, r->a, id, &task);
		if (rc == -ENOENT)
			rc = -EIO;  /* an index entry without its record */
	}
	if (rc)
		return rc;
	Clubcrm__TaskRow bare = CLUBCRM__TASK_ROW__INIT;
	bare.task = task;
	if (tc->filter && !task_filter_matches(&tc->quick, &bare, &tc->env))
		return 0;
	rc = rows_build(r->t, r->a, tc->now, task, &row);
	if (rc)
		return rc;
	row->has_escalated = 1;
	row->escalated = task_row_is_escalated(row, tc->escalation, tc->now);
	if (task_filter_matches(tc->filter, row, &tc->env)) {
		pg->items[pg->n++] = row;
		pg->bytes += clubcrm__task_row__get_packed_size(row);
	}
	return 0;
}

/* Each list is ORed per row, so its length multiplies the work of a page:
 * a screen never needs more than a few dozen values. */
static int check_filter(struct req *r, const Clubcrm__TaskFilter *f)
{
	const char *why = task_filter_check(f);
	return why ? req_refuse(r, STATUS_INVALID_ARGUMENT, "%s", why) : 0;
}

/* "2026-12-06 09:12:30 (Europe/Madrid)": the club's wall clock. */
static void club_time(struct req *r, int64_t t, char *out, size_t size)
{
	Clubcrm__Settings *set = NULL;
	const struct clubzone *z = NULL;
	if (rows_settings(r->t, r->a, &set) == 0 && set->time_zone)
		z = clubzone_get(set->time_zone, NULL);
	if (!z)
		z = clubzone_utc();
	char local[40];
	if (!clubzone_format(z, t, "%Y-%m-%d %H:%M:%S", local, sizeof(local)))
		snprintf(local, sizeof(local), "%" PRId64, t);
	snprintf(out, size, "%s (%s)", local, clubzone_name(z));
}

static int past_of_time(struct req *r, int64_t at, struct past *p)
{
	if (at < TASKS_TIME_MIN || at >= TASKS_TIME_MAX)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "as_of is outside the years 2000 to 2099");
	if (at > r->who->now)
		return req_refuse(r, STATUS_OUT_OF_RANGE,
				  "as_of is in the future");
	int rc = asof_revision(r->t, r->a, at, &p->rev);
	if (rc)
		return rc;
	if (p->rev == 0) {
		int64_t first;
		char when[80];
		if (txn_revision(r->t) == 0)
			return req_refuse(r, STATUS_OUT_OF_RANGE,
					  "the club has no history yet");
		if ((rc = asof_revision_at(r->t, r->a, 1, &first)))
			return rc;
		club_time(r, first, when, sizeof(when));
		return req_refuse(r, STATUS_OUT_OF_RANGE,
				  "as_of is before the club's history: it "
				  "starts at %s", when);
	}
	p->bound = p->judged = at;
	return asof_revision_at(r->t, r->a, p->rev, &p->rev_at);
}

static int past_of_revision(struct req *r, uint64_t rev, struct past *p)
{
	uint64_t cur = txn_revision(r->t);
	if (rev == 0)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "as_of_revision: revisions start at 1");
	if (rev > cur)
		return req_refuse(r, STATUS_OUT_OF_RANGE,
				  "as_of_revision %" PRIu64 " is beyond the "
				  "current revision %" PRIu64, rev, cur);
	p->rev = rev;
	int rc = asof_revision_at(r->t, r->a, rev, &p->rev_at);
	if (rc)
		return rc;
	p->bound = p->rev_at;
	/* The current board is judged now, an older one when it stood. */
	p->judged = rev == cur && r->who->now > p->rev_at ? r->who->now
							   : p->rev_at;
	return 0;
}

static int past_of(struct req *r, const Clubcrm__ListTasks *in,
		   struct past *p)
{
	memset(p, 0, sizeof(*p));
	if (in->has_as_of && in->has_as_of_revision)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "as_of and as_of_revision exclude each "
				  "other");
	p->on = in->has_as_of || in->has_as_of_revision;
	if (in->has_as_of)
		return past_of_time(r, in->as_of, p);
	if (in->has_as_of_revision)
		return past_of_revision(r, in->as_of_revision, p);
	return 0;
}

int query_list_tasks(struct req *r, const Clubcrm__ListTasks *in,
		     Clubcrm__TaskPage **out)
{
	struct scan s;
	struct page pg;
	struct past past;
	int rc = check_filter(r, in->filter);
	if (!rc)
		rc = past_of(r, in, &past);
	if (rc)
		return rc;
	plan_tasks(in, &past, &s);
	if (in->has_page_token)
		rc = apply_token(r, &in->page_token, &s);
	if (!rc)
		rc = page_init(r, &pg, in->page_size, in->has_page_size);
	if (rc)
		return rc;
	int64_t now = past.on ? past.judged : r->who->now;
	struct task_ctx tc = {.filter = in->filter,
			      .now = now,
			      .as_of = past.on,
			      .as_of_rev = past.rev,
			      .env = {.now = now, .in_team = rows_in_team},
			      .team = {.t = r->t, .a = r->a}};
	tc.env.team_ctx = &tc.team;
	Clubcrm__Settings *set = NULL;
	rc = rows_settings(r->t, r->a, &set);
	if (rc)
		return rc;
	tc.escalation = set->escalation_minutes;
	if (in->filter) {
		tc.quick = *in->filter;
		tc.quick.has_urgent = 0;
		tc.quick.has_team_id = 0;
		tc.quick.text = NULL;
	}
	rc = scan_run(r, &s, &pg, visit_task, &tc);
	if (rc)
		return rc;
	Clubcrm__TaskPage *p = arena_alloc(r->a, sizeof(*p));
	if (!p)
		return -ENOMEM;
	clubcrm__task_page__init(p);
	p->rows = (Clubcrm__TaskRow **)pg.items;
	p->n_rows = pg.n;
	p->has_revision = 1;
	p->revision = txn_revision(r->t);
	if (past.on) {
		p->has_as_of_revision = p->has_as_of_revision_at = 1;
		p->as_of_revision = past.rev;
		p->as_of_revision_at = past.rev_at;
	}
	rc = page_token(r, &pg, (uint8_t)s.db, &p->next_page_token,
			&p->has_next_page_token);
	if (!rc)
		*out = p;
	return rc;
}

/* ------------------------------------------------------------ customers */


struct customer_ctx {
	const Clubcrm__ListCustomers *in;
};

static int visit_customer(struct req *r, void *ctx, const struct txn_val *key,
			  struct page *pg)
{
	struct customer_ctx *cc = ctx;
	uint64_t id = key_get_u64((const uint8_t *)key->data +
				  key->len - 8);
	Clubcrm__Customer *c = NULL;
	int rc = rows_customer(r->t, r->a, id, &c);
	if (rc)
		return rc == -ENOENT ? -EIO : rc;
	if (!c->active && !(cc->in->has_include_inactive &&
			    cc->in->include_inactive))
		return 0;
	if (cc->in->search && !textfold_contains(c->name ? c->name : "",
						 cc->in->search))
		return 0;
	pg->items[pg->n++] = c;
	pg->bytes += clubcrm__customer__get_packed_size(c);
	return 0;
}

/* Name keys vary in length, so this walk has its own loop. */
static int scan_names(struct req *r, const ProtobufCBinaryData *tok,
		      struct page *pg, struct customer_ctx *cc)
{
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, r->t, DB_BY_CUSTOMER_NAME);
	if (rc)
		return rc;
	if (tok) {
		rc = txn_cursor_seek(&c, tok->data + 1, tok->len - 1);
		if (rc == 0 && c.key.len == tok->len - 1 &&
		    memcmp(c.key.data, tok->data + 1, c.key.len) == 0)
			rc = txn_cursor_next(&c);
	} else {
		rc = txn_cursor_seek(&c, NULL, 0);
	}
	size_t seen = 0;
	while (rc == 0) {
		if (page_full(pg, seen)) {
			pg->more = true;
			break;
		}
		seen++;
		if (c.key.len < 9 || c.key.len > sizeof(pg->last)) {
			txn_cursor_close(&c);
			return -EIO;
		}
		memcpy(pg->last, c.key.data, c.key.len);
		pg->last_len = c.key.len;
		int vrc = visit_customer(r, cc, &c.key, pg);
		if (vrc) {
			txn_cursor_close(&c);
			return vrc;
		}
		rc = txn_cursor_next(&c);
	}
	txn_cursor_close(&c);
	return rc == -ENOENT ? 0 : rc;
}

static int check_name_token(struct req *r, const ProtobufCBinaryData *tok)
{
	if (tok->len < 10 || tok->len > INDEX_NAME_KEY_MAX + 10 ||
	    tok->data[0] != (uint8_t)DB_BY_CUSTOMER_NAME ||
	    tok->data[tok->len - 9] != 0)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "page_token does not belong to this query");
	return 0;
}

int query_list_customers(struct req *r, const Clubcrm__ListCustomers *in,
			 Clubcrm__CustomerPage **out)
{
	struct page pg;
	const ProtobufCBinaryData *tok =
		in->has_page_token ? &in->page_token : NULL;
	int rc = tok ? check_name_token(r, tok) : 0;
	if (!rc && in->search)
		rc = req_text(r, in->search, SIZE_MAX, "search");
	if (!rc)
		rc = page_init(r, &pg, in->page_size, in->has_page_size);
	if (rc)
		return rc;
	struct customer_ctx cc = {.in = in};
	rc = scan_names(r, tok, &pg, &cc);
	if (rc)
		return rc;
	Clubcrm__CustomerPage *p = arena_alloc(r->a, sizeof(*p));
	if (!p)
		return -ENOMEM;
	clubcrm__customer_page__init(p);
	p->customers = (Clubcrm__Customer **)pg.items;
	p->n_customers = pg.n;
	p->has_revision = 1;
	p->revision = txn_revision(r->t);
	rc = page_token(r, &pg, (uint8_t)DB_BY_CUSTOMER_NAME,
			&p->next_page_token, &p->has_next_page_token);
	if (!rc)
		*out = p;
	return rc;
}
