/* Contacts' E: the customers as `clubcrm customer export --bom [--tag T]`
 * writes them, every active one or those having a tag (a tag nobody has:
 * the header alone), parsed back; against the scripted fake server, the
 * tag's customers gathered over pages of its tasks. (The task lists' E:
 * test_tui_export_tasks.c.) */
#include "tui_export_fixture.h"

#include "customer_csv.h"
#include "idset.h"
#include "status.h"

#define OP_ALICIA 1
#define OP_VALENTINA 2
#define TAG_TENNIS 11
#define TAG_PADEL 12

struct custset {
	Clubcrm__Customer c[4];
	Clubcrm__Customer *cp[4];
	Clubcrm__Operator o[2];
	Clubcrm__Operator *op[2];
	Clubcrm__Tag t[2];
	Clubcrm__Tag *tp[2];
	Clubcrm__Catalog cat;
};

/* Four customers in id order, which is not the export's: Zoe (7);
 * "Álvaro, "Al" Ruiz" (3: an accent that byte order would put last, a
 * comma and quotes), his consultant with a login only; Berta (5),
 * inactive; carmen (4), lower case, her consultant unknown. */
static void custs_init(struct custset *s)
{
	static const uint64_t ids[4] = {7, 3, 5, 4};
	static const char *const names[4] = {
		"Zoe Martín", "Álvaro, \"Al\" Ruiz", "Berta", "carmen",
	};
	for (int i = 0; i < 4; i++) {
		clubcrm__customer__init(&s->c[i]);
		s->c[i].has_id = s->c[i].has_active = s->c[i].active = 1;
		s->c[i].id = ids[i];
		s->c[i].name = (char *)names[i];
		s->c[i].has_created_at = 1;
		s->c[i].created_at = T_2026_03_01 + 8 * 3600 + i * 60;
		s->c[i].has_consultant_id = 1;
		s->cp[i] = &s->c[i];
	}
	s->c[0].phone = "600 111 222";
	s->c[0].email = "zoe@example.org";
	s->c[0].consultant_id = OP_ALICIA;
	s->c[1].phone = "+34 600 333 444";
	s->c[1].email = "alvaro@example.org";
	s->c[1].consultant_id = OP_VALENTINA;
	s->c[2].active = 0;
	s->c[3].consultant_id = 99;
	for (int i = 0; i < 2; i++) {
		clubcrm__operator__init(&s->o[i]);
		s->o[i].has_id = 1;
		s->op[i] = &s->o[i];
		clubcrm__tag__init(&s->t[i]);
		s->t[i].has_id = s->t[i].has_active = s->t[i].active = 1;
		s->tp[i] = &s->t[i];
	}
	s->o[0].id = OP_ALICIA;
	s->o[0].name = "Alicia";
	s->o[0].login = "alicia";
	s->o[1].id = OP_VALENTINA;
	s->o[1].login = "valentina";
	s->t[0].id = TAG_TENNIS;
	s->t[0].name = "Tennis";
	s->t[1].id = TAG_PADEL;
	s->t[1].name = "Padel";
	clubcrm__catalog__init(&s->cat);
	s->cat.operators = s->op;
	s->cat.n_operators = 2;
	s->cat.tags = s->tp;
	s->cat.n_tags = 2;
}

static void assert_cust_head(const struct csv_file *c, size_t records)
{
	assert_true(c->bom);
	assert_int_equal(c->n, records);
	assert_int_equal(c->nf[0], CUSTOMER_CSV_COLS);
	for (size_t i = 0; i < CUSTOMER_CSV_COLS; i++)
		assert_string_equal(c->f[0][i], customer_csv_columns[i]);
	assert_string_equal(c->f[0][3], "E-mail");
	for (size_t r = 1; r < c->n; r++)
		assert_int_equal(c->nf[r], CUSTOMER_CSV_COLS);
}

static void assert_alvaro(char *const *f)
{
	assert_string_equal(f[0], "3");
	assert_string_equal(f[1], "Álvaro, \"Al\" Ruiz");
	assert_string_equal(f[2], "+34 600 333 444");
	assert_string_equal(f[3], "alvaro@example.org");
	assert_string_equal(f[4], "valentina");  /* no name: the login */
	assert_string_equal(f[5], "2026-03-01 08:01");
}

static void assert_zoe(char *const *f)
{
	assert_string_equal(f[0], "7");
	assert_string_equal(f[1], "Zoe Martín");
	assert_string_equal(f[2], "600 111 222");
	assert_string_equal(f[3], "zoe@example.org");
	assert_string_equal(f[4], "Alicia");
	assert_string_equal(f[5], "2026-03-01 08:00");
}

/* Every active customer: by folded name (Álvaro, carmen, Zoe), Berta left
 * out; the file is the owner's alone. */
static void assert_every_customer(const char *path)
{
	struct csv_file c;
	csv_read(path, &c);
	assert_cust_head(&c, 4);
	assert_alvaro(c.f[1]);
	assert_string_equal(c.f[2][0], "4");
	assert_string_equal(c.f[2][1], "carmen");
	assert_string_equal(c.f[2][2], "");
	assert_string_equal(c.f[2][4], "");  /* an unknown consultant */
	assert_zoe(c.f[3]);
	csv_free(&c);
}

/* Tagged: only those of the set, still in name order, inactive left out. */
static void assert_tagged(const char *path)
{
	struct csv_file c;
	csv_read(path, &c);
	assert_cust_head(&c, 3);
	assert_alvaro(c.f[1]);
	assert_zoe(c.f[2]);
	csv_free(&c);
}

static void assert_header_only(const char *path)
{
	struct csv_file c;
	csv_read(path, &c);
	assert_cust_head(&c, 1);
	csv_free(&c);
}

static void write_picked(const struct custset *s, const struct idset *only,
			 const char *path, size_t want)
{
	size_t n = 99;
	const Clubcrm__Customer **cs =
		tui_export_pick_customers(s->cp, 4, only, &n);
	assert_non_null(cs);
	assert_int_equal(n, want);
	assert_int_equal(tui_export_write_customers(path, cs, n, s->op, 2,
						    true), 0);
	free(cs);
}

static void test_customers_parsed_back(void **state)
{
	(void)state;
	struct custset s;
	custs_init(&s);
	char path[128];
	snprintf(path, sizeof(path), "%s/customers.csv", dir);
	write_picked(&s, NULL, path, 3);
	assert_every_customer(path);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Those having a tag: ids gathered unsorted, with repeats. */
	struct idset only = {0};
	assert_int_equal(idset_add(&only, 7), 0);
	assert_int_equal(idset_add(&only, 5), 0);
	assert_int_equal(idset_add(&only, 3), 0);
	assert_int_equal(idset_add(&only, 7), 0);
	assert_int_equal(idset_add(&only, 1000), 0);  /* not in the catalog */
	idset_sort(&only);
	write_picked(&s, &only, path, 2);
	assert_tagged(path);
	idset_free(&only);

	/* A tag nobody has: the header alone. */
	struct idset none = {0};
	idset_sort(&none);
	write_picked(&s, &none, path, 0);
	assert_header_only(path);
	/* No catalog at all: likewise. */
	size_t n = 99;
	const Clubcrm__Customer **cs = tui_export_pick_customers(NULL, 0,
								 NULL, &n);
	assert_non_null(cs);
	assert_int_equal(n, 0);
	assert_int_equal(tui_export_write_customers(path, cs, 0, NULL, 0,
						    true), 0);
	free(cs);
	assert_header_only(path);

	/* No overwriting unasked, no temporary left. */
	put(path, "mine\n");
	assert_int_equal(tui_export_write_customers(path, NULL, 0, NULL, 0,
						    false), -EEXIST);
	assert_string_equal(slurp(path), "mine\n");
	assert_int_equal(files_in_dir(), 1);
	clear_dir();
}

static void test_customer_names(void **state)
{
	(void)state;
	char out[256], want[256];
	tui_export_customers_path(T_2026_03_01 + 23 * 3600, out, sizeof(out));
	snprintf(want, sizeof(want), "%s/clubcrm-customers-2026-03-01.csv",
		 dir);
	assert_string_equal(out, want);
}

static void send_page_of(struct fake_server *fs, uint64_t rid,
			 const uint64_t *customers, size_t n, const char *next)
{
	Clubcrm__Task t[4];
	Clubcrm__TaskRow r[4], *rp[4];
	for (size_t i = 0; i < n; i++) {
		clubcrm__task__init(&t[i]);
		clubcrm__task_row__init(&r[i]);
		t[i].has_id = t[i].has_customer_id = 1;
		t[i].id = 100 + i;
		t[i].customer_id = customers[i];
		r[i].task = &t[i];
		rp[i] = &r[i];
	}
	Clubcrm__TaskPage p = CLUBCRM__TASK_PAGE__INIT;
	p.rows = rp;
	p.n_rows = n;
	if (next) {
		p.has_next_page_token = 1;
		p.next_page_token = (ProtobufCBinaryData){strlen(next),
							  (uint8_t *)next};
	}
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_TASK_PAGE;
	f.task_page = &p;
	fake_send(fs, &f);
}

/* The next ListTasks, checked to ask for the tasks having `tag` alone
 * (and for the page `token`, or the first); NULL after a failure. */
static Clubcrm__Frame *next_tag_query(struct fake_server *fs, uint64_t tag,
				      const char *token)
{
	Clubcrm__Frame *f = next_of(fs, CLUBCRM__FRAME__BODY_LIST_TASKS);
	if (!f)
		return NULL;
	const Clubcrm__ListTasks *q = f->list_tasks;
	const Clubcrm__TaskFilter *tf = q->filter;
	if (!tf || tf->n_tag_ids != 1 || tf->tag_ids[0] != tag ||
	    tf->n_operator_ids || tf->has_customer_id || q->has_as_of ||
	    q->has_as_of_revision)
		fake_fail(fs, "not the tasks of the tag alone");
	bool has = q->has_page_token && q->page_token.len;
	if (token ? !has || q->page_token.len != strlen(token) ||
		    memcmp(q->page_token.data, token, strlen(token))
		  : has)
		fake_fail(fs, "not the page expected");
	return f;
}

static void customers_script(struct fake_server *fs)
{
	if (!fake_handshake(fs, true))
		return;
	/* The catalogue: operators, tags, customers. */
	Clubcrm__Frame *f = next_of(fs, CLUBCRM__FRAME__BODY_SUBSCRIBE);
	if (!f)
		return;
	if (!f->subscribe->view || f->subscribe->view->kind !=
	    CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG)
		fake_fail(fs, "not the catalogue");
	struct custset s;
	custs_init(&s);
	uint32_t sub_id = f->subscribe->sub_id;
	send_subscribed(fs, f->request_id, sub_id);
	clubcrm__frame__free_unpacked(f, NULL);
	Clubcrm__SnapshotChunk c = CLUBCRM__SNAPSHOT_CHUNK__INIT;
	c.catalog = &s.cat;
	c.customers = s.cp;
	c.n_customers = 4;
	fake_send_snapshot(fs, sub_id, &c, 40);

	/* Tennis: two pages (a customer on both, an inactive one). */
	static const uint64_t p1[3] = {7, 5, 7}, p2[1] = {3};
	if (!(f = next_tag_query(fs, TAG_TENNIS, NULL)))
		return;
	send_page_of(fs, f->request_id, p1, 3, "page2");
	clubcrm__frame__free_unpacked(f, NULL);
	if (!(f = next_tag_query(fs, TAG_TENNIS, "page2")))
		return;
	send_page_of(fs, f->request_id, p2, 1, NULL);
	clubcrm__frame__free_unpacked(f, NULL);
	/* Padel: nobody. */
	if (!(f = next_tag_query(fs, TAG_PADEL, NULL)))
		return;
	send_page_of(fs, f->request_id, NULL, 0, NULL);
	clubcrm__frame__free_unpacked(f, NULL);
	/* Tennis again, refused. */
	if (!(f = next_tag_query(fs, TAG_TENNIS, NULL)))
		return;
	fake_send_error(fs, f->request_id, STATUS_INVALID_ARGUMENT,
			"refused here");
	clubcrm__frame__free_unpacked(f, NULL);
	fake_until_logout(fs);
}

static bool catalog_came(struct tui_app *a)
{
	const struct replica_catalog *c = tui_cat(a);
	return c && c->n_customers == 4 && c->n_tags == 2 &&
	       live_sub_replica(a->cat)->synced;
}

static bool gathered(struct tui_app *a)
{
	return !a->custexp_busy;
}

/* Contacts' E: the form with the default name; the file and tag set. */
static void export_customers_via_keys(struct tui_app *a, const char *path,
				      uint64_t tag)
{
	a->screen = TUI_SCR_CONTACTS;
	open_export_form(a, TUI_FK_CUSTOMERS_EXPORT, tui_export_customers_path,
			 path);
	struct tui_field *fl = tui_form_field(&a->form, "Tag");
	assert_non_null(fl);
	/* (every customer) and the catalogue's two, once it came */
	assert_int_equal(fl->n_choices, tui_cat(a) && tui_cat(a)->n_tags
					? 3 : 1);
	assert_string_equal(fl->choices[0].name, "(every customer)");
	bool found = tag == 0;
	for (size_t i = 0; i < fl->n_choices; i++)
		if (fl->choices[i].id == tag) {
			fl->choice = i;
			found = true;
		}
	assert_true(found);
	save_form(a);
}

static void test_desk_exports_customers(void **state)
{
	(void)state;
	struct fake_server fs;
	assert_int_equal(fake_start(&fs, false, customers_script, NULL), 0);
	struct fake_desk d;
	fake_desk_open(&d, &fs);
	struct tui_app *a = d.a;
	/* Before the catalogue came: refused, no file. */
	char path[128];
	snprintf(path, sizeof(path), "%s/all.csv", dir);
	export_customers_via_keys(a, path, 0);
	assert_int_equal(a->fkind, TUI_FK_CUSTOMERS_EXPORT);
	assert_true(a->status_err);
	assert_non_null(strstr(a->status, "still loading"));
	assert_int_equal(files_in_dir(), 0);
	tui_forms_close(a);

	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = CLUBCRM__VIEW_KIND__VIEW_KIND_CATALOG;
	assert_int_equal(tui_app_subscribe(a, &a->cat, &v), STATUS_OK);
	fake_desk_run_until(&d, catalog_came);

	/* Every customer: written at once, nothing asked of the server. */
	export_customers_via_keys(a, path, 0);
	assert_int_equal(a->fkind, TUI_FK_NONE);
	assert_false(a->status_err);
	assert_non_null(strstr(a->status, "exported 3 customers to"));
	assert_every_customer(path);

	/* The same name again: refused until saved a second time. */
	put(path, "kept\n");
	export_customers_via_keys(a, "~/all.csv", 0);
	assert_saved_only_twice(a, TUI_FK_CUSTOMERS_EXPORT, path);
	assert_every_customer(path);

	/* Tennis: the customers of its tasks, read over two pages. */
	snprintf(path, sizeof(path), "%s/tennis.csv", dir);
	export_customers_via_keys(a, path, TAG_TENNIS);
	assert_true(a->custexp_busy);
	assert_non_null(strstr(a->status, "gathering the customers tagged "
				   "Tennis"));
	fake_desk_run_until(&d, gathered);
	assert_int_equal(a->fkind, TUI_FK_NONE);
	assert_false(a->status_err);
	assert_non_null(strstr(a->status,
			       "exported 2 customers tagged Tennis to"));
	assert_tagged(path);

	/* Padel, which nobody has: the header alone. */
	snprintf(path, sizeof(path), "%s/padel.csv", dir);
	export_customers_via_keys(a, path, TAG_PADEL);
	fake_desk_run_until(&d, gathered);
	assert_non_null(strstr(a->status, "exported 0 customers tagged Padel"));
	assert_header_only(path);

	/* A refused query: said, the form kept, no file. */
	snprintf(path, sizeof(path), "%s/refused.csv", dir);
	export_customers_via_keys(a, path, TAG_TENNIS);
	fake_desk_run_until(&d, gathered);
	assert_int_equal(a->fkind, TUI_FK_CUSTOMERS_EXPORT);
	assert_true(a->status_err);
	assert_non_null(strstr(a->status, "refused here"));
	assert_null(slurp(path));
	assert_int_equal(files_in_dir(), 3);  /* all, tennis, padel */
	tui_forms_close(a);

	tui_app_subscribe(a, &a->cat, NULL);
	fake_desk_close(&d);
	clear_dir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_customers_parsed_back),
		cmocka_unit_test(test_customer_names),
		cmocka_unit_test(test_desk_exports_customers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
