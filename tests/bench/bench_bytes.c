/*
 * What a durable write costs in bytes and at the least in time (issue 15):
 * the servers' byte counters around a scenario's measured part, and a raw
 * synced LMDB commit on the same disk for the lone write to be read against.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "bench.h"
#include "bench_stats.h"

const char *bench_disk_path(const struct bench_opts *o)
{
	if (o->crm_data && *o->crm_data)
		return o->crm_data;
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

void bench_bytes_start(struct bench_result *r, pid_t pid,
		       const char *disk_path)
{
	r->write_bytes = pid > 0 ? bench_write_bytes(pid) : -1;
	r->disk_bytes = bench_disk_bytes(disk_path);
	if (r->write_bytes < 0)
		r->write_bytes = -1;
	if (r->disk_bytes < 0)
		r->disk_bytes = -1;
	r->wchar0 = pid > 0 ? bench_proc_io(pid, "wchar") : -1;
	r->rchar0 = bench_proc_io(0, "rchar");
	r->file_bytes = r->wchar0 >= 0 && r->rchar0 >= 0 ? 0 : -1;
}

void bench_bytes_end(struct bench_result *r, pid_t pid, const char *disk_path)
{
	int64_t w = r->write_bytes >= 0 && pid > 0 ? bench_write_bytes(pid) : -1;
	int64_t d = r->disk_bytes >= 0 ? bench_disk_bytes(disk_path) : -1;
	r->write_bytes = w >= r->write_bytes && r->write_bytes >= 0
				 ? w - r->write_bytes : -1;
	r->disk_bytes = d >= r->disk_bytes && r->disk_bytes >= 0
				? d - r->disk_bytes : -1;
	if (r->file_bytes < 0)
		return;
	int64_t wc = pid > 0 ? bench_proc_io(pid, "wchar") : -1;
	int64_t rc = bench_proc_io(0, "rchar");
	if (wc < r->wchar0 || rc < r->rchar0) {
		r->file_bytes = -1;
		return;
	}
	/* Bytes still in flight at either edge make it approximate; a
	 * negative result is reported as 0. */
	int64_t f = (wc - r->wchar0) - (rc - r->rchar0);
	r->file_bytes = f > 0 ? f : 0;
}

static void rm_env(const char *dir)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
}

int bench_raw_lmdb(const char *dir, unsigned n, uint64_t *p50, uint64_t *p99)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/clubcrm-bench-raw-XXXXXX", dir);
	if (!mkdtemp(path))
		return -1;
	MDB_env *env = NULL;
	MDB_dbi dbi;
	MDB_txn *txn;
	struct bench_samples s = {0};
	int rc = mdb_env_create(&env);
	if (!rc)
		rc = mdb_env_set_mapsize(env, (size_t)64 << 20);
	if (!rc)
		rc = mdb_env_open(env, path, 0, 0600);
	if (!rc && !(rc = mdb_txn_begin(env, NULL, 0, &txn))) {
		rc = mdb_dbi_open(txn, NULL, 0, &dbi);
		rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
	}
	uint8_t value[200];
	memset(value, 'v', sizeof(value));
	for (unsigned i = 0; !rc && i < n; i++) {
		uint8_t key[8];
		for (int b = 0; b < 8; b++)
			key[b] = (uint8_t)((uint64_t)i >> (56 - 8 * b));
		MDB_val k = {sizeof(key), key}, v = {sizeof(value), value};
		uint64_t t0 = bench_now_ns();
		rc = mdb_txn_begin(env, NULL, 0, &txn);
		if (rc)
			break;
		rc = mdb_put(txn, dbi, &k, &v, 0);
		rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
		if (!rc && bench_samples_add(&s, bench_now_ns() - t0) < 0)
			rc = ENOMEM;
	}
	if (env)
		mdb_env_close(env);
	rm_env(path);
	if (rc) {
		fprintf(stderr, "clubcrm-bench: raw LMDB commit in %s: %s\n",
			dir, mdb_strerror(rc));
		bench_samples_free(&s);
		return -1;
	}
	bench_samples_sort(&s);
	*p50 = bench_samples_pct(&s, 50);
	*p99 = bench_samples_pct(&s, 99);
	bench_samples_free(&s);
	return 0;
}
