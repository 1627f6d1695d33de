/*
 * libFuzzer harness for the request path: decoded frames handed to the
 * dispatcher of server/domain (service_read, the group commit of
 * service_write_batch, and the live views: Subscribe's check, snapshot and
 * replay, then the delta of every commit for each subscription), as a
 * logged-in admin or operator, over the demo club in a temporary LMDB
 * environment.
 *
 * Input: byte 0 picks who asks (bits 0-1: fermin the admin, alicia,
 * valentina or deborah) and the clock (bits 2-7: hours past the club's
 * creation); byte 1 the largest write batch (1-8). Then frames as on the
 * wire: a 4-byte big-endian length and a protobuf Frame, at most 64 of
 * them; anything that is not a whole frame ends the input.
 *
 * No state survives a run: every database of the environment is emptied and
 * refilled with the freshly seeded club's records before each input, in one
 * write transaction (the environment stays open: opening one per input
 * costs more than the input under ASan), so a crash reproduces from its
 * input alone. The map may grow MAX_GROWS times in all, then a full map is
 * an answer like any other.
 */
#include <errno.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "club.h"
#include "frame.h"
#include "service.h"
#include "store.h"
#include "task_filter.h"
#include "timeutil.h"
#include "store_lmdb.h"
#include "views.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAP_SIZE (4u << 20)     /* small: the full-map path is reached */
#define MAX_GROWS 4             /* up to 64 MiB */
#define MAX_FRAMES 64
#define MAX_BATCH 8
#define MAX_SUBS 4
#define MAX_CHUNKS 64           /* of one snapshot */

static const char *const logins[4] = {"fermin", "alicia", "valentina",
				       "deborah"};

static struct {
	char dir[64];                    /* the environment */
	struct store *st;
	/* Every record of the seeded club: db (1 byte), key and value
	 * lengths (4 bytes each), key, value; in key order per db. */
	struct buf image;
	struct actor who[4];
	int64_t created;                 /* the club's clock at seeding */
	int grows;
} g;

static void die(const char *what, int rc)
{
	fprintf(stderr, "fuzz_request: %s: %d\n", what, rc);
	abort();
}

static void cleanup(void)
{
	char path[128];
	if (g.st)
		store_close(g.st);
	g.st = NULL;
	const char *files[] = {"lock.mdb", "data.mdb"};
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", g.dir, files[i]);
		unlink(path);
	}
	rmdir(g.dir);
	buf_free(&g.image);
}

static void put_u32(uint32_t v)
{
	if (buf_append(&g.image, &v, sizeof(v)) < 0)
		die("memory", -ENOMEM);
}

static void take_image(void)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(store_env(g.st), NULL, MDB_RDONLY, &txn);
	for (int db = 0; !rc && db < DB_COUNT; db++) {
		MDB_cursor *c;
		MDB_val k, v;
		rc = mdb_cursor_open(txn, store_dbi(g.st, db), &c);
		if (rc)
			break;
		int get = mdb_cursor_get(c, &k, &v, MDB_FIRST);
		for (; get == 0; get = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			uint8_t d = (uint8_t)db;
			if (buf_append(&g.image, &d, 1) < 0)
				die("memory", -ENOMEM);
			put_u32((uint32_t)k.mv_size);
			put_u32((uint32_t)v.mv_size);
			if (buf_append(&g.image, k.mv_data, k.mv_size) < 0 ||
			    buf_append(&g.image, v.mv_data, v.mv_size) < 0)
				die("memory", -ENOMEM);
		}
		mdb_cursor_close(c);
		if (get != MDB_NOTFOUND)
			rc = get;
	}
	if (rc)
		die("read the seeded club", rc);
	mdb_txn_abort(txn);
}

/* The demo club, seeded once (Argon2id for each operator is slow). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(g.dir, sizeof(g.dir), "%s/fuzz_request.XXXXXX", base);
	if (!mkdtemp(g.dir))
		die("mkdtemp", -errno);
	atexit(cleanup);
	int rc = store_open(g.dir, MAP_SIZE, &g.st);
	if (rc || (rc = club_seed_demo(g.st)))
		die("seed the demo club", rc);
	g.created = time_now();
	for (int i = 0; i < 4; i++) {
		struct arena a;
		arena_init(&a);
		Clubcrm__Operator *op = NULL;
		rc = service_login(g.st, logins[i], "demo", &a, &op);
		if (rc || !op)
			die(logins[i], rc);
		g.who[i].operator_id = op->id;
		g.who[i].role = op->role;
		arena_free(&a);
	}
	take_image();
	return 0;
}

/* Back to the seeded club: every database emptied, then refilled. */
static struct store *fresh_store(void)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(store_env(g.st), NULL, 0, &txn);
	if (rc)
		die("restore: begin", rc);
	for (int db = 0; db < DB_COUNT && !rc; db++)
		rc = mdb_drop(txn, store_dbi(g.st, db), 0);
	const uint8_t *p = g.image.data, *end = p + g.image.len;
	while (!rc && p < end) {
		uint32_t kl, vl;
		memcpy(&kl, p + 1, 4);
		memcpy(&vl, p + 5, 4);
		MDB_val k = {kl, (void *)(p + 9)}, v = {vl, (void *)(p + 9 + kl)};
		rc = mdb_put(txn, store_dbi(g.st, p[0]), &k, &v, MDB_APPEND);
		p += 9 + kl + vl;
	}
	if (rc) {
		mdb_txn_abort(txn);
		die("restore", rc);
	}
	if ((rc = mdb_txn_commit(txn)))
		die("restore: commit", rc);
	return g.st;
}

/* FUZZ_REQUEST_VERBOSE=1 in the environment: each request and its answer
 * on stderr, to read what an input does. */
static void trace(const Clubcrm__Frame *req, const Clubcrm__Frame *reply)
{
	static int verbose = -1;
	if (verbose < 0)
		verbose = getenv("FUZZ_REQUEST_VERBOSE") != NULL;
	if (!verbose)
		return;
	const Clubcrm__Error *e = reply->body_case == CLUBCRM__FRAME__BODY_ERROR
					  ? reply->error : NULL;
	fprintf(stderr, "request %d -> %d %u %s\n", (int)req->body_case,
		(int)reply->body_case, e ? e->code : 0,
		e && e->message ? e->message : "");
}

/* Every reply must be one whole frame echoing the request id. */
static void check_reply(const Clubcrm__Frame *req, const struct buf *out)
{
	if (out->len < FRAME_HEADER_LEN)
		die("empty reply", 0);
	Clubcrm__Frame *f = frame_decode(out->data + FRAME_HEADER_LEN,
					 out->len - FRAME_HEADER_LEN, NULL);
	if (!f)
		die("undecodable reply", (int)req->body_case);
	if (f->request_id != req->request_id)
		die("reply to another request", (int)req->body_case);
	trace(req, f);
	clubcrm__frame__free_unpacked(f, NULL);
}

/* A reply message must encode as a frame, as the writer and the session
 * do before sending it. */
static void check_reply_msg(const Clubcrm__Frame *req,
			    const Clubcrm__Frame *reply)
{
	if (!reply)
		die("no reply", (int)req->body_case);
	struct buf out = {0};
	if (frame_encode(reply, &out) < 0)
		die("unencodable reply", (int)req->body_case);
	check_reply(req, &out);
	buf_free(&out);
}

struct sub {
	Clubcrm__Frame *req;   /* the Subscribe, holding the view */
	uint32_t id;
	uint64_t rev;          /* revision its snapshot or replay reached */
};

struct run {
	struct store *st;
	struct actor who;
	size_t batch_max;
	Clubcrm__Frame *batch[MAX_BATCH];
	size_t n_batch;
	struct sub subs[MAX_SUBS];
	size_t n_subs;
};

static void snapshot(struct run *r, struct sub *s, const Clubcrm__View *v)
{
	struct view_snapshot *snap = NULL;
	if (views_snapshot_begin(r->st, v, r->who.now, &snap))
		return;
	struct buf out = {0};
	int more = 1;
	for (int i = 0; more == 1 && i < MAX_CHUNKS; i++) {
		out.len = 0;
		more = views_snapshot_next(snap, s->id, &out);
	}
	s->rev = views_snapshot_revision(snap);
	views_snapshot_end(snap);
	buf_free(&out);
}

/* A replay's DeltaBatch, framed as the session does. */
static int emit_deltas(void *ctx, const struct buf *batch)
{
	return frame_push(ctx, CLUBCRM__FRAME__BODY_DELTAS, batch);
}

/* Takes `f`. Keeps it while the view is live. */
static void subscribe(struct run *r, Clubcrm__Frame *f)
{
	const Clubcrm__Subscribe *in = f->subscribe;
	if (!in->has_sub_id || task_view_check(in->view) ||
	    r->n_subs == MAX_SUBS) {
		clubcrm__frame__free_unpacked(f, NULL);
		return;
	}
	struct sub *s = &r->subs[r->n_subs++];
	s->req = f;
	s->id = in->sub_id;
	struct buf out = {0};
	uint64_t rev = 0;
	int rc = -ESTALE;
	if (in->has_since_revision)
		rc = views_replay(r->st, in->view, s->id, in->since_revision,
				  r->who.now, emit_deltas, &out, &rev);
	buf_free(&out);
	if (rc == 0)
		s->rev = rev;
	else
		snapshot(r, s, in->view);
}

/* What the daemon does after a commit: every live view's delta. */
static void fan_out(struct run *r, const Clubcrm__ChangeSet *changes)
{
	if (!changes)
		return;
	struct view_commit vc;
	if (views_commit_load_batch(r->st, NULL, &changes, 1, r->who.now, &vc) == 0) {
		struct buf batch = {0}, frame = {0};
		uint64_t last = vc.n_revs ? vc.revs[vc.n_revs - 1].revision : 0;
		for (size_t i = 0; i < r->n_subs; i++)
			if (last > r->subs[i].rev)
				views_delta_append(&vc, r->subs[i].req->subscribe->view,
						   r->subs[i].id, &batch);
		if (batch.len)
			frame_push(&frame, CLUBCRM__FRAME__BODY_DELTAS, &batch);
		buf_free(&batch);
		buf_free(&frame);
	}
	views_commit_free(&vc);
}

/* The group commit, growing the map when full as the writer does. */
static void commit(struct run *r)
{
	if (!r->n_batch)
		return;
	struct service_write_op ops[MAX_BATCH];
	memset(ops, 0, sizeof(ops));
	for (size_t i = 0; i < r->n_batch; i++) {
		ops[i].who = r->who;
		ops[i].req = r->batch[i];
	}
	int rc = service_write_batch(r->st, ops, r->n_batch);
	while (rc == -ENOSPC && g.grows < MAX_GROWS) {
		if (store_grow(r->st))
			break;
		g.grows++;
		rc = service_write_batch(r->st, ops, r->n_batch);
	}
	for (size_t i = 0; i < r->n_batch; i++) {
		check_reply_msg(r->batch[i], ops[i].reply);
		if (rc == 0 && ops[i].revision)
			fan_out(r, ops[i].changes);
		service_write_op_free(&ops[i]);
		clubcrm__frame__free_unpacked(r->batch[i], NULL);
	}
	r->n_batch = 0;
}

/* Takes `f`. */
static void dispatch(struct run *r, Clubcrm__Frame *f)
{
	if (f->body_case == CLUBCRM__FRAME__BODY_SUBSCRIBE) {
		commit(r);
		subscribe(r, f);
		return;
	}
	switch (service_kind_of(f->body_case)) {
	case SERVICE_READ:
	case SERVICE_LONG_READ: {
		commit(r);  /* read-your-writes, as on a connection */
		struct arena a;
		Clubcrm__Frame *reply;
		arena_init(&a);
		if (service_read(r->st, &r->who, f, &a, &reply) == 0)
			check_reply_msg(f, reply);
		arena_free(&a);
		break;
	}
	case SERVICE_WRITE:
		r->batch[r->n_batch++] = f;
		if (r->n_batch >= r->batch_max)
			commit(r);
		return;
	default:
		break;  /* session frames and non-requests: not the dispatcher's */
	}
	clubcrm__frame__free_unpacked(f, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	struct run r = {0};
	r.who = g.who[data[0] & 3];
	r.who.now = g.created + (int64_t)(data[0] >> 2) * 3600;
	r.batch_max = 1 + data[1] % MAX_BATCH;
	r.st = fresh_store();
	const uint8_t *p = data + 2, *end = data + size;
	for (int n = 0; n < MAX_FRAMES && end - p >= FRAME_HEADER_LEN; n++) {
		uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			       (uint32_t)p[2] << 8 | p[3];
		p += FRAME_HEADER_LEN;
		if (len > (size_t)(end - p))
			break;
		Clubcrm__Frame *f = frame_decode(p, len, NULL);
		p += len;
		if (f)
			dispatch(&r, f);
	}
	commit(&r);
	/* The clock of live views over the day around now. */
	struct view_commit vc;
	views_tick_load(r.st, r.who.now - 86400, r.who.now + 86400, 0, &vc);
	views_commit_free(&vc);
	for (size_t i = 0; i < r.n_subs; i++)
		clubcrm__frame__free_unpacked(r.subs[i].req, NULL);
	return 0;
}
