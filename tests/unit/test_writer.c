/*
 * The group-commit writer on a real club in a temporary LMDB, driven by a
 * libuv loop without sockets: batching, order, refused ops, the map-full
 * path (grow, then rerun; held while the store is not quiet), and that no
 * reply goes out before its commit is durable (checked at every reply).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "club_env.h"
#include "log.h"
#include "status.h"
#include "frame.h"
#include "owned_frame.h"
#include "store.h"
#include "writer.h"

#define MAX_OPS 4096

/* A club in a temporary LMDB, made once per map size (Argon2id is slow). */
static struct club_env big_club, small_club;

struct fixture {
	struct club_env *env;
	struct store *st;
	struct actor admin;
	uv_loop_t loop;
	struct writer w;
	bool quiet;
	unsigned idle_calls;
	size_t n_done, n_committed, n_committed_batches;
	uint64_t done_ids[MAX_OPS];
	uint64_t done_revs[MAX_OPS];
	bool done_error[MAX_OPS];
	unsigned done_code[MAX_OPS];  /* the Error's code, 0 for a reply */
	uint64_t committed_revs[MAX_OPS];
	size_t n_fan_outs;
	size_t done_at_fan_out;  /* replies handed out before the last one */
	/* At each reply: the store's last commit was after the answered
	 * batch's (a later batch had committed). */
	bool done_after_next_commit[MAX_OPS];
};

/*
 * The disk's answer to LMDB's syncs, for the tests of a failed one: these
 * take the place of libc's (liblmdb calls them through the PLT). When
 * armed with n > 0, the n-th call from then on fails with EIO.
 */
static atomic_int sync_fail_in;

static bool sync_fails_now(void)
{
	int n = atomic_load(&sync_fail_in);
	while (n > 0 && !atomic_compare_exchange_weak(&sync_fail_in, &n, n - 1))
		;
	if (n != 1)
		return false;
	errno = EIO;
	return true;
}

int fdatasync(int fd)
{
	return sync_fails_now() ? -1 : (int)syscall(SYS_fdatasync, fd);
}

int fsync(int fd)
{
	return sync_fails_now() ? -1 : (int)syscall(SYS_fsync, fd);
}

/* The reply comes as a message and as the writer framed it: both agree. */
static void on_done(void *ctx, void *owner, struct service_write_op *op,
		    struct buf *wire)
{
	struct fixture *fx = ctx;
	assert_ptr_equal(owner, fx);
	assert_true(fx->n_done < MAX_OPS);
	assert_non_null(op->reply);
	assert_true(wire->len > FRAME_HEADER_LEN);
	uint32_t len = (uint32_t)wire->data[0] << 24 |
		       (uint32_t)wire->data[1] << 16 |
		       (uint32_t)wire->data[2] << 8 | wire->data[3];
	assert_int_equal(len, wire->len - FRAME_HEADER_LEN);
	Clubcrm__Frame *f = frame_decode(wire->data + FRAME_HEADER_LEN,
					 wire->len - FRAME_HEADER_LEN, NULL);
	assert_non_null(f);
	assert_int_equal(f->request_id, op->reply->request_id);
	assert_int_equal(f->body_case, op->reply->body_case);
	/* Durable before it is answered (the writer's rule), and the
	 * revision the snapshots' SnapshotDone wait for says so. */
	assert_true(store_durable_txn(fx->st) >= fx->w.d_txn);
	assert_true(fx->w.durable_revision >= op->revision);
	fx->done_after_next_commit[fx->n_done] =
		store_committed_txn(fx->st) > fx->w.d_txn;
	fx->done_ids[fx->n_done] = f->request_id;
	fx->done_revs[fx->n_done] = op->revision;
	fx->done_error[fx->n_done] = f->body_case ==
				     CLUBCRM__FRAME__BODY_ERROR;
	fx->done_code[fx->n_done] = fx->done_error[fx->n_done]
					    ? f->error->code : 0;
	fx->n_done++;
	clubcrm__frame__free_unpacked(f, NULL);
}

/* Once per batch, with its ops in order; refused ops carry no changes. */
static void on_committed(void *ctx, const struct service_write_op *ops,
			 size_t n)
{
	struct fixture *fx = ctx;
	assert_true(n > 0);
	fx->n_committed_batches++;
	for (size_t i = 0; i < n; i++) {
		const struct service_write_op *op = &ops[i];
		if (op->revision == 0) {
			assert_null(op->changes);
			continue;
		}
		assert_non_null(op->changes);
		assert_int_equal(op->changes->revision, op->revision);
		if (fx->n_committed)
			assert_true(op->revision >
				    fx->committed_revs[fx->n_committed - 1]);
		fx->committed_revs[fx->n_committed++] = op->revision;
	}
	/* Not answered yet: not yet taken as durable. */
	assert_true(fx->w.durable_revision < ops[n - 1].revision ||
		    ops[n - 1].revision == 0);
	/* The next batch has not started: the store is at this one. */
	assert_int_equal(store_revision(fx->st),
			 fx->committed_revs[fx->n_committed - 1]);
}

/* Once the batch is durable, before its replies. */
static void on_fan_out(void *ctx)
{
	struct fixture *fx = ctx;
	fx->n_fan_outs++;
	fx->done_at_fan_out = fx->n_done;
	assert_true(store_durable_txn(fx->st) >= fx->w.d_txn);
}

static bool is_quiet(void *ctx)
{
	return ((struct fixture *)ctx)->quiet;
}

static void on_idle(void *ctx)
{
	((struct fixture *)ctx)->idle_calls++;
}

/* The writer's clubs: their admin acts at a fixed time. */
static void open_club(struct club_env *env, size_t map_size)
{
	club_env_open(env, "writer", map_size, 1700000000);
}

static int group_setup(void **state)
{
	open_club(&big_club, 64u << 20);
	/* The smallest map the store accepts: full after a few thousand
	 * customers. */
	open_club(&small_club, 1u << 20);
	return 0;
}

static int group_teardown(void **state)
{
	club_env_close(&big_club);
	club_env_close(&small_club);
	return 0;
}

/* A fresh writer and loop on a shared club. */
static int open_fixture(void **state, struct club_env *env)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->env = env;
	fx->st = env->st;
	fx->admin = env->admin;
	assert_int_equal(uv_loop_init(&fx->loop), 0);
	fx->quiet = true;
	struct writer_hooks hooks = {
		.done = on_done,
		.committed = on_committed,
		.fan_out = on_fan_out,
		.store_quiet = is_quiet,
		.idle = on_idle,
		.ctx = fx,
	};
	writer_init(&fx->w, &fx->loop, fx->st, &hooks);
	assert_int_equal(writer_start(&fx->w), 0);
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return open_fixture(state, &big_club);
}

static int setup_small_map(void **state)
{
	return open_fixture(state, &small_club);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	writer_close(&fx->w);
	uv_run(&fx->loop, UV_RUN_DEFAULT);  /* the thread's handle closes */
	writer_fini(&fx->w);
	assert_int_equal(uv_loop_close(&fx->loop), 0);
	free(fx);
	return 0;
}

/* A decoded UpsertCustomer request, as the session hands it over. */
static Clubcrm__Frame *customer_request(uint64_t request_id, const char *name)
{
	Clubcrm__Customer c = CLUBCRM__CUSTOMER__INIT;
	c.name = (char *)name;
	Clubcrm__UpsertCustomer u = CLUBCRM__UPSERT_CUSTOMER__INIT;
	u.customer = &c;
	return owned_request(request_id, CLUBCRM__FRAME__BODY_UPSERT_CUSTOMER,
			     &u);
}

static void submit_customers(struct fixture *fx, uint64_t first, size_t n,
			     size_t name_len)
{
	char name[1024];
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(name, sizeof(name), "Customer %llu ",
				   (unsigned long long)(first + i));
		while ((size_t)len < name_len && (size_t)len + 1 < sizeof(name))
			name[len++] = 'x';
		name[len] = '\0';
		assert_int_equal(writer_submit(&fx->w, fx,
					       customer_request(first + i, name),
					       &fx->admin), 0);
	}
}

static void assert_all_committed_in_order(struct fixture *fx, uint64_t first,
					  size_t n)
{
	assert_int_equal(fx->n_done, n);
	assert_int_equal(fx->n_committed, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(fx->done_ids[i], first + i);
		assert_false(fx->done_error[i]);
		assert_int_equal(fx->done_revs[i], fx->committed_revs[i]);
		if (i > 0)
			assert_true(fx->done_revs[i] > fx->done_revs[i - 1]);
	}
	assert_int_equal(fx->w.revision, fx->done_revs[n - 1]);
	assert_int_equal(store_revision(fx->st), fx->w.revision);
	assert_true(writer_idle(&fx->w));
}

static void test_one_batch_for_everything_queued(void **state)
{
	struct fixture *fx = *state;
	uint64_t rev0 = fx->w.revision;
	submit_customers(fx, 100, 200, 0);
	writer_kick(&fx->w);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->w.batches, 1);
	assert_int_equal(fx->n_committed_batches, 1);  /* one fan-out */
	assert_all_committed_in_order(fx, 100, 200);
	assert_true(fx->done_revs[0] > rev0);
	assert_int_equal(fx->idle_calls, 1);
}

static void test_requests_during_a_batch_form_the_next(void **state)
{
	struct fixture *fx = *state;
	submit_customers(fx, 1, 10, 0);
	writer_kick(&fx->w);
	/* The batch is running: these wait for the next one. */
	submit_customers(fx, 11, 10, 0);
	writer_kick(&fx->w);
	assert_int_equal(fx->w.batches, 1);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->w.batches, 2);
	assert_all_committed_in_order(fx, 1, 20);
}

/* Under load one disk wait per batch: a batch with requests queued behind
 * it is not synced on its own; the next batch's commit makes it durable,
 * and only then are its changes fanned out and its replies sent. The last
 * batch, with nothing behind it, is synced at once. */
static void test_a_batch_is_answered_once_the_next_commits(void **state)
{
	struct fixture *fx = *state;
	uint64_t syncs = store_syncs(fx->st);
	submit_customers(fx, 1, 10, 0);
	writer_kick(&fx->w);
	submit_customers(fx, 11, 10, 0);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->w.batches, 2);
	assert_int_equal(store_syncs(fx->st) - syncs, 1);
	assert_int_equal(fx->n_fan_outs, 2);
	/* The second fan-out came after the first batch's ten replies and
	 * before its own. */
	assert_int_equal(fx->done_at_fan_out, 10);
	for (size_t i = 0; i < 20; i++)
		assert_int_equal(fx->done_after_next_commit[i], i < 10);
	assert_all_committed_in_order(fx, 1, 20);
	assert_int_equal(store_durable_txn(fx->st),
			 store_committed_txn(fx->st));
}

/* When the loop's last fan-out and replies took longer than a sync (many
 * terminals), a batch is synced on its own even with requests behind it,
 * so that its fan-out overlaps the next commit. */
static void test_a_slow_fan_out_keeps_batches_synced(void **state)
{
	struct fixture *fx = *state;
	uint64_t syncs = store_syncs(fx->st);
	atomic_store(&fx->w.answer_ns, UINT64_C(1) << 40);
	fx->w.sync_ns = 1000;
	submit_customers(fx, 1, 10, 0);
	writer_kick(&fx->w);
	submit_customers(fx, 11, 10, 0);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->w.batches, 2);
	assert_int_equal(store_syncs(fx->st) - syncs, 2);
	assert_all_committed_in_order(fx, 1, 20);
}

/* A lone write: synced by the worker before it is answered. */
static void test_a_lone_batch_is_synced(void **state)
{
	struct fixture *fx = *state;
	uint64_t syncs = store_syncs(fx->st);
	submit_customers(fx, 1, 1, 0);
	writer_kick(&fx->w);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(store_syncs(fx->st) - syncs, 1);
	assert_all_committed_in_order(fx, 1, 1);
	assert_false(fx->done_after_next_commit[0]);
	assert_int_equal(store_durable_txn(fx->st),
			 store_committed_txn(fx->st));
}

static void test_batches_are_capped(void **state)
{
	struct fixture *fx = *state;
	submit_customers(fx, 1, WRITER_MAX_BATCH + 10, 0);
	writer_kick(&fx->w);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->w.batches, 2);
	assert_all_committed_in_order(fx, 1, WRITER_MAX_BATCH + 10);
}

static void test_refused_op_leaves_the_others(void **state)
{
	struct fixture *fx = *state;
	submit_customers(fx, 1, 3, 0);
	/* No name: refused, with an Error reply and no revision. */
	assert_int_equal(writer_submit(&fx->w, fx, customer_request(4, ""),
				       &fx->admin), 0);
	submit_customers(fx, 5, 3, 0);
	writer_kick(&fx->w);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->w.batches, 1);
	assert_int_equal(fx->n_done, 7);
	assert_int_equal(fx->n_committed, 6);
	assert_int_equal(fx->n_committed_batches, 1);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(fx->done_ids[i], i + 1);
		assert_int_equal(fx->done_error[i], i == 3);
		assert_int_equal(fx->done_revs[i] == 0, i == 3);
	}
}

/* UpsertOperator: id 0 adds `login` (password set); role 0 and active < 0
 * leave those unchanged. */
static Clubcrm__Frame *operator_request(uint64_t request_id, uint64_t id,
					const char *login, int role,
					int active)
{
	Clubcrm__Operator o = CLUBCRM__OPERATOR__INIT;
	o.has_id = id != 0;
	o.id = id;
	o.login = (char *)login;
	o.name = (char *)login;
	o.has_role = role != 0;
	o.role = (Clubcrm__Role)role;
	o.has_active = active >= 0;
	o.active = active > 0;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &o;
	u.password = id ? NULL : "password1";
	return owned_request(request_id, CLUBCRM__FRAME__BODY_UPSERT_OPERATOR,
			     &u);
}

static Clubcrm__Frame *tag_request(uint64_t request_id, const char *name)
{
	Clubcrm__Tag t = CLUBCRM__TAG__INIT;
	t.name = (char *)name;
	Clubcrm__UpsertTag u = CLUBCRM__UPSERT_TAG__INIT;
	u.tag = &t;
	return owned_request(request_id, CLUBCRM__FRAME__BODY_UPSERT_TAG, &u);
}

static void submit(struct fixture *fx, Clubcrm__Frame *req,
		   const struct actor *who)
{
	assert_int_equal(writer_submit(&fx->w, fx, req, who), 0);
}

/* The stored record of `login`, read as a client would (*keep holds it). */
static Clubcrm__Operator *stored_operator(struct fixture *fx,
					  const char *login,
					  Clubcrm__Frame **keep)
{
	Clubcrm__GetCatalog gc = CLUBCRM__GET_CATALOG__INIT;
	gc.has_include_inactive = gc.include_inactive = true;
	Clubcrm__Frame req = CLUBCRM__FRAME__INIT;
	req.has_request_id = true;
	req.request_id = 1;
	req.body_case = CLUBCRM__FRAME__BODY_GET_CATALOG;
	req.get_catalog = &gc;
	struct arena a;
	arena_init(&a);
	Clubcrm__Frame *r;
	assert_int_equal(service_read(fx->st, &fx->admin, &req, &a, &r), 0);
	*keep = owned_frame(r);  /* out of the arena */
	arena_free(&a);
	assert_int_equal((*keep)->body_case, CLUBCRM__FRAME__BODY_CATALOG);
	for (size_t i = 0; i < (*keep)->catalog->n_operators; i++)
		if (strcmp((*keep)->catalog->operators[i]->login, login) == 0)
			return (*keep)->catalog->operators[i];
	fail_msg("operator %s not in the catalogue", login);
	return NULL;
}

/*
 * Rights are read inside the write transaction: ops queued with the role
 * their session had are refused once a revocation committed before them,
 * whether earlier in the same batch or in an earlier batch that was still
 * running when they were queued.
 */
static void test_revocation_wins_over_queued_rights(void **state)
{
	struct fixture *fx = *state;
	const int admin = CLUBCRM__ROLE__ROLE_ADMIN;
	const int oper = CLUBCRM__ROLE__ROLE_OPERATOR;
	submit(fx, operator_request(1, 0, "zoe", admin, 1), &fx->admin);
	writer_kick(&fx->w);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->n_done, 1);
	assert_false(fx->done_error[0]);
	Clubcrm__Frame *keep = NULL;
	struct actor zoe = fx->admin;  /* her session: admin at login */
	zoe.operator_id = stored_operator(fx, "zoe", &keep)->id;
	clubcrm__frame__free_unpacked(keep, NULL);
	fx->n_done = 0;

	/* One batch: Bob demotes her between her own ops. */
	submit(fx, customer_request(2, "Zoe's first"), &zoe);
	submit(fx, operator_request(3, zoe.operator_id, NULL, oper, -1),
	       &fx->admin);
	submit(fx, operator_request(4, zoe.operator_id, NULL, admin, 1), &zoe);
	submit(fx, tag_request(5, "zoe's tag"), &zoe);
	submit(fx, customer_request(6, "Zoe's second"), &zoe);  /* any operator */
	submit(fx, operator_request(7, zoe.operator_id, NULL, 0, 0),
	       &fx->admin);
	writer_kick(&fx->w);
	/* Queued while that batch runs, still with her admin session. */
	submit(fx, customer_request(8, "Zoe's third"), &zoe);
	submit(fx, operator_request(9, zoe.operator_id, NULL, admin, 1), &zoe);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->w.batches, 3);

	static const unsigned want[] = {
		0, 0, STATUS_PERMISSION_DENIED, STATUS_PERMISSION_DENIED, 0, 0,
		STATUS_PERMISSION_DENIED, STATUS_PERMISSION_DENIED,
	};
	assert_int_equal(fx->n_done, 8);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(fx->done_ids[i], i + 2);
		assert_int_equal(fx->done_code[i], want[i]);
		assert_int_equal(fx->done_revs[i] == 0, want[i] != 0);
	}
	Clubcrm__Operator *o = stored_operator(fx, "zoe", &keep);
	assert_int_equal(o->role, oper);
	assert_false(o->active);
	assert_int_equal(o->mod_rev, fx->done_revs[5]);  /* the deactivation */
	clubcrm__frame__free_unpacked(keep, NULL);
}

/* Customers with names of the longest size allowed, a round at a time. */
#define BIG_NAME 95
#define ROUND 1000
#define MAX_ROUNDS 4

static void test_map_full_grows_and_reruns(void **state)
{
	struct fixture *fx = *state;
	size_t sent = 0;
	/* Each round adds ~0.4 MB of rows, indexes and change log to a map
	 * of 1 MiB (or what an earlier test grew it to). */
	while (fx->w.grows_total == 0 && sent < MAX_ROUNDS * ROUND) {
		submit_customers(fx, 1 + sent, ROUND, BIG_NAME);
		sent += ROUND;
		writer_kick(&fx->w);
		uv_run(&fx->loop, UV_RUN_DEFAULT);
	}
	assert_true(fx->w.grows_total >= 1);
	assert_all_committed_in_order(fx, 1, sent);
}

static void test_grow_waits_for_a_quiet_store(void **state)
{
	struct fixture *fx = *state;
	fx->quiet = false;  /* as if a login were reading on the thread pool */
	size_t sent = 0;
	while (!fx->w.grow_wanted && sent < MAX_ROUNDS * ROUND) {
		submit_customers(fx, 1 + sent, ROUND, BIG_NAME);
		sent += ROUND;
		writer_kick(&fx->w);
		uv_run(&fx->loop, UV_RUN_DEFAULT);
	}
	/* The loop ran dry: the full batch is held, unanswered. */
	assert_true(fx->w.grow_wanted);
	assert_true(fx->w.busy);
	assert_int_equal(fx->w.grows_total, 0);
	assert_int_equal(fx->n_done, sent - ROUND);
	fx->quiet = true;
	writer_store_quiet(&fx->w);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_false(fx->w.grow_wanted);
	assert_true(fx->w.grows_total >= 1);
	assert_all_committed_in_order(fx, 1, sent);
}

/*
 * A batch is held (requests queued behind it: its commit's pointer to its
 * pages not yet synced) and the next batch's commit fails in its wait for
 * the disk. That failed sync may have been the held batch's own pages
 * failing to reach the disk; Linux then reports the error once and a later
 * sync succeeds over the lost pages. So the held batch must never be
 * answered as durable: the process stops, as on any failed sync. Run in a
 * child, on a club of its own.
 */
static void test_a_failed_commit_behind_a_held_batch_stops(void **state)
{
	(void)state;
	struct club_env own;
	open_club(&own, 64u << 20);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGABRT, SIG_DFL);
		struct rlimit no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core);  /* the abort is expected */
		void *fs = NULL;
		open_fixture(&fs, &own);
		struct fixture *fx = fs;
		/* The first batch's commit waits once (its pages) and, with
		 * ten requests queued behind it, is not synced on its own;
		 * the second batch's commit's wait fails. */
		atomic_store(&sync_fail_in, 2);
		submit_customers(fx, 1, WRITER_MAX_BATCH + 10, 0);
		writer_kick(&fx->w);
		uv_run(&fx->loop, UV_RUN_DEFAULT);
		/* Not stopped: say how far it went. */
		_exit(fx->n_done > 0 ? 3 : 4);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	club_env_close(&own);
	if (WIFEXITED(status))
		fail_msg("the writer went on after a failed commit behind a "
			 "held batch (exit %d: %s)", WEXITSTATUS(status),
			 WEXITSTATUS(status) == 3 ? "replies were sent"
						   : "no reply");
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
	if (getenv("CLUBCRM_TEST_DEBUG"))
		log_set_level(LOG_DEBUG);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_one_batch_for_everything_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_requests_during_a_batch_form_the_next, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_batch_is_answered_once_the_next_commits, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_a_lone_batch_is_synced,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_slow_fan_out_keeps_batches_synced, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_batches_are_capped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_refused_op_leaves_the_others, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_revocation_wins_over_queued_rights, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_grow_waits_for_a_quiet_store, setup_small_map,
			teardown),
		cmocka_unit_test_setup_teardown(test_map_full_grows_and_reruns,
						setup_small_map, teardown),
		cmocka_unit_test(test_a_failed_commit_behind_a_held_batch_stops),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
