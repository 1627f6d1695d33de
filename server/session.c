#include "session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "login.h"
#include "log.h"
#include "server.h"
#include "status.h"
#include "timeutil.h"

/* Returned by the frame callback to stop feeding; the rest is stashed. */
#define SESSION_PAUSE (-EAGAIN)

static uint64_t now_ms(const struct conn *c)
{
	return uv_now(c->srv->loop);
}

static unsigned long long cid(const struct conn *c)
{
	return (unsigned long long)c->id;
}

void session_log_safe(char *out, size_t size, const char *in)
{
	size_t i = 0;
	for (; in && in[i] && i + 1 < size; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : (char)'?';
	out[i] = '\0';
}

void session_init(struct conn *c)
{
	struct session *s = &c->sess;
	const struct config *cfg = c->srv->cfg;
	uint64_t now = now_ms(c);
	s->state = SESSION_PREFACE;
	frame_reader_init(&s->reader, FRAME_MAX_PRELOGIN);
	s->handshake_deadline_ms = now + cfg->handshake_timeout_ms;
	s->next_beat_ms = now + cfg->heartbeat_ms;
	s->last_rx_ms = now;
	snprintf(s->login, sizeof(s->login), "-");
}

void session_fini(struct conn *c)
{
	struct session *s = &c->sess;
	subs_fini(c);
	frame_reader_free(&s->reader);
	buf_free(&s->fail_reply);
	buf_free(&s->stash);
}

unsigned session_in_flight(const struct conn *c)
{
	return c->sess.in_flight;
}

uint64_t session_next_deadline(const struct conn *c)
{
	const struct session *s = &c->sess;
	uint64_t due = s->next_beat_ms;
	if (s->state != SESSION_READY && s->handshake_deadline_ms < due)
		due = s->handshake_deadline_ms;
	if (s->fail_reply.len && s->fail_at_ms < due)
		due = s->fail_at_ms;
	return due;
}

/* What keeps the session from taking more frames right now. */
static bool held_back(const struct conn *c)
{
	const struct session *s = &c->sess;
	return c->srv->stopping || s->login_running || s->fail_reply.len ||
	       s->in_flight >= SESSION_MAX_IN_FLIGHT ||
	       conn_output_bytes(c) > conn_output_soft_limit(c);
}

bool session_wants_input(const struct conn *c)
{
	return !held_back(c) && c->sess.stash.len == 0;
}

void session_send_error(struct conn *c, uint64_t request_id, unsigned code,
		       const char *message)
{
	Clubcrm__Error e = CLUBCRM__ERROR__INIT;
	e.has_code = true;
	e.code = code;
	e.message = (char *)message;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.request_id = request_id;
	f.has_request_id = request_id != 0;
	f.body_case = CLUBCRM__FRAME__BODY_ERROR;
	f.error = &e;
	conn_send_frame(c, &f);
}

static void send_welcome(struct conn *c, uint64_t request_id)
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
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = request_id;
	f.body_case = CLUBCRM__FRAME__BODY_WELCOME;
	f.welcome = &w;
	conn_send_frame(c, &f);
}

static void send_ping_or_pong(struct conn *c, uint64_t request_id,
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
	conn_send_frame(c, &f);
}

/*
 * The answer to Logout is the GoAway itself (code OK, echoing its request
 * id): the client learns that it was heard, and why the connection ends.
 * Replies still in flight go out before the close.
 */
void session_send_logged_out(struct conn *c, uint64_t request_id,
			     unsigned code, const char *reason)
{
	Clubcrm__GoAway ga = CLUBCRM__GO_AWAY__INIT;
	ga.has_code = true;
	ga.code = code;
	ga.reason = (char *)reason;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = request_id != 0;
	f.request_id = request_id;
	f.body_case = CLUBCRM__FRAME__BODY_GO_AWAY;
	f.go_away = &ga;
	if (conn_send_frame(c, &f) < 0) {
		conn_close(c);
		return;
	}
	conn_drain(c);
}

/* ------------------------------------------------------------ requests */

static struct actor actor_now(const struct conn *c)
{
	struct actor who = c->sess.who;
	who.now = time_now();
	return who;
}

static void handle_read(struct conn *c, const Clubcrm__Frame *f)
{
	struct actor who = actor_now(c);
	struct buf out = { 0 };
	int ret = service_read(c->srv->store, &who, f, &out);
	if (ret < 0) {
		buf_free(&out);
		session_send_error(c, f->request_id, STATUS_RESOURCE_EXHAUSTED,
			   "out of memory");
		return;
	}
	conn_send_buf(c, &out);
}

/* Takes `f`. */
static void handle_write(struct conn *c, Clubcrm__Frame *f)
{
	struct actor who = actor_now(c);
	if (writer_submit(&c->srv->writer, c, f, &who) < 0) {
		session_send_error(c, f->request_id, STATUS_RESOURCE_EXHAUSTED,
			   "out of memory");
		clubcrm__frame__free_unpacked(f, NULL);
		return;
	}
	c->sess.in_flight++;
	conn_ref(c);
}

void session_write_done(struct conn *c, struct service_write_op *op)
{
	c->sess.in_flight--;
	/* A closed connection's reply is dropped; the write is durable. */
	if (!c->closing)
		conn_send_buf(c, &op->reply);
	conn_maybe_finish(c);
	if (!c->closing && !c->draining)
		session_resume(c);
	conn_unref(c);
}

static void handle_request(struct conn *c, Clubcrm__Frame *f)
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
	case SERVICE_WRITE:
		handle_write(c, f);
		return;
	default:
		session_send_error(c, f->request_id, STATUS_UNIMPLEMENTED,
			   "request not implemented by this server");
		break;
	}
	clubcrm__frame__free_unpacked(f, NULL);
}

/* Takes `f`, decoded from the `len` bytes at `raw`. */
static void handle_frame(struct conn *c, Clubcrm__Frame *f,
			 const uint8_t *raw, size_t len)
{
	struct session *s = &c->sess;
	uint64_t rid = f->request_id;
	switch (f->body_case) {
	case CLUBCRM__FRAME__BODY_PONG:
		break;  /* any input counts as a sign of life */
	case CLUBCRM__FRAME__BODY_LOGOUT:
		log_info("conn %llu (%s): %s logged out", cid(c), c->peer,
			 s->login);
		login_logout(c, rid);
		break;
	case CLUBCRM__FRAME__BODY_HELLO:
	case CLUBCRM__FRAME__BODY_PING:
	case CLUBCRM__FRAME__BODY_LOGIN:
		if (rid == 0)
			session_send_error(c, 0, STATUS_INVALID_ARGUMENT,
				   "request_id must not be 0");
		else if (f->body_case == CLUBCRM__FRAME__BODY_HELLO)
			send_welcome(c, rid);
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
		} else {
			handle_request(c, f);
			return;
		}
		break;
	}
	clubcrm__frame__free_unpacked(f, NULL);
}

/* ------------------------------------------------------------ framing */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * Records where the frame just delivered ends in the bytes being fed, so
 * that a pause can stash exactly the bytes after it. A frame whose payload
 * is not inside those bytes was completed from the reader's own buffer: it
 * is the first of this feed, and took what the reader still lacked.
 */
static void track_frame_end(struct session *s, const uint8_t *payload,
			    size_t len)
{
	if (payload >= s->feed_data && payload < s->feed_data + s->feed_len) {
		s->feed_end = payload + len;
		return;
	}
	size_t used = s->feed_partial0 ? len - s->feed_got0
				       : FRAME_HEADER_LEN - s->feed_hdr0 + len;
	s->feed_end = s->feed_data + used;
}

static int on_frame(void *ctx, const uint8_t *payload, size_t len)
{
	struct conn *c = ctx;
	track_frame_end(&c->sess, payload, len);
	if (c->closing || c->draining)
		return -ECANCELED;
	Clubcrm__Frame *f = frame_decode(payload, len, NULL);
	if (!f) {
		conn_goaway(c, STATUS_INVALID_ARGUMENT, "undecodable frame");
		return -EPROTO;
	}
	handle_frame(c, f, payload, len);
	if (c->closing || c->draining)
		return -ECANCELED;
	return held_back(c) ? SESSION_PAUSE : 0;
}

/* The reader refused a length: 0 is malformed, too long is too much. */
static void framing_error(struct conn *c)
{
	struct session *s = &c->sess;
	const uint8_t *hdr = NULL;
	if (s->reader.header_len == FRAME_HEADER_LEN && !s->reader.partial)
		hdr = s->reader.header;
	else if (s->feed_end + FRAME_HEADER_LEN <= s->feed_data + s->feed_len)
		hdr = s->feed_end;
	uint32_t len = hdr ? be32(hdr) : UINT32_MAX;
	char why[96];
	if (len == 0) {
		conn_goaway(c, STATUS_INVALID_ARGUMENT, "frame of length 0");
		return;
	}
	snprintf(why, sizeof(why), "frame over the limit of %u bytes",
		 s->reader.max_frame);
	log_debug("conn %llu (%s): %s", cid(c), c->peer, why);
	conn_goaway(c, STATUS_RESOURCE_EXHAUSTED, why);
}

static void feed(struct conn *c, const uint8_t *data, size_t len)
{
	struct session *s = &c->sess;
	s->feed_data = data;
	s->feed_len = len;
	s->feed_end = data;
	s->feed_hdr0 = s->reader.header_len;
	s->feed_got0 = s->reader.partial_got;
	s->feed_partial0 = s->reader.partial != NULL;
	int ret = frame_reader_feed(&s->reader, data, len, on_frame, c);
	if (ret == SESSION_PAUSE) {
		size_t rest = (size_t)(data + len - s->feed_end);
		if (buf_append(&s->stash, s->feed_end, rest) < 0)
			conn_close(c);
	} else if (ret == -EMSGSIZE) {
		framing_error(c);
	} else if (ret == -ENOMEM) {
		log_warn("conn %llu (%s): out of memory for a frame", cid(c),
			 c->peer);
		conn_close(c);
	}
	s->feed_data = s->feed_end = NULL;
	s->feed_len = 0;
}

static bool take_preface(struct conn *c, const uint8_t **data, size_t *len)
{
	struct session *s = &c->sess;
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
			  c->peer);
		conn_close(c);
		return false;
	}
	if (major != FRAME_PROTOCOL_MAJOR) {
		char why[96];
		snprintf(why, sizeof(why), "protocol %u.%u not supported: this "
			 "server speaks %u.x", major, minor,
			 FRAME_PROTOCOL_MAJOR);
		conn_goaway(c, STATUS_FAILED_PRECONDITION, why);
		return false;
	}
	s->state = SESSION_HANDSHAKE;
	return true;
}

void session_on_data(struct conn *c, const uint8_t *data, size_t len)
{
	struct session *s = &c->sess;
	s->last_rx_ms = now_ms(c);
	if (s->state == SESSION_PREFACE && !take_preface(c, &data, &len))
		return;
	if (len == 0)
		return;
	/* More bytes while held back (TLS hands over several pieces per
	 * read): they wait behind the stash, in order. */
	if (s->stash.len || held_back(c)) {
		if (buf_append(&s->stash, data, len) < 0)
			conn_close(c);
		return;
	}
	feed(c, data, len);
}

void session_resume(struct conn *c)
{
	struct session *s = &c->sess;
	while (s->stash.len && !held_back(c) && !c->closing && !c->draining) {
		struct buf bytes = s->stash;
		memset(&s->stash, 0, sizeof(s->stash));
		feed(c, bytes.data, bytes.len);
		buf_free(&bytes);
	}
	conn_update_reading(c);
}

/* ------------------------------------------------------------ timer */

void session_on_timer(struct conn *c)
{
	struct session *s = &c->sess;
	const struct config *cfg = c->srv->cfg;
	uint64_t now = now_ms(c);
	if (s->fail_reply.len && now >= s->fail_at_ms) {
		conn_send_buf(c, &s->fail_reply);
		session_resume(c);
		if (c->closing || c->draining)
			return;
	}
	if (s->state != SESSION_READY && now >= s->handshake_deadline_ms) {
		char why[96];
		snprintf(why, sizeof(why), "no login within %u ms",
			 cfg->handshake_timeout_ms);
		conn_goaway(c, STATUS_DEADLINE_EXCEEDED, why);
		return;
	}
	if (now < s->next_beat_ms)
		return;
	uint64_t silent = now - s->last_rx_ms;
	if (silent >= (uint64_t)SESSION_MISSED_BEATS * cfg->heartbeat_ms) {
		log_info("conn %llu (%s, %s): dropped: silent for %llu ms",
			 cid(c), c->peer, s->login, (unsigned long long)silent);
		conn_close(c);
		return;
	}
	if (silent >= cfg->heartbeat_ms)
		send_ping_or_pong(c, 0, false, ++s->ping_nonce);
	s->next_beat_ms = now + cfg->heartbeat_ms;
}
