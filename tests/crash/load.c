#include "load.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "client.h"
#include "prng.h"
#include "status.h"

/* The demo operators: idempotency keys are kept per operator, so client i
 * always logs in as logins[i % 5] and retries only its own keys. */
static const char *const logins[] = {
	"alicia", "valentina", "fermin", "deborah", "maribel",
};
#define N_LOGINS (sizeof(logins) / sizeof(logins[0]))

/* A server that takes longer than this to be ready or to go is a failure. */
#define GUARD_MS 20000u

struct round;

struct loader {
	struct round *rd;
	unsigned idx;
	struct client *c;
	unsigned inflight;
	bool ready, closing;
};

struct round {
	uv_loop_t loop;
	uv_timer_t kill_timer, guard_timer;
	struct ledger *l;
	const struct load_config *cfg;
	uint64_t *rng;
	struct load_stats *st;
	struct loader ld[LOAD_CLIENTS_MAX];
	unsigned ready, closed;
	bool killed;
};

/* A request's callback argument: the ledger index, and whether it is a
 * replay of an acknowledged key (whose entry must not change). */
static void *req_arg(size_t index, bool replay)
{
	return (void *)(uintptr_t)((index << 1) | (replay ? 1u : 0u));
}

static void close_timers(struct round *rd)
{
	uv_close((uv_handle_t *)&rd->kill_timer, NULL);
	uv_close((uv_handle_t *)&rd->guard_timer, NULL);
}

static void close_loader(struct loader *ld)
{
	if (ld->closing)
		return;
	ld->closing = true;
	if (ld->c) {
		client_close(ld->c);
		return;
	}
	/* Never created: counts as closed at once. */
	if (++ld->rd->closed == ld->rd->cfg->clients)
		close_timers(ld->rd);
}

static void close_all(struct round *rd)
{
	for (unsigned i = 0; i < rd->cfg->clients; i++)
		close_loader(&rd->ld[i]);
}

static void on_reply(struct client *c, struct client_reply *r, void *arg);

static int send_create(struct loader *ld, size_t index, bool replay)
{
	struct round *rd = ld->rd;
	char key[LEDGER_KEY_MAX];
	size_t klen = ledger_key(rd->l, index, key);
	char desc[96];
	snprintf(desc, sizeof(desc), "crash test write %s", key);

	Clubcrm__CreateTask ct = CLUBCRM__CREATE_TASK__INIT;
	ct.has_kind = true;
	ct.kind = CLUBCRM__TASK_KIND__TASK_KIND_TASK;
	ct.description = desc;
	ct.has_type_id = true;
	ct.type_id = rd->cfg->type_id;
	/* A fixed future day (2032), spread over minutes: deterministic. */
	ct.has_planned_at = true;
	ct.planned_at = INT64_C(1962694800) + (int64_t)(index % 600) * 60;
	ct.has_customer_id = true;
	ct.customer_id = rd->cfg->customer_id;
	ct.has_idempotency_key = true;
	ct.idempotency_key.data = (uint8_t *)key;
	ct.idempotency_key.len = klen;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_CREATE_TASK;
	f.create_task = &ct;
	/* The library answers status codes (client.h); here -EIO. */
	int ret = client_request(ld->c, &f, on_reply, req_arg(index, replay),
				 NULL) == STATUS_OK ? 0 : -EIO;
	if (ret == 0)
		ld->inflight++;
	return ret;
}

/* Keeps cfg->inflight creates going until the kill. */
static void pump(struct loader *ld)
{
	struct round *rd = ld->rd;
	if (rd->cfg->kill_after_ms == 0) {
		/* Settling round: nothing new, close once all is answered. */
		if (ld->inflight == 0)
			close_loader(ld);
		return;
	}
	/* A refusal is a failure of the run: stop rather than flood. */
	while (!rd->killed && !ld->closing && !rd->st->refused &&
	       ld->inflight < rd->cfg->inflight) {
		size_t index;
		if (ledger_add(rd->l, ld->idx, &index) < 0) {
			rd->st->failures++;
			return;
		}
		if (send_create(ld, index, false) < 0) {
			/* Never sent: nothing can have been written. */
			rd->l->n--;
			return;
		}
	}
}

/* The TaskReply's task id and revision, or false. */
static bool reply_ids(const Clubcrm__Frame *f, uint64_t *id, uint64_t *rev)
{
	if (!f || f->body_case != CLUBCRM__FRAME__BODY_TASK_REPLY ||
	    !f->task_reply->row || !f->task_reply->row->task ||
	    !f->task_reply->has_revision)
		return false;
	*id = f->task_reply->row->task->id;
	*rev = f->task_reply->revision;
	return *id != 0 && *rev != 0;
}

static void take_ok(struct round *rd, size_t index, bool replay,
		    const Clubcrm__Frame *f)
{
	struct ledger_write *w = &rd->l->w[index];
	uint64_t id = 0, rev = 0;
	bool ok = reply_ids(f, &id, &rev);
	if (replay) {
		if (ok && id == w->id && rev == w->revision) {
			rd->st->replayed++;
			return;
		}
		fprintf(stderr, "crash: replayed key %zu answered task %llu "
			"at revision %llu, first answer was task %llu at "
			"revision %llu\n", index, (unsigned long long)id,
			(unsigned long long)rev, (unsigned long long)w->id,
			(unsigned long long)w->revision);
		rd->st->mismatches++;
		return;
	}
	if (!ok) {
		fprintf(stderr, "crash: create %zu: OK without a task reply\n",
			index);
		w->state = LEDGER_REFUSED;
		rd->st->refused++;
		return;
	}
	if (w->state == LEDGER_UNKNOWN) {
		rd->st->retried++;
		rd->st->recovered += rev <= rd->cfg->revision;
	} else {
		rd->st->acked++;
	}
	w->id = id;
	w->revision = rev;
	w->state = LEDGER_ACKED;
}

static void on_reply(struct client *c, struct client_reply *r, void *arg)
{
	struct loader *ld = client_userdata(c);
	struct round *rd = ld->rd;
	size_t index = (uintptr_t)arg >> 1;
	bool replay = (uintptr_t)arg & 1u;
	ld->inflight--;
	if (r->status == STATUS_OK) {
		take_ok(rd, index, replay, r->frame);
	} else if (r->status == STATUS_UNAVAILABLE) {
		/* Cut by the kill: it may or may not be written. */
		if (!replay && rd->l->w[index].state != LEDGER_ACKED)
			rd->l->w[index].state = LEDGER_UNKNOWN;
	} else {
		fprintf(stderr, "crash: create %zu refused: %s: %s\n", index,
			status_name(r->status), r->message ? r->message : "");
		if (replay)
			rd->st->mismatches++;
		else
			rd->l->w[index].state = LEDGER_REFUSED;
		rd->st->refused++;
	}
	pump(ld);
}

static void on_kill(uv_timer_t *t)
{
	struct round *rd = t->data;
	rd->killed = true;
	if (rd->cfg->pid > 0)
		kill(rd->cfg->pid, SIGKILL);
}

/* The unknown outcomes of this client, then a few acknowledged keys. */
static void send_retries(struct loader *ld)
{
	struct round *rd = ld->rd;
	struct ledger *l = rd->l;
	for (size_t i = 0; i < l->n; i++)
		if (l->w[i].client == ld->idx &&
		    l->w[i].state == LEDGER_UNKNOWN && send_create(ld, i, false))
			rd->st->failures++;
	unsigned sent = 0;
	for (unsigned tries = 0; l->n && sent < rd->cfg->replays &&
	     tries < 64; tries++) {
		size_t i = (size_t)prng_range(rd->rng, 0, l->n - 1);
		if (l->w[i].client != ld->idx || l->w[i].state != LEDGER_ACKED)
			continue;
		if (send_create(ld, i, true) == 0)
			sent++;
	}
}

static void on_ready(struct client *c, const struct client_status *st,
		     void *ud)
{
	struct loader *ld = ud;
	struct round *rd = ld->rd;
	(void)c;
	if (st->code != STATUS_OK) {
		fprintf(stderr, "crash: client %u (%s) not ready: %s: %s\n",
			ld->idx, logins[ld->idx % N_LOGINS],
			status_name(st->code), st->message);
		rd->st->failures++;
		close_all(rd);
		return;
	}
	ld->ready = true;
	send_retries(ld);
	pump(ld);
	if (++rd->ready == rd->cfg->clients && rd->cfg->kill_after_ms)
		uv_timer_start(&rd->kill_timer, on_kill,
			       rd->cfg->kill_after_ms, 0);
}

static void on_disconnect(struct client *c, const struct client_status *st,
			  void *ud)
{
	struct loader *ld = ud;
	(void)c;
	if (!ld->rd->killed && !ld->closing) {
		fprintf(stderr, "crash: client %u lost its connection before "
			"the kill: %s\n", ld->idx, st->message);
		ld->rd->st->failures++;
	}
	close_loader(ld);
}

static void on_closed(struct client *c, void *ud)
{
	struct loader *ld = ud;
	struct round *rd = ld->rd;
	(void)c;
	if (++rd->closed == rd->cfg->clients)
		close_timers(rd);
}

static void on_guard(uv_timer_t *t)
{
	struct round *rd = t->data;
	fprintf(stderr, "crash: round still running after %u ms; closing\n",
		GUARD_MS);
	rd->st->failures++;
	on_kill(&rd->kill_timer);
	close_all(rd);
}

static int start_clients(struct round *rd)
{
	static const struct client_callbacks cbs = {
		.on_ready = on_ready,
		.on_disconnect = on_disconnect,
		.on_closed = on_closed,
	};
	for (unsigned i = 0; i < rd->cfg->clients; i++) {
		struct loader *ld = &rd->ld[i];
		ld->rd = rd;
		ld->idx = i;
		struct client_config cc = {
			.address = rd->cfg->address,
			.login = logins[i % N_LOGINS],
			.password = "demo",
			.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_TEST,
			.terminal_name = "crash-test",
		};
		unsigned code = client_new(&rd->loop, &cc, &cbs, ld, &ld->c);
		if (code == STATUS_OK)
			code = client_connect(ld->c);
		if (code != STATUS_OK) {
			/* Each client closes through the loop (or at once when
			 * it was never created), the timers after the last. */
			for (unsigned j = i + 1; j < rd->cfg->clients; j++)
				rd->ld[j].rd = rd;
			close_all(rd);
			return -EIO;
		}
	}
	return 0;
}

int load_round(struct ledger *l, const struct load_config *cfg,
	       uint64_t *rng, struct load_stats *out)
{
	if (cfg->clients == 0 || cfg->clients > LOAD_CLIENTS_MAX)
		return -EINVAL;
	struct round *rd = calloc(1, sizeof(*rd));
	if (!rd)
		return -ENOMEM;
	rd->l = l;
	rd->cfg = cfg;
	rd->rng = rng;
	rd->st = out;
	int ret = uv_loop_init(&rd->loop);
	if (ret < 0)
		goto fail;
	uv_timer_init(&rd->loop, &rd->kill_timer);
	uv_timer_init(&rd->loop, &rd->guard_timer);
	rd->kill_timer.data = rd;
	rd->guard_timer.data = rd;
	uv_timer_start(&rd->guard_timer, on_guard, GUARD_MS, 0);
	ret = start_clients(rd);
	uv_run(&rd->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&rd->loop) != 0) {
		fprintf(stderr, "crash: handles left open after a round\n");
		ret = ret ? ret : -EBUSY;
	}
	out->unknown = ledger_count(l, LEDGER_UNKNOWN);
fail:
	free(rd);
	return ret;
}
