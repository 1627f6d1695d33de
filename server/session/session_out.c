#include "session_out.h"

#include <errno.h>
#include <string.h>

#include "error_frame.h"
#include "frame.h"
#include "log.h"
#include "session.h"

static unsigned long long cid(const struct session *c)
{
	return (unsigned long long)c->t->id;
}

/*
 * Peer-supplied names go into log lines: anything but printable ASCII is
 * written as \xHH (and the backslash and the quote as \\ and \"), so a
 * name can neither start a forged line, move the cursor of whoever reads
 * the log on a terminal, nor end the quotes it is logged in. An escape is
 * never cut in half by `size`.
 */
void session_log_safe(char *out, size_t size, const char *in)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (size == 0)
		return;
	for (size_t i = 0; in && in[i]; i++) {
		unsigned char ch = (unsigned char)in[i];
		char esc[4];
		size_t n = 0;
		if (ch == '\\' || ch == '"') {
			esc[n++] = '\\';
			esc[n++] = (char)ch;
		} else if (ch >= 0x20 && ch < 0x7f) {
			esc[n++] = (char)ch;
		} else {
			esc[n++] = '\\';
			esc[n++] = 'x';
			esc[n++] = hex[ch >> 4];
			esc[n++] = hex[ch & 15];
		}
		if (o + n + 1 > size)
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o] = '\0';
}

/* ------------------------------------------------------------ output */

int session_send_buf(struct session *c, struct buf *b)
{
	/* The transport has closed or dropped the connection on failure. */
	return transport_send(c->t, b);
}

int session_send_copy(struct session *c, const void *head, size_t head_len,
		      const void *body, size_t body_len)
{
	return transport_send_copy(c->t, head, head_len, body, body_len);
}

int session_send_frame(struct session *c, const Clubcrm__Frame *f)
{
	struct buf b = { 0 };
	int ret = frame_encode(f, &b);
	if (ret < 0) {
		/* The peer would wait for an answer that never comes. */
		log_warn("conn %llu (%s): cannot encode a frame: %s", cid(c),
			 c->t->peer, strerror(-ret));
		buf_free(&b);
		session_close(c);
		return ret;
	}
	return session_send_buf(c, &b);
}

void session_goaway(struct session *c, unsigned code, const char *reason)
{
	if (!transport_live(c->t))
		return;
	Clubcrm__GoAway ga = CLUBCRM__GO_AWAY__INIT;
	ga.has_code = true;
	ga.code = code;
	ga.reason = (char *)reason;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_GO_AWAY;
	f.go_away = &ga;
	log_debug("conn %llu (%s): GoAway %u: %s", cid(c), c->t->peer, code,
		  reason);
	if (session_send_frame(c, &f) < 0)
		return;
	session_drain(c);
}

int session_encode_error(struct buf *out, uint64_t request_id, unsigned code,
			 const char *message)
{
	Clubcrm__Error e;
	Clubcrm__Frame f;
	error_frame_init(&f, &e, request_id, code, message, NULL);
	return frame_encode(&f, out);
}

void session_send_error(struct session *c, uint64_t request_id, unsigned code,
			const char *message)
{
	struct buf b = { 0 };
	int ret = session_encode_error(&b, request_id, code, message);
	if (ret < 0) {
		/* The peer would wait for an answer that never comes. */
		log_warn("conn %llu (%s): cannot encode an error: %s", cid(c),
			 c->t->peer, strerror(-ret));
		buf_free(&b);
		session_close(c);
		return;
	}
	(void)session_send_buf(c, &b);  /* a failure closed it already */
}

/*
 * The answer to Logout is the GoAway itself (code OK, echoing its request
 * id): the client learns that it was heard, and why the connection ends.
 * Replies still in flight go out before the close.
 */
void session_send_logged_out(struct session *c, uint64_t request_id,
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
	if (session_send_frame(c, &f) < 0)
		return;
	session_drain(c);
}

