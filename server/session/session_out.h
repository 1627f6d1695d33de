/*
 * What a session sends: whole frames, an Error, a GoAway, and the escaping
 * of peer-supplied names for the logs. The lowest module of the session
 * layer: session.c, login.c and subs.c call it, it calls none of them
 * (only the transport, net/transport.h), so calls in session/ go one way.
 *
 * Sending on a closed transport does nothing; a failed send closes it (the
 * functions below have handled every failure when they return, the result
 * only says whether the bytes were queued).
 */
#ifndef CLUBCRMD_SESSION_OUT_H
#define CLUBCRMD_SESSION_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "clubcrm.pb-c.h"

struct session;

/*
 * Output, on the session's transport: 0 when queued; a negative errno
 * when not, the failure handled already (the connection closed or
 * dropped). session_send_frame() encodes one frame.
 */
int session_send_buf(struct session *c, struct buf *b);
int session_send_copy(struct session *c, const void *head, size_t head_len,
		      const void *body, size_t body_len);
int session_send_frame(struct session *c, const Clubcrm__Frame *f);

/* Appends an Error frame answering `request_id` (0: none) to `out`: the
 * one place the session layer builds one. 0 or -ENOMEM. */
int session_encode_error(struct buf *out, uint64_t request_id, unsigned code,
			 const char *message);
/* Sends an Error frame answering `request_id`. */
void session_send_error(struct session *c, uint64_t request_id, unsigned code,
			const char *message);

/* Sends GoAway{code, reason}, then closes once it is written. */
void session_goaway(struct session *c, unsigned code, const char *reason);
/*
 * Answers Logout with a GoAway (`code`, `reason`) echoing its request id,
 * then drains the connection: replies still in flight go out first.
 */
void session_send_logged_out(struct session *c, uint64_t request_id,
			     unsigned code, const char *reason);

/* Copies a peer-supplied name for the logs, printable ASCII only. */
void session_log_safe(char *out, size_t size, const char *in);

#endif
