/*
 * clubcrm-journal-bench: what one journal append costs on this disk
 * (issue 15; README-performance.md, "How the journal design would be
 * built"). For each record size, appends --count records of that payload
 * (one pwritev + one fdatasync each, server/store/journal.c) and prints
 * the latency's median, 90th and 99th percentiles and mean. A figure for a
 * person, not a test: nothing is asserted. (No bytes per append: on this
 * VM /proc/self/io write_bytes charges a plain pwrite + fdatasync loop
 * with a whole MiB per op, the earlier zero-fill's writeback, so it says
 * nothing here.)
 *
 *   clubcrm-journal-bench [--dir DIR] [--count N] [--sizes 200,4096,65536]
 *
 * DIR: where the temporary journal goes (default /var/tmp), on the disk
 * to measure; it is removed at the end. Segments are 64 MiB as in
 * production, made (zero-filled) before the timing starts.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *base = "/var/tmp";
	const char *sizes = "200,4096,65536";
	long count = 500;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc)
			sizes = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--dir DIR] [--count N] "
				"[--sizes 200,4096,65536]\n", argv[0]);
			return 2;
		}
	}
	if (count < 1 || count > 1000000) {
		fprintf(stderr, "%s: --count 1..1000000\n", argv[0]);
		return 2;
	}
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/clubcrm-journal-bench-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	struct journal *j;
	int rc = journal_open(&j, dir, JOURNAL_SEGMENT_DEFAULT, 0, NULL, NULL);
	if (rc) {
		fprintf(stderr, "journal_open: %s\n", strerror(-rc));
		rm_dir(dir);
		return 1;
	}
	double *lat = calloc((size_t)count, sizeof(*lat));
	uint64_t rev = 0;
	int status = 0;
	printf("%-8s %8s %9s %9s %9s %9s\n", "payload", "appends",
	       "p50 us", "p90 us", "p99 us", "mean us");
	for (const char *s = sizes; *s && status == 0;) {
		char *end;
		unsigned long size = strtoul(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
		if (size == 0 || size > journal_max_payload(JOURNAL_SEGMENT_DEFAULT)) {
			fprintf(stderr, "bad size\n");
			status = 2;
			break;
		}
		uint8_t *p = malloc(size);
		for (unsigned long i = 0; i < size; i++)
			p[i] = (uint8_t)(i * 131 + 7);
		struct iovec v = {p, size};
		/* A spare ready, as the checkpoint keeps one. */
		journal_prepare(j);
		double sum = 0;
		for (long i = 0; i < count; i++) {
			/* Never wait for a new segment inside the timing. */
			if (journal_spares(j) == 0)
				journal_prepare(j);
			rev++;
			double t0 = now_us();
			rc = journal_append(j, rev, rev, &v, 1);
			lat[i] = now_us() - t0;
			if (rc) {
				fprintf(stderr, "journal_append: %d\n", rc);
				status = 1;
				break;
			}
			sum += lat[i];
			if (journal_segments(j) > 2)
				journal_trim(j, rev - 1);
		}
		free(p);
		if (status)
			break;
		qsort(lat, (size_t)count, sizeof(*lat), cmp_double);
		printf("%-8lu %8ld %9.1f %9.1f %9.1f %9.1f\n", size, count,
		       lat[count / 2], lat[count * 9 / 10],
		       lat[count * 99 / 100], sum / (double)count);
	}
	free(lat);
	journal_close(j);
	rm_dir(dir);
	return status;
}
