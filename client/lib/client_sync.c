#include "client_sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

struct client_sync {
	uv_loop_t loop;
	struct client *client;   /* NULL once closed */
	uv_timer_t timer;        /* time limit of the current wait */
	unsigned timeout_ms;
	bool timed_out;

	bool ready_done;         /* on_ready came */
	struct client_status ready;
	bool ended;              /* the connection is over */
	struct client_status end;
	bool goaway;
	unsigned goaway_code;
};

/* One call in flight, on client_sync_call()'s stack. */
struct sync_call {
	bool done;
	unsigned status;
	struct client_status *st;
	Clubcrm__Frame *frame;
};

static void on_ready(struct client *c, const struct client_status *st,
		     void *ud)
{
	struct client_sync *s = ud;
	s->ready_done = true;
	s->ready = *st;
	if (st->code != STATUS_OK) {
		s->ended = true;
		s->end = *st;
	}
}

static void on_goaway(struct client *c, unsigned code, const char *reason,
		      void *ud)
{
	struct client_sync *s = ud;
	s->goaway = true;
	s->goaway_code = code;
}

static void on_disconnect(struct client *c, const struct client_status *st,
			  void *ud)
{
	struct client_sync *s = ud;
	s->ended = true;
	s->end = *st;
}

static void on_closed(struct client *c, void *ud)
{
	struct client_sync *s = ud;
	s->client = NULL;
}

static const struct client_callbacks sync_callbacks = {
	.on_ready = on_ready,
	.on_goaway = on_goaway,
	.on_disconnect = on_disconnect,
	.on_closed = on_closed,
};

static void on_timeout(uv_timer_t *t)
{
	struct client_sync *s = t->data;
	s->timed_out = true;
}

/* Runs the loop until *flag is true or the time limit passes. */
static bool run_until(struct client_sync *s, const bool *flag,
		      unsigned timeout_ms)
{
	s->timed_out = false;
	uv_timer_start(&s->timer, on_timeout, timeout_ms, 0);
	while (!*flag && !s->timed_out)
		uv_run(&s->loop, UV_RUN_ONCE);
	uv_timer_stop(&s->timer);
	return *flag;
}

static void on_timer_closed(uv_handle_t *h)
{
	(void)h;
}

/* Closes the client (logging out first when `logout`) and the timer and
 * runs the loop until all is freed. */
static void sync_free(struct client_sync *s, bool logout)
{
	if (s->client && logout)
		client_logout_close(s->client);
	else if (s->client)
		client_close(s->client);
	uv_close((uv_handle_t *)&s->timer, on_timer_closed);
	/* Every handle is closing: the loop runs dry. */
	while (uv_run(&s->loop, UV_RUN_DEFAULT) != 0)
		;
	uv_loop_close(&s->loop);
	free(s);
}

static unsigned open_fail(struct client_status *st, unsigned code,
			  const char *what, int err)
{
	client_status_set(st, code, "%s: %s", what,
			  err < 0 ? uv_strerror(err) : "failed");
	return code;
}

unsigned client_sync_open(const struct client_sync_options *o,
			  struct client_sync **out, struct client_status *st)
{
	*out = NULL;
	struct client_sync *s = calloc(1, sizeof(*s));
	if (!s)
		return open_fail(st, STATUS_INTERNAL, "client", -ENOMEM);
	int ret = uv_loop_init(&s->loop);
	if (ret < 0) {
		free(s);
		return open_fail(st, STATUS_INTERNAL, "event loop", ret);
	}
	ret = uv_timer_init(&s->loop, &s->timer);
	if (ret < 0) {
		uv_loop_close(&s->loop);
		free(s);
		return open_fail(st, STATUS_INTERNAL, "event loop", ret);
	}
	s->timer.data = s;
	s->timeout_ms = o->timeout_ms ? o->timeout_ms : CLIENT_SYNC_TIMEOUT_MS;

	struct client_config cfg = {
		.address = o->address, .login = o->login,
		.password = o->password, .kind = o->kind,
		.terminal_name = o->terminal_name,
		.ca_file = o->ca_file, .server_name = o->server_name,
		/* Logging in is a call like the others. */
		.connect_timeout_ms = o->timeout_ms,
	};
	unsigned code = STATUS_INVALID_ARGUMENT;
	if (client_new(&s->loop, &cfg, &sync_callbacks, s, &s->client) !=
	    STATUS_OK) {
		s->client = NULL;
		client_status_set(st, code, "bad server address '%s'",
				  o->address ? o->address : "");
		goto fail;
	}
	code = STATUS_UNAVAILABLE;
	unsigned started = client_connect(s->client);
	if (started != STATUS_OK) {
		client_status_set(st, code, "connect: %s",
				  status_name(started));
		goto fail;
	}
	if (!run_until(s, &s->ready_done, s->timeout_ms)) {
		code = STATUS_DEADLINE_EXCEEDED;
		client_status_set(st, code, "no answer from %s", o->address);
		goto fail;
	}
	code = s->ready.code;
	if (code != STATUS_OK) {
		*st = s->ready;
		goto fail;
	}
	client_status_set(st, STATUS_OK, "%s", "");
	*out = s;
	return STATUS_OK;
fail:
	sync_free(s, false);
	return code;
}

static void on_reply(struct client *c, struct client_reply *r, void *arg)
{
	struct sync_call *call = arg;
	call->done = true;
	call->status = r->status;
	client_status_set(call->st, r->status, "%s", r->message);
	call->frame = r->frame;
	r->frame = NULL;  /* ours now */
}

static unsigned request_failed(struct client_sync *s, unsigned code,
			       struct client_status *st)
{
	if (code == STATUS_RESOURCE_EXHAUSTED) {
		client_status_set(st, STATUS_RESOURCE_EXHAUSTED,
				  "request over the server's limit of %u bytes",
				  (unsigned)client_max_frame(s->client));
	} else if (code == STATUS_UNAVAILABLE) {
		if (s->ended)
			*st = s->end;
		else
			client_status_set(st, STATUS_UNAVAILABLE,
					  "not connected");
		st->code = STATUS_UNAVAILABLE;
	} else {
		client_status_set(st, code, "request: %s", status_name(code));
	}
	return st->code;
}

unsigned client_sync_call(struct client_sync *s, Clubcrm__Frame *req,
			  Clubcrm__Frame **reply, struct client_status *st)
{
	*reply = NULL;
	if (!s->client)
		return request_failed(s, STATUS_UNAVAILABLE, st);
	struct sync_call call = {.st = st};
	uint64_t id = 0;
	unsigned sent = client_request(s->client, req, on_reply, &call, &id);
	if (sent != STATUS_OK)
		return request_failed(s, sent, st);
	if (!run_until(s, &call.done, s->timeout_ms)) {
		/* The reply may still come; nobody will be here for it. */
		client_forget(s->client, id);
		client_status_set(st, STATUS_DEADLINE_EXCEEDED,
				  "no reply within %u ms", s->timeout_ms);
		return STATUS_DEADLINE_EXCEEDED;
	}
	*reply = call.frame;
	return call.status;
}

unsigned client_sync_wait_end(struct client_sync *s, unsigned timeout_ms,
			      struct client_status *st)
{
	if (!run_until(s, &s->ended, timeout_ms)) {
		client_status_set(st, STATUS_DEADLINE_EXCEEDED,
				  "still connected after %u ms", timeout_ms);
		return STATUS_DEADLINE_EXCEEDED;
	}
	*st = s->end;
	return STATUS_OK;
}

bool client_sync_got_goaway(const struct client_sync *s, unsigned *code)
{
	if (code)
		*code = s->goaway_code;
	return s->goaway;
}

struct client *client_sync_client(struct client_sync *s)
{
	return s->client;
}

void client_sync_close(struct client_sync *s)
{
	if (s)
		sync_free(s, false);
}

void client_sync_logout_close(struct client_sync *s)
{
	if (s)
		sync_free(s, true);
}
