/*
 * fuzz_seeds frame|tls|request|taskrow|import_csv|journal DIR: writes a
 * small seed corpus for fuzz_frame, fuzz_tls, fuzz_request, fuzz_taskrow,
 * fuzz_import_csv or fuzz_journal, made at run time with the real encoder (so that it
 * follows the .proto as it is today) or real TLS sessions. Each file: the
 * two control bytes of the harness, then a byte stream (fuzz_taskrow: one
 * row's bytes only; fuzz_import_csv and fuzz_journal: one control byte,
 * then a file, for fuzz_journal a journal segment).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "journal.h"
#include "redo.h"
#include "testcert.h"
#include "tls.h"

static int write_seed(const char *dir, const char *name, uint8_t limit,
		      uint8_t split, const struct buf *stream)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	uint8_t head[2] = {limit, split};
	int ok = fwrite(head, 1, 2, f) == 2 &&
		 (stream->len == 0 ||
		  fwrite(stream->data, 1, stream->len, f) == stream->len);
	if (fclose(f) != 0 || !ok) {
		perror(path);
		return -1;
	}
	return 0;
}

static void add(struct buf *out, Clubcrm__Frame *f)
{
	if (frame_encode(f, out) < 0)
		abort();
}

static void add_hello(struct buf *out)
{
	uint8_t preface[FRAME_PREFACE_LEN];
	frame_preface_write(preface);
	if (buf_append(out, preface, sizeof(preface)) < 0)
		abort();
	Clubcrm__Hello hello = CLUBCRM__HELLO__INIT;
	hello.terminal_name = "reception 1";
	hello.client_version = "0.1.0";
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = 1;
	f.body_case = CLUBCRM__FRAME__BODY_HELLO;
	f.hello = &hello;
	add(out, &f);
}

static void add_login(struct buf *out)
{
	Clubcrm__Login login = CLUBCRM__LOGIN__INIT;
	login.login = "alicia";
	login.password = "demo";
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = 2;
	f.body_case = CLUBCRM__FRAME__BODY_LOGIN;
	f.login = &login;
	add(out, &f);
}

static void add_ping(struct buf *out, uint64_t nonce)
{
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	ping.has_nonce = 1;
	ping.nonce = nonce;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = nonce;
	f.body_case = CLUBCRM__FRAME__BODY_PING;
	f.ping = &ping;
	add(out, &f);
}

static void add_create_task(struct buf *out)
{
	uint64_t tags[] = {1, 2, 300};
	uint8_t key[16] = "0123456789abcdef";
	Clubcrm__CreateTask ct = CLUBCRM__CREATE_TASK__INIT;
	ct.description = "Offer tennis lessons to Arantxa";
	ct.has_type_id = 1;
	ct.type_id = 1;
	ct.n_tag_ids = 3;
	ct.tag_ids = tags;
	ct.has_planned_at = 1;
	ct.planned_at = 1767225600;
	ct.has_customer_id = 1;
	ct.customer_id = 7;
	ct.has_idempotency_key = 1;
	ct.idempotency_key.len = sizeof(key);
	ct.idempotency_key.data = key;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = 3;
	f.body_case = CLUBCRM__FRAME__BODY_CREATE_TASK;
	f.create_task = &ct;
	add(out, &f);
}

static void add_list_tasks(struct buf *out)
{
	uint64_t ops[] = {3, 4};
	Clubcrm__TaskFilter filter = CLUBCRM__TASK_FILTER__INIT;
	filter.has_planned_from = 1;
	filter.planned_from = 1767225600;
	filter.has_planned_to = 1;
	filter.planned_to = 1767830400;
	filter.n_operator_ids = 2;
	filter.operator_ids = ops;
	filter.text = "quote";
	Clubcrm__ListTasks lt = CLUBCRM__LIST_TASKS__INIT;
	lt.filter = &filter;
	lt.has_page_size = 1;
	lt.page_size = 50;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = 4;
	f.body_case = CLUBCRM__FRAME__BODY_LIST_TASKS;
	f.list_tasks = &lt;
	add(out, &f);
}

static void add_error(struct buf *out)
{
	Clubcrm__Error err = CLUBCRM__ERROR__INIT;
	err.has_code = 1;
	err.code = 9;
	err.message = "task 7 is taken by valentina";
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = 5;
	f.body_case = CLUBCRM__FRAME__BODY_ERROR;
	f.error = &err;
	add(out, &f);
}

static void add_raw(struct buf *out, const void *p, size_t len)
{
	if (buf_append(out, p, len) < 0)
		abort();
}

static int frame_seeds(const char *dir)
{
	struct buf b = {0};
	int ret = 0;

	add_hello(&b);
	add_login(&b);
	ret |= write_seed(dir, "hello-login", 0, 1, &b);
	b.len = 0;
	for (uint64_t i = 1; i <= 3; i++)
		add_ping(&b, i);
	ret |= write_seed(dir, "pings", 1, 2, &b);
	b.len = 0;
	add_create_task(&b);
	add_list_tasks(&b);
	add_error(&b);
	ret |= write_seed(dir, "requests", 1, 3, &b);
	/* The same, cut in the middle of the last frame. */
	b.len -= 5;
	ret |= write_seed(dir, "truncated", 1, 4, &b);
	b.len = 0;
	add_ping(&b, 9);
	add_raw(&b, "\0\0\0\0", 4);  /* a zero length */
	ret |= write_seed(dir, "zero-length", 0, 5, &b);
	b.len = 0;
	add_raw(&b, "\0\0\x20\x01", 4);  /* 8193: over the pre-login limit */
	add_raw(&b, "\x08\x01", 2);
	ret |= write_seed(dir, "oversized", 0, 6, &b);
	b.len = 0;
	add_raw(&b, "\0\0\0\x03\x7a\x01\x00", 7);  /* a Ping holding tag 0: invalid */
	ret |= write_seed(dir, "garbage", 2, 7, &b);
	buf_free(&b);
	return ret;
}

/* ------------------------------------------------------------ requests */

/* Frame.body set to `msg`, whatever its case. */
static void add_body(struct buf *out, uint64_t rid,
		     const ProtobufCFieldDescriptor *fd, void *msg)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = (Clubcrm__Frame__BodyCase)fd->id;
	memcpy((char *)&f + fd->offset, &msg, sizeof(msg));
	add(out, &f);
}

/* A request of body `fd`, empty but for an `id` (demo records start at 1). */
static void add_empty_request(struct buf *out, uint64_t rid,
			      const ProtobufCFieldDescriptor *fd, uint64_t id)
{
	const ProtobufCMessageDescriptor *d = fd->descriptor;
	union {
		ProtobufCMessage base;
		char bytes[1024];
	} m;
	if (d->sizeof_message > sizeof(m))
		abort();
	d->message_init(&m.base);
	const ProtobufCFieldDescriptor *idf =
		protobuf_c_message_descriptor_get_field_by_name(d, "id");
	if (idf && idf->type == PROTOBUF_C_TYPE_UINT64 &&
	    idf->label == PROTOBUF_C_LABEL_OPTIONAL) {
		*(protobuf_c_boolean *)(m.bytes + idf->quantifier_offset) = 1;
		memcpy(m.bytes + idf->offset, &id, sizeof(id));
	}
	add_body(out, rid, fd, &m.base);
}

static void add_subscribe(struct buf *out, uint64_t rid, uint32_t sub_id,
			  Clubcrm__ViewKind kind)
{
	Clubcrm__TaskFilter filter = CLUBCRM__TASK_FILTER__INIT;
	filter.text = "a";
	Clubcrm__View v = CLUBCRM__VIEW__INIT;
	v.has_kind = 1;
	v.kind = kind;
	v.filter = kind == CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD ? NULL : &filter;
	v.has_from = v.has_to = 1;
	v.from = 1767225600;
	v.to = v.from + 14 * 86400;
	Clubcrm__Subscribe s = CLUBCRM__SUBSCRIBE__INIT;
	s.has_sub_id = 1;
	s.sub_id = sub_id;
	s.view = &v;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBE;
	f.subscribe = &s;
	add(out, &f);
}

static void add_take(struct buf *out, uint64_t rid, uint64_t id)
{
	Clubcrm__TakeTask t = CLUBCRM__TAKE_TASK__INIT;
	t.has_id = 1;
	t.id = id;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_TAKE_TASK;
	f.take_task = &t;
	add(out, &f);
}

static void add_close(struct buf *out, uint64_t rid, uint64_t id)
{
	Clubcrm__CloseTask c = CLUBCRM__CLOSE_TASK__INIT;
	c.has_id = 1;
	c.id = id;
	c.note = "called, will come on Monday";
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_CLOSE_TASK;
	f.close_task = &c;
	add(out, &f);
}

static void add_deactivate(struct buf *out, uint64_t rid, uint64_t id)
{
	Clubcrm__Operator op = CLUBCRM__OPERATOR__INIT;
	op.has_id = op.has_active = 1;
	op.id = id;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &op;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_UPSERT_OPERATOR;
	f.upsert_operator = &u;
	add(out, &f);
}

/* A task the demo club accepts: customer 1 (Arantxa), type 2 (Call). */
static void add_demo_task(struct buf *out, uint64_t rid)
{
	uint64_t tags[] = {1, 2};
	Clubcrm__CreateTask ct = CLUBCRM__CREATE_TASK__INIT;
	ct.description = "Offer tennis lessons";
	ct.has_type_id = ct.has_customer_id = ct.has_planned_at = 1;
	ct.type_id = 2;
	ct.customer_id = 1;
	ct.planned_at = 1893456000;  /* 2030 */
	ct.n_tag_ids = 2;
	ct.tag_ids = tags;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_CREATE_TASK;
	f.create_task = &ct;
	add(out, &f);
}

/* A customer file's batch: a good row, a bad one, a twin of the first and
 * a duplicate of the demo's Arantxa (her phone). */
static void add_import(struct buf *out, uint64_t rid, bool dry)
{
	Clubcrm__ImportRow r[4];
	Clubcrm__ImportRow *rp[4];
	for (int i = 0; i < 4; i++) {
		clubcrm__import_row__init(&r[i]);
		r[i].has_line = 1;
		r[i].line = (uint32_t)i + 2;
		rp[i] = &r[i];
	}
	r[0].name = "Pilar Ortega";
	r[0].email = "pilar@example.org";
	r[0].consultant = "deborah";
	r[1].name = "Juan";
	r[1].email = "juan@";
	r[2].name = "Pilar O.";
	r[2].email = "PILAR@example.org";
	r[3].name = "Arantxa";
	r[3].phone = "+34 600 111 222";
	Clubcrm__ImportCustomers im = CLUBCRM__IMPORT_CUSTOMERS__INIT;
	im.rows = rp;
	im.n_rows = 4;
	im.has_dry_run = 1;
	im.dry_run = dry;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = 1;
	f.request_id = rid;
	f.body_case = CLUBCRM__FRAME__BODY_IMPORT_CUSTOMERS;
	f.import_customers = &im;
	add(out, &f);
}

/*
 * One seed per request body (empty but for an id), as the admin and as an
 * operator, and a few stories: live views then the writes they see. Ids
 * are the demo club's (each kind counts from 1; task 1 is a note, 2 on are
 * tasks; operator 5 is maribel).
 */
static int request_seeds(const char *dir)
{
	const ProtobufCMessageDescriptor *fd = &clubcrm__frame__descriptor;
	struct buf b = {0};
	int ret = 0;
	char name[64];
	for (unsigned i = 0; i < fd->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &fd->fields[i];
		/* Requests are the bodies numbered 30 to 99. */
		if (f->id < 30 || f->id >= 100)
			continue;
		for (uint8_t who = 0; who < 2; who++) {
			b.len = 0;
			add_empty_request(&b, 7, f, 1 + who);
			snprintf(name, sizeof(name), "%s-%s", f->name,
				 who ? "operator" : "admin");
			ret |= write_seed(dir, name, who, 0, &b);
		}
	}
	b.len = 0;
	add_subscribe(&b, 1, 1, CLUBCRM__VIEW_KIND__VIEW_KIND_BOARD);
	add_subscribe(&b, 2, 2, CLUBCRM__VIEW_KIND__VIEW_KIND_AGENDA);
	add_subscribe(&b, 3, 3, CLUBCRM__VIEW_KIND__VIEW_KIND_URGENT);
	add_demo_task(&b, 4);
	add_take(&b, 5, 2);
	add_close(&b, 6, 2);
	add_take(&b, 7, 3);
	add_list_tasks(&b);
	ret |= write_seed(dir, "story-operator", 1, 2, &b);
	add_deactivate(&b, 8, 5);
	ret |= write_seed(dir, "story-admin", 0, 7, &b);
	b.len = 0;
	add_import(&b, 1, true);
	add_import(&b, 2, false);
	add_import(&b, 3, false);
	ret |= write_seed(dir, "import-admin", 0, 3, &b);
	buf_free(&b);
	return ret;
}

/*
 * A real ClientHello (for our server), and the real answer of a server to
 * another client's hello (for our client: it gets as far as decrypting).
 */
static int tls_seeds(const char *dir)
{
	struct testcert tc;
	struct tls_ctx *sctx = NULL, *cctx = NULL;
	struct tls_session *server = NULL, *client = NULL;
	struct buf hello = {0}, flight = {0};
	char err[256];
	int ret = -1;
	if (testcert_make(&tc) < 0)
		return -1;
	if (tls_ctx_new_server(&sctx, tc.cert, tc.key, err, sizeof(err)) < 0 ||
	    tls_ctx_new_client(&cctx, tc.ca, "localhost", err,
			       sizeof(err)) < 0 ||
	    tls_session_new(sctx, &server, err, sizeof(err)) < 0 ||
	    tls_session_new(cctx, &client, err, sizeof(err)) < 0 ||
	    tls_session_take_cipher(client, &hello) < 0 ||
	    tls_session_feed_cipher(server, hello.data, hello.len) < 0 ||
	    tls_session_take_cipher(server, &flight) < 0) {
		fprintf(stderr, "tls seeds: %s\n", err);
		goto fail;
	}
	ret = write_seed(dir, "client-hello", 0, 1, &hello);
	ret |= write_seed(dir, "client-hello-split", 0, 2, &hello);
	ret |= write_seed(dir, "server-flight", 1, 3, &flight);
	ret |= write_seed(dir, "server-flight-split", 1, 4, &flight);
fail:
	tls_session_free(server);
	tls_session_free(client);
	tls_ctx_free(sctx);
	tls_ctx_free(cctx);
	buf_free(&hello);
	buf_free(&flight);
	testcert_remove(&tc);
	return ret;
}

/* Rows for fuzz_taskrow: one TaskRow's bytes a file, as packed by
 * protobuf-c (full, sparse, empty), and one cut short. */
static int write_raw(const char *dir, const char *name, const uint8_t *p,
		     size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	int ok = len == 0 || fwrite(p, 1, len, f) == len;
	if (fclose(f) != 0 || !ok) {
		perror(path);
		return -1;
	}
	return 0;
}

static int taskrow_seeds(const char *dir)
{
	uint64_t tags[] = {3, 300, 70000};
	char *names[] = {(char *)"VIP", (char *)""};
	char *colours[] = {(char *)"red", (char *)"#00ff00"};
	Clubcrm__Task t = CLUBCRM__TASK__INIT;
	t.has_id = t.has_kind = t.has_type_id = t.has_planned_at = 1;
	t.id = 4242;
	t.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	t.type_id = 2;
	t.planned_at = -1;
	t.description = (char *)"call back about the renewal";
	t.n_tag_ids = 3;
	t.tag_ids = tags;
	t.has_mod_rev = t.has_repeat_count = 1;
	t.mod_rev = UINT64_MAX;
	t.repeat_count = 7;
	Clubcrm__TaskRow r = CLUBCRM__TASK_ROW__INIT;
	r.task = &t;
	r.type_name = (char *)"Call";
	r.customer_name = (char *)"Rosa D\xc3\xad" "az";
	r.operator_login = (char *)"alicia";
	r.has_colour = r.has_overdue = 1;
	r.colour = CLUBCRM__COLOUR__COLOUR_RED;
	r.overdue = 1;
	r.n_tag_names = 2;
	r.tag_names = names;
	r.n_tag_colours = 2;
	r.tag_colours = colours;
	uint8_t full[512];
	size_t len = clubcrm__task_row__pack(&r, full);
	Clubcrm__TaskRow sparse = CLUBCRM__TASK_ROW__INIT;
	Clubcrm__Task st = CLUBCRM__TASK__INIT;
	st.has_id = 1;
	st.id = 1;
	sparse.task = &st;
	uint8_t small[64];
	size_t slen = clubcrm__task_row__pack(&sparse, small);
	/* What protobuf-c reads and the hand decoder leaves to it: a bool
	 * as fixed64 (fuzz_taskrow's first find), the task twice. */
	static const uint8_t bool_i64[] = {0x59, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t task_twice[] = {0x0a, 0x02, 0x08, 0x03,
					     0x0a, 0x02, 0x30, 0x04};
	if (write_raw(dir, "row-bool-i64", bool_i64, sizeof(bool_i64)) ||
	    write_raw(dir, "row-task-twice", task_twice, sizeof(task_twice)) ||
	    write_raw(dir, "row-full", full, len) ||
	    write_raw(dir, "row-cut", full, len / 2) ||
	    write_raw(dir, "row-sparse", small, slen) ||
	    write_raw(dir, "row-empty", small, 0))
		return -1;
	return 0;
}

/* Customer files for fuzz_import_csv: the control byte (bit 0
 * Windows-1252, bits 1-2 a --map), then the file. */
static int import_csv_seeds(const char *dir)
{
	static const struct {
		const char *name;
		uint8_t ctl;
		const char *text;
		size_t len;  /* 0: strlen(text) */
	} seeds[] = {
		{"good", 0, "name,phone,email,consultant\n"
		 "Pilar Ortega,+34 600 111 222,pilar@example.org,deborah\n"
		 "Juan,,juan@,\n\n"
		 "Pilar O.,,PILAR@example.org,\n", 0},
		{"bom-crlf-spanish", 0, "\xEF\xBB\xBFNombre;Apellidos;Tel\xC3\xA9"
		 "fono;Correo electr\xC3\xB3nico\r\nRosa;D\xC3\xAD" "az;600 1;"
		 "rosa@example.es\r\n", 0},
		{"quotes", 0, "\"name\",\"email\"\n\"Ortega, Pilar\",\"a\"\"b@x\"\n"
		 "\"two\nlines\",x@y\n\"open,never closed\n", 0},
		{"tabs-map", 2, "a\tb\tc\nAna\t600\tana@x\n", 0},
		{"map-header", 4, "Full Name,E-Mail\nAna,ana@x\n", 0},
		{"bad-utf8", 0, "name,email\nJos\xE9,jose@x\n", 0},
		{"cp1252", 1, "name;email\nJos\xE9 \x80;jos\xE9@x\n", 0},
		{"cp1252-undefined", 1, "name\nA\x81\n", 0},
		{"cr-only", 0, "name,phone\rAna,1\rBea,2\r", 0},
		{"nul", 0, "name,phone\nA\0na,1\n", 18},
		{"more-fields", 6, "name\nAna,extra,more\n,,\n", 0},
		{"surname", 0, "surname,name\nD\xC3\xAD" "az,Rosa\nSolo,\n", 0},
		/* UTF-16 with its mark: Excel's "Unicode Text" (LE, tabs,
		 * CRLF, a surrogate pair), big-endian (declared Windows-1252:
		 * the mark wins), a lone surrogate, an odd length. */
		{"utf16le-excel", 0,
		 "\xFF\xFE\x4E\x00\x6F\x00\x6D\x00\x62\x00\x72\x00\x65\x00"
		 "\x09\x00\x54\x00\x65\x00\x6C\x00\xE9\x00\x66\x00\x6F\x00"
		 "\x6E\x00\x6F\x00\x0D\x00\x0A\x00\x49\x00\xF1\x00\x61\x00"
		 "\x6B\x00\x69\x00\x20\x00\x50\x00\x65\x00\xF1\x00\x61\x00"
		 "\x09\x00\x36\x00\x30\x00\x30\x00\x0D\x00\x0A\x00\x0D\x00"
		 "\x0A\x00\x22\x00\x4A\x00\x6F\x00\x73\x00\xE9\x00\x20\x00"
		 "\x3C\xD8\xBE\xDF\x22\x00\x09\x00\x31\x00\x0D\x00\x0A\x00", 98},
		{"utf16be-cp1252", 1,
		 "\xFE\xFF\x00\x6E\x00\x61\x00\x6D\x00\x65\x00\x2C\x00\x65"
		 "\x00\x6D\x00\x61\x00\x69\x00\x6C\x00\x0A\x00\x52\x00\x65"
		 "\x00\x6E\x00\xE9\x00\x65\x00\x2C\x00\x72\x00\x40\x00\x78"
		 "\x00\x0A", 44},
		{"utf16-lone-surrogate", 0,
		 "\xFF\xFE\x6E\x00\x61\x00\x6D\x00\x65\x00\x0A\x00\x41\x00"
		 "\x00\xDC\x0A\x00", 18},
		{"utf16-odd", 0,
		 "\xFF\xFE\x6E\x00\x61\x00\x6D\x00\x65\x00\x0A\x00\x41\x00"
		 "\x6E\x00\x61\x00\x0A", 19},
	};
	char buf[512];
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		size_t n = seeds[i].len ? seeds[i].len : strlen(seeds[i].text);
		if (n + 1 > sizeof(buf))
			return -1;
		buf[0] = (char)seeds[i].ctl;
		memcpy(buf + 1, seeds[i].text, n);
		if (write_raw(dir, seeds[i].name, (const uint8_t *)buf, n + 1))
			return -1;
	}
	/* Thousands of columns, and a field over the record limit. */
	size_t big = 1024u * 1024u + 64u;
	char *b = malloc(big + 16);
	if (!b)
		return -1;
	b[0] = 0;
	memcpy(b + 1, "name", 4);
	for (size_t i = 5; i < 5 + 3000; i++)
		b[i] = ',';
	b[3005] = '\n';
	int ret = write_raw(dir, "many-columns", (const uint8_t *)b, 3006);
	memcpy(b + 1, "name\n\"", 6);
	memset(b + 7, 'x', big - 7);
	ret |= write_raw(dir, "huge-field", (const uint8_t *)b, big);
	free(b);
	return ret;
}

/* A journal segment (4 KiB) of redo records, written by the real encoder:
 * whole, with its last record torn, and all zeros. */
static int journal_seeds(const char *dir)
{
	enum { SEG = 4096 };
	uint8_t seg[1 + SEG] = {0};
	struct journal_chain c = {.next_seq = 1};
	size_t off = 1;
	for (unsigned i = 1; i <= 5; i++) {
		struct redo r = {0};
		uint8_t key[8] = {0, 0, 0, 0, 0, 0, 0, (uint8_t)i};
		char val[64];
		int n = snprintf(val, sizeof(val), "task %u: call about the "
				 "renewal", i);
		redo_put(&r, 1, key, sizeof(key), val, (size_t)n);
		redo_put(&r, 12, key, sizeof(key), "", 0);
		if (i % 2)
			redo_del(&r, 13, key, sizeof(key));
		if (i == 5)
			redo_drop(&r, 19);
		if (r.err)
			abort();
		long len = journal_encode(seg + off, sizeof(seg) - off, &c,
					  2 * i - 1, 2 * i, r.b.data, r.b.len);
		redo_free(&r);
		if (len < 0)
			abort();
		off += (size_t)len;
	}
	seg[0] = 1 | (19 << 1);  /* from sequence 1; 20 databases */
	int ret = write_raw(dir, "journal-whole", seg, sizeof(seg));
	seg[0] = 19 << 1;        /* any first sequence */
	ret |= write_raw(dir, "journal-any-seq", seg, off);
	seg[0] = 1 | (19 << 1);
	seg[off - 3] ^= 0x10;    /* the last checksum */
	ret |= write_raw(dir, "journal-torn", seg, off - 1);
	memset(seg + 1, 0, SEG);
	ret |= write_raw(dir, "journal-zeros", seg, 1 + 256);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s frame|tls|request|taskrow|import_csv"
			"|journal DIR\n", argv[0]);
		return 2;
	}
	int ret;
	if (strcmp(argv[1], "frame") == 0)
		ret = frame_seeds(argv[2]);
	else if (strcmp(argv[1], "tls") == 0)
		ret = tls_seeds(argv[2]);
	else if (strcmp(argv[1], "request") == 0)
		ret = request_seeds(argv[2]);
	else if (strcmp(argv[1], "taskrow") == 0)
		ret = taskrow_seeds(argv[2]);
	else if (strcmp(argv[1], "import_csv") == 0)
		ret = import_csv_seeds(argv[2]);
	else if (strcmp(argv[1], "journal") == 0)
		ret = journal_seeds(argv[2]);
	else {
		fprintf(stderr, "%s: no harness %s\n", argv[0], argv[1]);
		return 2;
	}
	return ret ? 1 : 0;
}
