#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "migrate.h"
#include "store_err.h"
#include "txn.h"
#include "store_lmdb.h"

/* Version of the record layout in this file's databases. Bump it with a
 * migration step in migrate.c when stored records or keys change meaning. */
#define STORE_SCHEMA_VERSION 4u
#define STORE_MIN_MAP (1u << 20)

static const char *const db_names[DB_COUNT] = {
	[DB_META] = "meta",
	[DB_TASKS] = "tasks",
	[DB_CUSTOMERS] = "customers",
	[DB_OPERATORS] = "operators",
	[DB_CREDENTIALS] = "credentials",
	[DB_TEAMS] = "teams",
	[DB_TASK_TYPES] = "task_types",
	[DB_RESULTS] = "results",
	[DB_TAGS] = "tags",
	[DB_SETTINGS] = "settings",
	[DB_CHANGES] = "changes",
	[DB_IDEMPOTENCY] = "idempotency",
	[DB_BY_PLANNED] = "by_planned",
	[DB_BY_CREATED] = "by_created",
	[DB_BY_CUSTOMER] = "by_customer",
	[DB_BY_OPERATOR_PLANNED] = "by_operator_planned",
	[DB_BY_LOGIN] = "by_login",
	[DB_BY_CUSTOMER_NAME] = "by_customer_name",
	[DB_RESUME_TOKENS] = "resume_tokens",
	[DB_FEEDS] = "feeds",
};

static int open_dbs(struct store *st)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return lmdb_error(rc);
	for (int i = 0; i < DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &st->dbi[i]);
		if (rc) {
			mdb_txn_abort(txn);
			return lmdb_error(rc);
		}
	}
	rc = mdb_txn_commit(txn);
	if (rc)
		return lmdb_error(rc);
	store_note_commit(st);
	return store_sync(st);
}

static void put_schema(struct txn *t)
{
	uint8_t b[4] = {0, 0, 0, STORE_SCHEMA_VERSION};
	txn_put(t, DB_META, "schema", 6, b, sizeof(b));
}

/* The schema version stored in meta: 0 and *ver, -ENOENT (none yet), or
 * -EIO (not 4 bytes). */
static int read_schema(struct txn *t, uint32_t *ver)
{
	struct txn_val v;
	int rc = txn_get(t, DB_META, "schema", 6, &v);
	if (rc)
		return rc;
	if (v.len != 4)
		return -EIO;
	const uint8_t *p = v.data;
	*ver = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
	return 0;
}

/* A newer schema was written by a newer clubcrm whose records we might
 * misread: refused, whoever opens. */
static int refuse_newer(uint32_t ver)
{
	fprintf(stderr,
		"clubcrm: the data was written by a newer clubcrm "
		"(schema %u, this build reads up to %u); refusing to "
		"open it\n",
		ver, STORE_SCHEMA_VERSION);
	return -EPROTONOSUPPORT;
}

/*
 * Checks the schema version: a new environment gets ours; an older one is
 * migrated step by step in one transaction; a newer one is refused.
 */
static int check_schema(struct store *st)
{
	struct txn t;
	txn_begin(&t, st, NULL, true);
	uint32_t ver = 0;
	int rc = read_schema(&t, &ver);
	if (rc == -ENOENT) {
		put_schema(&t);
		return txn_commit(&t);
	}
	if (rc) {
		txn_abort(&t);
		return rc;
	}
	if (ver < STORE_SCHEMA_VERSION) {
		migrate_schema(&t, ver);
		put_schema(&t);
		return txn_commit(&t);
	}
	txn_abort(&t);
	return ver > STORE_SCHEMA_VERSION ? refuse_newer(ver) : 0;
}

/* How many times a migration may double the map before giving up. */
#define STORE_MIGRATE_GROWS 8

/*
 * A migration rewrites much of the store in one transaction (3 -> 4 every
 * change set with a task) and the pages it replaces are free only after
 * its commit: a map that holds the data may not hold both. Then the map
 * grows (no transaction is open here) and the migration runs again.
 */
static int open_schema(struct store *st)
{
	for (int grown = 0;; grown++) {
		int rc = check_schema(st);
		if (rc != -ENOSPC || grown == STORE_MIGRATE_GROWS ||
		    store_grow(st))
			return rc;
	}
}

static int env_open(struct store *st, const char *dir)
{
	int rc = mdb_env_create(&st->env);
	if (rc)
		return lmdb_error(rc);
	rc = mdb_env_set_maxdbs(st->env, DB_COUNT + 4);
	if (!rc)
		rc = mdb_env_set_mapsize(st->env, st->map_size);
	if (!rc)
		rc = mdb_env_set_userctx(st->env, st);
	/* NOTLS: logins read on libuv's thread pool, other reads on the loop
	 * thread; read txns are not tied to threads. NOMETASYNC: one wait for
	 * the disk per commit, the meta page made durable by the next one or
	 * store_sync() (store.h, "Durability"). */
	if (!rc)
		rc = mdb_env_open(st->env, dir, MDB_NOTLS | MDB_NOMETASYNC,
				  0600);
	if (rc)
		return lmdb_error(rc);
	MDB_envinfo info;
	if (mdb_env_info(st->env, &info) == 0 && info.me_mapsize > st->map_size)
		st->map_size = info.me_mapsize;
	/* What a process killed before a sync left in the page cache is made
	 * durable before anyone reads it. */
	rc = mdb_env_sync(st->env, 1);
	if (rc)
		return lmdb_error(rc);
	atomic_store(&st->committed_txn, info.me_last_txnid);
	atomic_store(&st->durable_txn, info.me_last_txnid);
	return 0;
}

/*
 * The tools' open next to a running server (store.h, store_open_tool):
 * the databases opened in a read transaction (LMDB keeps the handles of a
 * read transaction that commits), the schema checked in it, and the
 * checkpoint it reads. Nothing here waits for LMDB's writer lock.
 */
static int open_reader(struct store *st, const char *dir, uint64_t *checkpoint)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return lmdb_error(rc);
	for (int i = 0; i < DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], 0, &st->dbi[i]);
		if (rc == MDB_NOTFOUND) {
			fprintf(stderr, "clubcrm: the club in %s has no "
				"database `%s` yet\n", dir, db_names[i]);
			mdb_txn_abort(txn);
			return CLUBCRM_ESERVED;
		}
		if (rc) {
			mdb_txn_abort(txn);
			return lmdb_error(rc);
		}
	}
	*checkpoint = store_txn_checkpointed(txn);
	rc = lmdb_error(mdb_txn_commit(txn));
	if (rc)
		return rc;
	struct txn t;
	txn_begin(&t, st, NULL, false);
	uint32_t ver = 0;
	rc = t.ret ? t.ret : read_schema(&t, &ver);
	txn_abort(&t);
	if (rc == -ENOENT || (rc == 0 && ver < STORE_SCHEMA_VERSION)) {
		fprintf(stderr, "clubcrm: the club in %s has schema %u, this "
			"build reads %u\n", dir, ver, STORE_SCHEMA_VERSION);
		return CLUBCRM_ESERVED;
	}
	if (rc)
		return rc;
	return ver > STORE_SCHEMA_VERSION ? refuse_newer(ver) : 0;
}

static int new_store(const char *dir, size_t map_size, struct store **out)
{
	*out = NULL;
	if (!dir || !*dir)
		return -EINVAL;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	struct store *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->map_size = map_size < STORE_MIN_MAP ? STORE_MIN_MAP : map_size;
	st->lock_fd = -1;
	*out = st;
	return env_open(st, dir);
}

int store_open(const char *dir, size_t map_size, struct store **out)
{
	if (!out)
		return -EINVAL;
	struct store *st;
	int rc = new_store(dir, map_size, &st);
	if (!rc)
		rc = open_dbs(st);
	if (!rc)
		rc = store_journal_recover(st, dir);
	if (!rc)
		rc = open_schema(st);
	if (rc) {
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

int store_open_tool(const char *dir, size_t map_size, struct store **out,
		    struct store_tool_view *v)
{
	if (!out || !v)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	struct store *st;
	int lock_fd = -1;
	int rc = new_store(dir, map_size, &st);
	if (!rc)
		rc = store_journal_probe(dir, &lock_fd, &v->journal);
	if (rc == 1) {
		/* A server journals: its last checkpoint is read. */
		v->served = true;
		st->reader = true;
		rc = open_reader(st, dir, &v->checkpoint);
		if (!rc)
			store_journal_survey(dir, true, v->checkpoint, v);
	} else if (!rc) {
		/* No server, nor can one start journalling (lock_fd holds
		 * journal.lock when a journal exists): the journal as found,
		 * then the replay as any opener does. */
		rc = open_dbs(st);
		if (!rc && v->journal) {
			v->checkpoint = store_checkpointed(st);
			store_journal_survey(dir, false, v->checkpoint, v);
		}
		if (!rc)
			rc = store_journal_replay(st, dir, lock_fd);
		if (lock_fd >= 0)
			close(lock_fd);
		if (!rc)
			rc = open_schema(st);
	}
	if (rc) {
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	store_journal_stop(st);
	if (st->env) {
		if (store_sync(st) < 0)
			fprintf(stderr, "clubcrm: the last commit could not be "
				"synced to disk at close\n");
		mdb_env_close(st->env);
	}
	free(st);
}

uint64_t store_revision(struct store *st)
{
	struct txn t;
	txn_begin(&t, st, NULL, false);
	uint64_t rev = txn_revision(&t);
	txn_abort(&t);
	return rev;
}

/* Below this, a write of a few pages may not fit. */
#define STORE_DISK_LOW (1u << 20)

bool store_disk_low(struct store *st)
{
	const char *path = NULL;
	struct statvfs sv;
	if (mdb_env_get_path(st->env, &path) || !path || statvfs(path, &sv))
		return false;
	return (unsigned long long)sv.f_bavail * sv.f_frsize < STORE_DISK_LOW;
}

int store_grow(struct store *st)
{
	/* With the journal no transaction may be open either: the writer's
	 * long one is committed first. (In the server the batch that found
	 * the map full has done so on the writer's thread already.) A
	 * checkpoint that the full map refuses loses nothing: the next batch
	 * refills a new long transaction from the overlay (journaled.c). */
	if (store_checkpoint_pending(st))
		(void)store_checkpoint(st);
	return store_map_double(st);
}
