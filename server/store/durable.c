/*
 * The store's durability (store.h, "Durability"): which commits the disk
 * is known to hold. A module of its own so that txn.c (every commit) and
 * store.c (open, close) both call down into it.
 */
#include "store.h"
#include "store_lmdb.h"

void store_note_commit(struct store *st)
{
	MDB_envinfo info;
	uint64_t last = atomic_load(&st->committed_txn);
	if (mdb_env_info(st->env, &info) != 0 || info.me_last_txnid <= last)
		return;  /* nothing was written: LMDB skipped the commit */
	atomic_store(&st->durable_txn, last);
	atomic_store(&st->committed_txn, info.me_last_txnid);
}

void store_note_commit_failed(struct store *st)
{
	atomic_fetch_add(&st->commit_failures, 1);
}

uint64_t store_commit_failures(const struct store *st)
{
	return atomic_load(&st->commit_failures);
}

uint64_t store_committed_txn(const struct store *st)
{
	return atomic_load(&st->committed_txn);
}

uint64_t store_durable_txn(const struct store *st)
{
	return atomic_load(&st->durable_txn);
}

uint64_t store_syncs(const struct store *st)
{
	return atomic_load(&st->syncs);
}

int store_sync(struct store *st)
{
	uint64_t last = atomic_load(&st->committed_txn);
	if (atomic_load(&st->durable_txn) >= last)
		return 0;
	int rc = mdb_env_sync(st->env, 1);
	if (rc)
		return lmdb_error(rc);
	atomic_fetch_add(&st->syncs, 1);
	atomic_store(&st->durable_txn, last);
	return 0;
}
