/* Built instead of bench_redis.c when hiredis is not installed. */
#include "bench.h"

#include <stdio.h>

int bench_redis_run(const struct bench_opts *o, struct bench_system *out)
{
	(void)o;
	out->name = "redis";
	fprintf(stderr, "clubcrm-bench: built without hiredis "
			"(apt-get install libhiredis-dev, then rebuild)\n");
	return -1;
}
