/* ImportCustomers in the domain (server/domain/import.c) over a real LMDB. */
#include "domain_fixture.h"

#include "custkey.h"
#include "txn.h"

#define ADDED CLUBCRM__IMPORT_STATUS__IMPORT_ADDED
#define DUP CLUBCRM__IMPORT_STATUS__IMPORT_DUPLICATE
#define BAD CLUBCRM__IMPORT_STATUS__IMPORT_REFUSED

struct row {
	const char *name, *phone, *email, *consultant;
};

/* Sends rows (lines 2, 3, ...) as ImportCustomers; the decoded reply. */
static Clubcrm__Frame *import(struct fx *fx, uint64_t who, int admin,
			      const struct row *rows, size_t n, bool dry)
{
	Clubcrm__ImportRow *r = calloc(n ? n : 1, sizeof(*r));
	Clubcrm__ImportRow **rp = calloc(n ? n : 1, sizeof(*rp));
	assert_true(r && rp);
	for (size_t i = 0; i < n; i++) {
		clubcrm__import_row__init(&r[i]);
		r[i].has_line = 1;
		r[i].line = (uint32_t)i + 2;
		r[i].name = (char *)rows[i].name;
		r[i].phone = (char *)rows[i].phone;
		r[i].email = (char *)rows[i].email;
		r[i].consultant = (char *)rows[i].consultant;
		rp[i] = &r[i];
	}
	Clubcrm__ImportCustomers im = CLUBCRM__IMPORT_CUSTOMERS__INIT;
	im.rows = rp;
	im.n_rows = n;
	im.has_dry_run = dry;
	im.dry_run = dry;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(IMPORT_CUSTOMERS);
	f.import_customers = &im;
	Clubcrm__Frame *rep = fx_write(fx, fx_actor(who, admin), &f);
	free(r);
	free(rp);
	return rep;
}

static const Clubcrm__ImportReply *ok_reply(const Clubcrm__Frame *f)
{
	if (f->body_case != BODY(IMPORT_REPLY))
		fail_msg("expected an ImportReply, got body %d%s%s",
			 (int)f->body_case,
			 f->body_case == BODY(ERROR) ? ": " : "",
			 f->body_case == BODY(ERROR) ? f->error->message : "");
	return f->import_reply;
}

static size_t customers(struct fx *fx)
{
	Clubcrm__ListCustomers l = CLUBCRM__LIST_CUSTOMERS__INIT;
	l.has_include_inactive = l.include_inactive = 1;
	l.has_page_size = 1;
	l.page_size = 500;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(LIST_CUSTOMERS);
	f.list_customers = &l;
	Clubcrm__Frame *r = fx_read(fx, fx_actor(1, 1), &f);
	assert_int_equal(r->body_case, BODY(CUSTOMER_PAGE));
	return r->customer_page->n_customers;
}

static void assert_row(const Clubcrm__ImportReply *r, size_t i,
		       Clubcrm__ImportStatus st, const char *reason_part)
{
	assert_true(i < r->n_rows);
	const Clubcrm__ImportOutcome *o = r->rows[i];
	if (o->status != st ||
	    (reason_part && (!o->reason || !strstr(o->reason, reason_part))))
		fail_msg("row %zu (line %u): status %d reason '%s', expected "
			 "%d with '%s'", i, o->line, (int)o->status,
			 o->reason ? o->reason : "", (int)st,
			 reason_part ? reason_part : "");
	assert_int_equal(o->line, i + 2);
}

static void test_dry_run_changes_nothing(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	size_t before = customers(fx);
	const struct row rows[] = {
		{"Pilar Ortega", "+34 600 123 456", "pilar@example.org", "bea"},
		{"Iñaki Goikoetxea", NULL, "inaki@example.org", NULL},
	};
	uint64_t rev0 = 0;
	{
		Clubcrm__Frame *f = import(fx, c.ana, 1, rows, 2, true);
		const Clubcrm__ImportReply *r = ok_reply(f);
		assert_int_equal(r->added, 2);
		assert_int_equal(r->duplicates, 0);
		assert_int_equal(r->refused, 0);
		assert_row(r, 0, ADDED, NULL);
		assert_int_equal(r->rows[0]->customer_id, 0);
		rev0 = r->revision;
	}
	assert_int_equal(customers(fx), before);
	/* A second dry run sees the same club: nothing was written. */
	Clubcrm__Frame *f = import(fx, c.ana, 1, rows, 2, true);
	assert_int_equal(ok_reply(f)->revision, rev0);
	assert_int_equal(ok_reply(f)->added, 2);
	fx_close(fx);
}

static void test_add_then_again_adds_nothing(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	size_t before = customers(fx);
	const struct row rows[] = {
		{"Pilar Ortega", "+34 600 123 456", "pilar@example.org", "BEA"},
		{"Iñaki Goikoetxea", NULL, "inaki@example.org", NULL},
		{"Lone Name", NULL, NULL, NULL},
	};
	Clubcrm__Frame *f = import(fx, c.ana, 1, rows, 3, false);
	const Clubcrm__ImportReply *r = ok_reply(f);
	assert_int_equal(r->added, 3);
	assert_true(r->revision > 0);
	uint64_t pilar = r->rows[0]->customer_id;
	uint64_t inaki = r->rows[1]->customer_id;
	assert_true(pilar > 0);
	assert_int_equal(customers(fx), before + 3);

	/* The consultant was named by login, in any case. */
	Clubcrm__GetCustomer g = CLUBCRM__GET_CUSTOMER__INIT;
	g.has_id = 1;
	g.id = pilar;
	Clubcrm__Frame gf = CLUBCRM__FRAME__INIT;
	gf.body_case = BODY(GET_CUSTOMER);
	gf.get_customer = &g;
	Clubcrm__Frame *got = fx_read(fx, fx_actor(1, 1), &gf);
	assert_int_equal(got->customer_reply->customer->consultant_id, c.bea);
	assert_string_equal(got->customer_reply->customer->email,
			    "pilar@example.org");
	assert_true(got->customer_reply->customer->created_at == FX_NOW);

	/* Again, spelt differently: the same people, nothing added. */
	const struct row again[] = {
		{"P. Ortega", "0034-600-123-456x", NULL, NULL},
		{"Iñaki G.", NULL, " INAKI@Example.ORG ", NULL},
		{"LONE name", NULL, NULL, NULL},
		{"arantxa", NULL, NULL, NULL},
	};
	f = import(fx, c.ana, 1, again, 4, false);
	r = ok_reply(f);
	/* "0034-600-123-456x" is a bad phone (a letter) */
	assert_row(r, 0, BAD, "bad phone");
	assert_row(r, 1, DUP, "same e-mail as Iñaki Goikoetxea (customer");
	assert_int_equal(r->rows[1]->customer_id, inaki);
	assert_row(r, 2, DUP, "same name as Lone Name (customer");
	assert_row(r, 3, DUP, "same name as Arantxa (customer");
	assert_int_equal(r->rows[3]->customer_id, c.arantxa);
	assert_int_equal(r->added, 0);
	assert_int_equal(r->duplicates, 3);
	assert_int_equal(customers(fx), before + 3);

	const struct row phone[] = {{"Pilar", "34 600 123 456", NULL, NULL}};
	f = import(fx, c.ana, 1, phone, 1, true);
	assert_row(ok_reply(f), 0, DUP,
		   "same phone as Pilar Ortega (customer");
	assert_int_equal(ok_reply(f)->rows[0]->customer_id, pilar);
	fx_close(fx);
}

static void test_bad_rows_each_with_a_reason(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	size_t before = customers(fx);
	char long_name[260];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	const struct row rows[] = {
		{NULL, "600 000 001", NULL, NULL},
		{"   ", NULL, "x@example.org", NULL},
		{"Bad Mail", NULL, "not-an-address", NULL},
		{"Bad Mail 2", NULL, "a@b", NULL},
		{"Bad Phone", "call me", NULL, NULL},
		{"Who", NULL, NULL, "nobody"},
		{"Ctl\x01name", NULL, NULL, NULL},
		{"Bytes \xff\xfe", NULL, NULL, NULL},
		{long_name, NULL, NULL, NULL},
		{"Good One", "600 000 009", "good@example.org", "Carl"},
		{"Twin", "600 000 010", "GOOD@example.org", NULL},
		{"Twin 2", "600-000-009", NULL, NULL},
		{"Line\nbreak", NULL, NULL, NULL},
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	Clubcrm__Frame *f = import(fx, c.ana, 1, rows, n, false);
	const Clubcrm__ImportReply *r = ok_reply(f);
	assert_int_equal(r->n_rows, n);
	assert_row(r, 0, BAD, "missing name");
	assert_row(r, 1, BAD, "missing name");
	assert_row(r, 2, BAD, "bad e-mail 'not-an-address'");
	assert_row(r, 3, BAD, "bad e-mail");
	assert_row(r, 4, BAD, "bad phone 'call me'");
	assert_row(r, 5, BAD, "unknown consultant 'nobody'");
	assert_row(r, 6, BAD, "control characters");
	assert_row(r, 7, BAD, "not valid UTF-8");
	assert_row(r, 8, BAD, "longer than 200 characters");
	assert_row(r, 9, ADDED, NULL);
	assert_row(r, 10, BAD, "same e-mail as line 11");
	assert_row(r, 11, BAD, "same phone as line 11");
	assert_row(r, 12, BAD, "line break");
	assert_int_equal(r->added, 1);
	assert_int_equal(r->refused, n - 1);
	assert_int_equal(customers(fx), before + 1);
	fx_close(fx);
}

static void test_rights_and_limits(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	size_t before = customers(fx);
	const struct row one[] = {{"Pilar", NULL, NULL, NULL}};
	/* An operator may add a customer, not import a file of them. */
	fx_assert_error(import(fx, c.bea, 0, one, 1, false),
			STATUS_PERMISSION_DENIED, "only admins may import");
	fx_assert_error(import(fx, c.bea, 0, one, 1, true),
			STATUS_PERMISSION_DENIED, "import customers");
	/* An admin session whose role was taken away meanwhile: the stored
	 * record decides. */
	fx_assert_error(import(fx, c.bea, 1, one, 1, false),
			STATUS_PERMISSION_DENIED, "only admins");
	struct row *many = calloc(501, sizeof(*many));
	assert_non_null(many);
	for (size_t i = 0; i < 501; i++)
		many[i].name = "x";
	fx_assert_error(import(fx, c.ana, 1, many, 501, false),
			STATUS_INVALID_ARGUMENT, "at most 500 rows");
	free(many);
	assert_int_equal(customers(fx), before);
	/* An empty request is answered, and writes nothing. */
	Clubcrm__Frame *f = import(fx, c.ana, 1, NULL, 0, false);
	assert_int_equal(ok_reply(f)->n_rows, 0);
	fx_close(fx);
}

static void test_consultant_by_name_and_inactive(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	/* Deactivate carl. */
	Clubcrm__Operator op = CLUBCRM__OPERATOR__INIT;
	op.has_id = 1;
	op.id = c.carl;
	op.has_active = 1;
	op.active = 0;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &op;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPSERT_OPERATOR);
	f.upsert_operator = &u;
	assert_int_equal(fx_write(fx, fx_actor(c.ana, 1), &f)->body_case,
			 BODY(CATALOG));
	const struct row rows[] = {
		{"A", NULL, NULL, "carl"},
		{"B", NULL, NULL, "  ana  "},
	};
	Clubcrm__Frame *rep = import(fx, c.ana, 1, rows, 2, true);
	assert_row(ok_reply(rep), 0, BAD, "consultant carl is inactive");
	assert_row(ok_reply(rep), 1, ADDED, NULL);
	fx_close(fx);
}

#define WHY(c) CLUBCRM__IMPORT_REASON__IMPORT_REASON_##c
#define FIELD(f) CLUBCRM__IMPORT_FIELD__IMPORT_FIELD_##f

/* Row i's reason code and its details, and an English reason beside them
 * (what the CLI prints). value NULL: none; same_line, limit 0: none. */
static void assert_why(const Clubcrm__ImportReply *r, size_t i,
		       Clubcrm__ImportStatus st, Clubcrm__ImportReason code,
		       Clubcrm__ImportField field, const char *value,
		       uint32_t same_line, uint32_t limit)
{
	assert_true(i < r->n_rows);
	const Clubcrm__ImportOutcome *o = r->rows[i];
	if (o->status != st || !o->has_reason_code || o->reason_code != code ||
	    !o->has_field || o->field != field)
		fail_msg("row %zu (line %u, '%s'): status %d code %d%s field "
			 "%d%s, expected %d, %d, %d", i, o->line,
			 o->reason ? o->reason : "", (int)o->status,
			 (int)o->reason_code, o->has_reason_code ? "" : " (none)",
			 (int)o->field, o->has_field ? "" : " (none)", (int)st,
			 (int)code, (int)field);
	if (value)
		assert_string_equal(o->value, value);
	else
		assert_null(o->value);
	assert_int_equal(o->has_same_line, same_line != 0);
	assert_int_equal(o->same_line, same_line);
	assert_int_equal(o->has_limit, limit != 0);
	assert_int_equal(o->limit, limit);
	assert_non_null(o->reason);
	assert_true(strlen(o->reason) > 0);
}

/* An operator named `name` (logins are unique, names need not be). */
static void named_operator(struct fx *fx, const char *login, const char *name,
			   int active)
{
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	o.login = (char *)login;
	o.name = (char *)name;
	o.has_role = 1;
	o.role = CLUBCRM__ROLE__ROLE_OPERATOR;
	o.has_active = 1;
	o.active = active;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &o;
	u.password = "secret";
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPSERT_OPERATOR);
	f.upsert_operator = &u;
	assert_int_equal(fx_write(fx, fx_actor(0, 1), &f)->body_case,
			 BODY(CATALOG));
}

/* A string of n copies of `unit`, in a static buffer of its own. */
static char *repeat(char *buf, size_t size, const char *unit, size_t n,
		    const char *tail)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		strcat(buf, unit);
	strcat(buf, tail);
	assert_true(strlen(buf) < size);
	return buf;
}

/* Every way a row is refused or a duplicate carries its code and the
 * details a client words it with, so that the browser can say it in the
 * user's language; the English reason stays for the CLI. */
static void test_every_reason_has_its_code(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	named_operator(fx, "dani1", "Dani Ruiz", 1);
	named_operator(fx, "dani2", "Dani Ruiz", 1);
	named_operator(fx, "gone", "Gone Away", 0);
	static char name201[256], phone65[128], email255[300], cons101[128],
		email_bytes[400];
	repeat(name201, sizeof(name201), "a", 201, "");
	repeat(phone65, sizeof(phone65), "6", 65, "");
	repeat(email255, sizeof(email255), "e", 255 - 12, "@example.org");
	repeat(cons101, sizeof(cons101), "c", 101, "");
	/* 142 characters, 272 bytes: too long for a key, not for the field. */
	repeat(email_bytes, sizeof(email_bytes), "\xc3\xb1", 130,
	       "@example.org");
	const struct row rows[] = {
		/* 2 */ {NULL, "600 000 001", NULL, NULL},
		/* 3 */ {"  ", NULL, NULL, NULL},
		/* 4 */ {"Bytes \xff", NULL, NULL, NULL},
		/* 5 */ {"P", "600 \xff", NULL, NULL},
		/* 6 */ {"E", NULL, "\xfe@example.org", NULL},
		/* 7 */ {"C", NULL, NULL, "bea\xc3"},
		/* 8 */ {"Ctl\x01", NULL, NULL, NULL},
		/* 9 */ {"P", "600\t000", NULL, NULL},
		/* 10 */ {"E", NULL, "a\x7f@example.org", NULL},
		/* 11 */ {"C", NULL, NULL, "b\x1b" "ea"},
		/* 12 */ {name201, NULL, NULL, NULL},
		/* 13 */ {"P", phone65, NULL, NULL},
		/* 14 */ {"E", NULL, email255, NULL},
		/* 15 */ {"C", NULL, NULL, cons101},
		/* 16 */ {"E", NULL, email_bytes, NULL},
		/* 17 */ {"E", NULL, " a@b ", NULL},
		/* 18 */ {"P", "call me", NULL, NULL},
		/* 19 */ {"C", NULL, NULL, " nobody "},
		/* 20 */ {"C", NULL, NULL, "GONE"},
		/* 21 */ {"C", NULL, NULL, "gone away"},
		/* 22 */ {"C", NULL, NULL, "dani ruiz"},
		/* 23 */ {"First", "611 000 001", "first@example.org", "dani1"},
		/* 24 */ {"Twin e", NULL, "FIRST@example.org", NULL},
		/* 25 */ {"Twin p", "611-000-001", NULL, NULL},
		/* 26 */ {"Solo Name", NULL, NULL, NULL},
		/* 27 */ {"solo name", NULL, NULL, NULL},
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	const Clubcrm__ImportReply *r =
		ok_reply(import(fx, c.ana, 1, rows, n, false));
	assert_int_equal(r->n_rows, n);
	assert_why(r, 0, BAD, WHY(MISSING_NAME), FIELD(NAME), NULL, 0, 0);
	assert_why(r, 1, BAD, WHY(MISSING_NAME), FIELD(NAME), NULL, 0, 0);
	assert_why(r, 2, BAD, WHY(BAD_UTF8), FIELD(NAME), NULL, 0, 0);
	assert_why(r, 3, BAD, WHY(BAD_UTF8), FIELD(PHONE), NULL, 0, 0);
	assert_why(r, 4, BAD, WHY(BAD_UTF8), FIELD(EMAIL), NULL, 0, 0);
	assert_why(r, 5, BAD, WHY(BAD_UTF8), FIELD(CONSULTANT), NULL, 0, 0);
	assert_why(r, 6, BAD, WHY(CONTROL_CHARACTERS), FIELD(NAME), NULL, 0, 0);
	assert_why(r, 7, BAD, WHY(CONTROL_CHARACTERS), FIELD(PHONE), NULL, 0,
		   0);
	assert_why(r, 8, BAD, WHY(CONTROL_CHARACTERS), FIELD(EMAIL), NULL, 0,
		   0);
	assert_why(r, 9, BAD, WHY(CONTROL_CHARACTERS), FIELD(CONSULTANT), NULL,
		   0, 0);
	assert_why(r, 10, BAD, WHY(TOO_LONG), FIELD(NAME), NULL, 0, 200);
	assert_why(r, 11, BAD, WHY(TOO_LONG), FIELD(PHONE), NULL, 0, 64);
	assert_why(r, 12, BAD, WHY(TOO_LONG), FIELD(EMAIL), NULL, 0, 254);
	assert_why(r, 13, BAD, WHY(TOO_LONG), FIELD(CONSULTANT), NULL, 0, 100);
	assert_why(r, 14, BAD, WHY(TOO_LONG), FIELD(EMAIL), NULL, 0, 0);
	assert_string_equal(r->rows[14]->reason, "e-mail too long");
	assert_why(r, 15, BAD, WHY(BAD_EMAIL), FIELD(EMAIL), "a@b", 0, 0);
	assert_why(r, 16, BAD, WHY(BAD_PHONE), FIELD(PHONE), "call me", 0, 0);
	assert_why(r, 17, BAD, WHY(UNKNOWN_CONSULTANT), FIELD(CONSULTANT),
		   "nobody", 0, 0);
	/* By login in any case, or by name: the login, as an admin finds it
	 * in Settings. */
	assert_why(r, 18, BAD, WHY(INACTIVE_CONSULTANT), FIELD(CONSULTANT),
		   "gone", 0, 0);
	assert_why(r, 19, BAD, WHY(INACTIVE_CONSULTANT), FIELD(CONSULTANT),
		   "gone", 0, 0);
	assert_why(r, 20, BAD, WHY(AMBIGUOUS_CONSULTANT), FIELD(CONSULTANT),
		   "dani ruiz", 0, 0);
	assert_row(r, 21, ADDED, NULL);
	assert_false(r->rows[21]->has_reason_code);
	assert_null(r->rows[21]->reason);
	assert_why(r, 22, BAD, WHY(SAME_AS_LINE), FIELD(EMAIL), NULL, 23, 0);
	assert_why(r, 23, BAD, WHY(SAME_AS_LINE), FIELD(PHONE), NULL, 23, 0);
	assert_row(r, 24, ADDED, NULL);
	assert_why(r, 25, BAD, WHY(SAME_AS_LINE), FIELD(NAME), NULL, 26, 0);
	/* The English stays as the CLI has always printed it. */
	assert_string_equal(r->rows[15]->reason, "bad e-mail 'a@b'");
	assert_string_equal(r->rows[17]->reason, "unknown consultant 'nobody'");
	assert_string_equal(r->rows[22]->reason, "same e-mail as line 23");
	assert_int_equal(r->added, 2);
	assert_int_equal(r->refused, n - 2);
	uint64_t first = r->rows[21]->customer_id;

	/* The same people again: duplicates of the stored customers, each
	 * naming the key it shares and the customer. */
	const struct row again[] = {
		{"F", NULL, "First@Example.org", NULL},
		{"F", "+611 000 001", NULL, NULL},
		{"SOLO NAME", NULL, NULL, NULL},
		{"Arantxa", NULL, NULL, "dani2"},
	};
	r = ok_reply(import(fx, c.ana, 1, again, 4, true));
	assert_why(r, 0, DUP, WHY(SAME_AS_CUSTOMER), FIELD(EMAIL), NULL, 0, 0);
	assert_int_equal(r->rows[0]->customer_id, first);
	assert_why(r, 1, DUP, WHY(SAME_AS_CUSTOMER), FIELD(PHONE), NULL, 0, 0);
	assert_int_equal(r->rows[1]->customer_id, first);
	assert_why(r, 2, DUP, WHY(SAME_AS_CUSTOMER), FIELD(NAME), NULL, 0, 0);
	assert_true(r->rows[2]->customer_id != 0);
	assert_why(r, 3, DUP, WHY(SAME_AS_CUSTOMER), FIELD(NAME), NULL, 0, 0);
	assert_int_equal(r->rows[3]->customer_id, c.arantxa);
	char want[64];
	snprintf(want, sizeof(want), "same phone as First (customer %llu)",
		 (unsigned long long)first);
	assert_string_equal(r->rows[1]->reason, want);
	assert_int_equal(r->duplicates, 4);
	fx_close(fx);
}

/* Rewrites stored customer id's name as the disk could hold it. */
static void set_stored_name(struct fx *fx, uint64_t id, const char *name)
{
	struct txn t;
	struct arena a;
	arena_init(&a);
	txn_begin(&t, fx->st, NULL, true);
	Clubcrm__Customer *cu = NULL;
	assert_int_equal(txn_get_rec(&t, DB_CUSTOMERS, id,
				     &clubcrm__customer__descriptor, &a,
				     (void **)&cu), 0);
	cu->name = (char *)name;
	txn_put_rec(&t, DB_CUSTOMERS, id, &cu->base);
	assert_int_equal(txn_commit(&t), 0);
	arena_free(&a);
}

static void test_duplicate_names_the_customer(void **state)
{
	(void)state;
	struct club c;
	struct fx *fx = fx_open_club(&c);
	const struct row first[] = {
		{"Arantxa Etxeberria", "+34 600 111 222", NULL, NULL},
		{"Iñaki <b>{id}</b>", NULL, "inaki@example.org", NULL},
		{"Odd Name", "611 000 777", NULL, NULL},
	};
	const Clubcrm__ImportReply *r =
		ok_reply(import(fx, c.ana, 1, first, 3, false));
	assert_int_equal(r->added, 3);
	uint64_t etx = r->rows[0]->customer_id;
	uint64_t inaki = r->rows[1]->customer_id;
	uint64_t odd = r->rows[2]->customer_id;
	/* A name on disk that is not text to print: an escape sequence. */
	set_stored_name(fx, odd, "Odd \x1b[31mName");

	const struct row again[] = {
		{"A. Etxeberria", "34 600-111-222", NULL, NULL},
		{"I.", NULL, "INAKI@example.org", NULL},
		{"ARANTXA", NULL, NULL, NULL},
		{"Someone", "611-000-777", NULL, NULL},
		{"New Person", NULL, "new@example.org", NULL},
	};
	char want[128];
	for (int dry = 1; dry >= 0; dry--) {
		r = ok_reply(import(fx, c.ana, 1, again, 5, dry));
		assert_int_equal(r->duplicates, 4);
		/* The name as stored, beside the id. */
		assert_int_equal(r->rows[0]->customer_id, etx);
		assert_string_equal(r->rows[0]->customer_name,
				    "Arantxa Etxeberria");
		snprintf(want, sizeof(want), "same phone as Arantxa "
			 "Etxeberria (customer %llu)", (unsigned long long)etx);
		assert_string_equal(r->rows[0]->reason, want);
		/* Given as it is, markup and braces too. */
		assert_int_equal(r->rows[1]->customer_id, inaki);
		assert_string_equal(r->rows[1]->customer_name,
				    "Iñaki <b>{id}</b>");
		/* The club's own Arantxa, by name. */
		assert_int_equal(r->rows[2]->customer_id, c.arantxa);
		assert_string_equal(r->rows[2]->customer_name, "Arantxa");
		snprintf(want, sizeof(want), "same name as Arantxa "
			 "(customer %llu)", (unsigned long long)c.arantxa);
		assert_string_equal(r->rows[2]->reason, want);
		/* Unreadable: no name, the id says which. */
		assert_int_equal(r->rows[3]->customer_id, odd);
		assert_null(r->rows[3]->customer_name);
		snprintf(want, sizeof(want), "same phone as customer %llu",
			 (unsigned long long)odd);
		assert_string_equal(r->rows[3]->reason, want);
		/* A new row names nobody. */
		assert_row(r, 4, ADDED, NULL);
		assert_null(r->rows[4]->customer_name);
	}
	fx_close(fx);
}

static void test_custkey(void **state)
{
	(void)state;
	char k[CUSTKEY_MAX];
	assert_int_equal(custkey_email("  Ana@Example.ORG ", k), 16);
	assert_string_equal(k, "eana@example.org");
	assert_int_equal(custkey_email("   ", k), 0);
	assert_int_equal(custkey_email(NULL, k), 0);
	assert_true(custkey_phone("+34 (600) 11-12.22", k) > 0);
	assert_string_equal(k, "p34600111222");
	assert_int_equal(custkey_phone("no digits", k), 0);
	assert_true(custkey_name("  Lucía FERNÁNDEZ ", k) > 0);
	char k2[CUSTKEY_MAX];
	assert_true(custkey_name("lucia fernandez", k2) > 0);
	assert_string_equal(k, k2);
	assert_int_equal(custkey_name("  ", k), 0);
	char big[600];
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(custkey_phone(big, k), 0);
	assert_int_equal(custkey_email(big, k), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dry_run_changes_nothing),
		cmocka_unit_test(test_add_then_again_adds_nothing),
		cmocka_unit_test(test_bad_rows_each_with_a_reason),
		cmocka_unit_test(test_rights_and_limits),
		cmocka_unit_test(test_consultant_by_name_and_inactive),
		cmocka_unit_test(test_every_reason_has_its_code),
		cmocka_unit_test(test_duplicate_names_the_customer),
		cmocka_unit_test(test_custkey),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
