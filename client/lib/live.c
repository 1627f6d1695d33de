#include "live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snapshot_chunk.h"
#include "status.h"

struct live_sub {
	struct live_sub *next;
	struct live *live;
	uint32_t id;
	Clubcrm__View *view;      /* owned copy */
	struct replica replica;
	bool active;              /* subscribed on the current connection */
	uint64_t pending;         /* request id of the Subscribe in flight */
	uint64_t barrier;         /* request id of the Ping after a resume */
	bool chunk_seen;          /* a chunk of the snapshot came */
};

/* A live_create() not answered yet. */
struct live_create {
	struct live_create *next;
	struct live *live;
	Clubcrm__Frame *req;        /* owned copy, its key set */
	client_reply_cb cb;
	void *arg;
	uint64_t rid;               /* in flight on this connection, or 0 */
	uint64_t give_up_ms;        /* uv_now() from which it fails */
};

struct live {
	uv_loop_t *loop;
	struct client_config cfg;   /* strings owned */
	struct live_callbacks cbs;
	void *ud;
	enum live_state state;
	struct client *client;      /* current attempt, or NULL */
	unsigned clients_open;      /* attempts not yet freed */
	uv_timer_t timer;           /* backoff */
	bool timer_open;
	struct live_backoff backoff;
	/* The resume token of the last LoginOk (memory only, never shown):
	 * the next attempt logs in with it instead of the password. */
	uint8_t *token;
	size_t token_len;
	int64_t token_expires;      /* unix seconds, 0: not said */
	bool token_tried;           /* the current attempt sent it */
	unsigned retry_delay_ms;    /* of the attempt scheduled last */
	struct live_sub *subs;
	uint32_t next_sub_id;
	/* Requests made while disconnected, failed from the loop. */
	uv_idle_t fail_idle;
	bool idle_open;
	struct deferred *deferred;
	struct live_create *creates;
	unsigned create_retry_ms;
};

struct deferred {
	struct deferred *next;
	client_reply_cb cb;
	void *arg;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

const char *live_state_name(enum live_state st)
{
	switch (st) {
	case LIVE_CONNECTING: return "connecting";
	case LIVE_READY: return "connected";
	case LIVE_WAITING: return "reconnecting";
	case LIVE_FAILED: return "login refused";
	case LIVE_CLOSED: return "closed";
	}
	return "?";
}

static void set_state(struct live *l, enum live_state st,
		      const struct client_status *why)
{
	l->state = st;
	if (l->cbs.on_state)
		l->cbs.on_state(l, st, why, l->ud);
}

static void forget_token(struct live *l)
{
	if (l->token) {
		explicit_bzero(l->token, l->token_len);
		free(l->token);
	}
	l->token = NULL;
	l->token_len = 0;
	l->token_expires = 0;
}

/* Keeps the token the server issued with this login (or none). */
static void keep_token(struct live *l, const struct client *c)
{
	const uint8_t *tok;
	size_t len;
	int64_t expires;
	forget_token(l);
	if (!client_resume_token(c, &tok, &len, &expires))
		return;
	l->token = malloc(len);
	if (!l->token)
		return;  /* the password serves */
	memcpy(l->token, tok, len);
	l->token_len = len;
	l->token_expires = expires;
}

static void free_cfg(struct live *l)
{
	forget_token(l);
	free((char *)l->cfg.address);
	free((char *)l->cfg.login);
	if (l->cfg.password) {
		explicit_bzero((char *)l->cfg.password, strlen(l->cfg.password));
		free((char *)l->cfg.password);
	}
	free((char *)l->cfg.terminal_name);
	free((char *)l->cfg.ca_file);
	free((char *)l->cfg.server_name);
}

static void maybe_free(struct live *l)
{
	if (l->state != LIVE_CLOSED || l->clients_open || l->timer_open ||
	    l->idle_open)
		return;
	if (l->cbs.on_closed)
		l->cbs.on_closed(l, l->ud);
	free_cfg(l);
	free(l);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct live *l = h->data;
	if (h == (uv_handle_t *)&l->timer)
		l->timer_open = false;
	else
		l->idle_open = false;
	maybe_free(l);
}

/* ------------------------------------------------------------ pushes */

static struct live_sub *find_sub(struct live *l, uint32_t id)
{
	for (struct live_sub *s = l->subs; s; s = s->next)
		if (s->id == id && s->active)
			return s;
	return NULL;
}

/* A snapshot's first chunk (the top of the board) is on the screen before
 * the rest is read: the link reads up to 2 MiB in one turn of the loop. */
static void first_chunk(struct live_sub *s)
{
	if (s->chunk_seen)
		return;
	s->chunk_seen = true;
	if (s->live->client)
		client_yield_reading(s->live->client);
}

static void on_push(struct client *c, const Clubcrm__Frame *f, void *ud)
{
	(void)c;
	struct live *l = ud;
	struct live_sub *s;
	switch (f->body_case) {
	case CLUBCRM__FRAME__BODY_SNAPSHOT_CHUNK:
		if ((s = find_sub(l, f->snapshot_chunk->sub_id))) {
			replica_apply_chunk(&s->replica, f->snapshot_chunk);
			first_chunk(s);
		}
		break;
	case CLUBCRM__FRAME__BODY_SNAPSHOT_DONE:
		if ((s = find_sub(l, f->snapshot_done->sub_id)))
			replica_apply_done(&s->replica, f->snapshot_done);
		break;
	case CLUBCRM__FRAME__BODY_DELTAS:
		for (size_t i = 0; i < f->deltas->n_deltas; i++) {
			const Clubcrm__Delta *d = f->deltas->deltas[i];
			if ((s = find_sub(l, d->sub_id)))
				replica_apply_delta(&s->replica, d);
		}
		break;
	case CLUBCRM__FRAME__BODY_REMINDER:
		if (l->cbs.on_reminder && f->reminder->row)
			l->cbs.on_reminder(l, f->reminder->row, l->ud);
		break;
	default:
		break;
	}
}

/* A snapshot chunk of the plain shape, its rows decoded by hand straight
 * into the blocks the replica keeps (snapshot_chunk.h); false leaves the
 * frame to the ordinary path (on_push). */
static bool on_raw_push(struct client *c, const uint8_t *frame, size_t len,
			void *ud)
{
	(void)c;
	struct live *l = ud;
	struct snapshot_chunk ch;
	if (!snapshot_chunk_parse(frame, len, &ch))
		return false;
	struct live_sub *sub = find_sub(l, (uint32_t)ch.sub_id);
	if (!sub || !ch.n_rows)
		return false;
	Clubcrm__TaskRow **rows = malloc(ch.n_rows * sizeof(*rows));
	if (!rows)
		return false;
	if (!snapshot_chunk_rows(&ch, rows)) {
		free(rows);
		return false;
	}
	replica_apply_rows(&sub->replica, rows, ch.n_rows);
	free(rows);
	first_chunk(sub);
	return true;
}

/* ------------------------------------------------------ subscriptions */

static void on_replayed(struct client *c, struct client_reply *r, void *arg)
{
	(void)c;
	struct live_sub *s = arg;
	s->barrier = 0;
	if (r->status == STATUS_OK)
		replica_resume_done(&s->replica);
}

/*
 * The server sends a resume's whole replay right after Subscribed (subs.c,
 * try_resume), so the Pong to a Ping sent now comes after its last frame:
 * then, and not before, the replica may claim the resume's revision (a cut
 * in between must make the next resume ask for the replay again).
 */
static void send_barrier(struct live *l, struct live_sub *s)
{
	Clubcrm__Ping ping = CLUBCRM__PING__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_PING;
	f.ping = &ping;
	if (client_request(l->client, &f, on_replayed, s, &s->barrier))
		s->barrier = 0;  /* the replica stays behind: harmless */
}

static void on_subscribed(struct client *c, struct client_reply *r, void *arg)
{
	(void)c;
	struct live_sub *s = arg;
	s->pending = 0;
	if (r->status == STATUS_OK && r->frame &&
	    r->frame->body_case == CLUBCRM__FRAME__BODY_SUBSCRIBED) {
		const Clubcrm__Subscribed *ok = r->frame->subscribed;
		replica_begin(&s->replica, ok->resumed, ok->revision);
		s->chunk_seen = false;
		if (ok->resumed && s->live->client)
			send_barrier(s->live, s);
		return;
	}
	s->active = false;
	if (r->status == STATUS_UNAVAILABLE)
		return;  /* the connection went; the next one resubscribes */
	struct client_status why;
	client_status_set(&why, r->status, "%s", r->message ? r->message : "");
	if (s->live->cbs.on_sub_error)
		s->live->cbs.on_sub_error(s->live, s, &why, s->live->ud);
}

static void send_subscribe(struct live *l, struct live_sub *s)
{
	Clubcrm__Subscribe sub = CLUBCRM__SUBSCRIBE__INIT;
	sub.has_sub_id = 1;
	sub.sub_id = s->id;
	sub.view = s->view;
	if (s->replica.synced) {
		sub.has_since_revision = 1;
		sub.since_revision = replica_revision(&s->replica);
	}
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_SUBSCRIBE;
	f.subscribe = &sub;
	s->active = true;
	if (client_request(l->client, &f, on_subscribed, s, &s->pending))
		s->active = false;
}

static void *copy_view(const Clubcrm__View *v)
{
	size_t len = clubcrm__view__get_packed_size(v);
	uint8_t *tmp = malloc(len ? len : 1);
	if (!tmp)
		return NULL;
	clubcrm__view__pack(v, tmp);
	Clubcrm__View *copy = clubcrm__view__unpack(NULL, len, tmp);
	free(tmp);
	return copy;
}

unsigned live_subscribe(struct live *l, const Clubcrm__View *view,
			const struct replica_callbacks *cbs, void *ud,
			struct live_sub **out)
{
	struct live_sub *s = calloc(1, sizeof(*s));
	if (!s)
		return STATUS_INTERNAL;
	s->view = copy_view(view);
	if (!s->view) {
		free(s);
		return STATUS_INTERNAL;
	}
	s->live = l;
	s->id = ++l->next_sub_id;
	replica_init(&s->replica, s->id, cbs, ud);
	s->next = l->subs;
	l->subs = s;
	if (l->state == LIVE_READY)
		send_subscribe(l, s);
	*out = s;
	return STATUS_OK;
}

struct replica *live_sub_replica(struct live_sub *s)
{
	return &s->replica;
}

static void on_unsubscribed(struct client *c, struct client_reply *r,
			    void *arg)
{
	(void)c;
	(void)r;
	(void)arg;
}

static void free_sub(struct live_sub *s)
{
	replica_free(&s->replica);
	clubcrm__view__free_unpacked(s->view, NULL);
	free(s);
}

void live_unsubscribe(struct live *l, struct live_sub *s)
{
	for (struct live_sub **p = &l->subs; *p; p = &(*p)->next) {
		if (*p != s)
			continue;
		*p = s->next;
		break;
	}
	if (l->client && s->pending)
		client_forget(l->client, s->pending);
	if (l->client && s->barrier)
		client_forget(l->client, s->barrier);
	if (l->state == LIVE_READY && s->active) {
		Clubcrm__Unsubscribe u = CLUBCRM__UNSUBSCRIBE__INIT;
		u.has_sub_id = 1;
		u.sub_id = s->id;
		Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
		f.body_case = CLUBCRM__FRAME__BODY_UNSUBSCRIBE;
		f.unsubscribe = &u;
		/* Nothing to retry when it fails: the link is gone, and the
		 * server forgets the subscription with the connection (the
		 * next connection never makes it: it left l->subs above). */
		unsigned sent = client_request(l->client, &f, on_unsubscribed,
					       NULL, NULL);
		(void)sent;
	}
	free_sub(s);
}

/* ------------------------------------------------------------ creates */

static void unlink_create(struct live *l, struct live_create *cr)
{
	for (struct live_create **p = &l->creates; *p; p = &(*p)->next) {
		if (*p == cr) {
			*p = cr->next;
			return;
		}
	}
}

static void free_create(struct live_create *cr)
{
	clubcrm__frame__free_unpacked(cr->req, NULL);
	free(cr);
}

/* Calls back with UNAVAILABLE and frees (the create is unlinked). */
static void fail_create(struct live_create *cr, const char *why)
{
	struct client_reply r = {.status = STATUS_UNAVAILABLE, .message = why};
	cr->cb(NULL, &r, cr->arg);
	free_create(cr);
}

static void on_create_reply(struct client *c, struct client_reply *r,
			    void *arg)
{
	struct live_create *cr = arg;
	struct live *l = cr->live;
	cr->rid = 0;
	/* The connection went before the answer: the next one repeats it
	 * (same key), unless its time is up (checked while waiting). */
	if (r->status == STATUS_UNAVAILABLE && !r->frame &&
	    l->state != LIVE_CLOSED && uv_now(l->loop) < cr->give_up_ms)
		return;
	unlink_create(l, cr);
	cr->cb(c, r, cr->arg);
	free_create(cr);
}

static unsigned send_create(struct live *l, struct live_create *cr)
{
	return client_request(l->client, cr->req, on_create_reply, cr,
			      &cr->rid);
}

/* Moves the creates `drop` picks to a list of their own, then fails them:
 * their callbacks may call into the live connection again. */
static void fail_creates(struct live *l,
			 bool (*drop)(struct live *, struct live_create *),
			 const char *why)
{
	struct live_create *out = NULL;
	for (struct live_create *cr = l->creates, *next; cr; cr = next) {
		next = cr->next;
		if (!drop(l, cr))
			continue;
		unlink_create(l, cr);
		cr->next = out;
		out = cr;
	}
	while (out) {
		struct live_create *next = out->next;
		fail_create(out, why);
		out = next;
	}
}

static bool unsendable(struct live *l, struct live_create *cr)
{
	return !cr->rid && send_create(l, cr) != 0;
}

static bool expired(struct live *l, struct live_create *cr)
{
	return !cr->rid && uv_now(l->loop) >= cr->give_up_ms;
}

/* On a new connection: every create not answered goes out again. */
static void resend_creates(struct live *l)
{
	fail_creates(l, unsendable, "the request could not be sent");
}

/* While waiting: the creates whose time is up fail. */
static void expire_creates(struct live *l)
{
	fail_creates(l, expired, "not connected to the server: not saved");
}

/* A create, which live_create() keys and repeats: a CreateTask (one
 * without its message is refused there), or an UpsertCustomer that adds
 * (its customer has no id). */
static bool is_create(const Clubcrm__Frame *f)
{
	if (f->body_case == CLUBCRM__FRAME__BODY_CREATE_TASK)
		return true;
	return f->body_case == CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER &&
	       f->upsert_customer && f->upsert_customer->customer &&
	       !f->upsert_customer->customer->id;
}

unsigned live_create(struct live *l, Clubcrm__Frame *req, client_reply_cb cb,
		     void *arg)
{
	if (!is_create(req) || l->state == LIVE_CLOSED ||
	    (req->body_case == CLUBCRM__FRAME__BODY_CREATE_TASK &&
	     !req->create_task))
		return STATUS_INVALID_ARGUMENT;
	/* The caller's message is left as it is: a copy gets the key. */
	Clubcrm__Frame f = *req;
	Clubcrm__CreateTask ct;
	Clubcrm__UpsertCustomer uc;
	protobuf_c_boolean *has_key;
	ProtobufCBinaryData *key_data;
	if (req->body_case == CLUBCRM__FRAME__BODY_CREATE_TASK) {
		ct = *req->create_task;
		f.create_task = &ct;
		has_key = &ct.has_idempotency_key;
		key_data = &ct.idempotency_key;
	} else {
		uc = *req->upsert_customer;
		f.upsert_customer = &uc;
		has_key = &uc.has_idempotency_key;
		key_data = &uc.idempotency_key;
	}
	uint8_t key[CLIENT_IDEMPOTENCY_KEY_LEN];
	if (!*has_key || !key_data->len) {
		unsigned rc = client_idempotency_key(key);
		if (rc != STATUS_OK)
			return rc;
		*has_key = true;
		*key_data = (ProtobufCBinaryData){sizeof(key), key};
	}
	size_t len = clubcrm__frame__get_packed_size(&f);
	uint8_t *tmp = malloc(len ? len : 1);
	struct live_create *cr = calloc(1, sizeof(*cr));
	if (!tmp || !cr) {
		free(tmp);
		free(cr);
		return STATUS_INTERNAL;
	}
	clubcrm__frame__pack(&f, tmp);
	cr->req = clubcrm__frame__unpack(NULL, len, tmp);
	free(tmp);
	if (!cr->req) {
		free(cr);
		return STATUS_INTERNAL;
	}
	cr->live = l;
	cr->cb = cb;
	cr->arg = arg;
	cr->give_up_ms = uv_now(l->loop) + l->create_retry_ms;
	if (l->state == LIVE_READY && l->client) {
		unsigned rc = send_create(l, cr);
		if (rc != STATUS_OK) {
			free_create(cr);
			return rc;
		}
	}
	cr->next = l->creates;
	l->creates = cr;
	return STATUS_OK;
}

void live_set_create_retry_ms(struct live *l, unsigned ms)
{
	l->create_retry_ms = ms;
}

/* ---------------------------------------------------------- connection */

static void attempt(struct live *l);

static void on_backoff(uv_timer_t *t)
{
	attempt(t->data);
}

/* xorshift64*: jitter needs spread, not secrecy. */
static uint32_t builtin_random(void *ud)
{
	uint64_t *x = ud;
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return (uint32_t)((*x * UINT64_C(0x2545F4914F6CDD1D)) >> 32);
}

void live_backoff_init(struct live_backoff *b, live_random_fn random,
		       void *random_ud)
{
	b->bound_ms = LIVE_BACKOFF_FIRST_MS;
	b->seed = uv_hrtime() ^ ((uint64_t)(uintptr_t)b << 16) ^
		  (uint64_t)getpid() << 40;
	if (!b->seed)
		b->seed = 1;
	b->random = random ? random : builtin_random;
	b->random_ud = random ? random_ud : &b->seed;
}

unsigned live_backoff_next(struct live_backoff *b)
{
	unsigned bound = b->bound_ms;
	unsigned half = bound / 2;
	unsigned wait = half + b->random(b->random_ud) % (bound - half + 1);
	b->bound_ms = bound > LIVE_BACKOFF_MAX_MS / 2 ? LIVE_BACKOFF_MAX_MS
						      : bound * 2;
	return wait;
}

void live_backoff_reset(struct live_backoff *b)
{
	b->bound_ms = LIVE_BACKOFF_FIRST_MS;
}

static void forget_subs(struct live *l)
{
	for (struct live_sub *s = l->subs; s; s = s->next) {
		s->active = false;
		s->pending = 0;
		s->barrier = 0;
	}
}

static void schedule_retry(struct live *l, const struct client_status *why)
{
	forget_subs(l);
	expire_creates(l);
	l->retry_delay_ms = live_backoff_next(&l->backoff);
	set_state(l, LIVE_WAITING, why);
	uv_timer_start(&l->timer, on_backoff, l->retry_delay_ms, 0);
}

static void drop_client(struct live *l)
{
	struct client *c = l->client;
	l->client = NULL;
	if (c)
		client_close(c);
}

static void on_ready(struct client *c, const struct client_status *st,
		     void *ud)
{
	struct live *l = ud;
	if (c != l->client)
		return;
	if (st->code == STATUS_UNAUTHENTICATED && l->token_tried) {
		/* Expired or revoked: the password decides. */
		forget_token(l);
		drop_client(l);
		forget_subs(l);
		set_state(l, LIVE_WAITING, st);
		l->retry_delay_ms = 0;
		uv_timer_start(&l->timer, on_backoff, 0, 0);
		return;
	}
	if (st->code == STATUS_UNAUTHENTICATED) {
		drop_client(l);
		set_state(l, LIVE_FAILED, st);
		return;
	}
	if (st->code != STATUS_OK) {
		/* A token that got no LoginOk (a GoAway, a close) is not
		 * tried again: the password cannot loop like that. A failed
		 * connect keeps it, so a restart costs no password hash. */
		if (l->token_tried && client_login_sent(c))
			forget_token(l);
		drop_client(l);
		schedule_retry(l, st);
		return;
	}
	live_backoff_reset(&l->backoff);
	keep_token(l, c);
	set_state(l, LIVE_READY, st);
	/* The READY callback may have subscribed already (it runs first):
	 * those are active; a second Subscribe would be ALREADY_EXISTS. */
	for (struct live_sub *s = l->subs; s && l->state == LIVE_READY;
	     s = s->next)
		if (!s->active)
			send_subscribe(l, s);
	if (l->state == LIVE_READY)
		resend_creates(l);
}

static void on_disconnect(struct client *c, const struct client_status *st,
			  void *ud)
{
	struct live *l = ud;
	if (c != l->client)
		return;
	drop_client(l);
	schedule_retry(l, st);
}

static void on_client_closed(struct client *c, void *ud)
{
	(void)c;
	struct live *l = ud;
	l->clients_open--;
	maybe_free(l);
}

static const struct client_callbacks client_cbs = {
	.on_ready = on_ready,
	.on_push = on_push,
	.on_raw_push = on_raw_push,
	.on_disconnect = on_disconnect,
	.on_closed = on_client_closed,
};

static void attempt(struct live *l)
{
	struct client_status st;
	if (l->state == LIVE_CLOSED)
		return;
	set_state(l, LIVE_CONNECTING, NULL);
	if (l->token && l->token_expires && time(NULL) >= l->token_expires)
		forget_token(l);
	l->token_tried = l->token && l->cfg.login;
	l->cfg.resume_token = l->token_tried ? l->token : NULL;
	l->cfg.resume_token_len = l->token_tried ? l->token_len : 0;
	unsigned rc = client_new(l->loop, &l->cfg, &client_cbs, l, &l->client);
	l->cfg.resume_token = NULL;
	l->cfg.resume_token_len = 0;
	if (rc == STATUS_OK) {
		l->clients_open++;
		rc = client_connect(l->client);
		if (rc == STATUS_OK)
			return;
		drop_client(l);
	}
	client_status_set(&st, STATUS_UNAVAILABLE, "cannot connect: %s",
			  status_name(rc));
	schedule_retry(l, &st);
}

unsigned live_new(uv_loop_t *loop, const struct client_config *cfg,
		  const struct live_callbacks *cbs, void *ud, struct live **out)
{
	if (!cfg->address)
		return STATUS_INVALID_ARGUMENT;
	struct live *l = calloc(1, sizeof(*l));
	if (!l)
		return STATUS_INTERNAL;
	l->loop = loop;
	l->cbs = *cbs;
	l->ud = ud;
	l->cfg = *cfg;
	l->cfg.address = dup_or_null(cfg->address);
	l->cfg.login = dup_or_null(cfg->login);
	l->cfg.password = dup_or_null(cfg->password);
	l->cfg.terminal_name = dup_or_null(cfg->terminal_name);
	/* TLS settings hold for every attempt (each reads the CA again). */
	l->cfg.ca_file = dup_or_null(cfg->ca_file);
	l->cfg.server_name = dup_or_null(cfg->server_name);
	l->cfg.resume_token = NULL;  /* only what this connection is issued */
	l->cfg.resume_token_len = 0;
	if (!l->cfg.address || (cfg->login && !l->cfg.login) ||
	    (cfg->password && !l->cfg.password) ||
	    (cfg->terminal_name && !l->cfg.terminal_name) ||
	    (cfg->ca_file && !l->cfg.ca_file) ||
	    (cfg->server_name && !l->cfg.server_name)) {
		/* Never a connection without the TLS asked for. */
		free_cfg(l);
		free(l);
		return STATUS_INTERNAL;
	}
	live_backoff_init(&l->backoff, NULL, NULL);
	l->create_retry_ms = LIVE_CREATE_RETRY_MS;
	l->state = LIVE_WAITING;
	if (uv_timer_init(loop, &l->timer) < 0) {
		free_cfg(l);
		free(l);
		return STATUS_INTERNAL;
	}
	l->timer.data = l;
	l->timer_open = true;
	if (uv_idle_init(loop, &l->fail_idle) < 0) {
		/* Freed when the timer is closed; nobody to tell. */
		l->state = LIVE_CLOSED;
		l->cbs.on_closed = NULL;
		uv_close((uv_handle_t *)&l->timer, on_handle_closed);
		return STATUS_INTERNAL;
	}
	l->fail_idle.data = l;
	l->idle_open = true;
	*out = l;
	return STATUS_OK;
}

unsigned live_start(struct live *l)
{
	attempt(l);
	return STATUS_OK;
}

void live_set_random(struct live *l, live_random_fn random, void *ud)
{
	live_backoff_init(&l->backoff, random, ud);
}

unsigned live_retry_delay_ms(const struct live *l)
{
	return l->retry_delay_ms;
}

enum live_state live_get_state(const struct live *l)
{
	return l->state;
}

struct client *live_client(struct live *l)
{
	return l->state == LIVE_READY ? l->client : NULL;
}

static void on_fail_idle(uv_idle_t *h)
{
	struct live *l = h->data;
	uv_idle_stop(h);
	struct deferred *d = l->deferred;
	l->deferred = NULL;
	while (d) {
		struct deferred *next = d->next;
		struct client_reply r = {
			.status = STATUS_UNAVAILABLE,
			.message = "not connected to the server (reconnecting)",
		};
		d->cb(NULL, &r, d->arg);
		free(d);
		d = next;
	}
}

unsigned live_request(struct live *l, Clubcrm__Frame *req, client_reply_cb cb,
		      void *arg)
{
	if (is_create(req))
		return live_create(l, req, cb, arg);
	if (l->state == LIVE_READY && l->client)
		return client_request(l->client, req, cb, arg, NULL);
	struct deferred *d = calloc(1, sizeof(*d));
	if (!d)
		return STATUS_INTERNAL;
	d->cb = cb;
	d->arg = arg;
	d->next = l->deferred;
	l->deferred = d;
	uv_idle_start(&l->fail_idle, on_fail_idle);
	return STATUS_OK;
}

void live_close(struct live *l)
{
	if (l->state == LIVE_CLOSED)
		return;
	l->state = LIVE_CLOSED;
	on_fail_idle(&l->fail_idle);
	while (l->creates) {
		struct live_create *cr = l->creates;
		l->creates = cr->next;
		if (cr->rid && l->client)
			client_forget(l->client, cr->rid);
		fail_create(cr, "closed before the answer came");
	}
	while (l->subs)
		live_unsubscribe(l, l->subs);
	/* A session that is up ends with Logout; on_closed waits for it. */
	struct client *c = l->client;
	l->client = NULL;
	client_logout_close(c);
	uv_timer_stop(&l->timer);
	uv_close((uv_handle_t *)&l->timer, on_handle_closed);
	uv_close((uv_handle_t *)&l->fail_idle, on_handle_closed);
}
