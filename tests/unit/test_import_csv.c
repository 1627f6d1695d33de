/* Reading customer files (client/lib/import_csv.c): what real exports hold,
 * and what the reader refuses, with the line. */
#include "import_csv_fixture.h"

#define OPEN(g, s) open_text(g, s, sizeof(s) - 1, NULL, false, 0)

static void test_plain_comma(void **state)
{
	(void)state;
	struct got g;
	OPEN(&g, "name,phone,email,consultant\n"
		 "Pilar Ortega,+34 600 123 456,pilar@example.org,deborah\n"
		 "Iñaki,,,\n");
	assert_int_equal(import_csv_delim(g.c), ',');
	assert_int_equal(import_csv_columns(g.c), 4);
	enum import_field f;
	assert_string_equal(import_csv_column(g.c, 2, &f), "email");
	assert_int_equal(f, IMPORT_F_EMAIL);
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_str(r.name, "Pilar Ortega");
	assert_str(r.phone, "+34 600 123 456");
	assert_str(r.email, "pilar@example.org");
	assert_str(r.consultant, "deborah");
	assert_null(r.bad);
	next_row(&g, &r, 3);
	assert_str(r.name, "Iñaki");
	assert_str(r.phone, NULL);
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), 0);
	done(&g);
}

/* Spanish Excel: a BOM, `;`, CRLF, Spanish headers, quotes with the
 * separator, a doubled quote and a line break inside, blank lines. */
static void test_spanish_excel(void **state)
{
	(void)state;
	struct got g;
	OPEN(&g, "\xEF\xBB\xBF" "Nombre;Apellidos;Teléfono;Correo electrónico;"
		 "Consultor/a;Notas;Etiquetas\r\n"
		 "Arantxa;Etxeberria;600 111 222;arantxa@example.org;valentina;"
		 "\"Quiere clases; de tenis\";Tenis\r\n"
		 "\r\n"
		 "\"Lucía \"\"Lu\"\"\";Fernández;;;;\"primera línea\r\n"
		 "segunda línea\";\r\n"
		 ";;;;;;\r\n"
		 "Manolo;García;;;;;\r\n");
	assert_int_equal(import_csv_delim(g.c), ';');
	enum import_field f;
	assert_string_equal(import_csv_column(g.c, 0, &f), "Nombre");
	assert_int_equal(f, IMPORT_F_NAME);
	import_csv_column(g.c, 1, &f);
	assert_int_equal(f, IMPORT_F_SURNAME);
	import_csv_column(g.c, 2, &f);
	assert_int_equal(f, IMPORT_F_PHONE);
	import_csv_column(g.c, 3, &f);
	assert_int_equal(f, IMPORT_F_EMAIL);
	import_csv_column(g.c, 4, &f);
	assert_int_equal(f, IMPORT_F_CONSULTANT);
	import_csv_column(g.c, 5, &f);
	assert_int_equal(f, IMPORT_F_IGNORE);
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_str(r.name, "Arantxa Etxeberria");
	assert_str(r.email, "arantxa@example.org");
	assert_str(r.consultant, "valentina");
	/* Line 3 is blank; the quoted line break spans lines 4 and 5. */
	next_row(&g, &r, 4);
	assert_str(r.name, "Lucía \"Lu\" Fernández");
	assert_str(r.phone, NULL);
	/* Line 6 has only separators: skipped. */
	next_row(&g, &r, 7);
	assert_str(r.name, "Manolo García");
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), 0);
	done(&g);
}

static void test_tab_and_no_final_newline(void **state)
{
	(void)state;
	struct got g;
	OPEN(&g, "E-mail\tFull name\tMobile\n"
		 "a@example.org\tAna\t600");
	assert_int_equal(import_csv_delim(g.c), '\t');
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_str(r.name, "Ana");
	assert_str(r.email, "a@example.org");
	assert_str(r.phone, "600");
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), 0);
	done(&g);
}

/* The export's own columns come back in: ID and Created are left out. */
static void test_export_round_trip_and_extra_fields(void **state)
{
	(void)state;
	struct got g;
	OPEN(&g, "ID,Name,Phone,E-mail,Consultant,Created\r\n"
		 "1,Arantxa Etxeberria,+34 600 111 222,,Valentina,2026-12-07 07:27\r\n"
		 "2,Too Many,,,,,surprise\r\n"
		 "3,Empty Extra,,,,,\r\n"
		 "4,Short\r\n");
	enum import_field f;
	import_csv_column(g.c, 0, &f);
	assert_int_equal(f, IMPORT_F_IGNORE);
	import_csv_column(g.c, 5, &f);
	assert_int_equal(f, IMPORT_F_IGNORE);
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_str(r.name, "Arantxa Etxeberria");
	assert_str(r.consultant, "Valentina");
	assert_null(r.bad);
	next_row(&g, &r, 3);
	assert_non_null(r.bad);
	assert_non_null(strstr(r.bad, "more fields"));
	next_row(&g, &r, 4);
	assert_null(r.bad);
	next_row(&g, &r, 5);
	assert_str(r.name, "Short");
	assert_str(r.email, NULL);
	done(&g);
}

static void test_bad_utf8_has_its_line(void **state)
{
	(void)state;
	struct got g;
	OPEN(&g, "nombre,correo\n"
		 "Ana,ana@example.org\n"
		 "Mar\xED" "a,maria@example.org\n");
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), -1);
	assert_non_null(strstr(g.err, "line 3, column 1: byte 0xED is not "
				      "UTF-8"));
	assert_non_null(strstr(g.err, "--encoding windows-1252"));
	done(&g);
	/* Declared Windows-1252, the same bytes are María, and 0x80 the
	 * euro sign. */
	static const char w[] = "nombre,notas\nMar\xED" "a,\x80 5\n";
	open_text(&g, w, sizeof(w) - 1, NULL, true, 0);
	next_row(&g, &r, 2);
	assert_str(r.name, "María");
	done(&g);
	/* Every byte 0x80..0x9F Windows-1252 defines, and 0xFF. */
	static const char w1[] = "nombre\n\x80\x82\x8A\x8C\x8E\x91\x93"
				 "\x96\x99\x9A\x9C\x9E\x9F\xFF\n";
	open_text(&g, w1, sizeof(w1) - 1, NULL, true, 0);
	next_row(&g, &r, 2);
	assert_str(r.name, "€‚ŠŒŽ‘“–™šœžŸÿ");
	done(&g);
	/* Its five undefined bytes are refused, where they are. */
	static const unsigned char undef[] = {0x81, 0x8D, 0x8F, 0x90, 0x9D};
	for (size_t i = 0; i < sizeof(undef); i++) {
		char w2[] = "nombre,notas\nAna,1\nBea,x?\n";
		*strchr(w2, '?') = (char)undef[i];
		open_text(&g, w2, sizeof(w2) - 1, NULL, true, 0);
		next_row(&g, &r, 2);
		assert_int_equal(import_csv_next(g.c, &r, g.err,
						 sizeof(g.err)), -1);
		char want[64];
		snprintf(want, sizeof(want), "line 3, column 2: byte 0x%02X "
			 "is not Windows-1252", undef[i]);
		if (!strstr(g.err, want))
			fail_msg("'%s', expected '%s'", g.err, want);
		done(&g);
	}
	/* Overlong encodings, surrogates, past U+10FFFF and a sequence cut
	 * short are not UTF-8 either: the byte that starts it is named. */
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"name\n\xC0\xAF\n", "line 2, column 1: byte 0xC0 is not"},
		{"name\nx\xE0\x80\xAF\n", "line 2, column 1: byte 0xE0 is"},
		{"name\n\xED\xA0\x80\n", "line 2, column 1: byte 0xED is not"},
		{"name\n\xF4\x90\x80\x80\n", "line 2, column 1: byte 0xF4"},
		{"name\n\xF5\x80\x80\x80\n", "line 2, column 1: byte 0xF5"},
		{"name,x\nok,\xC3\n", "line 2, column 2: byte 0xC3 is not"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		open_text(&g, bad[i].text, strlen(bad[i].text), NULL, false,
			  0);
		assert_int_equal(import_csv_next(g.c, &r, g.err,
						 sizeof(g.err)), -1);
		if (!strstr(g.err, bad[i].want))
			fail_msg("'%s', expected '%s'", g.err, bad[i].want);
		done(&g);
	}
	/* U+10FFFF, the last, and a character outside the BMP are. */
	static const char ok[] = "name\n\xF4\x8F\xBF\xBF \xF0\x9F\x98\x80\n";
	open_text(&g, ok, sizeof(ok) - 1, NULL, false, 0);
	next_row(&g, &r, 2);
	assert_str(r.name, "\xF4\x8F\xBF\xBF \xF0\x9F\x98\x80");
	done(&g);
	/* In the header too. */
	static const char h[] = "n\xF1" "ame\nx\n";
	open_text(&g, h, sizeof(h) - 1, NULL, false, -1);
	assert_non_null(strstr(g.err, "line 1"));
	done(&g);
}

/* A NUL byte (a UTF-16 file without its mark, a binary file) would cut
 * the field where C strings end: refused with its line and column, in a
 * field, a quoted field, the header, and declared Windows-1252 too
 * (fuzz_import_csv's first find). */
static void test_nul_byte_refused(void **state)
{
	(void)state;
	struct got g;
	struct import_csv_row r;
	static const char f[] = "name,phone\nAna,1\nBea\0evil,2\n";
	open_text(&g, f, sizeof(f) - 1, NULL, false, 0);
	next_row(&g, &r, 2);
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), -1);
	assert_non_null(strstr(g.err, "line 3, column 1: a NUL byte"));
	done(&g);
	static const char q[] = "name,phone\n\"Ana\",\"1\0\"\n";
	open_text(&g, q, sizeof(q) - 1, NULL, true, 0);
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), -1);
	assert_non_null(strstr(g.err, "line 2, column 2: a NUL byte"));
	done(&g);
	/* UTF-16LE without a byte-order mark: the header is refused. */
	static const char u[] = "n\0a\0m\0e\0\n\0A\0n\0a\0\n\0";
	open_text(&g, u, sizeof(u) - 1, NULL, false, -1);
	assert_non_null(strstr(g.err, "line 1, column 1: a NUL byte"));
	done(&g);
}

/* Line ends of CR alone (Excel's "CSV (Macintosh)"): each is a line, for
 * the rows' lines, the errors' and the separator of the header line; a
 * CRLF cut by the reader's 64 KiB buffer is still one line end. */
static void test_cr_only_lines(void **state)
{
	(void)state;
	struct got g;
	struct import_csv_row r;
	OPEN(&g, "nombre;telefono\r\"Ortega, Pilar\";1\r\rBea, B;2\r"
		 "Jos\xE9;3\r");
	assert_int_equal(import_csv_delim(g.c), ';');
	next_row(&g, &r, 2);
	assert_str(r.name, "Ortega, Pilar");
	assert_str(r.phone, "1");
	next_row(&g, &r, 4);
	assert_str(r.name, "Bea, B");
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), -1);
	assert_non_null(strstr(g.err, "line 5, column 1"));
	done(&g);
	/* A quoted CR is a line break inside the field. */
	OPEN(&g, "name,notes\rAna,\"a\rb\"\rBea,x\r");
	next_row(&g, &r, 2);
	next_row(&g, &r, 4);
	assert_str(r.name, "Bea");
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), 0);
	done(&g);
	/* The CR at byte 65535, its LF at 65536. */
	size_t len = 65536 + 16;
	char *t = malloc(len);
	assert_non_null(t);
	memcpy(t, "name\r\n", 6);
	memset(t + 6, 'a', 65535 - 6);
	memcpy(t + 65535, "\r\nBea\r\nCy\r\n", 11);
	open_text(&g, t, 65535 + 11, NULL, false, 0);
	next_row(&g, &r, 2);
	assert_int_equal(strlen(r.name), 65535 - 6);
	next_row(&g, &r, 3);
	assert_str(r.name, "Bea");
	next_row(&g, &r, 4);
	assert_str(r.name, "Cy");
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), 0);
	done(&g);
	free(t);
}

/* A 10 MB line is refused by its number, read in bounded pieces. */
static void test_overlong_line(void **state)
{
	(void)state;
	size_t big = 10u * 1024 * 1024;
	const char *head = "name,notes\nAna,short\nBea,";
	size_t hl = strlen(head);
	char *text = malloc(hl + big + 2);
	assert_non_null(text);
	memcpy(text, head, hl);
	memset(text + hl, 'x', big);
	memcpy(text + hl + big, "\n", 2);
	struct got g;
	open_text(&g, text, hl + big + 1, NULL, false, 0);
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), -1);
	assert_non_null(strstr(g.err, "line 3 is longer than"));
	done(&g);
	/* A quote left open runs over many short lines: the record is
	 * refused once it is too long. */
	size_t lines = 2u * 1024 * 1024 / 8;
	char *q = malloc(20 + lines * 8);
	assert_non_null(q);
	strcpy(q, "name\n\"open\n");
	size_t ql = strlen(q);
	for (size_t i = 0; i < lines; i++, ql += 8)
		memcpy(q + ql, "abcdefg\n", 8);
	open_text(&g, q, ql, NULL, false, 0);
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), -1);
	assert_non_null(strstr(g.err, "record starting on line 2"));
	done(&g);
	free(q);
	free(text);
}

static void test_open_quote_at_end(void **state)
{
	(void)state;
	struct got g;
	OPEN(&g, "name\nAna\n\"Bea\n");
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), -1);
	assert_non_null(strstr(g.err, "line 3: a quoted field is not closed"));
	done(&g);
}

static void test_empty_and_header_only(void **state)
{
	(void)state;
	struct got g;
	open_text(&g, "", 0, NULL, false, -1);
	assert_non_null(strstr(g.err, "the file is empty"));
	done(&g);
	open_text(&g, "\xEF\xBB\xBF\r\n\r\n", 7, NULL, false, -1);
	assert_non_null(strstr(g.err, "the file is empty"));
	done(&g);
	OPEN(&g, "name,email\r\n");
	struct import_csv_row r;
	assert_int_equal(import_csv_next(g.c, &r, g.err, sizeof(g.err)), 0);
	done(&g);
}

static void test_unknown_columns_need_a_map(void **state)
{
	(void)state;
	struct got g;
	static const char t[] = "Nom,Tel\nAna,600\n";
	open_text(&g, t, sizeof(t) - 1, NULL, false, -1);
	assert_non_null(strstr(g.err, "no column for the customer's name "
				      "among Nom, Tel"));
	assert_non_null(strstr(g.err, "--map"));
	done(&g);
	open_text(&g, t, sizeof(t) - 1, "Nom=name,2=phone", false, 0);
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_str(r.name, "Ana");
	assert_str(r.phone, "600");
	done(&g);
}

static void test_map_overrides_and_errors(void **state)
{
	(void)state;
	static const char t[] = "Name,Phone,Mobile,Email\nAna,911,600,a@x.org\n";
	struct got g;
	/* Mobile looks like a phone too: the first one wins... */
	open_text(&g, t, sizeof(t) - 1, NULL, false, 0);
	enum import_field f;
	import_csv_column(g.c, 2, &f);
	assert_int_equal(f, IMPORT_F_IGNORE);
	struct import_csv_row r;
	next_row(&g, &r, 2);
	assert_str(r.phone, "911");
	done(&g);
	/* ...unless --map picks it (case and accents ignored), and the
	 * e-mail can be left out. */
	open_text(&g, t, sizeof(t) - 1, "MOBILE=phone,email=ignore", false, 0);
	next_row(&g, &r, 2);
	assert_str(r.phone, "600");
	assert_str(r.email, NULL);
	done(&g);
	static const struct {
		const char *map, *err;
	} bad[] = {
		{"Mobile", "--map 'Mobile': expected COLUMN=FIELD"},
		{"=phone", "expected COLUMN=FIELD"},
		{"Mobile=fax", "unknown field 'fax'"},
		{"Fax=phone", "no column 'Fax' in the header (its columns: "
			      "Name, Phone, Mobile, Email)"},
		{"9=phone", "no column '9'"},
		{"0=phone", "no column '0'"},
		{"Name=ignore", "no column for the customer's name"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		open_text(&g, t, sizeof(t) - 1, bad[i].map, false, -1);
		if (!strstr(g.err, bad[i].err))
			fail_msg("--map %s: '%s', expected '%s'", bad[i].map,
				 g.err, bad[i].err);
		done(&g);
	}
}

static void test_field_names(void **state)
{
	(void)state;
	assert_string_equal(import_field_name(IMPORT_F_NAME), "name");
	assert_string_equal(import_field_name(IMPORT_F_CONSULTANT),
			    "consultant");
	assert_string_equal(import_field_name(IMPORT_F_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_comma),
		cmocka_unit_test(test_spanish_excel),
		cmocka_unit_test(test_tab_and_no_final_newline),
		cmocka_unit_test(test_export_round_trip_and_extra_fields),
		cmocka_unit_test(test_bad_utf8_has_its_line),
		cmocka_unit_test(test_nul_byte_refused),
		cmocka_unit_test(test_cr_only_lines),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_open_quote_at_end),
		cmocka_unit_test(test_empty_and_header_only),
		cmocka_unit_test(test_unknown_columns_need_a_map),
		cmocka_unit_test(test_map_overrides_and_errors),
		cmocka_unit_test(test_field_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
