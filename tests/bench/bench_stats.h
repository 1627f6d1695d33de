/*
 * Measurements shared by both drivers of clubcrm-bench: the delivery table
 * (when a write was sent, when its change reached the last terminal), ack
 * latencies, percentiles, and the server's memory read from /proc.
 *
 * Every time is uv_hrtime() nanoseconds: one monotonic clock in one process,
 * so a write's send time and its deliveries compare directly.
 */
#ifndef CLUBCRM_BENCH_STATS_H
#define CLUBCRM_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * One slot per write, keyed by a small integer (the revision minus the
 * scenario's first one, or the redis driver's sequence number). A delivery
 * may be seen before the writer learns which key its write got (the delta
 * can overtake the reply), so sends and deliveries are recorded
 * independently and only matched in bench_deliv_summary().
 */
struct bench_slot {
	uint64_t sent_ns;   /* 0: no acknowledged write has this key */
	uint64_t last_ns;   /* latest delivery */
	uint32_t count;     /* terminals that saw it */
};

struct bench_deliv {
	struct bench_slot *slots;
	size_t cap;
	size_t max_key;     /* highest key touched + 1 */
	uint64_t bad_keys;  /* keys out of range (a hostile or confused peer) */
};

/* The limit on keys: a run never needs more, and a wild key must not
 * make the table allocate gigabytes. */
#define BENCH_DELIV_MAX_KEYS (16u * 1024 * 1024)

void bench_deliv_reset(struct bench_deliv *d);
void bench_deliv_free(struct bench_deliv *d);
/* 0, -ERANGE for a key over the limit, -ENOMEM. */
int bench_deliv_sent(struct bench_deliv *d, uint64_t key, uint64_t sent_ns);
int bench_deliv_seen(struct bench_deliv *d, uint64_t key, uint64_t now_ns);

/* Adds what `src` saw to `dst` (counts summed, the latest delivery
 * kept; sends are not touched): tables filled by several threads, each
 * its own, merged once they are quiet. 0, -ERANGE, -ENOMEM. */
int bench_deliv_merge(struct bench_deliv *dst, const struct bench_deliv *src);

/* Latency samples in nanoseconds and their percentiles. */
struct bench_samples {
	uint64_t *v;
	size_t n, cap;
};

int bench_samples_add(struct bench_samples *s, uint64_t ns);
void bench_samples_free(struct bench_samples *s);
/* Sorts the samples; then bench_samples_pct() answers. */
void bench_samples_sort(struct bench_samples *s);
/* The p-th percentile (0 < p <= 100) of sorted samples, 0 when empty. */
uint64_t bench_samples_pct(const struct bench_samples *s, double p);

/*
 * Writes whose change reached all `terminals`: their send-to-last-delivery
 * latencies go into `out`; *partial counts writes seen by some but not all
 * terminals, *unseen those seen by none. 0 or -ENOMEM.
 */
int bench_deliv_summary(const struct bench_deliv *d, uint32_t terminals,
			struct bench_samples *out, uint64_t *partial,
			uint64_t *unseen);

/* VmRSS of a process in KiB, or a negative errno. */
long bench_rss_kib(pid_t pid);
/* Its anonymous part (heap and stacks, not the LMDB map's file pages). */
long bench_anon_kib(pid_t pid);
/*
 * Nanoseconds process `pid` has spent on a CPU, all its threads (the first
 * field of /proc/PID/task/TID/schedstat); 0 if unknown. Unlike the wall
 * clock it does not count the time a loaded machine keeps it waiting.
 */
uint64_t bench_cpu_ns(pid_t pid);

/*
 * Bytes process `pid` caused to be written to storage (write_bytes of
 * /proc/PID/io), or a negative errno. On ext4 with large folios (Linux
 * 6.16 on) a page overwritten and synced is charged its whole folio, up
 * to 2 MiB: read it beside bench_disk_bytes().
 */
int64_t bench_write_bytes(pid_t pid);
/* One field ("wchar", "rchar", ...) of /proc/PID/io (pid 0: this
 * process), or a negative errno. */
int64_t bench_proc_io(pid_t pid, const char *field);
/*
 * Bytes the block device holding `path` has written since boot (sectors
 * written of /sys/dev/block/MAJ:MIN/stat), or a negative errno: the real
 * writes, of every process on that disk.
 */
int64_t bench_disk_bytes(const char *path);

/*
 * The process listening on a loopback TCP port (from /proc/net/tcp{,6} and
 * /proc/PID/fd), or a negative errno (-ENOENT when none is found).
 */
pid_t bench_pid_of_port(unsigned port);

/*
 * True when process `pid` holds an ESTABLISHED TCP socket (a peer the
 * server closed is in CLOSE_WAIT in a stopped process).
 */
int bench_pid_established(pid_t pid);

/* The port of "HOST:PORT" / "[V6]:PORT", or 0. */
unsigned bench_port_of(const char *address);

/* uv_hrtime() in a name that says what it is. */
uint64_t bench_now_ns(void);

#endif
