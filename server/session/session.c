#include "session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "login.h"
#include "log.h"
#include "server.h"
#include "session_out.h"
#include "status.h"
#include "timeutil.h"

/* Returned by the frame callback to stop feeding; the rest is stashed. */
#define SESSION_PAUSE (-EAGAIN)

static uint64_t now_ms(const struct session *c)
{
	return uv_now(c->srv->loop);
}

static unsigned long long cid(const struct session *c)
{
	return (unsigned long long)c->t->id;
}

static void session_init(struct session *c)
{
	struct session *s = c;
	const struct config *cfg = c->srv->cfg;
	uint64_t now = now_ms(c);
	s->state = SESSION_PREFACE;
	frame_reader_init(&s->reader, FRAME_MAX_PRELOGIN);
	s->handshake_deadline_ms = now + cfg->handshake_timeout_ms;
	s->next_beat_ms = now + cfg->heartbeat_ms;
	s->last_rx_ms = now;
	snprintf(s->login, sizeof(s->login), "-");
}

static void session_fini(struct session *c)
{
	struct session *s = c;
	if (s->held_frame.len)
		c->srv->mem_waiters--;
	buf_free(&s->held_frame);
	subs_fini(c);
	frame_reader_free(&s->reader);
	buf_free(&s->fail_reply);
	buf_free(&s->stash);
	free(s->flight);
}

static uint64_t session_next_deadline(const struct session *c)
{
	const struct session *s = c;
	uint64_t due = s->next_beat_ms;
	if (s->state != SESSION_READY && s->handshake_deadline_ms < due)
		due = s->handshake_deadline_ms;
	if (s->fail_reply.len && s->fail_at_ms < due)
		due = s->fail_at_ms;
	return due;
}

/* What keeps the session from taking more frames right now, a frame held
 * for memory aside. */
static bool held_back_but_memory(const struct session *c)
{
	const struct session *s = c;
	return c->srv->stopping || s->login_running || s->fail_reply.len ||
	       s->in_flight >= SESSION_MAX_IN_FLIGHT ||
	       session_output_bytes(c) > session_output_soft_limit(c);
}

/* A held frame goes first: nothing after it is taken before it. */
static bool held_back(const struct session *c)
{
	return c->held_frame.len || held_back_but_memory(c);
}

static bool session_wants_input(const struct session *c)
{
	return !held_back(c) && c->stash.len == 0;
}

static void send_welcome(struct session *c, uint64_t request_id)
{
	struct server *srv = c->srv;
	Clubcrm__Welcome w = CLUBCRM__WELCOME__INIT;
	w.server_version = (char *)CLUBCRM_VERSION;
	w.has_protocol_major = w.has_protocol_minor = true;
	w.protocol_major = FRAME_PROTOCOL_MAJOR;
	w.protocol_minor = FRAME_PROTOCOL_MINOR;
	w.has_max_frame = true;
	w.max_frame = srv->cfg->max_frame;
	w.has_revision = true;
	w.revision = srv->writer.revision;
	w.has_heartbeat_ms = true;
	w.heartbeat_ms = srv->cfg->heartbeat_ms;
	if (srv->club_name[0])
		w.club_name = srv->club_name;
	if (srv->time_zone[0])
		w.time_zone = srv->time_zone;
	if (srv->web_url[0])
		w.web_url = srv->web_url;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = request_id;
	f.body_case = CLUBCRM__FRAME__BODY_WELCOME;
	f.welcome = &w;
	session_send_frame(c, &f);
}

static void send_ping_or_pong(struct session *c, uint64_t request_id,
			      bool pong, uint64_t nonce)
{
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	Clubcrm__Pong pg = CLUBCRM__PONG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = request_id != 0;
	f.request_id = request_id;
	if (pong) {
		pg.has_nonce = true;
		pg.nonce = nonce;
		f.body_case = CLUBCRM__FRAME__BODY_PONG;
		f.pong = &pg;
	} else {
		ping.has_nonce = true;
		ping.nonce = nonce;
		f.body_case = CLUBCRM__FRAME__BODY_PING;
		f.ping = &ping;
	}
	session_send_frame(c, &f);
}

/* ------------------------------------------------------------ memory */

/*
 * Memory is bounded in bytes, not in requests. protobuf-c decodes through
 * this allocator, which charges what malloc really uses (its header and
 * rounding) and refuses once the budget is spent: a 1 MiB frame of tiny
 * elements fails cleanly instead of becoming hundreds of MiB of objects,
 * and the pointer array of a huge repeated field is refused before it is
 * allocated. The memory itself is malloc's, so the writer frees a request
 * with clubcrm__frame__free_unpacked(f, NULL) as usual.
 */
struct budget {
	ProtobufCAllocator pb;
	size_t limit, used;
	bool exhausted;
};

static size_t malloc_cost(size_t size)
{
	size_t n = (size + sizeof(size_t) + 15) & ~(size_t)15;
	return n < 32 ? 32 : n;
}

static void *budget_alloc(void *data, size_t size)
{
	struct budget *b = data;
	if (size > b->limit || malloc_cost(size) > b->limit - b->used) {
		b->exhausted = true;
		return NULL;
	}
	void *p = malloc(size);
	if (p)
		b->used += malloc_cost(size);
	return p;
}

static void budget_free(void *data, void *p)
{
	(void)data;
	free(p);
}

static uint64_t room(uint64_t cap, uint64_t used)
{
	return cap > used ? cap - used : 0;
}

/*
 * What decoding the next frame may take: one request's bound, or less when
 * the connection's requests in flight or everybody's leave less room.
 */
static size_t decode_budget(const struct session *c)
{
	const struct config *cfg = c->srv->cfg;
	uint64_t b = cfg->max_request_memory;
	uint64_t r = room(cfg->max_conn_memory, c->mem_held);
	if (r < b)
		b = r;
	r = room(cfg->max_server_memory, c->srv->mem_decoded);
	if (r < b)
		b = r;
	return (size_t)b;
}

static int flight_find(const struct session *s, uint64_t request_id)
{
	for (unsigned i = 0; i < s->in_flight; i++)
		if (s->flight[i].request_id == request_id)
			return (int)i;
	return -1;
}

/*
 * A request left the writer: its decoded bytes are free again, and the
 * connections that held a frame for want of that memory try it again.
 */
static void mem_release(struct session *c, size_t bytes)
{
	struct server *srv = c->srv;
	c->mem_held -= bytes;
	srv->mem_decoded -= bytes;
	srv->mem_freed += bytes;
	if (!srv->mem_waiters)
		return;
	struct session *next;
	for (struct session *o = srv->sessions; o; o = next) {
		next = o->next;
		if (o == c || !o->held_frame.len)
			continue;
		session_ref(o);
		session_resume(o);
		session_unref(o);
	}
}

/* The varint at *p (advanced past it); false when cut or too long. */
static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t byte = *(*p)++;
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* The request id of a frame that was not decoded (0 when not found), read
 * from the wire: its top-level field 1. */
static uint64_t peek_request_id(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint64_t key, v, rid = 0;
	while (p < end && get_varint(&p, end, &key)) {
		switch (key & 7) {
		case 0:
			if (!get_varint(&p, end, &v))
				return rid;
			if (key >> 3 == 1)
				rid = v;
			break;
		case 1:
			if (end - p < 8)
				return rid;
			p += 8;
			break;
		case 2:
			if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p))
				return rid;
			p += v;
			break;
		case 5:
			if (end - p < 4)
				return rid;
			p += 4;
			break;
		default:
			return rid;
		}
	}
	return rid;
}

/*
 * The first repeated field, at any depth, holding more than
 * SESSION_MAX_VALUES values (its count in *n), or NULL. Walks the
 * descriptors, so every request of the .proto is covered.
 */
static const char *too_many_values(const ProtobufCMessage *m, size_t *n)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const char *bad = NULL;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t count = *(const size_t *)(base +
							fd->quantifier_offset);
			if (count > SESSION_MAX_VALUES) {
				*n = count;
				return fd->name;
			}
			if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
				continue;
			ProtobufCMessage *const *v =
				*(ProtobufCMessage *const *const *)(base +
								    fd->offset);
			for (size_t j = 0; !bad && j < count; j++)
				if (v[j])
					bad = too_many_values(v[j], n);
		} else if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
			if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
			    *(const uint32_t *)(base + fd->quantifier_offset) !=
				    fd->id)
				continue;
			const ProtobufCMessage *sub =
				*(const ProtobufCMessage *const *)(base +
								   fd->offset);
			if (sub)
				bad = too_many_values(sub, n);
		}
		if (bad)
			return bad;
	}
	return NULL;
}

/* ------------------------------------------------------------ requests */

static struct actor actor_now(const struct session *c)
{
	struct actor who = c->who;
	who.now = time_now();
	return who;
}

static void handle_read(struct session *c, const Clubcrm__Frame *f)
{
	struct actor who = actor_now(c);
	struct arena a;
	arena_init(&a);
	Clubcrm__Frame *reply;
	if (service_read(c->srv->store, &who, f, &a, &reply) < 0)
		session_send_error(c, f->request_id, STATUS_RESOURCE_EXHAUSTED,
			   "out of memory");
	else
		(void)session_send_frame(c, reply);  /* a failure closed it */
	arena_free(&a);
}

/* Room for one more request in flight (below SESSION_MAX_IN_FLIGHT).
 * 0 or -ENOMEM. */
static int flight_room(struct session *s)
{
	if (s->in_flight < s->flight_cap)
		return 0;
	unsigned cap = s->flight_cap ? 2 * s->flight_cap : 4;
	if (cap > SESSION_MAX_IN_FLIGHT)
		cap = SESSION_MAX_IN_FLIGHT;
	struct session_flight *f = realloc(s->flight, cap * sizeof(*f));
	if (!f)
		return -ENOMEM;
	s->flight = f;
	s->flight_cap = cap;
	return 0;
}

/*
 * Takes `f`, whose decoding took `bytes`: they stay held until it is
 * answered, by the writer (a write) or the reader (a long read).
 */
static void handle_in_flight(struct session *c, Clubcrm__Frame *f,
			     size_t bytes, enum service_kind kind)
{
	struct session *s = c;
	struct actor who = actor_now(c);
	uint64_t rid = f->request_id;
	if (s->in_flight >= SESSION_MAX_IN_FLIGHT || flight_room(s) < 0 ||
	    (kind == SERVICE_WRITE
		     ? writer_submit(&c->srv->writer, c, f, &who)
		     : reader_submit(&c->srv->reader, c, f, &who)) < 0) {
		session_send_error(c, rid, STATUS_RESOURCE_EXHAUSTED,
			   "out of memory");
		clubcrm__frame__free_unpacked(f, NULL);
		return;
	}
	s->flight[s->in_flight].request_id = rid;
	s->flight[s->in_flight].bytes = bytes;
	s->in_flight++;
	s->mem_held += bytes;
	c->srv->mem_decoded += bytes;
	session_ref(c);
}

/* The request `rid` in flight is answered with `wire`. */
static void flight_done(struct session *c, uint64_t rid, struct buf *wire)
{
	struct session *s = c;
	int i = flight_find(s, rid);
	size_t bytes = 0;
	if (i >= 0) {
		bytes = s->flight[i].bytes;
		s->flight[i] = s->flight[s->in_flight - 1];
	}
	s->in_flight--;
	mem_release(c, bytes);
	/* A closed connection's reply is dropped (a write is durable). */
	if (!c->t->closing)
		session_send_buf(c, wire);
	session_maybe_finish(c);
	if (transport_live(c->t))
		session_resume(c);
	session_unref(c);
}

void session_write_done(struct session *c, struct service_write_op *op,
			struct buf *wire)
{
	flight_done(c, op->req ? op->req->request_id : 0, wire);
}

void session_long_read_done(struct session *c, const Clubcrm__Frame *req,
			    struct buf *wire)
{
	if (!wire->len && !c->t->closing) {
		session_send_error(c, req->request_id,
				   STATUS_RESOURCE_EXHAUSTED, "out of memory");
	}
	flight_done(c, req->request_id, wire);
}

static void handle_request(struct session *c, Clubcrm__Frame *f, size_t bytes)
{
	if (f->body_case == CLUBCRM__FRAME__BODY_SUBSCRIBE) {
		subs_subscribe(c, f);
		return;
	}
	if (f->body_case == CLUBCRM__FRAME__BODY_UNSUBSCRIBE) {
		subs_unsubscribe(c, f);
		return;
	}
	switch (service_kind_of(f->body_case)) {
	case SERVICE_READ:
		handle_read(c, f);
		break;
	case SERVICE_LONG_READ:
	case SERVICE_WRITE:
		handle_in_flight(c, f, bytes, service_kind_of(f->body_case));
		return;
	default:
		session_send_error(c, f->request_id, STATUS_UNIMPLEMENTED,
			   "request not implemented by this server");
		break;
	}
	clubcrm__frame__free_unpacked(f, NULL);
}

static void log_hello(struct session *c, const Clubcrm__Hello *hello)
{
	char term[96], version[64];
	session_log_safe(term, sizeof(term), hello ? hello->terminal_name : NULL);
	session_log_safe(version, sizeof(version),
			 hello ? hello->client_version : NULL);
	log_info("conn %llu (%s): hello from terminal \"%s\" (client %s)",
		 cid(c), c->t->peer, term, version[0] ? version : "-");
}

/* Takes `f`, decoded from the `len` bytes at `raw` into `bytes` of memory. */
static void handle_frame(struct session *c, Clubcrm__Frame *f, size_t bytes,
			 const uint8_t *raw, size_t len)
{
	struct session *s = c;
	uint64_t rid = f->request_id;
	char why[128];
	size_t n = 0;
	const char *field;
	/* The id of a request in the writer is answered once, by the
	 * writer: this refusal goes out as request 0. */
	if (rid != 0 && flight_find(s, rid) >= 0) {
		snprintf(why, sizeof(why), "request_id %llu is already in "
			 "flight on this connection",
			 (unsigned long long)rid);
		session_send_error(c, 0, STATUS_INVALID_ARGUMENT, why);
		clubcrm__frame__free_unpacked(f, NULL);
		return;
	}
	switch (f->body_case) {
	case CLUBCRM__FRAME__BODY_PONG:
		break;  /* any input counts as a sign of life */
	case CLUBCRM__FRAME__BODY_LOGOUT:
		log_info("conn %llu (%s): %s logged out", cid(c), c->t->peer,
			 s->login);
		login_logout(c, rid);
		break;
	case CLUBCRM__FRAME__BODY_HELLO:
	case CLUBCRM__FRAME__BODY_PING:
	case CLUBCRM__FRAME__BODY_LOGIN:
		if (rid == 0)
			session_send_error(c, 0, STATUS_INVALID_ARGUMENT,
				   "request_id must not be 0");
		else if (f->body_case == CLUBCRM__FRAME__BODY_HELLO) {
			log_hello(c, f->hello);
			send_welcome(c, rid);
		}
		else if (f->body_case == CLUBCRM__FRAME__BODY_PING)
			send_ping_or_pong(c, rid, true, f->ping->nonce);
		else
			login_request(c, f, raw, len);
		break;
	default:
		if (rid == 0) {
			session_send_error(c, 0, STATUS_INVALID_ARGUMENT,
				   "request_id must not be 0");
		} else if (s->state != SESSION_READY) {
			session_send_error(c, rid, STATUS_UNAUTHENTICATED,
				   "log in first");
		} else if ((field = too_many_values(&f->base, &n))) {
			snprintf(why, sizeof(why), "%s: %zu values, at most %d",
				 field, n, SESSION_MAX_VALUES);
			session_send_error(c, rid, STATUS_INVALID_ARGUMENT, why);
		} else {
			handle_request(c, f, bytes);
			return;
		}
		break;
	}
	clubcrm__frame__free_unpacked(f, NULL);
}

/* ------------------------------------------------------------ framing */

/* Keeps a copy of a frame that did not fit in `budget` until more memory
 * is free (mem_release()). */
static int hold_frame(struct session *c, const uint8_t *payload, size_t len,
		      size_t budget)
{
	struct session *s = c;
	if (buf_append(&s->held_frame, payload, len) < 0) {
		buf_free(&s->held_frame);
		session_close(c);
		return -ECANCELED;
	}
	s->held_budget = budget;
	c->srv->mem_waiters++;
	log_debug("conn %llu (%s): a frame waits for memory (%zu bytes left "
		  "to decode it)", cid(c), c->t->peer, budget);
	return SESSION_PAUSE;
}

/*
 * Decodes one frame within the memory left and handles it. A frame that
 * needs more than one request may take is refused (the connection goes on);
 * one that only needs more than is left now is held. 0, SESSION_PAUSE when
 * held, or a negative error when the connection ends.
 */
static int take_frame(struct session *c, const uint8_t *payload, size_t len)
{
	struct server *srv = c->srv;
	size_t limit = decode_budget(c);
	struct budget b = { .pb = { budget_alloc, budget_free, NULL },
			    .limit = limit };
	b.pb.allocator_data = &b;
	Clubcrm__Frame *f = frame_decode(payload, len, &b.pb);
	srv->mem_freed += len;
	if (!f && b.exhausted && limit < srv->cfg->max_request_memory)
		return hold_frame(c, payload, len, limit);
	if (!f && b.exhausted) {
		uint64_t rid = peek_request_id(payload, len);
		char why[128];
		if (flight_find(c, rid) >= 0)
			rid = 0;
		snprintf(why, sizeof(why), "request too big: it needs more "
			 "than %llu bytes of memory once decoded",
			 (unsigned long long)srv->cfg->max_request_memory);
		log_debug("conn %llu (%s): %s", cid(c), c->t->peer, why);
		srv->mem_freed += b.used;
		session_send_error(c, rid, STATUS_RESOURCE_EXHAUSTED, why);
		return 0;
	}
	if (!f) {
		session_goaway(c, STATUS_INVALID_ARGUMENT, "undecodable frame");
		return -EPROTO;
	}
	srv->mem_freed += b.used;
	handle_frame(c, f, b.used, payload, len);
	return 0;
}

static int on_frame(void *ctx, const uint8_t *payload, size_t len)
{
	struct session *c = ctx;
	if (!transport_live(c->t))
		return -ECANCELED;
	int ret = take_frame(c, payload, len);
	if (ret < 0)
		return ret;
	if (!transport_live(c->t))
		return -ECANCELED;
	return held_back(c) ? SESSION_PAUSE : 0;
}

/* The held frame again, when more memory than it had is free now. */
static void retry_held(struct session *c)
{
	struct session *s = c;
	if (!s->held_frame.len || held_back_but_memory(c) ||
	    decode_budget(c) <= s->held_budget)
		return;
	struct buf frame = s->held_frame;
	memset(&s->held_frame, 0, sizeof(s->held_frame));
	c->srv->mem_waiters--;
	take_frame(c, frame.data, frame.len);
	buf_free(&frame);
}

/* The reader refused a length: 0 is malformed, too long is too much. */
static void framing_error(struct session *c)
{
	struct session *s = c;
	char why[96];
	if (frame_reader_refused_len(&s->reader) == 0) {
		session_goaway(c, STATUS_INVALID_ARGUMENT, "frame of length 0");
		return;
	}
	snprintf(why, sizeof(why), "frame over the limit of %u bytes",
		 s->reader.max_frame);
	log_debug("conn %llu (%s): %s", cid(c), c->t->peer, why);
	session_goaway(c, STATUS_RESOURCE_EXHAUSTED, why);
}

/* Feeds bytes to the frame reader; the bytes after a frame that paused the
 * session are stashed, to be fed again on resume. */
static void feed(struct session *c, const uint8_t *data, size_t len)
{
	struct session *s = c;
	size_t used = 0;
	int ret = frame_reader_feed_some(&s->reader, data, len, on_frame, c,
					 &used);
	if (ret == SESSION_PAUSE) {
		if (buf_append(&s->stash, data + used, len - used) < 0)
			session_close(c);
	} else if (ret == -EMSGSIZE) {
		framing_error(c);
	} else if (ret == -ENOMEM) {
		log_warn("conn %llu (%s): out of memory for a frame", cid(c),
			 c->t->peer);
		session_close(c);
	}
}

static bool take_preface(struct session *c, const uint8_t **data, size_t *len)
{
	struct session *s = c;
	size_t take = FRAME_PREFACE_LEN - s->preface_got;
	if (take > *len)
		take = *len;
	memcpy(s->preface + s->preface_got, *data, take);
	s->preface_got += take;
	*data += take;
	*len -= take;
	if (s->preface_got < FRAME_PREFACE_LEN)
		return false;
	uint16_t major, minor;
	if (frame_preface_parse(s->preface, &major, &minor) < 0) {
		log_debug("conn %llu (%s): bad magic, closed", cid(c),
			  c->t->peer);
		session_close(c);
		return false;
	}
	if (major != FRAME_PROTOCOL_MAJOR) {
		char why[96];
		snprintf(why, sizeof(why), "protocol %u.%u not supported: this "
			 "server speaks %u.x", major, minor,
			 FRAME_PROTOCOL_MAJOR);
		session_goaway(c, STATUS_FAILED_PRECONDITION, why);
		return false;
	}
	s->state = SESSION_HANDSHAKE;
	return true;
}

static void session_on_data(struct session *c, const uint8_t *data,
			    size_t len)
{
	struct session *s = c;
	s->last_rx_ms = now_ms(c);
	if (s->state == SESSION_PREFACE && !take_preface(c, &data, &len))
		return;
	if (len == 0)
		return;
	/* More bytes while held back (TLS hands over several pieces per
	 * read): they wait behind the stash, in order. */
	if (s->stash.len || held_back(c)) {
		if (buf_append(&s->stash, data, len) < 0)
			session_close(c);
		return;
	}
	feed(c, data, len);
}

void session_resume(struct session *c)
{
	struct session *s = c;
	if (transport_live(c->t))
		retry_held(c);
	while (s->stash.len && !held_back(c) && transport_live(c->t)) {
		struct buf bytes = s->stash;
		memset(&s->stash, 0, sizeof(s->stash));
		feed(c, bytes.data, bytes.len);
		buf_free(&bytes);
	}
	session_update_reading(c);
}

/* ------------------------------------------------------------ timer */

static void session_on_timer(struct session *c)
{
	struct session *s = c;
	const struct config *cfg = c->srv->cfg;
	uint64_t now = now_ms(c);
	if (s->fail_reply.len && now >= s->fail_at_ms) {
		session_send_buf(c, &s->fail_reply);
		session_resume(c);
		if (!transport_live(c->t))
			return;
	}
	if (s->state != SESSION_READY && now >= s->handshake_deadline_ms) {
		char why[96];
		snprintf(why, sizeof(why), "no login within %u ms",
			 cfg->handshake_timeout_ms);
		session_goaway(c, STATUS_DEADLINE_EXCEEDED, why);
		return;
	}
	if (now < s->next_beat_ms)
		return;
	/* A peer waiting for its login's answer waits for us, not silent. */
	if (s->login_running || s->fail_reply.len)
		s->last_rx_ms = now;
	uint64_t silent = now - s->last_rx_ms;
	if (silent >= (uint64_t)SESSION_MISSED_BEATS * cfg->heartbeat_ms) {
		log_info("conn %llu (%s, %s): dropped: silent for %llu ms",
			 cid(c), c->t->peer, s->login,
			 (unsigned long long)silent);
		session_close(c);
		return;
	}
	if (silent >= cfg->heartbeat_ms)
		send_ping_or_pong(c, 0, false, ++s->ping_nonce);
	s->next_beat_ms = now + cfg->heartbeat_ms;
}

/* ------------------------------------------------------------ transport */

static struct session *of(void *owner)
{
	return owner;
}

static void up_data(void *owner, const uint8_t *data, size_t len)
{
	session_on_data(of(owner), data, len);
}

/* A write completed: what waited for room goes on. */
static void up_drained(void *owner)
{
	struct session *c = of(owner);
	session_resume(c);
	subs_pump(c);
}

static void up_timer(void *owner)
{
	session_on_timer(of(owner));
}

static uint64_t up_next_deadline(void *owner)
{
	return session_next_deadline(of(owner));
}

static bool up_wants_input(void *owner)
{
	return session_wants_input(of(owner));
}

/* Requests in the writer: a draining connection waits for their replies. */
static bool up_busy(void *owner)
{
	return of(owner)->in_flight != 0;
}

static void up_closed(void *owner)
{
	struct session *c = of(owner);
	struct server *srv = c->srv;
	if (c->prev)
		c->prev->next = c->next;
	else if (srv->sessions == c)
		srv->sessions = c->next;
	else
		return;  /* never was in the list */
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	srv->n_sessions--;
	srv->session_closed(srv);
}

static void up_free(void *owner)
{
	struct session *c = of(owner);
	session_fini(c);
	free(c);
}

static void up_buf_written(void *owner, struct buf *b)
{
	subs_buf_written(of(owner)->srv, b);
}

static const struct transport_upcalls session_upcalls = {
	.on_data = up_data,
	.on_drained = up_drained,
	.on_timer = up_timer,
	.next_deadline = up_next_deadline,
	.wants_input = up_wants_input,
	.busy = up_busy,
	.on_closed = up_closed,
	.on_free = up_free,
	.buf_written = up_buf_written,
};

void session_accept(void *ctx, struct transport *t)
{
	struct server *srv = ctx;
	struct session *c = calloc(1, sizeof(*c));
	if (!c) {
		log_warn("conn %llu (%s): out of memory for a session",
			 (unsigned long long)t->id, t->peer);
		return;  /* the transport closes itself */
	}
	c->srv = srv;
	c->t = t;
	c->resume = session_resume;
	snprintf(c->login, sizeof(c->login), "-");
	t->owner = c;
	t->up = &session_upcalls;
	c->next = srv->sessions;
	if (srv->sessions)
		srv->sessions->prev = c;
	srv->sessions = c;
	srv->n_sessions++;
	if (srv->n_sessions > srv->cfg->max_connections) {
		log_warn("conn %llu (%s): refused, %u connections already",
			 cid(c), t->peer, srv->cfg->max_connections);
		/* Over TLS there is no GoAway without a handshake. */
		if (t->tls)
			session_close(c);
		else
			session_goaway(c, STATUS_RESOURCE_EXHAUSTED,
				       "too many connections");
		return;
	}
	log_debug("conn %llu (%s): accepted", cid(c), t->peer);
	session_init(c);
	session_update_reading(c);
	session_arm_timer(c);
}
