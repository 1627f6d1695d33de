/* Delivery table, percentiles and /proc readings for clubcrm-bench. */
#include "bench_stats.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <uv.h>

uint64_t bench_now_ns(void)
{
	return uv_hrtime();
}

void bench_deliv_reset(struct bench_deliv *d)
{
	if (d->slots)
		memset(d->slots, 0, d->cap * sizeof(*d->slots));
	d->max_key = 0;
	d->bad_keys = 0;
}

void bench_deliv_free(struct bench_deliv *d)
{
	free(d->slots);
	memset(d, 0, sizeof(*d));
}

/* The slot of `key`, growing the table by doubling. */
static struct bench_slot *slot_of(struct bench_deliv *d, uint64_t key)
{
	if (key >= BENCH_DELIV_MAX_KEYS) {
		d->bad_keys++;
		return NULL;
	}
	if (key >= d->cap) {
		size_t cap = d->cap ? d->cap : 65536;
		while (cap <= key)
			cap *= 2;
		struct bench_slot *s = realloc(d->slots, cap * sizeof(*s));
		if (!s)
			return NULL;
		memset(s + d->cap, 0, (cap - d->cap) * sizeof(*s));
		d->slots = s;
		d->cap = cap;
	}
	if (key + 1 > d->max_key)
		d->max_key = key + 1;
	return &d->slots[key];
}

int bench_deliv_sent(struct bench_deliv *d, uint64_t key, uint64_t sent_ns)
{
	struct bench_slot *s = slot_of(d, key);
	if (!s)
		return key >= BENCH_DELIV_MAX_KEYS ? -ERANGE : -ENOMEM;
	s->sent_ns = sent_ns;
	return 0;
}

int bench_deliv_seen(struct bench_deliv *d, uint64_t key, uint64_t now_ns)
{
	struct bench_slot *s = slot_of(d, key);
	if (!s)
		return key >= BENCH_DELIV_MAX_KEYS ? -ERANGE : -ENOMEM;
	s->count++;
	if (now_ns > s->last_ns)
		s->last_ns = now_ns;
	return 0;
}

int bench_deliv_merge(struct bench_deliv *dst, const struct bench_deliv *src)
{
	for (size_t k = 0; k < src->max_key; k++) {
		const struct bench_slot *s = &src->slots[k];
		if (!s->count)
			continue;
		struct bench_slot *d = slot_of(dst, k);
		if (!d)
			return -ENOMEM;
		d->count += s->count;
		if (s->last_ns > d->last_ns)
			d->last_ns = s->last_ns;
	}
	dst->bad_keys += src->bad_keys;
	return 0;
}

int bench_samples_add(struct bench_samples *s, uint64_t ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ns;
	return 0;
}

void bench_samples_free(struct bench_samples *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

void bench_samples_sort(struct bench_samples *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
}

/* Nearest rank: the smallest sample with at least p% of samples <= it. */
uint64_t bench_samples_pct(const struct bench_samples *s, double p)
{
	if (s->n == 0)
		return 0;
	double rank = p / 100.0 * (double)s->n;
	size_t i = (size_t)rank;
	if ((double)i < rank)
		i++;
	if (i == 0)
		i = 1;
	if (i > s->n)
		i = s->n;
	return s->v[i - 1];
}

int bench_deliv_summary(const struct bench_deliv *d, uint32_t terminals,
			struct bench_samples *out, uint64_t *partial,
			uint64_t *unseen)
{
	*partial = 0;
	*unseen = 0;
	for (size_t k = 0; k < d->max_key; k++) {
		const struct bench_slot *s = &d->slots[k];
		if (s->sent_ns == 0)
			continue;
		if (s->count == 0) {
			(*unseen)++;
			continue;
		}
		if (s->count < terminals) {
			(*partial)++;
			continue;
		}
		uint64_t lat = s->last_ns > s->sent_ns ? s->last_ns - s->sent_ns
						       : 0;
		if (bench_samples_add(out, lat) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* One "Name:   N kB" line of /proc/PID/status. */
static long status_kib(pid_t pid, const char *name)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	long kib = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, strlen(name)) == 0) {
			kib = strtol(line + strlen(name), NULL, 10);
			break;
		}
	}
	fclose(f);
	return kib;
}

long bench_rss_kib(pid_t pid)
{
	return status_kib(pid, "VmRSS:");
}

long bench_anon_kib(pid_t pid)
{
	return status_kib(pid, "RssAnon:");
}

uint64_t bench_cpu_ns(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = pid > 0 ? opendir(path) : NULL;
	if (!d)
		return 0;
	uint64_t sum = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char file[128];
		snprintf(file, sizeof(file), "/proc/%d/task/%.20s/schedstat",
			 (int)pid, e->d_name);
		FILE *f = fopen(file, "r");
		unsigned long long ns;
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		if (f)
			fclose(f);
	}
	closedir(d);
	return sum;
}

int64_t bench_proc_io(pid_t pid, const char *field)
{
	char path[64], line[128];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%ld/io", (long)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/io");
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int64_t v = -ENOENT;
	size_t n = strlen(field);
	while (fgets(line, sizeof(line), f)) {
		long long x;
		if (strncmp(line, field, n) == 0 && line[n] == ':' &&
		    sscanf(line + n + 1, "%lld", &x) == 1 && x >= 0) {
			v = x;
			break;
		}
	}
	fclose(f);
	return v;
}

int64_t bench_write_bytes(pid_t pid)
{
	return pid > 0 ? bench_proc_io(pid, "write_bytes") : -EINVAL;
}

int64_t bench_disk_bytes(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return -errno;
	char sys[96], line[512];
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/stat",
		 major(sb.st_dev), minor(sb.st_dev));
	FILE *f = fopen(sys, "r");
	if (!f)
		return -errno;
	unsigned long long v[7];
	int n = fgets(line, sizeof(line), f)
			? sscanf(line, "%llu %llu %llu %llu %llu %llu %llu",
				 &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
				 &v[6])
			: 0;
	fclose(f);
	/* The 7th field: sectors written, of 512 bytes whatever the disk. */
	return n == 7 && v[6] < (unsigned long long)INT64_MAX / 512
		       ? (int64_t)(v[6] * 512)
		       : -EIO;
}

/* The inode of the socket listening on `port` in one /proc/net table. */
static unsigned long listen_inode(const char *table, unsigned port)
{
	FILE *f = fopen(table, "r");
	if (!f)
		return 0;
	char line[512];
	unsigned long found = 0;
	if (!fgets(line, sizeof(line), f)) /* the header */
		goto out;
	while (fgets(line, sizeof(line), f)) {
		char local[128], remote[128];
		unsigned st, lport;
		unsigned long inode;
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*s %127s %127s %x %*s %*s %*s %*u %*u %lu",
			   local, remote, &st, &inode) != 4)
			continue;
		const char *colon = strrchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &lport) != 1)
			continue;
		if (st == 0x0A && lport == port) { /* TCP_LISTEN */
			found = inode;
			break;
		}
	}
out:
	fclose(f);
	return found;
}

/* True when process `pid` holds the socket `inode`. */
static int holds_inode(const char *pid, const char *want)
{
	char dir[300];
	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	int yes = 0;
	while (!yes && (e = readdir(d))) {
		char path[600], target[64];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		yes = strcmp(target, want) == 0;
	}
	closedir(d);
	return yes;
}

pid_t bench_pid_of_port(unsigned port)
{
	unsigned long inode = listen_inode("/proc/net/tcp", port);
	if (!inode)
		inode = listen_inode("/proc/net/tcp6", port);
	if (!inode)
		return -ENOENT;
	char want[64];
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	pid_t pid = -ENOENT;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (holds_inode(e->d_name, want)) {
			pid = (pid_t)strtol(e->d_name, NULL, 10);
			break;
		}
	}
	closedir(d);
	return pid;
}

/* The TCP state of socket `inode` (/proc/net/tcp), or 0. */
static unsigned tcp_state(unsigned long want)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	if (!f)
		return 0;
	char line[512];
	unsigned found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned st;
		unsigned long inode;
		if (sscanf(line, " %*s %*s %*s %x %*s %*s %*s %*u %*u %lu", &st,
			   &inode) == 2 && inode == want)
			found = st;
	}
	fclose(f);
	return found;
}

int bench_pid_established(pid_t pid)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int yes = 0;
	struct dirent *e;
	while (!yes && (e = readdir(d))) {
		char path[400], target[64];
		unsigned long inode;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (sscanf(target, "socket:[%lu]", &inode) == 1)
			yes = tcp_state(inode) == 0x01; /* TCP_ESTABLISHED */
	}
	closedir(d);
	return yes;
}

unsigned bench_port_of(const char *address)
{
	const char *colon = strrchr(address, ':');
	if (!colon || !colon[1])
		return 0;
	char *end;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (*end || p == 0 || p > 65535)
		return 0;
	return (unsigned)p;
}
