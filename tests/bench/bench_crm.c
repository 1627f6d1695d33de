/*
 * clubcrm-bench against clubcrmd: connects the terminals once (logins cost
 * an Argon2id hash each, on purpose), then for each scenario subscribes the
 * first N of them to board + urgent, drives W writers through a warm-up and
 * a measured window, drains, and computes. Afterwards it seeds a big board
 * and times one terminal's snapshot of it.
 *
 * The boards are filtered on creation time (tasks created since the
 * terminal subscribed): every bench write touches such a task, so every
 * write is a delta on every terminal, while a terminal joining later does
 * not pull the earlier scenarios' rows as its snapshot.
 *
 * The mixed run (a scenario again, half of it the raw probe's sockets) is
 * in bench_crm_mixed.c, the seeding and snapshot in bench_crm_seed.c.
 */
#include "bench_crm_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <inttypes.h>
#include <limits.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_probe.h"
#include "client_sync.h"
#include "status.h"
#include "timeutil.h"


/* ------------------------------------------------------------ setup */

/* The last LMDB transaction id: one per write transaction, so the number
 * of group commits between two readings. 0 when it cannot be read. */
static uint64_t lmdb_txnid(const char *dir)
{
	if (!dir)
		return 0;
	MDB_env *env;
	if (mdb_env_create(&env) != 0)
		return 0;
	uint64_t id = 0;
	MDB_envinfo info;
	/* Only the meta pages are read: no lock table needed. */
	if (mdb_env_open(env, dir, MDB_RDONLY | MDB_NOLOCK, 0) == 0 &&
	    mdb_env_info(env, &info) == 0)
		id = info.me_last_txnid;
	mdb_env_close(env);
	return id;
}

static int call(struct client_sync *s, Clubcrm__Frame *req,
		Clubcrm__Frame **reply, Clubcrm__Frame__BodyCase want)
{
	struct client_status st;
	unsigned code = client_sync_call(s, req, reply, &st);
	if (code != STATUS_OK || !*reply || (*reply)->body_case != want) {
		fprintf(stderr, "bench: setup request: %s %s\n",
			status_name(code), st.message);
		if (*reply)
			clubcrm__frame__free_unpacked(*reply, NULL);
		*reply = NULL;
		return -1;
	}
	return 0;
}

static int pick_catalog(struct crm *b, const Clubcrm__Catalog *cat)
{
	for (size_t i = 0; i < cat->n_task_types; i++) {
		const Clubcrm__TaskType *t = cat->task_types[i];
		if (t->has_active && !t->active)
			continue;
		if (t->priority && !b->type_priority)
			b->type_priority = t->id;
		if (!t->priority && !b->type_plain)
			b->type_plain = t->id;
	}
	/* A result that leaves the task open, so follow-ups can repeat. */
	for (size_t i = 0; i < cat->n_results; i++) {
		const Clubcrm__Result *r = cat->results[i];
		if ((r->has_active && !r->active) || r->leads_to)
			continue;
		b->result_open = r->id;
		break;
	}
	if (!b->type_plain || !b->type_priority || !b->result_open) {
		fprintf(stderr, "bench: the club needs a plain and a priority "
				"task type and a result that keeps tasks open "
				"(start clubcrmd with --demo)\n");
		return -1;
	}
	return 0;
}

static int setup(struct crm *b)
{
	struct client_sync_options so = {
		.address = b->o->crm_address, .login = "fermin",
		.password = "demo",
		.kind = CLUBCRM__CLIENT_KIND__CLIENT_KIND_BENCH,
		.terminal_name = "bench-setup"};
	struct client_sync *s;
	struct client_status st;
	if (client_sync_open(&so, &s, &st) != STATUS_OK) {
		fprintf(stderr, "bench: cannot log in to clubcrmd at %s: %s\n",
			b->o->crm_address, st.message);
		return -1;
	}
	int rc = -1;
	Clubcrm__Frame *reply = NULL;
	Clubcrm__GetCatalog gc = CLUBCRM__GET_CATALOG__INIT;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = CLUBCRM__FRAME__BODY_GET_CATALOG;
	f.get_catalog = &gc;
	if (call(s, &f, &reply, CLUBCRM__FRAME__BODY_CATALOG) < 0)
		goto fail;
	if (pick_catalog(b, reply->catalog) < 0)
		goto fail;
	b->last_rev = reply->catalog->revision;
	clubcrm__frame__free_unpacked(reply, NULL);
	reply = NULL;

	Clubcrm__ListCustomers lc = CLUBCRM__LIST_CUSTOMERS__INIT;
	lc.has_page_size = 1;
	lc.page_size = CRM_MAX_CUSTOMERS;
	f.body_case = CLUBCRM__FRAME__BODY_LIST_CUSTOMERS;
	f.list_customers = &lc;
	if (call(s, &f, &reply, CLUBCRM__FRAME__BODY_CUSTOMER_PAGE) < 0)
		goto fail;
	const Clubcrm__CustomerPage *cp = reply->customer_page;
	for (size_t i = 0; i < cp->n_customers && i < CRM_MAX_CUSTOMERS; i++)
		b->customers[b->n_customers++] = cp->customers[i]->id;
	if (b->n_customers == 0) {
		fprintf(stderr, "bench: the club has no customers\n");
		goto fail;
	}
	rc = 0;
fail:
	if (reply)
		clubcrm__frame__free_unpacked(reply, NULL);
	client_sync_close(s);
	return rc;
}

/* ------------------------------------------------------------ waits */

static bool terms_settled(struct crm *b)
{
	return b->t_ready + b->t_down >= b->n_t;
}

static bool writers_settled(struct crm *b)
{
	return b->w_ready + b->w_down >= b->n_w;
}

static bool subs_settled(struct crm *b)
{
	for (unsigned i = 0; i < b->n_t; i++)
		if (b->t[i].pending && !b->t[i].down)
			return false;
	return true;
}

bool crm_writers_idle(struct crm *b)
{
	for (unsigned i = 0; i < b->n_w; i++)
		if (b->w[i].in_flight && !b->w[i].down)
			return false;
	return true;
}

static bool never(struct crm *b)
{
	(void)b;
	return false;
}

static bool all_closed(struct crm *b)
{
	for (unsigned i = 0; i < b->n_t; i++)
		if (b->t[i].c)
			return false;
	for (unsigned i = 0; i < b->n_w; i++)
		if (b->w[i].c)
			return false;
	return true;
}

static unsigned live_subscribed(struct crm *b, unsigned n)
{
	unsigned k = 0;
	for (unsigned i = 0; i < n && i < b->n_t; i++)
		k += b->t[i].subscribed && !b->t[i].down;
	return k;
}

/* Every measured write reached every subscribed terminal. */
static bool delivered(struct crm *b)
{
	for (size_t k = 0; k < b->deliv.max_key; k++) {
		const struct bench_slot *s = &b->deliv.slots[k];
		if (s->sent_ns && s->count < b->deliv_terminals)
			return false;
	}
	return true;
}

void crm_sleep_ms(struct crm *b, unsigned ms)
{
	crm_pump(b, never, ms);
}

/* ------------------------------------------------------------ timers */

static void rss_tick(uv_timer_t *h)
{
	struct crm *b = h->data;
	long kib = b->pid > 0 ? bench_rss_kib(b->pid) : -1;
	if (kib > b->rss_peak)
		b->rss_peak = kib;
	kib = b->pid > 0 ? bench_anon_kib(b->pid) : -1;
	if (kib > b->anon_peak)
		b->anon_peak = kib;
}

static void rate_tick(uv_timer_t *h)
{
	struct crm *b = h->data;
	double el = (double)(bench_now_ns() - b->rate_start_ns) / 1e9;
	double each = el * b->o->rate / b->n_active;
	for (unsigned i = 0; i < b->n_active; i++) {
		struct crm_writer *w = &b->w[i];
		double due = each - (double)(w->issued - w->rate_base);
		if (due >= 1.0)
			crm_writer_fill(w, (unsigned)due);
	}
}

/* ------------------------------------------------------------ scenario */

/* A day of planned times of its own, a month ahead and apart from the
 * earlier ones (and from the demo's tasks). */
void crm_next_window(struct crm *b)
{
	b->window_from = time_now() + 86400 * (30 + 2 * (int64_t)b->windows++);
	b->window_to = b->window_from + 86400;
}

/* Terminals [0, n) subscribed to the new window, the others not. */
static int arrange_subscriptions(struct crm *b, unsigned n)
{
	crm_next_window(b);
	/* The writers start over with tasks of the new window, so every
	 * write is in every subscribed terminal's board. */
	for (unsigned i = 0; i < b->n_w; i++) {
		b->w[i].n_pool = b->w[i].n_live = b->w[i].replace = 0;
	}
	for (unsigned i = 0; i < b->n_t; i++) {
		struct crm_term *t = &b->t[i];
		if (!t->ready || t->down)
			continue;
		if (t->subscribed)
			crm_term_unsubscribe(t);
		if (i < n)
			crm_term_subscribe(t);
	}
	if (!crm_pump(b, subs_settled, SUBSCRIBE_TIMEOUT_MS)) {
		fprintf(stderr, "bench: subscriptions did not settle\n");
		return -1;
	}
	return 0;
}

static void start_writes(struct crm *b)
{
	b->rate_start_ns = bench_now_ns();
	for (unsigned i = 0; i < b->n_active; i++) {
		b->w[i].rate_base = b->w[i].issued;
		if (!b->o->rate)
			crm_writer_fill(&b->w[i], UINT32_MAX);
	}
	if (b->o->rate)
		uv_timer_start(&b->rate_timer, rate_tick, 1, 1);
}

void bench_fill_delivery(struct bench_result *r, const struct bench_deliv *d,
			 unsigned terminals)
{
	struct bench_samples del = {0};
	if (bench_deliv_summary(d, terminals, &del, &r->partial,
				&r->unseen) < 0)
		snprintf(r->error, sizeof(r->error), "out of memory");
	bench_samples_sort(&del);
	r->del_n = del.n;
	r->del_p50 = bench_samples_pct(&del, 50);
	r->del_p99 = bench_samples_pct(&del, 99);
	r->del_p999 = bench_samples_pct(&del, 99.9);
	r->del_max = bench_samples_pct(&del, 100);
	bench_samples_free(&del);
}

static void fill_result(struct crm *b, struct bench_result *r, uint64_t txns)
{
	r->ran = true;
	r->acked = b->acked;
	r->failed = b->failed;
	r->seconds = (double)(b->t1_ns - b->t0_ns) / 1e9;
	r->wps = r->seconds > 0 ? (double)b->acked / r->seconds : 0;
	bench_samples_sort(&b->acks);
	r->ack_p50 = bench_samples_pct(&b->acks, 50);
	r->ack_p99 = bench_samples_pct(&b->acks, 99);
	bench_fill_delivery(r, &b->deliv, b->deliv_terminals);
	r->rss_load_kib = b->rss_peak;
	r->batch_mean = txns ? (double)b->acked / (double)txns : 0;
	if (b->first_error[0])
		snprintf(r->error, sizeof(r->error), "%" PRIu64 " failed, first: %s",
			 b->failed, b->first_error);
}

/* How long the LMDB transaction id must stay the same for the server to
 * count as settled, and how long settling may take at most. */
#define SETTLE_STABLE_MS 600
#define SETTLE_MAX_MS 15000

/*
 * Waits until the server has nothing of the run left to write: clubcrmd
 * acknowledges a write once its journal record is synced and writes it into
 * LMDB at a checkpoint later (about once a second under load, and 200 ms
 * after the last write), so the bytes a write costs are only all counted
 * once that checkpoint has run. Settled: no LMDB commit for
 * SETTLE_STABLE_MS (three idle checkpoint delays).
 */
static void settle(struct crm *b)
{
	uint64_t last = lmdb_txnid(b->o->crm_data);
	unsigned stable = 0;
	for (unsigned waited = 0; waited < SETTLE_MAX_MS &&
				  stable < SETTLE_STABLE_MS;
	     waited += 100) {
		crm_sleep_ms(b, 100);
		uint64_t now = lmdb_txnid(b->o->crm_data);
		stable = now == last ? stable + 100 : 0;
		last = now;
	}
}

/*
 * One scenario: its N terminals the bench's own (`mix` NULL), or (the
 * mixed run) half the bench's and half the raw probe's sockets, the two
 * sets interleaved in the server's fan-out order (crm_connect_interleaved):
 * every write reaches both at the same moments, so what the bench's
 * terminals add is read in one run, not across two a machine's noise
 * apart. The same writers, the same window rules either way.
 */
static int run_scenario(struct crm *b, const struct bench_scenario *sc,
			struct bench_result *r, const struct crm_mix_out *mix)
{
	unsigned own = mix ? crm_own_half(sc->terminals) : sc->terminals;
	unsigned raw = mix ? crm_raw_half(sc->terminals) : 0;
	if (arrange_subscriptions(b, own) < 0)
		return -1;
	if (b->probe &&
	    bench_probe_subscribe(b->probe, raw, b->window_from, b->window_to,
				  SUBSCRIBE_TIMEOUT_MS) < 0 &&
	    mix) {
		snprintf(r->error, sizeof(r->error),
			 "the probe's subscriptions failed");
		return 0;
	}
	b->deliv_terminals = live_subscribed(b, own);
	b->n_active = sc->writers < b->n_w ? sc->writers : b->n_w;
	bench_deliv_reset(&b->deliv);
	b->acks.n = 0;
	b->acked = b->failed = 0;
	memset(b->op_failed, 0, sizeof(b->op_failed));
	b->first_error[0] = '\0';
	b->base_rev = b->last_rev;
	struct crm_mix_clock clock = {0};
	if (mix)
		crm_mix_begin(b, &clock);
	b->t0_ns = b->t1_ns = 0;
	b->phase = CRM_RUN;
	/* The bytes from the first write on (settle()). */
	uint64_t acked0 = b->acked_all;
	bench_bytes_start(r, b->pid, bench_disk_path(b->o));
	/* The terminals on their threads, the writers on this one. */
	bench_shards_start(&b->shards);
	start_writes(b);
	crm_sleep_ms(b, (unsigned)(b->o->warmup_s * 1000));

	uint64_t txn0 = lmdb_txnid(b->o->crm_data);
	b->rss_peak = b->anon_peak = -1;
	uv_timer_start(&b->rss_timer, rss_tick, 0, 100);
	b->t0_ns = bench_now_ns();
	b->measuring = true;
	crm_sleep_ms(b, (unsigned)(b->o->duration_s * 1000));
	b->measuring = false;
	b->t1_ns = bench_now_ns();
	uint64_t txn1 = lmdb_txnid(b->o->crm_data);
	uv_timer_stop(&b->rss_timer);
	uv_timer_stop(&b->rate_timer);

	b->phase = CRM_DRAIN;
	crm_pump(b, crm_writers_idle, DRAIN_TIMEOUT_MS);
	/* Their tables join the run's; late deliveries go there directly. */
	bench_shards_stop(&b->shards, &b->deliv, &b->last_rev);
	crm_pump(b, delivered, DRAIN_TIMEOUT_MS);
	settle(b);
	bench_bytes_end(r, b->pid, bench_disk_path(b->o));
	r->bytes_acked = b->acked_all - acked0;
	fill_result(b, r, txn0 && txn1 > txn0 ? txn1 - txn0 : 0);
	if (mix)
		crm_mix_end(b, r, mix, &clock);
	if (b->o->verbose)
		for (int op = 0; op < BENCH_OP_COUNT; op++)
			if (b->op_failed[op])
				fprintf(stderr, "bench: %s failed %" PRIu64
						" times\n",
					bench_op_name((enum bench_op)op),
					b->op_failed[op]);
	return 0;
}

/* ------------------------------------------------------------ frozen */

/*
 * A real terminal process (`clubcrm watch board`) that stops reading: it is
 * SIGSTOPped while the first scenario runs again. The server must keep its
 * memory bounded (the per-connection output cap), drop it, and keep the
 * other terminals' latency where it was.
 */
static pid_t spawn_watch(const struct bench_opts *o)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	setenv("CLUBCRM_SERVER", o->crm_address, 1);
	setenv("CLUBCRM_USER", "deborah", 1);
	setenv("CLUBCRM_PASSWORD", "demo", 1);
	execl(o->freeze_cli, "clubcrm", "watch", "board", (char *)NULL);
	_exit(127);
}

#define FROZEN_POLL_MS 200

static void write_until_dropped(struct crm *b, pid_t child, uint64_t stop_ns,
				struct bench_system *out)
{
	b->phase = CRM_RUN;
	start_writes(b);
	uv_timer_start(&b->rss_timer, rss_tick, 0, 100);
	while (bench_pid_established(child) &&
	       bench_now_ns() - stop_ns < BENCH_FROZEN_MAX_S * 1000000000ull)
		crm_sleep_ms(b, FROZEN_POLL_MS);
	uv_timer_stop(&b->rss_timer);
	uv_timer_stop(&b->rate_timer);
	b->phase = CRM_DRAIN;
	crm_pump(b, crm_writers_idle, DRAIN_TIMEOUT_MS);
	crm_pump(b, delivered, DRAIN_TIMEOUT_MS);
	if (!bench_pid_established(child))
		out->frozen_drop_s = (double)(bench_now_ns() - stop_ns) / 1e9;
}

static int run_frozen(struct crm *b, struct bench_system *out)
{
	pid_t child = spawn_watch(b->o);
	if (child < 0)
		return -1;
	crm_sleep_ms(b, 3000); /* login (Argon2id) and the board's snapshot */
	out->frozen_anon_stop_kib = b->pid > 0 ? bench_anon_kib(b->pid) : -1;
	kill(child, SIGSTOP);
	uint64_t stop_ns = bench_now_ns();
	int rc = run_scenario(b, &b->o->sc[0], &out->frozen, NULL);
	if (!bench_pid_established(child))
		out->frozen_drop_s = (double)(bench_now_ns() - stop_ns) / 1e9;
	else if (rc == 0)
		write_until_dropped(b, child, stop_ns, out);
	out->frozen_gone = out->frozen_drop_s > 0;
	out->frozen_anon_peak_kib = b->anon_peak;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return rc;
}

/* ------------------------------------------------------------ the run */

/* The probe's logins block: they run on a thread of their own while the
 * loop keeps the bench's terminals alive (heartbeats). */
struct probe_opening {
	struct crm *b;
	unsigned n, threads;
	struct bench_probe *p;
	int rc;
	atomic_bool done;
	char err[160];
};

static void *probe_opener(void *arg)
{
	struct probe_opening *po = arg;
	po->rc = bench_probe_open(po->b->o->crm_address, po->n, po->threads,
				  po->b->o->login_parallel, &po->p,
				  po->err, sizeof(po->err));
	atomic_store(&po->done, true);
	return NULL;
}

static struct probe_opening *opening;
static bool probe_opened(struct crm *b)
{
	(void)b;
	return atomic_load(&opening->done);
}

static int open_probe(struct crm *b, unsigned n, unsigned threads,
		      struct bench_probe **out)
{
	struct probe_opening po = {.b = b, .n = n, .threads = threads,
				   .rc = -1};
	pthread_t th;
	if (pthread_create(&th, NULL, probe_opener, &po) != 0)
		return -1;
	opening = &po;
	while (!crm_pump(b, probe_opened, 1000))
		;
	pthread_join(th, NULL);
	opening = NULL;
	if (po.rc < 0)
		fprintf(stderr, "bench: %s\n",
			po.err[0] ? po.err : "probe: out of memory");
	*out = po.p;
	return po.rc;
}

/* The probe's sockets subscribed and still connected. */
static unsigned probe_live(struct bench_probe *p)
{
	struct bench_deliv none = {0};
	unsigned n = bench_probe_collect(p, &none);
	bench_deliv_free(&none);
	return n;
}

/*
 * The server's memory per idle subscribed connection at o->idle_probe
 * connections more (thousands: the raw probe's sockets, logged in by
 * resume token), beside the run's idle terminals.
 */
static int measure_idle(struct crm *b, struct bench_system *out)
{
	out->probe_rss_base_kib = bench_rss_kib(b->pid);
	struct bench_probe *idle;
	if (open_probe(b, b->o->idle_probe, 1, &idle) < 0)
		return -1;
	crm_next_window(b);
	int rc = bench_probe_subscribe(idle, b->o->idle_probe,
				       b->window_from, b->window_to,
				       SUBSCRIBE_TIMEOUT_MS);
	crm_sleep_ms(b, 500);
	out->probe_rss_idle_kib = bench_rss_kib(b->pid);
	out->probe_idle_conns = probe_live(idle);
	bench_probe_close(idle);
	/* Their sessions go before the run's terminals come. */
	crm_sleep_ms(b, 1000);
	return rc;
}

static int connect_all(struct crm *b, struct bench_system *out)
{
	unsigned max_t = 0, max_w = 0;
	for (unsigned i = 0; i < b->o->n_sc; i++) {
		if (b->o->sc[i].terminals > max_t)
			max_t = b->o->sc[i].terminals;
		if (b->o->sc[i].writers > max_w)
			max_w = b->o->sc[i].writers;
	}
	out->rss_base_kib = b->pid > 0 ? bench_rss_kib(b->pid) : -1;
	/* The mixed runs' sockets (--probe): as many as the largest
	 * scenario's half. */
	unsigned n_raw = b->o->probe_threads ? crm_raw_half(max_t) : 0;
	if (n_raw) {
		if (crm_connect_interleaved(b, max_t, n_raw) < 0)
			return -1;
	} else if (crm_terms_connect(b, max_t) < 0) {
		return -1;
	}
	/* Each login costs an Argon2id hash on the server, on purpose:
	 * thousands take minutes on two cores. */
	crm_pump(b, terms_settled, CONNECT_TIMEOUT_MS + 60u * max_t);
	if (b->t_ready < max_t) {
		fprintf(stderr, "bench: %u of %u terminals logged in\n",
			b->t_ready, max_t);
		if (b->t_ready == 0)
			return -1;
	}
	if (arrange_subscriptions(b, max_t) < 0)
		return -1;
	/* The probe's sockets are connected too: subscribed alike, they
	 * count among the idle terminals of the memory figure. */
	if (n_raw && bench_probe_subscribe(b->probe, n_raw, b->window_from,
					   b->window_to,
					   SUBSCRIBE_TIMEOUT_MS) < 0) {
		fprintf(stderr, "bench: the probe's subscriptions failed\n");
		return -1;
	}
	crm_sleep_ms(b, 500);
	out->rss_idle_kib = b->pid > 0 ? bench_rss_kib(b->pid) : -1;
	out->idle_raw_conns = n_raw ? probe_live(b->probe) : 0;
	out->idle_conns = live_subscribed(b, max_t) + out->idle_raw_conns;
	/* After the figure above: the heap the probe's connections leave
	 * behind would be reused by the terminals and hide their cost. */
	if (b->o->idle_probe && b->pid > 0 && measure_idle(b, out) < 0)
		fprintf(stderr, "bench: the idle connections' memory was not "
				"measured\n");
	if (crm_writers_connect(b, max_w) < 0)
		return -1;
	if (!crm_pump(b, writers_settled, CONNECT_TIMEOUT_MS) ||
	    b->w_ready < max_w) {
		fprintf(stderr, "bench: %u of %u writers logged in\n",
			b->w_ready, max_w);
		return -1;
	}
	return 0;
}

static void teardown(struct crm *b)
{
	uv_timer_stop(&b->rate_timer);
	uv_timer_stop(&b->rss_timer);
	bench_probe_close(b->probe);
	b->probe = NULL;
	b->phase = CRM_IDLE;
	bench_shards_stop(&b->shards, &b->deliv, &b->last_rev);
	crm_terms_close(b);
	crm_writers_close(b);
	crm_pump(b, all_closed, 5000);
	bench_shards_close(&b->shards);
	uv_close((uv_handle_t *)&b->rate_timer, NULL);
	uv_close((uv_handle_t *)&b->rss_timer, NULL);
	uv_run(&b->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&b->loop) != 0)
		fprintf(stderr, "bench: handles left open on the loop\n");
	bench_deliv_free(&b->deliv);
	bench_samples_free(&b->acks);
	free(b->t);
	free(b->w);
	free(b);
}

int bench_crm_run(const struct bench_opts *o, struct bench_system *out)
{
	out->name = "clubcrmd";
	struct crm *b = calloc(1, sizeof(*b));
	if (!b || uv_loop_init(&b->loop) != 0) {
		free(b);
		return -1;
	}
	b->o = o;
	b->t_allowed = UINT_MAX;
	uv_timer_init(&b->loop, &b->rate_timer);
	uv_timer_init(&b->loop, &b->rss_timer);
	b->rate_timer.data = b->rss_timer.data = b;
	if (bench_shards_init(&b->shards, o->term_threads) < 0) {
		fprintf(stderr, "bench: the terminals' loops failed\n");
		uv_close((uv_handle_t *)&b->rate_timer, NULL);
		uv_close((uv_handle_t *)&b->rss_timer, NULL);
		uv_run(&b->loop, UV_RUN_DEFAULT);
		uv_loop_close(&b->loop);
		free(b);
		return -1;
	}
	b->pid = o->crm_pid ? o->crm_pid
			    : bench_pid_of_port(bench_port_of(o->crm_address));
	if (b->pid <= 0)
		fprintf(stderr, "bench: clubcrmd's pid not found: no memory "
				"figures (give --crm-pid)\n");
	int rc = -1;
	if (setup(b) < 0)
		goto fail;
	if (connect_all(b, out) < 0)
		goto fail;
	for (unsigned i = 0; i < o->n_sc; i++) {
		if (o->verbose)
			fprintf(stderr, "bench: clubcrmd N=%u W=%u\n",
				o->sc[i].terminals, o->sc[i].writers);
		if (run_scenario(b, &o->sc[i], &out->r[i], NULL) < 0)
			goto fail;
		struct crm_mix_out mix = {
			.raw = &out->probe[i], .all = &out->mixed_all[i],
			.pair_p50 = &out->pair_p50[i],
			.pair_p99 = &out->pair_p99[i],
			.pair_n = &out->pair_n[i], .cpu = &out->mix_cpu[i]};
		if (b->probe &&
		    run_scenario(b, &o->sc[i], &out->mixed[i], &mix) < 0)
			goto fail;
	}
	if (b->probe) {
		bench_probe_close(b->probe);
		b->probe = NULL;
	}
	if (o->freeze_cli && run_frozen(b, out) < 0)
		fprintf(stderr, "bench: the frozen-terminal run failed\n");
	if ((o->seed || o->snapshot) && crm_seed_and_snapshot(b, out) < 0)
		fprintf(stderr, "bench: the snapshot test failed\n");
	rc = 0;
fail:
	teardown(b);
	return rc;
}
