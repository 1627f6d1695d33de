/*
 * The clubcrm client library: one connection to clubcrmd on a libuv loop.
 *
 * A client is a state machine (enum client_state). client_connect() walks it
 * from resolving the address through the TCP or unix-socket connect, the
 * preface and Hello/Welcome, to Login/LoginOk, and calls on_ready once with
 * the outcome. Then requests go out with client_request(); each reply comes
 * back to the callback registered under its request id. Frames with request
 * id 0 (pushes) go to on_push; server pings are answered here; a GoAway is
 * reported to on_goaway. A server silent for a heartbeat (Welcome's
 * heartbeat_ms) is pinged, and after three silent beats the connection
 * counts as lost. When the connection ends (EOF, error, GoAway, silence), every
 * pending request is completed with UNAVAILABLE and on_disconnect is called;
 * the client then stays in CLIENT_DISCONNECTED until client_close().
 *
 * The client object outlives its connections: each connection attempt has
 * its own libuv handle ("link"), freed in that handle's close callback. That
 * is the seat for later reconnection with backoff and for subscriptions kept
 * as local replicas (issue 4): a BACKOFF state and a timer slot in here
 * without touching the request path.
 *
 * client_close() completes pending requests with UNAVAILABLE at once, closes
 * every handle, and frees the client in the last close callback (on_closed
 * is called just before). Only the loop thread may call into a client.
 *
 * SIGPIPE is ignored from the first connection on (unless the program set
 * its own handler), so that a server closing first is an error, not death.
 *
 * Errors, in the whole client library (client.h, client_sync.h, live.h,
 * client_api.h): a status code of common/status.h (the gRPC numbers the
 * server answers with), unsigned, STATUS_OK (0) for success. A function
 * that can fail returns one; a reply carries one. errno and libuv codes
 * from below are turned into it in one place, client_errno_status();
 * messages say the details (uv_strerror) where there is room for them.
 */
#ifndef CLUBCRM_CLIENT_H
#define CLUBCRM_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "clubcrm.pb-c.h"

enum client_state {
	CLIENT_NEW = 0,       /* created, client_connect() not called yet */
	CLIENT_RESOLVING,     /* uv_getaddrinfo in flight */
	CLIENT_CONNECTING,    /* uv_tcp_connect / uv_pipe_connect in flight */
	CLIENT_HANDSHAKE,     /* preface and Hello sent, waiting for Welcome */
	CLIENT_LOGIN,         /* Login sent, waiting for LoginOk */
	CLIENT_READY,         /* requests may be sent */
	CLIENT_DISCONNECTED,  /* the connection ended; only client_close() */
	CLIENT_CLOSING,       /* client_close() called; freed when handles are */
};

/* A status (gRPC code numbers, common/status.h) with its message. */
#define CLIENT_MESSAGE_MAX 256
struct client_status {
	unsigned code;
	char message[CLIENT_MESSAGE_MAX];
};

/* The status code for a negative errno or libuv code (0: STATUS_OK):
 * ENOTCONN UNAVAILABLE, EMSGSIZE RESOURCE_EXHAUSTED, EINVAL
 * INVALID_ARGUMENT, ENOENT NOT_FOUND, EALREADY FAILED_PRECONDITION, any
 * other INTERNAL. */
unsigned client_errno_status(int err);

/* Fills `st`; the message is cut to fit. */
void client_status_set(struct client_status *st, unsigned code,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * What a reply callback gets. `status` is STATUS_OK for a normal reply, the
 * Error's code for an Error frame (then `message` is its text and `frame` the
 * Error frame, e.g. for Error.current), or UNAVAILABLE with frame NULL when
 * the connection ended before the reply came. The frame is freed after the
 * callback unless the callback takes it by setting `frame` to NULL (then it
 * frees it with clubcrm__frame__free_unpacked(frame, NULL)); `message` lives
 * as long as the frame or the callback, whichever is shorter.
 */
struct client_reply {
	unsigned status;
	const char *message;
	Clubcrm__Frame *frame;
};

struct client;

typedef void (*client_reply_cb)(struct client *c, struct client_reply *r,
				void *arg);

struct client_callbacks {
	/* Handshake (and login, when configured) done: STATUS_OK, or why not. */
	void (*on_ready)(struct client *c, const struct client_status *st,
			 void *ud);
	/* A frame with request id 0 other than Ping/GoAway (live views later). */
	void (*on_push)(struct client *c, const Clubcrm__Frame *f, void *ud);
	/* The server said it is going away; the disconnect follows. */
	void (*on_goaway)(struct client *c, unsigned code, const char *reason,
			  void *ud);
	/* The connection ended (after pending requests were completed). */
	void (*on_disconnect)(struct client *c, const struct client_status *st,
			      void *ud);
	/* Last call before the client is freed. */
	void (*on_closed)(struct client *c, void *ud);
	/* Optional: a push's bytes (the Frame, encoded) before they are
	 * decoded; true takes the frame, which then is neither decoded nor
	 * given to on_push. The bench counts rows with it; live.c decodes a
	 * snapshot chunk's rows by hand with it (taskrow.h). */
	bool (*on_raw_push)(struct client *c, const uint8_t *frame, size_t len,
			    void *ud);
};

/*
 * TLS (1.3 only, TCP only) is on when `ca_file` is set or the address starts
 * with "tls:" (client_addr.h). The server's certificate must then chain to a
 * CA of `ca_file` (PEM; NULL: the system's trust store) and be valid for
 * `server_name` (NULL: the address's host; a DNS name, or an IP address
 * matched against the certificate's IP addresses). There is no way to skip
 * the check. A certificate refused ends the connection attempt before
 * anything of ours is sent (not even Hello), with UNAVAILABLE "TLS to
 * HOST:PORT: certificate verify failed: <why>"; a CA file that cannot be
 * read ends it with INVALID_ARGUMENT. A unix-socket address ignores
 * `ca_file`: the socket is local, and the server speaks no TLS there.
 */
struct client_config {
	const char *address;        /* "HOST:PORT", "tls:HOST:PORT",
				       "[V6]:PORT" or "unix:PATH" */
	const char *login;          /* NULL: stop after Welcome (no login) */
	const char *password;
	Clubcrm__ClientKind kind;
	const char *terminal_name;  /* NULL: the host name */
	const char *ca_file;        /* PEM CA certificates; see above */
	const char *server_name;    /* the certificate's name; see above */
	/* Deadline of connect + handshake + login; 0: 10 s
	 * (CLIENT_CONNECT_TIMEOUT_MS). */
	unsigned connect_timeout_ms;
	/* A resume token from an earlier LoginOk (client_resume_token()):
	 * sent with the login instead of the password. A refused token is a
	 * refused login (UNAUTHENTICATED): the owner then logs in with the
	 * password (live.c does). Copied; NULL: the password. */
	const uint8_t *resume_token;
	size_t resume_token_len;
};

/* The longest resume token a client keeps or sends. */
#define CLIENT_RESUME_TOKEN_MAX 256u

/*
 * Creates a client on `loop` (strings of `cfg` are copied). STATUS_OK,
 * INVALID_ARGUMENT for a malformed address, or INTERNAL (no memory).
 */
unsigned client_new(uv_loop_t *loop, const struct client_config *cfg,
		    const struct client_callbacks *cbs, void *ud,
		    struct client **out);

/*
 * Starts connecting (CLIENT_NEW only: else FAILED_PRECONDITION). STATUS_OK
 * or INTERNAL (the loop refused). A TLS setup
 * that fails (the CA file) is reported through on_ready like any other
 * failed connection, possibly from inside this call.
 */
unsigned client_connect(struct client *c);

/*
 * Sends a request. The client sets req->request_id (a fresh non-zero id,
 * also returned in *id when id is not NULL) and encodes the frame at once,
 * so `req` may be freed after the call. `cb` is called exactly once, later
 * (never from inside this call). STATUS_OK; UNAVAILABLE outside
 * CLIENT_READY (a client configured without a login is READY after
 * Welcome, so that a test can send requests before logging in),
 * RESOURCE_EXHAUSTED when the frame is over the server's limit,
 * INVALID_ARGUMENT without `cb`, INTERNAL (no memory). A Ping is answered by its Pong, which the
 * server queues after everything it queued before: a barrier.
 */
unsigned client_request(struct client *c, Clubcrm__Frame *req,
			client_reply_cb cb, void *arg, uint64_t *id);

/* A fresh random idempotency key for a create. STATUS_OK or INTERNAL. */
#define CLIENT_IDEMPOTENCY_KEY_LEN 16u
unsigned client_idempotency_key(uint8_t key[CLIENT_IDEMPOTENCY_KEY_LEN]);

/*
 * Forgets a pending request: its callback will not be called. STATUS_OK, or
 * NOT_FOUND when it is not pending (already completed).
 */
unsigned client_forget(struct client *c, uint64_t id);

/* Closes the client (see the top of this file). Safe in any state, once. */
void client_close(struct client *c);

/*
 * client_close(), but a READY client ends its session first: pending
 * requests fail at once as there, Logout goes out, and the handles close
 * when the server has ended the connection (its GoAway "logged out" and
 * close), or after CLIENT_LOGOUT_TIMEOUT_MS (2 s). The server then ends the
 * session at once rather than when it notices the disconnect. No callback
 * but on_closed is called after this. Safe in any state, once (instead of
 * client_close()).
 */
void client_logout_close(struct client *c);

enum client_state client_get_state(const struct client *c);
const char *client_state_name(enum client_state s);
/* The server's Welcome, or NULL before it came. */
const Clubcrm__Welcome *client_welcome(const struct client *c);
/* The logged-in operator, or NULL. */
const Clubcrm__Operator *client_operator(const struct client *c);
/*
 * The resume token of the LoginOk, valid during the client's life: true
 * with it (1 to CLIENT_RESUME_TOKEN_MAX bytes) and its expiry (unix seconds,
 * 0: none said), false when the server issued none. Never to be printed or
 * written anywhere: it logs in as the operator.
 */
bool client_resume_token(const struct client *c, const uint8_t **token,
			 size_t *len, int64_t *expires);
/* True once this connection sent its Login (whatever came of it). */
bool client_login_sent(const struct client *c);
/* Largest frame the server accepts from us now. */
uint32_t client_max_frame(const struct client *c);
/* Requests waiting for their reply. */
unsigned client_pending(const struct client *c);
/* Inside a reply or push callback: the size of the frame being handled, as
 * received (its 4-byte header included). */
size_t client_frame_bytes(const struct client *c);
/* Inside a push callback: no more is read before the loop's next turn,
 * so that the screen can show what came so far (client_link_yield). */
void client_yield_reading(struct client *c);
void *client_userdata(const struct client *c);

#endif
