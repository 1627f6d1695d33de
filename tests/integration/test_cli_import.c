/*
 * `clubcrm customer import` against the real server (the demo club): a
 * dry run changes nothing; a real run adds the good rows, once; the same
 * file again adds nothing; a run interrupted with Ctrl-C and run again
 * adds the rest; an operator is refused; bad rows come with their line
 * numbers; files the reader refuses; Excel's Unicode Text (UTF-16LE).
 */
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <iconv.h>

#include "client_api.h"
#include "harness.h"
#include "itcli.h"
#include "status.h"

#define OUT_MAX (256 * 1024)

ITCLI_STATE("import", "fermin", OUT_MAX);

#define run(...) itcli_run(&cli, __VA_ARGS__, (const char *)NULL)

/* Writes `len` bytes to DIR/name; the path in a static buffer. */
static const char *file_of(const char *name, const char *text, size_t len)
{
	static char path[4][300];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof(path[0]), "%s/%s", h.dir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return p;
}

#define FILE_OF(name, s) file_of(name, s, sizeof(s) - 1)

/* Active customers whose name holds `part` (every page). */
static size_t count_customers(const char *part)
{
	struct client_sync *s = NULL;
	struct client_status st;
	assert_int_equal(harness_login(&h, "fermin", &s, &st), STATUS_OK);
	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	lc.search = (char *)part;
	lc.has_page_size = 1;
	lc.page_size = 500;
	struct clubcrm_pager p;
	clubcrm_customers_pager(&p, s, &lc);
	size_t n = 0;
	while (!p.done) {
		struct clubcrm_answer ans;
		assert_int_equal(clubcrm_pager_next(&p, &ans), STATUS_OK);
		n += ans.customer_page->n_customers;
		clubcrm_answer_free(&ans);
	}
	clubcrm_pager_free(&p);
	client_sync_close(s);
	return n;
}

/* Spanish Excel: BOM, `;`, CRLF, a quoted line break; lines 3, 6 and 9
 * bad, line 7 already a customer of the demo (Arantxa's phone). */
static const char spanish[] =
	"\xEF\xBB\xBFNombre;Apellidos;Tel\xC3\xA9" "fono;Correo;Consultor/a;Notas\r\n"
	"Pilar;Ortega;+34 600 123 456;pilar@example.org;deborah;\"Quiere; tenis\"\r\n"
	"Juan;Ruiz;600 999 888;juan@;;\r\n"
	"Rosa;Mar\xC3\xADn;;rosa@example.org;Valentina;\"dos\r\nl\xC3\xADneas\"\r\n"
	"Tom\xC3\xA1s;Vidal;;;nadie;\r\n"
	"Arantxa;Otra;+34 600 111 222;;;\r\n"
	"Nuria;Sanz;611 222 333;NURIA@example.org;;\r\n"
	"Nuria;S.;;nuria@example.org;;\r\n";

static void test_dry_run_changes_nothing(void **state)
{
	(void)state;
	const char *f = FILE_OF("dry.csv", spanish);
	assert_int_equal(run("customer", "import", f, "--dry-run"), 1);
	itcli_expect_out(&cli, "Columns (separated by ';'): Nombre -> name, "
			       "Apellidos -> surname, Teléfono -> phone, "
			       "Correo -> email, Consultor/a -> consultant, "
			       "Notas (not imported)");
	/* Rosa's quoted note spans lines 4 and 5. */
	itcli_expect_out(&cli, "line 3: bad e-mail 'juan@'\n"
			       "line 6: unknown consultant 'nadie'\n"
			       "line 9: same e-mail as line 8\n");
	itcli_expect_out(&cli, "Dry run: 3 new, 1 duplicate skipped, 3 bad "
			       "(nothing was changed)");
	assert_int_equal(count_customers("Ortega"), 0);
	assert_int_equal(count_customers("Marín"), 0);
	/* With --skip-bad a dry run whose good rows are fine exits 0. */
	assert_int_equal(run("customer", "import", f, "--dry-run",
			     "--skip-bad"), 0);
	assert_int_equal(count_customers("Ortega"), 0);
	/* A real run with bad rows and no --skip-bad adds nothing. */
	assert_int_equal(run("customer", "import", f), 1);
	itcli_expect_err(&cli, "3 bad rows: nothing was imported (correct "
			       "them, or give --skip-bad");
	assert_int_equal(count_customers("Ortega"), 0);
}

static void test_run_then_again_adds_nothing(void **state)
{
	(void)state;
	const char *f = FILE_OF("real.csv", spanish);
	assert_int_equal(run("customer", "import", f, "--skip-bad"), 0);
	itcli_expect_out(&cli, "Imported 3 new customers, 1 duplicate "
			       "skipped, 3 bad rows skipped (revision ");
	assert_int_equal(count_customers("Pilar Ortega"), 1);
	assert_int_equal(count_customers("Rosa Marín"), 1);
	assert_int_equal(count_customers("Nuria Sanz"), 1);
	assert_int_equal(count_customers("Arantxa Otra"), 0);
	/* The consultant and the fields as written. */
	assert_int_equal(run("--json", "customer", "list", "--search",
			     "Pilar Ortega"), 0);
	json_t *j = itcli_json(&cli);
	assert_int_equal(json_array_size(j), 1);
	json_t *c = json_array_get(j, 0);
	assert_string_equal(itcli_str(c, "email"), "pilar@example.org");
	assert_string_equal(itcli_str(c, "phone"), "+34 600 123 456");
	json_decref(j);
	assert_int_equal(run("customer", "import", f, "--skip-bad"), 0);
	itcli_expect_out(&cli, "Nothing to import: 4 duplicates skipped, "
			       "3 bad");
	assert_int_equal(count_customers("Pilar Ortega"), 1);
	assert_int_equal(count_customers("Nuria"), 1);
	/* --verbose names the customers they duplicate, by name and id. */
	assert_int_equal(run("customer", "import", f, "--skip-bad",
			     "--verbose", "--dry-run"), 0);
	itcli_expect_out(&cli, "line 2: already a customer (same e-mail as "
			       "Pilar Ortega (customer ");
	/* --json: one object for scripts. */
	assert_int_equal(run("--json", "customer", "import", f, "--dry-run"), 1);
	json_t *d = itcli_json(&cli);
	assert_string_equal(itcli_str(d, "outcome"), "dry-run");
	assert_int_equal(itcli_num(d, "rows"), 7);
	assert_int_equal(itcli_num(d, "new"), 0);
	assert_int_equal(itcli_num(d, "duplicates"), 4);
	assert_int_equal(itcli_num(d, "bad"), 3);
	assert_string_equal(itcli_str(d, "separator"), ";");
	json_t *bad = json_object_get(d, "bad_rows");
	assert_int_equal(json_array_size(bad), 3);
	assert_int_equal(itcli_num(json_array_get(bad, 0), "line"), 3);
	assert_string_equal(itcli_str(json_array_get(bad, 2), "reason"),
			    "same e-mail as line 8");
	json_t *cols = json_object_get(d, "columns");
	assert_string_equal(itcli_str(json_array_get(cols, 4), "field"),
			    "consultant");
	json_decref(d);
}

static void test_operator_refused(void **state)
{
	(void)state;
	static const char t[] = "name\nOnly Admins\n";
	const char *f = FILE_OF("op.csv", t);
	cli.user = "alicia";
	int rc = run("customer", "import", f);
	cli.user = "fermin";
	assert_int_equal(rc, 1);
	itcli_assert_refused(&cli, "PERMISSION_DENIED");
	itcli_expect_err(&cli, "only admins may import customers");
	assert_int_equal(count_customers("Only Admins"), 0);
}

/* `rows` rows named "Resume NNNNN" with their own e-mails. */
static const char *big_file(size_t rows)
{
	size_t cap = 64 + rows * 64;
	char *t = malloc(cap);
	assert_non_null(t);
	size_t n = (size_t)snprintf(t, cap, "name,email,phone\r\n");
	for (size_t i = 0; i < rows; i++)
		n += (size_t)snprintf(t + n, cap - n,
				      "Resume %05zu,r%zu@example.org,+34 7%08zu\r\n",
				      i, i, i);
	const char *p = file_of("resume.csv", t, n);
	free(t);
	return p;
}

static void test_interrupted_then_resumed(void **state)
{
	(void)state;
	const size_t rows = 6000;
	const char *f = big_file(rows);
	char server[256];
	snprintf(server, sizeof(server), "unix:%s", h.sock);
	char outp[300];
	snprintf(outp, sizeof(outp), "%s/resume.out", h.dir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *o = freopen(outp, "w", stdout);
		if (!o)
			_exit(99);
		setenv("CLUBCRM_SERVER", server, 1);
		setenv("CLUBCRM_USER", "fermin", 1);
		setenv("CLUBCRM_PASSWORD", HARNESS_PASSWORD, 1);
		execl(CLUBCRM_CLI_PATH, CLUBCRM_CLI_PATH, "customer", "import",
		      f, "--batch-size", "20", (char *)NULL);
		_exit(98);
	}
	/* Ctrl-C once some batches are in (polled; generous bounds). */
	size_t seen = 0;
	for (int i = 0; i < 3000 && seen < 200; i++) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
		seen = count_customers("Resume");
	}
	assert_true(seen >= 200);
	assert_int_equal(kill(pid, SIGINT), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	FILE *o = fopen(outp, "r");
	assert_non_null(o);
	size_t n = fread(out, 1, OUT_MAX - 1, o);
	out[n] = '\0';
	fclose(o);
	size_t first = count_customers("Resume");
	if (first == rows)
		fail_msg("the import ended before Ctrl-C (%zu rows): make the "
			 "file bigger", rows);
	assert_int_equal(WEXITSTATUS(status), 1);
	if (!strstr(out, "Interrupted after"))
		fail_msg("no interruption message in: %s", out);
	assert_true(first >= 200 && first < rows);
	/* Again: only the rest is added. */
	assert_int_equal(run("customer", "import", f), 0);
	char want[160];
	snprintf(want, sizeof(want), "Imported %zu new customers, %zu "
		 "duplicates skipped", rows - first, first);
	itcli_expect_out(&cli, want);
	assert_int_equal(count_customers("Resume"), rows);
	assert_int_equal(run("customer", "import", f), 0);
	itcli_expect_out(&cli, "Nothing to import: 6000 duplicates skipped");
	assert_int_equal(count_customers("Resume"), rows);
}

static void test_files_refused(void **state)
{
	(void)state;
	assert_int_equal(run("customer", "import"), 2);
	itcli_expect_err(&cli, "customer import needs a file");
	assert_int_equal(run("customer", "import", "/nonexistent/x.csv"), 1);
	itcli_expect_err(&cli, "/nonexistent/x.csv: No such file");
	const char *empty = file_of("empty.csv", "", 0);
	assert_int_equal(run("customer", "import", empty), 1);
	itcli_expect_err(&cli, "the file is empty");
	static const char latin[] = "nombre;correo\r\nAna;ana@example.org\r\n"
				    "Mar\xED" "a Latina;maria@example.org\r\n";
	const char *lf = FILE_OF("latin.csv", latin);
	assert_int_equal(run("customer", "import", lf), 1);
	itcli_expect_err(&cli, "line 3, column 1: byte 0xED is not UTF-8");
	assert_int_equal(count_customers("Latina"), 0);
	assert_int_equal(count_customers("Ana"), 0);
	/* Declared, it is read as Windows-1252. */
	assert_int_equal(run("customer", "import", lf, "--encoding",
			     "windows-1252"), 0);
	assert_int_equal(count_customers("María Latina"), 1);
	assert_int_equal(run("customer", "import", lf, "--encoding", "ebcdic"),
			 2);
	static const char t[] = "Nom,Tel\nAna,600\n";
	const char *nf = FILE_OF("nom.csv", t);
	assert_int_equal(run("customer", "import", nf), 1);
	itcli_expect_err(&cli, "no column for the customer's name among Nom, "
			       "Tel; name one with --map COLUMN=name");
	assert_int_equal(run("customer", "import", nf, "--map", "Nom=nombre"),
			 2);
	itcli_expect_err(&cli, "unknown field 'nombre'");
	assert_int_equal(run("customer", "import", nf, "--map", "X=name"), 2);
	itcli_expect_err(&cli, "no column 'X' in the header");
	assert_int_equal(run("customer", "import", nf, "--batch-size", "0"), 2);
	assert_int_equal(run("customer", "import", nf, "--batch-size", "501"),
			 2);
	assert_int_equal(run("customer", "import", nf, "--map",
			     "Nom=name,Tel=phone", "--dry-run"), 0);
	itcli_expect_out(&cli, "Dry run: 1 new");
	/* A 10 MB line: refused by its number, nothing imported. */
	size_t big = 10u * 1024 * 1024;
	char *t2 = malloc(big + 64);
	assert_non_null(t2);
	size_t n = (size_t)snprintf(t2, 64, "name,notes\nHuge Line,");
	memset(t2 + n, 'x', big);
	n += big;
	t2[n++] = '\n';
	const char *hf = file_of("huge.csv", t2, n);
	free(t2);
	assert_int_equal(run("customer", "import", hf), 1);
	itcli_expect_err(&cli, "line 2 is longer than 1048576 bytes");
	assert_int_equal(count_customers("Huge Line"), 0);
}

/* `text` (UTF-8) as DIR/name in UTF-16LE with its mark: what Excel's
 * "Unicode Text" (Texto Unicode) saves. */
static const char *utf16le_file(const char *name, const char *text)
{
	size_t n = strlen(text);
	char *b = malloc(2 + n * 4);
	assert_non_null(b);
	memcpy(b, "\xFF\xFE", 2);
	iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	char *in = (char *)text, *o = b + 2;
	size_t inleft = n, outleft = n * 4;
	assert_int_equal(iconv(cd, &in, &inleft, &o, &outleft), 0);
	iconv_close(cd);
	const char *p = file_of(name, b, (size_t)(o - b));
	free(b);
	return p;
}

/* Excel's Unicode Text: UTF-16LE, tabs, CRLF: read as it is, accents and
 * all; a damaged one (a lone surrogate) is refused with its line. */
static void test_excel_unicode_text(void **state)
{
	(void)state;
	const char *f = utf16le_file("unicode.txt",
		"Nombre\tApellidos\tTeléfono\tCorreo electrónico\r\n"
		"Íñigo\tCastaño Ruiz\t622 333 444\tinigo@example.org\r\n"
		"Chloé\tBéjart\t\tchloe@example.org\r\n");
	assert_int_equal(run("customer", "import", f, "--dry-run"), 0);
	itcli_expect_out(&cli, "Nombre -> name, Apellidos -> surname, "
			       "Teléfono -> phone, Correo electrónico -> email");
	itcli_expect_out(&cli, "Dry run: 2 new");
	/* The mark wins over a declared Windows-1252. */
	assert_int_equal(run("customer", "import", f, "--encoding",
			     "windows-1252"), 0);
	itcli_expect_out(&cli, "Imported 2 new customers");
	assert_int_equal(count_customers("Íñigo Castaño Ruiz"), 1);
	assert_int_equal(count_customers("Chloé Béjart"), 1);
	assert_int_equal(run("--json", "customer", "list", "--search",
			     "Castaño"), 0);
	json_t *j = itcli_json(&cli);
	assert_int_equal(json_array_size(j), 1);
	json_t *c = json_array_get(j, 0);
	assert_string_equal(itcli_str(c, "name"), "Íñigo Castaño Ruiz");
	assert_string_equal(itcli_str(c, "phone"), "622 333 444");
	json_decref(j);
	/* A lone surrogate on line 3: refused, nothing imported. */
	static const char bad[] = "\xFF\xFE" "n\0a\0m\0e\0\r\0\n\0"
				  "Z\0o\0e\0 \0O\0k\0\r\0\n\0"
				  "B\0\x00\xDC\r\0\n\0";
	const char *bf = FILE_OF("damaged.txt", bad);
	assert_int_equal(run("customer", "import", bf), 1);
	itcli_expect_err(&cli, "line 3: 0xDC00 is half of a UTF-16 surrogate "
			       "pair");
	assert_int_equal(count_customers("Zoe Ok"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dry_run_changes_nothing),
		cmocka_unit_test(test_run_then_again_adds_nothing),
		cmocka_unit_test(test_operator_refused),
		cmocka_unit_test(test_interrupted_then_resumed),
		cmocka_unit_test(test_files_refused),
		cmocka_unit_test(test_excel_unicode_text),
	};
	return harness_run_group(tests, &h);
}
