/*
 * ImportCustomers (import.h). Duplicates are found without an index of
 * e-mails and phones: the batch's keys go in a small hash table, then one
 * pass over the customers database compares each stored customer's keys
 * with it. A pass costs ~1 µs a customer (50,000 stored: ~50 ms a batch of
 * 500), paid once per batch, and keeps the store's layout and the bytes
 * each commit writes as they are (tests/bench/import_bench.py measures it).
 */
#include "import.h"

#include <stdio.h>
#include <string.h>

#include "catalog_record.h"
#include "cursor.h"
#include "custkey.h"
#include "index.h"
#include "status.h"
#include "text.h"
#include "textfold.h"

#define STATUS_OK_ CLUBCRM__IMPORT_STATUS__IMPORT_ADDED
#define STATUS_DUP CLUBCRM__IMPORT_STATUS__IMPORT_DUPLICATE
#define STATUS_BAD CLUBCRM__IMPORT_STATUS__IMPORT_REFUSED

/* Two keys a row at most: a power of two over twice that. */
#define SLOTS 2048u
_Static_assert(4 * IMPORT_ROWS_MAX <= SLOTS, "the key table is too small");

struct slot {
	const char *key;  /* custkey.h's, in the arena; NULL: empty */
	size_t row;
};

struct batch {
	struct req *r;
	const Clubcrm__ImportCustomers *in;
	Clubcrm__ImportOutcome **out;
	Clubcrm__Operator **ops;
	size_t n_ops;
	struct slot slots[SLOTS];
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* The slot of `key`: the one holding it, or the empty one it would take. */
static struct slot *slot_of(struct batch *b, const char *key)
{
	uint32_t i = hash(key) & (SLOTS - 1);
	while (b->slots[i].key && strcmp(b->slots[i].key, key) != 0)
		i = (i + 1) & (SLOTS - 1);
	return &b->slots[i];
}

/* ------------------------------------------------------------ checks */

static bool email_ok(const char *e)
{
	const char *at = strchr(e, '@');
	if (!at || at == e || strchr(at + 1, '@'))
		return false;
	const char *dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || !dot[1])
		return false;
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == ',' || *p == ';' ||
		    *p == '<' || *p == '>' || *p == '"')
			return false;
	return true;
}

static bool phone_ok(const char *p, size_t key_len)
{
	size_t digits = key_len ? key_len - 1 : 0;
	for (; *p; p++)
		if (!strchr("0123456789+-.()/ ", *p))
			return false;
	return digits >= 3 && digits <= 20;
}

/* Loads every operator once: consultants are named by login or name. */
static int load_operators(struct batch *b)
{
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, b->r->t, DB_OPERATORS);
	size_t cap = 0;
	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0;
	     rc = txn_cursor_next(&c)) {
		Clubcrm__Operator *op = NULL;
		rc = txn_cursor_msg(&c, &clubcrm__operator__descriptor, b->r->a,
				    (void **)&op);
		if (rc)
			break;
		if (b->n_ops == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			Clubcrm__Operator **n =
				arena_alloc(b->r->a, ncap * sizeof(*n));
			if (!n) {
				rc = -ENOMEM;
				break;
			}
			if (b->n_ops)
				memcpy(n, b->ops, b->n_ops * sizeof(*n));
			b->ops = n;
			cap = ncap;
		}
		b->ops[b->n_ops++] = op;
	}
	txn_cursor_close(&c);
	return rc == -ENOENT ? 0 : rc;
}

static bool login_equal(const char *login, const char *s)
{
	for (; *login && *s; login++, s++) {
		char c = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
		if (c != *login)
			return false;
	}
	return !*login && !*s;
}

/*
 * Why a row is refused or a duplicate: a code with the details a client
 * needs to word it in its user's language, and `text`, the same in
 * English (`reason`: the CLI prints it, older clients show it). Each rule
 * below gives both where it finds the fault, so a code never says
 * something its sentence does not.
 */
struct why {
	Clubcrm__ImportReason code;
	Clubcrm__ImportField field;
	const char *value;   /* the offending value, or NULL */
	uint32_t same_line;  /* the earlier line, or 0 */
	uint32_t limit;      /* the field's most characters, or 0 */
};

#define WHY(c) CLUBCRM__IMPORT_REASON__IMPORT_REASON_##c
#define FIELD(f) CLUBCRM__IMPORT_FIELD__IMPORT_FIELD_##f

/* Marks o: status st for `w`, said in English by `text` (NULL: it could
 * not be made). 0 or -ENOMEM. */
static int mark(Clubcrm__ImportOutcome *o, Clubcrm__ImportStatus st,
		struct why w, const char *text)
{
	if (!text)
		return -ENOMEM;
	o->has_status = 1;
	o->status = st;
	o->reason = (char *)text;
	o->has_reason_code = 1;
	o->reason_code = w.code;
	o->has_field = w.field != FIELD(UNSPECIFIED);
	o->field = w.field;
	o->value = (char *)w.value;
	o->has_same_line = w.same_line != 0;
	o->same_line = w.same_line;
	o->has_limit = w.limit != 0;
	o->limit = w.limit;
	return 0;
}

static int refuse(Clubcrm__ImportOutcome *o, struct why w, const char *text)
{
	return mark(o, STATUS_BAD, w, text);
}

static bool refused(const Clubcrm__ImportOutcome *o)
{
	return o->status == STATUS_BAD;
}

static const char *field_word(Clubcrm__ImportField f)
{
	switch (f) {
	case FIELD(PHONE):
		return "phone";
	case FIELD(EMAIL):
		return "e-mail";
	case FIELD(CONSULTANT):
		return "consultant";
	default:
		return "name";
	}
}

/* The field a custkey.h key is of. */
static Clubcrm__ImportField key_field(const char *key)
{
	return key[0] == 'e' ? FIELD(EMAIL)
	       : key[0] == 'p' ? FIELD(PHONE) : FIELD(NAME);
}

/* The consultant's id in *id, or the row refused. 0 or -ENOMEM. */
static int find_consultant(struct batch *b, Clubcrm__ImportOutcome *o,
			   const char *name, uint64_t *id)
{
	struct arena *a = b->r->a;
	Clubcrm__Operator *found = NULL, *named = NULL;
	size_t n = 0;
	for (size_t i = 0; i < b->n_ops && !found; i++)
		if (b->ops[i]->login && login_equal(b->ops[i]->login, name))
			found = b->ops[i];
	for (size_t i = 0; i < b->n_ops && !found; i++)
		if (textfold_equal(b->ops[i]->name, name)) {
			named = b->ops[i];
			n++;
		}
	if (n == 1)
		found = named;
	if (found && found->active) {
		*id = found->id;
		return 0;
	}
	if (found)
		return refuse(o, (struct why){WHY(INACTIVE_CONSULTANT),
			FIELD(CONSULTANT), found->login, 0, 0},
			arena_printf(a, "consultant %s is inactive",
				     found->login));
	if (n > 1)
		return refuse(o, (struct why){WHY(AMBIGUOUS_CONSULTANT),
			FIELD(CONSULTANT), name, 0, 0},
			arena_printf(a, "consultant '%s' is ambiguous: give "
				     "the login", name));
	return refuse(o, (struct why){WHY(UNKNOWN_CONSULTANT),
		FIELD(CONSULTANT), name, 0, 0},
		arena_printf(a, "unknown consultant '%s'", name));
}

/* Refuses the row for a text field that is not valid UTF-8 without control
 * characters (a line break or a tab neither: these are one-line fields) of
 * at most `max` characters. 0 or -ENOMEM. */
static int check_field(struct batch *b, Clubcrm__ImportOutcome *o,
		       const char *s, uint32_t max, Clubcrm__ImportField f)
{
	const char *what = field_word(f);
	if (!s)
		return 0;
	if (text_fault(s) == TEXT_NOT_UTF8)
		return refuse(o, (struct why){WHY(BAD_UTF8), f, NULL, 0, 0},
			      arena_printf(b->r->a, "%s is not valid UTF-8",
					   what));
	if (text_has_control(s, strlen(s)))
		return refuse(o, (struct why){WHY(CONTROL_CHARACTERS), f, NULL,
					      0, 0},
			      arena_printf(b->r->a, "%s has control characters "
					   "or a line break", what));
	if (text_chars(s) > max)
		return refuse(o, (struct why){WHY(TOO_LONG), f, NULL, 0, max},
			      arena_printf(b->r->a, "%s is longer than %u "
					   "characters", what, (unsigned)max));
	return 0;
}

/* Trimmed, NULL when absent or empty. */
static char *opt_field(struct batch *b, const char *s)
{
	if (!s)
		return NULL;
	char *t = text_trim(b->r->a, s);
	return t && *t ? t : NULL;
}

/* Puts the row's keys in the table; a key an earlier row holds refuses the
 * row. 0 or -ENOMEM. */
static int claim_keys(struct batch *b, size_t i, char *keys[2])
{
	for (int k = 0; k < 2; k++) {
		if (!keys[k])
			continue;
		struct slot *s = slot_of(b, keys[k]);
		if (s->key) {
			Clubcrm__ImportField f = key_field(keys[k]);
			uint32_t line = b->in->rows[s->row]->line;
			return refuse(b->out[i],
				      (struct why){WHY(SAME_AS_LINE), f, NULL,
						   line, 0},
				      arena_printf(b->r->a, "same %s as line %u",
						   field_word(f), line));
		}
	}
	for (int k = 0; k < 2; k++) {
		if (!keys[k])
			continue;
		struct slot *s = slot_of(b, keys[k]);
		s->key = keys[k];
		s->row = i;
	}
	return 0;
}

static char *key_dup(struct batch *b, const char *k, size_t n)
{
	return n ? arena_strdup(b->r->a, k) : NULL;
}

/* The row's own checks, the first fault refusing it. 0 or -ENOMEM. */
static int check_fields(struct batch *b, Clubcrm__ImportOutcome *o,
			const Clubcrm__Customer *cu, const char *cons,
			uint64_t *consultant)
{
	struct arena *a = b->r->a;
	if (!cu->name)
		return refuse(o, (struct why){WHY(MISSING_NAME), FIELD(NAME),
					      NULL, 0, 0}, "missing name");
	int rc = check_field(b, o, cu->name, IMPORT_NAME_MAX, FIELD(NAME));
	if (!rc && !refused(o))
		rc = check_field(b, o, cu->phone, IMPORT_PHONE_MAX,
				 FIELD(PHONE));
	if (!rc && !refused(o))
		rc = check_field(b, o, cu->email, IMPORT_EMAIL_MAX,
				 FIELD(EMAIL));
	if (!rc && !refused(o))
		rc = check_field(b, o, cons, IMPORT_CONSULTANT_MAX,
				 FIELD(CONSULTANT));
	if (rc || refused(o))
		return rc;
	char k[CUSTKEY_MAX];
	if (cu->email && !email_ok(cu->email))
		return refuse(o, (struct why){WHY(BAD_EMAIL), FIELD(EMAIL),
					      cu->email, 0, 0},
			      arena_printf(a, "bad e-mail '%s'", cu->email));
	if (cu->phone && !phone_ok(cu->phone, custkey_phone(cu->phone, k)))
		return refuse(o, (struct why){WHY(BAD_PHONE), FIELD(PHONE),
					      cu->phone, 0, 0},
			      arena_printf(a, "bad phone '%s' (3 to 20 digits, "
					   "with spaces and + - . ( ) /)",
					   cu->phone));
	/* Within IMPORT_EMAIL_MAX characters, but more bytes than a key. */
	if (cu->email && !custkey_email(cu->email, k))
		return refuse(o, (struct why){WHY(TOO_LONG), FIELD(EMAIL),
					      NULL, 0, 0}, "e-mail too long");
	return cons ? find_consultant(b, o, cons, consultant) : 0;
}

/* Validates row i, fills the customer to add into *cu. 0 or -ENOMEM; a bad
 * row is marked refused. */
static int check_row(struct batch *b, size_t i, Clubcrm__Customer *cu)
{
	const Clubcrm__ImportRow *row = b->in->rows[i];
	Clubcrm__ImportOutcome *o = b->out[i];
	cu->name = opt_field(b, row->name);
	cu->phone = opt_field(b, row->phone);
	cu->email = opt_field(b, row->email);
	uint64_t consultant = 0;
	int rc = check_fields(b, o, cu, opt_field(b, row->consultant),
			      &consultant);
	if (rc || refused(o))
		return rc;
	cu->has_consultant_id = consultant != 0;
	cu->consultant_id = consultant;
	char ek[CUSTKEY_MAX], pk[CUSTKEY_MAX], nk[CUSTKEY_MAX];
	size_t en = cu->email ? custkey_email(cu->email, ek) : 0;
	size_t pn = cu->phone ? custkey_phone(cu->phone, pk) : 0;
	char *keys[2] = {key_dup(b, ek, en), key_dup(b, pk, pn)};
	if (!en && !pn)
		keys[0] = key_dup(b, nk, custkey_name(cu->name, nk));
	if ((en && !keys[0]) || (pn && !keys[1]))
		return -ENOMEM;
	return claim_keys(b, i, keys);
}

/* A stored customer's name as a person may read it (the CLI prints it on a
 * terminal): a copy in the request's arena, or "" when it is missing, not
 * UTF-8 or has control characters; NULL when out of memory. */
static const char *shown_name(struct batch *b, const char *name)
{
	if (!name || !*name || !text_is_valid(name) ||
	    text_has_control(name, strlen(name)))
		return "";
	return arena_strdup(b->r->a, name);
}

/* Row o duplicates the stored customer cu by field f: its id, its name and
 * the sentence naming both. 0 or -ENOMEM. */
static int mark_duplicate(struct batch *b, Clubcrm__ImportOutcome *o,
			  const Clubcrm__Customer *cu, Clubcrm__ImportField f)
{
	const char *name = shown_name(b, cu->name);
	if (!name)
		return -ENOMEM;
	o->has_customer_id = 1;
	o->customer_id = cu->id;
	o->customer_name = *name ? (char *)name : NULL;
	unsigned long long id = (unsigned long long)cu->id;
	return mark(o, STATUS_DUP,
		    (struct why){WHY(SAME_AS_CUSTOMER), f, NULL, 0, 0},
		    *name ? arena_printf(b->r->a, "same %s as %s (customer "
					 "%llu)", field_word(f), name, id)
			  : arena_printf(b->r->a, "same %s as customer %llu",
					 field_word(f), id));
}

/* Marks the rows whose keys a stored customer holds. */
static int find_stored(struct batch *b)
{
	struct arena tmp;
	arena_init(&tmp);
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, b->r->t, DB_CUSTOMERS);
	size_t seen = 0;
	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0;
	     rc = txn_cursor_next(&c)) {
		if (++seen % 256 == 0)
			arena_reset(&tmp);
		Clubcrm__Customer *cu = NULL;
		rc = txn_cursor_msg(&c, &clubcrm__customer__descriptor, &tmp,
				    (void **)&cu);
		if (rc)
			break;
		char k[3][CUSTKEY_MAX];
		size_t en = custkey_email(cu->email, k[0]);
		size_t pn = custkey_phone(cu->phone, k[1]);
		size_t nn = en || pn ? 0 : custkey_name(cu->name, k[2]);
		size_t len[3] = {en, pn, nn};
		for (int i = 0; i < 3 && !rc; i++) {
			if (!len[i])
				continue;
			struct slot *s = slot_of(b, k[i]);
			if (!s->key)
				continue;
			Clubcrm__ImportOutcome *o = b->out[s->row];
			if (o->status != STATUS_OK_)
				continue;
			rc = mark_duplicate(b, o, cu, key_field(k[i]));
		}
		if (rc)
			break;
	}
	txn_cursor_close(&c);
	arena_free(&tmp);
	return rc == -ENOENT ? 0 : rc;
}

static int add_customer(struct batch *b, Clubcrm__Customer *src,
			Clubcrm__ImportOutcome *o)
{
	struct req *r = b->r;
	Clubcrm__Customer *cu = NULL;
	bool created;
	int rc = catalog_record_load_or_new(r, DB_CUSTOMERS,
					    &clubcrm__customer__descriptor, 0,
					    "customer", (ProtobufCMessage **)&cu,
					    &created);
	if (rc)
		return rc;
	cu->name = src->name;
	cu->phone = src->phone;
	cu->email = src->email;
	cu->has_consultant_id = src->has_consultant_id;
	cu->consultant_id = src->consultant_id;
	cu->has_created_at = 1;
	cu->created_at = r->who->now;
	index_customer_name(r->t, cu->id, NULL, cu->name);
	rc = catalog_record_save(r, DB_CUSTOMERS, cu->id, true, &cu->base);
	if (rc)
		return rc;
	o->has_customer_id = 1;
	o->customer_id = cu->id;
	return 0;
}

static int tally(struct req *r, struct batch *b, size_t n,
		 Clubcrm__ImportReply **out)
{
	Clubcrm__ImportReply *rep = arena_alloc(r->a, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	clubcrm__import_reply__init(rep);
	rep->rows = b->out;
	rep->n_rows = n;
	rep->has_added = rep->has_duplicates = rep->has_refused = 1;
	for (size_t i = 0; i < n; i++) {
		Clubcrm__ImportStatus s = b->out[i]->status;
		rep->added += s == STATUS_OK_;
		rep->duplicates += s == STATUS_DUP;
		rep->refused += s == STATUS_BAD;
	}
	rep->has_revision = 1;
	rep->revision = r->rev ? r->rev : txn_revision(r->t);
	*out = rep;
	return 0;
}

int import_customers(struct req *r, const Clubcrm__ImportCustomers *in,
		     Clubcrm__ImportReply **out)
{
	size_t n = in->n_rows;
	if (n > IMPORT_ROWS_MAX)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "at most %u rows per import request",
				  IMPORT_ROWS_MAX);
	for (size_t i = 0; i < n; i++)
		if (!in->rows[i])
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "empty import row");
	/* The table is large: it lives in the arena, not on the writer's
	 * stack. */
	struct batch *b = arena_calloc(r->a, 1, sizeof(*b));
	Clubcrm__Customer *cus = arena_calloc(r->a, n ? n : 1, sizeof(*cus));
	if (!b || !cus)
		return -ENOMEM;
	b->r = r;
	b->in = in;
	b->out = arena_calloc(r->a, n ? n : 1, sizeof(*b->out));
	if (!b->out)
		return -ENOMEM;
	int rc = load_operators(b);
	for (size_t i = 0; !rc && i < n; i++) {
		Clubcrm__ImportOutcome *o = arena_alloc(r->a, sizeof(*o));
		if (!o)
			return -ENOMEM;
		clubcrm__import_outcome__init(o);
		o->has_line = 1;
		o->line = in->rows[i]->line;
		o->has_status = 1;
		o->status = STATUS_OK_;
		b->out[i] = o;
		clubcrm__customer__init(&cus[i]);
		rc = check_row(b, i, &cus[i]);
	}
	bool any = false;
	for (size_t i = 0; !rc && i < n; i++)
		any |= b->out[i]->status == STATUS_OK_;
	if (!rc && any)
		rc = find_stored(b);
	bool dry = in->has_dry_run && in->dry_run;
	for (size_t i = 0; !rc && !dry && i < n; i++)
		if (b->out[i]->status == STATUS_OK_)
			rc = add_customer(b, &cus[i], b->out[i]);
	if (rc)
		return rc;
	r->action = "import customers";
	return tally(r, b, n, out);
}
