/*
 * The customer file reader (import_csv.h). The bytes go to libcsv one
 * physical line at a time (cut at IMPORT_CSV_LINE_MAX at most), so the
 * line a record starts on is known and no line is ever held whole: libcsv
 * holds the field being read, this reader the fields of the record being
 * read, both bounded by the record limit. A UTF-16 file is decoded to
 * UTF-8 before that, RAW_SIZE bytes of it at most at a time, so the lines
 * and the limits are those of the decoded text.
 */
#include "import_csv.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "custkey.h"
#include "textfold.h"

#define BUF_SIZE (64u * 1024u)
#define RAW_SIZE (64u * 1024u)  /* a UTF-16 file's undecoded bytes */

struct rec {
	unsigned line;
	size_t n;
	char **f;
};

struct import_csv {
	FILE *in;
	iconv_t cp1252;       /* Windows-1252 -> UTF-8, or (iconv_t)-1 */
	/* A UTF-16 file (its byte-order mark said so): its bytes are read
	 * into raw and decoded into buf, a piece at a time. */
	iconv_t utf16;        /* UTF-16LE/BE -> UTF-8, or (iconv_t)-1 */
	bool big_endian;
	unsigned char *raw;
	size_t raw_pos, raw_len;
	bool raw_eof;
	struct csv_parser p;
	bool parser_ready;
	unsigned char *buf;
	size_t pos, len;
	bool eof, fini;
	/* Where the feeding is. */
	unsigned line;        /* physical line being fed, 1-based */
	bool at_line_start;
	bool after_cr;        /* the last piece ended with a CR */
	size_t line_len;
	unsigned rec_line;    /* 0: no record begun */
	size_t rec_bytes;
	/* The record being read, then the records read and not yet taken. */
	struct rec cur;
	size_t cur_cap;
	struct rec *queue;
	size_t q_head, q_len, q_cap;
	char err[160];        /* a fault met in a callback */
	/* The header. */
	char delim;
	size_t ncol;
	char **header;
	enum import_field *field;
	struct rec row;       /* the row handed out last */
	char *name_buf;
};

static void set_err(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

static void rec_free(struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->f[i]);
	free(r->f);
	r->f = NULL;
	r->n = 0;
}

/* ------------------------------------------------------------ encoding */

/* No Unicode tables of our own: UTF-8 is checked with utf8proc (which
 * refuses overlong forms, surrogates and anything past U+10FFFF), other
 * encodings are converted with the C library's iconv (glibc refuses
 * Windows-1252's five undefined bytes, 0x81 0x8D 0x8F 0x90 0x9D, and
 * UTF-16's lone surrogates, with EILSEQ). */
#define NO_ICONV ((iconv_t)-1)

/* A 0-terminated UTF-8 copy of the field, or NULL with c->err set. A NUL
 * byte is refused: the copy, a C string, would end there. */
static char *field_text(struct import_csv *c, const unsigned char *s,
			size_t n, size_t col)
{
	if (n && memchr(s, '\0', n)) {
		set_err(c->err, sizeof(c->err),
			"line %u, column %zu: a NUL byte: not a text file "
			"(UTF-16?); save the file as UTF-8", c->line,
			col + 1);
		return NULL;
	}
	if (c->cp1252 == NO_ICONV) {
		for (size_t i = 0; i < n;) {
			utf8proc_int32_t cp;
			utf8proc_ssize_t l = utf8proc_iterate(
				s + i, (utf8proc_ssize_t)(n - i), &cp);
			if (l <= 0) {
				set_err(c->err, sizeof(c->err),
					"line %u, column %zu: byte 0x%02X is "
					"not UTF-8; save the file as UTF-8, "
					"or give --encoding windows-1252",
					c->line, col + 1, s[i]);
				return NULL;
			}
			i += (size_t)l;
		}
		char *t = malloc(n + 1);
		if (t) {
			memcpy(t, s, n);
			t[n] = '\0';
		}
		return t;
	}
	/* A Windows-1252 byte is at most 3 bytes of UTF-8 (U+20AC). */
	char *t = malloc(n * 3 + 1);
	if (!t)
		return NULL;
	char *in = (char *)s, *o = t;
	size_t inleft = n, outleft = n * 3;
	iconv(c->cp1252, NULL, NULL, NULL, NULL);
	if (iconv(c->cp1252, &in, &inleft, &o, &outleft) == (size_t)-1) {
		if (errno == EILSEQ && inleft)
			set_err(c->err, sizeof(c->err),
				"line %u, column %zu: byte 0x%02X is not "
				"Windows-1252", c->line, col + 1,
				(unsigned char)*in);
		else
			set_err(c->err, sizeof(c->err), "line %u, column "
				"%zu: cannot convert from Windows-1252",
				c->line, col + 1);
		free(t);
		return NULL;
	}
	*o = '\0';
	return t;
}

/* ------------------------------------------------------------ libcsv */

static void on_field(void *s, size_t n, void *data)
{
	struct import_csv *c = data;
	if (c->err[0])
		return;
	if (c->cur.n == IMPORT_CSV_COLUMNS_MAX) {
		set_err(c->err, sizeof(c->err),
			"line %u: more than %u columns", c->rec_line ? c->rec_line : c->line,
			IMPORT_CSV_COLUMNS_MAX);
		return;
	}
	if (c->cur.n == c->cur_cap) {
		size_t cap = c->cur_cap ? c->cur_cap * 2 : 16;
		char **f = realloc(c->cur.f, cap * sizeof(*f));
		if (!f) {
			set_err(c->err, sizeof(c->err), "out of memory");
			return;
		}
		c->cur.f = f;
		c->cur_cap = cap;
	}
	char *t = field_text(c, s ? s : (void *)"", s ? n : 0, c->cur.n);
	if (!t) {
		if (!c->err[0])
			set_err(c->err, sizeof(c->err), "out of memory");
		return;
	}
	c->cur.f[c->cur.n++] = t;
}

static void on_record(int term, void *data)
{
	(void)term;
	struct import_csv *c = data;
	if (c->err[0])
		return;
	if (c->q_head + c->q_len == c->q_cap) {
		if (c->q_head) {
			memmove(c->queue, c->queue + c->q_head,
				c->q_len * sizeof(*c->queue));
			c->q_head = 0;
		} else {
			size_t cap = c->q_cap ? c->q_cap * 2 : 4;
			struct rec *q = realloc(c->queue, cap * sizeof(*q));
			if (!q) {
				set_err(c->err, sizeof(c->err),
					"out of memory");
				return;
			}
			c->queue = q;
			c->q_cap = cap;
		}
	}
	c->cur.line = c->rec_line ? c->rec_line : c->line;
	c->queue[c->q_head + c->q_len++] = c->cur;
	c->cur = (struct rec){0};
	c->cur_cap = 0;
	c->rec_line = 0;
	c->rec_bytes = 0;
}

/* ------------------------------------------------------------ feeding */

/* The line the next decoded byte belongs to. */
static unsigned next_line(const struct import_csv *c)
{
	return c->at_line_start ? c->line + 1 : c->line;
}

/* Decodes the next piece of a UTF-16 file into buf (the raw bytes read
 * RAW_SIZE at most at a time; a code unit or a surrogate pair cut by a
 * read waits in raw for the rest). What was decoded before a fault is fed
 * first; the fault is met again on the next call, with the line it is on. */
static int fill_utf16(struct import_csv *c, char *err, size_t errlen)
{
	for (;;) {
		if (!c->raw_eof && c->raw_len - c->raw_pos < RAW_SIZE / 2) {
			c->raw_len -= c->raw_pos;
			memmove(c->raw, c->raw + c->raw_pos, c->raw_len);
			c->raw_pos = 0;
			size_t got = fread(c->raw + c->raw_len, 1,
					   RAW_SIZE - c->raw_len, c->in);
			if (!got) {
				if (ferror(c->in)) {
					set_err(err, errlen, "cannot read the "
						"file after line %u", c->line);
					return -1;
				}
				c->raw_eof = true;
			}
			c->raw_len += got;
		}
		size_t left = c->raw_len - c->raw_pos;
		if (!left && c->raw_eof) {
			c->eof = true;
			return 0;
		}
		char *in = (char *)c->raw + c->raw_pos, *o = (char *)c->buf;
		size_t outleft = BUF_SIZE;
		size_t r = iconv(c->utf16, &in, &left, &o, &outleft);
		int e = errno;
		c->raw_pos = (size_t)((unsigned char *)in - c->raw);
		c->len = BUF_SIZE - outleft;
		if (c->len)
			return 0;
		if (r != (size_t)-1 || (e == EINVAL && !c->raw_eof))
			continue;
		const unsigned char *u = c->raw + c->raw_pos;
		if (e == EILSEQ && left >= 2) {
			unsigned unit = c->big_endian ? (u[0] << 8 | u[1])
						      : (u[1] << 8 | u[0]);
			set_err(err, errlen, "line %u: 0x%04X is half of a "
				"UTF-16 surrogate pair without its other half: "
				"the file is damaged; save it again as "
				"Unicode Text or as UTF-8", next_line(c), unit);
		} else if (e == EINVAL && left == 2) {
			unsigned unit = c->big_endian ? (u[0] << 8 | u[1])
						      : (u[1] << 8 | u[0]);
			set_err(err, errlen, "line %u: the file ends with "
				"0x%04X, half of a UTF-16 surrogate pair: the "
				"file is cut short", next_line(c), unit);
		} else if (e == EINVAL) {
			set_err(err, errlen, "line %u: the file ends inside a "
				"UTF-16 character (an odd number of bytes): "
				"the file is cut short", next_line(c));
		} else {
			set_err(err, errlen, "line %u: cannot decode UTF-16: "
				"%s", next_line(c), strerror(e));
		}
		return -1;
	}
}

static int fill(struct import_csv *c, char *err, size_t errlen)
{
	if (c->pos < c->len || c->eof)
		return 0;
	c->pos = 0;
	c->len = 0;
	if (c->utf16 != NO_ICONV)
		return fill_utf16(c, err, errlen);
	c->len = fread(c->buf, 1, BUF_SIZE, c->in);
	if (c->len == 0) {
		if (ferror(c->in)) {
			set_err(err, errlen, "cannot read the file after line "
				"%u", c->line);
			return -1;
		}
		c->eof = true;
	}
	return 0;
}

/* Hands `n` bytes at `s` to libcsv; 0, or -1 with the fault (libcsv's or
 * one a callback met) in err. */
static int parse_bytes(struct import_csv *c, const unsigned char *s,
		       size_t n, char *err, size_t errlen)
{
	if (csv_parse(&c->p, s, n, on_field, on_record, c) != n) {
		set_err(err, errlen, "line %u: %s", c->line,
			csv_strerror(csv_error(&c->p)));
		return -1;
	}
	if (c->err[0]) {
		set_err(err, errlen, "%s", c->err);
		return -1;
	}
	return 0;
}

/* Feeds one piece (up to a line end, or what the buffer holds). 0 or -1.
 * A line ends with LF, CRLF or a CR alone (Excel's "CSV (Macintosh)"); a
 * CRLF the buffer cuts after its CR is one line end still. */
static int feed_piece(struct import_csv *c, char *err, size_t errlen)
{
	unsigned char *s = c->buf + c->pos;
	size_t left = c->len - c->pos;
	if (c->after_cr) {
		c->after_cr = false;
		if (s[0] == '\n') {
			/* The LF of a CRLF: the line has ended already. */
			if (parse_bytes(c, s, 1, err, errlen))
				return -1;
			c->pos++;
			return 0;
		}
	}
	size_t n = 0;
	while (n < left && s[n] != '\n' && s[n] != '\r')
		n++;
	bool nl = n < left;
	if (nl && s[n] == '\r' && n + 1 == left)
		c->after_cr = true;
	else if (nl && s[n] == '\r' && s[n + 1] == '\n')
		n++;
	if (nl)
		n++;
	if (c->at_line_start) {
		c->line++;
		c->line_len = 0;
		c->at_line_start = false;
	}
	c->line_len += n;
	if (c->line_len > IMPORT_CSV_LINE_MAX) {
		set_err(err, errlen, "line %u is longer than %u bytes: not a "
			"customer file?", c->line, IMPORT_CSV_LINE_MAX);
		return -1;
	}
	if (!c->rec_line) {
		for (size_t i = 0; i < n; i++)
			if (s[i] != '\r' && s[i] != '\n') {
				c->rec_line = c->line;
				break;
			}
	}
	if (c->rec_line) {
		c->rec_bytes += n;
		if (c->rec_bytes > IMPORT_CSV_LINE_MAX) {
			set_err(err, errlen, "the record starting on line %u "
				"is longer than %u bytes (a quote left "
				"open?)", c->rec_line, IMPORT_CSV_LINE_MAX);
			return -1;
		}
	}
	if (parse_bytes(c, s, n, err, errlen))
		return -1;
	c->pos += n;
	if (nl)
		c->at_line_start = true;
	return 0;
}

/* Reads until a record is queued or the file ends. 1, 0 (end) or -1. */
static int next_record(struct import_csv *c, struct rec *out, char *err,
		       size_t errlen)
{
	while (!c->q_len) {
		if (c->fini)
			return 0;
		if (fill(c, err, errlen))
			return -1;
		if (c->eof) {
			c->fini = true;
			unsigned open = c->rec_line;
			/* Outside strict mode (which would refuse a stray
			 * quote inside a field, as real exports have)
			 * csv_fini() closes an open quote silently: libcsv's
			 * own state says so (pstate 2 is FIELD_BEGUN in
			 * libcsv.c). */
			if ((c->p.quoted && c->p.pstate == 2) ||
			    csv_fini(&c->p, on_field, on_record, c)) {
				set_err(err, errlen, "line %u: a quoted field "
					"is not closed at the end of the file",
					open ? open : c->line);
				return -1;
			}
			if (c->err[0]) {
				set_err(err, errlen, "%s", c->err);
				return -1;
			}
			continue;
		}
		if (feed_piece(c, err, errlen))
			return -1;
	}
	*out = c->queue[c->q_head++];
	c->q_len--;
	if (!c->q_len)
		c->q_head = 0;
	return 1;
}

/* ------------------------------------------------------------ mapping */

struct word {
	const char *folded;
	enum import_field f;
};

/* Headers folded (lower case, no accents) with everything but letters and
 * digits removed. */
static const struct word WORDS[] = {
	{"name", IMPORT_F_NAME}, {"fullname", IMPORT_F_NAME},
	{"firstname", IMPORT_F_NAME}, {"customer", IMPORT_F_NAME},
	{"customername", IMPORT_F_NAME}, {"client", IMPORT_F_NAME},
	{"contact", IMPORT_F_NAME}, {"contactname", IMPORT_F_NAME},
	{"nombre", IMPORT_F_NAME}, {"nombrecompleto", IMPORT_F_NAME},
	{"nombreyapellidos", IMPORT_F_NAME}, {"cliente", IMPORT_F_NAME},
	{"contacto", IMPORT_F_NAME}, {"socio", IMPORT_F_NAME},
	{"surname", IMPORT_F_SURNAME}, {"lastname", IMPORT_F_SURNAME},
	{"familyname", IMPORT_F_SURNAME}, {"apellido", IMPORT_F_SURNAME},
	{"apellidos", IMPORT_F_SURNAME},
	{"phone", IMPORT_F_PHONE}, {"phonenumber", IMPORT_F_PHONE},
	{"telephone", IMPORT_F_PHONE}, {"tel", IMPORT_F_PHONE},
	{"mobile", IMPORT_F_PHONE}, {"mobilephone", IMPORT_F_PHONE},
	{"cellphone", IMPORT_F_PHONE}, {"telefono", IMPORT_F_PHONE},
	{"movil", IMPORT_F_PHONE}, {"telefonomovil", IMPORT_F_PHONE},
	{"celular", IMPORT_F_PHONE},
	{"email", IMPORT_F_EMAIL}, {"emailaddress", IMPORT_F_EMAIL},
	{"mail", IMPORT_F_EMAIL}, {"correo", IMPORT_F_EMAIL},
	{"correoelectronico", IMPORT_F_EMAIL}, {"correoe", IMPORT_F_EMAIL},
	{"consultant", IMPORT_F_CONSULTANT}, {"consultor", IMPORT_F_CONSULTANT},
	{"consultora", IMPORT_F_CONSULTANT},
	{"operator", IMPORT_F_CONSULTANT}, {"operador", IMPORT_F_CONSULTANT},
	{"operadora", IMPORT_F_CONSULTANT}, {"asesor", IMPORT_F_CONSULTANT},
	{"asesora", IMPORT_F_CONSULTANT},
};

static const char *const FIELD_NAMES[IMPORT_F_COUNT] = {
	"ignore", "name", "surname", "phone", "email", "consultant",
};

const char *import_field_name(enum import_field f)
{
	return (unsigned)f < IMPORT_F_COUNT ? FIELD_NAMES[f] : "?";
}

/* The header folded to its letters and digits (free() it); NULL: no
 * memory. "Consultor/a" is "consultora", "E-mail" "email". */
static char *fold_word(const char *s)
{
	char *f = textfold_dup(s);
	if (!f)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; f[i]; i++)
		if (isalnum((unsigned char)f[i]) || (unsigned char)f[i] >= 0x80)
			f[o++] = f[i];
	f[o] = '\0';
	return f;
}

static enum import_field field_of_header(const char *h)
{
	char *w = fold_word(h);
	enum import_field f = IMPORT_F_IGNORE;
	for (size_t i = 0; w && i < sizeof(WORDS) / sizeof(WORDS[0]); i++)
		if (strcmp(w, WORDS[i].folded) == 0) {
			f = WORDS[i].f;
			break;
		}
	free(w);
	return f;
}

static int field_of_word(const char *w, size_t n, enum import_field *f)
{
	static const struct {
		const char *w;
		enum import_field f;
	} names[] = {
		{"ignore", IMPORT_F_IGNORE}, {"name", IMPORT_F_NAME},
		{"surname", IMPORT_F_SURNAME}, {"phone", IMPORT_F_PHONE},
		{"email", IMPORT_F_EMAIL}, {"e-mail", IMPORT_F_EMAIL},
		{"consultant", IMPORT_F_CONSULTANT},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].w) == n && strncmp(names[i].w, w, n) == 0) {
			*f = names[i].f;
			return 0;
		}
	return -1;
}

/* The column a --map names: a header (folded) or a number. -1: none. */
static long column_of(const struct import_csv *c, const char *s, size_t n)
{
	char *want = malloc(n + 1);
	if (!want)
		return -1;
	memcpy(want, s, n);
	want[n] = '\0';
	char *end = NULL;
	long num = strtol(want, &end, 10);
	if (n && *end == '\0' && want[0] >= '0' && want[0] <= '9') {
		free(want);
		return num >= 1 && (size_t)num <= c->ncol ? num - 1 : -1;
	}
	long found = -1;
	for (size_t i = 0; i < c->ncol && found < 0; i++)
		if (textfold_equal(c->header[i], want))
			found = (long)i;
	free(want);
	return found;
}

static void list_headers(const struct import_csv *c, char *out, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < c->ncol && o + 1 < n; i++) {
		int w = snprintf(out + o, n - o, "%s%s", i ? ", " : "",
				 c->header[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static int apply_map(struct import_csv *c, const char *map, char *err,
		     size_t errlen)
{
	while (map && *map) {
		const char *end = strchr(map, ',');
		size_t n = end ? (size_t)(end - map) : strlen(map);
		const char *eq = memchr(map, '=', n);
		if (!eq || eq == map) {
			set_err(err, errlen, "--map '%.*s': expected "
				"COLUMN=FIELD", (int)n, map);
			return -1;
		}
		enum import_field f;
		size_t fn = n - (size_t)(eq + 1 - map);
		if (field_of_word(eq + 1, fn, &f)) {
			set_err(err, errlen, "--map: unknown field '%.*s' (name, "
				"surname, phone, email, consultant or ignore)",
				(int)fn, eq + 1);
			return -1;
		}
		long col = column_of(c, map, (size_t)(eq - map));
		if (col < 0) {
			char hs[400];
			list_headers(c, hs, sizeof(hs));
			set_err(err, errlen, "--map: no column '%.*s' in the "
				"header (its columns: %s)", (int)(eq - map),
				map, hs);
			return -1;
		}
		/* The mapped field leaves the column that had it by its
		 * header. */
		if (f != IMPORT_F_IGNORE)
			for (size_t i = 0; i < c->ncol; i++)
				if (c->field[i] == f)
					c->field[i] = IMPORT_F_IGNORE;
		c->field[col] = f;
		map = end ? end + 1 : map + n;
	}
	return 0;
}

/* The separator the header line uses most, outside quotes. */
static char detect_delim(const unsigned char *s, size_t n)
{
	size_t comma = 0, semi = 0, tab = 0;
	bool q = false;
	for (size_t i = 0; i < n && s[i] != '\n' && s[i] != '\r'; i++) {
		if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == ',')
			comma++;
		else if (!q && s[i] == ';')
			semi++;
		else if (!q && s[i] == '\t')
			tab++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

static int is_space(unsigned char ch)
{
	return ch == ' ';
}

/* The file starts with a UTF-16 byte-order mark (FF FE little-endian,
 * as Excel's "Unicode Text" writes, or FE FF big-endian): from here on
 * its bytes are decoded, the mark left out. The mark wins over
 * --encoding windows-1252: in Windows-1252 those bytes would be "ÿþ" or
 * "þÿ", never the start of a header. */
static int start_utf16(struct import_csv *c, char *err, size_t errlen)
{
	c->big_endian = c->buf[0] == 0xFE;
	c->utf16 = iconv_open("UTF-8", c->big_endian ? "UTF-16BE"
						     : "UTF-16LE");
	if (c->utf16 == NO_ICONV) {
		set_err(err, errlen, "cannot read UTF-16: %s",
			strerror(errno));
		return -1;
	}
	if (!(c->raw = malloc(RAW_SIZE))) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	c->raw_len = c->len - 2;
	memcpy(c->raw, c->buf + 2, c->raw_len);
	c->raw_eof = c->eof;
	c->pos = c->len = 0;
	return 0;
}

int import_csv_open(struct import_csv **out, FILE *in,
		    const struct import_csv_opts *o, char *err, size_t errlen)
{
	*out = NULL;
	struct import_csv *c = calloc(1, sizeof(*c));
	if (!c || !(c->buf = malloc(BUF_SIZE))) {
		free(c);
		set_err(err, errlen, "out of memory");
		return -1;
	}
	c->in = in;
	c->cp1252 = NO_ICONV;
	c->utf16 = NO_ICONV;
	c->at_line_start = true;
	if (csv_init(&c->p, CSV_APPEND_NULL)) {
		free(c->buf);
		free(c);
		set_err(err, errlen, "out of memory");
		return -1;
	}
	c->parser_ready = true;
	csv_set_space_func(&c->p, is_space);
	if (fill(c, err, errlen))
		goto fail;
	if (c->len >= 2 && (memcmp(c->buf, "\xFF\xFE", 2) == 0 ||
			    memcmp(c->buf, "\xFE\xFF", 2) == 0)) {
		if (start_utf16(c, err, errlen) || fill(c, err, errlen))
			goto fail;
	} else if (o && o->windows1252) {
		c->cp1252 = iconv_open("UTF-8", "WINDOWS-1252");
		if (c->cp1252 == NO_ICONV) {
			set_err(err, errlen, "cannot convert from "
				"Windows-1252: %s", strerror(errno));
			goto fail;
		}
	}
	if (c->len >= 3 && memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0)
		c->pos = 3;
	c->delim = detect_delim(c->buf + c->pos, c->len - c->pos);
	csv_set_delim(&c->p, (unsigned char)c->delim);
	struct rec h;
	int rc = next_record(c, &h, err, errlen);
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		set_err(err, errlen, "the file is empty: the first line "
			"must name the columns (e.g. name,phone,email)");
		goto fail;
	}
	c->ncol = h.n;
	c->header = h.f;
	c->field = calloc(h.n ? h.n : 1, sizeof(*c->field));
	if (!c->field) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < c->ncol; i++) {
		enum import_field f = field_of_header(c->header[i]);
		/* A second column of the same field (Phone, Mobile) is left
		 * out: --map picks another. */
		for (size_t j = 0; j < i && f != IMPORT_F_IGNORE; j++)
			if (c->field[j] == f)
				f = IMPORT_F_IGNORE;
		c->field[i] = f;
	}
	if (apply_map(c, o ? o->map : NULL, err, errlen))
		goto fail;
	bool have_name = false;
	for (size_t i = 0; i < c->ncol; i++)
		have_name |= c->field[i] == IMPORT_F_NAME;
	if (!have_name) {
		char hs[400];
		list_headers(c, hs, sizeof(hs));
		set_err(err, errlen, "no column for the customer's name among "
			"%s; name one with --map COLUMN=name", hs);
		goto fail;
	}
	*out = c;
	return 0;
fail:
	import_csv_close(c);
	return -1;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int import_csv_next(struct import_csv *c, struct import_csv_row *row,
		    char *err, size_t errlen)
{
	for (;;) {
		rec_free(&c->row);
		free(c->name_buf);
		c->name_buf = NULL;
		int rc = next_record(c, &c->row, err, errlen);
		if (rc <= 0)
			return rc;
		struct rec *r = &c->row;
		bool empty = true;
		for (size_t i = 0; i < r->n && empty; i++)
			empty = !r->f[i][0];
		if (empty)
			continue;
		memset(row, 0, sizeof(*row));
		row->line = r->line;
		const char *v[IMPORT_F_COUNT] = {0};
		for (size_t i = 0; i < r->n; i++) {
			if (i >= c->ncol) {
				if (r->f[i][0] && !row->bad)
					row->bad = "more fields than the header "
						   "has columns";
				continue;
			}
			if (c->field[i] != IMPORT_F_IGNORE)
				v[c->field[i]] = nonempty(r->f[i]);
		}
		row->name = v[IMPORT_F_NAME];
		if (v[IMPORT_F_SURNAME]) {
			const char *first = row->name ? row->name : "";
			size_t n = strlen(first) + strlen(v[IMPORT_F_SURNAME]) + 2;
			c->name_buf = malloc(n);
			if (!c->name_buf) {
				set_err(err, errlen, "out of memory");
				return -1;
			}
			snprintf(c->name_buf, n, "%s%s%s", first, *first ? " " : "",
				 v[IMPORT_F_SURNAME]);
			row->name = c->name_buf;
		}
		row->phone = v[IMPORT_F_PHONE];
		row->email = v[IMPORT_F_EMAIL];
		row->consultant = v[IMPORT_F_CONSULTANT];
		return 1;
	}
}

void import_csv_close(struct import_csv *c)
{
	if (!c)
		return;
	if (c->parser_ready)
		csv_free(&c->p);
	rec_free(&c->cur);
	for (size_t i = 0; i < c->q_len; i++)
		rec_free(&c->queue[c->q_head + i]);
	free(c->queue);
	rec_free(&c->row);
	if (c->header) {
		struct rec h = {.n = c->ncol, .f = c->header};
		rec_free(&h);
	}
	free(c->field);
	free(c->name_buf);
	free(c->buf);
	free(c->raw);
	if (c->utf16 != NO_ICONV)
		iconv_close(c->utf16);
	if (c->cp1252 != NO_ICONV)
		iconv_close(c->cp1252);
	free(c);
}

char import_csv_delim(const struct import_csv *c)
{
	return c->delim;
}

size_t import_csv_columns(const struct import_csv *c)
{
	return c->ncol;
}

const char *import_csv_column(const struct import_csv *c, size_t i,
			      enum import_field *field)
{
	if (i >= c->ncol)
		return NULL;
	if (field)
		*field = c->field[i];
	return c->header[i];
}

/* ------------------------------------------------------------ seen rows */

struct seen_slot {
	char *key;
	unsigned line;
};

struct import_seen {
	struct seen_slot *slots;
	size_t cap, n;  /* cap a power of two, n < cap / 2 */
};

struct import_seen *import_seen_new(void)
{
	struct import_seen *s = calloc(1, sizeof(*s));
	if (s && !(s->slots = calloc(1024, sizeof(*s->slots)))) {
		free(s);
		return NULL;
	}
	if (s)
		s->cap = 1024;
	return s;
}

void import_seen_free(struct import_seen *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i].key);
	free(s->slots);
	free(s);
}

static size_t seen_hash(const char *k)
{
	size_t h = 14695981039346656037ull & SIZE_MAX;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * (size_t)1099511628211ull;
	return h;
}

static struct seen_slot *seen_slot(struct seen_slot *slots, size_t cap,
				   const char *k)
{
	size_t i = seen_hash(k) & (cap - 1);
	while (slots[i].key && strcmp(slots[i].key, k) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int seen_grow(struct import_seen *s)
{
	size_t cap = s->cap * 2;
	struct seen_slot *n = calloc(cap, sizeof(*n));
	if (!n)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].key)
			*seen_slot(n, cap, s->slots[i].key) = s->slots[i];
	free(s->slots);
	s->slots = n;
	s->cap = cap;
	return 0;
}

int import_seen_check(struct import_seen *s, const struct import_csv_row *r,
		      unsigned *line, const char **what)
{
	char k[3][CUSTKEY_MAX];
	size_t len[3] = {custkey_email(r->email, k[0]),
			 custkey_phone(r->phone, k[1]), 0};
	if (!len[0] && !len[1])
		len[2] = custkey_name(r->name, k[2]);
	static const char *const whats[3] = {"e-mail", "phone", "name"};
	for (int i = 0; i < 3; i++) {
		if (!len[i])
			continue;
		struct seen_slot *sl = seen_slot(s->slots, s->cap, k[i]);
		if (sl->key) {
			*line = sl->line;
			*what = whats[i];
			return 1;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (!len[i])
			continue;
		if ((s->n + 1) * 2 > s->cap && seen_grow(s))
			return -1;
		struct seen_slot *sl = seen_slot(s->slots, s->cap, k[i]);
		if (!(sl->key = strdup(k[i])))
			return -1;
		sl->line = r->line;
		s->n++;
	}
	return 0;
}
